"""An assignment: its questions, found by name in ``derivations/`` or read from a TOML file.

A course author adds an assignment by writing one module ``derivations/<name>.py`` that
defines ``ASSIGNMENT``, or one assignment file (``derivations/<name>.toml`` for a built-in one, or
any ``*.toml`` named by its path: :mod:`verify.reading.assignment_file`); nothing in ``verify/``
changes. ``--assignment`` takes either: a name (``hw1``) or a path (``hw2.toml``, ``./hw2.toml``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from verify.errors import VerifyError
from verify.model import Question
from verify.reading import load_assignment_file, require_sound

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class UnknownAssignment(VerifyError):
    """No module in derivations/ defines the assignment asked for."""


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    questions: tuple[Question, ...]
    #: the share of the points for a right answer reached through a step that does not follow,
    #: as the assignment sets it (``--partial-credit`` overrides it; None: the grader's default)
    partial_credit: float | None = None
    #: the true/false questions whose reasoning a TA reviews; None: every one (a Python assignment)
    justify: frozenset[str] | None = None
    #: the assignment file it was read from (None: a Python module), which a Gradescope bundle carries
    source: str | None = None

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(q.id for q in self.questions)

    def review_kinds(self) -> Mapping[str, str]:
        """Each question's kind as :func:`verify.grading.flag_for_review` takes it: a true/false
        question whose file says no justification is asked (no ``justify = true``) is graded on its
        word, which is then all it asks for, so its reasoning is not flagged for a TA."""
        def kind(q: Question) -> str:
            if q.kind == "true-false" and self.justify is not None and q.id not in self.justify:
                return "true-false, no reasoning asked"
            return q.kind
        return {q.id: kind(q) for q in self.questions}


def is_path(name: str) -> bool:
    """Whether ``--assignment`` names an assignment file (``hw2.toml``, ``course/hw2.toml``) rather than a
    built-in; any other path (``../verify/cli``) is neither, and refused as a name."""
    return name.lower().endswith(".toml")


def from_file(path: str | Path) -> Assignment:
    """The assignment of an assignment file; raises :class:`~verify.reading.AssignmentFileError` when
    it cannot be read or any of its questions cannot (a file with a problem never grades)."""
    read = require_sound(load_assignment_file(path))
    return Assignment(read.id, read.title, read.questions, read.partial_credit, read.justify, read.path)


def load_assignment(name: str) -> Assignment:
    """The assignment ``name`` names: a path to an assignment file, or a built-in name (the
    ``ASSIGNMENT`` of ``derivations/<name>.py``, else the file ``derivations/<name>.toml``); the
    name is checked before any import."""
    if is_path(name):
        return from_file(name)
    if not _NAME.match(name):
        raise UnknownAssignment(f"{name!r} is not an assignment name (lower-case letters, digits, underscores) "
                                "nor a path to a .toml assignment file")
    try:
        module = import_module(f"derivations.{name}")
    except ModuleNotFoundError as err:
        if err.name not in (f"derivations.{name}", "derivations"):
            raise
        builtin = builtin_file(name)
        if builtin is not None:
            return from_file(builtin)
        raise UnknownAssignment(f"no assignment {name!r}: there is no derivations/{name}.py nor "
                                f"derivations/{name}.toml") from None
    assignment = getattr(module, "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        raise UnknownAssignment(f"derivations/{name}.py defines no ASSIGNMENT")
    return assignment


def builtin_file(name: str) -> Path | None:
    """``derivations/<name>.toml`` in the derivations package's folder, when there is one (a name
    only: no path reaches a folder other than the package's)."""
    if not _NAME.match(name):
        return None
    try:
        package = import_module("derivations")
    except ImportError:
        return None
    for folder in getattr(package, "__path__", []):
        path = Path(folder) / f"{name}.toml"
        if path.is_file():
            return path
    return None
