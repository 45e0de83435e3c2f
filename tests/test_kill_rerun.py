"""A grading run killed with SIGKILL (issue #5) loses nothing and leaves nothing half-written.

``python -m verify grade ... --output OUT --gradescope DIR`` is started on a class big enough
to take a few seconds and killed with ``kill -9`` while it decides (and once more close to its
end). OUT must then be exactly what it was before (a complete earlier report), or a complete
new one; no temporary file may be left next to it. A rerun over the same inputs and cache must
finish and write exactly what an uninterrupted run writes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).resolve().parent / "hostile" / "good.md"

#: A complete report from an earlier run, which a killed run must leave as it is.
EARLIER = '{"submissions": []}\n'


def _class(folder: Path, size: int) -> list[Path]:
    """``size`` submissions whose answers all differ (so each is a decision of its own); every
    answer is right by hand: (k+1)A - kA = A, Qx + c + kx - kx = Qx + c, k y^T A - (k-1) y^T A = y^T A."""
    folder.mkdir()
    paths = [folder / "good.md"]
    paths[0].write_bytes(GOOD.read_bytes())
    for k in range(1, size):
        path = folder / f"s{k:03d}.md"
        path.write_text(
            f"---\nstudent: student-{k:03d}\n---\n\n"
            f"## pd.linear\n\n$$\\frac{{\\partial y}}{{\\partial x}} = {k + 1} A - {k} A$$\n\n"
            f"## quad.gradient\n\n$$\\nabla_x h = Q x + c + {k} x - {k} x$$\n\n"
            f"## pd.bilinear-x\n\n$$\\frac{{\\partial \\alpha}}{{\\partial x}} = {k} y^T A - {k - 1} y^T A$$\n"
        )
        paths.append(path)
    return paths


def _command(submissions: Path, output: Path, gradescope: Path, cache: str | None) -> list[str]:
    where = ["--cache", cache] if cache is not None else ["--no-cache"]
    return [sys.executable, "-m", "verify", "grade", "--assignment", "hw1", *where, "--format", "json",
            "--output", str(output), "--gradescope", str(gradescope), str(submissions)]


def _start(argv: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    """In a session of its own, so that its workers can be found (by its id) and stopped too."""
    return subprocess.Popen(argv, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _without_timing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in ("seconds", "time", "elapsed")}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value


def _gradescope(folder: Path) -> dict[str, Any]:
    return {str(p.relative_to(folder)): json.loads(p.read_text()) for p in sorted(folder.rglob("results.json"))}


def _stray(folder: Path, keep: set[Path]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p not in keep)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_run_killed_midway_leaves_no_partial_output_and_a_rerun_completes_it(tmp_path: Path) -> None:
    submissions = tmp_path / "class"
    # 160 students: about 4 s on this machine, so that the kills below land midway (80 took 2.5 s
    # once the engine had got faster, close to the floor the test asserts)
    _class(submissions, 160)
    outputs = tmp_path / "out"
    outputs.mkdir()
    cache = str(tmp_path / "cache" / "decisions.sqlite")
    (tmp_path / "cache").mkdir()

    # the reference: one uninterrupted run, no cache
    reference, reference_dir = tmp_path / "reference.json", tmp_path / "reference-gradescope"
    start = time.perf_counter()
    done = subprocess.run(_command(submissions, reference, reference_dir, None), cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=300)
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr.decode()
    expected = json.loads(reference.read_text())
    assert len(expected["submissions"]) == 160
    # by hand every generated answer is right (see _class)
    assert all(q["verdict"] == "correct" for s in expected["submissions"][1:] for q in s["questions"]
               if q["id"] in ("pd.linear", "quad.gradient", "pd.bilinear-x"))
    assert took > 2.0, "the class is too small to be killed midway"

    out, gradescope = outputs / "grades.json", outputs / "gradescope"
    out.write_text(EARLIER)
    # while deciding (filling the cache), and closer to the end (without the cache, which would
    # make the run shorter than the reference)
    for fraction, cached in ((0.5, cache), (0.9, None)):
        proc = _start(_command(submissions, out, gradescope, cached), tmp_path)
        time.sleep(took * fraction)
        if proc.poll() is not None:  # a loaded machine can make the timing miss; then it is whole
            assert proc.returncode == 0
            assert _without_timing(json.loads(out.read_text())) == _without_timing(expected)
            continue
        os.kill(proc.pid, signal.SIGKILL)  # kill -9 of the command itself
        proc.wait(timeout=30)
        try:  # then its workers, orphaned: they are in the session started for it
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        # -9, or 0 when it finished between poll() and the kill (then its output is whole, below)
        assert proc.returncode in (-signal.SIGKILL, 0)
        text = out.read_text()
        assert text == EARLIER or _without_timing(json.loads(text)) == _without_timing(expected)
        # A kill -9 that lands while a file is being written may leave its hidden temporary
        # file (nothing can run after SIGKILL); never a partial target. The rerun removes it.
        for path in gradescope.rglob("results.json"):  # each one, if any, is whole
            json.loads(path.read_text())

    rerun = subprocess.run(_command(submissions, out, gradescope, cache), cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert _without_timing(json.loads(out.read_text())) == _without_timing(expected)
    assert _without_timing(_gradescope(gradescope)) == _without_timing(_gradescope(reference_dir))
    assert _stray(outputs, {out, *gradescope.rglob("results.json")}) == [], "a temporary file was left"
