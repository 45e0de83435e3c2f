"""Grading HW1 end to end, and the grading rules on small hand-made submissions.

``examples/submissions/hw1-solution.md`` is the written solution with its answers and steps as
written, errors included; which of its answers are wrong, and at which step it goes wrong, is
derived by hand below (the reasons are in the comments and in ``derivations/*.py``), never
copied from the grader. Every counterexample the grader prints is re-checked here by exact
arithmetic, by formulas written out by hand.

Each example file is graded once per module (a module-scoped fixture); the small submissions
are graded together in one batch, so that the whole file takes seconds, not minutes.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from verify.errors import ShapeError, UnsupportedError
from verify.grading.assignment import load_assignment
from verify.grading.batch import grade_files
from verify.grading.grades import Mark, QuestionGrade, StepStatus
from verify.model.expr import Add, Apply, Identity, Product, Var
from verify.model.symbols import Symbols, matrix, scalar, vector
from verify.reading.chain import split_chain
from verify.reading.latex import LatexReader

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "submissions"
HW1 = load_assignment("hw1")
Grades = dict[str, QuestionGrade]

# --- the written solution, by hand ----------------------------------------------------------

#: Readable answers that are wrong, with the first step that does not follow (None: no step of
#: the derivation can be checked, or none is wrong).
WRONG: dict[str, int | None] = {
    # statements: alpha = sum (1), d alpha/dy_j = sum (2), sum = (x^T A^T)_j (3), d alpha/dy = x^T A (4).
    # x^T A is 1 x n times m x n: not even defined; for square A it is x^T A^T only if A = A^T.
    "pd.bilinear-y": 4,
    # nabla psi = [...] (1: psi's own variables u, v, z, so it follows by definition), J = [...] (2):
    # entry (2, 2) is written d^2 psi/(du dv) where the Jacobian of the gradient has d^2 psi/dv^2.
    "hessian.matrix": 2,
    # one step, d f/d x_2 = ...: the third bracket has 2.65 where f has 2.625.
    "beale.grad-x2": 1,
    # "convex: true": the Hessian at (0, 0) is [[6, 3], [3, 0]], det -9 < 0.
    "beale.convex": None,
    # x_i^0 (coordinates of x^0) where xhat_i^0 = v_i^T (x^0 - x^*) belongs: wrong at k = 0 already.
    # Its steps use x^k, V, xhat^k, xhat_i^k, which the question does not define (not checked).
    "quad.closed-form": None,
    # (1 - beta_2)|g| inside the max: Kingma and Ba's limit is max(beta_2 v, |g|).
    "adamax.update": None,
    # one step, dJ/d yhat^(i) = -(1/m) sum_{i=1}^m (...): the sum runs over every sample, but only
    # sample i's term involves yhat^(i); with m = 2 the other sample's term is left over (the
    # sum is read at m = 2, where a difference refutes it for every m).
    "bp.dJ-dyhat": 1,
    # delta_1 delta_2 delta_3 delta_4 delta_5 with delta_1, delta_2 scalars and delta_3 = W_2 a
    # 1 x D_a1 row: whatever delta_4 and delta_5 are, the product has one row, and dJ/dW_1 has D_a1.
    # Steps: dz_1/dW_1ij = [0 ... x_j ... 0] (1, dots: not read), dJ/dW_1 = delta_1 ... (2): its
    # left side has D_a1 rows, its right side one, so step 2 is where it goes wrong.
    "bp.dJ-dW1": 2,
}
#: Answers the grader cannot read, and why (reported, not guessed at).
#: (bp.da1-dz1 is right, diag of the indicators, written with \dots and I(z_1 1 > 0) for entry 1 of
#: z_1: read since issue 12 as the diagonal its entries fix, so it is among RIGHT)
UNREADABLE: dict[str, str] = {}
#: Right answers reached through a step that does not follow: (first bad step, why).
PARTIAL = {
    # statements: update rule (1), Q = V Lambda V^T (2), xhat^k = ... (3), x^k = ... (4),
    # V xhat^{k+1} + x^* = ... (5), xhat^{k+1} = ... = ... = (1 - alpha Lambda) xhat^k (6, 7, 8).
    # The update rule writes x for x^k; the answer (1 read as I) is right.
    "quad.eigen-recursion": 1,
}
RIGHT = set(HW1.ids) - set(WRONG) - set(UNREADABLE) - set(PARTIAL)


def _grade(*files: Path) -> dict[str, Grades]:
    return {Path(g.file).name: {q.id: q for q in g.questions} for g in grade_files(HW1, list(files))}


@pytest.fixture(scope="module")
def solution() -> Grades:
    return _grade(EXAMPLES / "hw1-solution.md")["hw1-solution.md"]


@pytest.fixture(scope="module")
def correct() -> Grades:
    return _grade(EXAMPLES / "hw1-correct.md")["hw1-correct.md"]


def test_the_hand_derived_lists_cover_the_assignment() -> None:
    assert len(HW1.ids) == 23 and HW1.max_score == 23
    assert RIGHT and not (set(WRONG) & set(UNREADABLE)) and set(WRONG) | set(UNREADABLE) | set(PARTIAL) <= HW1.ids


def test_the_solution_is_marked_incorrect_exactly_where_its_answer_is_wrong(solution: Grades) -> None:
    assert {q for q, g in solution.items() if g.verdict is Mark.INCORRECT} == set(WRONG)
    assert {q for q, g in solution.items() if g.verdict is Mark.UNPARSABLE} == set(UNREADABLE)
    assert {q for q, g in solution.items() if g.verdict is Mark.CORRECT} == RIGHT | set(PARTIAL)


def test_the_first_bad_step_is_where_the_solution_goes_wrong(solution: Grades) -> None:
    for qid, step in {**WRONG, **PARTIAL}.items():
        assert solution[qid].first_bad_step == step, qid
    for qid in RIGHT:
        assert solution[qid].first_bad_step is None, qid
    # the bad step is the one written wrong: its text is the document's
    assert "x^T A" in solution["pd.bilinear-y"].steps[3].latex
    row_2 = r"\partial u \partial v} & \frac{\partial^2 \psi}{\partial u \partial v}"  # (2, 1) and (2, 2)
    assert row_2 in solution["hessian.matrix"].steps[1].latex
    assert solution["hessian.matrix"].steps[0].status is StepStatus.FOLLOWS  # nabla psi, by definition
    assert "2.65" in solution["beale.grad-x2"].steps[0].latex
    assert solution["quad.eigen-recursion"].steps[0].latex == r"x^{k+1} = x^k - \alpha Q (x - x^*)"


def test_points_follow_the_verdicts(solution: Grades) -> None:
    for qid, g in solution.items():
        want = 1.0 if qid in RIGHT else 0.5 if qid in PARTIAL else 0.0
        assert g.points == want, qid
    assert sum(g.points for g in solution.values()) == len(RIGHT) + 0.5 * len(PARTIAL)


def test_unread_steps_are_reported_and_cost_nothing(solution: Grades) -> None:
    # index notation (y_i, a_{ij}, sums over k) is not read: "not checked", and the answer is correct
    g = solution["pd.linear"]
    assert [c.status for c in g.steps] == [StepStatus.NOT_CHECKED, StepStatus.NOT_CHECKED, StepStatus.FOLLOWS]
    assert g.points == 1.0 and "could not be checked" in g.feedback
    for qid, why in UNREADABLE.items():
        assert why in solution[qid].feedback, qid


def _values(text: str) -> dict[str, Fraction]:
    """Values a counterexample gives, by the name as the student writes it: ``$\\beta_2$ = 3/10``."""
    return {k: Fraction(v) for k, v in re.findall(r"\$([^$]+)\$ = (-?\d+(?:/\d+)?)(?![\d/\]])", text)}


def _matrix(text: str) -> list[list[Fraction]]:
    rows = re.findall(r"\[([^\[\]]*)\]", text)
    return [[Fraction(e) for e in row.split(",")] for row in rows]


def _sides(feedback: str, first: str = "your answer gives", second: str = "but the correct value is"
           ) -> tuple[str, str]:
    m = re.search(rf"{first} (\S+(?:\], \[\S+)*|\[\[.*?\]\]) {second} (\[\[.*?\]\]|[^\s.]+)", feedback)
    assert m is not None, feedback
    return m.group(1), m.group(2)


def _beale_df_dx2(x1: Fraction, x2: Fraction, c3: Fraction) -> Fraction:
    """By hand: d/dx_2 of sum_k (c_k - x_1 + x_1 x_2^k)^2 is sum_k 2 g_k k x_1 x_2^(k-1)."""
    g1, g2, g3 = Fraction(3, 2) - x1 + x1 * x2, Fraction(9, 4) - x1 + x1 * x2**2, c3 - x1 + x1 * x2**3
    return 2 * g1 * x1 + 2 * g2 * (2 * x1 * x2) + 2 * g3 * (3 * x2**2 * x1)


def test_the_2_65_counterexample_is_real(solution: Grades) -> None:
    fb = solution["beale.grad-x2"].feedback
    v = _values(fb.split("your answer gives")[0])
    given, right = _sides(fb)
    written = _beale_df_dx2(v["x_1"], v["x_2"], Fraction("2.65"))
    true = _beale_df_dx2(v["x_1"], v["x_2"], Fraction("2.625"))
    assert (Fraction(given), Fraction(right)) == (written, true) and written != true


def test_the_adamax_counterexample_lies_in_its_range_and_is_real(solution: Grades) -> None:
    fb = solution["adamax.update"].feedback
    v = _values(fb)
    b, prev, g = v[r"\beta_2"], v["v^{(k-1)}"], v[r"\partial_W E^{(k)}"]
    assert 0 < b < 1 and prev >= 0
    limit, given = _sides(fb, "the correct value \\(the limit\\) is", "but your answer gives")
    assert Fraction(limit) == max(b * prev, abs(g))
    assert Fraction(given) == max(b * prev, (1 - b) * abs(g)) != Fraction(limit)


def test_x_transpose_a_is_shown_wrong_even_for_square_a(solution: Grades) -> None:
    fb = solution["pd.bilinear-y"].feedback
    assert "shapes do not fit" in fb and "Even where it is defined" in fb
    where = fb.split("Even where it is defined")[1]
    a = _matrix(re.search(r"\$A\$ = (\[\[.*?\]\])", where).group(1))
    x = [row[0] for row in _matrix(re.search(r"\$x\$ = (\[\[.*?\]\])", where).group(1))]
    given, right = (_matrix(s)[0] for s in _sides(where))
    n = len(x)
    assert given == [sum(x[i] * a[i][j] for i in range(n)) for j in range(n)]  # x^T A
    assert right == [sum(x[i] * a[j][i] for i in range(n)) for j in range(n)]  # x^T A^T
    assert given != right


def test_the_hessian_counterexample_differs_only_in_entry_2_2(solution: Grades) -> None:
    given, right = (_matrix(s) for s in _sides(solution["hessian.matrix"].feedback))
    differ = [(i, j) for i in range(3) for j in range(3) if given[i][j] != right[i][j]]
    assert differ == [(1, 1)]


def test_the_closed_form_counterexample_is_an_iterate(solution: Grades) -> None:
    fb = solution["quad.closed-form"].feedback
    v = _values(fb.split("your answer gives")[0])
    k = v["k"]
    assert k.denominator == 1 and k >= 0  # an iteration count, not k = -1 or 1/2
    m = re.search(r"\$V\$ = (\[\[.*?\]\])", fb)
    assert m is not None, fb
    V = _matrix(m.group(1))
    # the declared orthogonal V: its columns v_1, v_2 are orthonormal
    assert [[sum(V[r][i] * V[r][j] for r in range(2)) for j in range(2)] for i in range(2)] == [[1, 0], [0, 1]]
    v1, v2 = (V[0][0], V[1][0]), (V[0][1], V[1][1])

    def combination(c1: Fraction, c2: Fraction) -> list[Fraction]:
        f1, f2 = (1 - v[r"\alpha"] * v[r"\lambda_1"]) ** int(k), (1 - v[r"\alpha"] * v[r"\lambda_2"]) ** int(k)
        return [c1 * f1 * v1[r] + c2 * f2 * v2[r] for r in range(2)]

    given, right = ([row[0] for row in _matrix(s)] for s in _sides(fb))
    assert given == combination(v["x_1^0"], v["x_2^0"])  # sum_i x_i^0 (1 - alpha lambda_i)^k v_i
    assert right == combination(v[r"\hat{x}_1^0"], v[r"\hat{x}_2^0"])  # sum_i xhat_i^0 (1 - alpha lambda_i)^k v_i
    assert given != right


def test_convexity_feedback_carries_a_counterexample(solution: Grades) -> None:
    fb = solution["beale.convex"].feedback
    assert "The right answer is false" in fb and "-9" in fb

    constants = ((1, Fraction(3, 2)), (2, Fraction(9, 4)), (3, Fraction(21, 8)))

    def f(a: Fraction, b: Fraction) -> Fraction:
        return sum(((c - a + a * b**k) ** 2 for k, c in constants), Fraction(0))

    t = Fraction(1, 10)
    midpoint, average = f(Fraction(0), Fraction(0)), (f(t, -2 * t) + f(-t, 2 * t)) / 2
    assert midpoint > average  # f above its chord: not convex
    assert f"{float(midpoint)}" in fb and f"{float(average)}" in fb


def test_labels_and_the_hessian_remark_are_read_as_names(solution: Grades) -> None:
    assert r"$\delta_2$ read as your name" in solution["bp.dyhat-dz2"].feedback
    assert "$H(y)$ read as your name" in solution["hessian.matrix"].feedback


# --- a fully correct submission --------------------------------------------------------------


def test_the_correct_submission_gets_full_marks(correct: Grades) -> None:
    assert all(g.verdict is Mark.CORRECT for g in correct.values()), {
        q: g.feedback for q, g in correct.items() if g.verdict is not Mark.CORRECT}
    assert all(g.first_bad_step is None for g in correct.values())
    assert sum(g.points for g in correct.values()) == sum(g.max_points for g in correct.values()) == 23


def test_the_correct_submission_has_its_steps_checked(correct: Grades) -> None:
    # the derivations are not just accepted: their matrix-form steps were decided and follow
    follows = {q for q, g in correct.items() if any(c.status is StepStatus.FOLLOWS for c in g.steps)}
    assert {"pd.linear", "pd.bilinear-y", "pd.inverse", "reg.expand", "bp.dJ-dyhat", "quad.eigen-recursion",
            "beale.stationary"} <= follows
    eigen = correct["quad.eigen-recursion"].steps  # an aligned block whose rows continue with &=
    assert len(eigen) == 4 and all(c.status is StepStatus.FOLLOWS for c in eigen)


# --- the grading rules, on small hand-made submissions ----------------------------------------

PROBES: dict[str, str] = {
    "layout": r"""
## pd.bilinear-x
$$\frac{\partial \alpha}{\partial x} = A^T y$$
""",
    "wrong-step": r"""
## pd.inverse
A sign slips and comes back:
$$\frac{\partial A^{-1}}{\partial \alpha} = A^{-1}\frac{\partial A}{\partial \alpha}A^{-1}
  = -A^{-1}\frac{\partial A}{\partial \alpha}A^{-1}$$
""",
    "unread-step": r"""
## pd.linear
$$\frac{\partial y}{\partial x} = \left[ \frac{\partial y_i}{\partial x_j} \right]_{ij} = A$$
""",
    "empty": r"""
## pd.linear

## pd.chain
I did not get to this one.
""",
    "prose-no": r"""
## beale.convex
No: the Hessian at the origin has a negative determinant.
""",
    "prose-yes": r"""
## beale.convex
Yes, as a sum of squares.
""",
    "restated": r"""
## pd.linear
$$\frac{\partial y}{\partial x}$$
## quad.gradient
$$\nabla_x h = \nabla_x h$$
## hessian.matrix
$$J$$
""",
    "conditions": r"""
## reg.condition
$$s_{12} + s_{21} = -s_{11} - s_{22}$$
## reg.example
$$S = \begin{bmatrix} 3 & -3 \\ -3 & 3 \end{bmatrix}$$
## beale.stationary
$$\nabla f(0, 1) = \begin{bmatrix} 0 & 0 \end{bmatrix}$$
$$x^{t+1} = \begin{bmatrix} 0 & 1 \end{bmatrix}$$
""",
    "bad-conditions": r"""
## reg.condition
$$s_{11} + s_{22} = 0$$
## reg.example
$$S = \begin{bmatrix} -1 & 1 \\ 1 & -1 \end{bmatrix}$$
""",
    "notation": r"""
## pd.inverse
$$\frac{\partial A}{\partial \alpha} A^{-1} + A \frac{\partial A^{-1}}{\partial \alpha} = 0
  \implies \frac{\partial A^{-1}}{\partial \alpha} = -A^{-1} \frac{\partial A}{\partial \alpha} A^{-1}$$
## reg.condition
Setting $w_1 = w_2$ in the expansion:
$$s_{11} + s_{12} + s_{21} + s_{22} = 0$$
## quad.closed-form
$$x^k - x^* = (1 - \alpha \lambda_1)^k \hat{x}_1^0 v_1 + (1 - \alpha \lambda_2)^k \hat{x}_2^0 v_2$$
## quad.eigen-recursion
$$\hat{x}^{k+1} = \hat{x}^k - \alpha \Lambda \hat{x}^k = (1 - \alpha \Lambda) \hat{x}^k$$
## adamax.update
$$v^{(k)} = \operatorname{max}(\beta_2 \, v^{(k-1)}, |\partial_W E^{(k)}|)$$
## bp.dz2-da1
$$\frac{\partial z_2}{\partial a_1} = W_2 = \delta_3$$
""",
    "bad-sum": r"""
## quad.closed-form
$$\sum_{i=1}^{3} (1 - \alpha \lambda_i)^k \hat{x}_i^0 v_i$$
""",
    # the right-hand side left blank: the answer is not A
    "blank-rhs": r"""
## pd.linear
$$A = $$
""",
    # one sample's term, no sum: the right answer
    "one-sample": r"""
## bp.dJ-dyhat
$$\frac{\partial J}{\partial \hat{y}^{(i)}} = -\frac{1}{m} \left(\frac{y^{(i)}}{\hat{y}^{(i)}}
  - \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)$$
""",
    # the sum over all samples minus sample j's term: right at m = 2 only (at m = 3 a third
    # sample's term is left), so agreement at m = 2 must not make it correct
    "sum-right-at-two": r"""
## bp.dJ-dyhat
$$-\frac{1}{m} \sum_{i=1}^{m} \left(\frac{y^{(i)}}{\hat{y}^{(i)}} - \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)
  + \frac{1}{m} \left(\frac{y^{(j)}}{\hat{y}^{(j)}} - \frac{1 - y^{(j)}}{1 - \hat{y}^{(j)}}\right)$$
""",
    # delta_1 := A in one answer, cited in the next: dy/dz = A dx/dz (right), and in the wrong
    # order in a copy, (dx/dz) A, which is n x 1 times m x n: not defined
    "labels": r"""
## pd.linear
$$\frac{\partial y}{\partial x} = A = \delta_1$$
## pd.chain
$$\frac{\partial y}{\partial z} = \delta_1 \frac{\partial x}{\partial z}$$
""",
    # delta_9 is never defined. For dy/dz (m x p), A delta_9 has m rows as it should and is
    # right when delta_9 = dx/dz: it stays unread. For d alpha/dx = y^T A (one row), A delta_9
    # has A's m rows whatever delta_9 is: wrong (for every m >= 2).
    "labels-undefined": r"""
## pd.linear
$$\frac{\partial y}{\partial x} = A = \delta_1$$
## pd.chain
$$\frac{\partial y}{\partial z} = \delta_1 \delta_9$$
## pd.bilinear-x
$$\frac{\partial \alpha}{\partial x} = \delta_1 \delta_9$$
""",
    # delta_7 names alpha where alpha := y^T A x; in pd.product alpha := y^T x: put in place
    # there it would change meaning, so it is not (the answer stays unread, not misjudged)
    "labels-other-meaning": r"""
## pd.bilinear-x
$$y^T A x = \alpha = \delta_7$$
## pd.product
$$\frac{\partial \alpha}{\partial z} = x^T \frac{\partial y}{\partial z} + \delta_7$$
""",
    # d J / d z_2 with z_2 := W_2 a_1 + b_2: J as a function of the node z_2 is the cross-entropy
    # of sigma(z_2), whose derivative is yhat - y (by hand); y - yhat is that with the sign flipped
    "node-right": r"""
## bp.dJ-dW1
$$\frac{\partial J}{\partial z_2} = \hat{y} - y$$
""",
    "node-sign": r"""
## bp.dJ-dW1
$$\frac{\partial J}{\partial z_2} = y - \hat{y}$$
""",
    "labels-reversed": r"""
## pd.linear
$$\frac{\partial y}{\partial x} = A = \delta_1$$
## pd.chain
$$\frac{\partial y}{\partial z} = \frac{\partial x}{\partial z} \delta_1$$
""",
}


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Grades]:
    folder = tmp_path_factory.mktemp("probes")
    files = []
    for name, text in PROBES.items():
        files.append(folder / f"{name}.md")
        files[-1].write_text(text, encoding="utf-8")
    return {Path(name).stem: grades for name, grades in _grade(*files).items()}


def test_a_transposed_answer_gets_the_layout_hint(probes: dict[str, Grades]) -> None:
    g = probes["layout"]["pd.bilinear-x"]
    assert g.verdict is Mark.INCORRECT and g.points == 0
    assert "layout mix-up" in g.feedback and "transpose" in g.feedback


def test_a_right_answer_through_a_wrong_step_gets_half(probes: dict[str, Grades]) -> None:
    g = probes["wrong-step"]["pd.inverse"]
    assert g.verdict is Mark.CORRECT and g.points == 0.5 and g.first_bad_step == 1
    assert g.steps[0].status is StepStatus.DOES_NOT_FOLLOW and "differ by sign" in g.feedback
    assert "left side is" in g.steps[0].detail  # with the values where the sides differ


def test_an_unreadable_step_is_not_checked_and_costs_nothing(probes: dict[str, Grades]) -> None:
    g = probes["unread-step"]["pd.linear"]
    assert g.verdict is Mark.CORRECT and g.points == 1.0 and g.first_bad_step is None
    assert [c.status for c in g.steps] == [StepStatus.NOT_CHECKED, StepStatus.NOT_CHECKED]
    assert "could not be checked" in g.feedback and "do not count against you" in g.feedback


def test_unanswered_questions(probes: dict[str, Grades]) -> None:
    empty = probes["empty"]
    assert empty["pd.linear"].verdict is Mark.UNANSWERED  # a heading with nothing under it
    assert empty["pd.chain"].verdict is Mark.UNANSWERED  # prose only, no mathematics
    assert empty["pd.product"].verdict is Mark.UNANSWERED  # no heading at all
    assert all(g.points == 0 for g in empty.values())


def test_a_true_false_answer_in_prose(probes: dict[str, Grades]) -> None:
    no, yes = probes["prose-no"]["beale.convex"], probes["prose-yes"]["beale.convex"]
    assert no.verdict is Mark.CORRECT and no.points == 1
    assert yes.verdict is Mark.INCORRECT and yes.points == 0 and "-9" in yes.feedback


def test_restating_the_question_is_no_answer(probes: dict[str, Grades]) -> None:
    # d y / d x with y := A x equals the reference by definition: it must not be accepted
    for qid in ("pd.linear", "quad.gradient"):
        g = probes["restated"][qid]
        assert g.verdict is Mark.INCORRECT, (qid, g.feedback)
        assert "still contains a derivative" in g.feedback
    # J, the name hessian.matrix gives the Jacobian of the gradient: its second partials of psi
    # written out are an answer (\partial_u \partial_v \psi), the name alone is not
    g = probes["restated"]["hessian.matrix"]
    assert g.verdict is Mark.INCORRECT and "by its own name" in g.feedback, g.feedback


def test_equivalent_conditions_and_any_valid_example_are_accepted(probes: dict[str, Grades]) -> None:
    ok = probes["conditions"]
    assert ok["reg.condition"].verdict is Mark.CORRECT  # s12 + s21 = -s11 - s22: the same condition
    assert ok["reg.example"].verdict is Mark.CORRECT  # R = 3 (w1 - w2)^2
    assert ok["beale.stationary"].verdict is Mark.CORRECT  # both parts, each written as a row
    # the final equation of a property question is the answer, not an identity to check
    assert ok["reg.condition"].steps[0].status is StepStatus.NOT_CHECKED
    assert ok["reg.condition"].first_bad_step is None
    bad = probes["bad-conditions"]
    assert bad["reg.condition"].verdict is Mark.INCORRECT  # s11 + s22 = 0 is another condition
    assert bad["reg.example"].verdict is Mark.INCORRECT  # R = -(w1 - w2)^2 <= 0 penalises nothing
    assert "positive constant multiple" in bad["reg.example"].feedback


def test_notation_students_write(probes: dict[str, Grades]) -> None:
    g = probes["notation"]
    # "= 0" for a matrix is the zero matrix: the step follows
    assert g["pd.inverse"].steps[0].status is StepStatus.FOLLOWS and g["pd.inverse"].points == 1
    # "setting w_1 = w_2" is an assumption, not a step that fails
    cond = g["reg.condition"]
    assert cond.steps[0].status is StepStatus.NOT_CHECKED and cond.points == 1
    # the sum written out term by term; 1 - alpha Lambda read as I - alpha Lambda; max without a backslash
    for qid in ("quad.closed-form", "quad.eigen-recursion", "adamax.update"):
        assert g[qid].verdict is Mark.CORRECT and g[qid].points == 1, (qid, g[qid].feedback)
    assert all(c.status is StepStatus.FOLLOWS for c in g["quad.eigen-recursion"].steps)
    # a chain that ends in a new name: the name labels the expression before it
    assert g["bp.dz2-da1"].verdict is Mark.CORRECT and "$\\delta_3$ read as your name" in g["bp.dz2-da1"].feedback


def test_a_sum_with_the_wrong_range_is_not_misread(probes: dict[str, Grades]) -> None:
    g = probes["bad-sum"]["quad.closed-form"]
    assert g.verdict is Mark.UNPARSABLE and "runs to 3" in g.feedback


def test_a_sum_over_samples_is_read_at_two_samples(probes: dict[str, Grades]) -> None:
    assert probes["one-sample"]["bp.dJ-dyhat"].verdict is Mark.CORRECT
    assert not probes["one-sample"]["bp.dJ-dyhat"].review
    g = probes["sum-right-at-two"]["bp.dJ-dyhat"]
    assert g.verdict is not Mark.CORRECT and g.points == 0
    assert "m = 2" in g.feedback and "TA" in g.feedback
    assert g.review  # undecided: the report lists it for a TA


def test_the_summary_lists_the_answers_for_a_ta_to_review(probes: dict[str, Grades]) -> None:
    from verify.grading.grades import SubmissionGrade
    from verify.reporting.gradebook import summary_line

    flagged = SubmissionGrade("s.md", "s", tuple(probes["sum-right-at-two"].values()))
    clean = SubmissionGrade("t.md", "t", tuple(probes["one-sample"].values()))
    assert "1 answer the engine could not decide" in summary_line([flagged, clean]).plain
    assert "s: bp.dJ-dyhat" in summary_line([flagged, clean]).plain
    assert "review" not in summary_line([clean]).plain


def test_sums_over_samples_are_declared_only_where_they_can_be_read() -> None:
    from dataclasses import replace

    from verify.errors import DeclarationError
    from verify.model.question import Samples

    q = HW1.question("bp.dJ-dyhat")
    assert q.samples is not None
    with pytest.raises(DeclarationError, match="expression"):
        replace(q, kind="property")
    with pytest.raises(DeclarationError, match="does not declare"):
        replace(q, samples=Samples(index="i", count="n", other=(("y", "y_j"),)))


def test_an_answer_may_cite_an_earlier_answer_by_its_label(probes: dict[str, Grades]) -> None:
    g = probes["labels"]["pd.chain"]
    assert g.verdict is Mark.CORRECT and [c.status for c in g.steps] == [StepStatus.FOLLOWS]
    g = probes["labels-reversed"]["pd.chain"]
    assert g.verdict is Mark.INCORRECT and "what it names" in g.feedback


def test_a_derivative_by_an_intermediate_quantity_is_checked_at_that_node(probes: dict[str, Grades]) -> None:
    assert [c.status for c in probes["node-right"]["bp.dJ-dW1"].steps] == [StepStatus.FOLLOWS]
    [step] = probes["node-sign"]["bp.dJ-dW1"].steps
    assert step.status is StepStatus.DOES_NOT_FOLLOW and "sign" in step.detail


def test_a_label_is_not_put_where_its_names_mean_something_else(probes: dict[str, Grades]) -> None:
    g = probes["labels-other-meaning"]["pd.product"]
    assert g.verdict is Mark.UNPARSABLE and "delta" in g.feedback


def test_an_undefined_label_is_only_wrong_when_no_meaning_could_make_it_right(probes: dict[str, Grades]) -> None:
    g = probes["labels-undefined"]
    assert g["pd.chain"].verdict is Mark.UNPARSABLE  # A delta_9 = A dx/dz when delta_9 = dx/dz
    wrong = g["pd.bilinear-x"]
    assert wrong.verdict is Mark.INCORRECT and "never defined" in wrong.feedback and "m rows" in wrong.feedback


# --- the readings added for students stay out of claims files ------------------------------


def test_sums_and_scalar_identities_are_read_only_when_asked() -> None:
    symbols = Symbols.of([scalar("c_1"), scalar("c_2"), scalar("a"), matrix("K", "n", "n")])
    strict = LatexReader(symbols)
    free = LatexReader(symbols, index_sums=True, numbers_as_identity=True)
    with pytest.raises(UnsupportedError, match="sum"):
        strict.read(r"\sum_i c_1")
    assert free.read(r"\sum_i c_i") == strict.read("c_1 + c_2")
    with pytest.raises(ShapeError):
        strict.read("1 - a K")
    assert free.read("1 - a K") == strict.read("I_n - a K")
    with pytest.raises(ShapeError):  # a number and a vector, or a non-square matrix, still do not add
        LatexReader(Symbols.of([matrix("M", "m", "n")]), numbers_as_identity=True).read("1 + M")


def test_notation_read_everywhere() -> None:
    symbols = Symbols.of([vector("z", "n"), scalar("a"), scalar("b"),
                          scalar("g", latex=r"\partial_W E^{(k)}", meaning="a gradient written as one name")])
    read = LatexReader(symbols).read
    # the indicator of a comparison is a step function; I(x + y) is still the identity times (x + y)
    assert read(r"I(z > 0)") == read(r"\operatorname{step}(z)")
    assert read(r"\mathbb{1}[a < b]") == read(r"\operatorname{step}(b - a)")
    # ... and a non-strict comparison is the closed step, 1 at 0 (I(0 >= 0) = 1, I(0 > 0) = 0)
    assert read(r"I(a \geq b)") == Apply("closed_step", read("a - b"))
    assert read(r"I(a \geq b)") != read(r"\operatorname{step}(a - b)")
    assert read("I(z + z)") == Product((Identity(None), Add((Var("z"), Var("z")))))
    # thin spaces are spacing; max without its backslash; a declared name that starts with \partial_
    assert read(r"a \, b") == read("a b") == read(r"a \quad b")
    assert read(r"max(a, |\partial_W E^{(k)}|)") == read(r"\max(a, |g|)")
    with pytest.raises(UnsupportedError, match="dots"):
        read(r"\begin{bmatrix} a & \dots & b \end{bmatrix}")


def test_an_alignment_row_that_starts_with_equals_continues_the_chain() -> None:
    chains = split_chain(r"\begin{aligned} a &= b \\ &= c \\ d & = e \end{aligned}")
    assert [[p.latex for p in chain] for chain in chains] == [["a", "b", "c"], ["d", "e"]]


def test_an_empty_side_of_an_equation_is_kept_not_skipped() -> None:
    # "A =" has no answer: its right side is empty, which must not make A the answer.
    assert [[p.latex for p in c] for c in split_chain("A = ")] == [["A", ""]]
    assert [[p.latex for p in c] for c in split_chain("x = = A")] == [["x", "", "A"]]
    assert [[p.latex for p in c] for c in split_chain("= A")] == [["A"]]  # a row continuing a chain


def test_an_answer_left_blank_after_equals_is_unparsable(probes: dict[str, Grades]) -> None:
    g = probes["blank-rhs"]["pd.linear"]
    assert g.verdict is Mark.UNPARSABLE and "empty" in g.feedback


def _bce_term(y: Fraction, yhat: Fraction) -> Fraction:
    """By hand: d/d yhat of y log yhat + (1 - y) log(1 - yhat)."""
    return y / yhat - (1 - y) / (1 - yhat)


def test_the_sum_over_samples_counterexample_is_real(solution: Grades) -> None:
    # At m = 2 the written answer is -(1/2)(t(y, yhat) + t(y_j, yhat_j)), the right one
    # -(1/2) t(y, yhat): they differ by the other sample's term.
    fb = solution["bp.dJ-dyhat"].feedback
    assert "m = 2" in fb
    v = _values(fb.split("your answer gives")[0])
    given, right = (Fraction(x) for x in _sides(fb))
    assert right == -_bce_term(v["y^{(i)}"], v[r"\hat{y}^{(i)}"]) / 2
    assert given == -(_bce_term(v["y^{(i)}"], v[r"\hat{y}^{(i)}"]) + _bce_term(v["y^{(j)}"], v[r"\hat{y}^{(j)}"])) / 2
    assert given != right


def test_a_product_of_labels_with_one_undefined_is_wrong_by_its_shape(solution: Grades) -> None:
    fb = solution["bp.dJ-dW1"].feedback
    assert "never defined" in fb and "delta_5" in fb  # delta_5 is named as undefined
    assert "one row" in fb and "W_2" in fb  # the reason: delta_3 = W_2 is a row
