r"""``python -m verify assignment check FILE.toml`` and ``python -m verify new-assignment NAME``.

``assignment check`` validates an assignment file (:mod:`verify.reading.assignment_file`) before a
class is graded with it: every question must read (no unknown key, no duplicate id, every name
declared, shapes that agree, LaTeX in the subset), every reference answer is proved well-formed
(``ref.<id>``: ``asked = answer``, an equation that is a condition, each part's ``name = answer``),
and every ``solution`` step is decided by the engine as ``verify check`` decides a claim: each
expression equal to the one before, the last equal to the answer. Each problem is reported with
the file's line. Exit 0 when sound, 1 when a check fails (or a cluster left one undecided), 2 when
the file cannot be read at all or on bad usage, 130 when interrupted.

``new-assignment NAME`` writes a commented starting file, ``NAME.toml`` in the current folder (or
``--output PATH``), with one question of each kind; it passes ``assignment check`` as written
(``tests/test_assignment_file.py`` checks that). An existing file is never overwritten (exit 2).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.text import Text

from verify.cli import options
from verify.cli.suite import run
from verify.deciding import DEFAULT_TIMEOUT, CacheError, ClusterError, set_memory_limit
from verify.grading import builtin_file
from verify.model import Claim, Result, Verdict
from verify.reading import AssignmentFile, AssignmentFileError, load_assignment_file
from verify.reporting import Row, render, statement_text

PROG = "verify assignment check"


def check_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify assignment check",
        description="Check an assignment file (README: 'Writing an assignment as a file'): every question reads, "
        "every reference answer is proved well-formed and every solution step follows, each problem reported "
        "with its line. Exit 0 when sound, 1 when a check fails, 2 when the file cannot be read, 130 when "
        "interrupted.",
    )
    p.add_argument("file", metavar="FILE.toml", help="the assignment file (or the name of a built-in one written as "
                   "a file, e.g. hw2)")
    options.add_output(p, ("table", "compact", "json"))
    options.add_limits(p, DEFAULT_TIMEOUT)
    options.add_arguments(p)
    return p


def _with_line(row: Row, line: int | None, what: str) -> Row:
    """A row that is not proved says where in the file it comes from, and what it checks."""
    if row.ok:
        return row
    where = f"line {line}: " if line is not None else ""
    return dataclasses.replace(row, result=dataclasses.replace(row.result,
                                                               detail=f"{where}{what}: {row.result.detail}"))


def rows_of(assignment: AssignmentFile, timeout: float | None, execution: options.Execution | None = None
            ) -> tuple[list[Row], list[str]]:
    """One row per problem (verdict error) and per check (decided), in file order; and the
    statements to show for them."""
    claims: list[tuple[str, Claim]] = [(f"{assignment.path}:{c.line}" if c.line else assignment.path, c.claim)
                                       for c in assignment.checks]
    decided = run(claims, timeout=timeout, execution=execution) if claims else []
    rows: list[tuple[int, Row, str]] = []
    for problem in assignment.problems:
        file = f"{assignment.path}:{problem.line}" if problem.line else assignment.path
        row = Row(file, problem.question or "(file)", "", Result(Verdict.ERROR, detail=str(problem)),
                  assignment.title, "holds")
        rows.append((problem.line or 0, row, problem.message.splitlines()[0]))
    for check, row in zip(assignment.checks, decided, strict=True):
        rows.append((check.line or 0, _with_line(row, check.line, check.what), statement_text(check.claim)))
    rows.sort(key=lambda r: r[0])
    return [r for _, r, _ in rows], [s for _, _, s in rows]


def check_main(argv: Sequence[str]) -> int:
    args = check_parser().parse_args(list(argv))
    # a built-in assignment written as a file (hw2) is checked by its name too
    builtin = None if args.file.lower().endswith(".toml") else builtin_file(args.file)
    try:
        assignment = load_assignment_file(builtin or args.file)
    except AssignmentFileError as err:
        print(f"{PROG}: {err.message}", file=sys.stderr)
        return 2
    set_memory_limit(args.memory)
    try:
        rows, statements = rows_of(assignment, args.timeout, options.execution_of(args, args.timeout))
    except (ClusterError, CacheError) as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    undecided = options.report_undecided(PROG, [r.result for r in rows], "checks")
    if args.format == "json":
        data = {"assignment": assignment.id, "file": assignment.path, "questions": len(assignment.questions),
                "problems": [{"line": p.line, "question": p.question, "message": p.message}
                             for p in assignment.problems],
                "claims": [r.to_json(extended=False) for r in rows]}
        if not options.write_output(json.dumps(data, indent=2) + "\n", args.output, PROG):
            return 2
    else:
        out, buffer = options.report_console(args.output)
        title = f"{assignment.title} ({assignment.path})" if assignment.title else assignment.path
        if rows:
            render(rows, out, title=title, statements=statements,
                   compact_layout=True if args.format == "compact" else None)
        failed = [r for r in rows if not r.ok]
        verdict = (f"{assignment.path}: sound: {len(assignment.questions)} questions, {len(rows)} checks proved"
                   if not failed and not undecided else
                   f"{assignment.path}: {len(failed)} of {len(rows)} checks failed")
        out.print(Text(verdict, style="green" if not failed else "red"))
        if buffer is not None and not options.write_output(buffer.getvalue(), args.output, PROG):
            return 2
    for problem in assignment.problems:  # where the author looks first: one line each, FILE:LINE: as compilers do
        where = f"{assignment.path}:{problem.line}" if problem.line is not None else assignment.path
        about = f"question {problem.question}: " if problem.question else ""
        print(f"{PROG}: {where}: {about}{problem.message.splitlines()[0]}", file=sys.stderr)
    return 1 if undecided or any(not r.ok for r in rows) else 0


def main(argv: Sequence[str]) -> int:
    """``assignment check FILE.toml``: the one subcommand of ``assignment``."""
    argv = list(argv)
    if argv and argv[0] == "check":
        return check_main(argv[1:])
    p = argparse.ArgumentParser(prog="python -m verify assignment",
                                description="Work with assignment files: 'assignment check FILE.toml' validates "
                                "one (run 'python -m verify assignment check --help'); 'python -m verify "
                                "new-assignment NAME' writes a starting file.")
    p.add_argument("command", choices=("check",), help="check: validate an assignment file")
    p.parse_args(argv[:1])  # --help, or an unknown command: argparse's message and exit 2
    return 2


# ---------------------------------------------------------------- new-assignment

_NAME = re.compile(r"[a-z0-9._-]+")


def new_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify new-assignment",
        description="Write a commented starting assignment file, NAME.toml, with one question of each kind; it "
        "passes 'python -m verify assignment check' as written. Exit 0 when written, 2 when the file exists "
        "or cannot be written, or on bad usage.",
    )
    p.add_argument("name", metavar="NAME", help="the assignment's id: lower-case letters, digits, '.', '_', '-'")
    p.add_argument("--output", metavar="PATH", help="write the file to PATH (default: NAME.toml here)")
    return p


def new_main(argv: Sequence[str]) -> int:
    args = new_parser().parse_args(list(argv))
    prog = "verify new-assignment"
    if not _NAME.fullmatch(args.name):
        print(f"{prog}: {args.name!r} is not an assignment id (lower-case letters, digits, '.', '_', '-')",
              file=sys.stderr)
        return 2
    target = Path(args.output) if args.output else Path(f"{args.name}.toml")
    try:
        # "x": created here or not at all, so an existing file (or a link to one) is never overwritten
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        print(f"{prog}: {target} exists; not overwritten (choose another --output)", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"{prog}: cannot write {target}: {err.strerror}", file=sys.stderr)
        return 2
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(starting_file(args.name))
    except OSError as err:
        target.unlink(missing_ok=True)
        print(f"{prog}: cannot write {target}: {err.strerror}", file=sys.stderr)
        return 2
    print(f"{prog}: wrote {target}; see what students will be asked with 'python -m verify questions {target}' "
          f"and check it with 'python -m verify assignment check {target}'", file=sys.stderr)
    return 0


def starting_file(name: str) -> str:
    """The starting file for assignment ``name``: every key of the format, each explained."""
    return _STARTING.replace("@NAME@", name)


_STARTING = r"""# An assignment for verify (README: "Writing an assignment as a file").
#   python -m verify questions @NAME@.toml                     what students will be asked
#   python -m verify assignment check @NAME@.toml              prove every reference answer and solution step
#   python -m verify grade --assignment @NAME@.toml subs/      grade submissions
# Expressions are LaTeX in single quotes ('...' or '''...'''), where a backslash is just a backslash.

id = "@NAME@"                          # required: lower-case letters, digits, '.', '_', '-'
title = "A first assignment"
layout = "numerator"                   # derivatives' layout: "numerator" (default) or "denominator"
partial_credit = 0.5                   # share of the points for a right answer reached through a wrong step

[symbols]                              # every name an expression uses, shared by every question
x = "vector(n)"                        # scalar | vector(D) | matrix(D, D), then properties:
A = "matrix(m, n)"                     #   symmetric, invertible, positive, orthogonal, diagonal,
Q = "matrix(n, n), symmetric"          #   positive definite, in(a, b), of(v1, v2, ...)
c = "vector(n)"

[meaning]                              # optional: what each symbol stands for (shown to students)
x = "the input, a column of n numbers"

[define]                               # name := expression, read wherever a student writes the name;
y = 'A x'                              # shown to students exactly as written here
h = '\frac{1}{2} x^T Q x + c^T x'

# ---------------------------------------------------------------- an expression
[[question]]
id = "linear"                          # the heading students answer under: ## linear
points = 1
prompt = '''
With $y = A x$, find $\frac{\partial y}{\partial x}$ (numerator layout).
'''
asked = '\frac{\partial y}{\partial x}'   # what is asked: the left side of the reference claim asked = answer
answer = 'A'                           # the reference answer
solution = ['\frac{\partial (A x)}{\partial x}', 'A']   # optional: each equal to the one before, the last to answer

[[question]]
id = "gradient"
points = 2
prompt = '''
Find the gradient $\nabla_x h$ of $h = \frac{1}{2} x^T Q x + c^T x$, with $Q$ symmetric.
'''
asked = '\nabla_x h'
answer = 'Q x + c'
solution = ['\frac{1}{2} (Q + Q^T) x + c', 'Q x + c']

# ---------------------------------------------------------------- an equation (a condition)
[[question]]
id = "orthogonal"
kind = "equation"                      # right when lhs - rhs is a nonzero multiple of the reference's
points = 1
prompt = '''
For which $a$ and $b$ are $(a, 1)$ and $(1, b)$ orthogonal? Give the condition as an equation.
'''
answer = 'a + b = 0'                   # a = -b, 2a + 2b = 0 are as right

[question.symbols]                     # names only this question uses
a = "scalar"
b = "scalar"

# ---------------------------------------------------------------- true or false
[[question]]
id = "trace"
kind = "true-false"
points = 1
prompt = '''
True or false: $\operatorname{tr}(B^T) = \operatorname{tr}(B)$ for every square matrix $B$. Say why.
'''
answer = true                          # a TOML boolean: true or false, no quotes
justify = true                         # the reasoning is flagged for a TA to read
why = "transposing keeps the diagonal"
solution = ['\operatorname{tr}(B^T)', '\operatorname{tr}(B)']   # optional: a supporting computation

[question.symbols]
B = "matrix(k, k)"

# ---------------------------------------------------------------- parts
[[question]]
id = "norm"
kind = "parts"                         # each part given by its own equation, an equal share of the points
points = 2
prompt = '''
Let $r = y^T y$ with $y = A x$. Give $\frac{\partial r}{\partial x}$ (a row), then $\nabla_x r$ (a column).
'''

[question.define]
r = 'y^T y'

[[question.part]]
name = '\frac{\partial r}{\partial x}'  # the left side a student writes
answer = '2 x^T A^T A'

[[question.part]]
name = '\nabla_x r'
answer = '2 A^T A x'
"""
