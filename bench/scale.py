"""Benchmark of speed and scale, all from one run on the same inputs, side by side and as ratios.

(a) the HW1 suite: the naive baseline (simplify(lhs - rhs) == 0, on the Equality claims it
    applies to) against the engine, cold (empty cache) at -j 1 and -j N, and warm (cache full);
(m) the scheduler's two ways of using workers, fork per decision and persistent, on the suite;
(b) the inverse-derivative identity d(A^{-1})/dt = -A^{-1} A' A^{-1} at n = 2..6;
(c) grading N synthetic submissions (bench/synthetic.py) at -j 1 and -j 2, cold and warm, and
    whether the four runs give identical grades;
(d) the scalar HW1 questions (Beale gradients, the sigmoid, AdaMax) against math-verify's
    ``verify`` on the same answer pairs: time per answer and agreement, every disagreement
    explained (needs ``pip install -e '.[bench]'``; skipped with a note without it);
(l) the latency of grading one submission, cold and warm, each a fresh process, against the
    issue's targets (bench/latency.py);
(k) every Equality claim of the suite, the examples and the matrix-calculus soundness corpus,
    the engine against the naive baseline one by one, with the claims over 1 s and the small
    claims where the engine is slower (bench/claims_vs_naive.py; ``--profile N`` profiles the N
    slowest in-process).

    python bench/scale.py [--submissions 5000] [--baseline-timeout 60] [--sizes 2,3,4,5,6]
                          [--latency-runs 5] [--claims-timeout 10] [--profile 0] [--skip l,a,m,b,k,c,d]

Each baseline run is isolated in a killed-on-timeout worker: one that does not finish counts as
its time limit, so a ratio against it is a lower bound (marked >). Caches live in a temporary
folder, never the user's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import claims_vs_naive  # noqa: E402
import latency  # noqa: E402
import sympy  # noqa: E402
import synthetic  # noqa: E402
from hw1_vs_baseline import inverse_claim, timed_baseline  # noqa: E402

from derivations import all_claims  # noqa: E402
from verify.deciding.batch.execution import Execution, Stats, decide_all  # noqa: E402
from verify.deciding.batch.scheduler import Scheduler, cores  # noqa: E402
from verify.grading.assignment import load_assignment  # noqa: E402
from verify.grading.batch import GradingOptions, grade_files  # noqa: E402
from verify.grading.derivation import reader  # noqa: E402
from verify.grading.grade import plan  # noqa: E402
from verify.model.claim import Equality  # noqa: E402
from verify.model.result import Verdict  # noqa: E402
from verify.reading.markdown import read_submission  # noqa: E402

TIMEOUT = 60.0
#: Issue 15's target for grading the synthetic class with a full cache, wall seconds.
WARM_CLASS_TARGET = 10.0


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.machine()}, {model}, {cores()} cores, "
            f"Python {platform.python_version()}, SymPy {sympy.__version__}")


def ratio(base: float, other: float, lower_bound: bool = False) -> str:
    return f"{'>' if lower_bound else ''}{base / other:.1f}x" if other > 0 else "inf"


# ---------------------------------------------------------------------------------------
# (a) and (b)


def suite(baseline_timeout: float, tmp: Path) -> None:
    claims = [c for _, c in all_claims()]
    eq_index = [i for i, c in enumerate(claims) if isinstance(c, Equality)]
    print(f"\n(a) HW1 suite: {len(claims)} claims, {len(eq_index)} of them Equality claims (the naive baseline's kind)")
    runs: dict[str, tuple[float, list]] = {}
    for name, jobs, cache in (("engine cold -j 1", 1, tmp / "a1.sqlite"), ("engine warm -j 1", 1, tmp / "a1.sqlite"),
                              (f"engine cold -j {cores()}", cores(), tmp / "aN.sqlite")):
        start = time.perf_counter()
        results = decide_all(claims, Execution(jobs=jobs, timeout=TIMEOUT, cache=cache))
        runs[name] = (time.perf_counter() - start, results)
    cold_results = runs["engine cold -j 1"][1]
    bad = [claims[i].id for i, r in enumerate(cold_results) if r.verdict not in (Verdict.PROVED, Verdict.REFUTED)]
    same = all((a.verdict, a.detail, a.scope, a.counterexample) == (b.verdict, b.detail, b.scope, b.counterexample)
               for name in runs for a, b in zip(cold_results, runs[name][1], strict=True))
    base_total, timed_out, verdicts = 0.0, 0, {}
    for i in eq_index:
        seconds, verdict = timed_baseline(claims[i], baseline_timeout)
        base_total += seconds
        timed_out += verdict == "timeout"
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    engine_eq = sum(cold_results[i].seconds for i in eq_index)
    lb = timed_out > 0
    print(f"  {'':34} {'wall s':>8} {'decide s':>9} {'vs naive':>9}")
    print(f"  {'naive simplify (Equality claims)':34} {base_total:8.2f} {base_total:9.2f} {'1.0x':>9}   "
          f"{', '.join(f'{v} {k}' for k, v in sorted(verdicts.items()))}"
          + (f" (timeout {baseline_timeout:g} s: a lower bound)" if lb else ""))
    print(f"  {'engine cold, same Equality claims':34} {'':>8} {engine_eq:9.2f} {ratio(base_total, engine_eq, lb):>9}")
    for name, (wall, results) in runs.items():
        decided = sum(r.seconds for r in results)
        print(f"  {name + ', all claims':34} {wall:8.2f} {decided:9.2f} {ratio(base_total, wall, lb):>9}")
    print(f"  verdicts identical in the three engine runs: {'yes' if same else 'NO'}; "
          f"not proved or refuted: {', '.join(bad) or 'none'}")
    print("  (wall s: the whole batch, workers and cache included; decide s: the workers' own decision time)")


def modes() -> None:
    """Fork-per-decision against persistent workers, on the suite (no cache): which the scheduler uses."""
    claims = [c for _, c in all_claims()]
    print(f"\n(m) scheduler modes on the {len(claims)} suite claims, no cache: wall seconds")
    print(f"  {'':24} {'persistent':>11} {'fork':>8} {'fork/persistent':>16}")
    for jobs in (1, 2):
        walls = {}
        for mode in ("persistent", "fork"):
            start = time.perf_counter()
            Scheduler(jobs=jobs, timeout=TIMEOUT, mode=mode).run(claims)  # type: ignore[arg-type]
            walls[mode] = time.perf_counter() - start
        print(f"  {f'-j {jobs}':24} {walls['persistent']:11.2f} {walls['fork']:8.2f} "
              f"{ratio(walls['fork'], walls['persistent']):>16}")


def inverse(sizes: list[int], baseline_timeout: float) -> None:
    print("\n(b) d(A^{-1})/dt = -A^{-1} (dA/dt) A^{-1} at fixed n (cold, no cache)")
    print(f"  {'n':>3} {'naive s':>9} {'verdict':>11} {'engine s':>9} {'verdict':>9} {'ratio':>8}")
    gave_up = False
    for n in sizes:
        claim = inverse_claim(n)
        start = time.perf_counter()
        [result] = decide_all([claim], Execution(jobs=1, timeout=baseline_timeout))
        es = time.perf_counter() - start
        if gave_up:  # a smaller n already timed out: a larger one only costs more
            print(f"  {n:3} {'not run':>9} {'':>11} {es:9.2f} {result.verdict.value:>9}")
            continue
        bs, bv = timed_baseline(claim, baseline_timeout)
        gave_up = bv == "timeout"
        mark = ">" if gave_up else ""
        print(f"  {n:3} {mark + f'{bs:.2f}':>9} {bv:>11} {es:9.2f} {result.verdict.value:>9} "
              f"{ratio(bs, es, gave_up):>8}")


# ---------------------------------------------------------------------------------------
# (c)


def grade_once(folder: str, jobs: int, cache: str) -> None:
    """One grading run, as the grade command does it, in a fresh process: prints its figures as JSON."""
    start = time.perf_counter()
    hw1 = load_assignment("hw1")
    files = sorted(Path(folder).glob("*.md"))
    stats = Stats()
    marks: dict[str, float] = {}
    execution = Execution(jobs=jobs, timeout=20.0, cache=Path(cache))

    def decider(claims, done, limits):  # type: ignore[no-untyped-def]
        """The grader's batch of distinct claims, timed; as ``batch.executed(execution)`` does it."""
        marks["planned"] = time.perf_counter()
        results = decide_all([c for _, c in claims], execution, on_done=lambda i, r: done(), stats=stats,
                             limits=limits)
        marks["decided"] = time.perf_counter()
        return {k: r for (k, _), r in zip(claims, results, strict=True)}

    grades = grade_files(hw1, files, GradingOptions(timeout=20.0), decider=decider)
    end = time.perf_counter()
    verdicts: dict[str, int] = {}
    for g in grades:
        for q in g.questions:
            verdicts[q.verdict.value] = verdicts.get(q.verdict.value, 0) + 1
    text = json.dumps([g.to_json() for g in grades], sort_keys=True)
    print(json.dumps({
        "setup": marks["planned"] - start, "decide": marks["decided"] - marks["planned"],
        "assemble": end - marks["decided"], "claims": stats.claims, "decided": stats.decided,
        "cached": stats.cached, "verdicts": verdicts, "grades": hashlib.sha256(text.encode()).hexdigest(),
    }))


def grading(count: int, tmp: Path) -> None:
    folder = tmp / "submissions"
    synthetic.write(folder, count, seed=0)
    print(f"\n(c) grading {count} synthetic submissions (bench/synthetic.py, seed 0; 23 questions each), "
          "each run a fresh process as 'verify grade' is")
    print(f"  {'run':12} {'wall s':>8} {'start+read+plan s':>18} {'decide s':>9} {'assemble s':>11} {'distinct':>9} "
          f"{'decided':>8} {'cached':>7} {'per sub ms':>11}")
    walls: dict[str, float] = {}
    digests: set[str] = set()
    verdicts: dict[str, int] = {}
    for jobs in (1, 2):
        cache = tmp / f"c{jobs}.sqlite"
        for phase in ("cold", "warm"):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--grade-once", str(folder), str(jobs), str(cache)],
                                  capture_output=True, text=True, check=True)
            wall = time.perf_counter() - start
            figures = json.loads(proc.stdout.strip().splitlines()[-1])
            name = f"-j {jobs} {phase}"
            walls[name] = wall
            digests.add(figures["grades"])
            verdicts = figures["verdicts"]
            print(f"  {name:12} {wall:8.2f} {wall - figures['decide'] - figures['assemble']:18.2f} "
                  f"{figures['decide']:9.2f} {figures['assemble']:11.2f} {figures['claims']:9} "
                  f"{figures['decided']:8} {figures['cached']:7} {1000 * wall / count:11.2f}")
    print(f"  grades identical in the four runs: {'yes' if len(digests) == 1 else 'NO'}; marks: "
          + ", ".join(f"{v} {k}" for k, v in sorted(verdicts.items())))
    print(f"  -j 2 vs -j 1 cold: {ratio(walls['-j 1 cold'], walls['-j 2 cold'])}; "
          f"warm vs cold at -j 2: {ratio(walls['-j 2 cold'], walls['-j 2 warm'])}")
    best = min(walls['-j 1 warm'], walls['-j 2 warm'])
    print(f"  warm, against the target of {WARM_CLASS_TARGET:g} s for 5,000: -j 1 {walls['-j 1 warm']:.2f} s, "
          f"-j 2 {walls['-j 2 warm']:.2f} s ({'met' if best < WARM_CLASS_TARGET else 'NOT met'}"
          + ("" if count == 5000 else f"; {count} submissions, not 5,000") + ")")


# ---------------------------------------------------------------------------------------
# (d)

SCALAR_QUESTIONS = ("beale.grad-x1", "beale.grad-x2", "bp.dyhat-dz2", "adamax.update")


def _rhs(markdown: str) -> str:
    """The answer's LaTeX as a student wrote it: the right side of the last ``=``."""
    return markdown.strip().strip("$").rsplit("=", 1)[1].strip()


def _explain(question, gold: str, answer: str, ours, theirs_ok: bool, parsed_gold, parsed_answer) -> str:
    def understood(parsed: list) -> bool:
        return any(isinstance(p, sympy.Basic) for p in parsed)

    def shown(parsed: list) -> str:
        exprs = [p for p in parsed if isinstance(p, sympy.Basic)]
        return sympy.sstr(exprs[0]) if exprs else "nothing (only the text)"

    reasons = []
    if not understood(parsed_gold) or not understood(parsed_answer):
        reasons.append("math-verify could not turn the LaTeX into an expression and compared the texts")
    defined = [name for name in question.defines if name in answer and name not in gold]
    if defined:
        reasons.append(f"the answer uses {', '.join(defined)}, which the question defines "
                       f"({'; '.join(f'{n} := {question.defines[n].latex()}' for n in defined)}); "
                       "math-verify reads it as a free symbol")
    if r"\sigma" in gold and r"\sigma" not in answer and not defined:
        reasons.append(r"math-verify reads \sigma as an unknown function, not the logistic 1/(1 + e^{-z})")
    if ours.verdict is Verdict.REFUTED and theirs_ok and ours.counterexample is not None:
        reasons.append(f"the engine's exact counterexample shows the answer is wrong: "
                       f"{ours.counterexample.describe().splitlines()[0]}")
    if not reasons:
        reasons.append(f"engine: {ours.verdict.value} ({ours.scope or ours.detail[:80]})")
    return ("; ".join(reasons) + f". math-verify read the reference as {shown(parsed_gold)} "
            f"and the answer as {shown(parsed_answer)}")


def versus_math_verify() -> None:
    print("\n(d) scalar HW1 questions: the engine vs math-verify's verify on the same answer pairs")
    try:
        from math_verify import parse, verify
    except ImportError:
        print("  skipped: math-verify is not installed (pip install -e '.[bench]')")
        return
    hw1 = load_assignment("hw1")
    questions = {q.id: q for q in hw1.questions}
    # One-time costs, not per answer, paid before timing: building each question's LaTeX reader
    # (its LALR tables) here, and math-verify's first parse (its grammar) there.
    start = time.perf_counter()
    for qid in SCALAR_QUESTIONS:
        reader(questions[qid])
    ours_setup = time.perf_counter() - start
    start = time.perf_counter()
    verify(parse("$x + 1$"), parse("$1 + x$"))
    theirs_setup = time.perf_counter() - start
    print(f"  one-time set-up, not timed below: the engine's readers {ours_setup:.2f} s, math-verify's first call "
          f"{theirs_setup:.2f} s")
    rows, disagreements = [], []
    for qid in SCALAR_QUESTIONS:
        q = questions[qid]
        pool = [variant for variant, _ in synthetic.VARIANTS[qid]]
        gold = _rhs(next(p.text for p in pool if p.mark == synthetic.RIGHT))
        for variant in pool:
            text = variant.text.replace("{k}", "7")
            answer = _rhs(text)
            start = time.perf_counter()
            sub = read_submission(f"## {qid}\n\n{text}\n", "bench.md", "bench", hw1.ids)
            p = plan(q, sub.sections.get(qid))
            claim = dict(p.claims)[p.answer_key]
            [ours] = decide_all([claim], Execution(jobs=1, timeout=None))
            ours_s = time.perf_counter() - start
            start = time.perf_counter()
            parsed_gold, parsed_answer = parse(f"${gold}$"), parse(f"${answer}$")
            theirs_ok = bool(verify(parsed_gold, parsed_answer))
            theirs_s = time.perf_counter() - start
            ours_ok = ours.verdict is Verdict.PROVED
            intended_ok = variant.mark == synthetic.RIGHT
            rows.append((qid, answer, intended_ok, ours_ok, theirs_ok, ours_s, theirs_s))
            if ours_ok != theirs_ok:
                disagreements.append((qid, answer, ours_ok, _explain(q, gold, answer, ours, theirs_ok,
                                                                        parsed_gold, parsed_answer)))
    print(f"  {'question':15} {'by hand':>8} {'engine':>8} {'m-v':>8} {'engine ms':>10} {'m-v ms':>8}  answer")
    for qid, answer, intended, ours_ok, theirs_ok, ours_s, theirs_s in rows:
        word = {True: "right", False: "wrong"}
        print(f"  {qid:15} {word[intended]:>8} {word[ours_ok]:>8} {word[theirs_ok]:>8} {1000 * ours_s:10.1f} "
              f"{1000 * theirs_s:8.1f}  {answer[:60]}")
    n = len(rows)
    ours_total, theirs_total = sum(r[5] for r in rows), sum(r[6] for r in rows)
    print(f"  {n} answers. Engine: {sum(r[3] == r[2] for r in rows)}/{n} as marked by hand, "
          f"median {1000 * statistics.median(r[5] for r in rows):.1f} ms, total {ours_total:.2f} s. "
          f"math-verify: {sum(r[4] == r[2] for r in rows)}/{n} as marked by hand, "
          f"median {1000 * statistics.median(r[6] for r in rows):.1f} ms, total {theirs_total:.2f} s. "
          f"Engine {ratio(theirs_total, ours_total)} math-verify's speed in total, "
          f"{ratio(statistics.median(r[6] for r in rows), statistics.median(r[5] for r in rows))} at the median "
          "(read + decide each answer once, in-process, no cache).")
    print(f"  agreement: {n - len(disagreements)}/{n}; each disagreement:")
    for qid, answer, ours_ok, why in disagreements:
        print(f"  - {qid}: {answer[:70]}\n    engine says {'right' if ours_ok else 'wrong'}, math-verify the "
              f"opposite: {why}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--submissions", type=int, default=5000)
    p.add_argument("--baseline-timeout", type=float, default=60.0)
    p.add_argument("--sizes", default="2,3,4,5,6")
    p.add_argument("--latency-runs", type=int, default=5, help="(l): rounds, the median is printed")
    p.add_argument("--claims-timeout", type=float, default=10.0, help="(k): the naive baseline's limit per claim")
    p.add_argument("--profile", type=int, default=0, metavar="N", help="(k): profile the N slowest claims")
    p.add_argument("--skip", default="", help="comma-separated parts to skip: l,a,m,b,k,c,d")
    p.add_argument("--grade-once", nargs=3, metavar=("FOLDER", "JOBS", "CACHE"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.grade_once:
        grade_once(args.grade_once[0], int(args.grade_once[1]), args.grade_once[2])
        return
    skip = set(args.skip.split(",")) - {""}
    print(f"machine: {machine()}")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as folder:
        tmp = Path(folder)
        if "l" not in skip:
            latency.latency(list(latency.FILES), args.latency_runs)
        if "a" not in skip:
            suite(args.baseline_timeout, tmp)
        if "m" not in skip:
            modes()
        if "b" not in skip:
            inverse([int(s) for s in args.sizes.split(",")], args.baseline_timeout)
        if "k" not in skip:
            rows = claims_vs_naive.compare(args.claims_timeout)
            claims_vs_naive.profile(rows, args.profile)
        if "c" not in skip:
            grading(args.submissions, tmp)
        if "d" not in skip:
            versus_math_verify()
    print(f"\nload average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
