"""How a batch of claims is decided: the cache first, then local workers or a Dask cluster.

The commands (the suite, ``check``, ``grade``) describe the how once, as an
:class:`Execution`, and hand over their claims; what they get back does not depend on it.
A result is the same whether a claim was decided here in one worker, in N, on a cluster, or
read from the cache (a cached result keeps everything but its time, which is 0: nothing was
spent on it in this run).

Claims with the same mathematics (the cache key) are decided once per batch when the cache is
on, as they would be one after the other: the first decision is stored and the others read it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from verify.deciding.batch.cache import DecisionCache, key
from verify.deciding.batch.cluster import DEFAULT_CLUSTER_TIMEOUT, decide_on_cluster, probe
from verify.deciding.batch.scheduler import OnDone, Scheduler, cores
from verify.deciding.engine import DEFAULT_TIMEOUT, guarded
from verify.deciding.isolation import CONFIGURED
from verify.model import Claim, Result

OnProgress = Callable[[int, str], None]


@dataclass(frozen=True)
class Execution:
    """Where and under which limits decisions run; the defaults are the command line's."""

    #: worker processes on this machine
    jobs: int = 1
    #: wall-clock limit per decision; None decides in this process without one (when jobs == 1)
    timeout: float | None = DEFAULT_TIMEOUT
    #: address-space cap per worker, MB (None: none; CONFIGURED: the one isolation.set_memory_limit set)
    memory_mb: int | None = CONFIGURED
    #: the decision cache's file, or None for no cache
    cache: Path | None = None
    #: a Dask scheduler's address, or None to decide on this machine
    scheduler: str | None = None
    #: no live worker (or no decision back) for this long and the pending decisions are "not decided"
    cluster_timeout: float | None = DEFAULT_CLUSTER_TIMEOUT

    @classmethod
    def local(cls, timeout: float | None = DEFAULT_TIMEOUT, jobs: int | None = None) -> Execution:
        return cls(jobs=jobs or cores(), timeout=timeout)


@dataclass
class Stats:
    """What a batch cost: how many claims were read from the cache and how many decided."""

    claims: int = 0
    cached: int = 0
    decided: int = 0
    stored: int = 0


def decide_all(claims: Sequence[Claim], execution: Execution, on_progress: OnProgress = lambda i, m: None,
               on_done: OnDone = lambda i, r: None, stats: Stats | None = None,
               limits: Sequence[float] | None = None) -> list[Result]:
    """Every claim's result, in input order; ``on_done`` is called once per claim as it is known.

    ``limits``: a time limit per claim under ``execution.timeout`` (claims decided once for
    several get the largest of theirs).
    """
    stats = stats if stats is not None else Stats()
    stats.claims += len(claims)
    if execution.timeout is not None and not math.isfinite(execution.timeout):  # no limit, said another way
        execution = replace(execution, timeout=None)
    if execution.scheduler is not None and claims:
        probe(execution.scheduler)  # an unreachable scheduler is an error even when everything is cached
    results: list[Result | None] = [None] * len(claims)
    cache = DecisionCache(execution.cache) if execution.cache is not None else None
    try:
        keys = [key(c) if cache is not None else None for c in claims]
        # Claims with one key are decided once: the first of them stands for the others.
        first: dict[str, int] = {}
        followers: dict[int, list[int]] = {}
        todo: list[int] = []
        for i, k in enumerate(keys):
            hit = cache.get(k) if cache is not None and k is not None else None
            if hit is not None:
                stats.cached += 1
                results[i] = hit
                on_done(i, hit)
            elif k is not None and k in first:
                followers[first[k]].append(i)
            else:
                if k is not None:
                    first[k] = i
                followers[i] = []
                todo.append(i)

        def decided(j: int, result: Result) -> None:
            i = todo[j]
            stats.decided += 1
            if cache is not None and (k := keys[i]) is not None and cache.put(k, result):
                stats.stored += 1
            results[i] = result
            on_done(i, result)
            for f in followers[i]:
                same = result.with_seconds(0.0)
                results[f] = same
                on_done(f, same)

        batch = [claims[i] for i in todo]
        shared = None if limits is None else [max(limits[k] for k in (i, *followers[i])) for i in todo]
        if execution.scheduler is not None:
            decide_on_cluster(batch, execution.scheduler, execution.timeout, execution.memory_mb, on_done=decided,
                              local_jobs=execution.jobs, limits=shared, cluster_timeout=execution.cluster_timeout)
        elif execution.timeout is None and execution.jobs <= 1 and limits is None:
            for j, claim in enumerate(batch):  # no limit asked for: in this process, as decide(timeout=None)
                decided(j, guarded(claim, functools.partial(on_progress, todo[j])))
        else:
            Scheduler(jobs=execution.jobs, timeout=execution.timeout, memory_mb=execution.memory_mb).run(
                batch, on_progress=lambda j, m: on_progress(todo[j], m), on_done=decided, limits=shared)
    finally:
        if cache is not None:
            cache.close()
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]  # all set (asserted); list[Result | None] does not narrow
