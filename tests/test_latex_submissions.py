"""LaTeX submissions (issue 16): ``.tex`` files read into the sections a Markdown file gives, and
graded the same; the same answers in Markdown, LaTeX and a notebook get equal JSON grades; a folder's
files that are not read are listed; an empty submission is noted; hostile LaTeX is read as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.cli import main
from verify.grading import grade_files, load_assignment, submission_files
from verify.reading import SubmissionError, read_latex_submission

HW1 = load_assignment("hw1")
IDS = HW1.ids

#: a few HW1 answers as Markdown: right ones from examples/submissions/hw1-correct.md and wrong
#: ones (x^T A for d alpha/dy: a layout mix-up; the inverse's derivative without its minus sign)
MARKDOWN = r"""---
student: Grace
---
# HW1

## pd.linear

$$\frac{\partial y}{\partial x} = \frac{\partial (A x)}{\partial x} = A$$

## Q pd.chain

By the chain rule:

$$\frac{\partial y}{\partial z} = \frac{\partial (A x)}{\partial z} = A \frac{\partial x}{\partial z}$$

## pd.bilinear-y: a wrong one

$$\frac{\partial \alpha}{\partial y} = \frac{\partial (y^T A x)}{\partial y} = x^T A$$

## pd.inverse

$$\frac{\partial A^{-1}}{\partial \alpha} = A^{-1} \frac{\partial A}{\partial \alpha} A^{-1}$$

## quad.gradient

$$\nabla_x h = \frac{1}{2} (Q + Q^\top) x + c = Q x + c$$

## beale.convex

False. The Hessian at $(0, 0)$ is indefinite.
"""

#: the same answers in LaTeX: a preamble with macros, align rows, starred and unstarred sections,
#: a ``% question:`` comment, \[...\], $$...$$ and an equation environment
LATEX = r"""\documentclass{article}
\usepackage{amsmath}
\newcommand{\R}{\mathbb{R}}
\newcommand{\pd}[2]{\frac{\partial #1}{\partial #2}}
\title{HW1}
\author{Grace}
\begin{document}
\maketitle
\section{HW1}

\section*{pd.linear}
\begin{align*}
\frac{\partial y}{\partial x} &= \frac{\partial (A x)}{\partial x} \label{eq:linear} \\
  &= A \nonumber
\end{align*}

% question: Q pd.chain
By the chain rule: % and a comment with $z = 1$ in it
\[
  \frac{\partial y}{\partial z} = \frac{\partial (A x)}{\partial z} = A \frac{\partial x}{\partial z}
\]

\subsection{pd.bilinear-y: a wrong one}
\begin{align}
\frac{\partial \alpha}{\partial y} &= \frac{\partial (y^T A x)}{\partial y} \\
&= x^T A
\end{align}

\section{pd.inverse}
\begin{equation}
\frac{\partial A^{-1}}{\partial \alpha} = A^{-1} \frac{\partial A}{\partial \alpha} A^{-1} \label{eq:inv}
\end{equation}

\section{quad.gradient}
$$\nabla_x h = \frac{1}{2} (Q + Q^\top) x + c = Q x + c$$

\section*{beale.convex}
\textbf{False}. The Hessian at $(0, 0)$ is indefinite.
\end{document}
"""


def notebook(cells: list[tuple[str, str]], **metadata: object) -> str:
    """A notebook (nbformat 4) of ("markdown" | "code", source) cells, as its JSON text."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src)
                for kind, src in cells]
    nb.metadata.update(metadata)
    return nbformat.writes(nb)


def _markdown_cells(text: str) -> list[tuple[str, str]]:
    """The Markdown split into cells at its headings, with a code cell between two of them."""
    parts = text.split("\n## ")
    cells = [("markdown", parts[0])]
    for k, part in enumerate(parts[1:]):
        cells.append(("markdown", "## " + part))
        if k == 1:
            cells.append(("code", "import numpy as np\nnp.eye(3)"))
    return cells


def _grade_json(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    try:
        code = main(["grade", "--assignment", "hw1", "--no-cache", "--format", "json", *map(str, paths)])
    except SystemExit as stop:
        code = int(stop.code or 0)
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def test_the_same_answers_in_three_formats_get_equal_grades(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "grace.md").write_text(MARKDOWN)
    (tmp_path / "grace.tex").write_text(LATEX)
    (tmp_path / "grace.ipynb").write_text(notebook(_markdown_cells(MARKDOWN)))
    code, data, err = _grade_json([tmp_path], capsys)
    assert code == 0, err
    subs = {Path(s["file"]).suffix: s for s in data["submissions"]}
    assert sorted(subs) == [".ipynb", ".md", ".tex"]
    for sub in subs.values():
        sub.pop("file")
    assert subs[".tex"] == subs[".md"]
    assert subs[".ipynb"] == subs[".md"]
    verdicts = {q["id"]: q["verdict"] for q in subs[".md"]["questions"]}
    assert subs[".md"]["student"] == "Grace"
    right, wrong = ("pd.linear", "pd.chain", "quad.gradient", "beale.convex"), ("pd.bilinear-y", "pd.inverse")
    assert {k: verdicts[k] for k in right + wrong} == {**dict.fromkeys(right, "correct"),
                                                         **dict.fromkeys(wrong, "incorrect")}
    assert verdicts["quad.eigen-recursion"] == "unanswered"


# ---------------------------------------------------------------- what the reader finds


def test_sections_rows_and_names() -> None:
    s = read_latex_submission(LATEX, "grace.tex", "grace", IDS)
    assert s.student == "Grace"
    assert list(s.sections) == ["pd.linear", "pd.chain", "pd.bilinear-y", "pd.inverse", "quad.gradient",
                                "beale.convex"]
    linear = s.sections["pd.linear"]
    assert [m.latex for m in linear.math] == [
        r"\begin{aligned} \frac{\partial y}{\partial x} &= \frac{\partial (A x)}{\partial x} \\ &= A \end{aligned}"]
    assert linear.math[0].display and linear.math[0].line == 12 and linear.line == 11
    chain = s.sections["pd.chain"]
    assert len(chain.math) == 1 and "z = 1" not in chain.math[0].latex  # a comment is not math
    assert "chain rule" in chain.prose
    assert s.sections["pd.bilinear-y"].title == "a wrong one"
    assert s.sections["pd.inverse"].math[0].latex == \
        r"\frac{\partial A^{-1}}{\partial \alpha} = A^{-1} \frac{\partial A}{\partial \alpha} A^{-1}"
    convex = s.sections["beale.convex"]
    assert convex.prose.startswith("False.") and [m.latex for m in convex.math] == ["(0, 0)"]
    assert not convex.math[0].display
    assert s.stray == ()  # "\section{HW1}" is a grouping heading, as "# HW1" is


def test_student_comment_wins_over_author_and_the_stem_is_the_default() -> None:
    text = "% student: Ada Lovelace\n\\author{Someone \\and Else}\n\\section{pd.linear}\n$A$\n"
    assert read_latex_submission(text, "x.tex", "x", IDS).student == "Ada Lovelace"
    assert read_latex_submission("\\author{Ada \\\\ Univ}\n", "x.tex", "x", IDS).student == "Ada"
    assert read_latex_submission("\\section{pd.linear}\n$A$\n", "x.tex", "x", IDS).student == "x"


@pytest.mark.parametrize(("latex", "expected"), [
    (r"\section{pd.linear} $a = b$ and $$c = d$$", [("a = b", False), ("c = d", True)]),
    (r"\section{pd.linear} \( a = b \) \[ c = d \]", [("a = b", False), ("c = d", True)]),
    (r"\section{pd.linear} \begin{gather} a = b \\ c = d \end{gather}",
     [(r"\begin{aligned} a = b \\ c = d \end{aligned}", True)]),
    (r"\section{pd.linear} \begin{multline} a = b \\ + c \end{multline}", [("a = b + c", True)]),
    (r"\section{pd.linear} \begin{alignat}{2} a &= b \tag{1} \notag \end{alignat}",
     [(r"\begin{aligned} a &= b \end{aligned}", True)]),
    (r"\section{pd.linear} \begin{align} a &= b \\ \intertext{so} c &= d \end{align}",
     [(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True)]),
    (r"\section{pd.linear} $\text{if $x$} = 1$", [(r"\text{if $x$} = 1", False)]),  # $ inside braces
    (r"\section{pd.linear} costs \$5 and \verb|$x$| or 100\% $y$", [("y", False)]),
    (r"\section{pd.linear} \begin{verbatim} $x$ \end{verbatim} \iffalse $z$ \fi $y$", [("y", False)]),
    ("\\section{pd.linear} $a\n% = b$\n= c$", [("a = c", False)]),  # a comment inside math
])
def test_math_delimiters(latex: str, expected: list[tuple[str, bool]]) -> None:
    s = read_latex_submission(latex, "x.tex", "x", IDS)
    assert [(m.latex, m.display) for m in s.sections["pd.linear"].math] == expected


def test_headings_follow_the_markdown_rules() -> None:
    text = (r"\section{Q pd.linear: a title} $A$ \subsection*{Derivation} $B$ "
            r"\section{pd.bilnear-x} $y^T A$ \section{Problem 5} \subsection{PD.Chain} $C$")
    s = read_latex_submission(text, "x.tex", "x", IDS)
    assert s.sections["pd.linear"].title == "a title"
    assert [m.latex for m in s.sections["pd.linear"].math] == ["A", "B"]  # a sub-heading stays in its answer
    assert "Derivation" in s.sections["pd.linear"].prose
    assert s.sections["pd.bilinear-x"].misspelt == "pd.bilnear-x"  # graded as it, for a TA to confirm
    assert s.stray == ("pd.bilnear-x (did you mean pd.bilinear-x?)",)
    assert [m.latex for m in s.sections["pd.chain"].math] == ["C"]  # any level, any letter case


def test_the_preamble_and_definitions_are_never_read_as_answers() -> None:
    text = ("\\newcommand{\\ans}{$x = 1$}\n\\section{pd.linear}\n\\def\\foo#1{$q = 2$}\n"
            "\\newenvironment{ev}{$r = 3$}{$s = 4$}\n$\\ans$\n")
    s = read_latex_submission(text, "x.tex", "x", IDS)
    assert [m.latex for m in s.sections["pd.linear"].math] == [r"\ans"]  # never expanded
    preamble = "\\documentclass{article}\n\\section{pd.chain} $z$\n\\begin{document}\n\\section{pd.linear} $A$\n" \
               "\\end{document}\n\\section{pd.inverse} $B$\n"
    assert list(read_latex_submission(preamble, "x.tex", "x", IDS).sections) == ["pd.linear"]


def test_a_command_without_argument_takes_no_heading_as_one() -> None:
    text = r"\section{pd.linear} $A$ \newpage \section{pd.chain} $B$ \label \section{pd.inverse} $C$"
    s = read_latex_submission(text, "x.tex", "x", IDS)
    assert {k: [m.latex for m in v.math] for k, v in s.sections.items()} == \
        {"pd.linear": ["A"], "pd.chain": ["B"], "pd.inverse": ["C"]}


# ---------------------------------------------------------------- hostile input

FRAGMENTS = ["\\section{", "\\section*{pd.linear}", "% question: pd.chain\n", "}", "{", "$", "$$", "\\[", "\\]",
             "\\begin{align}", "\\end{align}", "\\begin{document}", "\\end{document}", "&", "\\\\", "\\label{",
             "\\verb|", "|", "%", "\n", "\n\n", "a = b", "\\newcommand{\\x}", "\\def\\y#1", "\\iffalse", "\\fi",
             "\\author{", "\\begin{verbatim}", "\\end{verbatim}", "\\intertext{", "[", "]", "*", "\\(", "\\)", "\\"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_any_arrangement_of_latex_is_read_or_refused_with_a_reason(parts: list[str]) -> None:
    try:
        s = read_latex_submission("".join(parts), "x.tex", "x", IDS)
    except SubmissionError:
        return
    assert set(s.sections) <= IDS
    for section in s.sections.values():
        assert all(block.latex for block in section.math)



def test_an_unclosed_environment_ends_at_the_next_heading() -> None:
    text = "\\section{pd.linear}\n\\begin{align}\na &= A\n\\section{pd.chain}\n\\[ b = C\n\n\\section{pd.inverse} $D"
    s = read_latex_submission(text, "x.tex", "x", IDS)
    assert [m.latex for m in s.sections["pd.linear"].math] == [r"\begin{aligned} a &= A \end{aligned}"]
    assert [m.latex for m in s.sections["pd.chain"].math] == ["b = C"]
    assert [m.latex for m in s.sections["pd.inverse"].math] == ["D"]


def test_input_is_never_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.tex"
    secret.write_text("\\section{pd.chain}\n$SECRETWORD$\n")
    text = (f"\\input{{/etc/passwd}}\n\\include{{{secret}}}\n\\section{{pd.linear}}\n\\input{{{secret}}}\n"
            f"$\\input{{/etc/passwd}}$\n")
    s = read_latex_submission(text, "x.tex", "x", IDS)
    assert list(s.sections) == ["pd.linear"]
    assert "passwd" not in s.sections["pd.linear"].prose and "secret" not in s.sections["pd.linear"].prose
    sub = tmp_path / "subs"
    sub.mkdir()
    (sub / "x.tex").write_text(text)
    code, data, err = _grade_json([sub], capsys)
    out = json.dumps(data) + err
    assert "root:" not in out and "SECRETWORD" not in out
    assert code == 0, err


@pytest.mark.parametrize("text", [
    "\\section{" * 20_000, "$" * 100_000, "\\begin{align}" * 10_000, "{" * 100_000, "\\end{" * 30_000,
    "\\verb" * 30_000, "%" * 100_000, "\\section{pd.linear}" + "\\[" * 20_000, "\\newcommand{" * 20_000,
])
def test_hostile_latex_is_read_quickly_or_refused(text: str) -> None:
    import time

    start = time.perf_counter()
    try:
        read_latex_submission(text, "x.tex", "x", IDS)
    except SubmissionError:
        pass
    assert time.perf_counter() - start < 5


def test_control_characters_and_size_are_refused() -> None:
    with pytest.raises(SubmissionError, match="control character"):
        read_latex_submission("\\section{pd.linear}\n$A\x1b[2J$\n", "x.tex", "x", IDS)
    with pytest.raises(SubmissionError, match="larger than"):
        read_latex_submission("x" * 300_000, "x.tex", "x", IDS)


# ---------------------------------------------------------------- folders: nothing skipped silently


def test_every_file_not_read_in_a_folder_is_listed(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "deep").mkdir(parents=True)
    (subs / ".ipynb_checkpoints").mkdir()
    for name in ("a.md", "b.MD", "c.markdown", "deep/d.tex", "e.ipynb", "f.TEX", "notes.pdf", "README", "g.txt",
                 ".ipynb_checkpoints/e-checkpoint.ipynb"):
        (subs / name).write_text("")
    files, missing, passed_over = submission_files([str(subs)])
    assert [f.relative_to(subs).as_posix() for f in files] == ["a.md", "b.MD", "c.markdown", "deep/d.tex",
                                                               "e.ipynb", "f.TEX"]
    assert missing == []  # passed over is not "could not be read": no exit status 1 for it
    assert passed_over == [
        f"{subs / '.ipynb_checkpoints'}: a hidden folder, not read; skipped",
        f"{subs / 'README'}: not a submission: only .md, .markdown, .tex, .ipynb files are read; skipped",
        f"{subs / 'g.txt'}: not a submission: .txt files are not read; skipped",
        f"{subs / 'notes.pdf'}: not a submission: .pdf files are not read; skipped",
    ]


def test_skipped_files_are_said_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ada.tex").write_text("\\section{pd.linear} $\\frac{\\partial y}{\\partial x} = A$")
    (tmp_path / "ada.pdf").write_bytes(b"%PDF-1.4")
    code, data, err = _grade_json([tmp_path], capsys)
    assert "ada.pdf: not a submission: .pdf files are not read; skipped" in err
    # said on stderr, and no failure: the contract's status 1 is for a submission that could not be
    # read, and a PDF beside the submissions is none
    assert code == 0
    assert [q["verdict"] for q in data["submissions"][0]["questions"] if q["id"] == "pd.linear"] == ["correct"]


@pytest.mark.parametrize(("name", "content"), [
    ("empty.md", ""), ("empty.tex", "\\documentclass{article}\n\\begin{document}\nHello.\n\\end{document}\n"),
    ("empty.ipynb", notebook([("code", "print('hi')")])), ("blank.MD", "\n\n  \n"),
])
def test_an_empty_submission_is_noted_and_unanswered(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    [grade] = grade_files(HW1, [tmp_path / name])
    assert grade.error is None
    assert {q.verdict.value for q in grade.questions} == {"unanswered"}
    assert any("no heading names a question of hw1" in note for note in grade.notes), grade.notes


def test_the_empty_note_is_a_line_of_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty.md").write_text("")
    assert main(["grade", "--assignment", "hw1", "--no-cache", str(tmp_path / "empty.md")]) == 0
    out, err = capsys.readouterr()
    assert "no heading names a question of hw1" in " ".join(out.split())
    assert "warning:" in err and "empty.md: nothing to grade" in err  # a warning line for the operator too
