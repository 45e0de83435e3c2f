"""Printing an expression and reading it back gives the same expression.

Random shape-correct trees over a small symbol table are printed with ``Expr.latex()`` and
read with :func:`read_latex`. The two trees must be equal after undoing the few choices the
printer cannot record (how a product or a sum was nested, ``X^{-1}`` vs ``X^{-1}``-as-power,
a fraction of two numbers vs the number); where they still differ, the engine must prove
``original = read back``. Either way a misreading (a dropped transpose, a product in the
wrong order, a superscript that binds to the wrong base) fails the test.
"""

from __future__ import annotations

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.deciding.engine import decide
from verify.model.claim import Equality
from verify.model.expr import (
    Add,
    Apply,
    Const,
    Derivative,
    Div,
    Expr,
    Gradient,
    Hadamard,
    Hessian,
    Identity,
    Inverse,
    MatrixLit,
    Max,
    Power,
    Product,
    Transpose,
    Var,
    shape_of,
)
from verify.model.result import Verdict
from verify.model.symbols import Symbols, matrix, scalar, vector
from verify.reading.latex import read_latex

SYMBOLS = Symbols.of(
    [
        scalar("a"),
        scalar(r"\beta"),
        scalar("t", positive=True),
        vector("x", "n"),
        vector("y", "n"),
        vector("z_1", "m"),
        matrix("A", "n", "n"),
        matrix("B", "n", "n"),
        matrix("C", "n", "n", invertible=True),
        matrix("M", "n", "m"),
    ]
)

a, beta, t = Var("a"), Var(r"\beta"), Var("t")
x, y, z1 = Var("x"), Var("y"), Var("z_1")
A, B, C, M = Var("A"), Var("B"), Var("C"), Var("M")

consts = st.sampled_from([-3, -1, 0, 1, 2, 5]).map(lambda k: Const(sympy.Integer(k))) | st.sampled_from(
    [sympy.Rational(1, 2), sympy.Rational(-3, 4), sympy.Rational(21, 8)]
).map(Const)
nonzero = st.sampled_from([sympy.Integer(2), sympy.Integer(-3), sympy.Rational(5, 2)]).map(Const)


def scalars(depth: int) -> st.SearchStrategy[Expr]:
    leaves = st.sampled_from([a, beta, t]) | consts
    if depth == 0:
        return leaves
    s, v, m = scalars(depth - 1), vectors(depth - 1), matrices(depth - 1)
    poly = st.sampled_from([a, beta])  # what a derivative is taken of stays polynomial
    return st.one_of(
        leaves,
        st.lists(s, min_size=2, max_size=3).map(lambda ts: Add(tuple(ts))),
        st.lists(s, min_size=2, max_size=3).map(lambda fs: Product(tuple(fs))),
        s.map(lambda e: Product((Const(sympy.Integer(-1)), e))),
        st.tuples(s, nonzero | st.just(t)).map(lambda p: Div(*p)),
        st.tuples(s, st.sampled_from([2, 3])).map(lambda p: Power(p[0], Const(sympy.Integer(p[1])))),
        st.tuples(v, v).map(lambda p: Product((Transpose(p[0]), p[1]))),
        st.tuples(v, m, v).map(lambda p: Product((Transpose(p[0]), p[1], p[2]))),
        m.map(lambda e: Apply("tr", e)),
        st.sampled_from(["exp", "sigmoid", "tanh", "abs"]).flatmap(lambda f: s.map(lambda e: Apply(f, e))),
        st.just(Apply("log", t)),
        st.tuples(s, s).map(lambda p: Max(p)),
        st.tuples(poly, poly, st.sampled_from([a, beta])).map(
            lambda p: Derivative(Product((p[0], p[1], p[0])), (p[2],))
        ),
        st.just(Derivative(Product((a, beta)), (a, beta))),
    )


def vectors(depth: int) -> st.SearchStrategy[Expr]:
    leaves = st.sampled_from([x, y])
    if depth == 0:
        return leaves
    s, v, m = scalars(depth - 1), vectors(depth - 1), matrices(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(m, v).map(lambda p: Product(p)),
        st.tuples(s, v).map(lambda p: Product(p)),
        st.tuples(v, v).map(lambda p: Add(p)),
        v.map(lambda e: Product((Const(sympy.Integer(-1)), e))),
        st.tuples(v, v).map(lambda p: Hadamard(*p)),
        st.sampled_from(["sigmoid", "tanh", "exp"]).flatmap(lambda f: v.map(lambda e: Apply(f, e))),
        st.just(Product((M, z1))),
        st.tuples(st.sampled_from([A, B]), st.sampled_from([y])).map(
            lambda p: Gradient(Product((Transpose(x), p[0], x, a)), x)
        ),
        st.just(Product((Gradient(Product((Transpose(x), y)), x), a))),
    )


def matrices(depth: int) -> st.SearchStrategy[Expr]:
    leaves = st.sampled_from([A, B, C, Identity(None)])
    if depth == 0:
        return leaves
    s, v, m = scalars(depth - 1), vectors(depth - 1), matrices(depth - 1)
    return st.one_of(
        leaves,
        m.map(Transpose),
        st.tuples(m, m).map(lambda p: Product(p)),
        st.tuples(m, m).map(lambda p: Add(p)),
        st.tuples(s, m).map(lambda p: Product(p)),
        st.sampled_from([C, Transpose(C), Product((C, C))]).map(Inverse),
        st.tuples(st.sampled_from([A, C]), st.sampled_from([2, -2, -1])).map(
            lambda p: Power(p[0], Const(sympy.Integer(p[1])))
        ),
        v.map(lambda e: Apply("diag", e)),
        st.tuples(v, v).map(lambda p: Product((p[0], Transpose(p[1])))),
        st.just(Product((M, Transpose(M)))),
        st.just(Hessian(Product((Transpose(x), A, x)), x)),
        st.just(Identity("n")),
    )


def small_matrices() -> st.SearchStrategy[Expr]:
    entry = scalars(1)
    return st.lists(st.lists(entry, min_size=2, max_size=2), min_size=1, max_size=2).map(
        lambda rows: MatrixLit(tuple(tuple(r) for r in rows))
    )


def normal(e: Expr) -> Expr:
    """Forget what printing cannot keep: nesting of sums and products, and a few spellings."""
    kids = [normal(k) for k in e.children()]
    if isinstance(e, Add):
        terms: list[Expr] = []
        for k in kids:
            terms.extend(k.terms if isinstance(k, Add) else (k,))
        return Add(tuple(terms))
    if isinstance(e, Product):
        factors: list[Expr] = []
        for k in kids:
            factors.extend(k.factors if isinstance(k, Product) else (k,))
        while len(factors) > 1 and isinstance(factors[0], Const) and isinstance(factors[1], Const) and (
            factors[0].value == -1
        ):
            factors = [Const(-factors[1].value), *factors[2:]]
        if len(factors) > 1 and factors[0] == Const(sympy.Integer(-1)) and isinstance(factors[1], Product):
            factors = [factors[0], *factors[1].factors]
        return factors[0] if len(factors) == 1 else Product(tuple(factors))
    if isinstance(e, Div) and all(isinstance(k, Const) for k in kids):
        return Const(kids[0].value / kids[1].value)
    if isinstance(e, Power) and isinstance(kids[1], Const) and kids[1].value < 0:
        shape = shape_of(e.base, SYMBOLS)
        if not shape.is_scalar:
            base = Inverse(kids[0])
            return base if kids[1].value == -1 else Power(base, Const(-kids[1].value))
    if isinstance(e, Inverse) and shape_of(e.arg, SYMBOLS).is_scalar:
        return Power(kids[0], Const(sympy.Integer(-1)))
    if isinstance(e, Derivative | Gradient | Hessian):
        return type(e)(kids[0], e.wrt)  # type: ignore[call-arg]
    if isinstance(e, Var | Const | Identity):
        return e
    rebuilt = {
        Transpose: lambda: Transpose(kids[0]),
        Inverse: lambda: Inverse(kids[0]),
        Power: lambda: Power(kids[0], kids[1]),
        Div: lambda: Div(kids[0], kids[1]),
        Apply: lambda: Apply(e.func, kids[0]),  # type: ignore[attr-defined]
        Max: lambda: Max(tuple(kids)),
        Hadamard: lambda: Hadamard(kids[0], kids[1]),
    }
    if isinstance(e, MatrixLit):
        width = len(e.rows[0])
        return MatrixLit(tuple(tuple(kids[i * width:(i + 1) * width]) for i in range(len(e.rows))))
    return rebuilt[type(e)]()


def equality(lhs: Expr, rhs: Expr, statement: str = "") -> Equality:
    """The claim lhs = rhs over just the symbols it mentions (the others play no part)."""
    mentioned = Symbols.of([SYMBOLS[n] for n in SYMBOLS if n in lhs.names() | rhs.names()])
    return Equality(id="roundtrip", statement=statement, symbols=mentioned, lhs=lhs, rhs=rhs)


def check_round_trip(e: Expr) -> None:
    shape_of(e, SYMBOLS)  # the generator makes only shape-correct trees
    text = e.latex()
    back = read_latex(text, SYMBOLS)
    assert shape_of(back, SYMBOLS) == shape_of(e, SYMBOLS) or Identity(None) in (e, back), text
    if normal(back) == normal(e):
        return
    result = decide(equality(e, back, text), timeout=None)
    assert result.verdict is Verdict.PROVED, f"{text}\n  read as {back.latex()}\n  {result.detail}"


FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(scalars(2))
def test_scalars_round_trip(e: Expr) -> None:
    check_round_trip(e)


@FAST
@given(vectors(2))
def test_vectors_round_trip(e: Expr) -> None:
    check_round_trip(e)


@FAST
@given(matrices(2))
def test_matrices_round_trip(e: Expr) -> None:
    check_round_trip(e)


@settings(max_examples=20, deadline=None)
@given(small_matrices())
def test_matrix_literals_round_trip(e: Expr) -> None:
    check_round_trip(e)


def test_a_misreading_is_caught() -> None:
    """The property is not vacuous: a reader that dropped the transpose would fail it."""
    e = Product((Transpose(A), B))
    assert normal(Product((A, B))) != normal(e)
    assert decide(equality(e, Product((A, B))), timeout=None).verdict is Verdict.REFUTED
