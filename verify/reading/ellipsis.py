"""Matrices written with dots (``\\cdots``, ``\\vdots``, ``\\ddots``), whose written entries fix the pattern.

Students (and the seed solution) write a Jacobian of an elementwise map as

    \\begin{bmatrix} I(z_{1,1} > 0) & 0 & \\cdots & 0 \\\\ 0 & I(z_{1,2} > 0) & \\cdots & 0 \\\\
                    \\vdots & & \\ddots & \\vdots \\\\ 0 & 0 & \\cdots & I(z_{1,n} > 0) \\end{bmatrix}

and a vector as ``(f(x_1), \\dots, f(x_n))``. Only three patterns are read, each from the text of
its entries, before the expression is parsed:

* a **column** ``e_1 \\\\ e_2 \\\\ \\vdots \\\\ e_N`` (or a **row** with ``\\cdots``): the entries differ
  only in one index, 1, 2, ..., N (the second entry may be left out);
* a **diagonal** matrix: the same index pattern on the diagonal, every other written entry 0.

The index is removed from the first entry to give a template (``I(z_{1} > 0)``: the elementwise
function of the whole vector), which the caller reads and must find a vector of N entries, N the
last index (a dimension letter or a number). Anything else with dots is refused: a pattern that
is guessed could be read wrong, and a wrong reading is a wrong verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: a dots macro, alone in an entry
_DOTS = re.compile(r"^\s*\\(?:cdots|ldots|dots|dotsc|dotsb|vdots|ddots)\s*$")
_ANY_DOTS = re.compile(r"\\(?:cdots|ldots|dots|dotsc|dotsb|vdots|ddots)(?![A-Za-z])")
_MATRIX = re.compile(r"\\begin\s*\{\s*([bpv]?matrix)\s*\}(.*?)\\end\s*\{\s*\1\s*\}", re.DOTALL)


@dataclass(frozen=True)
class Dotted:
    """One matrix with dots: where it is, what it is read as (``kind``), the template text of its
    entries (the index removed) and the last index as written (``n``, ``D_{a1}``, ``5``)."""

    start: int
    end: int
    kind: str  # "column", "row" or "diagonal"
    template: str
    last: str


class NotAPattern(ValueError):
    """A matrix with dots whose entries fix no pattern this module reads (says why)."""


def has_dots(text: str) -> bool:
    return _ANY_DOTS.search(text) is not None


def find(text: str) -> list[Dotted]:
    """Every matrix of ``text`` that has dots in it, as a pattern; raises :class:`NotAPattern`."""
    out = []
    for m in _MATRIX.finditer(text):
        body = m.group(2)
        if not has_dots(body):
            continue
        if "\\begin" in body:
            raise NotAPattern("a matrix with dots inside another matrix is not read")
        rows = [[e.strip() for e in _split(row, "&")] for row in _split(body, "\\\\")]
        rows = [r for r in rows if any(e for e in r)]
        out.append(_pattern(rows, m.start(), m.end()))
    return out


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside braces and brackets."""
    parts, depth, last, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text.startswith(sep, i) and depth == 0:
            parts.append(text[last:i])
            i += len(sep)
            last = i
            continue
        if ch == "\\" and i + 1 < len(text):  # an escaped character is no bracket (\{, \|)
            i += 2
            continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif text.startswith(sep, i) and depth == 0:
            parts.append(text[last:i])
            i += len(sep)
            last = i
            continue
        i += 1
    parts.append(text[last:])
    return parts


def _pattern(rows: list[list[str]], start: int, end: int) -> Dotted:
    if all(len(r) == 1 for r in rows):  # a column
        entries = [r[0] for r in rows if not _DOTS.match(r[0])]
        if len(rows) < 3 or not _DOTS.match(rows[-2][0]):
            raise NotAPattern("a column with dots is read as e_1, e_2, \\vdots, e_N: dots just before the last")
        template, last = _sequence(entries)
        return Dotted(start, end, "column", template, last)
    if len(rows) == 1:  # a row
        row = rows[0]
        entries = [e for e in row if not _DOTS.match(e)]
        if len(row) < 2 or not _DOTS.match(row[-2]):
            raise NotAPattern("a row with dots is read as e_1, e_2, \\cdots, e_N: dots just before the last")
        template, last = _sequence(entries)
        return Dotted(start, end, "row", template, last)
    return _diagonal(rows, start, end)


def _diagonal(rows: list[list[str]], start: int, end: int) -> Dotted:
    """d_1 (, d_2) ... d_N on the diagonal: the first entry, perhaps the next one down the diagonal,
    and the last entry of the last row; \\ddots somewhere; every other written entry 0 (or blank)."""
    height, width = len(rows), max(len(r) for r in rows)
    if not any(_DOTS.match(e) and "ddots" in e for r in rows for e in r):
        raise NotAPattern("a matrix with dots is read when it is diagonal (d_1, \\ddots, d_N on the diagonal, "
                          "its other entries 0), a column or a row")
    written = {(i, j): e for i, r in enumerate(rows) for j, e in enumerate(r)
               if e and not _DOTS.match(e) and e != "0"}
    corner = (height - 1, len(rows[-1]) - 1)
    diagonal = [(i, i) for i in range(min(height, width) - 1)] + [corner]
    strays = [e for at, e in written.items() if at not in diagonal]
    if strays or (0, 0) not in written or corner not in written:
        raise NotAPattern("a matrix with dots is read only when it is diagonal: d_1 first, d_N last, every "
                          f"entry off the diagonal 0{f' (not {strays[0]})' if strays else ''}")
    entries = [written[at] for at in diagonal if at in written]
    if any(at not in written for at in diagonal[: len(entries) - 1]):
        raise NotAPattern("a diagonal matrix with dots is read as d_1, d_2, \\ddots, d_N on its diagonal")
    template, last = _sequence(entries)
    return Dotted(start, end, "diagonal", template, last)


#: what may stand between a vector's name and its index: z_{1,1}, z_1 1 (the seed's), z_1[1], (z_1)_1
_SEPARATOR = re.compile(r"(?:\s|,|_\s*\{?|\[)*$")


def _sequence(entries: list[str]) -> tuple[str, str]:
    """The template of entries e_1 (, e_2), e_N that differ only in an index 1 (, 2), N, and N."""
    if len(entries) < 2:
        raise NotAPattern("dots need a first and a last entry around them")
    first, last = entries[0], entries[-1]
    ones = [m.start() for m in re.finditer(r"(?<![0-9])1(?![0-9])", first)]
    for at in reversed(ones):  # the index is usually the last 1: z_{1,1}, (z_1)_1
        prefix, suffix = first[:at], first[at + 1:]
        if len(entries) > 2 and entries[1] != prefix + "2" + suffix:
            continue
        sep = _SEPARATOR.search(prefix)
        lead = prefix[:sep.start()] if sep else prefix
        # the last entry: the same text around its index (separators as written there)
        m = re.fullmatch(re.escape(lead) + r"(?:\s|,|_\s*\{?|\[)*(?P<n>.+?)" + r"\s*" + re.escape(suffix.lstrip()),
                         last, re.DOTALL)
        if m is None:
            continue
        n = m.group("n").strip()
        opened, rest = prefix[len(lead):], suffix.lstrip()
        for bracket, closer in (("{", "}"), ("[", "]")):  # x_{1} -> x, z_1[1] -> z_1: the index's own brackets go
            if bracket in opened and rest.startswith(closer):
                rest = rest[1:]
        return lead + (" " if rest and rest[0].isalnum() else "") + rest, n
    raise NotAPattern("the entries around the dots do not differ in one index 1, 2, ..., N "
                      "(write e.g. z_{1,1}, z_{1,2}, \\dots, z_{1,n})")
