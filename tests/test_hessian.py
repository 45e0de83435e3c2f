"""Section 2 (Hessian Matrix): the written J is refuted at its (2, 2) entry by a jet of psi, and
the correct matrix is proved, in either order of the mixed partials."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from checking import separates
from derivations import hessian as h
from verify.deciding.engine import decide
from verify.deciding.evaluation.instantiate import jet_symbol
from verify.model.claim import Equality
from verify.model.expr import MatrixLit
from verify.model.result import Verdict

CLAIMS = {c.id: c for c in h.CLAIMS}


def rows(text: str) -> list[list[Fraction]]:
    """``[[1, 2/3], [0, 1]]`` (the engine's exact printing of a matrix) as rows of fractions."""
    return [[Fraction(e) for e in r.strip(" []").split(",")] for r in text.strip()[1:-1].split("],")]


def jet_name(*wrt: str) -> str:
    """The counterexample's name for a second partial of psi(u, v, z), as the engine spells it."""
    u, v, z = (sympy.Symbol(n, real=True) for n in "uvz")
    psi = sympy.Function("psi", real=True)(u, v, z)
    by = {"u": u, "v": v, "z": z}
    return str(jet_symbol(sympy.Derivative(psi, *(by[w] for w in wrt))))


def test_written_matrix_differs_from_the_answer_in_entry_2_2_only() -> None:
    # An encoding check: the written matrix is the correct one except where the solution slipped.
    differ = [(i, j) for i in range(3) for j in range(3) if h.WRITTEN.rows[i][j] != h.ANSWER.rows[i][j]]
    assert differ == [(1, 1)]
    assert h.ANSWER.rows[1][1] == h.second(h.v, h.v)
    assert h.WRITTEN.rows[1][1] == h.second(h.u, h.v)


@pytest.mark.parametrize(("claim_id", "written_side"), [("hessian.jacobian", "rhs"),
                                                        ("hessian.written-is-H", "lhs")])
def test_written_matrix_is_refuted_by_the_jet_at_entry_2_2(claim_id: str, written_side: str) -> None:
    claim = CLAIMS[claim_id]
    result = decide(claim, timeout=60)
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None and separates(claim, cx)
    written = rows(getattr(cx, written_side))
    true = rows(cx.rhs if written_side == "lhs" else cx.lhs)
    psi_vv = Fraction(cx.point[jet_name("v", "v")])
    psi_uv = Fraction(cx.point[jet_name("u", "v")])
    # The only disagreement is (2, 2): psi_vv on the true side, psi_uv on the written side.
    assert true[1][1] == psi_vv and written[1][1] == psi_uv and psi_vv != psi_uv
    assert [(i, j) for i in range(3) for j in range(3) if true[i][j] != written[i][j]] == [(1, 1)]
    # Both second partials are reported to the user, under their names.
    assert jet_name("v", "v") in cx.values and jet_name("u", "v") in cx.values


def test_mixed_partials_commute_so_the_transposed_answer_is_also_right() -> None:
    # J's (i, j) is d/dx_j d/dx_i psi; writing d/dx_i d/dx_j psi instead is the same for smooth psi.
    transposed = MatrixLit(tuple(zip(*h.ANSWER.rows, strict=True)))
    claim = Equality(id="t", statement="", symbols=h.SYMBOLS, lhs=h.JACOBIAN, rhs=transposed)
    assert decide(claim, timeout=60).verdict is Verdict.PROVED


def test_a_genuinely_different_entry_is_refuted() -> None:
    # Swapping psi_uu and psi_zz on the diagonal is wrong for a generic psi.
    swapped = [list(r) for r in h.ANSWER.rows]
    swapped[0][0], swapped[2][2] = swapped[2][2], swapped[0][0]
    claim = Equality(id="t", statement="", symbols=h.SYMBOLS, lhs=h.JACOBIAN,
                     rhs=MatrixLit(tuple(tuple(r) for r in swapped)))
    result = decide(claim, timeout=60)
    assert result.verdict is Verdict.REFUTED
    assert separates(claim, result.counterexample)


def test_the_question_reference_proves_the_answer() -> None:
    (q,) = h.QUESTIONS
    assert q.id == "hessian.matrix"
    assert q.reference.id == "ref.hessian.matrix" and q.reference in h.CLAIMS
    assert isinstance(q.reference, Equality) and q.reference.rhs == q.answer
    assert {s.name: s.latex for s in q.symbols.values()} == {"psi": r"\psi", "u": "u", "v": "v", "z": "z"}
    assert decide(q.reference, timeout=60).verdict is Verdict.PROVED
