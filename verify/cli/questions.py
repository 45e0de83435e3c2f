"""``python -m verify questions ASSIGNMENT [--format table|json]``.

Lists what a student needs to write a gradable answer: each question's id (the heading to
use), its wording, the symbols it may use spelled as the grader reads them, what each name it
defines stands for (as the author writes it, never the engine's expanded form nor the answer
itself), and its points.
A student who writes ``\\hat{y}`` where the grader expects ``\\hat{y}^{(i)}`` loses a point
for notation, not mathematics; this listing is how they avoid that. Exit 0, or 2 for an
unknown assignment or bad usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from verify.cli import options
from verify.grading import Assignment
from verify.model import Equality, Expr, Question, Symbol, Var
from verify.reporting import number

_KIND_HINT = {
    "expression": "answer with an expression (the right-hand side of your last equation)",
    "true-false": "answer true or false (yes/no) in prose, with your reasoning",
    "property": "answer with the condition, matrix or values asked for",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify questions",
        description="List an assignment's questions: id (the heading of the answer), wording, "
        "the symbols a student may use (as LaTeX), and points.",
    )
    p.add_argument("assignment", metavar="ASSIGNMENT",
                   help="a built-in assignment's name (hw1) or the path of an assignment file (hw2.toml)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    return p


def _spelled(value: Any, spelling: Mapping[str, str]) -> Any:
    """``value`` with every variable renamed to its LaTeX spelling (``z2`` -> ``z_2``), for display only.

    Expressions print their internal names; a student must see the names they may write.
    """
    if isinstance(value, Var):
        return Var(spelling.get(value.name, value.name))
    if isinstance(value, tuple):
        return tuple(_spelled(v, spelling) for v in value)
    if isinstance(value, Expr) and dataclasses.is_dataclass(value):
        changes = {f.name: _spelled(getattr(value, f.name), spelling) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def _reveals_answer(q: Question, expr: Expr) -> bool:
    """Whether a definition's right side is the answer itself, or what its reference proves equal to it
    (hessian.matrix's J is the Jacobian of the gradient written out: the very matrix asked for)."""
    answers: list[object] = [q.answer]
    if isinstance(q.reference, Equality):
        answers += [q.reference.lhs, q.reference.rhs]
    return any(expr == a for a in answers if isinstance(a, Expr))


def _defines(q: Question) -> dict[str, str]:
    """What each name of the question stands for, as a LaTeX statement for students.

    The author's text (``Question.written``: ``\\hat{x}^k = V^T (x^k - x^*)``) where there is one;
    else the engine's expression printed in the students' spelling, unless it is the answer or
    mentions a symbol the listing leaves out (the rotation's ``t``): a student must never be
    shown the reference answer, nor a parameter they never write.
    """
    spelling = {s.name: s.latex for s in q.symbols.values() if s.latex}
    out = dict(q.written)
    for name, expr in q.defines.items():
        if name in out or _reveals_answer(q, expr) or expr.names() & q.unlisted:
            continue
        try:
            out[name] = f"{name} = {_spelled(expr, spelling).latex()}"
        except Exception:  # display only: fall back to the internal names rather than fail the listing
            try:
                out[name] = f"{name} = {expr.latex()}"
            except NotImplementedError:
                continue
    return out


def _statements(q: Question) -> list[str]:
    """The statements of ``_defines``, each once (one may define several names: f and f(x_1, x_2))."""
    return list(dict.fromkeys(_defines(q).values()))


def _listed(q: Question) -> list[Symbol]:
    """The symbols a student may write: all declared ones but the engine's parameters."""
    return [s for s in q.symbols.values() if s.name not in q.unlisted]


def question_json(q: Question) -> dict[str, Any]:
    return {
        "id": q.id,
        "wording": q.wording,
        "points": number(q.points),
        "kind": q.kind,
        "layout": q.layout,
        "symbols": [
            {"name": s.name, "latex": s.latex or s.name, "shape": s.describe(), "meaning": s.meaning}
            for s in _listed(q)
        ],
        "defines": _defines(q),
        "samples": _samples_text(q) if q.samples is not None else None,
        "parts": [p.name for p in q.parts],
    }


def _samples_text(q: Question) -> str:
    """How a sum over the samples is read: students should know it is checked at m = 2 only."""
    s = q.samples
    assert s is not None
    count = q.symbols[s.count].latex or s.count
    return (f"a sum over all samples, \\sum_{{{s.index}=1}}^{{{count}}}, is checked with {count} = {s.AT} "
            f"(sample {s.index} and one other): a difference there shows it wrong for every {count}, "
            "agreement there is left to a TA")


def assignment_json(a: Assignment) -> dict[str, Any]:
    return {"assignment": a.id, "title": a.title, "max_score": number(a.max_score),
            "questions": [question_json(q) for q in a.questions]}


def question_view(q: Question) -> Group:
    head = Text(f"## {q.id}", style="bold cyan")
    points = number(q.points)
    head.append(f"   {points} point{'s' if points != 1 else ''}", style="bold")
    parts: list[Any] = [head, Text(q.wording)]
    hint = _KIND_HINT.get(q.kind, "")
    if q.kind == "expression":
        hint += f"; derivatives in {q.layout} layout"
    parts.append(Text(hint, style="dim italic"))
    if q.parts:
        share = number(q.points / len(q.parts))
        parts.append(Text(f"in {len(q.parts)} parts, {share} point{'s' if share != 1 else ''} each, each given by "
                          "its own equation: " + ", ".join(f"{p.name} = ..." for p in q.parts), style="dim italic"))
    listed = _listed(q)
    if listed:
        t = Table(show_header=True, header_style="bold", box=None, padding=(0, 2, 0, 2))
        t.add_column("write", style="green", no_wrap=True)
        t.add_column("shape", no_wrap=True)
        t.add_column("meaning", overflow="fold")
        for s in listed:
            t.add_row(Text(s.latex or s.name), Text(s.describe()), Text(s.meaning))
        parts.append(t)
    for statement in _statements(q):
        parts.append(Text(f"  where {statement}", style="dim"))
    if q.samples is not None:
        parts.append(Text(f"  {_samples_text(q)}", style="dim"))
    parts.append(Text(""))
    return Group(*parts)


#: How answers may be written, as the reader reads them (the README lists every form).
NOTATION = (
    ("vectors, matrices", r"x, \mathbf{x}, \boldsymbol{x}, \bm{x}, \vec{x}; A x, A \cdot x"),
    ("transposes", r"x^T, x^\top, x^\intercal, x^\mathsf{T}, x' (on a vector or matrix); A^{-1}"),
    ("derivatives", r"\frac{\partial f}{\partial x}, \partial f / \partial x, \partial_x f, "
                    r"\frac{\mathrm{d} f}{\mathrm{d} u}, \nabla_x f, \nabla h(x), \nabla f(0, 1), "
                    r"\psi_{uv}, \sigma'(u)"),
    ("functions", r"\exp(u), e^{u}, \log, \sigma, \tanh, \operatorname{ReLU}, \operatorname{diag}, "
                  r"\operatorname{tr}, \det, \max\{a, b\}, |a|, \operatorname{sign}(u), \operatorname{softmax}(u)"),
    ("indicators", r"I(z > 0), \mathbb{1}[z > 0], \mathbb{1}\{z \geq 0\}; \|x\|^2, \|A\|_F^2, "
                          r"\langle a, b \rangle"),
    ("written out", r"(a, b), [a, b], [a; b], \begin{bmatrix} a & b \\ c & d \end{bmatrix}, "
                                      r"and with \cdots, \vdots, \ddots where the entries fix the pattern"),
)


def render(a: Assignment, console: Console) -> None:
    title = Text(f"{a.id}: {a.title}", style="bold")
    title.append(f"   ({len(a.questions)} questions, {number(a.max_score)} points)")
    console.print(title)
    if a.questions:
        first = a.questions[0].id
        console.print(Text(f"Answer each question under a heading that names its id: '## {first}', "
                           f"'### {first}: title', '# {first.upper()}' (any level, any letter case). The "
                           "answer is the right side of the last equation that names what is asked, else of "
                           "the last equation.", style="dim"))
        t = Table(show_header=False, box=None, padding=(0, 2, 0, 2))
        t.add_column("what", style="bold", no_wrap=True)
        t.add_column("write", overflow="fold")
        for what, forms in NOTATION:
            t.add_row(Text(what), Text(forms))
        console.print(Text("Notation that is read:", style="dim"))
        console.print(t)
    console.print()
    for q in a.questions:
        console.print(question_view(q))


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(list(argv))
    assignment = options.assignment_of(args.assignment, "verify questions")
    if assignment is None:
        return 2
    if args.format == "json":
        print(json.dumps(assignment_json(assignment), indent=2))
    else:
        render(assignment, Console())
    return 0
