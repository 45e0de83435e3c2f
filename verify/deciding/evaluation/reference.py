"""A second, independent evaluation of a claim at one size, to confirm a polynomial proof cheaply.

Why: a proof by :mod:`~verify.deciding.evaluation.polynomial_jets` runs the Fraction evaluator's
rules (jets, its determinant, its products), and so do the random points before it, so a wrong
rule there could make the points and the proof agree on a false claim. One point of the SymPy
evaluator (:mod:`~verify.deciding.evaluation.instantiate`) is independent, but on the small
fixed-size claims of a homework (``\\frac{\\partial y_i}{\\partial x_j} = a_{ij}``, the Beale
gradient) it costs more than the whole naive ``simplify(lhs - rhs)`` (SymPy's expression trees,
not the arithmetic, are the cost), and the engine would be slower than naive on exactly the
claims a student checks most.

This module is the same semantics written again, node for node after the SymPy evaluator (not
after the Fraction evaluator: it shares no rule, no jet and no helper that computes a value with
either; only the size of a context-sized I is found by the SymPy evaluator's own helpers), over
python-flint's ``fmpq_mpoly``: every entry of a declared symbol is a variable of a polynomial
ring, a derivative is the polynomial's own ``derivative`` (symbolic differentiation, where the
jets truncate Taylor series), a determinant is a cofactor expansion (where the polynomial route
sums over permutations and SymPy runs Berkowitz), an ``at`` a composition. A symbol declared
``of(...)`` is one random polynomial of the entries it depends on, of the claim's derivative
order: a check, not a proof, for such claims (any smooth function has the jet of some
polynomial of that degree, and with coefficients drawn from a range of 2^31 a wrong chain rule
holds for the drawn one with a chance of about its degree in 2^31).

It answers whether the two sides are the same polynomials (:func:`agrees`), and what their
values are at a random point of the sampling (:func:`values_at`: there the point's offsets are
the ring's variables, an inverse or a division of what the point fixes is FLINT's exact
arithmetic, and a log is its Taylor series cut at the derivative order with one more variable
for its value log u0, which no number it returns may hold). ``None`` wherever it has no rule
(an inverse of what varies, max, another transcendental function, a division by a polynomial, a
derivative by a structured matrix, anything larger than the guards allow), and the caller then
asks the SymPy evaluator as before. ``False`` is never a refutation: only the established
routes refute, and values from here only confirm the Fraction evaluator's.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

import sympy
from flint import fmpq, fmpq_mat, fmpq_mpoly, fmpq_mpoly_ctx

from verify.deciding.evaluation.instantiate import _contextual, _square_size
from verify.deciding.evaluation.polynomial_jets import MAX_POWER, MAX_TERMS, MAX_VARIABLES
from verify.deciding.evaluation.sampling import Point, derivative_order
from verify.errors import ShapeError, UnsupportedError
from verify.model import (
    ANY,
    Add,
    Apply,
    At,
    Const,
    Derivative,
    Div,
    Equality,
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
    shape_of,
)

#: Terms of one dependent symbol's entries together (a random polynomial each): past this the
#: SymPy evaluator's point confirms instead.
MAX_FUNCTION_TERMS = 2_000
#: Determinants are expanded by cofactors: n! products, so no larger than the polynomial route's.
MAX_DET = 6

Rows = tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Grid:
    """A matrix of polynomials (or ints and fmpqs where nothing varies), row by row."""

    rows: Rows

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), len(self.rows[0]) if self.rows else 0)

    def transposed(self) -> Grid:
        return Grid(tuple(zip(*self.rows, strict=True)))

    def scalar(self, what: str) -> Any:
        if self.shape != (1, 1):
            raise UnsupportedError(f"{what} of a {self.shape[0]}x{self.shape[1]} matrix")
        return self.rows[0][0]

    def map(self, f: Any) -> Grid:
        return Grid(tuple(tuple(f(x) for x in row) for row in self.rows))

    def entries(self) -> list[Any]:
        return [x for row in self.rows for x in row]


def _grid(rows: int, cols: int, entry: Any) -> Grid:
    return Grid(tuple(tuple(entry(i, j) for j in range(cols)) for i in range(rows)))


def _mul(a: Any, b: Any) -> Any:
    """a * b, refused where the product could have more than MAX_TERMS terms (FLINT aborts the
    process when an allocation fails under the worker's memory cap: nothing to catch)."""
    if isinstance(a, fmpq_mpoly) and isinstance(b, fmpq_mpoly) and len(a) * len(b) > MAX_TERMS:
        raise UnsupportedError(f"a product of polynomials of {len(a)} and {len(b)} terms")
    return a * b


def _matmul(a: Grid, b: Grid) -> Grid:
    if a.shape[1] != b.shape[0]:
        raise ShapeError(f"cannot multiply {a.shape[0]}x{a.shape[1]} by {b.shape[0]}x{b.shape[1]}")
    columns = list(zip(*b.rows, strict=True))
    return Grid(tuple(tuple(sum((_mul(x, y) for x, y in zip(row, col, strict=True)), 0) for col in columns)
                      for row in a.rows))


def _scale(c: Any, m: Grid) -> Grid:
    return m.map(lambda x: _mul(c, x))


def _eye(n: int) -> Grid:
    return _grid(n, n, lambda i, j: 1 if i == j else 0)


def _cofactor_det(rows: list[list[Any]]) -> Any:
    """Expansion along the first row (a different algorithm from both other evaluators')."""
    n = len(rows)
    if n == 1:
        return rows[0][0]
    total: Any = 0
    for j, a in enumerate(rows[0]):
        if not a:
            continue
        minor = [row[:j] + row[j + 1:] for row in rows[1:]]
        term = _mul(a, _cofactor_det(minor))
        total = total - term if j % 2 else total + term
    return total


def _number(x: Any) -> fmpq:
    """A drawn number (int, Fraction, SymPy Rational) as an fmpq; anything else has no rule here."""
    if isinstance(x, int | Fraction) and not isinstance(x, bool):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, sympy.Rational):
        return fmpq(int(x.p), int(x.q))
    raise UnsupportedError(f"the value {x} is not rational")


def _inverse(m: Grid) -> Grid:
    """The inverse of a matrix of numbers, by FLINT's own exact linear algebra (no rule of ours);
    a matrix that varies has no polynomial inverse."""
    if m.shape[0] != m.shape[1]:
        raise ShapeError("only a square matrix has an inverse")
    numbers: list[fmpq] = []
    for x in m.entries():
        c = _constant(x)
        if c is None:
            raise UnsupportedError("an inverse of a matrix of polynomials is not a polynomial")
        numbers.append(c)
    inverse = fmpq_mat(m.shape[0], m.shape[1], numbers).inv()  # ZeroDivisionError where singular
    return _grid(m.shape[0], m.shape[1], lambda i, j: inverse[i, j])


def _counts(combo: tuple[int, ...]) -> list[tuple[int, int]]:
    return sorted((c, combo.count(c)) for c in set(combo))


def _constant(p: Any) -> fmpq | None:
    """A polynomial that is a number, as an fmpq; None where it varies."""
    if isinstance(p, bool):
        return None
    if isinstance(p, int):
        return fmpq(p)
    if isinstance(p, fmpq):
        return p
    if isinstance(p, fmpq_mpoly) and p.is_constant():
        return fmpq(p.coeffs()[0]) if p else fmpq(0)
    return None


@dataclass
class ReferenceEvaluator(Visitor):
    """The SymPy evaluator's rules over polynomials (see the module docstring)."""

    symbols: Mapping[str, Symbol]
    sizes: Mapping[str, int]
    layout: str
    rng: random.Random
    order: int
    sides: tuple[Expr, ...]
    #: inside an ``at``: the evaluator outside it, and the names the ``at`` gives values to
    #: (they are fresh ring variables here, prefixed by the ``at``'s place)
    outer: ReferenceEvaluator | None = None
    bound: Mapping[str, str] = field(default_factory=dict)
    #: at a random point (to confirm the values a refutation rests on): the offsets s of the
    #: variables differentiated by (v = v0 + s) are the ring's variables, every other symbol is
    #: its value there, a dependent symbol the polynomial the point drew for it
    point: Point | None = None
    _context: Any = None
    _variables: dict[tuple[str, int, int], int] = field(default_factory=dict)
    _cache: dict[str, Grid] = field(default_factory=dict)
    _memo: dict[tuple[int, tuple[int, int] | None, bool], tuple[Expr, Grid]] = field(default_factory=dict)
    #: each ``at`` of the sides (by identity) -> the number that prefixes its fresh variables
    _ats: dict[int, int] = field(default_factory=dict)
    #: at a point, each log of the sides (by identity) -> the number that prefixes its variables
    _log_numbers: dict[int, int] = field(default_factory=dict)
    #: how many derivatives the node being evaluated is under (an ``at``'s inner evaluation
    #: continues its outer's count): at a point, a value under none is needed only at s = 0
    _depth: int = 0

    refuses: ClassVar[Mapping[type[Expr], str]] = {
        Max: "max is not a polynomial",
    }

    def __post_init__(self) -> None:
        if self.outer is not None:
            self._context, self._variables = self.outer._context, self.outer._variables
            return
        # Ring variables: every entry of every mentioned symbol, the entries a function depends
        # on (as the SymPy route's undefined functions take them), and for each ``at`` fresh
        # ones for the names it sets (as the SymPy evaluator's Dummy symbols).
        names = frozenset().union(*(e.names() for e in self.sides))
        if self.point is not None:
            wanted = [(name, name) for name in sorted(self.point.variables)]
        else:
            wanted = [(name, name) for name in sorted(names | {v for n in names if n in self.symbols
                                                                for v in self.symbols[n].of})]
        ats = _ats(self.sides)
        logs = _logs(self.sides) if self.point is not None else []
        for k, at in enumerate(ats):
            wanted += [(f"@{k}:{v.name}", v.name) for v, _ in at.values]
        keys: list[tuple[str, int, int]] = []
        for key, name in wanted:
            s = self.symbols.get(name)
            if s is None:
                raise UnsupportedError(f"{name} is not declared")
            if s.orthogonal:
                raise UnsupportedError(f"{name} is orthogonal: its entries are tied by V^T V = I")
            rows, cols = s.shape.bind(dict(self.sizes))
            keys += [(key, i, j) for i in range(rows) for j in range(cols)
                     if not (s.diagonal and i != j) and not (s.symmetric and j < i)]
        if self.point is not None:
            # At a point, the value of log u there (log u0, not rational) is one more variable per
            # entry of each log: its derivatives are exact, and a side whose value still holds
            # one is not a number this module can give (values_at says None).
            for k, node in enumerate(logs):
                rows, cols = shape_of(node.arg, self.symbols, self.layout).bind(dict(self.sizes))
                keys += [(f"log#{k}", i, j) for i in range(rows) for j in range(cols)]
        if len(keys) > MAX_VARIABLES:
            raise UnsupportedError(f"more than {MAX_VARIABLES} variables")
        self._variables = {k: n for n, k in enumerate(keys)}
        self._context = fmpq_mpoly_ctx.get(("r", max(1, len(keys))), "lex")
        self._ats = {id(at): k for k, at in enumerate(ats)}
        self._log_numbers = {id(node): k for k, node in enumerate(logs)}

    # -- leaves -----------------------------------------------------------------------------
    def _atoms(self, s: Symbol, key: str | None = None) -> Grid:
        rows, cols = s.shape.bind(dict(self.sizes))
        gens = self._context.gens()
        key = key or s.name

        def entry(i: int, j: int) -> Any:
            if s.diagonal and i != j:
                return 0
            if s.symmetric and j < i:
                i, j = j, i
            return gens[self._variables[(key, i, j)]]

        return _grid(rows, cols, entry)

    def _function(self, s: Symbol) -> Grid:
        """Each entry a random polynomial of degree ``order`` in the entries ``s`` depends on."""
        args = [a for v in s.of for a in self._atoms(self.symbols[v]).entries()]
        rows, cols = s.shape.bind(dict(self.sizes))
        monomials = [m for k in range(self.order + 1) for m in itertools.combinations_with_replacement(args, k)]
        if len(monomials) * rows * cols > MAX_FUNCTION_TERMS:
            raise UnsupportedError(f"{s.name} as a polynomial would have too many terms")
        drawn: dict[tuple[int, int], Any] = {}

        def entry(i: int, j: int) -> Any:
            key = (min(i, j), max(i, j)) if s.symmetric else (i, j)
            if key not in drawn:
                total: Any = 0
                for monomial in monomials:
                    # large random coefficients: a special value (a slope of 1) would make a
                    # false chain rule true for the function drawn
                    term: Any = self.rng.choice((-1, 1)) * self.rng.randrange(2, 2**31)
                    for a in monomial:
                        term = term * a
                    total = total + term
                drawn[key] = total
            return drawn[key]

        return _grid(rows, cols, entry)

    def value(self, name: str) -> Grid:
        if name in self.bound:
            return self._atoms(self.symbols[name], self.bound[name])
        if self.outer is not None:
            if set(self.symbols[name].of) & self.bound.keys():
                raise UnsupportedError(f"{name} depends on a variable an at sets")
            return self.outer.value(name)
        if name not in self._cache:
            s = self.symbols[name]
            if self.point is not None:
                self._cache[name] = self._at_point(s, self.point)
            else:
                self._cache[name] = self._function(s) if s.of else self._atoms(s)
        return self._cache[name]

    def _at_point(self, s: Symbol, point: Point) -> Grid:
        """A symbol's value at the point: v0 + s for a variable differentiated by, the point's
        polynomial for a dependent symbol, else the drawn numbers."""
        if s.of:
            f = point.function(s)
            gens = self._context.gens()
            offsets = [gens[self._variables[(v, j, i) if self.symbols[v].symmetric and j < i else (v, i, j)]]
                       for v, i, j in f.keys]
            polynomials: dict[tuple[int, int], Any] = {}
            for (i, j), terms in f.terms.items():
                total: Any = _number(f.entry(i, j))
                for combo, coeff in terms:
                    term: Any = _number(coeff)
                    for index, count in _counts(combo):
                        term = term * offsets[index] ** count / math.factorial(count)
                    total = total + term
                polynomials[(i, j)] = total
            mirrored = s.symmetric
            return _grid(f.rows, f.cols, lambda i, j: polynomials[(j, i) if mirrored and j < i else (i, j)])
        drawn = point.drawn(s.name)
        if drawn is None:
            raise UnsupportedError(f"{s.name} has no value at this point")
        numbers = [list(r) for r in drawn] if isinstance(drawn, tuple) else drawn.tolist()
        value = Grid(tuple(tuple(_number(x) for x in row) for row in numbers))
        if s.name in point.variables:
            shifts = self._atoms(s)
            return Grid(tuple(tuple(a + b for a, b in zip(r, t, strict=True))
                              for r, t in zip(value.rows, shifts.rows, strict=True)))
        return value

    def dims(self, d: int | str) -> int:
        return d if isinstance(d, int) else self.sizes[d]

    def eval(self, e: Expr, hint: tuple[int, int] | None = None) -> Grid:
        key = (id(e), hint, self._depth > 0)  # at a point, a value under no derivative may be settled
        if key in self._memo:
            return self._memo[key][1]
        value = self.visit(e, hint)
        self._memo[key] = (e, value)  # holding e keeps its id from being reused
        return value

    def _Var(self, e: Var, hint: tuple[int, int] | None) -> Grid:
        return self.value(e.name)

    def _Const(self, e: Const, hint: tuple[int, int] | None) -> Grid:
        v = e.value
        if isinstance(v, int | Fraction) and not isinstance(v, bool):
            return Grid(((fmpq(v.numerator, v.denominator),),))
        if not isinstance(v, sympy.Rational):
            raise UnsupportedError(f"the constant {v} is not rational")
        return Grid(((fmpq(int(v.p), int(v.q)),),))

    def _Identity(self, e: Identity, hint: tuple[int, int] | None) -> Grid:
        if e.size is not None and e.size != ANY:
            return _eye(self.dims(e.size))
        if hint is None:
            raise ShapeError("the size of I cannot be told from its context")
        return _eye(hint[0])

    def _Zero(self, e: Zero, hint: tuple[int, int] | None) -> Grid:
        return _grid(self.dims(e.shape.rows), self.dims(e.shape.cols), lambda i, j: 0)

    # -- algebra ------------------------------------------------------------------------------
    def _Add(self, e: Add, hint: tuple[int, int] | None) -> Grid:
        known = {i: self.eval(t) for i, t in enumerate(e.terms) if not _contextual(t)}
        shape = next((m.shape for m in known.values()), hint)
        total: Grid | None = None
        for i, t in enumerate(e.terms):
            m = known[i] if i in known else self.eval(t, shape)
            if total is not None and total.shape != m.shape:
                raise ShapeError(f"cannot add {total.shape} and {m.shape}")
            total = m if total is None else Grid(tuple(tuple(x + y for x, y in zip(r, s, strict=True))
                                                       for r, s in zip(total.rows, m.rows, strict=True)))
        assert total is not None
        return total

    def _Product(self, e: Product, hint: tuple[int, int] | None) -> Grid:
        known = {i: self.eval(f) for i, f in enumerate(e.factors) if not _contextual(f)}
        result: Grid | None = None
        for i, f in enumerate(e.factors):
            if i in known:
                m = known[i]
            else:
                m = self.eval(f, _square_size(result, [known[j] for j in range(i + 1, len(e.factors)) if j in known],
                                              hint))
            if result is None:
                result = m
            elif result.shape == (1, 1):
                result = _scale(result.rows[0][0], m)
            elif m.shape == (1, 1):
                result = _scale(m.rows[0][0], result)
            else:
                result = _matmul(result, m)
        assert result is not None
        return result

    def _Div(self, e: Div, hint: tuple[int, int] | None) -> Grid:
        den = self._settled(self.eval(e.den))
        if den.shape != (1, 1):
            raise ShapeError("can only divide by a scalar")
        c = _constant(den.rows[0][0])
        if c is None:
            raise UnsupportedError("a division by a polynomial")
        if c == 0:
            raise ZeroDivisionError("division by zero")
        return _scale(1 / c, self.eval(e.num, hint))

    def _Power(self, e: Power, hint: tuple[int, int] | None) -> Grid:
        base = self.eval(e.base, hint)
        exponent = _constant(self.eval(e.exponent).scalar("an exponent"))
        if exponent is None or exponent.q != 1:
            raise UnsupportedError("a power that is not a constant integer")
        k = int(exponent.p)
        if abs(k) > MAX_POWER:
            raise UnsupportedError(f"a power above {MAX_POWER}")
        if base.shape == (1, 1):
            b = base.rows[0][0]
            if k < 0:
                c = _constant(self._settled(base).rows[0][0])
                if c is None:
                    raise UnsupportedError("a negative power of a polynomial")
                if c == 0:
                    raise ZeroDivisionError("division by zero")
                return Grid(((c ** k,),))
            out: Any = 1
            for _ in range(k):
                out = _mul(out, b)
            return Grid(((out,),))
        if base.shape[0] != base.shape[1]:
            raise ShapeError("a power of a matrix that is not square")
        if k < 0:
            base, k = _inverse(self._settled(base)), -k
        result = _eye(base.shape[0])
        for _ in range(k):
            result = _matmul(result, base)
        return result

    def _settled(self, m: Grid) -> Grid:
        """At a point and under no derivative, the value at s = 0 (every offset of the point set to
        0; an ``at``'s own variables kept): the sides are read only there, and an inverse or a
        division of what varies with s has no polynomial value, but has one at s = 0."""
        if self.point is None or self._depth:
            return m
        gens = self._context.gens()
        zeroed = [self._context.constant(0) if key[0] in self.point.variables else gens[n]
                  for key, n in self._variables.items()]
        return m.map(lambda x: x.compose(*zeroed) if isinstance(x, fmpq_mpoly) else x)

    def _Inverse(self, e: Inverse, hint: tuple[int, int] | None) -> Grid:
        return _inverse(self._settled(self.eval(e.arg, hint)))

    def _Transpose(self, e: Transpose, hint: tuple[int, int] | None) -> Grid:
        return self.eval(e.arg, hint and (hint[1], hint[0])).transposed()

    def _Apply(self, e: Apply, hint: tuple[int, int] | None) -> Grid:
        m = self.eval(e.arg, hint)
        if e.func in ("tr", "det") and m.shape[0] != m.shape[1]:
            raise ShapeError(f"{e.func} of a matrix that is not square")
        if e.func == "tr":
            return Grid(((sum((m.rows[i][i] for i in range(m.shape[0])), 0),),))
        if e.func == "det":
            if m.shape[0] > MAX_DET:
                raise UnsupportedError(f"a determinant larger than {MAX_DET} x {MAX_DET}")
            return Grid(((_cofactor_det([list(r) for r in m.rows]),),))
        if e.func == "diag":
            entries = m.entries()
            return _grid(len(entries), len(entries), lambda i, j: entries[i] if i == j else 0)
        if e.func == "log" and self.point is not None and self.outer is None and id(e) in self._log_numbers:
            k = self._log_numbers[id(e)]
            return _grid(*m.shape, lambda i, j: self._log(m.rows[i][j], f"log#{k}", i, j))
        raise UnsupportedError(f"{e.func} is not a polynomial")

    def _log(self, u: Any, key: str, i: int, j: int) -> Any:
        """log u near the point: L + sum_k (-1)^(k+1) (w / u0)^k / k, w = u - u0, with L the variable
        standing for log u0 and the series cut at the derivative order K (a term of degree above K
        in the offsets is gone after at most K derivatives at s = 0, so the values there are exact)."""
        assert self.point is not None
        offsets = {n for k, n in self._variables.items() if k[0] in self.point.variables}
        if isinstance(u, fmpq_mpoly) and any(e for n, e in enumerate(u.degrees()) if n not in offsets):
            raise UnsupportedError("a log of what varies with something other than the point's offsets")
        zeroed = [self._context.constant(0) if n in offsets else g for n, g in enumerate(self._context.gens())]
        u0 = _constant(u.compose(*zeroed) if isinstance(u, fmpq_mpoly) else u)
        if u0 is None or u0 <= 0:
            raise UnsupportedError("a log of a value that is not a positive rational")
        ratio = (u - u0) * (1 / u0)
        total: Any = 0 if u0 == 1 else self._context.gens()[self._variables[(key, i, j)]]
        power: Any = ratio
        for k in range(1, self.order + 1):
            if not power:
                break
            total = total + power * fmpq((-1) ** (k + 1), k)
            power = _truncated(_mul(power, ratio), offsets, self.order)
        return _truncated(total, offsets, self.order)

    def _Hadamard(self, e: Hadamard, hint: tuple[int, int] | None) -> Grid:
        a, b = self.eval(e.left, hint), self.eval(e.right, hint)
        if a.shape != b.shape:
            raise ShapeError("operands of different shapes")
        return Grid(tuple(tuple(_mul(x, y) for x, y in zip(r, s, strict=True))
                          for r, s in zip(a.rows, b.rows, strict=True)))

    def _MatrixLit(self, e: MatrixLit, hint: tuple[int, int] | None) -> Grid:
        return Grid(tuple(tuple(self.eval(x).scalar("an entry") for x in row) for row in e.rows))

    # -- calculus -----------------------------------------------------------------------------
    def variable(self, v: Var) -> Grid:
        """The ring variables of a declared, free, unstructured symbol, as indices."""
        s = self.symbols.get(v.name)
        if s is None or s.of or s.orthogonal or s.diagonal or s.positive_definite:
            raise UnsupportedError(f"a derivative by {v.name}: not a free variable")
        if s.symmetric and s.shape.bind(dict(self.sizes)) != (1, 1):
            raise UnsupportedError(f"a derivative by {v.name}: its entries are not independent")
        rows, cols = s.shape.bind(dict(self.sizes))
        key = self.bound.get(v.name, v.name)
        return _grid(rows, cols, lambda i, j: self._variables[(key, i, j)])

    @staticmethod
    def _diff(p: Any, index: int) -> Any:
        return p.derivative(index) if isinstance(p, fmpq_mpoly) else 0

    def _under(self, e: Expr) -> Grid:
        """The value of what a derivative is taken of (one derivative deeper)."""
        self._depth += 1
        try:
            return self.eval(e)
        finally:
            self._depth -= 1

    def _Derivative(self, e: Derivative, hint: tuple[int, int] | None) -> Grid:
        f = self._under(e.f)
        if len(e.wrt) > 1:
            g = f.scalar("a higher derivative")
            for v in reversed(e.wrt):
                g = self._diff(g, self.variable(v).scalar("a higher derivative by a matrix"))
            return Grid(((g,),))
        var = self.variable(e.wrt[0])
        num = self.layout == "numerator"
        if var.shape == (1, 1):
            index = var.rows[0][0]
            return f.map(lambda x: self._diff(x, index))
        if f.shape == (1, 1):
            g = f.rows[0][0]
            if var.shape[1] == 1:  # by a vector: a row in numerator layout
                row = Grid((tuple(self._diff(g, a) for a in var.entries()),))
                return row if num else row.transposed()
            out = var.map(lambda a: self._diff(g, a))  # by a matrix: numerator layout is the transpose
            return out.transposed() if num else out
        if f.shape[1] == 1 and var.shape[1] == 1:
            jacobian = _grid(f.shape[0], var.shape[0], lambda i, j: self._diff(f.rows[i][0], var.rows[j][0]))
            return jacobian if num else jacobian.transposed()
        raise UnsupportedError("the derivative of a matrix by a matrix is not a matrix")

    def _At(self, e: At, hint: tuple[int, int] | None) -> Grid:
        """The expression with the set names as fresh variables, then those replaced by the values."""
        root = self
        while root.outer is not None:
            root = root.outer
        k = root._ats[id(e)]
        inner = ReferenceEvaluator(self.symbols, self.sizes, self.layout, self.rng, self.order, (), outer=self,
                                   bound={**self.bound, **{v.name: f"@{k}:{v.name}" for v, _ in e.values}},
                                   point=self.point, _depth=self._depth)
        m = inner.eval(e.expr, hint)
        gens = list(self._context.gens())
        replaced = list(gens)
        for v, given in e.values:
            atoms = inner.variable(v)  # (a value given to a structured symbol: refused there)
            value = self.eval(given)
            if value.shape != atoms.shape:
                raise ShapeError(f"{v.name} is given a value of another size")
            for index, x in zip(atoms.entries(), value.entries(), strict=True):
                replaced[index] = x if isinstance(x, fmpq_mpoly) else self._context.constant(x)
        widest = max(len(x) for x in replaced)
        return m.map(lambda p: _compose(p, replaced, widest))

    def _Gradient(self, e: Gradient, hint: tuple[int, int] | None) -> Grid:
        g = self._under(e.f).scalar("a gradient")
        return Grid(tuple((self._diff(g, a),) for a in self.variable(e.wrt).entries()))

    def _Hessian(self, e: Hessian, hint: tuple[int, int] | None) -> Grid:
        g = self._under(e.f).scalar("a Hessian")
        var = self.variable(e.wrt).entries()
        first = [self._diff(g, a) for a in var]
        return _grid(len(var), len(var), lambda i, j: self._diff(first[i], var[j]))


def _nodes(sides: tuple[Expr, ...], wanted: Callable[[Expr], bool]) -> list[Expr]:
    """Every node of the trees that ``wanted`` picks, each once, in a fixed (depth-first) order."""
    out: list[Expr] = []
    seen: set[int] = set()
    stack = list(reversed(sides))
    while stack:
        e = stack.pop()
        if wanted(e) and id(e) not in seen:
            seen.add(id(e))
            out.append(e)
        stack += reversed(e.children())
    return out


def _ats(sides: tuple[Expr, ...]) -> list[At]:
    """Every ``at`` in the trees."""
    return [e for e in _nodes(sides, lambda e: isinstance(e, At)) if isinstance(e, At)]


def _logs(sides: tuple[Expr, ...]) -> list[Apply]:
    """Every log of the trees."""
    return [e for e in _nodes(sides, lambda e: isinstance(e, Apply) and e.func == "log") if isinstance(e, Apply)]


def _truncated(p: Any, offsets: set[int], order: int) -> Any:
    """p without its terms of degree above ``order`` in the offsets."""
    if not isinstance(p, fmpq_mpoly):
        return p
    kept = {m: c for m, c in p.to_dict().items() if sum(m[n] for n in offsets) <= order}
    return p.context().from_dict(kept) if kept else 0


def _compose(p: Any, replaced: list[Any], widest: int) -> Any:
    """p with every ring variable replaced (most by themselves), refused where it could grow past MAX_TERMS."""
    if not isinstance(p, fmpq_mpoly):
        return p
    if widest > 1 and len(p) * widest ** p.total_degree() > MAX_TERMS:
        raise UnsupportedError("a substitution into a polynomial that would grow too large")
    return p.compose(*replaced)


def agrees(claim: Equality, sizes: Mapping[str, int], rng: random.Random) -> bool | None:
    """Whether the sides are the same polynomials at these sizes by this module's rules; None
    where it has no rule for something in them (see the module docstring)."""
    sides = (claim.lhs, claim.rhs)
    try:
        ev = ReferenceEvaluator(claim.symbols, sizes, claim.layout, rng,
                                max(1, *(derivative_order(e) for e in sides)), sides)
        lhs, rhs = (ev.eval(e) for e in sides)
    except MemoryError:  # the worker's cap: unknown, as anywhere else
        raise
    except Exception:  # no rule here, or a gap of this module: the SymPy evaluator confirms instead
        return None
    if lhs.shape != rhs.shape:
        return False
    return all(not (x - y) for x, y in zip(lhs.entries(), rhs.entries(), strict=True))


def values_at(claim: Equality, point: Point) -> tuple[Rows, Rows] | None:
    """Both sides' exact values at a sampled point, by this module's rules: what a refutation found
    by the Fraction evaluator is confirmed by (no rule in common); None where it has no rule."""
    sides = (claim.lhs, claim.rhs)
    try:
        ev = ReferenceEvaluator(claim.symbols, point.sizes, claim.layout, point.rng, point.order, sides,
                                point=point)
        grids = [ev.eval(e) for e in sides]
        context = ev._context
        # every offset of the point (and nothing else: a log's value, or a variable an at left, is
        # no number) set to 0
        zeroed = [context.constant(0) if key[0] in point.variables else context.gens()[n]
                  for key, n in ev._variables.items()]

        def number(x: Any) -> Fraction:
            if isinstance(x, fmpq_mpoly):
                x = x.compose(*zeroed)
                if not x.is_constant():
                    raise UnsupportedError("a value that holds the log of a number")
                x = x.coeffs()[0] if x else 0
            return _fraction(x)

        return tuple(tuple(tuple(number(x) for x in row) for row in g.rows) for g in grids)  # type: ignore[return-value]
    except MemoryError:
        raise
    except Exception:
        return None


def _fraction(x: Any) -> Fraction:
    q = fmpq(x)
    return Fraction(int(q.p), int(q.q))


__all__ = ["ReferenceEvaluator", "agrees", "values_at"]
