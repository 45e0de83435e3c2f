"""Benchmark: the engine against the naive baseline, side by side in one process.

The baseline is what one would write first: instantiate each claim at the same sizes with
symbolic entries (arbitrary functions as jets, as the engine does) and ask
``simplify(lhs - rhs) == 0`` entry by entry. It only ever proves; it is timed on the
Equality claims, the kind it applies to. Each run of either is isolated in a killed-on-timeout
worker, so a baseline that does not finish counts as its time limit (a lower bound, marked >).

    python bench/hw1_vs_baseline.py [--baseline-timeout 60] [--sizes 2,3,4,5,6]
"""

from __future__ import annotations

import argparse
import platform
import random
import time

import sympy

from derivations import all_claims
from verify.deciding.engine import decide
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.instantiate import Evaluator, jets_to_symbols, symbolic
from verify.deciding.isolation import run_isolated
from verify.model.claim import Equality
from verify.model.expr import D, Var
from verify.model.symbols import Symbols, matrix, scalar


class NaiveEvaluator(Evaluator):
    """The engine's instantiation with SymPy's own Max, as one would first write it."""

    maximum = sympy.Max


def baseline(claim: Equality) -> bool:
    """Naive: simplify(lhs - rhs) == 0 on every entry, at the engine's sizes."""
    bound = list(claim.sizes) if claim.sizes else sizing.bindings(sizing.letters_of(claim))
    for sizes in bound:
        ev = NaiveEvaluator(claim.symbols, sizes, symbolic(claim.symbols, sizes), claim.layout)
        try:
            lhs, _ = jets_to_symbols(ev(claim.lhs))
            rhs, _ = jets_to_symbols(ev(claim.rhs))
        except Exception:
            continue
        if lhs.shape != rhs.shape:
            return False
        if any(sympy.simplify(a - b) != 0 for a, b in zip(lhs, rhs, strict=True)):
            return False
    return True


def timed_baseline(claim: Equality, limit: float) -> tuple[float, str]:
    """The baseline in a forked worker: wall-clock seconds from the parent, fork and join included,
    as ``timed_engine`` measures the engine (``Outcome.seconds`` stops before the worker is joined,
    about 1 ms less on this machine, which favoured the baseline)."""
    start = time.perf_counter()
    outcome = run_isolated(lambda report: baseline(claim), limit)
    seconds = time.perf_counter() - start
    if outcome.status != "done":
        return limit, "timeout"
    return seconds, "proved" if outcome.value else "not proved"


def timed_engine(claim, limit: float) -> tuple[float, str]:
    start = time.perf_counter()
    result = decide(claim, timeout=limit)
    return time.perf_counter() - start, result.verdict.value


def inverse_claim(n: int) -> Equality:
    A, t = Var("A"), Var("t")
    return Equality(
        id=f"inverse-derivative-n{n}",
        statement=r"\frac{\partial A^{-1}}{\partial t} = -A^{-1} \frac{\partial A}{\partial t} A^{-1}",
        symbols=Symbols.of([matrix("A", n, n, invertible=True, of=("t",)), scalar("t")]),
        lhs=D(A.I, t),
        rhs=-A.I * D(A, t) * A.I,
    )


def fmt(seconds: float, status: str) -> str:
    return (">" if status == "timeout" else "") + f"{seconds:.2f}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline-timeout", type=float, default=60.0)
    p.add_argument("--sizes", default="2,3,4,5,6", help="sizes n for the inverse-derivative identity")
    args = p.parse_args()
    random.seed(0)
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, Python {platform.python_version()}, "
          f"SymPy {sympy.__version__}")
    print("\n(a) HW1 Equality claims: naive simplify vs engine (seconds; > = baseline timed out)")
    print(f"{'claim':34} {'baseline':>10} {'verdict':>11} {'engine':>8} {'verdict':>9} {'ratio':>7}")
    total_b = total_e = 0.0
    for _, claim in all_claims():
        if not isinstance(claim, Equality):
            continue
        bs, bv = timed_baseline(claim, args.baseline_timeout)
        es, ev = timed_engine(claim, args.baseline_timeout)
        total_b += bs
        total_e += es
        print(f"{claim.id:34} {fmt(bs, bv):>10} {bv:>11} {es:8.2f} {ev:>9} {bs / es:7.1f}")
    print(f"{'TOTAL':34} {total_b:10.2f} {'':>11} {total_e:8.2f} {'':>9} {total_b / total_e:7.1f}x")
    others = [c for _, c in all_claims() if not isinstance(c, Equality)]
    if others:
        spent = sum(timed_engine(c, args.baseline_timeout)[0] for c in others)
        print(f"(+ {len(others)} claims of other kinds, no naive baseline: engine {spent:.2f} s)")

    print("\n(b) d(A^{-1})/dt = -A^{-1} (dA/dt) A^{-1} at fixed n")
    print(f"{'n':>3} {'baseline':>10} {'verdict':>11} {'engine':>8} {'verdict':>9} {'ratio':>7}")
    gave_up = False
    for n in (int(s) for s in args.sizes.split(",")):
        claim = inverse_claim(n)
        es, ev = timed_engine(claim, args.baseline_timeout)
        if gave_up:  # a smaller n already timed out: a larger one only costs more
            print(f"{n:3} {'not run':>10} {'':>11} {es:8.2f} {ev:>9} {'':>7}")
            continue
        bs, bv = timed_baseline(claim, args.baseline_timeout)
        gave_up = bv == "timeout"
        print(f"{n:3} {fmt(bs, bv):>10} {bv:>11} {es:8.2f} {ev:>9} {bs / es:7.1f}")


if __name__ == "__main__":
    main()
