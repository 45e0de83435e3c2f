"""Notebook submissions (issue 16): ``.ipynb`` files read with nbformat, their Markdown cells read as
one Markdown submission; code is never run; a file that is not a notebook is one error line and the
other files are still graded. The three-format comparison is in test_latex_submissions.py.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from verify.cli import main
from verify.grading import grade_files, load_assignment
from verify.reading import MAX_NOTEBOOK_BYTES, SubmissionError, read_notebook_submission, read_submission

HW1 = load_assignment("hw1")
IDS = HW1.ids
RIGHT = r"$$\frac{\partial y}{\partial x} = A$$"


def notebook(cells: list[tuple[str, str]], **metadata: object) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else
                nbformat.v4.new_raw_cell(src) if kind == "raw" else nbformat.v4.new_code_cell(src)
                for kind, src in cells]
    nb.metadata.update(metadata)
    return nbformat.writes(nb).encode()


def _grade(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    try:
        code = main(["grade", "--assignment", "hw1", "--no-cache", "--format", "json", *map(str, paths)])
    except SystemExit as stop:
        code = int(stop.code or 0)
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def test_markdown_cells_are_one_markdown_submission() -> None:
    cells = [("markdown", "# HW1\n\n## pd.linear"), ("code", "x = 1"), ("markdown", RIGHT),
             ("raw", "## pd.chain\n$$B$$"), ("markdown", "## pd.chain\nBy the chain rule $A$.")]
    nb = read_notebook_submission(notebook(cells), "n.ipynb", "n", IDS)
    md = read_submission("# HW1\n\n## pd.linear\n\n" + RIGHT + "\n\n## pd.chain\nBy the chain rule $A$.",
                         "n.ipynb", "n", IDS)
    assert nb == md
    assert [m.latex for m in nb.sections["pd.linear"].math] == [r"\frac{\partial y}{\partial x} = A"]
    assert [m.latex for m in nb.sections["pd.chain"].math] == ["A"]  # the raw cell is not read


def test_the_student_name() -> None:
    front = [("markdown", "---\nstudent: Ada\n---\n## pd.linear\n" + RIGHT)]
    plain = [("markdown", "## pd.linear\n" + RIGHT)]
    assert read_notebook_submission(notebook(front, authors=[{"name": "Bob"}]), "n", "n", IDS).student == "Ada"
    assert read_notebook_submission(notebook(plain, authors=[{"name": "Bob"}]), "n", "n", IDS).student == "Bob"
    assert read_notebook_submission(notebook(plain, student="Cy"), "n", "n", IDS).student == "Cy"
    assert read_notebook_submission(notebook(plain), "n", "stem", IDS).student == "stem"
    with pytest.raises(SubmissionError, match="control character"):
        read_notebook_submission(notebook(plain, student="E\x1b[2Jve"), "n", "n", IDS)


def test_code_is_never_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"
    code = (f"print('CODE-RAN-7c1e')\nopen({str(marker)!r}, 'w').write('x')\n"
            f"import os; os.system('touch {marker}')")
    subs = tmp_path / "subs"
    subs.mkdir()
    nb = nbformat.reads(notebook([("markdown", "## pd.linear\n" + RIGHT), ("code", code)]).decode(), as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "## pd.chain\n$$B$$"})]
    (subs / "n.ipynb").write_text(nbformat.writes(nb))
    status, data, err = _grade([subs], capsys)
    assert status == 0, err
    assert not marker.exists()
    assert "CODE-RAN-7c1e" not in json.dumps(data) + err
    verdicts = {q["id"]: q["verdict"] for q in data["submissions"][0]["questions"]}
    assert verdicts["pd.linear"] == "correct" and verdicts["pd.chain"] == "unanswered"  # outputs are not read


@pytest.mark.parametrize(("raw", "message"), [
    (b"{not json", "not a notebook (not JSON)"),
    (b'{"cells": 5, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not a valid notebook"),
    (b"[1, 2]", "not a valid notebook"),
    (b"{}", "not a valid notebook"),
    (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "markdown"}]}',
     "not a valid notebook"),
    (b"[" * 100_000, "not a notebook"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"\x00" * 10, "not a notebook"),
])
def test_what_is_not_a_notebook_is_refused_with_a_reason(raw: bytes, message: str) -> None:
    with pytest.raises(SubmissionError, match=re.escape(message)):
        read_notebook_submission(raw, "n.ipynb", "n", IDS)


def test_a_bad_notebook_is_one_error_line_and_the_others_are_graded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.ipynb").write_text('{"cells": [}')
    (tmp_path / "good.ipynb").write_bytes(notebook([("markdown", "## pd.linear\n" + RIGHT)]))
    status, data, err = _grade([tmp_path], capsys)
    assert status == 1
    assert [line for line in err.splitlines() if "bad.ipynb" in line] == \
        [f"verify grade: {tmp_path / 'bad.ipynb'}: not a notebook (not JSON)"]
    by_file = {Path(s["file"]).name: s for s in data["submissions"]}
    assert "error" in by_file["bad.ipynb"] and "error" not in by_file["good.ipynb"]
    assert by_file["good.ipynb"]["questions"][0]["verdict"] == "correct"


def test_a_control_character_in_a_cell_is_refused_with_its_cell() -> None:
    cells = [("markdown", "## pd.linear"), ("markdown", "$$A$$\n\x1b[2J")]
    with pytest.raises(SubmissionError, match="line 2 of Markdown cell 2"):
        read_notebook_submission(notebook(cells), "n.ipynb", "n", IDS)


def test_a_10_mb_notebook_of_outputs_is_read_quickly(tmp_path: Path) -> None:
    nb = nbformat.reads(notebook([("markdown", "## pd.linear\n" + RIGHT), ("code", "plot()")]).decode(),
                        as_version=4)
    image = base64.b64encode(os.urandom(7_500_000)).decode()  # a plot's PNG, 10 MB in base64
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"image/png": image})]
    path = tmp_path / "big.ipynb"
    path.write_text(nbformat.writes(nb))
    assert 10_000_000 <= path.stat().st_size < MAX_NOTEBOOK_BYTES
    start = time.perf_counter()
    [grade] = grade_files(HW1, [path])
    assert time.perf_counter() - start < 30
    assert grade.error is None and grade.questions[0].verdict.value == "correct"


def test_a_notebook_too_large_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.ipynb"
    with open(path, "wb") as f:  # sparse: 30 MB that cost nothing to write
        f.truncate(30_000_000)
    [grade] = grade_files(HW1, [path])
    assert grade.error is not None and "larger than 20 MB" in grade.error
    lots = notebook([("markdown", "## pd.linear\n" + RIGHT + "\n" + "words " * 50_000)])
    with pytest.raises(SubmissionError, match="Markdown cells hold more than 200 kB"):
        read_notebook_submission(lots, "n.ipynb", "n", IDS)
