"""No silent zeros (issue 12, point 3): every answer a TA must look at says so, and why, in every format.

The contract's JSON gives each question ``review``: null, or why a TA must look (it could not be
read, it could not be decided, its reasoning is not checked); the CSV has a ``review`` column
listing each student's answers to review; each Gradescope test's output says so; the table and
the HTML page mark it "TA: review" with the reason.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from verify.cli import main
from verify.grading.grades import (
    Mark,
    QuestionGrade,
    StepCheck,
    StepStatus,
    SubmissionGrade,
    flag_unchecked_reasoning,
)
from verify.reporting import gradebook

IDS = ["pd.linear", "pd.chain", "bp.dJ-dyhat", "beale.convex", "pd.product"]

READ = QuestionGrade("pd.linear", Mark.CORRECT, 1.0, 1.0, feedback="Correct.", answer="A")
UNREAD = QuestionGrade("pd.chain", Mark.UNPARSABLE, 0.0, 1.0, answer=r"A \left(",
                       feedback="No final answer could be read: unbalanced braces (at offset 9)\nA \\left(\n  ^.",
                       review_why="could not be read: unbalanced braces (at offset 9)")
UNDECIDED = QuestionGrade("bp.dJ-dyhat", Mark.INCORRECT, 0.0, 1.0, review=True,
                          feedback="Your answer $x$ could not be verified automatically (time limit); it is flagged "
                          "for a TA to review.")
WORD_ONLY = QuestionGrade("beale.convex", Mark.CORRECT, 1.0, 1.0, feedback="Correct.", answer="false")
SKIPPED = QuestionGrade("pd.product", Mark.UNANSWERED, 0.0, 1.0, feedback="No answer was found under this heading.")
ADA = flag_unchecked_reasoning(
    [SubmissionGrade("ada.md", "Ada", (READ, UNREAD, UNDECIDED, WORD_ONLY, SKIPPED))],
    {"pd.linear": "expression", "pd.chain": "expression", "bp.dJ-dyhat": "expression",
     "beale.convex": "true-false", "pd.product": "expression"},
)[0]
CLEAN = SubmissionGrade("bo.md", "Bo", (READ,))
BROKEN = SubmissionGrade("x.md", "x", (QuestionGrade("pd.linear", Mark.UNPARSABLE, 0.0, 1.0,
                                                     feedback="The file could not be read: x.md: a NUL byte"),),
                         error="x.md: a NUL byte")


def _questions(grade: SubmissionGrade) -> dict[str, dict]:
    data = json.loads(json.dumps(gradebook.gradebook_json([grade])))
    return {q["id"]: q for q in data["submissions"][0]["questions"]}


# ---------------------------------------------------------------- the reason, and the JSON


def test_json_gives_every_question_a_review_field_last() -> None:
    for q in _questions(ADA).values():
        assert list(q) == ["id", "verdict", "points", "max_points", "first_bad_step", "feedback", "review"]


def test_json_review_says_why() -> None:
    qs = _questions(ADA)
    assert qs["pd.linear"]["review"] is None
    assert qs["pd.chain"]["review"] == "could not be read: unbalanced braces (at offset 9)"
    assert qs["bp.dJ-dyhat"]["review"] == "could not be decided by the engine"
    assert qs["beale.convex"]["review"] == "reasoning not checked"
    assert qs["pd.product"]["review"] is None  # unanswered: nothing to look at


def test_the_grader_says_why_in_its_own_words(tmp_path: Path) -> None:
    # Graded, not built by hand: the reason comes from the grader (a field), not from parsing its
    # feedback. By hand: a true/false answer with no verdict word is unreadable (not undecided); an
    # unclosed \\left( is unreadable, and the reason says what is unbalanced; a question of two parts
    # with one part unreadable says which part.
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import grade_files

    path = tmp_path / "s.md"
    path.write_text("## beale.convex\nThe Hessian at the origin has determinant -9.\n\n"
                    "## pd.linear\n$$\\frac{\\partial y}{\\partial x} = \\left( A$$\n\n"
                    "## beale.stationary\n$$\\nabla f(0, 1) = (0, \\weird{0})$$\n$$x^{t+1} = (0, 1)$$\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    qs = {q.id: q for q in grade.questions}
    assert qs["beale.convex"].review_reason == ("could not be read as true or false: no true/false (or yes/no) "
                                                "answer was found in it")
    assert qs["pd.linear"].verdict is Mark.UNPARSABLE
    assert (qs["pd.linear"].review_reason or "").startswith("could not be read: ")
    assert "\\left(" in (qs["pd.linear"].review_reason or ""), qs["pd.linear"].review_reason
    assert (qs["beale.stationary"].review_reason or "").startswith("part 1 could not be read: ")


def test_a_full_mark_through_steps_not_checked_is_for_review() -> None:
    steps = (StepCheck(1, "a = b", StepStatus.FOLLOWS),
             StepCheck(2, r"b = \weird{b}", StepStatus.NOT_CHECKED, r"$\weird{b}$ could not be read (unknown)"),
             StepCheck(3, "w_1 = w_2", StepStatus.NOT_CHECKED,
                       "an assumption (a variable given a value), not a step to check"))
    q = QuestionGrade("pd.linear", Mark.CORRECT, 1.0, 1.0, steps=steps)
    assert q.review_reason == "reasoning not checked: step 2 could not be read"
    assert QuestionGrade("pd.linear", Mark.CORRECT, 1.0, 1.0, steps=(steps[0], steps[2])).review_reason is None


def test_a_long_reason_is_cut_short() -> None:
    q = QuestionGrade("pd.chain", Mark.UNPARSABLE, 0.0, 1.0, feedback="Your final answer $x$ could not be read: "
                      + "y" * 500, review_why="could not be read: " + "y" * 500)
    assert q.review_reason is not None and len(q.review_reason) < 160 and q.review_reason.endswith("...")


# ---------------------------------------------------------------- CSV, Gradescope, table, HTML


def test_csv_has_a_review_column_last() -> None:
    buffer = io.StringIO()
    gradebook.write_csv([ADA, CLEAN, BROKEN], buffer, IDS)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0] == ["file", "student", "score", "max_score", *IDS, "error", "review"]
    assert rows[1][-1] == ("pd.chain: could not be read: unbalanced braces (at offset 9); "
                           "bp.dJ-dyhat: could not be decided by the engine; beale.convex: reasoning not checked")
    assert rows[2] == ["bo.md", "Bo", "1", "1", "1", "", "", "", "", "", ""]  # nothing to review: empty
    assert rows[3][-2] == "x.md: a NUL byte" and rows[3][-1] == "the file could not be read (see error)"


def test_gradescope_output_says_a_ta_must_review_and_why() -> None:
    tests = {t["name"]: t for t in gradebook.gradescope_results(ADA)["tests"]}
    assert "Needs a TA's review (could not be decided by the engine)" in tests["bp.dJ-dyhat"]["output"]
    assert "Needs a TA's review (could not be read: unbalanced braces" in tests["pd.chain"]["output"]
    assert "Needs a TA's review (reasoning not checked)" in tests["beale.convex"]["output"]


def test_table_marks_and_says_why() -> None:
    console = Console(record=True, width=400)
    gradebook.render([ADA], console, IDS)
    out = console.export_text()
    assert out.count("(TA: review)") == 3
    assert "TA review: could not be read: unbalanced braces" in out
    assert "TA review: reasoning not checked" in out
    assert "Ada: pd.chain (could not be read), Ada: beale.convex (reasoning not checked)" in out


def test_html_marks_and_says_why() -> None:
    from verify.reporting.html import grading_page

    page = grading_page([ADA])
    assert "TA: review (could not be decided by the engine)" in page
    assert "TA: review (could not be read: unbalanced braces (at offset 9))" in page
    assert "TA: review (reasoning not checked)" in page


# ---------------------------------------------------------------- through the command


SUBMISSION = r"""---
student: Cy
---
## pd.linear
$$\frac{\partial y}{\partial x} = A$$

## pd.chain
$$\frac{\partial y}{\partial z} = A \frac{\partial x}{\partial z} \left($$

## beale.convex
False: the Hessian at (0, 0) is indefinite.

## bp.dJ-dyhat
$$-\frac{1}{m} \sum_{i=1}^{m} \left(\frac{y^{(i)}}{\hat{y}^{(i)}} - \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)
  + \frac{1}{m} \left(\frac{y^{(j)}}{\hat{y}^{(j)}} - \frac{1 - y^{(j)}}{1 - \hat{y}^{(j)}}\right)$$
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("review")
    sub = folder / "cy.md"
    sub.write_text(SUBMISSION, encoding="utf-8")
    out: dict[str, object] = {}
    for fmt in ("json", "csv"):
        target = folder / f"out.{fmt}"
        extra = ["--gradescope", str(folder / "gs")] if fmt == "json" else []
        assert main(["grade", "--assignment", "hw1", str(sub), "--format", fmt, "--output", str(target),
                     *extra]) == 0
        out[fmt] = target.read_text(encoding="utf-8")
    out["gradescope"] = json.loads((folder / "gs" / "Cy" / "results.json").read_text(encoding="utf-8"))
    return out


def test_cli_json_review(graded: dict[str, object]) -> None:
    data = json.loads(str(graded["json"]))
    qs = {q["id"]: q for q in data["submissions"][0]["questions"]}
    assert all("review" in q for q in qs.values())
    assert qs["pd.linear"]["verdict"] == "correct" and qs["pd.linear"]["review"] is None
    assert qs["pd.chain"]["verdict"] == "unparsable" and qs["pd.chain"]["review"].startswith(
        "could not be read: unbalanced")
    assert qs["bp.dJ-dyhat"]["points"] == 0 and qs["bp.dJ-dyhat"]["review"] == "could not be decided by the engine"
    assert qs["beale.convex"]["verdict"] == "correct" and qs["beale.convex"]["review"] == "reasoning not checked"
    assert qs["pd.product"]["verdict"] == "unanswered" and qs["pd.product"]["review"] is None


def test_cli_csv_review_column(graded: dict[str, object]) -> None:
    rows = list(csv.reader(io.StringIO(str(graded["csv"]))))
    assert rows[0][-2:] == ["error", "review"]
    review = rows[1][-1]
    assert review.startswith("pd.chain: could not be read: unbalanced")
    assert "; bp.dJ-dyhat: could not be decided by the engine" in review
    assert review.endswith("; beale.convex: reasoning not checked")


def test_cli_gradescope_output(graded: dict[str, object]) -> None:
    data = graded["gradescope"]
    assert isinstance(data, dict)
    tests = {t["name"]: t for t in data["tests"]}
    assert "Needs a TA's review (could not be decided by the engine)" in tests["bp.dJ-dyhat"]["output"]
    assert "Needs a TA's review (could not be read: unbalanced" in tests["pd.chain"]["output"]
    assert "Needs a TA's review (reasoning not checked)" in tests["beale.convex"]["output"]


def test_cli_html_review(tmp_path: Path) -> None:
    sub = tmp_path / "cy.md"
    sub.write_text(SUBMISSION, encoding="utf-8")
    target = tmp_path / "out.html"
    assert main(["grade", "--assignment", "hw1", str(sub), "--format", "html", "--output", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert "TA: review (reasoning not checked)" in page and "TA: review (could not be decided by the engine)" in page


def test_a_misspelt_heading_is_not_a_silent_zero_in_any_gradebook(tmp_path: Path) -> None:
    # By hand: the answer Q x + c is right, and its heading misspells the id (gradeint): a TA grades
    # it as quad.gradient, the only id close to it and unanswered otherwise. So does the grader, and
    # every format says a TA should confirm the heading was meant for it.
    sub = tmp_path / "hiro.md"
    sub.write_text("## quad.gradeint (5.2)\n$$\\nabla h(x) = Q x + c$$\n", encoding="utf-8")
    target = tmp_path / "out.json"
    assert main(["grade", "--assignment", "hw1", str(sub), "--format", "json", "--output", str(target),
                 "--gradescope", str(tmp_path / "gs")]) == 0
    qs = {q["id"]: q for q in json.loads(target.read_text(encoding="utf-8"))["submissions"][0]["questions"]}
    assert qs["quad.gradient"]["verdict"] == "correct"
    assert qs["quad.gradient"]["review"] == "graded under the heading 'quad.gradeint (5.2)', taken for quad.gradient"
    assert qs["pd.linear"]["review"] is None  # nothing points at it
    tests = {t["name"]: t for t in json.loads((tmp_path / "gs" / "hiro" / "results.json").read_text())["tests"]}
    assert "quad.gradeint (5.2)" in tests["quad.gradient"]["output"]


def test_a_misspelt_heading_with_nothing_under_it_is_unanswered_for_review(tmp_path: Path) -> None:
    # nothing to grade under the misspelt heading: the question stays unanswered, and says why to look
    sub = tmp_path / "hiro.md"
    sub.write_text("## quad.gradeint (5.2)\n\n## pd.linear\n$$A$$\n", encoding="utf-8")
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import grade_files
    from verify.grading.grades import flag_for_review

    hw1 = load_assignment("hw1")
    [grade] = flag_for_review(grade_files(hw1, [sub]), {q.id: q.kind for q in hw1.questions})
    q = next(q for q in grade.questions if q.id == "quad.gradient")
    assert q.verdict is Mark.UNANSWERED
    assert q.review_reason == "unanswered, but the heading 'quad.gradeint (5.2)' may be meant for it"
