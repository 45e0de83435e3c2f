"""Reading submissions: sections by question id, math blocks of every delimiter, front matter."""

from __future__ import annotations

import pytest

from verify.reading.markdown import SubmissionError, decode, read_submission

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
        decode(raw, "f.md")
