"""Claims: statements about declared symbols that the engine decides.

A claim carries the LaTeX it was written as (what the user sees), the symbols it speaks of,
and ``expect``: what is known about it mathematically. ``expect`` is derived by hand (say
how in ``why``); it is never copied from what the engine printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from verify.model.expr import Expr, Var
from verify.model.read_only import read_only
from verify.model.symbols import Symbols

Expect = Literal["holds", "fails"] | None


@dataclass(frozen=True, kw_only=True)
class Claim:
    id: str
    statement: str
    symbols: Symbols
    section: str = ""
    expect: Expect = None
    why: str = ""
    layout: str = "numerator"


@dataclass(frozen=True, kw_only=True)
class Equality(Claim):
    """``lhs = rhs`` for every value of the symbols and every size of the dimension letters.

    ``sizes`` optionally fixes the bindings to decide at (a list of letter -> int maps);
    by default the engine chooses several, square and non-square.
    """

    lhs: Expr
    rhs: Expr
    sizes: tuple[Mapping[str, int], ...] | None = None

    def __post_init__(self) -> None:
        if self.sizes is not None:
            object.__setattr__(self, "sizes", tuple(read_only(b) for b in self.sizes))


@dataclass(frozen=True, kw_only=True)
class Convex(Claim):
    """``f`` is convex on all of R^k as a function of ``wrt`` (its Hessian is PSD everywhere)."""

    f: Expr
    wrt: tuple[Var, ...]


@dataclass(frozen=True, kw_only=True)
class Recurrence(Claim):
    """``closed(k)`` solves ``s^{k+1} = step(s^k)``, ``s^{base} = initial`` for every integer k >= base.

    ``sequence`` names the symbol standing for s^k inside ``step``; ``k`` names the
    index symbol inside ``closed`` and ``initial``. Proved by induction: the base case and
    the step closed(k+1) = step(closed(k)) are ordinary equalities with k a free integer.
    """

    sequence: Var
    k: Var
    initial: Expr
    step: Expr
    closed: Expr
    base: int = 0


@dataclass(frozen=True, kw_only=True)
class GlobalMinimum(Claim):
    """``f`` has a global minimum over R^k at ``point`` (unique if ``unique``)."""

    f: Expr
    wrt: tuple[Var, ...]
    point: tuple[Expr, ...]
    unique: bool = True


@dataclass(frozen=True, kw_only=True)
class PolynomialDegree(Claim):
    """``f`` is a polynomial of total degree at most ``degree`` in ``wrt`` ("f is quadratic")."""

    f: Expr
    wrt: tuple[Var, ...]
    degree: int = 2


@dataclass(frozen=True, kw_only=True)
class Limit(Claim):
    """``lim_{var -> at} expr = rhs`` (``at`` may be ``oo``) for every value of the other symbols."""

    expr: Expr
    var: Var
    at: str
    rhs: Expr
    assumptions: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class Proportional(Claim):
    """``expr = c * to`` for one constant c that is nonzero (or positive, if ``positive``).

    How an answer that is "any equivalent form" is checked: an equation L = R states the
    same condition as the reference E = 0 exactly when L - R is a nonzero multiple of E.
    """

    expr: Expr
    to: Expr
    positive: bool = False
