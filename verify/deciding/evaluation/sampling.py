"""Exact evaluation of a claim's sides at a random point, without symbolic entries.

Refuting does not need the symbolic instantiation that proving does, and at larger sizes
that instantiation is most of the cost (the inverse of a symbolic 4 x 4 matrix alone has
hundreds of terms). Here every symbol gets exact rational entries; a variable that something
is differentiated by is v0 + s with s symbolic, and every value is a jet, a polynomial in the
s's truncated at the order of differentiation (:mod:`verify.deciding.evaluation.jets`). A symbol declared
``of(v)`` is realised by a random polynomial in those s's, so its jet at the point (value,
first and second derivatives) is known exactly and is what the counterexample reports: any
jet is realised by a polynomial, so the counterexample is a real one.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import sympy

from verify.deciding.evaluation.instantiate import entry_name, evaluate_sides, jet_symbol
from verify.deciding.evaluation.jets import JetEvaluator
from verify.deciding.evaluation.rationals import Number, Rows, as_matrix, number, plain_values, random_matrix, satisfies
from verify.errors import ShapeError, UnsupportedError
from verify.model import (
    Add,
    Apply,
    At,
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
    Symbol,
    Transpose,
    Var,
    Visitor,
    Zero,
)


class _DerivativeOrder(Visitor):
    """The largest number of differentiations along any path below a node."""

    generic = frozenset({Var, Const, Identity, Zero, Add, Product, Div, Power, Transpose, Inverse, Apply,
                         Max, Hadamard, MatrixLit, At})

    def generic_visit(self, e: Expr, *args: object) -> int:
        return max((self.visit(c) for c in e.children()), default=0)

    unhandled = generic_visit  # a node from outside the model: its children, as any other

    def _Derivative(self, e: Derivative) -> int:
        return len(e.wrt) + self.generic_visit(e)

    def _Gradient(self, e: Gradient) -> int:
        return 1 + self.generic_visit(e)

    def _Hessian(self, e: Hessian) -> int:
        return 2 + self.generic_visit(e)


class _Differentiated(Visitor):
    """Names of every variable something below a node is differentiated by."""

    generic = _DerivativeOrder.generic

    def generic_visit(self, e: Expr, *args: object) -> set[str]:
        out: set[str] = set()
        for c in e.children():
            out |= self.visit(c)
        return out

    unhandled = generic_visit  # a node from outside the model: its children, as any other

    def _Derivative(self, e: Derivative) -> set[str]:
        return {v.name for v in e.wrt} | self.generic_visit(e)

    def _Gradient(self, e: Gradient) -> set[str]:
        return {e.wrt.name} | self.generic_visit(e)

    _Hessian = _Gradient


_DERIVATIVE_ORDER = _DerivativeOrder()
_DIFFERENTIATED = _Differentiated()


#: Walks of the trees last asked about, by kind and identity (each point of a claim asks them of
#: the same two sides again: a tenth of a small claim's sampling): (kind, id) -> (tree, result).
#: Holding the tree keeps its id from being reused while it is here; bounded, emptied when full.
_WALKED: dict[tuple[str, int], tuple[object, Any]] = {}
T = TypeVar("T")


def walked(kind: str, e: Expr, walk: Callable[[Expr], T]) -> T:
    """``walk(e)``, computed once per tree and ``kind`` while the tree is remembered (the result
    must not be changed by the caller: it is shared)."""
    key = (kind, id(e))
    hit = _WALKED.get(key)
    if hit is None or hit[0] is not e:
        if len(_WALKED) >= 1024:
            _WALKED.clear()
        hit = _WALKED[key] = (e, walk(e))
    return hit[1]


def _walked(e: Expr) -> tuple[int, frozenset[str]]:
    return walked("derivatives", e, lambda t: (_DERIVATIVE_ORDER.visit(t), frozenset(_DIFFERENTIATED.visit(t))))


def derivative_order(e: Expr) -> int:
    """The largest number of differentiations along any path of the tree."""
    return _walked(e)[0]


def differentiated(e: Expr) -> set[str]:
    """Names of every variable something is differentiated by."""
    return set(_walked(e)[1])


def _atoms(s: Symbol, rows: int, cols: int) -> sympy.Matrix:
    def entry(i: int, j: int) -> sympy.Symbol:
        if s.symmetric and j < i:
            i, j = j, i
        return sympy.Symbol(entry_name(s.name, i, j, (rows, cols)), real=True, positive=s.positive or None)

    return sympy.Matrix(rows, cols, entry)


@dataclass
class Point:
    """One random point: values of every symbol, and the jets of every dependent symbol."""

    symbols: Mapping[str, Symbol]
    sizes: Mapping[str, int]
    order: int
    rng: random.Random
    free: frozenset[str]
    #: draw every value from (0, 1): for claims defined only there (log p, log(1 - p))
    unit: bool = False
    #: draw every value near this magnitude (1000, 10^6); 0 for small numbers
    magnitude: int = 0
    #: every such value with the magnitude's sign (else either sign at random)
    signed: bool = False

    def __post_init__(self) -> None:
        #: for values computed by the Fraction evaluator: the same values by the SymPy evaluator
        self.again: Callable[[], list[sympy.Matrix]] | None = None
        #: the sides' values as Python numbers, where the Fraction evaluator computed them (all
        #: rational, so all defined): comparing these is cheaper than the SymPy matrices' entries
        self.exact: tuple[Rows, ...] | None = None
        #: each symbol's value: a SymPy matrix, or the drawn numbers until a SymPy matrix is asked for
        #: (:attr:`values`). Why: most points are only read by the Fraction evaluator, and making
        #: SymPy matrices and entry symbols of every value was 40% of a point's cost.
        self._values: dict[str, sympy.Matrix | Rows] = {}
        #: each variable differentiated by (``free``), with its shape: the offsets s of v = v0 + s
        self.variables: dict[str, tuple[int, int]] = {}
        self._atoms: dict[str, sympy.Matrix] | None = None
        self._substitution: dict[sympy.Symbol, sympy.Rational] | None = None
        self.jets: dict[str, str] = {}
        #: each dependent symbol drawn so far, in the order drawn (once per point: every evaluator
        #: of this point reads the same draw)
        self._functions: dict[str, Function] = {}
        for name, s in self.symbols.items():
            if s.of or not s.shape.letters <= self.sizes.keys():
                continue  # functions are realised on demand; unsized symbols are not mentioned
            rows, cols = s.shape.bind(self.sizes)
            drawn = plain_values(s, rows, cols, self.rng, self.unit, self.magnitude, self.signed)
            self._values[name] = drawn if drawn is not None else random_matrix(
                s, rows, cols, self.rng, self.unit, self.magnitude, self.signed)
            if name in self.free:
                refuse_structured_variable(s)
                self.variables[name] = (rows, cols)

    @property
    def values(self) -> dict[str, sympy.Matrix]:
        """Every symbol's value as a SymPy matrix (made here from the drawn numbers, once); a caller
        may replace one (a point put on a kink)."""
        for name, value in self._values.items():
            if isinstance(value, tuple):
                self._values[name] = as_matrix(value)
        return self._values  # every entry is a matrix now

    def matrix(self, name: str) -> sympy.Matrix:
        """One symbol's value as a SymPy matrix (KeyError: no value at this point)."""
        value = self._values[name]
        if isinstance(value, tuple):
            value = self._values[name] = as_matrix(value)
        return value

    def drawn(self, name: str) -> sympy.Matrix | Rows | None:
        """One symbol's value without making a SymPy matrix of it (None: no value at this point)."""
        return self._values.get(name)

    def raw(self) -> dict[str, sympy.Matrix | Rows]:
        """Every value as it is held (for checks that need no SymPy matrix)."""
        return dict(self._values)

    @property
    def atoms(self) -> dict[str, sympy.Matrix]:
        """The offset symbols of each variable differentiated by, entry by entry (a symmetric one's
        mirrored entries share one), made when first asked for: only the SymPy route names them."""
        if self._atoms is None:
            self._atoms = {name: _atoms(self.symbols[name], rows, cols)
                           for name, (rows, cols) in self.variables.items()}
        return self._atoms

    @property
    def substitution(self) -> dict[sympy.Symbol, sympy.Rational]:
        """Each offset symbol's value at the point (a kink may change one after)."""
        if self._substitution is None:
            values = self.values
            self._substitution = {a: v for name, atoms in self.atoms.items()
                                  for a, v in zip(atoms, values[name], strict=True)}
        return self._substitution

    def realise(self, s: Symbol) -> sympy.Matrix:
        """A symbol's value for the SymPy evaluator: v0 + s for a variable differentiated by, the
        realising polynomials of a dependent symbol (drawn once, :meth:`function`)."""
        if not s.of:
            if s.name in self.atoms:
                return self.matrix(s.name) + self.atoms[s.name]  # v = v0 + s
            return self.matrix(s.name)
        return self.function(s).matrix(self)

    def function(self, s: Symbol) -> Function:
        """The dependent symbol ``s`` at this point: a value and the random Taylor coefficients of a
        polynomial in the offsets of the variables it depends on (any jet is some function's),
        drawn on first use, in the order the SymPy evaluator would draw them."""
        if s.name in self._functions:
            return self._functions[s.name]
        rows, cols = s.shape.bind(self.sizes)
        keys: list[tuple[str, int, int]] = []  # each offset the polynomial is in (a symmetric one's repeat)
        for v in s.of:
            if v not in self.variables:  # never differentiated by: the function is just a value
                continue
            v_rows, v_cols = self.variables[v]
            mirrored = self.symbols[v].symmetric
            keys += [(v, j, i) if mirrored and j < i else (v, i, j) for i in range(v_rows) for j in range(v_cols)]
        drawn = plain_values(s, rows, cols, self.rng)
        value = drawn if drawn is not None else random_matrix(s, rows, cols, self.rng)
        self._values[s.name] = value
        terms: dict[tuple[int, int], list[tuple[tuple[int, ...], Number]]] = {}
        for i in range(rows):
            for j in range(cols):
                if s.symmetric and j < i:
                    continue
                terms[(i, j)] = [(combo, number(self.rng)) for k in range(1, self.order + 1)
                                 for combo in itertools.combinations_with_replacement(range(len(keys)), k)]
        f = Function(s, rows, cols, tuple(keys), value, terms)
        self._functions[s.name] = f
        return f

    @property
    def first(self) -> dict[str, tuple[list[sympy.Symbol], dict[tuple[int, int], list[sympy.Rational]]]]:
        """First derivatives at the point of each dependent symbol's polynomial (on demand)."""
        out = {}
        for name, f in self._functions.items():
            variables = f.variables(self)
            first: dict[tuple[int, int], list[sympy.Rational]] = {}
            for (i, j), terms in f.terms.items():
                # d/ds_k at s = 0 of value + sum coeff * s^combo / combo!: the linear terms' coefficients,
                # summed over the positions that share s_k (a symmetric variable's mirrored entries)
                linear: dict[tuple[str, int, int], Number] = {}
                for combo, coeff in terms:
                    if len(combo) == 1:
                        key = f.keys[combo[0]]
                        linear[key] = linear.get(key, 0) + coeff
                first[(i, j)] = [sympy.Rational(linear.get(key, 0)) for key in f.keys]
                if f.symbol.symmetric:
                    first[(j, i)] = first[(i, j)]
            out[name] = (variables, first)
        return out

    @property
    def jet_values(self) -> dict[sympy.Symbol, sympy.Rational]:
        """Every jet value by the symbol the symbolic route names it with (``dx[1]/dz[2]``).

        Built on demand: naming needs SymPy function and derivative objects, which cost more
        than the sampling itself, and only a counterexample is ever shown.
        """
        out: dict[sympy.Symbol, sympy.Rational] = {}
        for f in self._functions.values():
            variables = f.variables(self)
            for (i, j), terms in f.terms.items():
                name = entry_name(f.symbol.name, i, j, (f.rows, f.cols))
                out[sympy.Symbol(name, real=True)] = f.entry(i, j)
                if not terms:
                    continue
                g = sympy.Function(name, real=True)(*variables)
                for combo, coeff in terms:
                    out[jet_symbol(sympy.Derivative(g, *(variables[c] for c in combo)))] = sympy.Rational(coeff)
        return out

    def derivative_values(self) -> dict[str, sympy.Matrix | sympy.Rational]:
        """First derivatives of the dependent symbols, in the shapes people write them.

        ``dA/dt`` has A's shape (A a function of a scalar t); ``dx/dz`` is the m x p Jacobian
        (x an m-vector function of a p-vector z); anything else entry by entry.
        """
        out: dict[str, sympy.Matrix | sympy.Rational] = {}
        for name, (variables, first) in self.first.items():
            if not variables:
                continue
            rows, cols = self.symbols[name].shape.bind(self.sizes)
            of = [v for v in self.symbols[name].of if v in self.atoms]
            if len(of) == 1 and len(variables) == 1:
                out[f"d{name}/d{of[0]}"] = sympy.Matrix([[first[(i, j)][0] for j in range(cols)]
                                                         for i in range(rows)])
            elif len(of) == 1 and cols == 1 and self.atoms[of[0]].shape[1] == 1:
                out[f"d{name}/d{of[0]}"] = sympy.Matrix([first[(i, 0)] for i in range(rows)])
            else:
                for (i, j), coeffs in sorted(first.items()):
                    for v, c in zip(variables, coeffs, strict=True):
                        out[f"d{entry_name(name, i, j, (rows, cols))}/d{v}"] = c
        return out


@dataclass
class Function:
    """A dependent symbol at a point: its value, and per entry drawn (a symmetric one's upper
    triangle) the coefficient drawn for each multi-index ``combo`` of positions in ``keys``, the
    term coeff * prod(s_k ^ count) / prod(count!) of its realising polynomial. The Fraction
    evaluator reads these numbers; SymPy objects (the polynomials, their variables) are made only
    when the SymPy evaluator or a counterexample asks."""

    symbol: Symbol
    rows: int
    cols: int
    keys: tuple[tuple[str, int, int], ...]
    value: sympy.Matrix | Rows
    terms: dict[tuple[int, int], list[tuple[tuple[int, ...], Number]]]
    _matrix: sympy.Matrix | None = None
    _polynomials: dict[tuple[int, int], sympy.Expr] | None = None

    def entry(self, i: int, j: int) -> sympy.Rational:
        """The value of entry (i, j) as a SymPy number."""
        if isinstance(self.value, tuple):
            return sympy.Rational(self.value[i][j])
        return self.value[i, j]

    def variables(self, point: Point) -> list[sympy.Symbol]:
        """The offset symbols, position by position (the atoms of the variables it depends on)."""
        return [point.atoms[v][i, j] for v, i, j in self.keys]

    def polynomials(self, point: Point) -> dict[tuple[int, int], sympy.Expr]:
        """Each drawn entry's realising polynomial in the offsets, as SymPy expressions."""
        if self._polynomials is None:
            variables = self.variables(point)
            out: dict[tuple[int, int], sympy.Expr] = {}
            for (i, j), terms in self.terms.items():
                poly = self.entry(i, j)
                for combo, coeff in terms:
                    term = sympy.Rational(coeff)
                    factorial = 1
                    for idx, count in _counts(combo):
                        term *= variables[idx] ** count
                        factorial *= sympy.factorial(count)
                    poly += term / factorial
                out[(i, j)] = poly
            self._polynomials = out
        return self._polynomials

    def matrix(self, point: Point) -> sympy.Matrix:
        """The SymPy evaluator's value of the symbol: a matrix of the realising polynomials."""
        if self._matrix is None:
            polynomials = self.polynomials(point)
            mirrored = self.symbol.symmetric
            self._matrix = sympy.Matrix(self.rows, self.cols,
                                        lambda i, j: polynomials[(j, i) if mirrored and j < i else (i, j)])
        return self._matrix


def refuse_structured_variable(s: Symbol) -> None:
    """A matrix declared orthogonal is no variable to differentiate by: its entries are tied by
    V^T V = I, and a derivative along every entry would leave the declaration (diagonal and positive
    definite matrices are symmetric, which the model refuses already)."""
    if s.orthogonal or s.diagonal or s.positive_definite:
        raise UnsupportedError(f"a derivative by {s.name} is not defined: it is declared "
                               f"{s.describe().split(', ', 1)[1]}, so its entries are not independent variables")


def outside(point: Point) -> None:
    """Raise ValueError (the point is not used) when a value lies outside its symbol's declaration.

    Every drawn value is inside (:func:`~verify.deciding.evaluation.rationals.random_matrix`), and a
    point put on a kink keeps it (:mod:`verify.deciding.evaluation.kinks`): this is the last guard
    before a value can become a counterexample shown to the user."""
    for name, value in point.raw().items():
        s = point.symbols[name]
        if not s.of and not satisfies(s, value):
            raise ValueError(f"{name} drawn outside its declaration ({s.describe()})")


class NotReal(ValueError):
    """A side is certainly not a real number at this point (the log or square root of a value a ball
    shows negative): the point is not used, as the SymPy path would find, without its cost."""


class Agreed(Exception):
    """Balls of the two sides overlap in every entry at this point: no difference shown here
    (never a verdict; see :mod:`verify.deciding.evaluation.ball_jets`)."""


def _by_balls(sides: tuple[Expr, ...], symbols: Mapping[str, Symbol], sizes: Mapping[str, int], layout: str,
              point: Point, order: int) -> None:
    """Raise :class:`Agreed` where the sides' balls show no certain difference; return (for the exact
    SymPy values) where they do, or where the balls decline. Dependent symbols are the point's own
    draws (:meth:`Point.function`), the same for the SymPy path after."""
    from verify.deciding.evaluation.ball_jets import BallPointEvaluator, certainly_differ
    from verify.deciding.evaluation.fraction_jets import Declined

    ball = BallPointEvaluator(symbols, sizes, layout, point, order)
    try:
        lhs, rhs = ball.balls(sides)
    except NotReal:
        raise  # undefined here: a ValueError to every caller, like an undefined value of the SymPy path
    except (Declined, ZeroDivisionError, ValueError):
        return
    shapes = [(len(side), len(side[0])) for side in (lhs, rhs)]
    if shapes[0] != shapes[1]:  # what the caller says of exact values of these shapes, without them
        raise ShapeError(f"the sides have shapes {shapes[0]} and {shapes[1]}")
    if all(x.is_finite() for side in (lhs, rhs) for row in side for x in row) and not certainly_differ(lhs, rhs):
        raise Agreed


def _counts(combo: tuple[int, ...]) -> list[tuple[int, int]]:
    out: dict[int, int] = {}
    for c in combo:
        out[c] = out.get(c, 0) + 1
    return sorted(out.items())


def evaluate(
    sides: tuple[Expr, ...],
    symbols: Mapping[str, Symbol],
    sizes: Mapping[str, int],
    layout: str,
    rng: random.Random,
    unit: bool = False,
    use_fractions: bool = True,
    magnitude: int = 0,
    signed: bool = False,
    adjust: Callable[[Point], None] | None = None,
    balls: bool = False,
) -> tuple[list[sympy.Matrix], Point]:
    """Both sides' exact values at one random point (by Fractions where they apply, unless
    ``use_fractions`` is off).

    Raises ZeroDivisionError or ValueError where a side is undefined there, and
    :class:`~verify.deciding.evaluation.jets.Boundary` on a kink of max, |.| or a step. The values may
    hold transcendental constants such as exp(1/2).

    With ``balls``, a caller that only asks whether the sides differ here (a refutation) gets no
    values where they do not: :class:`Agreed` is raised where the Fraction values are equal, or
    where balls (:mod:`verify.deciding.evaluation.ball_jets`, for transcendental values) show no
    entry that certainly differs, and SymPy matrices are made only where one does; ShapeError where
    the two sides have different shapes (the caller would have said so of the values),
    :class:`NotReal` where a side is not a real number.
    """
    free = frozenset().union(*(differentiated(e) for e in sides))
    order = max(1, *(derivative_order(e) for e in sides))
    point = Point(symbols, sizes, order, rng, free, unit, magnitude, signed)
    if adjust is not None:  # e.g. put the point on a kink (verify.deciding.evaluation.kinks)
        adjust(point)
    outside(point)
    # Pure-Python Fractions first: the same exact values many times faster when every operation
    # is rational. Whatever it declines, and every undefined value or kink, is left to the SymPy
    # path on the same point, which reuses the dependent symbols the fast attempt realised (each
    # is drawn once, so the point records one polynomial per symbol for the counterexample).
    from verify.deciding.evaluation.fraction_jets import Declined, PointEvaluator  # it imports this module

    fast = PointEvaluator(symbols, sizes, layout, point, order)

    def by_sympy() -> list[sympy.Matrix]:
        # every dependent symbol as drawn already (Point.function draws each once per point)
        ev = JetEvaluator(symbols, sizes, point.realise, layout, point.atoms, order)
        return [ev.at_point(m) for m in evaluate_sides(ev, sides)]

    if not use_fractions:
        return by_sympy(), point
    try:
        exact = fast.numbers_of(sides)
    except NotReal:  # certain (the log of a rational <= 0): the SymPy path would only find it again
        raise
    except Declined:
        if balls:
            _by_balls(sides, symbols, sizes, layout, point, order)
        return by_sympy(), point
    except (ZeroDivisionError, ValueError):  # Boundary is a ValueError
        return by_sympy(), point
    if balls and len(exact) == 2:  # the caller asks only whether the sides differ: no SymPy matrices
        shapes = [(len(side), len(side[0])) for side in exact]
        if shapes[0] != shapes[1]:
            raise ShapeError(f"the sides have shapes {shapes[0]} and {shapes[1]}")
        if exact[0] == exact[1]:
            raise Agreed
    # A refutation is a promise: before one rests on these values, the caller has them
    # computed again the established way (only then: most points show no difference).
    point.again = by_sympy
    point.exact = exact
    return [as_matrix(n) for n in exact], point
