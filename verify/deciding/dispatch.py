"""The table from claim kind to decision procedure.

Each kind's module registers its procedure with ``@decide_inline.register``; the engine
imports them all, so adding a kind means one new module and one import in ``engine``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import singledispatch

from verify.model import Claim, Result, Verdict

Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """A progress callback that ignores everything."""


@singledispatch
def decide_inline(claim: Claim, progress: Progress = quiet) -> Result:
    """Decide in this process, without a time limit."""
    return Result(Verdict.UNKNOWN, detail=f"no decision procedure for {type(claim).__name__} claims")
