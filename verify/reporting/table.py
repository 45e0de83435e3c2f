"""The terminal report of a run: one row a claim, counterexamples under it, one summary line.

Two layouts. On a terminal at least :data:`COMPACT_BELOW` columns wide, the full table (id,
statement, verdict, scope, time) with the details of every claim not plainly proved under it.
On a narrower one (or with ``compact=True``), one line per claim (a mark, id, verdict, scope,
seconds and the statement cut to fit) with the details indented under the refuted, unknown and
unreadable claims only, at most :data:`DETAIL_LINES` lines each: the HW1 suite fits in 200 lines
at 80 columns, none wider. Statements are shown as given by the caller (the Unicode mathematics of
:mod:`.unicode`), else as the claim's LaTeX.

Ids, statements and details come from files a user wrote (or was sent): each goes through
:mod:`verify.safe_text`, so no escape sequence in them reaches the terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.cells import cell_len
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


#: Below this many columns a terminal gets the compact layout, one line per claim.
COMPACT_BELOW = 100
#: The most lines of details (reason, counterexample) the compact layout shows under one claim.
DETAIL_LINES = 5


def table(rows: Sequence[Row], title: str | None = None, statements: Sequence[str] | None = None) -> Table:
    # a title is plain text (a claims file's own): shown as written, never read as rich markup
    t = Table(title=None if title is None else escape(safe_line(title)), show_lines=False, expand=False)
    t.add_column("id", style="cyan", no_wrap=True)
    t.add_column("statement", overflow="fold", max_width=60)
    t.add_column("verdict", overflow="fold", max_width=34)
    t.add_column("scope", overflow="fold", max_width=34)
    t.add_column("time", justify="right", no_wrap=True)
    for i, row in enumerate(rows):
        t.add_row(
            escape(safe_line(row.id)),
            escape(safe_text(row.statement if statements is None else statements[i])),
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


def mark(row: Row) -> Text:
    """One character for a claim: ✓ as expected (or proved), ✗ not (or refuted), ? unknown, ! error,
    ~ proved at some sizes only (with no expect to say more)."""
    verdict = row.result.verdict
    if verdict is Verdict.ERROR:
        return Text("!", style=STYLE[verdict])
    if verdict is Verdict.UNKNOWN:
        return Text("?", style=STYLE[verdict])
    if row.expect is not None:
        return Text("✓", style="green") if row.ok else Text("✗", style="bold red")
    if row.partial:
        return Text("~", style=PARTIAL)
    return Text("✓", style="green") if verdict is Verdict.PROVED else Text("✗", style="red")


def short_scope(row: Row) -> str:
    """The scope in a few words: ``n=1, 2, 3 only`` for a partial proof, ``as stated`` without
    its parenthesis."""
    scope = row.result.scope or ""
    if row.partial:
        return row.label.removeprefix("proved at ")
    return scope.split(" (")[0] if scope.startswith("as stated") else scope


def _seconds(s: float) -> str:
    return f"{s:.2f}s" if s < 10 else f"{s:.1f}s" if s < 100 else f"{s:.0f}s"


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells (and characters: a combining accent is a character of
    no width), its end replaced by … when cut."""
    if max(cell_len(text), len(text)) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = max(cell_len(ch), 1)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def _detail_lines(row: Row, console: Console, indent: int) -> list[Text]:
    """The reason and the counterexample of a claim, wrapped at the console's width (a wrapped
    line continues two columns further in), at most :data:`DETAIL_LINES` lines, the last one then
    saying how many more there are."""
    r = row.result
    raw = safe_text(r.detail).splitlines() if r.detail else []
    if r.counterexample is not None:
        raw += ["  " + line for line in safe_text(r.counterexample.describe()).splitlines()]
    lines: list[Text] = []
    for text in raw:
        lead = indent + len(text) - len(text.lstrip(" "))
        room = max(20, console.width - lead - 2)
        for n, piece in enumerate(Text(text.strip()).wrap(console, room)):
            piece.rstrip()
            lines.append(Text(" " * (lead + (2 if n else 0))) + piece)
    if len(lines) > DETAIL_LINES:
        more = len(lines) - DETAIL_LINES + 1
        note = _cut(f"… {more} more lines: --format json shows them all", console.width - indent)
        lines = [*lines[:DETAIL_LINES - 1], Text(" " * indent + note, style="dim")]
    return lines


def compact(rows: Sequence[Row], console: Console, title: str | None = None,
            statements: Sequence[str] | None = None) -> None:
    """One line per claim, no wider than the console; details under the refuted, unknown and
    unreadable claims only; the summary line."""
    width = console.width
    ids = [safe_line(r.id) for r in rows]
    scopes = [safe_line(short_scope(r)) for r in rows]
    # mark, id, verdict (7), scope (at most 14), seconds (6), then the statement in what is left (at least 24)
    scope_width = min(14, max((cell_len(s) for s in scopes), default=0))
    fixed = 2 + 1 + 7 + 1 + scope_width + 1 + 6 + 2
    id_width = min(max((cell_len(i) for i in ids), default=2), max(12, width - fixed - 24))
    statement_width = max(8, width - fixed - id_width)
    if title:
        console.print(Text(_cut(safe_line(title), width), style="bold"), no_wrap=True, crop=True)
    for i, row in enumerate(rows):
        r = row.result
        line = mark(row) + " "
        line.append(_cut(ids[i], id_width).ljust(id_width), style="cyan")
        line.append(" ")
        line.append(r.verdict.value.ljust(7), style=PARTIAL if row.partial else STYLE[r.verdict])
        line.append(" ")
        line.append(_cut(scopes[i], scope_width).ljust(scope_width), style=PARTIAL if row.partial else "")
        line.append(" ")
        line.append(_seconds(r.seconds).rjust(6), style="dim")
        line.append("  ")
        statement = row.statement if statements is None else statements[i]
        line.append(_cut(safe_line(statement), statement_width))
        line.rstrip()
        console.print(line, no_wrap=True, crop=True, highlight=False)
        if r.verdict is not Verdict.PROVED:
            for detail in _detail_lines(row, console, 4):
                console.print(detail, no_wrap=True, crop=True, highlight=False)
    console.print(summary(rows), highlight=False)


def is_narrow(console: Console) -> bool:
    """Whether the console is narrower than :data:`COMPACT_BELOW` columns (the compact layout)."""
    return console.width < COMPACT_BELOW


def render(rows: Sequence[Row], console: Console, title: str | None = None,
           statements: Sequence[str] | None = None, compact_layout: bool | None = None) -> None:
    """The report on ``console``: compact when asked, or by default when the console is narrow
    (:func:`is_narrow`); else the full table, its details and the summary. ``statements`` (one a
    row) replace the rows' LaTeX for display."""
    if compact_layout if compact_layout is not None else is_narrow(console):
        compact(rows, console, title, statements)
        return
    console.print(table(rows, title, statements))
    extra = details(rows)
    if extra.renderables:
        console.print(extra)
    console.print(summary(rows))
