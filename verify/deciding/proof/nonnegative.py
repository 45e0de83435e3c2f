"""Certificates that an expression is >= 0 for every real value of its symbols.

Deciding nonnegativity in general is hard; recognising it by structure is cheap and sound.
An expression is certified when it is built, in some form SymPy gives us (as written,
expanded, factored), only from pieces whose signs are evident: positive constants, even
powers, positive symbols, exponentials, and sums and products of certified pieces; or when
it is a quadratic polynomial whose Gram matrix is PSD (exact, and complete for quadratics);
or a sum of positive exponentials times certified coefficients. Anything else, e.g. a
quartic sum of squares in disguise, is "not certified", never a wrong "certified".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy

from verify.deciding.evaluation.values import as_expr


def _evident(e: sympy.Expr) -> bool:
    """Nonnegative by the structure of this form alone (all symbols are real)."""
    if e.is_Rational:
        return bool(e >= 0)
    if e.is_Symbol:
        return bool(e.is_nonnegative)
    if e.is_Number or (not e.free_symbols and e.is_real):
        return bool(e.is_nonnegative)
    if isinstance(e, sympy.exp):
        return bool(e.args[0].is_real)
    if e.is_Pow:
        base, exponent = e.args
        if exponent.is_Integer and exponent > 0:
            return (exponent % 2 == 0 and bool(base.is_real)) or _evident(base)
        return False
    if e.is_Add or e.is_Mul:
        return all(_evident(a) for a in e.args)
    return False


def _quadratic_gram(e: sympy.Expr) -> bool:
    """A polynomial of degree <= 2 with rational coefficients is >= 0 everywhere exactly when
    its homogenised Gram matrix [[c, b^T/2], [b/2, A]] is PSD (all principal minors >= 0)."""
    free = sorted(e.free_symbols, key=str)
    if not free or not all(v.is_real for v in free) or not e.is_polynomial(*free):
        return False
    poly = sympy.Poly(e, *free)
    if poly.total_degree() > 2 or not all(c.is_Rational for c in poly.coeffs()):
        return False
    n = len(free)
    gram = sympy.zeros(n + 1, n + 1)
    for monom, coeff in poly.terms():
        idx = [i + 1 for i, k in enumerate(monom) for _ in range(k)]
        if not idx:
            gram[0, 0] = coeff
        elif len(idx) == 1:
            gram[0, idx[0]] = gram[idx[0], 0] = coeff / 2
        elif idx[0] == idx[1]:
            gram[idx[0], idx[0]] = coeff
        else:
            gram[idx[0], idx[1]] = gram[idx[1], idx[0]] = coeff / 2
    for size in range(1, n + 2):
        for subset in itertools.combinations(range(n + 1), size):
            if gram.extract(list(subset), list(subset)).det() < 0:
                return False
    return True


def _polynomial_certificate(e: sympy.Expr) -> bool:
    """Nonnegative as written, expanded, as a quadratic form, or factored."""
    if _evident(e):
        return True
    expanded = sympy.expand(e)
    if _evident(expanded) or _quadratic_gram(expanded):
        return True
    if not expanded.free_symbols:
        return False
    try:
        factored = sympy.factor(expanded)
    except (sympy.PolynomialError, NotImplementedError):
        return False
    return _evident(factored)


def _exponential_parts(e: sympy.Expr) -> bool:
    """``sum_k E^k p_k`` with each exponential E > 0 and every coefficient p_k certified."""
    exps = sorted(e.atoms(sympy.exp), key=sympy.default_sort_key)
    if not exps:
        return False
    try:
        poly = sympy.Poly(e, *exps)
    except sympy.PolynomialError:
        return False
    if not all(arg.is_real for x in exps for arg in x.args):
        return False
    return all(_polynomial_certificate(coeff) for coeff in poly.coeffs())


def certified_nonnegative(e: sympy.Expr) -> bool:
    """Whether ``e >= 0`` everywhere: recognised as written, expanded, as a quadratic form,
    split by its exponentials, or factored."""
    e = as_expr(e)
    if _polynomial_certificate(e):
        return True
    return _exponential_parts(sympy.expand(e))


@dataclass(frozen=True)
class SumOfSquares:
    """``f = floor + sum_i weights_i * bases_i ** 2`` with every weight > 0, so ``f >= floor``,
    with equality exactly where every base vanishes. ``floor`` is free of the variables (it may
    involve parameters)."""

    floor: sympy.Expr
    weights: tuple[sympy.Rational, ...]
    bases: tuple[sympy.Expr, ...]


def _square_term(term: sympy.Expr) -> tuple[sympy.Rational, sympy.Expr] | None:
    """``c * b_1^(2k_1) * ... * b_n^(2k_n)`` with c > 0 rational, as (c, prod b_j^(k_j))."""
    coeff, rest = term.as_coeff_Mul()
    if not coeff.is_Rational or coeff <= 0:
        return None
    base = sympy.Integer(1)
    for factor in sympy.Mul.make_args(rest):
        b, k = factor.as_base_exp()
        if not (k.is_Integer and k > 0 and k % 2 == 0):
            return None
        base *= b ** (k // 2)
    return coeff, base


def _real_polynomial(e: sympy.Expr) -> bool:
    """A polynomial with rational coefficients in real symbols: real wherever evaluated."""
    free = sorted(e.free_symbols, key=str)
    if not free:
        return bool(e.is_Rational)
    if not all(s.is_real for s in free) or not e.is_polynomial(*free):
        return False
    return all(c.is_Rational for c in sympy.Poly(e, *free).coeffs())


def sum_of_squares(f: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> SumOfSquares | None:
    """The structure of ``f`` as written when it is a floor free of the variables plus positively
    weighted squares of real polynomials (rational coefficients; parameters allowed); else None."""
    floor = sympy.Integer(0)
    weights: list[sympy.Rational] = []
    bases: list[sympy.Expr] = []
    for term in sympy.Add.make_args(f):
        if not (term.free_symbols & set(variables)):
            if not _real_polynomial(term):
                return None
            floor += term
            continue
        found = _square_term(term)
        if found is None:
            return None
        weight, base = found
        if not _real_polynomial(base):
            return None
        weights.append(weight)
        bases.append(base)
    if not bases:
        return None
    return SumOfSquares(floor, tuple(weights), tuple(bases))
