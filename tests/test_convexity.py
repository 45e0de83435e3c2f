"""Convex claims: refuted with an exact point and a negative principal minor that we recompute
here independently, proved only where the Hessian's minors are certified, never proved for a
function whose Hessian is PSD only where it exists."""

from __future__ import annotations

import itertools

import pytest
import sympy

from verify.deciding.engine import decide
from verify.deciding.proof.nonnegative import certified_nonnegative
from verify.model.claim import Convex
from verify.model.expr import Expr, Var, apply, mat
from verify.model.result import Result, Verdict
from verify.model.symbols import Symbols, matrix, scalar, vector

u, v = Var("u"), Var("v")
UV = Symbols.of([scalar("u"), scalar("v")])
U, V = sympy.Symbol("u", real=True), sympy.Symbol("v", real=True)


def convex(f: Expr, name: str = "t", symbols: Symbols = UV, wrt: tuple[Var, ...] = (u, v)) -> Result:
    return decide(Convex(id=name, statement="", symbols=symbols, f=f, wrt=wrt), timeout=60)


def minors(h: sympy.Matrix) -> list[sympy.Expr]:
    k = h.shape[0]
    return [h.extract(list(s), list(s)).det()
            for size in range(1, k + 1) for s in itertools.combinations(range(k), size)]


@pytest.mark.parametrize(
    ("name", "f", "sym"),
    [
        # u^2 + 3uv: H = [[2, 3], [3, 0]], det -9 everywhere.
        ("mixed", u**2 + 3 * u * v, U**2 + 3 * U * V),
        # (u^2 - 1)^2: d2/du2 = 12u^2 - 4 < 0 near u = 0.
        ("double-well", (u**2 - 1) ** 2 + v**2, (U**2 - 1) ** 2 + V**2),
        # u^3: d2/du2 = 6u < 0 for u < 0.
        ("cubic", u**3 + v**2, U**3 + V**2),
        # a saddle through exp: H(0, 0) = [[0, 1], [1, 0]].
        ("exp-saddle", apply("exp", u * v), sympy.exp(U * V)),
    ],
)
def test_non_convex_functions_are_refuted_with_a_negative_minor(name: str, f: Expr, sym: sympy.Expr) -> None:
    result = convex(f, name)
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None
    point = {U: sympy.Rational(cx.point["u"]), V: sympy.Rational(cx.point["v"])}
    hessian = sympy.hessian(sym, (U, V)).xreplace(point)
    reported = sympy.Rational(cx.lhs.rsplit("=", 1)[1].strip())
    assert reported < 0
    assert reported in minors(hessian)
    assert cx.rhs == "must be >= 0"


def test_the_counterexample_shows_a_failing_chord_when_values_are_rational() -> None:
    # u v: f(p + t w) + f(p - t w) < 2 f(p) along w = (1, -1); re-checked from the note's numbers.
    result = convex(u * v, "uv")
    cx = result.counterexample
    assert cx is not None and "midpoint test" in cx.note
    centre = {U: sympy.Rational(cx.point["u"]), V: sympy.Rational(cx.point["v"])}
    text = cx.note.split("along v = (")[1]
    w = [sympy.Rational(x) for x in text.split(")")[0].split(",")]
    t = sympy.Rational(cx.note.split("with t = ")[1].split(":")[0])
    f = U * V

    def at(sign: int) -> sympy.Rational:
        return f.xreplace({U: centre[U] + sign * t * w[0], V: centre[V] + sign * t * w[1]})

    assert at(1) + at(-1) < 2 * f.xreplace(centre)


@pytest.mark.parametrize(
    ("name", "f"),
    [
        ("positive-definite", u**2 + u * v + v**2),
        ("singular-psd", (u - 2 * v) ** 2),
        ("quartic", u**4 + u**2 * v**2 + v**4),
        ("power-of-sum", (u + v) ** 4),
        ("exp-plus-quartic", (u - 2 * v) ** 4 + apply("exp", u)),
        ("exp-of-sum", apply("exp", u + v) + (u - v) ** 2),
    ],
)
def test_convex_smooth_functions_are_proved(name: str, f: Expr) -> None:
    result = convex(f, name)
    assert result.verdict is Verdict.PROVED, result.detail
    assert result.scope == "as stated (no dimension letters)"


@pytest.mark.parametrize(
    ("name", "f"),
    [
        # -ReLU(u) is concave and not convex, yet its Hessian is 0 wherever it exists.
        ("minus-relu", -apply("relu", u) + v**2),
        # |u| is convex, but not C^2: the certificate does not apply, and the engine must not guess.
        ("abs", apply("abs", u) + v**2),
        # sqrt(u^2 + 1) is convex and smooth, but a root is outside what the certificate knows.
        ("sqrt", apply("sqrt", u**2 + 1) + v**2),
    ],
)
def test_non_smooth_or_unrecognised_functions_are_not_proved(name: str, f: Expr) -> None:
    assert convex(f, name).verdict is not Verdict.PROVED


def test_a_quotient_that_is_not_convex_is_refuted() -> None:
    # (u^2 + 1)/(v^2 + 1): d2/dv2 at v = 0 is -2(u^2 + 1) < 0.
    result = convex((u**2 + 1) / (v**2 + 1), "quotient")
    assert result.verdict is Verdict.REFUTED


def test_vector_variable_over_a_dimension_letter() -> None:
    x, Q = Var("x"), Var("Q")
    symbols = Symbols.of([vector("x", "n"), matrix("Q", "n", "n", symmetric=True)])
    proved = convex(x.T * x, "norm", symbols, (x,))
    assert proved.verdict is Verdict.PROVED
    assert proved.scope == "sizes n=2; n=3"
    # x^T Q x for a symmetric parameter Q: refuted by a Q that is not PSD, shown in the values.
    refuted = convex(x.T * Q * x, "form", symbols, (x,))
    assert refuted.verdict is Verdict.REFUTED
    cx = refuted.counterexample
    assert cx is not None and "Q" in cx.values
    n = cx.sizes["n"]
    q = sympy.Matrix(n, n, lambda i, j: sympy.Rational(cx.point[f"Q[{min(i, j) + 1},{max(i, j) + 1}]"]))
    assert min(minors(2 * q)) < 0


def test_refutation_is_reproducible() -> None:
    first = convex(u**3 - v**2, "same-id")
    second = convex(u**3 - v**2, "same-id")
    assert first.counterexample == second.counterexample


@pytest.mark.parametrize(
    ("symbols", "f", "wrt"),
    [
        (UV, mat([[u], [v]]), (u, v)),  # not a scalar
        (Symbols.of([scalar("u"), scalar("v", of=("u",))]), v**2, (v,)),  # v = v(u) is no variable
        (Symbols.of([matrix("S", 2, 2, symmetric=True)]), apply("tr", Var("S")), (Var("S"),)),
    ],
)
def test_ill_posed_claims_are_errors(symbols: Symbols, f: Expr, wrt: tuple[Var, ...]) -> None:
    assert convex(f, "bad", symbols, wrt).verdict is Verdict.ERROR


def test_the_certificate_rejects_what_is_not_nonnegative() -> None:
    a, b = sympy.symbols("a b", real=True)
    assert certified_nonnegative((a - b) ** 2 * sympy.exp(a) + 3)
    assert certified_nonnegative(a**2 - a * b + b**2)  # a quadratic form with a PSD Gram matrix
    assert not certified_nonnegative(a**2 - 3 * a * b + b**2)  # indefinite: -1 at (1, 1)
    assert not certified_nonnegative(a**3 + 1)
    assert not certified_nonnegative(sympy.exp(a) - 1)


def test_points_outside_the_domain_refute_nothing() -> None:
    # u log u is convex where it is defined (u > 0); at u = -1 its formula f'' = 1/u is -1, but f
    # itself is not real there, so that point must not count.
    t = Var("t")
    symbols = Symbols.of([scalar("t")])
    assert convex(t * apply("log", t), "xlogx", symbols, (t,)).verdict is not Verdict.REFUTED
    # log t is concave: f'' = -1/t^2 < 0 at t = 1, inside the domain.
    assert convex(apply("log", t), "log", symbols, (t,)).verdict is Verdict.REFUTED
