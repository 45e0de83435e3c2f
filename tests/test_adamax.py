"""Section 5.3 (AdaMax): the written update against Kingma and Ba's, and the p -> oo limit behind it.

Hand counterexamples are evaluated exactly; the limit is checked numerically at large p,
independently of the engine's squeeze; the engine's counterexamples are re-checked.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import mpmath
import sympy

from checking import separates
from derivations import adamax
from verify.deciding.engine import decide
from verify.deciding.evaluation.instantiate import Evaluator, symbolic
from verify.model.claim import Equality, Limit
from verify.model.expr import apply, maximum
from verify.model.result import Verdict

BY_ID = {c.id: c for c in adamax.CLAIMS}


def sides_at(claim: Equality, values: dict[str, sympy.Rational]) -> tuple[sympy.Expr, sympy.Expr]:
    ev = Evaluator(claim.symbols, {}, symbolic(claim.symbols, {}), claim.layout)
    table = {ev.value(name)[0, 0]: v for name, v in values.items()}
    return ev(claim.lhs)[0, 0].xreplace(table), ev(claim.rhs)[0, 0].xreplace(table)


def test_written_update_hand_counterexamples() -> None:
    # beta_2 = 1/2: v = 1, g = 4 gives max(1/2, 2) = 2 against max(1/2, 4) = 4;
    # v = 0, g = 1 gives 1/2 against 1.
    claim = BY_ID["adamax.update"]
    assert isinstance(claim, Equality)
    one, half = sympy.Integer(1), sympy.Rational(1, 2)
    assert sides_at(claim, {"beta2": half, "v_prev": one, "g": sympy.Integer(4)}) == (2, 4)
    assert sides_at(claim, {"beta2": half, "v_prev": sympy.Integer(0), "g": one}) == (sympy.Rational(1, 2), 1)
    # where beta_2 v >= |g| the two agree: the error shows only when the gradient dominates
    assert sides_at(claim, {"beta2": half, "v_prev": sympy.Integer(10), "g": one}) == (5, 5)


def test_written_update_is_refuted_inside_adamax_range() -> None:
    # beta_2 is declared in (0, 1): the counterexample gives beta_2 itself, inside AdaMax's range
    claim = BY_ID["adamax.update"]
    result = decide(claim, timeout=60)
    assert result.verdict is Verdict.REFUTED
    assert isinstance(claim, Equality) and separates(claim, result.counterexample)
    beta2 = Fraction(result.counterexample.values["beta2"])
    assert 0 < beta2 < 1


def test_reference_limit_is_proved_by_the_squeeze() -> None:
    ref = BY_ID["ref.adamax.update"]
    result = decide(ref, timeout=60)
    assert result.verdict is Verdict.PROVED
    assert "squeeze" in result.detail
    assert "0 < beta2 < 1" in result.scope and "0 <= v_prev" in result.scope


def test_the_limit_numerically() -> None:
    # Independent of the engine: at p = 2000 the L^p update is within 1e-3 relative of the max,
    # and visibly not the written update's value.
    with mpmath.workdps(50):
        for beta2, v, g in ((0.5, 1, 4), (0.9, 3, 1), (0.999, 0, -2)):
            b, pp = mpmath.mpf(beta2), mpmath.mpf(2000)
            value = (b**pp * mpmath.mpf(v) ** pp + (1 - b**pp) * abs(mpmath.mpf(g)) ** pp) ** (1 / pp)
            kingma_ba = max(b * v, abs(g))
            assert abs(value - kingma_ba) < 1e-3 * kingma_ba
            written = max(b * v, (1 - b) * abs(g))
            if written != kingma_ba:
                assert abs(value - written) > 1e-2


def test_the_limit_is_not_the_written_update() -> None:
    # The same L^p expression with the written update as its claimed limit: refuted, and the
    # reported limit is max(beta_2 v, |g|) at the reported values.
    ref = BY_ID["ref.adamax.update"]
    assert isinstance(ref, Limit)
    b, v, g = adamax.beta2, adamax.v_prev, adamax.g
    written = replace(ref, id="written-as-limit", rhs=maximum(b * v, (1 - b) * apply("abs", g)))
    result = decide(written, timeout=60)
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None
    vb, vv, vg = (Fraction(cx.values[n]) for n in ("beta2", "v_prev", "g"))
    assert 0 < vb < 1 and vv >= 0
    assert Fraction(cx.lhs) == max(vb * vv, abs(vg))
    assert Fraction(cx.rhs) == max(vb * vv, (1 - vb) * abs(vg)) != Fraction(cx.lhs)


def test_question() -> None:
    (q,) = adamax.QUESTIONS
    assert q.id == "adamax.update" and q.reference.id == "ref.adamax.update"
    assert q.reference in adamax.CLAIMS and q.reference.expect == "holds"
    assert isinstance(q.reference, Limit) and q.answer == q.reference.rhs
    assert {s.latex for s in q.symbols.values()} == {r"\beta_2", "v^{(k-1)}", r"\partial_W E^{(k)}"}
