"""An oracle for the soundness corpus (issue 11) that shares nothing with the engine's deciding code.

It uses the project's reader only (``verify.reading.claims_file``, ``verify.reading``, the node classes of
``verify.model.expr``) and decides each claim a second way: both sides evaluated entry by entry
at concrete sizes 1..4 of every dimension letter (all combinations, capped) and at several exact
rational points, in mpmath **interval** arithmetic at 250 digits. Two sides differ at a point only
when their enclosures are disjoint, which is a proof; they agree when the enclosures overlap and
are narrow. Where a decision sits on a boundary (a max of two equal values, ``|0|``, an indicator
at its threshold) the argument is recomputed exactly in SymPy and its sign decided there. A
derivative is taken symbolically in SymPy (with fresh symbols for the variable) and then enclosed.
An arbitrary function (``of(...)``) is realised as a random cubic polynomial of its variables.

An indicator (``I(a > b)``, ``\\mathbb{1}[a \\leq b]``) is NOT read through the reader, which maps
``>`` and ``\\geq`` to the same node: the oracle finds it in the LaTeX text itself, reads ``a``
and ``b`` separately, and evaluates the comparison as written (strict or not).

A point where a side is undefined (a singular inverse, the log of a non-positive number) is
skipped; so is a point the intervals cannot settle. Verdict: ``fails`` when some point separates
the sides, ``holds`` when at least :data:`MIN_AGREEING` points agree and none separates, else
``None`` (undecided).
"""

from __future__ import annotations

import itertools
import random
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy
from mpmath import iv

from verify.model import expr as E
from verify.model.shape import SCALAR, Shape
from verify.model.symbols import Symbol, Symbols
from verify.reading.claims_file import load_claims_file
from verify.reading.latex import LatexReader

DPS = 250
MAX_SIZE = 4
MAX_COMBOS = 24
MIN_AGREEING = 3

SMALL = [sympy.Rational(n, d) for n in range(-5, 6) for d in (1, 2, 3, 4)]
SCALAR_POOL = [sympy.Rational(v) for v in ("0", "1", "-1", "1/2", "-3/2", "3", "-7/3", "1000", "-1000",
                                          "2000", "-2000")] + [sympy.Rational(1, 10**40), sympy.Rational(-1, 10**40)]


#: fresh symbol numbers, unique across nested derivatives
_FRESH = itertools.count()


class Undefined(Exception):
    """A side is undefined at this point (skip the point)."""


class Unresolved(Exception):
    """The enclosures cannot settle this point (skip the point)."""


class Unsupported(Exception):
    """The oracle cannot evaluate this claim at all."""


# ---------------------------------------------------------------------------------------------
# Values: a matrix (list of rows of scalars) or a scaled identity whose size comes from context.


@dataclass
class Mat:
    e: list[list[Any]]

    @property
    def r(self) -> int:
        return len(self.e)

    @property
    def c(self) -> int:
        return len(self.e[0])


@dataclass
class Sid:
    c: Any


def _eye(n: int, one: Any, zero: Any) -> Mat:
    return Mat([[one if i == j else zero for j in range(n)] for i in range(n)])


# ---------------------------------------------------------------------------------------------
# Backends: interval (the main route) and exact SymPy (boundaries and derivatives).


def exact_sign(v: sympy.Expr) -> int:
    """The sign of an exact number: rational arithmetic where it is rational, else the expanded
    form (exact cancellation of exponentials), else enclosures at rising precision. SymPy's own
    evalf is avoided: it works out e^(2.4e8) to all its integer digits."""
    v = sympy.sympify(v)
    if v.free_symbols:
        raise Unsupported("a comparison inside a derivative")
    if v.is_Rational:
        return int(sympy.sign(v))
    e = sympy.expand(v)
    if e.is_Rational:
        return int(sympy.sign(e))
    old = iv.dps
    try:
        for dps in (DPS, 4 * DPS):
            iv.dps = dps
            x = to_iv(e)
            if x.a > 0:
                return 1
            if x.b < 0:
                return -1
    finally:
        iv.dps = old
    raise Unresolved(f"cannot decide the sign of {e}")


class ExactBackend:
    exact = True
    zero = sympy.Integer(0)
    one = sympy.Integer(1)

    def const(self, r: sympy.Rational) -> Any:
        return r

    def exp(self, x: Any) -> Any:
        return sympy.exp(x)

    def log(self, x: Any, thunk: Callable[[], Any]) -> Any:
        if not x.free_symbols and exact_sign(x) <= 0:
            raise Undefined("log of a non-positive number")
        return sympy.log(x)

    def tanh(self, x: Any) -> Any:
        return sympy.tanh(x)

    def sigmoid(self, x: Any) -> Any:
        return 1 / (1 + sympy.exp(-x))

    def sqrt(self, x: Any, thunk: Callable[[], Any]) -> Any:
        if not x.free_symbols and exact_sign(x) < 0:
            raise Undefined("sqrt of a negative number")
        return sympy.sqrt(x)

    def sign(self, x: Any, thunk: Callable[[], Any]) -> int:
        return exact_sign(x)

    def nonzero(self, x: Any, thunk: Callable[[], Any]) -> None:
        if not sympy.sympify(x).free_symbols and exact_sign(x) == 0:
            raise Undefined("division by zero")

    def inv(self, m: Mat, thunk: Callable[[], Mat]) -> Mat:
        M = sympy.Matrix(m.e)
        d = M.det(method="berkowitz")
        if not d.free_symbols and exact_sign(d) == 0:
            raise Undefined("singular matrix")
        if M.rows <= 3 or M.free_symbols:
            inv = M.adjugate(method="berkowitz") / d
        else:
            inv = M.inv(method="LU")
        return Mat([[inv[i, j] for j in range(M.cols)] for i in range(M.rows)])

    def det(self, m: Mat, thunk: Callable[[], Mat]) -> Any:
        return sympy.Matrix(m.e).det(method="berkowitz")


def _iv_const(r: sympy.Rational) -> Any:
    r = sympy.Rational(r)
    return iv.mpf(int(r.p)) / iv.mpf(int(r.q))


def to_iv(v: Any) -> Any:
    """An enclosure of an exact SymPy number (a number, exp, log, tanh, powers, sums, products)."""
    v = sympy.sympify(v)
    if v.free_symbols:
        raise Unsupported(f"not a number: {v}")
    if v.is_Rational:
        return _iv_const(v)
    if v is sympy.E:
        return iv.exp(iv.mpf(1))
    if isinstance(v, sympy.Add):
        out = iv.mpf(0)
        for a in v.args:
            out = out + to_iv(a)
        return out
    if isinstance(v, sympy.Mul):
        out = iv.mpf(1)
        for a in v.args:
            out = out * to_iv(a)
        return out
    if isinstance(v, sympy.Pow):
        base, ex = v.args
        if ex.is_Integer:
            b = to_iv(base)
            return b ** int(ex) if ex >= 0 else iv.mpf(1) / (b ** int(-ex))
        if ex == sympy.Rational(1, 2):
            return iv.sqrt(to_iv(base))
        if ex == sympy.Rational(-1, 2):
            return iv.mpf(1) / iv.sqrt(to_iv(base))
        return iv.exp(to_iv(ex) * iv.log(to_iv(base)))
    if isinstance(v, sympy.exp):
        return iv.exp(to_iv(v.args[0]))
    if isinstance(v, sympy.log):
        return iv.log(to_iv(v.args[0]))
    if isinstance(v, sympy.tanh):
        return _iv_tanh(to_iv(v.args[0]))
    if isinstance(v, sympy.Abs):
        a = to_iv(v.args[0])
        return abs(a)
    raise Unsupported(f"cannot enclose {type(v).__name__}: {v}")


def _iv_tanh(x: Any) -> Any:
    # tanh(x) = 1 - 2 / (exp(2x) + 1); monotone, so the enclosure is the image of the endpoints
    lo, hi = iv.mpf(x.a), iv.mpf(x.b)
    f = [iv.mpf(1) - iv.mpf(2) / (iv.exp(2 * t) + 1) for t in (lo, hi)]
    return iv.mpf([f[0].a, f[1].b])


def _iv_sigmoid(x: Any) -> Any:
    lo, hi = iv.mpf(x.a), iv.mpf(x.b)
    f = [iv.mpf(1) / (1 + iv.exp(-t)) for t in (lo, hi)]
    return iv.mpf([f[0].a, f[1].b])


class IntervalBackend:
    exact = False

    def __init__(self) -> None:
        self.zero = iv.mpf(0)
        self.one = iv.mpf(1)

    def const(self, r: sympy.Rational) -> Any:
        return _iv_const(r)

    def exp(self, x: Any) -> Any:
        return iv.exp(x)

    def log(self, x: Any, thunk: Callable[[], Any]) -> Any:
        if self.sign(x, thunk) <= 0:
            raise Undefined("log of a non-positive number")
        return iv.log(x)

    def tanh(self, x: Any) -> Any:
        return _iv_tanh(x)

    def sigmoid(self, x: Any) -> Any:
        return _iv_sigmoid(x)

    def sqrt(self, x: Any, thunk: Callable[[], Any]) -> Any:
        s = self.sign(x, thunk)
        if s < 0:
            raise Undefined("sqrt of a negative number")
        return iv.mpf(0) if s == 0 else iv.sqrt(x)

    def sign(self, x: Any, thunk: Callable[[], Any]) -> int:
        if x.a > 0:
            return 1
        if x.b < 0:
            return -1
        return exact_sign(thunk())

    def nonzero(self, x: Any, thunk: Callable[[], Any]) -> None:
        if self.sign(x, thunk) == 0:
            raise Undefined("division by zero")

    def _eliminate(self, m: Mat, rhs: list[list[Any]] | None) -> tuple[Any, list[list[Any]], int]:
        a = [row[:] for row in m.e]
        n = len(a)
        det = iv.mpf(1)
        for k in range(n):
            candidates = [i for i in range(k, n) if a[i][k].a > 0 or a[i][k].b < 0]
            if not candidates:
                return det, a, k
            p = max(candidates, key=lambda i: abs(a[i][k].mid))
            if p != k:
                a[k], a[p] = a[p], a[k]
                if rhs is not None:
                    rhs[k], rhs[p] = rhs[p], rhs[k]
                det = -det
            det = det * a[k][k]
            for i in range(n):
                if i == k:
                    continue
                f = a[i][k] / a[k][k]
                if rhs is None and i < k:
                    continue
                for j in range(k, n):
                    a[i][j] = a[i][j] - f * a[k][j]
                if rhs is not None:
                    rhs[i] = [x - f * y for x, y in zip(rhs[i], rhs[k], strict=True)]
        return det, a, n

    def det(self, m: Mat, thunk: Callable[[], Mat]) -> Any:
        det, a, k = self._eliminate(m, None)
        if k == len(a):
            return det
        # the rest (rows and columns k..n-1) has no entry known to be non-zero: expand it
        rest = [row[k:] for row in a[k:]]
        return det * _iv_leibniz(rest)

    def inv(self, m: Mat, thunk: Callable[[], Mat]) -> Mat:
        n = m.r
        rhs = [[iv.mpf(1) if i == j else iv.mpf(0) for j in range(n)] for i in range(n)]
        _, a, k = self._eliminate(m, rhs)
        if k < n:
            raise Undefined("singular (or unresolved) matrix")
        return Mat([[rhs[i][j] / a[i][i] for j in range(n)] for i in range(n)])


def _iv_leibniz(a: list[list[Any]]) -> Any:
    n = len(a)
    total = iv.mpf(0)
    for perm in itertools.permutations(range(n)):
        inversions = sum(1 for i in range(n) for j in range(i + 1, n) if perm[i] > perm[j])
        term = iv.mpf(1)
        for i in range(n):
            term = term * a[i][perm[i]]
        total = total + term if inversions % 2 == 0 else total - term
    return total


# ---------------------------------------------------------------------------------------------
# The environment of one point.


@dataclass
class Poly:
    """An arbitrary function realised as a polynomial: per entry, {exponents: coefficient}."""

    variables: tuple[str, ...]
    shape: tuple[int, int]
    terms: list[list[dict[tuple[int, ...], sympy.Rational]]]


@dataclass
class Indicator:
    left: E.Expr
    op: str
    right: E.Expr


@dataclass
class Point:
    values: dict[str, list[list[Any]]]
    funcs: dict[str, Poly] = field(default_factory=dict)


class Evaluator:
    """Evaluates the tree at one point with one backend."""

    def __init__(self, backend: Any, ctx: ClaimContext, sizes: dict[str, int], point: Point,
                 env: dict[str, list[list[Any]]] | None = None) -> None:
        self.b = backend
        self.ctx = ctx
        self.sizes = sizes
        self.point = point
        self.env = dict(point.values) if env is None else env
        self._exact: Evaluator | None = None
        self._exact_cache: dict[int, Any] = {}

    # the exact route at the same point, for boundaries
    def exact_of(self, node: E.Expr) -> Any:
        if self.b.exact:
            return self.ev(node)
        if self._exact is None:
            self._exact = Evaluator(ExactBackend(), self.ctx, self.sizes, self.point)
        key = id(node)
        if key not in self._exact_cache:
            self._exact_cache[key] = self._exact.ev(node)
        return self._exact_cache[key]

    def lift(self, x: Any) -> Any:
        if self.b.exact:
            return x
        return _iv_const(x) if isinstance(x, sympy.Rational) else to_iv(x)

    def scalar_shape(self, node: E.Expr) -> bool:
        return self.ctx.shape(node).is_scalar

    def bind(self, shape: Shape) -> tuple[int, int]:
        return shape.bind(self.sizes)

    # ------------------------------------------------------------------
    def ev(self, node: E.Expr) -> Mat | Sid:
        method = getattr(self, "ev_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(f"node {type(node).__name__}")
        return method(node)

    def scalar(self, node: E.Expr) -> Any:
        v = self.ev(node)
        if isinstance(v, Sid):
            raise Unsupported("identity used as a scalar")
        if v.r != 1 or v.c != 1:
            raise Unsupported(f"expected a scalar: {node.latex()}")
        return v.e[0][0]

    def ev_Var(self, node: E.Var) -> Mat:
        name = node.name
        if name in self.ctx.indicators:
            return self.indicator(self.ctx.indicators[name])
        if name in self.point.funcs:
            return self.realise(self.point.funcs[name])
        if name in self.env:
            return Mat([[self.lift(x) for x in row] for row in self.env[name]])
        raise Unsupported(f"no value for {name}")

    def realise(self, poly: Poly) -> Mat:
        flat: list[Any] = []
        for v in poly.variables:
            flat += [self.lift(x) for row in self.env[v] for x in row]
        rows = []
        for i in range(poly.shape[0]):
            row = []
            for j in range(poly.shape[1]):
                total = self.b.zero
                for exps, coef in poly.terms[i][j].items():
                    term = self.b.const(coef)
                    for x, k in zip(flat, exps, strict=True):
                        if k:
                            term = term * x**k
                    total = total + term
                row.append(total)
            rows.append(row)
        return Mat(rows)

    def indicator(self, ind: Indicator) -> Mat:
        left, right = self.ev(ind.left), self.ev(ind.right)
        if isinstance(left, Sid) or isinstance(right, Sid):
            raise Unsupported("identity in a comparison")
        r, c = max(left.r, right.r), max(left.c, right.c)

        def entry(m: Mat, i: int, j: int) -> Any:
            return m.e[0][0] if (m.r, m.c) == (1, 1) else m.e[i][j]

        out = []
        for i in range(r):
            row = []
            for j in range(c):
                d = entry(left, i, j) - entry(right, i, j)

                def thunk(i: int = i, j: int = j) -> Any:
                    lx, rx = self.exact_of(ind.left), self.exact_of(ind.right)
                    return entry(lx, i, j) - entry(rx, i, j)

                s = self.b.sign(d, thunk)
                truth = {">": s > 0, ">=": s >= 0, "<": s < 0, "<=": s <= 0}[ind.op]
                row.append(self.b.one if truth else self.b.zero)
            out.append(row)
        return Mat(out)

    def ev_Const(self, node: E.Const) -> Mat:
        return Mat([[self.b.const(node.value)]])

    def ev_Identity(self, node: E.Identity) -> Mat | Sid:
        if node.size is None or node.size == E.ANY:
            return Sid(self.b.one)
        n = node.size if isinstance(node.size, int) else self.sizes[node.size]
        return _eye(n, self.b.one, self.b.zero)

    def ev_Zero(self, node: E.Zero) -> Mat:
        r, c = self.bind(node.shape)
        return Mat([[self.b.zero] * c for _ in range(r)])

    def to_mat(self, v: Mat | Sid, n: int) -> Mat:
        if isinstance(v, Mat):
            return v
        return Mat([[v.c if i == j else self.b.zero for j in range(n)] for i in range(n)])

    def ev_Add(self, node: E.Add) -> Mat | Sid:
        vals = [self.ev(t) for t in node.terms]
        mats = [v for v in vals if isinstance(v, Mat)]
        if not mats:
            total = self.b.zero
            for v in vals:
                total = total + v.c
            return Sid(total)
        r, c = mats[0].r, mats[0].c
        out = [[self.b.zero] * c for _ in range(r)]
        for v in vals:
            m = self.to_mat(v, r)
            if (m.r, m.c) != (r, c):
                raise Unsupported("sizes of a sum disagree")
            for i in range(r):
                for j in range(c):
                    out[i][j] = out[i][j] + m.e[i][j]
        return Mat(out)

    def ev_Product(self, node: E.Product) -> Mat | Sid:
        # As the contract reads a product: a factor that is a scalar scales, and so does a run of
        # matrix factors whose product is 1 x 1 by the declarations (x^T x in x^T x y).
        coef = self.b.one
        acc: Mat | Sid | None = None
        running: Shape | None = None
        for f in node.factors:
            v = self.ev(f)
            s = self.ctx.shape(f)
            if s.is_scalar and isinstance(v, Mat):
                coef = coef * v.e[0][0]
                continue
            if acc is None:
                acc, running = v, s
            else:
                acc = self.matmul(acc, v)
                assert running is not None
                running = Shape(s.rows if running.rows == E.ANY else running.rows,
                                running.cols if s.cols == E.ANY else s.cols)
            if running.is_scalar and isinstance(acc, Mat):
                coef = coef * acc.e[0][0]
                acc, running = None, None
        if acc is None:
            return Mat([[coef]])
        return self.scale(coef, acc)

    def scale(self, k: Any, v: Mat | Sid) -> Mat | Sid:
        if isinstance(v, Sid):
            return Sid(k * v.c)
        return Mat([[k * x for x in row] for row in v.e])

    def matmul(self, a: Mat | Sid, b: Mat | Sid) -> Mat | Sid:
        if isinstance(a, Sid):
            return self.scale(a.c, b)
        if isinstance(b, Sid):
            return self.scale(b.c, a)
        if a.c != b.r:
            raise Unsupported("sizes of a product disagree")
        out = []
        for i in range(a.r):
            row = []
            for j in range(b.c):
                s = self.b.zero
                for k in range(a.c):
                    s = s + a.e[i][k] * b.e[k][j]
                row.append(s)
            out.append(row)
        return Mat(out)

    def ev_Div(self, node: E.Div) -> Mat | Sid:
        num = self.ev(node.num)
        den = self.scalar(node.den)
        self.b.nonzero(den, lambda: self.exact_of(node.den).e[0][0])
        if isinstance(num, Sid):
            return Sid(num.c / den)
        return Mat([[x / den for x in row] for row in num.e])

    def ev_Power(self, node: E.Power) -> Mat | Sid:
        if not isinstance(node.exponent, E.Const):
            raise Unsupported("a non-constant exponent")
        k = node.exponent.value
        base = self.ev(node.base)
        if self.scalar_shape(node.base) and isinstance(base, Mat):
            x = base.e[0][0]
            if k.is_integer:
                if k < 0:
                    self.b.nonzero(x, lambda: self.exact_of(node.base).e[0][0])
                    return Mat([[self.b.one / x ** int(-k)]])
                return Mat([[x ** int(k)]])
            if k == sympy.Rational(1, 2):
                return Mat([[self.b.sqrt(x, lambda: self.exact_of(node.base).e[0][0])]])
            raise Unsupported(f"exponent {k}")
        if not k.is_integer:
            raise Unsupported("a fractional matrix power")
        if isinstance(base, Sid):
            if k < 0:
                self.b.nonzero(base.c, lambda: self.exact_of(node.base).c)
                return Sid(self.b.one / base.c ** int(-k))
            return Sid(base.c ** int(k))
        if k < 0:
            base = self.b.inv(base, lambda: self.exact_of(node.base))
            k = -k
        return self.matpow(base, int(k))

    def matpow(self, m: Mat, k: int) -> Mat:
        result: Mat | Sid = Sid(self.b.one)
        sq: Mat = m
        while k:
            if k & 1:
                result = self.matmul(result, sq)
            k >>= 1
            if k:
                sq = self.matmul(sq, sq)  # type: ignore[assignment]
        return self.to_mat(result, m.r)

    def ev_Transpose(self, node: E.Transpose) -> Mat | Sid:
        v = self.ev(node.arg)
        if isinstance(v, Sid):
            return v
        return Mat([[v.e[i][j] for i in range(v.r)] for j in range(v.c)])

    def ev_Inverse(self, node: E.Inverse) -> Mat | Sid:
        v = self.ev(node.arg)
        if isinstance(v, Sid):
            self.b.nonzero(v.c, lambda: self.exact_of(node.arg).c)
            return Sid(self.b.one / v.c)
        if v.r != v.c:
            raise Unsupported("inverse of a non-square matrix")
        return self.b.inv(v, lambda: self.exact_of(node.arg))

    def ev_Apply(self, node: E.Apply) -> Mat | Sid:
        v = self.ev(node.arg)
        f = node.func
        if isinstance(v, Sid):
            raise Unsupported(f"{f} of an identity without a size")
        if f == "tr":
            total = self.b.zero
            for i in range(v.r):
                total = total + v.e[i][i]
            return Mat([[total]])
        if f == "det":
            return Mat([[self.b.det(v, lambda: self.exact_of(node.arg))]])
        if f == "diag":
            n = v.r
            return Mat([[v.e[i][0] if i == j else self.b.zero for j in range(n)] for i in range(n)])
        out = []
        for i in range(v.r):
            row = []
            for j in range(v.c):
                x = v.e[i][j]

                def thunk(i: int = i, j: int = j) -> Any:
                    return self.exact_of(node.arg).e[i][j]

                row.append(self.elementwise(f, x, thunk))
            out.append(row)
        return Mat(out)

    def elementwise(self, f: str, x: Any, thunk: Callable[[], Any]) -> Any:
        if f == "exp":
            return self.b.exp(x)
        if f == "log":
            return self.b.log(x, thunk)
        if f == "tanh":
            return self.b.tanh(x)
        if f == "sigmoid":
            return self.b.sigmoid(x)
        if f == "sqrt":
            return self.b.sqrt(x, thunk)
        if f == "abs":
            return x if self.b.sign(x, thunk) >= 0 else -x
        if f == "relu":
            return x if self.b.sign(x, thunk) > 0 else self.b.zero
        # "step" has no value fixed at 0 by the contract: not decided here
        raise Unsupported(f"function {f}")

    def ev_Max(self, node: E.Max) -> Mat:
        vals = [self.ev(a) for a in node.args]
        if any(isinstance(v, Sid) for v in vals):
            raise Unsupported("identity in a max")
        wide = [v for v in vals if (v.r, v.c) != (1, 1)] or vals
        r, c = wide[0].r, wide[0].c

        def entry(m: Mat, i: int, j: int) -> Any:
            return m.e[0][0] if (m.r, m.c) == (1, 1) else m.e[i][j]

        out = []
        for i in range(r):
            row = []
            for j in range(c):
                best = 0
                for k in range(1, len(vals)):
                    d = entry(vals[k], i, j) - entry(vals[best], i, j)

                    def thunk(i: int = i, j: int = j, k: int = k, best: int = best) -> Any:
                        xk, xb = self.exact_of(node.args[k]), self.exact_of(node.args[best])
                        return entry(xk, i, j) - entry(xb, i, j)

                    if self.b.sign(d, thunk) > 0:
                        best = k
                row.append(entry(vals[best], i, j))
            out.append(row)
        return Mat(out)

    def ev_Hadamard(self, node: E.Hadamard) -> Mat:
        a, b = self.ev(node.left), self.ev(node.right)
        if isinstance(a, Sid) or isinstance(b, Sid) or (a.r, a.c) != (b.r, b.c):
            raise Unsupported("odot operands")
        return Mat([[x * y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a.e, b.e, strict=True)])

    def ev_MatrixLit(self, node: E.MatrixLit) -> Mat:
        return Mat([[self.scalar(x) for x in row] for row in node.rows])

    # ------------------------------------------------------------------ derivatives
    def delegate(self, node: E.Expr) -> Mat:
        """A derivative node from the interval route: taken exactly, then enclosed."""
        v = self.exact_of(node)
        if isinstance(v, Sid):
            raise Unsupported("a derivative that is an identity without a size")
        return Mat([[to_iv(x) for x in row] for row in v.e])

    def with_symbols(self, var: str) -> tuple[dict[str, list[list[Any]]], list[list[sympy.Symbol]]]:
        shape = self.ctx.symbols[var].shape
        r, c = self.bind(shape)
        tag = next(_FRESH)
        syms = [[sympy.Symbol(f"_o{tag}_{var}_{i}_{j}") for j in range(c)] for i in range(r)]
        env = dict(self.env)
        env[var] = syms
        return env, syms

    def sub_back(self, value: Any, pairs: list[tuple[list[list[sympy.Symbol]], list[list[Any]]]]) -> Any:
        mapping = {}
        for syms, vals in pairs:
            for srow, vrow in zip(syms, vals, strict=True):
                for s, x in zip(srow, vrow, strict=True):
                    mapping[s] = x
        out = sympy.sympify(value).xreplace(mapping)
        if out.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise Undefined("a derivative undefined at the point")
        return out

    def inner(self, env: dict[str, list[list[Any]]]) -> Evaluator:
        return Evaluator(self.b, self.ctx, self.sizes, self.point, env)

    def ev_Derivative(self, node: E.Derivative) -> Mat:
        if not self.b.exact:
            return self.delegate(node)
        layout = self.ctx.layout
        if len(node.wrt) > 1:
            env = dict(self.env)
            pairs = []
            lookup: dict[str, sympy.Symbol] = {}
            for name in dict.fromkeys(w.name for w in node.wrt):
                sym = sympy.Symbol(f"_o{next(_FRESH)}_{name}")
                env[name] = [[sym]]
                pairs.append(([[sym]], self.env[name]))
                lookup[name] = sym
            f = self.inner(env).scalar(node.f)
            for w in reversed(node.wrt):  # d/du (d f / dv): v first
                f = sympy.diff(f, lookup[w.name])
            return Mat([[self.sub_back(f, pairs)]])
        var = node.wrt[0].name
        env, syms = self.with_symbols(var)
        fv = self.inner(env).ev(node.f)
        if isinstance(fv, Sid):
            raise Unsupported("derivative of an identity")
        vs = self.ctx.symbols[var].shape
        pairs = [(syms, self.env[var])]
        d = lambda x, s: self.sub_back(sympy.diff(x, s), pairs)  # noqa: E731
        if vs.is_scalar:
            return Mat([[d(x, syms[0][0]) for x in row] for row in fv.e])
        r, c = len(syms), len(syms[0])
        if fv.r == 1 and fv.c == 1 and self.scalar_shape(node.f):
            f = fv.e[0][0]
            if vs.is_column:
                col = [d(f, syms[i][0]) for i in range(r)]
                return Mat([col]) if layout == "numerator" else Mat([[x] for x in col])
            grid = [[d(f, syms[i][j]) for j in range(c)] for i in range(r)]
            if layout == "numerator":
                return Mat([[grid[i][j] for i in range(r)] for j in range(c)])
            return Mat(grid)
        if fv.c == 1 and vs.is_column:
            jac = [[d(fv.e[i][0], syms[j][0]) for j in range(r)] for i in range(fv.r)]
            if layout == "numerator":
                return Mat(jac)
            return Mat([[jac[i][j] for i in range(fv.r)] for j in range(r)])
        raise Unsupported("derivative of this shape")

    def ev_Gradient(self, node: E.Gradient) -> Mat:
        if not self.b.exact:
            return self.delegate(node)
        var = node.wrt.name
        env, syms = self.with_symbols(var)
        f = self.inner(env).scalar(node.f)
        pairs = [(syms, self.env[var])]
        return Mat([[self.sub_back(sympy.diff(f, s[0]), pairs)] for s in syms])

    def ev_Hessian(self, node: E.Hessian) -> Mat:
        if not self.b.exact:
            return self.delegate(node)
        var = node.wrt.name
        env, syms = self.with_symbols(var)
        f = self.inner(env).scalar(node.f)
        pairs = [(syms, self.env[var])]
        flat = [s[0] for s in syms]
        return Mat([[self.sub_back(sympy.diff(f, a, b), pairs) for b in flat] for a in flat])

    def ev_At(self, node: E.At) -> Mat | Sid:
        if not self.b.exact:
            return self.delegate(node)
        env = dict(self.env)
        for v, value in node.values:
            val = self.ev(value)
            if isinstance(val, Sid):
                raise Unsupported("an identity as a value")
            env[v.name] = val.e
        return self.inner(env).ev(node.expr)


# ---------------------------------------------------------------------------------------------
# Claims: reading (with indicators taken from the text), sizes, points, the verdict.


_IND_OPEN = re.compile(
    r"(?:\\mathbb\s*\{\s*[1I]\s*\}|\\mathbf\s*\{\s*1\s*\}|\\mathbb\s*1|(?<![A-Za-z\\])I)\s*(\\left\s*)?([(\[])"
)
_CMP = re.compile(r"\\geqslant|\\leqslant|\\geq|\\leq|\\ge(?![A-Za-z])|\\le(?![A-Za-z])|>=|<=|>|<")
_CMP_MEANING = {"\\geqslant": ">=", "\\leqslant": "<=", "\\geq": ">=", "\\leq": "<=", "\\ge": ">=",
                "\\le": "<=", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}


def _close(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
    raise Unsupported("unbalanced brackets around an indicator")


def split_indicators(text: str, counter: Iterator[int]) -> tuple[str, dict[str, tuple[str, str, str]]]:
    """Each indicator in ``text`` replaced by a placeholder name; returns (text, {name: (a, op, b)})."""
    found: dict[str, tuple[str, str, str]] = {}
    out, pos = [], 0
    while True:
        m = _IND_OPEN.search(text, pos)
        if not m:
            out.append(text[pos:])
            break
        open_at = m.end() - 1
        close_at = _close(text, open_at)
        body = text[open_at + 1: close_at]
        if m.group(1):
            body = re.sub(r"\\right\s*$", "", body)
        cmp = _CMP.search(body)
        if not cmp:  # I (x + y): the identity times a group
            out.append(text[pos: open_at + 1])
            pos = open_at + 1
            continue
        name = f"\\varkappa_{{{next(counter)}}}"
        found[name] = (body[: cmp.start()], _CMP_MEANING[cmp.group()], body[cmp.end():])
        out.append(text[pos: m.start()] + f" {name} ")
        pos = close_at + 1
    return "".join(out), found


@dataclass
class ClaimContext:
    id: str
    expect: str | None
    lhs: E.Expr
    rhs: E.Expr
    symbols: Symbols
    layout: str
    indicators: dict[str, Indicator]
    letters: tuple[str, ...]
    _shapes: dict[int, Shape] = field(default_factory=dict)

    def shape(self, node: E.Expr) -> Shape:
        key = id(node)
        if key not in self._shapes:
            self._shapes[key] = E.shape_of(node, self.symbols, self.layout)
        return self._shapes[key]


def _walk(e: E.Expr) -> Iterator[E.Expr]:
    yield e
    for c in e.children():
        yield from _walk(c)


def contexts(path: str | Path) -> list[tuple[str, str | None, ClaimContext | None, str | None]]:
    """(id, expect, context or None, why not) for every claim of a claims file."""
    cf = load_claims_file(str(path))
    raw = {t.get("id"): t for t in tomllib.loads(Path(path).read_text()).get("claim", [])}
    counter = itertools.count(1)
    # First the indicators of every claim, taken from the text: each becomes a placeholder name,
    # declared with the shape of what it compares; one reader then reads every rewritten claim
    # (building a reader is the expensive part).
    split: dict[str, tuple[str, str, dict[str, Indicator]]] = {}
    problems: dict[str, str] = {}
    extra: list[Symbol] = []
    plain: LatexReader | None = None
    for entry in cf.entries:
        if entry.claim is None:
            continue
        table = raw[entry.id]
        try:
            lhs_text, ind_l = split_indicators(table["lhs"], counter)
            rhs_text, ind_r = split_indicators(table["rhs"], counter)
            indicators: dict[str, Indicator] = {}
            for name, (a, op, b) in {**ind_l, **ind_r}.items():
                plain = plain or LatexReader(cf.symbols, cf.layout, cf.defines)
                left, right = plain.read(a), plain.read(b)
                sl, sr = (E.shape_of(x, cf.symbols, cf.layout) for x in (left, right))
                indicators[name] = Indicator(left, op, right)
                extra.append(Symbol(name, sl if not sl.is_scalar else sr))
            split[entry.id] = (lhs_text, rhs_text, indicators)
        except Exception as err:  # reported as undecided, with the reason
            problems[entry.id] = f"{type(err).__name__}: {err}"
    table_syms = Symbols.of([*cf.symbols.values(), *extra]) if extra else cf.symbols
    reader = LatexReader(table_syms, cf.layout, cf.defines) if extra else None

    out: list[tuple[str, str | None, ClaimContext | None, str | None]] = []
    for entry in cf.entries:
        if entry.claim is None:
            out.append((entry.id, entry.expect, None, f"unreadable: {entry.problem}"))
            continue
        if entry.id in problems:
            out.append((entry.id, entry.expect, None, problems[entry.id]))
            continue
        lhs_text, rhs_text, indicators = split[entry.id]
        try:
            if indicators:
                assert reader is not None
                lhs, rhs = reader.read(lhs_text), reader.read(rhs_text)
            else:
                lhs, rhs = entry.claim.lhs, entry.claim.rhs
            trees = [lhs, rhs, *(x for ind in indicators.values() for x in (ind.left, ind.right))]
            names: set[str] = set()
            letters: set[str] = set()
            for t in trees:
                for node in _walk(t):
                    if isinstance(node, E.Var) and node.name in cf.symbols:
                        names.add(node.name)
                        names.update(cf.symbols[node.name].of)
                    if isinstance(node, E.Identity) and isinstance(node.size, str) and node.size != E.ANY:
                        letters.add(node.size)
                    if isinstance(node, E.Zero):
                        letters |= node.shape.letters
            for n in names:
                letters |= cf.symbols[n].shape.letters
            used = Symbols.of([s for n, s in table_syms.items() if n in names or n in indicators])
            ctx = ClaimContext(entry.id, entry.expect, lhs, rhs, used, cf.layout, indicators,
                               tuple(sorted(letters)))
            out.append((entry.id, entry.expect, ctx, None))
        except Exception as err:  # reported as undecided, with the reason
            out.append((entry.id, entry.expect, None, f"{type(err).__name__}: {err}"))
    return out


def size_combos(letters: tuple[str, ...], rng: random.Random) -> list[dict[str, int]]:
    every = [dict(zip(letters, combo, strict=True)) for combo in itertools.product(range(1, MAX_SIZE + 1),
                                                                                   repeat=len(letters))]
    if len(every) <= MAX_COMBOS:
        return every
    equal = [c for c in every if len(set(c.values())) == 1]
    rest = [c for c in every if len(set(c.values())) > 1]
    return equal + rng.sample(rest, MAX_COMBOS - len(equal))


def _entries(rng: random.Random, r: int, c: int, kind: int) -> list[list[sympy.Rational]]:
    def one() -> sympy.Rational:
        if kind == 0:
            return sympy.Integer(0)
        if kind == 3:
            return sympy.Integer(rng.choice((-1, 1)) * rng.randint(1000, 3000))
        if kind == 4:
            return sympy.Rational(rng.choice((-3, -1, 1, 2)), 10**40)
        if kind == 5:
            return sympy.Integer(rng.randint(-2, 2))
        return rng.choice(SMALL)

    return [[one() for _ in range(c)] for _ in range(r)]


def _scalar(rng: random.Random, kind: int, positive: bool) -> sympy.Rational:
    if kind == 0:
        v = sympy.Integer(0)
    elif kind == 3:
        v = sympy.Integer(rng.choice((-2000, 2000, -1000, 1000)))
    elif kind == 4:
        v = sympy.Rational(rng.choice((-1, 1)), 10**40)
    else:
        v = rng.choice(SCALAR_POOL)
    if positive:
        v = abs(v) or sympy.Rational(1, 2)
    return v


def _poly(rng: random.Random, variables: tuple[str, ...], nvars: int, shape: tuple[int, int],
          symmetric: bool) -> Poly:
    monomials = [e for e in itertools.product(range(4), repeat=nvars) if sum(e) <= 3]
    if len(monomials) > 40:
        monomials = [e for e in monomials if sum(e) <= 2]
    terms: list[list[dict[tuple[int, ...], sympy.Rational]]] = []
    for i in range(shape[0]):
        row = []
        for j in range(shape[1]):
            if symmetric and j < i:
                row.append(terms[j][i])
            else:
                row.append({m: rng.choice(SMALL) for m in monomials if rng.random() < 0.7})
        terms.append(row)
    return Poly(variables, shape, terms)


def points(ctx: ClaimContext, sizes: dict[str, int], rng: random.Random, kinds: list[int]) -> Iterator[Point]:
    for kind in kinds:
        for _attempt in range(20):
            values: dict[str, list[list[Any]]] = {}
            for name, s in ctx.symbols.items():
                if s.of or name in ctx.indicators:
                    continue
                r, c = s.shape.bind(sizes)
                if (r, c) == (1, 1) and s.shape == SCALAR:
                    values[name] = [[_scalar(rng, kind, s.positive)]]
                    continue
                m = _entries(rng, r, c, kind if not s.invertible else (kind if kind in (3, 5) else 1))
                if s.symmetric:
                    m = [[m[min(i, j)][max(i, j)] for j in range(c)] for i in range(r)]
                values[name] = m
            funcs = {}
            for name, s in ctx.symbols.items():
                if not s.of:
                    continue
                nvars = sum(ctx.symbols[v].shape.bind(sizes)[0] * ctx.symbols[v].shape.bind(sizes)[1] for v in s.of)
                funcs[name] = _poly(rng, s.of, nvars, s.shape.bind(sizes), s.symmetric)
            point = Point(values, funcs)
            if _invertible_ok(ctx, sizes, point):
                yield point
                break


def _invertible_ok(ctx: ClaimContext, sizes: dict[str, int], point: Point) -> bool:
    ev = Evaluator(ExactBackend(), ctx, sizes, point)
    for name, s in ctx.symbols.items():
        if s.invertible:
            m = ev.ev(E.Var(name))
            if sympy.Matrix(m.e).det(method="berkowitz") == 0:
                return False
    return True


@dataclass
class Verdict:
    id: str
    expect: str | None
    truth: str | None  # "holds", "fails" or None (undecided)
    agreeing: int = 0
    skipped: int = 0
    witness: str = ""
    why: str = ""


def compare(lv: Mat | Sid, rv: Mat | Sid) -> str:
    """'differ', 'agree' or 'unresolved' for two interval values."""
    if isinstance(lv, Sid) and isinstance(rv, Sid):
        pairs = [(lv.c, rv.c)]
    else:
        n = lv.r if isinstance(lv, Mat) else rv.r  # type: ignore[union-attr]
        lm = lv if isinstance(lv, Mat) else Mat([[lv.c if i == j else iv.mpf(0) for j in range(n)] for i in range(n)])
        rm = rv if isinstance(rv, Mat) else Mat([[rv.c if i == j else iv.mpf(0) for j in range(n)] for i in range(n)])
        if (lm.r, lm.c) != (rm.r, rm.c):
            raise Unsupported(f"sides of sizes {lm.r}x{lm.c} and {rm.r}x{rm.c}")
        pairs = [(a, b) for ra, rb in zip(lm.e, rm.e, strict=True) for a, b in zip(ra, rb, strict=True)]
    tol = iv.mpf(10) ** (-(DPS // 2))
    state = "agree"
    for a, b in pairs:
        if a.b < b.a or b.b < a.a:
            return "differ"
        scale = max(abs(a.mid), abs(b.mid), 1)
        if a.delta > tol.b * scale or b.delta > tol.b * scale:
            state = "unresolved"
    return state


def decide(ctx: ClaimContext, seed: int = 11) -> Verdict:
    rng = random.Random(f"{seed}:{ctx.id}")
    verdict = Verdict(ctx.id, ctx.expect, None)
    scalars = [n for n, s in ctx.symbols.items() if s.shape == SCALAR and not s.of and n not in ctx.indicators]
    has_derivative = any(isinstance(n, E.Derivative | E.Gradient | E.Hessian | E.At)
                         for t in (ctx.lhs, ctx.rhs) for n in _walk(t))
    old = iv.dps
    iv.dps = DPS
    try:
        if not ctx.letters and len(scalars) == len(ctx.symbols) - len(ctx.indicators):
            plan = [({}, list(_scalar_grid(ctx, scalars, rng)))]
        else:
            combos = size_combos(ctx.letters, rng)
            kinds = [0, 1, 2, 3, 4, 5] if not has_derivative else [0, 1, 2, 5]
            plan = [(sizes, list(points(ctx, sizes, rng, kinds))) for sizes in combos]
        for sizes, pts in plan:
            for point in pts:
                try:
                    ev = Evaluator(IntervalBackend(), ctx, sizes, point)
                    state = compare(ev.ev(ctx.lhs), ev.ev(ctx.rhs))
                except (Undefined, Unresolved):
                    verdict.skipped += 1
                    continue
                if state == "differ":
                    verdict.truth = "fails"
                    verdict.witness = f"sizes {sizes}, point {_show(point)}"
                    return verdict
                if state == "agree":
                    verdict.agreeing += 1
                else:
                    verdict.skipped += 1
        planned = sum(len(pts) for _, pts in plan)
        if verdict.agreeing >= min(MIN_AGREEING, planned) and verdict.agreeing:
            verdict.truth = "holds"
        else:
            verdict.why = f"only {verdict.agreeing} points agree ({verdict.skipped} skipped)"
    except Unsupported as err:
        verdict.why = f"unsupported: {err}"
    finally:
        iv.dps = old
    return verdict


def _scalar_grid(ctx: ClaimContext, scalars: list[str], rng: random.Random) -> Iterator[Point]:
    pools = [[abs(v) or sympy.Rational(1, 2) for v in SCALAR_POOL] if ctx.symbols[n].positive else SCALAR_POOL
             for n in scalars]
    grid = list(itertools.product(*pools))
    if len(grid) > 200:
        grid = [tuple(p[i % len(p)] for p in pools) for i in range(len(pools[0]))] + rng.sample(grid, 190)
    for combo in grid:
        yield Point({n: [[v]] for n, v in zip(scalars, combo, strict=True)})


def _show(point: Point) -> str:
    parts = []
    for name, m in point.values.items():
        shown = m[0][0] if len(m) == 1 and len(m[0]) == 1 else [list(map(str, r)) for r in m]
        parts.append(f"{name}={shown}")
    return ", ".join(parts) + (" (functions realised as polynomials)" if point.funcs else "")


def decide_file(path: str | Path) -> list[Verdict]:
    out = []
    for cid, expect, ctx, why in contexts(path):
        if ctx is None:
            out.append(Verdict(cid, expect, None, why=why or ""))
        else:
            out.append(decide(ctx))
    return out


if __name__ == "__main__":  # python tests/soundness/oracle.py FILE.toml ...
    import sys
    import time

    for p in sys.argv[1:]:
        for v in decide_file(p):
            t0 = time.perf_counter()
            flag = "" if v.truth is None or v.truth == v.expect else "   <-- DISAGREES WITH expect"
            print(f"{v.id:40s} expect={v.expect!s:6s} oracle={v.truth!s:6s} agree={v.agreeing} skip={v.skipped} "
                  f"{v.witness or v.why}{flag}")
