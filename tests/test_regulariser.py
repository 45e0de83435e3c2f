"""Section 3 (Avoiding Becoming Asymmetric): the solution is right here, so the tests check that
the engine would have caught the likely mistakes (a wrong condition, a symmetric-S expansion, a
regulariser that does not vanish on w_1 = w_2), and that the questions' answers have the
property their references state."""

from __future__ import annotations

from fractions import Fraction

from checking import separates
from derivations import regulariser as reg
from verify.deciding.engine import decide
from verify.model.claim import Convex, Equality
from verify.model.expr import col, lift, mat
from verify.model.result import Verdict


def refute(lhs, rhs, symbols=reg.SYMBOLS) -> dict[str, Fraction]:
    """Decide lhs = rhs, which must be refuted; return the counterexample's values."""
    claim = Equality(id="t", statement="", symbols=symbols, lhs=lhs, rhs=rhs)
    result = decide(claim, timeout=60)
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None and cx.lhs != cx.rhs and separates(claim, cx)
    return {k: Fraction(v) for k, v in cx.point.items()}


def test_a_condition_missing_the_off_diagonal_entries_is_refuted() -> None:
    # "R(t, t) = t^2 (s11 + s22)" forgets s12 + s21: refuted where s12 + s21 != 0 and w1 != 0.
    p = refute(reg.R(col(reg.w1, reg.w1)), reg.w1**2 * (reg.s11 + reg.s22))
    assert p["s12"] + p["s21"] != 0 and p["w1"] != 0


def test_expanding_as_if_S_were_symmetric_is_refuted() -> None:
    # w^T S w = w1^2 s11 + w2^2 s22 + 2 w1 w2 s12 only for s12 = s21.
    p = refute(reg.R(reg.w), reg.w1**2 * reg.s11 + reg.w2**2 * reg.s22 + 2 * reg.w1 * reg.w2 * reg.s12)
    assert p["s12"] != p["s21"] and p["w1"] * p["w2"] != 0


def test_the_example_vanishes_exactly_on_the_symmetric_weights() -> None:
    q = next(q for q in reg.QUESTIONS if q.id == "reg.example")
    on_line = Equality(id="t", statement="", symbols=reg.EXAMPLE_SYMBOLS,
                       lhs=reg.R(col(reg.w1, reg.w1), q.answer), rhs=lift(0))
    assert decide(on_line, timeout=60).verdict is Verdict.PROVED
    p = refute(reg.R(reg.w, q.answer), lift(0), reg.EXAMPLE_SYMBOLS)
    assert p["w1"] != p["w2"]


def test_an_S_that_is_not_zero_on_the_line_is_caught() -> None:
    # The identity penalises every w: it breaks the condition, and R(t, t) = 2 t^2 != 0.
    p = refute(reg.R(col(reg.w1, reg.w1), mat([[1, 0], [0, 1]])), lift(0), reg.EXAMPLE_SYMBOLS)
    assert p["w1"] != 0


def test_the_example_meets_the_answered_condition() -> None:
    entries = reg.EXAMPLE_ENTRIES
    assert sum(entries.values()) == 0
    assert [[e.value for e in r] for r in reg.EXAMPLE.rows] == [[1, -1], [-1, 1]]


def test_questions_have_proved_references() -> None:
    assert [q.id for q in reg.QUESTIONS] == ["reg.expand", "reg.condition", "reg.example"]
    kinds = {q.id: q.kind for q in reg.QUESTIONS}
    assert kinds == {"reg.expand": "expression", "reg.condition": "property", "reg.example": "property"}
    for q in reg.QUESTIONS:
        assert q.reference.id == f"ref.{q.id}" and q.reference in reg.CLAIMS
        assert decide(q.reference, timeout=60).verdict is Verdict.PROVED, q.id
        for s in q.symbols.values():
            assert s.latex and s.meaning
    expand, condition, _ = reg.QUESTIONS
    assert expand.reference.rhs == expand.answer
    assert condition.reference.rhs == reg.w1**2 * condition.answer


def test_convexity_of_the_example_is_never_refuted() -> None:
    # Its Hessian is the constant PSD 2S; until the Convex procedure lands, unknown is allowed.
    claim = next(c for c in reg.CLAIMS if isinstance(c, Convex))
    assert decide(claim, timeout=60).verdict in (Verdict.PROVED, Verdict.UNKNOWN)


def test_an_indefinite_regulariser_is_never_proved_convex() -> None:
    # w^T diag(1, -1) w = w1^2 - w2^2 has Hessian diag(2, -2): not convex.
    claim = Convex(id="t", statement="", symbols=reg.EXAMPLE_SYMBOLS,
                   f=reg.R(reg.w, mat([[1, 0], [0, -1]])), wrt=(reg.w1, reg.w2))
    assert decide(claim, timeout=60).verdict in (Verdict.REFUTED, Verdict.UNKNOWN)
