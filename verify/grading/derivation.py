"""A student's derivation for one question: statements, chained expressions, and the answer.

Every math block of the section is split into statements and ``=``-chains
(:mod:`verify.reading.chain`), and every expression is read in the question's context (its
symbols, layout and definitions). What cannot be read is kept, with the reason, so that the
feedback can say "step 3 was not checked: ..." instead of failing the whole answer.

Students' notation is read a little more freely than a claims file: ``\\sum_i`` over the
indexed names a question declares, a number added to a square matrix as a multiple of I
(:class:`~verify.reading.latex.LatexReader`), and a chain that ends in a name nobody declared
(``... = \\delta_1``, ``... = H(y)``) is read as naming the expression before it, which is
then the answer.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from verify.errors import ShapeError, UndeclaredName, VerifyError
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
    #: unread because it starts with a name nobody declared (``\\delta_1``, ``H(y)``)
    undeclared_head: bool = False
    #: symbols the reading fixed to a number (a sum over the samples is read at m = 2)
    fixed: tuple[tuple[str, int], ...] = ()


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
    #: names the student gave to an expression at the end of a chain (``= \\delta_1``)
    labels: tuple[str, ...] = ()
    #: each such name with the expression it names (the one before it in its chain)
    named: tuple[tuple[str, Term], ...] = ()


#: A lone name, perhaps with a subscript, superscript and argument list: \\delta_1, H(y), J^{(2)}.
_LABEL = re.compile(
    r"^(?:\\[A-Za-z]+|[A-Za-z])(?:\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?"
    r"(?:\s*\^\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?(?:\s*\([^()]*\))?$"
)


@functools.lru_cache(maxsize=256)
def reader(question: Question) -> LatexReader:
    """The reader of a question's derivations, built once per question."""
    return LatexReader(question.symbols, question.layout, dict(question.defines),
                       index_sums=True, numbers_as_identity=True, samples=question.samples, node_derivatives=True)


def _read(question: Question, latex: str) -> Term:
    try:
        reading = reader(question).read_scoped(latex)
        return Term(latex, reading.expr, fixed=reading.fixed)
    except ShapeError as err:
        return Term(latex, None, str(err), ill_formed=True)
    except UndeclaredName as err:
        at_start = err.position is not None and err.position.offset == 0
        return Term(latex, None, str(err), undeclared_head=at_start)
    except VerifyError as err:
        return Term(latex, None, str(err))
    except RecursionError:
        return Term(latex, None, "too deeply nested to read")


def _is_label(term: Term) -> bool:
    """The last term of ``a = b = \\delta_1``: a new name for b, not an expression to check."""
    return term.expr is None and term.undeclared_head and _LABEL.match(term.latex.strip()) is not None


def derivation(question: Question, section: Section) -> Derivation:
    statements: list[list[Term]] = []
    unreadable: list[str] = []
    labels: list[str] = []
    named: list[tuple[str, Term]] = []
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
            terms = [_read(question, piece.latex) for piece in chain]
            if len(terms) >= 3 and _is_label(terms[-1]):
                labels.append(terms.pop().latex)
                named.append((labels[-1], terms[-1]))
            statements.append(terms)
    steps: list[Step] = []
    for terms in statements:
        for left, right in itertools.pairwise(terms):
            steps.append(Step(len(steps) + 1, left, right))
    if not statements:
        return Derivation((), None, None, tuple(unreadable), tuple(labels), tuple(named))
    last = statements[-1]
    return Derivation(tuple(steps), last[-1], last[-2] if len(last) > 1 else None, tuple(unreadable),
                      tuple(labels), tuple(named))
