"""Text from a submission made safe to print: no terminal escapes, no reordered lines.

A file name, a student's name, a heading or a question id comes from the student's own file
(or its name), and every output of a grading run shows it to someone: a TA's terminal (the
table, the error lines, JSON printed there), a spreadsheet (the CSV gradebook), a browser (the
HTML report), the student (Gradescope's ``results.json``). Two kinds of characters in such text
act instead of being shown, and nobody means them in a name:

* control characters: C0 (``\\x00``-``\\x1f``), DEL and C1 (``\\x80``-``\\x9f``). ``\\x1b]0;...\\x07``
  retitles the terminal, ``\\x1b[2J`` clears it, ``\\r`` overwrites the line just printed, ``\\x9b``
  is a one-byte escape on some terminals;
* bidirectional formatting characters: the embeddings and overrides U+202A-U+202E, the isolates
  U+2066-U+2069 and the marks U+200E, U+200F, U+061C, which make text display in another order
  than it is stored (``evil\\u202egnp.md`` shows as ``evilmd.png``, a score can appear to belong
  to another row: CVE-2021-42574, "Trojan Source").

Also replaced: lone surrogates (U+D800-U+DFFF), which is how Python spells a file name's bytes
that are not UTF-8; printed as they are, they stop the run with ``UnicodeEncodeError``.

Each such character becomes :data:`REPLACEMENT`, U+FFFD (the Unicode replacement character,
``�``), rather than being dropped: the reader sees that something was there, and two names that
differ only by a hidden character do not print the same. ``?`` was not chosen because it is a
legitimate character of file names and text, so it would not tell a replaced character apart.

:func:`safe_line` is for one-line fields (file, student, question id, heading, an error line):
every control character goes, tab and line feed too. :func:`safe_text` is for text whose format
allows several lines (feedback, the CSV review cell, a page of HTML): it keeps ``\\n`` and
``\\t``, turns ``\\r\\n`` into ``\\n`` and replaces a lone ``\\r``.

:data:`CONTROL` is what a submission's text and its ``student:`` name may not contain at all
(:mod:`verify.reading.markdown` refuses such a file): the control characters but tab, line feed
and carriage return, which are how lines end.
"""

from __future__ import annotations

import re
from typing import Any

#: What a replaced character becomes: U+FFFD REPLACEMENT CHARACTER.
REPLACEMENT = "\ufffd"

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"

#: Control characters (C0 but tab and line ends, DEL, C1): never text a student means in a
#: submission, and what would reach a TA's terminal as escape sequences through a name.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bidirectional formatting characters (embeddings, overrides, isolates and marks).
BIDI = re.compile(f"[{_BIDI}]")
#: Everything :func:`safe_line` replaces: every C0 character, DEL, C1, bidi, lone surrogates.
UNSAFE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}{_SURROGATES}]")
#: Everything :func:`safe_text` replaces: the same but tab and line feed.
UNSAFE_TEXT = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}{_SURROGATES}]")


def safe_line(text: object) -> str:
    """``text`` as one line that prints as it reads: each control, bidi or surrogate character
    (tab and line feed included) becomes U+FFFD."""
    return UNSAFE_LINE.sub(REPLACEMENT, str(text))


def safe_text(text: object) -> str:
    """``text`` that may have several lines: as :func:`safe_line`, but ``\\n`` and ``\\t`` stay
    and ``\\r\\n`` becomes ``\\n``."""
    return UNSAFE_TEXT.sub(REPLACEMENT, str(text).replace("\r\n", "\n"))


def is_safe_line(text: str) -> bool:
    return UNSAFE_LINE.search(text) is None


def is_safe_text(text: str) -> bool:
    return UNSAFE_TEXT.search(text) is None


def safe_json(value: Any) -> Any:
    """A JSON value (dicts, lists, strings, numbers) with every string, keys too, made :func:`safe_text`."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(k) if isinstance(k, str) else k: safe_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [safe_json(v) for v in value]
    return value
