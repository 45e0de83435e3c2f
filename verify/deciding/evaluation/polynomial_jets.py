"""A proof at one size in polynomial arithmetic: jets whose coefficients are polynomials in the entries.

Why: a claim without dimension letters (HW1's index forms, ``\\frac{\\partial y_i}{\\partial x_j} =
a_{ij}``, the Beale function's gradient) is decided by instantiation at its one size, and the SymPy
route (expression trees, ``diff``, normal forms) costs several times what the arithmetic needs:
slower than a naive ``simplify(lhs - rhs)`` on such claims. Here the Fraction evaluator's own rules
(:mod:`verify.deciding.evaluation.fraction_jets`, node for node the semantics of the SymPy
evaluators) run with coefficients in python-flint's ``fmpq_mpoly``: every entry of every declared
symbol is a variable of the polynomial ring, a variable differentiated by is that entry plus its
offset s, and a symbol declared ``of(...)`` is a jet whose every Taylor coefficient is a variable
of its own (any jet is realised by some function, so an identity in those variables holds for every
function, as the SymPy route's undefined functions say). Both sides' values at s = 0 are then
polynomials in the entries, and two equal polynomials (a canonical form: compared exactly) are a
proof that the claim holds at this size for every value of the entries.

What this may conclude is one thing only: "equal". Anything else (different polynomials, a branch
of max, |.| or a step, a comparison, a division by what is not a nonzero number, a transcendental
function, an inverse of a matrix of polynomials, an ``at``, an orthogonal matrix, whose entries are
tied by V^T V = I) is declined, and the SymPy route decides as before: a difference found here is
never a refutation (that needs a point, and the SymPy route finds it). Its rules are the Fraction
evaluator's, as the random points' are, so a wrong rule would make both agree: a proof from here
counts only after an evaluation sharing none of them agrees (``kinds.equality.by_polynomials``:
:mod:`~verify.deciding.evaluation.reference`, else one point of the SymPy evaluator).

The entries range over every real value: a declaration only narrows that (positive, an interval,
invertible, positive definite: a generic symmetric matrix; diagonal: zeros off the diagonal), so
an identity of polynomials holds inside every declaration too. Orthogonality is the exception
above because a claim true only thanks to it would be wrongly declined, never wrongly proved; it
is declined to leave it to the route that knows the relations.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from flint import fmpq, fmpq_mpoly, fmpq_mpoly_ctx

from verify.deciding.evaluation.fraction_jets import (
    Declined,
    FractionEvaluator,
    Jet,
    JetMatrix,
    Ring,
    _build,
    _coefficient,
    _scalar,
)
from verify.deciding.evaluation.sampling import derivative_order, differentiated
from verify.model import Const, Equality, Expr, Power, Symbol

#: More ring variables than this (entries, and a dependent symbol's Taylor coefficients) and the
#: SymPy route decides: beyond it the polynomials grow past what this route is for.
MAX_VARIABLES = 400


#: No product of two coefficients with more terms than this between them (the product of their
#: numbers of terms): FLINT aborts the process, uncatchably, when an allocation fails under the
#: worker's memory cap, so what could grow large ((a + ... + f)^300) is declined before it is built.
MAX_TERMS = 20_000


#: No power above this: the terms guard bounds how many terms a product has, not how large its
#: coefficients and exponents grow, and an exponent is where they grow without bound.
MAX_POWER = 64


def _times(a: Any, b: Any) -> Any:
    """a * b, declined where the product could have more than :data:`MAX_TERMS` terms."""
    if isinstance(a, fmpq_mpoly) and isinstance(b, fmpq_mpoly) and len(a) * len(b) > MAX_TERMS:
        raise Declined(f"a product of polynomials of {len(a)} and {len(b)} terms")
    return a * b


class PolynomialRing(Ring):
    """The jet ring with every product of coefficients through :func:`_times`: ``Ring.mul`` goes
    through :meth:`scale` and :meth:`_accumulate`; ``dot`` is replaced because the base multiplies
    a constant factor inline there."""

    def scale(self, a: Jet, c: Any) -> Jet:
        if not c:
            return {}
        return {m: _times(c, v) for m, v in a.items()}

    def dot(self, pairs: Iterable[tuple[Jet, Jet]]) -> Jet:
        out: dict[Any, Any] = {}
        for a, b in pairs:
            if a and b:
                self._accumulate(out, a, b)
        return {m: c for m, c in out.items() if c}

    def _accumulate(self, out: dict[Any, Any], a: Jet, b: Jet) -> None:
        order = self.order
        for ma, ca in a.items():
            room = order - sum(ma)
            for mb, cb in b.items():
                if sum(mb) > room:
                    continue
                m = tuple(x + y for x, y in zip(ma, mb, strict=True))
                out[m] = out.get(m, 0) + _times(ca, cb)


class _PolynomialRules(FractionEvaluator):
    """The rules that differ from the Fraction evaluator's where coefficients are polynomials."""

    def _sign(self, c: Any) -> int:
        raise Declined("a comparison of values that are polynomials")

    def _reciprocal(self, c: Any) -> Any:
        number = _number(c)
        if number is None:
            raise Declined("a division by a polynomial")
        if number == 0:
            raise ZeroDivisionError("division by zero")
        return fmpq(1) / fmpq(number)  # never 1 / int: that is a float

    def _invert_numbers(self, m0: list[list[Any]]) -> list[list[Any]]:
        raise Declined("an inverse of a matrix of polynomials")

    def _det_numbers(self, m0: list[list[Any]]) -> Any:
        """Division-free: the sum over permutations (n! terms: past 6 x 6 the SymPy route decides)."""
        n = len(m0)
        if n > 6:
            raise Declined("a determinant of a matrix of polynomials larger than 6 x 6")
        total: Any = 0
        for perm in itertools.permutations(range(n)):
            term: Any = -1 if _odd(perm) else 1
            for i, j in enumerate(perm):
                term = _times(term, m0[i][j])
                if not term:
                    break
            total = total + term
        return total

    def _Const(self, e: Const, hint: Any) -> JetMatrix:
        c = _coefficient(e.value)  # an int or a Fraction; anything else is declined
        number = fmpq(c.numerator, c.denominator) if isinstance(c, Fraction) else c
        return _scalar(self.ring.constant(number))  # type: ignore[arg-type]  # fmpq: the ring's own numbers

    def _Power(self, e: Power, hint: Any) -> JetMatrix:
        exponent = self.eval(e.exponent).rows[0][0]
        if not self.ring.is_constant(exponent):
            raise Declined("a varying exponent")
        k = self.ring.value(exponent)
        if not isinstance(k, int) or isinstance(k, bool):  # _Const gives an integer as an int
            raise Declined("a power that is not an integer")
        if abs(k) > MAX_POWER:  # (2 x)^(10^9): a coefficient of 10^9 bits, past what FLINT survives
            raise Declined(f"a power above {MAX_POWER}")
        return super()._Power(e, hint)  # the base reads the same integer exponent

    def _inner(self, ring: Ring, offsets: Mapping[str, tuple[tuple[int, int], tuple[int, ...]]],
               leaf: Callable[[str], JetMatrix]) -> FractionEvaluator:
        """An ``at``'s expression is evaluated by these rules too (its values may be polynomials),
        in a ring whose products are guarded as this one's."""
        guarded = PolynomialRing(ring.size, ring.order)
        return _InnerPolynomialEvaluator(self.symbols, self.sizes, self.layout, guarded, offsets, leaf)

class _InnerPolynomialEvaluator(_PolynomialRules):
    """The evaluator of an ``at``'s expression: the same rules, its own ring and leaves."""


class PolynomialEvaluator(_PolynomialRules):
    """The Fraction evaluator with polynomial coefficients (see the module docstring). ``names``:
    every symbol the sides mention, so that the ring's variables are known before any arithmetic."""

    def __init__(self, symbols: Mapping[str, Symbol], sizes: Mapping[str, int], layout: str,
                 free: frozenset[str], order: int, names: frozenset[str]) -> None:
        bound = dict(sizes)
        generators: dict[tuple[str, int, int], int] = {}
        offsets: dict[str, tuple[tuple[int, int], tuple[int, ...]]] = {}
        for name in sorted(free):
            s = symbols.get(name)
            if s is None or not s.shape.letters <= bound.keys():
                raise Declined(f"{name} has no size here")
            rows, cols = s.shape.bind(bound)
            gens = [generators.setdefault((name, j, i) if s.symmetric and j < i else (name, i, j), len(generators))
                    for i in range(rows) for j in range(cols)]
            offsets[name] = ((rows, cols), tuple(gens))
        ring = PolynomialRing(len(generators), order)
        # Every ring variable, numbered in a fixed order: each entry of each symbol mentioned, and
        # for a dependent one each Taylor coefficient in the offsets of the variables it depends on.
        keys: list[tuple[object, ...]] = []
        self._taylor: dict[str, list[tuple[int, ...]]] = {}
        for name in sorted(names):
            s = symbols.get(name)
            if s is None:
                raise Declined(f"{name} is not declared")
            if s.orthogonal:
                raise Declined(f"{name} is orthogonal: its entries are tied by V^T V = I")
            if not s.shape.letters <= bound.keys():
                raise Declined(f"{name} has no size here")
            rows, cols = s.shape.bind(bound)
            combos: list[tuple[int, ...]] = [()]
            if s.of:
                mine = sorted({g for v in s.of if v in offsets for g in offsets[v][1]})
                combos = [c for k in range(order + 1) for c in itertools.combinations_with_replacement(mine, k)]
            self._taylor[name] = combos
            for i in range(rows):
                for j in range(cols):
                    if (s.diagonal and i != j) or (s.symmetric and j < i):
                        continue
                    keys += [(name, i, j, c) for c in combos]
        if len(keys) > MAX_VARIABLES:
            raise Declined(f"more than {MAX_VARIABLES} variables")
        context = fmpq_mpoly_ctx.get(("v", max(1, len(keys))), "lex")
        ring_variables = context.gens()
        # Typed Any: the Ring's coefficients are declared int | Fraction, and polynomials are what
        # this evaluator gives it instead (every operation it uses is +, -, * and truth).
        self._variables: dict[tuple[object, ...], Any] = {k: ring_variables[n] for n, k in enumerate(keys)}
        super().__init__(symbols, sizes, layout, ring, offsets)

    def _realise(self, name: str) -> JetMatrix:
        """A declared symbol as a matrix of jets whose coefficients are the ring's variables."""
        s = self.symbols[name]
        if name not in self._taylor:
            raise Declined(f"{name} is not among the names the sides mention")
        rows, cols = s.shape.bind(dict(self.sizes))
        ring = self.ring
        variables = self._variables
        combos = self._taylor[name]

        def entry(i: int, j: int) -> Jet:
            if s.diagonal and i != j:
                return {}
            a, b = (j, i) if s.symmetric and j < i else (i, j)
            if not s.of:
                value = variables[(name, a, b, ())]
                if name in self.offsets:
                    return ring.generator(self.offsets[name][1][i * cols + j], value)
                return ring.constant(value)
            out: dict[tuple[int, ...], Any] = {}
            for combo in combos:  # a generic jet: every Taylor coefficient a variable of its own
                mono = [0] * ring.size
                for g in combo:
                    mono[g] += 1
                out[tuple(mono)] = variables[(name, a, b, combo)]
            return out

        return _build(rows, cols, entry)

    # -- results --------------------------------------------------------------------------
    def polynomials(self, sides: Sequence[Expr]) -> list[list[list[Any]]]:
        """Each side's values at s = 0 (polynomials, or numbers where nothing is left), row by row."""
        value = self.ring.value
        return [[[value(x) for x in row] for row in m.rows] for m in self.sides(sides)]


def _number(c: Any) -> Any:
    """A coefficient that is a number (int, fmpq, a constant polynomial) as an int or fmpq; None otherwise."""
    if isinstance(c, bool):
        return None
    if isinstance(c, int):
        return c
    if isinstance(c, fmpq):
        return c
    if isinstance(c, Fraction):
        return fmpq(c.numerator, c.denominator)
    if isinstance(c, fmpq_mpoly) and c.is_constant():
        return fmpq(c.coeffs()[0]) if c else 0
    return None


def _odd(perm: tuple[int, ...]) -> bool:
    inversions = sum(1 for i in range(len(perm)) for j in range(i + 1, len(perm)) if perm[i] > perm[j])
    return inversions % 2 == 1


def identical(claim: Equality, sizes: Mapping[str, int]) -> bool:
    """Whether the claim's sides are equal polynomials in the entries at these sizes: a proof
    there (True), or nothing (False: declined or different; see the module docstring)."""
    sides = (claim.lhs, claim.rhs)
    free = frozenset().union(*(differentiated(e) for e in sides))
    order = max(1, *(derivative_order(e) for e in sides))
    try:
        ev = PolynomialEvaluator(claim.symbols, sizes, claim.layout, free, order,
                                 frozenset(claim.lhs.names() | claim.rhs.names()))
        lhs, rhs = ev.polynomials(sides)
    except MemoryError:  # the worker's cap: unknown, as anywhere else
        raise
    except Exception:  # declined, undefined, or a gap of this route: never a verdict, the SymPy route decides
        return False
    exact = (int, fmpq, fmpq_mpoly)
    if not all(isinstance(x, exact) and not isinstance(x, bool) for side in (lhs, rhs) for row in side for x in row):
        return False  # a float or anything else would be a bug: never a proof
    return len(lhs) == len(rhs) and all(len(a) == len(b) and all(not x - y for x, y in zip(a, b, strict=True))
                                        for a, b in zip(lhs, rhs, strict=True))


__all__ = ["MAX_POWER", "MAX_TERMS", "MAX_VARIABLES", "PolynomialEvaluator", "identical"]
