"""The command-line options that say how decisions run, shared by the suite, ``check`` and ``grade``.

``-j/--jobs N`` (default: the cores here), ``--cache PATH`` / ``--no-cache`` (default: the
user's cache folder), ``--scheduler ADDRESS`` (a Dask cluster) and ``--cluster-timeout S``; and
the parsers of the limits every command takes (``--timeout``, ``--budget``, ``--memory``). One
definition, so that the three commands cannot drift apart: each option is read the same way
everywhere, 0 means "no limit" (for ``-j``: "as many as the cores"), and nan, inf, negative
numbers and absurdly large ones are refused with an argparse error (exit 2).
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console

from verify.deciding import (
    DEFAULT_CLUSTER_TIMEOUT,
    DEFAULT_MEMORY_MB,
    MIN_MEMORY_MB,
    CacheError,
    ClusterError,
    Execution,
    check_cache_file,
    cores,
    default_path,
    parse_address,
    probe,
    undecided_reasons,
)
from verify.errors import VerifyError
from verify.grading import Assignment, load_assignment
from verify.model import Result
from verify.reporting import write_text_atomic

#: The largest number of seconds any option takes (about 11.5 days); 0 is "no limit".
MAX_SECONDS = 1_000_000.0
#: The largest --memory, in MB (1 TiB).
MAX_MEMORY_MB = 1 << 20
#: The most worker processes -j takes.
MAX_JOBS = 1024

__all__ = ["CacheError", "ClusterError", "add_arguments", "add_limits", "add_output", "execution_of", "jobs",
           "megabytes", "report_console", "report_undecided", "seconds", "write_output"]

#: The width of a table written to a file (--output): room for the full columns.
FILE_WIDTH = 140


def seconds(text: str) -> float | None:
    """A number of seconds for --timeout, --budget, --cluster-timeout: 0 is no limit (None)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if math.isnan(value):
        raise argparse.ArgumentTypeError("not a number of seconds: nan")
    if value < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative: {text}")
    if value > MAX_SECONDS:  # also inf
        raise argparse.ArgumentTypeError(f"at most {MAX_SECONDS:g} seconds (0 for no limit): {text}")
    return None if value == 0 else value


def megabytes(text: str) -> int | None:
    """--memory: a whole number of MB, 0 for no cap (None), else at least MIN_MEMORY_MB."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of megabytes: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative: {text}")
    if value == 0:
        return None
    if value < MIN_MEMORY_MB:
        raise argparse.ArgumentTypeError(f"{value} MB is too little for a decision worker: the engine needs at "
                                         f"least {MIN_MEMORY_MB} MB (0 for no cap)")
    if value > MAX_MEMORY_MB:
        raise argparse.ArgumentTypeError(f"at most {MAX_MEMORY_MB} MB (0 for no cap): {text}")
    return value


def jobs(text: str) -> int | None:
    """-j: a number of worker processes, 0 for the default (None: the number of cores)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of worker processes: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative: {text}")
    if value > MAX_JOBS:
        raise argparse.ArgumentTypeError(f"at most {MAX_JOBS} worker processes: {text}")
    return value or None


def add_limits(p: argparse.ArgumentParser, timeout_default: float, budget_default: float | None = None) -> None:
    """--timeout, --memory (and --budget when ``budget_default`` is given), read alike by every command."""
    p.add_argument("--timeout", type=seconds, default=timeout_default, metavar="SECONDS",
                   help=f"wall-clock limit per decision, enforced in a killed worker process "
                   f"(default: {timeout_default:g}; 0 = no limit, and then decisions run one at a time in "
                   f"this process unless -j is given)")
    if budget_default is not None:
        p.add_argument("--budget", type=seconds, default=budget_default, metavar="SECONDS",
                       help="the most decision time one submission may take: its distinct claims share it, each "
                       f"up to --timeout, so that no file can hold up the class (default: {budget_default:g}; "
                       "0 = no limit)")
    p.add_argument("--memory", type=megabytes, default=DEFAULT_MEMORY_MB, metavar="MB",
                   help=f"address-space cap per worker process; a decision over it is unknown, 'memory limit' "
                   f"(default: {DEFAULT_MEMORY_MB}; at least {MIN_MEMORY_MB}; 0 = no cap)")


def add_output(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """--format (``table`` first, the default) and --output FILE, read alike by the suite and ``check``."""
    p.add_argument("--format", choices=formats, default="table",
                   help="output format (default: table: the full table on a terminal at least 100 columns wide, "
                   "one line per claim on a narrower one; compact: one line per claim at any width)")
    p.add_argument("--output", metavar="FILE",
                   help="write the report to FILE (atomically: whole or not at all) instead of standard output; "
                   "a table is then written 140 columns wide, without colour")


def report_console(output: str | None) -> tuple[Console, io.StringIO | None]:
    """Where a terminal report goes: the terminal, or (with --output) a buffer 140 columns wide,
    without colour, whose text :func:`write_output` then writes."""
    if output is None:
        return Console(), None
    buffer = io.StringIO()
    return Console(file=buffer, width=FILE_WIDTH, color_system=None, force_terminal=False), buffer


def write_output(text: str, output: str | None, prog: str) -> bool:
    """``text`` to ``output`` (atomically, with one line on stderr saying so) or to standard output;
    False, with one line on stderr saying why, when the file cannot be written."""
    try:
        if output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_text_atomic(output, text)
            print(f"{prog}: wrote {output}", file=sys.stderr)
    except OSError as err:
        print(f"{prog}: cannot write {err.filename or output}: {err.strerror}", file=sys.stderr)
        return False
    return True


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=jobs, default=None, metavar="N",
                   help=f"decide in N worker processes on this machine (default, or 0: the number of cores, "
                   f"{cores()})")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--cache", metavar="PATH", default=None,
                       help=f"the decision cache, a SQLite file (default: {default_path()}); a re-run over "
                       "unchanged inputs decides nothing again; a file that is not a decision cache is refused")
    where.add_argument("--no-cache", action="store_true", help="neither read nor write the decision cache")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="decide on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786 or host:8786); "
                   "its workers need 'pip install verify[cluster]' of the same version")
    p.add_argument("--cluster-timeout", type=seconds, default=DEFAULT_CLUSTER_TIMEOUT, metavar="SECONDS",
                   help=f"with --scheduler: when the cluster has no live worker, or sends back no decision, for "
                   f"this long (beyond the time limit of a decision), the decisions still pending are unknown, "
                   f"'not decided' (default: {DEFAULT_CLUSTER_TIMEOUT:g}; 0 = wait for ever)")


def report_undecided(prog: str, results: Iterable[Result], what: str) -> int:
    """One line on stderr per reason a cluster could not decide some results ("312 answers not
    decided: the scheduler was lost"); how many there were. A command that had any exits 1."""
    counts = undecided_reasons(list(results))
    for reason, n in counts.items():
        print(f"{prog}: {n} {what if n != 1 else what.rstrip('s')} not decided: {reason}", file=sys.stderr)
    return sum(counts.values())


def execution_of(args: argparse.Namespace, timeout: float | None) -> Execution:
    """The options as an Execution. ``--timeout 0`` (no limit) keeps its documented meaning,
    in-process, unless ``-j`` asks for workers (which then run without a deadline).

    Raises :class:`ClusterError` when --scheduler is malformed or cannot be reached (checked
    first, before any cache is read), :class:`CacheError` when --cache is not a decision cache.
    """
    if timeout is not None and not math.isfinite(timeout):
        timeout = None
    scheduler = getattr(args, "scheduler", None)
    if scheduler is not None:
        parse_address(scheduler)
        probe(scheduler)
    cache = None if args.no_cache else Path(args.cache) if args.cache else default_path()
    if cache is not None and args.cache:
        check_cache_file(cache)
    count = args.jobs or (1 if timeout is None else cores())
    return Execution(jobs=count, timeout=timeout, cache=cache, scheduler=scheduler,
                     cluster_timeout=getattr(args, "cluster_timeout", DEFAULT_CLUSTER_TIMEOUT))


def assignment_of(name: str, prog: str) -> Assignment | None:
    """The assignment ``--assignment`` names (a built-in name or a .toml path); None after saying
    on stderr why there is none (an unknown name, an assignment file that cannot be read), for the
    command to exit 2."""
    try:
        return load_assignment(name)
    except VerifyError as err:
        print(f"{prog}: {err.message}", file=sys.stderr)
        return None
