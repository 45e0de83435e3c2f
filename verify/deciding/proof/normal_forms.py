"""Proof that an explicit expression is identically zero, cheapest normal form first.

Order matters for speed: ``expand`` decides polynomials and ``cancel`` rational functions
tens of times faster than ``simplify``; exponentials are turned into independent symbols
(sound: an identity in independent symbols survives substituting anything for them);
max, |.| and steps are split into the regions where each is smooth, and their boundaries, where
each has its value (a step's is what differs); ``simplify`` is last.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from verify.deciding.evaluation import certified
from verify.deciding.evaluation.piecewise import PIECEWISE


@dataclass(frozen=True)
class ZeroTest:
    """``zero`` is True when proved identically zero, False when shown nonzero as a
    rational function (so no normal form will help), None when undecided."""

    zero: bool | None
    method: str
    regions: int = 0


def _is_rational(e: sympy.Expr) -> bool:
    return bool(e.is_rational_function(*e.free_symbols))


def _exp_to_symbols(e: sympy.Expr) -> sympy.Expr:
    """Rewrite sigmoid-like and hyperbolic parts through exp, then name each exp(a) E_a."""
    e = sympy.expand(e.rewrite(sympy.exp), power_exp=True, mul=False, multinomial=False)
    table: dict[sympy.Expr, sympy.Expr] = {}
    names: dict[sympy.Expr, sympy.Symbol] = {}
    for atom in sorted(e.atoms(sympy.exp), key=sympy.default_sort_key):
        arg = atom.args[0]
        coeff, base = arg.as_coeff_Mul()
        if base == 1:
            continue
        sign = -1 if coeff < 0 else 1
        key = base
        if key not in names:
            names[key] = sympy.Dummy(f"E_{len(names)}", positive=True)
        if coeff.is_Integer:
            table[atom] = names[key] ** int(coeff)
        elif coeff.is_Rational:
            # exp(p/q * a) = F^p with F = exp(a/q): use a separate name for the q-th root.
            root = base * sympy.Rational(1, coeff.q)
            if root not in names:
                names[root] = sympy.Dummy(f"E_{len(names)}", positive=True)
            table[atom] = names[root] ** (sign * abs(coeff.p))
    return e.xreplace(table)


def _rational_is_zero(e: sympy.Expr) -> bool:
    """Whether a rational function is identically zero.

    Its numerator over a common denominator, expanded, is zero exactly when the function is
    (the denominator is a nonzero polynomial). That is a few times faster than ``cancel``,
    which also computes gcds; it is used while the numerator stays small.
    """
    numerator = e.as_numer_denom()[0]
    if sympy.count_ops(numerator) <= 4000:
        return sympy.expand(numerator) == 0
    return sympy.cancel(e) == 0


def _logs_of_positive(e: sympy.Expr) -> sympy.Expr:
    """``e`` with each variable whose logarithm it takes (log a) made positive: e is defined, as
    a real number, only where a > 0, and an identity is claimed where its sides are defined; SymPy
    then rewrites log(a^2) as 2 log(a) and log(a c) as log(a) + log(c), which it may not for
    every real a."""
    table = {u: sympy.Dummy(u.name, positive=True) for f in e.atoms(sympy.log)
             if isinstance(u := f.args[0], sympy.Symbol) and not u.is_positive}
    return e.xreplace(table) if table else e


def is_zero(e: sympy.Expr, progress: Callable[[str], None] = lambda s: None) -> ZeroTest:
    """Whether ``e`` is zero at every point where it is defined (as a real number)."""
    if e == 0:
        return ZeroTest(True, "syntactic")
    e = _logs_of_positive(e)
    if e.has(*PIECEWISE):
        if not _is_rational(e.replace(lambda x: isinstance(x, PIECEWISE), lambda x: sympy.Integer(1))) and not any(
                a.args[0].has(*PIECEWISE) for a in e.atoms(sympy.exp)):
            e = _exp_to_symbols(e)  # once, not once per region (exp(max(x, 0)): in each region, once split)
        return _by_regions(e, progress)
    if _is_rational(e):
        if e.is_polynomial(*e.free_symbols):
            return ZeroTest(sympy.expand(e) == 0, "expand")
        return ZeroTest(_rational_is_zero(e), "cancel")
    renamed = _exp_to_symbols(e)
    if _is_rational(renamed):
        if _rational_is_zero(renamed):
            return ZeroTest(True, "cancel after naming exponentials")
    progress("simplify")
    if sympy.simplify(e) == 0:
        return ZeroTest(True, "simplify")
    return ZeroTest(None, "simplify left a residue")


#: More switches than this and the split is not attempted (each adds up to three cases).
MAX_SWITCHES = 10
#: At most this many regions and boundaries are decided in one proof.
MAX_PIECES = 3000

#: Values tried for the conventions SymPy writes a derivative through a kink with, on that kink:
#: Heaviside(s, 1/2) (of max and ReLU), sign(s) (of |.|); DiracDelta(s) (of a step) is always 0.
#: Any fixed choice is sound (see :meth:`_Split._boundary`); these are those claims are written
#: with, most common first (ReLU'(z) = I(z > 0), |x|' = sign x).
HEAVISIDE_AT_0 = (sympy.Integer(0), sympy.Integer(1), sympy.Rational(1, 2))
SIGN_AT_0 = (sympy.Integer(0), sympy.Integer(1), sympy.Integer(-1))


def switches(e: sympy.Expr) -> list[sympy.Expr]:
    """The expressions whose signs decide every max, |.|, step and sign in ``e``."""
    out: list[sympy.Expr] = []
    for p in sorted(e.atoms(*PIECEWISE), key=sympy.default_sort_key):
        s = _switch(p)
        if s not in out and -s not in out:
            out.append(s)
    return out


def _switch(p: sympy.Expr) -> sympy.Expr:
    if isinstance(p, sympy.Max | sympy.Min):
        if len(p.args) != 2:
            raise ValueError("only max of two arguments is split into regions")
        return p.args[0] - p.args[1]
    return p.args[0]


def is_convention(p: sympy.Expr) -> bool:
    """A derivative through a kink, as SymPy writes it: Heaviside(s, 1/2) (of max), sign(s) (of
    |.|), DiracDelta(s) (of a step). Off the kink it is a value; on it, a convention: the
    derivative does not exist there (unless the branches agree, and then any value gives it)."""
    if isinstance(p, sympy.sign | sympy.DiracDelta):
        return True
    return isinstance(p, sympy.Heaviside) and (len(p.args) < 2 or p.args[1] not in (0, 1))


class _TooMany(Exception):
    pass


#: Signs taken on the way to a case: (switch, 1 or -1), each holding there.
Path = tuple[tuple[sympy.Expr, int], ...]


@dataclass
class _Split:
    """Proof by cases on the sign of each switch: > 0, < 0 and = 0, innermost switch first.

    A case is decided on an expression with that switch's functions replaced by their branches,
    as a formula: proved identically zero, it is zero at every point, not only in its case.
    Cases no point lies in are skipped: a switch known positive or negative (x^2 + 1), and, as
    every function whose switch is a constant multiple of the one split on is replaced at once
    (|t| and max(t, -t) switch on t and 2t), the cases where two such switches disagree.
    """

    progress: Callable[[str], None]
    pieces: int = 0
    #: keep the side taken for |.|, max and min too, as for a step: slower (each such switch's
    #: boundary is then decided apart), but a later switch's sign may follow from it (|a c| =
    #: |a| |c|: a c > 0 where a > 0 and c > 0), which a case proved on all of ``path`` cannot use
    sides: bool = False

    def decide(self, e: sympy.Expr, where: tuple[str, ...], path: Path = ()) -> str | None:
        """None when ``e`` is zero at every point where the signs in ``path`` hold (each a switch
        of a step split on above, and the side taken); otherwise where it was not shown to be."""
        atoms = e.atoms(*PIECEWISE)
        if not atoms:
            self.pieces += 1
            if self.pieces > MAX_PIECES:
                raise _TooMany
            if is_zero(e, self.progress).zero is True:
                return None
            return "not zero " + (f"where {', '.join(where)}" if where else "once split")
        inner = [p for p in atoms if not any(a.has(*PIECEWISE) for a in p.args)]
        if not inner:
            return "piecewise functions that cannot be split"
        s = min((_switch(p) for p in inner), key=sympy.default_sort_key)
        tied = {p: r for p in atoms if (r := _ratio(_switch(p), s)) is not None}
        continuous = not self.sides and all(isinstance(p, sympy.Max | sympy.Min | sympy.Abs) for p in tied)
        implied = _implied(s, path)  # x y > 0 where x > 0 and y > 0 were taken above
        sided = False
        for sign in (1, -1):
            if (s.is_nonpositive if sign > 0 else s.is_nonnegative) or implied not in (None, sign):
                continue  # no point lies here
            table = {p: _branch(p, sign * r) for p, r in tied.items()}
            # A step's side is remembered below; a continuous function's is not, so that its
            # case is proved on all of ``path`` (its boundary needs that: see below).
            below = path if continuous else (*path, (s, sign))
            failed = self.decide(_replace(e, table), (*where, _condition(s, sign)), below)
            if failed:
                return failed
            sided = True
        if s.is_zero is False or implied is not None:
            return None
        if sided and continuous:
            # Continuous there: max(a, b) = a = b where a - b = 0, |0| = 0 = -0. So on s = 0
            # ``e`` equals its case on either side, proved zero above wherever ``path`` holds.
            return None
        return self._boundary(e, s, tied, where, path)

    def _boundary(self, e: sympy.Expr, s: sympy.Expr, tied: dict[sympy.Expr, sympy.Rational],
                  where: tuple[str, ...], path: Path) -> str | None:
        """``e`` where ``s = 0``: each factor of ``s`` solved for a variable and substituted.

        The steps there have their values (I(0 > 0) = 0, I(0 >= 0) = 1). A derivative through
        the kink (``is_convention``) does not exist there where its branches differ, and is
        convention-free where they agree (its formula's value is the same whatever value the
        convention takes: h a' + (1 - h) b' with a' = b'). So if ``e`` is zero on the boundary for
        one fixed choice of the conventions, it is zero wherever both sides are defined there.
        """
        roots = _roots(s)
        if roots is None:
            return f"the boundary {s} = 0 cannot be solved for a variable"
        steps = [r for p, r in tied.items() if isinstance(p, sympy.Heaviside) and is_convention(p)]
        heaviside = HEAVISIDE_AT_0 if steps else (0,)
        sign = SIGN_AT_0 if any(isinstance(p, sympy.sign) for p in tied) else (0,)
        # The conventions are tried as the first derivative of a step is written (Heaviside(z, 1/2)
        # for ReLU(z)), whichever orientation the switch was found in (z or -z).
        turn = -1 if steps and steps[0] < 0 else 1
        failure: str | None = None
        for h, sg in itertools.product(heaviside, sign):
            table = {p: _on_boundary(p, r * turn, h, sg) for p, r in tied.items()}
            on = _replace(e, table)
            failure = None
            for variable, value in roots:
                below = _substitute(path, variable, value)
                if below is None:
                    continue  # this part of the boundary contradicts a side taken above: no point
                failure = self.decide(on.xreplace({variable: value}), (*where, _condition(s, 0)), below)
                if failure:
                    break
            if failure is None:
                return None
        return failure


def _implied(s: sympy.Expr, path: Path) -> int | None:
    """The sign of ``s`` wherever the signs in ``path`` hold, when they fix it: ``s`` is a
    rational multiple of a switch there, that switch shifted away from 0, a product of such
    (x y with x > 0, y < 0), or a sum of terms of one sign (:func:`_sum_sign`)."""
    if not path:
        return None
    for d, sign in path:
        r = _ratio(s, d)
        if r is not None:
            return sign if r > 0 else -sign
        for turn in (1, -1):  # s = +-d + c with c a number of the side d is on: x - 1/2 < 0 where x < 0
            c = sympy.expand(s - turn * d)
            if c.is_Rational and (c == 0 or (c > 0) == (turn * sign > 0)):
                return turn * sign
    if not s.is_polynomial(*s.free_symbols):
        return None
    coeff, factors = sympy.factor_list(s)
    if len(factors) >= 2 or any(k != 1 for _, k in factors):
        total = 1 if coeff > 0 else -1
        for f, k in factors:
            known = _known(f, path) or _sum_sign(f, path)  # a^2 - c^2 = (a - c)(a + c), a + c > 0 too
            if known is None:
                break
            total *= known**k
        else:
            return total
    return _sum_sign(s, path)


def _known(f: sympy.Expr, path: Path) -> int | None:
    """The sign of ``f`` where ``path`` holds, when ``f`` is a rational multiple of a switch in
    it or a symbol known positive or negative (an exponential, named)."""
    if f.is_positive:
        return 1
    if f.is_negative:
        return -1
    return next(((sign if r > 0 else -sign) for d, sign in path if (r := _ratio(f, d)) is not None), None)


def _sum_sign(s: sympy.Expr, path: Path) -> int | None:
    """The sign of a sum whose terms all have one sign where ``path`` holds, each a nonzero number
    or a product of powers of factors of known sign: a + c > 0 where a > 0 and c > 0, a c - 1 < 0
    where a > 0 and c < 0. (Expanded, so that no term is zero and each is a monomial.)"""
    terms = sympy.Add.make_args(sympy.expand(s))
    if len(terms) < 2:
        return None
    signs = set()
    for t in terms:
        coeff, factors = t.as_coeff_mul()
        if coeff == 0:
            return None
        total = 1 if coeff > 0 else -1
        for f in factors:
            base, k = f.as_base_exp()
            known = _known(base, path) if k.is_Integer and k > 0 else None
            if known is None:
                return None
            total *= known ** int(k)
        signs.add(total)
    return signs.pop() if len(signs) == 1 else None


def _substitute(path: Path, variable: sympy.Symbol, value: sympy.Expr) -> Path | None:
    """``path`` on the part of a boundary where ``variable = value``; None when that contradicts
    it (x > 0 taken above, and the boundary is x = 0)."""
    out = []
    for d, sign in path:
        d = sympy.expand(d.xreplace({variable: value}))
        if d.free_symbols:
            out.append((d, sign))
        elif certified.sign(d) not in (None, sign):
            return None
    return tuple(out)


def _condition(s: sympy.Expr, sign: int) -> str:
    """``x > 0`` for (-x, -1): as people would write it."""
    if s.could_extract_minus_sign():
        s, sign = -s, -sign
    return f"{s} {'>' if sign > 0 else '<' if sign < 0 else '='} 0"


def _ratio(t: sympy.Expr, s: sympy.Expr) -> sympy.Rational | None:
    """c when t = c s for a rational c != 0 (the same switch, scaled), else None."""
    if t == s:
        return sympy.Integer(1)
    if t == -s:
        return sympy.Integer(-1)
    if t.free_symbols != s.free_symbols or not s.free_symbols:
        return None
    r = sympy.cancel(t / s)
    return r if r.is_Rational and r != 0 else None


def _branch(p: sympy.Expr, sign: sympy.Rational) -> sympy.Expr:
    """``p``'s branch where its own switch has the sign of ``sign``."""
    positive = sign > 0
    if isinstance(p, sympy.Max | sympy.Min):
        first = positive if isinstance(p, sympy.Max) else not positive
        return p.args[0] if first else p.args[1]
    a = p.args[0]
    if isinstance(p, sympy.Abs):
        return a if positive else -a
    if isinstance(p, sympy.Heaviside):
        return sympy.Integer(1 if positive else 0)
    if isinstance(p, sympy.DiracDelta):
        return sympy.Integer(0)
    return sympy.Integer(1 if positive else -1)  # sign


def _on_boundary(p: sympy.Expr, ratio: sympy.Rational, h: sympy.Expr, sg: sympy.Expr) -> sympy.Expr:
    """``p`` where its switch is 0: its value, or the chosen convention for a derivative."""
    if isinstance(p, sympy.Max | sympy.Min):
        return p.args[0]  # = p.args[1] there
    if isinstance(p, sympy.Abs):
        return sympy.Integer(0)
    if isinstance(p, sympy.DiracDelta):
        return sympy.Integer(0)
    if isinstance(p, sympy.sign):
        return sg if ratio > 0 else -sg
    if not is_convention(p):  # a step: its value at 0
        return p.args[1]
    return h if ratio > 0 else 1 - h  # Heaviside(s, 1/2) + Heaviside(-s, 1/2) = 1, as derivatives of max need


def _replace(e: sympy.Expr, table: dict[sympy.Expr, sympy.Expr]) -> sympy.Expr:
    # A branch may hold another function of the same switch (max(t + |t|, |t|)): to a fixed point.
    for _ in range(len(table) + 1):
        replaced = e.xreplace(table)
        if replaced == e:
            break
        e = replaced
    return e


def _roots(s: sympy.Expr) -> list[tuple[sympy.Symbol, sympy.Expr]] | None:
    """Where ``s = 0``: one substitution per factor of ``s``, each factor linear in a variable
    with a rational coefficient (x y - x = 0 is x = 0 or y = 1); None when a factor is not."""
    if not s.free_symbols:
        return None
    if not s.is_polynomial(*s.free_symbols):
        factors = [s]
    else:
        _, listed = sympy.factor_list(s)
        factors = [f for f, _ in listed]
    roots = []
    for f in factors:
        root = _solve_linear(f)
        if root is None:
            return None
        roots.append(root)
    return roots


def _solve_linear(f: sympy.Expr) -> tuple[sympy.Symbol, sympy.Expr] | None:
    for v in sorted(f.free_symbols, key=lambda a: (bool(a.is_positive), str(a))):
        slope = sympy.diff(f, v)
        if slope.is_Rational and slope != 0:
            return v, sympy.expand(v - f / slope)
    return None


def _by_regions(e: sympy.Expr, progress: Callable[[str], None]) -> ZeroTest:
    try:
        keys = switches(e)
    except ValueError:
        return ZeroTest(None, "a max of more than two arguments")
    if len(keys) > MAX_SWITCHES:
        return ZeroTest(None, f"{len(keys)} piecewise switches: too many regions")
    progress(f"splitting on {len(keys)} switches into regions and their boundaries")
    split = _Split(progress)
    try:
        failed = split.decide(e, ())
        if failed and e.has(sympy.Abs, sympy.Max, sympy.Min):
            progress("splitting again, each side kept for the switches after it")
            split = _Split(progress, sides=True)
            failed = split.decide(e, ())  # where it fails now: a region some point lies in
    except _TooMany:
        return ZeroTest(None, f"more than {MAX_PIECES} regions and boundaries")
    except ValueError as err:  # a max of more than two arguments met inside a branch
        return ZeroTest(None, str(err))
    if failed:
        return ZeroTest(None, failed)
    return ZeroTest(True, "region by region", regions=split.pieces)
