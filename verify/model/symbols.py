"""Declared symbols: a name, a shape and the properties the mathematics may rely on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from verify.errors import DeclarationError
from verify.model.read_only import read_only
from verify.model.shape import SCALAR, Shape, parse_dim


@dataclass(frozen=True)
class Symbol:
    """A declared name.

    ``of`` lists the declared variables this symbol depends on, as an arbitrary smooth
    function: ``x = x(z)``. Deciding treats such a function through its jet at a point,
    which is sound because any jet is realised by a polynomial.
    """

    name: str
    shape: Shape = SCALAR
    symmetric: bool = False
    invertible: bool = False
    positive: bool = False
    of: tuple[str, ...] = ()
    latex: str | None = None
    meaning: str = ""
    #: V^T V = V V^T = I (so invertible, V^{-1} = V^T)
    orthogonal: bool = False
    #: zero off the diagonal (so symmetric; diagonal matrices commute with each other)
    diagonal: bool = False
    #: symmetric with x^T Q x > 0 for every x != 0 (so invertible)
    positive_definite: bool = False
    #: a scalar in the open interval (low, high), exact: ``\beta_2 \in (0, 1)`` (positive if low >= 0)
    interval: tuple[sympy.Rational, sympy.Rational] | None = None

    def __post_init__(self) -> None:
        structured = [p for p in STRUCTURES if getattr(self, p)]
        if (self.symmetric or self.invertible or structured) and not self.shape.is_square:
            raise DeclarationError(f"{self.name}: only a square matrix can be "
                                   f"{_words(structured) if structured else 'symmetric or invertible'}")
        if structured and (self.shape.is_scalar or self.of):
            raise DeclarationError(f"{self.name}: {_words(structured)} is declared of a constant square matrix, "
                                   "not a scalar or a function")
        if self.orthogonal and (self.diagonal or self.positive_definite):
            raise DeclarationError(f"{self.name}: orthogonal together with diagonal or positive definite is not "
                                   "read (such a matrix is a diagonal of signs, or I)")
        if self.positive and not self.shape.is_scalar:
            raise DeclarationError(f"{self.name}: only a scalar can be declared positive")
        if self.interval is not None:
            low, high = self.interval
            if not self.shape.is_scalar or self.of:
                raise DeclarationError(f"{self.name}: only a scalar (not a function) is declared in an interval")
            if not (isinstance(low, sympy.Rational) and isinstance(high, sympy.Rational) and low < high):
                raise DeclarationError(f"{self.name}: in(a, b) needs exact numbers a < b")
            if low >= 0:
                object.__setattr__(self, "positive", True)
        # What each structure implies, so that every rule for a symmetric or invertible matrix applies.
        if self.diagonal or self.positive_definite:
            object.__setattr__(self, "symmetric", True)
        if self.orthogonal or self.positive_definite:
            object.__setattr__(self, "invertible", True)

    @property
    def kind(self) -> str:
        if self.shape.is_scalar:
            return "scalar"
        return "vector" if self.shape.is_column else "matrix"

    def describe(self) -> str:
        """The declaration written back in the claims-file syntax."""
        if self.kind == "scalar":
            text = "scalar"
        elif self.kind == "vector":
            text = f"vector({self.shape.rows})"
        else:
            text = f"matrix({self.shape.rows}, {self.shape.cols})"
        implied = ({"symmetric"} if self.diagonal or self.positive_definite else set()) | (
            {"invertible"} if self.orthogonal or self.positive_definite else set()) | (
            {"positive"} if self.interval is not None and self.interval[0] >= 0 else set())
        props = [p.replace("_", " ") for p in ("symmetric", "invertible", "positive", *STRUCTURES)
                 if getattr(self, p) and p not in implied]
        if self.interval is not None:
            props.append(f"in({self.interval[0]}, {self.interval[1]})")
        if self.of:
            props.append(f"of({', '.join(self.of)})")
        return ", ".join([text, *props])


#: The declared structures of a square matrix beyond symmetric and invertible.
STRUCTURES = ("orthogonal", "diagonal", "positive_definite")


def _words(properties: list[str]) -> str:
    return " and ".join(p.replace("_", " ") for p in properties)


def scalar(name: str, **props: object) -> Symbol:
    return Symbol(name, SCALAR, **props)  # type: ignore[arg-type]  # props: Symbol's own keyword fields


def vector(name: str, n: int | str, **props: object) -> Symbol:
    return Symbol(name, Shape(n, 1), **props)  # type: ignore[arg-type]  # props: Symbol's own keyword fields


def matrix(name: str, rows: int | str, cols: int | str, **props: object) -> Symbol:
    return Symbol(name, Shape(rows, cols), **props)  # type: ignore[arg-type]  # props: Symbol's own keyword fields


_KIND = re.compile(r"^\s*(scalar|vector|matrix)\s*(?:\(([^()]*)\))?\s*$")
_OF = re.compile(r"^\s*of\s*\(([^()]*)\)\s*$")
_IN = re.compile(r"^\s*in\s*\(([^()]*)\)\s*$")


def _interval(name: str, text: str) -> tuple[sympy.Rational, sympy.Rational]:
    """``in(0, 1)``: an open interval with exact ends (integers, fractions a/b, decimals)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise DeclarationError(f"{name}: in(a, b) takes two numbers, got {len(parts)}")
    ends = []
    for p in parts:
        try:
            f = Fraction(p)  # a number's text only: Fraction parses digits, '/', '.', never code
        except (ValueError, ZeroDivisionError):
            raise DeclarationError(f"{name}: {p!r} in in(a, b) is not an exact number") from None
        ends.append(sympy.Rational(f.numerator, f.denominator))
    return ends[0], ends[1]


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_declaration(name: str, text: str) -> Symbol:
    """Read ``"matrix(n, n), symmetric, of(t)"`` (the claims-file syntax) into a Symbol."""
    parts = _split_top(text)
    match = _KIND.match(parts[0])
    if not match:
        raise DeclarationError(
            f"{name}: {parts[0].strip()!r} is not scalar, vector(D) or matrix(D, D)"
        )
    kind, args = match.group(1), match.group(2)
    dims = [parse_dim(a) for a in args.split(",")] if args is not None and args.strip() else []
    expected = {"scalar": 0, "vector": 1, "matrix": 2}[kind]
    if len(dims) != expected:
        raise DeclarationError(f"{name}: {kind} takes {expected} dimension(s), got {len(dims)}")
    shape = SCALAR if kind == "scalar" else Shape(dims[0], 1) if kind == "vector" else Shape(*dims)
    props: dict[str, object] = {}
    for part in parts[1:]:
        word = part.strip()
        of = _OF.match(word)
        within = _IN.match(word)
        if of:
            props["of"] = tuple(v.strip() for v in of.group(1).split(",") if v.strip())
        elif within:
            props["interval"] = _interval(name, within.group(1))
        elif word in ("symmetric", "invertible", "positive"):
            props[word] = True
        elif " ".join(word.split()).replace(" ", "_") in STRUCTURES:  # "positive definite"
            props[" ".join(word.split()).replace(" ", "_")] = True
        else:
            raise DeclarationError(f"{name}: unknown property {word!r}")
    return Symbol(name, shape, **props)  # type: ignore[arg-type]  # props: Symbol's own keyword fields


@dataclass(frozen=True)
class Symbols(Mapping[str, Symbol]):
    """A symbol table; checks that every ``of(...)`` names a declared, independent variable.

    Its table is read-only (:func:`verify.model.read_only.read_only`): a table is validated once, hashed, and used
    as a cache key (a reader per question), so it must not change after that."""

    table: Mapping[str, Symbol] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", read_only(self.table))

    @classmethod
    def of(cls, symbols: Iterable[Symbol]) -> Symbols:
        table: dict[str, Symbol] = {}
        for s in symbols:
            if s.name in table:
                raise DeclarationError(f"{s.name} is declared twice")
            table[s.name] = s
        for s in table.values():
            for v in s.of:
                if v not in table:
                    raise DeclarationError(f"{s.name} depends on {v}, which is not declared")
                if table[v].of:
                    raise DeclarationError(f"{s.name} depends on {v}, which itself depends on others")
        return cls(table)

    def __getitem__(self, key: str) -> Symbol:
        return self.table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def __hash__(self) -> int:
        return hash(tuple(self.table.values()))

    @property
    def letters(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for s in self.table.values():
            out |= s.shape.letters
        return out
