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
from verify.model import Const, Derivative, Expr, Gradient, Question, Transpose, Var
from verify.reading import LatexReader, Section, split_chain


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
    #: the 1-based index of the step whose right side is the answer (None: a lone expression)
    answer_step: int | None = None
    #: the first side of the answer's equation (``\\nabla h(x)`` in ``\\nabla h(x) = ... = Q x + c``)
    answer_head: Term | None = None
    #: that side names what the question asks (:func:`names_asked`)
    answer_named: bool = False
    #: conditions stated in prose before a math block ("Put w_1 = w_2:"), each with the index of
    #: the first step after it: read as a TA reads them, like one written in math (``w_1 = w_2``)
    stated: tuple[tuple[int, Step], ...] = ()


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


def asked(question: Question) -> Expr | None:
    """What the question asks for, as its reference claim's left side (d y / d x with y := A x,
    x^{t+1} := the gradient step): an equation whose left side reads as this names the answer."""
    lhs = getattr(question.reference, "lhs", None)
    return lhs if isinstance(lhs, Expr) else None


def names_asked(question: Question, term: Term) -> bool:
    """``term`` (a left side) names what the question asks: it reads as the reference's left side,
    or, unread, it is ``\\nabla h``, ``\\nabla h(x)``, ``\\nabla_x h`` for the gradient of a defined h."""
    if question.answer_names and re.sub(r"\s+", "", term.latex) in {re.sub(r"\s+", "", n)
                                                                      for n in question.answer_names}:
        return True
    target = asked(question)
    if target is None:
        return False
    if term.expr is not None:
        layout = question.layout
        return term.expr == target or _as_derivative(term.expr, layout) == _as_derivative(target, layout)
    if isinstance(target, Gradient):
        text = re.sub(r"\\(?:left|right)|\\mathbf|\\boldsymbol|\s+", "", term.latex)
        wrt = re.escape(target.wrt.name)
        for name, value in question.defines.items():
            base = re.sub(r"\(.*\)$", "", name)
            if value == target.f and re.fullmatch(
                    rf"\\nabla(?:_\{{?{wrt}\}}?)?\{{?{re.escape(base)}\}}?(?:\(.*\))?", text):
                return True
    return False


def _as_derivative(e: Expr, layout: str) -> Expr:
    """One form for one quantity written two ways: the gradient of a scalar by a vector is the
    derivative in denominator layout and its transpose in numerator layout, so a student who writes
    \\frac{\\partial L}{\\partial w} where \\nabla_w L is asked (denominator layout) names it."""
    if isinstance(e, Gradient):
        d = Derivative(e.f, (e.wrt,))
        return d if layout == "denominator" else Transpose(d)
    if isinstance(e, Transpose) and isinstance(e.arg, Transpose):
        return _as_derivative(e.arg.arg, layout)
    return e


def derivation(question: Question, section: Section) -> Derivation:
    """Which statement is the answer: the last equation whose left side names what the question
    asks (:func:`names_asked`); else the last equation of the last display block (its last
    expression when it has none); else, with no display math, the last statement. Inline math in a
    sentence after the answer's display (``since $\\psi$ is smooth``, a remark ``$x^* = ...$``)
    is prose, not the answer, though its equations are still steps."""
    statements: list[list[Term]] = []
    displayed: list[int] = []  # each statement's block: its index in section.math, or -1 - it when inline
    unreadable: list[str] = []
    labels: list[str] = []
    named: list[tuple[str, Term]] = []
    stated: list[tuple[int, Step]] = []  # (the statement it comes before, the condition)
    for number, block in enumerate(section.math):
        stated += [(len(statements), condition) for condition in _stated(question, block.lead)]
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
            displayed.append(number if block.display else -1 - number)
    steps: list[Step] = []
    ends: list[int | None] = []  # the step whose right side ends each statement
    firsts: list[int] = []  # the index its first step has (or would have)
    for terms in statements:
        firsts.append(len(steps) + 1)
        for left, right in itertools.pairwise(terms):
            steps.append(Step(len(steps) + 1, left, right))
        ends.append(steps[-1].index if len(terms) > 1 else None)
    if not statements:
        return Derivation((), None, None, tuple(unreadable), tuple(labels), tuple(named))
    chosen = _answer_statement(question, statements, displayed)
    last = statements[chosen]
    given = tuple((firsts[k] if k < len(firsts) else len(steps) + 1, c) for k, c in stated)
    return Derivation(tuple(steps), last[-1], last[-2] if len(last) > 1 else None, tuple(unreadable),
                      tuple(labels), tuple(named), ends[chosen], last[0] if len(last) > 1 else None,
                      len(last) > 1 and names_asked(question, last[0]), given)


#: A condition in prose: "Put w_1 = w_2:", "Let x_1 = 0,", "Setting w_1 = w_2 gives", "If w_1 = w_2
#: then" (up to a punctuation mark, "then", "we", "gives" or the end of the lead-in).
_SIDE = r"(?:[^:;,.=]|\.(?=\d))+?"  # a period ends a sentence, not a decimal (w_1 = 0.5 is not w_1 = 0)
_EQUATION = rf"{_SIDE}(?:={_SIDE})+?"
_STATED = re.compile(
    r"\b(?:put|let|set|setting|take|taking|with|assume|assuming|suppose|supposing|if|when|substituting)\s+"
    rf"(?P<equations>{_EQUATION}(?:\s+and\s+{_EQUATION})*)"
    r"\s*(?=[:;,]|\.(?!\d)|\s(?:then|we|gives|get|yields|and)\b|$)",
    re.IGNORECASE)


def _stated(question: Question, lead: str) -> list[Step]:
    """The conditions a lead-in states, each a declared variable given another's name or a number
    (as :func:`verify.grading.grade.in_force` takes ``w_1 = w_2`` written in math); only those
    (``Let f = x^2`` defines nothing here), read in the last 400 characters before the block."""
    out: list[Step] = []
    equations = [e for m in _STATED.finditer(lead[-400:]) for e in re.split(r"\s+and\s+", m.group("equations"))]
    for equation in equations[-MAX_STATED:]:  # a lead-in states a few; a page of them is not read whole
        out += _given(question, equation)
    return out


#: The most equations read from one lead-in, and the longest side: a name or a number is short,
#: and each side is read by the LaTeX reader (a submission of many blocks stays quick to grade).
MAX_STATED = 4
MAX_SIDE = 40


def _given(question: Question, equation: str) -> list[Step]:
    parts = [side.strip() for side in equation.split("=")]
    if len(parts) < 2 or len(parts) > 4 or any(len(p) > MAX_SIDE for p in parts):
        return []
    sides = [_read(question, side) for side in parts]
    return [step for left, right in itertools.pairwise(sides) if assumes(step := Step(0, left, right))]


def assumes(step: Step) -> bool:
    """``w_1 = w_2`` or ``x_1 = 0``: a declared variable given a value, which no derivation claims
    as an identity (definitions are substituted when read, so a Var here is a declared symbol)."""
    left, right = step.lhs.expr, step.rhs.expr
    return (isinstance(left, Var) and isinstance(right, Var | Const)) or (
        isinstance(left, Const) and isinstance(right, Var))


def names_other(question: Question, term: Term) -> bool:
    """``term`` (a left side) names a quantity other than the one asked: a derivative (``\\nabla
    f(0, 1)``, ``\\frac{\\partial f}{\\partial x_1}``), a value at a point, or another of the question's
    defined names (``x^*``). An equation giving it is another part of the work, not this answer."""
    if names_asked(question, term):
        return False
    text = term.latex.strip()
    if re.match(r"\\nabla|\\frac\s*\{\s*(?:\\partial|d\b|\\mathrm\{d\})|\\partial", text):
        return True
    keys = {re.sub(r"\s+", "", k) for k in question.defines}
    return re.sub(r"\s+", "", text) in keys


def _answer_statement(question: Question, statements: list[list[Term]], displayed: list[int]) -> int:
    for k in range(len(statements) - 1, -1, -1):
        if len(statements[k]) > 1 and names_asked(question, statements[k][0]):
            return k
    blocks = [b for b in displayed if b >= 0]
    if not blocks:
        return len(statements) - 1
    last = max(blocks)
    # after the last display, inline math is prose ("since $\\psi$ is smooth", a remark
    # "$x^* = -Q^{-1} c$", "at $u = 0$"), but for a conclusion stated inline ("so $s_{12} + s_{21}
    # = 0$"): an equation whose left side names no other quantity and gives no variable a value
    after = [k for k, b in enumerate(displayed) if b < 0 and -1 - b > last and _concludes(question, statements[k])]
    if after:
        return after[-1]
    in_last = [k for k, b in enumerate(displayed) if b == last]
    equations = [k for k in in_last if len(statements[k]) > 1]
    return (equations or in_last)[-1]


def _concludes(question: Question, terms: list[Term]) -> bool:
    if len(terms) < 2 or names_other(question, terms[0]):
        return False
    left, right = terms[0].expr, terms[-1].expr
    gives_a_value = (isinstance(left, Var) and (right is None or isinstance(right, Var | Const))) or (
        isinstance(left, Const) and isinstance(right, Var))
    return not gives_a_value and left is not None
