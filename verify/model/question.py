"""Questions of an assignment: what is asked, in which symbols, and the proved reference answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from verify.errors import DeclarationError
from verify.model.claim import Claim, Equality
from verify.model.expr import Expr
from verify.model.read_only import read_only
from verify.model.symbols import Symbols

AnswerKind = Literal["expression", "true-false", "property"]


@dataclass(frozen=True)
class Samples:
    """How a sum over all samples is read where a question names one sample i.

    ``\\sum_{i=1}^{m} f(y^{(i)})`` binds i, so its terms are every sample, of which the
    question's sample i is one. With m a symbol the sum has no closed form to compare; it is
    read at ``m = AT`` (2) instead: sample i's term plus one other sample's, written with the
    names in ``other`` (y -> y_j). A claim read so is only ever checked at m = 2: a difference
    there refutes it for every m, and agreement proves nothing beyond m = 2.
    """

    #: the summation letter that runs over the samples
    index: str
    #: the declared symbol that counts the samples
    count: str
    #: each of sample i's names with the same name for the other sample (declared too)
    other: tuple[tuple[str, str], ...]

    AT = 2


@dataclass(frozen=True)
class Part:
    """One of several quantities a question asks for, graded on its own: beale.stationary asks
    for \\nabla f(0, 1) and then x^{t+1}, and a student who gives only one has answered one.

    The equation that gives a part is the last one whose left side reads as its reference's left
    side (``\\nabla f(0, 1) = ...``); the question's last part is also given by a final equation
    that names no other part (its own answer, as for a question of one part). Each part is worth
    an equal share of the question's points; a part nobody gave is unanswered, not wrong.
    """

    #: the quantity as the question writes it (feedback says which part is meant)
    name: str
    #: the right value, and the claim that proves it (its left side names the part)
    answer: Expr
    reference: Equality
    #: as :attr:`Question.accepts`: the claim that must hold for a student's value to be right
    accepts: Callable[[Expr, Expr | None], Claim] | None = None


@dataclass(frozen=True, kw_only=True)
class Question:
    """One gradable question.

    ``symbols`` are the names a student may use (each Symbol's ``latex`` says how it is
    written, ``meaning`` what it stands for). ``answer`` is the reference answer: an
    expression, or a bool for a true/false question. ``reference`` is the claim that proves
    the reference answer right (id ``ref.<question id>``); it is listed among the claims too,
    so the suite proves every reference the grader relies on.
    """

    def __hash__(self) -> int:
        return hash(self.id)

    id: str
    wording: str
    symbols: Symbols
    answer: Expr | bool | None
    reference: Claim
    kind: AnswerKind = "expression"
    points: float = 1.0
    layout: str = "numerator"
    #: names that stand for expressions in the question (``alpha`` := y^T A x), substituted
    #: when a student's LaTeX is read, so that d alpha / d y is the derivative of y^T A x
    defines: Mapping[str, Expr] = field(default_factory=dict)
    #: for a "property" question: the claim that must be proved for a student's final answer
    #: to be right, given the answer (the last expression) and the left side of its equation
    #: (or None); by default the answer must equal ``answer``
    accepts: Callable[[Expr, Expr | None], Claim] | None = None
    #: how a sum over all samples is read, where the question names one sample (None: not read)
    samples: Samples | None = None
    #: display only (``verify questions``): each definition as the author writes it, in LaTeX,
    #: keyed by the name it defines (``\hat{x}^k`` -> ``\hat{x}^k = V^T (x^k - x^*)``), never the
    #: expanded form in ``defines`` the engine reads; one statement may serve several names (``f``
    #: and ``f(x_1, x_2)``). A name of ``defines`` with no entry here is printed from its expression.
    written: Mapping[str, str] = field(default_factory=dict)
    #: display only: declared symbols a student never writes (a parameter of the engine's form of
    #: a definition, such as the rotation's ``t``), left out of ``verify questions``
    unlisted: frozenset[str] = frozenset()
    #: how a student names the answer on the left of its equation where no declared expression
    #: does (``S`` for reg.example, "give a matrix S"): that equation is the answer, not a later one
    answer_names: frozenset[str] = frozenset()
    #: the answer is compared with the derivative asked for (the reference's left side) rather than
    #: with ``answer``: where that derivative does not exist (a ReLU's kink, "where it exists") any
    #: value is right, as a TA takes I(z >= 0) for ReLU' as readily as I(z > 0)
    where_it_exists: bool = False
    #: several quantities asked, graded part by part (:class:`Part`); the last is the question's
    #: own answer and reference. Empty: one answer.
    parts: tuple[Part, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "defines", read_only(self.defines))  # shared by every submission graded
        object.__setattr__(self, "written", read_only(self.written))
        # A sum over the samples is read at m = 2, where only an equality can be compared on
        # both sides at once: an assignment that asks for more is a course author's error.
        if self.samples is not None and (self.kind != "expression" or self.accepts is not None):
            raise DeclarationError(f"question {self.id}: sums over samples are read only for an expression "
                                   "answer compared with its reference (no 'accepts')")
        if self.parts and (self.kind == "true-false" or self.samples is not None):
            raise DeclarationError(f"question {self.id}: parts are graded for an expression or property answer, "
                                   "without sums over samples")
        if self.parts and self.parts[-1].reference != self.reference:
            raise DeclarationError(f"question {self.id}: its last part is its own answer, with its reference")
        if self.samples is not None:
            names = [self.samples.count, *(n for pair in self.samples.other for n in pair)]
            missing = [n for n in names if n not in self.symbols]
            if missing:
                raise DeclarationError(f"question {self.id}: the samples name {', '.join(missing)}, "
                                       "which the question does not declare")

    def part_questions(self) -> tuple[Question, ...]:
        """One question per part, asking that part alone (same id, symbols and definitions, so
        the steps the parts share are read and decided once); just this question without parts."""
        if not self.parts:
            return (self,)
        return tuple(replace(self, answer=p.answer, reference=p.reference, accepts=p.accepts, parts=())
                     for p in self.parts)

    def answer_claim(self, answer: Expr, lhs: Expr | None = None) -> Claim:
        """The claim deciding whether a student's final answer is right."""
        if self.accepts is not None:
            return self.accepts(answer, lhs)
        if not isinstance(self.answer, Expr):
            raise TypeError(f"question {self.id} has no expression to compare an answer with")
        target = self.answer
        if self.where_it_exists and isinstance(self.reference, Equality):
            target = self.reference.lhs
        return Equality(
            id=f"{self.id}.answer", statement=f"{answer.latex()} = {target.latex()}",
            symbols=self.symbols, layout=self.layout, lhs=answer, rhs=target,
        )
