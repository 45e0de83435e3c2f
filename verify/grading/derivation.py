"""A student's derivation for one question: statements, chained expressions, and the answer.

Every math block of the section is split into statements and ``=``-chains
(:mod:`verify.reading.chain`), and every expression is read in the question's context (its
symbols, layout and definitions). What cannot be read is kept, with the reason, so that the
feedback can say "step 3 was not checked: ..." instead of failing the whole answer.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from verify.errors import ShapeError, VerifyError
from verify.model.expr import Expr
from verify.model.question import Question
from verify.reading.chain import split_chain
from verify.reading.latex import LatexReader
from verify.reading.markdown import Section


@dataclass(frozen=True)
class Term:
    """One expression as written, and what reading it gave."""

    latex: str
    expr: Expr | None
    error: str = ""
    #: read, but its shapes do not fit (``x^T A`` with A m x n): wrong, not unreadable
    ill_formed: bool = False


@dataclass(frozen=True)
class Step:
    """``lhs = rhs``: the 1-based ``index``-th link of the derivation."""

    index: int
    lhs: Term
    rhs: Term

    @property
    def latex(self) -> str:
        return f"{self.lhs.latex} = {self.rhs.latex}"


@dataclass(frozen=True)
class Derivation:
    steps: tuple[Step, ...]
    #: the final answer (last expression of the last statement) and the left side of its equation
    answer: Term | None
    answer_lhs: Term | None
    #: math blocks that could not even be split (unbalanced braces), with the reason
    unreadable: tuple[str, ...] = ()


@functools.lru_cache(maxsize=256)
def _reader(question: Question) -> LatexReader:
    return LatexReader(question.symbols, question.layout, dict(question.defines))


def _read(question: Question, latex: str) -> Term:
    try:
        return Term(latex, _reader(question).read(latex))
    except ShapeError as err:
        return Term(latex, None, str(err), ill_formed=True)
    except VerifyError as err:
        return Term(latex, None, str(err))
    except RecursionError:
        return Term(latex, None, "too deeply nested to read")


def derivation(question: Question, section: Section) -> Derivation:
    statements: list[list[Term]] = []
    unreadable: list[str] = []
    for block in section.math:
        try:
            chains = split_chain(block.latex)
        except VerifyError as err:
            unreadable.append(str(err))
            continue
        except RecursionError:
            unreadable.append("too deeply nested to read")
            continue
        for chain in chains:
            statements.append([_read(question, piece.latex) for piece in chain])
    steps: list[Step] = []
    for terms in statements:
        for left, right in itertools.pairwise(terms):
            steps.append(Step(len(steps) + 1, left, right))
    if not statements:
        return Derivation((), None, None, tuple(unreadable))
    last = statements[-1]
    return Derivation(tuple(steps), last[-1], last[-2] if len(last) > 1 else None, tuple(unreadable))
