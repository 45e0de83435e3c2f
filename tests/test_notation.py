"""Notation students write (issue 12, point 1): decorated names, transposes, e^{...}, norms and
inner products, \\times, indicators, and unbalanced brackets.

Each form is checked three ways: it reads as the same tree as its plain spelling (the right
reading), it does not read as the likely misreading (the wrong one), and, for one example of
each group, the claim-level verdict is the one derived by hand. What is ambiguous is refused
with a message that says how to write it; every expectation below is derived by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.deciding.engine import decide
from verify.errors import ShapeError, UndeclaredName, UnsupportedError, VerifyError
from verify.model.expr import Const, Expr, Var, shape_of
from verify.model.result import Verdict
from verify.model.shape import SCALAR, Shape
from verify.model.symbols import Symbols, parse_declaration
from verify.reading.claims_file import parse
from verify.reading.errors import UnbalancedBrackets
from verify.reading.latex import LatexReader

DECLARED = {
    "x": "vector(n)",
    "w": "vector(n)",
    "A": "matrix(n, n)",
    "B": "matrix(m, n)",
    "W_1": "matrix(n, n)",
    r"\hat{x}": "vector(n)",
    r"\alpha": "scalar",
    "a": "scalar",
    "b": "scalar",
    "z": "scalar",
    "f": "scalar, of(z)",
}
S = Symbols.of([parse_declaration(k, v) for k, v in DECLARED.items()])
READER = LatexReader(S)


def read(text: str, reader: LatexReader = READER) -> Expr:
    return reader.read(text)


def reader_of(declared: dict[str, str]) -> LatexReader:
    return LatexReader(Symbols.of([parse_declaration(k, v) for k, v in declared.items()]))


# -- right readings: each form reads as its plain spelling --------------------------------------

SAME = [
    # decorated names
    (r"\mathbf{x}", "x"),
    (r"\boldsymbol{x}", "x"),
    (r"\bm{x}", "x"),
    (r"\bm x", "x"),
    (r"\vec{x}", "x"),
    (r"\vec x", "x"),
    (r"\mathrm{x}", "x"),
    (r"\mathbf x", "x"),
    (r"\mathbf{A} \mathbf{x}", "A x"),
    (r"\boldsymbol{A}\boldsymbol{x}", "A x"),
    (r"\hat{\mathbf{x}}", r"\hat{x}"),
    (r"\hat{\boldsymbol{x}}", r"\hat{x}"),
    (r"\hat{\bm x}", r"\hat{x}"),
    (r"\mathbf{\hat{x}}", r"\hat{x}"),
    (r"\mathbf{W}_1 \mathbf{x}", "W_1 x"),
    (r"\mathbf{W_1} x", "W_1 x"),
    (r"\mathbf{W}_{1}", "W_1"),
    (r"\boldsymbol{\alpha} \mathbf{x}", r"\alpha x"),
    (r"\mathbf{x}^\intercal A \mathbf{x}", "x^T A x"),
    (r"\mathbf{x}^T \mathbf{w} + \mathbf{w}^T \hat{\mathbf{x}}", r"x^T w + w^T \hat{x}"),
    (r"\frac{\partial}{\partial \mathbf{x}} \mathbf{x}^T A \mathbf{x}", r"\frac{\partial}{\partial x} x^T A x"),
    (r"\nabla_{\mathbf{x}} \mathbf{x}^T \mathbf{x}", r"\nabla_x x^T x"),
    (r"\frac{\partial \mathbf{x}^T \mathbf{w}}{\partial \mathbf{w}}", r"\frac{\partial x^T w}{\partial w}"),
    (r"\begin{bmatrix} \mathbf{x}^T \mathbf{w} & a \end{bmatrix}", r"\begin{bmatrix} x^T w & a \end{bmatrix}"),
    # transposes
    (r"x^{\intercal}", "x^T"),
    (r"x^\intercal", "x^T"),
    (r"x^\mathsf{T}", "x^T"),
    (r"x^{\mathsf{T}}", "x^T"),
    (r"x^{\mathrm{T}}", "x^T"),
    (r"x^\mathrm{T}", "x^T"),
    (r"x^{\top} A", "x^T A"),
    (r"A^{-\mathsf{T}}", "A^{-T}"),
    (r"A^{-\intercal}", "A^{-T}"),
    ("x'", "x^T"),
    ("x' w", "x^T w"),
    ("x' A x", "x^T A x"),
    ("A' x", "A^T x"),
    ("B'", "B^T"),
    ("(A x)'", "(A x)^T"),
    (r"x^\prime A", "x^T A"),
    (r"x^{\prime} w", "x^T w"),
    (r"\mathbf{x}' \mathbf{w}", "x^T w"),
    (r"\hat{\mathbf{x}}'", r"\hat{x}^T"),
    (r"\mathbf{W}_1' x", "W_1^T x"),
    # derivatives of the elementwise functions, in closed form
    (r"\sigma'(z)", r"\sigma(z) (1 - \sigma(z))"),
    (r"\sigma^{\prime}(z)", r"\sigma(z) (1 - \sigma(z))"),
    (r"\sigma'(a b)", r"\sigma(a b) (1 - \sigma(a b))"),
    (r"\sigma'(x)", r"\sigma(x) \odot \sigma(-x)"),
    (r"\tanh'(z)", r"1 - \tanh(z)^2"),
    (r"\exp'(z)", r"\exp(z)"),
    (r"\log'(z)", r"\frac{1}{z}"),
    (r"\operatorname{ReLU}'(z)", r"\mathbb{1}[z > 0]"),
    (r"\operatorname{ReLU}'(x)", r"\mathbb{1}[x > 0]"),
    # e^{...} and \exp
    (r"e^{-z}", r"\exp(-z)"),
    (r"e^{z}", r"\exp(z)"),
    (r"e^z", r"\exp(z)"),
    (r"e^{a b}", r"\exp(a b)"),
    (r"e^{-x}", r"\exp(-x)"),
    (r"\mathrm{e}^{a}", r"\exp(a)"),
    (r"\frac{1}{1 + e^{-z}}", r"\frac{1}{1 + \exp(-z)}"),
    (r"a e^{b}", r"a \exp(b)"),
    (r"e^{a} e^{b}", r"\exp(a) \exp(b)"),
    (r"\exp\left(-z\right)", r"\exp(-z)"),
    (r"\exp(x^T w)", r"\exp(x^T w)"),
    # norms and inner products
    (r"\|x\|", r"\sqrt{x^T x}"),
    (r"\|x\|_2", r"\sqrt{x^T x}"),
    (r"\|x\|_{2}", r"\sqrt{x^T x}"),
    (r"\lVert x \rVert", r"\sqrt{x^T x}"),
    (r"\left\| x \right\|", r"\sqrt{x^T x}"),
    (r"\left\lVert x \right\rVert", r"\sqrt{x^T x}"),
    (r"\Vert x \Vert", r"\sqrt{x^T x}"),
    (r"\|\mathbf{x}\|", r"\sqrt{x^T x}"),
    (r"\|x\|^2", "x^T x"),
    (r"\|x\|^{2}", "x^T x"),
    (r"\|x\|_2^2", "x^T x"),
    (r"\lVert x \rVert_2^2", "x^T x"),
    (r"\left\| x \right\|^2", "x^T x"),
    (r"\|x - w\|^2", "(x - w)^T (x - w)"),
    (r"\|A x\|^2", "(A x)^T (A x)"),
    # a norm is one factor: a \|x\|^2 is a (x^T x)
    (r"\frac{1}{2} \|A x - w\|_2^2", r"\frac{1}{2} ((A x - w)^T (A x - w))"),
    (r"a \|x\|^2", "a (x^T x)"),
    (r"\|x\|^3", r"\sqrt{x^T x}^3"),
    (r"\|A\|_F", r"\sqrt{\operatorname{tr}(A^T A)}"),
    (r"\|A\|_F^2", r"\operatorname{tr}(A^T A)"),
    (r"\|A\|_{F}^{2}", r"\operatorname{tr}(A^T A)"),
    (r"\|B\|_F^2", r"\operatorname{tr}(B^T B)"),
    (r"\|a\|", "|a|"),
    (r"\|a\|^2", "a^2"),
    (r"\| |a| x \|^2", "(|a| x)^T (|a| x)"),
    (r"|\|x\|^2 - a|", "|x^T x - a|"),
    (r"\langle x, w \rangle", "x^T w"),
    (r"\left\langle x, A w \right\rangle", "x^T (A w)"),
    (r"\langle \mathbf{x}, \mathbf{w} \rangle", "x^T w"),
    (r"\langle a, b \rangle", "a b"),
    (r"\langle A, W_1 \rangle", r"\operatorname{tr}(A^T W_1)"),
    # \times, \cdot, \circ
    (r"a \times b", "a b"),
    (r"2 \times x", "2 x"),
    (r"a \times A", "a A"),
    (r"x \times a", "x a"),
    (r"a \cdot b", "a b"),
    (r"2 \cdot a \times b", "2 a b"),
    (r"x \circ w", r"x \odot w"),
    (r"\mathbf{x} \circ \mathbf{w}", r"x \odot w"),
    # indicators and max
    (r"\mathbb{1}\{a > b\}", r"\mathbb{1}[a > b]"),
    (r"\mathbb{1}\{a \geq b\}", r"\mathbb{1}[a \geq b]"),
    (r"\mathbb{I}\{a > b\}", r"\mathbb{1}[a > b]"),
    (r"\mathbb{I}\{z > 0\}", r"\mathbb{1}[z > 0]"),
    (r"\mathbb{1}\left\{ z < 0 \right\}", r"\mathbb{1}[z < 0]"),
    (r"\mathbb{1}\{x > 0\}", r"\mathbb{1}[x > 0]"),
    (r"I\{a < b\}", r"\mathbb{1}[a < b]"),
    (r"\mathbb{1}[z > 0]", "I(z > 0)"),
    (r"\max\{a, b\}", r"\max(a, b)"),
    (r"\max\left\{a, b\right\}", r"\max(a, b)"),
    (r"\max\{0, z\}", r"\max(0, z)"),
]


@pytest.mark.parametrize(("written", "plain"), SAME)
def test_each_form_reads_as_its_plain_spelling(written: str, plain: str) -> None:
    assert read(written) == read(plain)


# -- wrong readings: each form is not the likely misreading ---------------------------------------

DIFFERENT = [
    (r"\mathbf{x}^\intercal A \mathbf{x}", "x^T A^T x"),
    (r"\hat{\mathbf{x}}", "x"),
    (r"\mathbf{W}_1 x", "W_1^T x"),
    (r"\boldsymbol{x}^T \mathbf{w}", "w^T x"),
    ("x' A x", "x^T A^T x"),
    ("A' x", "A x"),
    ("(A x)'", "x^T A"),
    (r"x^\mathsf{T} w", "w^T x"),
    (r"A^{-\mathsf{T}}", "A^{-1}"),
    (r"\sigma'(z)", r"\sigma(z)"),
    (r"\tanh'(z)", r"1 - \tanh(z)"),
    (r"\log'(z)", r"\log(z)"),
    (r"e^{-z}", r"\exp(z)"),
    (r"e^{-z}", r"-\exp(z)"),
    (r"\frac{1}{1 + e^{-z}}", r"\frac{1}{1 + \exp(z)}"),
    (r"\|x\|^2", r"\sqrt{x^T x}"),
    (r"\|x\|", "x^T x"),
    (r"\|x - w\|^2", "x^T x - w^T w"),
    (r"\|A\|_F^2", r"\operatorname{tr}(A A)"),
    (r"\langle x, w \rangle", "w^T x"),
    (r"\langle x, A w \rangle", "w^T A x"),
    (r"2 \times a + b", "2 (a + b)"),
    (r"\mathbb{1}\{a > b\}", r"\mathbb{1}[a \geq b]"),
    (r"\mathbb{1}\{a > b\}", r"\mathbb{1}[b > a]"),
    (r"\max\{a, b\}", r"\max(a, 0)"),
]


@pytest.mark.parametrize(("written", "wrong"), DIFFERENT)
def test_each_form_is_not_its_misreading(written: str, wrong: str) -> None:
    assert read(written) != read(wrong)


def test_the_shapes_of_what_is_read() -> None:
    assert shape_of(read(r"\|x\|^2"), S) == SCALAR
    assert shape_of(read("B'"), S) == Shape("n", "m")
    assert shape_of(read(r"e^{-x}"), S) == Shape("n", 1)
    assert shape_of(read(r"\sigma'(x)"), S) == Shape("n", 1)


# -- refused, with a message that says what to write ----------------------------------------------

REFUSED = [
    # a scalar's ' is a derivative by a variable it does not name
    ("a'", UnsupportedError, r"\frac{d f}{d x}"),
    ("f'(z)", UnsupportedError, r"\frac{d f}{d x}"),
    (r"a^\prime", UnsupportedError, "transpose of a vector or matrix"),
    (r"\tanh'(x)", UnsupportedError, "scalar only"),
    (r"\log'(x)", UnsupportedError, "scalar only"),
    ("x''", UndeclaredName, "x'' is not declared"),
    # e
    (r"e^T", UnsupportedError, "exponential"),
    ("e", UndeclaredName, "e is not declared"),
    # norms that are not read
    (r"\|A\|", UnsupportedError, r"\|A\|_F"),
    (r"\|A\|_2", UnsupportedError, r"\|A\|_F"),
    (r"\|x\|_1", UnsupportedError, "2-norm"),
    (r"\|x\|_\infty", UnsupportedError, "2-norm"),
    (r"\langle a, x \rangle", ShapeError, "inner product"),
    # \times between two non-scalars
    (r"x \times w", UnsupportedError, "cross"),
    (r"A \times A", UnsupportedError, "juxtaposition"),
    # a typo in a command: refused, with the command it is likely to be (never read as it)
    (r"\lamda a", VerifyError, r"a typo for \lambda"),
    (r"\fraq{a}{b}", VerifyError, r"a typo for \frac"),
    # sign without brackets: its argument is not clear
    (r"\operatorname{sign} a", UnsupportedError, "with its argument in brackets"),
    (r"\sgn z", UnsupportedError, "with its argument in brackets"),
    # decorated names of nothing declared
    (r"\mathbf{q}", UndeclaredName, r"\mathbf{q} is not declared"),
    (r"\hat{\mathbf{w}}", UndeclaredName, r"\hat{\mathbf{w}} is not declared"),
    (r"\bm{y}", UndeclaredName, "not declared"),
    # unbalanced: where, and what to add
    (r"\left( a + b", UnbalancedBrackets, r"add '\right)'"),
    (r"{a + b", UnbalancedBrackets, "add '}'"),
    (r"\frac{a}{b", UnbalancedBrackets, "add '}'"),
    (r"(a + b", UnbalancedBrackets, "add ')'"),
    (r"\|x", UnbalancedBrackets, r"add '\|'"),
    (r"\lVert x", UnbalancedBrackets, r"add '\rVert'"),
    (r"\langle x, w", UnbalancedBrackets, r"add '\rangle'"),
    (r"\left[ a \right", VerifyError, r"\right"),
    (r"a + b}", UnbalancedBrackets, "closes nothing"),
    (r"a + b)", UnbalancedBrackets, "closes nothing"),
    (r"\left( a \right]", UnbalancedBrackets, r"write '\right)'"),
    (r"\frac{a}{b) + 1", UnbalancedBrackets, "write '}' here"),
    (r"\left\| x", UnbalancedBrackets, r"add '\right\|'"),
    (r"\left\lVert x", UnbalancedBrackets, r"add '\right\rVert'"),
    (r"\bigl( a + b", UnbalancedBrackets, r"add '\bigr)'"),
    (r"\Bigl[ a \Bigr)", UnbalancedBrackets, r"write '\Bigr]' here"),
    (r"\left\{ a", UnbalancedBrackets, r"add '\right\}'"),
    (r"\mathbb{1}\{a > b", UnbalancedBrackets, r"add '\}'"),
    (r"\sqrt{x^T x", UnbalancedBrackets, "add '}'"),
    (r"\mathbb{1}[a > b)", UnbalancedBrackets, "write ']' here"),
    (r"I(a > b]", UnbalancedBrackets, "write ')' here"),
    (r"\mathbb{I}\{a > b)", UnbalancedBrackets, r"write '\}' here"),
]


@pytest.mark.parametrize(("text", "kind", "words"), REFUSED)
def test_refused_with_what_to_write(text: str, kind: type[VerifyError], words: str) -> None:
    with pytest.raises(kind) as caught:
        read(text)
    assert words in caught.value.message, caught.value.message


def test_an_unclosed_bracket_is_pointed_at() -> None:
    with pytest.raises(UnbalancedBrackets) as caught:
        read(r"a + \left( b + z")
    assert caught.value.position is not None and caught.value.position.offset == 4
    assert "offset 4" in caught.value.message
    with pytest.raises(UnbalancedBrackets) as caught:
        read(r"a + b}")
    assert caught.value.position is not None and caught.value.position.offset == 5


# -- a decorated form declared as something else ---------------------------------------------------

TWO_YS = reader_of({"y": "scalar", r"\mathbf{y}": "vector(n)", "v": "vector(n)"})


def test_the_declared_spelling_wins() -> None:
    assert read(r"\mathbf{y}", TWO_YS) == Var(r"\mathbf{y}")
    assert read("y", TWO_YS) == Var("y")
    assert read(r"\mathbf{y}^T v", TWO_YS) == read(r"\mathbf{y}^\intercal v", TWO_YS)


@pytest.mark.parametrize("text", [r"\bm{y}", r"\boldsymbol{y}", r"\vec{y}", r"\mathrm{y}", r"\bm y"])
def test_a_decoration_that_could_mean_two_declared_names_is_refused(text: str) -> None:
    with pytest.raises(UndeclaredName) as caught:
        read(text, TWO_YS)
    message = caught.value.message
    assert r"\mathbf{y} or y (" in message
    assert "write the declared spelling" in message


def test_e_declared_is_a_name_and_upright_e_is_then_refused() -> None:
    r = reader_of({"e": "scalar", "a": "scalar"})
    assert read("e^{a}", r) == read("e^a", r)
    assert "exp" not in read("e^{a}", r).latex()
    with pytest.raises(UnsupportedError, match="exp"):
        read(r"\mathrm{e}^{a}", r)


def test_a_declared_d_is_never_a_decorated_differential() -> None:
    r = reader_of({"d": "scalar", "f": "scalar, of(u)", "u": "scalar"})
    assert read(r"\frac{\mathrm{d} f}{\mathrm{d} u}", r) == read(r"\frac{\partial f}{\partial u}", r)


def test_a_declared_spelling_with_a_prime_stays_a_name() -> None:
    r = reader_of({"x": "vector(n)", "x'": "vector(n)"})
    assert read("x'", r) == Var("x'")
    assert read("x^T", r) == read(r"x^\mathsf{T}", r)


# -- property: decorated and plain spellings read the same ------------------------------------------

PLAIN = ["x", "w", "A", r"\hat{x}", "W_1"]
DECORATE = [r"\mathbf{{{}}}", r"\boldsymbol{{{}}}", r"\bm{{{}}}", r"\vec{{{}}}", r"\mathrm{{{}}}"]


def _decorated(name: str, how: str) -> str:
    if name.startswith(r"\hat"):
        return r"\hat{" + how.format("x") + "}"
    if name == "W_1":
        return how.format("W") + "_1"
    return how.format(name)


@st.composite
def spelled(draw: st.DrawFn) -> tuple[str, str]:
    # x-shaped terms: x, w, \hat{x}, A x, W_1 x, A^T w ...
    vectors = st.sampled_from(["x", "w", r"\hat{x}"])
    matrices = st.sampled_from(["A", "W_1"])
    n = draw(st.integers(1, 4))
    plain_terms, fancy_terms = [], []
    for _ in range(n):
        v = draw(vectors)
        m = draw(st.one_of(st.none(), matrices))
        t = draw(st.booleans())
        hv, hm = draw(st.sampled_from(DECORATE)), draw(st.sampled_from(DECORATE))
        tee = draw(st.sampled_from([r"^\intercal", r"^\mathsf{T}", r"^{\mathrm{T}}", "'"]))
        if m is None:
            plain_terms.append(v)
            fancy_terms.append(_decorated(v, hv))
        else:
            plain_terms.append(f"{m}{'^T' if t else ''} {v}")
            fancy_terms.append(f"{_decorated(m, hm)}{tee if t else ''} {_decorated(v, hv)}")
    outer = draw(st.sampled_from(["sum", "norm", "inner"]))
    plain, fancy = " + ".join(plain_terms), " + ".join(fancy_terms)
    if outer == "norm":
        return rf"({plain})^T ({plain})", rf"\left\| {fancy} \right\|^2"
    if outer == "inner":
        return rf"x^T ({plain})", rf"\langle \mathbf{{x}}, {fancy} \rangle"
    return plain, fancy


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spelled())
def test_decorated_and_plain_spellings_read_the_same(pair: tuple[str, str]) -> None:
    plain, fancy = pair
    assert read(fancy) == read(plain)


# -- claim-level verdicts, one example of each group ---------------------------------------------------

SYMBOLS = """[symbols]
x = "vector(n)"
w = "vector(n)"
A = "matrix(n, n)"
a = "scalar"
b = "scalar"
z = "scalar"
"""

CLAIMS = [
    # d/dx x^T A x = x^T (A + A^T) (numerator layout); 2 x^T A needs A symmetric, which it is not
    (r"\frac{\partial}{\partial \mathbf{x}} \mathbf{x}^\intercal \mathbf{A} \mathbf{x}",
     r"\mathbf{x}^\intercal (\mathbf{A} + \mathbf{A}^\mathsf{T})", Verdict.PROVED),
    (r"\frac{\partial}{\partial \mathbf{x}} \mathbf{x}^\intercal \mathbf{A} \mathbf{x}",
     r"2 \mathbf{x}^\intercal \mathbf{A}", Verdict.REFUTED),
    # (A x)' = x' A'; x' A differs from it (A not symmetric)
    ("(A x)'", "x' A'", Verdict.PROVED),
    ("(A x)'", "x' A", Verdict.REFUTED),
    # sigma' = sigma (1 - sigma); tanh' = 1 - tanh^2; sigma' is not sigma
    (r"\frac{d}{d z} \sigma(z)", r"\sigma'(z)", Verdict.PROVED),
    (r"\frac{d}{d z} \tanh(z)", r"\tanh'(z)", Verdict.PROVED),
    (r"\sigma'(z)", r"\sigma(z)", Verdict.REFUTED),
    # e^a e^b = e^{a + b}, not e^{a b}; 1 / (1 + e^{z}) is sigma(-z)
    (r"e^{a} e^{b}", r"e^{a + b}", Verdict.PROVED),
    (r"e^{a} e^{b}", r"e^{a b}", Verdict.REFUTED),
    (r"\frac{1}{1 + e^{z}}", r"\sigma(-z)", Verdict.PROVED),
    # d/dx ||x||^2 = 2 x^T; ||A||_F^2 = tr(A A^T); <x, w> = w^T x
    (r"\frac{\partial}{\partial x} \|x\|^2", "2 x^T", Verdict.PROVED),
    (r"\frac{\partial}{\partial x} \|x\|_2^2", "x^T", Verdict.REFUTED),
    (r"\|A\|_F^2", r"\operatorname{tr}(A A^T)", Verdict.PROVED),
    (r"\langle x, w \rangle", "w^T x", Verdict.PROVED),
    (r"\|x + w\|^2", r"\|x\|^2 + \|w\|^2", Verdict.REFUTED),
    # \times between scalars
    (r"a \times (b + 1)", "a b + a", Verdict.PROVED),
    (r"a \times (b + 1)", "a b + 1", Verdict.REFUTED),
    # indicators and max: 1{a > b} (a - b) = max{a - b, 0} (both 0 at a = b)
    (r"\mathbb{I}\{a > b\} (a - b)", r"\max\{a - b, 0\}", Verdict.PROVED),
    (r"\max\{a, b\}", r"\max(b, a)", Verdict.PROVED),
    (r"\mathbb{1}\{a > b\}", r"\mathbb{1}\{b > a\}", Verdict.REFUTED),
]


@pytest.mark.parametrize(("lhs", "rhs", "verdict"), CLAIMS)
def test_claim_verdicts(lhs: str, rhs: str, verdict: Verdict) -> None:
    body = SYMBOLS + f"[[claim]]\nid = \"c\"\nlhs = '''{lhs}'''\nrhs = '''{rhs}'''\n"
    (entry,) = parse(body).entries
    assert entry.claim is not None, entry.problem
    assert decide(entry.claim, timeout=60).verdict is verdict


# -- graded as a TA would: the same forms in a submission ----------------------------------------------

SUBMISSIONS = {
    # right, in bold and with the other transposes (numerator layout; by hand: dy/dx = A,
    # d(y^T A x)/dx = y^T A, d(y^T A x)/dy = (A x)^T = x^T A^T, d(y^T x)/dz = x^T y' + y^T x')
    "bold-right": r"""
## pd.linear
$$\frac{\partial \mathbf{y}}{\partial \mathbf{x}} = \mathbf{A}$$
## pd.bilinear-x
$$\frac{\partial \alpha}{\partial \mathbf{x}} = \mathbf{y}^\intercal \mathbf{A}$$
## pd.bilinear-y
$$\frac{\partial \alpha}{\partial \boldsymbol{y}} = \boldsymbol{x}' \boldsymbol{A}'$$
## pd.product
$$\frac{\partial \alpha}{\partial \mathbf{z}} = \mathbf{x}^{\mathsf{T}} \frac{\partial \mathbf{y}}{\partial \mathbf{z}}
  + \mathbf{y}^{\mathrm{T}} \frac{\partial \mathbf{x}}{\partial \mathbf{z}}$$
""",
    # wrong, in the same notation: A^T y is the denominator-layout column where numerator layout
    # asks for the row y^T A; the product rule without its second term y^T dx/dz
    "bold-wrong": r"""
## pd.bilinear-x
$$\frac{\partial \alpha}{\partial \mathbf{x}} = \mathbf{A}^\mathsf{T} \mathbf{y}$$
## pd.product
$$\frac{\partial \alpha}{\partial \mathbf{z}}
  = \mathbf{x}^{\mathsf{T}} \frac{\partial \mathbf{y}}{\partial \mathbf{z}}$$
""",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import grade_files

    folder = tmp_path_factory.mktemp("notation")
    files = []
    for name, text in SUBMISSIONS.items():
        files.append(folder / f"{name}.md")
        files[-1].write_text(text, encoding="utf-8")
    hw1 = load_assignment("hw1")
    return {Path(g.file).stem: {q.id: q for q in g.questions} for g in grade_files(hw1, files)}


def test_a_bold_submission_is_graded_as_its_plain_twin(graded: dict[str, dict[str, object]]) -> None:
    from verify.grading.grades import Mark

    right, wrong = graded["bold-right"], graded["bold-wrong"]
    for qid in ("pd.linear", "pd.bilinear-x", "pd.bilinear-y", "pd.product"):
        assert right[qid].verdict is Mark.CORRECT, (qid, right[qid].feedback)  # type: ignore[attr-defined]
    for qid in ("pd.bilinear-x", "pd.product"):
        assert wrong[qid].verdict is Mark.INCORRECT, (qid, wrong[qid].feedback)  # type: ignore[attr-defined]


def test_a_bold_identity_is_the_identity() -> None:
    # \mathbf{I} (and \boldsymbol{I}) is how many students write the identity matrix: I, sized by
    # context; a declared name wins (NAME is matched before the identity).
    from verify import matrix, scalar, vector
    from verify.model.symbols import Symbols
    from verify.reading.latex import LatexReader

    read = LatexReader(Symbols.of([matrix("A", "n", "n"), vector("x", "n"), scalar("a")])).read
    assert read(r"(\mathbf{I} - a A) x") == read(r"(I - a A) x")
    assert read(r"\boldsymbol{I}_n x") == read(r"I_n x")
    assert read(r"(\mathbf{I} - a A) x") != read(r"(a A) x")


def test_nabla_of_a_defined_function_at_its_variable() -> None:
    # quad.gradient defines h(x) = 1/2 x^T Q x + x^T c + b, a function of its one parameter x: \nabla h(x)
    # and a bare \nabla h are the gradient by x, as \nabla_x h(x) is; \nabla h(c) is that gradient at
    # x = c (taken first, then evaluated), not the gradient of h(c), which is constant in x.
    from verify.grading.assignment import load_assignment
    from verify.grading.derivation import reader
    from verify.model.expr import At, Var

    question = {q.id: q for q in load_assignment("hw1").questions}["quad.gradient"]
    read = reader(question).read
    assert read(r"\nabla h(x)") == read(r"\nabla_x h(x)")
    assert read(r"\nabla h") == read(r"\nabla_x h(x)")
    assert read(r"\nabla^2 h(x)") == read(r"\nabla^2_x h(x)")
    assert read(r"\nabla h(c)") == At(read(r"\nabla_x h(x)"), ((Var("x"), Var("c")),))
    assert read(r"h(c)") == At(read("h(x)"), ((Var("x"), Var("c")),))
    with pytest.raises(ShapeError):
        read(r"\nabla h(b)")  # b is a scalar, h's argument a vector


def test_a_defined_function_at_a_point_is_its_value_there() -> None:
    # beale.stationary defines f(x_1, x_2) (the Beale function) and x^t = (0, 1). f(0, 1) is f at
    # x_1 = 0, x_2 = 1 (= 1.5^2 + 2.25^2 + 2.625^2 = 14.203125, by hand), never f times the vector
    # (0, 1); f(x^t) is the same point; \nabla f(0, 1) is the column (df/dx_1, df/dx_2) taken first and
    # evaluated at the point after (= (0, 0): every factor x_2^k - 1 and x_1 vanishes there).
    from verify.grading.assignment import load_assignment
    from verify.grading.derivation import reader
    from verify.model.expr import At, Derivative, MatrixLit, Var

    question = {q.id: q for q in load_assignment("hw1").questions}["beale.stationary"]
    read = reader(question).read
    f = read("f")
    # the question's own names for x_1, x_2 (the Python module names them x1, x2; the file x_1, x_2)
    x1, x2 = (next(n for n, s in question.symbols.items() if (s.latex or n) == spelled) for spelled in ("x_1", "x_2"))
    point = ((Var(x1), Const(0)), (Var(x2), Const(1)))
    assert read("f(0, 1)") == At(f, point)
    assert read("f(x^t)") == read("f(0, 1)") == read(r"f\left(0, 1\right)")
    assert read("f(x_1, x_2)") == f
    gradient = MatrixLit(((Derivative(f, (Var(x1),)),), (Derivative(f, (Var(x2),)),)))
    assert read(r"\nabla f") == read(r"\nabla f(x_1, x_2)") == gradient
    assert read(r"\nabla f(0, 1)") == read(r"\nabla f(x^t)") == At(gradient, point)
    assert read(r"f \cdot (0, 1)") != read("f(0, 1)")  # a written product stays a product
    with pytest.raises(UnsupportedError, match="takes 2 arguments"):
        read("f(0, 1, 2)")


def test_a_gradient_step_written_with_nabla_h_x_is_checked(tmp_path) -> None:
    # By hand: grad(1/2 x^T Q x + x^T c + b) = 1/2 (Q + Q^T) x + c (a true step), = Q x + c for Q
    # symmetric (the answer, right). Before, the first step was "not checked" (\nabla h(x) unread).
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import grade_files
    from verify.grading.grades import Mark, StepStatus

    path = tmp_path / "s.md"
    path.write_text("## quad.gradient\n$$\\nabla h(x) = \\frac{1}{2}(Q + Q^T) x + c = Q x + c$$\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    q = {g.id: g for g in grade.questions}["quad.gradient"]
    assert q.verdict is Mark.CORRECT
    assert q.steps[0].status is StepStatus.FOLLOWS, q.steps


def test_subscript_partials_of_a_function_declared_of_scalars() -> None:
    # hessian.matrix declares psi of(u, v, z): psi_{uv} is d^2 psi / du dv, psi_u is d psi / du (the
    # subscript notation of the Hessian written entry by entry); a letter psi is not a function of
    # (psi_{uw}) or three of them (psi_{uvz}, a third derivative) are not read as partials.
    from verify.grading.assignment import load_assignment
    from verify.grading.derivation import reader

    question = {q.id: q for q in load_assignment("hw1").questions}["hessian.matrix"]
    read = reader(question).read
    assert read(r"\psi_{uv}") == read(r"\frac{\partial^2 \psi}{\partial u \partial v}")
    assert read(r"\psi_{u, v}") == read(r"\psi_{u v}") == read(r"\psi_{uv}")
    assert read(r"\psi_u") == read(r"\frac{\partial \psi}{\partial u}")
    assert read(r"\psi_{zz}") == read(r"\frac{\partial^2 \psi}{\partial z^2}")
    assert read(r"\psi_{uv}") != read(r"\psi_{uu}")
    for text in (r"\psi_{uw}", r"\psi_{uvz}"):
        with pytest.raises(VerifyError):
            read(text)
    # and not where the function is not declared of those letters
    plain = reader_of({r"\psi": "scalar", "u": "scalar", "v": "scalar"})
    with pytest.raises(VerifyError):
        plain.read(r"\psi_{uv}")


# -- matrices written with dots -----------------------------------------------------------------

DOTS_DECLARED = {"z_1": "vector(D_a1)", "x": "vector(n)", "a": "scalar", "b": "scalar"}


@pytest.mark.parametrize(("written", "plain"), [
    # the seed solution's: diagonal entries I(z_1 i > 0), i = 1, 2, ..., D_{a1}: diag(I(z_1 > 0))
    (r"\begin{bmatrix} I(z_1 1 > 0) & 0 & \dots & 0 \\ 0 & I(z_1 2 > 0) & \dots & 0 \\ 0 & 0 & \ddots & 0 \\"
     r" 0 & 0 & \dots & I(z_1, D_{a1} > 0) \end{bmatrix}", r"\operatorname{diag}(I(z_1 > 0))"),
    # blank entries off the diagonal, a letter k the question gives no meaning as the last index
    (r"\begin{bmatrix} I(z_{1,1} > 0) & & \\ & \ddots & \\ & & I(z_{1,k} > 0) \end{bmatrix}",
     r"\operatorname{diag}(I(z_1 > 0))"),
    (r"\begin{pmatrix} \sigma'(z_{1,1}) & 0 & \cdots & 0 \\ \vdots & \ddots & & \vdots \\"
     r" 0 & \cdots & 0 & \sigma'(z_{1,D_{a1}}) \end{pmatrix}", r"\operatorname{diag}(\sigma'(z_1))"),
    # a column and a row, entry i written x_i, x_{i}, x[i], (x)_i
    (r"\begin{bmatrix} x_{1} \\ x_{2} \\ \vdots \\ x_{n} \end{bmatrix}", "x"),
    (r"\begin{bmatrix} x[1] \\ \vdots \\ x[n] \end{bmatrix}", "x"),
    (r"\begin{bmatrix} (x)_1 & \cdots & (x)_n \end{bmatrix}", "x^T"),
])
def test_a_matrix_with_dots_reads_as_the_pattern_its_entries_fix(written: str, plain: str) -> None:
    read = reader_of(DOTS_DECLARED).read
    assert read(written) == read(plain)


@pytest.mark.parametrize(("written", "words"), [
    (r"\begin{bmatrix} a & \dots & b \end{bmatrix}", "do not differ in one index"),  # no index
    (r"\begin{bmatrix} x_1 & 1 \\ \vdots & \\ x_n & 0 \end{bmatrix}", "diagonal"),  # not a pattern read
    (r"\begin{bmatrix} z_{1,1} & \cdots & z_{1,5} \end{bmatrix}", "last index is 5"),  # z_1 has D_a1 entries
    (r"\begin{bmatrix} x_1 & 0 \\ 1 & \ddots \end{bmatrix}", "diagonal"),  # an entry off the diagonal is not 0
    (r"x_1 + \dots + x_n", "only inside a matrix"),
    # a x_i + b is a x + b 1 (b added to every entry): the template a x + b is not read, so refused
    (r"\begin{bmatrix} a x_1 + b \\ \vdots \\ a x_n + b \end{bmatrix}", "cannot be read"),
    # n is x's size here, not z_1's
    (r"\begin{bmatrix} I(z_{1,1} > 0) & \\ & \ddots \\ & & I(z_{1,n} > 0) \end{bmatrix}", "diagonal|last index"),
])
def test_dots_that_fix_no_pattern_are_refused(written: str, words: str) -> None:
    with pytest.raises(UnsupportedError, match=words):
        reader_of(DOTS_DECLARED).read(written)


@pytest.mark.parametrize(("written", "plain"), [
    # \partial_x f as \frac{\partial}{\partial x} f; \mathrm d without braces as the differential
    (r"\partial_x (x^T w)", r"\frac{\partial}{\partial x} x^T w"),
    (r"\partial_{x} x^T A x", r"\frac{\partial x^T A x}{\partial x}"),
    (r"\partial_{\mathbf{x}} \mathbf{x}^T \mathbf{w}", r"\frac{\partial x^T w}{\partial x}"),
    (r"\frac{\mathrm d f}{\mathrm d z}", r"\frac{\partial f}{\partial z}"),
    (r"\frac{\mathrm{d} f}{\mathrm{d} z}", r"\frac{\partial f}{\partial z}"),
])
def test_derivative_spellings(written: str, plain: str) -> None:
    assert read(written) == read(plain)


@pytest.mark.parametrize("written", [r"\operatorname{sign}(a)", r"\operatorname{sgn}(a)", r"\mathrm{sign}(a)",
                                     r"\sgn(a)", r"\sign\left(a\right)"])
def test_sign_is_the_difference_of_two_indicators(written: str) -> None:
    # sign(a) = 1 for a > 0, -1 for a < 0, 0 at 0: I(a > 0) - I(a < 0), both strict (so 0 at 0)
    assert read(written) == read(r"\mathbb{1}[a > 0] - \mathbb{1}[a < 0]")
    assert read(written) != read(r"\mathbb{1}[a \geq 0] - \mathbb{1}[a < 0]")  # 1 at 0: not sign


def test_a_number_added_to_a_vector_is_unreadable_not_ill_formed() -> None:
    # In a submission, 1 + sign(z_1) means every entry plus 1 (numpy's broadcast): a notation the
    # model has no word for. It is refused as unreadable (the answer goes to review), never read
    # as an ill-formed sum, which would mark a right answer wrong.
    from verify.grading.assignment import load_assignment
    from verify.grading.derivation import reader

    question = {q.id: q for q in load_assignment("hw1").questions}["bp.da1-dz1"]
    with pytest.raises(UnsupportedError, match="a number added to a vector"):
        reader(question).read(r"\frac{1 + \operatorname{sign}(z_1)}{2}")


@pytest.mark.parametrize(("written", "plain"), [
    # the Hessian of psi(u, v, z) with its middle row elided: the written rows fix it (by hand, row v
    # is psi_vu, psi_vv, psi_vz); a written entry keeps what is written, even a wrong one
    (r"\begin{bmatrix} \psi_{uu} & \psi_{uv} & \psi_{uz} \\ \vdots & \ddots & \vdots \\"
     r" \psi_{zu} & \psi_{zv} & \psi_{zz} \end{bmatrix}",
     r"\begin{bmatrix} \psi_{uu} & \psi_{uv} & \psi_{uz} \\ \psi_{vu} & \psi_{vv} & \psi_{vz} \\"
     r" \psi_{zu} & \psi_{zv} & \psi_{zz} \end{bmatrix}"),
    (r"\begin{bmatrix} \psi_{uu} & \cdots & \psi_{uz} \\ \vdots & \ddots & \vdots \\"
     r" \psi_{zu} & \cdots & -\psi_{zz} \end{bmatrix}",
     r"\begin{bmatrix} \psi_{uu} & \psi_{uv} & \psi_{uz} \\ \psi_{vu} & \psi_{vv} & \psi_{vz} \\"
     r" \psi_{zu} & \psi_{zv} & -\psi_{zz} \end{bmatrix}"),
    # the corner written d^2 psi/du^2: the template is another entry, d^2 psi / du dv
    (r"\begin{bmatrix} \frac{\partial^2 \psi}{\partial u^2} & \frac{\partial^2 \psi}{\partial u \partial v} &"
     r" \frac{\partial^2 \psi}{\partial u \partial z} \\ \vdots & \ddots & \vdots \\"
     r" \frac{\partial^2 \psi}{\partial z \partial u} & \frac{\partial^2 \psi}{\partial z \partial v} &"
     r" \frac{\partial^2 \psi}{\partial z^2} \end{bmatrix}",
     r"\begin{bmatrix} \psi_{uu} & \psi_{uv} & \psi_{uz} \\ \psi_{vu} & \psi_{vv} & \psi_{vz} \\"
     r" \psi_{zu} & \psi_{zv} & \psi_{zz} \end{bmatrix}"),
])
def test_a_matrix_of_known_size_with_dots_is_written_out(written: str, plain: str) -> None:
    from verify.grading.assignment import load_assignment
    from verify.grading.derivation import reader

    read_h = reader({q.id: q for q in load_assignment("hw1").questions}["hessian.matrix"]).read
    assert read_h(written) == read_h(plain)


def test_a_diagonal_matrix_to_a_symbolic_power_is_the_power_of_its_entries() -> None:
    # quad.closed-form in matrix form: V (I - alpha Lambda)^k xhat^0 with Lambda = diag(lambda_1,
    # lambda_2): (I - alpha Lambda)^k = diag((1 - alpha lambda_1)^k, (1 - alpha lambda_2)^k) by hand,
    # and that is the sum over i of (1 - alpha lambda_i)^k xhat_i^0 v_i, the reference answer.
    from verify.grading.assignment import load_assignment
    from verify.grading.derivation import reader

    read_q = reader({q.id: q for q in load_assignment("hw1").questions}["quad.closed-form"]).read
    assert read_q(r"(I - \alpha \Lambda)^k") == read_q(
        r"\begin{bmatrix} (1 - \alpha \lambda_1)^k & 0 \\ 0 & (1 - \alpha \lambda_2)^k \end{bmatrix}")
    with pytest.raises(UnsupportedError, match="diagonal"):
        read_q("V^k")  # not diagonal: not read (never guessed)


def test_zero_added_to_a_vector_is_the_zero_vector() -> None:
    # x^t - alpha 0 (the gradient 0 substituted): 0 there is the zero vector, as every reader takes it
    from verify.grading.assignment import load_assignment
    from verify.grading.derivation import reader

    read_b = reader({q.id: q for q in load_assignment("hw1").questions}["beale.stationary"]).read
    from verify.model.expr import Zero

    e = read_b(r"x^t - \alpha \cdot 0")
    assert [type(t) for t in e.children()][-1] is Zero and e.children()[-1].shape == Shape(2, 1)
    with pytest.raises(UnsupportedError, match="a number added to a vector"):
        read_b("x^t + 1")


def test_a_function_of_a_defined_vector_at_its_own_argument() -> None:
    # reg.expand defines w := (w_1, w_2) and R(w) := w^T S w: R(\mathbf{w}) is R(w), never R times the
    # vector w (a 2 x 1 "R(w)" made a right step fail for its shape); R elsewhere is refused.
    from verify.grading.assignment import load_assignment
    from verify.grading.derivation import reader

    read_r = reader({q.id: q for q in load_assignment("hw1").questions}["reg.expand"]).read
    assert read_r(r"R(\mathbf{w})") == read_r("R(w)") == read_r("R")
    question = {q.id: q for q in load_assignment("hw1").questions}["reg.expand"]
    assert shape_of(read_r(r"R(\mathbf{w})"), question.symbols).is_scalar
    with pytest.raises(UnsupportedError, match="defined at w only"):
        read_r("R(2)")


def test_softmax_reads_as_the_quotient_it_is() -> None:
    # softmax(z) = exp(z) / sum_i exp(z_i); its Jacobian (numerator layout) is diag(p) - p p^T, by
    # hand: d p_i / d z_j = p_i (delta_ij - p_j). At z = 0 (k = 2) p = (1/2, 1/2), so the Jacobian
    # is [[1/4, -1/4], [-1/4, 1/4]], not diag(p) = [[1/2, 0], [0, 1/2]].
    from verify.deciding.engine import decide
    from verify.model import Apply, Div, Equality, Symbols, Var, Verdict, matrix, vector
    from verify.reading import LatexReader

    symbols = Symbols.of([vector("z", "k"), matrix("M", "k", "k")])
    reader = LatexReader(symbols, defines={"p": LatexReader(symbols).read(r"\operatorname{softmax}(z)")})
    z = Var("z")
    quotient = Div(Apply("exp", z), Apply("tr", Apply("diag", Apply("exp", z))))
    assert reader.read(r"\operatorname{softmax}(z)") == quotient
    assert reader.read(r"\mathrm{softmax}\left(z\right)") == reader.read("p")

    def verdict(lhs: str, rhs: str) -> Verdict:
        claim = Equality(id="s", statement="", symbols=symbols, lhs=reader.read(lhs), rhs=reader.read(rhs))
        return decide(claim, timeout=60).verdict

    assert verdict(r"\operatorname{tr}(\operatorname{diag}(p))", "1") is Verdict.PROVED
    assert verdict(r"\frac{\partial p}{\partial z}", r"\operatorname{diag}(p)") is Verdict.REFUTED
    assert verdict(r"\frac{\partial p}{\partial z}", r"\operatorname{diag}(p) - p p^T") is Verdict.PROVED
    with pytest.raises(ShapeError):
        reader.read(r"\operatorname{softmax}(M)")
