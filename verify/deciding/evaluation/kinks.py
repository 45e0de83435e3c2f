"""Points ON the kinks of a claim's max, |.|, ReLU and steps, for refutation.

A random rational point lands on a kink (x = 0 for I(x > 0), x = y for max(x, y)) only by
chance, and there is where ``I(x \\geq 0)`` and ``I(x > 0)`` differ, or ``max(x, y)`` and
``x I(x > y) + y I(x < y)``. So, beside the random points, the sides are evaluated where one
switch is exactly 0: the point is drawn as usual, then one entry of one symbol the switch
mentions is solved for, where the switch is linear in it with a rational coefficient (the
other entries keep their random values), and only where the symbol stays inside its declaration
(an orthogonal matrix is never changed, a diagonal one only on its diagonal, a positive definite
or invertible one only when it still is, a positive scalar only to a positive value). Every
function has its value there; a derivative taken through the kink does not exist there and leaves the point unused
(:mod:`verify.deciding.evaluation.jets`), so switches of a variable something is differentiated by are
not tried.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Literal

import sympy

from verify.deciding.evaluation import certified
from verify.deciding.evaluation.instantiate import Evaluator
from verify.deciding.evaluation.rationals import satisfies
from verify.deciding.evaluation.sampling import Agreed, Point, differentiated, evaluate, walked
from verify.errors import VerifyError
from verify.model import (
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
)

#: Points on kinks tried each time a binding is sampled (each costs one evaluation of the sides).
COUNT = 3
#: Entries tried as the unknown, per point, before giving up on that switch.
UNKNOWNS = 4

Sample = tuple[sympy.Matrix, sympy.Matrix, Point]
#: A point on a kink where the sides' balls agree (:class:`~verify.deciding.evaluation.sampling.Agreed`):
#: used, and no exact values computed for it.
AGREED: Literal["agreed"] = "agreed"


class _Switches(Visitor):
    """Each switch below a node as (a, b), zero where a - b is (b None: where a is)."""

    generic = frozenset({Var, Const, Identity, Zero, Add, Product, Div, Power, Transpose, Inverse, Hadamard,
                         MatrixLit, Derivative, Gradient, Hessian})

    def generic_visit(self, e: Expr, *args: object) -> Iterator[tuple[Expr, Expr | None]]:
        for c in e.children():
            yield from self.visit(c)

    unhandled = generic_visit  # a node from outside the model: its children, as any other

    def _At(self, e: At) -> Iterator[tuple[Expr, Expr | None]]:
        return iter(())  # its variables are not the claim's

    def _Apply(self, e: Apply) -> Iterator[tuple[Expr, Expr | None]]:
        if e.func in ("relu", "abs", "step", "closed_step"):
            yield e.arg, None
        yield from self.generic_visit(e)

    def _Max(self, e: Max) -> Iterator[tuple[Expr, Expr | None]]:
        for i in range(len(e.args)):
            for j in range(i + 1, len(e.args)):
                yield e.args[i], e.args[j]
        yield from self.generic_visit(e)


_SWITCHES = _Switches()


def switches(e: Expr) -> Iterator[tuple[Expr, Expr | None]]:
    """Each switch of ``e`` as (a, b), zero where a - b is (b None: where a is); not inside ``At``,
    whose variables are not the claim's."""
    out: Iterator[tuple[Expr, Expr | None]] = _SWITCHES.visit(e)
    return out


def on_kinks(claim: Equality, sizes: Mapping[str, int], rng: random.Random, use_fractions: bool = True,
             count: int = COUNT, balls: bool = False) -> list[Sample | Literal["agreed"] | None]:
    """Both sides' values at up to ``count`` points where a switch is 0 (None where a side is
    undefined there, or no switch could be solved; with ``balls``, :data:`AGREED` where the
    sides' balls agree there).

    Drawn from a generator seeded by ``rng``'s state, which is left as it was: the random points
    after these are the ones drawn without them.
    """
    # A switch of a variable something is differentiated by varies with it, and a point on its
    # kink is never used (a derivative through a kink is undefined there): not tried.
    varying = differentiated(claim.lhs) | differentiated(claim.rhs)
    found: list[tuple[Expr, Expr | None]] = []
    for side in (claim.lhs, claim.rhs):
        for s in walked("switches", side, lambda e: tuple(switches(e))):
            names = s[0].names() | (s[1].names() if s[1] is not None else frozenset())
            if s not in found and not names & varying:
                found.append(s)
    if not found:
        return []
    local = random.Random(repr(rng.getstate()))
    start = local.randrange(len(found))
    out: list[Sample | Literal["agreed"] | None] = []
    for k in range(min(count, max(len(found), 2))):
        switch = found[(start + k) % len(found)]
        out.append(_sample(claim, sizes, switch, local, use_fractions, balls))
    return out


def _sample(claim: Equality, sizes: Mapping[str, int], switch: tuple[Expr, Expr | None], rng: random.Random,
            use_fractions: bool, balls: bool = False) -> Sample | Literal["agreed"] | None:
    def adjust(point: Point) -> None:
        if not _solve(claim, sizes, switch, point, rng):
            raise ValueError("no switch solved for")

    try:
        (lv, rv), point = evaluate((claim.lhs, claim.rhs), claim.symbols, sizes, claim.layout, rng,
                                   use_fractions=use_fractions, adjust=adjust, balls=balls)
    except Agreed:
        return AGREED
    except (ZeroDivisionError, ValueError):  # Boundary is a ValueError too
        return None
    if not (certified.all_defined(lv) and certified.all_defined(rv)):
        return None
    return lv, rv, point


def _solve(claim: Equality, sizes: Mapping[str, int], switch: tuple[Expr, Expr | None], point: Point,
           rng: random.Random) -> bool:
    """Set one entry of ``point`` so that an entry of the switch is 0; False when none is linear."""
    a, b = switch
    names = _in_order(a)
    if b is not None:
        names += [n for n in _in_order(b) if n not in names]
    symbols = claim.symbols
    if any(symbols[n].of for n in names) or not all(n in point.values for n in names):
        return False  # a dependent symbol is realised from the point's own draws: left alone
    # An orthogonal matrix has no entry that can change alone and stay orthogonal: it is never
    # solved for. A diagonal one only on its diagonal; any other change is kept only when the
    # matrix stays inside its declaration (positive definite, invertible, positive): checked below.
    entries = [(n, i, j) for n in names if not symbols[n].orthogonal for i in range(point.values[n].shape[0])
               for j in range(point.values[n].shape[1])
               if not (symbols[n].symmetric and j < i) and not (symbols[n].diagonal and i != j)]
    rng.shuffle(entries)
    t = sympy.Dummy("t", real=True)
    for name, i, j in entries[:UNKNOWNS]:
        value = _root(claim, sizes, switch, point, name, i, j, t, rng)
        if value is None:
            continue
        m = point.values[name].copy()
        m[i, j] = value
        if symbols[name].symmetric:
            m[j, i] = value
        if not satisfies(symbols[name], m):
            continue
        point.values[name] = m
        if name in point.atoms:  # a variable differentiated by: its offset symbol's value too
            point.substitution[point.atoms[name][i, j]] = value
        return True
    return False


def _in_order(e: Expr) -> list[str]:
    """The names ``e`` mentions, in the order they first appear (not by what they are called:
    the point chosen must not depend on the claim's letters)."""
    out: list[str] = []

    def walk(x: Expr) -> None:
        if isinstance(x, Var):
            if x.name not in out:
                out.append(x.name)
            return
        for c in x.children():
            walk(c)

    walk(e)
    return out


def _root(claim: Equality, sizes: Mapping[str, int], switch: tuple[Expr, Expr | None], point: Point,
          name: str, i: int, j: int, t: sympy.Dummy, rng: random.Random) -> sympy.Rational | None:
    """The value of entry (i, j) of ``name`` that makes an entry of the switch 0, the others as
    drawn; None unless some entry of the switch is linear in it with a rational coefficient."""

    def realise(s: Symbol) -> sympy.Matrix:
        m = point.values[s.name]
        if s.name != name:
            return m
        m = m.copy()
        m[i, j] = t
        if s.symmetric:
            m[j, i] = t
        return m

    ev = Evaluator(claim.symbols, sizes, realise, claim.layout)
    a, b = switch
    try:
        va = ev(a)
        if b is not None:
            vb = ev(b)
            if va.shape == (1, 1) and vb.shape != (1, 1):  # a scalar against a matrix: broadcast
                va = va[0, 0] * sympy.ones(*vb.shape)
            elif vb.shape == (1, 1) and va.shape != (1, 1):
                vb = vb[0, 0] * sympy.ones(*va.shape)
            va = va - vb
    except (VerifyError, ArithmeticError, ValueError, TypeError, KeyError, IndexError):
        return None  # a switch that cannot be evaluated on its own here is not tried
    order = list(range(len(va)))
    rng.shuffle(order)
    for k in order:
        entry = sympy.expand(va[k])
        if t not in entry.free_symbols:
            continue
        slope = sympy.diff(entry, t)
        if not (slope.is_Rational and slope != 0):
            continue
        value = sympy.expand(t - entry / slope)
        if value.is_Rational:
            return value
    return None
