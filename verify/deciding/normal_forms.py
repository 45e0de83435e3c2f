"""Proof that an explicit expression is identically zero, cheapest normal form first.

Order matters for speed: ``expand`` decides polynomials and ``cancel`` rational functions
tens of times faster than ``simplify``; exponentials are turned into independent symbols
(sound: an identity in independent symbols survives substituting anything for them);
max, |.| and steps are split into the regions where each is smooth; ``simplify`` is last.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from verify.deciding.refute import PIECEWISE


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


def is_zero(e: sympy.Expr, progress: Callable[[str], None] = lambda s: None) -> ZeroTest:
    if e == 0:
        return ZeroTest(True, "syntactic")
    if e.has(*PIECEWISE):
        if not _is_rational(e.replace(lambda x: isinstance(x, PIECEWISE), lambda x: sympy.Integer(1))):
            e = _exp_to_symbols(e)  # once, not once per region
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


def switches(e: sympy.Expr) -> list[sympy.Expr]:
    """The expressions whose signs decide every max, |.|, step and sign in ``e``."""
    out: list[sympy.Expr] = []
    for p in sorted(e.atoms(*PIECEWISE), key=sympy.default_sort_key):
        if isinstance(p, sympy.Max | sympy.Min) and len(p.args) != 2:
            raise ValueError("only max of two arguments is split into regions")
        s = p.args[0] - p.args[1] if isinstance(p, sympy.Max | sympy.Min) else p.args[0]
        if s not in out and -s not in out:
            out.append(s)
    return out


def in_region(e: sympy.Expr, signs: dict[sympy.Expr, int]) -> sympy.Expr:
    """``e`` with every piecewise function replaced by its branch where each switch has the given sign."""

    def branch(p: sympy.Expr) -> sympy.Expr:
        if isinstance(p, sympy.Max | sympy.Min):
            s = p.args[0] - p.args[1]
            positive = signs[s] > 0 if s in signs else signs[-s] < 0
            first = positive if isinstance(p, sympy.Max) else not positive
            return p.args[0] if first else p.args[1]
        a = p.args[0]
        sgn = signs[a] if a in signs else -signs[-a]
        if isinstance(p, sympy.Abs):
            return a if sgn > 0 else -a
        return sympy.Integer(1 if sgn > 0 else 0) if isinstance(p, sympy.Heaviside) else sympy.Integer(sgn)

    # Branches are chosen on the original atoms (the keys of ``signs`` were computed from
    # them); a branch may itself hold inner piecewise atoms, replaced on the next pass.
    table = {p: branch(p) for p in e.atoms(*PIECEWISE)}
    for _ in range(len(table) + 1):
        replaced = e.xreplace(table)
        if replaced == e:
            break
        e = replaced
    return e


def _by_regions(e: sympy.Expr, progress: Callable[[str], None]) -> ZeroTest:
    try:
        keys = switches(e)
    except ValueError:
        return ZeroTest(None, "a max of more than two arguments")
    if len(keys) > 10:
        return ZeroTest(None, f"{len(keys)} piecewise switches: too many regions")
    progress(f"splitting into {2 ** len(keys)} regions")
    known, tied = _sign_relations(keys)
    skipped = 0
    for signs in itertools.product((1, -1), repeat=len(keys)):
        if not _feasible(signs, known, tied):
            skipped += 1
            continue
        piece = in_region(e, dict(zip(keys, signs, strict=True)))
        if piece.has(*PIECEWISE):
            return ZeroTest(None, "nested piecewise functions")
        result = is_zero(piece, progress)
        if result.zero is not True:
            return ZeroTest(None, f"not zero in the region where {_describe(keys, signs)}")
    return ZeroTest(True, "region by region", regions=2 ** len(keys) - skipped)


def _sign_relations(keys: list[sympy.Expr]) -> tuple[dict[int, int], list[tuple[int, int, int]]]:
    """What fixes some signs whatever the point: a switch known positive or negative (x^2 + 1),
    and two switches that are a constant multiple of each other (x and 2x, from |x| and
    max(x, -x)). A region that contradicts them holds no point, so its branches need not agree.
    """
    known: dict[int, int] = {}
    for i, k in enumerate(keys):
        if k.is_positive:
            known[i] = 1
        elif k.is_negative:
            known[i] = -1
    tied: list[tuple[int, int, int]] = []
    for i, j in itertools.combinations(range(len(keys)), 2):
        a, b = keys[i], keys[j]
        if a.free_symbols != b.free_symbols or not a.free_symbols:
            continue
        ratio = sympy.cancel(a / b)
        if ratio.is_Rational and ratio != 0:
            tied.append((i, j, 1 if ratio > 0 else -1))
    return known, tied


def _feasible(signs: tuple[int, ...], known: dict[int, int], tied: list[tuple[int, int, int]]) -> bool:
    return all(signs[i] == s for i, s in known.items()) and all(signs[i] == s * signs[j] for i, j, s in tied)


def _describe(keys: list[sympy.Expr], signs: tuple[int, ...]) -> str:
    return ", ".join(f"{k} {'>' if s > 0 else '<'} 0" for k, s in zip(keys, signs, strict=True))
