"""Reading submissions: sections by question id, math blocks of every delimiter, front matter."""

from __future__ import annotations

import pytest

from verify.reading.markdown import SubmissionError, decode_submission, read_submission

QUESTIONS = frozenset({"pd.linear", "pd.chain", "beale.convex"})

TEXT = r"""---
student: Ada Lovelace
---
# HW1

Intro prose, not graded: $z = 1$.

## pd.linear
Since $y_i = \sum_k a_{ik} x_k$,
$$\frac{\partial y}{\partial x} = A$$

## Q pd.chain
\[
\frac{\partial y}{\partial z} = A \frac{\partial x}{\partial z}
\]

## beale.convex: convexity
False: the Hessian at the origin is indefinite. `$not math$`

## bonus: not a question
$$ q = 1 $$
"""


def test_sections_math_and_prose() -> None:
    s = read_submission(TEXT, "s.md", "s", QUESTIONS)
    assert s.student == "Ada Lovelace"
    assert list(s.sections) == ["pd.linear", "pd.chain", "beale.convex"]
    linear = s.sections["pd.linear"]
    assert [m.latex for m in linear.math] == [r"y_i = \sum_k a_{ik} x_k", r"\frac{\partial y}{\partial x} = A"]
    assert [m.display for m in linear.math] == [False, True]
    assert s.sections["pd.chain"].math[0].latex.startswith(r"\frac{\partial y}{\partial z}")
    convex = s.sections["beale.convex"]
    assert convex.title == "convexity"
    assert convex.math == ()  # a code span is not math
    assert "False" in convex.prose
    assert s.stray == ("bonus: not a question",)


def test_intro_math_belongs_to_no_question() -> None:
    s = read_submission(TEXT, "s.md", "s", QUESTIONS)
    assert all("z = 1" not in m.latex for sec in s.sections.values() for m in sec.math)


def test_default_student_is_the_given_name() -> None:
    assert read_submission("## pd.linear\n$A$\n", "x.md", "x", QUESTIONS).student == "x"


def test_first_section_of_a_repeated_question_wins() -> None:
    s = read_submission("## pd.linear\n$A$\n## pd.linear\n$B$\n", "x.md", "x", QUESTIONS)
    assert s.sections["pd.linear"].math[0].latex == "A"


@pytest.mark.parametrize(
    "front",
    [
        "a: &a [1, 2]\nb: *a\n",  # aliases: the billion-laughs family
        "student: !!python/object/apply:os.system ['true']\n",  # an unsafe tag
        "- just\n- a list\n",
        "student: [unclosed\n",
        "x" * 3000 + ": 1\n",
    ],
)
def test_bad_front_matter_is_a_submission_error(front: str) -> None:
    with pytest.raises(SubmissionError):
        read_submission(f"---\n{front}---\n## pd.linear\n$A$\n", "x.md", "x", QUESTIONS)


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"\xff\xfe\x00bad", "binary"), (b"caf\xe9", "UTF-8"), (b"x" * 1_000_001, "larger")],
)
def test_undecodable_files(raw: bytes, message: str) -> None:
    with pytest.raises(SubmissionError, match=message):
        decode_submission(raw, "f.md")


# --- headings as students write them (issue 12, point 2) ---------------------------------------

HW = frozenset({"quad.gradient", "quad.eigen-recursion", "hessian.matrix", "pd.linear"})


@pytest.mark.parametrize("heading", [
    "## quad.gradient (5.2)",           # a section number after the id: was read as no heading at all
    "## quad.gradient (5.2): the gradient",
    "## Quad.Gradient",                 # letter case is not part of the id
    "### quad.gradient",                # a level-3 heading under a '## Problem 5' heading
    "# quad.gradient",
    "## **quad.gradient**",             # bold, as some editors write headings
    "## Question quad.gradient",
    "## 5.2 quad.gradient",              # the id after the section number
    "## Problem 5.2 (quad.gradient)",
])
def test_a_heading_names_its_question_however_it_is_written(heading: str) -> None:
    # By hand: each heading names quad.gradient, so the display below it is that answer.
    s = read_submission(f"# Problem 5\n{heading}\n$$\\nabla h(x) = Q x + c$$\n", "x.md", "x", HW)
    assert list(s.sections) == ["quad.gradient"]
    assert s.sections["quad.gradient"].math[0].latex == r"\nabla h(x) = Q x + c"


def test_a_section_number_is_kept_as_the_title() -> None:
    s = read_submission("## quad.gradient (5.2): gradient\n$$Q x + c$$\n", "x.md", "x", HW)
    assert s.sections["quad.gradient"].title == "(5.2) gradient"


def test_a_level_3_question_heading_never_merges_into_the_one_above() -> None:
    # By hand: quad.eigen-recursion's recursion is its own answer, not a last step of
    # quad.gradient (which was then graded against the recursion and marked incorrect); the
    # '#### Derivation' sub-heading names no question and is below the answer's level: the math
    # under it is still quad.gradient's, its text prose of that answer.
    text = ("## Problem 5\n### quad.gradient\n#### Derivation\n$$\\nabla h(x) = Q x + c$$\n"
            "### quad.eigen-recursion\n$$\\hat{x}^{k+1} = (I - \\alpha \\Lambda) \\hat{x}^k$$\n")
    s = read_submission(text, "x.md", "x", HW)
    assert [m.latex for m in s.sections["quad.gradient"].math] == [r"\nabla h(x) = Q x + c"]
    assert "Derivation" in s.sections["quad.gradient"].prose
    assert len(s.sections["quad.eigen-recursion"].math) == 1
    assert s.stray == ()


def test_a_misspelt_question_heading_is_stray_with_a_did_you_mean_and_merges_nothing() -> None:
    # By hand: '### quad.eigen-recursoin' names no question; it looks like an id, so the math under
    # it is not part of quad.gradient's answer, and the stray note suggests the id meant.
    text = ("## quad.gradient\n$$\\nabla h(x) = Q x + c$$\n"
            "### quad.eigen-recursoin\n$$\\hat{x}^{k+1} = \\hat{x}^k$$\n## hesian.matrix\n$$J$$\n")
    s = read_submission(text, "x.md", "x", HW)
    assert [m.latex for m in s.sections["quad.gradient"].math] == [r"\nabla h(x) = Q x + c"]
    assert s.stray == ("quad.eigen-recursoin (did you mean quad.eigen-recursion?)",
                       "hesian.matrix (did you mean hessian.matrix?)")


def test_two_displays_on_one_line_are_two_blocks() -> None:
    # "$$a$$ and $$b$$" renders as two displays; markdown-it's dollarmath takes one block from the
    # first $$ to the last. By hand: two display blocks, "and" is prose.
    sub = read_submission("## pd.linear\n$$a = (0, 0)$$ and $$b = (0, 1)$$\n", "f.md", "f", frozenset({"pd.linear"}))
    section = sub.sections["pd.linear"]
    assert [(m.latex, m.display) for m in section.math] == [("a = (0, 0)", True), ("b = (0, 1)", True)]
    assert section.prose == "and"


@pytest.mark.parametrize(("text", "statements"), [
    (r"\nabla f(x^t) = [0, 0], \quad x^{t+1} = [0, 1]", [[r"\nabla f(x^t)", "[0, 0]"], ["x^{t+1}", "[0, 1]"]]),
    (r"a = b \qquad c = d", [["a", "b"], ["c", "d"]]),
    (r"a = b \text{ and } c = d", [["a", "b"], ["c", "d"]]),
    (r"x = (1, \quad 2)", [["x", r"(1, \quad 2)"]]),  # inside brackets: spacing, not a separator
    (r"\begin{aligned} a &= b \quad \\ &= c \end{aligned}", [["a", "b", "c"]]),  # in an alignment too
])
def test_statements_side_by_side(text: str, statements: list[list[str]]) -> None:
    from verify.reading.chain import split_chain

    assert [[p.latex for p in c] for c in split_chain(text)] == statements
