"""Deciding a list of claims with progress, and turning them into report rows."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from verify.deciding.batch.execution import Execution, decide_all
from verify.model.claim import Claim
from verify.model.result import Result
from verify.reporting.rows import Row


def run(
    claims: Sequence[tuple[str, Claim]],
    timeout: float | None,
    console: Console | None = None,
    on_row: Callable[[Row], None] = lambda r: None,
    execution: Execution | None = None,
) -> list[Row]:
    """Decide each (file, claim) as ``execution`` says (default: one at a time, no cache), with a
    progress bar on ``console`` when it is a terminal; rows come back (and ``on_row`` is called)
    in input order.

    The bar is redrawn from the callbacks only (``auto_refresh=False``): rich would otherwise
    run a refresh thread, and the workers are forked from this process.
    """
    console = console or Console(stderr=True)
    execution = execution or Execution(jobs=1, timeout=timeout)
    rows: list[Row | None] = [None] * len(claims)
    emitted = [0]
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        auto_refresh=False,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("deciding", total=len(claims))
        drawn = [0.0]

        def redraw() -> None:  # at most ten times a second: progress messages can come in floods
            now = time.monotonic()
            if now - drawn[0] >= 0.1:
                drawn[0] = now
                bar.refresh()

        def progress(index: int, message: str) -> None:
            bar.update(task, description=f"{claims[index][1].id}: {message}")
            redraw()

        def done(index: int, result: Result) -> None:
            file, claim = claims[index]
            rows[index] = Row(file, claim.id, claim.statement, result, claim.section, claim.expect)
            while emitted[0] < len(rows) and (row := rows[emitted[0]]) is not None:
                on_row(row)
                emitted[0] += 1
            bar.update(task, advance=1, description=f"decided {claim.id}")
            redraw()

        decide_all([c for _, c in claims], execution, on_progress=progress, on_done=done)
    return rows  # type: ignore[return-value]  # every row is set by on_done; list[Row | None] does not narrow
