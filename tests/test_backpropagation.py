"""Backpropagation Basics: the summed delta_1 is refuted (also inside the probability range),
the layer Jacobians and the one-sample chain are proved region by region, and near misses of
every true statement are refuted."""

from __future__ import annotations

import pytest
import sympy

from derivations import backpropagation as bp
from verify.deciding.engine import decide
from verify.deciding.evaluation.instantiate import Evaluator, symbolic
from verify.model.claim import Equality
from verify.model.expr import D, Expr, Identity, apply, mat, shape_of
from verify.model.result import Verdict

CLAIMS = {c.id: c for c in bp.CLAIMS}


def variant(claim_id: str, name: str, lhs: Expr | None = None, rhs: Expr | None = None) -> Equality:
    c = CLAIMS[claim_id]
    assert isinstance(c, Equality)
    return Equality(id=f"near-miss.{name}", statement="", symbols=c.symbols, layout=c.layout,
                    lhs=c.lhs if lhs is None else lhs, rhs=c.rhs if rhs is None else rhs)


def test_summed_delta1_fails_inside_the_probability_range() -> None:
    claim = CLAIMS["bp.dJ-dyhat"]
    assert decide(claim, timeout=60).verdict is Verdict.REFUTED
    # By hand: y1 = y2 = 1, yhat1 = yhat2 = 1/2 gives dJ/dyhat1 = -1 and the written sum -2.
    ev = Evaluator(claim.symbols, {}, symbolic(claim.symbols, {}))
    point = {sympy.Symbol(n, real=True): v for n, v in
             (("y1", 1), ("y2", 1), ("yhat1", sympy.Rational(1, 2)), ("yhat2", sympy.Rational(1, 2)))}
    assert ev(claim.lhs)[0, 0].xreplace(point) == -1
    assert ev(claim.rhs)[0, 0].xreplace(point) == -2


def test_with_one_sample_the_written_delta1_is_right() -> None:
    one = Equality(id="bp.m1", statement="", symbols=bp.TWO_SAMPLES,
                   lhs=D(bp.bce(bp.y1, bp.yh1), bp.yh1), rhs=-bp.dbce(bp.y1, bp.yh1))
    assert decide(one, timeout=60).verdict is Verdict.PROVED


@pytest.mark.parametrize(
    ("claim_id", "name", "rhs"),
    [
        ("bp.dyhat-dz2", "sigmoid-not-squared", bp.sigma(bp.z2)),
        ("bp.dyhat-dz2", "sigmoid-sign", (1 + bp.sigma(bp.z2)) * bp.sigma(bp.z2)),
        ("bp.da1-dz1", "relu-identity", Identity("D_a1")),
        ("bp.da1-dz1", "relu-wrong-side", apply("diag", apply("step", -bp.z1))),
        # x_i where x_j belongs (i and j confused): differs whenever i != j.
        ("bp.dz1-dW1ij", "x-i-for-x-j", mat([[bp.x5[i] if k == i else 0 for k in range(2)]
                                             for i, j in bp.PAIRS_5])),
        # x_j in row j instead of row i (only where j < D_a1 fits; 0 elsewhere).
        ("bp.dz1-dW1ij", "row-j", mat([[bp.x5[j] if k == j else 0 for k in range(2)]
                                       for i, j in bp.PAIRS_5])),
    ],
)
def test_near_misses_of_the_true_jacobians_are_refuted(claim_id: str, name: str, rhs: Expr) -> None:
    result = decide(variant(claim_id, name, rhs=rhs), timeout=60)
    assert result.verdict is Verdict.REFUTED, result.detail


def test_the_relu_jacobian_counterexample_is_off_the_kinks() -> None:
    result = decide(variant("bp.da1-dz1", "relu-identity", rhs=Identity("D_a1")), timeout=60)
    cx = result.counterexample
    assert cx is not None
    z = [sympy.Rational(value) for key, value in cx.point.items() if key.startswith("z1[")]
    assert z and all(value != 0 for value in z) and any(value < 0 for value in z)


def test_the_one_sample_chain_is_proved_and_equals_the_reference_form() -> None:
    result = decide(CLAIMS["bp.dJ-dW1"], timeout=120)
    assert result.verdict is Verdict.PROVED, result.detail
    assert "region" in result.detail
    # The written product, entry by entry, is the matrix ((yhat - y) W2^T ⊙ step(z1)) x^T.
    same = variant("bp.dJ-dW1", "chain-is-reference",
                   lhs=bp.dJ_dW1(bp.YHAT, bp.y, bp.W2, bp.Z1, bp.X_LIT))
    assert decide(same, timeout=120).verdict is Verdict.PROVED


def test_near_misses_of_the_chain_are_refuted() -> None:
    no_mask = mat([[bp.DELTA1_ONE * (1 - bp.sigma(bp.Z2)) * bp.sigma(bp.Z2) * bp.W2
                    * bp.delta5(i, j, bp.xs, 2) for j in range(2)] for i in range(2)])
    result = decide(variant("bp.dJ-dW1", "no-relu-mask", rhs=no_mask), timeout=120)
    assert result.verdict is Verdict.REFUTED, result.detail
    transposed = variant("bp.dJ-dW1", "transposed",
                         rhs=bp.dJ_dW1(bp.YHAT, bp.y, bp.W2, bp.Z1, bp.X_LIT).T)
    assert decide(transposed, timeout=120).verdict is Verdict.REFUTED


def test_two_samples_refute_the_written_chain() -> None:
    result = decide(CLAIMS["bp.dJ-dW1.two-samples"], timeout=120)
    assert result.verdict is Verdict.REFUTED, result.detail


def test_reference_dJ_dW1_and_its_near_misses() -> None:
    ref = CLAIMS["ref.bp.dJ-dW1"]
    assert decide(ref, timeout=120).verdict is Verdict.PROVED
    # forgetting the ReLU mask, or using y - yhat for yhat - y, is refuted
    w2, z1, x, yhat, y = bp.W2q, bp.FULL_Z1, bp.xq, bp.FULL_YHAT, bp.yq
    for name, rhs in (("mask", ((yhat - y) * w2.T) * x.T), ("sign", bp.dJ_dW1(y, yhat, w2, z1, x))):
        claim = Equality(id=f"near-miss.ref.{name}", statement="", symbols=ref.symbols,
                         layout=ref.layout, lhs=ref.lhs, rhs=rhs)
        assert decide(claim, timeout=120).verdict is Verdict.REFUTED


def test_questions_cover_the_contract_ids() -> None:
    questions = {q.id: q for q in bp.QUESTIONS}
    assert set(questions) == {"bp.dJ-dyhat", "bp.dyhat-dz2", "bp.dz2-da1", "bp.da1-dz1", "bp.dJ-dW1"}
    for qid, q in questions.items():
        assert q.reference.id == f"ref.{qid}" and q.reference.expect == "holds"
        assert q.reference in bp.CLAIMS
        # the answer is well formed in the question's own symbols and layout
        answer_shape = shape_of(q.answer, q.symbols, q.layout)
        ref_shape = shape_of(q.reference.rhs, q.reference.symbols, q.reference.layout)
        assert answer_shape == ref_shape
        # a definition is spelled as students write it, is not also a declared symbol, and is
        # well formed in the declared symbols
        for spelling, definition in q.defines.items():
            assert spelling not in q.symbols
            shape_of(definition, q.symbols, q.layout)
