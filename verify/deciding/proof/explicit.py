"""Deciding ``lhs = rhs`` between explicit SymPy matrices: refute first, then prove.

This is the ground every claim kind stands on: whatever the claim, the engine eventually
compares two explicit matrices whose entries are expressions in free symbols.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy

from verify.deciding.proof import refute
from verify.deciding.proof.normal_forms import is_zero


@dataclass(frozen=True)
class Comparison:
    """``separation`` when refuted; ``proved`` with the methods used; otherwise what was tried."""

    separation: refute.Separation | None = None
    proved: bool = False
    methods: tuple[str, ...] = ()
    tried: str = ""
    points: int = 0


def compare(
    lhs: sympy.Matrix,
    rhs: sympy.Matrix,
    rng: random.Random,
    must_be_invertible: Sequence[sympy.Matrix] = (),
    tries: int = 12,
    progress: Callable[[str], None] = lambda s: None,
    prove: bool = True,
) -> Comparison:
    if lhs.shape != rhs.shape:
        raise ValueError(f"sides of different shapes {lhs.shape} and {rhs.shape}")
    progress("evaluating at random rational points")
    separation, valid = refute.search(lhs, rhs, rng, tries, must_be_invertible)
    if separation is not None:
        return Comparison(separation=separation, points=valid)
    if not prove:
        return Comparison(points=valid, tried=f"{valid} random points agree")
    methods: list[str] = []
    progress(f"{valid} random points agree; normal forms")
    for a, b in zip(lhs, rhs, strict=True):
        test = is_zero(sympy.expand(a - b) if _cheap(a - b) else a - b, progress)
        if test.zero is not True:
            return Comparison(points=valid, tried=f"{valid} random points agree; {test.method}")
        if test.method not in methods:
            methods.append(test.method)
    return Comparison(proved=True, methods=tuple(methods), points=valid)


def _cheap(e: sympy.Expr) -> bool:
    """Polynomials are best expanded at once; other shapes go to the ladder as they are."""
    return bool(e.is_polynomial(*e.free_symbols)) and sympy.count_ops(e) < 5000
