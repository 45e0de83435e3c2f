"""Deciding :class:`~verify.model.claim.Convex` claims through the Hessian's principal minors.

A C^2 function on R^k is convex exactly when its Hessian is positive semidefinite everywhere,
and a symmetric matrix is PSD exactly when every principal minor (not only the leading ones)
is >= 0. So:

- refute: an exact point where some principal minor of the Hessian is < 0 (the smallest
  such minor is shown). Where ``f`` is C^2 near the point this is conclusive: a convex
  function has a PSD Hessian wherever it is twice differentiable. Points on a kink of max,
  |.| or a step are skipped. When the values are rational, a chord is also shown:
  ``f(p + t v) + f(p - t v) < 2 f(p)``, the midpoint inequality failing outright.
- prove: ``f`` is smooth on all of R^k (a polynomial, exponentials of polynomials) and every
  principal minor of its Hessian is certified >= 0 for all values of the variables and the
  parameters (:mod:`verify.deciding.proof.nonnegative`): a constant PSD Hessian, or minors that are
  evidently sums of nonnegative terms.
- otherwise unknown, saying what was tried.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import sympy

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.evaluation import sizing
from verify.deciding.proof.counterexample import show
from verify.deciding.proof.nonnegative import certified_nonnegative
from verify.deciding.proof.real_function import (
    Point,
    RealFunction,
    atom_values,
    bindings_of,
    candidates,
    check_variables,
    defined,
    describe_point,
    exact_sign,
    off_kinks,
    realise,
    values_at,
)
from verify.errors import VerifyError
from verify.model import Convex, Counterexample, Result, Verdict, anonymous

#: Beyond this many variables there are too many principal minors to certify one by one.
MAX_VARIABLES = 6


def principal_subsets(k: int) -> list[tuple[int, ...]]:
    """Index sets of every principal minor, smallest first (a negative diagonal entry is the
    simplest evidence a person can check)."""
    return [s for size in range(1, k + 1) for s in itertools.combinations(range(k), size)]


def _name_minor(variables: Sequence[sympy.Symbol], subset: tuple[int, ...]) -> str:
    names = [str(variables[i]) for i in subset]
    if len(subset) == 1:
        return f"d^2 f / d{names[0]}^2"
    return f"det of the {len(subset)}x{len(subset)} principal minor of the Hessian on ({', '.join(names)})"


def smooth_everywhere(e: sympy.Expr, variables: Sequence[sympy.Symbol]) -> bool:
    """Built from the variables by +, *, non-negative integer powers and exp: C^infinity on R^k.

    Anything else (a division, a logarithm, a root, max, |.|) may fail to be defined or
    twice differentiable somewhere, and then minors >= 0 where it is smooth prove nothing.
    """
    if not (e.free_symbols & set(variables)):
        return bool(e.is_real is not False) and not e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
    if e.is_Symbol:
        return True
    if e.is_Add or e.is_Mul:
        return all(smooth_everywhere(a, variables) for a in e.args)
    if e.is_Pow:
        base, exponent = e.args
        return bool(exponent.is_Integer and exponent >= 0) and smooth_everywhere(base, variables)
    if isinstance(e, sympy.exp):
        return smooth_everywhere(e.args[0], variables)
    return False


def _negative_direction(m: sympy.Matrix) -> sympy.Matrix | None:
    """A small integer vector v with v^T m v < 0 (exactly), if one is near at hand."""
    k = m.shape[0]
    values = (0, 1, -1, 2, -2, 3, -3)
    for v in itertools.product(values, repeat=k):
        if not any(v):
            continue
        vec = sympy.Matrix(v)
        if exact_sign((vec.T * m * vec)[0, 0]) == -1:
            return vec
    return None


def _chord(function: RealFunction, point: Point, direction: sympy.Matrix) -> str:
    """``f(p + tv) + f(p - tv) < 2 f(p)`` at exact rationals, as text; empty when not found."""
    f = function.scalar
    centre = f.xreplace(point)
    if not centre.is_Rational:
        return ""
    for k in range(13):
        t = sympy.Rational(1, 2**k)
        plus = dict(point)
        minus = dict(point)
        for var, d in zip(function.variables, direction, strict=True):
            plus[var] = point[var] + t * d
            minus[var] = point[var] - t * d
        if not (off_kinks(function.value, plus) and off_kinks(function.value, minus)):
            continue
        a, b = f.xreplace(plus), f.xreplace(minus)
        if not (a.is_Rational and b.is_Rational):
            return ""
        if a + b < 2 * centre:
            return (
                f"midpoint test along v = ({', '.join(show(d) for d in direction)}) with t = {t}: "
                f"f(p + t v) + f(p - t v) = {show(a)} + {show(b)} = {show(a + b)} "
                f"< 2 f(p) = {show(2 * centre)}, impossible for a convex f"
            )
    return ""


def _refute(function: RealFunction, hess: sympy.Matrix, rng: random.Random,
            progress: Progress) -> Counterexample | None:
    progress("looking for a point where a principal minor of the Hessian is negative")
    subsets = principal_subsets(len(function.variables))
    for point in candidates(function, rng):
        # f must be real there (x log x has f'' = 1/x < 0 at x = -1, outside its domain).
        if not off_kinks(hess, point) or not defined(function.scalar.xreplace(point)):
            continue
        at = hess.xreplace(point)
        if not all(defined(e) for e in at):
            continue
        for subset in subsets:
            minor = at.extract(list(subset), list(subset)).det(method="berkowitz")
            if exact_sign(minor) != -1:
                continue
            where = describe_point(function.variables, point)
            note = f"the Hessian at {where} is {show(at)}"
            sub = at.extract(list(subset), list(subset))
            local = _negative_direction(sub)
            if local is not None:
                direction = sympy.zeros(len(function.variables), 1)
                for i, d in zip(subset, local, strict=True):
                    direction[i] = d
                chord = _chord(function, point, direction)
                if chord:
                    note += "; " + chord
            note += (
                "; a convex C^2 function has a positive semidefinite Hessian, "
                "whose principal minors are all >= 0"
            )
            return Counterexample(
                values=values_at(function, point),
                lhs=f"{_name_minor(function.variables, subset)} = {show(minor)}",
                rhs="must be >= 0",
                sizes=dict(function.sizes),
                note=note,
                point=atom_values(point),
            )
    return None


def _prove(function: RealFunction, hess: sympy.Matrix, progress: Progress) -> str | None:
    """None when proved; otherwise why not."""
    if len(function.variables) > MAX_VARIABLES:
        return f"{len(function.variables)} variables: too many principal minors to certify"
    if not smooth_everywhere(function.scalar, function.variables):
        return "f is not built from polynomials and exp alone, so it may not be C^2 on all of R^k"
    progress("certifying the Hessian's principal minors")
    for subset in principal_subsets(len(function.variables)):
        minor = sympy.expand(hess.extract(list(subset), list(subset)).det(method="berkowitz"))
        if not certified_nonnegative(minor):
            return (f"{_name_minor(function.variables, subset)} = {sympy.sstr(minor)} "
                    "is not certified >= 0 everywhere")
    return None


@decide_inline.register
def decide_convexity(claim: Convex, progress: Progress = quiet) -> Result:
    try:
        check_variables(claim.symbols, claim.wrt)
        bound = bindings_of(claim.symbols, (claim.f, *claim.wrt))
    except VerifyError as err:
        return Result(Verdict.ERROR, detail=str(err))
    rng = random.Random(anonymous(claim))
    proved_at: list[dict[str, int]] = []
    tried: list[str] = []
    for sizes in bound:
        where = sizing.describe([sizes])
        try:
            function = realise(claim.symbols, claim.f, claim.wrt, sizes, claim.layout)
        except VerifyError as err:
            return Result(Verdict.ERROR, detail=str(err))
        except ZeroDivisionError:
            tried.append(f"{where}: f is undefined (division by zero)")
            continue
        progress(f"Hessian at {where}")
        hess = sympy.hessian(function.scalar, function.variables)
        found = _refute(function, hess, rng, progress)
        if found is not None:
            return Result(
                Verdict.REFUTED,
                detail="the Hessian is not positive semidefinite at "
                f"{describe_point(function.variables, _point_of(found, function))}: "
                "a principal minor is negative",
                counterexample=found,
            )
        why_not = _prove(function, hess, progress)
        if why_not is None:
            proved_at.append(sizes)
        else:
            tried.append(f"{where}: no negative principal minor at the points tried; {why_not}")
    if tried:
        return Result(Verdict.UNKNOWN, detail="; ".join(tried))
    return Result(
        Verdict.PROVED,
        detail="f is smooth and every principal minor of its Hessian is certified >= 0 everywhere",
        scope=sizing.describe(proved_at),
    )


def _point_of(cx: Counterexample, function: RealFunction) -> Point:
    return {v: sympy.Rational(cx.point[str(v)]) for v in function.variables}
