"""``python -m verify grade`` and ``python -m verify questions``: usage, exit status, formats.

Exit status is fixed by the submissions contract: 0 when every submission was graded, 1 when
some file could not be read, 2 on bad usage.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.cli import main

ROOT = Path(__file__).resolve().parent.parent

#: The HW1 question ids, copied from the table of the submissions contract.
CONTRACT_IDS = [
    "pd.linear", "pd.chain", "pd.bilinear-x", "pd.bilinear-y", "pd.product", "pd.inverse",
    "hessian.matrix", "reg.expand", "reg.condition", "reg.example", "bp.dJ-dyhat", "bp.dyhat-dz2",
    "bp.dz2-da1", "bp.da1-dz1", "bp.dJ-dW1", "beale.grad-x1", "beale.grad-x2", "beale.stationary",
    "beale.convex", "quad.gradient", "quad.eigen-recursion", "quad.closed-form", "adamax.update",
]


def _exit(argv: list[str]) -> int:
    """The exit status, whether the command returns it or argparse raises SystemExit."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


# ---------------------------------------------------------------- usage errors (exit 2)


def test_unknown_assignment_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sub = tmp_path / "s.md"
    sub.write_text("## pd.linear\n$A$\n")
    assert _exit(["grade", "--assignment", "hw99", str(sub)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "hw99" in err and "no assignment" in err


def test_assignment_name_that_is_a_path_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["grade", "--assignment", "../verify/cli", str(tmp_path)]) == 2
    assert "not an assignment name" in capsys.readouterr().err


def test_no_paths_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["grade", "--assignment", "hw1"]) == 2
    assert "PATH" in capsys.readouterr().err


def test_missing_assignment_option_is_bad_usage(tmp_path: Path) -> None:
    assert _exit(["grade", str(tmp_path)]) == 2


@pytest.mark.parametrize("option", [["--partial-credit", "1.5"], ["--partial-credit", "nan"], ["--timeout", "-1"],
                                    ["--timeout", "0"], ["--timeout", "soon"], ["--format", "xml"]])
def test_bad_option_values(tmp_path: Path, option: list[str]) -> None:
    assert _exit(["grade", "--assignment", "hw1", str(tmp_path), *option]) == 2


def test_nothing_to_grade_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("verify.grading.batch")
    assert _exit(["grade", "--assignment", "hw1", str(tmp_path), str(tmp_path / "absent.md")]) == 2
    err = capsys.readouterr().err
    assert "absent.md" in err and "nothing to grade" in err


def test_output_folder_missing_is_refused_before_grading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sub = tmp_path / "s.md"
    sub.write_text("## pd.linear\n$A$\n")
    assert _exit(["grade", "--assignment", "hw1", str(sub), "--output", str(tmp_path / "no" / "g.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_gradescope_destination_that_is_a_file_is_refused(tmp_path: Path) -> None:
    sub = tmp_path / "s.md"
    sub.write_text("## pd.linear\n$A$\n")
    assert _exit(["grade", "--assignment", "hw1", str(sub), "--gradescope", str(sub)]) == 2


# ---------------------------------------------------------------- questions


def test_questions_lists_every_contract_id_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["questions", "hw1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [q["id"] for q in data["questions"]] == CONTRACT_IDS
    for q in data["questions"]:
        assert q["wording"] and q["points"] > 0
        for s in q["symbols"]:
            assert set(s) == {"name", "latex", "shape", "meaning"} and s["latex"] and s["shape"]
    assert data["max_score"] == sum(q["points"] for q in data["questions"])


def test_questions_table_names_every_id_and_the_students_spelling(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["questions", "hw1"]) == 0
    out = capsys.readouterr().out
    for qid in CONTRACT_IDS:
        assert f"## {qid}" in out
    # the spelling a student writes, as hw1-solution.md does
    assert r"\hat{y}^{(i)}" in out and "W_1" in out


def test_questions_unknown_assignment(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["questions", "hw99"]) == 2
    assert "hw99" in capsys.readouterr().err


def test_questions_through_python_m_verify() -> None:
    proc = subprocess.run([sys.executable, "-m", "verify", "questions", "hw1", "--format", "json"], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["questions"]) == len(CONTRACT_IDS)


# ---------------------------------------------------------------- real grading (needs the batch grader)

RIGHT = "---\nstudent: Ada\n---\n## pd.linear\n$$\\frac{\\partial y}{\\partial x} = A$$\n"
# y = Ax: dy_i/dx_j = A_ij, so dy/dx = A in numerator layout; A^T has shape n x m, not m x n.
WRONG = "## pd.linear\n$$\\frac{\\partial y}{\\partial x} = A^T$$\n"


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    pytest.importorskip("verify.grading.batch")
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "ada.md").write_text(RIGHT)
    (folder / "ben.md").write_text(WRONG)
    return folder


def test_grade_json_exit_0(submissions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["grade", "--assignment", "hw1", str(submissions), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_student = {s["student"]: s for s in data["submissions"]}
    assert set(by_student) == {"Ada", "ben"}
    ada = {q["id"]: q for q in by_student["Ada"]["questions"]}
    ben = {q["id"]: q for q in by_student["ben"]["questions"]}
    assert ada["pd.linear"]["verdict"] == "correct"
    assert ben["pd.linear"]["verdict"] == "incorrect" and ben["pd.linear"]["points"] == 0
    assert ada["pd.chain"]["verdict"] == "unanswered"
    assert [q["id"] for q in by_student["Ada"]["questions"]] == CONTRACT_IDS


def test_grade_unreadable_file_exit_1_others_reported(submissions: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (submissions / "bin.md").write_bytes(b"## pd.linear\n\x00\x01")
    out = tmp_path / "grades.csv"
    gs = tmp_path / "gs"
    code = _exit(["grade", "--assignment", "hw1", str(submissions), "--format", "csv", "--output", str(out),
                  "--gradescope", str(gs)])
    assert code == 1
    assert "bin.md" in capsys.readouterr().err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {r["student"] for r in rows} == {"Ada", "ben", "bin"}
    by_student = {r["student"]: r for r in rows}
    assert by_student["Ada"]["pd.linear"] == "1" and by_student["ben"]["pd.linear"] == "0"
    assert by_student["bin"]["error"] and not by_student["Ada"]["error"]
    assert sorted(p.name for p in gs.iterdir()) == ["Ada", "ben", "bin"]
    ada = json.loads((gs / "Ada" / "results.json").read_text())
    assert ada["score"] == 1 and len(ada["tests"]) == len(CONTRACT_IDS)
    assert sorted(os.listdir(tmp_path)) == ["grades.csv", "gs", "subs"]


def test_grade_missing_path_exit_1(submissions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _exit(["grade", "--assignment", "hw1", str(submissions / "ada.md"), str(submissions / "gone.md"),
                  "--format", "json"])
    assert code == 1
    captured = capsys.readouterr()
    assert "gone.md" in captured.err
    assert [s["student"] for s in json.loads(captured.out)["submissions"]] == ["Ada"]


def test_grade_table_through_python_m_verify(submissions: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "verify", "grade", "--assignment", "hw1", str(submissions)],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "class summary" in proc.stdout and "Ada" in proc.stdout and "2 submissions" in proc.stdout
