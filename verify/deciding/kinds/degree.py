"""Deciding :class:`~verify.model.claim.PolynomialDegree` claims ("f is quadratic").

The claim: every entry of ``f`` is a polynomial of total degree <= d in the entries of
``wrt`` (the other symbols are parameters, so coefficients may depend on them).

- prove: each entry is a polynomial in the variables, and every monomial of degree > d has a
  coefficient that normalises to 0.
- refute, exactly: a polynomial of degree <= d has every derivative of order d + 1 equal to
  0. For a polynomial, the witness is a monomial of degree > d with its nonzero coefficient,
  and a derivative of order d + 1 taken from that monomial, evaluated at a point where it is
  nonzero (it cannot vanish identically: differentiating distinct monomials by the same
  multi-index gives distinct monomials). For anything else (exp, sigmoid, a quotient), a
  derivative of order d + 1 that is nonzero at some exact point, off any kink.
- otherwise unknown.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import sympy

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.evaluation import sizing
from verify.deciding.proof.counterexample import show
from verify.deciding.proof.normal_forms import is_zero
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
from verify.model import Counterexample, PolynomialDegree, Result, Verdict, anonymous

MultiIndex = tuple[int, ...]


def _derivative_name(variables: Sequence[sympy.Symbol], beta: MultiIndex) -> str:
    order = sum(beta)
    parts = []
    for v, k in zip(variables, beta, strict=True):
        if k:
            parts.append(f"d{v}" + (f"^{k}" if k > 1 else ""))
    return f"d^{order} f / " + " ".join(parts)


def _differentiate(e: sympy.Expr, variables: Sequence[sympy.Symbol], beta: MultiIndex) -> sympy.Expr:
    for v, k in zip(variables, beta, strict=True):
        if k:
            e = sympy.diff(e, v, k)
    return e


def _sub_indices(alpha: MultiIndex, order: int) -> list[MultiIndex]:
    """Multi-indices beta <= alpha with |beta| = order, preferring derivatives by few variables."""
    ranges = [range(a + 1) for a in alpha]
    out = [b for b in itertools.product(*ranges) if sum(b) == order]
    return sorted(out, key=lambda b: (sum(1 for k in b if k), [-k for k in b]))


def _all_indices(k: int, order: int) -> list[MultiIndex]:
    out = []
    for combo in itertools.combinations_with_replacement(range(k), order):
        out.append(tuple(combo.count(i) for i in range(k)))
    return out


def _entry_label(function: RealFunction, index: int) -> str:
    rows, cols = function.value.shape
    if (rows, cols) == (1, 1):
        return "f"
    i, j = divmod(index, cols)
    return f"f[{i + 1}]" if cols == 1 else f"f[{i + 1},{j + 1}]"


def _witness(function: RealFunction, entry: sympy.Expr, label: str, indices: Sequence[MultiIndex],
             rng: random.Random, note: str, fixed: Point | None = None) -> Counterexample | None:
    """The simplest point where some derivative in ``indices`` of ``entry`` is exactly nonzero.

    Points are the outer loop so that the witness sits at the origin when it can. ``fixed``
    parameter values (where a coefficient is known nonzero) override the sampled ones.
    """
    derivatives = [(beta, _differentiate(entry, function.variables, beta)) for beta in indices]
    for sampled in candidates(function, rng):
        point = {**sampled, **(fixed or {})}
        if not off_kinks(sympy.Matrix([[entry]]), point) or not defined(entry.xreplace(point)):
            continue
        for beta, derivative in derivatives:
            value = derivative.xreplace(point)
            if not defined(value) or exact_sign(value) in (0, None):
                continue
            name = _derivative_name(function.variables, beta).replace("f", label, 1)
            return Counterexample(
                values=values_at(function, point),
                lhs=f"{name} at {describe_point(function.variables, point)} = {show(value)}",
                rhs=f"0 (every derivative of order {sum(beta)} of a polynomial of degree <= "
                f"{sum(beta) - 1} vanishes)",
                sizes=dict(function.sizes),
                note=note,
                point=atom_values(point),
            )
    return None


def _nonzero_coefficient(coeff: sympy.Expr, function: RealFunction, rng: random.Random) -> Point | None:
    """Parameter values at which a coefficient is exactly nonzero (the empty point if constant)."""
    if not coeff.free_symbols:
        return {} if exact_sign(coeff) in (1, -1) else None
    for point in candidates(function, rng):
        if exact_sign(coeff.xreplace(point)) in (1, -1):
            return point
    return None


def _polynomial_entry(function: RealFunction, entry: sympy.Expr, label: str, degree: int,
                      rng: random.Random) -> tuple[Counterexample | None, str | None]:
    """(counterexample, None) when refuted, (None, None) when proved, (None, why) otherwise."""
    poly = sympy.Poly(sympy.expand(entry), *function.variables)
    high = sorted(((m, c) for m, c in poly.terms() if sum(m) > degree), key=lambda mc: -sum(mc[0]))
    undecided = []
    for monom, coeff in high:
        test = is_zero(coeff)
        if test.zero is True:
            continue
        where = _nonzero_coefficient(coeff, function, rng)
        if where is None:
            undecided.append(str(sympy.Mul(*(v**k for v, k in zip(function.variables, monom, strict=True)))))
            continue
        monomial = sympy.Mul(*(v**k for v, k in zip(function.variables, monom, strict=True)))
        true_degree = sum(monom)
        note = (f"{label} has total degree {true_degree} in {', '.join(map(str, function.variables))}: "
                f"the monomial {sympy.sstr(monomial)} has coefficient {sympy.sstr(coeff)}")
        found = _witness(function, entry, label, _sub_indices(monom, degree + 1), rng, note, fixed=where)
        if found is not None:
            return found, None
        undecided.append(sympy.sstr(monomial))
    if undecided:
        return None, f"{label}: coefficients of {', '.join(undecided)} not shown zero or nonzero"
    return None, None


def _other_entry(function: RealFunction, entry: sympy.Expr, label: str, degree: int,
                 rng: random.Random) -> tuple[Counterexample | None, str]:
    """A non-polynomial entry: look for a nonzero derivative of order degree + 1."""
    k = len(function.variables)
    indices = _all_indices(k, degree + 1)
    if len(indices) > 40:
        return None, f"{label} is not a polynomial in the variables; too many derivatives to try"
    note = f"{label} is not a polynomial in {', '.join(map(str, function.variables))}"
    found = _witness(function, entry, label, indices, rng, note)
    if found is not None:
        return found, ""
    return None, (f"{label} is not written as a polynomial in the variables, and no derivative of "
                  f"order {degree + 1} was nonzero at the points tried")


@decide_inline.register
def decide_degree(claim: PolynomialDegree, progress: Progress = quiet) -> Result:
    if claim.degree < 0:
        return Result(Verdict.ERROR, detail="a degree is a non-negative integer")
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
            function = realise(claim.symbols, claim.f, claim.wrt, sizes, claim.layout, scalar_only=False)
        except VerifyError as err:
            return Result(Verdict.ERROR, detail=str(err))
        except ZeroDivisionError:
            tried.append(f"{where}: f is undefined (division by zero)")
            continue
        reasons = []
        for index, entry in enumerate(function.value):
            label = _entry_label(function, index)
            progress(f"degree of {label} at {where}")
            if entry.is_polynomial(*function.variables):
                found, why = _polynomial_entry(function, entry, label, claim.degree, rng)
            else:
                found, why = _other_entry(function, entry, label, claim.degree, rng)
            if found is not None:
                return Result(Verdict.REFUTED,
                              detail=f"not a polynomial of degree <= {claim.degree}: {found.note}",
                              counterexample=found)
            if why:
                reasons.append(why)
        if reasons:
            tried.append(f"{where}: " + "; ".join(reasons))
        else:
            proved_at.append(sizes)
    if tried:
        return Result(Verdict.UNKNOWN, detail="; ".join(tried))
    return Result(
        Verdict.PROVED,
        detail=f"a polynomial with no monomial of degree above {claim.degree} in the variables",
        scope=sizing.describe(proved_at),
    )
