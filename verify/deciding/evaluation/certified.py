"""Certified signs of exact constants, by ball arithmetic: what a refutation may rest on.

A float compared with a tolerance is not evidence: 80-digit floats and an absolute 1e-30
"refuted" true identities once their terms passed about 1e50 (two sides of 1e470 differ in
their last digits whatever they are). A ball is: every operation of python-flint's ``arb``
returns an interval guaranteed to contain the exact result, so a ball of ``lhs - rhs`` that
excludes 0 proves the sides differ. Precision is raised (doubling) until the ball decides
or a cap is reached; a ball that still holds 0 decides nothing, so it never refutes.

The values come as exact SymPy constants: rationals, sums, products, powers and the
functions the engine applies (exp, log, tanh, square roots, ...), and :class:`Value` atoms
for a transcendental value named once and reused (see :func:`constant`). Anything this module
cannot enclose is uncertain (``None``), never a sign.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import sympy
from flint import arb, ctx, fmpq
from sympy.core.expr import AtomicExpr

#: Working precisions in bits, tried in order. The cap decides how close two unequal values may
#: be and still be told apart: 4096 bits separate sides near 1e470 that differ by 1e-700.
PRECISIONS = (64, 256, 1024, 4096)
#: A ball of radius below 2^-QUIET around 0 is taken as agreement without raising the precision
#: further: sound, since agreement is never a verdict (it only withholds a refutation).
QUIET = 240


class Uncertain(Exception):
    """A ball could not be computed (unsupported function, a domain edge such as log of a
    ball that reaches 0): the value's sign is not known."""


class Value(AtomicExpr):
    """A transcendental constant named once: ``exp(7/2)``, ``sigmoid(exp(1) - 2)``, ...

    The jet evaluators once turned every such value into an 80-digit float, which swelled
    nothing but decided wrongly; keeping the exact expression everywhere swells through a
    network's layers. A Value is both: an atom to SymPy's arithmetic (like ``pi``: ``expand``
    and ``cancel`` treat it as one generator, so equal values cancel exactly), and an exact
    definition from which a ball is computed at any precision on demand.
    """

    is_number = True
    is_real = True
    is_extended_real = True
    is_finite = True
    is_commutative = True
    is_Symbol = False
    __slots__ = ("_balls", "definition", "serial")
    definition: sympy.Expr
    #: what the value is known by: two values are the same atom when they are the same object
    #: (:func:`constant` hands out one per small definition); comparing nested definitions
    #: tree by tree would cost time exponential in their depth
    serial: int
    #: the balls computed so far, by precision: values nest (a network's layers, a matrix
    #: power), and a definition shared by several others is enclosed once per precision
    _balls: dict[int, arb]

    def __new__(cls, definition: sympy.Expr) -> Value:
        obj = AtomicExpr.__new__(cls)
        obj.definition = definition
        obj.serial = next(_serials)
        obj._balls = {}
        return obj

    def _hashable_content(self) -> tuple[int]:
        return (self.serial,)

    def _eval_evalf(self, prec: int) -> None:
        # No floats: SymPy's assumptions would otherwise decide signs of sums of values from
        # uncertified approximations, re-evaluating every nested definition each time. Its
        # questions about a value's sign are answered by balls (below) or left open.
        return None

    def _sympystr(self, printer: object) -> str:
        return sympy.sstr(self.definition)

    def _eval_is_positive(self) -> bool | None:
        s = sign(self.definition)
        return None if s is None else s > 0

    def _eval_is_negative(self) -> bool | None:
        s = sign(self.definition)
        return None if s is None else s < 0

    def _eval_is_zero(self) -> bool | None:
        s = sign(self.definition)
        return None if s is None else s == 0


_serials = itertools.count()
#: one Value per small definition, so that exp(600) on both sides is one atom and cancels
_interned: dict[sympy.Expr, Value] = {}
INTERNED = 100_000


def constant(value: sympy.Expr) -> sympy.Expr:
    """``value`` as an exact constant the arithmetic keeps small: rationals as they are,
    anything else a :class:`Value` (the same small definition gives the same atom)."""
    if value.is_Rational or isinstance(value, Value):
        return value
    if value.free_symbols:
        raise ValueError("not a constant")
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
        raise ValueError(f"not a real number: {value}")
    if not _small(value):
        return Value(value)
    if value not in _interned:
        if len(_interned) >= INTERNED:
            _interned.clear()
        _interned[value] = Value(value)
    return _interned[value]


#: A constant tree with more nodes than this is named (:func:`compact`).
LARGE = 16


def compact(value: sympy.Expr) -> sympy.Expr:
    """A constant small enough for exact arithmetic to stay cheap: a large one is named.

    A matrix power of exponentials (exp(A)^60) or a network's layers build constant trees
    that double at each product; naming each large entry keeps them linear. Exact
    cancellation between the sides is then left to the balls (equal values give balls that
    overlap, so naming can withhold a refutation, never make one).
    """
    if value.is_Rational or isinstance(value, Value) or value.free_symbols:
        return value
    return value if _small(value, LARGE) else constant(value)


def _small(value: sympy.Expr, limit: int = 4 * LARGE) -> bool:
    return all(count <= limit for count, _ in enumerate(sympy.preorder_traversal(value)))


def _rational(q: sympy.Rational) -> arb:
    return arb(fmpq(int(q.p), int(q.q)))


def _pow(base: arb, e: sympy.Expr, prec: int) -> arb:
    if e.is_Integer:
        k = int(e)
        if k < 0:
            if base.contains(0):
                raise Uncertain("division by a ball that contains 0")
            return 1 / (base ** (-k))
        return base**k
    if not base > 0:
        raise Uncertain("a non-integer power of a value not certainly positive")
    return (ball(e, prec) * base.log()).exp()


def _log(x: arb) -> arb:
    if not x > 0:
        raise Uncertain("log of a value not certainly positive")
    return x.log()


def _sqrt(x: arb) -> arb:
    if not x >= 0:
        raise Uncertain("square root of a value not certainly nonnegative")
    return x.sqrt()


_FUNCTIONS: dict[type, Callable[[arb], arb]] = {
    sympy.exp: lambda x: x.exp(),
    sympy.log: _log,
    sympy.tanh: lambda x: x.tanh(),
    sympy.sinh: lambda x: x.sinh(),
    sympy.cosh: lambda x: x.cosh(),
    sympy.sin: lambda x: x.sin(),
    sympy.cos: lambda x: x.cos(),
    sympy.atan: lambda x: x.atan(),
}


def ball_sign(x: arb) -> int | None:
    """-1, 0 or 1 when a ball settles its sign (0 only for an exact zero), else None."""
    if x > 0:
        return 1
    if x < 0:
        return -1
    if x.is_zero():
        return 0
    return None


def _piecewise(e: sympy.Expr, prec: int) -> arb:
    """max, min, |.|, steps and sign of balls, only where the branch is certain."""
    args = [ball(a, prec) for a in e.args]
    if isinstance(e, sympy.Abs):
        s = ball_sign(args[0])
        if s is None:
            raise Uncertain("|.| of a ball that contains 0")
        return args[0] if s >= 0 else -args[0]
    if isinstance(e, sympy.sign):
        s = ball_sign(args[0])
        if s is None:
            raise Uncertain("sign of a ball that contains 0")
        return arb(s)
    if isinstance(e, sympy.Heaviside):
        s = ball_sign(args[0])
        if s is None:
            raise Uncertain("a step at a ball that contains 0")
        if s == 0:
            if len(args) < 2:
                raise Uncertain("a step at 0 with no value given there")
            return args[1]
        return arb(1 if s > 0 else 0)
    best = args[0]
    for a in args[1:]:
        s = ball_sign(a - best)
        if s is None:
            raise Uncertain("max or min of balls that overlap")
        if (s > 0) == isinstance(e, sympy.Max):
            best = a
    return best


def ball(e: sympy.Expr, prec: int) -> arb:
    """An enclosure of the exact constant ``e`` computed at ``prec`` bits."""
    with ctx.workprec(prec):
        return _ball(e, prec)


def _ball(e: sympy.Expr, prec: int) -> arb:
    if e.is_Rational:
        return _rational(e)
    if isinstance(e, Value):
        if prec not in e._balls:
            e._balls[prec] = _ball(e.definition, prec)
        return e._balls[prec]
    if isinstance(e, sympy.Add):
        total = arb(0)
        for a in e.args:
            total += _ball(a, prec)
        return total
    if isinstance(e, sympy.Mul):
        product = arb(1)
        for a in e.args:
            product *= _ball(a, prec)
        return product
    if isinstance(e, sympy.Pow):
        return _pow(_ball(e.base, prec), e.exp, prec)
    if e is sympy.E:
        return arb(1).exp()
    if e is sympy.pi:
        return arb.pi()
    if isinstance(e, sympy.Abs | sympy.sign | sympy.Heaviside | sympy.Max | sympy.Min):
        return _piecewise(e, prec)
    f = _FUNCTIONS.get(type(e)) or next((g for t, g in _FUNCTIONS.items() if isinstance(e, t)), None)
    if f is not None and len(e.args) == 1:
        return f(_ball(e.args[0], prec))
    raise Uncertain(f"no ball arithmetic for {type(e).__name__}")


def sign(value: sympy.Expr) -> int | None:
    """-1, 0 or 1 when the sign of an exact constant is certain, else None.

    0 only for a value that is exactly zero (a rational 0, or an expression that expands to
    0 with every Value kept as an atom); a ball can never show a non-rational value is 0.
    """
    if value.is_Rational:
        return 1 if value > 0 else -1 if value < 0 else 0
    if value.free_symbols or not isinstance(value, sympy.Expr):
        return None
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
        return None
    expanded = sympy.expand(value) if _small(value) else value
    if expanded.is_Rational:
        return 1 if expanded > 0 else -1 if expanded < 0 else 0
    for prec in PRECISIONS:
        try:
            b = ball(expanded, prec)
        except (Uncertain, ValueError, ZeroDivisionError):
            return None  # at a higher precision the same edge would be met again
        if not b.is_finite():
            continue
        s = ball_sign(b)
        if s is not None and s != 0:
            return s
        if b.rad() < arb(2) ** -QUIET:
            return None
    return None


def defined(value: sympy.Expr) -> bool:
    """Whether an exact constant is a finite real number: a rational; no division by zero, no
    complex value; and, where SymPy cannot tell (a sum of named values has no float to judge it
    by), a ball at 64 bits that is finite (1/(1 + e^{-3}) is, 1/(a - a) with a named twice is not).
    A point where a side is not certainly defined is not used, so this can only skip points."""
    if value.is_Rational:
        return True
    if value.free_symbols or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
        return False
    if not value.has(Value):
        return value.is_real is True
    try:
        return ball(value, 64).is_finite()
    except (Uncertain, ValueError, ZeroDivisionError):
        return False


def all_defined(m: sympy.MatrixBase) -> bool:
    """Every entry of a matrix :func:`defined`: a point is used only where both sides are."""
    return all(defined(e) for e in m)


def differs(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Whether two exact constants certainly differ: the only comparison a refutation uses."""
    if a.is_Rational and b.is_Rational:  # most values at a point: compared exactly, no subtraction
        return bool(a != b)
    s = sign(a - b)
    return s is not None and s != 0


def digits(value: sympy.Expr, count: int = 8) -> str | None:
    """The decimal digits of a constant that a ball certifies (``None`` when none are)."""
    for prec in PRECISIONS:
        try:
            b = ball(value, prec)
        except (Uncertain, ValueError, ZeroDivisionError):
            return None
        if b.is_finite() and b.rel_accuracy_bits() >= count * 3.33 + 4:
            return b.str(count, radius=False)
    return None
