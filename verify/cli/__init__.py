"""The command line: ``python -m verify`` (the HW1 suite) and its subcommands, one module each.

:mod:`.suite` runs the suite's claims, :mod:`.check` a claims file, :mod:`.grade` submissions,
:mod:`.questions` lists an assignment's questions; :mod:`.options` parses the options they share
(one parser per option, so that the commands cannot drift apart). The top layer: it may import
every package below it (``tests/test_layering.py``), and nothing imports it.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import signal
import sys
from collections.abc import Sequence

from rich.console import Console

from verify.cli import options
from verify.cli.check import main as check_main
from verify.cli.grade import main as grade_main
from verify.cli.questions import main as questions_main
from verify.cli.suite import run
from verify.deciding import DEFAULT_TIMEOUT, CacheError, ClusterError, set_memory_limit
from verify.reporting import render


def suite_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify",
        description="Decide every claim of the HW1 derivations (derivations/) and print a pass/fail table. "
        "Exit 0 when every verdict agrees with the claim's expect, 1 otherwise, "
        "2 when the Dask scheduler cannot be reached or --cache is not a decision cache, "
        "130 when interrupted.",
        epilog="Other commands: 'python -m verify check FILE.toml' checks a claims file "
        "(see README); run 'python -m verify check --help' for its options.",
    )
    p.add_argument("--only", metavar="PATTERN", action="append",
                   help="decide only claims whose id matches this glob (or contains this text); repeatable")
    p.add_argument("--format", choices=("table", "json", "html"), default="table",
                   help="output format (default: table)")
    p.add_argument("--output", metavar="FILE", help="with --format html: write the page to FILE instead of stdout")
    options.add_limits(p, DEFAULT_TIMEOUT)
    p.add_argument("--list", action="store_true", help="list the claims' ids and statements, decide nothing")
    options.add_arguments(p)
    return p


def _matches(claim_id: str, patterns: Sequence[str] | None) -> bool:
    if not patterns:
        return True
    return any(fnmatch.fnmatchcase(claim_id, p) or p in claim_id for p in patterns)


def suite(argv: Sequence[str]) -> int:
    args = suite_parser().parse_args(argv)
    if args.output is not None and args.format != "html":
        suite_parser().error("--output is for --format html")
    from derivations import all_claims

    claims = [(f, c) for f, c in all_claims() if _matches(c.id, args.only)]
    out = Console()
    if args.list:
        for _, c in claims:
            out.print(f"[cyan]{c.id}[/]  {c.statement}", highlight=False, markup=True)
        return 0
    if not claims:
        print(f"no claim matches {' or '.join(args.only or [])}; see --list", file=sys.stderr)
        return 1
    set_memory_limit(args.memory)
    try:
        rows = run(claims, timeout=args.timeout, execution=options.execution_of(args, args.timeout))
    except (ClusterError, CacheError) as err:
        print(f"verify: {err}", file=sys.stderr)
        return 2
    undecided = options.report_undecided("verify", [r.result for r in rows], "claims")
    if args.format == "html":
        from verify.reporting import claims_page, emit

        if not emit(claims_page(rows, claims, title="HW1 claims"), args.output):
            return 2
    elif args.format == "json":
        print(json.dumps({"claims": [r.to_json() for r in rows]}, indent=2))
    else:
        render(rows, out, title="HW1 claims")
    return 1 if undecided else 0 if all(r.ok for r in rows) else 1



COMMANDS = {"suite": suite, "check": check_main, "grade": grade_main, "questions": questions_main}


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; Ctrl-C ends it with one line and exit 130 (its workers are killed on the
    way out, and the outputs, written atomically, are either whole or untouched)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            return COMMANDS[argv[0]](argv[1:])
        return suite(argv)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the goodbye
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
