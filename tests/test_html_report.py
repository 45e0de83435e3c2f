"""The HTML report without a browser: escaping, sanitising, marks, mathematics, pictures.

The page is parsed with the standard library's HTML parser, so these tests see what a browser
would build (elements and attributes), not substrings that could be escaped or not.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import sympy

from derivations import beale, quadratic
from verify.deciding.engine import decide
from verify.grading.assignment import load_assignment
from verify.grading.batch import grade_files
from verify.grading.grades import Mark, QuestionGrade, StepCheck, StepStatus, SubmissionGrade
from verify.model.result import Counterexample, Result, Verdict
from verify.reporting import mathml
from verify.reporting.html import claims_page, grading_page, spelled
from verify.reporting.numeric import Unplottable, evaluate
from verify.reporting.plots import convexity_picture, recurrence_picture
from verify.reporting.rows import Row

HOSTILE = "<script>alert(1)</script>"


class Page(HTMLParser):
    """Every element of a page with its attributes, and the text outside <style>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def assert_inert(page: Page) -> None:
    """Nothing in the page can run or fetch: no script, no handler, no link out, only data: images."""
    assert not page.tags("script")
    assert not page.tags("iframe") and not page.tags("object") and not page.tags("embed")
    for tag, attrs in page.elements:
        for key, value in attrs.items():
            assert not key.startswith("on"), (tag, key)
            assert key not in ("href", "src", "style") or "javascript" not in (value or "").lower(), (tag, key)
            if key == "href":
                assert (value or "").startswith("#"), (tag, value)
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/svg+xml;base64,")


# ---------------------------------------------------------------- the converter and the sanitiser


def test_converter_output_with_a_script_is_refused_and_shown_as_source() -> None:
    # latex2mathml puts \text{...} verbatim into an <mtext>: the markup it returns contains a
    # real <script> element. The sanitiser must refuse it; the fallback shows escaped source.
    out = mathml.from_latex(r"\text{" + HOSTILE + "}")
    assert out.startswith('<code class="tex">')
    assert "<script" not in out and "&lt;script&gt;" in out


@pytest.mark.parametrize("markup", [
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><mtext><script>alert(1)</script></mtext></math>',
    '<math><mrow href="javascript:alert(1)"><mi>x</mi></mrow></math>',
    '<math><mrow style="background:url(x)"><mi>y</mi></mrow></math>',
    '<math><mi onclick="alert(1)">x</mi></math>',
    '<math><mi mathcolor="url(javascript:x)">x</mi></math>',
    '<math><svg xmlns="http://www.w3.org/2000/svg"><a/></svg></math>',
    '<!DOCTYPE math [<!ENTITY e "x">]><math><mi>&e;</mi></math>',
    "<math><mi>&</mi></math>",
])
def test_sanitiser_refuses_anything_but_safelisted_mathml(markup: str) -> None:
    with pytest.raises(mathml.NotMathML):
        mathml.sanitise(markup)


def test_sanitiser_keeps_mathml_and_re_escapes_text() -> None:
    out = mathml.sanitise('<math display="block"><mi>a</mi><mo>&lt;</mo><mtext>&lt;b&gt;</mtext></math>')
    assert out == ('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>a</mi>'
                   "<mo>&lt;</mo><mtext>&lt;b&gt;</mtext></math>")


def test_student_latex_becomes_mathml() -> None:
    out = mathml.from_latex(r"\frac{\partial y}{\partial x} = A^T")
    assert out.startswith("<math") and "<mfrac>" in out and "<msup>" in out


def test_unconvertible_latex_falls_back_to_escaped_source() -> None:
    assert mathml.from_latex(r"\href{javascript:alert(1)}{x}").startswith("<code")
    assert mathml.from_latex("a & b") == '<code class="tex">a &amp; b</code>'
    assert mathml.from_latex("x" * (mathml.MAX_LATEX + 1)).startswith("<code")


def test_feedback_renders_dollar_math_and_escapes_the_rest() -> None:
    out = mathml.inline_text("Your answer $x^T A$ is <b>wrong</b>")
    assert "<msup>" in out and "&lt;b&gt;" in out and "<b>" not in out


@pytest.mark.parametrize(("text", "value"), [
    ("-7/4", sympy.Rational(-7, 4)),
    ("3", sympy.Integer(3)),
    ("[[1, -3/2], [3, 4]]", sympy.Matrix([[1, sympy.Rational(-3, 2)], [3, 4]])),
    ("[[2], [1/2]]", sympy.Matrix([[2], [sympy.Rational(1, 2)]])),
])
def test_exact_values_are_read_back_exactly(text: str, value: object) -> None:
    assert mathml.read_value(text) == value


@pytest.mark.parametrize("text", ["sqrt(2) (~1.41)", "[[1], [2, 3]]", "[[1, 2]", "1.5", "__import__('os')", "[]"])
def test_anything_else_is_not_a_value(text: str) -> None:
    assert mathml.read_value(text) is None
    assert "<math" not in mathml.from_value(text)


def test_counterexample_values_are_printed_by_sympy_as_mathml() -> None:
    out = mathml.from_value("[[1, -3/2], [3, 4]]")
    assert "<mtable>" in out and "<mfrac><mn>3</mn><mn>2</mn></mfrac>" in out


def test_expression_trees_print_in_the_order_written() -> None:
    # x^T Q x: SymPy would be free to reorder a commutative product; the tree printer may not.
    claim = quadratic.CLAIMS[0]
    out = mathml.from_expr(claim.rhs, claim.symbols)  # Q x + c
    assert out.index("<mi>Q</mi>") < out.index("<mi>x</mi>") < out.index("<mi>c</mi>")
    # declared LaTeX spellings are used: x_star is written x^*
    assert "<mo>*</mo>" in mathml.name("x_star", quadratic.CLAIMS[1].symbols)


def test_answers_are_shown_with_the_declared_spellings() -> None:
    q = load_assignment("hw1").question("quad.closed-form")
    out = spelled(r"xhat0_1 \left(1 - alpha lambda_1\right)^{k}", q.symbols)
    assert r"{\alpha}" in out and r"{\lambda_1}" in out and r"{\hat{x}_1^0}" in out


# ---------------------------------------------------------------- numbers for pictures


def test_numeric_evaluation_agrees_with_exact_values_of_the_beale_function() -> None:
    from verify.deciding.proof.real_function import realise

    fn = realise(beale.SYMBOLS, beale.F, (beale.x1, beale.x2), {})
    x1, x2 = fn.variables
    # By hand (derivations/beale.py): f(0, 0) = 9/4 + 81/16 + 441/64 = 909/64; f(3, 1/2) = 0.
    assert evaluate(fn.scalar, {x1: 0.0, x2: 0.0}) == pytest.approx(909 / 64)
    assert evaluate(fn.scalar, {x1: 3.0, x2: 0.5}) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(Unplottable):
        evaluate(fn.scalar, {x1: 0.0})


def test_a_refuted_convexity_claim_gets_its_contour_plot_and_a_proved_one_does_not() -> None:
    claim = next(c for c in beale.CLAIMS if c.id == "beale.convex")
    result = decide(claim, timeout=None)
    assert result.verdict is Verdict.REFUTED
    picture = convexity_picture(claim, result)
    assert picture is not None and picture.svg.startswith("<svg")
    assert "negative eigenvalue" in picture.caption
    # H(0, 0) = [[6, 3], [3, 0]] (by hand): eigenvalues 3 -+ sqrt(18), about -1.24 and 7.24.
    if result.counterexample is not None and result.counterexample.point == {"x1": "0", "x2": "0"}:
        assert "-1.24" in picture.caption and "7.24" in picture.caption
    assert convexity_picture(claim, Result(Verdict.PROVED)) is None


def test_the_gradient_descent_recursion_gets_its_error_plot() -> None:
    claim = next(c for c in quadratic.CLAIMS if c.id == "quad.component-recursion")
    picture = recurrence_picture(claim)
    assert picture is not None and picture.svg.startswith("<svg")
    assert "α = 0.25" in picture.caption


# ---------------------------------------------------------------- the claims page


def _hostile_row() -> Row:
    cx = Counterexample(values={"x": "3/2", HOSTILE: "1"}, lhs=HOSTILE, rhs="[[1], [2]]", note=HOSTILE)
    return Row(file=f"{HOSTILE}.toml", id=f"<b>{HOSTILE}</b>", statement=r"\text{" + HOSTILE + "} x = y",
               result=Result(Verdict.REFUTED, detail=HOSTILE, scope=HOSTILE, counterexample=cx),
               section=HOSTILE, expect="fails")


def test_claims_page_escapes_hostile_text_everywhere() -> None:
    text = claims_page([_hostile_row()], title=HOSTILE, group_by="file")
    page = Page(text)
    assert_inert(page)
    assert "<script" not in text and "<b>" not in text
    assert HOSTILE in page.all_text  # shown, as text
    assert page.tags("meta")[1]["http-equiv"] == "Content-Security-Policy"


def test_claims_page_renders_statement_engine_form_counterexample_and_plot() -> None:
    claims = [(beale.__name__, c) for c in beale.CLAIMS if c.id in ("beale.convex", "beale.grad-x1")]
    rows = [Row(f, c.id, c.statement, decide(c, timeout=None), c.section, c.expect) for f, c in claims]
    page = Page(claims_page(rows, claims, title="Beale"))
    assert_inert(page)
    cards = {a["id"]: a for a in page.tags("article")}
    verdicts = {a["data-verdict"] for a in cards.values()}
    assert verdicts == {"refuted", "proved"}  # convexity fails, the gradient holds (by hand, beale.py)
    assert len(page.tags("math")) >= 4  # both statements' math, both engine forms, the counterexample
    assert page.tags("mfrac")  # the engine form of grad-x1 has a derivative, printed as a fraction
    plots = [i for i in page.tags("img")]
    assert len(plots) == 1  # only the refuted convexity claim gets a contour plot
    assert "Hessian" in (plots[0].get("alt") or "") or "contour" in (plots[0].get("alt") or "")


# ---------------------------------------------------------------- the grading page


def _grades() -> list[SubmissionGrade]:
    cx = Counterexample(values={"x": "[[1], [2]]", "Q": "[[5/4, 0], [0, -5/3]]"}, lhs="[[-7/4], [2/3]]",
                        rhs="[[-1/2], [-8/3]]", sizes={"n": 2})
    steps = (
        StepCheck(1, r"\nabla_x h = Q x + c", StepStatus.FOLLOWS),
        StepCheck(2, r"Q x + c = 2 Q x + c", StepStatus.DOES_NOT_FOLLOW, "with n = 2 ...", counterexample=cx),
        StepCheck(3, r"2 Q x + c = \text{" + HOSTILE + "}", StepStatus.NOT_CHECKED, f"${HOSTILE}$ unread"),
    )
    wrong = QuestionGrade("quad.gradient", Mark.INCORRECT, 0.0, 1.0, first_bad_step=2,
                          feedback=f"Your answer $2 Q x + c$ is not right {HOSTILE}", answer="2 Q x + c",
                          steps=steps, counterexample=cx)
    right = QuestionGrade("quad.gradient", Mark.CORRECT, 1.0, 1.0, feedback="Correct.", answer="Q x + c",
                          steps=(StepCheck(1, r"\nabla_x h = Q x + c", StepStatus.FOLLOWS),))
    return [
        SubmissionGrade(f"{HOSTILE}.md", HOSTILE, (wrong,)),
        SubmissionGrade("b.md", "Bo", (right,)),
        SubmissionGrade("c.md", "Cy", (wrong,)),
        SubmissionGrade("d.md", "Di", (), error=f"not UTF-8 {HOSTILE}"),
    ]


def test_grading_page_marks_each_step_and_escapes_students_text() -> None:
    text = grading_page(_grades(), title="hw")
    page = Page(text)
    assert_inert(page)
    assert "<script" not in text
    first = [li for li in page.tags("li") if li.get("data-step")][:3]
    assert [li["data-status"] for li in first] == ["proved", "refuted", "unknown"]
    assert "s-refuted" in (first[1].get("class") or "")
    assert "does not follow" in page.all_text
    # the failing step's counterexample is mathematics: 5/4 as a fraction, inside a table
    assert page.tags("mtable") and page.tags("mfrac")
    assert len([d for d in page.tags("div") if d.get("data-role") == "counterexample"]) == 4  # 2 steps, 2 answers


def test_class_summary_counts_only_readable_files_and_ranks_wrong_answers() -> None:
    text = grading_page(_grades(), title="hw")
    page = Page(text)
    summary = Page(text.split('data-role="class-summary"', 1)[1].split("</table>", 1)[0])
    # 3 readable files: Bo right, two wrong with the same answer 2 Q x + c; Di's file is not counted
    assert "1/3" in summary.all_text and "33%" in summary.all_text
    assert "× 2" in summary.all_text
    assert any("bar chart" in (i.get("alt") or "") for i in page.tags("img"))
    assert "1 file could not be read" in page.all_text


def test_a_real_grading_run_marks_the_step_that_does_not_follow(tmp_path: Path) -> None:
    # By hand: with Q symmetric, grad(1/2 x^T Q x + x^T c + b) = 1/2 (Q + Q^T) x + c (step 1 holds),
    # = Q^T x + c (step 2 holds, Q = Q^T), but Q^T x + c = 2 Q x + c only where Q x = 0 (step 3 fails).
    sub = tmp_path / "s.md"
    sub.write_text("## quad.gradient\n\n"
                   r"$$\nabla_x h = \frac{1}{2}(Q + Q^T) x + c = Q^T x + c = 2 Q x + c$$" "\n")
    assignment = load_assignment("hw1")
    grades = grade_files(assignment, [sub])
    page = Page(grading_page(grades, assignment))
    steps = {li["data-step"]: li["data-status"] for li in page.tags("li") if li.get("data-step")}
    assert steps == {"1": "proved", "2": "proved", "3": "refuted"}
    assert len(page.tags("math")) > 5


# ---------------------------------------------------------------- the commands


def _exit(argv: list[str]) -> int:
    from verify.cli import main

    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


def test_suite_writes_an_html_page(tmp_path: Path) -> None:
    out = tmp_path / "suite.html"
    # beale.convex fails by hand (det H(0, 0) = -9), as its expect says: exit 0. (A glob that
    # matches that id alone: --only also matches substrings, and beale.convex.midpoint exists.)
    assert _exit(["--only", "beale.conve[x]", "--format", "html", "--output", str(out), "--timeout", "0"]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert [a["data-verdict"] for a in page.tags("article")] == ["refuted"]
    assert page.tags("math") and page.tags("img")


def test_check_writes_an_html_page_per_claims_file(tmp_path: Path) -> None:
    claims = tmp_path / "c.toml"
    claims.write_text(
        'title = "<script>t</script>"\n[symbols]\nx = "vector(n)"\nA = "matrix(m, n)"\n'
        # d(Ax)/dx = A (numerator layout) holds; = A^T fails for m != n (shapes differ) and generally
        '[[claim]]\nid = "ok"\nlhs = \'\\frac{\\partial (A x)}{\\partial x}\'\nrhs = \'A\'\n'
        '[[claim]]\nid = "bad"\nlhs = \'x^T x\'\nrhs = \'2 x^T x\'\nexpect = "fails"\n'
    )
    out = tmp_path / "check.html"
    assert _exit(["check", str(claims), "--format", "html", "--output", str(out), "--timeout", "0"]) == 0
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert_inert(page)
    assert {a["data-verdict"] for a in page.tags("article")} == {"proved", "refuted"}
    assert "<script>t</script>" in page.all_text and "<script" not in text


def test_output_works_without_html_too(tmp_path: Path) -> None:
    # issue 16: --output was for --format html only (exit 2 otherwise), though the README shows
    # `check ... --format json --output F`; it now writes every format (tests/test_cli_options.py)
    target = tmp_path / "x"
    assert _exit(["check", "examples/matrix-calculus.toml", "--format", "json", "--output", str(target)]) == 0
    assert '"claims"' in target.read_text()


def test_grade_writes_an_html_page(tmp_path: Path) -> None:
    sub = tmp_path / "s.md"
    sub.write_text("---\nstudent: Ada\n---\n## pd.linear\n$$\\frac{\\partial y}{\\partial x} = A$$\n")
    out = tmp_path / "grades.html"
    assert _exit(["grade", "--assignment", "hw1", str(sub), "--format", "html", "--output", str(out)]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    verdicts = {a["id"]: a["data-verdict"] for a in page.tags("article")}
    # y = A x (the question's definition): dy/dx = A in numerator layout, so pd.linear is correct
    assert next(v for k, v in verdicts.items() if k.endswith("pd.linear")) == "correct"
    assert len(page.tags("tr")) == 1 + len(load_assignment("hw1").questions)  # the class summary
