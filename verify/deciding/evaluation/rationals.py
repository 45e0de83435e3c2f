"""Random exact numbers: the values a random point is made of.

Small integers, halves and thirds, sometimes values in (0, 1) or near a large magnitude, and
never a float: a refutation rests on exact values only.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import sympy


def rational(rng: random.Random, positive: bool = False, unit: bool = False, magnitude: int = 0,
             signed: bool = False) -> sympy.Rational:
    """A small exact number: mostly integers, sometimes halves and thirds, seldom zero.

    ``unit`` draws from (0, 1) instead: probabilities, and the domain of log(1 - p).
    ``magnitude`` (1000, 10^6) draws near its absolute value instead, with its sign (either
    sign at random when ``signed`` is off): small numbers never see where ``max(x, 1000)`` or
    ``|x + 1000|`` changes branch.
    """
    if magnitude:
        value = abs(magnitude) * (1 + sympy.Rational(rng.randint(1, 9), rng.choice([2, 3, 4, 8])))
        negative = magnitude < 0 if signed else rng.random() < 0.5
        return value if positive or not negative else -value
    if unit:
        q = rng.randint(2, 9)
        return sympy.Rational(rng.randint(1, q - 1), q)
    if rng.random() < 0.65:
        value = sympy.Integer(rng.choice([1, 2, 3, 4, 5] if positive else [-3, -2, -1, 1, 2, 3, 4, 0]))
    else:
        value = sympy.Rational(rng.randint(1, 7), rng.choice([2, 3, 4]))
        if not positive and rng.random() < 0.5:
            value = -value
    return value


def sample_point(atoms: Iterable[sympy.Symbol], rng: random.Random) -> dict[sympy.Symbol, sympy.Rational]:
    return {a: rational(rng, positive=bool(a.is_positive)) for a in sorted(atoms, key=str)}
