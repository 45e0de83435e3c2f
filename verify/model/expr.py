"""Shape-aware expressions: the one representation every reader builds and the engine decides.

Why our own tree rather than SymPy's matrix expressions: SymPy 1.14's ``MatrixSymbol.diff``
silently returns 0 for several identities, and its LaTeX reader forgets transposes. Here a
product is ordered, ``.T`` is a transpose, a derivative carries its variable, and every node
can say its shape (:func:`shape_of`) before any algebra is done.

Python operators build trees: ``A * x`` (product by shapes, never commuted), ``x.T``, ``A.I``,
``a / b`` (by a scalar), ``M ** 2``; ``D(f, x)`` is a derivative in the claim's layout.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from verify.errors import ShapeError, UndeclaredName, UnsupportedError
from verify.model.shape import SCALAR, Dim, Shape
from verify.model.symbols import Symbol
from verify.model.visitor import Visitor

#: A dimension that adapts to its context: the identity ``I`` written without a size.
ANY = "*"

#: ``step`` is strict (1 where the argument is > 0, else 0: ``I(a > 0)``); ``closed_step`` is 1
#: where it is >= 0 (``I(a \geq 0)``). They differ only at 0, where each has its value.
ELEMENTWISE = ("exp", "log", "sigmoid", "tanh", "relu", "abs", "step", "closed_step", "sqrt")
REDUCING = ("tr", "det")
FUNCTIONS = (*ELEMENTWISE, *REDUCING, "diag")

#: Node classes in the order they are defined; frozen into :data:`NODES` below.
_REGISTRY: list[type[Expr]] = []


class Expr:
    """Base of all nodes; gives Python operators their mathematical meaning.

    Every subclass defined in this module is a node of the model and is registered in
    :data:`NODES` (a subclass defined elsewhere, such as a reader's placeholder, is not).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ == __name__:
            _REGISTRY.append(cls)

    def __add__(self, other: object) -> Expr:
        return Add((self, lift(other)))

    def __radd__(self, other: object) -> Expr:
        return Add((lift(other), self))

    def __sub__(self, other: object) -> Expr:
        return Add((self, Product((Const(-1), lift(other)))))

    def __rsub__(self, other: object) -> Expr:
        return Add((lift(other), Product((Const(-1), self))))

    def __neg__(self) -> Expr:
        return Product((Const(-1), self))

    def __mul__(self, other: object) -> Expr:
        return Product((self, lift(other)))

    def __rmul__(self, other: object) -> Expr:
        return Product((lift(other), self))

    __matmul__ = __mul__

    def __truediv__(self, other: object) -> Expr:
        return Div(self, lift(other))

    def __rtruediv__(self, other: object) -> Expr:
        return Div(lift(other), self)

    def __pow__(self, other: object) -> Expr:
        return Power(self, lift(other))

    @property
    def T(self) -> Expr:
        return Transpose(self)

    @property
    def I(self) -> Expr:  # noqa: E743 - the inverse reads best as A.I
        return Inverse(self)

    def children(self) -> tuple[Expr, ...]:
        return ()

    def names(self) -> frozenset[str]:
        """Every declared name the expression mentions."""
        out: frozenset[str] = frozenset()
        for c in self.children():
            out |= c.names()
        return out

    def latex(self) -> str:
        raise NotImplementedError


def lift(value: object) -> Expr:
    """Numbers become exact constants (a float through its decimal text, never binary)."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not an expression")
    if isinstance(value, int | Fraction | sympy.Rational):
        return Const(sympy.Rational(value))
    if isinstance(value, float):
        return Const(sympy.Rational(repr(value)))
    if isinstance(value, str):
        return Const(sympy.Rational(value))
    raise TypeError(f"cannot make an expression of {value!r}")


@dataclass(frozen=True, eq=True)
class Var(Expr):
    name: str

    def names(self) -> frozenset[str]:
        return frozenset({self.name})

    def latex(self) -> str:
        return self.name

    def __hash__(self) -> int:
        return hash(("Var", self.name))


@dataclass(frozen=True)
class Const(Expr):
    value: sympy.Rational

    def latex(self) -> str:
        return sympy.latex(self.value)

    def __hash__(self) -> int:
        return hash(("Const", self.value))


@dataclass(frozen=True)
class Identity(Expr):
    """The identity matrix; ``size=None`` takes its size from the other operand."""

    size: Dim | None = None

    def latex(self) -> str:
        return "I" if self.size is None or self.size == ANY else f"I_{{{self.size}}}"

    def __hash__(self) -> int:
        return hash(("Identity", self.size))


@dataclass(frozen=True)
class Zero(Expr):
    """A zero matrix of a given shape (the zero scalar is ``Const(0)``)."""

    shape: Shape

    def latex(self) -> str:
        return "0"

    def __hash__(self) -> int:
        return hash(("Zero", self.shape))


def zero_of(e: Expr, shape: Shape) -> Expr:
    """``e``, or the zero matrix of ``shape`` where ``e`` is the number 0 and ``shape`` is not a
    scalar's: ``M = 0`` with M a matrix or a vector, as people write it, is M's zero matrix."""
    if isinstance(e, Const) and e.value == 0 and not shape.is_scalar and ANY not in (shape.rows, shape.cols):
        return Zero(shape)
    return e  # (a side sized by context, I = 0, has no shape to give its zero)


@dataclass(frozen=True)
class Add(Expr):
    terms: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.terms

    def latex(self) -> str:
        out = self.terms[0].latex()
        for t in self.terms[1:]:
            s = t.latex()
            out += s if s.startswith("-") else f" + {s}"
        return out

    def __hash__(self) -> int:
        return hash(("Add", self.terms))


@dataclass(frozen=True)
class Product(Expr):
    """An ordered product: scalars scale, matrices multiply in the order written."""

    factors: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.factors

    def latex(self) -> str:
        parts = []
        for i, f in enumerate(self.factors):
            if i == 0 and f == Const(sympy.Integer(-1)) and len(self.factors) > 1:
                parts.append("-")
                continue
            s = f.latex()
            # Wrapped where the reader would otherwise group differently: a sum, an odot
            # (looser than juxtaposition), a sign after the first factor, and a gradient
            # or Hessian with factors after it (a prefix operator takes the rest).
            wrap = isinstance(f, Add | Hadamard) or (i > 0 and s.startswith("-")) or (
                isinstance(f, Gradient | Hessian) and i < len(self.factors) - 1
            )
            parts.append(f"\\left({s}\\right)" if wrap else s)
        return " ".join(parts).replace("- ", "-", 1) if parts and parts[0] == "-" else " ".join(parts)

    def __hash__(self) -> int:
        return hash(("Product", self.factors))


@dataclass(frozen=True)
class Div(Expr):
    num: Expr
    den: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.num, self.den)

    def latex(self) -> str:
        return f"\\frac{{{self.num.latex()}}}{{{self.den.latex()}}}"

    def __hash__(self) -> int:
        return hash(("Div", self.num, self.den))


@dataclass(frozen=True)
class Power(Expr):
    """A power: any scalar exponent of a scalar, an integer exponent of a square matrix."""

    base: Expr
    exponent: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.base, self.exponent)

    def latex(self) -> str:
        return f"{_base(self.base)}^{{{self.exponent.latex()}}}"

    def __hash__(self) -> int:
        return hash(("Power", self.base, self.exponent))


@dataclass(frozen=True)
class Transpose(Expr):
    arg: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)

    def latex(self) -> str:
        return f"{_base(self.arg)}^T"

    def __hash__(self) -> int:
        return hash(("Transpose", self.arg))


@dataclass(frozen=True)
class Inverse(Expr):
    arg: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)

    def latex(self) -> str:
        return f"{_base(self.arg)}^{{-1}}"

    def __hash__(self) -> int:
        return hash(("Inverse", self.arg))


@dataclass(frozen=True)
class Apply(Expr):
    """A named function: elementwise (exp, log, sigmoid, ...), tr, det, or diag of a vector."""

    func: str
    arg: Expr

    def __post_init__(self) -> None:
        if self.func not in FUNCTIONS:
            raise UnsupportedError(f"unknown function {self.func!r}")

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)

    def latex(self) -> str:
        name = {"sigmoid": "\\sigma", "tr": "\\operatorname{tr}", "diag": "\\operatorname{diag}",
                "relu": "\\operatorname{ReLU}"}.get(self.func)
        if self.func == "abs":
            return f"\\left|{self.arg.latex()}\\right|"
        if self.func in ("step", "closed_step"):  # the indicator the reader reads back
            cmp = ">" if self.func == "step" else "\\geq"
            return f"\\mathbb{{1}}\\left[{self.arg.latex()} {cmp} 0\\right]"
        name = name or "\\" + self.func
        return f"{name}\\left({self.arg.latex()}\\right)"

    def __hash__(self) -> int:
        return hash(("Apply", self.func, self.arg))


@dataclass(frozen=True)
class Max(Expr):
    """Elementwise maximum of operands of one shape (a scalar operand is broadcast)."""

    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args

    def latex(self) -> str:
        return "\\max\\left(" + ", ".join(a.latex() for a in self.args) + "\\right)"

    def __hash__(self) -> int:
        return hash(("Max", self.args))


@dataclass(frozen=True)
class Hadamard(Expr):
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def latex(self) -> str:
        return f"{_odot_operand(self.left)} \\odot {_odot_operand(self.right)}"

    def __hash__(self) -> int:
        return hash(("Hadamard", self.left, self.right))


@dataclass(frozen=True)
class MatrixLit(Expr):
    """A matrix written out entry by entry; every entry is a scalar expression."""

    rows: tuple[tuple[Expr, ...], ...]

    def children(self) -> tuple[Expr, ...]:
        return tuple(e for row in self.rows for e in row)

    def latex(self) -> str:
        body = " \\\\ ".join(" & ".join(e.latex() for e in row) for row in self.rows)
        return f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"

    def __hash__(self) -> int:
        return hash(("MatrixLit", self.rows))


@dataclass(frozen=True)
class Derivative(Expr):
    """``d f / d v`` in the claim's layout; two variables mean the second partial of a scalar.

    ``wrt`` holds declared, independent variables; for ``(u, v)`` the meaning is
    d/du (df/dv), which for smooth f is the same as the other order.
    """

    f: Expr
    wrt: tuple[Var, ...]

    def children(self) -> tuple[Expr, ...]:
        return (self.f, *self.wrt)

    def names(self) -> frozenset[str]:
        return self.f.names() | frozenset(v.name for v in self.wrt)

    def latex(self) -> str:
        if len(self.wrt) == 1:
            return f"\\frac{{\\partial {_wrap(self.f)}}}{{\\partial {self.wrt[0].latex()}}}"
        order = len(self.wrt)
        dens = " ".join(f"\\partial {v.latex()}" for v in self.wrt)
        return f"\\frac{{\\partial^{order} {_wrap(self.f)}}}{{{dens}}}"

    def __hash__(self) -> int:
        return hash(("Derivative", self.f, self.wrt))


@dataclass(frozen=True)
class Gradient(Expr):
    """The gradient of a scalar as a column, whatever the layout."""

    f: Expr
    wrt: Var

    def children(self) -> tuple[Expr, ...]:
        return (self.f, self.wrt)

    def latex(self) -> str:
        return f"\\nabla_{{{self.wrt.latex()}}} {_wrap(self.f)}"

    def __hash__(self) -> int:
        return hash(("Gradient", self.f, self.wrt))


@dataclass(frozen=True)
class Hessian(Expr):
    """The matrix of second partials of a scalar by the entries of a vector."""

    f: Expr
    wrt: Var

    def children(self) -> tuple[Expr, ...]:
        return (self.f, self.wrt)

    def latex(self) -> str:
        return f"\\nabla^2_{{{self.wrt.latex()}}} {_wrap(self.f)}"

    def __hash__(self) -> int:
        return hash(("Hessian", self.f, self.wrt))


@dataclass(frozen=True)
class At(Expr):
    """``expr`` evaluated where each listed variable takes the given value: grad f at (0, 1).

    Without it a derivative could only be stated everywhere; a claim about one point (a
    stationary point, a Hessian minor at the origin) needs the derivative taken first and the
    point substituted after.
    """

    expr: Expr
    values: tuple[tuple[Var, Expr], ...]

    def children(self) -> tuple[Expr, ...]:
        return (self.expr, *(part for pair in self.values for part in pair))

    def latex(self) -> str:
        where = ", ".join(f"{v.latex()} = {value.latex()}" for v, value in self.values)
        return f"\\left. {self.expr.latex()} \\right|_{{{where}}}"

    def __hash__(self) -> int:
        return hash(("At", self.expr, self.values))


#: THE node registry: every class an expression tree is made of. Walkers dispatch on it
#: (:class:`verify.model.visitor.Visitor`), the codec builds only these, and
#: ``tests/test_visitor.py`` checks that every walker says what it does with each one.
NODES: tuple[type[Expr], ...] = tuple(_REGISTRY)


def _base(e: Expr) -> str:
    """A superscript's base: bare only if it is one token (a name without its own superscript,
    a non-negative number, I); otherwise in parentheses, so the superscript binds to all of it."""
    s = e.latex()
    bare = (isinstance(e, Var) and "^" not in e.name) or isinstance(e, Identity) or (
        isinstance(e, Const) and not s.startswith("-")
    )
    return s if bare else f"\\left({s}\\right)"


def _odot_operand(e: Expr) -> str:
    s = e.latex()
    return f"\\left({s}\\right)" if isinstance(e, Add | Hadamard) or s.startswith("-") else s


def _wrap(e: Expr) -> str:
    s = e.latex()
    return s if isinstance(e, Var) else f"\\left({s}\\right)"


# ---------------------------------------------------------------------------------------
# Convenience constructors for writing claims in Python.


def D(f: object, *wrt: Var) -> Derivative:
    return Derivative(lift(f), tuple(wrt))


def grad(f: object, wrt: Var) -> Gradient:
    return Gradient(lift(f), wrt)


def hessian(f: object, wrt: Var) -> Hessian:
    return Hessian(lift(f), wrt)


def at(expr: object, *values: tuple[Var, object]) -> At:
    """``at(D(f, x1), (x1, 0), (x2, 1))``: the derivative at the point x1 = 0, x2 = 1."""
    return At(lift(expr), tuple((v, lift(value)) for v, value in values))


def mat(rows: list[list[object]]) -> MatrixLit:
    return MatrixLit(tuple(tuple(lift(e) for e in row) for row in rows))


def col(*entries: object) -> MatrixLit:
    return MatrixLit(tuple((lift(e),) for e in entries))


def apply(func: str, arg: object) -> Apply:
    return Apply(func, lift(arg))


def maximum(*args: object) -> Max:
    return Max(tuple(lift(a) for a in args))


def _index_exponent(e: Expr) -> bool:
    """An exponent that is an index letter, possibly plus or minus an integer: k, k + 1. A matrix
    to such a power is defined for the values the index takes (integers, from a recurrence's
    base); the evaluators compute it only for a diagonal matrix, and refuse it otherwise."""
    if isinstance(e, Var):
        return True
    if isinstance(e, Add) and len(e.terms) == 2:
        a, b = e.terms
        return (isinstance(a, Var) and isinstance(b, Const) and b.value.is_integer) or (
            isinstance(b, Var) and isinstance(a, Const) and a.value.is_integer)
    return False


def contains(e: Expr, kinds: tuple[type[Expr], ...]) -> bool:
    """Whether a node of one of ``kinds`` occurs anywhere in ``e`` (an answer "in the entries" has no
    matrix written out nor transposed: ``contains(answer, (MatrixLit, Transpose))``)."""
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, kinds):
            return True
        stack.extend(node.children())
    return False


def substitute(e: Expr, mapping: Mapping[str, Expr]) -> Expr:
    """``e`` with each named Var replaced: a sum's indexed names by one member each, a sample
    count by the number it is read at.

    A name replaced by another name is renamed everywhere, bound or not. A name given a value is
    a point, and respects what binds it: a variable set by an ``at`` keeps its binding there (the
    value reaches only the values given), and a derivative by it is taken first and evaluated at
    the value after (``at``), as "the gradient, at x_1 = 0" means; d/d0 means nothing."""
    if isinstance(e, Var):
        return mapping.get(e.name, e)
    valued = {name for name, value in mapping.items() if not isinstance(value, Var)}
    if isinstance(e, At) and valued & {v.name for v, _ in e.values}:
        kept = {v.name for v, _ in e.values} & valued
        inner = {k: v for k, v in mapping.items() if k not in kept}
        return At(substitute(e.expr, inner), tuple((_renamed(v, mapping), substitute(value, mapping))
                                                   for v, value in e.values))
    if isinstance(e, Derivative | Gradient | Hessian):
        wrt = e.wrt if isinstance(e, Derivative) else (e.wrt,)
        points = [v for v in dict.fromkeys(wrt) if v.name in valued]
        if points:
            rest = {k: v for k, v in mapping.items() if k not in {p.name for p in points}}
            return At(substitute(e, rest), tuple((v, mapping[v.name]) for v in points))
    if not dataclasses.is_dataclass(e):  # pragma: no cover - every node is a dataclass
        return e
    changes = {f.name: _substitute_value(getattr(e, f.name), mapping) for f in dataclasses.fields(e)}
    return dataclasses.replace(e, **changes)


def _renamed(v: Var, mapping: Mapping[str, Expr]) -> Var:
    """A bound variable under a substitution: renamed by a name, kept when given a value."""
    value = mapping.get(v.name)
    return value if isinstance(value, Var) else v


def replace_subtree(e: Expr, old: Expr, new: Expr) -> Expr:
    """``e`` with every subtree equal to ``old`` replaced by ``new`` (an intermediate quantity
    made a variable of its own: J as a function of z_2)."""
    if e == old:
        return new
    if not dataclasses.is_dataclass(e):  # pragma: no cover - every node is a dataclass
        return e
    changes = {f.name: _replace_value(getattr(e, f.name), old, new) for f in dataclasses.fields(e)}
    return dataclasses.replace(e, **changes)


def _replace_value(value: Any, old: Expr, new: Expr) -> Any:
    if isinstance(value, Expr):
        return replace_subtree(value, old, new)
    if isinstance(value, tuple):
        return tuple(_replace_value(v, old, new) for v in value)
    return value


def _substitute_value(value: Any, mapping: Mapping[str, Expr]) -> Any:
    if isinstance(value, Expr):
        return substitute(value, mapping)
    if isinstance(value, tuple):
        return tuple(_substitute_value(v, mapping) for v in value)
    return value


# ---------------------------------------------------------------------------------------
# Shapes.


def _same(a: Dim, b: Dim) -> bool:
    return a == b or a == ANY or b == ANY


def _pick(a: Dim, b: Dim) -> Dim:
    return b if a == ANY else a


def shape_of(e: Expr, symbols: Mapping[str, Symbol], layout: str = "numerator") -> Shape:
    """The shape of ``e``, or a :class:`ShapeError` that says which operands disagree."""
    return _Shapes(symbols, layout).of(e)


class _Shapes(Visitor):
    """:func:`shape_of` for one symbol table and layout, one method per node."""

    def __init__(self, symbols: Mapping[str, Symbol], layout: str) -> None:
        self.symbols = symbols
        self.layout = layout

    def of(self, e: Expr) -> Shape:
        out: Shape = self.visit(e)
        return out

    def unhandled(self, e: Expr, *args: object) -> Shape:
        raise UnsupportedError(f"unknown expression node {type(e).__name__}")

    def _Var(self, e: Var) -> Shape:
        if e.name not in self.symbols:
            raise UndeclaredName(f"{e.name!r} is not declared")
        return self.symbols[e.name].shape

    def _Const(self, e: Const) -> Shape:
        return SCALAR

    def _Identity(self, e: Identity) -> Shape:
        return Shape(e.size or ANY, e.size or ANY)

    def _Zero(self, e: Zero) -> Shape:
        return e.shape

    def _Add(self, e: Add) -> Shape:
        shape = self.of(e.terms[0])
        for t in e.terms[1:]:
            s = self.of(t)
            if not (_same(shape.rows, s.rows) and _same(shape.cols, s.cols)):
                raise ShapeError(f"cannot add {shape} and {s}: {e.latex()}")
            shape = Shape(_pick(shape.rows, s.rows), _pick(shape.cols, s.cols))
        return shape

    def _Product(self, e: Product) -> Shape:
        shape = self.of(e.factors[0])
        for f in e.factors[1:]:
            s = self.of(f)
            if s.is_scalar:
                continue
            if shape.is_scalar:
                shape = s
                continue
            if not _same(shape.cols, s.rows):
                raise ShapeError(f"cannot multiply {shape} by {s}: {e.latex()}")
            # I (square, size from context) takes the size it meets: I x is n x 1, x^T I is 1 x n.
            shape = Shape(s.rows if shape.rows == ANY else shape.rows, shape.cols if s.cols == ANY else s.cols)
        return shape

    def _Div(self, e: Div) -> Shape:
        if not self.of(e.den).is_scalar:
            raise ShapeError(f"can only divide by a scalar: {e.latex()}")
        return self.of(e.num)

    def _Power(self, e: Power) -> Shape:
        base = self.of(e.base)
        if not self.of(e.exponent).is_scalar:
            raise ShapeError(f"an exponent must be a scalar: {e.latex()}")
        if base.is_scalar:
            return base
        if not base.is_square:
            raise ShapeError(f"only a square matrix has powers, not {base}: {e.latex()}")
        if not (isinstance(e.exponent, Const) and e.exponent.value.is_integer) and not _index_exponent(e.exponent):
            raise ShapeError(f"a matrix power needs an integer exponent: {e.latex()}")
        return base

    def _Transpose(self, e: Transpose) -> Shape:
        return self.of(e.arg).T

    def _Inverse(self, e: Inverse) -> Shape:
        s = self.of(e.arg)
        if not s.is_square:
            raise ShapeError(f"only a square matrix has an inverse, not {s}: {e.latex()}")
        return s

    def _Apply(self, e: Apply) -> Shape:
        s = self.of(e.arg)
        if e.func in ELEMENTWISE:
            return s
        if e.func in REDUCING:
            if not s.is_square:
                raise ShapeError(f"{e.func} needs a square matrix, not {s}: {e.latex()}")
            return SCALAR
        if not s.is_column:
            raise ShapeError(f"diag needs a vector, not {s}: {e.latex()}")
        return Shape(s.rows, s.rows)

    def _Max(self, e: Max | Hadamard) -> Shape:
        args = e.args if isinstance(e, Max) else (e.left, e.right)
        shapes = [self.of(a) for a in args]
        wide = [s for s in shapes if not s.is_scalar]
        if any(s != wide[0] for s in wide) or (isinstance(e, Hadamard) and len(wide) == 1):
            raise ShapeError(f"operands of different shapes: {e.latex()}")
        return wide[0] if wide else SCALAR

    _Hadamard = _Max

    def _MatrixLit(self, e: MatrixLit) -> Shape:
        widths = {len(r) for r in e.rows}
        if len(widths) != 1:
            raise ShapeError(f"rows of different lengths: {e.latex()}")
        for entry in e.children():
            if not self.of(entry).is_scalar:
                raise UnsupportedError(f"a matrix entry must be a scalar: {entry.latex()}")
        return Shape(len(e.rows), widths.pop())

    def _Derivative(self, e: Derivative) -> Shape:
        return _derivative_shape(e, self.symbols, self.layout)

    def _Gradient(self, e: Gradient | Hessian) -> Shape:
        f = self.of(e.f)
        v = _variable(e.wrt, self.symbols)
        if not f.is_scalar or not v.shape.is_column:
            raise ShapeError(f"a gradient or Hessian is of a scalar by a vector: {e.latex()}")
        n = v.shape.rows
        return Shape(n, 1) if isinstance(e, Gradient) else Shape(n, n)

    _Hessian = _Gradient

    def _At(self, e: At) -> Shape:
        for v, value in e.values:
            want = _variable(v, self.symbols).shape
            got = self.of(value)
            if got != want:
                raise ShapeError(f"{v.name} is {want} but is given the value {got}: {e.latex()}")
        return self.of(e.expr)


def _variable(v: Var, symbols: Mapping[str, Symbol]) -> Symbol:
    if v.name not in symbols:
        raise UndeclaredName(f"{v.name!r} is not declared")
    s = symbols[v.name]
    if s.of:
        raise UnsupportedError(
            f"cannot differentiate by {v.name}: it is declared as a function of {', '.join(s.of)}"
        )
    return s


def _derivative_shape(e: Derivative, symbols: Mapping[str, Symbol], layout: str) -> Shape:
    f = shape_of(e.f, symbols, layout)
    variables = [_variable(v, symbols) for v in e.wrt]
    if len(variables) > 1:
        if not f.is_scalar or not all(v.shape.is_scalar for v in variables):
            raise UnsupportedError(f"higher derivatives only of a scalar by scalars: {e.latex()}")
        return SCALAR
    v = variables[0]
    if v.symmetric:
        raise UnsupportedError(
            f"a derivative by the symmetric matrix {v.name} is not defined by the contract"
        )
    if v.orthogonal:  # V^T V = I ties its entries: no derivative along each of them
        raise UnsupportedError(f"a derivative by the orthogonal matrix {v.name} is not defined: "
                               "its entries are not independent variables")
    vs = v.shape
    if vs.is_scalar:
        return f
    if f.is_scalar:
        if vs.is_column:
            return Shape(1, vs.rows) if layout == "numerator" else Shape(vs.rows, 1)
        return vs.T if layout == "numerator" else vs
    if f.is_column and vs.is_column:
        return Shape(f.rows, vs.rows) if layout == "numerator" else Shape(vs.rows, f.rows)
    raise UnsupportedError(
        f"the derivative of a {f} value by a {vs} variable is not a matrix: {e.latex()}"
    )
