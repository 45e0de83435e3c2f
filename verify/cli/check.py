"""``python -m verify check FILE.toml|DIR [...] [--format table|compact|json|html] [--output FILE] [--timeout S]``.

Checks the claims of one or more claims files (:mod:`verify.reading.claims_file`; a folder stands
for every ``*.toml`` in it, sorted) and reports each claim's verdict. A claim whose id another claim
of the run already uses (in its file or an earlier one) is an error naming both lines. Exit status,
as the contract fixes it: 0 when every claim is proved or matches its ``expect``; 1 otherwise; 2
when a file cannot be read at all (that file is named on stderr in one line; the claims of the
other files are still checked).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from verify.cli import options
from verify.cli.suite import run
from verify.deciding import DEFAULT_TIMEOUT, CacheError, ClusterError, Execution, set_memory_limit
from verify.model import Claim, Result, Verdict
from verify.reading import ClaimsFile, ClaimsFileError, load_claims_file
from verify.reporting import Row, render, statement_text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify check",
        description="Check the claims of TOML claims files (LaTeX expressions; see README). "
        "Exit 0 when every claim is proved or matches its expect, 1 otherwise, "
        "2 when a file cannot be read at all, the Dask scheduler cannot be reached or --cache is not "
        "a decision cache, 130 when interrupted. Claims a cluster could not decide are unknown, "
        "counted on stderr, and make the exit status 1.",
    )
    p.add_argument("files", nargs="+", metavar="FILE.toml|DIR",
                   help="claims files to check, or folders: every *.toml in a folder, sorted by name")
    options.add_output(p, ("table", "compact", "json", "html"))
    options.add_limits(p, DEFAULT_TIMEOUT)
    options.add_arguments(p)
    return p


def rows_of(files: Sequence[ClaimsFile], timeout: float | None, console: Console | None = None,
            execution: Execution | None = None) -> list[Row]:
    """One row per claim, in file order: decided claims and unreadable ones (verdict error);
    decided as ``execution`` says (default: one at a time, no cache)."""
    decidable: list[tuple[str, Claim]] = [
        (f.path, c) for f in files for e in f.entries for c in (e.claim or e.transposed,) if c is not None
    ]
    decided = iter(run(decidable, timeout=timeout, console=console, execution=execution))
    rows: list[Row] = []
    for f in files:
        for e in f.entries:
            if e.claim is not None:
                rows.append(next(decided))
                continue
            detail = e.problem or ""
            if e.transposed is not None:  # m x n against n x m: an error, and perhaps a layout mix-up
                flipped = next(decided).result
                if flipped.verdict is Verdict.PROVED:
                    detail += (f"; the left side is the transpose of the right (proved, {flipped.scope}): "
                               "is this a layout mix-up?")
            rows.append(Row(f.path, e.id, e.statement, Result(Verdict.ERROR, detail=detail), f.title, e.expect))
    return rows


def expand(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """The claims files the paths name (a folder: its ``*.toml`` files, sorted), and one message per
    path that names none (missing, neither a file nor a folder, a folder without a ``*.toml``)."""
    files: list[str] = []
    problems: list[str] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(str(f) for f in p.glob("*.toml") if f.is_file())
            if not found:
                problems.append(f"{path}: a folder with no *.toml file in it")
            files.extend(found)
        elif p.is_file():
            files.append(path)
        elif not p.exists():
            problems.append(f"{path}: no such file or folder")
        else:
            problems.append(f"{path}: neither a file nor a folder")
    return files, problems


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(list(argv))
    files: list[ClaimsFile] = []
    paths, problems = expand(args.files)
    for message in problems:
        print(f"verify check: {message}", file=sys.stderr)
    unreadable = bool(problems)
    for path in paths:
        try:
            files.append(load_claims_file(path))
        except ClaimsFileError as err:
            print(f"verify check: {err.message}", file=sys.stderr)
            unreadable = True
    for f in files:
        if not f.entries:
            print(f"verify check: {f.path}: no [[claim]] in the file", file=sys.stderr)
    set_memory_limit(args.memory)
    try:
        rows = rows_of(files, args.timeout, execution=options.execution_of(args, args.timeout))
    except (ClusterError, CacheError) as err:
        print(f"verify check: {err}", file=sys.stderr)
        return 2
    undecided = options.report_undecided("verify check", [r.result for r in rows], "claims")
    if args.format == "html":
        from verify.reporting import claims_page, emit

        decided = [(f.path, e.claim) for f in files for e in f.entries if e.claim is not None]
        titles = {f.path: f"{f.title} ({f.path})" if f.title else f.path for f in files}
        if not emit(claims_page(rows, decided, title="verify check", group_by="file", group_titles=titles),
                    args.output, "verify check"):
            return 2
    elif args.format == "json":
        if not options.write_output(json.dumps({"claims": [r.to_json(extended=False) for r in rows]}, indent=2)
                                    + "\n", args.output, "verify check"):
            return 2
    else:
        out, buffer = options.report_console(args.output)
        start = 0
        for f in files:
            mine, start = rows[start:start + len(f.entries)], start + len(f.entries)
            if mine:
                statements = [statement_text(e.claim) if e.claim is not None else e.statement for e in f.entries]
                # a title is the file's own text: shown as written, never read as rich markup (render's rule)
                render(mine, out, title=f"{f.title} ({f.path})" if f.title else f.path, statements=statements,
                       compact_layout=True if args.format == "compact" else None)
        if buffer is not None and not options.write_output(buffer.getvalue(), args.output, "verify check"):
            return 2
    if unreadable:
        return 2
    return 1 if undecided else 0 if all(r.ok for r in rows) else 1
