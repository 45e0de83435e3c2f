"""One decided claim as a report row: the claim's identity plus its result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verify.deciding import sizing
from verify.model import Result, Verdict, agrees


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

    @property
    def partial(self) -> bool:
        """Proved only at the sizes its scope lists (by instantiation), not at every size its
        letters allow: still ``proved`` in JSON, with that scope, but never shown as plainly proved."""
        return self.result.verdict is Verdict.PROVED and sizing.partial(self.result.scope)

    @property
    def label(self) -> str:
        """The verdict as a person reads it: ``proved at n=1, 2, 3 only`` for a partial proof."""
        if self.partial:
            return f"proved at {sizing.short(self.result.scope or '')} only"
        return self.result.verdict.value

    def to_json(self, extended: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "id": self.id, **self.result.to_json()}
        if extended:
            out.update(section=self.section, statement=self.statement, expect=self.expect)
        return out
