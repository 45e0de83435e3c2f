"""The Fraction-jet evaluator gives exactly the SymPy evaluator's values, or declines.

Refutation trusts the fast path's values as much as the SymPy path's, so soundness rests on
the two agreeing: every HW1 Equality is evaluated both ways at twin points (the same seed),
and identities that are not in HW1 check the mathematics itself (each expected value is
derived by hand in a comment) as well as the agreement.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from fractions import Fraction

import pytest
import sympy

from derivations import all_claims
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.fraction_jets import Declined, PointEvaluator
from verify.deciding.evaluation.instantiate import evaluate_sides
from verify.deciding.evaluation.jets import Boundary, JetEvaluator
from verify.deciding.evaluation.sampling import NotReal, Point, derivative_order, differentiated, evaluate
from verify.model.claim import Equality
from verify.model.expr import (
    Apply,
    Const,
    D,
    Expr,
    Hadamard,
    Identity,
    Var,
    apply,
    at,
    col,
    grad,
    hessian,
    lift,
    mat,
    maximum,
)
from verify.model.symbols import Symbol, Symbols, matrix, scalar, vector

A, B, X, A0, A1, B0, B1 = (Var(n) for n in ("A", "B", "X", "A0", "A1", "B0", "B1"))
a, x, y, t = (Var(n) for n in ("a", "x", "y", "t"))
TRANSCENDENTAL = frozenset({"exp", "log", "sigmoid", "tanh", "sqrt"})

Values = list[sympy.Matrix]


# ---------------------------------------------------------------------------------------
# Twin points: the same seed gives the same values and, realised in the same order, the same
# random polynomials for dependent symbols.


def twin_points(sides: tuple[Expr, ...], symbols: Mapping[str, Symbol], sizes: Mapping[str, int],
                seed: int, unit: bool = False) -> tuple[Point, Point, int]:
    """Two Points built exactly as ``sampling.evaluate`` builds one, from the same seed."""
    free = frozenset().union(*(differentiated(e) for e in sides))
    order = max(1, *(derivative_order(e) for e in sides))
    return (Point(symbols, sizes, order, random.Random(seed), free, unit),
            Point(symbols, sizes, order, random.Random(seed), free, unit), order)


def fast(sides: tuple[Expr, ...], symbols: Mapping[str, Symbol], sizes: Mapping[str, int], layout: str,
         point: Point, order: int) -> Values:
    return PointEvaluator(symbols, sizes, layout, point, order).evaluate(sides)


def slow(sides: tuple[Expr, ...], symbols: Mapping[str, Symbol], sizes: Mapping[str, int], layout: str,
         point: Point, order: int) -> Values:
    ev = JetEvaluator(symbols, sizes, point.realise, layout, point.atoms, order)
    return [ev.at_point(m) for m in evaluate_sides(ev, sides)]


def outcome(f: Callable[[], Values]) -> Values | type[BaseException]:
    """Values, or the kind of "undefined here" raised (Boundary is a ValueError)."""
    try:
        return f()
    except (ZeroDivisionError, ValueError) as err:
        return type(err)


def undefined(got: Values | type[BaseException]) -> bool:
    """Undefined as the SymPy path shows it: an exception, or a value that is not a number."""
    if isinstance(got, type):
        return True
    return any(not e.is_Rational for m in got for e in m)


def compare(sides: tuple[Expr, ...], symbols: Mapping[str, Symbol], sizes: Mapping[str, int],
            layout: str, seed: int, unit: bool = False) -> Values | type[BaseException]:
    """The fast outcome, after checking that the SymPy path agrees at the twin point.

    Declined propagates. Equal values, and the same point state afterwards (the counterexample
    is read from it); an exception from the fast path must be an undefined value for SymPy too.
    """
    pa, pb, order = twin_points(sides, symbols, sizes, seed, unit)
    got = outcome(lambda: fast(sides, symbols, sizes, layout, pa, order))
    expected = outcome(lambda: slow(sides, symbols, sizes, layout, pb, order))
    if isinstance(got, type):
        assert undefined(expected), f"fast path raised {got.__name__}, the SymPy path gave {expected}"
        return got
    assert got == expected
    assert pa.values == pb.values
    if any(s.of for s in symbols.values()):
        assert pa.jet_values == pb.jet_values
    return got


def sides_at(lhs: Expr, rhs: Expr, symbols: list[Symbol], sizes: Mapping[str, int] | None = None,
             layout: str = "numerator", seed: int = 0) -> Values:
    """Both sides by the fast path, checked against SymPy; raises what the fast path raised."""
    got = compare((lhs, rhs), Symbols.of(symbols), sizes or {}, layout, seed)
    if isinstance(got, type):
        raise got("at this point")
    return got


def holds(lhs: Expr, rhs: Expr, symbols: list[Symbol], sizes: Mapping[str, int] | None = None,
          layout: str = "numerator", seeds: range = range(3)) -> bool:
    """Equal at every seeded point (the fast path's verdict on an identity)."""
    results = [sides_at(lhs, rhs, symbols, sizes, layout, seed) for seed in seeds]
    return all(left == right for left, right in results)


# ---------------------------------------------------------------------------------------
# 1. Every HW1 Equality, both ways.


def _transcendental(e: Expr) -> bool:
    return (isinstance(e, Apply) and e.func in TRANSCENDENTAL) or any(_transcendental(c) for c in e.children())


EQUALITIES = [c for _, c in all_claims() if isinstance(c, Equality)]


@functools.cache
def hw1_declined(claim_id: str) -> str | None:
    """Compare one claim at each binding and seeds 0-2 (seed 2 drawn from (0, 1), as refute does
    every third attempt); the reason the fast path declined, or None if it never did."""
    claim = next(c for c in EQUALITIES if c.id == claim_id)
    bound = list(claim.sizes) if claim.sizes else sizing.bindings(sizing.letters_of(claim))
    for sizes in bound:
        for seed in range(3):
            try:
                compare((claim.lhs, claim.rhs), claim.symbols, sizes, claim.layout, seed, unit=seed == 2)
            except Declined as err:
                return str(err)
    return None


@pytest.mark.parametrize("claim_id", [c.id for c in EQUALITIES])
def test_hw1_claim_evaluates_as_sympy_does(claim_id: str) -> None:
    hw1_declined(claim_id)  # asserts inside


def test_fast_path_supports_every_hw1_claim_without_transcendental_functions() -> None:
    declined = {c.id: hw1_declined(c.id) for c in EQUALITIES}
    declined = {k: v for k, v in declined.items() if v is not None}
    print("declined:", declined)
    rational = [c.id for c in EQUALITIES if not (_transcendental(c.lhs) or _transcendental(c.rhs))]
    assert [c for c in rational if c in declined] == []
    assert len(EQUALITIES) - len(declined) >= 60, declined


# ---------------------------------------------------------------------------------------
# 2. Identities that are not in HW1.

N = {"n": 3}
NM = {"n": 2, "m": 3}


def test_product_rule_on_matrices() -> None:
    # (A0 + t A1)(B0 + t B1) has derivative A1 (B0 + t B1) + (A0 + t A1) B1; with the factors
    # swapped in each term it is generically different (matrices do not commute).
    syms = [*(matrix(n, "n", "n") for n in ("A0", "A1", "B0", "B1")), scalar("t")]
    a_, b_ = A0 + t * A1, B0 + t * B1
    assert holds(D(a_ * b_, t), A1 * b_ + a_ * B1, syms, N)
    assert not holds(D(a_ * b_, t), b_ * A1 + B1 * a_, syms, N)
    # The same with dependent symbols (random polynomials drawn through point.realise).
    dep = [matrix("A", "n", "n", of=("t",)), matrix("B", "n", "n", of=("t",)), scalar("t")]
    assert holds(D(A * B, t), D(A, t) * B + A * D(B, t), dep, N)
    assert not holds(D(A * B, t), D(B, t) * A + B * D(A, t), dep, N)


def test_derivative_of_an_inverse() -> None:
    # d(X^-1)/dt = -X^-1 (dX/dt) X^-1; the other order of the factors is wrong.
    dep = [matrix("A", "n", "n", invertible=True, of=("t",)), scalar("t")]
    assert holds(D(A.I, t), -A.I * D(A, t) * A.I, dep, N)
    assert not holds(D(A.I, t), -A.I * A.I * D(A, t), dep, N)
    # Explicitly, X = A0 + t A1: dX/dt = A1; the second derivative 2 X^-1 A1 X^-1 A1 X^-1.
    syms = [matrix("A0", "n", "n", invertible=True), matrix("A1", "n", "n"), scalar("t")]
    inv = (A0 + t * A1).I
    assert holds(D(inv, t), -inv * A1 * inv, syms, N)
    assert holds(D(D(inv, t), t), 2 * inv * A1 * inv * A1 * inv, syms, N)
    # A power -2 is the square of the inverse.
    assert holds((A0 + t * A1) ** -2, inv * inv, syms, N)


def test_derivative_by_a_vector_in_both_layouts() -> None:
    # d(Ax)/dx is A in numerator layout (rows follow the function), A^T in denominator layout.
    syms = [matrix("A", "m", "n"), vector("x", "n")]
    left, right = sides_at(D(A * x, x), A, syms, NM)
    assert left.shape == (3, 2) and left == right
    left, right = sides_at(D(A * x, x), A.T, syms, NM, layout="denominator")
    assert left.shape == (2, 3) and left == right
    # d(x^T A x)/dx = x^T (A + A^T): a row in numerator layout, the column (A + A^T) x in denominator.
    sq = [matrix("A", "n", "n"), vector("x", "n")]
    row, expected = sides_at(D(x.T * A * x, x), x.T * (A + A.T), sq, N)
    assert row.shape == (1, 3) and row == expected
    column, expected = sides_at(D(x.T * A * x, x), (A + A.T) * x, sq, N, layout="denominator")
    assert column.shape == (3, 1) and column == expected
    # The gradient is a column in either layout.
    assert holds(grad(x.T * A * x, x), (A + A.T) * x, sq, N, layout="numerator")
    # x^T (A + A^T) is 2 x^T A only for a symmetric A.
    assert not holds(D(x.T * A * x, x), 2 * x.T * A, sq, N)


def test_hessians_and_second_partials() -> None:
    # The Hessian of x^T A x is A + A^T; of (a^T x)^3 it is 6 (a^T x) a a^T.
    syms = [matrix("A", "n", "n"), vector("x", "n"), vector("a", "n")]
    assert holds(hessian(x.T * A * x, x), A + A.T, syms, N)
    assert holds(hessian((a.T * x) ** 3, x), 6 * (a.T * x) * a * a.T, syms, N)
    assert not holds(hessian((a.T * x) ** 3, x), 3 * (a.T * x) * a * a.T, syms, N)
    # d2(t^3 y^2)/dt dy = 6 t^2 y; d2(t^3)/dt2 = 6 t.
    scalars = [scalar("t"), scalar("y")]
    assert holds(D(t**3 * y**2, t, y), 6 * t**2 * y, scalars)
    assert holds(D(t**3, t, t), 6 * t, scalars)
    # d(t^-2)/dt = -2 t^-3.
    assert holds(D(t**-2, t), -2 * t**-3, scalars)


def test_trace_and_determinant() -> None:
    # tr(AX) = sum a_ji x_ij, so d/dX in numerator layout (df/dx_ij at (j, i)) is A itself.
    syms = [matrix("A", "n", "m"), matrix("X", "m", "n")]
    left, right = sides_at(D(apply("tr", A * X), X), A, syms, NM)
    assert left.shape == (2, 3) and left == right
    # Jacobi: d det X / dx_ij = det X (X^-1)_ji: in numerator layout det(X) X^-1.
    sq = [matrix("X", "n", "n", invertible=True), matrix("A", "n", "n"), matrix("B", "n", "n")]
    assert holds(D(apply("det", X), X), apply("det", X) * X.I, sq, N)
    assert not holds(D(apply("det", X), X), apply("det", X) * X.I.T, sq, N)
    # det is multiplicative (numbers only: the elimination route) and trace is cyclic.
    assert holds(apply("det", A * B), apply("det", A) * apply("det", B), sq, N)
    assert holds(apply("tr", A * B * X), apply("tr", X * A * B), sq, N)
    assert not holds(apply("tr", A * B * X), apply("tr", B * A * X), sq, N)
    # A zero in the corner makes elimination swap rows: det [[0, 2, 0], [3, 0, 0], [0, 0, 5]] = -30,
    # and det [[0, t], [y, 0]] = -t y, whose derivative by t is -y (the jet route).
    swap = mat([[0, 2, 0], [3, 0, 0], [0, 0, 5]])
    assert sides_at(apply("det", swap), lift(-30), sq, N) == [sympy.Matrix([[-30]])] * 2
    scalars = [scalar("t"), scalar("y")]
    assert holds(apply("det", mat([[0, t], [y, 0]])), -t * y, scalars)
    assert holds(D(apply("det", mat([[0, t], [y, 0]])), t), -y, scalars)


def test_identity_sized_by_its_context() -> None:
    # (I + A) x = x + A x, with I taking the size of A; and A A^-1 = I as a whole side.
    syms = [matrix("A", "n", "n", invertible=True), vector("x", "n")]
    assert holds((Identity() + A) * x, x + A * x, syms, N)
    left, right = sides_at(A * A.I, Identity(), syms, N)
    assert right == sympy.eye(3) and left == right
    # A bare I beside a 3 x 2 side takes its 3 rows, as the SymPy path sizes it (the caller then
    # reports the shapes); an I^T beside the 2 x 3 side A^T is sized by the transposed hint, 3.
    wide = [matrix("A", "m", "n")]
    assert sides_at(A, Identity(), wide, NM)[1] == sympy.eye(3)
    assert sides_at(A.T, Identity().T, wide, NM)[1] == sympy.eye(3)
    # The derivative of (t I + A) x by t is x (I sized by A inside a product by a scalar).
    with_t = [*syms, scalar("t")]
    assert holds(D((t * Identity() + A) * x, t), x, with_t, N)


def _with_values(sides: tuple[Expr, Expr], symbols: list[Symbol], values: dict[str, sympy.Matrix],
                 sizes: Mapping[str, int] | None = None) -> tuple[Values | type[BaseException],
                                                                   Values | type[BaseException]]:
    """Both ways at twin points where some values are set by hand (to sit on a kink or not)."""
    table = Symbols.of(symbols)
    pa, pb, order = twin_points(sides, table, sizes or {}, 0)
    for p in (pa, pb):
        p.values.update(values)
    return (outcome(lambda: fast(sides, table, sizes or {}, "numerator", pa, order)),
            outcome(lambda: slow(sides, table, sizes or {}, "numerator", pb, order)))


def test_max_relu_abs_away_from_and_on_a_kink() -> None:
    syms = [scalar("t"), scalar("y")]
    # relu(t^2 - 1): at t = 2 it is t^2 - 1, derivative 2t = 4; at t = 1/2 it is 0, derivative 0.
    f = D(apply("relu", t * t - 1), t)
    for value, expected in ((2, 4), (sympy.Rational(1, 2), 0)):
        got, ref = _with_values((f, 4 * t), syms, {"t": sympy.Matrix([[value]])})
        assert got == ref
        assert got[0] == sympy.Matrix([[expected]])
    # At t = 1 the argument is 0: a kink, both ways.
    got, ref = _with_values((f, t), syms, {"t": sympy.Matrix([[1]])})
    assert got is Boundary and ref is Boundary
    # d|t|/dt = 2 step(t) - 1 away from 0 (t = -3: -1).
    got, ref = _with_values((D(apply("abs", t), t), 2 * apply("step", t) - 1), syms, {"t": sympy.Matrix([[-3]])})
    assert got == ref and got[0] == got[1] == sympy.Matrix([[-1]])
    # max(t, y) with t = 3 > y = 2 is t, its derivative by y is 0; a tie (t = y = 2) is a kink.
    m = maximum(t, y)
    got, ref = _with_values((m, D(m, y)), syms, {"t": sympy.Matrix([[3]]), "y": sympy.Matrix([[2]])})
    assert got == ref and got == [sympy.Matrix([[3]]), sympy.Matrix([[0]])]
    got, ref = _with_values((m, D(m, y)), syms, {"t": sympy.Matrix([[2]]), "y": sympy.Matrix([[2]])})
    assert got is Boundary and ref is Boundary


def test_division_by_zero_and_singular_matrices() -> None:
    syms = [scalar("t"), matrix("A", "n", "n")]
    for lhs in (t / (t - t), (t - t) ** -1, (A - A).I, D((t * A - t * A).I, t)):
        got, ref = _with_values((lhs, lhs), syms, {}, N)
        assert got is ZeroDivisionError and ref is ZeroDivisionError


def test_values_at_a_point() -> None:
    # d(x^3)/dx at x = 2 is 12; as a factor of y, its derivative by y is 12 too.
    syms = [scalar("x"), scalar("y"), vector("z", 2), matrix("A", 2, 2)]
    assert sides_at(at(D(x**3, x), (x, 2)), Const(sympy.Integer(12)), syms) == [sympy.Matrix([[12]])] * 2
    assert holds(D(y * at(D(x**3, x), (x, 2)), y), Const(sympy.Integer(12)), syms)
    # The Hessian of z^T A z at z = (1, 2) is A + A^T whatever the point; z^T A z there is
    # a11 + 2 a12 + 2 a21 + 4 a22.
    z = Var("z")
    assert holds(at(hessian(z.T * A * z, z), (z, col(1, 2))), A + A.T, syms)
    assert holds(at(z.T * A * z, (z, col(1, 2))), col(1, 2).T * A * col(1, 2), syms)


def test_a_value_at_a_point_that_varies_is_exact_where_nothing_differentiates_it() -> None:
    # Backprop at a node: (d(u^3)/du at u = W x) x^T, in a claim that differentiates by W on its
    # other side, so W x varies with W's offsets. Nothing differentiates the at, so its value is
    # read at the point: 3 (W x)^2 x^T. d((W x)^3)/dW = 3 (W x)^2 x^T too (the chain rule, W a
    # 1 x 2 row, numerator layout transposed by the layout: derivative of a scalar by a matrix).
    u, w_row = Var("u"), Var("W")
    syms = [scalar("u"), matrix("W", 1, 2), vector("x", 2)]
    rhs = at(D(u**3, u), (u, w_row * x)) * x.T
    lhs = D((w_row * x) ** 3, w_row)
    for layout in ("numerator", "denominator"):
        want = rhs if layout == "denominator" else x * at(D(u**3, u), (u, w_row * x))
        assert holds(lhs, want, syms, layout=layout)
    # the same at, differentiated by W: its value varies, and d/dW of it needs those terms: declined
    with pytest.raises(Declined, match="varies with a differentiated variable"):
        sides_at(D(at(D(u**3, u), (u, w_row * x)), w_row), 6 * (w_row * x) * x.T, syms)


def test_hadamard_and_diag() -> None:
    # x (.) y = diag(x) y, and d(x (.) x)/dx = 2 diag(x) (numerator layout).
    syms = [vector("x", "n"), vector("y", "n")]
    assert holds(Hadamard(x, y), apply("diag", x) * y, syms, N)
    assert holds(D(Hadamard(x, x), x), 2 * apply("diag", x), syms, N)


def test_what_is_not_rational_is_declined() -> None:
    syms = [scalar("t")]
    for lhs in (apply("exp", t), apply("sigmoid", t), t ** Const(sympy.Rational(1, 2)), Const(sympy.pi) * t):
        pa, _, order = twin_points((lhs, t), Symbols.of(syms), {}, 0)
        with pytest.raises(Declined):
            fast((lhs, t), Symbols.of(syms), {}, "numerator", pa, order)


# ---------------------------------------------------------------------------------------
# 3. The hook in sampling.evaluate: the fast values where they exist, SymPy's otherwise.


def _before(sides: tuple[Expr, ...], symbols: Mapping[str, Symbol], sizes: Mapping[str, int],
            seed: int, layout: str = "numerator") -> tuple[Values, Point]:
    """``sampling.evaluate`` as it was: the SymPy path alone."""
    _, pb, order = twin_points(sides, symbols, sizes, seed)
    return slow(sides, symbols, sizes, layout, pb, order), pb


@pytest.mark.parametrize("seed", range(3))
def test_evaluate_falls_back_after_a_partial_attempt(seed: int) -> None:
    # A is realised (a random polynomial drawn from the point's generator) before the fast path
    # meets exp and declines; the SymPy path must reuse that A, not draw another one.
    symbols = Symbols.of([matrix("A", "n", "n", of=("t",)), scalar("t"), matrix("B", "n", "n", of=("t",))])
    sides = (D(A, t) * apply("exp", t) + B, A + B)
    (lv, rv), point = evaluate(sides, symbols, N, "numerator", random.Random(seed))
    (le, re), ref = _before(sides, symbols, N, seed)
    assert lv == le and rv == re
    assert point.values == ref.values and point.jet_values == ref.jet_values
    assert point.derivative_values() == ref.derivative_values()


@pytest.mark.parametrize("claim_id", ["pd.inverse", "hessian.J-is-H.vector", "beale.step", "adamax.update"])
def test_evaluate_returns_the_sympy_values(claim_id: str) -> None:
    claim = next(c for c in EQUALITIES if c.id == claim_id)
    bound = list(claim.sizes) if claim.sizes else sizing.bindings(sizing.letters_of(claim))
    for sizes in bound:
        for seed in range(2):
            try:
                got, point = evaluate((claim.lhs, claim.rhs), claim.symbols, sizes, claim.layout,
                                      random.Random(seed))
            except (ZeroDivisionError, ValueError):
                with pytest.raises((ZeroDivisionError, ValueError)):
                    _before((claim.lhs, claim.rhs), claim.symbols, sizes, seed, claim.layout)
                continue
            expected, ref = _before((claim.lhs, claim.rhs), claim.symbols, sizes, seed, claim.layout)
            assert got == expected
            assert point.values == ref.values and point.jet_values == ref.jet_values


def test_a_wrong_fast_value_cannot_refute_a_true_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    # Break the fast path on purpose: its left side is off by one. A refutation must rest on
    # values computed again by the SymPy evaluator, so the true (AB + A)^T / t = (B^T A^T + A^T) / t
    # (divided by t so that it is not defined everywhere: points come before any proof) is not refuted.
    from verify import Var
    from verify.deciding import decide_inline
    from verify.deciding.evaluation import fraction_jets
    from verify.model.claim import Equality
    from verify.model.result import Verdict
    from verify.model.symbols import Symbols, matrix, scalar

    # (The sampling reads the fast path's numbers_of; a patch of a method it no longer calls would
    # test nothing, so the test counts the calls.) Two routes stand behind a refutation now: the
    # reference evaluation, which computes the true values and so disagrees with the broken ones,
    # and the SymPy evaluator after it.
    real = fraction_jets.PointEvaluator.numbers_of
    calls = []

    def off_by_one(self, sides):  # type: ignore[no-untyped-def]
        values = real(self, sides)
        calls.append(1)
        self.exact = (tuple(tuple(x + 1 for x in row) for row in values[0]), *values[1:])
        return self.exact

    monkeypatch.setattr(fraction_jets.PointEvaluator, "numbers_of", off_by_one)
    A, B = Var("A"), Var("B")
    t = Var("t")
    claim = Equality(id="t", statement="", symbols=Symbols.of([matrix("A", "n", "n"), matrix("B", "n", "n"),
                                                                scalar("t")]),
                     lhs=(A * B + A).T / t, rhs=(B.T * A.T + A.T) / t, sizes=({"n": 2},))
    assert decide_inline(claim).verdict is not Verdict.REFUTED
    assert calls


def test_a_fast_path_that_hides_a_difference_cannot_make_a_false_claim_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    # Break the fast path the other way: both sides always agree. (AB)^T = A^T B^T is false for
    # 2 x 2 matrices; the proof fails, and the last points, evaluated by SymPy, still refute it.
    from checking import separates
    from verify import Var
    from verify.deciding import decide_inline
    from verify.deciding.evaluation import fraction_jets
    from verify.model.claim import Equality
    from verify.model.result import Verdict
    from verify.model.symbols import Symbols, matrix

    real = fraction_jets.PointEvaluator.numbers_of
    calls = []

    def agreeing(self, sides):  # type: ignore[no-untyped-def]
        values = real(self, sides)
        calls.append(1)
        self.exact = tuple(values[0] for _ in values)
        return self.exact

    monkeypatch.setattr(fraction_jets.PointEvaluator, "numbers_of", agreeing)
    A, B = Var("A"), Var("B")
    claim = Equality(id="t", statement="", symbols=Symbols.of([matrix("A", "n", "n"), matrix("B", "n", "n")]),
                     lhs=(A * B).T, rhs=A.T * B.T)
    r = decide_inline(claim)
    assert r.verdict is Verdict.REFUTED and separates(claim, r.counterexample)
    assert calls


def test_first_derivatives_of_a_drawn_function_are_its_linear_coefficients() -> None:
    # f(S) for a symmetric 2 x 2 S is drawn as f0 + sum_k c_k s_k + (quadratic terms), where the
    # two mirrored positions (1, 2) and (2, 1) share one offset s_12: df/ds_12 at s = 0 is the
    # sum of both positions' linear coefficients. Point.first reads them off the draw; SymPy's
    # diff of the realising polynomial (the established way) must give the same numbers.
    syms = Symbols.of([matrix("S", 2, 2, symmetric=True), scalar("f", of=("S",)), vector("g", 2, of=("S",))])
    for seed in range(3):
        point = Point(syms, {}, 2, random.Random(seed), frozenset({"S"}))
        for name in ("f", "g"):
            f = point.function(syms[name])
            variables = f.variables(point)
            for (i, j), p in f.polynomials(point).items():
                by_sympy = [sympy.diff(p, v).xreplace(dict.fromkeys(variables, 0)) for v in variables]
                assert point.first[name][1][(i, j)] == by_sympy
        # the mirrored offset really is one: its two positions' derivatives are equal and summed
        assert point.first["f"][1][(0, 0)][1] == point.first["f"][1][(0, 0)][2]


def test_log_derivatives_are_exact_where_its_value_is_not() -> None:
    # d log t / dt = 1/t, d^2 log t / dt^2 = -1/t^2, and d log det X / dX = X^{-1} in numerator layout
    # (d log det X = tr(X^{-1} dX)): rational at a rational point, though log t itself is not. Each
    # is computed by the fast path and checked against the SymPy path inside sides_at (the point
    # drawn from (0, 1) or where det X > 0: seeds where a value is not positive raise NotReal).
    tt = Var("t")
    X = Var("X")
    syms = [scalar("t", positive=True), matrix("X", 2, 2)]
    for seed in range(4):
        left, right = sides_at(D(apply("log", tt), tt), 1 / tt, syms, seed=seed)
        assert left == right
        left, right = sides_at(D(D(apply("log", tt), tt), tt), -1 / (tt * tt), syms, seed=seed)
        assert left == right
        try:
            left, right = sides_at(D(apply("log", apply("det", X)), X), X.I, syms, seed=seed)
        except NotReal:  # det X < 0 at this seed: log det X is not a real number there
            continue
        assert left == right
    # the value of log itself is not rational: declined, never a number
    pa, _, order = twin_points((apply("log", tt), tt), Symbols.of(syms), {}, 0)
    with pytest.raises(Declined):
        fast((apply("log", tt), tt), Symbols.of(syms), {}, "numerator", pa, order)


def test_an_unknown_real_is_never_read() -> None:
    # log u's value at the point: kept through sums and products (times 0 is 0), never compared,
    # divided by or turned into a number, and never equal to another (or to itself recomputed).
    from verify.deciding.evaluation.fraction_jets import Unknown

    u = Unknown()
    assert isinstance(u + 1, Unknown) and isinstance(Fraction(1, 2) - u, Unknown) and isinstance(-u, Unknown)
    assert u * 0 == 0 and 0 * u == 0 and isinstance(u * 3, Unknown) and isinstance(u * u, Unknown)
    assert u + 0 != u + 0 and bool(u)
    for read in (lambda: u < 0, lambda: u > 0, lambda: 1 / u, lambda: u / 2, lambda: float(u), lambda: int(u)):
        with pytest.raises(Declined):
            read()
