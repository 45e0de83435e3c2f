"""The rich table of a run: one row a claim, counterexamples under it, one summary line.

Ids, statements and details come from files a user wrote (or was sent): each goes through
:mod:`verify.safe_text`, so no escape sequence in them reaches the terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from verify.model import Verdict
from verify.reporting.rows import Row
from verify.safe_text import safe_line, safe_text

STYLE = {
    Verdict.PROVED: "green",
    Verdict.REFUTED: "red",
    Verdict.UNKNOWN: "yellow",
    Verdict.ERROR: "magenta",
}


#: A proof at some sizes only (by instantiation) while the letters allow others: a warning, not green.
PARTIAL = "dark_orange"


def verdict_text(row: Row) -> Text:
    text = Text(row.label, style=PARTIAL if row.partial else STYLE[row.result.verdict])
    if row.expect is not None:
        text.append(" ✓" if row.ok else f" ✗ (expected {'proved' if row.expect == 'holds' else 'refuted'})",
                    style="dim" if row.ok else "bold red")
    return text


def table(rows: Sequence[Row], title: str | None = None) -> Table:
    t = Table(title=None if title is None else safe_line(title), show_lines=False, expand=False)
    t.add_column("id", style="cyan", no_wrap=True)
    t.add_column("statement", overflow="fold", max_width=60)
    t.add_column("verdict", overflow="fold", max_width=34)
    t.add_column("scope", overflow="fold", max_width=34)
    t.add_column("time", justify="right", no_wrap=True)
    for row in rows:
        t.add_row(
            escape(safe_line(row.id)),
            escape(safe_text(row.statement)),
            verdict_text(row),
            escape(safe_text(row.result.scope or "")),
            f"{row.result.seconds:.2f} s",
        )
    return t


def details(rows: Sequence[Row]) -> Group:
    """Counterexamples and reasons, under the table, for every claim that was not proved (or was
    proved at some sizes only: what holds, and that the other sizes are not proved)."""
    parts = []
    for row in rows:
        r = row.result
        if r.verdict is Verdict.PROVED and not row.partial:
            continue
        head = Text(f"{safe_line(row.id)}: ", style="bold cyan")
        head.append(row.label, style=PARTIAL if row.partial else STYLE[r.verdict])
        if r.detail:
            head.append(f" — {safe_text(r.detail)}")
        parts.append(head)
        if r.counterexample is not None:
            parts.append(Text("  " + safe_text(r.counterexample.describe()).replace("\n", "\n  ")))
    return Group(*parts)


def summary(rows: Sequence[Row]) -> Text:
    counts = Counter(r.result.verdict for r in rows)
    seconds = sum(r.result.seconds for r in rows)
    text = Text(f"{len(rows)} claims: ")
    text.append(", ".join(f"{counts[v]} {v.value}" for v in Verdict if counts[v]))
    partial = sum(r.partial for r in rows)
    if partial:
        text.append(f" ({partial} proved at some sizes only)", style=PARTIAL)
    with_expect = [r for r in rows if r.expect is not None]
    if with_expect:
        bad = [r for r in rows if not r.ok]
        text.append("; ")
        named = ", ".join(safe_line(r.id) for r in bad)
        text.append(
            "every verdict as expected" if not bad else f"{len(bad)} not as expected: {named}",
            style="green" if not bad else "bold red",
        )
    text.append(f" ({seconds:.1f} s of deciding)")
    return text


def render(rows: Sequence[Row], console: Console, title: str | None = None) -> None:
    console.print(table(rows, title))
    extra = details(rows)
    if extra.renderables:
        console.print(extra)
    console.print(summary(rows))
