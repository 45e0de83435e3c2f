"""The mathematics of HW1, one module per section of hw1-solution.md.

Each section module defines ``SECTION`` (its heading) and ``CLAIMS``: every statement of the
written solution as it is written there, errors included, and the correct reference form of
every answer (ids ``ref.<question id>``), which must itself be proved.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from verify.model.claim import Claim
from verify.model.question import Question

MODULES = (
    "partial_derivatives",
    "hessian",
    "regulariser",
    "backpropagation",
    "beale",
    "quadratic",
    "adamax",
)


def all_claims() -> list[tuple[str, Claim]]:
    """Every claim, with the file it is written in (relative to the project root)."""
    out = []
    for name in MODULES:
        module = import_module(f"derivations.{name}")
        file = str(Path("derivations") / f"{name}.py")
        for claim in module.CLAIMS:
            out.append((file, claim))
    return out


def all_questions() -> list[Question]:
    """Every gradable HW1 question, in the order of the solution (section modules' QUESTIONS)."""
    out: list[Question] = []
    for name in MODULES:
        out.extend(getattr(import_module(f"derivations.{name}"), "QUESTIONS", []))
    return out
