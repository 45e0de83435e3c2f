"""The claims file: a TOML file of LaTeX claims, read into Equality claims.

The format is a public contract (README, "Checking your own claims"): ``title``,
``layout``, ``[symbols]`` (name = declaration), ``[define]`` (name = LaTeX, substituted
where used) and ``[[claim]]`` tables with ``id``, ``lhs``, ``rhs`` and optional ``expect``.

Two kinds of failure, kept apart on purpose. A file that cannot be read at all (missing,
not TOML, bad declarations) is a :class:`ClaimsFileError`: nothing in it can be trusted, so
the command stops with status 2. A claim that cannot be read (an undeclared name, a shape
mismatch, LaTeX outside the subset) becomes an :class:`Entry` with a ``problem`` and verdict
``error``, and the other claims are still checked. A definition that cannot be read is an
error for exactly the claims that use it.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify import safe_text
from verify.errors import VerifyError
from verify.model import (
    ANY,
    Equality,
    Expect,
    Expr,
    Shape,
    Symbols,
    Transpose,
    parse_declaration,
    read_only,
    shape_of,
    zero_of,
)
from verify.reading.latex import LatexReader, Unreadable

#: Largest claims file read, in bytes. Reading LaTeX costs up to ~40 us a character on hostile
#: text, in the main process, so this bounds how long a file can take before any deciding.
MAX_CLAIMS_FILE_BYTES = 200_000
#: Most claims read from one file.
MAX_CLAIMS = 1_000
#: Most symbols one file may declare (each is a spelling the reader must try).
MAX_SYMBOLS = 200
#: Longest declaration text, in characters ("matrix(n, n), symmetric, of(t)" is 30).
MAX_DECLARATION = 200
#: Largest integer dimension of a declared symbol: a claim is decided entry by entry, and
#: a letter (n) already speaks of every size.
MAX_DIMENSION = 100

#: Control characters (as in :data:`verify.reading.markdown.CONTROL`): shown as escapes, never
#: sent to a terminal, where they would be escape sequences.
CONTROL = safe_text.CONTROL  # one definition of what no input may contain

_TOP_KEYS = ("title", "layout", "symbols", "define", "claim")
_CLAIM_KEYS = ("id", "lhs", "rhs", "expect", "why")


class ClaimsFileError(VerifyError):
    """A claims file that cannot be read at all."""


@dataclass(frozen=True)
class Entry:
    """One ``[[claim]]`` as written, and either the claim it states or why it cannot be read."""

    id: str
    statement: str
    expect: Expect
    claim: Equality | None
    problem: str | None = None
    #: where the sides' shapes are each other's transposed (m x n against n x m): lhs = rhs^T, to
    #: be decided so that the error can say whether it is a layout mix-up
    transposed: Equality | None = None
    #: the line of the file where its ``id = "..."`` is written (None when it cannot be found)
    line: int | None = None


@dataclass(frozen=True)
class ClaimsFile:
    path: str
    title: str
    layout: str
    symbols: Symbols
    defines: Mapping[str, Expr]
    entries: tuple[Entry, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "defines", read_only(self.defines))


def load_claims_file(path: str) -> ClaimsFile:
    """Read a claims file; raises :class:`ClaimsFileError` if it cannot be read at all."""
    p = Path(path)
    if not p.is_file():
        raise ClaimsFileError(f"{path}: no such file")
    try:
        with p.open("rb") as stream:
            raw = stream.read(MAX_CLAIMS_FILE_BYTES + 1)  # a huge file is refused without being read whole
    except OSError as err:
        raise ClaimsFileError(f"{path}: cannot be read ({err.strerror})") from None
    if len(raw) > MAX_CLAIMS_FILE_BYTES:
        most = MAX_CLAIMS_FILE_BYTES
        raise ClaimsFileError(f"{path}: more than {most} bytes; at most {most} are read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ClaimsFileError(f"{path}: not UTF-8 text") from None
    return parse(text, path)


def parse(text: str, path: str = "<text>") -> ClaimsFile:
    """Read the text of a claims file (``path`` is only used in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ClaimsFileError(f"{path}: not TOML: {err}") from None
    except RecursionError:  # [[[[...]]]]: tomllib parses arrays and inline tables recursively
        raise ClaimsFileError(f"{path}: not TOML that can be read: arrays or tables nested too deeply") from None
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        raise ClaimsFileError(
            f"{path}: unknown key {unknown[0]!r} (a claims file has title, layout, [symbols], "
            "[define] and [[claim]])"
        )
    title = data.get("title", "")
    if not isinstance(title, str):
        raise ClaimsFileError(f"{path}: title must be a string")
    if CONTROL.search(title):  # TOML's \u001b escapes: printed, it would drive the terminal
        raise ClaimsFileError(f"{path}: the title contains a control character")
    layout = data.get("layout", "numerator")
    if layout not in ("numerator", "denominator"):
        raise ClaimsFileError(f"{path}: layout must be \"numerator\" or \"denominator\", not {layout!r}")
    symbols = _symbols(path, data.get("symbols", {}))
    defines = _defines(path, data.get("define", {}), symbols, layout)
    claims = data.get("claim", [])
    if not isinstance(claims, list):
        raise ClaimsFileError(f"{path}: claims are written as [[claim]] tables")
    if len(claims) > MAX_CLAIMS:
        raise ClaimsFileError(f"{path}: {len(claims)} claims; at most {MAX_CLAIMS} are read")
    reader = LatexReader(symbols, layout, defines)
    entries: list[Entry] = []
    seen: dict[str, Entry] = {}
    lines = id_lines(text)
    met: dict[str, int] = {}
    for i, table in enumerate(claims):
        entry = _entry(i, table, reader, symbols, title, layout)
        claim_id = table.get("id") if isinstance(table, dict) else None
        if isinstance(claim_id, str):  # the n-th claim with this id is on its n-th ``id = ...`` line
            n = met.get(claim_id, 0)
            met[claim_id] = n + 1
            found = lines.get(claim_id, [])
            entry = dataclasses.replace(entry, line=found[n] if n < len(found) else None)
        first = seen.get(entry.id)
        if first is not None and isinstance(claim_id, str):
            entry = dataclasses.replace(entry, claim=None, transposed=None,
                                        problem=duplicate_message(entry.id, first.line, entry.line))
        seen.setdefault(entry.id, entry)
        entries.append(entry)
    return ClaimsFile(path, title, layout, symbols, defines, tuple(entries))


#: ``id = "..."`` (or ``'...'``) at the start of a line: where a claim's id is written
_ID_LINE = re.compile(r"""\s*id\s*=\s*("(?:[^"\\]|\\.)*"|'[^'\n]*')""")


def id_lines(text: str) -> dict[str, list[int]]:
    """Every id written as ``id = "..."`` on a line of its own, with its 1-based line numbers in
    order (``tomllib`` gives no positions: the lines are searched, each value read by TOML itself)."""
    out: dict[str, list[int]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        found = _ID_LINE.match(line)
        if found is None:
            continue
        try:
            value = tomllib.loads(f"v = {found.group(1)}")["v"]
        except tomllib.TOMLDecodeError:
            continue
        if isinstance(value, str):
            out.setdefault(value, []).append(number)
    return out


def duplicate_message(claim_id: str, first: int | None, second: int | None) -> str:
    """Why a claim is an error: its id is used before in its file, at ``first``; the line numbers
    as found by :func:`id_lines`. (Across files ids may repeat: every row names its file.)"""
    def where(line: int | None) -> str:
        return f"line {line}" if line is not None else "a line not found"

    return (f"the id {claim_id!r} is used twice: first at {where(first)}, again at {where(second)} "
            "(ids must be unique in a file)")


def _symbols(path: str, table: Any) -> Symbols:
    if not isinstance(table, dict):
        raise ClaimsFileError(f"{path}: [symbols] must be a table of name = \"declaration\"")
    if len(table) > MAX_SYMBOLS:
        raise ClaimsFileError(f"{path}: [symbols] declares {len(table)} names; at most {MAX_SYMBOLS}")
    declared = []
    try:
        for name, text in table.items():
            if not isinstance(text, str):
                raise ClaimsFileError(f"{path}: [symbols] {name}: the declaration must be a string")
            if len(text) > MAX_DECLARATION:
                raise ClaimsFileError(f"{path}: [symbols] {name[:60]}: a declaration of {len(text)} characters; "
                                      f"at most {MAX_DECLARATION}")
            try:
                symbol = parse_declaration(name, text)
            except ValueError:  # int() of a digit string it cannot take: '²', 5,000 digits
                raise ClaimsFileError(f"{path}: [symbols] {name[:60]}: {text[:60]!r} has a dimension that is "
                                      "not a positive integer or a name") from None
            too_big = [d for d in (symbol.shape.rows, symbol.shape.cols) if isinstance(d, int) and d > MAX_DIMENSION]
            if too_big:
                raise ClaimsFileError(f"{path}: [symbols] {name[:60]}: dimension {too_big[0]} is larger than "
                                      f"{MAX_DIMENSION}; declare it with a letter (n) to speak of every size")
            declared.append(symbol)
        symbols = Symbols.of(declared)
        LatexReader(symbols)  # every name must be a name LaTeX can spell
    except ClaimsFileError:
        raise
    except VerifyError as err:
        raise ClaimsFileError(f"{path}: [symbols] {err.message}") from None
    return symbols


def _defines(path: str, table: Any, symbols: Symbols, layout: str) -> dict[str, Expr]:
    """Each definition read in order, with the ones before it; one that fails is kept as
    :class:`Unreadable`, so that only the claims using it are errors."""
    if not isinstance(table, dict):
        raise ClaimsFileError(f"{path}: [define] must be a table of name = 'LaTeX'")
    defines: dict[str, Expr] = {
        name: Unreadable(name, VerifyError(f"{name} is used before it is defined")) for name in table
    }
    for name, text in table.items():
        if not isinstance(text, str):
            raise ClaimsFileError(f"{path}: [define] {name}: the definition must be a string of LaTeX")
        try:
            reader = LatexReader(symbols, layout, defines)
        except VerifyError as err:
            raise ClaimsFileError(f"{path}: [define] {err.message}") from None
        try:
            defines[name] = reader.read(text)
        except VerifyError as err:
            defines[name] = Unreadable(name, err)
    return defines


def _entry(i: int, table: Any, reader: LatexReader, symbols: Symbols, title: str, layout: str) -> Entry:
    if not isinstance(table, dict):
        return Entry(f"claim #{i + 1}", "", None, None, "a [[claim]] must be a table")
    claim_id = table.get("id")
    lhs, rhs = table.get("lhs"), table.get("rhs")
    statement = f"{lhs} = {rhs}" if isinstance(lhs, str) and isinstance(rhs, str) else ""
    expect = table.get("expect")
    name = claim_id if isinstance(claim_id, str) and claim_id else f"claim #{i + 1}"
    # control characters (TOML's \u001b escapes) are shown as escapes, never sent to a terminal
    controlled = bool(CONTROL.search(name) or CONTROL.search(statement))
    name, statement = (CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", t) for t in (name, statement))
    usable_expect: Expect = expect if expect in ("holds", "fails") else None

    def problem(text: str) -> Entry:
        return Entry(name, statement, usable_expect, None, text)

    unknown = [k for k in table if k not in _CLAIM_KEYS]
    if unknown:
        return problem(f"unknown key {unknown[0]!r} (a claim has id, lhs, rhs, expect)")
    if claim_id is not None and not isinstance(claim_id, str):
        return problem(f"the claim's id must be a string in quotes (id = \"{claim_id}\"), "
                       f"not {_toml_kind(claim_id)}")
    if not isinstance(claim_id, str) or not claim_id:
        return problem("the claim has no id")
    if controlled:
        return problem("the id or an expression contains a control character")
    if not isinstance(lhs, str) or not isinstance(rhs, str):
        return problem("a claim needs lhs and rhs, each a string of LaTeX")
    if expect is not None and expect not in ("holds", "fails"):
        return problem(f"expect must be \"holds\" or \"fails\", not {expect!r}")
    sides: list[Expr] = []
    for side, text in (("lhs", lhs), ("rhs", rhs)):
        try:
            sides.append(reader.read(text))
        except VerifyError as err:
            return problem(f"{side}: {err}")
        except Exception as err:  # a bug of ours: this claim is an error, the others still run
            return problem(f"{side}: internal error while reading: {type(err).__name__}: {err}")
    left, right = (shape_of(e, symbols, layout) for e in sides)
    if left.is_scalar != right.is_scalar:  # M = 0: M's zero matrix
        sides = [zero_of(sides[0], right), zero_of(sides[1], left)]
        left, right = (shape_of(e, symbols, layout) for e in sides)
    if not _compatible(left, right):
        message = f"the sides have different shapes: lhs is {left}, rhs is {right}"
        if not _compatible(left, Shape(right.cols, right.rows)):
            return problem(message)
        flipped = Equality(id=claim_id, statement=statement, symbols=_mentioned(symbols, sides), section=title,
                           layout=layout, lhs=sides[0], rhs=Transpose(sides[1]))
        return Entry(name, statement, usable_expect, None, message, transposed=flipped)
    claim = Equality(
        id=claim_id,
        statement=statement,
        symbols=_mentioned(symbols, sides),
        section=title,
        expect=usable_expect,
        why=str(table.get("why", "")),
        layout=layout,
        lhs=sides[0],
        rhs=sides[1],
    )
    return Entry(claim_id, statement, usable_expect, claim)


def _compatible(a: Shape, b: Shape) -> bool:
    return all(x == y or ANY in (x, y) for x, y in ((a.rows, b.rows), (a.cols, b.cols)))


def _mentioned(symbols: Symbols, sides: list[Expr]) -> Symbols:
    """Only the symbols a claim speaks of (and what they depend on): the others play no part
    in its truth, and leaving them out keeps their dimension letters out of the search."""
    names: set[str] = set()
    for e in sides:
        names |= e.names()
    for name in list(names):
        names |= set(symbols[name].of)
    return Symbols.of([s for n, s in symbols.items() if n in names])


def _toml_kind(value: object) -> str:
    """What TOML made of a value, in the user's words."""
    kinds = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a table"}
    return next((name for t, name in kinds.items() if isinstance(value, t)), f"a {type(value).__name__}")
