"""PolynomialDegree claims: proved from the polynomial's monomials, refuted with a derivative of
order degree + 1 that we recompute here at the reported point, unknown where neither applies."""

from __future__ import annotations

import pytest
import sympy

from verify.deciding.engine import decide
from verify.model.claim import PolynomialDegree
from verify.model.expr import Expr, Var, apply, col
from verify.model.result import Result, Verdict
from verify.model.symbols import Symbols, matrix, scalar, vector

u, v, a = Var("u"), Var("v"), Var("a")
UVA = Symbols.of([scalar("u"), scalar("v"), scalar("a")])
U, V, A = (sympy.Symbol(n, real=True) for n in "uva")


def degree(f: Expr, d: int, name: str = "t", symbols: Symbols = UVA,
           wrt: tuple[Var, ...] = (u, v)) -> Result:
    return decide(PolynomialDegree(id=name, statement="", symbols=symbols, f=f, wrt=wrt, degree=d),
                  timeout=60)


def reported_derivative(cx_lhs: str) -> tuple[dict[sympy.Symbol, int], sympy.Expr]:
    """Parse ``d^3 f / du^2 dv at (...) = value`` into ({U: 2, V: 1}, value)."""
    head, value = cx_lhs.rsplit("=", 1)
    orders: dict[sympy.Symbol, int] = {}
    for part in head.split("/")[1].split(" at ")[0].split():
        name, _, power = part[1:].partition("^")
        orders[{"u": U, "v": V}[name]] = int(power or 1)
    return orders, sympy.Rational(value.strip())


@pytest.mark.parametrize(
    ("name", "f", "d"),
    [
        ("quadratic", u * v + v**2 - 3 + a**7 * u, 2),  # parameters may have any degree
        ("squares-cancel", (u + v) ** 2 - (u - v) ** 2, 2),  # = 4uv
        ("cubes-cancel", (u + 1) ** 3 - u**3, 2),  # = 3u^2 + 3u + 1
        ("affine", 3 * u - v + a, 1),
        ("constant", a**2 + 1, 0),
    ],
)
def test_polynomials_within_the_degree_are_proved(name: str, f: Expr, d: int) -> None:
    result = degree(f, d, name)
    assert result.verdict is Verdict.PROVED, result.detail


@pytest.mark.parametrize(
    ("name", "f", "sym", "d", "true_degree"),
    [
        ("cubic-monomial", u**2 * v, U**2 * V, 2, 3),
        ("squares-cancel-to-degree-2", (u + v) ** 2 - (u - v) ** 2, (U + V) ** 2 - (U - V) ** 2, 1, 2),
        ("quartic", (u * v - 1) ** 2, (U * V - 1) ** 2, 3, 4),
    ],
)
def test_higher_degree_is_refuted_with_a_nonzero_derivative(
    name: str, f: Expr, sym: sympy.Expr, d: int, true_degree: int
) -> None:
    result = degree(f, d, name)
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None
    assert f"total degree {true_degree}" in cx.note
    orders, value = reported_derivative(cx.lhs)
    assert sum(orders.values()) == d + 1
    derivative = sym
    for var, k in orders.items():
        derivative = sympy.diff(derivative, var, k)
    point = {U: sympy.Rational(cx.point["u"]), V: sympy.Rational(cx.point["v"])}
    assert derivative.xreplace(point) == value != 0


def test_a_parameter_coefficient_is_made_nonzero() -> None:
    # a u^3 + v: cubic unless a = 0; the counterexample must pick a != 0.
    result = degree(a * u**3 + v, 2, "param")
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None and sympy.Rational(cx.values["a"]) != 0
    assert "coefficient a" in cx.note


def test_non_polynomials() -> None:
    # e^u: every derivative is e^u != 0.
    result = degree(apply("exp", u), 5, "exp")
    assert result.verdict is Verdict.REFUTED
    assert "not a polynomial" in result.counterexample.note
    # ReLU(u) v: d^2/(du dv) = step(u) = 1 for u > 0 (off the kink).
    assert degree(apply("relu", u) * v, 1, "relu").verdict is Verdict.REFUTED
    # ReLU(u) alone is not a polynomial, but all its second derivatives vanish off the kink:
    # nothing exact refutes degree 1, and it must not be proved.
    assert degree(apply("relu", u), 1, "relu-alone").verdict is Verdict.UNKNOWN
    # (u^2 - 1)/(u - 1) equals u + 1 except at u = 1, where it is undefined: not proved.
    assert degree((u**2 - 1) / (u - 1), 1, "removable").verdict is not Verdict.PROVED


def test_vector_valued_functions_entry_by_entry() -> None:
    x, M = Var("x"), Var("M")
    symbols = Symbols.of([vector("x", "n"), matrix("M", "n", "n")])
    linear = decide(PolynomialDegree(id="Mx", statement="", symbols=symbols, f=M * x, wrt=(x,),
                                     degree=1), timeout=60)
    assert linear.verdict is Verdict.PROVED
    assert linear.scope == "sizes n=2; n=3"
    cubic = decide(PolynomialDegree(id="xxx", statement="", symbols=symbols, f=(x.T * x) * x, wrt=(x,),
                                    degree=2), timeout=60)
    assert cubic.verdict is Verdict.REFUTED
    assert cubic.counterexample is not None and "f[" in cubic.counterexample.lhs
    two = degree(col(u * v, u**3), 2, "col")
    assert two.verdict is Verdict.REFUTED
    assert two.counterexample.lhs.startswith("d^3 f[2] /")


def test_a_negative_degree_is_an_error() -> None:
    assert degree(u, -1, "neg").verdict is Verdict.ERROR
