"""One exception family for everything a user can get wrong.

Callers catch :class:`VerifyError` and turn it into verdict ``error`` (for one claim) or
exit status 2 (for a whole file); a bare Python exception escaping means a bug of ours.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    """Where in the user's text a problem sits: the text itself and a 0-based offset."""

    text: str
    offset: int

    #: characters shown on each side of the offset: a 10,000-character input is not echoed whole
    WINDOW = 60

    def caret(self) -> str:
        """The offending line with a caret under the offset, as compilers show it; a long line is
        cut to a window around the offset, with ``...`` where it is cut."""
        start = self.text.rfind("\n", 0, self.offset) + 1
        end = self.text.find("\n", self.offset)
        end = len(self.text) if end < 0 else end
        left = max(start, self.offset - self.WINDOW)
        right = min(end, self.offset + self.WINDOW)
        head = "..." if left > start else ""
        tail = "..." if right < end else ""
        line = head + self.text[left:right] + tail
        return f"{line}\n{' ' * (len(head) + self.offset - left)}^"


class VerifyError(Exception):
    """A problem with the user's input, reported with enough context to fix it."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (at offset {self.position.offset})\n{self.position.caret()}"


class ShapeError(VerifyError):
    """Operands whose shapes do not fit: a product, sum or function that is undefined."""


class DeclarationError(VerifyError):
    """A symbol declaration that cannot be read or is inconsistent."""


class UndeclaredName(VerifyError):
    """A name used in an expression but never declared."""


class UnsupportedError(VerifyError):
    """Notation we understand but do not (yet) support, e.g. a derivative by a symmetric matrix."""
