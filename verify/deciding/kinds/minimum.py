"""Deciding :class:`~verify.model.claim.GlobalMinimum` claims.

- refute: an exact point where ``f`` is smaller than at the claimed point (grid, random
  points, and small steps from the claimed point along each axis and against the gradient,
  which finds the descent a non-stationary point always has); for a ``unique`` claim, also
  another exact point with the same value.
- prove, two certificates:
  * ``f`` is, as written, a floor ``c`` (free of the variables) plus positively weighted
    squares of polynomials with rational coefficients, so ``f >= c``, and ``f(point) = c``: a
    global minimum. It is unique when the common zeros of the squared polynomials are that
    point alone: shown by a full-rank set of squared linear forms, or (without parameters)
    by a Groebner basis (zero-dimensional ideal, then for each variable the eliminant's
    distinct real roots are counted exactly by Sturm sequences; one root each, the claimed
    coordinate, means one real zero).
  * ``f`` is a polynomial of degree <= 2 in the variables (a quadratic): its Hessian ``H`` is
    constant; the gradient vanishes at the point and ``H`` is PSD means a global minimum
    (a convex function at a stationary point); unique exactly when ``H`` is definite.
- otherwise unknown. With parameters (symbols other than the variables) only the first
  certificate is tried, and uniqueness only through linear forms.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

import sympy

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.values import as_expr
from verify.deciding.proof.counterexample import show
from verify.deciding.proof.nonnegative import SumOfSquares, sum_of_squares
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
    realise,
    values_at,
)
from verify.errors import ShapeError, VerifyError
from verify.model import Counterexample, GlobalMinimum, Result, Verdict, anonymous, shape_of


def _claimed_point(claim: GlobalMinimum, function: RealFunction) -> Point:
    """The claimed point, entry by entry, matched to the variables (shapes must agree)."""
    if len(claim.point) != len(claim.wrt):
        raise ShapeError(f"{len(claim.wrt)} variable(s) but a point of {len(claim.point)} value(s)")
    values: list[sympy.Expr] = []
    for var, value in zip(claim.wrt, claim.point, strict=True):
        want = shape_of(var, claim.symbols, claim.layout)
        got = shape_of(value, claim.symbols, claim.layout)
        if got != want and not (got.is_scalar and want.is_scalar):
            raise ShapeError(f"{var.name} is {want} but its value in the point is {got}")
        m = function.evaluator(value)
        if m.shape != function.evaluator.value(var.name).shape:
            raise ShapeError(f"{var.name} and its value in the point have different sizes")
        values += list(m)
    return dict(zip(function.variables, values, strict=True))


def _local_moves(function: RealFunction, centre: Point) -> Iterator[Point]:
    """Small steps from the claimed point: against the gradient, then along each axis."""
    f = function.scalar
    grad = [sympy.diff(f, v).xreplace(centre) for v in function.variables]
    directions: list[list[sympy.Expr]] = []
    if all(g.is_Rational for g in grad) and any(g != 0 for g in grad):
        directions.append([-g for g in grad])
    for i in range(len(function.variables)):
        for sign in (1, -1):
            directions.append([sympy.Integer(sign if j == i else 0) for j in range(len(function.variables))])
    for k in range(0, 24, 3):
        t = sympy.Rational(1, 2**k)
        for d in directions:
            yield {v: centre[v] + t * di for v, di in zip(function.variables, d, strict=True)}


def _value(function: RealFunction, point: Point) -> sympy.Expr | None:
    value = function.scalar.xreplace(point)
    return value if defined(value) else None


def _refute(claim: GlobalMinimum, function: RealFunction, centre: Point, rng: random.Random,
            progress: Progress) -> Counterexample | None:
    progress("looking for a point where f is smaller")
    params = function.parameters
    local = _local_moves(function, centre) if not params else iter(())
    for point in itertools.chain(local, candidates(function, rng)):
        at_params = {p: point[p] for p in params}
        claimed = {v: as_expr(centre[v]).xreplace(at_params) for v in function.variables}
        claimed.update(at_params)
        here, there = _value(function, point), _value(function, claimed)
        if here is None or there is None:
            continue
        sign = exact_sign(here - there)
        if sign == -1:
            return _counterexample(function, point, here, there,
                                   "f is smaller here than at the claimed minimum")
        moved = any(point[v] != claimed[v] for v in function.variables)
        if claim.unique and moved and sympy.expand(here - there) == 0:
            return _counterexample(function, point, here, there,
                                   "f takes the claimed minimum value here too, so the minimum is not unique")
    return None


def _counterexample(function: RealFunction, point: Point, here: sympy.Expr, there: sympy.Expr,
                    note: str) -> Counterexample:
    return Counterexample(
        values=values_at(function, point),
        lhs=f"f{describe_point(function.variables, point)} = {show(here)}",
        rhs=f"f at the claimed minimum = {show(there)}",
        sizes=dict(function.sizes),
        note=note,
        point=atom_values(point),
    )


# ---------------------------------------------------------------------------------------
# Uniqueness of the common real zero of polynomials.


def _eliminant(polys: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
               last: sympy.Symbol) -> sympy.Poly | None:
    order = [v for v in variables if v != last] + [last]
    basis = sympy.groebner(list(polys), *order, order="lex")
    for g in basis.exprs:
        if g.free_symbols <= {last} and g.free_symbols:
            return sympy.Poly(g, last)
    return None


def unique_real_zero(polys: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
                     point: Point) -> tuple[bool | None, str, Point | None]:
    """(True, how, None) when ``point`` is the only real common zero; (False, how, other) with an
    exact other real zero; (None, why, None) when undecided."""
    basis = sympy.groebner(list(polys), *variables, order="grevlex")
    if basis.exprs == [1]:
        return None, "the squared polynomials have no common zero", None
    if basis.is_zero_dimensional:
        for v in variables:
            eliminant = _eliminant(polys, variables, v)
            if eliminant is None:
                return None, f"no eliminant in {v}", None
            distinct = eliminant.sqf_part()
            count = distinct.count_roots()  # real roots, exactly (Sturm)
            if count != 1 or distinct.eval(point[v]) != 0:
                break
        else:
            return True, "a Groebner basis shows the squared polynomials vanish together only there", None
    other = _another_zero(polys, variables, point)
    if other is not None:
        return False, "another real common zero of the squared polynomials", other
    return None, "could not show that the squared polynomials vanish together only at the point", None


def _another_zero(polys: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
                  point: Point) -> Point | None:
    """An exact rational common zero other than ``point``, from SymPy's solutions (checked)."""
    try:
        solutions = sympy.solve(list(polys), list(variables), dict=True)
    except (NotImplementedError, ValueError):
        return None
    for solution in solutions:
        free = sorted(set().union(*(as_expr(e).free_symbols for e in solution.values()))
                      | (set(variables) - set(solution)), key=str)
        for choice in itertools.product((0, 1, -1, 2, -2, 3), repeat=len(free)):
            table = dict(zip(free, (sympy.Integer(c) for c in choice), strict=True))
            candidate = {v: as_expr(solution.get(v, v)).xreplace(table) for v in variables}
            if not all(c.is_Rational for c in candidate.values()):
                break
            if candidate == {v: point[v] for v in variables}:
                continue
            if all(sympy.expand(p.xreplace(candidate)) == 0 for p in polys):
                return candidate
    return None


# ---------------------------------------------------------------------------------------
# Proofs.


def linear_unique(polys: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol]) -> bool:
    """Whether the polynomials of degree 1 among ``polys`` (with constant coefficients on the
    variables) already pin every variable down: a full-rank linear system has one solution,
    so the common zeros of all ``polys`` are at most one point."""
    rows = []
    for p in polys:
        poly = sympy.Poly(p, *variables)
        if poly.total_degree() != 1:
            continue
        row = [poly.coeff_monomial(v) for v in variables]
        if all(c.is_Rational for c in row):
            rows.append(row)
    return bool(rows) and sympy.Matrix(rows).rank() == len(variables)


def _by_squares(claim: GlobalMinimum, function: RealFunction, centre: Point,
                squares: SumOfSquares) -> tuple[Verdict, str, Point | None]:
    gap = sympy.cancel(sympy.expand(function.scalar.xreplace(centre) - squares.floor))
    shape = (f"f = {sympy.sstr(squares.floor)} + " if squares.floor != 0 else "f = ") + \
        f"a sum of {len(squares.bases)} square(s)"
    if gap != 0:
        return Verdict.UNKNOWN, f"{shape}, but f(point) - {sympy.sstr(squares.floor)} = {sympy.sstr(gap)}", None
    head = f"{shape} >= {sympy.sstr(squares.floor)}, with equality at the point"
    if not claim.unique:
        return Verdict.PROVED, head, None
    if linear_unique(squares.bases, function.variables):
        return Verdict.PROVED, f"{head}; unique: the squared linear forms vanish together only there", None
    if function.parameters:
        return Verdict.UNKNOWN, f"{head}; uniqueness with parameters is not decided", None
    unique, how, other = unique_real_zero(squares.bases, function.variables, centre)
    if unique is True:
        return Verdict.PROVED, f"{head}; unique: {how}", None
    if unique is False:
        return Verdict.REFUTED, how, other
    return Verdict.UNKNOWN, f"{head}; uniqueness undecided: {how}", None


def _by_quadratic(claim: GlobalMinimum, function: RealFunction,
                  centre: Point) -> tuple[Verdict, str, Point | None]:
    f, variables = function.scalar, function.variables
    hess = sympy.hessian(f, variables)
    if any(e.free_symbols for e in hess) or not all(e.is_Rational for e in hess):
        return Verdict.UNKNOWN, "not a quadratic with rational coefficients", None
    grad = [sympy.expand(sympy.diff(f, v).xreplace(centre)) for v in variables]
    if any(g != 0 for g in grad):
        return Verdict.UNKNOWN, "the gradient does not vanish at the point", None
    k = len(variables)
    subsets = [s for size in range(1, k + 1) for s in itertools.combinations(range(k), size)]
    if any(hess.extract(list(s), list(s)).det() < 0 for s in subsets):
        return Verdict.UNKNOWN, "the Hessian is not positive semidefinite", None
    head = "f is a quadratic with a positive semidefinite Hessian and a zero gradient at the point"
    if not claim.unique:
        return Verdict.PROVED, head, None
    null = hess.nullspace()
    if not null:
        return Verdict.PROVED, f"{head}; unique: the Hessian is definite", None
    step = null[0] / max(abs(e) for e in null[0] if e != 0)
    other = {v: centre[v] + d for v, d in zip(variables, step, strict=True)}
    return Verdict.REFUTED, "f is constant along the Hessian's null direction", other


@decide_inline.register
def decide_minimum(claim: GlobalMinimum, progress: Progress = quiet) -> Result:
    try:
        check_variables(claim.symbols, claim.wrt)
        bound = bindings_of(claim.symbols, (claim.f, *claim.wrt, *claim.point))
    except VerifyError as err:
        return Result(Verdict.ERROR, detail=str(err))
    rng = random.Random(anonymous(claim))
    proved_at: list[dict[str, int]] = []
    tried: list[str] = []
    methods: list[str] = []
    for sizes in bound:
        where = sizing.describe([sizes])
        try:
            function = realise(claim.symbols, claim.f, claim.wrt, sizes, claim.layout)
            centre = _claimed_point(claim, function)
        except VerifyError as err:
            return Result(Verdict.ERROR, detail=str(err))
        except ZeroDivisionError:
            tried.append(f"{where}: f or the point is undefined (division by zero)")
            continue
        if any(set(v.free_symbols) & set(function.variables) for v in centre.values()):
            return Result(Verdict.ERROR, detail="the claimed point depends on the variables")
        found = _refute(claim, function, centre, rng, progress)
        if found is not None:
            return Result(Verdict.REFUTED, detail=found.note, counterexample=found)
        if not function.parameters and _value(function, centre) is None:
            return Result(Verdict.ERROR, detail="f is undefined at the claimed point")
        progress("looking for a certificate")
        squares = sum_of_squares(function.scalar, function.variables)
        attempts = []
        if squares is not None:
            attempts.append(_by_squares(claim, function, centre, squares))
        quadratic = not function.parameters and function.scalar.is_polynomial(*function.variables) \
            and sympy.Poly(function.scalar, *function.variables).total_degree() <= 2
        if quadratic:
            attempts.append(_by_quadratic(claim, function, centre))
        decided = next((a for a in attempts if a[0] is not Verdict.UNKNOWN), None)
        if decided is None:
            reasons = "; ".join(a[1] for a in attempts) or (
                "f is neither a constant plus squares of polynomials nor a quadratic"
                + (" (with parameters only the first is tried)" if function.parameters else ""))
            tried.append(f"{where}: no smaller value found; {reasons}")
            continue
        verdict, how, other = decided
        if verdict is Verdict.REFUTED:
            assert other is not None
            here, there = _value(function, other), _value(function, centre)
            if here is not None and there is not None and here == there:
                return Result(Verdict.REFUTED, detail=f"the minimum is not unique: {how}",
                              counterexample=_counterexample(
                                  function, other, here, there,
                                  f"f takes the claimed minimum value here too ({how})"))
            tried.append(f"{where}: {how}, but its value could not be confirmed exactly")
            continue
        proved_at.append(sizes)
        if how not in methods:
            methods.append(how)
    if tried:
        return Result(Verdict.UNKNOWN, detail="; ".join(tried))
    return Result(Verdict.PROVED, detail="; ".join(methods), scope=sizing.describe(proved_at))
