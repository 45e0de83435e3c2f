"""Deciding on a Dask cluster (a LocalCluster on loopback): the same results as on this machine.

One cluster for the module (starting one takes about a second); one worker process, as small
as a real cluster gets.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from verify import D, Equality, Symbols, Var, matrix, scalar, vector
from verify.cli.grade import main as grade_main
from verify.deciding.batch import cluster
from verify.deciding.batch.execution import Execution, Stats, decide_all
from verify.model.claim import Claim
from verify.model.expr import Expr
from verify.model.result import Result, Verdict

distributed = pytest.importorskip("distributed")

A, B, x, t = Var("A"), Var("B"), Var("x"), Var("t")
SYMBOLS = Symbols.of([matrix("A", "n", "n", invertible=True, of=("t",)), scalar("t"),
                      matrix("B", "n", "n"), vector("x", "n")])


@dataclasses.dataclass(frozen=True)
class Foreign(Expr):
    """A node the codec does not know: such a claim must be decided locally, not sent."""

    name: str

    def latex(self) -> str:
        return self.name


def eq(id: str, lhs, rhs) -> Equality:
    return Equality(id=id, statement=id, symbols=SYMBOLS, lhs=lhs, rhs=rhs)


#: Verdicts by hand: d(A^{-1})/dt = -A^{-1} A' A^{-1} (from A A^{-1} = I) holds, the swapped form fails;
#: (AB)^T = B^T A^T holds and A^T B^T fails; d(x^T B x)/dx = x^T (B + B^T) holds; A + B has shape n x n
#: but x is n x 1, so A + x is an error; an unknown node is an error too.
CLAIMS: list[Claim] = [
    eq("inv", D(A.I, t), -A.I * D(A, t) * A.I),
    eq("inv-wrong", D(A.I, t), -A.I * A.I * D(A, t)),
    eq("transpose", (A * B).T, B.T * A.T),
    eq("transpose-wrong", (A * B).T, A.T * B.T),
    eq("quadratic", D(x.T * B * x, x), x.T * (B + B.T)),
    eq("shapes", A + x, A),
    eq("foreign", Foreign("q"), A),
]
EXPECTED = [Verdict.PROVED, Verdict.REFUTED, Verdict.PROVED, Verdict.REFUTED, Verdict.PROVED, Verdict.ERROR,
            Verdict.ERROR]


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local.scheduler_address


def essentials(r: Result) -> tuple:
    return (r.verdict, r.detail, r.scope, r.counterexample)


def test_the_cluster_decides_exactly_as_this_machine(address: str) -> None:
    local = decide_all(CLAIMS, Execution(jobs=1, timeout=60))
    done: list[int] = []
    remote = decide_all(CLAIMS, Execution(timeout=60, scheduler=address), on_done=lambda i, r: done.append(i))
    assert [r.verdict for r in local] == EXPECTED
    assert [essentials(r) for r in remote] == [essentials(r) for r in local]
    assert sorted(done) == list(range(len(CLAIMS)))


def test_the_cluster_fills_and_reads_the_cache(address: str, tmp_path: Path) -> None:
    execution = Execution(timeout=60, scheduler=address, cache=tmp_path / "c.sqlite")
    cold, warm = Stats(), Stats()
    first = decide_all(CLAIMS[:4], execution, stats=cold)
    second = decide_all(CLAIMS[:4], dataclasses.replace(execution, scheduler=None), stats=warm)
    assert (cold.decided, warm.decided, warm.cached) == (4, 0, 4)
    assert [essentials(r) for r in first] == [essentials(r) for r in second]


def test_the_time_limit_holds_on_the_cluster(address: str) -> None:
    # 1 ms is less than forking the worker's child and deciding anything takes
    [result] = decide_all(CLAIMS[:1], Execution(timeout=0.001, scheduler=address))
    assert result.verdict is Verdict.UNKNOWN and result.detail.startswith("timed out after 0.001 s")


def test_answers_from_another_engine_are_refused(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "engine_version", lambda: "not the workers' engine")
    [result] = decide_all(CLAIMS[:1], Execution(timeout=60, scheduler=address))
    assert result.verdict is Verdict.UNKNOWN and "another engine" in result.detail


def test_a_task_document_that_is_not_a_claim_is_refused_by_the_worker_function() -> None:
    answer = json.loads(cluster.decide_document('{"$": "os.system", "command": "true"}', 5))
    assert answer["result"]["verdict"] == "unknown" and "did not arrive intact" in answer["result"]["detail"]


SUBMISSION = """---
student: s1
---
## pd.linear
$$\\frac{\\partial y}{\\partial x} = A$$
## pd.bilinear-y
$$\\frac{\\partial \\alpha}{\\partial y} = x^T A^T$$
## pd.bilinear-x
$$\\frac{\\partial \\alpha}{\\partial x} = A^T y$$
## pd.inverse
$$\\frac{\\partial A^{-1}}{\\partial \\alpha} = -A^{-1} \\frac{\\partial A}{\\partial \\alpha} A^{-1}$$
"""


def test_grades_are_identical_on_the_cluster(address: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s1.md").write_text(SUBMISSION)
    (tmp_path / "s2.md").write_text(SUBMISSION.replace("student: s1", "student: s2").replace("= A$$", "= A^T$$"))
    outputs = []
    for options in (["-j", "1", "--no-cache"], ["--scheduler", address, "--no-cache"]):
        assert grade_main(["--assignment", "hw1", str(tmp_path), "--format", "json", *options]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    marks = {s["student"]: {q["id"]: q["verdict"] for q in s["questions"]} for s in outputs[0]["submissions"]}
    # by hand: A is d(Ax)/dx; d(y^T A x)/dy = x^T A^T; d/dx is y^T A (a row), not A^T y; the inverse rule
    assert marks["s1"]["pd.linear"] == "correct" and marks["s2"]["pd.linear"] == "incorrect"
    assert marks["s1"]["pd.bilinear-y"] == "correct" and marks["s1"]["pd.bilinear-x"] == "incorrect"
    assert marks["s1"]["pd.inverse"] == "correct"


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    (tmp_path / "s1.md").write_text(SUBMISSION)
    code = grade_main(["--assignment", "hw1", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9", "--no-cache"])
    assert code == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


class _Future:
    """A future that is done and whose result raises ``error`` (what a client sees when its
    connection to the scheduler closes under it)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def done(self) -> bool:
        return True

    def result(self, timeout: float | None = None) -> object:
        raise self.error


class _Client:
    status = "running"  # the client has not noticed yet: the race of a scheduler killed mid-run


def test_a_closed_connection_is_the_scheduler_lost_even_before_the_client_says_so() -> None:
    # A future that fails because the connection closed (distributed's CommClosedError is an
    # OSError) means the scheduler is gone, even while the client's status still reads "running";
    # a task that failed for another reason is reported as the cluster's failure.
    from distributed.comm.core import CommClosedError

    closed, failed = _Future(CommClosedError("in <TCPConnector>: ConnectionRefusedError")), _Future(ValueError("x"))
    results: list[Result | None] = [None, None]
    cluster._collect(_Client(), {closed: ([0], 10.0), failed: ([1], 10.0)}, results, lambda i, r: None, 5.0)
    assert results[0] is not None and results[0].verdict is Verdict.UNKNOWN
    assert results[0].detail == "not decided: the scheduler was lost"
    assert results[1] is not None and results[1].verdict is Verdict.UNKNOWN
    assert (results[1].detail or "").startswith("the cluster could not decide it: ValueError")
