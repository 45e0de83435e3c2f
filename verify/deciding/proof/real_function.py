"""A claim's function made explicit: SymPy values in the real entries of its variables.

Convexity, global minima and polynomial degree all speak of ``f`` as a function of finitely
many real numbers, the entries of ``wrt``; every other declared symbol is a parameter and
is universally quantified. This module turns ``f`` into SymPy at one binding of the dimension
letters, says which atoms are variables and which parameters, and supplies what the three
deciders share: exact candidate points (simple ones first, then random, reproducibly seeded)
and the exact sign of a constant.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import sympy

from verify.deciding.evaluation import certified, sizing
from verify.deciding.evaluation.instantiate import Evaluator, structured, structured_values, symbolic, within_intervals
from verify.deciding.evaluation.piecewise import PIECEWISE, switches
from verify.deciding.evaluation.rationals import rational
from verify.deciding.evaluation.values import as_expr
from verify.deciding.proof.counterexample import show
from verify.errors import ShapeError, UndeclaredName, UnsupportedError
from verify.model import Expr, Symbols, Var, shape_of

#: Coordinates tried first, simplest first: the origin and small integers find most
#: counterexamples a person would find by hand (the Beale function at (0, 0)).
SIMPLE: tuple[sympy.Rational, ...] = tuple(
    sympy.Rational(v)
    for v in ("0", "1", "-1", "2", "-2", "1/2", "-1/2", "3", "-3", "1/3", "-1/3", "3/2", "-3/2")
)

Point = dict[sympy.Symbol, sympy.Rational]


@dataclass(frozen=True)
class RealFunction:
    """``f`` at one binding of the letters: its value and the atoms it is a function of."""

    value: sympy.Matrix
    variables: tuple[sympy.Symbol, ...]
    parameters: tuple[sympy.Symbol, ...]
    sizes: Mapping[str, int]
    evaluator: Evaluator

    @property
    def scalar(self) -> sympy.Expr:
        return self.value[0, 0]


def check_variables(symbols: Symbols, wrt: Sequence[Var]) -> None:
    """The variables must be declared, independent, not symmetric, and listed once.

    A symmetric matrix has fewer free entries than positions, and a symbol declared as a
    function of others is not a coordinate of R^k: neither is a variable of a real function.
    """
    if not wrt:
        raise UnsupportedError("no variables given")
    seen: set[str] = set()
    for v in wrt:
        if v.name not in symbols:
            raise UndeclaredName(f"{v.name!r} is not declared")
        s = symbols[v.name]
        if s.of:
            raise UnsupportedError(f"{v.name} is declared as a function of {', '.join(s.of)}")
        if s.symmetric:
            raise UnsupportedError(f"{v.name} is symmetric: its entries are not independent variables")
        if structured(s):
            raise UnsupportedError(f"{v.name} is declared {s.describe().split(', ', 1)[1]}: its entries are not "
                                   "independent variables")
        if v.name in seen:
            raise UnsupportedError(f"{v.name} is listed twice")
        seen.add(v.name)


def letters_of(symbols: Symbols, exprs: Sequence[Expr]) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for e in exprs:
        for name in e.names():
            if name not in symbols:
                raise UndeclaredName(f"{name!r} is not declared")
            out |= symbols[name].shape.letters
    return out


def bindings_of(symbols: Symbols, exprs: Sequence[Expr]) -> list[dict[str, int]]:
    return sizing.bindings(letters_of(symbols, exprs))


def realise(
    symbols: Symbols,
    f: Expr,
    wrt: Sequence[Var],
    sizes: Mapping[str, int],
    layout: str = "numerator",
    scalar_only: bool = True,
) -> RealFunction:
    """``f`` with symbolic entries at ``sizes``; raises ShapeError when it is not a scalar."""
    shape = shape_of(f, symbols, layout)
    if scalar_only and not shape.is_scalar:
        raise ShapeError(f"the function must be a scalar, not {shape}: {f.latex()}")
    ev = Evaluator(symbols, sizes, symbolic(symbols, sizes), layout)
    value = ev(f)
    if any(e.atoms(sympy.core.function.AppliedUndef) for e in value):
        raise UnsupportedError("the function involves an arbitrary function of its variables")
    variables: list[sympy.Symbol] = []
    for v in wrt:
        variables += list(ev.variable(v))
    free: set[sympy.Symbol] = set().union(*(e.free_symbols for e in value))
    parameters = tuple(sorted(free - set(variables), key=str))
    return RealFunction(value, tuple(variables), parameters, dict(sizes), ev)


def _simple_values(positive: bool) -> tuple[sympy.Rational, ...]:
    return tuple(v for v in SIMPLE if v > 0) if positive else SIMPLE


def grid(variables: Sequence[sympy.Symbol], limit: int) -> Iterator[Point]:
    """Points of small rationals, simplest first (by the sum of each coordinate's rank)."""
    columns = [_simple_values(bool(v.is_positive)) for v in variables]
    if not variables:
        yield {}
        return
    emitted = 0
    top = sum(len(c) - 1 for c in columns)
    for total in range(top + 1):
        for ranks in _compositions(total, [len(c) - 1 for c in columns]):
            yield {v: columns[i][r] for i, (v, r) in enumerate(zip(variables, ranks, strict=True))}
            emitted += 1
            if emitted >= limit:
                return


def _compositions(total: int, caps: list[int]) -> Iterator[tuple[int, ...]]:
    """Tuples of non-negative integers below ``caps`` summing to ``total``, in lexicographic order."""
    if len(caps) == 1:
        if total <= caps[0]:
            yield (total,)
        return
    for first in range(min(total, caps[0]) + 1):
        for rest in _compositions(total - first, caps[1:]):
            yield (first, *rest)


def random_point(atoms: Sequence[sympy.Symbol], rng: random.Random) -> Point:
    return {a: rational(rng, positive=bool(a.is_positive)) for a in atoms}


def candidates(
    function: RealFunction, rng: random.Random, grid_limit: int = 300, random_count: int = 60
) -> Iterator[Point]:
    """Grid points for the variables, then random ones; parameters random at every point.

    Invertible parameters are kept non-singular, orthogonal, diagonal and positive definite ones
    inside their declarations (:func:`~verify.deciding.evaluation.instantiate.structured_values`:
    a parameter's entries drawn one by one would not be); points where a piecewise function sits on
    its kink are skipped (a derivative there is a convention, not a value).
    """
    invertible = [
        function.evaluator.value(name)
        for name, s in function.evaluator.symbols.items()
        if s.invertible and name in function.evaluator._cache
    ]
    sources = itertools.chain(
        grid(function.variables, grid_limit),
        (random_point(function.variables, rng) for _ in range(random_count)),
    )
    ev = function.evaluator
    for base in sources:
        point = dict(base)
        point.update(random_point(function.parameters, rng))
        # Orthogonal, diagonal, positive definite parameters drawn whole, inside their declarations
        # (scalars in an interval too); a variable's grid point outside its interval is skipped.
        point.update(structured_values(ev.symbols, ev.sizes, function.parameters, rng))
        if not within_intervals(ev.symbols, ev.sizes, point):
            continue
        if any(m.xreplace(point).det() == 0 for m in invertible):
            continue
        if not off_kinks(function.value, point):
            continue
        yield point


def off_kinks(m: sympy.Matrix, point: Point) -> bool:
    """Whether no max, |.|, step or sign of ``m`` sits exactly on its switch at ``point``."""
    for e in m:
        for p in e.atoms(*PIECEWISE):
            for c in switches(p):
                value = c.xreplace(point)
                if value.free_symbols or value == 0:
                    return False
    return True


def exact_sign(value: sympy.Expr) -> int | None:
    """-1, 0 or 1 when the sign of a constant is certain; None otherwise.

    Rationals are exact. Other real constants (exp(1/2) - 2) by a ball enclosure that
    excludes 0 (:mod:`verify.deciding.evaluation.certified`); 0 is claimed only for a value that is
    exactly zero. Complex, infinite or symbolic values have no sign.
    """
    value = as_expr(value)
    if value.is_Rational:
        return 1 if value > 0 else -1 if value < 0 else 0
    if value.free_symbols or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    if value.has(*PIECEWISE):
        return None
    return certified.sign(value)


def defined(value: sympy.Expr) -> bool:
    """A finite real constant (no free symbols, no division by zero, no complex logarithm)."""
    value = as_expr(value)
    if value.free_symbols or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    return bool(value.is_Rational or value.is_real is True)


def values_at(function: RealFunction, point: Point) -> dict[str, str]:
    """Each declared symbol's exact value at the point, in the user's names."""
    out: dict[str, str] = {}
    ev = function.evaluator
    for name in ev.symbols:
        if name not in ev._cache or ev.symbols[name].of:
            continue
        m = ev._cache[name].xreplace(point)
        if not m.free_symbols:
            out[name] = show(m)
    return out


def atom_values(point: Point) -> dict[str, str]:
    """Every atom's exact value by its entry name, for re-checking a counterexample."""
    return {str(a): sympy.sstr(v) for a, v in sorted(point.items(), key=lambda kv: str(kv[0]))}


def describe_point(variables: Sequence[sympy.Symbol], point: Point) -> str:
    return "(" + ", ".join(f"{v} = {sympy.sstr(point[v])}" for v in variables) + ")"
