"""HW2, written only as an assignment file (derivations/hw2.toml), graded end to end.

The grades expected here are ``examples/hw2/expected.toml``: hand grades of the reference
solution and of eight students' submissions, decided from the mathematics before the grader was
run on them (each with its reason). The grader runs as a user runs it, through
``python -m verify grade --assignment derivations/hw2.toml ... --format json``, once per module.

Where the grader disagrees with a hand grade and the hand grade is right, the case is listed in
``TOOL_WRONG`` with the cause and marked ``xfail`` (strict: once the grader is fixed, the test
says so). A hand grade is never changed to match the grader's output.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "derivations" / "hw2.toml"
EXAMPLES = ROOT / "examples" / "hw2"
EXPECTED: dict[str, dict[str, dict[str, Any]]] = tomllib.loads((EXAMPLES / "expected.toml").read_text())
QUESTIONS = ("ls.grad-hess", "ridge.grad", "ridge.normal", "logreg.grad", "logdet", "trace.quad", "softmax.ce",
             "linear.backward", "gd.step", "ls.unique")
POINTS = {"ls.grad-hess": 2, "ridge.grad": 2, "ridge.normal": 2, "logreg.grad": 3, "logdet": 2, "trace.quad": 2,
          "softmax.ce": 3, "linear.backward": 3, "gd.step": 2, "ls.unique": 2}

#: (file, question) -> why the grader's verdict or points differ from the (right) hand grade.
TOOL_WRONG: dict[tuple[str, str], str] = {
    # Chen's closed form w = (X^T X + lambda I)^{-1} X^T y has exactly the solutions of the normal equations.
    ("s03_chen_factors.md", "ridge.normal"): "kind 'equation' takes an equation as right only when its lhs - rhs "
    "is a constant multiple of the reference's; an equivalent equation that differs by an invertible matrix factor "
    "(the solved form w = (X^T X + lambda I)^{-1} X^T y) is marked incorrect",
}


def _run(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "verify", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def graded() -> dict[str, dict[str, dict[str, Any]]]:
    """file name -> question id -> the grader's JSON for that answer."""
    files = [EXAMPLES / "solution.md", *sorted((EXAMPLES / "submissions").glob("*.md"))]
    done = _run("grade", "--assignment", str(ASSIGNMENT), *map(str, files), "--format", "json")
    assert done.returncode == 0, done.stderr
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for sub in json.loads(done.stdout)["submissions"]:
        out[Path(sub["file"]).name] = {q["id"]: q for q in sub["questions"]}
    return out


def test_expected_file_is_complete() -> None:
    """Every example is hand graded on every question, within the question's points."""
    names = {"solution.md", *(p.name for p in (EXAMPLES / "submissions").glob("*.md"))}
    assert set(EXPECTED) == names
    assert len(names) == 9
    for name, grades in EXPECTED.items():
        assert set(grades) == set(QUESTIONS), name
        for qid, g in grades.items():
            assert g["verdict"] in {"correct", "incorrect", "unanswered", "unparsable"}, (name, qid)
            assert 0 <= g["points"] <= POINTS[qid], (name, qid)
            assert g["why"], (name, qid)
            if g["verdict"] == "correct" and g["points"] < POINTS[qid]:
                assert "first_bad_step" in g, (name, qid)  # only a step that does not follow costs points
    assert sum(g["points"] for g in EXPECTED["solution.md"].values()) == sum(POINTS.values()) == 23


def test_assignment_check_passes() -> None:
    """``verify assignment check`` proves every reference answer and solution step of hw2."""
    done = _run("assignment", "check", str(ASSIGNMENT))
    assert done.returncode == 0, done.stdout + done.stderr
    # the built-in name finds the same file; a name that is no built-in is no file either
    by_name = _run("assignment", "check", "hw2", "--format", "json")
    assert by_name.returncode == 0 and "hw2.toml" in by_name.stdout, by_name.stderr
    assert _run("assignment", "check", "hw9").returncode == 2


def _cases() -> list[Any]:
    cases = []
    for name in sorted(EXPECTED):
        for qid in QUESTIONS:
            marks = [pytest.mark.xfail(reason=TOOL_WRONG[name, qid], strict=True)] if (name, qid) in TOOL_WRONG else []
            cases.append(pytest.param(name, qid, marks=marks, id=f"{name}::{qid}"))
    return cases


@pytest.mark.parametrize(("name", "qid"), _cases())
def test_hand_grade(graded: dict[str, dict[str, dict[str, Any]]], name: str, qid: str) -> None:
    want = EXPECTED[name][qid]
    got = graded[name][qid]
    assert (got["verdict"], got["points"]) == (want["verdict"], want["points"]), (
        f"hand: {want['verdict']} {want['points']} ({want['why']}); tool: {got['verdict']} {got['points']}: "
        f"{got.get('feedback')} [review: {got.get('review')}]")
    assert got["max_points"] == POINTS[qid]
    if "first_bad_step" in want:
        assert got["first_bad_step"] == want["first_bad_step"]


def test_true_false_justification_goes_to_review(graded: dict[str, dict[str, dict[str, Any]]]) -> None:
    """ls.unique has ``justify = true``: every answered true/false is flagged for a TA to read the reasoning."""
    for name, grades in graded.items():
        if EXPECTED[name]["ls.unique"]["verdict"] in {"correct", "incorrect"}:
            assert grades["ls.unique"]["review"], name


def test_built_in_name_is_the_file() -> None:
    """``--assignment hw2`` (and ``verify questions hw2``) finds derivations/hw2.toml: 10 questions, 23 points."""
    by_name, by_path = _run("questions", "hw2"), _run("questions", str(ASSIGNMENT))
    assert by_name.returncode == by_path.returncode == 0, by_name.stderr + by_path.stderr
    assert by_name.stdout == by_path.stdout
    words = " ".join(by_name.stdout.split())  # however the terminal's width wraps it
    assert "hw2: HW2: gradients of regression losses" in words and "(10 questions, 23 points)" in words
    for qid in QUESTIONS:
        assert f"## {qid} " in words, qid
