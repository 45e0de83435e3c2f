"""Grading one question of one submission: which claims to decide, then the grade and feedback.

Split in two so that a batch can first collect every distinct claim of a whole class, decide
each once (identical answers are common), and then assemble every grade from the results.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from verify.deciding.result import Result, Verdict
from verify.errors import VerifyError
from verify.grading.derivation import Derivation, Step, Term, derivation
from verify.grading.grades import Mark, QuestionGrade, StepCheck, StepStatus
from verify.grading.scoring import ScoringRule
from verify.model.claim import Claim, Equality
from verify.model.question import Question
from verify.reading.markdown import Section

Key = Hashable

_TRUE_FALSE = re.compile(r"\b(true|false|yes|no)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Plan:
    """What to decide for one question of one submission."""

    question: Question
    section: Section | None
    derivation: Derivation | None
    claims: tuple[tuple[Key, Claim], ...] = ()
    answer_key: Key | None = None
    answer_error: str = ""


def step_key(q: Question, step: Step) -> Key:
    return ("step", q.id, step.lhs.expr, step.rhs.expr)


def plan(question: Question, section: Section | None) -> Plan:
    if section is None or question.kind == "true-false":
        return Plan(question, section, None)
    d = derivation(question, section)
    claims: list[tuple[Key, Claim]] = []
    for step in d.steps:
        if step.lhs.expr is not None and step.rhs.expr is not None:
            claims.append((step_key(question, step), Equality(
                id=f"{question.id}.step{step.index}", statement=step.latex, symbols=question.symbols,
                layout=question.layout, lhs=step.lhs.expr, rhs=step.rhs.expr,
            )))
    answer_key = None
    error = ""
    if d.answer is not None and d.answer.expr is not None:
        lhs = d.answer_lhs.expr if d.answer_lhs is not None else None
        answer_key = ("answer", question.id, d.answer.expr, lhs if question.accepts else None)
        try:
            claims.append((answer_key, question.answer_claim(d.answer.expr, lhs)))
        except (VerifyError, TypeError, ValueError) as err:
            answer_key, error = None, str(err)
    return Plan(question, section, d, tuple(claims), answer_key, error)


def assemble(p: Plan, results: Mapping[Key, Result], rule: ScoringRule) -> QuestionGrade:
    q = p.question
    if q.kind == "true-false":
        return _true_false(q, p.section, rule)
    if p.section is None or (not p.section.math and not p.section.prose.strip()):
        return QuestionGrade(q.id, Mark.UNANSWERED, 0.0, q.points, feedback="No answer was found under this heading.")
    d = p.derivation
    assert d is not None
    if d.answer is None:
        why = "; ".join(d.unreadable) if d.unreadable else "no mathematics was found in the answer"
        mark = Mark.UNPARSABLE if d.unreadable else Mark.UNANSWERED
        return QuestionGrade(q.id, mark, 0.0, q.points, feedback=f"No final answer could be read: {why}.")
    checks = [_check(step, results.get(step_key(q, step))) for step in d.steps]
    bad = next((c.index for c in checks if c.status is StepStatus.DOES_NOT_FOLLOW), None)
    if d.answer.expr is None and d.answer.ill_formed:
        return QuestionGrade(
            q.id, Mark.INCORRECT, 0.0, q.points, first_bad_step=bad, answer=d.answer.latex, steps=tuple(checks),
            feedback=f"Your final answer ${d.answer.latex}$ cannot be right: its shapes do not fit. "
                     f"{d.answer.error}",
        )
    if d.answer.expr is None:
        return QuestionGrade(
            q.id, Mark.UNPARSABLE, 0.0, q.points, first_bad_step=bad, answer=d.answer.latex, steps=tuple(checks),
            feedback=f"Your final answer ${d.answer.latex}$ could not be read: {d.answer.error}",
        )
    result = results.get(p.answer_key) if p.answer_key is not None else None
    mark, text = _answer_feedback(q, d.answer, result, p.answer_error)
    feedback = [text, *_step_feedback(checks, bad)]
    points = rule.points(mark, q.points, bad)
    if mark is Mark.CORRECT and bad is not None:
        feedback.append(f"The final answer is right, but the derivation has a wrong step: {points:g} of "
                        f"{q.points:g} points.")
    return QuestionGrade(q.id, mark, points, q.points, first_bad_step=bad, feedback=" ".join(f for f in feedback if f),
                         answer=d.answer.expr.latex(), steps=tuple(checks))


def _check(step: Step, result: Result | None) -> StepCheck:
    ill = step.lhs if step.lhs.ill_formed else step.rhs if step.rhs.ill_formed else None
    if ill is not None:
        return StepCheck(step.index, step.latex, StepStatus.DOES_NOT_FOLLOW,
                         f"${ill.latex}$ is not well-formed ({ill.error.splitlines()[0]})")
    if step.lhs.expr is None or step.rhs.expr is None:
        unread = step.lhs if step.lhs.expr is None else step.rhs
        first = unread.error.splitlines()[0] if unread.error else "unreadable"
        return StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED,
                         f"${unread.latex}$ could not be read ({first})")
    if result is None:
        return StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED, "not decided")
    if result.verdict is Verdict.PROVED:
        return StepCheck(step.index, step.latex, StepStatus.FOLLOWS)
    if result.verdict is Verdict.REFUTED:
        return StepCheck(step.index, step.latex, StepStatus.DOES_NOT_FOLLOW, _counterexample_text(result))
    if result.verdict is Verdict.ERROR:
        return StepCheck(step.index, step.latex, StepStatus.DOES_NOT_FOLLOW, result.detail.splitlines()[0])
    return StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED, result.detail)


def _counterexample_text(result: Result) -> str:
    cx = result.counterexample
    hint = ""
    if "; " in result.detail:
        hint = result.detail.split("; ", 1)[1]
    if cx is None:
        return result.detail
    values = ", ".join(f"{k} = {v}" for k, v in cx.values.items())
    sizes = ", ".join(f"{k} = {v}" for k, v in cx.sizes.items())
    where = f"with {sizes} and {values}" if sizes else f"at {values}"
    text = f"{where}, the left side is {cx.lhs} but the right side is {cx.rhs}"
    return f"{text} ({hint})" if hint else text


def _answer_feedback(q: Question, answer: Term, result: Result | None, error: str) -> tuple[Mark, str]:
    if result is None:
        return Mark.INCORRECT, f"Your answer ${answer.latex}$ could not be compared with the reference: {error}"
    if result.verdict is Verdict.PROVED:
        return Mark.CORRECT, "Correct."
    if result.verdict is Verdict.REFUTED:
        cx = result.counterexample
        detail = _counterexample_text(result)
        if cx is not None:
            detail = detail.replace("the left side is", "your answer gives").replace(
                "but the right side is", "but the correct value is")
        return Mark.INCORRECT, f"Your answer ${answer.latex}$ is not right: {detail}."
    if result.verdict is Verdict.ERROR:
        return Mark.INCORRECT, f"Your answer ${answer.latex}$ cannot be right: {result.detail.splitlines()[0]}."
    return Mark.INCORRECT, (f"Your answer ${answer.latex}$ could not be verified automatically "
                            f"({result.detail}); it is flagged for a TA to review.")


def _step_feedback(checks: list[StepCheck], bad: int | None) -> list[str]:
    out = []
    if bad is not None:
        c = checks[bad - 1]
        out.append(f"Step {bad} (${c.latex}$) does not follow: {c.detail}.")
    skipped = [c for c in checks if c.status is StepStatus.NOT_CHECKED]
    if skipped:
        which = ", ".join(str(c.index) for c in skipped)
        out.append(f"Step{'s' if len(skipped) > 1 else ''} {which} could not be checked "
                   f"({skipped[0].detail}); {'they do' if len(skipped) > 1 else 'it does'} not count against you.")
    return out


def _true_false(q: Question, section: Section | None, rule: ScoringRule) -> QuestionGrade:
    if section is None:
        return QuestionGrade(q.id, Mark.UNANSWERED, 0.0, q.points, feedback="No answer was found under this heading.")
    text = " ".join([section.prose, *(m.latex for m in section.math)])
    found = _TRUE_FALSE.search(text)
    if found is None:
        return QuestionGrade(q.id, Mark.UNANSWERED, 0.0, q.points,
                             feedback="Answer with true or false (or yes or no); neither word was found.")
    said = found.group(1).lower() in ("true", "yes")
    right = bool(q.answer)
    mark = Mark.CORRECT if said == right else Mark.INCORRECT
    reason = q.reference.why or q.reference.statement
    feedback = "Correct." if mark is Mark.CORRECT else f"The right answer is {'true' if right else 'false'}: {reason}"
    return QuestionGrade(q.id, mark, rule.points(mark, q.points, None), q.points, feedback=feedback,
                         answer=found.group(1).lower())
