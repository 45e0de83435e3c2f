r"""The assignment file: one TOML file per assignment, read into :class:`~verify.model.Question` objects.

The format is a public contract (``/work/shared/contracts/assignment-file.md``; README, "Writing an
assignment as a file"): ``id``, ``title``, ``layout``, ``partial_credit``, ``[symbols]``,
``[define]`` and ``[[question]]`` tables with ``id``, ``points``, ``prompt``, ``kind``
(``expression``, ``equation``, ``true-false``, ``parts``), ``answer``, ``solution``,
``justify``, ``[question.symbols]``, ``[question.define]`` and ``[[question.part]]`` tables with
``name`` and ``answer``. A course author writes it instead of a Python module, so nothing in it is
code: every expression is LaTeX read by :class:`~verify.reading.latex.LatexReader` (declarations and
definitions by the claims file's own helpers, :mod:`verify.reading.claims_file`), never by
``sympify`` or ``eval``.

Why two kinds of failure, as for claims files. A file that cannot be read at all (missing, not
TOML, not UTF-8, an unknown top-level key, no ``id``, bad shared declarations) raises
:class:`AssignmentFileError` (path and line): nothing in it can be trusted, the command stops with
status 2. A question that cannot be read (an unknown key, a duplicate id, an undeclared name, an
ill-shaped reference answer, LaTeX outside the subset) is a :class:`Problem` with the line of the
key at fault; ``verify assignment check`` lists every one (status 1), and grading refuses a file
with any (:func:`require_sound`), since a typo must never silently change a grade.

What each kind becomes (the grader's model, :mod:`verify.model.question`):

- ``expression``: the answer must equal ``answer``; the reference claim ``ref.<id>`` is
  ``asked = answer`` (``answer = answer`` without ``asked``: its proof is that the answer reads).
- ``equation``: model kind ``property``; a student's ``L = R`` is right when L - R is a nonzero
  constant multiple of the reference's lhs - rhs (a :class:`~verify.model.Proportional` claim, as
  ``derivations/regulariser.py`` grades reg.condition); an expression alone is read as ``= 0``.
  The reference claim is that lhs - rhs is a nonzero multiple of itself, which fails exactly when
  the equation holds everywhere (``0 = 0`` is no condition).
- ``true-false``: ``answer`` is a TOML boolean; ``justify = true`` flags the reasoning for a TA.
- ``parts``: one :class:`~verify.model.Part` per ``[[question.part]]``; the left side students
  write is ``name`` (read with the question's definitions), the reference of each part is
  ``name = answer``; the last part is the question's own answer.

Extensions (optional keys beyond the contract, each needed by a real course's questions):

- ``asked`` (question): the quantity asked, as LaTeX, ``asked = '\frac{\partial L}{\partial z}'``: the
  left side of the reference claim ``asked = answer``, which the grader uses to pick the equation
  that gives the answer and to refuse an answer that is the asked derivative itself.
- ``where_it_exists = true`` (question, with ``asked``): the answer is compared with the asked
  derivative itself, so ``I(z \geq 0)`` is as right as ``I(z > 0)`` for a ReLU's derivative.
- ``layout`` (question): the layout of one question, where it differs from the file's.
- ``why`` (question): the reason given with the right answer of a true/false question (and kept
  with every reference claim).
- ``row_or_column = true`` (question): a row is taken for a column answer (a point, a gradient's
  value written ``(0, 0)`` or ``[0, 0]`` or as a row), as HW1's beale.stationary takes it.
- ``[meaning]`` and ``[question.meaning]``: name -> what a symbol stands for, shown by ``verify
  questions``.
- ``[question.shown]``: name -> the statement ``verify questions`` shows for a definition, where it
  differs from what is read (display only; the ``[define]`` value is what the grader reads), or for a
  name the grader does not read at all (HW1's ``\nabla \psi = (...)^T``).
- a question's ``id`` may have capitals (``bp.dJ-dW1``, as HW1's ids have); two ids that differ only
  in letter case are a duplicate, since a heading names its question in any case.
- ``answer_form = "matrix"`` or ``"entries"`` (question, expression kind), with an optional
  ``form_message``: an answer of another form is not accepted, whatever it equals (HW1's
  hessian.matrix asks for J written out as a 3 x 3 matrix; reg.expand for R(w) in the entries,
  without vectors or matrices); the message is the student's feedback.
- ``solution`` on a ``true-false`` question: a chain of expressions each equal to the one before
  (its supporting computation); on a ``parts`` question the chain ends at the last part's answer.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verify.errors import VerifyError
from verify.model import (
    Claim,
    Derivative,
    Equality,
    Expr,
    Gradient,
    Hessian,
    MatrixLit,
    Part,
    Proportional,
    Question,
    Shape,
    Symbol,
    Symbols,
    Transpose,
    contains,
    lift,
    read_only,
    shape_of,
)
from verify.reading.chain import split_chain
from verify.reading.claims_file import (
    CONTROL,
    MAX_CLAIMS,
    MAX_CLAIMS_FILE_BYTES,
    ClaimsFileError,
    _compatible,
    _defines,
    _symbols,
    _toml_kind,
    duplicate_message,
)
from verify.reading.latex import LatexReader, Unreadable

#: Largest assignment file read, in bytes (as a claims file: LaTeX is read in this process).
MAX_ASSIGNMENT_FILE_BYTES = MAX_CLAIMS_FILE_BYTES
#: Most questions read from one file.
MAX_QUESTIONS = MAX_CLAIMS
#: Longest solution chain, in expressions.
MAX_SOLUTION = 50

KINDS = ("expression", "equation", "true-false", "parts")
_TOP_KEYS = ("id", "title", "layout", "partial_credit", "symbols", "define", "question", "meaning")
_QUESTION_KEYS = ("id", "points", "prompt", "kind", "answer", "solution", "justify", "symbols", "define", "part",
                  "asked", "where_it_exists", "layout", "why", "row_or_column", "meaning", "shown", "answer_form",
                  "form_message")
#: what ``answer_form`` may require of an answer's form (the extension's values)
FORMS = ("matrix", "entries")
_PART_KEYS = ("name", "answer")
_ID = re.compile(r"[a-z0-9._-]+")
#: a question's id: capitals too (an extension: HW1's ids, fixed by the submissions contract, have them:
#: bp.dJ-dW1); headings name questions in any letter case, so two ids may not differ only in case
_QUESTION_ID = re.compile(r"[A-Za-z0-9._-]+")


class AssignmentFileError(VerifyError):
    """An assignment file that cannot be read at all: its path and (where known) the line at fault."""

    def __init__(self, message: str, path: str, line: int | None = None) -> None:
        super().__init__(f"{path}{f':{line}' if line is not None else ''}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Problem:
    """Something wrong with one question (or one shared definition), at a line of the file."""

    line: int | None
    message: str
    #: the question's id, when it has one
    question: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "a line not found"
        about = f" (question {self.question})" if self.question else ""
        return f"{where}{about}: {self.message}"


@dataclass(frozen=True)
class Check:
    """A claim ``verify assignment check`` must prove: a reference answer, or a solution step."""

    claim: Claim
    #: the line of the key it comes from
    line: int | None
    #: what it checks, in words ("the reference answer", "solution step 2")
    what: str


@dataclass(frozen=True)
class AssignmentFile:
    """An assignment file read: its questions, the claims that check it, and what is wrong in it."""

    path: str
    id: str
    title: str
    layout: str
    #: the share of the points for a right answer reached through a step that does not follow
    partial_credit: float | None
    questions: tuple[Question, ...]
    #: the true/false questions whose reasoning a TA reviews (``justify = true``)
    justify: frozenset[str]
    checks: tuple[Check, ...]
    problems: tuple[Problem, ...]
    #: each question's line (its ``id = ...``, else its ``[[question]]``)
    lines: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", read_only(self.lines))


def load_assignment_file(path: str | Path) -> AssignmentFile:
    """Read an assignment file; raises :class:`AssignmentFileError` when it cannot be read at all."""
    name = str(path)
    p = Path(path)
    if not p.is_file():
        raise AssignmentFileError("no such file" if not p.exists() else "not a file", name)
    try:
        with p.open("rb") as stream:
            raw = stream.read(MAX_ASSIGNMENT_FILE_BYTES + 1)  # a huge file is refused without being read whole
    except OSError as err:
        raise AssignmentFileError(f"cannot be read ({err.strerror})", name) from None
    if len(raw) > MAX_ASSIGNMENT_FILE_BYTES:
        raise AssignmentFileError(f"more than {MAX_ASSIGNMENT_FILE_BYTES} bytes; at most "
                                  f"{MAX_ASSIGNMENT_FILE_BYTES} are read", name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AssignmentFileError("not UTF-8 text", name, raw[:err.start].count(b"\n") + 1) from None
    return parse_assignment(text, name)


def require_sound(assignment: AssignmentFile) -> AssignmentFile:
    """``assignment`` when nothing in it is wrong; else :class:`AssignmentFileError` listing every
    problem (a file with a question that cannot be read is never used to grade)."""
    if not assignment.problems:
        return assignment
    first = assignment.problems[0]
    listed = "; ".join(str(p).splitlines()[0] for p in assignment.problems[:5])  # one line: no caret
    more = f" (and {len(assignment.problems) - 5} more)" if len(assignment.problems) > 5 else ""
    raise AssignmentFileError(f"{len(assignment.problems)} problem{'s' if len(assignment.problems) != 1 else ''}: "
                              f"{listed}{more}; run 'python -m verify assignment check {assignment.path}'",
                              assignment.path, first.line)


# ---------------------------------------------------------------- where keys are written


@dataclass
class _Where:
    """The lines of one table's keys, found by scanning the text (``tomllib`` gives no positions)."""

    header: int
    keys: dict[str, int] = field(default_factory=dict)
    #: a sub-table's keys: ``symbols``, ``define``, ``meaning``, ``shown``
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    parts: list[_Where] = field(default_factory=list)

    def key(self, name: str) -> int:
        return self.keys.get(name, self.header)

    def entry(self, table: str, name: str) -> int:
        return self.tables.get(table, {}).get(name, self.keys.get(table, self.header))


_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^'\n]*'"
_KEY = re.compile(rf"\s*({_QUOTED}|{_BARE})\s*(?:\.\s*(?:{_QUOTED}|{_BARE})\s*)*=")
_HEADER = re.compile(r"\s*(\[\[?)([^\[\]]*)\]\]?\s*(?:#.*)?$")


def _key_text(token: str) -> str | None:
    """A key as TOML reads it (a quoted key unquoted by TOML itself)."""
    if token[:1] not in "\"'":
        return token
    try:
        value = tomllib.loads(f"k = {token}")["k"]
    except tomllib.TOMLDecodeError:
        return None
    return value if isinstance(value, str) else None


def _string_state(line: str, open_delimiter: str | None) -> str | None:
    """Which multi-line string (``'''`` or ``\"\"\"``) is still open at the end of ``line``."""
    i, delimiter = 0, open_delimiter
    while i < len(line):
        if delimiter is not None:
            j = line.find(delimiter, i)
            while j > 0 and delimiter == '"""' and line[j - 1] == "\\":
                j = line.find(delimiter, j + 1)
            if j < 0:
                return delimiter
            i, delimiter = j + 3, None
            continue
        if line.startswith(("'''", '"""'), i):
            delimiter, i = line[i:i + 3], i + 3
        elif line[i] == "'":
            j = line.find("'", i + 1)
            i = len(line) if j < 0 else j + 1
        elif line[i] == '"':
            j = i + 1
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            i = j + 1
        elif line[i] == "#":
            return None
        else:
            i += 1
    return delimiter


def _locate(text: str) -> tuple[_Where, list[_Where]]:
    """The top level's and each ``[[question]]``'s key lines, in the order written."""
    top = _Where(1)
    questions: list[_Where] = []
    current, table = top, ""
    delimiter: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if delimiter is None:
            header = _HEADER.match(line)
            found = None if header else _KEY.match(line)
            if header:
                name = re.sub(r"[\s\"']", "", header.group(2))
                if header.group(1) == "[[" and name == "question":
                    questions.append(_Where(number))
                    current, table = questions[-1], ""
                elif header.group(1) == "[[" and name == "question.part" and questions:
                    questions[-1].parts.append(_Where(number))
                    current, table = questions[-1].parts[-1], ""
                elif name.startswith("question.") and questions:
                    current, table = questions[-1], name.removeprefix("question.")
                    current.keys.setdefault(table, number)
                else:
                    current, table = top, name
                    top.keys.setdefault(name, number)
            elif found:
                key = _key_text(found.group(1))
                if key is not None:
                    if table:
                        current.tables.setdefault(table, {}).setdefault(key, number)
                    else:
                        current.keys.setdefault(key, number)
        delimiter = _string_state(line, delimiter)
    return top, questions


# ---------------------------------------------------------------- reading


def parse_assignment(text: str, path: str = "<text>") -> AssignmentFile:
    """Read the text of an assignment file (``path`` is only used in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        at = re.search(r"at line (\d+)", str(err))
        line = int(at.group(1)) if at else len(text.rstrip("\n").split("\n")) if "end of document" in str(err) else None
        raise AssignmentFileError(f"not TOML: {err}", path, line) from None
    except RecursionError:  # [[[[...]]]]: tomllib parses arrays and inline tables recursively
        raise AssignmentFileError("not TOML that can be read: arrays or tables nested too deeply", path) from None
    top, located = _locate(text)
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], _TOP_KEYS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise AssignmentFileError(f"unknown key {unknown[0]!r} ({hint}an assignment file has id, title, layout, "
                                  "partial_credit, [symbols], [define] and [[question]]; the extension [meaning])",
                                  path, top.key(unknown[0]))
    assignment_id = data.get("id")
    if not isinstance(assignment_id, str) or not _ID.fullmatch(assignment_id):
        raise AssignmentFileError("the assignment needs an id = \"...\" of lower-case letters, digits, '.', '_', '-'"
                                  + (f", not {_toml_kind(assignment_id)}" if assignment_id is not None
                                     and not isinstance(assignment_id, str) else ""), path, top.keys.get("id"))
    title = data.get("title", "")
    if not isinstance(title, str) or CONTROL.search(title):
        raise AssignmentFileError("title must be a string without control characters", path, top.key("title"))
    layout = data.get("layout", "numerator")
    if layout not in ("numerator", "denominator"):
        raise AssignmentFileError(f"layout must be \"numerator\" or \"denominator\", not {layout!r}", path,
                                  top.key("layout"))
    partial = data.get("partial_credit")
    if partial is not None and (isinstance(partial, bool) or not isinstance(partial, int | float)
                                or not 0 <= partial <= 1):
        raise AssignmentFileError(f"partial_credit must be a number from 0 to 1, not {partial!r}", path,
                                  top.key("partial_credit"))
    shared = _table(data, "symbols", path, top)
    meanings = _table(data, "meaning", path, top)
    symbols = _declared(path, shared, meanings, top, "symbols", top)
    shared_defines = _table(data, "define", path, top)
    problems: list[Problem] = []
    defines = _read_defines(path, shared_defines, symbols, layout, top)
    for name, expr in defines.items():
        if isinstance(expr, Unreadable):
            problems.append(Problem(top.entry("define", name), f"[define] {name}: {expr.error}"))
    tables = data.get("question", [])
    if not isinstance(tables, list):
        raise AssignmentFileError("questions are written as [[question]] tables", path, top.key("question"))
    if len(tables) > MAX_QUESTIONS:
        raise AssignmentFileError(f"{len(tables)} questions; at most {MAX_QUESTIONS} are read", path)
    context = _Context(path, title, layout, shared, meanings, shared_defines, symbols, defines, top)
    questions: list[Question] = []
    checks: list[Check] = []
    justify: set[str] = set()
    seen: dict[str, int | None] = {}
    lines: dict[str, int] = {}
    for index, table in enumerate(tables):
        where = located[index] if index < len(located) else _Where(top.key("question"))
        got = _question(context, table, where)
        problems.extend(got.problems)
        if got.id is None:
            continue
        line = where.key("id")
        if got.id.lower() in seen:  # a heading names its question in any letter case
            problems.append(Problem(line, duplicate_message(got.id, seen[got.id.lower()], line), got.id))
            continue
        seen[got.id.lower()] = line
        lines[got.id] = line
        if got.question is not None and not got.problems:
            questions.append(got.question)
            checks.extend(got.checks)
            if got.justify:
                justify.add(got.id)
    return AssignmentFile(path, assignment_id, title, layout, float(partial) if partial is not None else None,
                          tuple(questions), frozenset(justify), tuple(checks), tuple(problems), lines)


def _table(data: Mapping[str, Any], key: str, path: str, where: _Where) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise AssignmentFileError(f"[{key}] must be a table (name = \"...\")", path, where.key(key))
    return value


def _declared(path: str, table: Mapping[str, Any], meanings: Mapping[str, Any], where: _Where, label: str,
              top: _Where, shown_as: str = "symbols") -> Symbols:
    """The symbols of ``table`` (the claims file's declarations), each with its meaning; raises
    :class:`AssignmentFileError` at the line of the declaration at fault."""
    try:
        symbols = _symbols(path, dict(table))
    except ClaimsFileError as err:
        message = err.message.removeprefix(f"{path}: ")
        named = next((n for n in table if message.startswith((f"[symbols] {n}:", f"[symbols] {n[:60]}:"))), None)
        line = where.entry(label, named) if named is not None else where.key(label)
        if named is not None and named not in where.tables.get(label, {}):
            line = top.entry("symbols", named)
        raise AssignmentFileError(message.replace("[symbols]", f"[{shown_as}]", 1), path, line) from None
    for name, text in meanings.items():
        if not isinstance(text, str) or CONTROL.search(text):
            raise AssignmentFileError(f"[meaning] {name}: a meaning is a string without control characters", path,
                                      where.entry("meaning", name))
        if name not in symbols:
            raise AssignmentFileError(f"[meaning] {name}: no symbol of that name is declared", path,
                                      where.entry("meaning", name))
    # a file's names are LaTeX as written ('\alpha', w_{1}): the spelling feedback and listings show
    return Symbols.of([dataclasses.replace(s, meaning=str(meanings.get(n, s.meaning)), latex=s.latex or n)
                       for n, s in symbols.items()])


def _read_defines(path: str, table: Mapping[str, Any], symbols: Symbols, layout: str,
                  where: _Where, shown_as: str = "define") -> dict[str, Expr]:
    for name in table:  # a name is printed by every listing: never a terminal's escape sequence
        if CONTROL.search(name):
            raise AssignmentFileError("[define]: a defined name contains a control character", path,
                                      where.key("define"))
    try:
        return _defines(path, dict(table), symbols, layout)
    except ClaimsFileError as err:
        message = err.message.removeprefix(f"{path}: ")
        named = next((n for n in table if message.startswith(f"[define] {n}:")), None)
        raise AssignmentFileError(message.replace("[define]", f"[{shown_as}]", 1), path,
                                  where.entry("define", named) if named else where.key("define")) from None


@dataclass(frozen=True)
class _Context:
    """What every question shares: the file's path, title, layout, declarations and definitions."""

    path: str
    title: str
    layout: str
    symbols_table: Mapping[str, Any]
    meanings: Mapping[str, Any]
    defines_table: Mapping[str, Any]
    symbols: Symbols
    defines: Mapping[str, Expr]
    top: _Where


@dataclass(frozen=True)
class _Read:
    """One ``[[question]]`` read: its question and checks, or its problems."""

    id: str | None
    question: Question | None = None
    checks: tuple[Check, ...] = ()
    problems: tuple[Problem, ...] = ()
    justify: bool = False


class _Wrong(Exception):
    """A problem of the question being read, at a line: reading it stops there."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _question(context: _Context, table: Any, where: _Where) -> _Read:
    if not isinstance(table, dict):
        return _Read(None, problems=(Problem(where.header, "a [[question]] must be a table"),))
    qid = table.get("id")
    name = qid if isinstance(qid, str) and _QUESTION_ID.fullmatch(qid) else None
    problems: list[Problem] = []
    for key in table:
        if key not in _QUESTION_KEYS:
            close = difflib.get_close_matches(key, _QUESTION_KEYS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(Problem(where.key(key), f"unknown key {key!r} ({hint}a question has id, points, prompt, "
                                                    "kind, answer, solution, justify, [question.symbols], "
                                                    "[question.define] and [[question.part]]; the extensions "
                                                    "asked, where_it_exists, layout, why, row_or_column, "
                                                    "answer_form, form_message, [question.meaning] and "
                                                    "[question.shown])", name))
    for k, part in enumerate(table.get("part", []) if isinstance(table.get("part"), list) else []):
        at = where.parts[k] if k < len(where.parts) else where
        for key in part if isinstance(part, dict) else ():
            if key not in _PART_KEYS:
                close = difflib.get_close_matches(key, _PART_KEYS, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(Problem(at.key(key), f"unknown key {key!r} ({hint}a part has name and answer)", name))
    if name is None:
        shown = f", not {_toml_kind(qid)}" if qid is not None and not isinstance(qid, str) else ""
        problems.append(Problem(where.key("id"), "a question needs an id = \"...\" of letters, digits, "
                                                 f"'.', '_', '-'{shown}"))
        return _Read(None, problems=tuple(problems))
    if problems:
        return _Read(name, problems=tuple(problems))
    try:
        return _build(context, table, where, name)
    except _Wrong as wrong:
        return _Read(name, problems=(Problem(wrong.line, wrong.message, name),))
    except AssignmentFileError as err:  # a declaration of the question's own: a problem of this question
        return _Read(name, problems=(Problem(err.line, err.message.split(": ", 1)[-1], name),))


def _build(context: _Context, table: Mapping[str, Any], where: _Where, qid: str) -> _Read:
    points = table.get("points")
    if isinstance(points, bool) or not isinstance(points, int | float) or not math.isfinite(points) or points <= 0:
        raise _Wrong(where.key("points"), "points is required: a number greater than 0"
                     + (f", not {points!r}" if points is not None else ""))
    prompt = table.get("prompt", "")
    if not isinstance(prompt, str):
        raise _Wrong(where.key("prompt"), "prompt must be a string (Markdown with LaTeX)")
    if CONTROL.search(prompt.replace("\n", " ").replace("\t", " ")):
        raise _Wrong(where.key("prompt"), "the prompt contains a control character")
    kind = table.get("kind", "parts" if "part" in table else "expression")
    if kind not in KINDS:
        raise _Wrong(where.key("kind"), f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    layout = table.get("layout", context.layout)
    if layout not in ("numerator", "denominator"):
        raise _Wrong(where.key("layout"), f"layout must be \"numerator\" or \"denominator\", not {layout!r}")
    flags = {}
    for key in ("justify", "where_it_exists", "row_or_column"):
        flags[key] = table.get(key, False)
        if not isinstance(flags[key], bool):
            raise _Wrong(where.key(key), f"{key} must be true or false (a TOML boolean)")
    if flags["justify"] and kind != "true-false":
        raise _Wrong(where.key("justify"), "justify is read only for a true-false question")
    why = table.get("why", "")
    if not isinstance(why, str) or CONTROL.search(why):
        raise _Wrong(where.key("why"), "why must be a string without control characters")
    if ("part" in table) != (kind == "parts"):
        raise _Wrong(where.key("part" if "part" in table else "kind"),
                     "[[question.part]] tables go with kind = \"parts\", and a parts question needs them")
    if kind == "parts" and "answer" in table:
        raise _Wrong(where.key("answer"), "a parts question has no answer of its own: each [[question.part]] has one")
    if kind != "parts" and "answer" not in table:
        raise _Wrong(where.header, "the question has no answer")
    if "asked" in table and kind not in ("expression",):
        raise _Wrong(where.key("asked"), "asked is read for an expression question (a part's name is its asked)")
    if "answer_form" in table and kind != "expression":
        raise _Wrong(where.key("answer_form"), "answer_form is read for an expression question")
    if flags["where_it_exists"] and "asked" not in table:
        raise _Wrong(where.key("where_it_exists"),
                     "where_it_exists compares with the asked derivative: write asked too")
    own = table.get("symbols", {})
    own_defines = table.get("define", {})
    shown = table.get("shown", {})
    own_meanings = table.get("meaning", {})
    for key, value in (("symbols", own), ("define", own_defines), ("shown", shown), ("meaning", own_meanings)):
        if not isinstance(value, dict):
            raise _Wrong(where.key(key), f"[question.{key}] must be a table of name = \"...\"")
    for name in own:
        if name in context.symbols_table and context.symbols_table[name] != own[name]:
            raise _Wrong(where.entry("symbols", name), f"{name} is declared in [symbols] already, differently; "
                                                        "a question may add names, not change them")
    for name in own_defines:
        if name in context.defines_table and context.defines_table[name] != own_defines[name]:
            raise _Wrong(where.entry("define", name), f"{name} is defined in [define] already, differently; "
                                                       "a question may add definitions, not change them")
    if own or own_meanings:
        symbols = _declared(context.path, {**context.symbols_table, **own},
                            {**context.meanings, **own_meanings}, where, "symbols", context.top, "question.symbols")
    else:
        symbols = context.symbols
    defines: Mapping[str, Expr] = context.defines
    if own_defines or own or layout != context.layout:
        table_defines = {**context.defines_table, **own_defines}
        defines = _read_defines(context.path, table_defines, symbols, layout, where, "question.define")
        for name in own_defines:
            expr = defines[name]
            if isinstance(expr, Unreadable):
                raise _Wrong(where.entry("define", name), f"[question.define] {name}: {expr.error}")
    for name, statement in shown.items():  # display only: a name the grader does not read may be shown too
        if not isinstance(statement, str) or CONTROL.search(statement) or CONTROL.search(name):
            raise _Wrong(where.entry("shown", name), f"[question.shown] {name!r}: a statement is a string without "
                                                      "control characters")
    written = {name: f"{name} = {text}" for name, text in {**context.defines_table, **own_defines}.items()}
    written.update(shown)
    try:
        reader = LatexReader(symbols, layout, dict(defines), index_sums=True, numbers_as_identity=True,
                             node_derivatives=True)
    except VerifyError as err:
        raise _Wrong(where.key("define" if own_defines else "symbols"), str(err)) from None
    read = _Reader(reader, symbols, layout, qid, context.title, why)
    base = {"id": qid, "wording": prompt.strip(), "symbols": symbols, "points": float(points), "layout": layout,
            "defines": defines, "written": written}
    solution = _solution(table, where)
    checks: list[Check] = []
    if kind == "true-false":
        answer = table["answer"]
        if not isinstance(answer, bool):
            raise _Wrong(where.key("answer"), "a true-false answer is true or false (a TOML boolean, no quotes)")
        steps = [(text, read.expr(text, where.key("solution"), "solution")) for text in solution]
        # without a solution there is nothing to prove: a bare claim, with no sides a listing could show
        reference: Claim = read.equality(f"ref.{qid}", steps[0][1], steps[-1][1], where.key("solution"),
                                         f"{solution[0]} = {solution[-1]}") if len(steps) > 1 else \
            Claim(id=f"ref.{qid}", statement=why or f"the statement is {'true' if answer else 'false'}",
                  symbols=Symbols.of([]), section=context.title, why=why)
        checks += read.chain(steps, where.key("solution"))
        question = Question(**base, answer=answer, kind="true-false", reference=reference)
        return _Read(qid, question, tuple(checks), justify=flags["justify"])
    if kind == "equation":
        if solution:
            raise _Wrong(where.key("solution"), "a solution is read for an expression, parts or true-false "
                                                "question, not an equation")
        left, right = read.equation(table["answer"], where.key("answer"))
        condition = read.difference(left, right, where.key("answer"))
        proportional = Proportional(id=f"ref.{qid}", statement=f"{table['answer']} (a condition: not 0 = 0)",
                                 symbols=read.mentioned(condition), section=context.title, expect="holds",
                                 why=why, layout=layout, expr=condition, to=condition)
        question = Question(**base, answer=condition, kind="property", reference=proportional,
                            accepts=_accepts_condition(qid, symbols, layout, condition))
        return _Read(qid, question, (Check(proportional, where.key("answer"), "the reference answer (a condition)"),))
    if kind == "parts":
        parts = table["part"]
        if not isinstance(parts, list) or not parts:
            raise _Wrong(where.key("part"), "a parts question needs [[question.part]] tables")
        made: list[Part] = []
        for k, part in enumerate(parts):
            at = where.parts[k] if k < len(where.parts) else where
            if not isinstance(part, dict) or not isinstance(part.get("name"), str) \
                    or not isinstance(part.get("answer"), str):
                raise _Wrong(at.header, "each [[question.part]] needs name and answer, each a string of LaTeX")
            asked = read.expr(part["name"], at.key("name"), "name")
            value = read.expr(part["answer"], at.key("answer"), "answer")
            ref = read.equality(f"ref.{qid}" if k == len(parts) - 1 else f"ref.{qid}.part{k + 1}", asked, value,
                                at.key("answer"), f"{part['name']} = {part['answer']}")
            accepts = _accepts_value(f"{qid}.part{k + 1}", read, value, flags["row_or_column"])
            made.append(Part(part["name"], value, ref, accepts))
            checks.append(Check(ref, at.key("answer"), f"part {k + 1}'s reference answer"))
        steps = [(text, read.expr(text, where.key("solution"), "solution")) for text in solution]
        checks += read.chain(steps, where.key("solution"), (parts[-1]["answer"], made[-1].answer))
        question = Question(**base, answer=made[-1].answer, kind="property", reference=made[-1].reference,
                            accepts=made[-1].accepts, parts=tuple(made))
        return _Read(qid, question, tuple(checks))
    text = table["answer"]
    if not isinstance(text, str):
        raise _Wrong(where.key("answer"), f"answer must be a string of LaTeX, not {_toml_kind(text)}")
    answer = read.expr(text, where.key("answer"), "answer")
    asked_text = table.get("asked")
    if asked_text is not None and not isinstance(asked_text, str):
        raise _Wrong(where.key("asked"), "asked must be a string of LaTeX")
    asked = read.expr(asked_text, where.key("asked"), "asked") if asked_text is not None else answer
    reference = read.equality(f"ref.{qid}", asked, answer, where.key("answer"),
                              f"{asked_text} = {text}" if asked_text is not None else text)
    if asked_text is None and read.differentiates(answer):
        raise _Wrong(where.key("answer"), "an answer with a derivative in it needs asked = '...' (what the "
                                          "question asks), or a student's right answer would read as the question")
    checks.append(Check(reference, where.key("answer"), "the reference answer"))
    steps = [(t, read.expr(t, where.key("solution"), "solution")) for t in solution]
    checks += read.chain(steps, where.key("solution"), (text, answer))
    form, message = table.get("answer_form"), table.get("form_message")
    if form is not None and form not in FORMS:
        raise _Wrong(where.key("answer_form"), f"answer_form must be one of {', '.join(FORMS)}, not {form!r}")
    if message is not None and (form is None or not isinstance(message, str) or CONTROL.search(message)):
        raise _Wrong(where.key("form_message"), "form_message is a string (without control characters) that goes "
                                                "with answer_form")
    accepted = None
    if flags["row_or_column"] or form is not None:
        # where_it_exists compares with the asked derivative, as Question.answer_claim does without accepts
        target = asked if flags["where_it_exists"] else answer
        accepted = _accepts_value(qid, read, target, flags["row_or_column"], form, message)
        try:
            accepted(answer, None)  # the reference answer has the form it asks of students
        except ValueError as err:
            raise _Wrong(where.key("answer"), f"the reference answer does not have the form answer_form asks: {err}") \
                from None
    question = Question(**base, answer=answer, reference=reference, accepts=accepted,
                        where_it_exists=flags["where_it_exists"])
    return _Read(qid, question, tuple(checks))


def _solution(table: Mapping[str, Any], where: _Where) -> list[str]:
    solution = table.get("solution", [])
    if not isinstance(solution, list) or not all(isinstance(s, str) for s in solution):
        raise _Wrong(where.key("solution"), "solution must be a list of LaTeX strings: ['...', '...']")
    if len(solution) > MAX_SOLUTION:
        raise _Wrong(where.key("solution"), f"a solution of {len(solution)} expressions; at most {MAX_SOLUTION}")
    return list(solution)


@dataclass(frozen=True)
class _Reader:
    """Reads a question's LaTeX as the grader reads a student's (the same reader options), so that
    what the author writes and what a student writes compare as equal expressions."""

    reader: LatexReader
    symbols: Symbols
    layout: str
    qid: str
    section: str
    why: str

    def expr(self, text: str, line: int | None, key: str) -> Expr:
        if CONTROL.search(text):
            raise _Wrong(line, f"{key}: contains a control character")
        try:
            expr = self.reader.read(text)
            shape_of(expr, self.table, self.layout)
        except VerifyError as err:
            raise _Wrong(line, f"{key}: {err}") from None
        except RecursionError:
            raise _Wrong(line, f"{key}: too deeply nested to read") from None
        return expr

    @property
    def table(self) -> Mapping[str, Symbol]:
        return self.reader.table

    def mentioned(self, *exprs: Expr) -> Symbols:
        """The question's symbols and the nodes (d J / d z_2: z_2 at its value) the expressions use."""
        names = frozenset().union(*(e.names() for e in exprs))
        nodes = [s for s in self.reader.nodes.values() if s.name in names and s.name not in self.symbols]
        return Symbols.of([*self.symbols.values(), *nodes]) if nodes else self.symbols

    def equality(self, cid: str, lhs: Expr, rhs: Expr, line: int | None = None, statement: str = "") -> Equality:
        left, right = shape_of(lhs, self.table, self.layout), shape_of(rhs, self.table, self.layout)
        if not _compatible(left, right):
            raise _Wrong(line, f"the sides have different shapes: {lhs.latex()} is {left}, {rhs.latex()} is {right}")
        return Equality(id=cid, statement=statement or f"{lhs.latex()} = {rhs.latex()}",
                        symbols=self.mentioned(lhs, rhs), section=self.section, expect="holds", why=self.why,
                        layout=self.layout, lhs=lhs, rhs=rhs)

    def chain(self, steps: list[tuple[str, Expr]], line: int | None, answer: tuple[str, Expr] | None = None
              ) -> list[Check]:
        """One check per link of a solution, each expression equal to the one before (its texts as
        written), and the last equal to ``answer`` when there is one."""
        links = [*steps, answer] if steps and answer is not None else steps
        checks = []
        for k, ((a_text, a), (b_text, b)) in enumerate(itertools.pairwise(links), start=1):
            last = answer is not None and k == len(links) - 1
            what = "the solution's last expression equals the answer" if last else f"solution step {k}"
            checks.append(Check(self.equality(f"{self.qid}.solution.{k}", a, b, line, f"{a_text} = {b_text}"),
                                line, what))
        return checks

    def equation(self, text: Any, line: int | None) -> tuple[Expr, Expr]:
        if not isinstance(text, str):
            raise _Wrong(line, "an equation's answer is a string of LaTeX: 'lhs = rhs'")
        try:
            chains = split_chain(text)
        except VerifyError as err:
            raise _Wrong(line, f"answer: {err}") from None
        if len(chains) != 1 or len(chains[0]) != 2:
            raise _Wrong(line, "an equation's answer is one equation, 'lhs = rhs'")
        left, right = chains[0]
        return self.expr(left.latex, line, "answer (left side)"), self.expr(right.latex, line, "answer (right side)")

    def difference(self, left: Expr, right: Expr, line: int | None) -> Expr:
        self.equality(f"ref.{self.qid}", left, right, line)  # the sides' shapes agree
        return left if right == lift(0) else left - right

    def differentiates(self, expr: Expr) -> bool:
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, Derivative | Gradient | Hessian):
                return True
            stack.extend(node.children())
        return False


def _accepts_condition(qid: str, symbols: Symbols, layout: str, condition: Expr) -> Callable[[Expr, Expr | None],
                                                                                               Claim]:
    """A student's ``L = R`` states the condition exactly when L - R is a nonzero multiple of the
    reference's lhs - rhs (the two equations then have the same solutions); an expression alone
    is read as ``= 0`` (as ``derivations/regulariser.py`` grades reg.condition)."""
    def accepts(answer: Expr, lhs: Expr | None = None) -> Claim:
        stated = answer if lhs is None else lhs if answer == lift(0) else lhs - answer
        return Proportional(id=f"{qid}.answer", statement=f"{stated.latex()} = 0", symbols=symbols, layout=layout,
                            expr=stated, to=condition)
    return accepts


def _accepts_value(cid: str, read: _Reader, target: Expr, row_or_column: bool, form: str | None = None,
                   message: str | None = None) -> Callable[[Expr, Expr | None], Claim]:
    """The answer must equal ``target``; with ``row_or_column`` a row is taken for a column (and a
    column for a row): a point or a gradient's value, written ``(0, 0)``, ``[0, 0]`` or as a row.

    ``form`` (``answer_form``) refuses, with ``message`` (or a default) as the grader's feedback, an
    answer of another form, whatever it equals: ``matrix``, not written out as a matrix of the
    reference's size (``J`` itself, or a product, is the question restated); ``entries``, with a
    vector or matrix in it (``w^T S w`` is not R(w) expanded in the entries)."""
    shape = shape_of(target, read.table, read.layout)

    def accepts(answer: Expr, lhs: Expr | None = None) -> Claim:
        if form == "matrix" and not (isinstance(answer, MatrixLit) and _sized(answer, shape)):
            fixed = isinstance(shape.rows, int) and isinstance(shape.cols, int)
            size = f"{shape.rows} x {shape.cols} " if fixed else ""
            raise ValueError(message or f"the question asks for the answer written out as a {size}matrix")
        if form == "entries" and contains(answer, (MatrixLit, Transpose)):
            raise ValueError(message or "the question asks for the answer in the entries, without vectors or matrices")
        expected = target
        if row_or_column:
            try:
                mine, theirs = shape_of(answer, read.table, read.layout), shape_of(target, read.table, read.layout)
                if mine == Shape(theirs.cols, theirs.rows) and mine != theirs:
                    expected = target.T
            except VerifyError:
                pass  # an ill-formed answer is reported by the comparison itself
        return Equality(id=f"{cid}.answer", statement=f"{answer.latex()} = {expected.latex()}",
                        symbols=read.mentioned(answer, expected), layout=read.layout, lhs=answer, rhs=expected)
    return accepts


def _sized(matrix: MatrixLit, shape: Shape) -> bool:
    """Whether a written-out matrix has the reference's size, where the size is a number."""
    rows, cols = len(matrix.rows), {len(r) for r in matrix.rows}
    return (not isinstance(shape.rows, int) or rows == shape.rows) and (
        not isinstance(shape.cols, int) or cols == {shape.cols})


