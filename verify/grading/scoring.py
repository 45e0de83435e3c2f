"""How points follow from a question's verdict and its steps: one documented, configurable rule.

- correct final answer, every checked step follows: full points;
- correct final answer reached through a step that does not follow: ``partial`` of the points
  (default one half), and ``first_bad_step`` says where;
- incorrect, unanswered or unparsable: no points.
Steps that could not be read are "not checked" and cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from verify.grading.grades import Mark


@dataclass(frozen=True)
class ScoringRule:
    partial: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.partial <= 1:
            raise ValueError("partial credit must be between 0 and 1")

    def points(self, mark: Mark, max_points: float, bad_step: int | None) -> float:
        if mark is not Mark.CORRECT:
            return 0.0
        return max_points if bad_step is None else max_points * self.partial
