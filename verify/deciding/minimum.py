"""Deciding :class:`~verify.model.claim.GlobalMinimum` claims (placeholder: to be written)."""

from __future__ import annotations

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.result import Result, Verdict
from verify.model.claim import GlobalMinimum


@decide_inline.register
def decide_minimum(minimum: GlobalMinimum, progress: Progress = quiet) -> Result:
    return Result(Verdict.UNKNOWN, detail="no decision procedure for GlobalMinimum claims yet")
