"""A question of several parts is graded part by part (issue 12, point 2).

beale.stationary asks for \\nabla f(0, 1) and for the gradient step x^{t+1} from (0, 1). By hand:
every term of df/dx_1 = sum_k 2 g_k (x_2^k - 1) has the factor x_2^k - 1 and every term of
df/dx_2 = sum_k 2 g_k k x_1 x_2^{k-1} the factor x_1, so \\nabla f(0, 1) = (0, 0); then
x^{t+1} = (0, 1) - alpha (0, 0) = (0, 1) for every alpha. Each part is half the point; a part the
student does not give is unanswered (not wrong); an equation that gives one part is never taken
as the other part's answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verify.grading.assignment import load_assignment
from verify.grading.batch import grade_files
from verify.grading.grades import Mark, QuestionGrade
from verify.model.question import Part, Question

HEAD = "## beale.stationary\n"

#: name -> (answer body, expected mark, expected points, why by hand)
CASES: dict[str, tuple[str, Mark, float, str]] = {
    "both-right": (r"""At $x^t = (0, 1)$ every term has a vanishing factor:
$$\nabla f(0, 1) = \begin{bmatrix} 0 \\ 0 \end{bmatrix}$$
$$x^{t+1} = x^t - \alpha \nabla f(x^t) = (0, 1)$$""", Mark.CORRECT, 1.0, "both parts right"),
    "both-right-rows": (r"$$\nabla f(x^t) = [0, 0], \quad x^{t+1} = [0, 1]$$",
                        Mark.CORRECT, 1.0, "rows and brackets are the same points"),
    "matlab-column": (r"$$\nabla f(0, 1) = [0; 0]$$ so $$x^{t+1} = (0, 1)$$", Mark.CORRECT, 1.0,
                      "[0; 0] is the zero column"),
    "only-gradient": (r"$$\nabla f(0, 1) = [0; 0]$$", Mark.UNANSWERED, 0.5,
                      "the gradient is right; the step is not given: unanswered, half the point"),
    "only-step": (r"$$x^{t+1} = (0, 1)$$", Mark.UNANSWERED, 0.5, "the step is right; the gradient is not given"),
    "bare-point": ("The gradient vanishes there, so the point does not move:\n"
                   r"$$\begin{bmatrix} 0 \\ 1 \end{bmatrix}$$", Mark.UNANSWERED, 0.5,
                   "a bare final expression is the question's own answer, the step"),
    "wrong-step": (r"$$\nabla f(0, 1) = (0, 0)$$ $$x^{t+1} = (0, 1 - \alpha)$$", Mark.INCORRECT, 0.5,
                   "(0, 1 - alpha) is (0, 1) only at alpha = 0: wrong; the gradient right"),
    "wrong-gradient": (r"$$\nabla f(0, 1) = (1, 0)$$ $$x^{t+1} = (0, 1)$$", Mark.INCORRECT, 0.5,
                       "df/dx_1 (0, 1) = 0, not 1: wrong; the step right"),
    "both-wrong": (r"$$\nabla f(0, 1) = (0, 1)$$ $$x^{t+1} = (0, 1 - \alpha)$$", Mark.INCORRECT, 0.0,
                   "both wrong"),
    "gradient-last": (r"$$x^{t+1} = (0, 1)$$ since $$\nabla f(0, 1) = 0$$", Mark.CORRECT, 1.0,
                      "the order does not matter; 0 for the gradient is the zero vector"),
    "only-wrong-gradient-last": (r"$$\nabla f(0, 1) = (2, 0)$$", Mark.INCORRECT, 0.0,
                                 "the gradient is wrong and the step is not given"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, QuestionGrade]:
    folder = tmp_path_factory.mktemp("parts")
    files = []
    for name, (body, *_) in CASES.items():
        files.append(folder / f"{name}.md")
        files[-1].write_text(HEAD + body + "\n", encoding="utf-8")
    grades = grade_files(load_assignment("hw1"), files)
    return {Path(g.file).stem: next(q for q in g.questions if q.id == "beale.stationary") for g in grades}


@pytest.mark.parametrize("name", list(CASES))
def test_graded_part_by_part(graded: dict[str, QuestionGrade], name: str) -> None:
    _, mark, points, why = CASES[name]
    q = graded[name]
    assert (q.verdict, q.points) == (mark, points), f"{why}: {q.feedback}"


def test_the_feedback_names_each_part(graded: dict[str, QuestionGrade]) -> None:
    feedback = graded["only-gradient"].feedback
    assert r"Part 1 ($\nabla f(0, 1)$)" in feedback and "Correct." in feedback
    assert r"Part 2 ($x^{t+1}$): not answered" in feedback
    wrong = graded["wrong-step"]
    assert wrong.counterexample is not None and "is not right" in wrong.feedback


def test_an_unanswered_part_is_not_for_review_but_an_unreadable_one_is(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_text(HEAD + r"$$\nabla f(0, 1) = (0, \weird{0})$$ $$x^{t+1} = (0, 1)$$" + "\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    q = next(q for q in grade.questions if q.id == "beale.stationary")
    assert q.verdict is Mark.UNPARSABLE and q.points == 0.5
    assert (q.review_reason or "").startswith("part 1 could not be read")


def test_a_question_checks_its_parts() -> None:
    # the last part is the question's own answer: a question whose last part has another
    # reference is an author's error, caught when the question is made
    hw1 = {q.id: q for q in load_assignment("hw1").questions}
    stationary = hw1["beale.stationary"]
    assert [p.name for p in stationary.parts] == [r"\nabla f(0, 1)", "x^{t+1}"]
    from verify.errors import DeclarationError
    first: Part = stationary.parts[0]
    with pytest.raises(DeclarationError, match="last part"):
        Question(id="x", wording="", symbols=stationary.symbols, answer=stationary.answer,
                 reference=stationary.reference, parts=(stationary.parts[1], first))


def test_the_chain_rule_through_a_declared_function_is_checked(tmp_path: Path) -> None:
    # pd.chain declares x of(z): dy/dz = dy/dx dx/dz = A dx/dz is the chain rule (dy/dx = A, x as a
    # variable of its own, at x's value): both steps follow, nothing goes to review. With A^T for A
    # (by hand: n x m times n x p does not fit) the second step is where it breaks.
    right, wrong = tmp_path / "right.md", tmp_path / "wrong.md"
    right.write_text("## pd.chain\n$$\\frac{\\partial y}{\\partial z} = \\frac{\\partial y}{\\partial x} "
                     "\\frac{\\partial x}{\\partial z} = A \\frac{\\partial x}{\\partial z}$$\n")
    wrong.write_text("## pd.chain\n$$\\frac{\\partial y}{\\partial z} = \\frac{\\partial y}{\\partial x} "
                     "\\frac{\\partial x}{\\partial z} = A^T \\frac{\\partial x}{\\partial z}$$\n")
    grades = {Path(g.file).stem: next(q for q in g.questions if q.id == "pd.chain")
              for g in grade_files(load_assignment("hw1"), [right, wrong])}
    from verify.grading.grades import StepStatus
    assert [s.status for s in grades["right"].steps] == [StepStatus.FOLLOWS] * 2, grades["right"].steps
    assert grades["right"].verdict is Mark.CORRECT and grades["right"].review_reason is None
    assert grades["wrong"].verdict is Mark.INCORRECT and grades["wrong"].first_bad_step == 2


def test_a_left_side_that_only_names_the_answer_is_not_reasoning_to_review(tmp_path: Path) -> None:
    # adamax.update declares no v^{(k)}: "v^{(k)} = max(...)" names the answer; by hand the answer is
    # right (the AdaMax update), and there is no other step, so there is nothing for a TA to look at.
    path = tmp_path / "s.md"
    path.write_text("## adamax.update\n$$v^{(k)} = \\max(\\beta_2 v^{(k-1)}, |\\partial_W E^{(k)}|)$$\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    q = next(q for q in grade.questions if q.id == "adamax.update")
    assert q.verdict is Mark.CORRECT and q.review_reason is None, (q.feedback, q.review_reason)


@pytest.mark.parametrize(("body", "points", "bad"), [
    # By hand: with w_1 = w_2, R = w^T S w = w_1^2 (s11 + s12 + s21 + s22): the step holds under the
    # stated assumption, and "= 0" imposes the condition (no identity): full points.
    ("With $w_1 = w_2$:\n$$R = w_1^2 (s_{11} + s_{12} + s_{21} + s_{22}) = 0 \\Rightarrow "
     "s_{11} + s_{12} + s_{21} + s_{22} = 0$$", 1.0, None),
    # the same with s_22 dropped from the bracket: wrong even with w_1 = w_2 (e.g. w_1 = 1, s = 0
    # but s_22 = 1 gives R = 1, the bracket 0): the final answer is right, so half
    ("With $w_1 = w_2$:\n$$R = w_1^2 (s_{11} + s_{12} + s_{21}) = 0 \\Rightarrow "
     "s_{11} + s_{12} + s_{21} + s_{22} = 0$$", 0.5, 2),
    # the condition in prose, as realistic-2/t02 writes it (no math delimiters): read as a TA reads it
    ("Put w_1 = w_2:\n\n$$R = w_1^2 (s_{11} + s_{12} + s_{21} + s_{22}) = 0 \\Rightarrow "
     "s_{11} + s_{12} + s_{21} + s_{22} = 0$$", 1.0, None),
    ("Setting w_{1} = w_{2} gives\n$$R = w_1^2 (s_{11} + s_{12} + s_{21} + s_{22}) = 0 \\Rightarrow "
     "s_{11} + s_{12} + s_{21} + s_{22} = 0$$", 1.0, None),
    ("Put w_1 = w_2:\n\n$$R = w_1^2 (s_{11} + s_{12} + s_{21}) = 0 \\Rightarrow "
     "s_{11} + s_{12} + s_{21} + s_{22} = 0$$", 0.5, 1),
    # no condition stated: R = w_1^2 (...) is false (w = (1, 0): R = s_11, the bracket has all four)
    ("$$R = w_1^2 (s_{11} + s_{12} + s_{21} + s_{22}) = 0 \\Rightarrow "
     "s_{11} + s_{12} + s_{21} + s_{22} = 0$$", 0.5, 1),
    # stated after the step, it is no lead-in to it: the step is checked as written
    ("$$R = w_1^2 (s_{11} + s_{12} + s_{21} + s_{22}) = 0 \\Rightarrow "
     "s_{11} + s_{12} + s_{21} + s_{22} = 0$$\n\nHere I put w_1 = w_2.", 0.5, 1),
    # a value, not a condition between two names: w_1 = 0.5 is 1/2 (not 0 cut at the period);
    # at w_1 = 1/2, w_2 = 1/2 (as stated) R = (1/4)(sum): the step holds
    ("Let w_1 = 0.5 and w_2 = 0.5.\n$$R = \\frac{1}{4} (s_{11} + s_{12} + s_{21} + s_{22}) = 0 \\Rightarrow "
     "s_{11} + s_{12} + s_{21} + s_{22} = 0$$", 1.0, None),
])
def test_a_stated_assumption_holds_in_the_steps_after_it(tmp_path: Path, body: str, points: float,
                                                        bad: int | None) -> None:
    path = tmp_path / "s.md"
    path.write_text("## reg.condition\n" + body + "\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    q = next(q for q in grade.questions if q.id == "reg.condition")
    assert (q.verdict, q.points, q.first_bad_step) == (Mark.CORRECT, points, bad), q.feedback
    if bad is not None and "w_1 = w_2" in body.split("$$")[0]:  # the counterexample keeps what was stated
        assert "with $w_{1}$ = $w_{2}$ as stated" in q.feedback, q.feedback


def test_conditions_are_read_from_a_lead_in_only_as_names_given_values() -> None:
    from verify.grading.derivation import _stated

    q = next(q for q in load_assignment("hw1").questions if q.id == "reg.condition")

    def read(lead: str) -> list[tuple[str, str]]:
        return [(s.lhs.latex, s.rhs.latex) for s in _stated(q, lead)]

    assert read("Put w_1 = w_2:") == [("w_1", "w_2")]
    assert read("If w_1 = w_2 then") == [("w_1", "w_2")]
    assert read("with w_1 = w_2 = 3.") == [("w_1", "w_2"), ("w_2", "3")]
    assert read("if w_1=w_2 and w_2 = 0") == [("w_1", "w_2"), ("w_2", "0")]
    assert read("Put w_1 = 1.5. Then") == [("w_1", "1.5")]
    # not a declared variable given a name or a number: nothing
    assert read("Assume w_1 = 2 w_2.") == [] and read("Let f = x^2,") == [] and read("We differentiate") == []
    assert read("With z_i = sum_j W_ij x_j + b_i, and with delta = p - y:") == []
    assert read("x" * 1000 + " Put w_1 = w_2:") == [("w_1", "w_2")]  # the end of a long lead-in
    # a lead-in is read for a few conditions, each side short: a page of them costs a few reads
    assert len(read(" ".join(["if w_1 = w_2,"] * 30))) == 4
    assert read("Put w_1 = " + "(" * 50 + "w_2" + ")" * 50 + ":") == []


def test_the_answer_named_on_its_left_is_the_answer_even_before_other_equations(tmp_path: Path) -> None:
    # reg.example asks for a matrix S: "S = [[1, -1], [-1, 1]] => R(w) = ... = (w_1 - w_2)^2" answers
    # with S (right by hand: R = (w_1 - w_2)^2, 0 exactly when w_1 = w_2), not with (w_1 - w_2)^2.
    path = tmp_path / "s.md"
    path.write_text("## reg.example\n$$S = \\begin{bmatrix} 1 & -1 \\\\ -1 & 1 \\end{bmatrix} \\Rightarrow "
                    "R(w) = w_1^2 - 2 w_1 w_2 + w_2^2 = (w_1 - w_2)^2$$\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    q = next(q for q in grade.questions if q.id == "reg.example")
    assert q.verdict is Mark.CORRECT, q.feedback


def test_an_answer_whose_decision_never_came_back_is_for_review_not_incorrect(tmp_path: Path) -> None:
    # a lost cluster or a run cut short leaves a planned claim without a result: the answer is
    # undecided (review), never marked incorrect for want of a decision (issue 13, D1)
    path = tmp_path / "s.md"
    path.write_text("## pd.linear\n$$\\frac{\\partial y}{\\partial x} = A$$\n\n"
                    "## beale.stationary\n$$\\nabla f(0, 1) = (0, 0)$$\n$$x^{t+1} = (0, 1)$$\n")
    [grade] = grade_files(load_assignment("hw1"), [path], decider=lambda claims, done, limits: {})
    qs = {q.id: q for q in grade.questions}
    for qid in ("pd.linear", "beale.stationary"):
        assert qs[qid].verdict is not Mark.CORRECT and qs[qid].points == 0
        assert qs[qid].review_reason is not None and "decided" in qs[qid].review_reason, qs[qid]


def test_a_long_exact_value_is_given_by_its_digits_in_feedback() -> None:
    # a sigmoid at a rational point has no rational value: its exact form (exp(29/2) nested in
    # fractions) is no help to a student, the digits a ball certifies are; once one entry is
    # long, every non-rational entry of both sides is given so, that the two read alike
    from verify.grading.grade import readable

    long = "-6*exp(29/2)/((1 - 1/(1 + exp(29/2)))*(1 + exp(29/2))**2) (~-4.0000010)"
    short = "-2/(1 + exp(29/2)) - 4 (~-4.0000010)"
    assert readable(f"[[{long}, 0], [0, 1/2]]", f"[[{short}, 1]]") == ("[[~-4.0000010, 0], [0, 1/2]]",
                                                                       "[[~-4.0000010, 1]]")
    assert readable(long) == ("~-4.0000010",)
    tanh = "1 - tanh(3)**2 (~0.0098660372)"
    assert readable(tanh, "tanh(3)**2 + 1 (~1.9901340)") == (tanh, "tanh(3)**2 + 1 (~1.9901340)")  # short: exact
    assert readable("[[1, 2], [3, 4]]", "193/16") == ("[[1, 2], [3, 4]]", "193/16")


def test_backprop_feedback_reads_without_nested_exponentials() -> None:
    # realistic-2/t08 gives dJ/dW_1 transposed (x (yhat - y)(W_2 o 1[z_1 > 0]^T), D_x x D_a1): wrong by
    # hand; its counterexample's sides pass through the sigmoid, and read as digits
    path = Path(__file__).parent.parent / "examples/submissions/realistic-2/t08_sven_headings.md"
    [grade] = grade_files(load_assignment("hw1"), [path])
    q = next(q for q in grade.questions if q.id == "bp.dJ-dW1")
    assert q.verdict is Mark.INCORRECT
    assert "~" in q.feedback and "exp(" not in q.feedback, q.feedback


@pytest.mark.parametrize("lead", ["Let x = 0.", "Let $x = 0$.", "Let x = 1.", "Let $x = 1$."])
def test_a_vector_given_a_number_never_makes_a_right_step_wrong(tmp_path: Path, lead: str) -> None:
    # quad.gradient: grad h(x) = Q x + c holds for every x (Q symmetric), so at x = 0 (the zero vector)
    # too; x = 1 gives a vector no value (no assumption): the step is checked as written. Right by
    # hand either way: full points, never a step "not well-formed" made by the reading.
    path = tmp_path / "s.md"
    path.write_text(f"## quad.gradient\n\n{lead}\n\n$$\\nabla h(x) = Q x + c$$\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    q = next(q for q in grade.questions if q.id == "quad.gradient")
    assert (q.verdict, q.points, q.first_bad_step) == (Mark.CORRECT, 1.0, None), q.feedback
