"""Section 1 (Partial Derivative): the one wrong answer is refuted for the right reason, the
questions' references prove the correct answers, and near-miss variants of the true steps are
refuted (so the proofs of the true ones are not vacuous)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from checking import separates
from derivations import partial_derivatives as pd
from verify.deciding.engine import decide
from verify.model.claim import Equality
from verify.model.expr import D, Zero
from verify.model.result import Verdict
from verify.model.shape import Shape
from verify.model.symbols import Symbols, matrix, vector

CLAIMS = {c.id: c for c in pd.CLAIMS}
QUESTION_IDS = ["pd.linear", "pd.chain", "pd.bilinear-x", "pd.bilinear-y", "pd.product", "pd.inverse"]


def rows(text: str) -> list[list[Fraction]]:
    """``[[1, 2/3]]`` (the engine's exact printing of a matrix) as rows of fractions."""
    body = text.strip()
    if not body.startswith("["):
        return [[Fraction(body)]]
    return [[Fraction(e) for e in r.strip(" []").split(",")] for r in body[1:-1].split("],")]


def test_final_bilinear_y_answer_is_refuted_by_a_non_symmetric_A() -> None:
    claim = CLAIMS["pd.bilinear-y"]
    result = decide(claim, timeout=60)
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None and separates(claim, cx)
    n = cx.sizes["n"]
    A = sympy.Matrix(n, n, lambda i, j: sympy.Rational(cx.point[f"A[{i + 1},{j + 1}]"]))
    x = sympy.Matrix([sympy.Rational(cx.point[f"x[{i + 1}]"]) for i in range(n)])
    # The reported sides are the true derivative x^T A^T and the written x^T A at those values.
    assert rows(cx.lhs) == [[Fraction(str(e)) for e in (x.T * A.T)]]
    assert rows(cx.rhs) == [[Fraction(str(e)) for e in (x.T * A)]]
    assert A != A.T
    assert rows(cx.lhs) != rows(cx.rhs)


def test_the_middle_step_and_the_final_answer_differ_only_by_the_transpose() -> None:
    # The true middle step x^T A^T is proved; the written final x^T A is refuted (above); with A
    # symmetric the written answer would be right, so the engine must prove it then.
    claim = CLAIMS["pd.bilinear-y"]
    symmetric = Symbols.of([vector("y", "n"), matrix("A", "n", "n", symmetric=True), vector("x", "n")])
    result = decide(Equality(id="t", statement="", symbols=symmetric, lhs=claim.lhs, rhs=claim.rhs))
    assert result.verdict is Verdict.PROVED, result.detail
    assert decide(CLAIMS["pd.bilinear-y.middle"]).verdict is Verdict.PROVED


@pytest.mark.parametrize(
    ("name", "lhs", "rhs"),
    [
        # d(A^{-1})/dalpha with the factors in the wrong order: A(alpha) need not commute with A'.
        ("inverse-order", pd.dAinv, -pd.A.I * pd.A.I * pd.dA),
        # the product-rule step with a wrong sign.
        ("product-rule-sign", pd.dA * pd.A.I - pd.A * pd.dAinv, Zero(Shape("n", "n"))),
        # the solve step forgetting the minus sign.
        ("solve-sign", pd.A * pd.dAinv, pd.dA * pd.A.I),
    ],
)
def test_near_misses_of_the_inverse_steps_are_refuted(name: str, lhs, rhs) -> None:
    claim = Equality(id=f"near-miss.{name}", statement="", symbols=pd.INVERSE_SYMBOLS, lhs=lhs, rhs=rhs)
    result = decide(claim, timeout=60)
    assert result.verdict is Verdict.REFUTED, result.detail
    assert separates(claim, result.counterexample)
    # the counterexample reports the jet of A(alpha): its derivative at the point
    assert "dA/dalpha" in result.counterexample.values


def test_the_product_rule_needs_both_terms() -> None:
    # Dropping y^T dx/dz from the product rule must be refuted, with x, y arbitrary functions of z.
    claim = Equality(id="near-miss.product", statement="", symbols=pd.PRODUCT_SYMBOLS,
                     lhs=D(pd.y.T * pd.x, pd.z), rhs=pd.x.T * D(pd.y, pd.z))
    result = decide(claim, timeout=60)
    assert result.verdict is Verdict.REFUTED, result.detail
    assert separates(claim, result.counterexample)


def test_questions_are_the_section_ids_with_proved_references() -> None:
    assert [q.id for q in pd.QUESTIONS] == QUESTION_IDS
    for q in pd.QUESTIONS:
        ref = q.reference
        assert isinstance(ref, Equality)
        assert ref.id == f"ref.{q.id}" and ref.expect == "holds"
        assert ref in pd.CLAIMS
        assert ref.rhs == q.answer, f"{q.id}: the reference must prove the answer itself"
        for s in q.symbols.values():
            assert s.latex and s.meaning, f"{q.id}: {s.name} needs latex and meaning"
        assert decide(ref, timeout=60).verdict is Verdict.PROVED, q.id


def test_the_reference_for_bilinear_y_is_not_the_written_answer() -> None:
    q = next(q for q in pd.QUESTIONS if q.id == "pd.bilinear-y")
    assert q.answer == pd.x.T * pd.A.T
    assert q.answer != CLAIMS["pd.bilinear-y"].rhs
