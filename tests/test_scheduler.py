"""The scheduler: N forked workers, hard limits per decision, results in input order.

Most tests give the scheduler a decider of their own (a function the forked worker runs in
place of the engine) so that a decision can be made to sleep, allocate or die on demand; one
test runs the real engine and compares with deciding one claim at a time.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from verify import D, Equality, Symbols, Var, apply, decide, matrix, scalar, vector
from verify.deciding.batch.scheduler import Scheduler, decide_many
from verify.model.claim import Claim
from verify.model.result import Result, Verdict

A, B, X, x, t = (Var(n) for n in ("A", "B", "X", "x", "t"))


def named(name: str) -> Claim:
    """A claim that only carries a name for the test deciders below to act on."""
    return Equality(id=name, statement="", symbols=Symbols.of([scalar("t")]), lhs=t, rhs=t)


def scripted(claim: Claim, report) -> Result:
    """sleep:S, hog (allocates far past any cap), die (the process ends), steps (reports progress),
    pid (says which process decided), else proved at once."""
    name = claim.id
    if name.startswith("sleep:"):
        report("sleeping")
        time.sleep(float(name.split(":")[1]))
        return Result(Verdict.PROVED, detail=f"slept {name}")
    if name == "hog":
        report("allocating")
        blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB, over the 512 MB cap
        return Result(Verdict.PROVED, detail=f"allocated {len(blocks)}")
    if name == "die":
        report("about to die")
        os._exit(3)
    if name == "steps":
        report("step one")
        report("step two")
        time.sleep(30)
    if name == "pid":
        return Result(Verdict.PROVED, detail=str(os.getpid()))
    if name == "unknown-pid":
        return Result(Verdict.UNKNOWN, detail=str(os.getpid()))
    return Result(Verdict.PROVED, detail=f"decided {name}")


def run(names: list[str], **kw) -> list[Result]:
    kw.setdefault("jobs", 2)
    kw.setdefault("timeout", 20)
    on_progress, on_done = kw.pop("on_progress", lambda i, m: None), kw.pop("on_done", lambda i, r: None)
    return Scheduler(decider=scripted, **kw).run([named(n) for n in names], on_progress, on_done)


@pytest.mark.parametrize("mode", ["persistent", "fork"])
def test_results_come_back_in_input_order_whatever_finishes_first(mode: str) -> None:
    names = ["sleep:0.6", "a", "sleep:0.3", "b", "c"]
    finished: list[int] = []
    results = run(names, mode=mode, on_done=lambda i, r: finished.append(i))
    assert [r.detail for r in results] == ["slept sleep:0.6", "decided a", "slept sleep:0.3", "decided b", "decided c"]
    assert sorted(finished) == list(range(len(names)))  # each claim reported exactly once
    assert finished[0] != 0  # the slow first claim did not hold the others back


@pytest.mark.parametrize("mode", ["persistent", "fork"])
def test_an_overrunning_decision_is_killed_and_the_others_finish(mode: str) -> None:
    start = time.perf_counter()
    results = run(["a", "sleep:30", "b", "c", "d"], mode=mode, timeout=1.5)
    assert time.perf_counter() - start < 15
    assert results[1].verdict is Verdict.UNKNOWN
    assert results[1].detail.startswith("timed out after 1.5 s while sleeping")
    assert [r.detail for i, r in enumerate(results) if i != 1] == ["decided a", "decided b", "decided c", "decided d"]


def test_a_killed_persistent_worker_is_replaced_and_more_claims_than_workers_still_finish() -> None:
    results = run(["sleep:30", "sleep:30", "a", "b", "c", "d", "e"], jobs=2, timeout=1.0)
    assert [r.verdict for r in results[:2]] == [Verdict.UNKNOWN, Verdict.UNKNOWN]
    assert [r.detail for r in results[2:]] == [f"decided {n}" for n in "abcde"]


def test_a_decision_over_the_memory_cap_is_unknown_and_the_worker_goes_on() -> None:
    results = run(["hog", "a", "b"], jobs=1, memory_mb=512)
    assert results[0].verdict is Verdict.UNKNOWN
    assert "memory" in results[0].detail
    assert [r.detail for r in results[1:]] == ["decided a", "decided b"]


def test_a_worker_that_dies_gives_unknown_and_is_replaced() -> None:
    results = run(["die", "a", "b"], jobs=1)
    assert results[0].verdict is Verdict.UNKNOWN
    assert "died while about to die (exit code 3)" in results[0].detail
    assert [r.detail for r in results[1:]] == ["decided a", "decided b"]


def test_progress_is_reported_per_claim_and_names_the_last_step_on_a_timeout() -> None:
    seen: list[tuple[int, str]] = []
    results = run(["a", "steps"], timeout=1.5, on_progress=lambda i, m: seen.append((i, m)))
    assert (1, "step one") in seen and (1, "step two") in seen
    assert seen.index((1, "step one")) < seen.index((1, "step two"))
    assert all(i == 1 for i, _ in seen)  # claim 0 reported nothing
    assert results[1].detail == "timed out after 1.5 s while step two"


def test_two_workers_decide_at_the_same_time() -> None:
    start = time.perf_counter()
    results = run(["sleep:1.5", "sleep:1.5"], jobs=2)
    elapsed = time.perf_counter() - start
    assert all(r.verdict is Verdict.PROVED for r in results)
    assert elapsed < 2.8, elapsed  # one after the other would take 3 s


def test_the_scheduler_starts_no_thread() -> None:
    counts: list[int] = []
    run(["sleep:0.2", "a", "b"], on_done=lambda i, r: counts.append(threading.active_count()))
    assert counts == [threading.active_count()] * 3


def test_persistent_workers_are_reused_and_recycled() -> None:
    results = run(["pid"] * 6, jobs=1, recycle_after=2)
    pids = [r.detail for r in results]
    assert pids[0] == pids[1] and pids[2] == pids[3] and pids[4] == pids[5]  # reused
    assert len(set(pids)) == 3  # replaced after two decisions each
    assert str(os.getpid()) not in pids


def test_a_worker_is_not_reused_after_an_unknown() -> None:
    first, second, third = (r.detail for r in run(["unknown-pid", "pid", "pid"], jobs=1))
    assert first != second and second == third


def test_the_real_engine_gives_the_same_results_in_parallel_as_one_at_a_time() -> None:
    n_symbols = Symbols.of([matrix("A", "n", "n", invertible=True, of=("t",)), scalar("t"),
                            matrix("B", "n", "n"), vector("x", "n")])
    claims = [
        # d(A^{-1})/dt = -A^{-1} (dA/dt) A^{-1} (differentiate A A^{-1} = I): holds
        Equality(id="inv", statement="", symbols=n_symbols, lhs=D(A.I, t), rhs=-A.I * D(A, t) * A.I),
        # the same with the factors swapped: fails for non-commuting matrices
        Equality(id="inv-wrong", statement="", symbols=n_symbols, lhs=D(A.I, t), rhs=-A.I * A.I * D(A, t)),
        # tr(AB) = tr(BA): holds; (AB)^T = A^T B^T: fails
        Equality(id="tr", statement="", symbols=n_symbols, lhs=apply("tr", A * B), rhs=apply("tr", B * A)),
        Equality(id="transpose", statement="", symbols=n_symbols, lhs=(A * B).T, rhs=A.T * B.T),
        # d(x^T B x)/dx = x^T (B + B^T): holds
        Equality(id="quadratic", statement="", symbols=n_symbols, lhs=D(x.T * B * x, x), rhs=x.T * (B + B.T)),
    ]
    one_by_one = [decide(c, timeout=60) for c in claims]
    parallel = decide_many(claims, jobs=2, timeout=60)
    assert [r.verdict for r in one_by_one] == [Verdict.PROVED, Verdict.REFUTED, Verdict.PROVED, Verdict.REFUTED,
                                                Verdict.PROVED]
    for a, b in zip(one_by_one, parallel, strict=True):
        assert (a.verdict, a.detail, a.scope, a.counterexample) == (b.verdict, b.detail, b.scope, b.counterexample)


ORPHAN = """
import os, sys, time
from verify.model.result import Result, Verdict
from verify.deciding.batch.scheduler import Scheduler
from verify import Equality, Symbols, Var, scalar

def stuck(claim, report):
    with open(sys.argv[1], "w") as f:
        f.write(str(os.getpid()))
    time.sleep(120)
    return Result(Verdict.PROVED)

t = Var("t")
Scheduler(jobs=1, timeout=300, decider=stuck).run(
    [Equality(id="c", statement="", symbols=Symbols.of([scalar("t")]), lhs=t, rhs=t)])
"""


def test_a_worker_does_not_outlive_a_killed_command(tmp_path) -> None:
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pid_file = tmp_path / "worker.pid"
    command = subprocess.Popen([sys.executable, "-c", ORPHAN, str(pid_file)], cwd=root,
                               env={**os.environ, "PYTHONPATH": str(root)})
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        worker = int(pid_file.read_text())
        os.kill(worker, 0)  # deciding
    finally:
        command.send_signal(signal.SIGKILL)
        command.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(worker, signal.SIGKILL)
    raise AssertionError("the worker was still running 10 s after its command was killed")


def test_a_claim_of_its_own_limit_is_killed_at_it_and_the_timeout_still_caps_the_others() -> None:
    # limits [1, 60, 60] under a timeout of 2: the first sleeper is stopped at 1 s, the second
    # at the 2 s timeout (its own 60 s is above it), the third finishes.
    start = time.perf_counter()
    results = Scheduler(decider=scripted, jobs=2, timeout=2).run(
        [named("sleep:30"), named("sleep:30"), named("sleep:0.1")], limits=[1.0, 60.0, 60.0])
    assert time.perf_counter() - start < 15
    assert results[0].detail.startswith("timed out after 1 s")
    assert results[1].detail.startswith("timed out after 2 s")
    assert results[2].verdict is Verdict.PROVED


def test_limits_apply_without_a_timeout() -> None:
    results = Scheduler(decider=scripted, jobs=1, timeout=None).run([named("sleep:30")], limits=[0.5])
    assert results[0].detail.startswith("timed out after 0.5 s")


def test_nothing_to_decide_starts_no_worker_and_warms_nothing_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # a grade whose every answer is in the cache hands the scheduler no claim: the 24 ms warm-up
    # (SymPy's tensor module, imported for workers to inherit) is for workers it does not start
    from verify.deciding.batch import scheduler

    warmed: list[int] = []
    monkeypatch.setattr(scheduler, "warm_up", lambda: warmed.append(1))
    started = Scheduler(decider=scripted, jobs=2, timeout=20)
    assert started.run([]) == [] and warmed == [] and started._workers == []
    assert [r.detail for r in started.run([named("a")])] == ["decided a"] and warmed == [1]
