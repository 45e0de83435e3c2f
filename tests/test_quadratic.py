"""Section 5.2 (gradient descent on a quadratic): the encoding, the verdicts, and hand counterexamples.

The verdicts of every claim are checked against ``expect`` in test_derivations.py; here the
encoding itself is tested (V is orthogonal, Q = V Lambda V^T has the eigenpairs it should), the
counterexamples are re-checked by an independent route (iterating gradient descent with
exact numbers), and the hand counterexamples of the comments are evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import sympy

from checking import separates
from derivations import quadratic
from verify.deciding.engine import decide
from verify.deciding.evaluation.instantiate import Evaluator, symbolic
from verify.model.claim import Claim, Equality, Recurrence
from verify.model.expr import Expr, shape_of
from verify.model.result import Verdict
from verify.model.symbols import Symbols

BY_ID: dict[str, Claim] = {c.id: c for c in quadratic.CLAIMS}


def values_of(symbols: Symbols, exprs: tuple[Expr, ...], given: Mapping[str, object],
              sizes: Mapping[str, int] | None = None) -> list[sympy.Matrix]:
    """The expressions at the given values (symbolic first, so derivatives are taken, then substituted)."""
    sizes = dict(sizes or {})
    realise = symbolic(symbols, sizes)
    ev = Evaluator(symbols, sizes, realise, "numerator")
    table: dict[sympy.Symbol, sympy.Expr] = {}
    for name, value in given.items():
        atoms = realise(symbols[name])
        m = sympy.Matrix(value) if isinstance(value, list) else sympy.Matrix([[value]])
        table.update(zip(atoms, m, strict=True))
    return [ev(e).xreplace(table) for e in exprs]


# --- the encoding ------------------------------------------------------------------------------


def test_q_has_the_eigenpairs_for_an_orthogonal_v() -> None:
    # With V orthogonal (V^T V = I), Q = V Lambda V^T has Q v_i = lambda_i v_i for v_i = V e_i:
    # Q V e_1 = V Lambda e_1 = lambda_1 V e_1. Checked at a rotation and at a reflection, exactly.
    symbols = quadratic.SEQUENCE_SYMBOLS
    for V in (sympy.Matrix([[3, -4], [4, 3]]) / 5, sympy.Matrix([[5, 12], [12, -5]]) / 13):
        assert V.T * V == sympy.eye(2)
        values = {"V": V.tolist(), "lambda_1": 2, "lambda_2": 7}
        Q, v1, v2 = values_of(symbols, (quadratic.Q2, quadratic.v1, quadratic.v2), values)
        assert v1 == V[:, 0] and v2 == V[:, 1]
        assert Q == Q.T and Q * v1 == 2 * v1 and Q * v2 == 7 * v2


def test_no_claim_or_question_of_the_section_has_a_rotation_parameter() -> None:
    # The issue: answers are read with V itself (declared orthogonal), never with a parameter t
    # of a rotation the student never wrote.
    for claim in quadratic.CLAIMS:
        assert "t" not in claim.symbols, claim.id
    for q in quadratic.QUESTIONS:
        assert "t" not in q.symbols and not q.unlisted, q.id


def test_every_written_statement_has_a_hand_derived_expect() -> None:
    for claim in quadratic.CLAIMS:
        assert claim.expect in ("holds", "fails") and claim.statement
        assert claim.section == quadratic.SECTION


# --- hand counterexamples --------------------------------------------------------------------


def test_update_rule_hand_counterexample() -> None:
    # n = 2, V = I, Lambda = I, alpha = 1, x^* = 0, x^k = (1, 0), x = 0: left (0, 0), right (1, 0).
    claim = BY_ID["quad.update-rule"]
    assert isinstance(claim, Equality)
    lhs, rhs = values_of(claim.symbols, (claim.lhs, claim.rhs), {
        "V": [[1, 0], [0, 1]], "Lambda": [[1, 0], [0, 1]], "alpha": 1, "x_star": [[0], [0]],
        "x_k": [[1], [0]], "x": [[0], [0]], "b": 0}, {"n": 2})
    assert lhs == sympy.Matrix([0, 0]) and rhs == sympy.Matrix([1, 0])


def test_eigen_step_hand_counterexample() -> None:
    # n = 2, V = I, Lambda = I, alpha = 1, x^* = 0, x^k = (1, 0), x = 0: left (1, 0), right (0, 0).
    claim = BY_ID["quad.eigen-step"]
    assert isinstance(claim, Equality)
    lhs, rhs = values_of(claim.symbols, (claim.lhs, claim.rhs), {
        "V": [[1, 0], [0, 1]], "Lambda": [[1, 0], [0, 1]], "alpha": 1, "x_star": [[0], [0]],
        "x_k": [[1], [0]], "x": [[0], [0]]}, {"n": 2})
    assert lhs == sympy.Matrix([1, 0]) and rhs == sympy.Matrix([0, 0])


@pytest.mark.parametrize("claim_id", ["quad.closed-form-as-written", "quad.closed-form-original-coordinates"])
def test_closed_form_hand_counterexample(claim_id: str) -> None:
    # V = [[0, -1], [1, 0]] (orthogonal), x^* = 0, x^0 = (1, 0): at k = 0 the closed form is V x^0 = (0, 1).
    claim = BY_ID[claim_id]
    assert isinstance(claim, Recurrence)
    (closed,) = values_of(claim.symbols, (claim.closed,), {
        "V": [[0, -1], [1, 0]], "lambda_1": 2, "lambda_2": 3, "alpha": sympy.Rational(1, 10), "x_star": [[0], [0]],
        "x_0": [[1], [0]], "k": 0})
    assert closed == sympy.Matrix([0, 1]) != sympy.Matrix([1, 0])


# --- the engine's counterexamples, re-checked -----------------------------------------------------


@pytest.mark.parametrize("claim_id", ["quad.update-rule", "quad.eigen-step"])
def test_equality_counterexamples_separate(claim_id: str) -> None:
    claim = BY_ID[claim_id]
    result = decide(claim, timeout=60)
    assert result.verdict is Verdict.REFUTED
    assert isinstance(claim, Equality) and separates(claim, result.counterexample)
    # in the domain of the problem: alpha > 0, V orthogonal, Lambda diagonal with a positive
    # diagonal (so Q = V Lambda V^T is positive definite)
    values = result.counterexample.values
    assert sympy.Rational(values["alpha"]) > 0
    V, lam = read_matrix(values["V"]), read_matrix(values["Lambda"])
    assert V.T * V == sympy.eye(V.shape[0])
    assert lam == sympy.diag(*lam.diagonal()) and all(d > 0 for d in lam.diagonal())


def read_matrix(text: str) -> sympy.Matrix:
    """``[[1, 0], [0, 5]]`` (or a scalar at n = 1) -> the matrix, without eval: split the printed rows."""
    rows = [[sympy.Rational(e.strip(" []")) for e in row.split(",")] for row in text.split("],")]
    return sympy.Matrix(rows)


def gradient_descent(values: Mapping[str, str], steps: int) -> tuple[sympy.Matrix, sympy.Matrix, sympy.Matrix]:
    """x^steps by iterating x <- x - alpha Q (x - x^*) with Q = V diag(lambda) V^T, all exact."""
    alpha = sympy.Rational(values["alpha"])
    lam = sympy.diag(sympy.Rational(values["lambda_1"]), sympy.Rational(values["lambda_2"]))
    V = read_matrix(values["V"])
    assert V.T * V == sympy.eye(2)  # the counterexample is inside the declaration
    Q = V * lam * V.T
    xs = sympy.Matrix(read_vector(values["x_star"]))
    x = sympy.Matrix(read_vector(values["x_0"]))
    for _ in range(steps):
        x = x - alpha * Q * (x - xs)
    return x, V, xs


def read_vector(text: str) -> list[sympy.Rational]:
    """``[[1/2], [3]]`` -> [1/2, 3], without eval: split the printed rows."""
    return [sympy.Rational(part.strip(" []")) for part in text.split(",")]


@pytest.mark.parametrize("claim_id", ["quad.closed-form-as-written", "quad.closed-form-original-coordinates"])
def test_closed_form_counterexamples_recheck_by_iterating(claim_id: str) -> None:
    result = decide(BY_ID[claim_id], timeout=60)
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None
    k = int(cx.values["k"])
    xk, V, xs = gradient_descent(cx.values, k)
    assert sympy.Matrix(read_vector(cx.rhs)) == xk
    lam = [sympy.Rational(cx.values[n]) for n in ("lambda_1", "lambda_2")]
    alpha = sympy.Rational(cx.values["alpha"])
    x0 = sympy.Matrix(read_vector(cx.values["x_0"]))
    coords = x0 if claim_id.endswith("as-written") else x0 - xs
    closed = xs + sum((coords[i] * (1 - alpha * lam[i]) ** k * V[:, i] for i in range(2)), sympy.zeros(2, 1))
    assert sympy.Matrix(read_vector(cx.lhs)) == closed != xk


def test_original_coordinates_reading_fails_only_through_v() -> None:
    # With V = I the reading x_i^0 = (x^0 - x^*)_i is right, so every counterexample has V != I.
    result = decide(BY_ID["quad.closed-form-original-coordinates"], timeout=60)
    assert result.verdict is Verdict.REFUTED
    assert read_matrix(result.counterexample.values["V"]) != sympy.eye(2)


def test_references_are_proved_for_every_k() -> None:
    result = decide(BY_ID["ref.quad.closed-form"], timeout=120)
    assert result.verdict is Verdict.PROVED
    assert result.scope == "every integer k >= 0"
    assert decide(BY_ID["quad.component-recursion"], timeout=60).verdict is Verdict.PROVED


# --- questions ----------------------------------------------------------------------------------


def test_questions_and_their_references() -> None:
    ids = [q.id for q in quadratic.QUESTIONS]
    assert ids == ["quad.gradient", "quad.eigen-recursion", "quad.closed-form"]
    for q in quadratic.QUESTIONS:
        assert q.reference.id == f"ref.{q.id}" and q.reference.expect == "holds"
        assert q.reference in quadratic.CLAIMS
        assert isinstance(q.answer, Expr)
        shape_of(q.answer, q.symbols)  # the answer is well formed in the question's symbols
        assert all(s.latex for s in q.symbols.values())


def test_gradient_answer_rejects_the_unsymmetrised_half() -> None:
    # 1/2 Q x + c is not the gradient (it misses the other half, Q^T x / 2): refuted against the answer.
    q = quadratic.QUESTIONS[0]
    wrong = Equality(id="wrong", statement="", symbols=q.symbols, lhs=q.answer,
                     rhs=quadratic.HALF * quadratic.Q * quadratic.x + quadratic.c)
    assert decide(wrong, timeout=60).verdict is Verdict.REFUTED
