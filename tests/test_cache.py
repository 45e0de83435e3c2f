"""The decision cache: a re-run decides nothing again, labels do not matter, damage is survived.

Every test runs with its own empty cache folder (tests/conftest.py sets XDG_CACHE_HOME).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from verify import D, Equality, Symbols, Var, matrix, scalar, vector
from verify.cli import main
from verify.deciding.batch import cache
from verify.deciding.batch.cache import DecisionCache, default_path, key
from verify.deciding.batch.execution import Execution, Stats, decide_all
from verify.model.claim import Claim
from verify.model.result import Counterexample, Result, Verdict

ROOT = Path(__file__).resolve().parent.parent
A, B, x, t = Var("A"), Var("B"), Var("x"), Var("t")
SYMBOLS = Symbols.of([matrix("A", "n", "n", invertible=True, of=("t",)), scalar("t"),
                      matrix("B", "n", "n"), vector("x", "n")])


def eq(id: str, lhs, rhs, **kw) -> Equality:
    return Equality(id=id, statement=id, symbols=SYMBOLS, lhs=lhs, rhs=rhs, **kw)


#: d(A^{-1})/dt = -A^{-1} A' A^{-1} holds (differentiate A A^{-1} = I); with the factors swapped it
#: fails; (AB)^T = A^T B^T fails (it is B^T A^T); d(x^T B x)/dx = x^T (B + B^T) holds.
CLAIMS: list[Claim] = [
    eq("inv", D(A.I, t), -A.I * D(A, t) * A.I),
    eq("inv-wrong", D(A.I, t), -A.I * A.I * D(A, t)),
    eq("transpose", (A * B).T, A.T * B.T),
    eq("quadratic", D(x.T * B * x, x), x.T * (B + B.T)),
]


def essentials(r: Result) -> tuple:
    return (r.verdict, r.detail, r.scope, r.counterexample)


def test_default_location_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_path() == tmp_path / "verify" / "decisions.sqlite"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the spec says: ignore a relative one
    assert default_path() == Path.home() / ".cache" / "verify" / "decisions.sqlite"


def test_a_rerun_reads_every_decision_from_the_cache(tmp_path: Path) -> None:
    execution = Execution(jobs=2, timeout=60, cache=tmp_path / "c.sqlite")
    cold, warm = Stats(), Stats()
    first = decide_all(CLAIMS, execution, stats=cold)
    second = decide_all(CLAIMS, execution, stats=warm)
    assert (cold.decided, cold.cached, cold.stored) == (4, 0, 4)
    assert (warm.decided, warm.cached) == (0, 4)
    assert [essentials(r) for r in first] == [essentials(r) for r in second]
    assert [r.verdict for r in first] == [Verdict.PROVED, Verdict.REFUTED, Verdict.REFUTED, Verdict.PROVED]
    assert all(r.seconds == 0.0 for r in second)


def test_the_key_ignores_labels_but_not_mathematics() -> None:
    c = CLAIMS[0]
    assert key(c) == key(dataclasses.replace(c, id="x", statement="other words", section="S", expect="holds",
                                             why="because"))
    respelled = Symbols.of([dataclasses.replace(s, latex=rf"\mathbf{{{s.name}}}", meaning="m")
                            for s in SYMBOLS.values()])
    assert key(c) == key(dataclasses.replace(c, symbols=respelled))
    assert key(c) != key(CLAIMS[1])
    assert key(c) != key(dataclasses.replace(c, layout="denominator"))
    assert key(c) != key(dataclasses.replace(c, sizes=({"n": 2},)))


def test_the_key_changes_with_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    before = key(CLAIMS[0])
    monkeypatch.setattr(cache, "engine_version", lambda: "another engine")
    assert key(CLAIMS[0]) != before


def test_claims_with_the_same_mathematics_are_decided_once_per_batch(tmp_path: Path) -> None:
    twins = [CLAIMS[1], dataclasses.replace(CLAIMS[1], id="student-2", statement="-A^{-1} A^{-1} A'")]
    stats = Stats()
    results = decide_all(twins, Execution(jobs=2, timeout=60, cache=tmp_path / "c.sqlite"), stats=stats)
    assert stats.decided == 1
    assert essentials(results[0]) == essentials(results[1])


def test_without_a_cache_nothing_is_shared_or_stored(tmp_path: Path) -> None:
    stats = Stats()
    decide_all(CLAIMS[:2] * 2, Execution(jobs=2, timeout=60, cache=None), stats=stats)
    assert (stats.decided, stats.cached) == (4, 0)
    assert not (tmp_path / "verify").exists() and not default_path().exists()


def test_unknown_is_never_stored(tmp_path: Path) -> None:
    with DecisionCache(tmp_path / "c.sqlite") as store:
        assert not store.put("k1", Result(Verdict.UNKNOWN, detail="timed out after 1 s while refuting"))
        assert not store.put("k2", Result(Verdict.UNKNOWN, detail="could neither prove nor refute"))
        assert store.put("k3", Result(Verdict.ERROR, detail="x is not declared"))
        assert len(store) == 1 and store.get("k1") is None


def test_a_timed_out_decision_is_retried_next_time(tmp_path: Path) -> None:
    # 1 ms is less than forking a worker and deciding anything takes
    execution = Execution(jobs=1, timeout=0.001, cache=tmp_path / "c.sqlite")
    for _ in range(2):
        stats = Stats()
        [result] = decide_all(CLAIMS[:1], execution, stats=stats)
        assert result.verdict is Verdict.UNKNOWN and result.detail.startswith("timed out")
        assert (stats.decided, stats.cached, stats.stored) == (1, 0, 0)


def test_a_result_comes_back_whole(tmp_path: Path) -> None:
    cx = Counterexample(values={"A": "[[1, 2], [3, 4]]"}, lhs="1/2", rhs="-3", sizes={"n": 2}, note="n",
                        point={"A[1,1]": "1"})
    stored = Result(Verdict.REFUTED, "the sides differ", "sizes n=2", cx, 1.5)
    with DecisionCache(tmp_path / "c.sqlite") as store:
        store.put("k", stored)
    with DecisionCache(tmp_path / "c.sqlite") as store:
        assert store.get("k") == stored.with_seconds(0.0)


# A damaged cache is an SQLite file (its header) whose pages are garbage; a file that is not an
# SQLite file at all is no cache and is refused untouched (issue 13, D2: tests/test_hardening_operator.py)
@pytest.mark.parametrize("damage", [b"SQLite format 3\x00" + b"this is not a database" * 100, b"",
                                    b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_corrupt_file_is_moved_aside_and_rebuilt_with_a_warning(tmp_path: Path, damage: bytes) -> None:
    path = tmp_path / "c.sqlite"
    with DecisionCache(path) as store:
        store.put("k", Result(Verdict.PROVED))
    path.write_bytes(damage)
    warnings: list[str] = []
    with DecisionCache(path, warn=warnings.append) as store:
        assert store.enabled
        assert store.get("k") is None
        assert store.put("k", Result(Verdict.PROVED))
        assert store.get("k") is not None
    if damage == b"":  # SQLite takes an empty file for a new database: nothing to rebuild
        assert warnings == []
        return
    assert len(warnings) == 1 and "unreadable" in warnings[0] and "started a new one" in warnings[0]
    assert [p.read_bytes() for p in tmp_path.glob("c.sqlite.corrupt-*")] == [damage]


def test_a_damaged_page_found_later_is_survived(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with DecisionCache(path) as store:
        for i in range(300):
            store.put(f"k{i}", Result(Verdict.PROVED, detail="x" * 200))
    data = bytearray(path.read_bytes())
    data[4096 * 3:4096 * 5] = b"\x07" * 8192  # scribble over pages in the middle
    path.write_bytes(bytes(data))
    warnings: list[str] = []
    with DecisionCache(path, warn=warnings.append) as store:
        for i in range(300):
            store.get(f"k{i}")
        store.put("new", Result(Verdict.PROVED))
        assert store.get("new") is not None
    assert warnings and "unreadable" in warnings[0]


def test_a_cache_that_cannot_be_written_turns_itself_off(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    warnings: list[str] = []
    with DecisionCache(blocker / "c.sqlite", warn=warnings.append) as store:
        assert not store.enabled
        assert not store.put("k", Result(Verdict.PROVED)) and store.get("k") is None
    assert len(warnings) == 1 and "deciding without it" in warnings[0]


KILLED_WRITER = """
import os, signal, sys
from verify.deciding.batch.cache import DecisionCache
from verify.model.result import Result, Verdict
store = DecisionCache(sys.argv[1])
for i in range(50):
    store.put(f"k{i}", Result(Verdict.PROVED, detail=str(i)))
store._db.execute("BEGIN")
for i in range(50, 5000):
    store._db.execute("INSERT INTO decisions VALUES (?, ?, 0)", (f"k{i}", "{}"))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_run_killed_mid_write_keeps_every_committed_decision(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    warnings: list[str] = []
    with DecisionCache(path, warn=warnings.append) as store:
        assert warnings == []
        assert len(store) == 50
        assert store.get("k49") == Result(Verdict.PROVED, detail="49")
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _suite(capsys: pytest.CaptureFixture[str], *args: str, only: str = "pd.*") -> tuple[int, list[dict], str]:
    code = main(["--only", only, "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out)["claims"], err


def test_the_suite_warm_decides_nothing_and_reports_the_same(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    path = str(tmp_path / "c.sqlite")
    code1, cold, _ = _suite(capsys, "--cache", path, "-j", "2")
    code2, warm, _ = _suite(capsys, "--cache", path, "-j", "1")
    assert code1 == code2 == 0
    assert len(cold) > 5
    strip = [{k: v for k, v in c.items() if k != "seconds"} for c in cold]
    assert strip == [{k: v for k, v in c.items() if k != "seconds"} for c in warm]
    assert all(c["seconds"] == 0 for c in warm) and any(c["seconds"] > 0 for c in cold)


def test_the_suite_uses_the_user_cache_by_default_and_not_with_no_cache(capsys: pytest.CaptureFixture[str]) -> None:
    _suite(capsys, "--no-cache", only="ref.pd.linear")
    assert not default_path().exists()
    _suite(capsys, only="ref.pd.linear")
    assert default_path().exists()


def test_the_suite_warns_about_a_corrupt_cache_and_still_decides(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"garbage" * 1000)  # a cache whose pages are damaged
    code, rows, err = _suite(capsys, "--cache", str(path), only="ref.pd.linear")
    assert code == 0 and len(rows) >= 1 and all(r["verdict"] == "proved" for r in rows)
    assert "unreadable" in err and "started a new one" in err


def test_entries_older_than_the_limit_are_dropped_when_the_cache_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    proved = Result(Verdict.PROVED, detail="by hand")
    with DecisionCache(path) as c:
        assert c.put("old", proved) and c.put("new", proved)
    with sqlite3.connect(path) as db:  # "old" was stored 100 days ago
        db.execute("UPDATE decisions SET created = created - ? WHERE key = 'old'", (100 * 86400,))
    with DecisionCache(path, max_age_days=90) as c:
        assert c.get("old") is None and c.get("new") is not None
        assert len(c) == 1


def test_the_engine_version_covers_every_subfolder(tmp_path: Path) -> None:
    # a verdict may depend on a module in a subfolder of deciding/ or model/ (issue 14 moves
    # modules into deciding/kinds, proof, evaluation, batch): a change there must change the
    # version, or a cache would serve what an older engine decided
    from verify.deciding.batch.cache import source_hash

    for folder in ("deciding", "model", "deciding/kinds", "deciding/proof/inner"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "m.py").write_text("x = 1\n")
    before = source_hash(tmp_path)
    for folder in ("deciding", "model", "deciding/kinds", "deciding/proof/inner"):
        (tmp_path / folder / "m.py").write_text("x = 2\n")
        after = source_hash(tmp_path)
        assert after != before, folder
        before = after
    (tmp_path / "reading").mkdir()
    (tmp_path / "reading" / "r.py").write_text("y = 1\n")  # reading decides nothing: not hashed
    assert source_hash(tmp_path) == before
