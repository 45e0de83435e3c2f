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
    relations: Sequence[sympy.Expr] = (),
) -> Comparison:
    """``relations``: polynomials in the entries that vanish for every value the declarations
    allow (V^T V - I for an orthogonal V); an entry of lhs - rhs whose numerator lies in the ideal
    they generate vanishes wherever it is defined, at every such value."""
    if lhs.shape != rhs.shape:
        raise ValueError(f"sides of different shapes {lhs.shape} and {rhs.shape}")
    progress("evaluating at random rational points")
    separation, valid = refute.search(lhs, rhs, rng, tries, must_be_invertible)
    if separation is not None:
        return Comparison(separation=separation, points=valid)
    if not prove:
        return Comparison(points=valid, tried=f"{valid} random points agree")
    methods: list[str] = []
    ideal: _Ideal | None = None
    progress(f"{valid} random points agree; normal forms")
    for a, b in zip(lhs, rhs, strict=True):
        test = is_zero(sympy.expand(a - b) if _cheap(a - b) else a - b, progress)
        method = test.method
        if test.zero is not True and relations:
            ideal = ideal or _Ideal(tuple(relations))
            if ideal.contains_numerator(a - b):
                method = ideal.METHOD
            else:
                return Comparison(points=valid, tried=f"{valid} random points agree; {test.method}; "
                                  f"not in the ideal of {ideal.WHAT}")
        elif test.zero is not True:
            return Comparison(points=valid, tried=f"{valid} random points agree; {test.method}")
        if method not in methods:
            methods.append(method)
    return Comparison(proved=True, methods=tuple(methods), points=valid)


def _cheap(e: sympy.Expr) -> bool:
    """Polynomials are best expanded at once; other shapes go to the ladder as they are."""
    return bool(e.is_polynomial(*e.free_symbols)) and sympy.count_ops(e) < 5000


class _Ideal:
    """The ideal of polynomial relations among the entries, by a Groebner basis computed once.

    Why: an orthogonal V has no rational parametrisation that reaches all of O(n), so a proof at
    a fixed size instantiates V with generic entries; V^T V = I is then a set of polynomial
    equations, and a numerator in their ideal vanishes at every orthogonal V (membership is
    decided exactly: the remainder on division by the basis is 0). Not being in it proves nothing.
    """

    METHOD = "reduction modulo the declared relations (Groebner basis)"
    WHAT = "the declared relations (V^T V = I)"
    #: Most generators (entries) tried: a basis in many variables can take long to compute.
    MAX_GENERATORS = 12

    def __init__(self, relations: tuple[sympy.Expr, ...]) -> None:
        self.relations = tuple(r for r in (sympy.expand(r) for r in relations) if r != 0)
        self.generators = sorted(set().union(*(r.free_symbols for r in self.relations)), key=sympy.default_sort_key)
        self._basis: sympy.GroebnerBasis | None = None

    def contains_numerator(self, e: sympy.Expr) -> bool:
        if not self.relations or len(self.generators) > self.MAX_GENERATORS:
            return False
        numerator = sympy.expand(sympy.numer(sympy.together(e)))
        if numerator == 0:
            return True
        others = sorted(numerator.free_symbols - set(self.generators), key=sympy.default_sort_key)
        gens = [*self.generators, *others]
        try:
            if not numerator.is_polynomial(*gens):
                return False
            if self._basis is None:
                self._basis = sympy.groebner(self.relations, *self.generators, order="grevlex")
            _, remainder = sympy.reduced(numerator, list(self._basis.exprs), *gens, order="grevlex")
        except (sympy.PolynomialError, sympy.CoercionFailed, sympy.GeneratorsNeeded):
            return False
        return bool(sympy.expand(remainder) == 0)
