"""Reading a LaTeX submission (``.tex``) into the sections the Markdown reader gives.

Students write homework in LaTeX (Overleaf, ``align`` environments) as often as in Markdown. This
module finds in a ``.tex`` file what a Markdown submission says with headings and dollars (which
question each answer belongs to, its mathematics, its prose) and builds the same
:class:`~verify.reading.markdown.Submission`, so that grading never knows which format a student
wrote. The headings follow the Markdown reader's rules exactly (the same functions name the
question a heading names, suggest the id a misspelt one means, and tell a sub-heading from a
heading of another answer); a sectioning command is a heading of the level its name gives.

The file is never run through TeX, and nothing in it is expanded, input or executed: the preamble
is skipped, ``\\input{...}``, ``\\include{...}`` and ``\\newcommand`` are words whose arguments are
dropped, and a macro in math is passed on as written, for the LaTeX reader to read or refuse (a
student's ``\\R`` defined in the preamble is an unknown macro there, never its definition). A small
tokenizer (:func:`_tokens`: comments, control sequences, braces, math shifts, text, verbatim) does
the reading, so that ``\\%``, ``\\$``, a ``%`` comment or a ``\\verb|$|`` is told from structure as
TeX tells it, which regular expressions over the raw text would get wrong.

Mathematics: ``$...$`` and ``\\(...\\)`` are inline; ``$$...$$``, ``\\[...\\]`` and the display
environments are display blocks. An aligned environment (``align``, ``gather``, ``eqnarray``,
``flalign``, ``alignat``, starred or not) is one block written as ``\\begin{aligned}...\\end{aligned}``,
which the chain reader (:mod:`verify.reading.chain`) splits as it splits a Markdown student's: its
rows (split at ``\\\\``, ``&`` dropped) are statements in order, a row that starts with ``=`` going on
with the chain above it. ``\\label``, ``\\tag``, ``\\nonumber`` and ``\\notag`` are dropped; a
``multline`` is one equation broken over lines. A math delimiter left open ends where TeX would
have stopped with an error: ``$`` and the display forms at the paragraph's end, an environment at
the next heading (or the end of the document), so that one typo does not swallow later answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verify.reading.markdown import (
    MAX_EQUATIONS,
    MAX_MATH,
    MathBlock,
    Section,
    Submission,
    SubmissionError,
    _did_you_mean,
    _meant,
    _named,
    check_text,
    lead_in,
)

#: Sectioning commands and the Markdown heading level each stands for (``\section`` is ``##``).
HEADINGS = {"part": 1, "chapter": 1, "section": 2, "subsection": 3, "subsubsection": 4,
            "paragraph": 5, "subparagraph": 6}
#: Display environments whose rows are statements, in the chain reader's ``aligned``.
ALIGNED = frozenset({"align", "align*", "gather", "gather*", "eqnarray", "eqnarray*", "flalign",
                     "flalign*", "alignat", "alignat*", "aligned", "gathered"})
#: Display environments that hold one equation (``multline``'s line breaks are dropped).
SINGLE = frozenset({"equation", "equation*", "displaymath", "multline", "multline*", "dmath", "dmath*"})
#: Environments of inline math.
INLINE = frozenset({"math"})
#: Commands whose arguments are names, files, lengths or labels, never prose: skipped whole, and
#: never acted on (``\input{/etc/passwd}`` reads nothing).
NOT_PROSE = frozenset({"input", "include", "includeonly", "includegraphics", "InputIfFileExists", "label",
                       "ref", "eqref", "pageref", "cite", "url", "href", "usepackage", "documentclass",
                       "bibliography", "bibliographystyle", "vspace", "hspace", "setlength", "addtolength",
                       "setcounter", "addtocounter", "pagestyle", "thispagestyle"})
#: Definitions: their name and body are skipped, never expanded (bodies, for \newenvironment).
DEFINITIONS = {"newcommand": 1, "renewcommand": 1, "providecommand": 1, "DeclareMathOperator": 1,
               "def": 1, "gdef": 1, "edef": 1, "xdef": 1, "let": 0, "newenvironment": 2,
               "renewenvironment": 2}
#: Dropped from math: numbering and labels (with their argument when they take one).
MATH_DROPPED = {"nonumber": 0, "notag": 0, "label": 1, "tag": 1}
#: Environments whose content is not TeX (read as written, as prose) or not read at all.
_RAW_ENV = re.compile(r"\s*\{(verbatim\*?|Verbatim|lstlisting|minted|comment)\}")
#: A comment that names the question of the section it starts, or the student.
_QUESTION = re.compile(r"^\s*question\s*:\s*(?P<id>\S.*?)\s*$", re.IGNORECASE)
_STUDENT = re.compile(r"^\s*student\s*:\s*(?P<name>\S.*?)\s*$", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
#: What a control symbol is in prose and in a title: ``\%`` is a percent sign, ``\\`` a space.
_SYMBOLS = {"%": "%", "$": "$", "&": "&", "_": "_", "#": "#", "{": "{", "}": "}", "\\": " ", " ": " ",
            ",": " ", ";": " ", ":": " ", "!": "", "\n": " ", "~": "~"}
_SPECIAL = "%\\${}[]*&"


@dataclass(frozen=True)
class _Token:
    """One token: ``kind`` is ``comment``, ``cs`` (a control sequence: ``text`` its name),
    ``raw`` (verbatim content), ``par`` (a blank line), ``text``, or one of ``$ $$ { } [ ] * &``."""

    kind: str
    text: str
    source: str
    line: int
    #: for a comment: nothing but blanks before it on its line
    alone: bool = False


def _tokens(text: str) -> list[_Token]:
    """The tokens of ``text``, in one pass; nothing is expanded."""
    out: list[_Token] = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "%":
            end = text.find("\n", i)
            end = n if end < 0 else end
            start_of_line = text.rfind("\n", 0, i) + 1
            out.append(_Token("comment", text[i + 1:end], text[i:end], line, not text[start_of_line:i].strip()))
            i = end
        elif c == "\\":
            j = i + 1
            while j < n and text[j].isascii() and text[j].isalpha():
                j += 1
            if j == i + 1:  # a control symbol: \\, \%, \$, \[ ...
                j = min(i + 2, n)
            name = text[i + 1:j]
            out.append(_Token("cs", name, text[i:j], line))
            line += text.count("\n", i, j)
            i = j
            if name == "verb":
                i, line = _verb(text, i, line, out)
            elif name == "begin":
                raw = _RAW_ENV.match(text, i)
                if raw:
                    env = raw.group(1)
                    close = text.find(f"\\end{{{env}}}", raw.end())
                    close = n if close < 0 else close
                    out.append(_Token("{", "{", "{", line))
                    out.append(_Token("text", env, env, line))
                    out.append(_Token("}", "}", "}", line))
                    body = text[raw.end():close]
                    out.append(_Token("raw", "" if env == "comment" else body, body, line))
                    line += text.count("\n", i, close)
                    i = close
        elif c == "$":
            kind = "$$" if text.startswith("$$", i) else "$"
            out.append(_Token(kind, kind, kind, line))
            i += len(kind)
        elif c in _SPECIAL:
            out.append(_Token(c, c, c, line))
            i += 1
        else:
            j = i
            while j < n and text[j] not in _SPECIAL:
                j += 1
            chunk, at = text[i:j], 0
            for blank in _BLANK_LINE.finditer(chunk):
                if blank.start() > at:
                    out.append(_Token("text", chunk[at:blank.start()], chunk[at:blank.start()], line))
                    line += chunk.count("\n", at, blank.start())
                out.append(_Token("par", " ", blank.group(), line))
                line += blank.group().count("\n")
                at = blank.end()
            if at < len(chunk):
                out.append(_Token("text", chunk[at:], chunk[at:], line))
                line += chunk.count("\n", at)
            i = j
    return out


def _verb(text: str, i: int, line: int, out: list[_Token]) -> tuple[int, int]:
    """``\\verb|...|``: its content, up to the same delimiter on the same line, is raw text."""
    if text.startswith("*", i):
        i += 1
    if i >= len(text) or text[i] in "\n \t":
        return i, line
    end = text.find(text[i], i + 1)
    newline = text.find("\n", i + 1)
    if end < 0 or (0 <= newline < end):
        end = len(text) if newline < 0 else newline
    body = text[i + 1:end]
    out.append(_Token("raw", body, text[i:end + 1], line))
    return min(end + 1, len(text)), line


class _Reader:
    """The tokens of one file, read once from the start: preamble, body, sections."""

    def __init__(self, tokens: list[_Token], by_lower: dict[str, str] | None) -> None:
        self.toks = tokens
        self.by_lower = by_lower
        self.sections: dict[str, Section] = {}
        self.misspelt: dict[str, Section] = {}
        self.stray: list[str] = []
        self.current: dict | None = None
        self.student: str | None = None
        self.author: str | None = None

    # ---------------------------------------------------------------- tokens and arguments

    def _skip_blank(self, i: int) -> int:
        while i < len(self.toks) and (self.toks[i].kind == "comment"
                                      or (self.toks[i].kind == "text" and not self.toks[i].text.strip())):
            i += 1
        return i

    def _group(self, i: int, long: bool = False) -> tuple[list[_Token], int]:
        """The tokens of the group ``{...}`` at ``i`` (blanks before it skipped), and where it
        ends; a group left open ends at the paragraph (as TeX's arguments do) unless ``long``.
        In a definition (``long``) a command stands for a group of itself (``\\def\\R``)."""
        i = self._skip_blank(i)
        if i >= len(self.toks):
            return [], i
        if self.toks[i].kind != "{":
            return ([self.toks[i]], i + 1) if long and self.toks[i].kind == "cs" else ([], i)
        depth, j = 1, i + 1
        while j < len(self.toks):
            kind = self.toks[j].kind
            if kind == "{":
                depth += 1
            elif kind == "}":
                depth -= 1
                if depth == 0:
                    return self.toks[i + 1:j], j + 1
            elif kind == "par" and not long:
                break
            j += 1
        return self.toks[i + 1:j], j

    def _optional(self, i: int) -> int:
        """Past the ``*`` and ``[...]`` arguments at ``i`` (blanks before them skipped)."""
        while True:
            k = self._skip_blank(i)
            if k < len(self.toks) and self.toks[k].kind == "*":
                i = k + 1
            elif k < len(self.toks) and self.toks[k].kind == "[":
                depth, j = 0, k + 1
                while j < len(self.toks) and self.toks[j].kind != "par":
                    kind = self.toks[j].kind
                    depth += (kind == "{") - (kind == "}")
                    if kind == "]" and depth <= 0:
                        break
                    j += 1
                i = j + 1
            else:
                return i

    def _environment(self, i: int) -> tuple[str, int]:
        """The name of the environment that ``\\begin`` or ``\\end`` at ``i`` opens or closes, and
        where its name ends; a name is a few tokens (``align*``), so this never reads far."""
        j = self._skip_blank(i + 1)
        if j >= len(self.toks) or self.toks[j].kind != "{":
            return "", i + 1
        k = j + 1
        while k < len(self.toks) and k < j + 6 and self.toks[k].kind not in ("}", "par"):
            k += 1
        if k < len(self.toks) and self.toks[k].kind == "}":
            return "".join(t.source for t in self.toks[j + 1:k]).strip(), k + 1
        return "", j + 1

    def _breaks(self, i: int) -> bool:
        """Whether the token at ``i`` starts a new answer (or ends the document): where an
        environment left open ends."""
        t = self.toks[i]
        if t.kind == "cs" and (t.text in HEADINGS or (t.text == "end" and self._environment(i)[0] == "document")):
            return True
        return t.kind == "comment" and t.alone and _QUESTION.match(t.text) is not None

    # ---------------------------------------------------------------- the document

    def read(self) -> None:
        has_document = any(t.kind == "cs" and t.text == "begin" and self._environment(k)[0] == "document"
                           for k, t in enumerate(self.toks))
        i = 0
        if has_document:  # the preamble: only who wrote it
            while i < len(self.toks):
                t = self.toks[i]
                i += 1
                if t.kind == "comment":
                    self._comment(t, in_body=False)
                elif t.kind == "cs" and t.text == "author":
                    i = self._author(i)
                elif t.kind == "cs" and t.text in DEFINITIONS:
                    i = self._definition(t.text, i)
                elif t.kind == "cs" and t.text == "begin":
                    name, j = self._environment(i - 1)
                    if name == "document":
                        i = j
                        break
        while i < len(self.toks):
            i = self._body(i)
            if i < 0:  # \end{document}: what follows is not read, as TeX does not read it
                break
        self._close()
        for qid, section in self.misspelt.items():  # as the Markdown reader does: a misspelt heading
            self.sections.setdefault(qid, section)  # answers the question it is close to

    def _body(self, i: int) -> int:
        """Read what starts at ``i`` in the document's body; where to go on (-1: its end)."""
        t = self.toks[i]
        if t.kind == "comment":
            self._comment(t, in_body=True)
            return i + 1
        if t.kind in ("$", "$$"):
            return self._math_shift(i)
        if t.kind in ("text", "raw"):
            self._prose(t.text.replace("~", " ") if t.kind == "text" else t.text)
            return i + 1
        if t.kind in ("[", "]", "*", "&"):
            self._prose(t.text)
            return i + 1
        if t.kind != "cs":  # braces print nothing; a paragraph break is a space
            self._prose(" " if t.kind == "par" else "")
            return i + 1
        name = t.text
        if name in HEADINGS:
            j = self._optional(i + 1)
            group, j = self._group(j)
            self._heading(HEADINGS[name], _plain(group), t.line)
            return j
        if name == "begin":
            env, j = self._environment(i)
            if env in ALIGNED or env in SINGLE or env in INLINE:
                return self._math_environment(env, j, t.line)
            return j
        if name == "end":
            env, j = self._environment(i)
            return -1 if env == "document" else j
        if name in ("[", "("):
            return self._math_until(i + 1, "]" if name == "[" else ")", name == "[", t.line)
        if name in DEFINITIONS:
            return self._definition(name, i + 1)
        if name in NOT_PROSE:
            j = self._optional(i + 1)
            _, j = self._group(j)
            return j
        if name == "author":
            return self._author(i + 1)
        if name == "iffalse":  # a block commented out
            j = i + 1
            while j < len(self.toks) and not (self.toks[j].kind == "cs" and self.toks[j].text == "fi"):
                j += 1
            return j + 1
        self._prose(_SYMBOLS.get(name, " ") if len(name) <= 1 else " ")
        return i + 1

    def _comment(self, t: _Token, in_body: bool) -> None:
        student = _STUDENT.match(t.text)
        if student and self.student is None:
            self.student = student.group("name")
        question = _QUESTION.match(t.text)
        if in_body and question and t.alone:
            self._heading(2, question.group("id"), t.line)

    def _author(self, i: int) -> int:
        group, j = self._group(self._optional(i))
        first: list[_Token] = []
        for t in group:  # "\author{Ada \\ University}", "\author{Ada \and Bob}": the first name
            if t.kind == "cs" and t.text in ("\\", "and", "thanks", "footnote", "AND"):
                break
            first.append(t)
        name = _plain(first)
        if name and self.author is None:
            self.author = name
        return j

    def _definition(self, name: str, i: int) -> int:
        """Past a definition (``\\newcommand{\\R}[1]{\\mathbb{R}}``, ``\\def\\x#1{...}``): its name, its
        parameters and its bodies, none of them read."""
        i = self._optional(i)
        _, i = self._group(i, long=True)  # the name: {\R}, \R or {env}
        for _ in range(DEFINITIONS[name]):
            i = self._optional(i)
            j = self._skip_blank(i)
            while j < len(self.toks) and self.toks[j].kind not in ("{", "par"):  # \def's #1#2
                j += 1
            _, i = self._group(j, long=True)
        return i

    # ---------------------------------------------------------------- mathematics

    def _math_shift(self, i: int) -> int:
        shift = self.toks[i].kind
        return self._math_until(i + 1, shift, shift == "$$", self.toks[i].line)

    def _math_until(self, i: int, close: str, display: bool, line: int) -> int:
        """Math from ``i`` to its closing delimiter (``$``, ``$$``, ``]`` for ``\\]``, ``)``), at
        brace depth 0; left open, it ends at the paragraph or the next heading."""
        depth, j = 0, i
        while j < len(self.toks):
            t = self.toks[j]
            if depth == 0 and close == "$" and t.kind == "$$":  # "$a$$b$" is $a$ then $b$
                self._math(self._latex(self.toks[i:j]), display, line)
                self.toks[j] = _Token("$", "$", "$", t.line)
                return j
            if depth == 0 and ((close in ("$", "$$") and t.kind == close)
                               or (close in ("]", ")") and t.kind == "cs" and t.text == close)):
                self._math(self._latex(self.toks[i:j]), display, line)
                return j + 1
            if t.kind == "par" or self._breaks(j):
                break
            depth += (t.kind == "{") - (t.kind == "}")
            j += 1
        self._math(self._latex(self.toks[i:j]), display, line)
        return j

    def _math_environment(self, env: str, i: int, line: int) -> int:
        """A math environment's content, up to its ``\\end`` (or, left open, the next heading)."""
        if env.startswith("alignat"):
            _, i = self._group(i)  # its column count
        j = i
        while j < len(self.toks):
            t = self.toks[j]
            if t.kind == "cs" and t.text == "end" and self._environment(j)[0] == env:
                break
            if self._breaks(j):
                break
            j += 1
        latex = self._latex(self.toks[i:j], rows=env not in ("multline", "multline*"))
        if env in ALIGNED:
            latex = f"\\begin{{aligned}} {latex} \\end{{aligned}}" if latex else ""
        self._math(latex, env not in INLINE, line)
        if j < len(self.toks) and self.toks[j].kind == "cs" and self.toks[j].text == "end":
            name, after = self._environment(j)
            if name == env:
                return after
        return j

    def _latex(self, tokens: list[_Token], rows: bool = True) -> str:
        """The LaTeX of math tokens as written, without comments, labels and numbering (and
        without line breaks when not ``rows``); ``\\intertext`` goes to the prose."""
        out: list[str] = []
        k = 0
        while k < len(tokens):
            t = tokens[k]
            k += 1
            if t.kind == "comment":
                continue
            if t.kind == "cs" and t.text in MATH_DROPPED:
                if MATH_DROPPED[t.text]:
                    start = k
                    while k < len(tokens) and tokens[k].kind in ("*", "text") and not tokens[k].text.strip("* \t\n"):
                        k += 1
                    if k < len(tokens) and tokens[k].kind == "{":
                        k = _matching(tokens, k)
                    else:
                        k = start
                continue
            if t.kind == "cs" and t.text in ("intertext", "shortintertext") and k < len(tokens):
                end = _matching(tokens, k) if tokens[k].kind == "{" else k
                self._prose(_plain(tokens[k + 1:end - 1]))
                k = end
                continue
            if t.kind == "cs" and t.text == "\\" and not rows:
                out.append(" ")
                continue
            out.append(t.source)
        return " ".join("".join(out).split())

    def _math(self, latex: str, display: bool, line: int) -> None:
        if self.current is not None and latex:
            self.current["math"].append(MathBlock(latex, display, line, lead_in(self.current)))

    def _prose(self, text: str) -> None:
        if self.current is not None:
            self.current["prose"].append(text)

    # ---------------------------------------------------------------- sections (markdown.py's rules)

    def _heading(self, level: int, heading: str, line: int) -> None:
        """A heading, as the Markdown reader takes one (``read_submission``): a question's, a
        sub-heading of the answer above, or one of no question (reported when it looks like an id)."""
        qid, title, id_like = _named(heading, self.by_lower)
        if self.by_lower is None and level != 2:  # no ids to recognise: level-2 headings name them
            qid, id_like = None, False
        current = self.current
        if qid is not None:
            self._close()
            self.current = {"id": qid, "title": title, "math": [], "prose": [], "line": line, "level": level}
        elif current is not None and current["id"] is not None and level > current["level"] and not id_like:
            current["prose"].append(f" {heading} ")  # "\subsection*{Derivation}": prose of the answer
        elif current is not None and current["id"] is None and level > current["level"] and not id_like:
            pass
        else:
            self._close()
            self.current = None
            if level == 2 or id_like:
                self.current = {"id": None, "heading": heading.strip(), "id_like": id_like, "math": [],
                                "prose": [], "line": line, "level": level}

    def _close(self) -> None:
        current = self.current
        if current is None:
            return
        prose = " ".join("".join(current["prose"]).split())
        if current["id"] is None:
            if current["id_like"] or current["math"]:  # not a grouping heading ("\section{Problem 5}")
                self.stray.append(_did_you_mean(current["heading"], self.by_lower))
                meant = _meant(current["heading"], self.by_lower)
                if meant is not None and meant not in self.misspelt and (current["math"] or prose):
                    self.misspelt[meant] = Section(meant, "", tuple(current["math"]), prose, current["line"],
                                                   misspelt=current["heading"])
        elif current["id"] not in self.sections:
            self.sections[current["id"]] = Section(current["id"], current["title"], tuple(current["math"]), prose,
                                                   current["line"])
        self.current = None


def _matching(tokens: list[_Token], k: int) -> int:
    """Past the group that opens at ``tokens[k]`` (its end, when left open)."""
    depth = 0
    while k < len(tokens):
        depth += (tokens[k].kind == "{") - (tokens[k].kind == "}")
        k += 1
        if depth == 0:
            break
    return k


def _plain(tokens: list[_Token]) -> str:
    """Tokens as plain text on one line, for a heading or a name: commands and braces dropped
    (their arguments kept, but a label's), control symbols as the characters they print, math as
    written."""
    out: list[str] = []
    k = 0
    while k < len(tokens):
        t = tokens[k]
        k += 1
        if t.kind == "cs" and t.text in NOT_PROSE and k < len(tokens) and tokens[k].kind == "{":
            k = _matching(tokens, k)  # "\section{pd.linear\label{sec:1}}": the label is no title
        elif t.kind == "cs":  # a command prints nothing of itself (its arguments are the text)
            out.append(_SYMBOLS.get(t.text, " ") if len(t.text) <= 1 else "")
        elif t.kind in ("{", "}", "comment", "par"):
            out.append(" " if t.kind == "par" else "")
        else:
            out.append(t.source if t.kind in ("$", "$$") else t.text)
    return " ".join("".join(out).split())


def read_latex_submission(text: str, file: str, student: str, questions: frozenset[str] | None = None) -> Submission:
    """Split a LaTeX submission into question sections, as :func:`read_submission` splits Markdown;
    ``student`` is the name when the file gives none (``% student: NAME``, else ``\\author{NAME}``)."""
    check_text(text, file, "LaTeX")
    by_lower = {q.lower(): q for q in questions} if questions is not None else None
    reader = _Reader(_tokens(text), by_lower)
    reader.read()
    name = (reader.student or reader.author or "").strip()[:200] or student
    math = sum(len(block.latex) for section in reader.sections.values() for block in section.math)
    if math > MAX_MATH:
        raise SubmissionError(f"{file}: {math} characters of mathematics; at most {MAX_MATH} are graded")
    equations = sum(block.latex.count("=") for section in reader.sections.values() for block in section.math)
    if equations > MAX_EQUATIONS:
        raise SubmissionError(f"{file}: {equations} equations ('=') in the mathematics; at most {MAX_EQUATIONS} "
                              "are graded")
    return Submission(file, name, reader.sections, tuple(reader.stray))
