"""Feedback a student can act on when two sides differ: is it a transpose, a sign, a factor?

The hints are read off the sides' exact values at several points. They are hints, not
verdicts: they say what the values show ("at every point tried"), never that it is proved.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy

from verify.deciding.evaluation import certified

Pair = tuple[sympy.Matrix, sympy.Matrix]


def _all(pairs: Sequence[Pair], test) -> bool:
    try:
        return all(test(lv, rv) for lv, rv in pairs)
    except (TypeError, ValueError):
        return False


def _ratio(pairs: Sequence[Pair]) -> sympy.Expr | None:
    """The one constant c with lhs = c * rhs at every point, if there is one."""
    c = None
    for lv, rv in pairs:
        if lv.shape != rv.shape:
            return None
        for a, b in zip(lv, rv, strict=True):
            if b == 0:
                if a != 0:
                    return None
                continue
            r = a / b if (a / b).is_Rational else rational_ratio(a, b)
            if r is None:
                return None
            if c is None:
                c = r
            elif r != c:
                return None
    return c


def rational_ratio(a: sympy.Expr, b: sympy.Expr) -> sympy.Rational | None:
    """a / b when it is a simple rational: exactly (with transcendental values as atoms), or else
    a ball of it within 2^-200 of a rational of denominator at most 1000. A hint only, never a
    verdict: what the values show, to 60 digits, at the points tried."""
    r = sympy.cancel(a / b)
    if r.is_Rational:
        return r
    try:
        ball = certified.ball(r, 320)
    except (certified.Uncertain, ValueError, ZeroDivisionError):
        return None
    if not ball.is_finite() or not ball.rad() < 2.0**-200:
        return None
    guess = Fraction(ball.mid().str(80, radius=False)).limit_denominator(1000)
    candidate = sympy.Rational(guess.numerator, guess.denominator)
    return candidate if abs(ball - certified.ball(candidate, 320)) < 2.0**-200 else None


#: The layout hint, from the values at the points tried.
TRANSPOSES = "the two sides are transposes of each other at every point tried: is this a layout mix-up?"


def hint(pairs: Sequence[Pair]) -> str:
    """A sentence for the feedback, or '' when the values show no simple relation.

    The sides are transposes where lhs = rhs^T at every point; at a point where both happen to
    be symmetric they are also equal, and that point must not hide the hint (it is one of the
    points, not a counterexample to it): the sides need to differ at one point only."""
    if (_all(pairs, lambda lv, rv: lv.shape == rv.T.shape and (lv - rv.T).is_zero_matrix)
            and any(lv != rv for lv, rv in pairs)):
        return TRANSPOSES
    c = _ratio(pairs)
    if c is not None and c != 1 and c != 0:
        if c == -1:
            return "the two sides differ by sign at every point tried"
        return f"the left side is {c} times the right side at every point tried: a constant factor?"
    t = [(lv, rv.T) for lv, rv in pairs if lv.shape == rv.T.shape and lv.shape != rv.shape]
    if t and len(t) == len(pairs):
        c = _ratio(t)
        if c is not None and c != 0:
            return f"the left side is {c} times the transpose of the right side at every point tried"
    return ""
