"""Presenting results: a rich table for people, JSON and CSV for other tools, an HTML report.

The interface other packages use is what this module exports (``__all__``): a row of the
claims table (:class:`Row`) and its rendering (:func:`render`: the full table, or one line per
claim on a terminal narrower than :data:`COMPACT_BELOW`, :func:`is_narrow`), claims as Unicode
mathematics (:func:`statement_text`, :class:`UnicodePrinter`), the gradebook (:mod:`.gradebook`,
used as a namespace, and :func:`number`), the Gradescope autograder bundle (:mod:`.autograder`, a
namespace too), files written whole or not at all
(:func:`write_text_atomic`), and the HTML pages (:func:`claims_page`, :func:`grading_page`,
:func:`emit`). The HTML pages are loaded when first used: their templates and plotting cost a
fifth of a second that a run printing a table need not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verify.reporting import autograder, gradebook
from verify.reporting.atomic import write_text_atomic
from verify.reporting.gradebook import number
from verify.reporting.rows import Row
from verify.reporting.table import COMPACT_BELOW, is_narrow, render
from verify.reporting.unicode import UnicodePrinter, statement_text

if TYPE_CHECKING:
    from verify.reporting.html import claims_page, emit, grading_page

#: what :mod:`.html` provides, imported on first use
_HTML = frozenset({"claims_page", "emit", "grading_page"})

__all__ = ["COMPACT_BELOW", "Row", "UnicodePrinter", "autograder", "claims_page", "emit", "gradebook", "grading_page",
           "is_narrow", "number", "render", "statement_text", "write_text_atomic"]


def __getattr__(name: str) -> Any:
    if name in _HTML:
        from verify.reporting import html

        return getattr(html, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
