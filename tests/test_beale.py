"""Section 5.1 (Beale): the written errors are refuted for the reasons derived by hand, the true
statements are proved, and near misses of the true ones are refuted."""

from __future__ import annotations

from pathlib import Path

import sympy

from derivations import beale
from verify.deciding.engine import decide
from verify.deciding.evaluation.instantiate import Evaluator, symbolic
from verify.model.claim import Equality, GlobalMinimum
from verify.model.expr import D, Var, at, col, lift, shape_of, substitute
from verify.model.result import Verdict
from verify.model.symbols import Symbols, scalar

CLAIMS = {c.id: c for c in beale.CLAIMS}
X1, X2 = sympy.Symbol("x1", real=True), sympy.Symbol("x2", real=True)


def sympy_of(e) -> sympy.Expr:
    ev = Evaluator(beale.STEP_SYMBOLS, {}, symbolic(beale.STEP_SYMBOLS, {}))
    return ev(e)[0, 0]


def test_the_encoded_function_is_the_beale_function_with_exact_constants() -> None:
    by_hand = sum(
        (c - X1 + X1 * X2**k) ** 2
        for k, c in ((1, sympy.Rational(3, 2)), (2, sympy.Rational(9, 4)), (3, sympy.Rational(21, 8)))
    )
    assert sympy.expand(sympy_of(beale.F) - by_hand) == 0
    # The Hessian at the origin, derived by hand in the module docstring.
    assert sympy.hessian(by_hand, (X1, X2)).xreplace({X1: 0, X2: 0}) == sympy.Matrix([[6, 3], [3, 0]])


def test_convexity_is_refuted_at_the_origin_by_det_minus_nine() -> None:
    result = decide(CLAIMS["beale.convex"], timeout=60)
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None
    point = {X1: sympy.Rational(cx.point["x1"]), X2: sympy.Rational(cx.point["x2"])}
    hessian = sympy.hessian(sympy_of(beale.F), (X1, X2)).xreplace(point)
    reported = sympy.Rational(cx.lhs.rsplit("=", 1)[1])
    assert reported < 0
    assert reported in (hessian[0, 0], hessian[1, 1], hessian.det())


def test_the_written_df_dx2_is_off_by_three_twentieths_x1_x2_squared() -> None:
    # 2 (2.65 - 2.625) (3 x2^2 x1) = (3/20) x1 x2^2, by hand.
    difference = sympy_of(beale.DF_DX2_WRITTEN) - sympy_of(beale.DF_DX2)
    assert sympy.expand(difference - sympy.Rational(3, 20) * X1 * X2**2) == 0
    result = decide(CLAIMS["beale.grad-x2"], timeout=60)
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    x1, x2 = sympy.Rational(cx.point["x1"]), sympy.Rational(cx.point["x2"])
    assert sympy.Rational(cx.rhs) - sympy.Rational(cx.lhs) == sympy.Rational(3, 20) * x1 * x2**2


def test_each_term_has_degree_above_two() -> None:
    for k in (1, 2, 3):
        result = decide(CLAIMS[f"beale.term{k}-quadratic"], timeout=60)
        assert result.verdict is Verdict.REFUTED
        assert f"total degree {2 + 2 * k}" in result.counterexample.note


def test_unique_minimum_at_three_one_half_and_near_misses() -> None:
    assert decide(CLAIMS["beale.unique-minimum"], timeout=60).verdict is Verdict.PROVED
    # the stationary point (0, 1) is not a minimum: f(0, 1) = 909/64 > 0 = f(3, 1/2).
    for point in ((0, 1), (3, 1)):
        claim = GlobalMinimum(id=f"near.{point}", statement="", symbols=beale.SYMBOLS, f=beale.F,
                              wrt=(beale.x1, beale.x2), point=tuple(lift(p) for p in point))
        result = decide(claim, timeout=60)
        assert result.verdict is Verdict.REFUTED, result.detail


def test_the_gradient_vanishes_at_zero_one_but_not_at_one_one() -> None:
    assert decide(CLAIMS["beale.stationary"], timeout=60).verdict is Verdict.PROVED
    assert decide(CLAIMS["beale.step"], timeout=60).verdict is Verdict.PROVED
    # df/dx2(1, 1) = 2(1.5) + 4(2.25) + 6(2.625) = 111/4 by hand.
    near = Equality(id="near.grad11", statement="", symbols=beale.SYMBOLS,
                    lhs=at(beale.GRADIENT, (beale.x1, 1), (beale.x2, 1)), rhs=col(0, 0))
    result = decide(near, timeout=60)
    assert result.verdict is Verdict.REFUTED
    assert result.counterexample.lhs == "[[0], [111/4]]"


def test_at_substitutes_after_differentiating() -> None:
    t = Var("t")
    symbols = Symbols.of([scalar("t")])
    six = Equality(id="at6", statement="", symbols=symbols, lhs=at(D(t**2, t), (t, 3)), rhs=lift(6))
    nine = Equality(id="at9", statement="", symbols=symbols, lhs=at(D(t**2, t), (t, 3)), rhs=lift(9))
    assert decide(six, timeout=60).verdict is Verdict.PROVED
    assert decide(nine, timeout=60).verdict is Verdict.REFUTED


def test_a_point_given_to_a_step_is_substituted_after_differentiating() -> None:
    # A student's "(at x_1 = 0, x_2 = 1)" is substituted into the step's sides. A derivative by x_1
    # is taken first and evaluated at 0 after (d(t^2)/dt at t = 3 is 6, not d(9)/dt = 0), and a
    # variable an "at" sets keeps its binding (only the value given to it is substituted): before,
    # the substitution replaced the bound variable itself and deciding the step raised an
    # internal error (realistic/s02, beale.stationary, "x^{t+1} = x^t - alpha grad f(x^t)").
    t, u = Var("t"), Var("u")
    symbols = Symbols.of([scalar("t"), scalar("u")])
    derivative = substitute(D(t**2, t), {"t": lift(3)})
    assert derivative == at(D(t**2, t), (t, 3))
    assert decide(Equality(id="d", statement="", symbols=symbols, lhs=derivative, rhs=lift(6)),
                  timeout=60).verdict is Verdict.PROVED
    bound = substitute(at(D(t**2, t), (t, u)), {"t": lift(5), "u": lift(3)})
    assert bound == at(D(t**2, t), (t, 3))  # t stays bound; u, free, takes its value
    assert substitute(at(D(t**2, t), (t, u)), {"t": Var("s")}) == at(D(Var("s") ** 2, Var("s")), (Var("s"), u))
    # the student's step itself, from the submission, now decides
    from verify.grading.assignment import load_assignment
    from verify.grading.grade import plan
    from verify.reading.markdown import read_submission

    questions = {q.id: q for q in load_assignment("hw1").questions}
    path = Path(__file__).resolve().parent.parent / "examples/submissions/realistic/s02_bruno_verbose.md"
    submission = read_submission(path.read_text(), "s02", "s02", frozenset(questions))
    steps = [c for _, c in plan(questions["beale.stationary"], submission.sections["beale.stationary"]).claims
             if ".step" in c.id]
    assert steps
    for claim in steps:
        assert decide(claim, timeout=60).verdict is Verdict.PROVED, claim.statement


def test_questions() -> None:
    questions = {q.id: q for q in beale.QUESTIONS}
    assert set(questions) == {"beale.grad-x1", "beale.grad-x2", "beale.stationary", "beale.convex"}
    assert questions["beale.convex"].kind == "true-false" and questions["beale.convex"].answer is False
    assert questions["beale.stationary"].kind == "property"
    for qid, q in questions.items():
        assert q.reference.id == f"ref.{qid}"
        assert q.reference.expect == "holds"
        assert q.reference in beale.CLAIMS
        assert decide(q.reference, timeout=60).verdict is Verdict.PROVED
        if not isinstance(q.answer, bool):
            shape_of(q.answer, q.symbols, q.layout)  # the answer is written in the question's symbols
    # the reference df/dx2 is not the written one
    assert questions["beale.grad-x2"].answer != beale.DF_DX2_WRITTEN
