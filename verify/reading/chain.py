"""Splitting a math block into statements (at ``\\Rightarrow``, line breaks) and each statement
into the expressions chained by ``=``.

A grammar (``chain.lark``) does the bracket matching, so an ``=`` inside braces, parentheses or
a matrix never splits. Alignment environments (align, split, aligned, gather, ...) are
unwrapped: their ``&`` are dropped and their ``\\\\`` end a statement, unless the next row
starts with ``=`` (``a &= b \\\\ &= c`` is the one chain a = b = c). A label before a top-level
colon (``\\text{update rule}: x = ...``) is dropped. Outside an alignment, ``\\quad``, ``\\qquad`` and
``\\text{and}`` separate two statements written side by side (``a = b, \\quad c = d``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from verify.errors import Position
from verify.reading import grammar_cache
from verify.reading.errors import UnbalancedBrackets

_GRAMMAR = (Path(__file__).parent / "chain.lark").read_text(encoding="utf-8")


@functools.cache
def _parser() -> Lark:
    """Analysed on first use, or read back from the user's cache folder (:mod:`grammar_cache`):
    analysing it at import was 16 ms of every command's start, reading it back is 2 ms."""
    return grammar_cache.analysed(_GRAMMAR, "chain-grammar", {"propagate_positions": True, "maybe_placeholders": False})

_ALIGN = re.compile(r"\\begin\s*\{\s*(align|aligned|split|gather|gathered|eqnarray|multline|alignat|alignedat)\*?\s*\}")


@dataclass(frozen=True)
class Piece:
    """One expression of a chain: its LaTeX and where it starts in the block."""

    latex: str
    offset: int


def split_chain(text: str) -> list[list[Piece]]:
    """The statements of ``text``, each the list of its ``=``-chained expressions, in order.

    Raises :class:`UnbalancedBrackets` when braces, parentheses or environments do not match.
    """
    try:
        tree = _parser().parse(text)
    except LarkError as err:
        offset = getattr(err, "pos_in_stream", None) or getattr(err, "column", 0) or 0
        raise UnbalancedBrackets("unbalanced braces, brackets or environments", Position(text, int(offset))) from None
    statements: list[list[Piece]] = []
    current: list[tuple[int, int]] = []  # spans of the current expression's parts
    pieces: list[Piece] = []
    # the offset of an "=" with nothing read after it yet: "x = = A" or a trailing "A =" leave a
    # side empty, which is kept as an empty piece (unreadable), never skipped: the answer of
    # "A =" is not A
    open_eq: int | None = None

    def end_expression() -> None:
        nonlocal current, open_eq
        piece = _piece(text, current)
        current = []
        if piece is not None:
            pieces.append(piece)
            open_eq = None

    def end_statement() -> None:
        nonlocal pieces, open_eq
        end_expression()
        if open_eq is not None and pieces:
            pieces.append(Piece("", open_eq))
        open_eq = None
        if pieces:
            statements.append(pieces)
        pieces = []

    def walk(items: list, aligned: bool) -> None:
        nonlocal current, pieces, open_eq
        broken = False  # a row of an alignment just ended: does the next one continue it (&= ...)?
        for item in items:
            kind = item.data if isinstance(item, Tree) else None
            if kind == "space" and aligned:  # \quad in an alignment is spacing within its row
                continue
            if kind == "space":  # "a = b, \quad c = d": two statements side by side
                end_statement()
                continue
            if broken and kind != "amp" and not _blank(item):
                broken = False
                if not (kind == "rel" and str(item.children[0]) == "="):
                    end_statement()
            if kind == "rel":
                token = item.children[0]
                end_expression()
                if str(token) != "=":
                    end_statement()
                elif open_eq is not None:  # "= =": an empty side between them
                    pieces.append(Piece("", open_eq))
                else:
                    open_eq = (token.start_pos or 0) if isinstance(token, Token) else 0
            elif kind == "sep" and aligned:
                end_expression()
                broken = True
            elif kind == "sep":
                end_statement()
            elif kind == "colon":
                current = []  # a label: drop what came before in this expression
                if not pieces:
                    continue
            elif (kind == "amp" and aligned) or _blank(item):
                continue
            elif kind == "env" and _ALIGN.match(str(item.children[0])):
                end_statement()
                walk(item.children[1:-1], True)
                end_statement()
            else:
                current.append(_span(item))
    walk(tree.children, False)
    end_statement()
    return statements


def _blank(item: Tree | Token) -> bool:
    """Whitespace between tokens (it decides nothing about where a statement ends)."""
    token = item.children[0] if isinstance(item, Tree) and item.data == "other" else item
    return isinstance(token, Token) and not str(token).strip()


def _span(item: Tree | Token) -> tuple[int, int]:
    if isinstance(item, Token):
        return (item.start_pos or 0, item.end_pos or 0)
    return (item.meta.start_pos, item.meta.end_pos)


def _piece(text: str, spans: list[tuple[int, int]]) -> Piece | None:
    if not spans:
        return None
    start, end = spans[0][0], spans[-1][1]
    latex = text[start:end]
    stripped = latex.strip().rstrip(".,;")
    if not stripped or stripped in ("\\quad", "\\qquad"):
        return None
    return Piece(stripped, start + (len(latex) - len(latex.lstrip())))
