"""Deciding a list of claims with progress, and turning them into report rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console

from verify.cli.progress import progress_bar
from verify.deciding import Execution, decide_all
from verify.model import Claim, Result
from verify.reporting import Row


def run(
    claims: Sequence[tuple[str, Claim]],
    timeout: float | None,
    console: Console | None = None,
    on_row: Callable[[Row], None] = lambda r: None,
    execution: Execution | None = None,
) -> list[Row]:
    """Decide each (file, claim) as ``execution`` says (default: one at a time, no cache), with the
    progress bar (:mod:`verify.cli.progress`) on ``console``; rows come back (and ``on_row`` is
    called) in input order."""
    console = console or Console(stderr=True)
    execution = execution or Execution(jobs=1, timeout=timeout)
    rows: list[Row | None] = [None] * len(claims)
    emitted = [0]
    with progress_bar(console, "deciding", len(claims)) as update:

        def progress(index: int, message: str) -> None:
            update(description=f"{claims[index][1].id}: {message}")

        def done(index: int, result: Result) -> None:
            file, claim = claims[index]
            rows[index] = Row(file, claim.id, claim.statement, result, claim.section, claim.expect)
            while emitted[0] < len(rows) and (row := rows[emitted[0]]) is not None:
                on_row(row)
                emitted[0] += 1
            update(advance=1, description=f"decided {claim.id}")

        decide_all([c for _, c in claims], execution, on_progress=progress, on_done=done)
    return rows  # type: ignore[return-value]  # every row is set by on_done; list[Row | None] does not narrow
