"""Matrices written entry by entry among symbolic ones, and orthogonal matrices at a fixed size.

The prover reads a written matrix as sum_ij a_ij E_ij (matrix units: E_ij E_kl = E_il when j = k,
else 0), so V^T V = I still applies to V e_1; a proof by instantiation reduces modulo the entries of
V^T V - I and V V^T - I (a Groebner basis). Every expectation below is derived by hand in its comment;
proofs are re-checked at concrete orthogonal matrices (a rotation and a reflection), exactly.
"""

from __future__ import annotations

import random

import pytest
import sympy

from checking import proof_rechecked
from verify.deciding import decide
from verify.deciding.evaluation.instantiate import Evaluator, relations, symbolic
from verify.deciding.proof.explicit import compare
from verify.deciding.proof.noncommutative import attempt, explicit, normalise
from verify.model import Identity, Verdict
from verify.model.claim import Equality
from verify.reading.claims_file import parse

HEAD = r"""
[symbols]
V = "matrix(2, 2), orthogonal"
A = "matrix(2, 2)"
x = "vector(2)"
'\lambda_1' = "scalar"
'\lambda_2' = "scalar"
"""

E1, E2 = r"\begin{bmatrix} 1 \\ 0 \end{bmatrix}", r"\begin{bmatrix} 0 \\ 1 \end{bmatrix}"
R1, R2 = r"\begin{bmatrix} 1 & 0 \end{bmatrix}", r"\begin{bmatrix} 0 & 1 \end{bmatrix}"
LAMBDA = r"\begin{bmatrix} \lambda_1 & 0 \\ 0 & \lambda_2 \end{bmatrix}"

#: (id, lhs, rhs, holds): each derived by hand.
CLAIMS = [
    # diag(l1, l2) e_1 = (l1, 0) = l1 e_1
    ("lambda-e1", f"{LAMBDA} {E1}", rf"\lambda_1 {E1}", True),
    # ... and not l2 e_1 (l1 = 1, l2 = 0 gives (1, 0) against (0, 0))
    ("lambda-e1-wrong", f"{LAMBDA} {E1}", rf"\lambda_2 {E1}", False),
    # e_1^T e_2 = 0
    ("orthogonal-units", f"{R1} {E2}", "0", True),
    # A I_2 x written out: the identity entry by entry is the identity
    ("identity-written", r"A \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix} x", "A x", True),
    # V^T V = I, so V^T (V e_1) = e_1: the column of V is a unit vector orthogonal to the other
    ("columns-orthonormal", f"V^T V {E1}", E1, True),
    # v_1 v_1^T + v_2 v_2^T = V (e_1 e_1^T + e_2 e_2^T) V^T = V V^T = I
    ("columns-complete", f"V {E1} {R1} V^T + V {E2} {R2} V^T", "I", True),
    # Q = V Lambda V^T has Q v_1 = V Lambda V^T V e_1 = V Lambda e_1 = l1 v_1
    ("eigenpair", f"V {LAMBDA} V^T V {E1}", rf"\lambda_1 V {E1}", True),
    # V e_1 = e_1 fails: V = [[0, -1], [1, 0]] gives (0, 1)
    ("fixed-column", f"V {E1}", E1, False),
    # det V = 1 fails: a reflection, V = [[1, 0], [0, -1]], has det -1
    ("det-one", r"\det(V)", "1", False),
    # det(V)^2 = det(V^T V) = det(I) = 1 for both components of O(2)
    ("det-squared", r"\det(V)^2", "1", True),
    # V_11^2 + V_21^2 = (V^T V)_11 = 1
    ("first-column-norm", rf"({R1} V {E1})^2 + ({R2} V {E1})^2", "1", True),
    # V_11^2 = 1 fails: the rotation by pi/2 has V_11 = 0
    ("first-entry", rf"({R1} V {E1})^2", "1", False),
]

ORTHOGONAL = [sympy.Matrix([[3, -4], [4, 3]]) / 5, sympy.Matrix([[5, 12], [12, -5]]) / 13]


def claim_of(claim_id: str, lhs: str, rhs: str) -> Equality:
    text = HEAD + f"[[claim]]\nid = '{claim_id}'\nlhs = '{lhs}'\nrhs = '{rhs}'\n"
    (entry,) = parse(text).entries
    assert entry.claim is not None, entry.problem
    return entry.claim


@pytest.mark.parametrize("claim_id, lhs, rhs, holds", CLAIMS, ids=[c[0] for c in CLAIMS])
def test_the_engine_decides_as_derived(claim_id: str, lhs: str, rhs: str, holds: bool) -> None:
    claim = claim_of(claim_id, lhs, rhs)
    result = decide(claim, timeout=60)
    assert result.verdict is (Verdict.PROVED if holds else Verdict.REFUTED), result.detail
    if not holds:
        V = sympy.Matrix([[sympy.Rational(e.strip(" []")) for e in row.split(",")]
                          for row in result.counterexample.values["V"].split("],")]) \
            if "V" in result.counterexample.values else sympy.eye(2)
        assert V.T * V == sympy.eye(2)  # the counterexample is inside the declaration


def at(claim: Equality, V: sympy.Matrix, side: object) -> sympy.Matrix:
    """A side (an Expr, or a normal form) at an orthogonal V and fixed values of the other letters."""
    ev = Evaluator(claim.symbols, {}, symbolic(claim.symbols, {}), claim.layout)
    values = {"V": list(V), "A": [2, -1, 7, sympy.Rational(1, 3)], "x": [5, -3], "lambda_1": [3],
              "lambda_2": [sympy.Rational(-1, 2)]}
    table = {atom: v for name, vs in values.items() if name in claim.symbols
             for atom, v in zip(ev.value(name), vs, strict=True)}
    if isinstance(side, sympy.MatrixBase):
        return side.xreplace(table)
    return ev(side, (2, 2) if isinstance(side, Identity) else None).xreplace(table)  # type: ignore[arg-type]


PROVER_CLAIMS = [c for c in CLAIMS if c[0] in ("lambda-e1", "orthogonal-units", "identity-written",
                                                "columns-orthonormal", "columns-complete", "eigenpair")]


@pytest.mark.parametrize("claim_id, lhs, rhs, holds", PROVER_CLAIMS, ids=[c[0] for c in PROVER_CLAIMS])
def test_the_prover_proves_and_its_normal_forms_mean_the_sides(claim_id: str, lhs: str, rhs: str,
                                                               holds: bool) -> None:
    claim = claim_of(claim_id, lhs, rhs)
    assert attempt(claim).proof is not None
    nf = normalise(claim)
    assert nf is not None
    ev = Evaluator(claim.symbols, {}, symbolic(claim.symbols, {}), claim.layout)
    for V in ORTHOGONAL:
        left, right = at(claim, V, claim.lhs), at(claim, V, claim.rhs)
        assert left == right
        for side, poly in ((left, nf.lhs), (right, nf.rhs)):
            if poly.contextual:  # c I, sized by its context
                assert side == poly.value() * sympy.eye(2)
                continue
            assert at(claim, V, explicit(poly, nf.scalars, ev)).applyfunc(sympy.nsimplify) == side


def test_without_an_orthogonal_letter_the_proof_holds_for_every_matrix() -> None:
    # A I_2 x = A x and diag(l1, l2) e_1 = l1 e_1 involve no V: re-checked with symbolic entries.
    for claim_id, lhs, rhs, _ in CLAIMS[:4]:
        if claim_id != "lambda-e1-wrong":
            proof_rechecked(claim_of(claim_id, lhs, rhs), {})


@pytest.mark.parametrize("claim_id, lhs, rhs, holds", [c for c in CLAIMS if not c[3]],
                         ids=[c[0] for c in CLAIMS if not c[3]])
def test_the_prover_never_proves_a_false_claim(claim_id: str, lhs: str, rhs: str, holds: bool) -> None:
    assert attempt(claim_of(claim_id, lhs, rhs)).proof is None


def test_reduction_modulo_the_relations_proves_only_what_they_imply() -> None:
    # At generic entries v_ij: (V^T V)_11 - 1 = v11^2 + v21^2 - 1 is a generator; det(V)^2 - 1 is in
    # the ideal (det(V^T V) = 1); det(V) - 1 is not (a reflection has det -1), nor is v11^2 - 1.
    claim = claim_of("any", "V A", "A V")
    ev = Evaluator(claim.symbols, {}, symbolic(claim.symbols, {}), claim.layout)
    V = ev.value("V")
    rel = relations(claim.symbols, {}, ["V", "A"])  # A is no orthogonal letter: no relation of its own
    assert len(rel) == 8 and all(e.free_symbols <= set(V) for e in rel)
    rng = random.Random(0)

    def proved(e: sympy.Expr) -> bool:
        return compare(sympy.Matrix([[e]]), sympy.Matrix([[0]]), rng, tries=0, relations=rel).proved

    assert proved(V[0, 0] ** 2 + V[1, 0] ** 2 - 1)
    assert proved(V.det() ** 2 - 1)
    assert proved((V * V.T - sympy.eye(2))[0, 1] / (1 + V[0, 0] ** 2))
    assert not proved(V.det() - 1)
    assert not proved(V[0, 0] ** 2 - 1)
    assert not compare(sympy.Matrix([[V.det() ** 2 - 1]]), sympy.Matrix([[0]]), rng, tries=0).proved
