"""The HTML report in a real browser: Debian's Chromium, headless, driven by Playwright.

What only a browser can tell: that the MathML is laid out as mathematics (boxes of non-zero
size, a fraction's numerator above its denominator), that the refuted step is visibly marked,
that the pictures decode, and that the page's own policy raises no complaint. A screenshot
is saved under the test's temporary folder for a person to look at.

Playwright's own browser download is not used (and not allowed here): it drives the system
Chromium through ``executable_path``. Without a browser the tests are skipped on a developer's
machine and FAIL on CI (``CI=true``), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from derivations import beale
from verify.deciding.engine import decide
from verify.grading.grades import Mark, QuestionGrade, StepCheck, StepStatus, SubmissionGrade
from verify.model.result import Counterexample
from verify.reporting.html import claims_page, grading_page
from verify.reporting.rows import Row

#: As root Chromium needs --no-sandbox; the rest keeps it from calling home on a closed network.
#: Playwright adds --headless itself and starts every launch with a fresh, empty profile of its own
#: (a temporary --user-data-dir, which it refuses to be given).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser test cannot run on CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    executable = _chromium()
    if executable is None:
        _unavailable("no Chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _open(browser: Any, path: Path) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: problems.append(f"request {r.url}") if not r.url.startswith(("file:", "data:"))
            else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => { const r = e.getBoundingClientRect(); return {w: r.width, h: r.height}; })")


def _mathml_is_laid_out(page: Any) -> None:
    boxes = _boxes(page, "math")
    assert boxes, "no MathML on the page"
    empty = [b for b in boxes if b["w"] <= 0 or b["h"] <= 0]
    assert not empty, f"{len(empty)} of {len(boxes)} formulas have no size"
    # Laid out as mathematics, not as a run of text: a fraction's numerator sits above its denominator.
    stacked = page.eval_on_selector_all("mfrac", """els => els.filter(f => f.children.length === 2).map(f => {
        const a = f.children[0].getBoundingClientRect(), b = f.children[1].getBoundingClientRect();
        return a.bottom <= b.top + 1; })""")
    assert stacked and all(stacked)


def _grades() -> list[SubmissionGrade]:
    # Q x + c = 2 Q x + c fails where Q x != 0: at Q = diag(5/4, -5/3), x = (1, 2) by hand the
    # sides are (5/4 + c_1, -10/3 + c_2) and (5/2 + c_1, -20/3 + c_2); here c = 0.
    cx = Counterexample(values={"x": "[[1], [2]]", "Q": "[[5/4, 0], [0, -5/3]]", "c": "[[0], [0]]"},
                        lhs="[[5/4], [-10/3]]", rhs="[[5/2], [-20/3]]", sizes={"n": 2})
    steps = (
        StepCheck(1, r"\nabla_x h = \frac{1}{2}(Q + Q^T) x + c", StepStatus.FOLLOWS),
        StepCheck(2, r"\frac{1}{2}(Q + Q^T) x + c = Q x + c", StepStatus.FOLLOWS),
        StepCheck(3, r"Q x + c = 2 Q x + c", StepStatus.DOES_NOT_FOLLOW, "the sides differ", counterexample=cx),
    )
    q = QuestionGrade("quad.gradient", Mark.INCORRECT, 0.0, 1.0, first_bad_step=3, answer="2 Q x + c", steps=steps,
                      feedback="Your answer $2 Q x + c$ is not right.", counterexample=cx)
    return [SubmissionGrade("a.md", "Ada <script>alert(1)</script>", (q,)),
            SubmissionGrade("b.md", "Bo", (QuestionGrade("quad.gradient", Mark.CORRECT, 1.0, 1.0, answer="Q x + c",
                                                         feedback="Correct."),))]


def test_grading_page_renders_math_and_marks_the_refuted_step(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "grades.html"
    path.write_text(grading_page(_grades(), title="quad.gradient"), encoding="utf-8")
    page, problems = _open(browser, path)
    try:
        _mathml_is_laid_out(page)
        refuted = page.locator('li.step[data-status="refuted"]')
        assert refuted.count() == 1
        assert refuted.get_attribute("data-step") == "3"
        assert refuted.is_visible()
        assert "does not follow" in refuted.inner_text()
        # marked in colour, not only in words: the refuted step's left border is red
        border = refuted.evaluate("e => getComputedStyle(e).borderLeftColor")
        assert border == "rgb(198, 40, 40)"
        proved = page.locator('li.step[data-status="proved"]').first
        assert proved.evaluate("e => getComputedStyle(e).borderLeftColor") != border
        # the counterexample is mathematics too: a matrix with a fraction in it
        assert _boxes(page, '[data-role="counterexample"] mtable')
        # the student's name is text, not a script that ran
        assert page.locator("script").count() == 0
        assert "Ada <script>alert(1)</script>" in page.locator("h2").nth(1).inner_text()
        chart = page.locator("figure img").first
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
        shot = tmp_path / "grades.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert not problems, problems
    finally:
        page.close()


def test_claims_page_renders_the_beale_contour_plot(browser: Any, tmp_path: Path) -> None:
    claims = [(beale.__name__, c) for c in beale.CLAIMS if c.id in ("beale.convex", "beale.grad-x2")]
    rows = [Row(f, c.id, c.statement, decide(c, timeout=None), c.section, c.expect) for f, c in claims]
    path = tmp_path / "claims.html"
    path.write_text(claims_page(rows, claims, title="Beale"), encoding="utf-8")
    page, problems = _open(browser, path)
    try:
        _mathml_is_laid_out(page)
        # both claims are refuted by hand (beale.py): H(0, 0) has det -9; 2.65 is not 2.625
        assert page.locator('article[data-verdict="refuted"]').count() == 2
        plot = page.locator("article figure img")
        assert plot.count() == 1
        size = plot.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert size[0] > 200 and size[1] > 200
        shot = tmp_path / "claims.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert not problems, problems
    finally:
        page.close()
