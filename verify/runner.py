"""Deciding a list of claims with progress, and turning them into report rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from verify.deciding.engine import decide
from verify.model.claim import Claim
from verify.reporting.rows import Row


def run(
    claims: Sequence[tuple[str, Claim]],
    timeout: float | None,
    console: Console | None = None,
    on_row: Callable[[Row], None] = lambda r: None,
) -> list[Row]:
    """Decide each (file, claim) in order; a progress bar on ``console`` when it is a terminal."""
    console = console or Console(stderr=True)
    rows: list[Row] = []
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("deciding", total=len(claims))
        for file, claim in claims:
            bar.update(task, description=f"deciding {claim.id}")

            def progress(message: str, claim: Claim = claim) -> None:
                bar.update(task, description=f"{claim.id}: {message}")

            result = decide(claim, timeout=timeout, progress=progress)
            row = Row(file, claim.id, claim.statement, result, claim.section, claim.expect)
            rows.append(row)
            on_row(row)
            bar.advance(task)
    return rows
