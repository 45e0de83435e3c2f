r"""The assignment file (issue 17, ``/work/shared/contracts/assignment-file.md``): an assignment
written as TOML, graded with ``--assignment FILE.toml``, checked by ``assignment check``.

Every key and kind of the contract (and each extension) is in :data:`ASSIGNMENT`, graded on a
right and a wrong submission written below; every expected grade is derived by hand in the
comment next to it, never copied from the grader. Then each error an author can make, with the
line it must name, and the exit status of every command.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

import derivations
from verify.cli import main
from verify.cli.assignment import starting_file
from verify.grading import load_assignment
from verify.reading import AssignmentFileError, parse_assignment

# The line numbers the error tests expect are counted in these texts: keep them as they are.
ASSIGNMENT = r"""id = "t1"
title = "Test assignment"
layout = "numerator"
partial_credit = 0.25

[symbols]
x = "vector(n)"
A = "matrix(m, n)"
'\alpha' = "scalar"

[meaning]
x = "the input"

[define]
y = 'A x'

[[question]]
id = "lin"
points = 2
prompt = '''
With $y = A x$, find $\frac{\partial y}{\partial x}$.
'''
asked = '\frac{\partial y}{\partial x}'
answer = 'A'
solution = ['\frac{\partial (A x)}{\partial x}', 'A']

[[question]]
id = "scaled"
points = 1
layout = "denominator"
prompt = 'Find $\frac{\partial (\alpha y)}{\partial x}$ in denominator layout.'
asked = '\frac{\partial (\alpha y)}{\partial x}'
answer = '\alpha A^T'

[[question]]
id = "cond"
kind = "equation"
points = 1
prompt = 'For which $a, b$ are $(a, 1)$ and $(1, b)$ orthogonal?'
answer = 'a + b = 0'
[question.symbols]
a = "scalar"
b = "scalar"

[[question]]
id = "tf"
kind = "true-false"
points = 1
answer = false
justify = true
why = "x^T x is a sum of squares"
prompt = 'True or false: $x^T x$ can be negative.'

[[question]]
id = "tf2"
kind = "true-false"
points = 1
answer = true
prompt = 'True or false: $(A x)^T = x^T A^T$.'
solution = ['(A x)^T', 'x^T A^T']

[[question]]
id = "pts"
kind = "parts"
points = 2
row_or_column = true
prompt = 'With $g(u, v) = u^2 + u v$, give $\nabla g(1, 2)$ and $g(1, 2)$.'
[question.symbols]
u = "scalar"
v = "scalar"
[question.define]
g = 'u^2 + u v'
'g(u, v)' = 'u^2 + u v'
[question.shown]
g = 'g(u, v) = u^2 + u v'
[[question.part]]
name = '\nabla g(1, 2)'
answer = '(4, 1)'
[[question.part]]
name = 'g(1, 2)'
answer = '3'

[[question]]
id = "relu"
points = 1
where_it_exists = true
prompt = 'Find the derivative of $\operatorname{ReLU}(z)$ where it exists.'
asked = '\frac{\partial}{\partial z} \operatorname{ReLU}(z)'
answer = '\mathbb{1}[z > 0]'
[question.symbols]
z = "scalar"

[[question]]
id = "relu2"
points = 1
prompt = 'Find the derivative of $\operatorname{ReLU}(z)$.'
asked = '\frac{\partial}{\partial z} \operatorname{ReLU}(z)'
answer = '\mathbb{1}[z > 0]'
[question.symbols]
z = "scalar"
"""

#: answers right and wrong, each grade derived by hand: (question id -> (answer, verdict, points, review))
RIGHT = {
    # d(Ax)/dx = A in numerator layout (m x n): right, every step follows -> all 2 points
    "lin": (r"$$\frac{\partial y}{\partial x} = \frac{\partial (A x)}{\partial x} = A$$", "correct", 2, None),
    # denominator layout transposes d(vector)/d(vector): d(alpha A x)/dx = alpha A^T
    "scaled": (r"$$\frac{\partial (\alpha y)}{\partial x} = \alpha A^T$$", "correct", 1, None),
    # a = -b is a - (-b) = a + b = 1 x (a + b) = 0: the same condition
    "cond": (r"$$a = -b$$", "correct", 1, None),
    # x^T x = sum of squares >= 0: the statement is false; justify = true sends the reasoning to a TA
    "tf": (r"False: $x^T x$ is a sum of squares.", "correct", 1, "reasoning not checked"),
    # (Ax)^T = x^T A^T is true; no justify: graded on the word, nothing to review
    "tf2": ("True.", "correct", 1, None),
    # grad g = (2u + v, u) = (4, 1) at (1, 2), written as a row (row_or_column); g(1, 2) = 1 + 2 = 3
    "pts": (r"$$\nabla g(1, 2) = \begin{bmatrix} 4 & 1 \end{bmatrix}$$" "\n\n" r"$$g(1, 2) = 3$$", "correct", 2,
            None),
    # where_it_exists: compared with ReLU' itself, undefined at 0, so 1[z >= 0] is as right as 1[z > 0]
    "relu": (r"$$\frac{\partial}{\partial z} \operatorname{ReLU}(z) = \mathbb{1}[z \geq 0]$$", "correct", 1, None),
    # without it the answer is compared with 1[z > 0], and 1[0 >= 0] = 1 != 0 = 1[0 > 0]: wrong
    "relu2": (r"$$\frac{\partial}{\partial z} \operatorname{ReLU}(z) = \mathbb{1}[z \geq 0]$$", "incorrect", 0, None),
}
WRONG = {
    # A^T is n x m where dy/dx is m x n: wrong
    "lin": (r"$$\frac{\partial y}{\partial x} = A^T$$", "incorrect", 0, None),
    # alpha A is the numerator-layout answer (m x n): in denominator layout it is wrong
    "scaled": (r"$$\frac{\partial (\alpha y)}{\partial x} = \alpha A$$", "incorrect", 0, None),
    # a - b is no constant multiple of a + b (at a = 1, b = 0 the ratio is 1, at a = 0, b = 1 it is -1)
    "cond": (r"$$a = b$$", "incorrect", 0, None),
    # the statement is false: "True" is wrong, and the reasoning still goes to a TA (justify)
    "tf": ("True.", "incorrect", 0, "reasoning not checked"),
    # the statement is true
    "tf2": ("False.", "incorrect", 0, None),
    # the gradient right (its half of 2 points: 1), g(1, 2) = 3 not 2: the question is incorrect with 1 point
    "pts": (r"$$\nabla g(1, 2) = (4, 1)$$" "\n\n" r"$$g(1, 2) = 2$$", "incorrect", 1, None),
    # 1[z < 0] is 1 at z = -1 where ReLU' is 0
    "relu": (r"$$\frac{\partial}{\partial z} \operatorname{ReLU}(z) = \mathbb{1}[z < 0]$$", "incorrect", 0, None),
    # exactly the reference: right
    "relu2": (r"$$\frac{\partial}{\partial z} \operatorname{ReLU}(z) = \mathbb{1}[z > 0]$$", "correct", 1, None),
}
#: a right final answer through steps that do not follow (dy/dx = 2A: no; 2A = A: no) earns the file's
#: partial_credit, 0.25 of lin's 2 points = 0.5 (the grader's default would give 1)
PARTIAL = {"lin": (r"$$\frac{\partial y}{\partial x} = 2 A = A$$", "correct", 0.5, None)}


def _exit(argv: list[str]) -> int:
    """The exit status, whether the command returns it or argparse raises SystemExit."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


def _submission(student: str, answers: dict[str, tuple[str, str, float, str | None]]) -> str:
    return f"---\nstudent: {student}\n---\n" + "".join(f"## {qid}\n\n{a[0]}\n\n" for qid, a in answers.items())


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("assignment")
    (here / "t1.toml").write_text(ASSIGNMENT, encoding="utf-8")
    subs = here / "subs"
    subs.mkdir()
    for name, answers in (("right", RIGHT), ("wrong", WRONG), ("partial", PARTIAL)):
        (subs / f"{name}.md").write_text(_submission(name, answers), encoding="utf-8")
    return here


@pytest.fixture(scope="module")
def graded(folder: Path) -> dict[str, dict[str, Any]]:
    """``grade --assignment t1.toml`` on the three submissions, as JSON, by student."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["grade", "--assignment", str(folder / "t1.toml"), str(folder / "subs"), "--format", "json",
                       "--no-cache"])
    assert status == 0
    return {s["student"]: s for s in json.loads(out.getvalue())["submissions"]}


@pytest.mark.parametrize(("student", "answers"), [("right", RIGHT), ("wrong", WRONG), ("partial", PARTIAL)])
def test_every_kind_is_graded_as_derived_by_hand(graded: dict[str, dict[str, Any]], student: str,
                                                 answers: dict[str, tuple[str, str, float, str | None]]) -> None:
    questions = {q["id"]: q for q in graded[student]["questions"]}
    for qid, (_, verdict, points, review) in answers.items():
        q = questions[qid]
        assert (q["verdict"], q["points"], q["review"]) == (verdict, points, review), f"{student} {qid}: {q}"


def test_the_scores_add_up(graded: dict[str, dict[str, Any]]) -> None:
    # points: lin 2 + scaled 1 + cond 1 + tf 1 + tf2 1 + pts 2 + relu 1 + relu2 1 = 10
    assert {s: (g["score"], g["max_score"]) for s, g in graded.items()} == {
        "right": (9, 10),  # every answer right but relu2
        "wrong": (2, 10),  # pts' gradient (1) and relu2 (1)
        "partial": (0.5, 10),  # lin at a quarter; nothing else answered
    }


def test_the_model_of_each_question(folder: Path) -> None:
    a = load_assignment(str(folder / "t1.toml"))
    assert (a.id, a.title, a.partial_credit, a.source) == ("t1", "Test assignment", 0.25, str(folder / "t1.toml"))
    q = {q.id: q for q in a.questions}
    assert [q.kind for q in a.questions] == ["expression", "expression", "property", "true-false", "true-false",
                                            "property", "expression", "expression"]
    assert q["lin"].reference.id == "ref.lin" and q["lin"].reference.statement == \
        r"\frac{\partial y}{\partial x} = A"
    assert q["scaled"].layout == "denominator" and q["lin"].layout == "numerator"
    assert q["tf"].answer is False and q["tf2"].answer is True and q["tf"].reference.why.startswith("x^T x")
    assert [p.name for p in q["pts"].parts] == [r"\nabla g(1, 2)", "g(1, 2)"]
    assert q["relu"].where_it_exists and not q["relu2"].where_it_exists
    assert q["lin"].symbols["x"].meaning == "the input"
    assert set(q["cond"].symbols) == {"x", "A", r"\alpha", "a", "b"} and "a" not in q["lin"].symbols
    # written: each definition exactly as the author wrote it; [question.shown] where it says otherwise
    assert q["lin"].written == {"y": "y = A x"}
    assert q["pts"].written["g"] == "g(u, v) = u^2 + u v" and q["pts"].written["g(u, v)"] == "g(u, v) = u^2 + u v"
    assert a.review_kinds()["tf"] == "true-false" and a.review_kinds()["tf2"] != "true-false"


# ---------------------------------------------------------------- errors, each with its line


def _problems(text: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in parse_assignment(text, "f.toml").problems]


HEAD = 'id = "e"\n[symbols]\nx = "vector(n)"\nA = "matrix(m, n)"\n'  # lines 1-4


def test_an_unknown_top_level_key_makes_the_file_unreadable_with_its_line() -> None:
    with pytest.raises(AssignmentFileError) as caught:
        parse_assignment('id = "e"\ntitle = "t"\ntitel = "typo"\n', "f.toml")
    assert caught.value.line == 3 and "unknown key 'titel'" in caught.value.message
    assert "did you mean 'title'?" in caught.value.message
    assert str(caught.value).startswith("f.toml:3: ")


def test_an_unknown_question_key_and_part_key_are_errors_with_their_lines() -> None:
    text = HEAD + ('[[question]]\nid = "q"\npoints = 1\nanswer = "x"\npionts = 2\n'  # 5-9
                   '[[question]]\nid = "p"\npoints = 1\nkind = "parts"\n'  # 10-13
                   "[[question.part]]\nname = 'x'\nanswer = 'x'\nanwser = 'x'\n")  # 14-17
    problems = _problems(text)
    assert [line for line, _ in problems] == [9, 17]
    assert "unknown key 'pionts'" in problems[0][1] and "unknown key 'anwser'" in problems[1][1]
    assert "did you mean 'points'?" in problems[0][1] and "did you mean 'answer'?" in problems[1][1]


def test_a_duplicate_id_names_both_lines() -> None:
    text = HEAD + '[[question]]\nid = "q"\npoints = 1\nanswer = "x"\n[[question]]\nid = "q"\npoints = 1\nanswer = "A"\n'
    [(line, message)] = _problems(text)
    assert line == 10 and "first at line 6, again at line 10" in message


@pytest.mark.parametrize(("answer", "says"), [
    ("x + y", "y"),                                     # undeclared name
    ("x + A", "cannot add"),                            # ill-shaped: n x 1 plus m x n
    (r"\weird{x}", "weird"),                            # LaTeX outside the subset
])
def test_a_reference_that_cannot_be_read_is_an_error_at_the_answer_line(answer: str, says: str) -> None:
    text = HEAD + f"[[question]]\nid = \"q\"\npoints = 1\nprompt = '''\nmany\nlines\n'''\nanswer = '{answer}'\n"
    [(line, message)] = _problems(text)
    assert line == 12 and says in message, message


def test_a_shared_definition_that_cannot_be_read_is_an_error_at_its_line() -> None:
    [(line, message)] = _problems(HEAD + "[define]\nu = 'x + A'\n[[question]]\nid = \"q\"\npoints = 1\nanswer = 'x'\n")
    assert line == 6 and message.startswith("[define] u: cannot add")


def test_an_asked_of_another_shape_than_the_answer_is_an_error() -> None:
    text = HEAD + "[[question]]\nid = \"q\"\npoints = 1\nasked = 'A x'\nanswer = 'x'\n"  # 5-9
    [(line, message)] = _problems(text)
    assert line == 9 and "different shapes" in message


@pytest.mark.parametrize(("body", "line", "says"), [
    ("points = 0\nanswer = 'x'\n", 7, "points"),
    ("points = 1\nkind = \"essay\"\nanswer = 'x'\n", 8, "kind must be one of"),
    ("points = 1\nkind = \"true-false\"\nanswer = \"false\"\n", 9, "TOML boolean"),
    ("points = 1\nkind = \"equation\"\nanswer = 'x'\n", 9, "one equation"),
    ("points = 1\nsolution = 'x'\nanswer = 'x'\n", 8, "list of LaTeX strings"),
    ("points = 1\nwhere_it_exists = true\nanswer = 'x'\n", 8, "write asked too"),
    ("points = 1\njustify = true\nanswer = 'x'\n", 8, "only for a true-false"),
    ("points = 1\nprompt = \"a \\u001b[2J b\"\nanswer = 'x'\n", 8, "control character"),
    # an answer with a derivative in it, without asked, would read as the question itself
    ("points = 1\nanswer = '\\frac{\\partial (A x)}{\\partial x}'\n", 8, "needs asked"),
    # a question may add names, not change the shared ones
    ("points = 1\nanswer = 'x'\n[question.symbols]\nx = \"scalar\"\n", 10, "declared in [symbols] already"),
    ("points = 1\nanswer = 'x'\n[question.shown]\nz = \"z = \\u001b[2J\"\n", 10, "without control characters"),
    ("points = 1\nkind = \"parts\"\n", 8, "[[question.part]] tables go with"),
    ("points = 1\nanswer = 'x'\n[question.define]\nu = 'x + A'\n", 10, "[question.define] u: cannot add"),
])
def test_malformed_values_are_errors_at_their_lines(body: str, line: int, says: str) -> None:
    [(found, message)] = _problems(HEAD + '[[question]]\nid = "q"\n' + body)
    assert found == line and says in message, message


@pytest.mark.parametrize(("text", "line"), [
    ('id = "e"\n[symbols]\nx = "vector(n)"\nA = "tensor(n)"\n', 4),  # a declaration that cannot be read
    ('id = "e"\ntitle = "a" "b"\n', 2),  # not TOML
    ('title = "no id"\n', None),  # no id
    ('id = "e"\n[symbols]\nx = "vector(n)"\n[meaning]\ny = "why"\n', 5),  # the meaning of an undeclared name
    ('id = "e"\n[symbols]\nx = "vector(n)"\n[[question]]\nid = "q"\n[[claim]]\n', 6),  # a claims file's table
])
def test_a_file_that_cannot_be_read_raises_with_its_line(text: str, line: int | None) -> None:
    with pytest.raises(AssignmentFileError) as caught:
        parse_assignment(text, "f.toml")
    assert caught.value.line == line and caught.value.path == "f.toml"


def test_grading_refuses_a_file_with_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(HEAD + "[[question]]\nid = \"q\"\npoints = 1\nanswer = 'x + y'\n", encoding="utf-8")
    sub = tmp_path / "s.md"
    sub.write_text("## q\n$$x$$\n", encoding="utf-8")
    assert _exit(["grade", "--assignment", str(bad), str(sub)]) == 2
    err = capsys.readouterr().err
    assert "line 8" in err and "assignment check" in err
    assert _exit(["questions", str(tmp_path / "missing.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


# ---------------------------------------------------------------- assignment check


def test_check_proves_a_sound_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["assignment", "check", str(folder / "t1.toml"), "--no-cache", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = [c["id"] for c in data["claims"]]
    # the references (lin, scaled, cond, the two parts, relu, relu2), lin's solution (2 links: the chain and its
    # end at the answer) and tf2's supporting computation (1 link)
    assert sorted(ids) == sorted(["ref.lin", "lin.solution.1", "lin.solution.2", "ref.scaled", "ref.cond",
                                  "tf2.solution.1", "ref.pts.part1", "ref.pts", "ref.relu", "ref.relu2"])
    assert {c["verdict"] for c in data["claims"]} == {"proved"} and data["problems"] == []


def test_check_fails_a_wrong_solution_step_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "step.toml"
    # d(Ax)/dx = A, so d(Ax)/dx = 2 A is false (at A != 0): step 1 fails; 2 A = A fails too (the end is not the answer)
    path.write_text(HEAD + "[[question]]\nid = \"q\"\npoints = 1\nanswer = 'A'\n"
                    r"solution = ['\frac{\partial (A x)}{\partial x}', '2 A']" "\n", encoding="utf-8")
    assert _exit(["assignment", "check", str(path), "--no-cache", "--format", "json"]) == 1
    claims = {c["id"]: c for c in json.loads(capsys.readouterr().out)["claims"]}
    assert claims["ref.q"]["verdict"] == "proved"
    assert claims["q.solution.1"]["verdict"] != "proved" and claims["q.solution.1"]["detail"].startswith(
        "line 9: solution step 1")
    assert claims["q.solution.1"]["file"] == f"{path}:9"
    assert claims["q.solution.2"]["verdict"] == "refuted" and "equals the answer" in claims["q.solution.2"]["detail"]
    # a step of another shape (A^T is n x m where d(Ax)/dx is m x n) cannot even be stated: an error at its line
    [(line, message)] = _problems(HEAD + "[[question]]\nid = \"q\"\npoints = 1\nanswer = 'A'\n"
                                  r"solution = ['\frac{\partial (A x)}{\partial x}', 'A^T']" "\n")
    assert line == 9 and "different shapes" in message


def test_check_fails_an_equation_that_is_no_condition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "eq.toml"
    # a + b = b + a holds for every a, b: lhs - rhs is 0, no nonzero multiple of anything, so not a condition
    path.write_text('id = "e"\n[symbols]\na = "scalar"\nb = "scalar"\n[[question]]\nid = "q"\npoints = 1\n'
                    "kind = \"equation\"\nanswer = 'a + b = b + a'\n", encoding="utf-8")
    assert _exit(["assignment", "check", str(path), "--no-cache", "--format", "compact"]) == 1
    assert "line 9" in capsys.readouterr().out


def test_check_reports_problems_with_lines_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dup.toml"
    path.write_text(HEAD + '[[question]]\nid = "q"\npoints = 1\nanswer = "x"\n[[question]]\nid = "q"\npoints = 1\n'
                    'answer = "x"\n', encoding="utf-8")
    assert _exit(["assignment", "check", str(path), "--no-cache"]) == 1
    assert f"{path}:10: question q: the id 'q' is used twice: first at line 6" in capsys.readouterr().err


def test_check_exits_2_for_a_file_that_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.toml"
    path.write_text("id = \n", encoding="utf-8")
    assert _exit(["assignment", "check", str(path)]) == 2
    assert f"{path}:1: not TOML" in capsys.readouterr().err
    assert _exit(["assignment", "check", str(tmp_path / "none.toml")]) == 2
    assert _exit(["assignment", "frobnicate"]) == 2


# ---------------------------------------------------------------- questions, new-assignment, built-ins


def test_questions_shows_prompts_and_definitions_as_written(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["questions", str(folder / "t1.toml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    q = {q["id"]: q for q in data["questions"]}
    assert data["assignment"] == "t1" and data["max_score"] == 10
    assert q["lin"]["wording"] == r"With $y = A x$, find $\frac{\partial y}{\partial x}$."
    assert q["lin"]["defines"] == {"y": "y = A x"}
    assert q["pts"]["defines"]["g"] == "g(u, v) = u^2 + u v" and q["pts"]["parts"] == [r"\nabla g(1, 2)", "g(1, 2)"]
    assert {s["name"]: s["meaning"] for s in q["lin"]["symbols"]}["x"] == "the input"
    assert _exit(["questions", str(folder / "t1.toml")]) == 0
    assert r"where y = A x" in capsys.readouterr().out


def test_new_assignment_writes_a_file_that_passes_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert _exit(["new-assignment", "hw9"]) == 0
    written = tmp_path / "hw9.toml"
    assert written.read_text(encoding="utf-8") == starting_file("hw9")
    assert _exit(["assignment", "check", "hw9.toml", "--no-cache", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["assignment"] == "hw9" and data["questions"] == 5 and data["problems"] == []
    assert {c["verdict"] for c in data["claims"]} == {"proved"}
    # never overwritten, and the kinds of the contract are all in it
    written.write_text("mine", encoding="utf-8")
    assert _exit(["new-assignment", "hw9"]) == 2 and written.read_text(encoding="utf-8") == "mine"
    assert _exit(["new-assignment", "hw9", "--output", str(tmp_path / "other.toml")]) == 0
    assert _exit(["new-assignment", "Bad Name"]) == 2
    kinds = {q.kind for q in load_assignment(str(tmp_path / "other.toml")).questions}
    assert kinds == {"expression", "property", "true-false"}


def test_a_built_in_name_finds_a_toml_in_derivations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "zz_file_only.toml").write_text(ASSIGNMENT, encoding="utf-8")
    monkeypatch.setattr(derivations, "__path__", [*derivations.__path__, str(tmp_path)])
    assert load_assignment("zz_file_only").id == "t1"
    assert load_assignment("hw1").source is None  # derivations/hw1.py comes first


# ---------------------------------------------------------------- the Gradescope bundle carries the file


def test_the_gradescope_bundle_carries_the_file_and_grades_with_it(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "autograder.zip"
    assert _exit(["gradescope", "--assignment", str(folder / "t1.toml"), "--output", str(target)]) == 0
    unpacked = tmp_path / "source"
    with zipfile.ZipFile(target) as z:
        z.extractall(unpacked)
    script = (unpacked / "run_autograder").read_text(encoding="utf-8")
    assert "--assignment 't1'" in script
    [sdist] = unpacked.glob("verify-*.tar.gz")
    installed = tmp_path / "installed"
    with tarfile.open(sdist) as archive:
        archive.extractall(installed, filter="data")
    [project] = installed.iterdir()
    assert (project / "derivations" / "t1.toml").read_text(encoding="utf-8") == ASSIGNMENT
    # run_autograder as Gradescope runs it, with the bundled project first on the path (as pip would install it)
    root = tmp_path / "root"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "right.md").write_text(_submission("right", RIGHT), encoding="utf-8")
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (shims / "python3").chmod(0o755)
    env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(project),
           "AUTOGRADER_ROOT": str(root), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    (unpacked / "run_autograder").chmod(0o755)
    done = subprocess.run([str(unpacked / "run_autograder")], env=env, capture_output=True, text=True, timeout=600,
                          check=False, cwd=root)  # not this checkout: `python3 -m` puts the folder first on the path
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 9, results  # as graded above: every answer right but relu2


def test_a_bundled_file_never_takes_a_built_in_name(tmp_path: Path) -> None:
    from verify.cli.gradescope import bundled_name
    from verify.grading import Assignment

    root = tmp_path / "project"
    (root / "derivations").mkdir(parents=True)
    (root / "derivations" / "hw1.py").write_text("")
    (root / "derivations" / "hw2.toml").write_text("")
    own = str(root / "derivations" / "hw2.toml")
    assert bundled_name(Assignment("hw1", "", (), source="/elsewhere/hw1.toml"), root) == "hw1_2"  # hw1.py is taken
    assert bundled_name(Assignment("hw2", "", (), source=own), root) == "hw2"  # the built-in file itself
    assert bundled_name(Assignment("hw2", "", (), source="/elsewhere/hw2.toml"), root) == "hw2_2"
    assert bundled_name(Assignment("2024-ml.hw3", "", (), source="/x.toml"), root) == "a_2024_ml_hw3"


FORMS = r"""id = "forms"
[symbols]
u = "scalar"
v = "scalar"
[define]
M = '\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}'
w = '\begin{bmatrix} u \\ v \end{bmatrix}'

[[question]]
id = "mat"
points = 1
answer_form = "matrix"
prompt = 'Write $M w$ out as a column.'
answer = '\begin{bmatrix} u + 2 v \\ 3 u + 4 v \end{bmatrix}'

[[question]]
id = "ent"
points = 1
answer_form = "entries"
form_message = "write w^T M w in u and v"
prompt = 'Expand $w^T M w$ in $u$ and $v$.'
answer = 'u^2 + 5 u v + 4 v^2'
"""
#: M w = (u + 2v, 3u + 4v); w^T M w = u^2 + (2 + 3) u v + 4 v^2. By hand, per submission: (mat, ent) verdicts
FORM_CASES = {
    # right values, but not in the form asked: M w is not written out, w^T M w not in the entries
    "restated": (r"$$M w$$", r"$$w^T M w$$", ("incorrect", "incorrect")),
    # the same values written out: right (the equations' left sides are steps, each true by definition)
    "written": (r"$$M w = \begin{bmatrix} u + 2 v \\ 3 u + 4 v \end{bmatrix}$$", r"$$w^T M w = u^2 + 5 u v + 4 v^2$$",
                ("correct", "correct")),
    # a 1 x 2 row where a 2 x 1 column is asked; 3 v^2 where 4 v^2 is right (at v = 1, u = 0: 3 != 4)
    "wrong": (r"$$\begin{bmatrix} u + 2 v & 3 u + 4 v \end{bmatrix}$$", r"$$u^2 + 5 u v + 3 v^2$$",
              ("incorrect", "incorrect")),
}


def test_answer_form_refuses_an_answer_of_another_form(tmp_path: Path) -> None:
    from verify.grading import grade_files

    path = tmp_path / "forms.toml"
    path.write_text(FORMS, encoding="utf-8")
    files = []
    for name, (mat, ent, _) in FORM_CASES.items():
        files.append(tmp_path / f"{name}.md")
        files[-1].write_text(f"## mat\n{mat}\n## ent\n{ent}\n", encoding="utf-8")
    grades = {Path(g.file).stem: {q.id: q for q in g.questions} for g in grade_files(load_assignment(str(path)), files)}
    for name, (_, _, verdicts) in FORM_CASES.items():
        assert (grades[name]["mat"].verdict.value, grades[name]["ent"].verdict.value) == verdicts, name
    assert "written out as a 2 x 1 matrix" in grades["restated"]["mat"].feedback
    assert "write w^T M w in u and v" in grades["restated"]["ent"].feedback
    # the reference answer must itself have the form it asks for
    [(line, message)] = _problems(FORMS.replace("answer = 'u^2 + 5 u v + 4 v^2'", "answer = 'w^T M w'"))
    assert line == 22 and "does not have the form" in message
