"""The proof at one size by polynomial arithmetic (verify.deciding.evaluation.polynomial_jets).

It may only ever say "equal", and only where the sides are the same polynomial in the entries:
each true claim below is derived by hand in its comment, each false one has a hand counterexample,
and every claim the route calls equal anywhere in the HW1 suite, the examples and the soundness
corpus is re-checked by the independent SymPy route (symbolic entries, undefined functions,
``cancel``) at the same size.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from derivations import all_claims
from verify.deciding.engine import decide
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.instantiate import Evaluator, jets_to_symbols, symbolic
from verify.deciding.evaluation.polynomial_jets import identical
from verify.model import Const, D, Equality, Expr, Hessian, Symbols, Var, Verdict, apply, matrix, scalar, vector
from verify.reading.claims_file import load_claims_file

ROOT = Path(__file__).resolve().parent.parent
A, S, V, X = (Var(n) for n in "A S V X".split())
x, y, z, u, w, t = (Var(n) for n in "x y z u w t".split())
x1, x2, y1, y2, z1 = (Var(n) for n in "x1 x2 y1 y2 z1".split())

SYMBOLS = [matrix("A", "n", "n"), matrix("S", "n", "n", symmetric=True), matrix("V", "n", "n", orthogonal=True),
           matrix("X", "m", "n"), vector("x", "n"), vector("y", "n"), vector("u", "m"), vector("w", "n"),
           scalar("t"), scalar("x1", of=("z1",)), scalar("x2", of=("z1",)), scalar("y1", of=("z1",)),
           scalar("y2", of=("z1",)), scalar("z1")]


def claim(lhs: Expr, rhs: Expr, layout: str = "numerator") -> Equality:
    return Equality(id="c", statement="", symbols=Symbols.of(SYMBOLS), lhs=lhs, rhs=rhs, layout=layout)


def det(e: Expr) -> Expr:
    return apply("det", e)


def tr(e: Expr) -> Expr:
    return apply("tr", e)


TRUE = {
    # d(x^T A x) = dx^T A x + x^T A dx = x^T (A^T + A) dx: the numerator-layout derivative x^T (A + A^T).
    "d x^T A x / dx": (claim(D(x.T * A * x, x), x.T * (A + A.T)), [{"n": 1}, {"n": 2}, {"n": 3}]),
    # S symmetric: x^T (S + S^T) = 2 x^T S.
    "d x^T S x / dx, S symmetric": (claim(D(x.T * S * x, x), 2 * x.T * S), [{"n": 2}, {"n": 3}]),
    # The Hessian of x^T A x: the Jacobian of (A + A^T) x, i.e. A + A^T.
    "Hessian of x^T A x": (claim(Hessian(x.T * A * x, x), A + A.T), [{"n": 2}, {"n": 3}]),
    # u^T X w = tr(w u^T X): in numerator layout the derivative by X is w u^T (n x m).
    "d u^T X w / dX": (claim(D(u.T * X * w, X), w * u.T), [{"m": 2, "n": 3}, {"m": 3, "n": 2}]),
    # det(x y^T) = 0 for n >= 2: x y^T has rank at most 1 (at n = 1 it is x y, below).
    "det(x y^T) = 0 at n = 2, 3": (claim(det(x * y.T), 0 * t), [{"n": 2}, {"n": 3}]),
    # The product rule with x_i, y_i functions of z_1: d(x1 y1 + x2 y2)/dz1 = sum x_i y_i' + y_i x_i'.
    "product rule, functions of z1": (
        claim(D(x1 * y1 + x2 * y2, z1), x1 * D(y1, z1) + y1 * D(x1, z1) + x2 * D(y2, z1) + y2 * D(x2, z1)), [{}]),
    # tr(A^2) = sum_ij a_ij a_ji and (tr A)^2 differ, but tr(A A^T) = tr(A^T A) (both sum a_ij^2).
    "tr(A A^T) = tr(A^T A)": (claim(tr(A * A.T), tr(A.T * A)), [{"n": 2}, {"n": 3}]),
    # Division by a number is exact: (x^T x) / 2 differentiated is x^T.
    "d (x^T x / 2) / dx": (claim(D((x.T * x) / 2, x), x.T), [{"n": 2}]),
}

FALSE = {
    # x^T A x differentiated is x^T (A + A^T), not 2 x^T A: A = [[0, 1], [0, 0]], x = (1, 0) gives
    # x^T (A + A^T) = (0, 1) and 2 x^T A = (0, 2).
    "d x^T A x / dx = 2 x^T A": (claim(D(x.T * A * x, x), 2 * x.T * A), [{"n": 2}, {"n": 3}]),
    # At n = 1 x y^T is the number x y, whose determinant is x y, not 0 (x = y = 1).
    "det(x y^T) = 0 at n = 1": (claim(det(x * y.T), 0 * t), [{"n": 1}]),
    # A dropped term of the product rule: x1 = y1 = z1 (y2 = x2 = 0) gives 2 z1 against z1.
    "product rule missing a term": (
        claim(D(x1 * y1 + x2 * y2, z1), x1 * D(y1, z1) + x2 * D(y2, z1) + y2 * D(x2, z1)), [{}]),
    # tr(A^2) = (tr A)^2 fails for A = diag(1, 1): 2 against 4.
    "tr(A^2) = (tr A)^2": (claim(tr(A * A), tr(A) * tr(A)), [{"n": 2}]),
}

DECLINED = {
    # True, but outside polynomial arithmetic: each goes to the SymPy route.
    # V orthogonal: det(V)^2 = 1 holds only thanks to V^T V = I.
    "det(V)^2 = 1, V orthogonal": (claim(det(V) * det(V), 0 * t + 1), [{"n": 2}]),
    # relu(x) - relu(-x) = x: a branch, i.e. a comparison.
    "relu(x) - relu(-x) = x": (claim(apply("relu", x) - apply("relu", -x), x), [{"n": 2}]),
    # (A^{-1})^T = (A^T)^{-1}: an inverse of a matrix of polynomials.
    "inverse of the transpose": (claim(A.I.T, A.T.I), [{"n": 2}]),
    # exp(t) exp(-t) = 1: a transcendental function.
    "exp(t) exp(-t) = 1": (claim(apply("exp", t) * apply("exp", -t), 0 * t + 1), [{}]),
}


def test_what_would_grow_past_memory_is_declined_before_it_is_built() -> None:
    # (a + ... + f)^300 = (2a + ... + 2f)^300 / 2^300 holds (2^300 factors out), but expanded it has
    # C(305, 5) (about 2 * 10^10) terms; FLINT would abort the worker at its memory cap, so the
    # route must decline (the hostile-input test checks the engine then says "memory limit").
    letters = [Var(v) for v in "abcdef"]
    total = letters[0] + letters[1] + letters[2] + letters[3] + letters[4] + letters[5]
    doubled = 2 * letters[0] + 2 * letters[1] + 2 * letters[2] + 2 * letters[3] + 2 * letters[4] + 2 * letters[5]
    symbols = Symbols.of([scalar(v) for v in "abcdef"])
    c = Equality(id="c", statement="", symbols=symbols, lhs=total ** 300, rhs=doubled ** 300 / Const(2 ** 300))
    assert not identical(c, {})


def test_a_power_past_the_bound_is_declined_even_of_one_term() -> None:
    # (2 t)^(10^9) = (2 t)^(10^9) holds, but expanded its coefficient has 10^9 bits: declined
    # before it is built (the product guard counts terms, and these products have one each);
    # (2 t)^20 = 2^20 t^20 is still proved.
    t_ = Var("t")
    symbols = Symbols.of([scalar("t")])
    huge = Equality(id="c", statement="", symbols=symbols, lhs=(2 * t_) ** 10**9, rhs=(2 * t_) ** 10**9)
    assert not identical(huge, {})
    small = Equality(id="c", statement="", symbols=symbols, lhs=(2 * t_) ** 20, rhs=Const(2**20) * t_ ** 20)
    assert identical(small, {})


def sympy_route_agrees(c: Equality, sizes: dict[str, int]) -> bool:
    """The claim at ``sizes`` by the established route: symbolic entries, undefined functions, cancel."""
    ev = Evaluator(c.symbols, sizes, symbolic(c.symbols, sizes), c.layout)
    lhs, _ = jets_to_symbols(ev(c.lhs))
    rhs, _ = jets_to_symbols(ev(c.rhs))
    return lhs.shape == rhs.shape and all(sympy.cancel(p - q) == 0 for p, q in zip(lhs, rhs, strict=True))


@pytest.mark.parametrize("name", sorted(TRUE))
def test_true_claims_are_equal_polynomials(name: str) -> None:
    c, bound = TRUE[name]
    for sizes in bound:
        assert identical(c, sizes), f"{name} at {sizes}"
        assert sympy_route_agrees(c, sizes), f"the hand derivation of {name} is wrong at {sizes}"


@pytest.mark.parametrize("name", sorted(FALSE))
def test_false_claims_are_never_equal(name: str) -> None:
    c, bound = FALSE[name]
    for sizes in bound:
        assert not identical(c, sizes), f"{name} at {sizes}"
        assert not sympy_route_agrees(c, sizes)


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_outside_the_ring_is_declined(name: str) -> None:
    c, bound = DECLINED[name]
    for sizes in bound:
        assert not identical(c, sizes), f"{name} at {sizes}"


def test_a_false_claim_equal_at_one_size_is_still_refuted() -> None:
    # det(x y^T) = 0 is equal polynomials at n = 2 and 3 but not at n = 1: the engine's points at
    # every binding refute it there, whatever this route says elsewhere.
    result = decide(claim(det(x * y.T), 0 * t), timeout=60)
    assert result.verdict is Verdict.REFUTED
    assert result.counterexample is not None and result.counterexample.sizes == {"n": 1}


def test_a_rule_bug_shared_with_the_points_cannot_prove_a_false_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    # det(P + Q) = det P + det Q is false for 2 x 2 matrices (P = Q = I: det 2I = 4, against 2).
    # Pretend a rule of the Fraction evaluator were wrong so that its points and the polynomial
    # route (which uses the same rules) both found the sides equal: one point of the SymPy
    # evaluator still comes before the polynomial proof counts, and refutes the claim.
    import verify.deciding.kinds.equality as equality
    from verify.deciding import decide_inline
    from verify.deciding.evaluation.fraction_jets import PointEvaluator

    P, Q = Var("P"), Var("Q")
    symbols = Symbols.of([matrix("P", 2, 2), matrix("Q", 2, 2)])
    c = Equality(id="c", statement="", symbols=symbols, lhs=det(P + Q), rhs=det(P) + det(Q))
    real = PointEvaluator.numbers_of

    def agreeing(self: PointEvaluator, sides: object) -> object:
        values = real(self, sides)  # type: ignore[arg-type]
        self.exact = (values[0], values[0])
        return self.exact

    monkeypatch.setattr(PointEvaluator, "numbers_of", agreeing)
    monkeypatch.setattr(equality, "identical", lambda claim, sizes: True)
    result = decide_inline(c)
    assert result.verdict is Verdict.REFUTED, result.detail


def _every_claim() -> list[tuple[str, Equality]]:
    out = [(c.id, c) for _, c in all_claims() if isinstance(c, Equality)]
    files = [*sorted((ROOT / "examples").glob("*.toml")), ROOT / "tests/soundness/corpus/matrix_calculus.toml",
             ROOT / "tests/soundness/corpus/matrix_calculus_denominator.toml"]
    for path in files:
        out += [(f"{path.stem}:{e.claim.id}", e.claim) for e in load_claims_file(str(path)).entries
                if e.claim is not None]
    return out


def test_every_equal_in_the_suites_is_rechecked_by_sympy() -> None:
    """Whatever the route calls equal, at any binding the engine proves at, the SymPy route finds
    equal too; and it does call most of them equal (else this would test nothing)."""
    equal = 0
    for name, c in _every_claim():
        letters = sizing.letters_of(c)
        bound = [dict(b) for b in c.sizes] if c.sizes else sizing.proving(letters) if letters else [{}]
        for sizes in bound[:2]:
            if identical(c, sizes):
                equal += 1
                assert sympy_route_agrees(c, sizes), f"{name} called equal at {sizes}"
    assert equal >= 150



def _fixed(lhs: Expr, rhs: Expr) -> Equality:
    """A claim at one size (no dimension letter): 2 x 2 A, columns of 2."""
    symbols = Symbols.of([matrix("A", 2, 2), vector("x", 2), vector("y", 2)])
    return Equality(id="f", statement="", symbols=symbols, lhs=lhs, rhs=rhs)


def test_a_claim_at_one_size_is_proved_by_the_two_exact_routes_without_a_point(monkeypatch: pytest.MonkeyPatch) -> None:
    # (A x)^T y = x^T A^T y: the transpose of a product, reversed; at 2 x 2 both sides are
    # sum_ij a_ij x_j y_i. The polynomial route and the reference agree, and no random point is drawn.
    import verify.deciding.proof.refute as refute
    from verify.deciding import decide_inline

    drawn: list[object] = []
    real = refute.sample
    monkeypatch.setattr(refute, "sample", lambda *a, **k: drawn.append(a) or real(*a, **k))
    result = decide_inline(_fixed((A * x).T * y, x.T * A.T * y))
    assert result.verdict is Verdict.PROVED and result.detail == "proved by polynomial arithmetic"
    assert drawn == []


def test_where_the_reference_disagrees_a_claim_at_one_size_is_not_proved_by_the_route(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The same true claim with the reference made to disagree: the polynomial route's proof does
    # not count, and SymPy's instantiation proves it instead (another method named).
    import verify.deciding.kinds.equality as equality
    from verify.deciding import decide_inline

    monkeypatch.setattr(equality, "agrees", lambda claim, sizes, rng: False)
    result = decide_inline(_fixed((A * x).T * y, x.T * A.T * y))
    assert result.verdict is Verdict.PROVED
    assert "polynomial arithmetic" not in result.detail


def test_a_false_claim_at_one_size_is_refuted_by_a_point_after_the_route_declines() -> None:
    # (A x)^T y = x^T A y is false: at A = [[0, 1], [0, 0]], x = (1, 0), y = (0, 1) the left side is
    # (A x)^T y = (0, 0) . (0, 1) = 0 and the right x^T A y = a_12 x_1 y_2 = 1. Refuted, and the
    # counterexample's sides differ.
    from verify.deciding import decide_inline

    result = decide_inline(_fixed((A * x).T * y, x.T * A * y))
    assert result.verdict is Verdict.REFUTED
    assert result.counterexample is not None and result.counterexample.lhs != result.counterexample.rhs
