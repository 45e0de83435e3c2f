"""Deciding :class:`~verify.model.claim.PolynomialDegree` claims (placeholder: to be written)."""

from __future__ import annotations

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.result import Result, Verdict
from verify.model.claim import PolynomialDegree


@decide_inline.register
def decide_degree(degree: PolynomialDegree, progress: Progress = quiet) -> Result:
    return Result(Verdict.UNKNOWN, detail="no decision procedure for PolynomialDegree claims yet")
