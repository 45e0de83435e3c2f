"""The command line: ``python -m verify`` (the HW1 suite) and its subcommands, one module each.

:mod:`.suite` runs the suite's claims, :mod:`.check` a claims file, :mod:`.grade` submissions,
:mod:`.questions` lists an assignment's questions, :mod:`.assignment` checks an assignment file and
writes a new one; :mod:`.options` parses the options they share
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
from rich.markup import escape

from verify.cli import options
from verify.cli.assignment import main as assignment_main
from verify.cli.assignment import new_main as new_assignment_main
from verify.cli.check import main as check_main
from verify.cli.grade import main as grade_main
from verify.cli.gradescope import main as gradescope_main
from verify.cli.questions import main as questions_main
from verify.cli.suite import run
from verify.deciding import DEFAULT_TIMEOUT, CacheError, ClusterError, set_memory_limit
from verify.reporting import render, statement_text

#: One line per command for the top-level --help (a command without one is described by the
#: first line of its module's docstring).
SUMMARIES = {
    "": "(no command) decide every HW1 claim (derivations/) and print the table; the options above",
    "check": "check the claims of TOML claims files or folders of them: check FILE.toml|DIR ...",
    "grade": "grade submissions against an assignment: grade --assignment hw1 PATH ...",
    "questions": "list an assignment's questions, the symbols to use and the points: questions hw1",
    "gradescope": "build a Gradescope autograder zip: gradescope --assignment hw1 --output autograder.zip",
    "assignment": "check an assignment file's questions, references and solutions: assignment check FILE.toml",
    "new-assignment": "write a commented starting assignment file: new-assignment NAME (NAME.toml)",
}


def _commands_epilog() -> str:
    lines = ["commands (run 'python -m verify COMMAND --help' for the options of each):"]
    for name in ("", *COMMANDS):
        if name == "suite":
            continue
        summary = SUMMARIES.get(name)
        if summary is None:
            doc = sys.modules[COMMANDS[name].__module__].__doc__ or ""
            summary = next((line.strip() for line in doc.splitlines() if line.strip()), name)
        lines.append(f"  {name or '(none)':<{max(map(len, COMMANDS)) + 1}} {summary}")
    return "\n".join(lines)


def suite_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify",
        usage="python -m verify [COMMAND] [options]",
        description="Decide every claim of the HW1 derivations (derivations/) and print a pass/fail table, "
        "or run one of the commands below. "
        "Exit 0 when every verdict agrees with the claim's expect, 1 otherwise, "
        "2 when the Dask scheduler cannot be reached or --cache is not a decision cache, "
        "130 when interrupted.",
        epilog=_commands_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--only", metavar="PATTERN", action="append",
                   help="decide only claims whose id matches this glob (or contains this text); repeatable")
    options.add_output(p, ("table", "compact", "json", "html"))
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
    from derivations import all_claims

    claims = [(f, c) for f, c in all_claims() if _matches(c.id, args.only)]
    out = Console()
    if args.list:
        for _, c in claims:
            out.print(f"[cyan]{escape(c.id)}[/]  {escape(c.statement)}", highlight=False, markup=True)
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
        if not options.write_output(json.dumps({"claims": [r.to_json() for r in rows]}, indent=2) + "\n",
                                    args.output, "verify"):
            return 2
    else:
        console, buffer = options.report_console(args.output)
        render(rows, console, title="HW1 claims", statements=[statement_text(c) for _, c in claims],
               compact_layout=True if args.format == "compact" else None)
        if buffer is not None and not options.write_output(buffer.getvalue(), args.output, "verify"):
            return 2
    return 1 if undecided else 0 if all(r.ok for r in rows) else 1



COMMANDS = {"suite": suite, "check": check_main, "grade": grade_main, "questions": questions_main,
            "gradescope": gradescope_main, "assignment": assignment_main, "new-assignment": new_assignment_main}


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
