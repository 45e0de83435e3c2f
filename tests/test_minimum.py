"""GlobalMinimum claims: proved through sums of squares or convex quadratics, refuted with an
exact point whose value we recompute here, and never proved unique when it is not."""

from __future__ import annotations

import pytest
import sympy

from verify.deciding.engine import decide
from verify.deciding.kinds.minimum import linear_unique, unique_real_zero
from verify.model.claim import GlobalMinimum
from verify.model.expr import Expr, Var, apply, lift
from verify.model.result import Result, Verdict
from verify.model.symbols import Symbols, matrix, scalar, vector

u, v = Var("u"), Var("v")
UV = Symbols.of([scalar("u"), scalar("v")])
U, V = sympy.Symbol("u", real=True), sympy.Symbol("v", real=True)
ROSENBROCK = (1 - u) ** 2 + 100 * (v - u**2) ** 2
HIMMELBLAU = (u**2 + v - 11) ** 2 + (u + v**2 - 7) ** 2


def minimum(f: Expr, point: tuple[object, ...], unique: bool = True, name: str = "t",
            symbols: Symbols = UV, wrt: tuple[Var, ...] = (u, v)) -> Result:
    claim = GlobalMinimum(id=name, statement="", symbols=symbols, f=f, wrt=wrt,
                          point=tuple(lift(p) for p in point), unique=unique)
    return decide(claim, timeout=60)


def value_at(sym: sympy.Expr, point: dict[str, str]) -> sympy.Expr:
    return sym.xreplace({U: sympy.Rational(point["u"]), V: sympy.Rational(point["v"])})


@pytest.mark.parametrize(
    ("name", "f", "point"),
    [
        ("shifted-bowl", (u - 1) ** 2 + (v + 2) ** 2, (1, -2)),
        ("rosenbrock", ROSENBROCK, (1, 1)),
        ("floor", (u - "1/2") ** 2 + 5 + v**4, ("1/2", 0)),
        # expanded, so no squares are visible: the convex-quadratic certificate.
        ("expanded-quadratic", u**2 + 2 * u + 1 + v**2 - v, (-1, "1/2")),
    ],
)
def test_unique_minima_are_proved(name: str, f: Expr, point: tuple[object, ...]) -> None:
    result = minimum(f, point, name=name)
    assert result.verdict is Verdict.PROVED, result.detail
    assert "unique" in result.detail


@pytest.mark.parametrize(
    ("name", "f", "sym", "point"),
    [
        ("wrong-centre", (u - 1) ** 2 + (v + 2) ** 2, (U - 1) ** 2 + (V + 2) ** 2, (0, 0)),
        ("cubic", u**3 + v**2, U**3 + V**2, (0, 0)),
        # a sum of squares whose squares cannot vanish together: the minimum is at u = 0, not 1.
        ("competing-squares", (u - 1) ** 2 + (u + 1) ** 2 + v**2, (U - 1) ** 2 + (U + 1) ** 2 + V**2, (1, 0)),
        ("rosenbrock-origin", ROSENBROCK, (1 - U) ** 2 + 100 * (V - U**2) ** 2, (0, 0)),
    ],
)
def test_a_smaller_value_refutes(name: str, f: Expr, sym: sympy.Expr, point: tuple[object, ...]) -> None:
    result = minimum(f, point, unique=False, name=name)
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None
    claimed = sym.xreplace({U: sympy.Rational(point[0]), V: sympy.Rational(point[1])})
    assert value_at(sym, cx.point) < claimed


@pytest.mark.parametrize(
    ("name", "f", "sym"),
    [
        ("line", (u - v) ** 2, (U - V) ** 2),
        ("singular-quadratic", u**2 + 2 * u * v + v**2, U**2 + 2 * U * V + V**2),
        ("cross", ((u - 1) * v) ** 2 + (u - 1) ** 2, ((U - 1) * V) ** 2 + (U - 1) ** 2),
    ],
)
def test_a_second_minimiser_refutes_uniqueness(name: str, f: Expr, sym: sympy.Expr) -> None:
    point = (1, 0) if name == "cross" else (0, 0)
    result = minimum(f, point, unique=True, name=name)
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None
    other = (sympy.Rational(cx.point["u"]), sympy.Rational(cx.point["v"]))
    assert other != tuple(sympy.Rational(p) for p in point)
    assert value_at(sym, cx.point) == sym.xreplace({U: point[0], V: point[1]})
    # ... and without uniqueness the same point is a global minimum, proved.
    assert minimum(f, point, unique=False, name=name).verdict is Verdict.PROVED


def test_himmelblau_has_four_minimisers_so_uniqueness_is_never_proved() -> None:
    # (3, 2) is one of four real zeros (the others are irrational): a global minimum, not unique.
    assert minimum(HIMMELBLAU, (3, 2), unique=False).verdict is Verdict.PROVED
    assert minimum(HIMMELBLAU, (3, 2), unique=True).verdict is not Verdict.PROVED


def test_non_polynomial_squares_are_not_certified() -> None:
    # (e^u - 1)^2 + v^2 has its unique minimum at 0, but e^u - 1 is not a polynomial: no proof.
    result = minimum((apply("exp", u) - 1) ** 2 + v**2, (0, 0))
    assert result.verdict is Verdict.UNKNOWN, result.detail


def test_parameters_vector_variable_and_letters() -> None:
    x, a = Var("x"), Var("a")
    symbols = Symbols.of([vector("x", "n"), vector("a", "n")])
    proved = decide(GlobalMinimum(id="dist", statement="", symbols=symbols, f=(x - a).T * (x - a),
                                  wrt=(x,), point=(a,)), timeout=60)
    assert proved.verdict is Verdict.PROVED, proved.detail
    assert proved.scope == "sizes n=2; n=3"
    refuted = decide(GlobalMinimum(id="dist2", statement="", symbols=symbols, f=(x - a).T * (x - a),
                                   wrt=(x,), point=(2 * a,), unique=False), timeout=60)
    assert refuted.verdict is Verdict.REFUTED
    cx = refuted.counterexample
    assert cx is not None and "a" in cx.values
    n = cx.sizes["n"]
    xv = sympy.Matrix([sympy.Rational(cx.point[f"x[{i}]"]) for i in range(1, n + 1)])
    av = sympy.Matrix([sympy.Rational(cx.point[f"a[{i}]"]) for i in range(1, n + 1)])
    assert (xv - av).dot(xv - av) < av.dot(av)


def test_a_point_of_the_wrong_shape_is_an_error() -> None:
    x = Var("x")
    symbols = Symbols.of([vector("x", 2), matrix("M", 2, 2)])
    claim = GlobalMinimum(id="bad", statement="", symbols=symbols, f=x.T * x, wrt=(x,), point=(lift(0),))
    assert decide(claim, timeout=60).verdict is Verdict.ERROR


def test_uniqueness_certificates_directly() -> None:
    # u - v and u + v vanish together only at the origin; u - v and 2u - 2v on a whole line.
    assert linear_unique([U - V, U + V], [U, V])
    assert not linear_unique([U - V, 2 * U - 2 * V], [U, V])
    origin = {U: sympy.Integer(0), V: sympy.Integer(0)}
    # u^2 + v^2 = 0 and u v = 0 vanish together only at the origin (real or complex).
    assert unique_real_zero([U**2 + V**2, U * V], [U, V], origin)[0] is True
    # u (u - 1) = 0, v = 0: two real zeros; the other one is found exactly.
    verdict, _, other = unique_real_zero([U * (U - 1), V], [U, V], origin)
    assert verdict is False and other == {U: 1, V: 0}
    # u^2 - 2 = 0, v = 0: two irrational zeros, neither the origin: never 'unique at the origin'.
    assert unique_real_zero([U**2 - 2, V], [U, V], origin)[0] is not True
