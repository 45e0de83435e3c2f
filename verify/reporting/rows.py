"""One decided claim as a report row: the claim's identity plus its result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verify.deciding.result import Result, agrees


@dataclass(frozen=True)
class Row:
    file: str
    id: str
    statement: str
    result: Result
    section: str = ""
    expect: str | None = None

    @property
    def ok(self) -> bool:
        return agrees(self.result, self.expect)

    def to_json(self, extended: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "id": self.id, **self.result.to_json()}
        if extended:
            out.update(section=self.section, statement=self.statement, expect=self.expect)
        return out
