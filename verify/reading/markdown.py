"""Reading a submission: Markdown with LaTeX, into sections of math blocks per question.

A Markdown library does the reading (markdown-it-py with the dollar-math and bracket-math
plugins), not regular expressions over the text: code spans, escaped dollars and nested
structure are then handled the way every Markdown renderer handles them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.texmath import texmath_plugin

from verify import safe_text
from verify.errors import VerifyError
from verify.model import read_only

#: Largest submission read, in bytes; a class's derivations are a few kilobytes each (the
#: whole HW1 solution is 6 kB). Reading Markdown costs up to ~20 us a byte on hostile text,
#: so this also bounds the time one file can take before any mathematics is looked at.
MAX_SUBMISSION_BYTES = 200_000
#: Largest YAML front matter read, in characters.
MAX_FRONT_MATTER = 2_000
#: Most characters of mathematics graded in one submission (the HW1 solution has 4,000):
#: every character is read as LaTeX, and every step becomes a decision.
MAX_MATH = 50_000
#: Most equations ('=') in the mathematics of one submission (the HW1 solution has 69, at most
#: 8 in one answer): each one can be a step to decide, and a decision may take its whole
#: time limit, so this bounds how long one file can keep the grader busy.
MAX_EQUATIONS = 300

#: Control characters (C0 but tab and line ends, DEL, C1): never text a student means, and
#: what would reach a TA's terminal as escape sequences through a name or the feedback. A file
#: that has one is refused; what is printed anyway goes through :mod:`verify.safe_text`.
CONTROL = safe_text.CONTROL

#: A heading that names a question: ``pd.linear``, ``Q pd.linear``, ``Question pd.linear``,
#: ``pd.linear: title``, ``pd.linear (5.2)``, ``pd.linear (5.2): title``, ``pd.linear - title``.
_HEADING = re.compile(
    r"^\s*(?:(?:Q|Question|Problem|Exercise)\s*:?\s+)?(?P<id>[A-Za-z][\w.-]*[\w])\s*"
    r"(?:(?P<paren>\([^()]*\))\s*)?(?:(?::|\s-|\u2013|\u2014)\s*(?P<title>.*))?$", re.IGNORECASE)
#: Markdown emphasis and code marks around a heading's words (``## **pd.linear**``).
_MARKS = re.compile(r"[*_`]+(?=\S)|(?<=\S)[*_`]+")


class SubmissionError(VerifyError):
    """A submission file that cannot be read at all (too large, not text, bad front matter)."""


@dataclass(frozen=True)
class MathBlock:
    """One piece of LaTeX as the student wrote it; ``line`` is 1-based where known."""

    latex: str
    display: bool
    line: int | None = None
    #: the prose between the math before it (in its section) and it: its lead-in, where a TA
    #: reads a condition such as "Put w_1 = w_2:" as applying to what follows
    lead: str = ""


def lead_in(current: dict) -> str:
    """The prose collected since the section's last math block (and marks it as taken)."""
    prose = current["prose"]
    start = current.get("taken", 0)
    current["taken"] = len(prose)
    return " ".join(" ".join(prose[start:]).split())


@dataclass(frozen=True)
class Section:
    """What a student wrote under one question's heading."""

    question: str
    title: str
    math: tuple[MathBlock, ...]
    prose: str
    line: int
    #: the heading as written when it names no question but this one is close to it
    #: (``## pd.bilnear-x``), and no other heading names this one: graded as it, for a TA to confirm
    misspelt: str = ""


@dataclass(frozen=True)
class Submission:
    file: str
    student: str
    sections: Mapping[str, Section] = field(default_factory=dict)
    #: headings that name no known question (reported, not graded): a level-2 one with math under
    #: it, and one of any level that looks like a question id; each with " (did you mean ID?)"
    #: when an id is close. A grouping heading ("## Problem 5") with no math of its own is not one.
    stray: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", read_only(self.sections))


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

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise SubmissionError("front matter uses a YAML alias; only plain 'student: NAME' is read")
        node = super().compose_node(parent, index)
        if getattr(node, "anchor", None):
            raise SubmissionError("front matter uses a YAML anchor; only plain 'student: NAME' is read")
        return node


def _student(front: str, default: str) -> str:
    if len(front) > MAX_FRONT_MATTER:
        raise SubmissionError(f"front matter longer than {MAX_FRONT_MATTER} characters")
    try:
        data = yaml.load(front, Loader=_NoAliasLoader)  # a SafeLoader subclass: no object tags
    except yaml.YAMLError as err:  # one line: the problem and where, not PyYAML's excerpt
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1} of the front matter)" if mark is not None else ""
        raise SubmissionError(f"front matter is not valid YAML: {problem}{where}") from None
    except RecursionError:  # [[[[...]]]]: PyYAML composes recursively
        raise SubmissionError("front matter is nested too deeply; only plain 'student: NAME' is read") from None
    if data is None:
        return default
    if not isinstance(data, dict):
        raise SubmissionError("front matter must be a mapping such as 'student: NAME'")
    name = data.get("student", default)
    if not isinstance(name, str | int) or not str(name).strip():
        raise SubmissionError("'student' in the front matter must be a name")
    if CONTROL.search(str(name)):
        raise SubmissionError("'student' in the front matter contains a control character")
    return str(name).strip()[:200]


def read_bytes(path: str | Path) -> bytes:
    """A submission file's bytes, but never more than MAX_SUBMISSION_BYTES + 1 of them: a file of 20 GB is
    refused by :func:`decode_submission` without being read whole (OSError as ``open`` raises it)."""
    with open(path, "rb") as stream:
        return stream.read(MAX_SUBMISSION_BYTES + 1)


def decode_submission(raw: bytes, file: str) -> str:
    if len(raw) > MAX_SUBMISSION_BYTES:
        raise SubmissionError(f"{file}: larger than {MAX_SUBMISSION_BYTES // 1000} kB; not read")
    if b"\x00" in raw:
        raise SubmissionError(f"{file}: binary data (a NUL byte), not a Markdown text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SubmissionError(f"{file}: not UTF-8 text (byte {err.start})") from None


def check_text(text: str, file: str, kind: str) -> None:
    """What every submission's text must be before it is read, whatever its format (``kind``:
    "Markdown", "LaTeX"): at most :data:`MAX_SUBMISSION_BYTES`, no control character."""
    if len(text) > MAX_SUBMISSION_BYTES:
        raise SubmissionError(f"{file}: larger than {MAX_SUBMISSION_BYTES // 1000} kB; not read")
    control = CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise SubmissionError(f"{file}: a control character (U+{ord(control.group()):04X}) on line {line}; "
                              f"not a {kind} text")


def read_submission(text: str, file: str, student: str, questions: frozenset[str] | None = None) -> Submission:
    """Split ``text`` into question sections; ``questions`` (if given) are the ids to recognise."""
    check_text(text, file, "Markdown")
    tokens = _MD.parse(text)
    sections: dict[str, Section] = {}
    stray: list[str] = []
    current: dict | None = None
    last_line = 1
    by_lower = {q.lower(): q for q in questions} if questions is not None else None

    misspelt: dict[str, Section] = {}

    def close() -> None:
        if current is not None and current["id"] is None:  # a heading of no question
            if current["id_like"] or current["math"]:  # not a grouping heading ("## Problem 5")
                stray.append(_did_you_mean(current["heading"], by_lower))
                meant = _meant(current["heading"], by_lower)
                if meant is not None and meant not in misspelt and (current["math"] or current["prose"]):
                    misspelt[meant] = Section(meant, "", tuple(current["math"]), " ".join(current["prose"]).strip(),
                                              current["line"], misspelt=current["heading"])
            return
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
            try:
                student = _student(tok.content, student)
            except SubmissionError as err:  # say which file: a class has hundreds
                raise SubmissionError(f"{file}: {err.message}") from None
        elif tok.type == "heading_open":
            level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 2
            heading = tokens[i + 1].content if i + 1 < len(tokens) else ""
            qid, title, id_like = _named(heading, by_lower)
            if by_lower is None and level != 2:  # no ids to recognise: level-2 headings name them
                qid, id_like = None, False
            if qid is not None:
                close()
                current = {"id": qid, "title": title, "math": [], "prose": [], "line": last_line,
                           "level": level}
            elif current is not None and current["id"] is not None and level > current["level"] and not id_like:
                # a sub-heading of this answer ("### Derivation"): its text is prose of the answer
                _collect(tokens[i + 1], current, last_line)
            elif current is not None and current["id"] is None and level > current["level"] and not id_like:
                pass  # a sub-heading of a heading of no question: still none
            else:
                # a heading at this answer's level or above, or one that names some (unknown)
                # question: what follows is not this answer's. It is reported (with a did-you-mean)
                # when it looks like a question id, or when it is level 2 and has math under it.
                close()
                current = None
                if level == 2 or id_like:
                    current = {"id": None, "heading": heading.strip(), "id_like": id_like, "math": [],
                               "prose": [], "line": last_line, "level": level}
            i += 3
            continue
        elif current is not None:
            _collect(tok, current, last_line)
        i += 1
    close()
    for qid, section in misspelt.items():  # a misspelt heading answers the question it is close to,
        sections.setdefault(qid, section)  # unless that question has a heading of its own
    math = sum(len(block.latex) for section in sections.values() for block in section.math)
    if math > MAX_MATH:
        raise SubmissionError(f"{file}: {math} characters of mathematics; at most {MAX_MATH} are graded")
    equations = sum(block.latex.count("=") for section in sections.values() for block in section.math)
    if equations > MAX_EQUATIONS:
        raise SubmissionError(f"{file}: {equations} equations ('=') in the mathematics; at most {MAX_EQUATIONS} "
                              "are graded")
    return Submission(file, student, sections, tuple(stray))


def _collect(tok: Token, current: dict, line: int) -> None:
    if tok.type in ("math_block", "math_block_label"):
        # "$$a = b$$ and $$c = d$$" on one line is one block to the parser (from the first $$ to
        # the last), but two displays on the page, as MathJax shows it: split it so, with the
        # text between them as prose (an escaped \$$ is no delimiter)
        pieces = re.split(r"(?<!\\)\$\$", tok.content)
        for k, piece in enumerate(pieces):
            if k % 2 == 0 and piece.strip():
                current["math"].append(MathBlock(piece.strip(), True, line, lead_in(current)))
            elif k % 2 == 1:
                current["prose"].append(piece)
    elif tok.type == "inline":
        for child in tok.children or []:
            if child.type == "math_inline":
                current["math"].append(MathBlock(child.content.strip(), False, line, lead_in(current)))
            elif child.type == "math_inline_double":
                current["math"].append(MathBlock(child.content.strip(), True, line, lead_in(current)))
            elif child.type in ("text", "code_inline"):
                current["prose"].append(child.content)
    elif tok.type in ("fence", "code_block"):
        current["prose"].append(tok.content)


def _named(heading: str, by_lower: dict[str, str] | None) -> tuple[str | None, str, bool]:
    """The question a heading names (any letter case), its title, and whether it looks like a
    question id at all (a dotted word, or one close to an id): such a heading never belongs to
    the answer above it."""
    m = _HEADING.match(_MARKS.sub("", heading))
    if by_lower is not None and (m is None or m.group("id").lower() not in by_lower):
        # an id somewhere in the heading's words: "5.2 quad.gradient", "Problem 5.2 (quad.gradient)"
        named = {by_lower[w.lower()] for w in re.findall(r"[A-Za-z][\w.-]*\w", heading) if w.lower() in by_lower}
        if len(named) == 1:
            return named.pop(), heading.strip(), True
    if m is None:
        return None, "", False
    word = m.group("id")
    title = " ".join(t for t in (m.group("paren"), m.group("title")) if t).strip()
    if by_lower is None:
        return word, title, True
    if word.lower() in by_lower:
        return by_lower[word.lower()], title, True
    return None, "", "." in word or bool(_close(word, by_lower))


def _close(word: str, by_lower: dict[str, str] | None) -> list[str]:
    if not by_lower:
        return []
    return difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.75)


def _meant(heading: str, by_lower: dict[str, str] | None) -> str | None:
    """The question id a stray heading is closest to, if one is close."""
    m = _HEADING.match(_MARKS.sub("", heading))
    near = _close(m.group("id"), by_lower) if m else []
    if not near:  # a heading of several words: the first dotted word close to an id
        words = re.findall(r"[A-Za-z][\w.-]*\w", heading)
        near = next((close for w in words if "." in w and (close := _close(w, by_lower))), [])
    return by_lower[near[0]] if near and by_lower else None


def _did_you_mean(heading: str, by_lower: dict[str, str] | None) -> str:
    """The stray heading as written, with the closest question id when one is close."""
    meant = _meant(heading, by_lower)
    return f"{heading} (did you mean {meant}?)" if meant else heading
