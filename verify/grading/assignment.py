"""An assignment: its questions, found by name in ``derivations/``.

A course author adds an assignment by writing one module ``derivations/<name>.py`` that
defines ``ASSIGNMENT``; nothing in ``verify/`` changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

from verify.errors import VerifyError
from verify.model import Question

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class UnknownAssignment(VerifyError):
    """No module in derivations/ defines the assignment asked for."""


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    questions: tuple[Question, ...]

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


def load_assignment(name: str) -> Assignment:
    """The ``ASSIGNMENT`` of ``derivations/<name>.py``; the name is checked before any import."""
    if not _NAME.match(name):
        raise UnknownAssignment(f"{name!r} is not an assignment name (lower-case letters, digits, underscores)")
    try:
        module = import_module(f"derivations.{name}")
    except ModuleNotFoundError:
        raise UnknownAssignment(f"no assignment {name!r}: there is no derivations/{name}.py") from None
    assignment = getattr(module, "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        raise UnknownAssignment(f"derivations/{name}.py defines no ASSIGNMENT")
    return assignment
