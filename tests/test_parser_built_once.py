"""The LaTeX reader analyses its grammar once (issue 15): every symbol table shares one LALR
parser and, state by state, one compiled scanner; only NAME, the declared spellings, is its
own. What is read stays exactly what Lark reads with NAME's pattern edited into the grammar,
as the reader used to build it for each table: the same tokens, trees and errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sympy
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternRE
from lark.parsers import lalr_analysis

from verify.errors import UndeclaredName, UnsupportedError, VerifyError
from verify.model.expr import Add, Apply, Const, Max, Product, Transpose, Var
from verify.model.symbols import Symbols, parse_declaration
from verify.reading import latex
from verify.reading.errors import LatexSyntaxError, UnknownMacro
from verify.reading.latex import LatexReader, read_latex


def table(**declared: str) -> Symbols:
    return Symbols.of([parse_declaration(k.replace("__", "\\"), v) for k, v in declared.items()])


#: Tables whose spellings differ: one splits Ax, one declares it whole, one shadows \sigma, d, e
#: and the letters of max, one declares decorated names (their spellings may hold spaces).
TABLES = {
    "split": table(A="matrix(n, n)", x="vector(n)", y="vector(n)", t="scalar"),
    "whole": table(A="matrix(n, n)", x="vector(n)", Ax="vector(n)"),
    "shadow": {**table(m="scalar", a="scalar", x="scalar", d="scalar", e="scalar"),
               **table(__sigma="scalar")},
    "decorated": {**table(W_1="matrix(n, n)", x_1="vector(n)", z="vector(n)"),
                  **Symbols.of([parse_declaration(r"\hat{y}", "vector(n)"),
                                parse_declaration(r"\mathbf{v}", "vector(n)")])},
}

#: Texts for every table: good ones, names each table does or does not declare, and every
#: kind of error (undeclared, unknown command, \sign without brackets, a stray character,
#: unbalanced brackets, the end too early), some over several lines.
TEXTS = [
    "Ax", "A x", "A^T x + y", "x^T A x", r"\frac{d}{dt} x", "max(a, x)", "m a x", "max(A x, x)",
    r"\sigma(x)", r"\sigma x", "e^{x}", "e x", "d x", "d", "W_1 x_1", "W_{1}^T z", r"\hat{y} + z",
    r"\hat {y}", "\\hat{\n y} + z", "\\mathbf{v}^T\n\\mathbf{v}", r"\|x\|_2", r"\log x + 1",
    r"\operatorname{tr}(A)", r"\fraq{A}{2}", r"\sign x", r"\sign(x)", "A ? x", "A y", "q", "(A x",
    "A x)", r"\left( x \right]", "x +", "x \u0445", r"\begin{bmatrix} 1 & 2 \end{bmatrix}",
    r"\sum_i x", "A^{-1} x", r"\frac{\partial x}{\partial t}", "Ax\n+\ny", "}", r"\input{x}",
]


def reference(symbols: Any) -> Lark:
    """The parser as the reader built it before: the whole grammar analysed with NAME's pattern."""
    pattern = LatexReader(symbols).spellings.pattern

    def edit(terminal: Any) -> None:
        if terminal.name == "NAME" and pattern is not None:
            terminal.pattern = PatternRE(pattern)

    return Lark(latex.GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False, edit_terminals=edit, lexer_callbacks=latex._LEXER_CALLBACKS)


def tokens(tree: Tree[Token]) -> list[tuple[object, ...]]:
    return [(t.type, str(t), t.start_pos, t.end_pos, t.line, t.column, t.end_line, t.end_column)
            for t in tree.scan_values(lambda v: isinstance(v, Token))]


def outcome(parse: Any, text: str) -> tuple[object, ...]:
    """Everything a parse gives: the tree and its tokens, or the error and where it stands."""
    try:
        tree = parse(text)
    except latex._Lexed as refused:
        t = refused.token
        return ("lexed", t.type, str(t), t.start_pos, t.line, t.column)
    except UnexpectedInput as err:
        found: tuple[object, ...] = (type(err).__name__, err.pos_in_stream, err.line, err.column)
        if isinstance(err, UnexpectedToken):
            t = err.token
            found += (t.type, str(t), t.start_pos, frozenset(err.expected),
                      [str(v) for v in err.interactive_parser.parser_state.value_stack if isinstance(v, Token)])
        if isinstance(err, UnexpectedCharacters):
            found += (frozenset(err.allowed),)
        return found
    return ("tree", plain(tree), tokens(tree))


def plain(tree: Any) -> object:
    """A tree as nested tuples of rule names and token texts: a rule's name is a Token in a grammar
    lark analysed and a str in one read back from the cache (verify.reading.grammar_cache), equal
    text either way, which is all the reader reads of it."""
    if isinstance(tree, Tree):
        return (str(tree.data), tuple(plain(c) for c in tree.children))
    return (type(tree).__name__, getattr(tree, "type", None), str(tree))


def reading(reader: LatexReader, text: str) -> object:
    try:
        return reader.read(text)
    except VerifyError as err:
        return (type(err).__name__, err.message, err.position.offset if err.position else None)


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the LALR analyses made from now on, with the grammar not yet analysed."""
    calls: list[int] = []
    compute = lalr_analysis.LALR_Analyzer.compute_lalr

    def counted(self: Any) -> None:
        calls.append(1)
        compute(self)

    monkeypatch.setattr(lalr_analysis.LALR_Analyzer, "compute_lalr", counted)
    monkeypatch.setattr(latex, "_GRAMMAR", [])
    latex._parser.cache_clear()
    yield calls
    latex._parser.cache_clear()  # the parsers built on the grammar the fixture analysed


def test_many_symbol_tables_share_one_grammar_analysis(analyses: list[int]) -> None:
    readers = [LatexReader(symbols) for symbols in TABLES.values()]
    readers.append(LatexReader(table(B="matrix(m, n)", u="vector(n)")))
    for reader in readers:
        first = next(iter(reader.symbols))
        assert reader.read(first) == Var(first)
    assert len({r.spellings.pattern for r in readers}) == len(readers)  # five sets of spellings
    assert len(analyses) == 1
    assert len({id(r.parser.parser) for r in readers}) == 1  # the same LALR parser, its table
    assert len({id(r.parser.lexer) for r in readers}) == len(readers)  # a lexer per set
    assert readers[0].parser.parser is latex._grammar().parser.parser


def test_the_states_scanners_are_compiled_once_for_all_tables() -> None:
    one, two = LatexReader(TABLES["split"]), LatexReader(TABLES["decorated"])
    assert one.read("A x + y") == Add((Product((Var("A"), Var("x"))), Var("y")))
    assert two.read("W_1 x_1 + z") == Add((Product((Var("W_1"), Var("x_1"))), Var("z")))
    made = [lexer for reader in (one, two) for lexer in reader.parser.lexer.lexers.values()
            if isinstance(lexer, latex._SpelledLexer)]
    assert len(made) > 2 and len({id(lexer.shared) for lexer in made}) == 1  # one scanner for every state
    shared = [s for s, lexer in one.parser.lexer.lexers.items() if lexer._scanner is not None
              and two.parser.lexer.lexers[s]._scanner is not None]
    for state in shared:  # a state's own, where one was needed: the grammar's, for every table
        assert one.parser.lexer.lexers[state].scanner is two.parser.lexer.lexers[state].scanner


def _states() -> list[Any]:
    contextual = latex._grammar().parser.lexer
    return list({id(lexer): lexer for lexer in [*contextual.lexers.values(), contextual.root_lexer]}.values())


def _scanned_texts() -> list[str]:
    """TEXTS, and every literal terminal of the grammar in random runs (so that each is met where
    another state would take it for something else)."""
    import random

    literals = sorted({t.pattern.value for t in latex._grammar().terminals if t.pattern.type == "str"})
    rng = random.Random(15)
    runs = ["".join(rng.choice([*literals, "x", " ", "A", "_1", "{", "}"]) for _ in range(8)) for _ in range(40)]
    return TEXTS + literals + runs


def test_the_shared_scanner_finds_what_each_state_s_own_finds() -> None:
    """Where the shared scanner's terminal is one the state's scanner holds, it is what the
    state's own scanner finds (else the state's own is asked: nothing to compare)."""
    from lark.utils import TextSlice

    shared, compared, asked = latex._shared_scanner(), 0, 0
    for base in _states():
        kept, _ = latex._scanning(base)
        for text in _scanned_texts():
            sliced = TextSlice(text, 0, len(text))
            for pos in range(len(text)):
                found = shared.match(sliced, pos)
                if found is not None and found[1] not in kept:
                    asked += 1
                    continue
                assert found == base.scanner.match(sliced, pos), (text, pos)
                compared += 1
    assert compared > 1000 and asked > 1000  # both ways taken (in a parse, states mostly meet what they accept)


def test_each_state_s_callbacks_are_those_lark_gives_it() -> None:
    literals = sorted({t.pattern.value for t in latex._grammar().terminals if t.pattern.type == "str"})
    for base in _states():
        kept, mine = latex._scanning(base)
        scanner = base.scanner
        assert kept == {t.name for t in scanner.terminals}
        assert mine.keys() == base.callback.keys()
        for type_ in mine:
            for value in [*literals, "x", r"\fraq", r"\sign", r"\mathrm{sign}"]:
                outcomes = []
                for callbacks in (mine, base.callback):
                    try:
                        outcomes.append(callbacks[type_](Token(type_, value)).type)
                    except latex._Lexed as refused:
                        outcomes.append(("refused", refused.token.type))
                assert outcomes[0] == outcomes[1], (type_, value)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_parses_are_lark_s_own_with_the_spellings_in_the_grammar(name: str) -> None:
    symbols = TABLES[name]
    ours, theirs = LatexReader(symbols).parser, reference(symbols)
    for text in TEXTS:
        assert outcome(ours.parse, text) == outcome(theirs.parse, text), text


def test_readings_with_different_declarations() -> None:
    A, x, y, t = Var("A"), Var("x"), Var("y"), Var("t")
    split, whole, shadow = (LatexReader(TABLES[k]) for k in ("split", "whole", "shadow"))
    assert split.read("Ax") == Product((A, x))
    assert whole.read("Ax") == Var("Ax")
    assert whole.read("A x") == Product((A, x))
    assert split.read("A^T x + y") == Add((Product((Transpose(A), x)), y))
    assert split.read(r"\frac{1}{2} t") == Product((Const(sympy.Rational(1, 2)), t))
    assert split.read(r"\sigma(x)") == Apply("sigmoid", x)
    assert shadow.read(r"\sigma x") == Product((Var(r"\sigma"), Var("x")))
    assert shadow.read("max(a, x)") == Max((Var("a"), Var("x")))
    assert shadow.read("m a x") == Product((Var("m"), Var("a"), Var("x")))
    assert shadow.read("d x") == Product((Var("d"), Var("x")))
    decorated = LatexReader(TABLES["decorated"])
    assert decorated.read("\\hat{\n y} + z") == Add((Var(r"\hat{y}"), Var("z")))
    assert decorated.read("\\mathbf{v}^T\n\\mathbf{v}") == Product((Transpose(Var(r"\mathbf{v}")), Var(r"\mathbf{v}")))


def test_errors_and_their_positions_with_different_declarations() -> None:
    split, whole = LatexReader(TABLES["split"]), LatexReader(TABLES["whole"])
    assert reading(split, "A y") == Product((Var("A"), Var("y")))
    assert reading(whole, "A y") == ("UndeclaredName", "y is not declared", 2)
    assert reading(whole, "q + Ax") == ("UndeclaredName", "q is not declared", 0)
    assert reading(split, r"x + \fraq{A}{2}") == (
        "UnknownMacro", r"unknown command \fraq (a typo for \frac?): not in the LaTeX subset that is read", 4)
    assert reading(whole, r"\sign x") == (
        "UnsupportedError", r"\sign is read with its argument in brackets: \sign(x)", 0)
    assert reading(split, "A ? x") == ("LatexSyntaxError", "unexpected '?'", 2)
    assert reading(whole, "(A x") == ("UnbalancedBrackets", "'(' at offset 0 is never closed: add ')' where it "
                                      "should close (at the latest at the end)", 0)
    assert reading(split, "x\n+ A\n  y)")[::2] == ("UnbalancedBrackets", 9)
    with pytest.raises(UndeclaredName):
        read_latex("Ax", TABLES["shadow"])
    with pytest.raises(UnknownMacro):
        read_latex(r"\lamda x", TABLES["split"])
    with pytest.raises(UnsupportedError):
        read_latex(r"\operatorname{sign} x", TABLES["split"])
    with pytest.raises(LatexSyntaxError):
        read_latex("x +", TABLES["split"])


def test_readers_in_several_threads_read_what_one_reads_alone() -> None:
    readers = [LatexReader(symbols) for symbols in TABLES.values()]
    expected = [[reading(r, text) for text in TEXTS] for r in readers]
    latex._parser.cache_clear()  # new lexers: their scanners are first built while threads race
    readers = [LatexReader(symbols) for symbols in TABLES.values()]
    results: dict[tuple[int, int], list[object]] = {}

    def work(i: int, k: int) -> None:
        results[i, k] = [reading(readers[i], text) for text in TEXTS]

    threads = [threading.Thread(target=work, args=(i, k)) for k in range(3) for i in range(len(readers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for (i, _), got in results.items():
        assert got == expected[i]
    assert len(results) == len(threads)
