"""Grading a class: read every submission, decide each distinct claim once, assemble grades.

Identical answers are common in a class, so the claims of all submissions are collected
first and each distinct one (by question and normalised expressions) is decided once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from verify.deciding.engine import decide
from verify.deciding.execution import Execution, decide_all
from verify.deciding.result import Result
from verify.errors import VerifyError
from verify.grading import labels
from verify.grading.assignment import Assignment
from verify.grading.grade import Key, Plan, assemble, plan
from verify.grading.grades import Mark, QuestionGrade, SubmissionGrade
from verify.grading.scoring import ScoringRule
from verify.model.claim import Claim
from verify.model.question import Question
from verify.reading.markdown import Section, decode, read_bytes, read_submission


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


def executed(execution: Execution) -> Decider:
    """A decider that runs the batch as ``execution`` says: cache, N local workers or a cluster.

    The grades do not depend on it: each distinct claim gets the same result whichever runs it.
    """
    def decider(claims: list[tuple[Key, Claim]], done: Callable[[], None]) -> dict[Key, Result]:
        results = decide_all([c for _, c in claims], execution, on_done=lambda i, r: done())
        return {k: r for (k, _), r in zip(claims, results, strict=True)}
    return decider


class _Planner:
    """``plan`` and ``assemble`` once per distinct answer: in a class most sections repeat word
    for word, and reading their LaTeX again would cost more than deciding them (which is done
    once per distinct claim anyway).

    A plan depends on a section only through its math blocks' LaTeX (:func:`derivation`), so
    sections with the same LaTeX share one plan, given back with each student's own section.
    Outside true/false questions, ``assemble`` reads the section only to tell an empty one
    (no math, no prose) from the others, so a grade is shared on that too. Grades are frozen
    values; tests/test_grading_scale.py checks that sharing changes no grade.
    """

    def __init__(self) -> None:
        self._plans: dict[tuple[str, tuple[str, ...]], Plan] = {}
        self._grades: dict[tuple[int, bool], QuestionGrade] = {}

    def plan(self, question: Question, section: Section | None) -> Plan:
        if section is None:
            return plan(question, None)
        key = (question.id, tuple(block.latex for block in section.math))
        known = self._plans.get(key)
        if known is None:
            known = self._plans[key] = plan(question, section)
        return known if known.section is section else replace(known, section=section)

    def assemble(self, p: Plan, results: Mapping[Key, Result], rule: ScoringRule) -> QuestionGrade:
        if p.section is None or p.question.kind == "true-false":
            return assemble(p, results, rule)
        shared = self._plans.get((p.question.id, tuple(block.latex for block in p.section.math)))
        if shared is None or shared.derivation is not p.derivation:
            return assemble(p, results, rule)
        key = (id(shared), bool(p.section.math or p.section.prose.strip()))
        grade = self._grades.get(key)
        if grade is None:
            grade = self._grades[key] = assemble(p, results, rule)
        return grade


def _with_labels(ps: list[Plan]) -> list[Plan]:
    """Plan again, with the submission's labels, each answer that is unread and names one of them
    (rare, so not shared between submissions: labels differ from student to student)."""
    named = labels.collect((p.question, p.derivation) for p in ps if p.derivation is not None)
    if not named:
        return ps
    return [plan(p.question, p.section, named)
            if p.derivation is not None and p.derivation.answer is not None and p.derivation.answer.expr is None
            and labels.mentioned(p.derivation.answer.latex, named) else p
            for p in ps]


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
        text = decode(read_bytes(path), str(path))  # at most MAX_BYTES + 1: a huge file is not read whole
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
    planned = _Planner()
    collected: dict[int, object] = {}  # id -> the claims tuple itself, so that an id is never reused
    for path, _, sub in read:
        if isinstance(sub, str):
            continue
        ps = [planned.plan(q, sub.sections.get(q.id)) for q in assignment.questions]
        ps = _with_labels(ps)
        plans[path] = ps
        for p in ps:
            if id(p.claims) in collected:  # a shared plan: its claims are in already (hashing trees is not free)
                continue
            collected[id(p.claims)] = p.claims
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
            g = SubmissionGrade(str(path), student, tuple(planned.assemble(p, results, rule) for p in plans[path]),
                                notes=tuple(f"heading '{h}' names no question of {assignment.id}" for h in sub.stray))
        grades.append(g)
        on_graded(g)
    return grades
