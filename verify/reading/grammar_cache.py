"""The LaTeX grammar's LALR analysis, kept between runs as JSON in the user's cache folder.

Why: analysing the grammar takes about 0.3 s, a third of what a student waits for one
submission to be graded when every decision is cached; reading the analysis back takes about
0.05 s. Most of the analysis is the LALR table (400 states, 14,000 actions): it is stored as
flat lists of numbers and made into lark's table directly (:class:`_StoredTableParser`); kept in
the tagged form below it took 0.1 s to read back, more than everything else in the file.
lark's own ``cache=`` option pickles the analysis to a file in the temporary folder, where
another user may plant one, and loading a pickle runs what it says. Here the analysis lark
serialises (plain dictionaries, lists, tuples, strings, numbers and Tokens) is written as JSON
with those types tagged, in the user's own cache folder (:mod:`verify.user_cache`), under a name
that hashes the grammar, lark's version and this format: a changed grammar is analysed afresh.

Nothing here is trusted beyond what lark's ``Lark.load`` does with the same data: a file that
does not decode, or decodes to something lark rejects, is ignored and the grammar analysed
again. The callbacks of the lexer are functions, never stored: they are given at load.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token
from lark.grammar import Rule
from lark.lexer import TerminalDef
from lark.parsers.lalr_analysis import IntParseTable, Reduce, Shift
from lark.parsers.lalr_parser import LALR_Parser, _Parser

from verify import user_cache

#: Bumped when the encoding below changes.
FORMAT = 2
#: A cache file larger than this is not read (the analysis is about 0.5 MB).
MAX_BYTES = 8_000_000


def path_for(grammar: str, name: str = "latex-grammar", options: Mapping[str, Any] | None = None) -> Path:
    """The file of ``grammar`` analysed with ``options``: its name hashes both, lark's version
    and this format."""
    key = f"{FORMAT}\0{lark.__version__}\0{sorted((options or {}).items())!r}\0{grammar}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return user_cache.folder() / f"{name}-{digest}.json"


def analysed(grammar: str, name: str, options: Mapping[str, Any],
             callbacks: Mapping[str, Callable[[Token], Token]] | None = None) -> Lark:
    """``Lark(grammar, parser="lalr", **options)``, read back from the user's cache folder when an
    earlier run left it there, else analysed and written there for the next run."""
    path = path_for(grammar, name, options)
    loaded = load(path, callbacks or {})
    if loaded is None:
        loaded = Lark(grammar, parser="lalr", lexer_callbacks=dict(callbacks or {}), **options)
        save(loaded, path)
    return loaded


def encode(x: Any) -> Any:
    """JSON with lark's serialised types tagged: a Token, a tuple, a dictionary (its keys may be
    numbers). Anything else raises TypeError, so that nothing is stored it could not restore."""
    if isinstance(x, Token):
        return {"t": [x.type, str(x)]}
    if x is None or isinstance(x, bool | int | str):
        return x
    if isinstance(x, tuple):
        return {"u": [encode(v) for v in x]}
    if isinstance(x, list):
        return [encode(v) for v in x]
    if isinstance(x, dict):
        return {"m": [[encode(k), encode(v)] for k, v in x.items()]}
    raise TypeError(f"no JSON form for {type(x).__name__}")


def decode(x: Any) -> Any:
    if isinstance(x, list):
        return [decode(v) for v in x]
    if isinstance(x, dict):
        if len(x) != 1:
            raise ValueError("a tagged value has one key")
        ((tag, v),) = x.items()
        if tag == "t" and isinstance(v, list) and len(v) == 2 and all(isinstance(s, str) for s in v):
            return Token(v[0], v[1])
        if tag == "u" and isinstance(v, list):
            return tuple(decode(e) for e in v)
        if tag == "m" and isinstance(v, list):
            return {decode(k): decode(val) for k, val in v}
        raise ValueError(f"unknown tag {tag!r}")
    if x is None or isinstance(x, bool | int | str):
        return x
    raise ValueError(f"unexpected {type(x).__name__}")


def encode_table(table: Mapping[str, Any]) -> dict[str, Any]:
    """Lark's serialised LALR table as lists of numbers: the terminals by index, then each state
    as [state, terminal, 0, next state, ...] for a shift and [..., terminal, 1, rule] for a
    reduction (the rule by its number in the memo). Anything else raises ValueError."""
    tokens = table["tokens"]
    if sorted(tokens) != list(range(len(tokens))) or not all(isinstance(t, str) for t in tokens.values()):
        raise ValueError("terminals not numbered 0..n-1")
    states: list[list[int]] = []
    for state, actions in table["states"].items():
        flat = [state]
        for token, (action, arg) in actions.items():
            if action == 0 and type(arg) is int:
                flat += [token, 0, arg]
            elif action == 1 and isinstance(arg, dict) and list(arg) == ["@"] and type(arg["@"]) is int:
                flat += [token, 1, arg["@"]]
            else:
                raise ValueError(f"an action lark does not make: {action!r}, {arg!r}")
        states.append(flat)
    return {"tokens": [tokens[i] for i in range(len(tokens))], "states": states,
            "start_states": encode(table["start_states"]), "end_states": encode(table["end_states"])}


def decode_table(stored: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`encode_table`'s inverse, to lark's serialised form (what ``save`` checks it against)."""
    states = {}
    for flat in stored["states"]:
        states[flat[0]] = {flat[i]: (flat[i + 1], flat[i + 2] if flat[i + 1] == 0 else {"@": flat[i + 2]})
                           for i in range(1, len(flat), 3)}
    return {"tokens": dict(enumerate(stored["tokens"])), "states": states,
            "start_states": decode(stored["start_states"]), "end_states": decode(stored["end_states"])}


def _decode_actions(flat: list[int], tokens: list[str], memo: Mapping[int, Any]) -> dict[str, tuple[Any, Any]]:
    actions: dict[str, tuple[Any, Any]] = {}
    for i in range(1, len(flat), 3):
        token, action, arg = flat[i:i + 3]
        if type(token) is not int or token < 0:  # (a negative index would name a terminal too)
            raise ValueError("a terminal is numbered from 0")
        if action == 0 and type(arg) is int:
            actions[tokens[token]] = (Shift, arg)
        elif action == 1 and isinstance(memo[arg], Rule):
            actions[tokens[token]] = (Reduce, memo[arg])
        else:
            raise ValueError("not a shift nor a reduction by a rule")
    return actions


class _StoredTableParser(LALR_Parser):
    """Lark's LALR parser made from :func:`encode_table`'s lists, given to ``Lark._load`` as its
    ``LALR_Parser`` plugin (lark's own ``deserialize`` reads the tagged dictionaries instead)."""

    @classmethod  # lark's LALR_Parser.deserialize takes these four too, unlike Serialize's
    def deserialize(cls, data: Any, memo: Any, callbacks: Any, debug: bool = False) -> LALR_Parser:  # type: ignore[override]
        tokens = data["tokens"]
        if not all(isinstance(t, str) for t in tokens):
            raise ValueError("a terminal is named by a string")
        states = {flat[0]: _decode_actions(flat, tokens, memo) for flat in data["states"]}
        if not all(type(s) is int for s in states):
            raise ValueError("a state is numbered")
        table = IntParseTable(states, decode(data["start_states"]), decode(data["end_states"]))
        inst = cls.__new__(cls)
        inst._parse_table = table  # type: ignore[assignment]  # as lark's own deserialize: an IntParseTable
        inst.parser = _Parser(table, callbacks, debug)
        return inst


def load(path: Path, callbacks: Mapping[str, Callable[[Token], Token]]) -> Lark | None:
    """The analysed grammar from ``path``, or None when there is none or it cannot be used."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        return _loaded(path.read_text(encoding="utf-8"), callbacks)
    except Exception:  # a missing, damaged or foreign file: analyse the grammar again
        return None


def _loaded(text: str, callbacks: Mapping[str, Callable[[Token], Token]]) -> Lark:
    stored = json.loads(text)
    document = decode(stored["rest"])
    document["data"]["parser"]["parser"] = stored["table"]
    loaded: Lark = Lark.__new__(Lark)._load(document, lexer_callbacks=dict(callbacks),
                                            _plugins={"LALR_Parser": _StoredTableParser})
    return loaded


def save(parser: Lark, path: Path) -> None:
    """Write the analysis (best effort: a read-only or full disk only costs the next run 0.3 s)."""
    try:
        data, memo = parser.memo_serialize([TerminalDef, Rule])
        data["options"] = {k: v for k, v in data["options"].items() if k != "lexer_callbacks"}
        table = data["parser"]["parser"]
        rest = {"data": {**data, "parser": {**data["parser"], "parser": None}}, "memo": memo}
        text = json.dumps({"rest": encode(rest), "table": encode_table(table)}, separators=(",", ":"))
        stored = json.loads(text)
        if decode(stored["rest"]) != rest or decode_table(stored["table"]) != table:
            return  # only what comes back exactly is kept
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".grammar-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, TypeError, ValueError):
        return
