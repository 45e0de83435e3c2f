"""The command line of issue 16: --help lists every command, --output works with every format,
``check DIR`` reads a folder, duplicate claim ids are errors naming both lines."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from verify.cli import COMMANDS, main
from verify.reading.claims_file import id_lines, parse

ROOT = Path(__file__).resolve().parent.parent
SUBMISSION = ROOT / "examples" / "submissions" / "realistic" / "s01_ana_terse.md"

CLAIMS = """title = "T"
[symbols]
x = "vector(n)"
A = "matrix(m, n)"

[[claim]]
id = "ID1"
lhs = '\\frac{\\partial (A x)}{\\partial x}'
rhs = 'A'
expect = "holds"

[[claim]]
id = "ID2"
lhs = 'x^T x'
rhs = '2 x^T x'
"""


def _exit(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


def _file(folder: Path, name: str, first: str = "a", second: str = "b") -> Path:
    path = folder / name
    path.write_text(CLAIMS.replace("ID1", first).replace("ID2", second))
    return path


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["--help"]) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        if command != "suite":
            assert f"\n  {command} " in out, command
    assert "(none)" in out  # the default: the HW1 suite
    listed = [line for line in out.splitlines() if line.startswith("  ") and line.split()[0] in COMMANDS]
    assert len(listed) == len(COMMANDS) - 1  # one line each


@pytest.mark.parametrize("fmt", ["json", "table", "compact", "html"])
def test_check_output_works_with_every_format(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    claims = _file(tmp_path, "c.toml")
    target = tmp_path / f"out.{fmt}"
    code = _exit(["check", str(claims), "--format", fmt, "--output", str(target), "--no-cache"])
    assert code == 1  # b is refuted with no expect
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"wrote {target}" in captured.err
    text = target.read_text()
    assert not list(tmp_path.glob(".out.*.tmp"))  # written atomically: no temporary file left
    if fmt == "json":
        data = json.loads(text)
        assert [c["id"] for c in data["claims"]] == ["a", "b"]
        assert set(data["claims"][0]) == {"file", "id", "verdict", "scope", "counterexample", "detail", "seconds"}
    elif fmt == "html":
        assert text.lstrip().lower().startswith("<!doctype html")
    else:
        assert "\x1b[" not in text  # no colour in a file
        assert "∂(Ax)/∂x = A" in text and "refuted" in text
        assert ("┏" in text) == (fmt == "table")  # a table file is the full table, 140 columns


def test_check_json_to_stdout_is_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = _file(tmp_path, "c.toml")
    assert _exit(["check", str(claims), "--format", "json", "--no-cache"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out)
    assert out == json.dumps(data, indent=2) + "\n"


def test_suite_output_works_with_json_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("json", "table"):
        target = tmp_path / f"suite.{fmt}"
        assert _exit(["--only", "pd.inverse", "--format", fmt, "--output", str(target),
                      "--cache", str(tmp_path / "c.sqlite")]) == 0
        text = target.read_text()
        if fmt == "json":
            assert [c["id"] for c in json.loads(text)["claims"]][-1] == "ref.pd.inverse"
        else:
            assert "pd.inverse" in text and "A⁻¹" in text
    assert capsys.readouterr().out == ""


def test_grade_output_works_with_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "grades.csv"
    assert _exit(["grade", "--assignment", "hw1", str(SUBMISSION), "--format", "csv", "--output", str(target),
                  "--cache", str(tmp_path / "c.sqlite")]) == 0
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0][:4] == ["file", "student", "score", "max_score"] and len(rows) == 2


def test_grade_at_80_columns_is_one_line_per_student(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    second = ROOT / "examples" / "submissions" / "realistic" / "s07_gita_signs.md"
    argv = ["grade", "--assignment", "hw1", str(SUBMISSION), str(second), "--cache", str(tmp_path / "c.sqlite")]
    assert _exit(argv) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) <= 40 and all(len(line) <= 80 for line in lines), out
    (ana,) = [line for line in lines if line.startswith("Ana Terse")]
    assert "17.5/23" in ana and "✓✓✓✗✓✓" in ana
    assert "Your answer" not in out  # feedback only with --verbose
    assert _exit([*argv, "--verbose"]) == 0
    verbose = capsys.readouterr().out
    assert "cannot be right" in verbose and all(len(line) <= 80 for line in verbose.splitlines())


def test_check_reads_every_toml_in_a_folder_sorted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    _file(folder, "b.toml", "b1", "b2")
    _file(folder, "a.toml", "a1", "a2")
    (folder / "notes.txt").write_text("not a claims file")
    assert _exit(["check", str(folder), "--format", "json", "--no-cache"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(Path(c["file"]).name, c["id"]) for c in data["claims"]] == [
        ("a.toml", "a1"), ("a.toml", "a2"), ("b.toml", "b1"), ("b.toml", "b2")]


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p / "missing", "no such file or folder"),
    (lambda p: (os.mkfifo(p / "fifo"), p / "fifo")[1], "neither a file nor a folder"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no *.toml file"),
])
def test_a_path_that_names_no_claims_file_says_so(tmp_path: Path, make, message: str,  # type: ignore[no-untyped-def]
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = make(tmp_path)
    good = _file(tmp_path, "good.toml")
    assert _exit(["check", str(path), str(good), "--format", "json", "--no-cache"]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert message in line and str(path) in line
    assert [c["id"] for c in json.loads(captured.out)["claims"]] == ["a", "b"]  # the rest still checked


def test_a_duplicate_id_in_one_file_names_both_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, "d.toml", "same", "same")
    assert id_lines(path.read_text()) == {"same": [7, 13]}
    assert _exit(["check", str(path), "--format", "json", "--no-cache"]) == 1
    first, second = json.loads(capsys.readouterr().out)["claims"]
    assert first["verdict"] == "proved"
    assert second["verdict"] == "error"
    assert "'same' is used twice" in second["detail"]
    assert "line 7" in second["detail"] and "line 13" in second["detail"]


def test_the_same_id_in_two_files_is_no_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # each row names its file, so ids need to be unique within a file only (a numerator- and a
    # denominator-layout file may well share their ids)
    one = _file(tmp_path, "one.toml", "a", "shared")
    two = _file(tmp_path, "two.toml", "shared", "c")
    _exit(["check", str(one), str(two), "--format", "json", "--no-cache"])
    claims = json.loads(capsys.readouterr().out)["claims"]
    # x^T x = 2 x^T x is refuted in each file, the derivative proved: no claim is an error
    assert [c["verdict"] for c in claims] == ["proved", "refuted", "proved", "refuted"]
    assert {c["file"] for c in claims if c["id"] == "shared"} == {str(one), str(two)}


def test_id_lines_reads_the_values_as_toml() -> None:
    text = 'x = 1\n[[claim]]\n  id = "a\\u0062"  # comment\n[[claim]]\nid=\'lit\'\nidea = "no"\n'
    assert id_lines(text) == {"ab": [3], "lit": [5]}
    claims = parse('[symbols]\nx = "scalar"\n[[claim]]\nid = "q"\nlhs = "x"\nrhs = "x"\n')
    assert [e.line for e in claims.entries] == [4]
