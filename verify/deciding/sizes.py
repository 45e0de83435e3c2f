"""Which concrete sizes a claim over dimension letters is instantiated at.

Square and non-square on purpose: a claim that confuses A with A^T, or commutes a product,
often survives when every letter is the same size and fails as soon as they differ.
"""

from __future__ import annotations

from collections.abc import Iterable


def bindings(letters: Iterable[str], largest: int = 3) -> list[dict[str, int]]:
    """All letters 2; all distinct (2, 3, 4, ...); all 3 -- without repeats."""
    names = sorted(letters)
    if not names:
        return [{}]
    out = [dict.fromkeys(names, 2), {n: 2 + i for i, n in enumerate(names)}]
    if largest >= 3:
        out.append(dict.fromkeys(names, 3))
    unique: list[dict[str, int]] = []
    for b in out:
        if b not in unique:
            unique.append(b)
    return unique


def describe(bound: list[dict[str, int]]) -> str:
    """``"n=2; n=3"`` or ``"m=n=2; m=2, n=3"``: the scope of a proof by instantiation."""
    if bound == [{}]:
        return "as stated (no dimension letters)"
    parts = []
    for b in bound:
        groups: dict[int, list[str]] = {}
        for name, value in b.items():
            groups.setdefault(value, []).append(name)
        parts.append(", ".join("=".join(sorted(ns)) + f"={v}" for v, ns in groups.items()))
    return "sizes " + "; ".join(parts)


def at(bound: list[dict[str, int]]) -> str:
    """`` at sizes n=2`` for a sentence, or nothing when there are no dimension letters."""
    return "" if bound == [{}] else f" at {describe(bound)}"
