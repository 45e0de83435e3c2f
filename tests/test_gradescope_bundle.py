"""The Gradescope autograder bundle (issue 16): ``python -m verify gradescope --output autograder.zip``.

The zip is built, unpacked in a temporary folder, and its ``run_autograder`` run end to end with
``AUTOGRADER_ROOT`` pointing at a temporary root whose ``submission/`` holds the same answers
written as Markdown, LaTeX and a notebook (one run each). ``setup.sh`` is never run (its pip
install needs the network): ``python3`` on the PATH is a shim for this interpreter, which has the
project installed. results.json is checked against Gradescope's documented fields (the autograder
specification: top-level ``score``, ``output``, ``output_format``, ``visibility``,
``stdout_visibility``, ``extra_data``, ``tests``; per test ``name``, ``score``, ``max_score``,
``status``, ``output``, ``output_format``, ``visibility``, ...).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest

from verify.cli import main
from verify.grading import load_assignment
from verify.reporting import autograder, gradebook

HW1 = load_assignment("hw1")
VISIBILITIES = {"visible", "after_due_date", "after_published", "hidden"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
              "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
               "visibility", "extra_data"}

#: (question id, prose, display math): right answers from examples/submissions/hw1-correct.md, one
#: right answer reached through a step that does not follow (A^T is not dy/dx: partial credit),
#: and a wrong one (x^T A for d alpha/dy: a layout mix-up)
ANSWERS = [
    ("pd.linear", "", r"\frac{\partial y}{\partial x} = \frac{\partial (A x)}{\partial x} = A"),
    ("pd.chain", "By the chain rule:",
     r"\frac{\partial y}{\partial z} = \frac{\partial (A x)}{\partial z} = A \frac{\partial x}{\partial z}"),
    ("pd.bilinear-x", "", r"\frac{\partial \alpha}{\partial x} = \frac{\partial}{\partial x} \left( y^\top A x \right)"
                          r" = y^\top A"),
    ("pd.bilinear-y", "", r"\frac{\partial \alpha}{\partial y} = \frac{\partial (y^T A x)}{\partial y} = x^T A"),
    ("bp.dyhat-dz2", "", r"\frac{\partial \hat{y}}{\partial z_2} = \hat{y} (1 - \hat{y}) = \sigma(z_2)^2 = "
                         r"\sigma(z_2) (1 - \sigma(z_2))"),
    ("quad.gradient", "", r"\nabla_x h = \frac{1}{2} (Q + Q^\top) x + c = Q x + c"),
]


def markdown() -> str:
    parts = ["---\nstudent: Grace\n---\n# HW1\n"]
    for qid, prose, math in ANSWERS:
        parts.append(f"## {qid}\n\n{prose}\n\n$${math}$$\n")
    return "\n".join(parts)


def latex() -> str:
    body = []
    for k, (qid, prose, math) in enumerate(ANSWERS):
        head = f"\\section*{{{qid}}}" if k % 2 else f"% question: {qid}"
        body.append(f"{head}\n{prose}\n\\[\n  {math}\n\\]\n")
    return ("\\documentclass{article}\n\\usepackage{amsmath}\n\\newcommand{\\R}{\\mathbb{R}}\n\\author{Grace}\n"
            "\\begin{document}\n" + "\n".join(body) + "\\end{document}\n")


def notebook() -> str:
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell("# HW1")]
    for qid, prose, math in ANSWERS:
        cells.append(nbformat.v4.new_markdown_cell(f"## {qid}\n\n{prose}"))
        cells.append(nbformat.v4.new_code_cell("import numpy as np"))
        cells.append(nbformat.v4.new_markdown_cell(f"$${math}$$"))
    nb.cells = cells
    return nbformat.writes(nb)


SUBMISSIONS = {"hw1.md": markdown, "hw1.tex": latex, "hw1.ipynb": notebook}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundle")
    target = folder / "autograder.zip"
    assert main(["gradescope", "--assignment", "hw1", "--output", str(target),
                 "--visibility", "after_due_date"]) == 0
    return target


@pytest.fixture(scope="module")
def unpacked(bundle: Path) -> Path:
    folder = bundle.parent / "source"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(folder)
        for info in z.infolist():  # extractall does not keep the modes
            os.chmod(folder / info.filename, (info.external_attr >> 16) & 0o777)
    return folder


@pytest.fixture(scope="module")
def runs(unpacked: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """run_autograder, once per format, with python3 on the PATH being this interpreter."""
    base = tmp_path_factory.mktemp("runs")
    bin_ = base / "bin"
    bin_.mkdir()
    shim = bin_ / "python3"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ.get('PATH', '')}",
           "XDG_CACHE_HOME": str(base / "cache"), "COLUMNS": "80"}
    out = {}
    for name, make in SUBMISSIONS.items():
        root = base / name.replace(".", "-")
        (root / "submission").mkdir(parents=True)
        (root / "submission" / name).write_text(make(), encoding="utf-8")
        env["AUTOGRADER_ROOT"] = str(root)
        done = subprocess.run([str(unpacked / "run_autograder")], env=env, cwd=base, capture_output=True,
                              text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        out[name] = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
        out[name]["_root"] = str(root)
    return out


def validate(data: dict[str, Any]) -> None:
    """results.json as Gradescope's autograder specification documents it."""
    assert set(data) <= TOP_FIELDS, set(data) - TOP_FIELDS
    assert isinstance(data["score"], int | float) and not isinstance(data["score"], bool)
    assert isinstance(data.get("output", ""), str)
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert data.get(key, "text") in FORMATS
    for key in ("visibility", "stdout_visibility"):
        assert data.get(key, "visible") in VISIBILITIES
    assert isinstance(data.get("extra_data", {}), dict)
    assert isinstance(data["tests"], list) and data["tests"]
    for t in data["tests"]:
        assert set(t) <= TEST_FIELDS, set(t) - TEST_FIELDS
        assert isinstance(t["name"], str) and t["name"]
        assert t["status"] in {"passed", "failed"}
        assert t.get("visibility", "visible") in VISIBILITIES
        assert t.get("output_format", "text") in FORMATS and t.get("name_format", "text") in FORMATS
        assert isinstance(t.get("output", ""), str) and isinstance(t.get("number", ""), str)
        for key in ("score", "max_score"):
            if key in t:
                assert isinstance(t[key], int | float) and not isinstance(t[key], bool)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _questions(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"].split(":")[0]: t for t in data["tests"] if "max_score" in t}


# ---------------------------------------------------------------- the zip and its scripts


def test_the_zip_holds_exactly_what_is_documented(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as z:
        infos = z.infolist()
    names = [i.filename for i in infos]
    assert names[:2] == ["setup.sh", "run_autograder"] and len(names) == len(autograder.BUNDLE_FILES) == 3
    assert names[2].startswith("verify-") and names[2].endswith(autograder.DISTRIBUTIONS)
    modes = {i.filename: (i.external_attr >> 16) for i in infos}
    assert all(stat.S_ISREG(m) for m in modes.values())
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111


def test_the_distribution_is_this_project(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as z:
        dist = next(n for n in z.namelist() if n.startswith("verify-"))
        z.extract(dist, tmp_path)
    import tarfile

    with tarfile.open(tmp_path / dist) as tar:
        members = {m.split("/", 1)[-1] for m in tar.getnames()}
    here = Path(__file__).resolve().parent.parent
    for module in ("verify/cli/gradescope.py", "verify/reporting/autograder.py", "derivations/hw1.py",
                   "verify/reading/latex.lark", "verify/reporting/templates/grading.html.j2", "pyproject.toml"):
        assert module in members, module
        assert (here / module).exists()


def test_setup_sh_only_pip_installs_the_bundled_file(bundle: Path, unpacked: Path) -> None:
    text = (unpacked / "setup.sh").read_text()
    assert text.startswith("#!/bin/sh\n")
    assert subprocess.run(["sh", "-n", str(unpacked / "setup.sh")], check=False).returncode == 0  # POSIX syntax
    dist = next(n for n in zipfile.ZipFile(bundle).namelist() if n.startswith("verify-"))
    commands = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    installs = [c for c in commands if "pip" in c]
    assert installs == [f"PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir \"$here\"/'{dist}'"]
    for word in ("curl", "wget", "git ", "apt", "http", "--index-url", "--extra-index-url", "-e "):
        assert not any(word in c for c in commands), word


def test_run_autograder_is_posix_shell_calling_verify_from_the_path(unpacked: Path) -> None:
    text = (unpacked / "run_autograder").read_text()
    assert text.startswith("#!/bin/sh\n")
    assert subprocess.run(["sh", "-n", str(unpacked / "run_autograder")], check=False).returncode == 0
    assert "${AUTOGRADER_ROOT:-/autograder}" in text
    assert ("python3 -m verify gradescope --assignment 'hw1' --visibility 'after_due_date' "
            "--feedback-visibility 'after_due_date' --autograde \"$root\"") in text


def test_a_value_that_is_not_a_plain_word_never_reaches_a_script() -> None:
    with pytest.raises(ValueError):
        autograder.run_script("hw1'; rm -rf /; '", "visible", "visible")
    with pytest.raises(ValueError):
        autograder.setup_script("verify 0.1.tar.gz")


def test_question_titles_are_id_and_short_wording() -> None:
    titles = [autograder.question_title(q) for q in HW1.questions]
    assert titles[0] == "pd.linear: dy/dx for y = Ax"
    assert all(t.startswith(q.id + ": ") and len(t) <= autograder.TITLE_WIDTH
               for t, q in zip(titles, HW1.questions, strict=True))
    assert len(set(titles)) == len(titles)


# ---------------------------------------------------------------- run_autograder end to end


@pytest.mark.parametrize("name", list(SUBMISSIONS))
def test_results_follow_gradescopes_format(runs: dict[str, dict[str, Any]], name: str) -> None:
    data = runs[name]
    validate({k: v for k, v in data.items() if k != "_root"})
    assert data["output_format"] == "md" and data["stdout_visibility"] == "hidden"
    assert data["visibility"] == "after_due_date"
    questions = _questions(data)
    assert list(questions) == [q.id for q in HW1.questions]  # one test per question, in order, named by its title
    titles = {q.id: autograder.question_title(q) for q in HW1.questions}
    for qid, t in questions.items():
        assert t["name"] == titles[qid] and t["output_format"] == "md" and t["visibility"] == "after_due_date"
        assert t["max_score"] == 1
    assert data["score"] == sum(t["score"] for t in questions.values())
    assert f"Graded `{name}`" in data["output"]


def test_the_three_formats_get_the_same_scores(runs: dict[str, dict[str, Any]]) -> None:
    def scores(data: dict[str, Any]) -> list[tuple[str, Any, Any]]:
        return [(t["name"], t["score"], t["status"]) for t in data["tests"] if "max_score" in t]

    md, tex, ipynb = (runs[n] for n in SUBMISSIONS)
    assert md["score"] == tex["score"] == ipynb["score"] == 4.5  # 4 right, one half, one wrong
    assert scores(md) == scores(tex) == scores(ipynb)


def test_partial_credit_passes_with_its_score_and_a_wrong_answer_fails(runs: dict[str, dict[str, Any]]) -> None:
    for data in runs.values():
        q = _questions(data)
        assert q["pd.linear"]["score"] == 1 and q["pd.linear"]["status"] == "passed"
        assert q["bp.dyhat-dz2"]["score"] == 0.5 and q["bp.dyhat-dz2"]["status"] == "passed"
        assert "partial credit" in q["bp.dyhat-dz2"]["output"] and "step 2" in q["bp.dyhat-dz2"]["output"]
        assert q["pd.bilinear-y"]["score"] == 0 and q["pd.bilinear-y"]["status"] == "failed"
        assert "Step 2" in q["pd.bilinear-y"]["output"]  # the feedback, with the same visibility
        assert q["adamax.update"]["status"] == "failed"  # unanswered


def test_no_server_path_reaches_any_output(runs: dict[str, dict[str, Any]]) -> None:
    for data in runs.values():
        root = data.pop("_root")
        for s in _strings(data):
            assert "/autograder" not in s and root not in s and "/tmp" not in s, s
        data["_root"] = root


def test_review_flags_are_for_the_staff_only(runs: dict[str, dict[str, Any]]) -> None:
    for data in runs.values():
        review = [t for t in data["tests"] if t["name"] == gradebook.REVIEW_TEST]
        assert len(review) == 1 and review[0]["visibility"] == "hidden" and "score" not in review[0]
        shown = [t for t in data["tests"] if t.get("visibility") != "hidden"]
        assert not any("review" in t["output"].lower() for t in shown)
        assert data["extra_data"]["review"] == {} or review[0]["status"] == "failed"
        for qid in data["extra_data"]["review"]:
            assert f"- {qid}: " in review[0]["output"]


# ---------------------------------------------------------------- --autograde in process


def _autograde(root: Path, *extra: str) -> dict[str, Any]:
    assert main(["gradescope", "--assignment", "hw1", "--autograde", str(root), *extra]) == 0
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    validate(data)
    return data


def test_several_submission_files_are_an_error_the_student_sees(tmp_path: Path) -> None:
    sub = tmp_path / "submission"
    sub.mkdir()
    (sub / "hw1.md").write_text(markdown())
    (sub / "hw1.tex").write_text(latex())
    (sub / "report.pdf").write_bytes(b"%PDF-1.4")
    data = _autograde(tmp_path, "--visibility", "hidden")
    assert data["score"] == 0
    problem = next(t for t in data["tests"] if t["name"] == gradebook.PROBLEM_TEST)
    assert problem["visibility"] == "visible" and problem["status"] == "failed"
    assert "`hw1.md`, `hw1.tex`" in problem["output"] and "exactly one" in problem["output"]
    assert "`report.pdf`" in data["output"]
    review = next(t for t in data["tests"] if t["name"] == gradebook.REVIEW_TEST)
    assert review["status"] == "failed" and "nothing was graded" in review["output"].lower()
    assert not any(str(tmp_path) in s for s in _strings(data))


def test_an_empty_submission_folder_says_what_to_upload(tmp_path: Path) -> None:
    (tmp_path / "submission").mkdir()
    data = _autograde(tmp_path)
    problem = next(t for t in data["tests"] if t["name"] == gradebook.PROBLEM_TEST)
    assert data["score"] == 0 and ".md" in problem["output"] and ".ipynb" in problem["output"]


def test_feedback_with_its_own_visibility_is_one_extra_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "hw1.md").write_text(markdown())
    data = _autograde(tmp_path, "--visibility", "visible", "--feedback-visibility", "after_published")
    q = _questions(data)
    assert q["pd.bilinear-y"]["visibility"] == "visible" and "Step 2" not in q["pd.bilinear-y"]["output"]
    assert "shown once grades are published" in q["pd.bilinear-y"]["output"]
    assert "Correct." in q["pd.linear"]["output"]  # a full mark's feedback gives nothing away
    feedback = next(t for t in data["tests"] if t["name"] == gradebook.FEEDBACK_TEST)
    assert feedback["visibility"] == "after_published" and "score" not in feedback
    assert "Step 2" in feedback["output"] and "pd.bilinear-y" in feedback["output"]
    assert "pd.linear" not in feedback["output"]


def test_an_unknown_assignment_is_bad_usage(tmp_path: Path) -> None:
    assert main(["gradescope", "--assignment", "hw9", "--output", str(tmp_path / "a.zip")]) == 2
    assert not (tmp_path / "a.zip").exists()


def test_the_old_gradescope_folder_output_is_unchanged() -> None:
    from verify.grading import Mark, QuestionGrade, SubmissionGrade

    grade = SubmissionGrade("a.md", "A", (QuestionGrade("pd.linear", Mark.CORRECT, 0.5, 1.0, first_bad_step=2),))
    data = gradebook.gradescope_results(grade)
    assert set(data) == {"score", "tests"} and data["tests"][0]["name"] == "pd.linear"
    assert data["tests"][0]["status"] == "failed"  # as documented for --gradescope DIR
