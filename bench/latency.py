"""Part (l) of bench/scale.py: the latency of grading one submission, as a student checking one
derivation before handing it in sees it.

``python -m verify grade --assignment hw1 FILE`` with its defaults (-j = the number of cores),
each run a fresh process, wall-clock from this process, median of ``--runs`` rounds:

- cold: a fresh, empty decision cache in a temporary folder (``--cache``);
- warm: the same cache again, now filled by the cold run;
- beside them, the floor any SymPy-based command pays: ``python -c "import sympy"``.

Each round runs the three one after the other for each file, so that they meet the same load.
Targets of issue 15 on a 2-core machine: under 2 s cold, under 1 s warm.

Bytecode: an installed package has its modules compiled (pip writes .pyc files at install, and
Python on first import), but an environment with ``PYTHONDONTWRITEBYTECODE=1`` (this project's
sandbox sets it) compiles every module's source in every process, about 0.2 s of this command.
By default the runs allow bytecode (one untimed run writes it first); ``--no-bytecode`` keeps the
environment as it is, and the header says which was measured.

    python bench/latency.py [--runs 5] [--no-bytecode] [FILE ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = (ROOT / "examples/submissions/hw1-correct.md",
         ROOT / "examples/submissions/realistic/s02_bruno_verbose.md")
TARGETS = {"cold": 2.0, "warm": 1.0}


ENV = dict(os.environ)


def _timed(argv: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return seconds


def latency(files: list[Path], runs: int) -> dict[str, dict[str, float]]:
    print(f"\n(l) latency of grading one submission: 'python -m verify grade --assignment hw1 FILE' "
          f"(default -j), a fresh process each run, wall seconds, median of {runs} rounds "
          "(cold: a fresh empty --cache; warm: the same cache again); "
          + ("modules' bytecode allowed (as installed)" if "PYTHONDONTWRITEBYTECODE" not in ENV
             else "PYTHONDONTWRITEBYTECODE set: every module compiled from source in every run"))
    times: dict[str, dict[str, list[float]]] = {f.name: {"floor": [], "cold": [], "warm": []} for f in files}
    with tempfile.TemporaryDirectory(prefix="verify-latency-") as folder:
        if "PYTHONDONTWRITEBYTECODE" not in ENV:  # written once, untimed, as an install would have
            _timed([sys.executable, "-m", "verify", "grade", "--assignment", "hw1", str(files[0]),
                    "--cache", str(Path(folder) / "bytecode.sqlite")])
        for r in range(runs):
            for f in files:
                cache = Path(folder) / f"{f.stem}-{r}.sqlite"  # never existed: cold
                grade = [sys.executable, "-m", "verify", "grade", "--assignment", "hw1", str(f),
                         "--cache", str(cache)]
                times[f.name]["floor"].append(_timed([sys.executable, "-c", "import sympy"]))
                times[f.name]["cold"].append(_timed(grade))
                times[f.name]["warm"].append(_timed(grade))
    print(f"  {'file':28} {'floor s':>8} {'cold s':>7} {'target':>7} {'':>7} {'warm s':>7} {'target':>7} {'':>7} "
          f"{'cold/warm':>10} {'warm/floor':>11}  (min-max cold; warm)")
    medians: dict[str, dict[str, float]] = {}
    for name, t in times.items():
        m = {k: statistics.median(v) for k, v in t.items()}
        medians[name] = m

        def verdict(kind: str, m: dict[str, float] = m) -> str:
            return "met" if m[kind] < TARGETS[kind] else "NOT met"

        print(f"  {name[:28]:28} {m['floor']:8.2f} {m['cold']:7.2f} {'< 2 s':>7} {verdict('cold'):>7} "
              f"{m['warm']:7.2f} {'< 1 s':>7} {verdict('warm'):>7} {m['cold'] / m['warm']:9.1f}x "
              f"{m['warm'] / m['floor']:10.1f}x  ({min(t['cold']):.2f}-{max(t['cold']):.2f}; "
              f"{min(t['warm']):.2f}-{max(t['warm']):.2f})")
    return medians


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--no-bytecode", action="store_true",
                   help="keep PYTHONDONTWRITEBYTECODE as the environment has it (default: bytecode allowed)")
    p.add_argument("files", nargs="*", type=Path, default=list(FILES))
    args = p.parse_args()
    if not args.no_bytecode:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    latency([f.resolve() for f in args.files], args.runs)


if __name__ == "__main__":
    main()
