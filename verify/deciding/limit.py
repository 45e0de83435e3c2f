"""Deciding :class:`~verify.model.claim.Limit` claims (placeholder: to be written)."""

from __future__ import annotations

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.result import Result, Verdict
from verify.model.claim import Limit


@decide_inline.register
def decide_limit(limit: Limit, progress: Progress = quiet) -> Result:
    return Result(Verdict.UNKNOWN, detail="no decision procedure for Limit claims yet")
