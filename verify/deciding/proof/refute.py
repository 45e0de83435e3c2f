"""Refutation by exact evaluation at random points.

One point where the two sides differ is a proof that a claim is false, and it is the
counterexample the user sees. Surviving many points proves nothing (Schwartz-Zippel makes a
false polynomial identity unlikely to survive, which is evidence, not proof).

Two routes: a claim's sides at random points at every binding of its letters
(:func:`refute_at`, with :mod:`verify.deciding.evaluation.sampling`'s values), and two explicit
SymPy matrices at random values of their atoms (:func:`search`). Both compare only by
:func:`verify.deciding.evaluation.certified.differs`: exactly, or by a ball that excludes 0.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import sympy

from verify.deciding.dispatch import Progress
from verify.deciding.evaluation import certified, sizing
from verify.deciding.evaluation.kinks import AGREED, on_kinks
from verify.deciding.evaluation.piecewise import off_boundaries
from verify.deciding.evaluation.rationals import sample_point
from verify.deciding.evaluation.reference import values_at
from verify.deciding.evaluation.sampling import Agreed, Point, evaluate
from verify.deciding.proof import counterexample
from verify.deciding.proof.hints import TRANSPOSES, hint
from verify.deciding.proof.noncommutative import prove_all_sizes
from verify.errors import ShapeError
from verify.model import Equality, Result, Transpose, Verdict, read_only

#: Random points tried at each binding of the dimension letters before the size-independent
#: prover (milliseconds): most false claims fail at the first point.
POINTS = 1
#: Extra draws allowed for points where a side is undefined (log of a negative, a singular
#: matrix, a kink), so that claims defined only on part of the space still get their points.
ATTEMPTS = 40


def sample(
    claim: Equality, sizes: Mapping[str, int], rng: random.Random, unit: bool = False, use_fractions: bool = True,
    magnitude: int = 0, signed: bool = False, balls: bool = False,
) -> tuple[sympy.Matrix, sympy.Matrix, Point] | None:
    """Both sides' exact values at one random point, or None where a side is undefined or on a kink.
    With ``balls``, :class:`~verify.deciding.evaluation.sampling.Agreed` where balls show the sides
    agree there (no exact values computed)."""
    try:
        (lv, rv), point = evaluate((claim.lhs, claim.rhs), claim.symbols, sizes, claim.layout, rng, unit,
                                   use_fractions, magnitude, signed, balls=balls)
    except (ZeroDivisionError, ValueError):  # Boundary is a ValueError too
        return None
    if point.exact is None and not (certified.all_defined(lv) and certified.all_defined(rv)):
        return None  # (values the Fraction evaluator computed are rational: defined)
    return lv, rv, point


def differ(lv: sympy.Matrix, rv: sympy.Matrix, point: Point) -> bool:
    """Whether two sides' values at ``point`` certainly differ somewhere (same shapes): on the Python
    numbers where the Fraction evaluator left them, else entry by entry (certified.differs)."""
    if point.exact is not None and len(point.exact) == 2:
        return point.exact[0] != point.exact[1]
    return any(certified.differs(a, b) for a, b in zip(lv, rv, strict=True))


def _more_points(claim: Equality, sizes: Mapping[str, int], rng: random.Random,
                 count: int) -> list[tuple[sympy.Matrix, sympy.Matrix, Point]]:
    """Up to ``count`` further points where both sides are defined (for hints)."""
    out: list[tuple[sympy.Matrix, sympy.Matrix, Point]] = []
    for attempt in range(count + ATTEMPTS):
        if len(out) >= count:
            break
        got = sample(claim, sizes, rng, unit=attempt % 3 == 2)
        if got is not None:
            out.append(got)
    return out


Refutation = tuple[Result | None, list[dict[str, int]], list[str], int]


def refute_at(claim: Equality, bound: list[dict[str, int]], rng: random.Random, progress: Progress,
           points: int = POINTS, use_fractions: bool = True) -> Refutation:
    """Look for a counterexample at every binding; also learn where the sides are defined."""
    defined: list[dict[str, int]] = []
    skipped: list[str] = []
    valid = 0
    for sizes in bound:
        progress(f"evaluating at random points{sizing.at([sizes])}")
        try:
            tried = 0
            # points ON the claim's kinks, first (kinks.py)
            kinks = on_kinks(claim, sizes, rng, use_fractions, balls=use_fractions)
            quota = points + sum(k is not None for k in kinks)
            for attempt in range(-len(kinks), points + ATTEMPTS):
                if tried >= quota:
                    break
                try:
                    got = kinks[attempt] if attempt < 0 else sample(claim, sizes, rng, *_draw(attempt, use_fractions),
                                                                    balls=use_fractions)
                except Agreed:
                    got = AGREED
                if isinstance(got, str):  # AGREED: the sides' balls agree at this point, no difference shown
                    tried += 1
                    continue
                if got is None:
                    continue
                tried += 1
                lv, rv, point = got
                if lv.shape != rv.shape:
                    raise ShapeError(f"the sides have shapes {lv.shape} and {rv.shape}")
                if differ(lv, rv, point) and point.again is not None and not _confirmed(claim, point):
                    lv, rv = _again(point.again)  # the fast values: confirmed the established way first
                    point.exact = None  # these are the SymPy evaluator's values now
                if differ(lv, rv, point):
                    cx = counterexample.from_point(claim, point, lv, rv, sizes)
                    note = ""
                    if hint([(lv, rv)]):  # a relation at this point: confirm it at more points
                        extra = _more_points(claim, sizes, rng, 3)
                        note = hint([(lv, rv)] + [(a, b) for a, b, _ in extra]) if len(extra) >= 2 else ""
                    if note == TRANSPOSES:
                        note = _transposed(claim) or note
                    detail = f"the sides differ{sizing.at([sizes])}"
                    return (
                        Result(Verdict.REFUTED, detail=f"{detail}; {note}" if note else detail,
                               counterexample=cx),
                        defined, skipped, valid,
                    )
            valid += tried
            if tried:
                defined.append(sizes)
        except ShapeError as err:
            skipped.append(f"{sizing.describe([sizes])}: {err}")
    return None, defined, skipped, valid


def _transposed(claim: Equality) -> str:
    """The layout hint proved, where the size-independent prover shows lhs = rhs^T for every
    size and value (the points only show it where they were drawn); '' where it does not."""
    try:
        proof = prove_all_sizes(replace(claim, rhs=Transpose(claim.rhs)))
    except MemoryError:
        raise
    except Exception:  # a hint is never worth a failed decision
        return ""
    if proof is None:
        return ""
    return "the left side is the transpose of the right at every size (proved): is this a layout mix-up?"


#: The large-magnitude points in turn: near 1000 all positive, all negative, then near 10^6,
#: then either sign at random (one sign for all values meets |x + 1000| and max(x, 1000) at once).
LARGE = ((1000, True), (-1000, True), (10**6, True), (-(10**6), True), (1000, False), (10**6, False))


def _draw(attempt: int, use_fractions: bool) -> tuple[bool, bool, int, bool]:
    """What the attempt-th point draws from: small rationals first; then in turn values in
    (0, 1) (probabilities, log(1 - p)) and large values (:data:`LARGE`)."""
    kind = attempt % 4
    magnitude, signed = LARGE[(attempt // 4) % len(LARGE)] if kind == 3 else (0, False)
    return kind == 2, use_fractions, magnitude, signed


def _confirmed(claim: Equality, point: Point) -> bool:
    """Whether the reference evaluation (:mod:`verify.deciding.evaluation.reference`: no rule in
    common with the Fraction evaluator) computes the same values at ``point`` as the Fraction
    evaluator did: two independent routes agree, and the refutation rests on them without the
    SymPy evaluator (whose recomputation cost more than a naive simplify of a small claim)."""
    return point.exact is not None and values_at(claim, point) == point.exact


def _again(again: Callable[[], list[sympy.Matrix]]) -> tuple[sympy.Matrix, sympy.Matrix]:
    """The sides recomputed by the SymPy evaluator; equal sides (no refutation) if that fails."""
    try:
        lv, rv = again()
    except (ZeroDivisionError, ValueError):
        return sympy.zeros(1, 1), sympy.zeros(1, 1)
    return lv, rv


@dataclass(frozen=True)
class Separation:
    """Two sides' exact values at a point where they differ."""

    point: Mapping[sympy.Symbol, sympy.Rational]
    lhs: sympy.Matrix
    rhs: sympy.Matrix

    def __post_init__(self) -> None:
        object.__setattr__(self, "point", read_only(self.point))


def search(
    lhs: sympy.Matrix,
    rhs: sympy.Matrix,
    rng: random.Random,
    tries: int = 12,
    must_be_invertible: Sequence[sympy.Matrix] = (),
) -> tuple[Separation | None, int]:
    """Look for a point separating the sides; returns it (or None) and how many points were valid."""
    atoms = set().union(*(e.free_symbols for e in (*lhs, *rhs)))
    for m in must_be_invertible:
        atoms |= m.free_symbols
    valid = 0
    for _ in range(tries * 3):
        if valid >= tries:
            break
        point = sample_point(atoms, rng)
        if any(m.xreplace(point).det() == 0 for m in must_be_invertible):
            continue
        if not off_boundaries((lhs, rhs), point):
            continue
        try:
            lv, rv = lhs.xreplace(point), rhs.xreplace(point)
        except (ZeroDivisionError, ValueError, TypeError):
            continue
        if not (certified.all_defined(lv) and certified.all_defined(rv)):
            continue
        valid += 1
        if any(certified.differs(a, b) for a, b in zip(lv, rv, strict=True)):
            return Separation(point, lv, rv), valid
    return None, valid
