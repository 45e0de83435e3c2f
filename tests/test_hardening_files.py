"""What ``verify grade`` reads and what it prints, against hostile file names and links (issue 13, S1, S2).

S1: only regular files are read, and a file found in a folder only if its real path lies inside
a folder or file named on the command line: a ``leak.md`` linking to another course's file is
skipped with a warning and its content is nowhere in the outputs; a FIFO neither hangs the run
nor is read. S2: no control character (but line feed and tab where a format allows lines) and
no bidirectional formatting character reaches a terminal, a CSV, the JSON, Gradescope's
``results.json`` or the HTML page, whatever a file name or a student's name contains.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from verify.cli import main
from verify.grading.grades import Mark, QuestionGrade, SubmissionGrade
from verify.reporting import gradebook

ROOT = Path(__file__).resolve().parent.parent

RIGHT = "## pd.linear\n$$\\frac{\\partial y}{\\partial x} = A$$\n"
#: the content of a file outside the submissions: its student name is echoed by every format if it is read
SECRET = "SECRET-7f3a-other-course"
SECRET_FILE = f"---\nstudent: {SECRET}\n---\n{RIGHT}"

#: what no printed text may carry: C0 but tab and line feed, DEL, C1, bidi formatting, lone surrogates
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: what no one-line field (file, student, question id) may carry: the same, tab and line feed too
UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

#: a file name that retitles the terminal, clears it, and reverses what follows
EVIL_NAME = "e\x1b]0;pwned\x07\x1b[2Jvil\u202egnp.md"
#: one whose file cannot be read (binary), so that it is in an error line too
EVIL_BROKEN = "b\x1b[31mroken\u2066\x9b.md"


def _exit(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _clean(text: str, what: str) -> None:
    found = UNSAFE_TEXT.search(text)
    assert found is None, f"{what} carries U+{ord(found.group()):04X}: {text!r}"


def _grade(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = _exit(["grade", "--assignment", "hw1", "--no-cache", "--timeout", "20", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------- S1: links, FIFOs


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """``subs/`` with one good submission, and another course's file beside it."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.md").write_text(f"---\nstudent: Ada\n---\n{RIGHT}")
    other = tmp_path / "other-course"
    other.mkdir()
    (other / "secret.md").write_text(SECRET_FILE)
    return subs


def test_a_link_out_of_the_folder_is_skipped_with_a_warning_and_echoed_nowhere(
        course: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (course / "leak.md").symlink_to(tmp_path / "other-course" / "secret.md")
    (course / "null.md").symlink_to(os.devnull)
    html, gs = tmp_path / "grades.html", tmp_path / "gs"
    outputs = []
    for fmt in (["--format", "json", "--gradescope", str(gs)], ["--format", "csv"], ["--format", "table"],
                ["--format", "html", "--output", str(html)]):
        code, out, err = _grade([str(course), *fmt], capsys)
        assert code == 1, err  # a file was skipped: as a missing one, the run says so in its status
        warnings = [line for line in err.splitlines() if "leak.md" in line]
        assert len(warnings) == 1 and "skipped" in warnings[0], err
        assert any("null.md" in line and "skipped" in line for line in err.splitlines()), err
        outputs += [out, err]
    outputs.append(html.read_text())
    outputs += [p.read_text() for p in gs.rglob("*.json")]
    assert sorted(p.name for p in gs.iterdir()) == ["Ada"]
    for text in outputs:
        assert SECRET not in text
    data = json.loads(_grade([str(course), "--format", "json"], capsys)[1])
    assert [s["file"] for s in data["submissions"]] == [str(course / "ada.md")]


def test_a_link_within_the_folder_is_graded(course: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A link to a file inside the folder, one from a sub-folder and the folder reached through a
    link are all graded, in the same run where a link out of it is not."""
    (course / "alias.md").symlink_to("ada.md")
    (course / "late").mkdir()
    (course / "late" / "again.md").symlink_to(Path("..") / "ada.md")
    (course / "leak.md").symlink_to(tmp_path / "other-course" / "secret.md")
    (tmp_path / "via-link").symlink_to(course, target_is_directory=True)
    code, out, err = _grade([str(tmp_path / "via-link"), "--format", "json"], capsys)
    assert code == 1, err
    graded = {Path(s["file"]).name: s for s in json.loads(out)["submissions"]}
    assert set(graded) == {"ada.md", "alias.md", "again.md"}
    assert all(s["student"] == "Ada" and s["score"] == 1 for s in graded.values())
    assert "leak.md" in err and "alias.md" not in err and "again.md" not in err
    assert SECRET not in out + err


def test_a_link_between_two_folders_named_is_graded_and_a_file_named_is_read(
        course: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Naming the other folder (or the file itself) is what allows a link into it."""
    (course / "leak.md").symlink_to(tmp_path / "other-course" / "secret.md")
    code, out, err = _grade([str(course), str(tmp_path / "other-course"), "--format", "json"], capsys)
    assert code == 0, err
    assert SECRET in {s["student"] for s in json.loads(out)["submissions"]}
    code, out, err = _grade([str(course / "leak.md"), "--format", "json"], capsys)
    assert code == 0, err
    assert [s["student"] for s in json.loads(out)["submissions"]] == [SECRET]


def _run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, *args], cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung: {args}")


def test_a_fifo_is_skipped_with_a_warning_and_does_not_hang(course: Path, tmp_path: Path) -> None:
    os.mkfifo(course / "pipe.md")
    os.mkfifo(tmp_path / "named.md")
    (course / "to-pipe.md").symlink_to("pipe.md")
    done = _run(["-m", "verify", "grade", "--assignment", "hw1", "--no-cache", "--format", "json",
                 str(course), str(tmp_path / "named.md")], tmp_path)
    assert done.returncode == 1, done.stderr
    assert [Path(s["file"]).name for s in json.loads(done.stdout)["submissions"]] == ["ada.md"]
    lines = done.stderr.splitlines()
    for name in ("pipe.md", "to-pipe.md", "named.md"):
        (line,) = [line for line in lines if f"/{name}:" in line]
        assert "FIFO" in line and "skipped" in line and "no such file" not in line, line


def test_reading_a_file_that_became_a_fifo_does_not_hang(tmp_path: Path) -> None:
    """Between listing and reading a file may become a FIFO: the read itself refuses it."""
    os.mkfifo(tmp_path / "swapped.md")
    code = ("import sys; from pathlib import Path; from verify.grading.batch import _read; "
            "from verify.grading.assignment import load_assignment; "
            "print(_read(Path(sys.argv[1]), load_assignment('hw1')))")
    done = _run(["-c", code, str(tmp_path / "swapped.md")], tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "swapped.md" in done.stdout and "FIFO" in done.stdout


# ---------------------------------------------------------------- S2: escape sequences in names


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / EVIL_NAME).write_text(RIGHT)  # no front matter: the student is the file's stem
    (subs / EVIL_BROKEN).write_bytes(b"## pd.linear\n\x00\x01")
    (subs / "eve.md").write_text(f'---\nstudent: "Eve\u202eevil\u2066"\n---\n{RIGHT}')
    return subs


def test_escape_codes_in_file_names_reach_no_output_raw(evil: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    gs, html = tmp_path / "gs", tmp_path / "grades.html"
    seen = []
    code, out, err = _grade([str(evil), "--format", "table"], capsys)
    assert code == 1 and "class summary" in out
    seen += [("table", out), ("stderr", err)]
    assert any("roken" in line for line in err.splitlines())
    code, out, err = _grade([str(evil), "--format", "csv", "--gradescope", str(gs)], capsys)
    seen += [("csv", out), ("stderr", err)]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    for row in rows:
        for key in ("file", "student"):
            assert UNSAFE_LINE.search(row[key]) is None, row[key]
    code, out, err = _grade([str(evil), "--format", "json"], capsys)
    seen += [("json", out), ("stderr", err)]
    seen += [("json string", s) for s in _strings(json.loads(out))]
    assert len(json.loads(out)["submissions"]) == 3
    results = sorted(gs.rglob("results.json"))
    assert len(results) == 3
    seen += [("results.json", s) for p in results for s in _strings(json.loads(p.read_text()))]
    code, out, err = _grade([str(evil), "--format", "html", "--output", str(html)], capsys)
    seen += [("html", html.read_text()), ("stderr", err)]
    for what, text in seen:
        _clean(text, what)


def test_escape_codes_in_a_file_name_do_not_reach_the_terminal_of_python_m_verify(evil: Path) -> None:
    done = _run(["-m", "verify", "grade", "--assignment", "hw1", "--no-cache", str(evil)], evil.parent)
    assert done.returncode == 1 and "class summary" in done.stdout, done.stderr
    _clean(done.stdout, "stdout")
    _clean(done.stderr, "stderr")


# ---------------------------------------------------------------- S2: whatever the text, every format

#: characters to mix in: controls, bidi, a lone surrogate (a file name's non-UTF-8 byte), CSV's and HTML's specials
NASTY = st.sampled_from(list("\x00\x07\x08\t\n\r\x1b\x7f\x85\x9b\u061c\u200e\u200f\u202a\u202e\u2066\u2069\udcff"
                             "=+-@'\",<>&;:[]/.aZ é"))
TEXT = st.lists(st.one_of(NASTY, st.characters()), max_size=30).map("".join)


def _outputs(grades: list[SubmissionGrade]) -> Iterator[tuple[str, str]]:
    console = Console(file=io.StringIO(), width=160, color_system=None, force_terminal=False)
    gradebook.render(grades, console)
    yield "table", console.file.getvalue()  # type: ignore[attr-defined]
    buffer = io.StringIO()
    gradebook.write_csv(grades, buffer)
    yield "csv", buffer.getvalue()
    for row in csv.DictReader(io.StringIO(buffer.getvalue())):
        for key in ("file", "student"):
            assert UNSAFE_LINE.search(row[key]) is None, (key, row[key])
    for s in _strings(gradebook.gradebook_json(grades)):
        yield "json", s
    for g in grades:
        for s in _strings(gradebook.gradescope_results(g)):
            yield "gradescope", s
    from verify.reporting.html import grading_page

    yield "html", grading_page(grades)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # arbitrary text in the HTML's charts
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=TEXT, student=TEXT, qid=TEXT, feedback=TEXT, note=TEXT, error=st.none() | TEXT)
def test_no_printed_field_carries_control_or_bidi_characters(file: str, student: str, qid: str, feedback: str,
                                                             note: str, error: str | None) -> None:
    question = QuestionGrade(qid, Mark.INCORRECT if error is None else Mark.UNPARSABLE, 0.0, 1.0,
                             feedback=feedback, review=True, review_why=feedback)
    grades = [SubmissionGrade(file, student, (question,), error=error or None, notes=(note,)),
              SubmissionGrade("ok.md", "ok", (QuestionGrade(qid, Mark.CORRECT, 1.0, 1.0),))]
    for what, text in _outputs(grades):
        _clean(text, what)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\0" not in b),
       student=TEXT, broken=st.booleans())
def test_no_message_from_a_file_name_carries_control_or_bidi_characters(name: bytes, student: str,
                                                                        broken: bool) -> None:
    """What the batch grader says about a file (its student name, an error, a skipped file) is
    clean whatever bytes its name has and whatever its front matter's name is."""
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import _read, submission_files

    with tempfile.TemporaryDirectory() as folder:
        path = Path(os.fsdecode(os.path.join(os.fsencode(folder), name + b".md")))
        front = json.dumps(student, ensure_ascii=False)  # a YAML string
        path.write_bytes(b"## pd.linear\n\x00" if broken else f"---\nstudent: {front}\n---\n{RIGHT}".encode(
            "utf-8", "surrogatepass"))
        os.mkfifo(Path(folder) / (os.fsdecode(name) + "-fifo.md"))
        (Path(folder) / (os.fsdecode(name) + "-out.md")).symlink_to("/")
        shown, result = _read(path, load_assignment("hw1"))
        assert UNSAFE_LINE.search(shown) is None, shown
        if isinstance(result, str):
            assert UNSAFE_LINE.search(result) is None, result
        files, missing, _ = submission_files([folder, os.path.join(folder, os.fsdecode(name) + "-absent.md")])
        assert files == [path]
        assert len(missing) == 3
        for message in missing:
            assert UNSAFE_LINE.search(message) is None, message


def test_a_path_named_on_the_command_line_is_printed_safely(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    # an empty folder whose name carries an escape code: the "nothing to grade" line shows U+FFFD
    folder = tmp_path / "e\x1b[2Jx"
    folder.mkdir()
    from verify.cli import main as cli_main

    assert cli_main(["grade", "--assignment", "hw1", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\ufffd[2Jx" in err
