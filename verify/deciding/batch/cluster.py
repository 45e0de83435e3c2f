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
import math
import socket
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from verify.deciding.batch.cache import engine_version
from verify.deciding.batch.scheduler import OnDone, Scheduler, cores
from verify.deciding.isolation import CONFIGURED, memory_limit
from verify.model import Claim, Result, Verdict, codec

#: How long to wait for the scheduler to answer before giving up on the cluster.
CONNECT_SECONDS = 10.0
#: How long a plain TCP connection to the scheduler may take (checked before anything else).
PROBE_SECONDS = 5.0
#: ``--cluster-timeout``: no live worker, or no decision back, for this long (beyond a decision's
#: own limit) and the decisions still pending are given up as "not decided".
DEFAULT_CLUSTER_TIMEOUT = 60.0
#: How a result that a cluster could not make begins; the commands count these.
NOT_DECIDED = "not decided: "
SCHEDULER_LOST = "the scheduler was lost"


class ClusterError(Exception):
    """The cluster cannot be used at all (a malformed address, unreachable, or no Dask here)."""


def not_decided(reason: str) -> Result:
    return Result(Verdict.UNKNOWN, detail=NOT_DECIDED + reason)


def undecided_reasons(results: Sequence[Result]) -> dict[str, int]:
    """How many results a cluster could not make, by reason (empty when there are none)."""
    counts: dict[str, int] = {}
    for r in results:
        if r.verdict is Verdict.UNKNOWN and r.detail.startswith(NOT_DECIDED):
            reason = r.detail[len(NOT_DECIDED):]
            counts[reason] = counts.get(reason, 0) + 1
    return counts


def parse_address(address: str) -> tuple[str, int]:
    """``tcp://host:port`` or ``host:port`` as (host, port); anything else is a ClusterError."""
    text = address.strip()
    shown = repr(address)
    if not text:
        raise ClusterError("--scheduler '': no address given (tcp://host:8786)")
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme != "tcp":
            raise ClusterError(f"--scheduler {shown}: only tcp:// scheduler addresses are supported, not {scheme}://")
    else:
        text = "tcp://" + text
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError as err:
        raise ClusterError(f"--scheduler {shown}: not a scheduler address ({err}); give tcp://host:8786") from None
    if not host or any(c.isspace() for c in text) or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ClusterError(f"--scheduler {shown}: not a scheduler address; give tcp://host:8786")
    if port is None or port == 0:
        raise ClusterError(f"--scheduler {shown}: no port; give tcp://host:8786")
    return host, port


def probe(address: str, seconds: float | None = None) -> None:
    """Open (and close) a TCP connection to the scheduler, so that a wrong or dead address is
    reported at once, before any cache is read; raises ClusterError. No thread is started."""
    host, port = parse_address(address)
    try:
        with socket.create_connection((host, port), timeout=PROBE_SECONDS if seconds is None else seconds):
            pass
    except OSError as err:
        why = "timed out" if isinstance(err, TimeoutError) else err.strerror or str(err)
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {why}") from None


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
                      local_jobs: int | None = None, limits: Sequence[float] | None = None,
                      cluster_timeout: float | None = DEFAULT_CLUSTER_TIMEOUT) -> list[Result]:
    """Every claim's result in input order, decided on the Dask cluster at ``address``
    (``limits``: a time limit per claim, each capped by ``timeout``).

    A decision the cluster cannot make is never missing: when the scheduler is lost, or for
    ``cluster_timeout`` seconds there is no live worker or no decision comes back (beyond the
    longest time limit), the pending ones are ``unknown``, "not decided: <why>"."""
    if memory_mb == CONFIGURED:  # the cap set here applies there too
        memory_mb = memory_limit()
    results: list[Result | None] = [None] * len(claims)
    documents: dict[tuple[str, float | None], list[int]] = {}
    local: list[int] = []
    for i, claim in enumerate(claims):
        limit = timeout if limits is None else limits[i] if timeout is None else min(timeout, limits[i])
        if limit is not None and not math.isfinite(limit):  # inf: no limit (and no JSON of inf)
            limit = None
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
        _remote(documents, address, memory_mb, results, on_done, cluster_timeout)
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]  # all set (asserted); list[Result | None] does not narrow


def _remote(documents: dict[tuple[str, float | None], list[int]], address: str, memory_mb: int | None,
            results: list[Result | None], on_done: OnDone, cluster_timeout: float | None) -> None:
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--scheduler needs Dask distributed: pip install 'verify[cluster]'") from None
    parse_address(address)
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    with client:
        futures = {}
        for (document, timeout), indices in documents.items():
            name = "verify-decide-" + hashlib.sha256(f"{timeout}:{document}".encode()).hexdigest()[:32]
            future = client.submit(decide_document, document, timeout, memory_mb, key=name, pure=False)
            futures[future] = (indices, timeout)
        _collect(client, futures, results, on_done, cluster_timeout)


def _collect(client: Any, futures: dict[Any, tuple[list[int], float | None]], results: list[Result | None],
             on_done: OnDone, cluster_timeout: float | None) -> None:
    """Wait for the futures, polling (no callback threads of ours): each result as it comes,
    and every pending one "not decided" when the cluster is gone or stuck."""

    def record(future: object, result: Result) -> None:
        for i in futures[future][0]:
            results[i] = result
            on_done(i, result)

    limits = [limit for _, limit in futures.values()]
    finite = [t for t in limits if t is not None and math.isfinite(t)]
    stall = None  # without a time limit per decision, a long one is no sign of a stuck cluster
    if cluster_timeout is not None and len(finite) == len(limits):
        stall = cluster_timeout + max(finite, default=0.0) + 5.0  # 5 s: forking and sending back
    pending = set(futures)
    now = time.monotonic()
    last_progress = last_worker = now
    next_census = 0.0
    reason = ""
    while pending:
        if client.status != "running":
            reason = SCHEDULER_LOST
            break
        finished = [f for f in pending if f.done()]
        for future in finished:
            pending.discard(future)
            try:
                result = _answer(future.result(timeout=CONNECT_SECONDS))
            except Exception as err:  # a lost worker, a task that failed there: no verdict
                # A connection that closed (Dask's CommClosedError is an OSError) is the scheduler
                # lost, whether or not the client's status says so yet: it says so a moment later,
                # and a claim must not be labelled by which of the two came first.
                if client.status != "running" or isinstance(err, OSError):
                    result = not_decided(SCHEDULER_LOST)
                else:
                    result = Result(Verdict.UNKNOWN, detail=f"the cluster could not decide it: "
                                    f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
            record(future, result)
        now = time.monotonic()
        if finished:
            last_progress = now
        if not pending:
            break
        if now >= next_census:
            next_census = now + 1.0
            try:
                workers = int(client.scheduler_info(n_workers=0).get("n_workers", 0))
            except Exception:  # the scheduler is going: the status says so on the next turn
                workers = 0
            if workers > 0:
                last_worker = now
        if cluster_timeout is not None and now - last_worker >= cluster_timeout:
            reason = f"no live worker for {cluster_timeout:g} s"
            break
        if stall is not None and now - last_progress >= stall:
            reason = f"no decision came back from the cluster for {stall:g} s"
            break
        time.sleep(0.05)
    if pending:
        if client.status == "running":
            try:
                client.cancel(list(pending))
            except Exception:  # the cluster is being given up anyway
                pass
        for future in pending:
            record(future, not_decided(reason))
