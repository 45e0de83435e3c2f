"""Grading a class: read every submission, decide each distinct claim once, assemble grades.

Identical answers are common in a class, so the claims of all submissions are collected
first and each distinct one (by question and normalised expressions) is decided once.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple, TypeVar

from verify.deciding import Execution, decide, decide_all
from verify.errors import VerifyError
from verify.grading import labels
from verify.grading.assignment import Assignment
from verify.grading.grade import Key, Plan, assemble, plan
from verify.grading.grades import Mark, QuestionGrade, SubmissionGrade
from verify.grading.scoring import ScoringRule
from verify.model import Claim, Question, Result, Verdict
from verify.reading import (
    MAX_NOTEBOOK_BYTES,
    MAX_SUBMISSION_BYTES,
    Section,
    Submission,
    SubmissionError,
    decode_submission,
    read_latex_submission,
    read_notebook_submission,
    read_submission,
)
from verify.safe_text import safe_line


@dataclass(frozen=True)
class GradingOptions:
    #: the most one decision may take
    timeout: float = 20.0
    partial: float = 0.5
    #: the most decision time one submission may take: its distinct claims share it (so a file
    #: of 300 slow steps costs minutes, not 300 timeouts), each still capped by ``timeout``
    budget: float = 300.0


#: decides (key, claim) pairs, calling ``done`` once per claim, each within its time limit
Decider = Callable[[list[tuple[Key, Claim]], Callable[[], None], list[float]], dict[Key, Result]]


def decide_each(claims: list[tuple[Key, Claim]], done: Callable[[], None], limits: list[float]) -> dict[Key, Result]:
    """Decide each claim in turn, each in its own killable worker."""
    out: dict[Key, Result] = {}
    for (key, claim), limit in zip(claims, limits, strict=True):
        out[key] = decide(claim, timeout=limit)
        done()
    return out


def executed(execution: Execution) -> Decider:
    """A decider that runs the batch as ``execution`` says: cache, N local workers or a cluster.

    The grades do not depend on it: each distinct claim gets the same result whichever runs it.
    """
    def decider(claims: list[tuple[Key, Claim]], done: Callable[[], None], limits: list[float]) -> dict[Key, Result]:
        results = decide_all([c for _, c in claims], execution, on_done=lambda i, r: done(), limits=limits)
        return {k: r for (k, _), r in zip(claims, results, strict=True)}
    return decider


_K = TypeVar("_K", bound=Hashable)


def shares(owned: Mapping[Path, set[_K]], budget: float, timeout: float
           ) -> tuple[dict[_K, float], dict[Path, float]]:
    """Each claim's time limit, and each submission's share per claim: the budget over its
    distinct claims, capped by the timeout. A claim several submissions ask gets the largest
    of their shares (deciding it for one decides it for all)."""
    per_file = {path: min(timeout, budget / len(keys)) for path, keys in owned.items() if keys}
    limits: dict[_K, float] = {}
    for path, keys in owned.items():
        for k in keys:
            limits[k] = max(limits.get(k, 0.0), per_file[path])
    return limits, per_file


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


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, in a few words."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _inside(real: Path, roots: Sequence[Path]) -> bool:
    return any(real == root or real.is_relative_to(root) for root in roots)


#: The files a folder's submissions are, by suffix in any letter case (``.MD`` too), and the reader
#: of each. A file named on the command line is read whatever its suffix: by its reader, else as
#: Markdown (the user named it).
SUBMISSION_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".ipynb": "notebook"}
_SUFFIXES_SAID = ", ".join(SUBMISSION_SUFFIXES)


class Listing(NamedTuple):
    """What a grading run reads, and what it says of the rest."""

    files: list[Path]
    #: a path not found, or a file that looks like a submission and cannot be read: exit status 1
    problems: list[str]
    #: a file that is no submission (notes.pdf), a hidden folder: said, and no failure
    passed_over: list[str]


def submission_files(paths: Sequence[str]) -> Listing:
    """The submission files named or inside the folders named (:data:`SUBMISSION_SUFFIXES`), sorted;
    one line for each path not found or submission that cannot be read; one for each file passed over.

    No file in a folder is passed over without a word: one that is not a submission (``notes.pdf``)
    is listed with the reason, and so is a hidden folder (``.git``, ``.ipynb_checkpoints``, whose
    copies of a notebook are not a second submission), which is not entered.
    Only regular files are read: a FIFO would hang the run, a device feed it garbage. A file
    found in a folder is read only if its real path (links resolved) lies inside a folder or is
    a file named on the command line: a submission ``leak.md`` that links to ``/etc/passwd`` or
    to another course's file is skipped with a warning, never echoed in feedback. A file named
    directly is read through a link (the user named it), but only if it is a regular file.
    """
    files: list[Path] = []
    missing: list[str] = []
    passed_over: list[str] = []
    roots: list[Path] = []  # the real paths of what the command line names
    for p in paths:
        try:
            roots.append(Path(p).resolve())
        except (OSError, RuntimeError):  # a link loop
            pass
    for p in paths:
        path = Path(p)
        shown = safe_line(p)
        try:
            mode = path.stat().st_mode
        except (OSError, ValueError):
            missing.append(f"{shown}: no such file or folder")
            continue
        if stat.S_ISDIR(mode):
            for f, why in _walk(path, roots):
                said = safe_line(f"{f}: {why}; skipped")  # a suffix is the file's name too
                if why.startswith(_PASSED_OVER):
                    passed_over.append(said)
                elif why:
                    missing.append(said)
                else:
                    files.append(f)
        elif stat.S_ISREG(mode):
            files.append(path)
        else:
            missing.append(f"{shown}: {_kind(mode)}, not a submission file; skipped")
    unique = list(dict.fromkeys(files))
    return Listing(unique, missing, passed_over)


#: the reasons a file in a folder is passed over without that being a failure
_PASSED_OVER = ("not a submission:", "a hidden folder")


def _walk(folder: Path, roots: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every entry under ``folder`` that is a file or a link, sorted, each with why it is not read
    ("" for a submission); a hidden folder once, not entered. Links to folders are not followed
    (their files, when inside what was named, are met where they are)."""
    found: list[tuple[Path, str]] = []

    def unreadable(err: OSError) -> None:
        found.append((Path(err.filename or folder), f"a folder that cannot be read ({err.strerror})"))

    for top, dirs, names in os.walk(folder, onerror=unreadable):
        here = Path(top)
        for d in list(dirs):
            entry = here / d
            if entry.is_symlink():
                dirs.remove(d)  # os.walk does not enter it either: said here
                accepted, why = _found(entry, roots)
                found.append((entry, "" if accepted else why.replace("a link to a file", "a link")))
            elif d.startswith("."):
                dirs.remove(d)
                found.append((entry, "a hidden folder, not read"))
        for name in names:
            entry = here / name
            suffix = entry.suffix.lower()
            if suffix not in SUBMISSION_SUFFIXES:
                said = f"{entry.suffix} files are not read" if entry.suffix else f"only {_SUFFIXES_SAID} files are read"
                found.append((entry, f"not a submission: {said}"))
                continue
            accepted, why = _found(entry, roots)
            found.append((entry, "" if accepted else why))
    # a link to a folder is no submission, whatever it is called: dropped (said already when outside)
    return sorted(((f, why) for f, why in found if why or not f.is_dir()), key=lambda pair: pair[0])


def _found(f: Path, roots: Sequence[Path]) -> tuple[bool, str]:
    """Whether a file met in a folder is read, and if not why ("" for a folder, which is no
    submission: its files are met where they are)."""
    try:
        real = f.resolve(strict=True)  # every file, not only links: a folder on the way may be one
        mode = real.stat().st_mode
    except (OSError, RuntimeError):  # a broken link, a link loop, a file gone
        return False, "a broken link or a file that cannot be read"
    if not _inside(real, roots):
        return False, "a link to a file outside the folders and files named"
    if stat.S_ISDIR(mode):
        return False, ""
    if not stat.S_ISREG(mode):
        return False, f"{_kind(mode)}, not a submission file"
    return True, ""


def _read_regular(path: Path, limit: int = MAX_SUBMISSION_BYTES) -> bytes:
    """A submission's bytes, at most ``limit`` + 1 of them, if it is a regular file.

    Checked again here, on the open file: it may have been swapped for a FIFO or a device since
    it was listed. ``O_NONBLOCK`` keeps ``open`` of a FIFO with no writer from hanging (a no-op
    on a regular file), ``O_NOCTTY`` keeps a terminal from becoming the controlling one.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):  # a device is not even opened, when it can be told
        raise SubmissionError(f"{safe_line(path)}: {_kind(mode)}, not a regular file; not read")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SubmissionError(f"{safe_line(path)}: {_kind(mode)}, not a regular file; not read")
        with os.fdopen(fd, "rb") as stream:
            fd = -1  # closed with the stream
            return stream.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)


def _read(path: Path, assignment: Assignment) -> tuple[str, Submission | str]:
    """(student, Submission) or (student, error message), the file read by the reader its suffix
    names (:data:`SUBMISSION_SUFFIXES`; Markdown for any other). The file name in a message and
    the student's name are :func:`safe_line`: they are printed on a TA's terminal."""
    file, stem = safe_line(path), safe_line(path.stem)
    kind = SUBMISSION_SUFFIXES.get(path.suffix.lower(), "markdown")
    try:
        # at most the limit + 1 bytes: a huge file is not read whole
        if kind == "notebook":
            sub = read_notebook_submission(_read_regular(path, MAX_NOTEBOOK_BYTES), file, stem, assignment.ids)
        else:
            text = decode_submission(_read_regular(path), file)
            read = read_latex_submission if kind == "latex" else read_submission
            sub = read(text, file, stem, assignment.ids)
        return safe_line(sub.student), sub  # a name may hold a bidi override or a line break
    except VerifyError as err:
        return stem, safe_line(err)
    except OSError as err:
        return stem, f"{file}: {safe_line(err.strerror or err)}"


#: The note of a submission in which no heading names a question (an empty file, say): without
#: it, every question would be unanswered and the student graded 0 without a word.
NOTHING_ANSWERED = "nothing to grade: no heading names a question of {assignment} (an empty file?); " \
                   "every question is unanswered"


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
    planned = _Planner()
    collected: dict[int, object] = {}  # id -> the claims tuple itself, so that an id is never reused
    pending: list[tuple[Key, Claim]] = []  # each distinct claim once
    position: dict[Key, int] = {}  # its place in pending
    keys_of: dict[int, list[int]] = {}  # a plan's claims, by place
    owned: dict[Path, set[int]] = {}  # each submission's distinct claims, by place
    for path, _, sub in read:
        if isinstance(sub, str):
            continue
        ps = [planned.plan(q, sub.sections.get(q.id)) for q in assignment.questions]
        ps = _with_labels(ps)
        plans[path] = ps
        mine = owned.setdefault(path, set())
        for p in ps:
            keys = keys_of.get(id(p.claims))
            if keys is None:  # hashing trees is not free: a shared plan's keys are hashed once
                collected[id(p.claims)] = p.claims
                keys = keys_of[id(p.claims)] = []
                for key, claim in p.claims:
                    if key not in position:
                        position[key] = len(pending)
                        pending.append((key, claim))
                    keys.append(position[key])
            mine.update(keys)
    limits, per_file = shares(owned, options.budget, options.timeout)
    count = [0]

    def done() -> None:
        count[0] += 1
        on_decided(count[0], len(pending))

    on_decided(0, len(pending))
    results = (decider or decide_each)(pending, done, [limits[i] for i in range(len(pending))])
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
            notes = [f"heading '{h}' names no question of {assignment.id}" for h in sub.stray]
            if not sub.sections:
                notes.insert(0, NOTHING_ANSWERED.format(assignment=assignment.id))
            share = per_file.get(path, options.timeout)
            if share < options.timeout and any(results[pending[i][0]].verdict is Verdict.UNKNOWN for i in owned[path]):
                notes.append(f"{len(owned[path])} distinct claims shared the {options.budget:g} s budget of one "
                             f"submission: {share:.2g} s each, and some ran out of it")
            g = SubmissionGrade(str(path), student, tuple(planned.assemble(p, results, rule) for p in plans[path]),
                                notes=tuple(notes))
        grades.append(g)
        on_graded(g)
    return grades
