"""Grading one question of one submission: which claims to decide, then the grade and feedback.

Split in two so that a batch can first collect every distinct claim of a whole class, decide
each once (identical answers are common), and then assemble every grade from the results.

What a step and an answer are, beyond "lhs = rhs" (each choice is for soundness or fairness):
- an answer that still differentiates an expression (``\\frac{\\partial y}{\\partial x}`` with
  y := A x, ``\\nabla_x h``) restates the question: it is not accepted, whatever it equals;
- for a property question (``kind == "property"``) the final equation *is* the answer (a
  condition such as ``s_{11} + ... = 0``), so it is graded as the answer, not as an identity;
- an equation that gives a declared variable a value (``w_1 = w_2``, ``x_1 = 0``) is an
  assumption ("setting w_1 = w_2 ..."), never an identity: it is not checked and costs nothing;
- ``M = 0`` with M a matrix means the zero matrix;
- an answer whose shapes do not fit is wrong; where the dimension letters can be made equal
  so that it is defined (A square for ``x^T A``), it is also compared there, so that the
  feedback can show a counterexample.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Hashable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import sympy

from verify.errors import VerifyError
from verify.grading.derivation import Derivation, Step, Term, assumes, derivation, names_asked, names_other, reader
from verify.grading.grades import (
    ANSWER_STEP,
    ASSUMPTION,
    BENIGN,
    CONDITION,
    NAMES_ANSWER,
    UNDECIDED,
    UNREADABLE,
    Mark,
    QuestionGrade,
    StepCheck,
    StepStatus,
)
from verify.grading.labels import Label, resolve_all
from verify.grading.scoring import ScoringRule
from verify.model import (
    Claim,
    Const,
    Derivative,
    Dim,
    Equality,
    Expr,
    Gradient,
    Hessian,
    Limit,
    Proportional,
    Question,
    Result,
    Shape,
    Symbol,
    Symbols,
    Var,
    Verdict,
    Zero,
    replace_subtree,
    shape_of,
    substitute,
    zero_of,
)
from verify.reading import LatexReader, Section

Key = tuple[Hashable, ...]  # ("step", question id, ...), ("answer", ...): a claim, by what decides it

_TRUE_FALSE = re.compile(r"\b(true|false|yes|no)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Plan:
    """What to decide for one question of one submission."""

    question: Question
    section: Section | None
    derivation: Derivation | None
    claims: tuple[tuple[Key, Claim], ...] = ()
    answer_key: Key | None = None
    answer_error: str = ""
    #: the step that is the answer's own equation (a property question's condition), if any
    answer_step: int | None = None
    #: steps that only give a variable a value (w_1 = w_2): assumptions, not checked
    assumptions: tuple[int, ...] = ()
    #: for an answer whose shapes do not fit: the claim deciding it where it is defined, and where
    defined_key: Key | None = None
    defined_where: str = ""
    #: a question of several parts (:class:`~verify.model.question.Part`): each part's own plan, or
    #: None for a part the submission does not give (then this plan holds only the shared steps)
    parts: tuple[Plan | None, ...] = ()


def step_key(q: Question, step: Step, given: Mapping[str, Expr] | None = None) -> Key:
    """A step's claim, by question, sides and the assumptions in force (``w_1 = w_2`` before it)."""
    return ("step", q.id, step.lhs.expr, step.rhs.expr, tuple(sorted((given or {}).items(), key=lambda kv: kv[0])))


def in_force(d: Derivation, question: Question) -> dict[int, dict[str, Expr]]:
    """The assumptions in force at each step: every earlier ``w_1 = w_2``, ``x_1 = 0`` (a declared
    variable given a value, "setting w_1 = w_2", in math or in the prose before a block) puts that
    value in the steps after it, as a TA reads "with w_1 = w_2: R = w_1^2 (...)". Never in the
    final answer, which must stand alone."""
    out: dict[int, dict[str, Expr]] = {}
    given: dict[str, Expr] = {}

    def take(step: Step) -> None:
        left, right = step.lhs.expr, step.rhs.expr
        if isinstance(left, Var) and right is not None:
            name, value = left.name, right
        elif isinstance(right, Var) and left is not None:
            name, value = right.name, left
        else:
            return
        shaped = _as_value_of(question, name, substitute(value, given))
        if shaped is not None:
            given[name] = shaped

    stated = list(d.stated)
    for step in d.steps:
        while stated and stated[0][0] <= step.index:  # "Put w_1 = w_2:" in the prose before it
            take(stated.pop(0)[1])
        out[step.index] = dict(given)
        if assumes(step):
            take(step)
    return out


def _as_value_of(question: Question, name: str, value: Expr) -> Expr | None:
    """``value`` as the value of the declared ``name``: the zero vector or matrix for a 0 (x = 0
    with x a vector); None where its shape is not the name's (x = 1 for a vector): no assumption
    then, and the steps after it are checked as written, never made ill-shaped by it."""
    symbol = question.symbols.get(name)
    if symbol is None:
        return value
    value = zero_of(value, symbol.shape)
    try:
        return value if shape_of(value, question.symbols, question.layout) == symbol.shape else None
    except VerifyError:
        return None


def plan(question: Question, section: Section | None, labels: Mapping[str, Label] | None = None) -> Plan:
    """``labels``: the names the submission gave to expressions (``= \\delta_1``), for an answer
    written with them (:mod:`verify.grading.labels`)."""
    if section is None or question.kind == "true-false":
        return Plan(question, section, None)
    if question.parts:
        return _plan_parts(question, section, labels)
    d = derivation(question, section)
    if labels:
        d = resolve_all(question, d, labels)
    claims: list[tuple[Key, Claim]] = []
    answer_step = None
    if question.kind == "property" and d.answer_lhs is not None and d.answer_step is not None:
        answer_step = d.answer_step
    assumptions = tuple(step.index for step in d.steps if assumes(step) or _condition(question, step))
    given = in_force(d, question)
    for step in d.steps:
        if step.index == answer_step or step.index in assumptions:
            continue
        if step.lhs.expr is not None and step.rhs.expr is not None:
            lhs, rhs = _zero_as_matrix(question, step.lhs.expr, step.rhs.expr)
            fixed: dict[str, Expr] = {**_fixed(step.lhs, step.rhs), **given[step.index]}
            claims.append((step_key(question, step, given[step.index]), Equality(
                id=f"{question.id}.step{step.index}", statement=step.latex + _where(fixed),
                symbols=_with_nodes(question, lhs, rhs), layout=question.layout,
                lhs=substitute(lhs, fixed), rhs=substitute(rhs, fixed),
            )))
    answer_key = None
    error = ""
    if d.answer is not None and d.answer.expr is not None:
        answer_lhs = d.answer_lhs.expr if d.answer_lhs is not None else None
        answer = d.answer.expr
        if isinstance(question.answer, Expr):
            answer = _zero_as_matrix(question, answer, question.answer)[0]
        answer_key = ("answer", question.id, question.reference.statement, answer,
                      answer_lhs if question.accepts else None)
        error = _restates(answer, question)
        try:
            if error:
                raise ValueError(error)
            claims.append((answer_key, _at(question.answer_claim(answer, answer_lhs), _fixed(d.answer), question)))
        except (VerifyError, TypeError, ValueError) as err:
            answer_key, error = None, str(err)
    defined_key, where = None, ""
    if d.answer is not None and d.answer.ill_formed:
        found = _where_defined(question, d.answer.latex)
        if found is not None:
            where, claim = found
            defined_key = ("defined", question.id, claim.lhs, where)
            claims.append((defined_key, claim))
    return Plan(question, section, d, tuple(claims), answer_key, error, answer_step, assumptions, defined_key,
                where)


def _plan_parts(question: Question, section: Section, labels: Mapping[str, Label] | None) -> Plan:
    """Each part planned as a question of its own, over the same derivation: a part is given by
    the last equation that names it; the last part (the question's own answer) also by the final
    equation, unless that names another part. An equation that gives a part is graded as that
    part's answer, not as a step; the other equations are steps, decided once for all parts."""
    subs = question.part_questions()
    plans = [plan(sub, section, labels) for sub in subs]
    given: list[Plan | None] = []
    for k, (sub, p) in enumerate(zip(subs, plans, strict=True)):
        d = p.derivation
        if d is None or d.answer is None:
            given.append(None)
            continue
        others = [o for o in subs if o is not sub]
        head = d.answer_head
        names_another = head is not None and any(names_asked(o, head) for o in others)
        if d.answer_named or (k == len(subs) - 1 and not names_another):
            given.append(p)
        else:
            given.append(None)
    main = plans[-1]
    d = main.derivation
    assert d is not None
    answers = {p.answer_step for p in given if p is not None and p.answer_step is not None}
    forced = in_force(d, question)
    skip = {step_key(question, step, forced[step.index]) for step in d.steps if step.index in answers}
    claims: dict[Key, Claim] = {}
    for p in plans:
        for key, claim in p.claims:
            if key[0] == "step" and key not in skip:
                claims.setdefault(key, claim)
    for part in given:
        if part is not None and part.answer_key is not None:
            claims.setdefault(part.answer_key, dict(part.claims)[part.answer_key])
    return Plan(question, section, d, tuple(claims.items()), assumptions=main.assumptions, parts=tuple(given))


def _fixed(*terms: Term) -> dict[str, Const]:
    """The symbols some side was read with fixed (m = 2 for a sum over the samples): a claim is
    then decided there, on both sides, since the other side holds for every m."""
    return {name: Const(value) for t in terms for name, value in t.fixed}


def _where(fixed: Mapping[str, Expr]) -> str:
    return f" (at {', '.join(f'{k} = {v.latex()}' for k, v in fixed.items())})" if fixed else ""


def _at(claim: Claim, fixed: Mapping[str, Const], question: Question) -> Claim:
    """The answer's claim where its reading fixed a count, with the nodes its derivatives use."""
    if not isinstance(claim, Equality):
        if fixed:
            raise ValueError("a sum over the samples is not read in this kind of answer")
        return claim
    claim = replace(claim, symbols=_with_nodes(question, claim.lhs, claim.rhs))
    if not fixed:
        return claim
    return replace(claim, lhs=substitute(claim.lhs, fixed), rhs=substitute(claim.rhs, fixed),
                   statement=claim.statement + _where(fixed))


def _with_nodes(question: Question, *exprs: Expr) -> Symbols:
    """The question's symbols, and the node of each definition the expressions differentiate by
    (d J / d z_2: the variable z_2 at its value, see LatexReader.nodes)."""
    nodes = reader(question).nodes
    if not nodes:
        return question.symbols
    names = frozenset().union(*(e.names() for e in exprs))
    used = [s for s in nodes.values() if s.name in names and s.name not in question.symbols]
    return Symbols.of([*question.symbols.values(), *used]) if used else question.symbols


def _in_words(section: Section | None) -> str:
    """Why a TA must read an answer with no equation in it: it may be given in words ("a diagonal
    matrix with a 1 where z_1 is positive"), which the grader does not grade. Empty for no text."""
    words = len(section.prose.split()) if section is not None else 0
    return "answered in words only, which the grader does not grade: a TA should read it" if words >= 5 else ""


def _condition(question: Question, step: Step) -> bool:
    """``w_1^2 (s_{11} + ...) = 0`` in a property question: the condition being imposed (R = 0 when
    w_1 = w_2), not an identity that should hold for every value."""
    zero = (Const(sympy.Integer(0)),)
    return question.kind == "property" and (
        (step.rhs.expr in zero or isinstance(step.rhs.expr, Zero))
        or (step.lhs.expr in zero or isinstance(step.lhs.expr, Zero)))


def _restates(answer: Expr, question: Question | None = None) -> str:
    """Why an answer is no answer: it still differentiates something other than a declared
    function (d y / d x with y := A x, \\nabla_x h), so it equals the reference by definition; or
    it is what the question asks, by the name the question gives it (J for hessian.matrix, whose
    second partials of psi are themselves a fine answer when written out)."""
    for node in _nodes_of(answer):
        if isinstance(node, Derivative | Gradient | Hessian) and not _of_declared(node.f):
            return ("it still contains a derivative to be worked out; write the result without "
                    "differentiating the question's expressions")
    target = getattr(question.reference, "lhs", None) if question is not None else None
    if target is not None and answer == target and any(
            isinstance(n, Derivative | Gradient | Hessian) for n in _nodes_of(target)):
        return "it is what the question asks for, by its own name; write it out"
    return ""


def _nodes_of(e: Expr) -> list[Expr]:
    out, stack = [], [e]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children())
    return out


def _shapes(error: str) -> str:
    """Why shapes do not fit, for a student: the first line, without the engine's reading of the
    whole expression ("cannot multiply nxm by nxp: <the expanded expression>")."""
    first = error.splitlines()[0] if error else "its shapes do not fit"
    found = re.match(r"(cannot [^:]*?): .*?(?P<at> \(at offset \d+\))?$", first)
    return found.group(1) if found else first


def _of_declared(f: Expr) -> bool:
    """``f`` is a declared function, or a derivative of one (\\partial_u \\partial_v \\psi)."""
    while isinstance(f, Derivative):
        f = f.f
    return isinstance(f, Var)


def _zero_as_matrix(question: Question, left: Expr, right: Expr) -> tuple[Expr, Expr]:
    """``M = 0`` with M a matrix: the 0 is the zero matrix of M's shape (:func:`zero_of`)."""
    def zero_for(e: Expr, other: Expr) -> Expr:
        try:
            return zero_of(e, shape_of(other, question.symbols, question.layout))
        except VerifyError:
            return e
    return zero_for(left, right), zero_for(right, left)


def _where_defined(question: Question, latex: str) -> tuple[str, Equality] | None:
    """An ill-formed answer (``x^T A`` with A m x n) read where two dimension letters are equal,
    and compared with the reference there: if it is wrong even then, the student sees values."""
    if question.accepts is not None or not isinstance(question.answer, Expr):
        return None
    for keep, drop in itertools.permutations(sorted(question.symbols.letters), 2):
        if keep > drop:
            continue
        symbols = _unified(question, keep, drop)
        if symbols is None:
            continue
        try:
            expr = _unified_reader(question, keep, drop).read(latex)
            shape_of(question.answer, symbols, question.layout)
        except (VerifyError, RecursionError):
            continue
        claim = Equality(id=f"{question.id}.answer-where-defined", statement=f"{latex} ({drop} = {keep})",
                         symbols=symbols, layout=question.layout, lhs=expr, rhs=question.answer)
        return f"{drop} = {keep}", claim
    return None


@functools.lru_cache(maxsize=64)
def _unified(question: Question, keep: str, drop: str) -> Symbols | None:
    def dim(d: Dim) -> Dim:
        return keep if d == drop else d
    try:
        return Symbols.of([replace(s, shape=Shape(dim(s.shape.rows), dim(s.shape.cols)))
                           for s in question.symbols.values()])
    except VerifyError:
        return None


@functools.lru_cache(maxsize=64)
def _unified_reader(question: Question, keep: str, drop: str) -> LatexReader:
    symbols = _unified(question, keep, drop)
    assert symbols is not None
    return LatexReader(symbols, question.layout, dict(question.defines), index_sums=True, numbers_as_identity=True)


def assemble(p: Plan, results: Mapping[Key, Result], rule: ScoringRule) -> QuestionGrade:
    grade = _assemble(p, results, rule)
    if p.section is None or not p.section.misspelt:
        return grade
    # graded under a heading that names no question but this one is close to: a TA confirms
    where = f"graded under the heading '{p.section.misspelt}', taken for {p.question.id}"
    return replace(grade, feedback=f"({where[0].upper()}{where[1:]}.) {grade.feedback}",
                   review_why="; ".join(w for w in (grade.review_why, where) if w))


def _assemble(p: Plan, results: Mapping[Key, Result], rule: ScoringRule) -> QuestionGrade:
    q = p.question
    if q.kind == "true-false":
        return _true_false(q, p.section, rule)
    if p.section is None or (not p.section.math and not p.section.prose.strip()):
        return QuestionGrade(q.id, Mark.UNANSWERED, 0.0, q.points, feedback="No answer was found under this heading.")
    if q.parts:
        return _assemble_parts(p, results, rule)
    d = p.derivation
    assert d is not None
    if d.answer is None:
        why = "; ".join(d.unreadable) if d.unreadable else "no mathematics was found in the answer"
        mark = Mark.UNPARSABLE if d.unreadable else Mark.UNANSWERED
        return QuestionGrade(q.id, mark, 0.0, q.points, feedback=f"No final answer could be read: {why}.",
                             review_why=f"{UNREADABLE}: {why}" if d.unreadable else _in_words(p.section))
    checks = _checks(q, d, results, {p.answer_step} - {None}, p.assumptions, [d.answer_head])
    bad = next((c.index for c in checks if c.status is StepStatus.DOES_NOT_FOLLOW), None)
    labels = _labels_note(d)
    if d.answer.expr is None and d.answer.ill_formed:
        where = _where_defined_note(p, results)
        return QuestionGrade(
            q.id, Mark.INCORRECT, 0.0, q.points, first_bad_step=bad, answer=d.answer.latex, steps=tuple(checks),
            feedback=" ".join(f for f in (
                f"Your final answer ${d.answer.latex}$ cannot be right: its shapes do not fit "
                f"({_shapes(d.answer.error)}).", where, *_step_feedback(checks, bad, d.answer.latex), labels)
                if f),
        )
    if d.answer.expr is None:
        return QuestionGrade(
            q.id, Mark.UNPARSABLE, 0.0, q.points, first_bad_step=bad, answer=d.answer.latex, steps=tuple(checks),
            feedback=f"Your final answer ${d.answer.latex}$ could not be read: {d.answer.error}",
            review_why=f"{UNREADABLE}: {d.answer.error.splitlines()[0] if d.answer.error else 'unknown'}",
        )
    fixed = _fixed(d.answer)
    result = _scoped(_decided(results, p.answer_key), fixed) if p.answer_key is not None else None
    claim = dict(p.claims).get(p.answer_key) if p.answer_key is not None else None
    shown = d.answer
    if q.kind == "property" and d.answer_lhs is not None and p.answer_step is not None:
        shown = Term(f"{d.answer_lhs.latex} = {d.answer.latex}", d.answer.expr)  # the condition, whole
    mark, text = _answer_feedback(q, shown, result, p.answer_error, claim)
    read = as_read(d.answer.expr, q, d.answer.latex)
    if shown is not d.answer and d.answer_lhs is not None and d.answer_lhs.expr is not None:
        read = f"{as_read(d.answer_lhs.expr, q, d.answer_lhs.latex)} = {read}"  # a condition: both sides
    text = f"Your answer, as read: ${read}$. {text}"
    head = d.answer_head
    if (mark is Mark.INCORRECT and head is not None and result is not None and not d.answer_named
            and result.verdict in (Verdict.REFUTED, Verdict.ERROR) and names_other(q, head)):
        # the last equation gives another quantity (\nabla f(0, 1), for a question that also asks
        # x^{t+1}): what the question asks is missing, which is not a wrong answer
        return QuestionGrade(
            q.id, Mark.UNANSWERED, 0.0, q.points, first_bad_step=bad, answer=d.answer.expr.latex(),
            steps=tuple(checks), feedback=" ".join(f for f in (
                f"No equation gives what the question asks for; your last one gives ${head.latex}$, "
                f"which is not it (\"{_asks(q.wording)}\").", *_step_feedback(checks, bad), labels) if f))
    samples = _samples_note(q, [d.answer, *(t for step in d.steps for t in (step.lhs, step.rhs))])
    feedback = [text, *_step_feedback(checks, bad), samples, labels]
    points = rule.points(mark, q.points, bad)
    if mark is Mark.CORRECT and bad is not None:
        feedback.append(f"The final answer is right, but the derivation has a wrong step: {points:g} of "
                        f"{q.points:g} points.")
    return QuestionGrade(q.id, mark, points, q.points, first_bad_step=bad, feedback=" ".join(f for f in feedback if f),
                         answer=d.answer.expr.latex(), steps=tuple(checks),
                         counterexample=result.counterexample if result is not None and mark is Mark.INCORRECT
                         else None, review=result is not None and result.verdict is Verdict.UNKNOWN,
                         review_why=_undecided(result) if result is not None and result.verdict is Verdict.UNKNOWN
                         else "")


#: the order in which a part's mark decides the question's: any wrong part makes it wrong
_WORST = (Mark.INCORRECT, Mark.UNPARSABLE, Mark.UNANSWERED, Mark.CORRECT)


def _assemble_parts(p: Plan, results: Mapping[Key, Result], rule: ScoringRule) -> QuestionGrade:
    """A question of several parts: each part's grade as a question of its own, then the question's.
    Its mark is the worst part's (a wrong part makes it incorrect; all right, correct; right parts
    and missing ones, unanswered), its points each right part's share (less for a wrong step)."""
    q = p.question
    d = p.derivation
    if d is None or all(part is None for part in p.parts):
        if d is not None and d.answer is None and d.unreadable:
            return QuestionGrade(q.id, Mark.UNPARSABLE, 0.0, q.points,
                                 feedback=f"No final answer could be read: {'; '.join(d.unreadable)}.",
                                 review_why=f"{UNREADABLE}: {'; '.join(d.unreadable)}")
        names = " and ".join(f"${part.name}$" for part in q.parts)
        return QuestionGrade(q.id, Mark.UNANSWERED, 0.0, q.points,
                             feedback=f"No equation gives what the question asks for ({names}): write each as "
                                      f"${q.parts[0].name} = \\dots$.", review_why=_in_words(p.section))
    answers = {part.answer_step for part in p.parts if part is not None and part.answer_step is not None}
    heads = [part.derivation.answer_head for part in p.parts if part is not None and part.derivation is not None]
    checks = _checks(q, d, results, answers, p.assumptions, heads)
    bad = next((c.index for c in checks if c.status is StepStatus.DOES_NOT_FOLLOW), None)
    marks: list[Mark] = []
    texts: list[str] = []
    review = False
    why: list[str] = []
    counterexample = None
    shown: list[str] = []
    for number, (part, sub_plan) in enumerate(zip(q.parts, p.parts, strict=True), 1):
        mark, text, result = _part_grade(part.name, sub_plan, results)
        marks.append(mark)
        texts.append(f"Part {number} (${part.name}$): {text}")
        if result is not None and result.verdict is Verdict.UNKNOWN:
            review = True
            why.append(f"part {number}: {_undecided(result)}")
        elif mark is Mark.UNPARSABLE:
            why.append(f"part {number} {UNREADABLE}: {text.split(': ', 1)[-1]}")
        if mark is Mark.INCORRECT and counterexample is None and result is not None:
            counterexample = result.counterexample
        if sub_plan is not None and sub_plan.derivation is not None and sub_plan.derivation.answer is not None:
            answer = sub_plan.derivation.answer
            shown.append(answer.expr.latex() if answer.expr is not None else answer.latex)
    mark = next(m for m in _WORST if m in marks)
    right = sum(1 for m in marks if m is Mark.CORRECT)
    if mark is Mark.UNANSWERED and right:  # given in part: the rest may be stated in words
        missing = ", ".join(f"${part.name}$" for part, m in zip(q.parts, marks, strict=True) if m is Mark.UNANSWERED)
        why.append(f"answered in part: no equation gives {missing}; it may be stated in words")
    points = rule.points(Mark.CORRECT, q.points * right / len(marks), bad) if right else 0.0
    feedback = [*texts, *_step_feedback(checks, bad), _labels_note(d)]
    if right and bad is not None:
        feedback.append(f"The derivation has a wrong step: {points:g} of {q.points:g} points.")
    return QuestionGrade(q.id, mark, points, q.points, first_bad_step=bad, feedback=" ".join(f for f in feedback if f),
                         answer="; ".join(shown) or None, steps=tuple(checks), counterexample=counterexample,
                         review=review, review_why="; ".join(why))


def _part_grade(name: str, p: Plan | None, results: Mapping[Key, Result]) -> tuple[Mark, str, Result | None]:
    """One part's mark and feedback (and its result, if decided)."""
    if p is None or p.derivation is None or p.derivation.answer is None:
        return Mark.UNANSWERED, f"not answered: no equation gives ${name}$.", None
    q, answer = p.question, p.derivation.answer
    if answer.expr is None and answer.ill_formed:
        return Mark.INCORRECT, (f"${answer.latex}$ cannot be right: its shapes do not fit "
                                f"({_shapes(answer.error)})."), None
    if answer.expr is None:
        return Mark.UNPARSABLE, f"${answer.latex}$ {UNREADABLE}: {answer.error.splitlines()[0]}", None
    result = _decided(results, p.answer_key) if p.answer_key is not None else None
    claim = dict(p.claims).get(p.answer_key) if p.answer_key is not None else None
    mark, text = _answer_feedback(q, answer, result, p.answer_error, claim)
    return mark, f"your answer, as read: ${as_read(answer.expr, q, answer.latex)}$. {text}", result


def _undecided(result: Result) -> str:
    """The review reason of an undecided answer; with why, when no decision came back at all
    (``not decided: the scheduler was lost``), which the command counts and reports."""
    return f"{UNDECIDED} ({result.detail})" if result.detail.startswith("not decided") else UNDECIDED


def _decided(results: Mapping[Key, Result], key: Key) -> Result:
    """The decision of a claim that was planned; one that never came back (a lost cluster, a run
    cut short) is undecided, so the answer goes to review: never ``incorrect`` for want of a result."""
    found = results.get(key)
    return found if found is not None else Result(Verdict.UNKNOWN, detail="not decided")


def as_read(e: Expr, q: Question, written: str) -> str:
    """The answer as the grader read it, typeset in the names the student writes (``\\beta_2``,
    ``\\hat{y}^{(i)}``, ``x^*``), never the engine's own (``beta2``, ``yhat``) nor what a defined
    name stands for (the reader puts -Q^{-1} c in place of x^*; it is folded back here where the
    student ``written`` that name), so that a misreading shows at a glance."""
    plain = re.sub(r"\s+", "", written)
    for name, value in sorted(q.defines.items(), key=lambda kv: -len(kv[1].latex())):  # the largest first
        if re.sub(r"\s+", "", name) in plain:
            e = replace_subtree(e, value, Var(name))
    spelled = {name: Var(s.latex) for name, s in q.symbols.items() if s.latex and s.latex != name}
    # a declared function's node (x°, for d y / d x with x of(z)) is written as the student wrote it: x
    spelled.update({f"{name}°": Var(s.latex or name) for name, s in q.symbols.items() if s.of})
    return substitute(e, spelled).latex()


def _asks(wording: str) -> str:
    """The question's request: its last sentence ("Give grad f(0, 1) and x^(t+1)."), on one line;
    of a prompt in paragraphs (an assignment file's Markdown), of its last paragraph, and cut at
    200 characters, since it is quoted inside a line of feedback."""
    paragraphs = [p for p in re.split(r"\n\s*\n", wording.strip()) if p.strip()]
    last = " ".join((paragraphs[-1] if paragraphs else wording).split())
    sentences = re.split(r"(?<=[.?!])\s+(?=[A-Z])", last)
    asked = sentences[-1] if sentences else last
    return asked if len(asked) <= 200 else asked[:197] + "..."


def _checks(q: Question, d: Derivation, results: Mapping[Key, Result], answers: AbstractSet[int | None],
            assumptions: tuple[int, ...], heads: list[Term | None]) -> list[StepCheck]:
    """Each step's check. Not checked, by design, and costing nothing: an equation that is the
    answer (graded as the answer), an assumption (w_1 = w_2), and the first link of the answer's
    chain whose left side only names the answer and is no declared expression (``v^{(k)} = ...``,
    ``x^k - x^* = ...``): there is no reasoning in it to check."""
    out = []
    given = in_force(d, q)
    for step in d.steps:
        if step.index in answers:
            out.append(StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED, _ANSWER_STEP))
        elif step.index in assumptions:
            why = CONDITION if _condition(q, step) else _ASSUMPTION
            out.append(StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED, why))
        elif step.lhs.expr is None and not step.lhs.ill_formed and any(step.lhs == h for h in heads if h):
            out.append(StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED, NAMES_ANSWER))
        else:
            out.append(_check(step, _scoped(results.get(step_key(q, step, given[step.index])),
                                            _fixed(step.lhs, step.rhs)), q.symbols, given[step.index]))
    return out


_ANSWER_STEP = ANSWER_STEP
_ASSUMPTION = ASSUMPTION


def _scoped(result: Result | None, fixed: Mapping[str, Const]) -> Result | None:
    """A claim decided at m = 2 only (a sum over the samples): a difference there is a
    counterexample for every m, but agreement there is not a proof."""
    if result is None or not fixed or result.verdict is not Verdict.PROVED:
        return result
    return Result(Verdict.UNKNOWN, detail=f"it holds{_where(fixed)}, where a sum over the samples is read, "
                  "which does not show it for every number of samples")


def _samples_note(q: Question, terms: list[Term]) -> str:
    if q.samples is None or not any(t.fixed for t in terms):
        return ""
    s = q.samples
    others = ", ".join(f"${q.symbols[b].latex or b}$" for _, b in s.other)
    return (f"(A sum over the samples, $\\sum_{{{s.index}=1}}^{{{s.count}}}$, is checked with {s.count} = {s.AT}: "
            f"sample {s.index} and one other sample, whose values are {others}.)")


def _labels_note(d: Derivation) -> str:
    if not d.labels:
        return ""
    names = ", ".join(f"${label}$" for label in d.labels)
    return f"({names} read as your name for the expression before it.)"


def _where_defined_note(p: Plan, results: Mapping[Key, Result]) -> str:
    result = results.get(p.defined_key) if p.defined_key is not None else None
    if result is None:
        return ""
    if result.verdict is Verdict.REFUTED and result.counterexample is not None:
        detail = _counterexample_text(result, True, p.question.symbols).replace(
            "the left side is", "your answer gives").replace("but the right side is", "but the correct value is")
        return f"Even where it is defined ({p.defined_where}) it is not right: {detail}."
    if result.verdict is Verdict.PROVED:
        return f"It would be right only if {p.defined_where}, which the question does not assume."
    return ""


def _check(step: Step, result: Result | None, symbols: Mapping[str, Symbol] | None = None,
           given: Mapping[str, Expr] | None = None) -> StepCheck:
    """``given``: the conditions the student stated before the step (``w_1 = w_2``), under which
    it was checked: a counterexample says so, since it gives no value to what they fix."""
    ill = step.lhs if step.lhs.ill_formed else step.rhs if step.rhs.ill_formed else None
    if ill is not None:
        return StepCheck(step.index, step.latex, StepStatus.DOES_NOT_FOLLOW,
                         f"${ill.latex}$ is not well-formed ({_shapes(ill.error)})")
    if step.lhs.expr is None or step.rhs.expr is None:
        unread = step.lhs if step.lhs.expr is None else step.rhs
        first = unread.error.splitlines()[0] if unread.error else "unreadable"
        return StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED,
                         f"${unread.latex}$ could not be read ({first})")
    if result is None:
        return StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED, "not decided")
    if result.verdict is Verdict.PROVED:
        return StepCheck(step.index, step.latex, StepStatus.FOLLOWS)
    if result.verdict is Verdict.REFUTED:
        under = ", ".join(f"{_spelled(name, symbols)} = ${value.latex()}$" for name, value in (given or {}).items())
        return StepCheck(step.index, step.latex, StepStatus.DOES_NOT_FOLLOW,
                         (f"with {under} as stated, " if under else "") + _counterexample_text(result, True, symbols),
                         counterexample=result.counterexample)
    if result.verdict is Verdict.ERROR:
        return StepCheck(step.index, step.latex, StepStatus.DOES_NOT_FOLLOW, result.detail.splitlines()[0])
    return StepCheck(step.index, step.latex, StepStatus.NOT_CHECKED, result.detail)


def _counterexample_text(result: Result, with_hint: bool = True, symbols: Mapping[str, Symbol] | None = None) -> str:
    cx = result.counterexample
    hint = ""
    if with_hint and "; " in result.detail:
        hint = result.detail.split("; ", 1)[1]
    if cx is None:
        return result.detail
    values = ", ".join(f"{_spelled(k, symbols)} = {v}" for k, v in cx.values.items())
    sizes = ", ".join(f"{k} = {v}" for k, v in cx.sizes.items())
    where = f"with {sizes} and {values}" if sizes and values else f"with {sizes}" if sizes else \
        f"at {values}" if values else ""
    lhs, rhs = readable(cx.lhs, cx.rhs)
    text = f"{where + ', ' if where else ''}the left side is {lhs} but the right side is {rhs}"
    return f"{text} ({hint})" if hint else text


#: An entry's exact form longer than this is left out of a student's feedback for the digits beside
#: it: ``-6*exp(29/2)/((1 - 1/(1 + exp(29/2)))*(1 + exp(29/2))**2) (~-4.0000010)`` reads as noise,
#: ``~-4.0000010`` does not. The exact form stays in the result (JSON, the cache, a TA's report).
LONG_EXACT = 30


def _entries(shortest: int) -> re.Pattern[str]:
    """An entry of ``show``'s text at least ``shortest`` characters long with its certified digits."""
    return re.compile(r"(?:(?<=\[)|(?<=, )|^)([^\[\],]{" + str(shortest) + r",}?) \(~([^()\s]+)\)")


_LONG, _ANY = _entries(LONG_EXACT + 1), _entries(1)


def readable(*values: str) -> tuple[str, ...]:
    """The sides' values (``show``'s text), each non-rational entry given by its certified digits
    where one of them is long (so that the two sides read alike); as they are otherwise."""
    if not any(_LONG.search(v) for v in values):
        return values
    return tuple(_ANY.sub(r"~\2", v) for v in values)


def _spelled(name: str, symbols: Mapping[str, Symbol] | None) -> str:
    """A counterexample's name as the student writes it (``$\\hat{y}^{(i)}$`` for yhat,
    ``$\\frac{\\partial x}{\\partial z}$`` for dx/dz); an engine's own name otherwise."""
    if symbols is None:
        return name
    if name in symbols:
        return f"${symbols[name].latex}$" if symbols[name].latex else name
    parts = name[1:].split("/d") if name.startswith("d") else []
    if 2 <= len(parts) <= 3 and all(n in symbols for n in parts):  # df/dv, or a second derivative df/du/dv
        f, *by = (symbols[n].latex or n for n in parts)
        power = "^2" if len(by) == 2 else ""
        below = " ".join(f"\\partial {v}" for v in by)
        return f"$\\frac{{\\partial{power} {f}}}{{{below}}}$"
    return name


def _answer_feedback(q: Question, answer: Term, result: Result | None, error: str,
                     claim: Claim | None = None) -> tuple[Mark, str]:
    if result is None:
        return Mark.INCORRECT, f"Your answer ${answer.latex}$ is not accepted: {error}."
    if result.verdict is Verdict.PROVED:
        return Mark.CORRECT, "Correct."
    if result.verdict is Verdict.REFUTED:
        cx = result.counterexample
        detail = _counterexample_text(result, not isinstance(claim, Limit), q.symbols)  # a limit's hint is its proof
        if cx is not None and isinstance(claim, Limit):  # lim ... = answer: the answer is the right side
            detail = detail.replace("the left side is", "the correct value (the limit) is").replace(
                "but the right side is", "but your answer gives")
        elif cx is not None and isinstance(claim, Proportional):  # a condition: what it must be, and a point
            values = ", ".join(f"{_spelled(k, q.symbols)} = {v}" for k, v in cx.values.items())
            kind = "positive constant" if claim.positive else "nonzero constant"
            it, multiple = readable(cx.lhs, cx.rhs)
            detail = (f"${as_read(claim.expr, q, '')}$ must be a {kind} multiple of ${as_read(claim.to, q, '')}$, "
                      "and it is not: "
                      f"at {values} it is {it}, where that multiple is {multiple}")
        elif cx is not None:  # an equality, or a recurrence (closed form = the answer, on the left)
            detail = detail.replace("the left side is", "your answer gives").replace(
                "but the right side is", "but the correct value is")
        return Mark.INCORRECT, f"Your answer ${answer.latex}$ is not right: {_sentence(detail)}"
    if result.verdict is Verdict.ERROR:
        detail = result.detail.splitlines()[0].replace("the left is", "your answer is").replace(
            ", the right ", ", the correct answer ").replace("the left side equals the transpose of the right",
                                                             "your answer equals the transpose of the correct one")
        return Mark.INCORRECT, f"Your answer ${answer.latex}$ cannot be right: {_sentence(detail)}"
    return Mark.INCORRECT, (f"Your answer ${answer.latex}$ could not be verified automatically "
                            f"({result.detail}); it is flagged for a TA to review.")


def _sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "?", "!")) else f"{text}."


def _step_feedback(checks: list[StepCheck], bad: int | None, ill_formed_answer: str = "") -> list[str]:
    """``ill_formed_answer``: the LaTeX of a final answer already said to be ill-formed; a bad step
    that ends in it is pointed at without repeating why."""
    out = []
    if bad is not None:
        c = checks[bad - 1]
        if ill_formed_answer and c.latex.endswith(f"= {ill_formed_answer}"):
            out.append(f"Step {bad} (${c.latex}$) is where it goes wrong: its right side is that answer.")
        else:
            out.append(f"Step {bad} (${c.latex}$) does not follow: {_sentence(c.detail)}")
    skipped = [c for c in checks if c.status is StepStatus.NOT_CHECKED and c.detail not in BENIGN]
    if skipped:
        which = ", ".join(str(c.index) for c in skipped)
        out.append(f"Step{'s' if len(skipped) > 1 else ''} {which} could not be checked "
                   f"({skipped[0].detail}); {'they do' if len(skipped) > 1 else 'it does'} not count against you.")
    return out


def _true_false(q: Question, section: Section | None, rule: ScoringRule) -> QuestionGrade:
    if section is None or (not section.prose.strip() and not section.math):
        return QuestionGrade(q.id, Mark.UNANSWERED, 0.0, q.points, feedback="No answer was found under this heading.")
    text = " ".join([section.prose, *(m.latex for m in section.math)])
    said, words = said_true(text, q.wording)
    if said is None:
        what = (f"it says both ({', '.join(words)})" if words
                else "no true/false (or yes/no) answer was found in it")
        return QuestionGrade(q.id, Mark.INCORRECT, 0.0, q.points, answer=" / ".join(words) or None,
                             feedback=f"Your answer could not be read as true or false: {what}; "
                                      "it is flagged for a TA to review.", review=True,
                             review_why=f"{UNREADABLE} as true or false: {what}")
    right = bool(q.answer)
    mark = Mark.CORRECT if said == right else Mark.INCORRECT
    reason = q.reference.why or q.reference.statement
    read = f"Your answer, as read: {'true' if said else 'false'} (from \"{' '.join(words[0].split())}\")." \
        if words else ""
    verdict = "Correct." if mark is Mark.CORRECT else f"The right answer is {'true' if right else 'false'}: {reason}"
    feedback = f"{read} {verdict}".strip()
    return QuestionGrade(q.id, mark, rule.points(mark, q.points, None), q.points, feedback=feedback,
                         answer="true" if said else "false")


#: A verdict word, with a negation before it: "not true", "isn't true", "is not false".
_VERDICT = re.compile(r"(?P<neg>(?:\bnot|n[’']t|\bnever)\s+(?:(?:quite|entirely|actually|at all)\s+)?)?"
                      r"\b(?P<word>true|false|correct|incorrect|wrong)\b", re.IGNORECASE)
#: Yes or no as the answer itself, at the start of a sentence: "No, ...", "Yes."
_YES_NO = re.compile(r"^\W*(?P<word>yes|no)\b(?!\s+(?:\w+\s+)?(?:minimum|minimiser|point|value|function)\b)",
                     re.IGNORECASE)
#: A hypothetical: a verdict word in such a sentence is not the student's answer.
_HYPOTHETICAL = re.compile(r"\b(?:if|would|were|unless|whether|suppose|assum\w*)\b", re.IGNORECASE)
#: The question's own "True or false:", restated by the student.
_QUESTION_WORDS = re.compile(r"\btrue\s+(?:or|/)\s+false\b|\bT\s*/\s*F\b", re.IGNORECASE)
#: Sentences, and the clauses a "but" joins (a hypothetical clause says nothing, the other may).
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n\s*\n|,?\s+\bbut\b\s+", re.IGNORECASE)
#: "... is convex." at the end of a true/false question: the property the statement claims.
_PROPERTY = re.compile(r"\bis\s+(?:a\s+|an\s+)?(?P<word>[a-z][a-z-]*)\W*$", re.IGNORECASE)


def said_true(text: str, wording: str = "") -> tuple[bool | None, list[str]]:
    """What a true/false answer says, read sentence by sentence with its negations: True, False, or
    None when it says both or neither (then the words that were found, for the feedback).

    The answer words (true, false, correct, wrong; yes or no opening a sentence) decide, each turned
    by a "not" or "n't" before it ("It is **not** true that ..."); a sentence that is a hypothetical
    ("it would be true if ...") says nothing. Only when no answer word is found is the property the
    question states read ("is convex", "is not convex", "isn't convex", "non-convex")."""
    text = _QUESTION_WORDS.sub(" ", re.sub(r"\\text\{([^{}]*)\}", r" \1 ", text))
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    found: list[tuple[bool, str]] = []
    for sentence in sentences:
        yes_no = _YES_NO.search(sentence)  # "No, it would only be true if ...": the "No" answers
        if yes_no:
            found.append((yes_no.group("word").lower() == "yes", yes_no.group(0).strip()))
        if _HYPOTHETICAL.search(sentence):
            continue
        for m in _VERDICT.finditer(sentence):
            value = m.group("word").lower() in ("true", "correct")
            found.append((value != bool(m.group("neg")), m.group(0).strip()))
    prop = _PROPERTY.search(wording.strip())
    if not found and prop:
        # the property as a predicate of the thing ("f is convex", "it is not convex", "non-convex"),
        # never as an adjective of something else ("a convex function has only global minima")
        word = re.escape(prop.group("word"))
        adverb = (r"(?:(?:indeed|actually|also|strictly|globally|therefore|thus|hence|still|in fact|necessarily"
                  r"|even)\s+)?")
        said = re.compile(rf"(?P<neg>(?:\bnot|n[’']t|\bnever)\s+(?:be\s+)?{adverb}|\bnon-?\s*)"
                          rf"{word}\b|\b(?:is|are|be|being|it[’']s|remains|stays)\s+{adverb}{word}\b", re.IGNORECASE)
        for sentence in sentences:
            if _HYPOTHETICAL.search(sentence):
                continue
            for m in said.finditer(sentence):
                found.append((not m.group("neg"), m.group(0).strip()))
    values = {v for v, _ in found}
    words = list(dict.fromkeys(w for _, w in found))
    return (values.pop(), words) if len(values) == 1 else (None, words)
