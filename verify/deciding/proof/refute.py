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

from verify.deciding.evaluation import certified

#: Functions whose branch depends on the sign of a switch. max, min, |.| and the steps
#: (Heaviside(s, 0) is I(s > 0), Heaviside(s, 1) is I(s >= 0)) have a value on the switch too;
#: Heaviside(s, 1/2), sign(s) and DiracDelta(s) come only from differentiating them (SymPy's
#: derivatives of max, |.| and a step), and on the switch they are conventions, not values.
PIECEWISE = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign, sympy.DiracDelta)


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


@dataclass(frozen=True)
class Separation:
    """Two sides' exact values at a point where they differ."""

    point: dict[sympy.Symbol, sympy.Rational]
    lhs: sympy.Matrix
    rhs: sympy.Matrix


def defined(m: sympy.Matrix) -> bool:
    """Every entry a finite real number (:func:`verify.deciding.evaluation.certified.defined`)."""
    return all(certified.defined(e) for e in m)


def differs(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Whether two exact constants differ, with certainty.

    Rationals are compared exactly; other constants (exp(1/3), log 2, a value near 1e470)
    by a ball enclosure of the difference that excludes 0
    (:func:`verify.deciding.evaluation.certified.differs`). Anything uncertain is treated as equal, so
    it is never refuted.
    """
    return certified.differs(a, b)


def at_point(m: sympy.Matrix, point: dict[sympy.Symbol, sympy.Rational]) -> sympy.Matrix:
    return m.xreplace(point)


def switches(p: sympy.Expr) -> list[sympy.Expr]:
    """What decides the branch of a piecewise function ``p`` (one of PIECEWISE): the differences of
    a max's or min's arguments, else its one argument; ``p`` is on a kink where one is 0."""
    args = p.args
    if isinstance(p, sympy.Max | sympy.Min):
        return [args[i] - args[j] for i in range(len(args)) for j in range(i + 1, len(args))]
    return [args[0]]


def from_differentiating(p: sympy.Expr) -> bool:
    """``p`` is what SymPy writes for a derivative taken through a kink (Heaviside(s, 1/2), sign(s),
    DiracDelta(s)), a convention with no value on its switch, not a step of our own (H(s, 0), H(s, 1))."""
    return isinstance(p, sympy.sign | sympy.DiracDelta) or (
        isinstance(p, sympy.Heaviside) and (len(p.args) < 2 or p.args[1] not in (0, 1)))


def off_boundaries(exprs: Sequence[sympy.Matrix], point: dict[sympy.Symbol, sympy.Rational]) -> bool:
    """Whether the point may be used: every piecewise function's branch there is certain.

    A point on a kink of max, |.| or a step is used like any other: each has its value there
    (max(a, a) = a, |0| = 0, I(0 > 0) = 0, I(0 >= 0) = 1). Not used: a point where the sign of
    a switch cannot be certified, or where a derivative taken through a kink (Heaviside(s, 1/2),
    sign(s), DiracDelta(s): see PIECEWISE) sits on it, for that derivative does not exist there.
    """
    for m in exprs:
        for e in m:
            for p in e.atoms(*PIECEWISE):
                convention = from_differentiating(p)
                for c in switches(p):
                    v = c.xreplace(point)
                    if v.free_symbols:
                        return False
                    sign = certified.sign(v)
                    if sign is None or (sign == 0 and convention):
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
        if not (defined(lv) and defined(rv)):
            continue
        valid += 1
        if any(differs(a, b) for a, b in zip(lv, rv, strict=True)):
            return Separation(point, lv, rv), valid
    return None, valid
