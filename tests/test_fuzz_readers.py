"""Fuzzing the readers (issue #5): whatever text arrives, the only exception that may leave the
LaTeX reader, the chain splitter, the Markdown reader or ``decode_submission`` is the project's own
:class:`~verify.errors.VerifyError`, and no input takes long.

Texts are drawn from the notation's own tokens (so that the grammar is exercised deep inside,
not refused at the first character), mixed with arbitrary unicode. ``deadline`` makes any one
example that takes over two seconds a failure; the example counts keep the file to seconds.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.errors import VerifyError
from verify.grading.assignment import load_assignment
from verify.grading.grade import plan
from verify.model.symbols import Symbols, parse_declaration
from verify.reading.chain import split_chain
from verify.reading.latex import LatexReader, read_latex
from verify.reading.markdown import decode_submission, read_submission

SYMBOLS = Symbols.of([
    parse_declaration("x", "vector(n)"), parse_declaration("A", "matrix(n, n)"), parse_declaration("a", "scalar"),
    parse_declaration("b", "scalar"), parse_declaration(r"\alpha", "scalar"), parse_declaration("W_1", "matrix(m, n)"),
    parse_declaration("v_1", "vector(n)"), parse_declaration("v_2", "vector(n)"), parse_declaration("c_1", "scalar"),
    parse_declaration("c_2", "scalar"), parse_declaration("t", "scalar"), parse_declaration("y", "vector(n), of(t)"),
])
#: The grader's reader: index sums and numbers as multiples of I on.
GRADER = LatexReader(SYMBOLS, index_sums=True, numbers_as_identity=True)

TOKENS = [
    "x", "A", "a", "b", r"\alpha", "W_1", "v_1", "v_2", "v_i", "c_i", "c_1", "t", "y", "i", "I", "I_n", "d",
    "1", "2", "0.5", "1000", "-", "+", "^", "_", "{", "}", "(", ")", "[", "]", r"\{", r"\}", "|", "&", r"\\", ",",
    "=", "'", "*", r"\frac", r"\partial", r"\nabla", r"\sum_i", r"\sum_{i=1}^{2}", r"\log", r"\exp", r"\sigma",
    r"\tanh", r"\sqrt", r"\det", r"\operatorname{tr}", r"\operatorname{diag}", r"\mathrm{d}", r"\max", "max",
    r"\left(", r"\right)", r"\left|", r"\right|", r"\lvert", r"\rvert", r"\begin{bmatrix}", r"\end{bmatrix}",
    r"\begin{pmatrix}", r"\end{pmatrix}", r"\begin{aligned}", r"\end{aligned}", "^T", "^{-1}", "^{-T}", r"^\top",
    "^{2}", r"\cdot", r"\odot", r"\,", r"\quad", r"\Rightarrow", r"\implies", r"\hat{y}", r"\input", r"\def",
    r"\write18", r"\catcode", " ", "\n", "\\", "\u0430", "\uff41", "\u03b1", "\x00", "\u200b", "\udcff",
]
token_soup = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), max_size=50).map("".join)


ATOMS = ["x", "A", "a", "b", r"\alpha", "W_1", "v_1", "v_2", "c_1", "t", "y", "1", "2", "0.5", "I", "0"]
#: The notation's forms around smaller expressions: (arity, template). Building from a list of
#: numbers (below) instead of st.recursive keeps generation cheap: the time goes to reading.
FORMS: list[tuple[int, str]] = [
    (2, "{0} + {1}"), (2, "{0} - {1}"), (2, "{0} {1}"), (2, r"{0} \cdot {1}"), (2, r"{0} \odot {1}"),
    (1, "({0})"), (1, "{{{0}}}^T"), (1, "{{{0}}}^{{-1}}"), (1, "({0})^{{2}}"), (1, "-{0}"),
    (2, r"\frac{{{0}}}{{{1}}}"), (2, r"\frac{{\partial {0}}}{{\partial {1}}}"), (1, r"\frac{{d}}{{d t}} {0}"),
    (1, r"\nabla_x {0}"), (1, r"\nabla^2_x {0}"), (1, r"\log({0})"), (1, r"\sigma({0})"), (1, r"\sqrt{{{0}}}"),
    (1, r"\operatorname{{tr}}({0})"), (1, r"\det({0})"), (1, r"\operatorname{{diag}}({0})"), (1, "|{0}|"),
    (2, r"\max({0}, {1})"), (2, r"\begin{{bmatrix}} {0} & {1} \\ {1} & {0} \end{{bmatrix}}"),
    (1, r"\sum_i c_i v_i {0}"), (1, r"\sum_{{i=1}}^{{2}} v_i^T {0}"), (2, "{0} = {1}"),
]


def _build(codes: list[int], depth: int = 0) -> str:
    """An expression read off ``codes`` (consumed from the end): a form, then its operands."""
    if not codes:
        return "x"
    code = codes.pop()
    if depth >= 4 or code % 3 == 0:
        return ATOMS[code % len(ATOMS)]
    arity, template = FORMS[code % len(FORMS)]
    return template.format(*(_build(codes, depth + 1) for _ in range(arity)))


expressions = st.lists(st.integers(0, 10_000), max_size=30).map(lambda codes: _build(list(codes)))
#: a well-formed-looking expression with one token dropped in somewhere
mutated = st.tuples(expressions, st.integers(0, 400), st.sampled_from(TOKENS)).map(
    lambda p: p[0][:p[1]] + p[2] + p[0][p[1]:])
latex_texts = st.one_of(expressions, mutated, token_soup)

FUZZ = settings(max_examples=300, deadline=2000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _only_our_errors(read: object, text: object) -> None:
    try:
        read(text)  # type: ignore[operator]
    except VerifyError:
        pass


@FUZZ
@given(latex_texts)
def test_the_latex_reader_raises_only_its_own_errors(text: str) -> None:
    _only_our_errors(lambda t: read_latex(t, SYMBOLS), text)
    _only_our_errors(GRADER.read, text)
    _only_our_errors(lambda t: read_latex(t, SYMBOLS, layout="denominator"), text)


@FUZZ
@given(latex_texts)
def test_the_chain_splitter_raises_only_its_own_errors(text: str) -> None:
    try:
        chains = split_chain(text)
    except VerifyError:
        return
    for chain in chains:  # every piece is a part of the text, where it says
        for piece in chain:
            assert text[piece.offset:].startswith(piece.latex)


QUESTION_IDS = ["pd.linear", "pd.inverse", "quad.gradient", "beale.convex", "reg.expand", "nope", "pd.linear"]
_math = st.one_of(
    st.lists(expressions, min_size=1, max_size=4).map(" = ".join),  # a chain of steps
    st.tuples(expressions, expressions, expressions).map(lambda e: rf"{e[0]} = {e[1]} \Rightarrow {e[2]}"),
    st.lists(mutated, min_size=1, max_size=3).map(" = ".join),
).map(lambda t: t.replace("$", ""))
_prose = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
_front = st.one_of(
    st.just(""),
    st.just("---\nstudent: ada\n---\n"),
    st.sampled_from(["student: &a [*a]", "student: !!python/object/apply:os.system ['true']", "student: [[[[",
                     "a: 1\nb: 2", "student: 12", "student: \"\\e[2J\"", "- x\n- y", "", "student: \u00e9"])
    .map(lambda t: f"---\n{t}\n---\n"),
)
_block = st.one_of(
    _math.map(lambda m: f"\n$${m}$$\n"),
    _math.map(lambda m: f"inline ${m}$ math "),
    _math.map(lambda m: f"\n\\[{m}\\]\n"),
    _math.map(lambda m: f"\n```\n{m}\n```\n"),
    _prose,
    st.sampled_from(["# h1\n", "> quote $a$\n", "- item $x$\n", "<b>$A$</b>", "\\$5 and \\$6", "$$", "$",
                     "\n## \n", "\n##pd.linear\n", "\n## Q pd.inverse: a title\n"]),
)
_section = st.tuples(st.sampled_from(QUESTION_IDS), st.lists(_block, max_size=4)).map(
    lambda p: f"\n## {p[0]}\n" + "".join(p[1]))
markdown_texts = st.tuples(
    _front, st.lists(_block, max_size=2).map("".join), st.lists(_section, max_size=5).map("".join),
    st.one_of(st.just(""), st.just(""), st.just(""), st.text(max_size=3)),  # now and then a control character
).map("".join)

HW1 = load_assignment("hw1")


@settings(max_examples=150, deadline=2000, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(markdown_texts)
def test_the_markdown_reader_and_the_grading_plan_raise_only_our_errors(text: str) -> None:
    try:
        submission = read_submission(text, "fuzz.md", "fuzz", HW1.ids)
    except VerifyError:
        return
    assert set(submission.sections) <= HW1.ids
    for q in HW1.questions:  # reading every answer and step: errors are kept as feedback, never raised
        plan(q, submission.sections.get(q.id))


@settings(max_examples=200, deadline=2000, database=None)
@given(st.binary(max_size=300))
def test_decoding_arbitrary_bytes_raises_only_our_errors(raw: bytes) -> None:
    try:
        text = decode_submission(raw, "fuzz.md")
    except VerifyError:
        return
    _only_our_errors(lambda t: read_submission(t, "fuzz.md", "fuzz", HW1.ids), text)
