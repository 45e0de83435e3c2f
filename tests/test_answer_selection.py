"""Which math is the answer, and which heading is which question (issue 12, point 2).

Every submission here is written as students write (prose between and after the equations,
remarks, section numbers in headings), and every expected verdict is decided by hand first; the
reasoning is in the comment above each case. Each case was graded wrongly before this point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verify.grading.assignment import load_assignment
from verify.grading.batch import grade_files
from verify.grading.grades import Mark, QuestionGrade

HW1 = load_assignment("hw1")

SUBMISSIONS = {
    # By hand: grad of 1/2 x^T Q x + x^T c + b is 1/2 (Q + Q^T) x + c = Q x + c (Q symmetric): right.
    # The heading carries the section number; before, '(5.2)' made it no heading, so 'unanswered'.
    "section-number": r"""
## quad.gradient (5.2)
Differentiating term by term, with $Q = Q^T$,
$$\nabla h(x) = \frac{1}{2}(Q + Q^T) x + c = Q x + c$$
""",
    # By hand: the answer is \nabla h(x) = Q x + c (right). The remark after it gives x^*, the
    # minimiser, which is another quantity: not the answer (before: compared with Q x + c, wrong).
    "remark-after": r"""
## quad.gradient
$$\nabla h(x) = Q x + c$$
Setting it to zero gives the minimiser $x^* = -Q^{-1} c$.

## reg.condition
$$R(w) = s_{11} w_1^2 + (s_{12} + s_{21}) w_1 w_2 + s_{22} w_2^2$$
With $w_1 = w_2$ (an assumption, not the answer) this is $w_1^2$ times the sum of the entries, which
vanishes for every $w_1$ exactly when $s_{11} + s_{12} + s_{21} + s_{22} = 0$.
""",
    # In the same file, reg.condition: w^T S w = s_11 w_1^2 + (s_12 + s_21) w_1 w_2 + s_22 w_2^2 (a
    # true step); at w_1 = w_2 it is w_1^2 (s_11 + s_12 + s_21 + s_22), so the
    # condition is s_11 + s_12 + s_21 + s_22 = 0, stated inline after the display: an inline
    # conclusion (an equation naming no other quantity, giving no variable a value) is still the
    # answer, while the remark x^* = ... and the assumption w_1 = w_2 are not. Right.
    # By hand: the same, with the remark as a display of its own: the last equation whose left side
    # names the gradient is still the answer.
    "remark-displayed": r"""
## quad.gradient
$$\nabla h(x) = Q x + c$$
so the minimiser is
$$x^* = -Q^{-1} c$$
""",
    # By hand: the Jacobian of the gradient of psi is the matrix of second partials, written
    # with \frac{\partial^2 \psi}{\partial u \partial v} (symmetric, psi smooth): right. The
    # '$\psi$' in the sentence after it is prose (before: it was taken as the answer, wrong).
    "inline-after-display": r"""
## hessian.matrix
$$J = \begin{bmatrix}
\frac{\partial^2 \psi}{\partial u^2} & \frac{\partial^2 \psi}{\partial u \partial v} &
\frac{\partial^2 \psi}{\partial u \partial z} \\
\frac{\partial^2 \psi}{\partial v \partial u} & \frac{\partial^2 \psi}{\partial v^2} &
\frac{\partial^2 \psi}{\partial v \partial z} \\
\frac{\partial^2 \psi}{\partial z \partial u} & \frac{\partial^2 \psi}{\partial z \partial v} &
\frac{\partial^2 \psi}{\partial z^2}
\end{bmatrix}$$
This matrix is symmetric since $\psi$ is smooth.
""",
    # By hand: 'It is **not** true that ... is convex' answers false, which is right (the Hessian
    # at (0, 0) has determinant -9). Before: the word 'true' was read, so 'incorrect'.
    "tf-not-true": r"""
## beale.convex
It is **not** true that the Beale function is convex: at the origin the Hessian is
$\begin{bmatrix} 6 & 3 \\ 3 & 0 \end{bmatrix}$, whose determinant is $-9$.
""",
    # By hand: 'is not convex' and no answer word: false, right. Before: no 'true'/'false' found
    # anywhere, so 'unanswered'.
    "tf-is-not-convex": r"""
## beale.convex
The Beale function isn't convex, because its Hessian at $(0, 0)$ is indefinite.
""",
    # By hand: 'No,' answers the question: false, right; the 'true' after it is in a hypothetical
    # ('would only be true if'), not the student's answer. Before: 'true' was read: 'incorrect'.
    "tf-no-hypothetical": r"""
## beale.convex
No, it would only be true if every term were a convex quadratic, and they are quartic and worse.
""",
    # By hand: says both ('True.' then 'false'): no TA would guess; it goes to review, not a silent 0
    # or a silent point. Before: the first word, 'True', was read: 'incorrect' with nothing flagged.
    "tf-both": r"""
## beale.convex
True. Hmm, actually the Hessian at the origin is indefinite, so the claim is false.
""",
    # By hand: says neither: a derivation with no conclusion. A TA must look. Before: 'unanswered'
    # with no flag.
    "tf-neither": r"""
## beale.convex
The Hessian at the origin is $\begin{bmatrix} 6 & 3 \\ 3 & 0 \end{bmatrix}$.
""",
    # By hand: both parts of beale.stationary: grad f(0, 1) = 0 and x^{t+1} = (0, 1), both right.
    # The answer is the x^{t+1} equation, matched by its left side, though a remark comes after.
    "stationary-both-parts": r"""
## beale.stationary
At $(0, 1)$ every $x_1$-term has a factor $x_2^k - 1 = 0$ and every $x_2$-term a factor $x_1 = 0$:
$$\nabla f(0, 1) = \begin{bmatrix} 0 \\ 0 \end{bmatrix}$$
$$x^{t+1} = \begin{bmatrix} 0 \\ 1 \end{bmatrix}$$
$$\nabla f(x^{t+1}) = \begin{bmatrix} 0 \\ 0 \end{bmatrix}$$
""",
    # By hand: only the gradient part is given (and it is right); x^{t+1} is missing. A missing
    # part is unanswered, not wrong. Before: [0; 0] was compared with x^{t+1} = (0, 1): 'incorrect'.
    "stationary-gradient-only": r"""
## beale.stationary
$$\nabla f(0, 1) = \begin{bmatrix} 0 \\ 0 \end{bmatrix}$$
""",
    # By hand: a sub-heading under an answer stays in it, a misspelt question heading does not:
    # quad.gradient is Q x + c (right), and the recursion under '### quad.eigen-recursoin' is not
    # merged into it (before: a level-3 heading was not a heading, so the recursion became
    # quad.gradient's answer: 'incorrect').
    "sub-headings": r"""
# Problem 5
### quad.gradient
#### Derivation
$$\nabla_x h(x) = Q x + c$$
### quad.eigen-recursoin
$$\hat{x}^{k+1} = (I - \alpha \Lambda) \hat{x}^k$$
""",
}

Grades = dict[str, QuestionGrade]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Grades, tuple[str, ...]]]:
    folder = tmp_path_factory.mktemp("answers")
    files = []
    for name, text in SUBMISSIONS.items():
        files.append(folder / f"{name}.md")
        files[-1].write_text(text, encoding="utf-8")
    return {Path(g.file).stem: ({q.id: q for q in g.questions}, g.notes) for g in grade_files(HW1, files)}


@pytest.mark.parametrize("name, qid", [
    ("section-number", "quad.gradient"),
    ("remark-after", "quad.gradient"),
    ("remark-after", "reg.condition"),
    ("remark-displayed", "quad.gradient"),
    ("inline-after-display", "hessian.matrix"),
    ("stationary-both-parts", "beale.stationary"),
    ("sub-headings", "quad.gradient"),
])
def test_right_answers_are_read_as_the_answer(graded, name: str, qid: str) -> None:
    g = graded[name][0][qid]
    assert g.verdict is Mark.CORRECT and g.points == g.max_points, g.feedback


@pytest.mark.parametrize("name", ["tf-not-true", "tf-is-not-convex", "tf-no-hypothetical"])
def test_true_false_read_with_its_negations(graded, name: str) -> None:
    g = graded[name][0]["beale.convex"]
    assert g.verdict is Mark.CORRECT and g.points == 1 and g.answer == "false", g.feedback
    assert g.feedback.startswith("Your answer, as read: false (from "), g.feedback  # the words it read


@pytest.mark.parametrize("name", ["tf-both", "tf-neither"])
def test_true_false_that_says_both_or_neither_goes_to_review(graded, name: str) -> None:
    g = graded[name][0]["beale.convex"]
    assert g.review and g.points == 0, g.feedback
    assert "TA" in g.feedback


def test_a_missing_part_is_unanswered_not_wrong(graded) -> None:
    g = graded["stationary-gradient-only"][0]["beale.stationary"]
    assert g.verdict is Mark.UNANSWERED, g.feedback
    assert r"\nabla f(0, 1)" in g.feedback


def test_a_misspelt_heading_merges_nothing_and_gets_a_did_you_mean(graded) -> None:
    # quad.eigen-recursoin: not merged into quad.gradient's answer (right, by its own derivation);
    # graded as quad.eigen-recursion, the one id close to it ((I - alpha Lambda) xhat^k: right by
    # hand), with a did-you-mean in the notes and a review reason for a TA to confirm
    grades, notes = graded["sub-headings"]
    assert grades["quad.gradient"].verdict is Mark.CORRECT
    g = grades["quad.eigen-recursion"]
    assert g.verdict is Mark.CORRECT, g.feedback
    assert "taken for quad.eigen-recursion" in (g.review_reason or "")
    assert any("did you mean quad.eigen-recursion?" in n for n in notes), notes


# --- the true/false reader alone, on sentences a class writes ------------------------------------

WORDING = HW1.question("beale.convex").wording


@pytest.mark.parametrize("text, said", [
    ("False.", False),
    ("False: the Hessian at the origin is indefinite.", False),
    ("No, it is not.", False),
    ("It isn't convex.", False),
    ("It isn’t true.", False),                     # a typographic apostrophe
    ("The Beale function is non-convex.", False),
    ("The statement is wrong, since det H(0, 0) = -9 < 0.", False),
    ("True or false: the Beale function is convex. False.", False),  # the question restated
    ("It would be true if the terms were quadratic, but it is false.", False),
    ("True.", True),
    ("Yes, it is convex.", True),
    ("The claim is not false.", True),
    ("It is convex, as a sum of squares.", True),  # wrong, but what it says is clear
    ("True. Well, no: false.", None),              # both: review
    ("The Hessian at the origin has determinant -9.", None),  # neither: review
    ("This function has no minimum point.", None),  # 'no' that does not answer
])
def test_what_a_true_false_sentence_says(text: str, said: bool | None) -> None:
    from verify.grading.grade import said_true
    assert said_true(text, WORDING)[0] is said


# --- the answer as read, in the student's names (issue 12, point 4) ---------------------------

AS_READ = {
    # The student writes x^*; the reader puts its definition -Q^{-1} c in its place to decide.
    # The feedback must show the answer as written in the student's names: Q x - Q x^*, not
    # Q x - Q(-Q^{-1} c). (Right: Q(x - x^*) = Q x + c since Q x^* = -c.)
    "as-read-defined": (r"""
## quad.gradient
$$\nabla h(x) = Q x - Q x^*$$
""", "quad.gradient", r"Your answer, as read: $Q x-Q x^*$."),
    # The student writes sigma(z_2)(1 - sigma(z_2)); yhat is defined as sigma(z_2), but the student
    # did not write yhat, so it is not folded back. beta_2 in AdaMax is shown as \beta_2, never
    # as the engine's name beta2.
    "as-read-sigma": (r"""
## bp.dyhat-dz2
$$\frac{\partial \hat{y}}{\partial z_2} = \sigma(z_2)(1 - \sigma(z_2))$$

## adamax.update
$$v^{(k)} = \max(\beta_2 v^{(k-1)}, |\partial_W E^{(k)}|)$$
""", "adamax.update", r"Your answer, as read: $\max\left(\beta_2 v^{(k-1)}, \left|\partial_W E^{(k)}\right|\right)$."),
}


@pytest.mark.parametrize("name", sorted(AS_READ))
def test_feedback_starts_with_the_answer_as_read_in_the_students_names(tmp_path: Path, name: str) -> None:
    text, qid, expected = AS_READ[name]
    path = tmp_path / f"{name}.md"
    path.write_text(text)
    [grade] = grade_files(HW1, [path])
    feedback = {q.id: q.feedback for q in grade.questions}
    assert feedback[qid].startswith(expected), feedback[qid]
    for q in grade.questions:
        assert "beta2" not in q.feedback and "yhat" not in q.feedback and "x_star" not in q.feedback
    if name == "as-read-sigma":
        as_written = r"$\sigma\left(z_2\right) \left(1-\sigma\left(z_2\right)\right)$"  # in the student's order
        assert feedback["bp.dyhat-dz2"].startswith(f"Your answer, as read: {as_written}.")


@pytest.mark.parametrize(("text", "said"), [
    # by hand: the property is read as a predicate of the function, never as an adjective of
    # something else ("a convex function has only global minima" says nothing of f)
    ("It is not convex. A convex function has only global minima as stationary points.", False),
    ("Convex functions have PSD Hessians; this Hessian is indefinite, so f is not convex.", False),
    ("The function is indeed convex.", True),
    ("f is not globally convex", False),
])
def test_the_property_is_read_as_a_predicate(text: str, said: bool) -> None:
    from verify.grading.grade import said_true

    assert said_true(text, "True or false: the Beale function is convex.")[0] is said


def test_an_answer_in_words_only_goes_to_review(tmp_path) -> None:
    # no equation, but a real answer in words: unanswered for the grader, never a silent 0
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import grade_files
    from verify.grading.grades import Mark

    path = tmp_path / "s.md"
    path.write_text("## bp.da1-dz1\nIt is a diagonal matrix with a one where the entry of z_1 is positive and "
                    "zero where it is negative.\n\n## pd.linear\nTODO\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    qs = {q.id: q for q in grade.questions}
    assert qs["bp.da1-dz1"].verdict is Mark.UNANSWERED
    assert "answered in words only" in (qs["bp.da1-dz1"].review_reason or "")
    assert qs["pd.linear"].review_reason is None  # "TODO" is no answer in words
