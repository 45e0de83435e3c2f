"""Deciding :class:`~verify.model.claim.Proportional`: is one expression a constant multiple of another?

The constant is read off at a random point where ``to`` is nonzero; then ``expr = c * to``
is an ordinary equality, decided (refuted or proved) like any other. If the constant is
zero, or has the wrong sign, the point where it was read is the counterexample.
"""

from __future__ import annotations

import random
from dataclasses import replace

import sympy

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.evaluation import certified
from verify.deciding.evaluation.sizing import bindings, letters_of
from verify.deciding.kinds.equality import decide_equality
from verify.deciding.proof.counterexample import show
from verify.deciding.proof.hints import rational_ratio
from verify.deciding.proof.refute import sample
from verify.model import Const, Counterexample, Equality, Product, Proportional, Result, Verdict, anonymous


@decide_inline.register
def decide_proportional(claim: Proportional, progress: Progress = quiet) -> Result:
    probe = Equality(id=claim.id, statement=claim.statement, symbols=claim.symbols, layout=claim.layout,
                     lhs=claim.expr, rhs=claim.to)
    rng = random.Random(anonymous(claim))
    sizes = bindings(letters_of(probe))[0]
    for _ in range(30):
        got = sample(probe, sizes, rng)
        if got is None:
            continue
        lv, rv, point = got
        if lv.shape != rv.shape:
            return Result(Verdict.ERROR, detail=f"the two expressions have shapes {lv.shape} and {rv.shape}")
        pairs = [(a, b) for a, b in zip(lv, rv, strict=True) if b != 0]
        if not pairs:
            continue
        a, b = pairs[0]
        sa, sb = certified.sign(a), certified.sign(b)
        if sa is None or not sb:  # a sign that cannot be certified: another point
            continue
        # The ratio's sign is certain; its value is exact where it is rational, else a candidate
        # (decided exactly below, by the equality with c times the reference).
        c = a / b if (a / b).is_Rational else rational_ratio(a, b)
        if sa != 0 and (c is None or c == 0):
            return Result(Verdict.UNKNOWN, detail="the ratio at a point is not a simple rational constant")
        if sa == 0:
            c = sympy.Integer(0)
        if sa == 0 or (claim.positive and sa * sb < 0):
            need = "a positive" if claim.positive else "a nonzero"
            return Result(
                Verdict.REFUTED,
                detail=f"the expression is {c} times the reference at this point, not {need} multiple",
                counterexample=Counterexample(
                    values={k: show(v) for k, v in point.values.items() if k in claim.expr.names() | claim.to.names()},
                    lhs=show(lv), rhs=f"{show(rv)} (the reference)", sizes=dict(sizes),
                    note=f"expr = {c} x reference here",
                ),
            )
        result = decide_equality(replace(probe, rhs=Product((Const(c), claim.to))), progress)
        if result.verdict is Verdict.PROVED:
            return replace(result, detail=f"equals {c} times the reference; {result.detail}")
        if result.verdict is Verdict.REFUTED:
            return replace(result, detail=f"not a constant multiple of the reference (the ratio varies); "
                                          f"{result.detail}")
        return result
    return Result(Verdict.UNKNOWN, detail="no point found where the reference is nonzero")
