"""Running a function in a forked worker process that is killed when it overruns.

Why not ``signal.alarm``: it works only on the main thread and cannot interrupt a long
big-integer operation inside C; a killed process always stops. The worker may report
progress messages, so that a timeout can say what was being done.

Progress travels on a pipe of its own, which the parent reads every :data:`TICK` seconds and
once more when the worker has answered, timed out or died, not on the answer's pipe: a message
there woke the parent for every phase of a decision (six for a small claim, 0.1-0.3 ms of a
10 ms fork-and-decide). Every message still reaches ``progress``, in order, and the last one
written before a kill or a death names what was being done (a pipe outlives its writer).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Report = Callable[[str], None]

#: How often the parent reads the progress pipe while a worker runs (seconds).
TICK = 0.05
#: A progress message's most bytes: a write of at most PIPE_BUF (4096) bytes to a pipe is never
#: interleaved or split, so the parent reads whole messages.
_MESSAGE_BYTES = 1000


@dataclass(frozen=True)
class Outcome:
    status: Literal["done", "timeout", "memory", "died"]
    value: Any = None
    seconds: float = 0.0
    last: str = ""
    exitcode: int | None = None


#: Address-space cap of a worker, so that one runaway expression cannot take the machine.
DEFAULT_MEMORY_MB = 4096
#: The smallest cap ``--memory`` accepts. The cap is on the address space, and a worker is a fork
#: of the command: it starts with all the command's mappings (Python, SymPy, the claims, the
#: shared libraries; about 100 MB for ``check``). Below about 200 MB what a decision may allocate
#: depends on how much of the parent's heap happens to be free at the fork, so the grades vary
#: from run to run: measured on examples/submissions/realistic{,-2} (22 files, -j 2), caps of
#: 64 and 128 MB gave a different grade book on each run, 192 MB and up the same one as no cap.
MIN_MEMORY_MB = 256

_memory_mb: int | None = DEFAULT_MEMORY_MB
#: ``run_isolated``'s default: the cap set by :func:`set_memory_limit`.
CONFIGURED = -1


def set_memory_limit(memory_mb: int | None) -> None:
    """The address-space cap, in MB, of every worker started from now on (None or 0: none).

    A command sets it once from its ``--memory`` option; it is read when a worker is forked,
    so a notebook or a thread pool that calls :func:`verify.decide` gets the same cap.
    """
    global _memory_mb
    _memory_mb = memory_mb or None


def memory_limit() -> int | None:
    """The cap :func:`set_memory_limit` set (DEFAULT_MEMORY_MB unless changed)."""
    return _memory_mb


def _worker(fn: Callable[[Report], Any], conn: Any, memory_mb: int | None, progress_fd: int) -> None:
    """The child's whole life. Nothing it meets is printed (a traceback from a worker would land
    in the user's terminal): whatever goes wrong, the parent sees an answer or a death."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        if memory_mb:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        def report(message: str) -> None:
            line = " ".join(message.split()).encode("utf-8", "replace")[:_MESSAGE_BYTES] + b"\n"
            try:
                os.write(progress_fd, line)
            except BlockingIOError:  # 64 KB the parent has not read yet: this one is dropped
                pass

        try:
            value = fn(report)
        except MemoryError:  # the cap was reached: what fn held is released by now
            conn.send(("memory", None))
        else:
            conn.send(("result", value))
        conn.close()
    except MemoryError:
        code = 71
    except BaseException:  # the parent reports a worker that died without an answer
        code = 70
    finally:
        os._exit(code)


def run_isolated(
    fn: Callable[[Report], Any],
    timeout: float,
    progress: Report = lambda s: None,
    memory_mb: int | None = CONFIGURED,
) -> Outcome:
    """``fn(report)`` in a fresh forked process; its return value must be picklable.

    Status ``memory``: ``fn`` raised MemoryError under the cap (``memory_mb``; by default the
    one :func:`set_memory_limit` set); ``died``: the worker ended without an answer.
    """
    if memory_mb == CONFIGURED:
        memory_mb = _memory_mb
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    progress_in, progress_out = os.pipe()
    os.set_blocking(progress_out, False)  # a worker never waits for the parent to read
    os.set_blocking(progress_in, False)
    proc = ctx.Process(target=_worker, args=(fn, child, memory_mb, progress_out), daemon=True)
    start = time.perf_counter()
    # The child shares the parent's memory until it writes a page, and a garbage collection in
    # it would write to every page of the parent's objects (their GC headers): frozen, they are
    # never collected there. A fork-per-claim decision made ~340 fewer page copies (1-4 ms of a
    # 10 ms claim on this machine); unfrozen right after, so the parent still collects them.
    gc.freeze()
    try:
        proc.start()
    except BaseException:  # no worker: nothing will read or write the progress pipe
        os.close(progress_in)
        raise
    finally:
        gc.unfreeze()
        os.close(progress_out)  # the worker has its own copy
    child.close()
    messages = _Messages(progress_in, progress)
    try:
        while True:
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                return Outcome("timeout", seconds=time.perf_counter() - start, last=messages.read())
            if not parent.poll(min(left, TICK)):
                messages.read()
                continue
            try:
                kind, payload = parent.recv()
            except EOFError:
                proc.join(1)
                return Outcome("died", seconds=time.perf_counter() - start, last=messages.read(),
                               exitcode=proc.exitcode)
            if kind == "result":
                return Outcome("done", payload, time.perf_counter() - start, messages.read())
            return Outcome("memory", seconds=time.perf_counter() - start, last=messages.read())
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
        os.close(progress_in)


class _Messages:
    """The parent's end of the progress pipe: whole lines handed to ``progress`` in order."""

    def __init__(self, fd: int, progress: Report) -> None:
        self.fd = fd
        self.progress = progress
        self.last = "starting"
        self._partial = b""

    def read(self) -> str:
        """Everything written so far, each message passed on; the last message (or "starting")."""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            if not chunk:  # every writer has closed it (the worker ended)
                break
            *lines, self._partial = (self._partial + chunk).split(b"\n")
            for line in lines:
                self.last = line.decode("utf-8", "replace")
                self.progress(self.last)
        return self.last
