"""Exact evaluation at a random point in pure Python: jets with Fraction coefficients.

Why: refutation evaluates both sides of every claim at random rational points
(:mod:`verify.deciding.evaluation.sampling`), and the SymPy evaluator
(:class:`~verify.deciding.evaluation.jets.JetEvaluator`)
spends most of its time on object overhead (``expand``, assumptions), not on arithmetic. When
every operation a claim uses is exact over the rationals (sums, products, transposes, inverses,
divisions, integer powers, trace, det, diag, max / ReLU / |.| / steps, on a kink too where the
argument does not vary, and derivatives), the same values come out of plain dictionaries of
Fractions many times faster.

The semantics are those of ``JetEvaluator`` on the same :class:`~verify.deciding.evaluation.sampling.Point`,
node for node: a variable that something is differentiated by is ``v0 + s``; a value is a
polynomial in the offsets s truncated at total degree ``order`` (a *jet*); a derivative by v is
a derivative by s; an inverse is a Neumann series around the value at the point; only at the end
is s set to 0. Truncating is a ring homomorphism, so the polynomials equal the SymPy ones and the
values at s = 0 are the same exact rationals (inside ``At`` the route differs and only the values
agree: see :meth:`FractionEvaluator._At`). Symbols are realised in the same order as the SymPy
evaluator realises them, so a dependent symbol (``of(...)``) draws the same random polynomial
from the point's generator.

What this module does not handle exactly (exp, log, sigmoid, tanh, sqrt, a power that is not an
integer, a shape the SymPy path would reject, anything unexpected) raises :class:`Declined`, and
the caller evaluates with SymPy instead: this module never decides what is undefined or where a
kink is, it only declines (ZeroDivisionError and :class:`~verify.deciding.evaluation.jets.Boundary` are
raised as the SymPy path raises them, and the caller re-runs that path on them too).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NoReturn

import sympy

from verify.deciding.evaluation.instantiate import _contextual, _square_size
from verify.deciding.evaluation.jets import Boundary
from verify.deciding.evaluation.rationals import Rows, as_matrix, determinant
from verify.deciding.evaluation.sampling import Function, NotReal, Point, _counts, derivative_order, walked
from verify.model import (
    ANY,
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

#: Exponents of the offsets, one per generator.
Monomial = tuple[int, ...]
#: Integers stay Python ints: they mix exactly with Fractions and cost a tenth as much, and most
#: sampled values are integers. A float never enters (division always goes through Fraction).
#: (Balls enter only in the subclass of :mod:`verify.deciding.evaluation.ball_jets`, typed there.)
Coefficient = int | Fraction
#: A polynomial in the offsets truncated at the ring's order; zero coefficients are never stored,
#: so "constant" and "zero" can be read off the keys, as SymPy's expanded form shows them.
Jet = dict[Monomial, Coefficient]
Hint = tuple[int, int] | None


class Declined(Exception):
    """Not exact over the rationals here, or not handled by this module: evaluate with SymPy instead.

    Deliberately not a :class:`~verify.errors.VerifyError` nor a ValueError: it never reaches a
    user and never means "undefined here" (only the SymPy path decides that).
    """


class Unknown:
    """A real number this module cannot write exactly: the value of log u at the point (log 2).

    Why: a cross-entropy's or a log-determinant's derivatives are rational at a rational point
    (d log u = du / u) although its value is not, and claims about those derivatives are common;
    declining the whole claim sent every such point to the SymPy evaluator, several times the
    cost. An Unknown goes through sums and products as an unknown real (times 0 is 0, anything
    else stays unknown) and is never read: a value, a sign, a reciprocal or a comparison of one
    declines (:meth:`PointEvaluator.numbers` declines a side whose value holds one), so only
    what does not depend on it comes out exact. Each is its own number: two are never equal.
    """

    __slots__ = ()

    def __add__(self, other: object) -> Unknown:
        return Unknown()

    __radd__ = __sub__ = __rsub__ = __add__

    def __neg__(self) -> Unknown:
        return Unknown()

    def __mul__(self, other: object) -> Unknown | int:
        if isinstance(other, int | Fraction) and not other:
            return 0
        return Unknown()

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return True  # not known to be 0: kept wherever a zero would be dropped

    def _declined(self, *args: object) -> NoReturn:
        raise Declined("an unknown real (log of a number) read as a value")

    __truediv__ = __rtruediv__ = __lt__ = __le__ = __gt__ = __ge__ = __float__ = __int__ = __index__ = _declined


class Ring:
    """Polynomials in ``size`` offsets truncated at total degree ``order``.

    One object per evaluation, because the number of generators and the order belong to the
    claim and point; every jet operation goes through it so truncation is never forgotten.
    """

    __slots__ = ("order", "size", "unit")

    def __init__(self, size: int, order: int) -> None:
        self.size = size
        self.order = order
        self.unit: Monomial = (0,) * size

    # -- building ------------------------------------------------------------------------
    def constant(self, c: Coefficient) -> Jet:
        return {self.unit: c} if c else {}

    def generator(self, index: int, c: Coefficient) -> Jet:
        """``c + s_index``: a differentiated variable's entry at the point."""
        out = self.constant(c)
        if self.order >= 1:
            mono = [0] * self.size
            mono[index] = 1
            out[tuple(mono)] = 1
        return out

    # -- reading -------------------------------------------------------------------------
    def value(self, a: Jet) -> Coefficient:
        """The value at s = 0."""
        return a.get(self.unit, 0)

    def is_constant(self, a: Jet) -> bool:
        return not a or (len(a) == 1 and self.unit in a)

    # -- arithmetic ----------------------------------------------------------------------
    def add(self, a: Jet, b: Jet) -> Jet:
        if len(a) < len(b):
            a, b = b, a
        out = dict(a)
        for m, c in b.items():
            v = out.get(m, 0) + c
            if v:
                out[m] = v
            else:
                out.pop(m, None)
        return out

    def neg(self, a: Jet) -> Jet:
        return {m: -c for m, c in a.items()}

    def scale(self, a: Jet, c: Coefficient) -> Jet:
        if not c:
            return {}
        return {m: c * v for m, v in a.items()}

    def mul(self, a: Jet, b: Jet) -> Jet:
        if not a or not b:
            return {}
        unit = self.unit
        if len(a) == 1 and unit in a:
            return self.scale(b, a[unit])
        if len(b) == 1 and unit in b:
            return self.scale(a, b[unit])
        out: dict[Monomial, Coefficient] = {}
        self._accumulate(out, a, b)
        return {m: c for m, c in out.items() if c}

    def dot(self, pairs: Iterable[tuple[Jet, Jet]]) -> Jet:
        """The sum of products, accumulated into one dictionary (a matrix product's entry)."""
        out: dict[Monomial, Coefficient] = {}
        unit = self.unit
        for a, b in pairs:
            if not a or not b:
                continue
            if len(a) == 1 and unit in a:
                a, b = b, a
            if len(b) == 1 and unit in b:
                c = b[unit]
                for m, v in a.items():
                    out[m] = out.get(m, 0) + v * c
            else:
                self._accumulate(out, a, b)
        return {m: c for m, c in out.items() if c}

    def _accumulate(self, out: dict[Monomial, Coefficient], a: Jet, b: Jet) -> None:
        order = self.order
        right = [(mb, cb, sum(mb)) for mb, cb in b.items()]
        add = operator.add
        for ma, ca in a.items():
            room = order - sum(ma)
            for mb, cb, db in right:
                if db > room:
                    continue
                m = tuple(map(add, ma, mb))
                out[m] = out.get(m, 0) + ca * cb

    def diff(self, a: Jet, index: int) -> Jet:
        """The derivative by the offset ``index`` (never above the order, so nothing to truncate)."""
        out: Jet = {}
        for m, c in a.items():
            k = m[index]
            if k:
                lowered = list(m)
                lowered[index] = k - 1
                out[tuple(lowered)] = c * k
        return out


@dataclass(frozen=True, slots=True, eq=False)
class JetMatrix:
    """A matrix of jets, row by row; ``shape`` as SymPy names it, so shape helpers are shared."""

    rows: tuple[tuple[Jet, ...], ...]

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), len(self.rows[0]))

    def entries(self) -> list[Jet]:
        """Row-major, as iterating a ``sympy.Matrix`` gives them."""
        return [x for row in self.rows for x in row]

    @property
    def T(self) -> JetMatrix:
        return JetMatrix(tuple(zip(*self.rows, strict=True)))


def _build(rows: int, cols: int, entry: Callable[[int, int], Jet]) -> JetMatrix:
    return JetMatrix(tuple(tuple(entry(i, j) for j in range(cols)) for i in range(rows)))


def _scalar(x: Jet) -> JetMatrix:
    return JetMatrix(((x,),))


# ---------------------------------------------------------------------------------------
# Exact rational linear algebra on values at the point (the constant terms).


def _inverse_of_numbers(m: list[list[Coefficient]]) -> list[list[Coefficient]]:
    """Gauss-Jordan over Fractions: the same exact inverse SymPy's adjugate / det gives."""
    n = len(m)
    work: list[list[Coefficient]] = [[*row, *(1 if i == j else 0 for j in range(n))] for i, row in enumerate(m)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if work[r][col]), None)
        if pivot is None:
            raise ZeroDivisionError("singular matrix")
        work[col], work[pivot] = work[pivot], work[col]
        inv = 1 / Fraction(work[col][col])
        work[col] = [x * inv for x in work[col]]
        for r in range(n):
            factor = work[r][col]
            if r != col and factor:
                work[r] = [x - factor * y for x, y in zip(work[r], work[col], strict=True)]
    return [row[n:] for row in work]


# ---------------------------------------------------------------------------------------
# The evaluator.


def _ats_outside_derivatives(sides: Sequence[Expr]) -> frozenset[int]:
    """The ids of the ``at`` nodes of ``sides`` that are below no derivative, gradient or Hessian
    (a node shared by both kinds of place counts as below one): only derivatives read a jet's
    terms beyond its value."""
    outside: set[int] = set()
    under: set[int] = set()
    for side in sides:
        out, below = walked("ats", side, _ats_of)
        outside |= out
        under |= below
    return frozenset(outside - under)


def _ats_of(side: Expr) -> tuple[frozenset[int], frozenset[int]]:
    """The ids of one tree's ``at`` nodes below no derivative, and of those below one."""
    outside: set[int] = set()
    under: set[int] = set()
    # A stack, not a nested recursive function: that would refer to itself through its closure,
    # a cycle left to the garbage collector on every call.
    stack: list[tuple[Expr, bool]] = [(side, False)]
    while stack:
        e, differentiated = stack.pop()
        if isinstance(e, At):
            (under if differentiated else outside).add(id(e))
        below = differentiated or isinstance(e, Derivative | Gradient | Hessian)
        stack += [(c, below) for c in e.children()]
    return frozenset(outside), frozenset(under)


class FractionEvaluator(Visitor):
    """``JetEvaluator``'s semantics on Fraction jets; every node method mirrors the SymPy one.

    ``leaf`` gives a declared name's value (a random point's, or, inside ``At``, the point's
    variables); ``offsets`` gives, for each variable that can be differentiated by, its shape
    and the generator index of each entry (row-major; a symmetric matrix repeats indices, as
    its SymPy atoms repeat symbols).
    """

    def __init__(
        self,
        symbols: Mapping[str, Symbol],
        sizes: Mapping[str, int],
        layout: str,
        ring: Ring,
        offsets: Mapping[str, tuple[tuple[int, int], tuple[int, ...]]],
        leaf: Callable[[str], JetMatrix] | None = None,
    ) -> None:
        self.symbols = symbols
        self.sizes = sizes
        self.layout = layout
        self.ring = ring
        self.offsets = offsets
        self.leaf = leaf
        self._cache: dict[str, JetMatrix] = {}
        # Keyed by identity as the SymPy evaluator is (shared subtrees once); holding e keeps
        # its id from being reused while this evaluator lives.
        self._memo: dict[tuple[int, Hint], tuple[Expr, JetMatrix]] = {}
        #: the ``at`` nodes of the sides (by id) that no derivative is taken of (:meth:`_At`); empty
        #: until :meth:`sides` is asked (an ``at`` evaluated otherwise is treated as differentiated)
        self._undifferentiated: frozenset[int] = frozenset()

    # -- plumbing ------------------------------------------------------------------------
    def value(self, name: str) -> JetMatrix:
        """A name's value, realised once and in first-use order (which fixes the random draws)."""
        if name not in self._cache:
            self._cache[name] = self._realise(name)
        return self._cache[name]

    def _realise(self, name: str) -> JetMatrix:
        """A name's value from ``leaf``. An evaluator that realises its own names overrides this
        instead of passing a bound method of itself as ``leaf``: that would be a reference cycle,
        left for the garbage collector with every jet the evaluator holds (a collection every few
        decisions, 5% of a small claim's time)."""
        if self.leaf is None:
            raise Declined(f"no value for {name}")
        return self.leaf(name)

    def dims(self, d: int | str) -> int:
        if isinstance(d, int):
            return d
        if d not in self.sizes:
            raise Declined(f"no size for {d}")
        return self.sizes[d]

    def eval(self, e: Expr, hint: Hint = None) -> JetMatrix:
        key = (id(e), hint)
        if key in self._memo:
            return self._memo[key][1]
        method = self._visit_table.get(type(e))  # Visitor.visit, inlined on this hot path
        if method is None:
            return self.unhandled(e, hint)
        value = method(self, e, hint)
        self._memo[key] = (e, value)
        return value

    def unhandled(self, e: Expr, hint: Hint = None) -> JetMatrix:
        """A node without an exact rule is declined, so the SymPy path decides it."""
        raise Declined(f"no exact evaluation of {type(e).__name__}")

    def sides(self, sides: Sequence[Expr]) -> list[JetMatrix]:
        """As :func:`~verify.deciding.evaluation.instantiate.evaluate_sides`: a bare I takes its size from
        the others."""
        self._undifferentiated = _ats_outside_derivatives(sides)
        known = {i: self.eval(e) for i, e in enumerate(sides) if not _contextual(e)}
        hint = next((m.shape for m in known.values()), None)
        return [known[i] if i in known else self.eval(e, hint) for i, e in enumerate(sides)]

    def variable(self, v: Var) -> tuple[tuple[int, int], tuple[int, ...]]:
        if v.name not in self.offsets:
            raise Declined(f"cannot differentiate by {v.name} here")
        return self.offsets[v.name]

    # -- matrix algebra ------------------------------------------------------------------
    def _plus(self, a: JetMatrix, b: JetMatrix) -> JetMatrix:
        if a.shape != b.shape:
            raise Declined(f"cannot add {a.shape} and {b.shape}")
        add = self.ring.add
        return JetMatrix(tuple(tuple(map(add, ra, rb)) for ra, rb in zip(a.rows, b.rows, strict=True)))

    def _scaled(self, c: Jet, m: JetMatrix) -> JetMatrix:
        mul = self.ring.mul
        return JetMatrix(tuple(tuple(mul(c, x) for x in row) for row in m.rows))

    def _matmul(self, a: JetMatrix, b: JetMatrix) -> JetMatrix:
        if a.shape[1] != b.shape[0]:
            raise Declined(f"cannot multiply {a.shape} by {b.shape}")
        cols = list(zip(*b.rows, strict=True))
        dot = self.ring.dot
        return JetMatrix(tuple(tuple(dot(zip(row, col, strict=True)) for col in cols) for row in a.rows))

    def _times(self, a: JetMatrix, b: JetMatrix) -> JetMatrix:
        """As instantiate's ``_times``: a 1 x 1 factor scales, otherwise a matrix product."""
        if a.shape == (1, 1):
            return self._scaled(a.rows[0][0], b)
        if b.shape == (1, 1):
            return self._scaled(b.rows[0][0], a)
        return self._matmul(a, b)

    def _eye(self, n: int) -> JetMatrix:
        one = self.ring.constant(1)
        zero: Jet = {}
        return _build(n, n, lambda i, j: dict(one) if i == j else dict(zero))

    def _numbers(self, m: JetMatrix) -> list[list[Coefficient]]:
        value = self.ring.value
        return [[value(x) for x in row] for row in m.rows]

    def _constants(self, m: list[list[Coefficient]]) -> JetMatrix:
        constant = self.ring.constant
        return JetMatrix(tuple(tuple(constant(x) for x in row) for row in m))

    # -- the numbers at the point: exact here, balls in a subclass (ball_jets) -----------------
    def _reciprocal(self, c: Coefficient) -> Coefficient:
        if c == 0:
            raise ZeroDivisionError("division by zero")
        return 1 / Fraction(c)

    def _invert_numbers(self, m0: list[list[Coefficient]]) -> list[list[Coefficient]]:
        return _inverse_of_numbers(m0)  # ZeroDivisionError when singular, as the SymPy path

    def _det_numbers(self, m0: list[list[Coefficient]]) -> Coefficient:
        return determinant(tuple(tuple(row) for row in m0))

    def _sign(self, c: Coefficient) -> int:
        """-1, 0 or 1: the branch a kink's switch takes."""
        return (c > 0) - (c < 0)

    def _transcendental(self, func: str, x: Jet) -> Jet:
        raise Declined(f"{func} is not exact over the rationals")

    def _inner(self, ring: Ring, offsets: Mapping[str, tuple[tuple[int, int], tuple[int, ...]]],
               leaf: Callable[[str], JetMatrix]) -> FractionEvaluator:
        """The evaluator of an ``At``'s expression, in its own ring: of this evaluator's kind."""
        return FractionEvaluator(self.symbols, self.sizes, self.layout, ring, offsets, leaf)

    def inverse(self, m: JetMatrix) -> JetMatrix:
        """Neumann series around the value at the point, ``order`` terms, as JetEvaluator.inverse."""
        m0 = self._numbers(m)
        if m.shape == (1, 1):
            x0: list[list[Coefficient]] = [[self._reciprocal(m0[0][0])]]
        else:
            x0 = self._invert_numbers(m0)
        inv = self._constants(x0)
        ring = self.ring
        unit = ring.unit
        varying = JetMatrix(tuple(tuple({k: c for k, c in x.items() if k != unit} for x in row) for row in m.rows))
        if all(not x for x in varying.entries()):
            return inv  # the series stops at its first term
        minus = self._constants([[-x for x in row] for row in x0])
        step = self._matmul(minus, varying)
        total, power = inv, inv
        for _ in range(ring.order):
            power = self._matmul(step, power)
            total = self._plus(total, power)
        return total

    def determinant(self, m: JetMatrix) -> Jet:
        """Exact, division-free over jets (any such algorithm equals Berkowitz after truncation)."""
        n = m.shape[0]
        ring = self.ring
        if all(ring.is_constant(x) for x in m.entries()):
            return ring.constant(self._det_numbers(self._numbers(m)))
        # Sum over permutations, row by row, memoised by the set of columns used: sign from the
        # inversions each new column makes with the columns already taken.
        layer: dict[int, Jet] = {0: ring.constant(1)}
        for row in range(n):
            nxt: dict[int, Jet] = {}
            for used, partial in layer.items():
                for col in range(n):
                    if used >> col & 1:
                        continue
                    term = ring.mul(partial, m.rows[row][col])
                    if (used >> (col + 1)).bit_count() % 2:
                        term = ring.neg(term)
                    key = used | 1 << col
                    nxt[key] = ring.add(nxt[key], term) if key in nxt else term
            layer = nxt
        return layer[(1 << n) - 1]

    # -- leaves ----------------------------------------------------------------------------
    def _Var(self, e: Var, hint: Hint) -> JetMatrix:
        return self.value(e.name)

    def _Const(self, e: Const, hint: Hint) -> JetMatrix:
        return _scalar(self.ring.constant(_coefficient(e.value)))

    def _Identity(self, e: Identity, hint: Hint) -> JetMatrix:
        if e.size is not None and e.size != ANY:
            return self._eye(self.dims(e.size))
        if hint is None:
            raise Declined("the size of I cannot be told from its context")
        return self._eye(hint[0])

    def _Zero(self, e: Zero, hint: Hint) -> JetMatrix:
        return _build(self.dims(e.shape.rows), self.dims(e.shape.cols), lambda i, j: {})

    # -- algebra ---------------------------------------------------------------------------
    def _Add(self, e: Add, hint: Hint) -> JetMatrix:
        known = {i: self.eval(t) for i, t in enumerate(e.terms) if not _contextual(t)}
        shape = next((m.shape for m in known.values()), hint)
        total: JetMatrix | None = None
        for i, t in enumerate(e.terms):
            m = known[i] if i in known else self.eval(t, shape)
            total = m if total is None else self._plus(total, m)
        if total is None:
            raise Declined("an empty sum")
        return total

    def _Product(self, e: Product, hint: Hint) -> JetMatrix:
        known = {i: self.eval(f) for i, f in enumerate(e.factors) if not _contextual(f)}
        result: JetMatrix | None = None
        for i, f in enumerate(e.factors):
            if i in known:
                m = known[i]
            else:
                after = [known[j] for j in range(i + 1, len(e.factors)) if j in known]
                m = self.eval(f, _square_size(result, after, hint))
            result = m if result is None else self._times(result, m)
        if result is None:
            raise Declined("an empty product")
        return result

    def _Div(self, e: Div, hint: Hint) -> JetMatrix:
        den = self.eval(e.den)
        if den.shape != (1, 1):
            raise Declined("can only divide by a scalar")
        num = self.eval(e.num, hint)  # before the inverse, as the SymPy path orders them
        return self._scaled(self.inverse(den).rows[0][0], num)

    def _Power(self, e: Power, hint: Hint) -> JetMatrix:
        base = self.eval(e.base, hint)
        exponent = self.eval(e.exponent).rows[0][0]
        if not self.ring.is_constant(exponent):
            raise Declined("a varying exponent (exp and log)")
        k = self.ring.value(exponent)
        if isinstance(k, Fraction):
            if k.denominator != 1:
                raise Declined("a power that is not an integer")
            k = k.numerator
        rows, cols = base.shape
        if rows != cols:
            raise Declined("a power of a matrix that is not square")
        if k < 0:
            base, k = self.inverse(base), -k
        result = self._eye(rows)
        # By squaring: associativity holds in the truncated ring, so this is the SymPy path's
        # repeated product, without a million steps for x^1000000.
        while k:
            if k & 1:
                result = self._matmul(result, base)
            k >>= 1
            if k:
                base = self._matmul(base, base)
        return result

    def _Transpose(self, e: Transpose, hint: Hint) -> JetMatrix:
        return self.eval(e.arg, hint and (hint[1], hint[0])).T

    def _Inverse(self, e: Inverse, hint: Hint) -> JetMatrix:
        m = self.eval(e.arg, hint)
        if m.shape[0] != m.shape[1]:
            raise Declined("only a square matrix has an inverse")
        return self.inverse(m)

    def _Apply(self, e: Apply, hint: Hint) -> JetMatrix:
        m = self.eval(e.arg, hint)
        ring = self.ring
        if e.func in ("relu", "abs", "step", "closed_step"):
            def piece(x: Jet) -> Jet:
                sign = self._sign(ring.value(x))
                if sign == 0:
                    # On the kink: the value is exact (ReLU(0) = |0| = step(0) = 0, closed_step(0)
                    # = 1) while the argument is constant; where it varies, a derivative would go
                    # through the kink, undefined there: a Boundary, as on the SymPy path.
                    if not ring.is_constant(x):
                        raise Boundary("on a kink whose switch varies")
                    return ring.constant(1 if e.func == "closed_step" else 0)
                if e.func in ("step", "closed_step"):
                    return ring.constant(1 if sign > 0 else 0)
                if e.func == "relu":
                    return x if sign > 0 else {}
                return x if sign > 0 else ring.neg(x)

            return JetMatrix(tuple(tuple(piece(x) for x in row) for row in m.rows))
        if e.func == "tr":
            if m.shape[0] != m.shape[1]:
                raise Declined("the trace of a matrix that is not square")
            total: Jet = {}
            for i in range(m.shape[0]):
                total = ring.add(total, m.rows[i][i])
            return _scalar(total)
        if e.func == "det":
            if m.shape[0] != m.shape[1]:
                raise Declined("the determinant of a matrix that is not square")
            return _scalar(self.determinant(m))
        if e.func == "diag":
            entries = m.entries()
            return _build(len(entries), len(entries), lambda i, j: entries[i] if i == j else {})
        if e.func in ("exp", "log", "sigmoid", "tanh", "sqrt"):
            return JetMatrix(tuple(tuple(self._transcendental(e.func, x) for x in row) for row in m.rows))
        raise Declined(f"{e.func} is not exact over the rationals")

    def _Max(self, e: Max, hint: Hint) -> JetMatrix:
        ms = [self.eval(a, hint) for a in e.args]
        shape = next((m.shape for m in ms if m.shape != (1, 1)), (1, 1))

        def spread(m: JetMatrix) -> JetMatrix:  # a 1 x 1 m at every entry of the shape
            return _build(*shape, lambda i, j: m.rows[0][0])

        grown = [m if m.shape == shape else spread(m) for m in ms]
        value = self.ring.value

        def pick(i: int, j: int) -> Jet:
            entries = [m.rows[i][j] for m in grown]
            values = [value(x) for x in entries]
            best = 0  # the first of the largest, as max() picks it
            for k in range(1, len(values)):
                if self._sign(values[k] - values[best]) > 0:
                    best = k
            for k, v in enumerate(values):
                # A tie has its value, max(a, a) = a, and its jet where the tied jets are equal;
                # tied jets that differ would be differentiated through the kink: a Boundary.
                if k != best and self._sign(values[best] - v) == 0 and entries[k] != entries[best]:
                    raise Boundary("a tie in max whose branches vary differently")
            return entries[best]

        return _build(*shape, pick)

    def _Hadamard(self, e: Hadamard, hint: Hint) -> JetMatrix:
        a, b = self.eval(e.left, hint), self.eval(e.right, hint)
        if a.shape != b.shape:
            raise Declined("operands of different shapes")
        mul = self.ring.mul
        return JetMatrix(tuple(tuple(map(mul, ra, rb)) for ra, rb in zip(a.rows, b.rows, strict=True)))

    def _MatrixLit(self, e: MatrixLit, hint: Hint) -> JetMatrix:
        rows = tuple(tuple(self.eval(x).rows[0][0] for x in row) for row in e.rows)
        if not rows or not rows[0] or len({len(r) for r in rows}) != 1:
            raise Declined("a matrix literal with rows of different lengths")
        return JetMatrix(rows)

    # -- calculus -----------------------------------------------------------------------------
    def _Derivative(self, e: Derivative, hint: Hint) -> JetMatrix:
        f = self.eval(e.f)
        diff = self.ring.diff
        if len(e.wrt) > 1:
            if f.shape != (1, 1):
                raise Declined("higher derivatives only of a scalar")
            g = f.rows[0][0]
            for v in reversed(e.wrt):
                shape, gens = self.variable(v)
                if shape != (1, 1):
                    raise Declined("higher derivatives only by scalars")
                g = diff(g, gens[0])
            return _scalar(g)
        (rows, cols), gens = self.variable(e.wrt[0])
        num = self.layout == "numerator"
        if (rows, cols) == (1, 1):
            return JetMatrix(tuple(tuple(diff(x, gens[0]) for x in row) for row in f.rows))
        if f.shape == (1, 1):
            g = f.rows[0][0]
            if cols == 1:  # by a vector
                row = JetMatrix((tuple(diff(g, a) for a in gens),))
                return row if num else row.T
            out = _build(rows, cols, lambda i, j: diff(g, gens[i * cols + j]))  # by a matrix
            return out.T if num else out
        if f.shape[1] == 1 and cols == 1:
            jac = _build(f.shape[0], rows, lambda i, j: diff(f.rows[i][0], gens[j]))
            return jac if num else jac.T
        raise Declined("the derivative of a matrix by a matrix is not a matrix")

    def _Gradient(self, e: Gradient, hint: Hint) -> JetMatrix:
        g = self.eval(e.f).rows[0][0]
        _, gens = self.variable(e.wrt)
        return JetMatrix(tuple((self.ring.diff(g, a),) for a in gens))

    def _Hessian(self, e: Hessian, hint: Hint) -> JetMatrix:
        g = self.eval(e.f).rows[0][0]
        _, gens = self.variable(e.wrt)
        diff = self.ring.diff
        first = [diff(g, a) for a in gens]
        return _build(len(gens), len(gens), lambda i, j: diff(first[i], gens[j]))

    def _At(self, e: At, hint: Hint) -> JetMatrix:
        """``expr`` with the listed variables set to constant values: its own jets in those variables.

        The SymPy path evaluates ``expr`` symbolically in fresh symbols and substitutes. Here
        the listed variables get offsets t of their own around the given values, truncated at
        the number of derivatives ``expr`` takes, and t = 0 at the end: exact, provided nothing
        in it varies with this evaluator's offsets, so the result is a constant. Where something
        does (z_1 = W_1 x + b_1 in a claim differentiated by W_1 elsewhere), it declines unless no
        derivative is taken of this ``at`` (:func:`_ats_outside_derivatives`): the value of every
        jet operation at s = 0 depends only on its operands' values at s = 0, so the constant
        terms are then all that reach the result. The given values are evaluated first (the SymPy
        path does it last), which changes no random draw because they may not mention a dependent
        symbol.
        """
        names = {v.name for v, _ in e.values}
        for name in e.expr.names():
            declared = self.symbols.get(name)
            if declared is not None and set(declared.of) & names:
                raise Declined(f"{name} depends on a variable set to a value")
        for _, value in e.values:
            if any(self.symbols.get(n) is None or self.symbols[n].of for n in value.names()):
                raise Declined("a value at a point that mentions a dependent symbol")
        given: dict[str, list[Coefficient]] = {}
        offsets: dict[str, tuple[tuple[int, int], tuple[int, ...]]] = {}
        count = 0
        for v, value in e.values:
            declared = self.symbols.get(v.name)
            if declared is None or not declared.shape.letters <= self.sizes.keys():
                raise Declined(f"{v.name} is not declared at these sizes")
            shape = declared.shape.bind(dict(self.sizes))
            m = self.eval(value)
            if m.shape != shape:
                raise Declined(f"{v.name} is given a value of another size")
            if not all(self.ring.is_constant(x) for x in m.entries()) and id(e) not in self._undifferentiated:
                raise Declined("a value at a point that varies with a differentiated variable")
            given[v.name] = [self.ring.value(x) for x in m.entries()]
            offsets[v.name] = (shape, tuple(range(count, count + shape[0] * shape[1])))
            count += shape[0] * shape[1]
        ring = Ring(count, derivative_order(e.expr))

        def leaf(name: str) -> JetMatrix:
            if name in given:
                (rows, cols), gens = offsets[name]
                return _build(rows, cols, lambda i, j: ring.generator(gens[i * cols + j], given[name][i * cols + j]))
            outer = self.value(name)
            if not all(self.ring.is_constant(x) for x in outer.entries()) and id(e) not in self._undifferentiated:
                raise Declined(f"{name} varies with a differentiated variable inside a value at a point")
            return JetMatrix(tuple(tuple(ring.constant(self.ring.value(x)) for x in row) for row in outer.rows))

        inner = self._inner(ring, offsets, leaf)
        m = inner.eval(e.expr, hint)
        return JetMatrix(tuple(tuple(self.ring.constant(ring.value(x)) for x in row) for row in m.rows))



def _coefficient(value: object) -> Coefficient:
    """An exact constant as an int or a Fraction; anything else (a float, pi) is declined."""
    if isinstance(value, bool):
        raise Declined("a boolean constant")
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return value
    if isinstance(value, sympy.Rational):
        p, q = int(value.p), int(value.q)
        return p if q == 1 else Fraction(p, q)
    raise Declined(f"a constant that is not rational: {value!r}")


class PointEvaluator(FractionEvaluator):
    """The fraction evaluator on a sampling :class:`Point`: the same values the SymPy path sees.

    Independent symbols are read from ``point.values`` (never re-drawn). A dependent symbol
    is read from the point's draw of it (:meth:`~verify.deciding.evaluation.sampling.Point.function`,
    drawn on first use by whichever evaluator asks first): each symbol is drawn once per point, and
    the SymPy path after a partial attempt reads the same draw.
    """

    def __init__(self, symbols: Mapping[str, Symbol], sizes: Mapping[str, int], layout: str,
                 point: Point, order: int) -> None:
        self.point = point
        # One generator per offset, entry by entry; a symmetric matrix's mirrored entries share one
        # (as its offset symbols do: sampling._atoms), without making those SymPy symbols here.
        generators: dict[tuple[str, int, int], int] = {}
        offsets: dict[str, tuple[tuple[int, int], tuple[int, ...]]] = {}
        for name, (rows, cols) in point.variables.items():
            mirrored = symbols[name].symmetric
            gens = [generators.setdefault((name, j, i) if mirrored and j < i else (name, i, j), len(generators))
                    for i in range(rows) for j in range(cols)]
            offsets[name] = ((rows, cols), tuple(gens))
        self._offsets = offsets
        self._generators = generators
        #: the sides' values as Python numbers, once :meth:`evaluate` computed them
        self.exact: tuple[Rows, ...] | None = None
        super().__init__(symbols, sizes, layout, Ring(len(generators), order), offsets)

    def _realise(self, name: str) -> JetMatrix:
        s = self.symbols.get(name)
        if s is None:
            raise Declined(f"{name} is not declared")
        ring = self.ring
        if s.of:
            if not s.shape.letters <= self.sizes.keys():
                raise Declined(f"{name} has no size here")
            return self._function(self.point.function(s))
        value = self.point.drawn(name)
        if value is None:
            raise Declined(f"{name} has no value at this point")
        if isinstance(value, tuple):  # drawn numbers: ints and Fractions already
            if name not in self.offsets:  # constants, row by row (the common case: no index arithmetic)
                unit = ring.unit
                return JetMatrix(tuple(tuple({unit: x} if x else {} for x in row) for row in value))
            numbers = [x for row in value for x in row]
            rows, cols = len(value), len(value[0])
        else:
            numbers = [_coefficient(x) for row in value.tolist() for x in row]  # tolist: twice as fast as iterating
            rows, cols = value.shape
        if name in self.offsets:
            gens = self.offsets[name][1]
            return _build(rows, cols, lambda i, j: ring.generator(gens[i * cols + j], numbers[i * cols + j]))
        return _build(rows, cols, lambda i, j: ring.constant(numbers[i * cols + j]))

    def _transcendental(self, func: str, x: Jet) -> Jet:
        """log u only: log(u0 + w) = log u0 + sum_k (-1)^(k+1) (w / u0)^k / k, whose terms after the
        first are exact (w has no constant term); the first is an :class:`Unknown` (0 when u0 = 1)."""
        if func != "log":
            return super()._transcendental(func, x)
        ring = self.ring
        u0 = ring.value(x)
        if not isinstance(u0, int | Fraction) or isinstance(u0, bool):
            raise Declined("the log of a value that is not a known rational")
        if u0 <= 0:  # exactly: not a real number, the point is not used (as the SymPy path would find)
            raise NotReal("log of 0" if u0 == 0 else "log of a negative number")
        ratio = ring.scale({m: c for m, c in x.items() if m != ring.unit}, 1 / Fraction(u0))
        total: Jet = {} if u0 == 1 else {ring.unit: Unknown()}  # type: ignore[dict-item]  # never read as a value
        power = ratio
        for k in range(1, ring.order + 1):
            if not power:
                break
            total = ring.add(total, ring.scale(power, Fraction((-1) ** (k + 1), k)))
            power = ring.mul(power, ratio)
        return total

    def numbers(self, m: JetMatrix) -> Rows:
        """Values at s = 0 as Python ints and Fractions (what the comparison of a point reads)."""
        value = self.ring.value

        def exact(x: Jet) -> Coefficient:
            c = value(x)
            if not isinstance(c, int | Fraction) or isinstance(c, bool):  # a float would be a bug here
                raise Declined(f"an inexact value {c!r}")
            return c

        return tuple(tuple(exact(x) for x in row) for row in m.rows)

    def _function(self, f: Function) -> JetMatrix:
        """A dependent symbol's realising polynomials as jets, from the numbers drawn: the term
        coeff * prod(s_k ^ count) / prod(count!) of each multi-index, on this ring's generators."""
        ring = self.ring
        gens = [self._generators[key] for key in f.keys]
        value = f.value
        jets: dict[tuple[int, int], Jet] = {}
        for (i, j), terms in f.terms.items():
            c = value[i][j] if isinstance(value, tuple) else _coefficient(value[i, j])
            out: dict[Monomial, Coefficient] = {ring.unit: c} if c else {}
            for combo, coeff in terms:
                mono = [0] * ring.size
                factorial = 1
                for idx, count in _counts(combo):
                    mono[gens[idx]] += count
                    factorial *= math.factorial(count)
                if sum(mono) > ring.order:
                    continue
                key = tuple(mono)
                out[key] = out.get(key, 0) + Fraction(coeff) / factorial
            jets[(i, j)] = {m: x for m, x in out.items() if x}
        mirrored = f.symbol.symmetric
        return _build(f.rows, f.cols, lambda i, j: jets[(j, i) if mirrored and j < i else (i, j)])

    def at_point(self, m: JetMatrix) -> sympy.Matrix:
        """Values at s = 0 as SymPy Rationals, exactly what ``JetEvaluator.at_point`` returns."""
        return as_matrix(self.numbers(m))

    def evaluate(self, sides: Sequence[Expr]) -> list[sympy.Matrix]:
        """Both sides' values at the point; raises Declined, ZeroDivisionError or Boundary. The same
        values as Python numbers are left in :attr:`exact` (comparing those is faster than entries
        of SymPy matrices).

        Anything unexpected is turned into Declined, so that a gap in this module costs speed
        (the SymPy path runs instead) and never a verdict.
        """
        return [as_matrix(n) for n in self.numbers_of(sides)]

    def numbers_of(self, sides: Sequence[Expr]) -> tuple[Rows, ...]:
        """Both sides' values at the point as Python numbers (also left in :attr:`exact`); raises as
        :meth:`evaluate` does."""
        try:
            self.exact = tuple(self.numbers(m) for m in self.sides(sides))
            return self.exact
        except (Declined, ZeroDivisionError, Boundary, NotReal, MemoryError):  # a worker at its memory cap stops
            raise
        except Exception as err:  # anything unexpected: see the docstring
            raise Declined(f"unexpected {type(err).__name__}: {err}") from err
