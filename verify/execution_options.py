"""The command-line options that say how decisions run, shared by the suite, ``check`` and ``grade``.

``-j/--jobs N`` (default: the cores here), ``--cache PATH`` / ``--no-cache`` (default: the
user's cache folder), ``--scheduler ADDRESS`` (a Dask cluster). One definition, so that the
three commands cannot drift apart.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from verify.deciding.cache import default_path
from verify.deciding.execution import Execution
from verify.deciding.scheduler import cores


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of worker processes: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least one worker process")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                   help=f"decide in N worker processes on this machine (default: the number of cores, {cores()})")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--cache", metavar="PATH", default=None,
                       help=f"the decision cache, a SQLite file (default: {default_path()}); a re-run over "
                       "unchanged inputs decides nothing again")
    where.add_argument("--no-cache", action="store_true", help="neither read nor write the decision cache")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="decide on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
                   "its workers need 'pip install verify[cluster]' of the same version")


def execution_of(args: argparse.Namespace, timeout: float | None) -> Execution:
    """The options as an Execution. ``--timeout 0`` (no limit) keeps its documented meaning,
    in-process, unless ``-j`` asks for workers (which then run without a deadline)."""
    cache = None if args.no_cache else Path(args.cache) if args.cache else default_path()
    jobs = args.jobs or (1 if timeout is None else cores())
    return Execution(jobs=jobs, timeout=timeout, cache=cache, scheduler=args.scheduler)
