"""One progress bar for every command that decides many claims (the suite, ``check``, ``grade``).

On stderr, and only when it is a terminal (a pipe or a file gets no bar); transient (it leaves
nothing behind); redrawn from the callbacks only, never by rich's refresh thread, because the
decision workers are forked from this process; at most ten times a second, because progress
messages can come in floods.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: ``update(final=False, **fields)``: rich's task fields (completed, total, advance, description)
Update = Callable[..., None]


@contextlib.contextmanager
def progress_bar(console: Console, description: str, total: int | None = None) -> Iterator[Update]:
    """A bar with one task; yields the function that updates it (``final=True`` redraws at once)."""
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
        task = bar.add_task(description, total=total)
        drawn = [0.0]

        def update(final: bool = False, **fields: Any) -> None:
            bar.update(task, **fields)
            now = time.monotonic()
            if final or now - drawn[0] >= 0.1:
                drawn[0] = now
                bar.refresh()

        yield update
