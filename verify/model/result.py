"""What deciding a claim produces: a verdict, its scope, and the evidence behind it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from verify.model.read_only import read_only


class Verdict(StrEnum):
    """The four public verdicts of the claims-file contract."""

    PROVED = "proved"
    REFUTED = "refuted"
    UNKNOWN = "unknown"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Counterexample:
    """Exact values at which the two sides differ, and both sides' values there.

    Values are kept as text (SymPy's exact printing) so that a result crosses process
    boundaries and JSON without pickling SymPy objects.
    """

    values: Mapping[str, str]
    lhs: str
    rhs: str
    sizes: Mapping[str, int] = field(default_factory=dict)
    note: str = ""
    #: every atom's exact value by its entry name (``A[1,2]``, ``dx[1]/dz[2]``), for re-checking
    point: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("values", "sizes", "point"):
            object.__setattr__(self, name, read_only(getattr(self, name)))

    def __reduce__(self) -> tuple[Any, ...]:
        # to a worker's parent through a pipe: a read-only view does not pickle, its copy does
        return (Counterexample, (dict(self.values), self.lhs, self.rhs, dict(self.sizes), self.note, dict(self.point)))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"values": dict(self.values), "lhs": self.lhs, "rhs": self.rhs}
        if self.sizes:
            out["sizes"] = dict(self.sizes)
        if self.note:
            out["note"] = self.note
        return out

    def describe(self) -> str:
        sizes = ", ".join(f"{k} = {v}" for k, v in self.sizes.items())
        values = "; ".join(f"{k} = {v}" for k, v in self.values.items())
        head = f"at {sizes}: " if sizes else "at "
        text = f"{head}{values}\n  lhs = {self.lhs}\n  rhs = {self.rhs}"
        return f"{text}\n  ({self.note})" if self.note else text


@dataclass(frozen=True)
class Result:
    verdict: Verdict
    detail: str = ""
    scope: str | None = None
    counterexample: Counterexample | None = None
    seconds: float = 0.0

    def with_seconds(self, seconds: float) -> Result:
        return Result(self.verdict, self.detail, self.scope, self.counterexample, seconds)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "scope": self.scope,
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "detail": self.detail,
            "seconds": round(self.seconds, 4),
        }


def agrees(result: Result, expect: str | None) -> bool:
    """Whether a verdict matches what the mathematics says: holds -> proved, fails -> refuted."""
    if expect is None:
        return result.verdict is Verdict.PROVED
    return result.verdict is {"holds": Verdict.PROVED, "fails": Verdict.REFUTED}[expect]
