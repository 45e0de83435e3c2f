"""The Hessian written as a second derivative by one vector (issue 15): ∂²f/∂x∂x^T, ∂²f/∂x∂x and
∂²f/∂x² all name the matrix of second partials d²f/dx_i dx_j (symmetric, so the same in either
layout), read as the Hessian node; a transposed variable anywhere else is an error at its place."""

from __future__ import annotations

import pytest

from verify.deciding.engine import decide
from verify.errors import UnsupportedError
from verify.model import Equality, Hessian, Symbols, Var, Verdict, matrix, scalar, vector
from verify.reading import LatexReader

SYMBOLS = Symbols.of([vector("x", "n"), vector("y", "m"), matrix("A", "n", "n"), scalar("t"),
                      scalar("f", of=("x",))])
FORMS = [r"\frac{\partial^2 f}{\partial x \partial x^T}", r"\frac{\partial^2 f}{\partial x \partial x^{\top}}",
         r"\frac{\partial^2 f}{\partial x \partial x}", r"\frac{\partial^2 f}{\partial x^2}"]


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("text", FORMS)
def test_each_form_is_the_hessian(text: str, layout: str) -> None:
    assert LatexReader(SYMBOLS, layout).read(text) == Hessian(Var("f"), Var("x"))


@pytest.mark.parametrize("text", [
    r"\frac{\partial f}{\partial x^T}",                       # a first derivative by x^T
    r"\frac{\partial^2 f}{\partial x^T \partial x}",          # the transpose first
    r"\frac{\partial^2 (y^T y)}{\partial x \partial y^T}",    # two different vectors
])
def test_a_transposed_variable_elsewhere_is_an_error_at_its_place(text: str) -> None:
    with pytest.raises(UnsupportedError) as err:
        LatexReader(SYMBOLS).read(text)
    assert "Hessian" in str(err.value)
    assert err.value.position is not None and text[err.value.position.offset:].lstrip("^{")[:1] in "xy"


def _claim(lhs: str, rhs: str) -> Equality:
    reader = LatexReader(SYMBOLS)
    return Equality(id="h", statement="", symbols=SYMBOLS, lhs=reader.read(lhs), rhs=reader.read(rhs))


def test_the_hessian_of_a_quadratic_form_is_proved_and_a_wrong_one_refuted() -> None:
    # x^T A x = sum_ij a_ij x_i x_j: d²/dx_k dx_l = a_kl + a_lk, the Hessian A + A^T, for every n;
    # 2A differs from it when A is not symmetric (A = E_12: E_12 + E_21 against 2 E_12).
    proved = decide(_claim(r"\frac{\partial^2 x^T A x}{\partial x \partial x^T}", "A + A^T"), timeout=60)
    assert proved.verdict is Verdict.PROVED and proved.scope == "all sizes"
    refuted = decide(_claim(r"\frac{\partial^2 x^T A x}{\partial x^2}", "2 A"), timeout=60)
    assert refuted.verdict is Verdict.REFUTED


def test_a_scalar_variable_keeps_the_ordinary_second_derivative() -> None:
    # t is a scalar: d²(t³)/dt² = 6t, not a Hessian node
    reader = LatexReader(SYMBOLS)
    assert not isinstance(reader.read(r"\frac{\partial^2 t^3}{\partial t^2}"), Hessian)


# \nabla_v of a column f (m x 1) is its Jacobian transposed (n x m). By hand: f = A x with A k x n
# (here y = A x, A m x n) has d f / d x = A (numerator), so \nabla_x (A x) = A^T; the gradient of
# L = 1/2 x^T A^T A x is A^T A x, and \nabla_x of that column is (A^T A)^T = A^T A, the Hessian.
COLUMN = Symbols.of([vector("x", "n"), matrix("A", "m", "n"), matrix("B", "n", "n")])


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("lhs, rhs, holds", [
    (r"\nabla_x (A x)", "A^T", True),
    (r"\nabla_x (B x)", "B", False),  # B^T, not B: B = [[0, 1], [0, 0]] and x any show it
    (r"\nabla_x \nabla_x (\frac{1}{2} x^T A^T A x)", "A^T A", True),
    (r"\nabla_x (A^T A x)", r"\nabla^2_x (\frac{1}{2} x^T A^T A x)", True),
])
def test_the_gradient_of_a_column_is_its_jacobian_transposed(layout: str, lhs: str, rhs: str, holds: bool) -> None:
    reader = LatexReader(COLUMN, layout)
    claim = Equality(id="g", statement="", symbols=COLUMN, layout=layout, lhs=reader.read(lhs), rhs=reader.read(rhs))
    assert decide(claim, timeout=60).verdict is (Verdict.PROVED if holds else Verdict.REFUTED)


# \nabla_X f of a scalar by a matrix: the matrix of partials d f / d X_ij, shaped as X. By hand:
# d tr(B X) = tr(B dX) = sum_ij B_ji dX_ij, so the gradient is B^T (n x m for X n x m, B m x n).
MATRIX = Symbols.of([matrix("X", "n", "m"), matrix("B", "m", "n")])


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("rhs, holds", [("B^T", True), ("B", False)])
def test_the_gradient_by_a_matrix_has_its_shape(layout: str, rhs: str, holds: bool) -> None:
    reader = LatexReader(MATRIX, layout)
    lhs = reader.read(r"\nabla_X \operatorname{tr}(B X)")
    claim = Equality(id="g", statement="", symbols=MATRIX, layout=layout, lhs=lhs, rhs=reader.read(rhs))
    result = decide(claim, timeout=60)
    if holds:
        assert result.verdict is Verdict.PROVED
    else:  # B is m x n, the gradient n x m: not even the same shape unless m = n
        assert result.verdict in (Verdict.ERROR, Verdict.REFUTED)
