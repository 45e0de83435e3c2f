"""Names a student gives to expressions (``... = \\delta_1``), and answers written with them.

A derivation that names its pieces (``\\delta_2 := \\sigma(z_2)(1 - \\sigma(z_2))``,
``\\delta_3 := W_2``) in earlier answers often ends in a product of the names
(``\\delta_1 \\delta_2 \\delta_3 \\delta_4``). Such an answer is read by putting each named
expression in its place, read in the answering question's notation (an assignment's names
mean the same in each of its questions). Where a name was never defined, or what it names
cannot be read there, the answer cannot be compared; it can still be seen to be wrong by its
shape, soundly: a product has the rows of its first factor that is not a scalar and the
columns of its last, whatever stands between them. If those differ from the right answer's
for every size but finitely many, no value of the unknown names can make the answer right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from verify.errors import ShapeError, VerifyError
from verify.grading.derivation import Derivation, Term, reader
from verify.model import Dim, Expr, Question, Shape, shape_of


@dataclass(frozen=True)
class Label:
    """``name`` as the student wrote it, the expression it names, and the question it is in."""

    name: str
    term: Term
    question: Question

    @property
    def shape(self) -> Shape | None:
        """Its shape in its own question, where it was read (None when it was not)."""
        if self.term.expr is None:
            return None
        try:
            return shape_of(self.term.expr, self.question.symbols, self.question.layout)
        except VerifyError:
            return None


#: One name: a letter or command, perhaps a subscript and a superscript (\\delta_1, \\delta_{12}, g^{(2)}).
_NAME = r"(?:\\[A-Za-z]+|[A-Za-z])(?:\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?(?:\s*\^\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?"
_PRODUCT = re.compile(rf"\s*(?:{_NAME}\s*)+")
_ONE = re.compile(_NAME)


def key(name: str) -> str:
    """One spelling per name: ``\\delta_{1}`` and ``\\delta_1`` are the same label."""
    compact = re.sub(r"\s+", "", name)
    return re.sub(r"([_^])\{([A-Za-z0-9])\}", r"\1\2", compact)


def collect(named: Iterable[tuple[Question, Derivation]]) -> dict[str, Label]:
    """Every label of a submission; one given two different meanings is left out (ambiguous)."""
    found: dict[str, Label | None] = {}
    for question, d in named:
        for name, term in d.named:
            k = key(name)
            if k in found and ((seen := found[k]) is None or seen.term.latex != term.latex):
                found[k] = None
            else:
                found[k] = Label(name, term, question)
    return {k: v for k, v in found.items() if v is not None}


def mentioned(latex: str, labels: Mapping[str, Label]) -> bool:
    return any(key(m.group(0)) in labels for m in _ONE.finditer(latex))


def resolve_all(question: Question, d: Derivation, labels: Mapping[str, Label]) -> Derivation:
    """``d`` with every unread expression that uses a label (the answer, and each side of a step)
    read with the labels in place where that works. The shape argument compares the answer with
    the right answer's shape, and a side of a step with the other side's (when that was read):
    an intermediate step may well have another shape than the answer."""
    answer_shape = None
    if isinstance(question.answer, Expr):
        try:
            answer_shape = shape_of(question.answer, question.symbols, question.layout)
        except VerifyError:
            pass

    def side(t: Term, other: Term) -> Term:
        if t.expr is not None:
            return t
        want = None
        if other.expr is not None:
            try:
                want = shape_of(other.expr, question.symbols, question.layout)
            except VerifyError:
                pass
        return resolve(question, t, labels, want, "the other side") or t

    steps = tuple(replace(s, lhs=side(s.lhs, s.rhs), rhs=side(s.rhs, s.lhs)) for s in d.steps)
    answer = d.answer
    if answer is not None and answer.expr is None:
        answer = resolve(question, answer, labels, answer_shape, "the right answer") or answer
    return replace(d, steps=steps, answer=answer)


def resolve(question: Question, term: Term, labels: Mapping[str, Label], want: Shape | None,
            against: str) -> Term | None:
    """``term`` with each label put in place; or, when that cannot be read, an ill-formed term
    whose error says why no meaning of the unknown names gives it the shape ``want`` (that of
    ``against``); None if neither."""
    if term.expr is not None:
        return None
    put = _put_in_place(question, term, labels)
    if put is not None or want is None or not _PRODUCT.fullmatch(term.latex):
        return put
    factors = [_factor(question, m.group(0), labels) for m in _ONE.finditer(term.latex)]
    if not any(f.label is not None or f.unknown for f in factors):
        return None
    why = _by_shape(factors, want, against)
    return Term(term.latex, None, why, ill_formed=True) if why else None


def _put_in_place(question: Question, answer: Term, labels: Mapping[str, Label]) -> Term | None:
    """The answer read with each label replaced by what it names, in parentheses (None when a
    label names something unread, or the result cannot be read either)."""
    used = [m for m in _ONE.finditer(answer.latex) if key(m.group(0)) in labels]
    distinct = {key(m.group(0)) for m in used}  # each label read once, however often it is cited
    if not used or not all(_means_the_same(question, labels[k]) for k in distinct):
        return None
    text, last = [], 0
    for m in used:
        text += [answer.latex[last:m.start()], rf"\left({labels[key(m.group(0))].term.latex}\right)"]
        last = m.end()
    text.append(answer.latex[last:])
    try:
        reading = reader(question).read_scoped("".join(text))
        return Term(answer.latex, reading.expr, fixed=reading.fixed)
    except ShapeError as err:
        return Term(answer.latex, None, f"with each name replaced by what it names, {err.message}", ill_formed=True)
    except (VerifyError, RecursionError):
        return None


def _means_the_same(question: Question, label: Label) -> bool:
    """Whether what the label names reads here as it read where it was given: the same tree of
    the same shape. A name may mean different things in two questions (alpha := y^T A x in one,
    y^T x in another); put in place there, the label would change meaning, so it is not."""
    if label.term.expr is None:
        return False
    if label.question is question:
        return True
    try:
        here = reader(question).read_scoped(label.term.latex)
        return here.expr == label.term.expr and here.fixed == label.term.fixed and (
            shape_of(here.expr, question.symbols, question.layout) == label.shape)
    except (VerifyError, RecursionError):
        return False


@dataclass(frozen=True)
class _Factor:
    name: str
    label: Label | None
    #: its shape, where known: a label's in its own question, a declared name's in this one
    shape: Shape | None
    #: LaTeX that reads as it in this question (None: cannot be put in place)
    latex: str | None
    #: a name that is neither declared nor a label
    unknown: bool = False


def _factor(question: Question, name: str, labels: Mapping[str, Label]) -> _Factor:
    label = labels.get(key(name))
    if label is not None:
        return _Factor(name, label, label.shape, label.term.latex if label.term.expr is not None else None)
    try:
        e = reader(question).read(name)
        return _Factor(name, None, shape_of(e, question.symbols, question.layout), name)
    except VerifyError:
        return _Factor(name, None, None, None, unknown=True)


def _by_shape(factors: list[_Factor], want: Shape, against: str) -> str:
    """Why the product cannot have the shape ``want``, or '' when its shape cannot be told.

    Every dimension letter set to one size larger than any number in sight makes each shape
    with a letter a true matrix, and every letter differ from every number: then the product,
    if defined at all, has the rows of the first factor that is not a known scalar (provided
    every factor before it is a known scalar), and the columns of the last.
    """
    unknown = [f.name for f in factors if f.shape is None]
    for side, ordered, dim in (("rows", factors, lambda s: s.rows), ("columns", factors[::-1], lambda s: s.cols)):
        end = _first_matrix(ordered)
        if end is None or end.shape is None:  # the factor it gives has a known shape
            continue
        got, expected = dim(end.shape), dim(want)
        if not _differ(got, expected):
            continue
        scalars = [f.name for f in ordered[: ordered.index(end)]]
        verb = "is a scalar" if len(scalars) == 1 else "are scalars"
        before = f" (${'$, $'.join(scalars)}$ {verb})" if scalars else ""
        what = f"${end.name} = {end.label.term.latex}$" if end.label is not None else f"${end.name}$"
        lead = ""
        if unknown:
            never = [n for n in unknown if not any(f.name == n and f.label is not None for f in factors)]
            unread = [n for n in unknown if n not in never]
            parts = []
            if never:
                parts.append(f"${'$, $'.join(never)}$ {'is' if len(never) == 1 else 'are'} never defined")
            if unread:
                parts.append(f"what ${'$, $'.join(unread)}$ {'names' if len(unread) == 1 else 'name'} "
                             "could not be read")
            lead = "; ".join(parts) + ", but whatever they stand for, "
        return (f"{lead}the product has {_count(got, side)}: {what} is {_shape_words(end.shape)}{before}, "
                f"while {against} has {_count(expected, side)}")
    return ""


def _first_matrix(ordered: list[_Factor]) -> _Factor | None:
    for f in ordered:
        if f.shape is None:
            return None
        if not f.shape.is_scalar:
            return f
    return None


def _differ(a: Dim, b: Dim) -> bool:
    """Different at every size but finitely many: two numbers that differ, or a number and a letter."""
    if isinstance(a, int) and isinstance(b, int):
        return a != b
    return isinstance(a, int) != isinstance(b, int)


def _count(d: Dim, side: str) -> str:
    return f"one {side[:-1]}" if d == 1 else f"{d} {side}"


def _shape_words(s: Shape) -> str:
    return f"{s.rows} x {s.cols}"
