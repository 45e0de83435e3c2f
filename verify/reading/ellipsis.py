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
from collections.abc import Callable
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
    kind: str  # "column", "row", "diagonal", or "full" (written out in ``template``, no size to check)
    template: str
    last: str


class NotAPattern(ValueError):
    """A matrix with dots whose entries fix no pattern this module reads (says why)."""


def has_dots(text: str) -> bool:
    return _ANY_DOTS.search(text) is not None


def find(text: str, sequences: tuple[tuple[str, ...], ...] = ()) -> list[Dotted]:
    """Every matrix of ``text`` that has dots in it, as a pattern; raises :class:`NotAPattern`.

    ``sequences``: the index sequences of known length besides 1..N with N a number, each as
    written (the variables of a function declared of(u, v, z): ``("u", "v", "z")``)."""
    out = []
    for m in _MATRIX.finditer(text):
        body = m.group(2)
        if not has_dots(body):
            continue
        if "\\begin" in body:
            raise NotAPattern("a matrix with dots inside another matrix is not read")
        rows = [[e.strip() for e in _split(row, "&")] for row in _split(body, "\\\\")]
        rows = [r for r in rows if any(e for e in r)]
        full = _full(rows, sequences, m.group(1))
        out.append(Dotted(m.start(), m.end(), "full", full, "") if full is not None
                   else _pattern(rows, m.start(), m.end()))
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


def _full(rows: list[list[str]], sequences: tuple[tuple[str, ...], ...], env: str) -> str | None:
    """A matrix of known size written with some entries and dots (the Hessian of psi(u, v, z) as
    psi_{uu} & \\cdots & psi_{uz} ...): the whole matrix written out, or None when this is not one.

    Written rows and entries are placed by the dots (before them from the start, after them from
    the end). One written entry is the template: another in its row differs from it in one place
    only (the column index) and another in its column in one place only (the row index), with the
    values of the index sequences at those places. Entries written keep what is written (a wrong
    corner stays wrong); only the dotted ones are filled in from the template."""
    if len(rows) < 2 or max(len(r) for r in rows) < 2:
        return None
    candidates = list(sequences)
    numbers = sorted({int(x) for r in rows for e in r
                      for x in re.findall(r"(?<![0-9])[0-9]{1,2}(?![0-9])", e) + re.findall(r"[0-9]", e)})
    candidates += [tuple(str(k) for k in range(1, n + 1)) for n in numbers if 2 <= n <= 12]
    for rows_seq in candidates:
        for cols in candidates:
            written = _place(rows, len(rows_seq), len(cols))
            if written is None:
                continue
            template = _template(written, rows_seq, cols)
            if template is None:
                continue
            body = r" \\ ".join(" & ".join(written.get((a, b), template(a, b)) for b in range(len(cols)))
                                  for a in range(len(rows_seq)))
            return rf"\begin{{{env}}} {body} \end{{{env}}}"
    return None


def _place(rows: list[list[str]], height: int, width: int) -> dict[tuple[int, int], str] | None:
    """The written entries at their places in a ``height`` x ``width`` matrix; None if they do not fit."""
    dotted = [k for k, r in enumerate(rows) if all(not e or _DOTS.match(e) for e in r)]
    top = dotted[0] if dotted else len(rows)
    if dotted and any(k not in dotted for k in range(top, dotted[-1] + 1)):
        return None
    if not dotted and len(rows) != height:
        return None
    written: dict[tuple[int, int], str] = {}
    for k, r in enumerate(rows):
        if k in dotted:
            continue
        i = k if k < top else height - (len(rows) - k)
        dots = [j for j, e in enumerate(r) if _DOTS.match(e)]
        if not 0 <= i < height or (not dots and len(r) != width):
            return None
        for j, e in enumerate(r):
            if _DOTS.match(e) or not e:
                continue
            if dots and dots[0] < j < dots[-1]:
                return None
            jj = j if not dots or j < dots[0] else width - (len(r) - j)
            if not 0 <= jj < width or (i, jj) in written:
                return None
            written[(i, jj)] = e
    return written


def _template(written: dict[tuple[int, int], str], rows_seq: tuple[str, ...],
              cols: tuple[str, ...]) -> Callable[[int, int], str] | None:
    """The entry at (i, j) from a written entry whose row and column each show the index it carries."""
    for (i0, j0), base in written.items():
        col = next(((d, j1) for (i, j1), e in written.items() if i == i0 and j1 != j0
                    and (d := _differ(base, e)) is not None and d[1] == cols[j0] and d[2] == cols[j1]), None)
        row = next(((d, i1) for (i1, j), e in written.items() if j == j0 and i1 != i0
                    and (d := _differ(base, e)) is not None and d[1] == rows_seq[i0] and d[2] == rows_seq[i1]), None)
        if col is None or row is None:
            continue
        c_at, r_at = col[0][0], row[0][0]
        if c_at[0] < r_at[1] and r_at[0] < c_at[1]:
            continue  # the two indices overlap

        def entry(a: int, b: int, base: str = base, r_at: tuple[int, int] = r_at,
                  c_at: tuple[int, int] = c_at) -> str:
            out = base
            for (x, y), value in sorted([(r_at, rows_seq[a]), (c_at, cols[b])], reverse=True):
                out = out[:x] + value + out[y:]
            return out
        return entry
    return None


def _differ(a: str, b: str) -> tuple[tuple[int, int], str, str] | None:
    """Where ``a`` and ``b`` differ in one place, as a span of ``a`` and the two values; None else."""
    if a == b:
        return None
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    q = 0
    while q < min(len(a), len(b)) - p and a[len(a) - 1 - q] == b[len(b) - 1 - q]:
        q += 1
    x, y = a[p:len(a) - q], b[p:len(b) - q]
    if not re.fullmatch(r"[A-Za-z0-9]+", x) or not re.fullmatch(r"[A-Za-z0-9]+", y):
        return None
    return (p, len(a) - q), x, y


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
