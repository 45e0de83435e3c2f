"""A matrix to the power of an index, (I - alpha Lambda)^k, and induction for every size (issue 15):
the closed form of gradient descent on a quadratic proved for every n and every k.

M^(k + c) with an index k is an atom M^k times M^c, where M is a polynomial in diagonal letters (so
M^k is diagonal and commutes with them); M^(k + 1) = M^k M holds for every integer k >= 0, the
values an index takes from a recurrence's base. A recurrence is proved by induction when its base
case and its step are proved by the size-independent prover.
"""

from __future__ import annotations

import pytest
import sympy

from checking import proof_rechecked
from verify.deciding import decide
from verify.deciding.proof.noncommutative import METHOD, prove_all_sizes
from verify.errors import ShapeError
from verify.model import (
    Add,
    D,
    Equality,
    Identity,
    Power,
    Recurrence,
    Symbols,
    Var,
    Verdict,
    lift,
    matrix,
    scalar,
    shape_of,
    substitute,
    vector,
)

V, L, A, a, xs, x0, xk, k = (Var(n) for n in ["V", "Lambda", "A", "alpha", "x_star", "x_0", "x_k", "k"])
SYMBOLS = Symbols.of([matrix("V", "n", "n", orthogonal=True), matrix("Lambda", "n", "n", diagonal=True),
                      matrix("A", "n", "n"), scalar("alpha"), vector("x_star", "n"), vector("x_0", "n"),
                      vector("x_k", "n"), scalar("k")])
M = Identity() - a * L
STEP = xk - a * V * L * V.T * (xk - xs)  # gradient descent on h with Q = V Lambda V^T


def recurrence(closed, name: str = "r") -> Recurrence:
    return Recurrence(id=name, statement="", symbols=SYMBOLS, sequence=xk, k=k, initial=x0, step=STEP,
                      closed=closed, base=0)


def test_the_closed_form_is_proved_for_every_size_and_every_k() -> None:
    # x^k - x^* = V (I - alpha Lambda)^k V^T (x^0 - x^*): k = 0 gives V V^T (x^0 - x^*) = x^0 - x^*;
    # the step: (I - alpha V Lambda V^T) V M^k V^T e = V (I - alpha Lambda) M^k V^T e = V M^(k+1) V^T e
    r = decide(recurrence(xs + V * Power(M, k) * V.T * (x0 - xs)), timeout=120)
    assert r.verdict is Verdict.PROVED
    assert r.scope == "every integer k >= 0; all sizes"


@pytest.mark.parametrize("closed", [
    # the coordinates not rotated back: k = 0 gives V (x^0 - x^*), not x^0 - x^* (V = -I, x^* = 0)
    xs + V * Power(M, k) * (x0 - xs),
    # one step ahead: k = 0 gives V M V^T (x^0 - x^*), not x^0 - x^* (alpha = 1, Lambda = I: 0)
    xs + V * Power(M, Add((k, lift(1)))) * V.T * (x0 - xs),
])
def test_a_wrong_closed_form_is_refuted(closed) -> None:
    assert decide(recurrence(closed), timeout=120).verdict is Verdict.REFUTED


def _step(closed) -> Equality:
    c = recurrence(closed)
    return Equality(id="step", statement="", symbols=SYMBOLS,
                    lhs=substitute(c.closed, {"k": Add((k, lift(1)))}), rhs=substitute(c.step, {"x_k": c.closed}))


@pytest.mark.parametrize("sizes", [{"n": 2}, {"n": 3}])
def test_the_induction_step_is_rechecked_by_instantiation(sizes: dict[str, int]) -> None:
    # the step's proof, re-checked with symbolic entries and a symbolic k: diag(d_i)^k = diag(d_i^k)
    step = _step(xs + V * Power(M, k) * V.T * (x0 - xs))
    assert prove_all_sizes(step) == METHOD
    # V orthogonal enters the proof (V^T V = I): instantiated with a generic V the step holds only
    # for an orthogonal V, so the re-check is of the Lambda part alone, V = I
    plain = Symbols.of([matrix("Lambda", "n", "n", diagonal=True), scalar("alpha"), vector("x_star", "n"),
                        vector("x_0", "n"), vector("x_k", "n"), scalar("k")])
    c = Equality(id="step", statement="", symbols=plain,
                 lhs=xs + Power(M, Add((k, lift(1)))) * (x0 - xs),
                 rhs=xs + Power(M, k) * (x0 - xs) - a * L * (Power(M, k) * (x0 - xs)))
    proof_rechecked(c, sizes, _zero_in_k)


def _zero_in_k(d: sympy.Expr) -> bool:
    """d = 0 with every power b^(k + c) written b^k b^c (SymPy keeps b^(k + 1) whole for a real k)."""
    split = d.replace(lambda e: e.is_Pow and e.exp.is_Add and e.exp.as_coeff_Add()[0].is_Integer,
                      lambda e: e.base ** e.exp.as_coeff_Add()[1] * e.base ** e.exp.as_coeff_Add()[0])
    return sympy.expand(split) == 0


def test_an_index_power_outside_the_rules_is_not_proved() -> None:
    # a general A: A^k A = A A^k is true, but A^k is no atom of the rules (A is not diagonal)
    general = Equality(id="g", statement="", symbols=SYMBOLS, lhs=Power(A, k) * A, rhs=A * Power(A, k))
    with pytest.raises(ShapeError):  # and the evaluators cannot compute it either
        _evaluate(general)
    assert prove_all_sizes(general) is None
    # M^(k - 1) needs M invertible: outside
    back = Equality(id="b", statement="", symbols=SYMBOLS, lhs=Power(M, Add((k, lift(-1)))) * M, rhs=Power(M, k))
    assert prove_all_sizes(back) is None
    # a derivative of M^k by alpha is outside (the rules never differentiate an index power)
    deriv = Equality(id="d", statement="", symbols=SYMBOLS, lhs=D(Power(M, k), a), rhs=D(Power(M, k), a))
    assert prove_all_sizes(deriv) is None


def _evaluate(c: Equality) -> None:
    from verify.deciding.evaluation.instantiate import Evaluator, symbolic
    ev = Evaluator(c.symbols, {"n": 2}, symbolic(c.symbols, {"n": 2}), c.layout)
    ev(c.lhs)


def test_only_an_index_exponent_is_read_for_a_matrix() -> None:
    assert shape_of(Power(M, k), SYMBOLS, "numerator").is_square
    with pytest.raises(ShapeError):
        shape_of(Power(M, 2 * k), SYMBOLS, "numerator")
