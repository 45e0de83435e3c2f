"""Presenting a class's grades: rich tables, the contract's JSON, a CSV gradebook, Gradescope files.

Every format is built from :class:`~verify.grading.grades.SubmissionGrade` values alone, so
that what a student sees (table, Gradescope) and what an instructor imports (JSON, CSV)
cannot disagree. Files are written through :mod:`verify.reporting.atomic`: an interrupted
run leaves the previous file or the new one, never half of one. Every string from a submission
(file, student, id, heading, feedback, error) goes through :mod:`verify.safe_text` on
its way out, in every format: a file name's escape sequences never reach a terminal raw.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from verify.grading import Mark, QuestionGrade, SubmissionGrade
from verify.reporting.atomic import atomic_writer, write_text_atomic
from verify.safe_text import safe_json, safe_line, safe_text

VERDICT_STYLE = {
    Mark.CORRECT: "green",
    Mark.INCORRECT: "red",
    Mark.UNANSWERED: "yellow",
    Mark.UNPARSABLE: "magenta",
}

#: The CSV columns that precede the one-per-question columns, and those after them: ``review``
#: lists the answers a TA must look at, ``id: why; id: why`` (appended, so that no column moves).
CSV_LEADING = ("file", "student", "score", "max_score")
CSV_TRAILING = ("error", "review")


def number(x: float) -> int | float:
    """Points as people write them: 1 rather than 1.0, at most four decimals."""
    return int(x) if float(x).is_integer() else round(float(x), 4)


def _points(points: float, max_points: float) -> str:
    return f"{number(points)}/{number(max_points)}"


def question_ids(grades: Sequence[SubmissionGrade]) -> list[str]:
    """Every question id met in ``grades``, in the order first met (when no assignment is at hand)."""
    seen: dict[str, None] = {}
    for g in grades:
        for q in g.questions:
            seen.setdefault(q.id, None)
    return list(seen)


# ---------------------------------------------------------------- rich tables


def verdict_text(q: QuestionGrade) -> Text:
    text = Text(q.verdict.value, style=VERDICT_STYLE[q.verdict])
    if q.verdict is Mark.CORRECT and q.points < q.max_points:
        text.append(" (partial)", style="yellow")
    if q.review_reason:
        text.append(" (TA: review)", style="bold magenta")
    return text


def feedback_text(q: QuestionGrade) -> Text:
    """The feedback, and on its own line why a TA must look, if one must."""
    text = Text(safe_text(q.feedback))
    if q.review_reason:
        text.append(("\n" if q.feedback else "") + f"TA review: {safe_text(q.review_reason)}", style="magenta")
    return text


def student_table(grade: SubmissionGrade) -> Table:
    """One student's questions: verdict, points, where the derivation first goes wrong, feedback."""
    title = Text(f"{safe_line(grade.student)} ", style="bold")
    title.append(f"({safe_line(grade.file)}) ", style="dim")
    title.append(_points(grade.score, grade.max_score), style="bold")
    t = Table(title=title, title_justify="left", show_lines=False, expand=False,
              caption=Text(f"file not read: {safe_text(grade.error)}", style="bold red") if grade.error else None,
              caption_justify="left")
    t.add_column("question", style="cyan", no_wrap=True)
    t.add_column("verdict", no_wrap=True)
    t.add_column("points", justify="right", no_wrap=True)
    t.add_column("first bad step", justify="right", no_wrap=True)
    t.add_column("feedback", overflow="fold", max_width=80)
    for q in grade.questions:
        t.add_row(
            Text(safe_line(q.id)),
            verdict_text(q),
            Text(_points(q.points, q.max_points),
                 style="green" if q.points >= q.max_points else "yellow" if q.points > 0 else ""),
            Text("" if q.first_bad_step is None else str(q.first_bad_step), style="bold red"),
            feedback_text(q),
        )
    return t


@dataclass(frozen=True)
class QuestionStats:
    """How the class did on one question. Unreadable files are left out: they say nothing about it."""

    id: str
    correct: int
    graded: int
    #: the normalised LaTeX of the most frequent incorrect final answer, and how many gave it
    common_wrong: str | None
    common_wrong_count: int

    @property
    def share(self) -> float | None:
        return self.correct / self.graded if self.graded else None


def question_stats(grades: Sequence[SubmissionGrade], ids: Sequence[str] | None = None) -> list[QuestionStats]:
    ids = list(ids) if ids is not None else question_ids(grades)
    read = [g for g in grades if not g.error]
    out = []
    for qid in ids:
        mine = [q for g in read for q in g.questions if q.id == qid]
        wrong = Counter(q.answer for q in mine if q.verdict is Mark.INCORRECT and q.answer)
        common = wrong.most_common(1)
        out.append(QuestionStats(
            id=qid,
            correct=sum(q.verdict is Mark.CORRECT for q in mine),
            graded=len(mine),
            common_wrong=common[0][0] if common else None,
            common_wrong_count=common[0][1] if common else 0,
        ))
    return out


def class_table(grades: Sequence[SubmissionGrade], ids: Sequence[str] | None = None) -> Table:
    """Per question: how many got it right, and the wrong answer most worth discussing in class."""
    t = Table(title="class summary", title_justify="left", expand=False)
    t.add_column("question", style="cyan", no_wrap=True)
    t.add_column("correct", justify="right", no_wrap=True)
    t.add_column("share", justify="right", no_wrap=True)
    t.add_column("most common wrong answer", overflow="fold", max_width=60)
    t.add_column("count", justify="right", no_wrap=True)
    for s in question_stats(grades, ids):
        share = s.share
        style = "" if share is None else "green" if share >= 0.8 else "yellow" if share >= 0.5 else "red"
        t.add_row(
            Text(safe_line(s.id)),
            Text(f"{s.correct}/{s.graded}"),
            Text("-" if share is None else f"{share:.0%}", style=style),
            Text(safe_text(s.common_wrong or "")),
            Text(str(s.common_wrong_count) if s.common_wrong_count else ""),
        )
    return t


def summary_line(grades: Sequence[SubmissionGrade]) -> Text:
    """Students graded and the mean score; unreadable files are counted apart, not averaged as zeros."""
    read = [g for g in grades if not g.error]
    unread = len(grades) - len(read)
    text = Text(f"{len(grades)} submission{'s' if len(grades) != 1 else ''}")
    if read:
        top = max(g.max_score for g in read)
        mean = sum(g.score for g in read) / len(read)
        text.append(f", mean score {number(round(mean, 2))}/{number(top)}")
    if unread:
        text.append(f"; {unread} file{'s' if unread != 1 else ''} could not be read (not in the mean)",
                    style="bold red")
    review = [(safe_line(g.student), safe_line(q.id)) for g in read for q in g.questions if q.review]
    if review:
        shown = ", ".join(f"{student}: {qid}" for student, qid in review[:10])
        more = f", and {len(review) - 10} more" if len(review) > 10 else ""
        text.append(f"; {len(review)} answer{'s' if len(review) != 1 else ''} the engine could not decide, "
                    f"for a TA to review ({shown}{more})", style="bold magenta")
    other = [(safe_line(g.student), safe_line(qid), safe_line(why)) for g in read for qid, why in g.to_review
             if not next(q for q in g.questions if q.id == qid).review]
    if other:
        shown = ", ".join(f"{student}: {qid} ({why.split(':')[0]})" for student, qid, why in other[:10])
        more = f", and {len(other) - 10} more" if len(other) > 10 else ""
        text.append(f"; {len(other)} {'other ' if review else ''}answer{'s' if len(other) != 1 else ''} "
                    f"for a TA to review ({shown}{more})", style="bold magenta")
    return text


def render(grades: Sequence[SubmissionGrade], console: Console, ids: Sequence[str] | None = None) -> None:
    """A table per student, the class table, the summary line. An unreadable file gets one line:
    a table of identical "unparsable" rows would bury the one thing to say, why it was not read."""
    for g in grades:
        if g.error:
            line = Text(f"{safe_line(g.student)} ", style="bold")
            line.append(f"({safe_line(g.file)}) ", style="dim")
            line.append(f"file not read: {safe_line(g.error)}", style="bold red")
            console.print(line)
            console.print()
        else:
            console.print(student_table(g))
            for note in g.notes:  # stray headings, a spent time budget: the student's file, not a grade
                console.print(Text(f"  note: {safe_line(note)}", style="yellow"))
    if grades:
        console.print(class_table(grades, ids))
    console.print(summary_line(grades))


# ---------------------------------------------------------------- the compact terminal layout

#: One character per question: correct, correct for part of the points, incorrect, unanswered,
#: unparsable; ``?`` (for a TA to review) takes precedence over them all.
MARKS = {"correct": "✓", "partial": "~", "incorrect": "✗", "unanswered": "·", "unparsable": "!", "review": "?"}
MARK_STYLE = {"✓": "green", "~": "yellow", "✗": "red", "·": "dim", "!": "magenta", "?": "bold magenta"}


def mark(q: QuestionGrade) -> str:
    """The question's character in the compact layout (:data:`MARKS`)."""
    if q.review_reason:
        return MARKS["review"]
    if q.verdict is Mark.CORRECT:
        return MARKS["correct"] if q.points >= q.max_points else MARKS["partial"]
    return MARKS[q.verdict.value]


def _groups(ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Question ids grouped by the part before their first dot (``pd``, ``reg``, ...), in order."""
    groups: list[tuple[str, list[str]]] = []
    for qid in ids:
        head = qid.split(".")[0]
        if groups and groups[-1][0] == head:
            groups[-1][1].append(qid)
        else:
            groups.append((head, [qid]))
    return groups


def _cut(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _indented(console: Console, text: Text, indent: int) -> None:
    """``text`` wrapped to the console's width less ``indent``, each line indented."""
    for line in text.wrap(console, max(20, console.width - indent)):
        line.rstrip()
        console.print(Text(" " * indent) + line, no_wrap=True, crop=True, highlight=False)


def compact(grades: Sequence[SubmissionGrade], console: Console, ids: Sequence[str] | None = None,
            verbose: bool = False) -> None:
    """One line per student: name, score and one mark per question (:data:`MARKS`), grouped by
    part; with ``verbose``, the feedback of every answer not given full marks (or to review)
    indented under it. Then one line per question of the class summary, and the summary line."""
    ids = list(ids) if ids is not None else question_ids(grades)
    groups = _groups(ids)
    marks_width = sum(len(g) for _, g in groups) + len(groups) - 1
    scores = [_points(g.score, g.max_score) for g in grades]
    score_width = max((len(s) for s in scores), default=5)
    name_width = max(8, min(max((cell_len(safe_line(g.student)) for g in grades), default=8),
                            console.width - marks_width - score_width - 4))
    legend = "  ".join(f"{m} {word}" for word, m in MARKS.items())
    console.print(Text(_cut(legend, console.width), style="dim"), no_wrap=True, crop=True, highlight=False)
    parts = "marks in question order: " + ", ".join(f"{head} ({len(members)})" for head, members in groups)
    _indented(console, Text(parts, style="dim"), 0)
    header = Text(" " * (name_width + 1 + score_width + 2))
    for i, (head, members) in enumerate(groups):  # each part's name over its marks, cut to fit them
        header.append(("" if i == 0 else " ") + head[:len(members)].ljust(len(members)), style="dim")
    header.rstrip()
    console.print(header, no_wrap=True, crop=True, highlight=False)
    for g, score in zip(grades, scores, strict=True):
        line = Text(_cut(safe_line(g.student), name_width).ljust(name_width) + " ", style="bold")
        if g.error:
            line.append(f"file not read: {safe_line(g.error)}", style="bold red")
            console.print(_cut_text(line, console.width), no_wrap=True, crop=True, highlight=False)
            continue
        line.append(score.rjust(score_width), style="bold")
        line.append("  ")
        by_id = {q.id: q for q in g.questions}
        for i, (_, members) in enumerate(groups):
            if i:
                line.append(" ")
            for qid in members:
                q = by_id.get(qid)
                m = mark(q) if q is not None else " "
                line.append(m, style=MARK_STYLE.get(m, ""))
        console.print(line, no_wrap=True, crop=True, highlight=False)
        if verbose:
            console.print(Text(f"    {_cut(safe_line(g.file), console.width - 4)}", style="dim"), no_wrap=True,
                          crop=True, highlight=False)
            for q in g.questions:
                if q.points >= q.max_points and not q.review_reason:
                    continue
                entry = Text(f"  {mark(q)} ", style=MARK_STYLE.get(mark(q), ""))
                entry.append(safe_line(q.id), style="cyan")
                entry.append(f" {_points(q.points, q.max_points)}")
                if q.first_bad_step is not None:
                    entry.append(f", first bad step {q.first_bad_step}", style="bold red")
                console.print(_cut_text(entry, console.width), no_wrap=True, crop=True, highlight=False)
                _indented(console, feedback_text(q), 6)
        for note in g.notes:
            console.print(_cut_text(Text(f"  note: {safe_line(note)}", style="yellow"), console.width),
                          no_wrap=True, crop=True, highlight=False)
    if grades:
        stats = question_stats(grades, ids)
        qid_width = min(max((cell_len(safe_line(s.id)) for s in stats), default=8), 24)
        console.print(Text("class summary: correct, share, most common wrong answer (count)", style="bold"),
                      no_wrap=True, crop=True, highlight=False)
        for st in stats:
            share = st.share
            style = "" if share is None else "green" if share >= 0.8 else "yellow" if share >= 0.5 else "red"
            line = Text(_cut(safe_line(st.id), qid_width).ljust(qid_width) + " ", style="cyan")
            line.append(f"{st.correct}/{st.graded}".rjust(7))
            line.append(("-" if share is None else f"{share:.0%}").rjust(5), style=style)
            if st.common_wrong:
                line.append(f"  {safe_line(st.common_wrong)}")
                line = _cut_text(line, console.width - len(f" ({st.common_wrong_count})"))
                line.append(f" ({st.common_wrong_count})", style="dim")
            console.print(line, no_wrap=True, crop=True, highlight=False)
    console.print(summary_line(grades), highlight=False)
    if not verbose and any(q.feedback for g in grades for q in g.questions):
        console.print(Text("feedback: --verbose, or --format table on a terminal 100 columns wide or more",
                           style="dim"), highlight=False)


def _cut_text(text: Text, width: int) -> Text:
    """``text`` (with its styles) in at most ``width`` cells, its end an … when cut."""
    if text.cell_len <= width:
        return text
    out = text.copy()
    out.truncate(max(1, width - 1))
    out.append("…")
    return out


# ---------------------------------------------------------------- JSON (the public contract)


def gradebook_json(grades: Sequence[SubmissionGrade]) -> dict[str, Any]:
    """``{"submissions": [...]}`` exactly as the submissions contract fixes it, each string
    :func:`~verify.safe_text.safe_text` (``json.dumps`` escapes control characters, but
    not every writer of this value does, and a bidi override survives any escaping)."""
    return {"submissions": [safe_json(g.to_json()) for g in grades]}


# ---------------------------------------------------------------- CSV gradebook

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str, lines: bool = False) -> str:
    """Text a spreadsheet will not run as a formula (a student's name comes from their own file),
    with no control or bidi character (line breaks kept where ``lines``: CSV quotes them)."""
    text = safe_text(text) if lines else safe_line(text)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_columns(ids: Sequence[str]) -> list[str]:
    return [*CSV_LEADING, *(safe_line(i) for i in ids), *CSV_TRAILING]


def review_cell(grade: SubmissionGrade) -> str:
    """The answers a TA must look at, ``id: why; id: why`` (empty when none); for a file that
    could not be read, one entry, since the ``error`` column says why."""
    if grade.error:
        return "the file could not be read (see error)" if grade.questions else ""
    return "; ".join(f"{qid}: {why}" for qid, why in grade.to_review)


def csv_rows(grades: Sequence[SubmissionGrade], ids: Sequence[str]) -> list[list[str | int | float]]:
    rows: list[list[str | int | float]] = []
    for g in grades:
        points = {q.id: number(q.points) for q in g.questions}
        rows.append([
            _cell(g.file), _cell(g.student), number(g.score), number(g.max_score),
            *(points.get(qid, "") for qid in ids),
            _cell(g.error or "", lines=True),
            _cell(review_cell(g), lines=True),
        ])
    return rows


def write_csv(grades: Sequence[SubmissionGrade], stream: IO[str], ids: Sequence[str] | None = None) -> None:
    """One row per submission, one column of points per question (blank: the question is not in the grade)."""
    ids = list(ids) if ids is not None else question_ids(grades)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(csv_columns(ids))
    writer.writerows(csv_rows(grades, ids))


def write_csv_file(grades: Sequence[SubmissionGrade], path: str | Path, ids: Sequence[str] | None = None) -> None:
    with atomic_writer(path, newline="") as stream:
        write_csv(grades, stream, ids)


# ---------------------------------------------------------------- Gradescope

_UNSAFE = re.compile(r"[^\w.\- ]+")
_DOTS = re.compile(r"\.{2,}")


def safe_name(text: str) -> str:
    """A folder name made from a student's name: no separators, no ``..``, not hidden, not empty-looking.

    Anything but letters, digits, ``_``, ``-``, ``.`` and spaces becomes ``_``; runs of dots
    shrink to one and leading or trailing dots and spaces go. May return ``""``.
    """
    name = _DOTS.sub(".", _UNSAFE.sub("_", text))
    return name.strip(" .")[:100].strip(" .")


def _test_output(q: QuestionGrade) -> str:
    lines = [f"{q.verdict.value}: {_points(q.points, q.max_points)} points"]
    if q.review_reason:
        lines.append(f"Needs a TA's review ({q.review_reason}): this mark is provisional until a TA has "
                     "looked at your answer.")
    if q.first_bad_step is not None:
        lines.append(f"The first step that does not follow from the one before is step {q.first_bad_step}.")
    if q.feedback:
        lines.append(q.feedback)
    return "\n".join(lines)


def gradescope_results(grade: SubmissionGrade, style: GradescopeStyle | None = None) -> dict[str, Any]:
    """Gradescope's autograder ``results.json``: one test per question.

    The top-level ``score`` is given (Gradescope then does not re-add the tests); the
    assignment's total is configured in Gradescope, as its specification has no top-level
    ``max_score``. Without ``style`` (``grade --gradescope DIR``): tests named by id, ``status``
    ``passed`` only with full points, review reasons in each test's output. With one (the
    autograder bundle): see :class:`GradescopeStyle`.
    """
    if style is not None:
        return _styled_results(grade, style)
    out: dict[str, Any] = {
        "score": number(grade.score),
        "tests": [
            {
                "name": q.id,
                "score": number(q.points),
                "max_score": number(q.max_points),
                "status": "passed" if q.points >= q.max_points else "failed",
                "output": _test_output(q),
            }
            for q in grade.questions
        ],
    }
    if grade.error:
        out["output"] = f"Your file could not be read: {grade.error}"
    return safe_json(out)


#: Gradescope's values for ``visibility`` and ``stdout_visibility``, from most to least shown.
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")

_WHEN = {"visible": "shown below", "after_due_date": "shown after the due date",
         "after_published": "shown once grades are published", "hidden": "seen by the course staff only"}


@dataclass(frozen=True)
class GradescopeStyle:
    """How the autograder bundle's ``results.json`` reads (``python -m verify gradescope``).

    Each question is one test named by ``titles`` (``pd.linear: dy/dx for y = Ax``), with its
    score, ``status`` ``passed`` whenever it earns points (partial credit passes, with its score),
    Markdown output (``output_format`` ``md``, so that ``$...$`` renders), and ``visibility``.
    The feedback (what is wrong, a counterexample) is in each question's output when
    ``feedback_visibility`` is ``visibility``; else it moves to one extra test, ``Feedback``, with
    ``feedback_visibility`` and no score, and each question's output says when it is shown (the
    feedback of a full mark, or of an unanswered question, stays in place: it gives nothing away).
    Review flags are for the staff only: never in a student's output, but in a test ``TA review
    (staff only)`` with visibility ``hidden`` (no score; ``failed`` when some answer needs a look,
    so that it stands out) and in ``extra_data.review`` (question id -> reason). ``stdout`` is
    hidden. ``problem``: a file-level reason nothing (or not everything) was graded, shown to the
    student at once in a test of its own (``visible``), whatever ``visibility`` says.
    """

    titles: Mapping[str, str] = field(default_factory=dict)
    visibility: str = "visible"
    feedback_visibility: str = "visible"
    assignment: str = ""
    #: lines for the student about the files found (graded, passed over), shown at the top
    notes: tuple[str, ...] = ()
    problem: str | None = None

    def __post_init__(self) -> None:
        for v in (self.visibility, self.feedback_visibility):
            if v not in VISIBILITIES:
                raise ValueError(f"not a Gradescope visibility: {v!r} (one of {', '.join(VISIBILITIES)})")


REVIEW_TEST = "TA review (staff only)"
FEEDBACK_TEST = "Feedback"
PROBLEM_TEST = "Your submission"


def _verdict_line(q: QuestionGrade) -> str:
    partial = " (partial credit)" if 0 < q.points < q.max_points else ""
    return f"**{q.verdict.value}**{partial}: {_points(q.points, q.max_points)} points"


def _feedback_lines(q: QuestionGrade) -> list[str]:
    lines = []
    if q.first_bad_step is not None:
        lines.append(f"The first step that does not follow from the one before is step {q.first_bad_step}.")
    if q.feedback:
        lines.append(q.feedback)
    return lines


def _styled_results(grade: SubmissionGrade, style: GradescopeStyle) -> dict[str, Any]:
    together = style.feedback_visibility == style.visibility
    tests: list[dict[str, Any]] = []
    feedback: list[str] = []
    for number_, q in enumerate(grade.questions, 1):
        title = style.titles.get(q.id, q.id)
        lines = [_verdict_line(q)]
        said = _feedback_lines(q)
        if together or q.points >= q.max_points or q.verdict is Mark.UNANSWERED:
            lines += said  # nothing to give away: a full mark's, or "no answer was found"
        elif said:
            lines.append(f"What is wrong, and where: see the test *{FEEDBACK_TEST}*, "
                         f"{_WHEN[style.feedback_visibility]}.")
            feedback.append("\n\n".join([f"**{title}**: {_verdict_line(q)}", *said]))
        tests.append({
            "name": title,
            "number": str(number_),
            "score": number(q.points),
            "max_score": number(q.max_points),
            "status": "passed" if q.points > 0 or q.max_points <= 0 else "failed",
            "output": "\n\n".join(lines),
            "output_format": "md",
            "visibility": style.visibility,
        })
    if feedback:
        tests.append({"name": FEEDBACK_TEST, "status": "passed" if grade.score >= grade.max_score else "failed",
                      "output": "\n\n---\n\n".join(feedback), "output_format": "md",
                      "visibility": style.feedback_visibility})
    review = dict(grade.to_review)
    problem = style.problem or (f"Your file could not be read: {grade.error}" if grade.error else None)
    if problem:
        tests.insert(0, {"name": PROBLEM_TEST, "status": "failed", "output": problem, "output_format": "md",
                         "visibility": "visible"})
    staff = [f"- {qid}: {why}" for qid, why in review.items()]
    if problem:
        staff.insert(0, f"- the submission: {problem}")
    tests.append({
        "name": REVIEW_TEST,
        "status": "failed" if staff else "passed",
        "output": "\n".join(staff) or "No answer needs a TA's review.",
        "output_format": "md",
        "visibility": "hidden",
    })
    top = [*style.notes]
    if problem:
        top.append(problem)
    top.extend(f"Note: {note}" for note in grade.notes)
    out: dict[str, Any] = {
        "score": number(grade.score),
        "output": "\n\n".join(top),
        "output_format": "md",
        "test_output_format": "md",
        "test_name_format": "text",
        "visibility": style.visibility,
        "stdout_visibility": "hidden",
        "extra_data": {"assignment": style.assignment, "file": grade.file, "review": review, "problem": problem},
        "tests": tests,
    }
    return safe_json(out)


def gradescope_folders(grades: Sequence[SubmissionGrade]) -> list[str]:
    """A distinct, safe folder name per submission: the student's name, else the file's stem."""
    used: set[str] = set()
    names = []
    for g in grades:
        base = safe_name(g.student) or safe_name(Path(g.file).stem) or "submission"
        name, n = base, 1
        while name.casefold() in used:  # case-insensitive file systems would merge them
            n += 1
            name = f"{base}-{n}"
        used.add(name.casefold())
        names.append(name)
    return names


def write_gradescope(grades: Sequence[SubmissionGrade], folder: str | Path) -> list[Path]:
    """``folder/<name>/results.json`` for every submission; returns the files written."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for g, name in zip(grades, gradescope_folders(grades), strict=True):
        target = root / name
        target.mkdir(exist_ok=True)
        path = target / "results.json"
        write_text_atomic(path, json.dumps(gradescope_results(g), indent=2) + "\n")
        written.append(path)
    return written
