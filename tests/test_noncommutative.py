"""The size-independent prover: true identities proved, false ones never, rules cross-checked.

Each identity's truth is derived by hand in the comment next to it. The rule base itself is
checked by comparing the meaning of normal forms with the engine's explicit instantiation
at small sizes, for hand-picked expressions that exercise every rule and for random ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
import sympy

from verify.deciding.evaluation.instantiate import Evaluator, jets_to_symbols, symbolic
from verify.deciding.proof.noncommutative import METHOD, attempt, explicit, normalise, prove_all_sizes
from verify.model.claim import Equality
from verify.model.expr import (
    D,
    Expr,
    Identity,
    Var,
    Zero,
    apply,
    grad,
    hessian,
    maximum,
)
from verify.model.shape import Shape
from verify.model.symbols import Symbol, Symbols, matrix, scalar, vector

A, B, C, P, S, X = (Var(n) for n in "A B C P S X".split())
R = Var("R")
x, y, u, w, z, q, v = (Var(n) for n in "x y u w z q v".split())
a, b, t, s, g = (Var(n) for n in "a b t s g".split())


def claim(symbols: list[Symbol], lhs: Expr, rhs: Expr, layout: str = "numerator") -> Equality:
    return Equality(id="test", statement="", symbols=Symbols.of(symbols), lhs=lhs, rhs=rhs, layout=layout)


A_OF_T = [matrix("A", "n", "n", invertible=True, of=("t",)), scalar("t")]
AXY = [matrix("A", "m", "n"), vector("x", "n"), vector("y", "m")]
SQUARE_AX = [matrix("A", "n", "n"), vector("x", "n")]


# ---------------------------------------------------------------------------------------
# True identities: proved for every size.

TRUE = {
    # A A^{-1} = I; differentiate: A' A^{-1} + A (A^{-1})' = 0, so (A^{-1})' = -A^{-1} A' A^{-1}.
    "inverse derivative": claim(A_OF_T, D(A.I, t), -(A.I * D(A, t) * A.I)),
    # (Ax)_i = sum_k a_ik x_k, so d(Ax)_i/dx_j = a_ij.
    "linear map": claim([matrix("A", "m", "n"), vector("x", "n")], D(A * x, x), A),
    # y^T A x = sum_j (A^T y)_j x_j: the row of partials is (A^T y)^T = y^T A.
    "bilinear by x": claim(AXY, D(y.T * A * x, x), y.T * A),
    # y^T A x = sum_i y_i (A x)_i: the row of partials is (A x)^T = x^T A^T.
    "bilinear by y": claim(AXY, D(y.T * A * x, y), x.T * A.T),
    # chain rule: d(A x(z))/dz = A dx/dz, A constant.
    "chain rule": claim([matrix("A", "m", "n"), vector("x", "n", of=("z",)), vector("z", "k")],
                        D(A * x, z), A * D(x, z)),
    # product rule: d(sum_i y_i x_i)/dz_j = sum_i x_i dy_i/dz_j + y_i dx_i/dz_j.
    "product rule": claim([vector("x", "n", of=("z",)), vector("y", "n", of=("z",)), vector("z", "k")],
                          D(y.T * x, z), x.T * D(y, z) + y.T * D(x, z)),
    # ((AB)^T)_ij = (AB)_ji = sum_k a_jk b_ki = (B^T A^T)_ij.
    "transpose of product": claim([matrix("A", "m", "n"), matrix("B", "n", "k")], (A * B).T, B.T * A.T),
    # (AB)(B^{-1}A^{-1}) = A A^{-1} = I.
    "inverse of product": claim([matrix("A", "n", "n", invertible=True), matrix("B", "n", "n", invertible=True)],
                                (A * B).I, B.I * A.I),
    # d(x^T A x) = dx^T A x + x^T A dx = x^T (A^T + A) dx.
    "quadratic form": claim(SQUARE_AX, D(x.T * A * x, x), x.T * (A + A.T)),
    # the same in denominator layout: the transpose, (A + A^T) x.
    "quadratic form, denominator": claim(SQUARE_AX, D(x.T * A * x, x), (A + A.T) * x, layout="denominator"),
    # the gradient is a column whatever the layout: (A + A^T) x.
    "quadratic form gradient": claim(SQUARE_AX, grad(x.T * A * x, x), (A + A.T) * x),
    # the Hessian of x^T A x is A + A^T (constant second partials a_ij + a_ji).
    "quadratic form hessian": claim(SQUARE_AX, hessian(x.T * A * x, x), A + A.T),
    # entrywise product rule: (X^T X)' = X'^T X + X^T X'.
    "gram derivative": claim([matrix("X", "m", "n", of=("t",)), scalar("t")],
                             D(X.T * X, t), D(X, t).T * X + X.T * D(X, t)),
    # ||x||^2 / 2 has gradient x; (x^T x) as a scalar commutes past y: (x^T x) y = y (x^T x).
    "scalar commutes": claim([vector("x", "n"), vector("y", "n")], (x.T * x) * y, y * (x.T * x) / 2 * 2),
    # (x^T y) = (y^T x): a 1 x 1 matrix is its own transpose.
    "scalar transpose": claim([vector("x", "n"), vector("y", "n")], x.T * y, y.T * x),
    # (A^T)^{-1} = (A^{-1})^T: A^T (A^{-1})^T = (A^{-1} A)^T = I.
    "inverse of transpose": claim([matrix("A", "n", "n", invertible=True)], A.T.I, A.I.T),
    # S^{-1} symmetric for symmetric S: (S^{-1})^T = (S^T)^{-1} = S^{-1}.
    "symmetric inverse": claim([matrix("S", "n", "n", symmetric=True, invertible=True)], S.I.T, S.I),
    # A^{-2} A^2 = I, and (2A)^{-1} = A^{-1} / 2.
    "powers": claim([matrix("A", "n", "n", invertible=True)], A ** -2 * A ** 2 + (2 * A).I, Identity() + A.I / 2),
    # d(t^2 A)/dt = 2 t A + t^2 A' (scalar t times a function of t).
    "scalar times matrix": claim(A_OF_T, D(t ** 2 * A, t), 2 * t * A + t ** 2 * D(A, t)),
    # d/dx (x^T x)^2 = 2 (x^T x) 2 x^T = 4 (x^T x) x^T.
    "power of a scalar": claim([vector("x", "n")], D((x.T * x) ** 2, x), 4 * (x.T * x) * x.T),
    # x x^T x = x (x^T x): an outer product times a vector.
    "outer product": claim([vector("x", "n")], x * x.T * x, (x.T * x) * x),
    # the Jacobian of the gradient has (i, j) = d/dz_j dg/dz_i = H_ij (Schwarz).
    "jacobian of gradient": claim([scalar("g", of=("z",)), vector("z", "k")], D(grad(g, z), z), hessian(g, z)),
    # grad(g^2) = 2 g grad g, so H(g^2) = 2 grad g grad g^T + 2 g H(g).
    "hessian of a square": claim([scalar("g", of=("z",)), vector("z", "k")], hessian(g * g, z),
                                 2 * grad(g, z) * grad(g, z).T + 2 * g * hessian(g, z)),
}


@pytest.mark.parametrize("name", list(TRUE))
def test_true_identities_are_proved(name: str) -> None:
    assert prove_all_sizes(TRUE[name]) == METHOD


# ---------------------------------------------------------------------------------------
# False claims: never proved.

FALSE = {
    # x^T A differs from x^T A^T for A = [[0, 1], [0, 0]], x = (1, 0): (0, 1) vs (0, 0).
    "bilinear by y, A not transposed": claim([matrix("A", "n", "n"), vector("x", "n"), vector("y", "n")],
                                             D(y.T * A * x, y), x.T * A),
    # with A(t) = diag(1, 1) + t E_12 at t = 0: -A^{-2} A' = -E_12 = -A^{-1} A' A^{-1}, but with
    # A(0) = diag(1, 2), A' = E_12: A^{-1} A' A^{-1} = E_12 / 2 while A^{-2} A' = E_12.
    "inverse derivative, commuted": claim(A_OF_T, D(A.I, t), -(A ** -2 * D(A, t))),
    # (AB)^T = B^T A^T, not A^T B^T: A = E_12, B = E_21: (AB)^T = E_11, A^T B^T = E_22.
    "transpose not reversed": claim([matrix("A", "n", "n"), matrix("B", "n", "n")], (A * B).T, A.T * B.T),
    # x^T (A + A^T) differs from 2 x^T A when A is not symmetric (A = E_12, x = e_1).
    "quadratic form, 2 x^T A": claim(SQUARE_AX, D(x.T * A * x, x), 2 * x.T * A),
    # AB = E_11 and BA = E_22 for A = E_12, B = E_21.
    "commuted product": claim([matrix("A", "n", "n"), matrix("B", "n", "n")], A * B, B * A),
    # d(A^{-1})/dt has a minus sign.
    "inverse derivative, sign": claim(A_OF_T, D(A.I, t), A.I * D(A, t) * A.I),
    # H(g^2) = 2 grad g grad g^T + 2 g H(g), not 2 g H(g): with g = z_1 at z = 0 they differ by 2 E_11.
    "hessian of a square, chain term lost": claim([scalar("g", of=("z",)), vector("z", "k")], hessian(g * g, z),
                                                  2 * g * hessian(g, z)),
    # a Jacobian in numerator layout is not its transpose (A is m x n, the sides' shapes differ).
    "linear map transposed": claim([matrix("A", "m", "n"), vector("x", "n")], D(A * x, x), A.T),
}


@pytest.mark.parametrize("name", list(FALSE))
def test_false_claims_are_not_proved(name: str) -> None:
    assert prove_all_sizes(FALSE[name]) is None


def test_false_claims_are_really_false() -> None:
    """Each FALSE claim differs at the hand-chosen point given in its comment."""
    a_ = sympy.Matrix([[0, 1], [0, 0]])
    b_ = sympy.Matrix([[0, 0], [1, 0]])
    assert (a_ * b_).T != a_.T * b_.T and a_ * b_ != b_ * a_
    x_ = sympy.Matrix([1, 0])
    assert x_.T * (a_ + a_.T) != 2 * x_.T * a_ and x_.T * a_.T != x_.T * a_
    a0, da = sympy.diag(1, 2), sympy.Matrix([[0, 1], [0, 0]])
    assert a0.inv() * da * a0.inv() != a0.inv() ** 2 * da


def test_symmetric_quadratic_form_never_raises() -> None:
    # For symmetric A, x^T (A + A^T) = 2 x^T A: true, so proved or None, never an error.
    c = claim([matrix("A", "n", "n", symmetric=True), vector("x", "n")], D(x.T * A * x, x), 2 * x.T * A)
    assert prove_all_sizes(c) in (METHOD, None)


def test_symmetric_declaration_is_used() -> None:
    # S^T = S when declared: x^T S^T y = x^T S y.
    c = claim([matrix("S", "n", "n", symmetric=True), vector("x", "n"), vector("y", "n")],
              x.T * S.T * y, x.T * S * y)
    assert prove_all_sizes(c) == METHOD


def test_inverse_derivative_at_a_letter_and_at_size_five() -> None:
    # The proof does not depend on the size, so a claim stated at 5 x 5 is proved just the same.
    for dim in ("n", 5):
        c = claim([matrix("A", dim, dim, invertible=True, of=("t",)), scalar("t")],
                  D(A.I, t), -(A.I * D(A, t) * A.I))
        assert prove_all_sizes(c) == METHOD


def test_inverse_of_a_sum_is_not_supported() -> None:
    # (A + B)^{-1} has no rule; even a true claim about it is only "not proved".
    syms = [matrix("A", "n", "n", invertible=True), matrix("B", "n", "n", invertible=True)]
    assert prove_all_sizes(claim(syms, (A + B).I, (A + B).I)) is None


def test_inverse_needs_invertible_factors() -> None:
    # (A^T A)^{-1} = A^{-1} A^{-T} only when A is square and invertible: A is m x n here.
    c = claim([matrix("A", "m", "n")], (A.T * A).I, (A.T * A).I)
    assert prove_all_sizes(c) is None


def test_attempt_says_what_stood_in_the_way() -> None:
    differ = attempt(FALSE["bilinear by y, A not transposed"])
    assert differ.proof is None and "differ" in differ.detail
    outside = attempt(claim([scalar("a")], maximum(a, 0), maximum(a, 0)))
    assert outside.proof is None and "Max" in outside.detail
    assert attempt(TRUE["quadratic form"]).proof == METHOD


def test_unsupported_nodes_give_none() -> None:
    syms = [vector("x", "n"), scalar("a")]
    assert prove_all_sizes(claim(syms, maximum(a, 0), maximum(a, 0))) is None
    # a kinked function of a scalar is outside the rule base (traces, determinants, smooth functions
    # of scalars and of vectors are in it: tests/test_traces_determinants.py,
    # tests/test_elementwise_prover.py). Of a column it is an atom, and its derivative is what it
    # is off the kinks, where alone it exists: ReLU'(x) = I(x > 0), entry by entry.
    assert prove_all_sizes(claim(syms, apply("relu", a), apply("relu", a))) is None
    assert prove_all_sizes(claim(syms, D(apply("relu", x), x), apply("diag", apply("step", x)))) == METHOD
    assert prove_all_sizes(claim(syms, apply("abs", x) + x, x + apply("abs", x))) == METHOD
    # |x|' = I(x > 0) - I(x < 0) off the kinks; not I(x > 0)
    sign = apply("step", x) - apply("step", -1 * x)
    assert prove_all_sizes(claim(syms, D(apply("abs", x), x), apply("diag", sign))) == METHOD
    assert prove_all_sizes(claim(syms, D(apply("abs", x), x), apply("diag", apply("step", x)))) is None


def test_sides_of_different_shapes_are_not_proved() -> None:
    assert prove_all_sizes(claim([vector("x", "n")], x.T * Identity() * x, x)) is None
    assert prove_all_sizes(claim([matrix("A", "n", "n")], A - A, Zero(Shape("n", "m")))) is None


# ---------------------------------------------------------------------------------------
# The rule base against explicit instantiation.

SYMBOLS = Symbols.of([
    matrix("A", "n", "n", invertible=True, of=("t",)),
    matrix("B", "n", "n", invertible=True),
    matrix("C", "m", "n"),
    matrix("P", "n", "n", symmetric=True, invertible=True, of=("t",)),
    matrix("S", "n", "n", symmetric=True),
    matrix("X", "m", "n", of=("t",)),
    matrix("R", 1, "n"),
    vector("x", "n"),
    vector("y", "n"),
    vector("u", "m"),
    vector("z", "k"),
    vector("w", "n", of=("z",)),
    vector("q", "n", of=("x",)),
    scalar("a"),
    scalar("b", of=("t",)),
    scalar("g", of=("z",)),
    scalar("s", positive=True),
    scalar("t"),
])

EXPRESSIONS: list[Expr] = [
    (A * B).T, (A + C.T * C).T, (x * y.T).T * S, P.T * S.T, A.T.T,
    (A * B).I, (B.T).I * B.T, A.I * (2 * A), B ** -2 * B ** 3, P.I.T,
    x * y.T * x * u.T, (x.T * y) * (y.T * x) * u, x.T * S * y + y.T * S.T * x, R * x * R,
    C * x / (x.T * y), (x.T * x) ** 3 / s, s ** sympy.Rational(1, 2) * A,
    D(A.I, t), D(A.T * B * A, t), D(P.I, t), D(X.T * X, t), D(b * A ** 2, t),
    D(D(A, t), t), D(x.T * A.I * y, t, t), D(x.T * A.I * y, t), D((x.T * A * y) ** 2, t),
    D(x.T * B * x, x), D(B * x, x), D(C * x, x), D(x.T * y * (x.T * x), x), D((x.T * B * x) ** -1, x),
    D(w, z), D(C * w, z), D(w.T * B * w, z), D(g * w, z), D(q, x), D(x.T * q, x),
    grad(x.T * B * x, x), grad(g, z), hessian(x.T * B * x, x), hessian((x.T * x) ** 2, x),
    D(x * (y.T * x), x), D(R * x, x), D(R.T * (x.T * y), x),
    hessian(g, z), D(grad(g * g, z), z), hessian((z.T * z) * g, z), D(z.T * grad(g, z), z),
]


def _instantiation_agrees(expr: Expr, sizes: dict[str, int], layout: str = "numerator") -> None:
    c = Equality(id="rule", statement="", symbols=SYMBOLS, lhs=expr, rhs=expr, layout=layout)
    nf = normalise(c)
    assert nf is not None, f"not normalised: {expr.latex()}"
    ev = Evaluator(SYMBOLS, sizes, symbolic(SYMBOLS, sizes), layout)
    want, _ = jets_to_symbols(ev(expr))
    got, _ = jets_to_symbols(explicit(nf.lhs, nf.scalars, ev))
    assert want.shape == got.shape, f"{expr.latex()}: {want.shape} vs {got.shape}"
    for p, q_ in zip(want, got, strict=True):
        assert sympy.cancel(p - q_) == 0, f"{expr.latex()} at {sizes}: {nf.lhs.text()}"


@pytest.mark.parametrize("index", range(len(EXPRESSIONS)))
def test_normal_form_means_the_expression(index: int) -> None:
    _instantiation_agrees(EXPRESSIONS[index], {"n": 2, "m": 3, "k": 2})


# The second derivative of x^T A(t)^{-1} y takes minutes to instantiate at n = 3 (the reason
# this prover exists); every other expression is checked at a second set of sizes.
SLOW_AT_THREE = D(x.T * A.I * y, t, t)


@pytest.mark.parametrize("index", [i for i, e in enumerate(EXPRESSIONS) if e != SLOW_AT_THREE])
def test_normal_form_means_the_expression_at_other_sizes(index: int) -> None:
    _instantiation_agrees(EXPRESSIONS[index], {"n": 3, "m": 2, "k": 1})


def test_denominator_layout_means_the_expression() -> None:
    for expr in (D(x.T * B * x, x), D(C * x, x), D(C * w, z)):
        _instantiation_agrees(expr, {"n": 2, "m": 3, "k": 2}, layout="denominator")


# Random expressions: square n x n ones built from every rule, then differentiated.

def _random_square(rng: random.Random, depth: int) -> Expr:
    leaves: list[Callable[[], Expr]] = [
        lambda: A, lambda: B, lambda: P, lambda: S, lambda: x * y.T, lambda: C.T * C,
        lambda: a * B, lambda: b * A,
    ]
    if depth == 0:
        return rng.choice(leaves)()
    sub = lambda: _random_square(rng, depth - 1)  # noqa: E731
    ops: list[Callable[[], Expr]] = [
        lambda: sub() + sub(), lambda: sub() * sub(), lambda: sub().T, lambda: -sub(),
        lambda: (x.T * sub() * y) * sub(), lambda: D(sub(), t), lambda: _random_invertible(rng, depth).I,
        lambda: _random_invertible(rng, depth) ** -2, lambda: sub() ** 2, lambda: sub() / (y.T * x),
    ]
    return rng.choice(ops)()


def _random_invertible(rng: random.Random, depth: int) -> Expr:
    leaves: list[Callable[[], Expr]] = [lambda: A, lambda: B, lambda: P, lambda: A.T, lambda: 3 * B.I]
    if depth <= 1:
        return rng.choice(leaves)()
    return rng.choice(leaves)() * _random_invertible(rng, depth - 1)


def _random_case(seed: int) -> Expr:
    rng = random.Random(seed)
    e = _random_square(rng, rng.choice([1, 2, 2, 3]))
    wrap = rng.choice(["plain", "t", "x", "grad", "column", "chain", "hessian"])
    if wrap == "chain":
        return D(w.T * e * y, z)
    if wrap == "hessian":
        return hessian(g * (x.T * e * y), z)
    if wrap == "t":
        return D(e, t)
    if wrap == "x":
        return D(x.T * e * y, x)
    if wrap == "grad":
        return grad(x.T * e * x, x)
    if wrap == "column":
        return D(e * x, x)
    return e


@pytest.mark.parametrize("seed", range(40))
def test_random_normal_forms_mean_their_expressions(seed: int) -> None:
    expr = _random_case(seed)
    c = Equality(id="rule", statement="", symbols=SYMBOLS, lhs=expr, rhs=expr)
    if normalise(c) is None:
        pytest.skip(f"outside the rule base: {expr.latex()}")
    _instantiation_agrees(expr, {"n": 2, "m": 3, "k": 2})


# ---------------------------------------------------------------------------------------
# An inverse of a sum, multiplied out.

SHERMAN = [matrix("Z", "n", "n", invertible=True), vector("u", "n"), vector("v", "n")]
Zm, uu, vv = Var("Z"), Var("u"), Var("v")
# (Z + u v^T)(Z^{-1} - Z^{-1} u v^T Z^{-1} / (1 + s)), s = v^T Z^{-1} u:
# = I + u v^T Z^{-1} - (u v^T Z^{-1} + u s v^T Z^{-1}) / (1 + s) = I + u v^T Z^{-1} (1 - (1 + s)/(1 + s)) = I.
SHERMAN_RHS = Zm.I - Zm.I * uu * vv.T * Zm.I / (1 + vv.T * Zm.I * uu)


def test_sherman_morrison_is_proved_by_multiplying_out_the_inverse() -> None:
    from verify.deciding.proof.noncommutative import CLEARED
    assert prove_all_sizes(claim(SHERMAN, (Zm + uu * vv.T).I, SHERMAN_RHS)) == CLEARED
    assert prove_all_sizes(claim(SHERMAN, SHERMAN_RHS, (Zm + uu * vv.T).I)) == CLEARED  # either side


def test_a_wrong_sherman_morrison_is_not_proved() -> None:
    # the sign of the correction flipped: n = 1, Z = u = v = 1 gives 1/2 against 3/2
    wrong = Zm.I + Zm.I * uu * vv.T * Zm.I / (1 + vv.T * Zm.I * uu)
    assert prove_all_sizes(claim(SHERMAN, (Zm + uu * vv.T).I, wrong)) is None


@pytest.mark.parametrize("n", [1, 2])  # n = 3 takes half a minute: the reason for the rule above
def test_sherman_morrison_holds_by_instantiation(n: int) -> None:
    c = claim(SHERMAN, (Zm + uu * vv.T).I, SHERMAN_RHS)
    ev = Evaluator(c.symbols, {"n": n}, symbolic(c.symbols, {"n": n}), c.layout)
    lhs, rhs = ev(c.lhs), ev(c.rhs)
    assert all(sympy.cancel(p - q) == 0 for p, q in zip(lhs, rhs, strict=True))


# ---------------------------------------------------------------------------------------
# A value at a point of scalar variables: the derivative taken first, the value put in after.

def test_a_derivative_at_a_scalar_value_is_proved_and_a_wrong_one_not() -> None:
    from verify.model import at
    syms = [scalar("t"), scalar("a"), vector("x", "n"), vector("w", "n")]
    # d(t^2)/dt = 2t, at t = a + 1: 2(a + 1)
    assert prove_all_sizes(claim(syms, at(D(t ** 2, t), (t, a + 1)), 2 * (a + 1))) == METHOD
    # ... not 2 (a + 1 is free, so 2(a + 1) = 2 only at a = 0)
    assert prove_all_sizes(claim(syms, at(D(t ** 2, t), (t, a + 1)), 2 * a)) is None
    # sigma' = sigma sigma(-.), at t = w^T ReLU(x): the ReLU is carried, never differentiated
    s = w.T * apply("relu", x)
    rhs = apply("sigmoid", s) * apply("sigmoid", -1 * s)
    assert prove_all_sizes(claim(syms, at(D(apply("sigmoid", t), t), (t, s)), rhs)) == METHOD


def test_a_value_at_a_point_is_refused_where_substitution_would_not_reach() -> None:
    from verify.model import at
    # g declared of(t): its jets belong to the point t, not to t = a
    syms = [scalar("t"), scalar("a"), scalar("g", of=("t",))]
    assert prove_all_sizes(claim(syms, at(D(g * t, t), (t, a)), at(D(g * t, t), (t, a)))) is None
    # a vector given a value: outside (the substitution would have to reach into words)
    vec = [vector("x", "n"), vector("y", "n")]
    assert prove_all_sizes(claim(vec, at(D(x.T * x, x), (x, y)), 2 * y.T)) is None
