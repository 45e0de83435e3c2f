"""Deciding an :class:`~verify.model.claim.Equality` over dimension letters.

At each binding of the letters (:mod:`verify.deciding.sizes`) both sides are instantiated
with symbolic entries, arbitrary functions become jets, and :func:`explicit.compare` refutes
or proves. A proof by instantiation holds at the sizes tried, and the scope says which;
a size-independent prover, where one applies, widens the scope to every size.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

import sympy

from verify.deciding import sizes as sizing
from verify.deciding.dispatch import decide_inline
from verify.deciding.explicit import compare
from verify.deciding.instantiate import Evaluator, jets_to_symbols, symbolic
from verify.deciding.refute import Separation
from verify.deciding.result import Counterexample, Result, Verdict
from verify.errors import ShapeError, VerifyError
from verify.model.claim import Equality
from verify.model.expr import Expr, shape_of
from verify.model.symbols import Symbol

Progress = Callable[[str], None]


def show(m: sympy.Matrix | sympy.Expr) -> str:
    """Exact values as people write them: a scalar plainly, a matrix as nested rows."""
    if isinstance(m, sympy.MatrixBase):
        if m.shape == (1, 1):
            return show(m[0, 0])
        return "[" + ", ".join("[" + ", ".join(show(e) for e in row) + "]" for row in m.tolist()) + "]"
    text = sympy.sstr(m)
    if not m.is_Rational:
        text += f" (~{sympy.N(m, 8)})"
    return text


def counterexample(
    sep: Separation,
    symbols: Mapping[str, Symbol],
    values: Mapping[str, sympy.Matrix],
    jets: Mapping[sympy.Symbol, sympy.Expr],
    sizes: Mapping[str, int],
) -> Counterexample:
    """Name the point in the user's terms: each declared symbol's value, then each jet."""
    shown: dict[str, str] = {}
    for name in symbols:
        if name in values and not symbols[name].of:
            m = values[name].xreplace(sep.point)
            if not m.free_symbols:
                shown[name] = show(m)
    for jet in sorted(jets, key=str):
        if jet in sep.point:
            shown[str(jet)] = show(sep.point[jet])
    return Counterexample(
        values=shown, lhs=show(sep.lhs), rhs=show(sep.rhs), sizes=dict(sizes)
    )


def instantiate(
    claim: Equality, exprs: tuple[Expr, ...], sizes: Mapping[str, int]
) -> tuple[list[sympy.Matrix], Evaluator, dict[sympy.Symbol, sympy.Expr]]:
    ev = Evaluator(claim.symbols, sizes, symbolic(claim.symbols, sizes), claim.layout)
    out, jets = [], {}
    for e in exprs:
        m, table = jets_to_symbols(ev(e))
        out.append(m)
        jets.update(table)
    return out, ev, jets


def invertibles(claim: Equality, ev: Evaluator) -> list[sympy.Matrix]:
    out = []
    for name, s in claim.symbols.items():
        if s.invertible:
            m, _ = jets_to_symbols(ev.value(name))
            out.append(m)
    return out


@decide_inline.register
def decide_equality(claim: Equality, progress: Progress = lambda s: None) -> Result:
    try:
        ls = shape_of(claim.lhs, claim.symbols, claim.layout)
        rs = shape_of(claim.rhs, claim.symbols, claim.layout)
    except VerifyError as err:
        return Result(Verdict.ERROR, detail=str(err))
    letters = ls.letters | rs.letters
    for e in (claim.lhs, claim.rhs):
        for name in e.names():
            letters |= claim.symbols[name].shape.letters
    bound = list(claim.sizes) if claim.sizes else sizing.bindings(letters)
    rng = random.Random(claim.id)
    proved_at: list[dict[str, int]] = []
    methods: list[str] = []
    skipped: list[str] = []
    tried: list[str] = []
    for sizes in bound:
        progress(f"instantiating at {sizing.describe([sizes])}")
        try:
            (lhs, rhs), ev, jets = instantiate(claim, (claim.lhs, claim.rhs), sizes)
        except ShapeError as err:
            skipped.append(f"{sizing.describe([sizes])}: {err}")
            continue
        except VerifyError as err:
            return Result(Verdict.ERROR, detail=str(err))
        except ZeroDivisionError:
            skipped.append(f"{sizing.describe([sizes])}: a side is undefined (division by zero)")
            continue
        if lhs.shape != rhs.shape:
            return Result(
                Verdict.ERROR,
                detail=f"the sides have different shapes: {ls} and {rs} "
                f"({lhs.shape[0]}x{lhs.shape[1]} and {rhs.shape[0]}x{rhs.shape[1]} at {sizing.describe([sizes])})",
            )
        outcome = compare(lhs, rhs, rng, invertibles(claim, ev), progress=progress)
        if outcome.separation is not None:
            values = {n: ev.value(n) for n in claim.symbols if n in ev._cache}
            return Result(
                Verdict.REFUTED,
                detail=f"the sides differ at {sizing.describe([sizes])}",
                counterexample=counterexample(outcome.separation, claim.symbols, values, jets, sizes),
            )
        if not outcome.proved:
            tried.append(f"{sizing.describe([sizes])}: {outcome.tried}")
            continue
        proved_at.append(sizes)
        methods += [m for m in outcome.methods if m not in methods]
    if tried:
        return Result(Verdict.UNKNOWN, detail="; ".join(tried + skipped))
    if not proved_at:
        return Result(Verdict.ERROR, detail="no size where both sides are defined: " + "; ".join(skipped))
    detail = f"proved by {', '.join(methods)}"
    if skipped:
        detail += "; not defined at " + "; ".join(skipped)
    return Result(Verdict.PROVED, detail=detail, scope=sizing.describe(proved_at))
