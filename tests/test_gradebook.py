"""Presenting grades: the contract's JSON, the CSV gradebook, Gradescope files, atomic writing, tables.

The grades are built by hand, so these tests check the presentation alone, whatever the
grader decides.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from verify.grading.grades import Mark, QuestionGrade, SubmissionGrade
from verify.reporting import gradebook
from verify.reporting.atomic import atomic_writer, write_text_atomic

IDS = ["pd.linear", "pd.chain", "beale.convex"]


def _q(qid: str, verdict: Mark, points: float, *, bad: int | None = None, feedback: str = "",
       answer: str | None = None) -> QuestionGrade:
    return QuestionGrade(qid, verdict, points, 1.0, first_bad_step=bad, feedback=feedback, answer=answer)


ALICE = SubmissionGrade("subs/alice.md", "Alice", (
    _q("pd.linear", Mark.CORRECT, 1.0, feedback="Correct."),
    _q("pd.chain", Mark.CORRECT, 0.5, bad=2, feedback="Step 2 does not follow from step 1.", answer="A x'"),
    _q("beale.convex", Mark.INCORRECT, 0.0, feedback="The Hessian at (0, 0) is indefinite."),
))
BOB = SubmissionGrade("subs/bob.md", "Bob", (
    _q("pd.linear", Mark.INCORRECT, 0.0, feedback="with A = [[1, 2]], ...", answer="A^{T}"),
    _q("pd.chain", Mark.UNANSWERED, 0.0),
    _q("beale.convex", Mark.UNPARSABLE, 0.0),
))
CAROL = SubmissionGrade("subs/carol.md", "=HYPERLINK(\"x\")", (
    _q("pd.linear", Mark.INCORRECT, 0.0, answer="A^{T}"),
    _q("pd.chain", Mark.INCORRECT, 0.0, answer="x'"),
    _q("beale.convex", Mark.CORRECT, 1.0),
))
BROKEN = SubmissionGrade("subs/broken.md", "broken", tuple(
    _q(qid, Mark.UNPARSABLE, 0.0, feedback="The file could not be read") for qid in IDS
), error="subs/broken.md: binary data (a NUL byte), not a Markdown text")
CLASS = [ALICE, BOB, CAROL, BROKEN]


# ---------------------------------------------------------------- JSON


def test_json_has_exactly_the_contract_keys() -> None:
    data = json.loads(json.dumps(gradebook.gradebook_json(CLASS)))
    assert list(data) == ["submissions"]
    assert len(data["submissions"]) == 4
    for sub in data["submissions"][:3]:
        assert set(sub) == {"file", "student", "score", "max_score", "questions"}
    assert set(data["submissions"][3]) == {"file", "student", "score", "max_score", "questions", "error"}
    for sub in data["submissions"]:
        for q in sub["questions"]:
            assert list(q) == ["id", "verdict", "points", "max_points", "first_bad_step", "feedback", "review"]
            assert q["verdict"] in {"correct", "incorrect", "unanswered", "unparsable"}


def test_json_values() -> None:
    alice = gradebook.gradebook_json(CLASS)["submissions"][0]
    assert alice["file"] == "subs/alice.md" and alice["student"] == "Alice"
    assert alice["score"] == 1.5 and alice["max_score"] == 3
    chain = alice["questions"][1]
    assert chain["verdict"] == "correct" and chain["points"] == 0.5 and chain["first_bad_step"] == 2
    assert alice["questions"][0]["first_bad_step"] is None


# ---------------------------------------------------------------- CSV


def _csv(grades: list[SubmissionGrade], ids: list[str] | None = IDS) -> list[list[str]]:
    buffer = io.StringIO()
    gradebook.write_csv(grades, buffer, ids)
    return list(csv.reader(io.StringIO(buffer.getvalue())))


def test_csv_columns_and_rows() -> None:
    rows = _csv(CLASS)
    assert rows[0] == ["file", "student", "score", "max_score", *IDS, "error", "review"]
    assert len(rows) == 1 + len(CLASS)
    assert rows[1] == ["subs/alice.md", "Alice", "1.5", "3", "1", "0.5", "0", "", ""]
    assert rows[2] == ["subs/bob.md", "Bob", "0", "3", "0", "0", "0", "", "beale.convex: could not be read"]
    assert rows[4][-2].startswith("subs/broken.md: binary data")


def test_csv_question_missing_from_a_grade_is_blank_and_order_follows_ids() -> None:
    partial = SubmissionGrade("d.md", "Dan", (_q("beale.convex", Mark.CORRECT, 1.0),))
    rows = _csv([partial], ["beale.convex", "pd.linear"])
    assert rows[0][4:6] == ["beale.convex", "pd.linear"]
    assert rows[1][4:6] == ["1", ""]


def test_csv_without_ids_uses_the_order_met() -> None:
    assert _csv([ALICE], None)[0][4:-2] == IDS


def test_csv_neutralises_formulas_in_names() -> None:
    carol = _csv(CLASS)[3]
    assert carol[1] == "'=HYPERLINK(\"x\")"


def test_csv_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "grades.csv"
    gradebook.write_csv_file(CLASS, target, IDS)
    header = "file,student,score,max_score,pd.linear,pd.chain,beale.convex,error,review"
    assert target.read_text().splitlines()[0] == header
    assert os.listdir(tmp_path) == ["grades.csv"]


# ---------------------------------------------------------------- class statistics


def test_question_stats() -> None:
    stats = {s.id: s for s in gradebook.question_stats(CLASS, IDS)}
    linear = stats["pd.linear"]
    # the unreadable file is not counted; two of the three wrote A^T
    assert (linear.correct, linear.graded) == (1, 3)
    assert (linear.common_wrong, linear.common_wrong_count) == ("A^{T}", 2)
    chain = stats["pd.chain"]
    assert chain.correct == 1  # partial credit still counts as a correct final answer
    # Alice's answer is correct, so only Carol's counts as a wrong one
    assert (chain.common_wrong, chain.common_wrong_count) == ("x'", 1)
    convex = stats["beale.convex"]
    assert convex.common_wrong is None and convex.common_wrong_count == 0  # Alice's wrong answer has no LaTeX
    assert convex.share == pytest.approx(1 / 3)


def test_summary_line_excludes_unreadable_files_from_the_mean() -> None:
    text = gradebook.summary_line(CLASS).plain
    assert text.startswith("4 submissions")
    assert "mean score 0.83/3" in text  # (1.5 + 0 + 1) / 3; with the broken file as 0 it would be 0.62
    assert "1 file could not be read" in text


# ---------------------------------------------------------------- rich tables


def test_tables_render() -> None:
    console = Console(record=True, width=160)
    gradebook.render(CLASS, console, IDS)
    out = console.export_text()
    for name in ("Alice", "Bob", "class summary", "pd.chain", "partial", "A^{T}", "file not read"):
        assert name in out
    assert "4 submissions" in out


def test_student_table_of_an_unreadable_file_names_the_error() -> None:
    console = Console(record=True, width=160)
    console.print(gradebook.student_table(BROKEN))
    assert "NUL byte" in console.export_text()


def test_markup_in_feedback_is_printed_not_interpreted() -> None:
    grade = SubmissionGrade("m.md", "[bold]M[/bold]", (_q("pd.linear", Mark.INCORRECT, 0.0, feedback="[red]x[/red]"),))
    console = Console(record=True, width=160)
    gradebook.render([grade], console)
    out = console.export_text()
    assert "[red]x[/red]" in out and "[bold]M[/bold]" in out


# ---------------------------------------------------------------- Gradescope


def test_gradescope_results_format() -> None:
    data = gradebook.gradescope_results(ALICE)
    assert data["score"] == 1.5
    assert [t["name"] for t in data["tests"]] == IDS
    chain = data["tests"][1]
    assert chain["score"] == 0.5 and chain["max_score"] == 1 and chain["status"] == "failed"
    assert "step 2" in chain["output"] and "does not follow from step 1" in chain["output"]
    assert data["tests"][0]["status"] == "passed"
    assert "output" not in data
    assert set(chain) == {"name", "score", "max_score", "status", "output"}


def test_gradescope_unreadable_file_says_why() -> None:
    data = gradebook.gradescope_results(BROKEN)
    assert data["score"] == 0 and "NUL byte" in data["output"]


def test_gradescope_files(tmp_path: Path) -> None:
    folder = tmp_path / "gs"
    written = gradebook.write_gradescope(CLASS, folder)
    assert [p.parent.name for p in written] == ["Alice", "Bob", "_HYPERLINK_x_", "broken"]
    for path, grade in zip(written, CLASS, strict=True):
        assert path.name == "results.json" and path.parent.parent == folder
        data = json.loads(path.read_text())
        assert data["score"] == gradebook.number(grade.score)
        assert len(data["tests"]) == len(grade.questions)
    leftovers = [p for p in folder.rglob("*") if p.is_file() and p.name != "results.json"]
    assert leftovers == []


@pytest.mark.parametrize("name", ["../../etc", "a/b", "a\\b", "..", ".hidden", "x\x00y", " ", "../", "~/x"])
def test_safe_name_never_leaves_the_folder(name: str) -> None:
    safe = gradebook.safe_name(name)
    assert "/" not in safe and "\\" not in safe and ".." not in safe and "\x00" not in safe
    assert not safe.startswith(".")


def test_folder_names_are_distinct_and_fall_back_to_the_file_stem() -> None:
    grades = [SubmissionGrade("a/x.md", "Same"), SubmissionGrade("b/y.md", "same"),
              SubmissionGrade("c/z.md", ".."), SubmissionGrade("c/..md", "...")]
    assert gradebook.gradescope_folders(grades) == ["Same", "same-2", "z", "submission"]


def test_gradescope_names_stay_inside_the_folder(tmp_path: Path) -> None:
    grade = SubmissionGrade("evil.md", "../../outside", (_q("pd.linear", Mark.CORRECT, 1.0),))
    written = gradebook.write_gradescope([grade], tmp_path / "gs")
    assert written[0].resolve().is_relative_to((tmp_path / "gs").resolve())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gs"]


# ---------------------------------------------------------------- atomic writing


def test_atomic_write_replaces_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.json"]


def test_atomic_write_interrupted_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old,complete\n")
    with pytest.raises(KeyboardInterrupt), atomic_writer(target) as stream:
        stream.write("new,half")
        raise KeyboardInterrupt
    assert target.read_text() == "old,complete\n"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_atomic_write_new_file_interrupted_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_writer(tmp_path / "new.txt") as stream:
        stream.write("partial")
        raise RuntimeError("disk full")
    assert os.listdir(tmp_path) == []


def test_atomic_write_killed_process_never_leaves_a_half_file(tmp_path: Path) -> None:
    """SIGKILL runs no cleanup: the target must still be the old, complete file."""
    target = tmp_path / "grades.csv"
    target.write_text("old,complete\n")
    program = textwrap.dedent(f"""
        import os, signal
        from verify.reporting.atomic import atomic_writer
        with atomic_writer({str(target)!r}) as stream:
            stream.write("new,half")
            stream.flush()
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", program], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          check=False)
    assert proc.returncode == -signal.SIGKILL
    assert target.read_text() == "old,complete\n"


def test_atomic_write_gives_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text_atomic(target, "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
