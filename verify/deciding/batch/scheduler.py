"""Deciding many claims in up to N worker processes, each decision under hard limits.

Why processes that are forked, and no threads: a decision is CPU-bound SymPy (threads would
share one GIL), it must be stoppable at any moment (only killing a process stops C-level
big-integer work), and forking from a process that runs other threads can leave a lock held
forever in the child. So this module never starts a thread: the parent multiplexes the
workers' pipes with :func:`multiprocessing.connection.wait` and enforces every deadline itself.

Claims never travel to a worker: a worker is forked after the claims exist and finds them in
its copy of the parent's memory; the parent sends only an index. What comes back is a Result
as JSON (our own strings), never a pickle.

Two ways of using workers, both here so they can be measured against each other:
- ``persistent`` (the default): N long-lived workers fed indices through their pipes; a
  worker that overruns its deadline is killed and replaced by a fresh fork. SymPy's caches
  and lazily imported modules stay warm from one decision to the next.
- ``fork``: one forked child per decision, which exits after it. Every decision starts
  from the parent's state, so nothing one decision did can leak into another.
Measured on this project's 2-core machine (``python bench/scale.py``, part m): persistent
workers decide the 87 suite claims 1.8x faster than a fork per decision at -j 1 (5.7 s
against 10.5 s) and 1.2x at -j 2; on 200 cheap claims 6 to 9x (2.3 s against 13 to 21 s).
A fork itself is cheap; what a fresh child loses is what SymPy has cached so far, and the
claims of one batch (one question's answers, one suite) share most subexpressions.

The limits are the hostile-input issue's: a wall-clock deadline per decision (the worker is
killed, the claim becomes ``unknown``, "timed out after ... while <last progress>") and an
address-space cap per worker (``resource.setrlimit``; SymPy then raises MemoryError, which
becomes ``unknown``; a worker that dies instead is reported as such).
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from typing import Literal

from verify.deciding.engine import DEFAULT_TIMEOUT, guarded, warm_up
from verify.deciding.isolation import CONFIGURED, memory_limit
from verify.model import Claim, CodecError, Result, Verdict, result_from_json, result_to_json

Report = Callable[[str], None]
#: How a worker decides one claim: the engine's guarded dispatch (errors become verdicts).
#: how a worker decides one claim (engine.guarded by default)
DecideOne = Callable[[Claim, Report], Result]
OnProgress = Callable[[int, str], None]
OnDone = Callable[[int, Result], None]
Mode = Literal["persistent", "fork"]


def cores() -> int:
    """The cores this process may run on (the default number of workers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def timed_out(timeout: float, last: str, seconds: float) -> Result:
    return Result(Verdict.UNKNOWN, detail=f"timed out after {timeout:g} s while {last}", seconds=seconds)


def died(last: str, exitcode: int | None, seconds: float, memory_mb: int | None) -> Result:
    """The same words as :func:`verify.deciding.engine.decide`, so that a result does not
    depend on which of the two ran it."""
    return Result(Verdict.UNKNOWN, seconds=seconds,
                  detail=f"the worker died while {last} (exit code {exitcode}): "
                  f"over the memory limit ({memory_mb or 'none set'} MB)?")


# ---------------------------------------------------------------------------------------
# The worker side.


def _cap_memory(memory_mb: int | None) -> None:
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent(parent: int) -> None:
    """Be killed when the parent dies (Linux's PR_SET_PDEATHSIG): a worker orphaned by a killed
    command would otherwise go on with a runaway decision that nobody will ever stop."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pipe's end still stops an idle worker
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _child(conn: Connection, others: Sequence[Connection], claims: Sequence[Claim], decider: DecideOne,
           memory_mb: int | None, once: int | None, parent: int) -> None:
    """A worker's whole life; it leaves with ``os._exit`` so that none of the parent's exit
    handlers (flushing its buffers, closing its cache) run twice."""
    code = 0
    try:
        _die_with_parent(parent)
        for other in others:  # the parent's ends of the other workers' pipes
            other.close()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        _cap_memory(memory_mb)
        while True:
            if once is not None:
                index = once
            else:
                try:
                    index = json.loads(conn.recv_bytes())
                except EOFError:
                    break
                if index is None:
                    break
            _decide_one(conn, index, claims[index], decider)
            if once is not None:
                break
    except BaseException:  # a worker never returns into the parent's code
        code = 70
    finally:
        os._exit(code)


def _decide_one(conn: Connection, index: int, claim: Claim, decider: DecideOne) -> None:
    def report(message: str) -> None:
        conn.send_bytes(json.dumps(["progress", index, message]).encode())

    try:
        result = decider(claim, report)
    except MemoryError:  # the guard turns it into a verdict; this is for a decider without one
        result = Result(Verdict.UNKNOWN, detail="memory limit reached while deciding")
    conn.send_bytes(json.dumps(["done", index, result_to_json(result)]).encode())


# ---------------------------------------------------------------------------------------
# The parent side.


@dataclass
class _Worker:
    pid: int
    conn: Connection
    index: int | None = None
    decided: int = 0
    started: float = 0.0
    last: str = "starting"
    alive: bool = True
    #: the time limit of the claim it is deciding (None: none)
    limit: float | None = None

    def kill(self) -> int | None:
        """Stop the process (if it still runs) and reap it; its exit code as multiprocessing says it."""
        if not self.alive:
            return None
        self.alive = False
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, status = os.waitpid(self.pid, 0)
            code: int | None = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            code = None
        self.conn.close()
        return code

    def reap(self) -> int | None:
        """Wait for a process that has closed its pipe (died or exited) and return its exit code."""
        if not self.alive:
            return None
        self.alive = False
        try:
            _, status = os.waitpid(self.pid, 0)
            code: int | None = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            code = None
        self.conn.close()
        return code


@dataclass
class Scheduler:
    """Decides a list of claims in up to ``jobs`` workers; see the module docstring."""

    jobs: int = 1
    timeout: float | None = DEFAULT_TIMEOUT
    #: address-space cap per worker, MB (None: none; CONFIGURED: isolation.set_memory_limit's)
    memory_mb: int | None = CONFIGURED
    mode: Mode = "persistent"
    #: a persistent worker is replaced after this many decisions, so that what SymPy caches
    #: (bounded, but per worker) and any leak of ours cannot grow without end
    recycle_after: int = 500
    decider: DecideOne = guarded
    _workers: list[_Worker] = field(default_factory=list)

    def run(self, claims: Sequence[Claim], on_progress: OnProgress = lambda i, m: None,
            on_done: OnDone = lambda i, r: None, limits: Sequence[float] | None = None) -> list[Result]:
        """Every claim's result, in input order; ``on_done`` is called as each one is known.

        ``limits``: a time limit per claim, lower than ``timeout`` where a caller shares out a
        budget (a grader's per-submission budget); ``timeout`` still caps each one.
        """

        def limit_of(index: int) -> float | None:
            if limits is None:
                limit = self.timeout
            else:
                limit = limits[index] if self.timeout is None else min(self.timeout, limits[index])
            return limit if limit is not None and math.isfinite(limit) else None  # inf: no limit

        if not claims:  # everything was in the cache: no worker, and nothing to import for one (24 ms)
            return []
        warm_up()  # before the first fork, so that no worker imports it again
        results: list[Result | None] = [None] * len(claims)
        pending = deque(range(len(claims)))
        idle: list[_Worker] = []
        busy: dict[Connection, _Worker] = {}
        jobs = max(1, self.jobs)
        memory_mb = memory_limit() if self.memory_mb == CONFIGURED else self.memory_mb

        def settle(worker: _Worker) -> None:
            """Read everything the worker has sent; when it has finished (or died), record it."""
            assert worker.index is not None
            result = self._drain(worker, on_progress, memory_mb)
            if result is None:
                return
            del busy[worker.conn]
            index, worker.index = worker.index, None
            worker.decided += 1
            if self.mode == "fork":
                worker.reap()
            elif not worker.alive or worker.decided >= self.recycle_after or result.verdict is Verdict.UNKNOWN:
                worker.kill()  # after an unknown (a memory cap, a bug of ours) no state is carried on
            else:
                idle.append(worker)
            results[index] = result
            on_done(index, result)

        try:
            while pending or busy:
                while pending and len(busy) < jobs:
                    index = pending.popleft()
                    if self.mode == "fork":
                        worker = self._fork(claims, memory_mb, once=index)
                    else:
                        worker = idle.pop() if idle else self._fork(claims, memory_mb, once=None)
                        worker.conn.send_bytes(json.dumps(index).encode())
                    worker.index, worker.started, worker.last = index, time.perf_counter(), "starting"
                    worker.limit = limit_of(index)
                    busy[worker.conn] = worker
                for conn in wait(list(busy), timeout=self._wait_for(busy.values())):
                    settle(busy[conn])  # type: ignore[index]  # wait() gives back busy's own keys, typed wider
                now = time.perf_counter()
                for worker in [w for w in busy.values() if w.limit is not None and now - w.started >= w.limit]:
                    settle(worker)  # what it sent just before the deadline still counts
                    if worker.index is None:
                        continue
                    index, limit = worker.index, worker.limit
                    assert limit is not None
                    worker.kill()
                    del busy[worker.conn]
                    timed = timed_out(limit, worker.last, now - worker.started)
                    results[index] = timed
                    on_done(index, timed)
        finally:
            for worker in [*idle, *busy.values()]:
                worker.kill()
            self._workers = []
        assert all(r is not None for r in results)
        return results  # type: ignore[return-value]  # all set (asserted); list[Result | None] does not narrow

    @staticmethod
    def _drain(worker: _Worker, on_progress: OnProgress, memory_mb: int | None) -> Result | None:
        """Process the messages waiting on the worker's pipe: its result, a death, or None (still working)."""
        assert worker.index is not None
        while worker.conn.poll():
            try:
                kind, _, payload = json.loads(worker.conn.recv_bytes())
            except (EOFError, OSError, ValueError):
                code = worker.reap()
                return died(worker.last, code, time.perf_counter() - worker.started, memory_mb)
            if kind == "progress":
                worker.last = str(payload)
                on_progress(worker.index, worker.last)
                continue
            try:
                return result_from_json(payload)
            except CodecError as err:
                return Result(Verdict.UNKNOWN, detail=f"internal error: a worker's answer was unreadable: {err}")
        return None

    def _fork(self, claims: Sequence[Claim], memory_mb: int | None, once: int | None) -> _Worker:
        ours, theirs = Pipe(duplex=True)
        others = [w.conn for w in self._workers if w.alive]
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            ours.close()
            _child(theirs, others, claims, self.decider, memory_mb, once, parent)
        theirs.close()
        worker = _Worker(pid, ours)
        self._workers = [w for w in self._workers if w.alive] + [worker]
        return worker

    @staticmethod
    def _wait_for(busy: Iterable[_Worker]) -> float | None:
        deadlines = [w.started + w.limit for w in busy if w.limit is not None]
        return max(0.0, min(deadlines) - time.perf_counter()) if deadlines else None


def decide_many(claims: Sequence[Claim], *, jobs: int = 1, timeout: float | None = DEFAULT_TIMEOUT,
                memory_mb: int | None = CONFIGURED, mode: Mode = "persistent",
                on_progress: OnProgress = lambda i, m: None, on_done: OnDone = lambda i, r: None) -> list[Result]:
    """Decide ``claims`` in up to ``jobs`` forked workers; the results in input order."""
    return Scheduler(jobs, timeout, memory_mb, mode).run(claims, on_progress, on_done)
