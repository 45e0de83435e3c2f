"""Grading a class: read every submission, decide each distinct claim once, assemble grades.

Identical answers are common in a class, so the claims of all submissions are collected
first and each distinct one (by question and normalised expressions) is decided once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from verify.deciding.engine import decide
from verify.deciding.result import Result
from verify.errors import VerifyError
from verify.grading.assignment import Assignment
from verify.grading.grade import Key, Plan, assemble, plan
from verify.grading.grades import Mark, QuestionGrade, SubmissionGrade
from verify.grading.scoring import ScoringRule
from verify.model.claim import Claim
from verify.reading.markdown import decode, read_submission


@dataclass(frozen=True)
class GradingOptions:
    timeout: float = 20.0
    partial: float = 0.5


Decider = Callable[[list[tuple[Key, Claim]], Callable[[], None]], dict[Key, Result]]


def decide_each(claims: list[tuple[Key, Claim]], done: Callable[[], None], timeout: float) -> dict[Key, Result]:
    """Decide each claim in turn, each in its own killable worker."""
    out: dict[Key, Result] = {}
    for key, claim in claims:
        out[key] = decide(claim, timeout=timeout)
        done()
    return out


def submission_files(paths: Sequence[str]) -> tuple[list[Path], list[str]]:
    """The ``*.md`` files named or inside the folders named, sorted; and the paths not found."""
    files: list[Path] = []
    missing: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files += sorted(f for f in path.rglob("*.md") if f.is_file())
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"{p}: no such file or folder")
    unique = list(dict.fromkeys(files))
    return unique, missing


def _read(path: Path, assignment: Assignment) -> tuple[str, object]:
    """(student, Submission) or (student, error message)."""
    try:
        text = decode(path.read_bytes(), str(path))
        sub = read_submission(text, str(path), path.stem, assignment.ids)
        return sub.student, sub
    except VerifyError as err:
        return path.stem, str(err)
    except OSError as err:
        return path.stem, f"{path}: {err.strerror}"


def grade_files(
    assignment: Assignment,
    files: Sequence[Path],
    options: GradingOptions = GradingOptions(),
    on_graded: Callable[[SubmissionGrade], None] = lambda g: None,
    on_decided: Callable[[int, int], None] = lambda done, total: None,
    decider: Decider | None = None,
) -> list[SubmissionGrade]:
    rule = ScoringRule(options.partial)
    read = [(f, *_read(f, assignment)) for f in files]
    plans: dict[Path, list[Plan]] = {}
    todo: dict[Key, Claim] = {}
    for path, _, sub in read:
        if isinstance(sub, str):
            continue
        ps = [plan(q, sub.sections.get(q.id)) for q in assignment.questions]
        plans[path] = ps
        for p in ps:
            for key, claim in p.claims:
                todo.setdefault(key, claim)
    pending = list(todo.items())
    count = [0]

    def done() -> None:
        count[0] += 1
        on_decided(count[0], len(pending))

    on_decided(0, len(pending))
    results = (decider or (lambda c, d: decide_each(c, d, options.timeout)))(pending, done)
    grades = []
    for path, student, sub in read:
        if isinstance(sub, str):
            g = SubmissionGrade(
                str(path), student, error=sub,
                questions=tuple(QuestionGrade(q.id, Mark.UNPARSABLE, 0.0, q.points,
                                              feedback=f"The file could not be read: {sub}")
                                for q in assignment.questions),
            )
        else:
            g = SubmissionGrade(str(path), student, tuple(assemble(p, results, rule) for p in plans[path]),
                                notes=tuple(f"heading '{h}' names no question of {assignment.id}" for h in sub.stray))
        grades.append(g)
        on_graded(g)
    return grades
