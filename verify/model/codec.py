"""Claims and results as plain JSON: how they cross a machine boundary and key the cache.

Why JSON and not pickle: a claim is built from user text (a submission, a claims file), and
unpickling runs whatever constructors the stream names. Decoding here only ever builds the
classes listed below, with checked field types, so a hostile or corrupt document can at
worst be refused (:class:`CodecError`). Numbers are exact: a constant is its numerator and
denominator as JSON integers, rebuilt with ``sympy.Rational(p, q)`` (never from text).

``to_json(claim, mathematics_only=True)`` leaves out what does not change the mathematics
(the claim's id, statement, section, expect, why; a symbol's LaTeX spelling and meaning):
that form, written canonically (:func:`canonical`), is what the decision cache is keyed on.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections.abc import Mapping
from typing import Any

import sympy

from verify.errors import VerifyError
from verify.model import claim as claims
from verify.model import expr as nodes
from verify.model.result import Counterexample, Result, Verdict
from verify.model.shape import Shape
from verify.model.symbols import Symbol, Symbols

#: Every class a document may name, by its tag. Nothing else is ever constructed.
#: Expression nodes are exactly the model's registry (:data:`verify.model.expr.NODES`).
_NODES: dict[str, type[nodes.Expr]] = {cls.__name__: cls for cls in nodes.NODES}
_CLAIMS: dict[str, type[claims.Claim]] = {
    cls.__name__: cls
    for cls in (
        claims.Equality, claims.Proportional, claims.Convex, claims.Recurrence, claims.GlobalMinimum,
        claims.PolynomialDegree, claims.Limit,
    )
}
#: Fields that name or explain a claim but never change what it states.
_CLAIM_LABELS = ("id", "statement", "section", "expect", "why")
_SYMBOL_LABELS = ("latex", "meaning")
#: Deep enough for any expression a reader accepts; a deeper document is refused, not recursed into.
MAX_DEPTH = 400


class CodecError(ValueError):
    """A value that has no JSON form here, or a document that is not one of ours."""


# ---------------------------------------------------------------------------------------
# Encoding.


def to_json(value: nodes.Expr | claims.Claim | Symbols | Symbol, *, mathematics_only: bool = False) -> Any:
    """A JSON-ready structure for a claim, an expression, a symbol table or a symbol."""
    return _encode(value, mathematics_only, 0)


def canonical(value: Any) -> str:
    """One text per structure (sorted keys, no spaces, ASCII): what a hash is taken of."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def anonymous(claim: claims.Claim) -> str:
    """The claim's mathematics with every name and dimension letter replaced by its order of
    first appearance (``#0``, ``#1``, ...): what seeds its random points.

    A verdict must not depend on what a claim is called or what its letters are: seeded by
    the id, one gradient was refuted under one id and proved under another. Symbols the
    claim never uses are left out, so declaring another name changes nothing either.

    The text is :func:`canonical` of the claim's :func:`to_json` form (mathematics only, symbols
    apart) with its strings renamed in the order of a walk by sorted keys, then the used symbols'
    forms in the order of their names. It is built in one walk (:class:`_Renaming`), not by
    encoding first and renaming the document after: every decision pays it, and the two walks
    were most of its cost. ``tests/test_codec.py`` holds it to the two-walk definition. (One
    difference: a declared symbol the claim never uses is not encoded, so one with no JSON form
    no longer sends the seed back to the id.)
    """
    try:
        declared = {s.name: s for s in claim.symbols.values()}
        letters = {d for s in declared.values() for d in (s.shape.rows, s.shape.cols) if isinstance(d, str)}
        renaming = _Renaming(declared.keys() | letters)
        body = renaming.claim(claim)
        used = [renaming.walk(declared[name], 0) for name in list(renaming.names) if name in declared]
    except CodecError:  # no JSON form (a claim built in Python with an unusual constant)
        return claim.id
    return canonical({"claim": body, "symbols": used})


#: Keys whose values are never renamed (a tag, a function's name, a layout).
_VERBATIM = ("$", "func", "layout")


class _Renaming:
    """One walk of :func:`anonymous`: the :func:`_encode` form with ``mathematics_only``, each
    string that is a declared name or a dimension letter replaced by ``#k``, k its order of first
    appearance, dict keys visited in sorted order (as ``json.dumps(sort_keys=True)`` writes them)."""

    __slots__ = ("known", "names")

    def __init__(self, known: typing.AbstractSet[str]) -> None:
        self.known = known
        self.names: dict[str, str] = {}

    def claim(self, claim: claims.Claim) -> dict[str, Any]:
        tag, fields = _SORTED_LAYOUTS[type(claim)]
        out: dict[str, Any] = {"$": tag}
        for name in fields:
            if name != "symbols":
                out[name] = self.field(name, getattr(claim, name), 1)
        return out

    def field(self, key: str, value: Any, depth: int) -> Any:
        return _encode(value, True, depth) if key in _VERBATIM else self.walk(value, depth)

    def walk(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise CodecError("expression too deeply nested to encode")
        d = depth + 1
        layout = _SORTED_LAYOUTS.get(type(value))
        if layout is not None:
            tag, fields = layout
            out: dict[str, Any] = {"$": tag}
            for name in fields:
                out[name] = self.field(name, getattr(value, name), d)
            return out
        if isinstance(value, str):
            if value in self.known:
                return self.names.setdefault(value, f"#{len(self.names)}")
            return value
        if isinstance(value, tuple):
            return [self.walk(v, d) for v in value]
        if isinstance(value, Shape):
            cols = self.walk(_dim(value.cols), d)  # "cols" sorts before "rows"
            return {"$": "Shape", "cols": cols, "rows": self.walk(_dim(value.rows), d)}
        if isinstance(value, Symbols):
            return {"$": "Symbols", "table": [self.walk(s, d) for s in value.values()]}
        if isinstance(value, Mapping) and not isinstance(value, nodes.Expr):
            if not all(isinstance(k, str) for k in value):
                raise CodecError("only string keys")
            return {"$": "dict", "items": {k: self.field(k, value[k], d) for k in sorted(value)}}
        return _encode(value, True, depth)  # numbers, None, constants: no names in them


def dumps(value: nodes.Expr | claims.Claim, *, mathematics_only: bool = False) -> str:
    """JSON text that keeps every order (of a dict's keys too): what travels to a worker, so that
    it decides exactly the claim it was given. The cache key uses :func:`canonical` instead."""
    return json.dumps(to_json(value, mathematics_only=mathematics_only), separators=(",", ":"), ensure_ascii=True)


#: Each registered class (a node other than Const, a claim, a symbol) -> its tag, its fields in
#: order, and the fields left out of the mathematics; looked up first, by exact class, because
#: nearly every value encoded is one (``dataclasses.fields`` per value was a fifth of the cost of
#: :func:`anonymous`, which every decision pays).
_LAYOUTS: dict[type[Any], tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    cls: (cls.__name__, tuple(f.name for f in dataclasses.fields(cls)),
          _CLAIM_LABELS if cls.__name__ in _CLAIMS else _SYMBOL_LABELS if cls is Symbol else ())
    for cls in (*_NODES.values(), *_CLAIMS.values(), Symbol) if cls is not nodes.Const
}
#: Each registered class -> its tag, and its mathematical fields in sorted order: what
#: :func:`anonymous` walks (by sorted keys, as the canonical text is written).
_SORTED_LAYOUTS: dict[type[Any], tuple[str, tuple[str, ...]]] = {
    cls: (tag, tuple(sorted(n for n in names if n not in labels))) for cls, (tag, names, labels) in _LAYOUTS.items()
}


def _encode(value: Any, math: bool, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("expression too deeply nested to encode")
    d = depth + 1
    layout = _LAYOUTS.get(type(value))
    if layout is not None:
        tag, names, labels = layout
        skip = labels if math else ()
        out: dict[str, Any] = {"$": tag}
        for name in names:
            if name not in skip:
                out[name] = _encode(getattr(value, name), math, d)
        return out
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, sympy.Rational | sympy.Integer):
        return {"$": "Rational", "p": int(value.p), "q": int(value.q)}
    if isinstance(value, tuple):
        return [_encode(v, math, d) for v in value]
    if isinstance(value, Shape):
        return {"$": "Shape", "rows": _dim(value.rows), "cols": _dim(value.cols)}
    if isinstance(value, Symbols):
        return {"$": "Symbols", "table": [_encode(s, math, d) for s in value.values()]}
    if isinstance(value, nodes.Const):
        number = value.value
        if isinstance(number, bool) or not isinstance(number, int | sympy.Rational):
            raise CodecError(f"a constant that is not an exact rational: {number!r}")
        return {"$": "Const", "value": _encode(sympy.Rational(number), math, d)}
    if isinstance(value, Mapping):  # a dict, or a frozen value's read-only view of one
        if not all(isinstance(k, str) for k in value):
            raise CodecError("only string keys")
        return {"$": "dict", "items": {k: _encode(v, math, d) for k, v in value.items()}}
    # every registered class was encoded above: anything else (a subclass, a foreign node) has none
    raise CodecError(f"no JSON form for {type(value).__name__}")


def _dim(dim: object) -> int | str:
    if isinstance(dim, bool) or not isinstance(dim, int | str):
        raise CodecError(f"not a dimension: {dim!r}")
    return dim


# ---------------------------------------------------------------------------------------
# Decoding.


def from_json(document: Any) -> Any:
    """The claim, expression, symbol table or symbol a :func:`to_json` structure stands for.

    A claim encoded with ``mathematics_only`` comes back with empty labels (id ``""``).
    """
    try:
        return _decode(document, 0)
    except CodecError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, VerifyError) as err:  # a constructor refused
        raise CodecError(f"not a valid document: {type(err).__name__}: {err}") from None
    except RecursionError:
        raise CodecError("document too deeply nested") from None


def loads(text: str) -> Any:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise CodecError(f"not JSON: {err}") from None
    return from_json(document)


def _decode(doc: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("document too deeply nested")
    d = depth + 1
    if doc is None or isinstance(doc, bool | int | str):
        return doc
    if isinstance(doc, list):
        return tuple(_decode(v, d) for v in doc)
    if not isinstance(doc, dict) or not isinstance(doc.get("$"), str):
        raise CodecError(f"not a tagged object: {str(doc)[:60]}")
    tag = doc["$"]
    if tag == "Rational":
        p, q = doc["p"], doc["q"]
        if not (_is_int(p) and _is_int(q)) or q == 0:
            raise CodecError("a rational is two integers, the second nonzero")
        return sympy.Rational(p, q)
    if tag == "Shape":
        return Shape(_dim(doc["rows"]), _dim(doc["cols"]))
    if tag == "dict":
        items = doc["items"]
        if not isinstance(items, dict):
            raise CodecError("a dict's items must be an object")
        return {str(k): _decode(v, d) for k, v in items.items()}
    if tag == "Symbols":
        table = _decode(doc["table"], d)
        if not all(isinstance(s, Symbol) for s in table):
            raise CodecError("a symbol table holds symbols")
        return Symbols.of(table)
    if tag == "Const":
        value = _decode(doc["value"], d)
        if not isinstance(value, sympy.Rational):
            raise CodecError("a constant holds a rational")
        return nodes.Const(value)
    cls: type | None = _NODES.get(tag) or _CLAIMS.get(tag) or (Symbol if tag == "Symbol" else None)
    if cls is None:
        raise CodecError(f"unknown tag {tag!r}")
    names = {f.name for f in dataclasses.fields(cls)}
    extra = set(doc) - names - {"$"}
    if extra:
        raise CodecError(f"{tag} has no field {sorted(extra)[0]!r}")
    fields = {k: _decode(v, d) for k, v in doc.items() if k != "$"}
    if cls in _CLAIMS.values():
        for label in ("id", "statement"):
            fields.setdefault(label, "")
    value = cls(**fields)
    _check(value)
    return value


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _check(value: object) -> None:
    """Every field has its declared type: constructors do not check, and the engine trusts them."""
    cls: type = type(value)  # as ``type``: mypy takes ``type[object]`` for unhashable (its __hash__ needs a self)
    for name, hint in _hints(cls).items():
        if not _conforms(getattr(value, name), hint):
            raise CodecError(f"{type(value).__name__}.{name} is not a {hint}")


def _conforms(value: object, hint: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(args) == len(value) and all(_conforms(v, a) for v, a in zip(value, args, strict=True))
    if origin in (dict, Mapping):
        return isinstance(value, Mapping) and all(_conforms(k, args[0]) and _conforms(v, args[1])
                                               for k, v in value.items())
    if hint is type(None):
        return value is None
    if hint is int:
        return _is_int(value)
    if hint is sympy.Rational:
        return isinstance(value, sympy.Rational)
    return isinstance(value, hint)


# ---------------------------------------------------------------------------------------
# Results: they come back from workers and from the cache.


def result_to_json(result: Result) -> dict[str, Any]:
    """Every field of a result (the counterexample's exact point too), for the cache and workers."""
    cx = result.counterexample
    return {
        "verdict": result.verdict.value,
        "detail": result.detail,
        "scope": result.scope,
        "seconds": result.seconds,
        "counterexample": None if cx is None else {
            "values": dict(cx.values), "lhs": cx.lhs, "rhs": cx.rhs, "sizes": dict(cx.sizes), "note": cx.note,
            "point": dict(cx.point),
        },
    }


def result_from_json(doc: Mapping[str, Any]) -> Result:
    try:
        cx = doc["counterexample"]
        counterexample = None if cx is None else Counterexample(
            values=_strings(cx["values"]), lhs=str(cx["lhs"]), rhs=str(cx["rhs"]),
            sizes={str(k): int(v) for k, v in cx["sizes"].items()}, note=str(cx["note"]),
            point=_strings(cx["point"]),
        )
        scope = doc["scope"]
        return Result(Verdict(doc["verdict"]), str(doc["detail"]), None if scope is None else str(scope),
                      counterexample, float(doc["seconds"]))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise CodecError(f"not a result: {type(err).__name__}: {err}") from None


def _strings(mapping: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items()}
