"""Test helper: re-check a counterexample by a route independent of the one that found it.

The engine refutes by sampling (numbers everywhere, random polynomials for functions); this
re-evaluates both sides by symbolic instantiation with jets, then substitutes the reported
exact values, so a bug in either route shows up as a disagreement.
"""

from __future__ import annotations

from typing import Any

import sympy
from mpmath import iv

from verify.deciding.evaluation.instantiate import Evaluator, evaluate_sides, jets_to_symbols, symbolic
from verify.model.claim import Equality
from verify.model.result import Counterexample


def recheck(claim: Equality, cx: Counterexample) -> tuple[sympy.Matrix, sympy.Matrix]:
    """Both sides at the counterexample, recomputed symbolically; asserts every atom has a value."""
    ev = Evaluator(claim.symbols, cx.sizes, symbolic(claim.symbols, cx.sizes), claim.layout)
    # both sides at once: a bare I takes its size from the other side (a I B = B at n = 1)
    lhs, rhs = (jets_to_symbols(m)[0] for m in evaluate_sides(ev, (claim.lhs, claim.rhs)))
    values = {name: sympy.Rational(text) for name, text in cx.point.items()}
    table = {}
    for atom in lhs.free_symbols | rhs.free_symbols:
        assert str(atom) in values, f"the counterexample gives no value for {atom}"
        table[atom] = values[str(atom)]
    return lhs.xreplace(table), rhs.xreplace(table)


def separates(claim: Equality, cx: Counterexample) -> bool:
    """Whether some entry of the sides, recomputed symbolically at the counterexample, certainly
    differs: exactly for rationals, else by mpmath's interval arithmetic at 1000 bits (not the
    engine's python-flint balls, so that a bug there cannot confirm itself)."""
    lv, rv = recheck(claim, cx)
    return any(certainly_nonzero(a - b) for a, b in zip(lv, rv, strict=True))


def certainly_nonzero(value: sympy.Expr, bits: int = 1000) -> bool:
    value = sympy.expand(value)
    if value.is_Rational:
        return value != 0
    old = iv.prec
    iv.prec = bits
    try:
        enclosure = _interval(value)
    except _Unknown:
        return False
    finally:
        iv.prec = old
    return bool(enclosure > 0) or bool(enclosure < 0)


class _Unknown(Exception):
    pass


def _interval(e: sympy.Expr) -> Any:
    if e.is_Rational:
        return iv.mpf(int(e.p)) / int(e.q)
    if isinstance(e, sympy.Add):
        return sum((_interval(a) for a in e.args), iv.mpf(0))
    if isinstance(e, sympy.Mul):
        out = iv.mpf(1)
        for a in e.args:
            out *= _interval(a)
        return out
    if isinstance(e, sympy.Pow) and e.exp.is_Integer:
        base = _interval(e.base)
        if e.exp < 0 and 0 in base:
            raise _Unknown
        return base ** int(e.exp)
    if isinstance(e, sympy.Pow) and e.exp.is_Rational:
        base = _interval(e.base)
        if not base > 0:
            raise _Unknown
        return iv.exp(iv.log(base) * (iv.mpf(int(e.exp.p)) / int(e.exp.q)))
    if e is sympy.E:
        return iv.exp(1)
    if isinstance(e, sympy.exp):
        return iv.exp(_interval(e.args[0]))
    if isinstance(e, sympy.log):
        x = _interval(e.args[0])
        if not x > 0:
            raise _Unknown
        return iv.log(x)
    if isinstance(e, sympy.tanh):
        return 1 - 2 / (iv.exp(2 * _interval(e.args[0])) + 1)
    if isinstance(e, sympy.Abs | sympy.Heaviside | sympy.sign | sympy.Max | sympy.Min):
        return _piecewise(e)
    raise _Unknown


def _piecewise(e: sympy.Expr) -> Any:
    args = [_interval(a) for a in e.args]

    def sign(x: Any) -> int:
        if x > 0:
            return 1
        if x < 0:
            return -1
        if x.a == 0 and x.b == 0:
            return 0
        raise _Unknown

    if isinstance(e, sympy.Abs):
        return args[0] if sign(args[0]) >= 0 else -args[0]
    if isinstance(e, sympy.sign):
        return iv.mpf(sign(args[0]))
    if isinstance(e, sympy.Heaviside):
        s = sign(args[0])
        if s == 0:
            if len(args) < 2:
                raise _Unknown
            return args[1]
        return iv.mpf(1 if s > 0 else 0)
    best = args[0]
    for a in args[1:]:
        if (sign(a - best) > 0) == isinstance(e, sympy.Max):
            best = a
    return best


def proof_rechecked(claim: Equality, sizes: dict[str, int], equal: Any = None) -> None:
    """A size-independent proof re-checked at concrete sizes by instantiation with symbolic entries:
    the claim holds entry by entry, and each side's normal form means that side there (a rule of
    the prover that were no identity would show here). ``equal`` decides an entry's difference is
    zero (``sympy.cancel`` by default; ``sympy.simplify`` where exp and log enter)."""
    from verify.deciding.proof.noncommutative import explicit, normalise

    zero = equal or (lambda d: sympy.cancel(d) == 0)
    ev = Evaluator(claim.symbols, sizes, symbolic(claim.symbols, sizes), claim.layout)
    lhs, _ = jets_to_symbols(ev(claim.lhs))
    rhs, _ = jets_to_symbols(ev(claim.rhs))
    assert lhs.shape == rhs.shape
    assert all(zero(p - q) for p, q in zip(lhs, rhs, strict=True)), f"{claim.id} fails at {sizes}"
    nf = normalise(claim)
    assert nf is not None
    for side, poly in ((lhs, nf.lhs), (rhs, nf.rhs)):
        got, _ = jets_to_symbols(explicit(poly, nf.scalars, ev))
        assert all(zero(p - q) for p, q in zip(side, got, strict=True)), f"{claim.id} at {sizes}: {poly.text()}"

