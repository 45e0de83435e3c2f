"""Deciding claims on an existing Dask cluster (``--scheduler ADDRESS``).

A course with tens of thousands of learners may already have a cluster; Dask distributed is
a common one and needs nothing of ours but ``pip install verify[cluster]`` on its workers.

What crosses the network is text: each claim as the JSON of :mod:`verify.model.codec` (its
id included, since the id seeds the random points and the results must be identical to a
local run), and each result as JSON. No pickle of anything built from user text is sent;
the task function travels by name. On the worker, the decision runs exactly as locally: in a
forked child under the same wall-clock deadline and memory cap (:mod:`scheduler`).

A worker whose engine differs from ours (another version of verify, other sources) could
decide differently, so its answers are refused (``unknown``, saying why) rather than mixed
into a grade book; install the same version on the workers.

Claims without a JSON form are decided here, in local workers, before connecting: the Dask
client runs threads, and forking after that would be unsafe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence

from verify.deciding.cache import engine_version
from verify.deciding.isolation import CONFIGURED, memory_limit
from verify.deciding.result import Result, Verdict
from verify.deciding.scheduler import Scheduler, cores
from verify.model import codec
from verify.model.claim import Claim

OnDone = Callable[[int, Result], None]

#: How long to wait for the scheduler to answer before giving up on the cluster.
CONNECT_SECONDS = 30.0


class ClusterError(Exception):
    """The cluster cannot be used at all (unreachable, or Dask is not installed here)."""


def decide_document(document: str, timeout: float | None, memory_mb: int | None = CONFIGURED) -> str:
    """The task a Dask worker runs: a claim's JSON in, ``{"engine", "result"}`` JSON out."""
    try:
        claim = codec.loads(document)
        if not isinstance(claim, Claim):
            raise codec.CodecError("the document is not a claim")
        result = Scheduler(jobs=1, timeout=timeout, memory_mb=memory_mb).run([claim])[0]
    except codec.CodecError as err:
        result = Result(Verdict.UNKNOWN, detail=f"internal error: the claim did not arrive intact: {err}")
    return json.dumps({"engine": engine_version(), "result": codec.result_to_json(result)})


def _answer(text: str) -> Result:
    try:
        doc = json.loads(text)
        if doc["engine"] != engine_version():
            return Result(Verdict.UNKNOWN, detail=f"the cluster's worker runs another engine ({doc['engine']}, "
                          f"here {engine_version()}): install the same version of verify on the workers")
        return codec.result_from_json(doc["result"])
    except (ValueError, KeyError, TypeError, codec.CodecError) as err:
        return Result(Verdict.UNKNOWN, detail=f"internal error: the cluster's answer was unreadable: {err}")


def decide_on_cluster(claims: Sequence[Claim], address: str, timeout: float | None,
                      memory_mb: int | None = CONFIGURED, on_done: OnDone = lambda i, r: None,
                      local_jobs: int | None = None, limits: Sequence[float] | None = None) -> list[Result]:
    """Every claim's result in input order, decided on the Dask cluster at ``address``
    (``limits``: a time limit per claim, each capped by ``timeout``)."""
    if memory_mb == CONFIGURED:  # the cap set here applies there too
        memory_mb = memory_limit()
    results: list[Result | None] = [None] * len(claims)
    documents: dict[tuple[str, float | None], list[int]] = {}
    local: list[int] = []
    for i, claim in enumerate(claims):
        limit = timeout if limits is None else limits[i] if timeout is None else min(timeout, limits[i])
        try:
            documents.setdefault((codec.dumps(claim), limit), []).append(i)
        except codec.CodecError:
            local.append(i)
    if local:
        def done_here(j: int, result: Result) -> None:
            results[local[j]] = result
            on_done(local[j], result)

        here = None if limits is None else [limits[i] for i in local]
        Scheduler(jobs=local_jobs or cores(), timeout=timeout, memory_mb=memory_mb).run(
            [claims[i] for i in local], on_done=done_here, limits=here)
    if documents:
        _remote(documents, address, memory_mb, results, on_done)
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


def _remote(documents: dict[tuple[str, float | None], list[int]], address: str, memory_mb: int | None,
            results: list[Result | None], on_done: OnDone) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ClusterError("--scheduler needs Dask distributed: pip install 'verify[cluster]'") from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    with client:
        futures = {}
        for (document, timeout), indices in documents.items():
            name = "verify-decide-" + hashlib.sha256(f"{timeout}:{document}".encode()).hexdigest()[:32]
            future = client.submit(decide_document, document, timeout, memory_mb, key=name, pure=False)
            futures[future] = indices
        for future in as_completed(futures, loop=client.loop):
            try:
                result = _answer(future.result())
            except Exception as err:  # a lost worker, a task that failed there: no verdict
                result = Result(Verdict.UNKNOWN, detail=f"the cluster could not decide it: {type(err).__name__}: {err}")
            for i in futures[future]:
                results[i] = result
                on_done(i, result)
