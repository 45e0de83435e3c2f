"""Test helper: re-check a counterexample by a route independent of the one that found it.

The engine refutes by sampling (numbers everywhere, random polynomials for functions); this
re-evaluates both sides by symbolic instantiation with jets, then substitutes the reported
exact values, so a bug in either route shows up as a disagreement.
"""

from __future__ import annotations

import sympy

from verify.deciding.instantiate import Evaluator, jets_to_symbols, symbolic
from verify.deciding.result import Counterexample
from verify.model.claim import Equality


def recheck(claim: Equality, cx: Counterexample) -> tuple[sympy.Matrix, sympy.Matrix]:
    """Both sides at the counterexample, recomputed symbolically; asserts every atom has a value."""
    ev = Evaluator(claim.symbols, cx.sizes, symbolic(claim.symbols, cx.sizes), claim.layout)
    lhs, _ = jets_to_symbols(ev(claim.lhs))
    rhs, _ = jets_to_symbols(ev(claim.rhs))
    values = {name: sympy.Rational(text) for name, text in cx.point.items()}
    table = {}
    for atom in lhs.free_symbols | rhs.free_symbols:
        assert str(atom) in values, f"the counterexample gives no value for {atom}"
        table[atom] = values[str(atom)]
    return lhs.xreplace(table), rhs.xreplace(table)


def separates(claim: Equality, cx: Counterexample) -> bool:
    lv, rv = recheck(claim, cx)
    return any(sympy.N(a - b, 50) != 0 for a, b in zip(lv, rv, strict=True))
