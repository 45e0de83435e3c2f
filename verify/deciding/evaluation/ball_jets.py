"""Random points where a claim applies exp, log, sigmoid, tanh or sqrt: jets with ball coefficients.

Why: the Fraction evaluator (:mod:`verify.deciding.evaluation.fraction_jets`) declines every
transcendental function, and the SymPy path then spends most of a second per point expanding jets
over named constants (a two-layer sigmoid network, points at 23 bindings of its letters: 11 s).
Here the same jets carry python-flint ``arb`` balls: every operation returns an interval certain
to contain the exact value, at :data:`PRECISION` bits, in C.

What the balls may decide is narrow, and never a verdict by themselves: whether the two sides
*certainly* differ somewhere at this point (a ball of lhs - rhs that excludes 0). Where they do,
the caller computes the point again the established way (SymPy, exactly), and only that makes
the refutation and the counterexample. Where no entry's ball excludes 0, the point shows no
difference, as the SymPy path would report unless the difference were below the balls' width
(2^-200 or so), and agreement only withholds a refutation. Anything a ball cannot settle, a
branch of max, |.| or a step, a division by a ball around 0, log or sqrt of a ball reaching 0,
a singular-looking matrix, is declined, and the SymPy path decides it.

The point, its values and the polynomials realising its dependent symbols are the Fraction
attempt's (never drawn again: the random draws, and so every verdict, stay as they were).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from flint import arb, arb_mat, ctx, fmpq

from verify.deciding.evaluation.certified import ball_sign
from verify.deciding.evaluation.fraction_jets import (
    Coefficient,
    Declined,
    FractionEvaluator,
    Jet,
    JetMatrix,
    PointEvaluator,
    Ring,
    _coefficient,
    _scalar,
)
from verify.deciding.evaluation.sampling import NotReal
from verify.model import Const, Expr

#: Working precision in bits: sides that agree to 2^-200 are not told apart at one point.
PRECISION = 256

#: A coefficient here: a Python int (exact, mixes with balls) or an ``arb`` ball. The Fraction
#: evaluator's methods are typed for ints and Fractions; the overrides take and give these.
Number = Any


def _ball(c: Coefficient) -> Number:
    """Integers stay exact (they mix with balls); a Fraction becomes the ball of that rational."""
    if isinstance(c, Fraction):
        return arb(fmpq(c.numerator, c.denominator))
    return c


def _as_arb(c: Number) -> arb:
    return c if isinstance(c, arb) else arb(fmpq(c.numerator, c.denominator)) if isinstance(c, Fraction) else arb(c)


class _Balls(FractionEvaluator):
    """What differs from the Fraction evaluator: numbers at the point are balls (or exact ints)."""

    @staticmethod
    def _balls(x: Jet) -> Jet:
        return {m: _ball(c) for m, c in x.items()}

    def _inner(self, ring: Ring, offsets: Mapping[str, tuple[tuple[int, int], tuple[int, ...]]],
               leaf: Callable[[str], JetMatrix]) -> FractionEvaluator:
        return BallEvaluator(self.symbols, self.sizes, self.layout, ring, offsets, leaf)

    def _Const(self, e: Const, hint: tuple[int, int] | None) -> JetMatrix:
        return _scalar(self.ring.constant(_ball(_coefficient(e.value))))

    # -- numbers at the point ------------------------------------------------------------------
    def _reciprocal(self, c: Number) -> Number:
        if isinstance(c, int):
            if c == 0:
                raise ZeroDivisionError("division by zero")
            return _ball(Fraction(1, c))
        if self._sign(c) == 0:
            raise Declined("division by a ball around 0")
        return 1 / _as_arb(c)

    def _invert_numbers(self, m0: list[list[Number]]) -> list[list[Number]]:
        try:
            inv = arb_mat([[_as_arb(c) for c in row] for row in m0]).inv()
        except (ZeroDivisionError, ValueError) as err:  # singular, or not certainly invertible
            raise Declined(f"no certain inverse: {err}") from None
        n = len(m0)
        return [[inv[i, j] for j in range(n)] for i in range(n)]

    def _det_numbers(self, m0: list[list[Number]]) -> Number:
        if not m0:
            return 1
        return arb_mat([[_as_arb(c) for c in row] for row in m0]).det()

    def _sign(self, c: Number) -> int:
        if not isinstance(c, arb):
            return (c > 0) - (c < 0)
        sign = ball_sign(c)
        if sign is None:
            raise Declined("the sign of a ball around 0")
        return sign

    # -- transcendental functions of jets: Taylor series at the point's value ----------------
    def _series(self, x: Jet, derivatives: Sequence[Number]) -> Jet:
        """f(c + d) = sum_k f^(k)(c) d^k / k!, truncated at the ring's order (d has no constant term)."""
        ring = self.ring
        delta = {m: v for m, v in x.items() if m != ring.unit}
        out = ring.constant(derivatives[0])
        power: Jet = ring.constant(1)
        for k in range(1, ring.order + 1):
            power = ring.mul(power, delta)
            if not power:
                break
            out = ring.add(out, ring.scale(power, derivatives[k] / math.factorial(k)))
        return out

    def _positive(self, c: arb, func: str) -> arb:
        if c < 0 or (func == "log" and c == 0):  # certainly: not a real number, the point is not used
            raise NotReal(f"{func} of a negative number" if c < 0 else "log of 0")
        if not c > 0:
            raise Declined(f"{func} of a ball not certainly positive")
        return c

    def _transcendental(self, func: str, x: Jet) -> Jet:
        order = self.ring.order
        c = _as_arb(self.ring.value(x))
        if func == "exp":
            value = c.exp()
            return self._series(x, [value] * (order + 1))
        if func == "log":
            c = self._positive(c, func)
            return self._series(x, [c.log()] + [(-1) ** (k - 1) * math.factorial(k - 1) / c ** k
                                                 for k in range(1, order + 1)])
        if func == "sqrt":
            c = self._positive(c, func)
            derivatives: list[Number] = []
            for k in range(order + 1):
                falling = math.prod((Fraction(1, 2) - j for j in range(k)), start=Fraction(1))
                derivatives.append(_as_arb(falling) * c.sqrt() / c ** k)
            return self._series(x, derivatives)
        if func == "sigmoid":  # 1 / (1 + e^{-x})
            denominator = self.ring.add(self.ring.constant(1), self._transcendental("exp", self.ring.neg(x)))
            return self._reciprocal_jet(denominator)
        if func == "tanh":  # 2 sigmoid(2x) - 1
            s = self._transcendental("sigmoid", self.ring.scale(x, 2))
            return self.ring.add(self.ring.scale(s, 2), self.ring.constant(-1))
        raise Declined(f"no ball rule for {func}")

    def _reciprocal_jet(self, y: Jet) -> Jet:
        """1 / y = sum_k (-1)^k d^k / y0^(k+1), d = y - y0."""
        y0 = _as_arb(self.ring.value(y))
        if not (y0 > 0 or y0 < 0):
            raise Declined("division by a ball around 0")
        return self._series(y, [(-1) ** k * math.factorial(k) / y0 ** (k + 1) for k in range(self.ring.order + 1)])

class BallEvaluator(_Balls):
    """Ball jets inside an ``At`` (its own ring and leaves, as the Fraction evaluator's)."""


class BallPointEvaluator(_Balls, PointEvaluator):
    """The Fraction evaluator's semantics, node for node, on ball coefficients (see the module
    docstring for what its values may decide). Dependent symbols are the point's own draws
    (:meth:`~verify.deciding.evaluation.sampling.Point.function`), as the Fraction attempt read them."""

    # -- leaves: the point's exact values, as balls ------------------------------------------
    def _realise(self, name: str) -> JetMatrix:
        exact = PointEvaluator._realise(self, name)  # a dependent symbol as drawn, or a value
        return JetMatrix(tuple(tuple(self._balls(x) for x in row) for row in exact.rows))

    # -- results ---------------------------------------------------------------------------------
    def balls(self, sides: Sequence[Expr]) -> list[list[list[arb]]]:
        """Each side's values at the point, as balls (row by row)."""
        try:
            with ctx.workprec(PRECISION):
                return [[[_as_arb(self.ring.value(x)) for x in row] for row in m.rows] for m in self.sides(sides)]
        except (Declined, ZeroDivisionError, MemoryError, NotReal):
            raise
        except Exception as err:  # a gap here costs speed (the SymPy path runs), never a verdict
            raise Declined(f"unexpected {type(err).__name__}: {err}") from err


def certainly_differ(lhs: list[list[arb]], rhs: list[list[arb]]) -> bool:
    """Whether some entry's ball of lhs - rhs excludes 0 (sides of different shapes: not decided here)."""
    if len(lhs) != len(rhs) or any(len(a) != len(b) for a, b in zip(lhs, rhs, strict=True)):
        return True  # the SymPy path reports the shapes as it always has
    with ctx.workprec(PRECISION):
        return any((a - b) > 0 or (a - b) < 0
                   for ra, rb in zip(lhs, rhs, strict=True) for a, b in zip(ra, rb, strict=True))


