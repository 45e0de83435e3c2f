"""What can be wrong with a piece of LaTeX beyond a name or a shape.

Undeclared names and shape mismatches keep their own classes from :mod:`verify.errors`
(:class:`~verify.errors.UndeclaredName`, :class:`~verify.errors.ShapeError`); these add the
reader's own problems. Every one carries a :class:`~verify.errors.Position`, so the user
sees a caret under the spot.
"""

from __future__ import annotations

from verify.errors import UnsupportedError, VerifyError


class LatexSyntaxError(VerifyError):
    """Text that is not in the LaTeX subset: a stray character, a missing operand."""


class UnbalancedBrackets(LatexSyntaxError):
    """A brace, bracket, bar or environment opened and never closed, or closed and never opened."""


class UnknownMacro(UnsupportedError):
    """A backslash command outside the subset (it is never expanded or acted on)."""


class ForbiddenCommand(UnknownMacro):
    """A TeX command that reads files, runs programs or redefines macros: refused, never run."""


class LimitExceeded(VerifyError):
    """Input beyond the reader's limits (length, nesting, exponent, names): refused early,
    so that a hostile or mistaken file cannot make the checker run for hours."""
