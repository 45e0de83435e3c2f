"""``python -m verify check FILE.toml [FILE2.toml ...] [--format table|json] [--timeout S] [--memory MB]``.

Checks the claims of one or more claims files (:mod:`verify.reading.claims_file`) and reports each
claim's verdict. Exit status, as the contract fixes it: 0 when every claim is proved or
matches its ``expect``; 1 otherwise; 2 when a file cannot be read at all (that file is
named on stderr in one line; the claims of the other files are still checked).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from verify.cli import options
from verify.cli.suite import run
from verify.deciding import DEFAULT_TIMEOUT, CacheError, ClusterError, Execution, set_memory_limit
from verify.model import Claim, Result, Verdict
from verify.reading import ClaimsFile, ClaimsFileError, load_claims_file
from verify.reporting import Row, render


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify check",
        description="Check the claims of TOML claims files (LaTeX expressions; see README). "
        "Exit 0 when every claim is proved or matches its expect, 1 otherwise, "
        "2 when a file cannot be read at all, the Dask scheduler cannot be reached or --cache is not "
        "a decision cache, 130 when interrupted. Claims a cluster could not decide are unknown, "
        "counted on stderr, and make the exit status 1.",
    )
    p.add_argument("files", nargs="+", metavar="FILE.toml", help="claims files to check")
    p.add_argument("--format", choices=("table", "json", "html"), default="table",
                   help="output format (default: table)")
    p.add_argument("--output", metavar="FILE", help="with --format html: write the page to FILE instead of stdout")
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


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(list(argv))
    if args.output is not None and args.format != "html":
        parser().error("--output is for --format html")
    files: list[ClaimsFile] = []
    unreadable = False
    for path in args.files:
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
        print(json.dumps({"claims": [r.to_json(extended=False) for r in rows]}, indent=2))
    else:
        out = Console()
        start = 0
        for f in files:
            mine, start = rows[start:start + len(f.entries)], start + len(f.entries)
            if mine:
                # a title is the file's own text: shown as written, never read as rich markup
                render(mine, out, title=escape(f"{f.title} ({f.path})" if f.title else f.path))
    if unreadable:
        return 2
    return 1 if undecided else 0 if all(r.ok for r in rows) else 1
