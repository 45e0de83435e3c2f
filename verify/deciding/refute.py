"""Refutation by exact evaluation at random rational points.

One point where the two sides differ is a proof that a claim is false, and it is the
counterexample the user sees. Surviving many points proves nothing (Schwartz-Zippel makes a
false polynomial identity unlikely to survive, which is evidence, not proof).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy

PIECEWISE = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign)


def rational(rng: random.Random, positive: bool = False, unit: bool = False) -> sympy.Rational:
    """A small exact number: mostly integers, sometimes halves and thirds, seldom zero.

    ``unit`` draws from (0, 1) instead: probabilities, and the domain of log(1 - p).
    """
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


@dataclass(frozen=True)
class Separation:
    """Two sides' exact values at a point where they differ."""

    point: dict[sympy.Symbol, sympy.Rational]
    lhs: sympy.Matrix
    rhs: sympy.Matrix


def _defined(m: sympy.Matrix) -> bool:
    for e in m:
        if e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or e.free_symbols:
            return False
        if not e.is_Rational and e.is_real is not True:
            return False
    return True


def differs(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Whether two exact constants differ, with certainty.

    Rationals are compared exactly. Other constants (exp(1/3), log 2, ...) are compared
    through SymPy's adaptive-precision ``evalf`` at 60 digits, and only a difference far
    above that precision counts; anything closer is treated as equal (so never refuted).
    """
    d = a - b
    if d.is_Rational:
        return d != 0
    value = sympy.N(d, 60)
    if not value.is_Number:
        return False
    return bool(abs(value) > sympy.Float("1e-30"))


def at_point(m: sympy.Matrix, point: dict[sympy.Symbol, sympy.Rational]) -> sympy.Matrix:
    return m.xreplace(point)


def off_boundaries(exprs: Sequence[sympy.Matrix], point: dict[sympy.Symbol, sympy.Rational]) -> bool:
    """A point on a kink of max, |.| or a step decides nothing: the sides may be conventions there."""
    for m in exprs:
        for e in m:
            for p in e.atoms(*PIECEWISE):
                args = p.args
                pairs = [(args[i], args[j]) for i in range(len(args)) for j in range(i + 1, len(args))]
                checks = [a - b for a, b in pairs] if len(args) > 1 else [args[0]]
                for c in checks:
                    v = c.xreplace(point)
                    if v.free_symbols or v == 0:
                        return False
    return True


def search(
    lhs: sympy.Matrix,
    rhs: sympy.Matrix,
    rng: random.Random,
    tries: int = 12,
    must_be_invertible: Sequence[sympy.Matrix] = (),
) -> tuple[Separation | None, int]:
    """Look for a point separating the sides; returns it (or None) and how many points were valid."""
    atoms = set().union(*(e.free_symbols for e in (*lhs, *rhs)))
    for m in must_be_invertible:
        atoms |= m.free_symbols
    valid = 0
    for _ in range(tries * 3):
        if valid >= tries:
            break
        point = sample_point(atoms, rng)
        if any(m.xreplace(point).det() == 0 for m in must_be_invertible):
            continue
        if not off_boundaries((lhs, rhs), point):
            continue
        try:
            lv, rv = at_point(lhs, point), at_point(rhs, point)
        except (ZeroDivisionError, ValueError, TypeError):
            continue
        if not (_defined(lv) and _defined(rv)):
            continue
        valid += 1
        if any(differs(a, b) for a, b in zip(lv, rv, strict=True)):
            return Separation(point, lv, rv), valid
    return None, valid
