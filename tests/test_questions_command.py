"""``python -m verify questions``: definitions as the author writes them, never the answer.

A student reads the listing to learn the names to write. Each definition must appear as the
author wrote it (``\\hat{x}^k = V^T (x^k - x^*)``), not as the expanded form the engine reads
(``\\frac{1-t t}{1 + t t}``, ``x_2^{1}``); no definition may give away the reference answer
(the Hessian matrix hessian.matrix asks for); and no engine-only name (``x_star``, ``beta2``,
``v_prev``, the rotation parameter ``t``) may appear.
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from derivations.hw1 import ASSIGNMENT
from verify.cli import main
from verify.cli.questions import _spelled
from verify.model.claim import Equality
from verify.model.expr import Expr
from verify.model.question import Question

QUESTIONS = {q.id: q for q in ASSIGNMENT.questions}

#: Each question's definitions as the HW1 text writes them (copied from the question wording and
#: the solution, not from derivations/): the listing must show each one verbatim.
AUTHORS_TEXT: dict[str, list[str]] = {
    "pd.linear": ["y = A x"],
    "pd.chain": ["y = A x"],
    "pd.bilinear-x": [r"\alpha = y^T A x"],
    "pd.bilinear-y": [r"\alpha = y^T A x"],
    "pd.product": [r"\alpha = y^T x"],
    "pd.inverse": [],
    "hessian.matrix": [r"J = \frac{\partial \nabla \psi}{\partial (u, v, z)}"],
    "reg.expand": [r"w = \begin{bmatrix} w_1 \\ w_2 \end{bmatrix}",
                   r"S = \begin{bmatrix} s_{11} & s_{12} \\ s_{21} & s_{22} \end{bmatrix}", "R(w) = w^T S w"],
    "reg.condition": [r"w = \begin{bmatrix} w_1 \\ w_2 \end{bmatrix}",
                      r"S = \begin{bmatrix} s_{11} & s_{12} \\ s_{21} & s_{22} \end{bmatrix}", "R(w) = w^T S w"],
    "reg.example": [],
    "bp.dJ-dyhat": [r"J = -\frac{1}{m} \sum_{i=1}^{m} \left[y^{(i)} \log \hat{y}^{(i)} + (1 - y^{(i)}) "
                    r"\log(1 - \hat{y}^{(i)})\right]"],
    "bp.dyhat-dz2": [r"\hat{y} = \hat{y}^{(i)} = \sigma(z_2)"],
    "bp.dz2-da1": ["z_2 = W_2 a_1 + b_2"],
    "bp.da1-dz1": [r"a_1 = \operatorname{ReLU}(z_1)"],
    "bp.dJ-dW1": ["z_1 = W_1 x + b_1", r"a_1 = \operatorname{ReLU}(z_1)", "z_2 = W_2 a_1 + b_2",
                  r"\hat{y} = \sigma(z_2)", r"J = -\left(y \log \hat{y} + (1 - y) \log(1 - \hat{y})\right)"],
    "beale.grad-x1": ["f(x_1, x_2) = (1.5 - x_1 + x_1 x_2)^2 + (2.25 - x_1 + x_1 x_2^2)^2 "
                      "+ (2.625 - x_1 + x_1 x_2^3)^2"],
    "beale.grad-x2": ["f(x_1, x_2) = (1.5 - x_1 + x_1 x_2)^2 + (2.25 - x_1 + x_1 x_2^2)^2 "
                      "+ (2.625 - x_1 + x_1 x_2^3)^2"],
    "beale.stationary": ["f(x_1, x_2) = (1.5 - x_1 + x_1 x_2)^2 + (2.25 - x_1 + x_1 x_2^2)^2 "
                         "+ (2.625 - x_1 + x_1 x_2^3)^2", "x^t = (0, 1)", r"x^{t+1} = x^t - \alpha \nabla f(x^t)"],
    "beale.convex": [],
    "quad.gradient": [r"h(x) = \frac{1}{2} x^T Q x + x^T c + b", "x^* = -Q^{-1} c"],
    "quad.eigen-recursion": [r"Q = V \Lambda V^T", r"V^T V = V V^T = I",
                             r"\Lambda = \operatorname{diag}(\lambda_1, \lambda_2)",
                             r"\hat{x}^k = V^T (x^k - x^*)", r"x^{k+1} = x^k - \alpha \nabla h(x^k)"],
    "quad.closed-form": [r"Q v_i = \lambda_i v_i"],
    "adamax.update": [],
}

#: Names that exist only inside the engine; a student never writes them.
ENGINE_NAMES = ("x_star", "xstar", "beta2", "v_prev", "xhat0_1", "xhat0_2", "x0_1", "x0_2", "e_k")
#: a bare t: not an index or exponent (x^t, x^{t+1}, x^(t+1)), not part of a word or a command
BARE_T = re.compile(r"(?<![\w\\^{('])t(?![\w}])")


def _listing_text() -> str:
    """The table listing of hw1, unwrapped (a wide terminal)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("COLUMNS", "10000")
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            assert main(["questions", "hw1"]) == 0
    finally:
        mp.undo()
    return out.getvalue()


@pytest.fixture(scope="module")
def listing() -> dict[str, str]:
    """The table listing of hw1, one text per question, unwrapped (a wide terminal)."""
    text = _listing_text()
    parts = {}
    for qid in QUESTIONS:
        start = text.index(f"## {qid} ")
        end = text.find("\n## ", start + 1)
        parts[qid] = text[start:] if end < 0 else text[start:end]
    return parts


@pytest.fixture(scope="module")
def as_json() -> dict[str, dict]:
    """The JSON listing of hw1, by question id."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["questions", "hw1", "--format", "json"]) == 0
    return {q["id"]: q for q in json.loads(out.getvalue())["questions"]}


def _where_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("where ")]


def _answer_texts(q: Question) -> set[str]:
    """The reference answer as the model prints it, in the engine's names and in the students':
    the answer itself and both sides of its reference (hessian.matrix's reference proves the
    Jacobian of the gradient, written out, equal to the answer)."""
    exprs: list[Expr] = [q.answer] if isinstance(q.answer, Expr) else []
    if isinstance(q.reference, Equality):
        exprs += [q.reference.lhs, q.reference.rhs]
    spelling = {s.name: s.latex for s in q.symbols.values() if s.latex}
    return {text for e in exprs for text in (e.latex(), _spelled(e, spelling).latex())}


def _as_a_whole(text: str) -> re.Pattern[str]:
    """``text`` as a whole expression, not as a factor of a longer product: pd.bilinear-x's
    answer y^T A is part of its definition alpha = y^T A x without being given away by it."""
    return re.compile(r"(?<![\w})])(?<![\w})] )" + re.escape(text) + r"(?! ?[\w\\(])")


@pytest.mark.parametrize("qid", [qid for qid in QUESTIONS if AUTHORS_TEXT[qid]])
def test_definitions_are_shown_as_the_author_writes_them(qid: str, listing: dict[str, str],
                                                         as_json: dict[str, dict]) -> None:
    shown = listing[qid]
    statements = " ".join(as_json[qid]["defines"].values())
    for text in AUTHORS_TEXT[qid]:
        assert text in shown, f"{qid}: the listing does not show {text!r}:\n{shown}"
        assert text in statements, f"{qid}: the JSON does not show {text!r}"


@pytest.mark.parametrize("qid", list(QUESTIONS))
def test_every_definition_has_the_authors_text(qid: str) -> None:
    """No HW1 definition falls back to the engine's printing."""
    q = QUESTIONS[qid]
    missing = set(q.defines) - set(getattr(q, "written", {}))
    assert not missing, f"{qid}: no author's text for {sorted(missing)}"


@pytest.mark.parametrize("qid", list(QUESTIONS))
def test_no_expanded_engine_form(qid: str, listing: dict[str, str]) -> None:
    shown = listing[qid]
    for engine_form in (r"1-t t", r"x_2^{1}", r"\frac{2 t}", r"\left. ", r"\right|_{"):
        assert engine_form not in shown, f"{qid}: the engine's form {engine_form!r} is shown:\n{shown}"


@pytest.mark.parametrize("qid", list(QUESTIONS))
def test_no_listing_reveals_the_reference_answer(qid: str, listing: dict[str, str],
                                                 as_json: dict[str, dict]) -> None:
    q = QUESTIONS[qid]
    shown, defines = listing[qid], as_json[qid]["defines"]
    student_names = {s.latex or s.name for s in q.symbols.values()}
    for text in _answer_texts(q):
        if text in student_names:
            # an answer that is one declared name (A, W_2) is in the symbol table by necessity:
            # no definition may have it as its right side
            for line in [*_where_lines(shown), *defines.values()]:
                assert not line.endswith(f"= {text}"), f"{qid}: {line!r} gives the answer"
            continue
        whole = _as_a_whole(text)
        assert not whole.search(shown), f"{qid}: the listing shows the reference answer {text!r}:\n{shown}"
        assert not any(whole.search(d) for d in defines.values()), f"{qid}: the JSON shows the answer {text!r}"


def test_hessian_matrix_shows_no_matrix(listing: dict[str, str], as_json: dict[str, dict]) -> None:
    """hessian.matrix asks for the 3 x 3 matrix: no matrix of second partials may be listed."""
    for text in (listing["hessian.matrix"], json.dumps(as_json["hessian.matrix"])):
        assert "bmatrix" not in text
        assert "partial^2" not in text and r"\partial \left(\frac" not in text


@pytest.mark.parametrize("qid", list(QUESTIONS))
def test_no_engine_only_names(qid: str, listing: dict[str, str], as_json: dict[str, dict]) -> None:
    # the JSON's "name" of a symbol is its machine identifier (the command's JSON contract); every
    # text a student reads is checked
    readable = {**as_json[qid], "symbols": [{k: v for k, v in sym.items() if k != "name"}
                                            for sym in as_json[qid]["symbols"]]}
    shown = listing[qid] + "\n" + json.dumps(readable)
    for name in ENGINE_NAMES:
        assert not re.search(rf"(?<![\w\\]){name}(?!\w)", shown), f"{qid}: engine name {name} shown:\n{shown}"
    assert not BARE_T.search(listing[qid]), f"{qid}: a bare parameter t is shown:\n{listing[qid]}"
    assert all(s["latex"] != "t" for s in as_json[qid]["symbols"]), f"{qid}: the parameter t is listed"


def test_wrapped_listing_still_says_where(capsys: pytest.CaptureFixture[str]) -> None:
    """At a terminal's default width the listing keeps its definitions, one 'where' each."""
    assert main(["questions", "hw1"]) == 0
    out = capsys.readouterr().out
    assert r"where \hat{x}^k = V^T (x^k - x^*)" in out
    assert "stands for" not in out


def test_without_the_authors_text_the_answer_and_parameters_stay_hidden() -> None:
    """The fallback (a definition printed from the engine's expression) still hides a definition
    that is the answer (hessian.matrix's J, quad.eigen-recursion's xhat^{k+1}) and one that needs an
    unlisted parameter (here alpha, made unlisted for the test: HW1 has no such parameter any more)."""
    from dataclasses import replace

    from verify.cli.questions import question_json

    hessian = question_json(replace(QUESTIONS["hessian.matrix"], written={}))
    assert hessian["defines"] == {}
    eigen_question = QUESTIONS["quad.eigen-recursion"]
    eigen = question_json(replace(eigen_question, written={}))
    # xhat^{k+1} := V^T (x^{k+1} - x^*) is the left side of the reference, the quantity asked
    assert set(eigen["defines"]) == {r"\Lambda", "Q", "h", "h(x)", r"\hat{x}^k", "x^{k+1}"}
    alpha = next(n for n, s in eigen_question.symbols.items() if (s.latex or n) == r"\alpha")
    hidden = question_json(replace(eigen_question, written={}, unlisted=frozenset({alpha})))
    assert r"\alpha" not in {s["latex"] for s in hidden["symbols"]}
    # x^{k+1} = x^k - alpha grad h(x^k) needs alpha: not shown
    assert set(hidden["defines"]) == {r"\Lambda", "Q", "h", "h(x)", r"\hat{x}^k"}
    pd = question_json(replace(QUESTIONS["pd.linear"], written={}))
    assert pd["defines"] == {"y": "y = A x"}


def test_a_question_of_parts_says_so(listing: dict[str, str], as_json: dict[str, dict]) -> None:
    # beale.stationary asks for the gradient at (0, 1) and the step: each its own equation, half a point
    assert r"in 2 parts, 0.5 points each" in listing["beale.stationary"]
    assert r"\nabla f(0, 1) = ..." in listing["beale.stationary"] and "x^{t+1} = ..." in listing["beale.stationary"]
    assert as_json["beale.stationary"]["parts"] == [r"\nabla f(0, 1)", "x^{t+1}"]
    assert as_json["pd.linear"]["parts"] == [] and "in 2 parts" not in listing["pd.linear"]


def test_the_listing_says_how_to_write_headings_and_notation() -> None:
    head = _listing_text().split("## pd.linear ")[0]
    assert "any level, any letter case" in head and "level-2" not in head
    for form in (r"\partial_x f", r"\psi_{uv}", r"\operatorname{sign}(u)", r"\|x\|^2", r"[a; b]", r"\cdots"):
        assert form in head, form
