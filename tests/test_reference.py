"""The reference evaluation (verify.deciding.evaluation.reference): the SymPy evaluator's rules
over polynomials, the cheap independent check behind a polynomial proof.

Each claim below is derived by hand in its comment; the suites' claims are checked both ways
against the established SymPy route (symbolic entries, ``cancel``); and the engine is shown to
take a polynomial proof only when this evaluation agrees, and to fall back to instantiation
when it does not.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from test_polynomial_jets import DECLINED, FALSE, TRUE, _every_claim, claim, det, sympy_route_agrees, tr

from verify.deciding import decide_inline
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.polynomial_jets import identical
from verify.deciding.evaluation.rationals import as_matrix
from verify.deciding.evaluation.reference import agrees, values_at
from verify.deciding.evaluation.sampling import Point, evaluate
from verify.errors import ShapeError
from verify.model import (
    Const,
    D,
    Equality,
    Expr,
    Gradient,
    Hadamard,
    Hessian,
    Identity,
    Symbols,
    Var,
    Verdict,
    apply,
    at,
    matrix,
    scalar,
)

A, S, X = Var("A"), Var("S"), Var("X")
x, y, u, w, t = (Var(n) for n in "x y u w t".split())
x1, z1 = Var("x1"), Var("z1")


def check(c: Equality, sizes: dict[str, int]) -> bool | None:
    return agrees(c, sizes, random.Random(0))


MORE_TRUE: dict[str, tuple[Equality, list[dict[str, int]]]] = {
    # d(t^2)/dt = 2t, at t = 3: 6 (the derivative first, the value after).
    "d t^2 / dt at t = 3": (claim(at(D(t * t, t), (t, Const(3))), Const(6)), [{}]),
    # The gradient of x^T A x is the column (A + A^T) x (the transpose of the numerator-layout row).
    "grad x^T A x": (claim(Gradient(x.T * A * x, x), (A + A.T) * x), [{"n": 2}, {"n": 3}]),
    # Denominator layout: d(x^T A x)/dx is the column (A + A^T) x.
    "d x^T A x / dx, denominator layout": (claim(D(x.T * A * x, x), (A + A.T) * x, layout="denominator"),
                                           [{"n": 2}]),
    # d(u^T X w)/dX in denominator layout is u w^T (m x n), the shape of X.
    "d u^T X w / dX, denominator layout": (claim(D(u.T * X * w, X), u * w.T, layout="denominator"),
                                           [{"m": 2, "n": 3}]),
    # The Hessian of (x^T x)^2 = |x|^4: the gradient 4 |x|^2 x, its Jacobian 4 |x|^2 I + 8 x x^T.
    "Hessian of |x|^4": (claim(Hessian((x.T * x) * (x.T * x), x),
                               4 * (x.T * x) * Identity() + 8 * x * x.T), [{"n": 2}]),
    # det(A^T) = det(A) and det(2A) = 2^n det(A) at n = 3 (cofactor expansion, 3 x 3).
    "det A^T = det A": (claim(det(A.T), det(A)), [{"n": 3}]),
    "det 2A = 8 det A at n = 3": (claim(det(2 * A), 8 * det(A)), [{"n": 3}]),
    # A^3 = A A A; a power 0 is I.
    "A^3 = A A A": (claim(A ** 3, A * A * A), [{"n": 2}]),
    # tr(S) for symmetric S at n = 2 is s11 + s22; tr(S + S^T) = 2 tr(S).
    "tr(S + S^T) = 2 tr S": (claim(tr(S + S.T), 2 * tr(S)), [{"n": 2}]),
    # diag of a vector: diag(x) y = x .* y entry by entry (x o y).
    "diag(x) y = x o y": (claim(apply("diag", x) * y, Hadamard(x, y)), [{"n": 3}]),
    # A division by a number: (2t)/4 = t/2.
    "2t / 4 = t / 2": (claim((2 * t) / Const(4), t / Const(2)), [{}]),
    # The chain rule through a function of z1: d(x1^2)/dz1 = 2 x1 dx1/dz1.
    "d x1^2 / dz1": (claim(D(x1 * x1, z1), 2 * x1 * D(x1, z1)), [{}]),
}

MORE_FALSE: dict[str, tuple[Equality, list[dict[str, int]]]] = {
    # d(t^2)/dt at t = 3 is 6, not 9 (the value substituted before differentiating gives 0, and
    # t^2 at 3 is 9: both wrong).
    "d t^2 / dt at t = 3 is 9": (claim(at(D(t * t, t), (t, Const(3))), Const(9)), [{}]),
    # det(2A) = 2 det(A) fails at n = 3 (A = I: 8 against 2).
    "det 2A = 2 det A at n = 3": (claim(det(2 * A), 2 * det(A)), [{"n": 3}]),
    # Layouts mixed: numerator layout gives the row x^T (A + A^T), not the column.
    "d x^T A x / dx as a column": (claim(D(x.T * A * x, x), (A + A.T) * x), [{"n": 2}]),
    # (A B)^T = A^T B^T is false: here with B = A^T, (A A^T)^T = A A^T against A^T A.
    "(A A^T)^T = A^T A": (claim((A * A.T).T, A.T * A), [{"n": 2}]),
    # The chain rule without the inner derivative: d(x1^2)/dz1 is 2 x1 x1', not 2 x1.
    "d x1^2 / dz1 = 2 x1": (claim(D(x1 * x1, z1), 2 * x1), [{}]),
}

MORE_DECLINED: dict[str, tuple[Equality, list[dict[str, int]]]] = {
    # A division by a polynomial: t / t = 1 for t != 0, but t / t is no polynomial.
    "t / t = 1": (claim(t / t, Const(1)), [{}]),
    # A derivative by a symmetric matrix: its entries are not independent variables.
    "d tr(S) / dS": (claim(D(tr(S), S), Identity()), [{"n": 2}]),
    # A square root: not a polynomial.
    "sqrt(t^2) = t": (claim(apply("sqrt", t * t), t), [{}]),
}


@pytest.mark.parametrize("name", sorted(TRUE) + sorted(MORE_TRUE))
def test_true_claims_agree(name: str) -> None:
    c, bound = {**TRUE, **MORE_TRUE}[name]
    for sizes in bound:
        assert check(c, sizes) is True, f"{name} at {sizes}"
        assert sympy_route_agrees(c, sizes), f"the hand derivation of {name} is wrong at {sizes}"


@pytest.mark.parametrize("name", sorted(FALSE) + sorted(MORE_FALSE))
def test_false_claims_do_not(name: str) -> None:
    c, bound = {**FALSE, **MORE_FALSE}[name]
    for sizes in bound:
        assert check(c, sizes) is False, f"{name} at {sizes}"
        assert not sympy_route_agrees(c, sizes)


@pytest.mark.parametrize("name", sorted(DECLINED) + sorted(MORE_DECLINED))
def test_outside_its_rules_it_says_nothing(name: str) -> None:
    c, bound = {**DECLINED, **MORE_DECLINED}[name]
    for sizes in bound:
        assert check(c, sizes) is None, f"{name} at {sizes}"


def test_the_suites_agree_with_the_sympy_route_both_ways() -> None:
    """At each suite claim's first binding: where this evaluation decides, the SymPy route (generic
    entries and functions, cancel) says the same; a claim with functions it calls equal is
    only equal for the function it drew, and is not compared. And it confirms every binding the
    polynomial route proves (else the engine would pay the SymPy point there)."""
    decided = unequal = 0
    for name, c in _every_claim():
        letters = sizing.letters_of(c)
        bound = [dict(b) for b in c.sizes] if c.sizes else sizing.proving(letters) if letters else [{}]
        for k, sizes in enumerate(bound[:2]):
            verdict = check(c, sizes)
            if identical(c, sizes):
                assert verdict is not False, f"{name}: the two polynomial evaluations differ at {sizes}"
            if k or verdict is None or (verdict and any(s.of for s in c.symbols.values())):
                continue
            decided += 1
            unequal += not verdict
            assert verdict == sympy_route_agrees(c, sizes), f"{name} at {sizes}"
    assert decided >= 100 and unequal >= 5


def test_a_polynomial_proof_needs_the_reference_to_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    # tr(A A^T) = tr(A^T A) is true (both are the sum of every a_ij^2). Pretend the reference
    # evaluation disagreed with the polynomial route: no polynomial proof, and the claim is still
    # proved, by the SymPy instantiation.
    import verify.deciding.kinds.equality as equality

    c = Equality(id="c", statement="", symbols=Symbols.of([matrix("A", 2, 2)]), lhs=tr(A * A.T), rhs=tr(A.T * A))
    assert "polynomial arithmetic" in (decide_inline(c).detail or "")
    monkeypatch.setattr(equality, "agrees", lambda claim, sizes, rng: False)
    result = decide_inline(c)
    assert result.verdict is Verdict.PROVED
    assert "polynomial arithmetic" not in (result.detail or "")


def test_a_shared_rule_bug_is_caught_without_sympy(monkeypatch: pytest.MonkeyPatch) -> None:
    # det(P + Q) = det P + det Q is false for 2 x 2 matrices (P = Q = I: 4 against 2). With the
    # points and the polynomial route made to agree (a rule bug they would share), the
    # reference evaluation alone says the sides differ.
    P, Q = Var("P"), Var("Q")
    symbols = Symbols.of([matrix("P", 2, 2), matrix("Q", 2, 2)])
    c = Equality(id="c", statement="", symbols=symbols, lhs=det(P + Q), rhs=det(P) + det(Q))
    assert check(c, {}) is False


def test_a_function_is_drawn_from_the_claims_generator() -> None:
    # Two draws of the same claim with functions give the same answer (no global randomness),
    # and a false chain rule is caught for several seeds (a drawn polynomial is generic).
    c, _ = MORE_FALSE["d x1^2 / dz1 = 2 x1"]
    assert all(agrees(c, {}, random.Random(seed)) is False for seed in range(5))


def _points(count: int = 2) -> list[tuple[str, Equality, Point]]:
    """Random points of every suite claim at its first binding (the Fraction evaluator's values on each)."""
    out = []
    for name, c in _every_claim():
        letters = sizing.letters_of(c)
        sizes = dict(c.sizes[0]) if c.sizes else sizing.proving(letters)[0] if letters else {}
        rng = random.Random(name)
        for _ in range(count):
            try:
                _, point = evaluate((c.lhs, c.rhs), c.symbols, sizes, c.layout, rng)
            except (ValueError, ZeroDivisionError, ShapeError):
                continue
            out.append((name, c, point))
    return out


def test_values_at_a_point_are_the_fraction_and_the_sympy_values() -> None:
    """What a refutation rests on: at random points of the suites, the reference values equal the
    Fraction evaluator's wherever both compute them, and the SymPy evaluator's (the established
    route, recomputed at the same point) wherever the reference computes them."""
    confirmed = 0
    for name, c, point in _points():
        values = values_at(c, point)
        if values is None:
            continue
        if point.exact is not None:
            assert values == point.exact, name
            confirmed += 1
        by_sympy = point.again() if point.again is not None else None
        if by_sympy is not None:
            assert [as_matrix(v) for v in values] == by_sympy, name
    assert confirmed >= 250


@pytest.mark.parametrize("claim_id", ["mc.det-jacobi-transposed", "hessian.written-is-H", "pd.bilinear-y",
                                      "mcd.det-jacobi-numerator-answer", "mcd.logdet-missing-transpose",
                                      "bp.dJ-dyhat"])
def test_a_refutation_confirmed_by_the_reference_is_the_one_sympy_confirms(claim_id: str,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # The same claim decided twice: its refutation confirmed by the reference evaluation, then
    # (the reference switched off) by the SymPy evaluator: the same verdict, detail and
    # counterexample, which is also checked by substitution (checking.separates).
    import verify.deciding.proof.refute as refute
    from checking import separates

    c = next(c for name, c in _every_claim() if name.split(":")[-1] == claim_id)
    fast = decide_inline(c)
    assert fast.verdict is Verdict.REFUTED and separates(c, fast.counterexample)
    monkeypatch.setattr(refute, "_confirmed", lambda claim, point: False)
    slow = decide_inline(c)
    assert (slow.verdict, slow.detail, slow.counterexample) == (fast.verdict, fast.detail, fast.counterexample)


def test_nothing_free_is_proved_by_two_exact_evaluations_or_left_to_sympy() -> None:
    # d(t^2)/dt at t = 3 is 6 (proved by the polynomial route with the reference agreeing), and
    # not 9 (both say unequal; the SymPy evaluation refutes it).
    right, _ = MORE_TRUE["d t^2 / dt at t = 3"]
    wrong, _ = MORE_FALSE["d t^2 / dt at t = 3 is 9"]
    proved = decide_inline(right)
    assert proved.verdict is Verdict.PROVED and "polynomial arithmetic" in (proved.detail or "")
    assert decide_inline(wrong).verdict is Verdict.REFUTED


def test_a_log_at_a_point_has_exact_derivatives_and_no_value() -> None:
    # d log(t^2 + 1) / dt = 2t / (t^2 + 1) and d^2 log t / dt^2 = -1/t^2 at the point's t0: exact.
    # log t itself is not rational at a rational t0 != 1: no value (None), never a number.
    t_ = Var("t")
    symbols = Symbols.of([scalar("t", positive=True)])

    def at_points(lhs: Expr, rhs: Expr) -> list[tuple[object, object, object]]:
        c = Equality(id="c", statement="", symbols=symbols, lhs=lhs, rhs=rhs)
        out = []
        for seed in range(4):
            _, point = evaluate((lhs, rhs), symbols, {}, "numerator", random.Random(seed))
            value = point.matrix("t")[0, 0]
            t0 = Fraction(int(value.p), int(value.q))
            out.append((values_at(c, point), point.exact, t0))
        return out

    for values, exact, t0 in at_points(D(apply("log", t_ * t_ + 1), t_), 2 * t_ / (t_ * t_ + 1)):
        assert values == exact == (((2 * t0 / (t0 * t0 + 1),),), ((2 * t0 / (t0 * t0 + 1),),))
    for values, _, t0 in at_points(D(D(apply("log", t_), t_), t_), t_):
        assert values is not None and values[0] == ((-1 / (t0 * t0),),)
    for values, _, t0 in at_points(apply("log", t_), t_):
        assert values is None or t0 == 1


def test_what_could_grow_past_memory_has_no_rule_here() -> None:
    # FLINT aborts the process (uncatchably) when an allocation fails under the worker's memory
    # cap, so whatever could grow large is refused before it is built, as in the polynomial route:
    # a power above 64, a product past MAX_TERMS terms ((a + ... + f)^40 would have C(45, 5), about
    # 1.2 million), a determinant past 6 x 6 (7! = 5,040 cofactor products of polynomials).
    t_ = Var("t")
    letters = [Var(v) for v in "abcdef"]
    total = letters[0] + letters[1] + letters[2] + letters[3] + letters[4] + letters[5]
    scalars = Symbols.of([scalar(v) for v in "abcdeft"])
    huge_power = Equality(id="c", statement="", symbols=scalars, lhs=(2 * t_) ** 10**9, rhs=(2 * t_) ** 10**9)
    many_terms = Equality(id="c", statement="", symbols=scalars, lhs=total ** 40, rhs=total ** 40)
    big = Equality(id="c", statement="", symbols=Symbols.of([matrix("A", 7, 7)]), lhs=det(A), rhs=det(A.T))
    for c in (huge_power, many_terms, big):
        assert check(c, {}) is None
    # below the guards the same shapes are decided: (2t)^20 = 2^20 t^20, det A^T = det A at 6 x 6
    small = Equality(id="c", statement="", symbols=scalars, lhs=(2 * t_) ** 20, rhs=Const(2**20) * t_ ** 20)
    six = Equality(id="c", statement="", symbols=Symbols.of([matrix("A", 6, 6)]), lhs=det(A), rhs=det(A.T))
    assert check(small, {}) is True and check(six, {}) is True
