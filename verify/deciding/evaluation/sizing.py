"""Which concrete sizes a claim over dimension letters is sampled and instantiated at.

A letter stands for every size, and claims fail at sizes of their own: ``det(x y^T) = 0``
only at n = 1 (where x y^T is a scalar), ``A B = B A`` not at n = 1, a claim about a
projection ``M (M^T M)^{-1} M^T`` only where M is tall. So random points are tried
(:func:`sampled`) with every letter at 1, 2, 3, 4 and a larger size, and with letters of
different sizes in both orders (tall and wide); the costlier symbolic proof is made at a few
small sizes (:func:`proving`), and its scope says exactly which.

Every set of bindings here is symmetric under renaming the letters: which letter is tall
must not depend on which name sorts first. (Letters are sorted only to fix the order in which
the bindings are tried.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from verify.model import ANY, Equality, Expr, Identity, Zero

#: The sizes every letter is sampled at: 1 (vectors are scalars, outer products have rank one,
#: everything commutes), 2 and 3, 4, and a larger size.
SIZES = (1, 2, 3, 4, 6)
#: The size of the other letters while one letter takes each of :data:`SIZES`.
DEFAULT = 2
#: Two letters at these two sizes, in both orders, the others at :data:`DEFAULT`: with three
#: letters or more, bindings where three letters have three different sizes.
PAIR = (3, 4)


def _unique(out: Iterable[dict[str, int]]) -> list[dict[str, int]]:
    unique: list[dict[str, int]] = []
    for b in out:
        if b not in unique:
            unique.append(b)
    return unique


def cost(b: Mapping[str, int]) -> tuple[int, int]:
    return (max(b.values(), default=0), sum(b.values()))


def sampled(letters: Iterable[str]) -> list[dict[str, int]]:
    """The bindings random points are tried at, before any proof.

    All letters equal, at each of :data:`SIZES`; each letter at each of :data:`SIZES` with the
    others at :data:`DEFAULT` (so two letters come tall and wide: m=3, n=2 and m=2, n=3);
    every ordered pair of distinct letters at :data:`PAIR`. 5 + 4k + k(k-1) bindings for k >= 2
    letters (15 for two, 23 for three), 5 for one. All equal at :data:`DEFAULT` comes first,
    then the others from the smallest.
    """
    names = sorted(set(letters))
    if not names:
        return [{}]
    base = dict.fromkeys(names, DEFAULT)
    out = [dict(base)]
    out += [dict.fromkeys(names, s) for s in SIZES]
    out += [{**base, name: s} for name in names for s in SIZES]
    out += [{**base, a: PAIR[0], b: PAIR[1]} for a in names for b in names if a != b]
    first, *rest = _unique(out)
    return [first, *sorted(rest, key=cost)]


def proving(letters: Iterable[str]) -> list[dict[str, int]]:
    """The bindings a proof by instantiation (symbolic entries) is made at: small ones.

    One letter: n = 1, 2, 3. Several: all letters 1, all letters 2, and each letter 2 with the
    others 1 (two letters: m=n=1, m=n=2, m=2 n=1, m=1 n=2: tall and wide). Symbolic entries cost
    far more than random points, and most at the largest size (a proof region by region doubles
    its work with every switch of a ReLU of size n); every size was sampled before.
    """
    names = sorted(set(letters))
    if not names:
        return [{}]
    if len(names) == 1:
        return [{names[0]: s} for s in (1, 2, 3)]
    ones = dict.fromkeys(names, 1)
    return [dict(ones), dict.fromkeys(names, 2), *({**ones, name: 2} for name in names)]


def bindings(letters: Iterable[str], largest: int = 3) -> list[dict[str, int]]:
    """Small bindings for the deciders that instantiate at every binding they try.

    All letters 2; each letter 3 with the others 2 (two letters: both orders); all letters 3
    when ``largest`` allows. Symmetric under renaming the letters.
    """
    names = sorted(set(letters))
    if not names:
        return [{}]
    base = dict.fromkeys(names, 2)
    out = [dict(base)]
    if largest >= 3:
        out += [{**base, name: 3} for name in names]
        out.append(dict.fromkeys(names, 3))
    return _unique(out)


def describe(bound: Sequence[Mapping[str, int]]) -> str:
    """``"n=2; n=3"`` or ``"m=n=2; m=2, n=3"``: the scope of a proof by instantiation."""
    if not bound or all(not b for b in bound):
        return "as stated (no dimension letters)"
    parts = []
    for b in bound:
        groups: dict[int, list[str]] = {}
        for name, value in b.items():
            groups.setdefault(value, []).append(name)
        parts.append(", ".join("=".join(sorted(ns)) + f"={v}" for v, ns in groups.items()))
    return "sizes " + "; ".join(parts)


def at(bound: Sequence[Mapping[str, int]]) -> str:
    """`` at sizes n=2`` for a sentence, or nothing when there are no dimension letters."""
    return "" if all(not b for b in bound) else f" at {describe(bound)}"


def plainly(bound: Sequence[Mapping[str, int]]) -> str:
    """Sizes for a sentence: ``n = 1, 2, 3`` for one letter, else as :func:`describe` lists them."""
    letters = {name for b in bound for name in b}
    if len(letters) == 1 and all(b for b in bound):
        (name,) = letters
        return f"{name} = " + ", ".join(str(b[name]) for b in sorted(bound, key=lambda b: b[name]))
    return describe(bound).removeprefix("sizes ")


#: How a scope made by :func:`describe` begins: a proof by instantiation at those sizes only.
PARTIAL = "sizes "


def partial(scope: str | None) -> bool:
    """Whether a ``proved`` scope covers only the sizes it lists, not every size its letters allow."""
    return scope is not None and scope.startswith(PARTIAL)


def short(scope: str) -> str:
    """A partial scope in a few words: ``sizes n=1; n=2; n=3`` as ``n=1, 2, 3``; with several
    letters, how many bindings (``4 sizes``: the scope lists them)."""
    parts = scope.removeprefix(PARTIAL).split("; ")
    names = {p.split("=", 1)[0] for p in parts}
    if len(names) == 1 and all(p.count("=") == 1 for p in parts):
        (name,) = names
        return f"{name}=" + ", ".join(p.split("=", 1)[1] for p in parts)
    return f"{len(parts)} sizes" if len(parts) > 1 else parts[0]


def letters_of(claim: Equality) -> frozenset[str]:
    """Every dimension letter the claim's sides depend on: its symbols' and its sized constants'
    (``I_n``, a zero matrix of a declared shape), so that each is bound at every size tried."""
    out: frozenset[str] = frozenset()
    for e in (claim.lhs, claim.rhs):
        for name in e.names():
            out |= claim.symbols[name].shape.letters
        out |= _constant_letters(e)
    return out


def _constant_letters(e: Expr) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    if isinstance(e, Identity) and isinstance(e.size, str):
        out = frozenset({e.size})
    elif isinstance(e, Zero):
        out = e.shape.letters
    for c in e.children():
        out |= _constant_letters(c)
    return out - {ANY}
