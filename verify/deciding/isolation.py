"""Running a function in a forked worker process that is killed when it overruns.

Why not ``signal.alarm``: it works only on the main thread and cannot interrupt a long
big-integer operation inside C; a killed process always stops. The worker may report
progress messages, so that a timeout can say what was being done.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Report = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    status: Literal["done", "timeout", "died"]
    value: Any = None
    seconds: float = 0.0
    last: str = ""
    exitcode: int | None = None


#: Address-space cap of a worker, so that one runaway expression cannot take the machine.
DEFAULT_MEMORY_MB = 4096


def _worker(fn: Callable[[Report], Any], conn: Any, memory_mb: int | None) -> None:
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def report(message: str) -> None:
        conn.send(("progress", message))

    conn.send(("result", fn(report)))
    conn.close()


def run_isolated(
    fn: Callable[[Report], Any],
    timeout: float,
    progress: Report = lambda s: None,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> Outcome:
    """``fn(report)`` in a fresh forked process; its return value must be picklable."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(fn, child, memory_mb), daemon=True)
    start = time.perf_counter()
    proc.start()
    child.close()
    last = "starting"
    try:
        while True:
            left = timeout - (time.perf_counter() - start)
            if left <= 0 or not parent.poll(left):
                return Outcome("timeout", seconds=time.perf_counter() - start, last=last)
            try:
                kind, payload = parent.recv()
            except EOFError:
                proc.join(1)
                return Outcome("died", seconds=time.perf_counter() - start, last=last, exitcode=proc.exitcode)
            if kind == "result":
                return Outcome("done", payload, time.perf_counter() - start, last)
            last = payload
            progress(payload)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
