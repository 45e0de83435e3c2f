"""Deciding :class:`~verify.model.claim.Limit` claims: a checked squeeze, SymPy's limit, exact refutation.

``lim_{p -> at} expr = rhs`` is claimed for every value of the other symbols allowed by the
assumptions. Three routes, soundest first:

1. A squeeze the engine checks itself, for ``p -> oo`` and ``expr = (sum_i c_i(p) a_i^p)^(1/p)``
   (the L^p norms behind max-type limits such as AdaMax): if every ``a_i >= 0`` and every
   weight ``c_i(p)`` tends to a finite positive limit, then for large p
   ``c_j^(1/p) max_i a_i <= expr <= (sum_i c_i)^(1/p) max_i a_i`` (j an index of the
   largest a_i), and both bounds tend to ``max_i a_i``. What remains is an equality of
   piecewise expressions, decided region by region; where it fails, an exact point is a
   counterexample.
2. SymPy's ``limit`` (the Gruntz algorithm) on the symbolic expression, with the
   assumptions turned into SymPy's own (``0 < b < 1`` becomes ``b = 1/(1 + t)``, ``t > 0``: a
   bijection, so nothing is lost or added), its result compared with the right side by
   normal forms, and cross-checked at exact points.
3. Refutation: at exact rational values of the other symbols inside the assumptions, SymPy's
   limit of the now one-variable expression, confirmed by evaluating the expression close to
   the limit point with 60 digits. Otherwise ``unknown``.

Assumptions are strings in the claim: chains of comparisons between one declared scalar and
exact numbers, ``"0 < beta2 < 1"``, ``"u >= 0"``, ``"t \\le 2"``. A symbol declared
``positive`` is assumed positive.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import re
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.evaluation import certified, sizing
from verify.deciding.evaluation.instantiate import Evaluator, structured_values, symbolic
from verify.deciding.evaluation.piecewise import off_boundaries
from verify.deciding.evaluation.rationals import rational
from verify.deciding.proof.counterexample import show
from verify.deciding.proof.normal_forms import is_zero
from verify.errors import VerifyError
from verify.model import Counterexample, Limit, Result, Verdict, anonymous

#: Soft budgets (seconds) for one call of SymPy's limit; the engine's worker timeout stays the hard one.
SYMBOLIC_SECONDS = 15.0
CONCRETE_SECONDS = 5.0
#: Exact points at which a limit is computed to refute, and to cross-check a symbolic result.
REFUTE_POINTS = 4
CROSS_CHECKS = 2


class _OutOfTime(Exception):
    pass


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Interrupt the enclosed Python code after ``seconds`` (main thread only, else no limit).

    A soft limit so that one hopeless call to ``limit`` leaves time for the other routes; an
    interrupted SymPy call leaves nothing behind in its caches (an entry is stored only when a
    call returns). It never replaces the engine's killed-worker timeout.
    """
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------------------------------
# The limit point and the assumptions.


def parse_point(text: str) -> sympy.Expr:
    """``oo``, ``-oo`` (also ``\\infty``) or an exact number: never through sympify."""
    t = text.strip().replace(" ", "")
    if t in ("oo", "+oo", "\\infty", "+\\infty", "infty", "inf"):
        return sympy.oo
    if t in ("-oo", "-\\infty", "-infty", "-inf"):
        return -sympy.oo
    return _number(t)


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?(?:/\d+)?$")


def _number(text: str) -> sympy.Rational:
    if not _NUMBER.match(text):
        raise VerifyError(f"{text!r} is not an exact number")
    return sympy.Rational(Fraction(text))


_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "\\lt": "<", "\\gt": ">",
        "\\le": "<=", "\\leq": "<=", "\\ge": ">=", "\\geq": ">=", "≤": "<=", "≥": ">="}
_SPLIT = re.compile(r"(<=|>=|\\leq|\\geq|\\le|\\ge|\\lt|\\gt|≤|≥|<|>)")


@dataclass(frozen=True)
class Interval:
    """Where one scalar may lie: ``lo < x < hi``, each end open or closed, infinite allowed."""

    lo: sympy.Expr = -sympy.oo
    hi: sympy.Expr = sympy.oo
    lo_open: bool = True
    hi_open: bool = True

    def above(self, value: sympy.Expr, strict: bool) -> Interval:
        if value > self.lo or (value == self.lo and strict and not self.lo_open):
            return Interval(value, self.hi, strict, self.hi_open)
        return self

    def below(self, value: sympy.Expr, strict: bool) -> Interval:
        if value < self.hi or (value == self.hi and strict and not self.hi_open):
            return Interval(self.lo, value, self.lo_open, strict)
        return self

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    @property
    def whole(self) -> bool:
        return self.lo == -sympy.oo and self.hi == sympy.oo

    def describe(self, name: str) -> str:
        parts = []
        if self.lo != -sympy.oo:
            parts.append(f"{sympy.sstr(self.lo)} {'<' if self.lo_open else '<='} ")
        parts.append(name)
        if self.hi != sympy.oo:
            parts.append(f" {'<' if self.hi_open else '<='} {sympy.sstr(self.hi)}")
        return "".join(parts)


def parse_assumptions(texts: Sequence[str], scalars: set[str]) -> dict[str, Interval]:
    """Each text a chain ``a op b op c``; every link compares one declared scalar with a number."""
    out: dict[str, Interval] = {}
    for text in texts:
        parts = [p.strip() for p in _SPLIT.split(text)]
        if len(parts) < 3 or len(parts) % 2 == 0:
            raise VerifyError(f"cannot read the assumption {text!r}: write e.g. '0 < b < 1' or 'u >= 0'")
        for i in range(0, len(parts) - 2, 2):
            left, op, right = parts[i], _OPS[parts[i + 1]], parts[i + 2]
            if left in scalars and right not in scalars:
                name, value, op = left, _number(right), op
            elif right in scalars and left not in scalars:
                name, value = right, _number(left)
                op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
            elif left not in scalars and right not in scalars:
                a, b = _number(left), _number(right)
                if not {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]:
                    raise VerifyError(f"the assumption {text!r} is false")
                continue
            else:
                raise VerifyError(f"in {text!r}: only comparisons of one symbol with numbers are supported")
            iv = out.get(name, Interval())
            iv = iv.above(value, op == ">") if op in (">", ">=") else iv.below(value, op == "<")
            out[name] = iv
    for name, iv in out.items():
        if iv.empty:
            raise VerifyError(f"the assumptions on {name} contradict each other")
    return out


@dataclass(frozen=True)
class Piece:
    """One symbol's values in a case: ``value`` as a function of a fresh symbol that SymPy's
    assumptions can describe exactly (positive or nonnegative), or one constant."""

    value: sympy.Expr
    fresh: sympy.Symbol | None
    text: str


def pieces(name: str, iv: Interval) -> list[Piece]:
    """Cover the interval exactly by images of (0, oo) or [0, oo): bijections, so a proof in the
    fresh symbol is a proof on the interval, and a point in it is a point of the interval."""
    lo, hi = iv.lo, iv.hi
    if iv.whole:
        t = sympy.Symbol(name, real=True)
        return [Piece(t, t, "")]
    if hi == sympy.oo or lo == -sympy.oo:
        open_end = iv.lo_open if hi == sympy.oo else iv.hi_open
        fixed = lo if hi == sympy.oo else hi
        direct = fixed == 0 and hi == sympy.oo
        t = sympy.Symbol(name if direct else f"t_{name}", **({"positive": True} if open_end
                                                            else {"nonnegative": True}))
        value = fixed + t if hi == sympy.oo else fixed - t
        rel = ">" if open_end else ">="
        text = "" if direct else f"{name} = {sympy.sstr(value)}, {t} {rel} 0"
        return [Piece(value, t, text)]
    if lo == hi:
        return [Piece(lo, None, f"{name} = {sympy.sstr(lo)}")]
    t = sympy.Symbol(f"t_{name}", **({"positive": True} if iv.lo_open and iv.hi_open
                                     else {"nonnegative": True}))
    width = hi - lo
    if not iv.lo_open and iv.hi_open:
        value = hi - width / (1 + t)  # t = 0 gives lo; t -> oo approaches hi
    else:
        value = lo + width / (1 + t)  # t = 0 gives hi when it is closed
    rel = ">" if iv.lo_open and iv.hi_open else ">="
    out = [Piece(value, t, f"{name} = {sympy.sstr(value)}, {t} {rel} 0")]
    if not iv.lo_open and not iv.hi_open:
        out.append(Piece(lo, None, f"{name} = {sympy.sstr(lo)}"))
    return out


@dataclass(frozen=True)
class Case:
    """A substitution of the constrained symbols covering part of the assumed region."""

    table: dict[sympy.Symbol, Piece]

    @property
    def fresh(self) -> list[sympy.Symbol]:
        return [p.fresh for p in self.table.values() if p.fresh is not None]

    def substitution(self) -> dict[sympy.Symbol, sympy.Expr]:
        return {s: p.value for s, p in self.table.items()}

    def describe(self) -> str:
        return "; ".join(p.text for p in self.table.values() if p.text)


def cases(constrained: Mapping[sympy.Symbol, tuple[str, Interval]]) -> list[Case]:
    options = [[(s, p) for p in pieces(name, iv)] for s, (name, iv) in constrained.items()]
    return [Case(dict(combo)) for combo in itertools.product(*options)]


def sample_case(case: Case, others: set[sympy.Symbol], rng: random.Random) -> dict[sympy.Symbol, sympy.Expr]:
    """Exact values of the fresh symbols of the case and of every unconstrained symbol."""
    point: dict[sympy.Symbol, sympy.Expr] = {}
    for t in case.fresh:
        if t.is_positive:
            point[t] = rational(rng, positive=True)
        else:
            point[t] = sympy.Integer(0) if rng.random() < 0.2 else rational(rng, positive=True)
    for s in sorted(others, key=str):
        point[s] = rational(rng, positive=bool(s.is_positive))
    return point


# ---------------------------------------------------------------------------------------
# Checking a candidate value of a limit.


def usable(value: sympy.Expr) -> bool:
    """A limit SymPy returned that means what it says: no unevaluated parts, no oo inside."""
    if value is None or value.has(sympy.Limit, sympy.AccumBounds, sympy.nan, sympy.zoo):
        return False
    if value in (sympy.oo, -sympy.oo):
        return True
    return not value.has(sympy.oo, -sympy.oo)


def same(a: sympy.Expr, b: sympy.Expr) -> tuple[bool | None, str]:
    """Whether two candidate limits are identical expressions (True), or not shown (None)."""
    infinite = {sympy.oo, -sympy.oo}
    if a in infinite or b in infinite:
        return (True, "syntactic") if a == b else (None, "one side is infinite")
    try:
        test = is_zero(a - b)
        method = test.method
        if test.zero:
            return True, method
    except (KeyError, ValueError, TypeError) as err:  # e.g. |.| nested in max trips the region split
        method = f"normal forms failed ({type(err).__name__})"
    if (a - b).has(sympy.Max, sympy.Min, sympy.Abs) and zero_by_cases(a - b):
        return True, "cases of max and |.| (regions the assumptions exclude skipped)"
    return None, method


#: At most this many nested case splits in :func:`zero_by_cases`.
MAX_SPLITS = 8


def zero_by_cases(e: sympy.Expr, decided: Mapping[sympy.Expr, int] | None = None) -> bool:
    """``e`` is 0 wherever the symbols' SymPy assumptions hold, split on max, min and |.|.

    Innermost first, so nesting (|g| inside a max) is no obstacle; a switch met again (|a - g|
    after max(a, g)) takes the side already chosen. A branch whose condition contradicts the
    assumptions (``1/(1 + t) > 1`` with ``t >= 0``) is skipped. The boundary of a split needs no
    case of its own: max, min and |.| equal either branch there, and each leaf is proved
    identically zero. Steps and signs are not continuous, so they are not handled.
    """
    decided = dict(decided or {})
    if e.has(sympy.Heaviside, sympy.sign) or len(decided) > MAX_SPLITS:
        return False
    inner = [p for p in e.atoms(sympy.Max, sympy.Min, sympy.Abs)
             if not any(q.has(sympy.Max, sympy.Min, sympy.Abs) for q in p.args)]
    if not inner:
        try:
            return is_zero(e).zero is True
        except (KeyError, ValueError, TypeError):
            return False
    p = sorted(inner, key=sympy.default_sort_key)[0]
    if isinstance(p, sympy.Abs):
        switch, branches = p.args[0], (p.args[0], -p.args[0])
    elif len(p.args) == 2:
        first, second = p.args
        switch = first - second
        branches = (first, second) if isinstance(p, sympy.Max) else (second, first)
    else:
        return False
    key = sympy.expand(switch)
    if key in decided or -key in decided:
        sign = decided[key] if key in decided else -decided[-key]
        return zero_by_cases(e.xreplace({p: branches[0 if sign > 0 else 1]}), decided)
    factored = sympy.factor(switch)
    for sign, branch in zip((1, -1), branches, strict=True):
        excluded = factored.is_nonpositive if sign > 0 else factored.is_nonnegative
        if excluded is True:
            continue
        if not zero_by_cases(e.xreplace({p: branch}), {**decided, key: sign}):
            return False
    return True


def _direction(at: sympy.Expr) -> str:
    return "+" if at in (sympy.oo, -sympy.oo) else "+-"


def sympy_limit(e: sympy.Expr, v: sympy.Symbol, at: sympy.Expr, seconds: float) -> sympy.Expr | None:
    try:
        with budget(seconds):
            value = sympy.limit(e, v, at, _direction(at))
    except (_OutOfTime, NotImplementedError, ValueError, TypeError, AttributeError,
            ZeroDivisionError, RecursionError, sympy.PoleError):
        return None
    return value if usable(value) else None


@dataclass(frozen=True)
class Squeeze:
    """``expr = (sum c_i a_i^p)^(1/p)`` with every a_i >= 0 and every c_i -> a finite positive limit."""

    limit: sympy.Expr
    terms: tuple[tuple[sympy.Expr, sympy.Expr], ...]  # (a_i, lim c_i)

    def describe(self, v: sympy.Symbol) -> str:
        parts = ", ".join(f"a_{i} = {sympy.sstr(a)} (c_{i} -> {sympy.sstr(w)})"
                          for i, (a, w) in enumerate(self.terms, 1))
        return (f"a squeeze: the expression is (sum_i c_i a_i^{v})^(1/{v}) with {parts}, all a_i >= 0, "
                f"so it lies between c_j^(1/{v}) max_i a_i and (sum_i c_i)^(1/{v}) max_i a_i, which both "
                f"tend to max_i a_i = {sympy.sstr(self.limit)}")


def squeeze(e: sympy.Expr, v: sympy.Symbol, seconds: float) -> Squeeze | str:
    """Recognise the L^p-norm shape and check the side conditions; a reason when it fails."""
    if not (isinstance(e, sympy.Pow) and sympy.expand(e.exp * v) == 1):
        return f"not of the form (...)^(1/{v})"
    terms: list[tuple[sympy.Expr, sympy.Expr]] = []
    for term in sympy.Add.make_args(e.base):
        a: sympy.Expr = sympy.Integer(1)
        c: sympy.Expr = sympy.Integer(1)
        for f in sympy.Mul.make_args(term):
            got = _pth_power(f, v)
            if got is None:
                c *= f
            else:
                a *= got
        if a.has(v):
            return f"a base of a {v}-th power depends on {v}"
        if a.is_nonnegative is not True:
            return f"cannot show {sympy.sstr(a)} >= 0"
        if c.has(v):
            weight = sympy_limit(c, v, sympy.oo, seconds)
            if weight is None:
                return f"no limit found for the weight {sympy.sstr(c)}"
        else:
            weight = c
        if not (weight.is_positive is True and weight.is_finite is True):
            return f"the weight {sympy.sstr(c)} does not tend to a finite positive limit"
        terms.append((a, weight))
    return Squeeze(sympy.Max(*(a for a, _ in terms)), tuple(terms))


def _pth_power(f: sympy.Expr, v: sympy.Symbol) -> sympy.Expr | None:
    """``b`` when ``f = b^p`` (also ``b^(m p) = (b^m)^p``, ``exp(m p)``) with b >= 0 shown, else None."""
    if isinstance(f, sympy.exp):
        m = sympy.cancel(f.args[0] / v)
        return sympy.exp(m) if m.is_Rational and m != 0 else None
    if not (isinstance(f, sympy.Pow) and f.exp.has(v)) or f.base.has(v):
        return None
    m = sympy.cancel(f.exp / v)
    if not (m.is_Rational and m != 0):
        return None
    ok = f.base.is_nonnegative if m > 0 else f.base.is_positive
    return f.base**m if ok is True else None


# ---------------------------------------------------------------------------------------
# Refutation at exact points.


def _approach(at: sympy.Expr) -> list[list[sympy.Rational]]:
    """Runs of exact sample points tending to ``at`` (one run per side for a finite point)."""
    if at == sympy.oo:
        return [[sympy.Integer(10**n) for n in (4, 8, 16)]]
    if at == -sympy.oo:
        return [[sympy.Integer(-(10**n)) for n in (4, 8, 16)]]
    steps = [sympy.Rational(1, 10**n) for n in (4, 8, 16)]
    return [[at + h for h in steps], [at - h for h in steps]]


#: Bits of the balls the corroboration is computed with.
CORROBORATION_BITS = 256


def corroborated(e: sympy.Expr, v: sympy.Symbol, at: sympy.Expr, value: sympy.Expr, rhs: sympy.Expr) -> bool:
    """Near ``at`` the expression is certainly much closer to ``value`` than to ``rhs``.

    Every comparison is between balls (:mod:`verify.deciding.evaluation.certified`) at exact points, so
    an uncertain one withholds the refutation; it never supports one.
    """
    bits = CORROBORATION_BITS
    try:
        for run in _approach(at):
            samples = [certified.ball(e.xreplace({v: x}), bits) for x in run]
            if not all(s.is_finite() for s in samples):
                return False
            last = samples[-1]
            if value == sympy.oo or value == -sympy.oo:
                sign = 1 if value == sympy.oo else -1
                growing = all(sign * b > sign * a for a, b in itertools.pairwise(samples))
                bound = abs(certified.ball(rhs, bits)) if rhs.is_finite else None
                if bound is None or not (growing and sign * last > 10 * (bound + 1)):
                    return False
                continue
            near = abs(last - certified.ball(value, bits))
            far = abs(last - certified.ball(rhs, bits)) if rhs.is_finite else None
            if far is not None and not near * 100 < far:
                return False
    except (certified.Uncertain, ValueError, TypeError, ZeroDivisionError):
        return False
    return True


@dataclass
class Refutation:
    """An exact point, the limit there, the right side there; ``how`` the limit was found."""

    point: dict[sympy.Symbol, sympy.Expr]
    value: sympy.Expr
    rhs: sympy.Expr
    how: str
    proof: str = ""


def _differs(a: sympy.Expr, b: sympy.Expr) -> bool:
    infinite = {sympy.oo, -sympy.oo}
    if a in infinite or b in infinite:
        return a != b
    return certified.differs(a, b)


def _constant(x: sympy.Expr) -> bool:
    return not x.free_symbols and not x.has(sympy.nan, sympy.zoo)


# ---------------------------------------------------------------------------------------
# The decision.


@dataclass
class Problem:
    """The claim at one binding of the letters, its entries, the assumed region as cases."""

    claim: Limit
    sizes: dict[str, int]
    ev: Evaluator
    var: sympy.Symbol
    at: sympy.Expr
    expr: sympy.Matrix
    rhs: sympy.Matrix
    cases: list[Case]
    intervals: dict[str, Interval]

    def others(self, case: Case) -> set[sympy.Symbol]:
        atoms: set[sympy.Symbol] = set()
        for m in (self.expr, self.rhs):
            atoms |= m.free_symbols
        return atoms - {self.var} - set(case.table)

    def original_values(self, case: Case, point: Mapping[sympy.Symbol, sympy.Expr]) -> dict[str, str]:
        sub = {s: p.value.xreplace(point) for s, p in case.table.items()}
        full = {**point, **sub}
        out: dict[str, str] = {}
        names = self.claim.expr.names() | self.claim.rhs.names()
        for name in self.claim.symbols:
            if name in names and name != self.claim.var.name:
                m = self.ev.value(name).xreplace(full)
                if not m.free_symbols:
                    out[name] = show(m)
        return out

    def exact_point(self, case: Case, point: Mapping[sympy.Symbol, sympy.Expr]) -> dict[str, str]:
        sub = {s: p.value.xreplace(point) for s, p in case.table.items()}
        return {str(s): sympy.sstr(v) for s, v in {**point, **sub}.items() if s not in case.fresh}


def _build(claim: Limit, sizes: dict[str, int]) -> Problem:
    ev = Evaluator(claim.symbols, sizes, symbolic(claim.symbols, sizes), claim.layout)
    expr, rhs = ev(claim.expr), ev(claim.rhs)
    if expr.shape != rhs.shape:
        raise VerifyError(f"the sides have different shapes {expr.shape} and {rhs.shape}")
    realised_var = ev.value(claim.var.name)[0, 0]
    at = parse_point(claim.at)
    kind = {sympy.oo: {"positive": True}, -sympy.oo: {"negative": True}}.get(at, {"real": True})
    var = sympy.Symbol(claim.var.name, **kind)
    expr = expr.xreplace({realised_var: var})
    if rhs.has(realised_var):
        raise VerifyError(f"the limit {rhs} must not depend on {claim.var.name}")
    scalars = {n for n, s in claim.symbols.items() if s.shape.is_scalar and n != claim.var.name}
    intervals = parse_assumptions(claim.assumptions, scalars | {claim.var.name})
    intervals.pop(claim.var.name, None)
    for name, s in claim.symbols.items():
        if s.positive and name != claim.var.name:
            intervals[name] = intervals.get(name, Interval()).above(sympy.Integer(0), True)
    names = claim.expr.names() | claim.rhs.names()
    constrained = {ev.value(n)[0, 0]: (n, iv) for n, iv in intervals.items() if n in names and not iv.whole}
    return Problem(claim, sizes, ev, var, at, expr, rhs, cases(constrained), intervals)


def _scope(p: Problem, proved_at: list[dict[str, int]]) -> str:
    names = p.claim.expr.names() | p.claim.rhs.names()
    conditions = [iv.describe(n) for n, iv in p.intervals.items() if n in names and not iv.whole]
    text = "every value of the other symbols" + (f" with {', '.join(conditions)}" if conditions else "")
    if proved_at != [{}]:
        text += f"; {sizing.describe(proved_at)}"
    return text


def _prove_entry(p: Problem, e: sympy.Expr, r: sympy.Expr, case: Case, rng: random.Random,
                 progress: Progress) -> tuple[bool, str, Refutation | None]:
    """Proved (with how), or not (with why, and a refutation when the squeeze found one)."""
    sub = case.substitution()
    ec, rc = e.xreplace(sub), r.xreplace(sub)
    reasons: list[str] = []
    if p.at == sympy.oo:
        progress("trying a squeeze")
        sq = squeeze(ec, p.var, SYMBOLIC_SECONDS)
        if isinstance(sq, Squeeze):
            ok, method = same(sq.limit, rc)
            if ok:
                return True, f"{sq.describe(p.var)}, equal to the right side by {method}", None
            found = _separate(p, sq.limit, rc, case, rng)
            if found is not None:
                found.how, found.proof = "by the squeeze", sq.describe(p.var)
                return False, "the squeeze gives a different limit", found
            reasons.append(f"squeeze gives {sympy.sstr(sq.limit)}, not shown equal to the right side ({method})")
        else:
            reasons.append(f"no squeeze ({sq})")
    progress("SymPy's limit on the symbolic expression")
    value = sympy_limit(ec, p.var, p.at, SYMBOLIC_SECONDS)
    if value is None:
        reasons.append("SymPy's limit gave no answer")
        return False, "; ".join(reasons), None
    ok, method = same(value, rc)
    if not ok:
        reasons.append(f"SymPy's limit is {sympy.sstr(value)}, not shown equal to the right side ({method})")
        return False, "; ".join(reasons), None
    return True, (f"SymPy's limit (Gruntz) of the symbolic expression, {sympy.sstr(value)}, equal to "
                  f"the right side by {method}; cross-checked at exact values"), None


def _separate(p: Problem, value: sympy.Expr, rc: sympy.Expr, case: Case,
              rng: random.Random) -> Refutation | None:
    """An exact point where a limit proved to be ``value`` differs from the right side."""
    others = (value.free_symbols | rc.free_symbols) - set(case.fresh)
    for _ in range(24):
        point = sample_case(case, others, rng)
        point.update(structured_values(p.claim.symbols, p.sizes, others, rng))  # inside declarations
        if not off_boundaries((sympy.Matrix([value]), sympy.Matrix([rc])), point):
            continue
        a, b = value.xreplace(point), rc.xreplace(point)
        if _constant(a) and _constant(b) and _differs(a, b):
            return Refutation(point, a, b, "")
    return None


@dataclass
class Concrete:
    """What SymPy's limit at exact points showed: a confirmed refutation, or tallies."""

    refutation: Refutation | None = None
    case: Case | None = None
    agreed: int = 0
    unconfirmed: int = 0  # points where SymPy's value differs but the numerics did not confirm it


def _refute_concretely(p: Problem, rng: random.Random, progress: Progress,
                       points: int = REFUTE_POINTS) -> Concrete:
    """SymPy's limit at exact values of the other symbols, confirmed numerically."""
    out = Concrete()
    for case in p.cases:
        for idx, (e, r) in enumerate(zip(p.expr, p.rhs, strict=True)):
            sub = case.substitution()
            ec, rc = e.xreplace(sub), r.xreplace(sub)
            others = p.others(case)
            tried = 0
            for _ in range(points * 3):
                if tried >= points:
                    break
                point = sample_case(case, others, rng)
                point.update(structured_values(p.claim.symbols, p.sizes, others, rng))  # inside declarations
                progress(f"SymPy's limit at exact values (entry {idx + 1}, point {tried + 1})")
                concrete = ec.xreplace(point)
                rhs_value = rc.xreplace(point)
                if not _constant(rhs_value) or concrete.free_symbols - {p.var}:
                    continue
                value = sympy_limit(concrete, p.var, p.at, CONCRETE_SECONDS)
                if value is None or not _constant(value):
                    continue
                tried += 1
                if not _differs(value, rhs_value):
                    out.agreed += 1
                    continue
                if corroborated(concrete, p.var, p.at, value, rhs_value):
                    out.refutation = Refutation(
                        point, value, rhs_value, "SymPy's limit at these values",
                        "SymPy's limit at exact values of the other symbols, confirmed by evaluating "
                        "the expression near the limit point with 60 digits")
                    out.case = case
                    return out
                out.unconfirmed += 1
    return out


def _refuted(p: Problem, case: Case, ref: Refutation) -> Result:
    claim = p.claim
    note = f"lhs: the limit as {claim.var.name} -> {claim.at} at these values ({ref.how})"
    cx = Counterexample(values=p.original_values(case, ref.point), lhs=show(ref.value), rhs=show(ref.rhs),
                        sizes=dict(p.sizes), note=note, point=p.exact_point(case, ref.point))
    detail = f"the limit differs from the right side at exact values; the limit there is by {ref.proof}"
    return Result(Verdict.REFUTED, detail=detail, counterexample=cx)


def _letters(claim: Limit) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for e in (claim.expr, claim.rhs):
        for name in e.names():
            out |= claim.symbols[name].shape.letters
    return out


def _check(claim: Limit) -> str | None:
    if claim.var.name not in claim.symbols:
        return f"the limit variable {claim.var.name!r} is not declared"
    if not claim.symbols[claim.var.name].shape.is_scalar:
        return f"the limit variable {claim.var.name} must be a scalar"
    for e in (claim.expr, claim.rhs):
        for name in e.names():
            if name not in claim.symbols:
                return f"{name!r} is not declared"
            if claim.symbols[name].of:
                return "limits of functions declared of(...) are not supported"
    return None


@decide_inline.register
def decide_limit(claim: Limit, progress: Progress = quiet) -> Result:
    problem = _check(claim)
    if problem:
        return Result(Verdict.ERROR, detail=problem)
    rng = random.Random(anonymous(claim))
    problems: list[Problem] = []
    try:
        for sizes in sizing.bindings(_letters(claim)):
            problems.append(_build(claim, sizes))
    except VerifyError as err:
        return Result(Verdict.ERROR, detail=str(err))

    proofs: list[str] = []
    failures: list[str] = []
    for p in problems:
        for case in p.cases:
            for e, r in zip(p.expr, p.rhs, strict=True):
                ok, how, found = _prove_entry(p, e, r, case, rng, progress)
                if found is not None:
                    return _refuted(p, case, found)
                where = f" where {case.describe()}" if case.describe() else ""
                (proofs if ok else failures).append(f"{how}{where}")
    if not failures:
        # a symbolic limit from SymPy is cross-checked at exact points before it counts
        if any(how.startswith("SymPy") for how in proofs):
            for p in problems:
                check = _refute_concretely(p, rng, progress, points=CROSS_CHECKS)
                if check.refutation is not None and check.case is not None:
                    return _refuted(p, check.case, check.refutation)
                if check.unconfirmed:
                    return Result(Verdict.UNKNOWN, detail="SymPy's symbolic limit equals the right side, "
                                  "but its limit at exact values differs there (not confirmed numerically)")
        unique = list(dict.fromkeys(proofs))
        return Result(Verdict.PROVED, detail="proved by " + "; ".join(unique),
                      scope=_scope(problems[0], [p.sizes for p in problems]))
    agreed = unconfirmed = 0
    for p in problems:
        check = _refute_concretely(p, rng, progress)
        if check.refutation is not None and check.case is not None:
            return _refuted(p, check.case, check.refutation)
        agreed += check.agreed
        unconfirmed += check.unconfirmed
    evidence = f"; SymPy's limit agreed with the right side at {agreed} exact points (evidence, not proof)"
    if unconfirmed:
        evidence += f"; it differed at {unconfirmed} points, but evaluating near the limit point did not confirm it"
    return Result(Verdict.UNKNOWN, detail="not proved: " + "; ".join(dict.fromkeys(failures)) + evidence)
