"""What grading produces: per step, per question, per submission. Values, and why a TA must look."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from verify.model import Counterexample


class Mark(StrEnum):
    """The four public verdicts of the submissions contract."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    UNANSWERED = "unanswered"
    UNPARSABLE = "unparsable"


class StepStatus(StrEnum):
    FOLLOWS = "follows"
    DOES_NOT_FOLLOW = "does not follow"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class StepCheck:
    """Step ``index`` (1-based) against the one before it."""

    index: int
    latex: str
    status: StepStatus
    detail: str = ""
    #: the exact values where a step that does not follow fails (for reports that show them as math)
    counterexample: Counterexample | None = None


@dataclass(frozen=True)
class QuestionGrade:
    id: str
    verdict: Mark
    points: float
    max_points: float
    first_bad_step: int | None = None
    feedback: str = ""
    answer: str | None = None
    steps: tuple[StepCheck, ...] = ()
    #: the exact values where a wrong final answer differs from the reference (not in the JSON contract)
    counterexample: Counterexample | None = None
    #: the answer could not be decided (a time limit, a sum over samples that agrees at m = 2):
    #: its mark is the grader's default, and a TA should look (not in the JSON contract)
    review: bool = False
    #: why a TA must look, in the grader's words, where it knows (``could not be read: unbalanced
    #: braces (at offset 9)``); :attr:`review_reason` falls back on the bare reason
    review_why: str = ""
    #: False when the mark rests on the answer alone and its reasoning is not read (a true/false
    #: answer is graded on its word): set by :func:`flag_unchecked_reasoning`, which knows the kinds
    reasoning_checked: bool = True
    #: a heading of the submission that names no question but looks like this one's id (a
    #: misspelt id): set by :func:`flag_misnamed_headings` from the submission's notes
    misnamed_heading: str | None = None

    @property
    def review_reason(self) -> str | None:
        """Why a TA must look at this answer (the contract's ``review``), or None: it could not be
        read, the engine could not decide it, or its reasoning is not checked. Never for an
        unanswered question: there is nothing to look at."""
        if self.review_why:  # set only where the grader knows a TA must look
            return _short(self.review_why)
        if self.verdict is Mark.UNPARSABLE:
            return UNREADABLE
        if self.review:  # the engine could not settle it
            return UNDECIDED
        if self.verdict is Mark.UNANSWERED:
            if self.misnamed_heading:  # the answer may sit under a misspelt heading: not a silent 0
                return f"unanswered, but the heading '{self.misnamed_heading}' may be meant for it"
            return None
        if not self.reasoning_checked:
            return UNCHECKED_REASONING
        if self.verdict is Mark.CORRECT and self.points >= self.max_points:
            unchecked = [s for s in self.steps if s.status is StepStatus.NOT_CHECKED and s.detail not in BENIGN]
            if unchecked:  # full points, though a step not checked might not follow (partial credit)
                which = ", ".join(str(s.index) for s in unchecked)
                how = "read" if all("could not be read" in s.detail for s in unchecked) else "checked"
                return (f"{UNCHECKED_REASONING}: step{'s' if len(unchecked) > 1 else ''} {which} "
                        f"could not be {how}")
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict.value,
            "points": _number(self.points),
            "max_points": _number(self.max_points),
            "first_bad_step": self.first_bad_step,
            "feedback": self.feedback,
            "review": self.review_reason,
        }


#: The three reasons a TA must look (``QuestionGrade.review_reason``); the first may add why.
UNREADABLE = "could not be read"
UNDECIDED = "could not be decided by the engine"
UNCHECKED_REASONING = "reasoning not checked"

#: Step details (verify.grading.grade) that are "not checked" by design, not for want of reading
#: or deciding: the answer's own equation, an assumption such as w_1 = w_2.
ANSWER_STEP = "this equation is the answer, graded as such"
ASSUMPTION = "an assumption (a variable given a value), not a step to check"
NAMES_ANSWER = "its left side names the answer (v^{(k)} = ...), which is graded as such"
CONDITION = "a condition imposed (... = 0), not an identity to check"
BENIGN = frozenset({ANSWER_STEP, ASSUMPTION, NAMES_ANSWER, CONDITION})
_LONGEST_WHY = 140


def _short(why: str) -> str:
    """A reason on one line, cut to a gradebook cell's length."""
    why = " ".join(why.split())
    return why if len(why) <= _LONGEST_WHY else why[:_LONGEST_WHY - 3].rstrip() + "..."


def flag_unchecked_reasoning(grades: Iterable[SubmissionGrade], kinds: Mapping[str, str]) -> list[SubmissionGrade]:
    """``grades`` with every answered true/false question (``kinds``: question id to its
    ``Question.kind``) marked as graded on its word alone, its reasoning not checked."""
    def flagged(q: QuestionGrade) -> QuestionGrade:
        if kinds.get(q.id) == "true-false" and q.verdict in (Mark.CORRECT, Mark.INCORRECT):
            return replace(q, reasoning_checked=False)
        return q
    return [replace(g, questions=tuple(flagged(q) for q in g.questions)) for g in grades]


#: "heading 'quad.gradeint (5.2) (did you mean quad.gradient?)' names no question ..." (batch notes)
_DID_YOU_MEAN = re.compile(r"heading '(?P<heading>.*) \(did you mean (?P<id>[^?\s]+)\?\)'")


def flag_misnamed_headings(grades: Iterable[SubmissionGrade]) -> list[SubmissionGrade]:
    """``grades`` with each unanswered question that a stray heading's did-you-mean names marked
    for review: a misspelt id must not reach a gradebook as a silent 0 (JSON, CSV, Gradescope)."""
    out = []
    for g in grades:
        meant: dict[str, str] = {}  # question id -> the heading that misspelt it
        for note in g.notes:
            for found in _DID_YOU_MEAN.finditer(note):
                meant.setdefault(found.group("id"), found.group("heading"))
        out.append(replace(g, questions=tuple(
            replace(q, misnamed_heading=meant[q.id]) if q.id in meant and q.verdict is Mark.UNANSWERED else q
            for q in g.questions)) if meant else g)
    return out


def flag_for_review(grades: Iterable[SubmissionGrade], kinds: Mapping[str, str]) -> list[SubmissionGrade]:
    """Every flag a gradebook needs: true/false reasoning not checked, misspelt headings."""
    return flag_misnamed_headings(flag_unchecked_reasoning(grades, kinds))


@dataclass(frozen=True)
class SubmissionGrade:
    file: str
    student: str
    questions: tuple[QuestionGrade, ...] = ()
    #: why the file could not be read at all (then every question is unparsable or absent)
    error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.max_points for q in self.questions)

    @property
    def to_review(self) -> tuple[tuple[str, str], ...]:
        """``(question id, why)`` for every answer a TA must look at, in question order."""
        return tuple((q.id, why) for q in self.questions if (why := q.review_reason) is not None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "student": self.student,
            "score": _number(self.score),
            "max_score": _number(self.max_score),
            "questions": [q.to_json() for q in self.questions],
        }
        if self.error:
            out["error"] = self.error
        return out


def _number(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 4)
