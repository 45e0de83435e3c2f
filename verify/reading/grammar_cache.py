"""The LaTeX grammar's LALR analysis, kept between runs as JSON in the user's cache folder.

Why: analysing the grammar takes about 0.27 s, a fifth of what a student waits for one
submission to be graded when every decision is cached; reading the analysis back takes 0.06 s.
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

from verify import user_cache

#: Bumped when the encoding below changes.
FORMAT = 1
#: A cache file larger than this is not read (the analysis is about 0.5 MB).
MAX_BYTES = 8_000_000


def path_for(grammar: str) -> Path:
    digest = hashlib.sha256(f"{FORMAT}\0{lark.__version__}\0{grammar}".encode()).hexdigest()[:24]
    return user_cache.folder() / f"latex-grammar-{digest}.json"


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


def load(path: Path, callbacks: Mapping[str, Callable[[Token], Token]]) -> Lark | None:
    """The analysed grammar from ``path``, or None when there is none or it cannot be used."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        document = decode(json.loads(path.read_text(encoding="utf-8")))
        return Lark.__new__(Lark)._load(document, lexer_callbacks=dict(callbacks))
    except Exception:  # a missing, damaged or foreign file: analyse the grammar again
        return None


def save(parser: Lark, path: Path) -> None:
    """Write the analysis (best effort: a read-only or full disk only costs the next run 0.2 s)."""
    try:
        data, memo = parser.memo_serialize([TerminalDef, Rule])
        data["options"] = {k: v for k, v in data["options"].items() if k != "lexer_callbacks"}
        document = {"data": data, "memo": memo}
        text = json.dumps(encode(document), separators=(",", ":"))
        if decode(json.loads(text)) != document:  # only what comes back exactly is kept
            return
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
