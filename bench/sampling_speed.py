"""Benchmark: sampling a claim at a random point, Fraction jets first vs the SymPy jets alone.

Refutation evaluates both sides of every Equality at random exact points
(:func:`verify.deciding.evaluation.sampling.evaluate`). That function now tries the pure-Python evaluator
(:mod:`verify.deciding.evaluation.fraction_jets`) and falls back to SymPy's ``JetEvaluator``; the "SymPy"
column below is the evaluation as it was before, on the same seeds, so the two columns time the
same points side by side in one process. Each time includes drawing the point (SymPy rationals),
which both pay.

    PYTHONPATH=. python bench/sampling_speed.py [--points 5]   # per claim, at each of its bindings
    PYTHONPATH=. python bench/sampling_speed.py --suite        # also: time spent sampling while deciding
                                                               # every HW1 claim, before / after
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import sympy

from derivations import all_claims
from verify.deciding.engine import decide
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.instantiate import evaluate_sides
from verify.deciding.evaluation.jets import JetEvaluator
from verify.deciding.evaluation.sampling import Point, derivative_order, differentiated, evaluate
from verify.deciding.proof import refute
from verify.model.claim import Equality
from verify.model.expr import Apply, Expr
from verify.model.symbols import Symbol

Evaluate = Callable[..., tuple[list[sympy.Matrix], Point]]
ROOT = Path(__file__).resolve().parent.parent

#: Functions whose values are not rational: the Fraction path declines them and SymPy decides.
TRANSCENDENTAL = frozenset({"exp", "log", "sigmoid", "tanh", "sqrt"})


def sympy_evaluate(
    sides: tuple[Expr, ...],
    symbols: Mapping[str, Symbol],
    sizes: Mapping[str, int],
    layout: str,
    rng: random.Random,
    unit: bool = False,
) -> tuple[list[sympy.Matrix], Point]:
    """``sampling.evaluate`` as it was before the Fraction path: the baseline being measured."""
    free = frozenset().union(*(differentiated(e) for e in sides))
    order = max(1, *(derivative_order(e) for e in sides))
    point = Point(symbols, sizes, order, rng, free, unit)
    ev = JetEvaluator(symbols, sizes, point.realise, layout, point.atoms, order)
    return [ev.at_point(m) for m in evaluate_sides(ev, sides)], point


def transcendental(e: Expr) -> bool:
    return (isinstance(e, Apply) and e.func in TRANSCENDENTAL) or any(transcendental(c) for c in e.children())


def timed_points(claim: Equality, how: Evaluate, points: int) -> tuple[float, int, list[object]]:
    """Seconds for ``points`` points at each binding (seeded alike for both ways), and the outcomes."""
    bound = list(claim.sizes) if claim.sizes else sizing.bindings(sizing.letters_of(claim))
    spent, count, outcomes = 0.0, 0, []
    sympy.core.cache.clear_cache()  # neither way inherits the other's cached SymPy objects
    for sizes in bound:
        rng = random.Random(f"{claim.id}/{sorted(sizes.items())}")
        for k in range(points):
            start = time.perf_counter()
            try:
                values, _ = how((claim.lhs, claim.rhs), claim.symbols, sizes, claim.layout, rng, k % 3 == 2)
                outcomes.append(values)
            except (ZeroDivisionError, ValueError) as err:  # undefined here or a kink: still a point tried
                outcomes.append(type(err).__name__)
            spent += time.perf_counter() - start
            count += 1
    return spent, count, outcomes


def per_claim(points: int) -> None:
    print(f"\n(a) per point, {points} points at each binding (ms per point; * = uses exp, log, sigmoid, ...)")
    print(f"{'claim':34} {'points':>6} {'SymPy':>8} {'Fraction':>9} {'ratio':>6}")
    claims = [c for _, c in all_claims() if isinstance(c, Equality)]
    timed_points(claims[0], evaluate, 1)  # one-time costs (imports) are not a point's
    timed_points(claims[0], sympy_evaluate, 1)
    totals = {True: [0.0, 0.0, 0], False: [0.0, 0.0, 0]}
    for claim in claims:
        slow, n, expected = timed_points(claim, sympy_evaluate, points)
        fast, _, got = timed_points(claim, evaluate, points)
        same = "" if got == expected else "  VALUES DIFFER"  # the same seeds give the same points
        mark = transcendental(claim.lhs) or transcendental(claim.rhs)
        totals[mark][0] += slow
        totals[mark][1] += fast
        totals[mark][2] += n
        name = claim.id + (" *" if mark else "")
        print(f"{name:34} {n:6} {slow / n * 1e3:8.2f} {fast / n * 1e3:9.2f} {slow / fast:6.1f}{same}")
    for label, (slow, fast, n) in (("rational claims", totals[False]), ("* claims (SymPy decides)", totals[True]),
                                   ("all", [a + b for a, b in zip(totals[False], totals[True], strict=True)])):
        print(f"{'TOTAL ' + label:34} {n:6} {slow:7.2f}s {fast:8.2f}s {slow / fast:6.1f}x"
              f"   per point {slow / n * 1e3:.2f} -> {fast / n * 1e3:.2f} ms")


def suite_one(label: str) -> None:
    """Decide every HW1 claim in this (fresh) process, adding up the time inside ``evaluate``."""
    how: Evaluate = sympy_evaluate if label == "SymPy" else evaluate
    spent = [0.0]

    def timed(*args: object, **kw: object) -> tuple[list[sympy.Matrix], Point]:
        start = time.perf_counter()
        try:
            return how(*args, **kw)
        finally:
            spent[0] += time.perf_counter() - start

    refute.evaluate = timed  # type: ignore[assignment]  # where the claim's points are evaluated
    start = time.perf_counter()
    verdicts = [decide(c, timeout=None).verdict.value for _, c in all_claims()]
    print(json.dumps({"sampling": spent[0], "deciding": time.perf_counter() - start, "verdicts": verdicts}))


def suite() -> None:
    """Each way in a fresh process: neither inherits the other's SymPy cache or warm imports."""
    print("\n(b) deciding every HW1 claim in-process, each way in a fresh process (seconds)")
    rows = {}
    for label in ("SymPy", "Fraction"):
        run = subprocess.run([sys.executable, __file__, "--suite-one", label], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        rows[label] = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"{label:10} sampling {rows[label]['sampling']:7.2f}   deciding {rows[label]['deciding']:7.2f}")
    same = rows["SymPy"]["verdicts"] == rows["Fraction"]["verdicts"]
    print(f"sampling ratio {rows['SymPy']['sampling'] / rows['Fraction']['sampling']:.1f}x; "
          f"verdicts {'identical' if same else 'DIFFER'}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--points", type=int, default=5)
    p.add_argument("--suite", action="store_true", help="also decide every claim, timing the sampling")
    p.add_argument("--suite-one", choices=("SymPy", "Fraction"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.suite_one:
        suite_one(args.suite_one)
        return
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, Python {platform.python_version()}, "
          f"SymPy {sympy.__version__}")
    per_claim(args.points)
    if args.suite:
        suite()


if __name__ == "__main__":
    main()
