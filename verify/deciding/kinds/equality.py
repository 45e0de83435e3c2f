"""Deciding an :class:`~verify.model.claim.Equality` over dimension letters.

Refute first, at every binding of the letters (:mod:`verify.deciding.evaluation.sizing`), by exact
evaluation at random points (:mod:`verify.deciding.evaluation.sampling`): cheap at any size, and the
counterexample comes for free. Then prove: for every size at once where the size-independent
prover applies, otherwise by instantiation with symbolic entries at the bindings tried, and
the scope says which.
"""

from __future__ import annotations

import random
from dataclasses import replace

from verify.deciding.dispatch import Progress, decide_inline
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.instantiate import Evaluator, evaluate_sides, jets_to_symbols, relations, symbolic
from verify.deciding.evaluation.polynomial_jets import identical
from verify.deciding.evaluation.reference import agrees
from verify.deciding.evaluation.sampling import differentiated, evaluate
from verify.deciding.proof.explicit import compare
from verify.deciding.proof.refute import ATTEMPTS, POINTS, refute_at
from verify.errors import VerifyError
from verify.model import (
    NODES,
    At,
    Equality,
    Expr,
    Result,
    Shape,
    Transpose,
    Var,
    Verdict,
    Visitor,
    anonymous,
    shape_of,
    zero_of,
)

#: Points tried at each binding when the size-independent prover does not apply, before the
#: (much costlier) proof by instantiation.
BEFORE_INSTANTIATING = 1
#: How a proof by :func:`by_polynomials` is named in a result's detail.
POLYNOMIALS = "polynomial arithmetic"
#: Points tried at each binding when no proof was found, before saying unknown.
MORE_POINTS = 12
#: Points tried at each smaller binding once a claim is refuted at a binding larger than
#: :data:`sizing.DEFAULT` (:func:`_smaller`): a counterexample of 1 x 1 or 2 x 2 matrices reads far
#: better than one of 6 x 6 whose entries have seven digits.
SMALLER_POINTS = 8
#: A binding is sampled only where the claim differentiates by at most this many scalar entries
#: (a 4 x 4 matrix): exact jets cost far more with every variable, and d log det X / dX at n = 6
#: (36 variables) takes a minute per point where n = 4 takes a third of a second.
JET_VARIABLES = 16


def by_polynomials(claim: Equality, bound: list[dict[str, int]], rng: random.Random,
                   progress: Progress) -> tuple[list[dict[str, int]], Result | None, int]:
    """The bindings where the sides are equal polynomials in the entries
    (:mod:`verify.deciding.evaluation.polynomial_jets`): proved there, in a fraction of the cost of
    the SymPy instantiation; a refutation if the check below finds one; the points it used.

    That route evaluates by the Fraction evaluator's rules, and so do the random points (before
    it where a claim has dimension letters): a bug in a rule could make both agree on a false
    claim. So its proofs count only once an
    evaluation that shares none of those rules agrees, at the cheapest of those bindings (a wrong
    rule shows at any size): the reference evaluation (:mod:`verify.deciding.evaluation.reference`,
    the SymPy evaluator's rules over polynomials, milliseconds), or where it has no rule for
    something in the claim, one point of the SymPy evaluator (the established route; it costs
    about what a naive simplify does). Where the reference finds the sides different, or the
    SymPy point is nowhere defined, the SymPy instantiation decides every binding."""
    polynomial = [sizes for sizes in bound if identical(claim, sizes)]
    if not polynomial:
        return [], None, 0
    cheapest = min(polynomial, key=sizing.cost)
    confirmed = agrees(claim, cheapest, rng)
    if confirmed:
        return polynomial, None, 0
    refuted, defined, _, valid = refute_at(claim, [cheapest], rng, progress, 1, use_fractions=False)
    if refuted is not None or not defined or confirmed is False:
        return [], refuted, valid
    return polynomial, None, valid


def prove_instantiated(claim: Equality, bound: list[dict[str, int]], rng: random.Random,
                       progress: Progress, polynomial: list[dict[str, int]] | None = None,
                       ) -> tuple[list[dict[str, int]], list[str], list[str]]:
    """At each binding: the sides as polynomials in the entries where :func:`by_polynomials` found
    them equal (``polynomial``); otherwise symbolic entries, jets for functions, normal forms on
    every entry."""
    proved_at: list[dict[str, int]] = []
    methods: list[str] = []
    tried: list[str] = []
    mentioned = claim.lhs.names() | claim.rhs.names()
    polynomial = polynomial or []
    for sizes in bound:
        if sizes in polynomial:
            proved_at.append(sizes)
            if POLYNOMIALS not in methods:
                methods.append(POLYNOMIALS)
            continue
        progress(f"instantiating{sizing.at([sizes])}")
        ev = Evaluator(claim.symbols, sizes, symbolic(claim.symbols, sizes), claim.layout)
        lhs, rhs = (jets_to_symbols(m)[0] for m in evaluate_sides(ev, (claim.lhs, claim.rhs)))
        outcome = compare(lhs, rhs, rng, tries=0, progress=progress,  # sampling already refuted
                          relations=relations(claim.symbols, sizes, sorted(mentioned)))
        if outcome.separation is not None:  # the sampled route missed it; this is still exact
            tried.append(f"{sizing.describe([sizes])}: differs at a point found symbolically")
            continue
        if not outcome.proved:
            tried.append(f"{sizing.describe([sizes])}: {outcome.tried}")
            continue
        proved_at.append(sizes)
        methods += [m for m in outcome.methods if m not in methods]
    return proved_at, methods, tried


@decide_inline.register
def decide_equality(claim: Equality, progress: Progress = lambda s: None) -> Result:
    try:
        ls = shape_of(claim.lhs, claim.symbols, claim.layout)
        rs = shape_of(claim.rhs, claim.symbols, claim.layout)
    except VerifyError as err:
        return Result(Verdict.ERROR, detail=str(err))
    if (ls.is_scalar != rs.is_scalar) and (zeroed := _zero_matrix(claim, ls, rs)) is not None:
        return decide_equality(zeroed, progress)  # M = 0: the zero matrix of M's shape
    if _clash(ls.rows, rs.rows) or _clash(ls.cols, rs.cols):
        detail = f"the sides have different shapes: the left is {ls}, the right {rs}"
        if not (_clash(ls.rows, rs.cols) or _clash(ls.cols, rs.rows)):
            flipped = decide_equality(replace(claim, rhs=Transpose(claim.rhs)), progress)
            if flipped.verdict is Verdict.PROVED:
                detail += (f"; the left side equals the transpose of the right ({flipped.scope}): "
                           "is this a layout mix-up?")
        return Result(Verdict.ERROR, detail=detail)
    letters = sizing.letters_of(claim)
    bound = [dict(b) for b in claim.sizes] if claim.sizes else sizing.sampled(letters)
    rng = random.Random(anonymous(claim))
    defined: list[dict[str, int]] = []
    skipped: list[str] = []
    undefined: list[dict[str, int]] = []
    valid = 0
    if not (_free_names(claim.lhs) | _free_names(claim.rhs)) and bound == [{}]:
        # Nothing left free (every variable is given a value by an "at"): the sides are two
        # numbers, and one exact evaluation decides; a random point would repeat that work. Two
        # independent exact evaluations that agree (the polynomial route and the reference) cost
        # a tenth of SymPy's; where they do not both say equal, SymPy decides.
        if identical(claim, {}) and agrees(claim, {}, rng):
            return Result(Verdict.PROVED, detail=f"proved by {POLYNOMIALS}; nothing in it is free",
                          scope=sizing.describe(bound))
        proved_at, methods, tried = prove_instantiated(claim, bound, rng, progress)
        if not tried:
            return Result(Verdict.PROVED, detail=f"proved by {', '.join(methods)}; nothing in it is free",
                          scope=sizing.describe(proved_at))
    fixed = not letters and not claim.sizes
    early: tuple[list[dict[str, int]], Result | None, int] | None = None
    if fixed:
        # One size: the polynomial route first. Its proof counts only where the reference
        # evaluation, whose rules it shares none of, finds the same polynomials (by_polynomials),
        # which is the check a point before it would give, and more: a point of the Fraction
        # evaluator shares every rule of the polynomial route, so it could not catch a wrong one.
        # A true claim no longer pays that point (a third to a half of a small claim's time); a
        # false one pays the polynomial route before its refuting point (declined or different:
        # 0.05-2 ms, against 0.6-160 ms for the refutation, on the fixed claims of the suites).
        early = by_polynomials(claim, bound, rng, progress)
        if early[1] is not None:
            return early[1]
        if early[0]:
            return Result(Verdict.PROVED, detail=f"proved by {POLYNOMIALS}", scope=sizing.describe(bound))
    # A point at every binding (every letter at 1, 2, 3, 4 and 6, tall and wide) before any
    # prover: a false claim is refuted before a prover can be wrong about it, whatever the size
    # it fails at. Points cost milliseconds; the size-independent prover about as much as one.
    costly: list[dict[str, int]] = []
    for sizes in bound:
        if not claim.sizes and sizes and _jet_variables(claim, sizes) > JET_VARIABLES:
            costly.append(sizes)
            continue
        refuted, here, missed, agreed = refute_at(claim, [sizes], rng, progress)
        if refuted is not None:
            return _smaller(claim, refuted, sizes, bound, progress)
        defined += here
        skipped += missed
        valid += agreed
        if not here and not missed:
            undefined.append(sizes)
    if not defined:
        reason = "; ".join(skipped) or "no random point where both sides are defined"
        return Result(Verdict.ERROR if skipped else Verdict.UNKNOWN,
                      detail=f"no size where both sides are defined: {reason}")
    nowhere = _not_defined(claim, skipped, undefined)
    if costly:
        nowhere += (f"; not sampled at {sizing.describe(costly).removeprefix('sizes ')}: more than "
                    f"{JET_VARIABLES} entries to differentiate by there")
    # With no dimension letter there is one size, where instantiation decides exactly and is
    # cheaper than the size-independent prover (a matrix written entry by entry is a sum of
    # units there): the prover is then the fallback, for what instantiation leaves unproved.
    progress(f"{valid} random points agree; proving for every size")
    everywhere = None if fixed else _prove_all_sizes(claim)
    if everywhere is not None:
        return _for_all_sizes(claim, f"{everywhere}; {valid} random points agree{_where(defined)}{nowhere}")
    # Symbolic instantiation costs most at the largest sizes: prove at the small bindings (the
    # scope says which, and the detail that the others were only sampled).
    small = sizing.proving(letters)
    proving = defined if claim.sizes else sorted([b for b in defined if b in small] or defined,
                                                 key=sizing.cost)[:len(small)]
    # Instantiation costs far more than a few more points: look harder for a counterexample
    # first, where it would be made (every binding had its point above); not where the sides are
    # equal polynomials (proved there, confirmed by an independent evaluation: by_polynomials).
    polynomial, refuted, checked = early or by_polynomials(claim, proving, rng, progress)
    if refuted is not None:
        return refuted
    unsettled = [b for b in proving if b not in polynomial]
    refuted, _, _, more = refute_at(claim, unsettled, rng, progress, BEFORE_INSTANTIATING)
    if refuted is not None:
        return refuted
    valid += checked + more
    progress(f"{valid} random points agree; proving by instantiation")
    proved_at, methods, tried = prove_instantiated(claim, proving, rng, progress, polynomial)
    if tried and fixed and (everywhere := _prove_all_sizes(claim)) is not None:
        return _for_all_sizes(claim, f"{everywhere}; {valid} random points agree{nowhere}")
    if tried:
        # The proof failed: the last points are the established SymPy evaluation's, so that
        # not even a bug of the Fraction evaluator could hide a counterexample from them.
        refuted, _, _, more = refute_at(claim, defined, rng, progress, MORE_POINTS, use_fractions=False)
        if refuted is not None:
            return refuted
        return Result(Verdict.UNKNOWN, detail=f"{valid + more} random points agree{_where(defined)}; "
                      "not proved: " + "; ".join(tried) + nowhere)
    detail = f"proved by {', '.join(methods)}"
    if letters:
        # Only these sizes are proved: a claim over a letter is about every size, so say so.
        detail = (f"holds at {sizing.plainly(sorted(proved_at, key=sizing.cost))} ({detail}); not proved for every "
                  f"{_letters(letters)}: {valid} random points agree{_where(defined)}{nowhere}")
    else:
        detail += nowhere
    return Result(Verdict.PROVED, detail=detail, scope=sizing.describe(sorted(proved_at, key=sizing.cost)))


def _smaller(claim: Equality, refuted: Result, sizes: dict[str, int], bound: list[dict[str, int]],
             progress: Progress) -> Result:
    """A counterexample at a smaller binding than ``sizes``, where a few more points find one (a
    declared orthogonal V with det -1, which each point draws half the time, met first at n = 6);
    else ``refuted``. Only for a refutation past the default size, the common one costing nothing;
    drawn from a stream of its own, so that every other decision's points stay as they were. Any
    counterexample is one (each is exact and confirmed): this one only reads better."""
    if max(sizes.values(), default=0) <= sizing.DEFAULT:
        return refuted
    smaller = sorted((b for b in bound if sizing.cost(b) < sizing.cost(sizes)
                      and (claim.sizes or _jet_variables(claim, b) <= JET_VARIABLES)), key=sizing.cost)
    rng = random.Random(anonymous(claim) + "\0smaller")
    for b in smaller:
        try:
            found = refute_at(claim, [b], rng, progress, points=SMALLER_POINTS)[0]
        except VerifyError:
            continue
        if found is not None:
            return found
    return refuted


def _zero_matrix(claim: Equality, ls: Shape, rs: Shape) -> Equality | None:
    """``M = 0`` (or ``0 = M``) with M a matrix or a vector: the claim with M's zero matrix for the
    0 (:func:`~verify.model.expr.zero_of`); None when neither side is the number 0."""
    lhs, rhs = zero_of(claim.lhs, rs), zero_of(claim.rhs, ls)
    return None if (lhs, rhs) == (claim.lhs, claim.rhs) else replace(claim, lhs=lhs, rhs=rhs)


def _letters(letters: frozenset[str]) -> str:
    names = sorted(letters)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _where(bound: list[dict[str, int]]) -> str:
    """`` at n = 1, 2, 3, 4, 6`` or `` at 15 sizes of m and n from 1 to 6``; nothing without letters."""
    if all(not b for b in bound):
        return ""
    letters = frozenset(name for b in bound for name in b)
    if len(letters) == 1 or len(bound) <= 4:
        return f" at {sizing.plainly(bound)}"
    values = [v for b in bound for v in b.values()]
    return f" at {len(bound)} sizes of {_letters(letters)} from {min(values)} to {max(values)}"


def _jet_variables(claim: Equality, sizes: dict[str, int]) -> int:
    """How many scalar entries the claim differentiates by at these sizes."""
    names = differentiated(claim.lhs) | differentiated(claim.rhs)
    total = 0
    for name in names:
        if name in claim.symbols:
            rows, cols = claim.symbols[name].shape.bind(sizes)
            total += rows * cols
    return total


def _not_defined(claim: Equality, skipped: list[str], undefined: list[dict[str, int]]) -> str:
    """``; not defined at m=1, n=2; m=2, n=3: ...``: every binding without a defined point, and why."""
    reasons = list(skipped)
    grouped: dict[str, list[dict[str, int]]] = {}
    for sizes in undefined:
        grouped.setdefault(_why_undefined(claim, sizes), []).append(sizes)
    for why, where in grouped.items():
        reasons.append(f"{sizing.describe(where).removeprefix('sizes ')}: {why}")
    return "; not defined at " + "; ".join(reasons) if reasons else ""


def _why_undefined(claim: Equality, sizes: dict[str, int]) -> str:
    """What went wrong at one more point (its own random draws: the claim's are not disturbed)."""
    why = ""
    try:
        evaluate((claim.lhs, claim.rhs), claim.symbols, sizes, claim.layout,
                 random.Random(sizing.describe([sizes])), False, True)
    except (ZeroDivisionError, ValueError, VerifyError) as err:
        why = f", e.g. {err or type(err).__name__}"
    return f"no random point where both sides are defined ({POINTS + ATTEMPTS} tried{why})"


def _for_all_sizes(claim: Equality, detail: str) -> Result:
    return Result(Verdict.PROVED, scope="all sizes" if sizing.letters_of(claim) else "as stated", detail=detail)


class _FreeNames(Visitor):
    """The names an expression depends on: those not given a value by an enclosing ``at``."""

    #: every other node: the free names of its children (generic_visit)
    generic = frozenset(n for n in NODES if n.__name__ not in ("Var", "At"))

    def generic_visit(self, e: Expr, bound: frozenset[str]) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for c in e.children():
            out |= self.visit(c, bound)
        return out

    def _Var(self, e: Var, bound: frozenset[str]) -> frozenset[str]:
        return frozenset() if e.name in bound else frozenset({e.name})

    def _At(self, e: At, bound: frozenset[str]) -> frozenset[str]:
        out: frozenset[str] = self.visit(e.expr, bound | {v.name for v, _ in e.values})
        for _, value in e.values:
            out |= self.visit(value, bound)
        return out


def _free_names(e: Expr, bound: frozenset[str] = frozenset()) -> frozenset[str]:
    """The names ``e`` depends on: those not given a value by an enclosing ``at``."""
    return _FreeNames().visit(e, bound)


def _clash(a: object, b: object) -> bool:
    """Two dimensions that cannot be the same: different integers, or a letter against an integer
    (letters stand for every size, so ``m`` against ``n`` is decided size by size)."""
    if "*" in (a, b) or a == b:
        return False
    return not (isinstance(a, str) and isinstance(b, str))


def _prove_all_sizes(claim: Equality) -> str | None:
    """The size-independent prover, where it applies (None when it does not prove)."""
    try:
        from verify.deciding.proof.noncommutative import prove_all_sizes
    except ImportError:
        return None
    try:
        return prove_all_sizes(claim)
    except MemoryError:  # the worker's cap (--memory): unknown, never a cheaper route's "proved"
        raise
    except Exception:  # a failure to prove is never a verdict: fall back to instantiation
        return None


__all__ = ["Expr", "decide_equality"]
