"""``python -m verify grade --assignment NAME PATH [PATH ...]`` (see /work/shared/contracts/submissions.md).

Grades Markdown submissions and reports them as a table, the contract's JSON or a CSV
gradebook, optionally also as Gradescope ``results.json`` files. Exit status, as the
contract fixes it: 0 when every submission was graded (scores are data, not failures); 1
when some file could not be read (the others are still graded and reported); 2 on bad usage
(unknown assignment, bad option, nothing to grade, an output that cannot be written).
Destinations are checked before grading starts, since grading a class takes minutes.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from verify.cli import options
from verify.cli.progress import progress_bar
from verify.deciding import CacheError, ClusterError, set_memory_limit
from verify.grading import (
    Assignment,
    GradingOptions,
    SubmissionGrade,
    flag_for_review,
)
from verify.model import Result
from verify.reporting import gradebook, is_narrow, write_text_atomic
from verify.safe_text import safe_line

PROG = "verify grade"


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:  # also rejects nan
        raise argparse.ArgumentTypeError("partial credit is a fraction between 0 and 1")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify grade",
        description="Grade Markdown submissions (files or folders of *.md) against an assignment. "
        "Exit 0 when every submission was graded, 1 when some file could not be read "
        "(the rest are still graded) or when a Dask cluster could not decide some answers (they are "
        "unknown, counted on stderr), 2 on bad usage (an unreachable scheduler, a --cache that is not "
        "a decision cache), 130 when interrupted.",
        epilog="'python -m verify questions NAME' lists the questions, their ids and the symbols to use.",
    )
    p.add_argument("--assignment", required=True, metavar="NAME|FILE.toml",
                   help="the assignment: a built-in name (hw1) or the path of an assignment file (hw2.toml)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="a submission (*.md) or a folder of them")
    p.add_argument("--format", choices=("table", "compact", "json", "csv", "html"), default="table",
                   help="report format (default: table: a table per student on a terminal at least 100 columns "
                   "wide, one line per student with a mark per question on a narrower one; compact: that line "
                   "at any width; html: a self-contained page, best with --output)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="in the one-line-per-student layout, also print the feedback of every answer not given "
                   "full marks (or to be reviewed by a TA) under its student")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    p.add_argument("--gradescope", metavar="DIR",
                   help="also write DIR/<student>/results.json in Gradescope's autograder format")
    options.add_limits(p, GradingOptions.timeout, GradingOptions.budget)
    p.add_argument("--partial-credit", type=_fraction, default=None, metavar="F",
                   help="share of the points for a correct answer reached through a step that does "
                   "not follow (default: the assignment file's partial_credit, else 0.5)")
    options.add_arguments(p)
    return p


def _destination_problem(output: str | None, gradescope: str | None) -> str | None:
    """Why a destination cannot be written, found before minutes of grading are spent."""
    if output is not None:
        path = Path(output)
        if path.is_dir():
            return f"--output {output}: is a folder, not a file"
        if not path.parent.is_dir():
            return f"--output {output}: the folder {path.parent} does not exist"
    if gradescope is not None:
        folder = Path(gradescope)
        if folder.exists() and not folder.is_dir():
            return f"--gradescope {gradescope}: exists and is not a folder"
    return None


def report_text(grades: Sequence[SubmissionGrade], fmt: str, assignment: Assignment, to_file: bool,
                verbose: bool = False) -> str | None:
    """The report as text, or None for a table printed straight to the terminal."""
    ids = [q.id for q in assignment.questions]
    if fmt == "json":
        return json.dumps(gradebook.gradebook_json(grades), indent=2) + "\n"
    if fmt == "html":
        from verify.reporting import grading_page

        return grading_page(grades, assignment)
    if fmt == "csv":
        buffer = io.StringIO()
        gradebook.write_csv(grades, buffer, ids)
        return buffer.getvalue()
    if to_file:
        text = io.StringIO()
        console = Console(file=text, width=140, color_system=None, force_terminal=False)
        if fmt == "compact":
            gradebook.compact(grades, console, ids, verbose=verbose)
        else:
            gradebook.render(grades, console, ids)
        return text.getvalue()
    return None


def _grade(assignment: Assignment, files: list[Path], timeout: float | None, partial: float | None,
           args: argparse.Namespace | None = None, budget: float | None = None,
           outcomes: list[Result] | None = None) -> list[SubmissionGrade]:
    """Grade with the progress bar (:mod:`verify.cli.progress`); decisions run as the -j/--cache/
    --scheduler options say (each distinct decision's result is added to ``outcomes``)."""
    from verify.grading import executed, grade_files

    given = {k: v for k, v in (("timeout", timeout), ("partial", partial), ("budget", budget)) if v is not None}
    settings = GradingOptions(**given)
    outcomes = outcomes if outcomes is not None else []
    decider = None
    if args is not None:
        execute = executed(options.execution_of(args, settings.timeout))

        def decider(claims, done, limits):
            decided = execute(claims, done, limits)
            outcomes.extend(decided.values())
            return decided
    err = Console(stderr=True)
    with progress_bar(err, f"grading {len(files)} submission{'s' if len(files) != 1 else ''}") as update:

        def decided(done: int, total: int) -> None:
            update(completed=done, total=total, description=f"deciding {total} distinct answers and steps",
                   final=done == total)

        return grade_files(assignment, files, settings, on_decided=decided, decider=decider)


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(list(argv))
    assignment = options.assignment_of(args.assignment, PROG)
    if assignment is None:
        return 2
    problem = _destination_problem(args.output, args.gradescope)
    if problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2

    from verify.grading import submission_files

    files, missing, passed_over = submission_files(args.paths)
    for message in (*missing, *passed_over):
        print(f"{PROG}: {message}", file=sys.stderr)
    if not files:
        named = ", ".join(safe_line(p) for p in args.paths)
        print(f"{PROG}: no submission (.md, .markdown, .tex, .ipynb) found in {named}; nothing to grade",
              file=sys.stderr)
        return 2

    set_memory_limit(args.memory)
    # 0 is "no limit" for both: GradingOptions takes that as an infinite time, the workers as none
    timeout = math.inf if args.timeout is None else args.timeout
    budget = math.inf if args.budget is None else args.budget
    outcomes: list[Result] = []
    try:
        partial = args.partial_credit if args.partial_credit is not None else assignment.partial_credit
        grades = _grade(assignment, files, timeout, partial, args, budget, outcomes)
    except (ClusterError, CacheError) as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    # a true/false answer is graded on its word: every format says its reasoning is for a TA
    grades = flag_for_review(grades, assignment.review_kinds())
    for g in grades:
        if g.error:
            print(f"{PROG}: {g.error}", file=sys.stderr)
        for note in g.notes:  # an empty submission: said where the operator looks, not only in the report
            if note.startswith("nothing to grade"):
                print(f"{PROG}: warning: {safe_line(g.file)}: {note}", file=sys.stderr)

    text = report_text(grades, args.format, assignment, to_file=args.output is not None, verbose=args.verbose)
    try:
        if args.output is not None:
            write_text_atomic(args.output, text or "")
            print(f"{PROG}: wrote {args.output} ({len(grades)} submission{'s' if len(grades) != 1 else ''})",
                  file=sys.stderr)
        elif text is None:
            out = Console()
            if not out.is_terminal and "COLUMNS" not in os.environ:  # a pipe or a file: room for the feedback
                out = Console(width=140)
            ids = [q.id for q in assignment.questions]
            if args.format == "compact" or is_narrow(out):  # one line per student, feedback with --verbose
                gradebook.compact(grades, out, ids, verbose=args.verbose)
            else:
                gradebook.render(grades, out, ids)
        else:
            sys.stdout.write(text)
        if args.gradescope is not None:
            written = gradebook.write_gradescope(grades, args.gradescope)
            print(f"{PROG}: wrote {len(written)} Gradescope results.json under {args.gradescope}", file=sys.stderr)
    except BrokenPipeError:
        # the reader (``| head``) left; keep the interpreter's final flush from failing too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as err:
        print(f"{PROG}: cannot write {err.filename or 'the report'}: {err.strerror}", file=sys.stderr)
        return 2
    unreadable = bool(missing) or any(g.error for g in grades)
    undecided = _report_undecided(grades, outcomes)
    return 1 if unreadable or undecided else 0


def _report_undecided(grades: Sequence[SubmissionGrade], outcomes: Sequence[Result]) -> int:
    """One line per reason some answers were never decided ("312 answers not decided: the
    scheduler was lost"), counted over the students' answers; decisions of steps only, when no
    answer was left undecided. The number of either: the command exits 1 when it is not 0."""
    reasons: Counter[str] = Counter()
    for g in grades:
        for q in g.questions:
            found = re.search(r"\(not decided: (?P<why>[^)]*)\)", q.review_why)
            if found:
                reasons[found.group("why")] += 1
    for why, n in reasons.items():
        print(f"{PROG}: {n} answer{'s' if n != 1 else ''} not decided: {why}", file=sys.stderr)
    if reasons:
        return sum(reasons.values())
    return options.report_undecided(PROG, outcomes, "steps")
