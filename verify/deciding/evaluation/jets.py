"""Exact evaluation with truncated Taylor polynomials ("jets") in the differentiation variables.

Refuting a claim with derivatives needs the sides' values at one point, not as functions.
Each variable something is differentiated by is written v = v0 + s with s a fresh symbol,
and every intermediate value is kept as a polynomial in the s's truncated at the total order
of differentiation K: products, inverses (a Neumann series around the value at the point),
divisions and elementwise functions (their Taylor series) all stay polynomials of degree <= K,
so nothing swells; differentiating by v is differentiating by s; setting every s to 0 at the
end gives exact values. A derivative lowers the degree that is exact by one, and K
derivatives are the most any path takes, so the values at s = 0 are exact.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping

import sympy

from verify.deciding.evaluation import certified
from verify.deciding.evaluation.instantiate import _ELEMENTWISE, Evaluator, inverse
from verify.errors import UnsupportedError
from verify.model import Apply, Div, Inverse, Max, Power, Var


class Boundary(ValueError):
    """The point sits on a kink (max, |.|, a step): a side is not differentiable there."""


class JetEvaluator(Evaluator):
    """An evaluator whose values are polynomials in ``offsets``, truncated at total degree ``order``."""

    def __init__(self, symbols, sizes, realise, layout, offsets: Mapping[str, sympy.Matrix], order: int) -> None:
        super().__init__(symbols, sizes, realise, layout, normalise=self.truncate)
        self.offsets = offsets
        self.gens = tuple(a for m in offsets.values() for a in m)
        self.gen_set = frozenset(self.gens)
        self.order = order
        self.zero = dict.fromkeys(self.gens, sympy.Integer(0))

    # -- truncation -----------------------------------------------------------------------
    def truncate_entry(self, e: sympy.Expr) -> sympy.Expr:
        if e.is_Number or not (e.free_symbols & self.gen_set):
            return certified.compact(e)
        expanded = sympy.expand(e)
        terms = []
        for term in sympy.Add.make_args(expanded):
            powers = term.as_powers_dict()
            degree = 0
            for g in term.free_symbols & self.gen_set:
                exponent = powers.get(g, None)
                if exponent is None or not exponent.is_Integer:
                    return self._taylor(e)
                degree += int(exponent)
            if degree <= self.order:
                terms.append(term)
        if all(t.is_Rational or t.free_symbols for t in terms) and not any(
                isinstance(f, certified.Value) for t in terms for f in sympy.Mul.make_args(t)):
            return sympy.Add(*terms)
        # Transcendental coefficients: one exact value per monomial, named when it grows (as a
        # float coefficient was one number), so that a network's layers do not swell.
        by_monomial: dict[sympy.Expr, list[sympy.Expr]] = {}
        for term in terms:
            coeff, monomial = term.as_independent(*self.gen_set, as_Add=False)
            by_monomial.setdefault(monomial, []).append(coeff)
        return sympy.Add(*(certified.compact(sympy.Add(*cs)) * m for m, cs in by_monomial.items()))

    def _taylor(self, e: sympy.Expr) -> sympy.Expr:
        """The Taylor polynomial of a non-polynomial entry, by differentiation (a rare fallback)."""
        gens = sorted(e.free_symbols & self.gen_set, key=str)
        total = e.xreplace(self.zero)
        for k in range(1, self.order + 1):
            for combo in itertools.combinations_with_replacement(gens, k):
                d = e.diff(*combo).xreplace(self.zero)
                if d != 0:
                    coeff = d
                    for g in set(combo):
                        coeff /= sympy.factorial(combo.count(g))
                    total += coeff * sympy.Mul(*combo)
        return total

    def truncate(self, m: sympy.Matrix) -> sympy.Matrix:
        if all(e.is_Rational for e in m):
            return m
        if not self.gens:  # nothing is differentiated: exact numbers, kept small
            return m.applyfunc(certified.compact)
        return m.applyfunc(self.truncate_entry)

    def at_point(self, m: sympy.Matrix) -> sympy.Matrix:
        return m.xreplace(self.zero)

    # -- operations that leave the polynomials ------------------------------------------------
    def inverse(self, m: sympy.Matrix) -> sympy.Matrix:
        m0 = self.at_point(m)
        if m0.shape == (1, 1):
            if m0[0, 0] == 0:
                raise ZeroDivisionError("division by zero")
            x0 = sympy.Matrix([[1 / m0[0, 0]]])
        else:
            if m0.det() == 0:
                raise ZeroDivisionError("singular matrix")
            x0 = inverse(m0)
        step = self.truncate(-x0 * (m - m0))
        total, power = x0, x0
        for _ in range(self.order):
            power = self.truncate(step * power)
            total = total + power
        return self.truncate(total)

    def function(self, f: Callable[[sympy.Expr], sympy.Expr], e: sympy.Expr, name: str) -> sympy.Expr:
        c = e.xreplace(self.zero)
        if name in ("relu", "abs", "step", "closed_step"):
            # Each has a value at every point, on its kink too (ReLU(0) = |0| = step(0) = 0,
            # closed_step(0) = 1); only a derivative through the kink is undefined.
            sign = certified.sign(c)
            if sign is None:
                raise Boundary("too close to a kink to tell which side")
            if sign == 0:
                if (e - c).free_symbols & self.gen_set:
                    raise Boundary("on a kink whose switch varies: a derivative through it is undefined")
                return sympy.Integer(1 if name == "closed_step" else 0)
            if name in ("step", "closed_step"):
                return sympy.Integer(1 if sign > 0 else 0)
            if name == "relu":
                return e if sign > 0 else sympy.Integer(0)
            return e if sign > 0 else -e
        p = e - c
        if not (p.free_symbols & self.gen_set):
            return _number(f(c))
        if name in ("log", "sqrt") and certified.sign(c) != 1:
            raise ValueError(f"{name} of a value that is not positive")
        derivatives = _derivatives(f, self.order)
        total = _number(derivatives[0](c))
        power = sympy.Integer(1)
        for j in range(1, self.order + 1):
            power = self.truncate_entry(power * p)
            total += _number(derivatives[j](c)) / sympy.factorial(j) * power
        return self.truncate_entry(total)

    # -- nodes ---------------------------------------------------------------------------------
    def variable(self, v: Var) -> sympy.Matrix:
        if v.name not in self.offsets:
            raise UnsupportedError(f"cannot differentiate by {v.name} here")
        return self.offsets[v.name]

    def _Inverse(self, e: Inverse, hint):
        m = self.eval(e.arg, hint)
        if m.shape[0] != m.shape[1]:
            return super()._Inverse(e, hint)
        return self.inverse(m)

    def _Div(self, e: Div, hint):
        den = self.eval(e.den)
        if den.shape != (1, 1):
            return super()._Div(e, hint)
        return self.eval(e.num, hint) * self.inverse(den)[0, 0]

    def _Power(self, e: Power, hint):
        base = self.eval(e.base, hint)
        exp = self.eval(e.exponent)[0, 0]
        if exp.free_symbols & self.gen_set:
            if base.shape != (1, 1):
                raise UnsupportedError("a matrix power with a varying exponent")
            log = self.function(sympy.log, base[0, 0], "log")
            return sympy.Matrix([[self.function(sympy.exp, self.truncate_entry(exp * log), "exp")]])
        if exp.is_Integer:
            k = int(exp)
            if k < 0:
                base, k = self.inverse(base), -k
            result = sympy.eye(base.shape[0]) if base.shape != (1, 1) else sympy.Matrix([[1]])
            for _ in range(k):
                result = self.truncate(result * base)
            return result
        if base.shape != (1, 1):
            raise UnsupportedError("a matrix power needs an integer exponent")
        return sympy.Matrix([[self.function(lambda x: x**exp, base[0, 0], "power")]])

    def _Apply(self, e: Apply, hint):
        if e.func not in _ELEMENTWISE:
            return super()._Apply(e, hint)
        m = self.eval(e.arg, hint)
        f = _ELEMENTWISE[e.func]
        return m.applyfunc(lambda x: self.function(f, x, e.func))

    def _Max(self, e: Max, hint):
        ms = [self.eval(a, hint) for a in e.args]
        shape = next((m.shape for m in ms if m.shape != (1, 1)), (1, 1))
        grown = [m if m.shape == shape else sympy.ones(*shape) * m[0, 0] for m in ms]

        def pick(i: int, j: int) -> sympy.Expr:
            entries = [m[i, j] for m in grown]
            values = [x.xreplace(self.zero) for x in entries]
            # The largest by certified comparisons of differences (exact, so each is compared
            # with the largest so far); a difference whose sign cannot be certified: not used.
            best, ties = 0, [0]
            for k in range(1, len(values)):
                sign = certified.sign(values[k] - values[best])
                if sign is None:
                    raise Boundary("max of values too close to tell apart")
                if sign > 0:
                    best, ties = k, [k]
                elif sign == 0:
                    ties.append(k)
            # A tie has its value, max(a, a) = a, and its jet where the tied jets are the same;
            # tied branches that vary differently would be differentiated through the kink.
            if any(sympy.expand(entries[k] - entries[best]) != 0 for k in ties):
                raise Boundary("a tie in max whose branches vary differently")
            return entries[best]

        return sympy.Matrix(*shape, pick)


@functools.lru_cache(maxsize=64)
def _derivatives(f: Callable[[sympy.Expr], sympy.Expr], order: int) -> list[Callable[[sympy.Expr], sympy.Expr]]:
    """f, f', f'', ... as functions of a value (differentiated once per function and order)."""
    x = sympy.Dummy("x")
    fx = f(x)
    out: list[Callable[[sympy.Expr], sympy.Expr]] = []
    for _ in range(order + 1):
        def at(c: sympy.Expr, fx: sympy.Expr = fx) -> sympy.Expr:  # a def: mypy infers no lambda with a default
            return fx.xreplace({x: c})
        out.append(at)
        fx = fx.diff(x)
    return out


def _number(value: sympy.Expr) -> sympy.Expr:
    """Rationals stay exact; any other constant becomes a named exact value
    (:class:`~verify.deciding.evaluation.certified.Value`: an atom to the arithmetic, a ball on demand).

    It was an 80-digit float, and floats decide nothing: two sides near 1e470 "differed" in
    their last digits. Exact symbolic constants nest and swell through a network's layers;
    a named value does neither.
    """
    if value.is_Rational or value.free_symbols:
        return value
    return certified.constant(value)
