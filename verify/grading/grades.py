"""What grading produces: per step, per question, per submission. Values only, no logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from verify.deciding.result import Counterexample


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

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict.value,
            "points": _number(self.points),
            "max_points": _number(self.max_points),
            "first_bad_step": self.first_bad_step,
            "feedback": self.feedback,
        }


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
