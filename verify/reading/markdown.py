"""Reading a submission: Markdown with LaTeX, into sections of math blocks per question.

A Markdown library does the reading (markdown-it-py with the dollar-math and bracket-math
plugins), not regular expressions over the text: code spans, escaped dollars and nested
structure are then handled the way every Markdown renderer handles them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.texmath import texmath_plugin

from verify.errors import Position, VerifyError

#: Largest submission read, in bytes; a class's derivations are a few kilobytes each.
MAX_BYTES = 1_000_000
#: Largest YAML front matter read, in characters.
MAX_FRONT_MATTER = 2_000

_HEADING = re.compile(r"^\s*(?:Q\s+)?(?P<id>[A-Za-z][\w.-]*[\w])\s*(?::\s*(?P<title>.*))?$")


class SubmissionError(VerifyError):
    """A submission file that cannot be read at all (too large, not text, bad front matter)."""


@dataclass(frozen=True)
class MathBlock:
    """One piece of LaTeX as the student wrote it; ``line`` is 1-based where known."""

    latex: str
    display: bool
    line: int | None = None


@dataclass(frozen=True)
class Section:
    """What a student wrote under one question's heading."""

    question: str
    title: str
    math: tuple[MathBlock, ...]
    prose: str
    line: int


@dataclass(frozen=True)
class Submission:
    file: str
    student: str
    sections: dict[str, Section] = field(default_factory=dict)
    #: level-2 headings that name no known question (reported, not graded)
    stray: tuple[str, ...] = ()


def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark")
        .use(front_matter_plugin)
        .use(dollarmath_plugin, allow_labels=False, double_inline=True)
        .use(texmath_plugin, delimiters="brackets")
    )


_MD = _parser()


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases: no billion-laughs expansion."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise SubmissionError(
                "front matter uses a YAML alias; only plain 'student: NAME' is read",
                Position(str(event.anchor), 0),
            )
        node = super().compose_node(parent, index)
        if getattr(node, "anchor", None):
            raise SubmissionError("front matter uses a YAML anchor; only plain 'student: NAME' is read")
        return node


def _student(front: str, default: str) -> str:
    if len(front) > MAX_FRONT_MATTER:
        raise SubmissionError(f"front matter longer than {MAX_FRONT_MATTER} characters")
    try:
        data = yaml.load(front, Loader=_NoAliasLoader)  # a SafeLoader subclass: no object tags
    except yaml.YAMLError as err:
        raise SubmissionError(f"front matter is not valid YAML: {err}") from None
    if data is None:
        return default
    if not isinstance(data, dict):
        raise SubmissionError("front matter must be a mapping such as 'student: NAME'")
    name = data.get("student", default)
    if not isinstance(name, str | int) or not str(name).strip():
        raise SubmissionError("'student' in the front matter must be a name")
    return str(name).strip()[:200]


def decode(raw: bytes, file: str) -> str:
    if len(raw) > MAX_BYTES:
        raise SubmissionError(f"{file}: larger than {MAX_BYTES // 1000} kB; not read")
    if b"\x00" in raw:
        raise SubmissionError(f"{file}: binary data (a NUL byte), not a Markdown text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SubmissionError(f"{file}: not UTF-8 text (byte {err.start})") from None


def read_submission(text: str, file: str, student: str, questions: frozenset[str] | None = None) -> Submission:
    """Split ``text`` into question sections; ``questions`` (if given) are the ids to recognise."""
    if len(text) > MAX_BYTES:
        raise SubmissionError(f"{file}: larger than {MAX_BYTES // 1000} kB; not read")
    tokens = _MD.parse(text)
    sections: dict[str, Section] = {}
    stray: list[str] = []
    current: dict | None = None
    last_line = 1

    def close() -> None:
        if current is not None and current["id"] not in sections:
            sections[current["id"]] = Section(
                current["id"], current["title"], tuple(current["math"]), " ".join(current["prose"]).strip(),
                current["line"],
            )

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.map:
            last_line = tok.map[0] + 1
        if tok.type == "front_matter":
            student = _student(tok.content, student)
        elif tok.type == "heading_open" and tok.tag == "h2":
            close()
            heading = tokens[i + 1].content if i + 1 < len(tokens) else ""
            m = _HEADING.match(heading)
            qid = m.group("id") if m else None
            if qid is not None and (questions is None or qid in questions):
                current = {"id": qid, "title": (m.group("title") or "").strip(), "math": [], "prose": [],
                           "line": last_line}
            else:
                stray.append(heading.strip())
                current = None
            i += 3
            continue
        elif tok.type == "heading_open" and tok.tag == "h1":
            close()
            current = None
        elif current is not None:
            _collect(tok, current, last_line)
        i += 1
    close()
    return Submission(file, student, sections, tuple(stray))


def _collect(tok: Token, current: dict, line: int) -> None:
    if tok.type in ("math_block", "math_block_label"):
        current["math"].append(MathBlock(tok.content.strip(), True, line))
    elif tok.type == "inline":
        for child in tok.children or []:
            if child.type == "math_inline":
                current["math"].append(MathBlock(child.content.strip(), False, line))
            elif child.type == "math_inline_double":
                current["math"].append(MathBlock(child.content.strip(), True, line))
            elif child.type in ("text", "code_inline"):
                current["prose"].append(child.content)
    elif tok.type in ("fence", "code_block"):
        current["prose"].append(tok.content)
