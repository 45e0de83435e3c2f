"""The HTML report: one self-contained page per run, mathematics rendered, wrong steps marked.

A TA reads a graded derivation faster as typeset mathematics with the failing step in red
than as JSON. The page opens offline and needs no script: formulas are MathML (which
Chromium and Firefox lay out natively), pictures are SVG inside ``data:`` URIs, styles are
inline, and a Content-Security-Policy forbids scripts and every network request outright.

What is on the page is built in two steps, so that no text is ever glued into markup here:
first plain values (the ``*View`` dataclasses below), in which every piece of mathematics is
already :class:`markupsafe.Markup` produced by :mod:`verify.reporting.mathml` (converted and
sanitised, or escaped source); then Jinja2 templates (``templates/*.j2``) with autoescaping
on, so every other string (a student's name, a claim id, feedback prose) is escaped.
Autoescaping is switched on explicitly: Jinja2's default guesses from the file name, and
``*.html.j2`` would not count as HTML.

Escaping does nothing to control and bidirectional-override characters (a file name's
``\x1b[2J``, a name's U+202E that would show a row's text reversed): the finished page goes
through :func:`verify.safe_text.safe_text`, which replaces them all with U+FFFD. No
markup or template of ours has one, so nothing else on the page changes.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from verify.grading import Assignment, Mark, QuestionGrade, StepStatus, SubmissionGrade, flag_for_review
from verify.model import (
    Claim,
    Convex,
    Counterexample,
    Equality,
    GlobalMinimum,
    Limit,
    PolynomialDegree,
    Proportional,
    Question,
    Recurrence,
    Symbol,
    Var,
    Verdict,
    read_only,
)
from verify.reporting import mathml, plots
from verify.reporting.atomic import write_text_atomic
from verify.reporting.gradebook import number
from verify.reporting.plots import Picture
from verify.reporting.rows import Row
from verify.safe_text import safe_line, safe_text

TEMPLATES = Path(__file__).parent / "templates"

#: How a grading step's status reads on the page: the claims vocabulary, since a step is a claim.
STEP_MARK = {
    StepStatus.FOLLOWS: "proved",
    StepStatus.DOES_NOT_FOLLOW: "refuted",
    StepStatus.NOT_CHECKED: "unknown",
}


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_ANCHOR = re.compile(r"[^A-Za-z0-9_.-]+")


def anchor(*parts: str) -> str:
    """An element id made of safe characters (ids are attributes: escaped anyway, but also readable)."""
    return "-".join(_ANCHOR.sub("_", p) for p in parts if p) or "_"


# ---------------------------------------------------------------- values shown on the page


@dataclass(frozen=True)
class CounterexampleView:
    sizes: str
    values: tuple[tuple[Markup, Markup], ...]
    lhs: Markup
    rhs: Markup
    note: str


def counterexample_view(cx: Counterexample, symbols: Mapping[str, Symbol] | None = None) -> CounterexampleView:
    values = tuple((_name(k, symbols), mathml.from_value(v)) for k, v in cx.values.items())
    return CounterexampleView(
        sizes=", ".join(f"{k} = {v}" for k, v in cx.sizes.items()),
        values=values,
        lhs=mathml.from_described_value(cx.lhs),
        rhs=mathml.from_described_value(cx.rhs),
        note=cx.note,
    )


def _name(key: str, symbols: Mapping[str, Symbol] | None) -> Markup:
    """A counterexample's key: a declared name as math, anything else (``dA/dt``, ``x[1]``) as text."""
    if symbols is not None and key in symbols:
        return mathml.name(key, symbols)
    return Markup('<span class="value-text">{}</span>').format(key)


@dataclass(frozen=True)
class EngineLine:
    """One line of "as the engine reads it": a few words, then a formula."""

    words: Markup
    math: Markup


@dataclass(frozen=True)
class ClaimView:
    id: str
    anchor: str
    verdict: str
    expect: str | None
    ok: bool
    statement: Markup
    engine: tuple[EngineLine, ...]
    scope: str
    detail: str
    why: str
    seconds: float
    counterexample: CounterexampleView | None
    picture: Picture | None


@dataclass(frozen=True)
class ClaimGroup:
    title: str
    anchor: str
    claims: tuple[ClaimView, ...]

    @property
    def counts(self) -> dict[str, int]:
        return _counts(c.verdict for c in self.claims)


def _counts(verdicts: Iterable[str]) -> dict[str, int]:  # Verdicts or their values: a StrEnum is a str
    found = Counter(verdicts)
    return {v.value: found[v.value] for v in Verdict if found[v.value]}


def engine_lines(claim: Claim) -> tuple[EngineLine, ...]:
    """The claim as the engine decided it, printed from its expression trees."""
    s = claim.symbols

    def names(variables: Sequence[Var]) -> Markup:
        return Markup(", ").join(mathml.name(v.name, s) for v in variables)

    if isinstance(claim, Equality):
        return (EngineLine(Markup(""), mathml.relation(claim.lhs, "=", claim.rhs, s)),)
    if isinstance(claim, Convex):
        return (EngineLine(Markup("convex in {}:").format(names(claim.wrt)), mathml.from_expr(claim.f, s)),)
    if isinstance(claim, Recurrence):
        seq, k = names([claim.sequence]), names([claim.k])
        return (
            EngineLine(Markup("{} at {} = {}:").format(seq, k, claim.base), mathml.from_expr(claim.initial, s)),
            EngineLine(Markup("next {} from {}:").format(seq, seq), mathml.from_expr(claim.step, s)),
            EngineLine(Markup("claimed closed form in {}:").format(k), mathml.from_expr(claim.closed, s)),
        )
    if isinstance(claim, GlobalMinimum):
        kind = "unique global minimum" if claim.unique else "global minimum"
        point = Markup(", ").join(mathml.from_expr(p, s) for p in claim.point)
        return (EngineLine(Markup("{} over {} at ({}):").format(kind, names(claim.wrt), point),
                           mathml.from_expr(claim.f, s)),)
    if isinstance(claim, PolynomialDegree):
        return (EngineLine(Markup("a polynomial of degree ≤ {} in {}:").format(claim.degree, names(claim.wrt)),
                           mathml.from_expr(claim.f, s)),)
    if isinstance(claim, Limit):
        return (
            EngineLine(Markup("the limit as {} → {} of").format(names([claim.var]), _infinity(claim.at)),
                       mathml.from_expr(claim.expr, s)),
            EngineLine(Markup("equals"), mathml.from_expr(claim.rhs, s)),
        )
    if isinstance(claim, Proportional):
        kind = "a positive" if claim.positive else "a nonzero"
        return (EngineLine(Markup("{} constant times the other:").format(kind),
                           mathml.relation(claim.expr, "∝", claim.to, s)),)
    return ()


def _infinity(at: str) -> str:
    return {"oo": "∞", "+oo": "+∞", "-oo": "−∞"}.get(at.strip(), at)


def picture_for(claim: Claim, row: Row) -> Picture | None:
    """A picture where one says more than the verdict (see :mod:`verify.reporting.plots`)."""
    try:
        if isinstance(claim, Convex):
            return plots.convexity_picture(claim, row.result)
        if isinstance(claim, Recurrence):
            return plots.recurrence_picture(claim)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return None  # a picture is a courtesy: never let it cost the report
    return None


def claim_view(row: Row, claim: Claim | None, pictures: bool = True) -> ClaimView:
    r = row.result
    symbols = claim.symbols if claim is not None else None
    return ClaimView(
        id=row.id,
        anchor=anchor("claim", row.file, row.id),
        verdict=r.verdict.value,
        expect=row.expect,
        ok=row.ok,
        statement=mathml.statement(row.statement),
        engine=engine_lines(claim) if claim is not None else (),
        scope=r.scope or "",
        detail=r.detail,
        why=claim.why if claim is not None else "",
        seconds=r.seconds,
        counterexample=counterexample_view(r.counterexample, symbols) if r.counterexample else None,
        picture=picture_for(claim, row) if claim is not None and pictures else None,
    )


# ---------------------------------------------------------------- the claims page


def claims_page(
    rows: Sequence[Row],
    claims: Iterable[tuple[str, Claim]] = (),
    title: str = "claims",
    group_by: str = "section",
    group_titles: Mapping[str, str] | None = None,
    pictures: bool = True,
) -> str:
    """``python -m verify`` (grouped by section) or ``verify check`` (grouped by file).

    ``claims`` are the (file, claim) pairs that were decided, as given to
    :func:`verify.cli.suite.run`; a row is matched to its claim by file and id, so a row without
    one (a claim that could not be read) shows its statement and result only.
    """
    by_key = {(file, claim.id): claim for file, claim in claims}
    groups: dict[str, list[ClaimView]] = {}
    for row in rows:
        key = row.file if group_by == "file" else (row.section or row.file)
        groups.setdefault(key, []).append(claim_view(row, by_key.get((row.file, row.id)), pictures))
    titles = group_titles or {}
    views = tuple(ClaimGroup(titles.get(k, k) or "claims", anchor("group", k), tuple(v)) for k, v in groups.items())
    bad = [r.id for r in rows if not r.ok]
    return safe_text(environment().get_template("claims.html.j2").render(
        title=title,
        groups=views,
        verdict_counts=_counts(r.result.verdict.value for r in rows),
        total=len(rows),
        with_expect=any(r.expect is not None for r in rows),
        bad=bad,
        seconds=sum(r.result.seconds for r in rows),
    ))


# ---------------------------------------------------------------- the grading page


@dataclass(frozen=True)
class StepView:
    index: int
    mark: str
    status: str
    math: Markup
    detail: Markup
    counterexample: CounterexampleView | None


@dataclass(frozen=True)
class QuestionView:
    id: str
    anchor: str
    verdict: str
    partial: bool
    #: undecided by the engine: for a TA to review
    review: bool
    #: why a TA must look (unreadable, undecided, reasoning not checked), or None
    review_reason: str | None
    points: str
    answer: Markup | None
    feedback: Markup
    first_bad_step: int | None
    steps: tuple[StepView, ...]
    counterexample: CounterexampleView | None


@dataclass(frozen=True)
class SubmissionView:
    student: str
    file: str
    anchor: str
    score: str
    error: str | None
    notes: tuple[str, ...]
    questions: tuple[QuestionView, ...]
    counts: Mapping[str, int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", read_only(self.counts))


@dataclass(frozen=True)
class WrongAnswer:
    math: Markup
    count: int


@dataclass(frozen=True)
class SummaryRow:
    id: str
    correct: int
    graded: int
    share: float | None
    level: str
    wrong: tuple[WrongAnswer, ...]


def spelled(latex: str, symbols: Mapping[str, Symbol] | None) -> str:
    """The engine's LaTeX of an answer (``Expr.latex()``, which writes declared names as they are
    declared: ``alpha lambda_1``, ``x0_1``) with each name in its LaTeX spelling (``{\\alpha}``),
    so that the converter does not read ``alpha`` as five letters. For display only."""
    if not symbols:
        return latex
    spellings = {n: s.latex for n, s in symbols.items() if s.latex and s.latex != n}
    if not spellings:
        return latex
    pattern = re.compile(r"(?<![\\A-Za-z0-9_])(" + "|".join(
        re.escape(n) for n in sorted(spellings, key=len, reverse=True)) + r")(?![A-Za-z0-9_])")
    return pattern.sub(lambda m: "{" + spellings[m.group(1)] + "}", latex)


def answer_math(answer: str, question: Question | None, display: bool = True) -> Markup:
    """A graded final answer: a true/false word as text, an expression as mathematics."""
    if question is not None and question.kind == "true-false":
        return Markup('<span class="value-text">{}</span>').format(answer)
    return mathml.from_latex(spelled(answer, question.symbols if question is not None else None), display=display)


def question_view(grade: SubmissionGrade, q: QuestionGrade, assignment: Assignment | None) -> QuestionView:
    question = _question(assignment, q.id)
    symbols = question.symbols if question is not None else None
    steps = tuple(
        StepView(
            index=s.index,
            mark=STEP_MARK[s.status],
            status=s.status.value,
            math=mathml.from_latex(s.latex, display=True),
            detail=mathml.inline_text(s.detail),
            counterexample=counterexample_view(s.counterexample, symbols) if s.counterexample else None,
        )
        for s in q.steps
    )
    return QuestionView(
        id=q.id,
        anchor=anchor("q", grade.file, q.id),
        verdict=q.verdict.value,
        partial=q.verdict is Mark.CORRECT and q.points < q.max_points,
        review=q.review,
        review_reason=q.review_reason,
        points=f"{number(q.points)}/{number(q.max_points)}",
        answer=answer_math(q.answer, question) if q.answer else None,
        feedback=mathml.inline_text(q.feedback),
        first_bad_step=q.first_bad_step,
        steps=steps,
        counterexample=counterexample_view(q.counterexample, symbols) if q.counterexample else None,
    )


def _question(assignment: Assignment | None, qid: str) -> Question | None:
    if assignment is None:
        return None
    try:
        return assignment.question(qid)
    except KeyError:
        return None


def summary_rows(grades: Sequence[SubmissionGrade], ids: Sequence[str], assignment: Assignment | None = None,
                 top: int = 3) -> tuple[SummaryRow, ...]:
    """Per question: how many right among the files that could be read, and the wrong final
    answers most worth discussing in class (the ``top`` most frequent, with their counts)."""
    read = [g for g in grades if not g.error]
    out = []
    for qid in ids:
        mine = [q for g in read for q in g.questions if q.id == qid]
        correct = sum(q.verdict is Mark.CORRECT for q in mine)
        share = correct / len(mine) if mine else None
        wrong = Counter(q.answer for q in mine if q.verdict is Mark.INCORRECT and q.answer)
        question = _question(assignment, qid)
        level = "none" if share is None else "good" if share >= 0.8 else "fair" if share >= 0.5 else "poor"
        out.append(SummaryRow(
            id=qid, correct=correct, graded=len(mine), share=share, level=level,
            wrong=tuple(WrongAnswer(answer_math(a, question, display=False), n) for a, n in wrong.most_common(top)),
        ))
    return tuple(out)


def grading_page(grades: Sequence[SubmissionGrade], assignment: Assignment | None = None,
                 title: str | None = None) -> str:
    """``verify grade --format html``: the class summary on top, then a section per submission."""
    if assignment is not None:
        ids = [q.id for q in assignment.questions]
        grades = flag_for_review(grades, {q.id: q.kind for q in assignment.questions})
    else:
        ids = list(dict.fromkeys(q.id for g in grades for q in g.questions))
    summary = summary_rows(grades, ids, assignment)
    chart = plots.share_chart([(safe_line(s.id), s.share) for s in summary]) if grades and ids else None
    read = [g for g in grades if not g.error]
    mean = sum(g.score for g in read) / len(read) if read else None
    top = max((g.max_score for g in read), default=0.0)
    submissions = tuple(
        SubmissionView(
            student=g.student,
            file=g.file,
            anchor=anchor("s", g.file),
            score=f"{number(g.score)}/{number(g.max_score)}",
            error=g.error,
            notes=g.notes,
            questions=tuple(question_view(g, q, assignment) for q in g.questions),
            counts={m.value: sum(q.verdict is m for q in g.questions) for m in Mark},
        )
        for g in grades
    )
    heading = title or (f"{assignment.title} ({assignment.id})" if assignment is not None else "grades")
    return safe_text(environment().get_template("grading.html.j2").render(
        title=heading,
        submissions=submissions,
        summary=summary,
        chart=chart,
        mean=None if mean is None else f"{number(round(mean, 2))}/{number(top)}",
        unread=len(grades) - len(read),
    ))


# ---------------------------------------------------------------- output


def emit(page: str, output: str | None, prog: str = "verify") -> bool:
    """The page to ``output`` (written atomically), or to standard output; False (with one line
    on stderr saying why) when the file cannot be written."""
    try:
        if output is None:
            sys.stdout.write(page)
        else:
            write_text_atomic(output, page)
            print(f"{prog}: wrote {output}", file=sys.stderr)
    except OSError as err:
        print(f"{prog}: cannot write {err.filename or output}: {err.strerror}", file=sys.stderr)
        return False
    return True
