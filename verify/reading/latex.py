"""Reading LaTeX into shape-aware expressions: the claims file's and the grader's reader.

Why our own reader: SymPy's LaTeX parsers read every letter as a commuting scalar and drop
``^T``; for matrix calculus that silently changes the claim. Here a Lark grammar
(``latex.lark``, LALR) does the parsing, the declarations decide what a name is (``Ax`` is
A times x because both are declared; see :mod:`verify.reading.names`), and every node is
given its shape as it is built, so that a mismatch is reported where it is written, with a
caret under it.

Nothing in the text is ever evaluated or expanded: numbers are read digit by digit into
exact rationals, and a command outside the subset (``\\input``, ``\\def``, ...) is an error.

Readings that are fixed (the contract's): ``X^{-2}`` is ``(X^{-1})^2``, ``X^{-T}`` is
``(X^{-1})^T``, ``\\sigma(z)^2`` is ``(\\sigma(z))^2``; ``I`` is the identity sized by its
context; a prefix operator (``\\nabla_v``, ``\\frac{\\partial}{\\partial v}``, a bare
``\\operatorname{tr}`` or ``\\det``) applies to the rest of the product after it, a bare
elementwise function (``\\log x``) to the one factor after it; ``\\odot`` binds more loosely
than juxtaposition (``A x \\odot B y`` is ``(Ax) ⊙ (By)``).

Two readings are opt-in (the grader turns them on for students' derivations; a claims file
stays strict): ``index_sums`` reads ``\\sum_i`` as the sum over the members a question
declares (with ``v_1``, ``v_2`` declared, ``\\sum_i c_i v_i`` is ``c_1 v_1 + c_2 v_2``), and
``numbers_as_identity`` reads a number added to a square matrix as that multiple of the
identity (``1 - \\alpha \\Lambda`` is ``I - \\alpha \\Lambda``).
"""

from __future__ import annotations

import builtins
import copy
import difflib
import functools
import itertools
import re
import threading
import unicodedata
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy
from lark import Lark, Token
from lark.common import LexerConf
from lark.exceptions import LexError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import (
    BasicLexer,
    CallChain,
    ContextualLexer,
    PatternRE,
    PatternStr,
    Scanner,
    TerminalDef,
    _create_unless,
)
from lark.parser_frontends import ParsingFrontend
from lark.utils import TextSlice
from lark.visitors import Transformer_NonRecursive, v_args

from verify.errors import (
    DeclarationError,
    Position,
    ShapeError,
    UndeclaredName,
    UnsupportedError,
    VerifyError,
)
from verify.model import (
    ANY,
    NODES,
    SCALAR,
    Add,
    Apply,
    At,
    Const,
    Derivative,
    Div,
    Expr,
    Gradient,
    Hadamard,
    Hessian,
    Identity,
    Inverse,
    MatrixLit,
    Max,
    Power,
    Product,
    Samples,
    Shape,
    Symbol,
    Transpose,
    Var,
    Visitor,
    Zero,
    replace_subtree,
    shape_of,
    substitute,
)
from verify.reading import ellipsis, grammar_cache
from verify.reading.errors import (
    ForbiddenCommand,
    LatexSyntaxError,
    LimitExceeded,
    UnbalancedBrackets,
    UnknownMacro,
)
from verify.reading.names import AmbiguousName, NameMatcher, Spellings, alternation_width, spellings_for

#: Longest text read, in characters.
MAX_LENGTH = 10_000
#: Deepest expression tree built (after substituting definitions).
MAX_DEPTH = 100
#: Largest expression tree built (counting a definition once per use).
MAX_SIZE = 50_000
#: Largest integer exponent, in absolute value; also bounds every power inside an exponent.
MAX_EXPONENT = 1000
#: Largest exact number an exponent may compute to on the way, in bits.
MAX_BITS = 20_000
#: Most digits in one number.
MAX_DIGITS = 60
#: Most distinct names one expression may mention.
MAX_NAMES = 100
#: Highest order of a derivative.
MAX_ORDER = 4
#: Most entries in one written matrix (bmatrix / pmatrix): deciding works entry by entry.
MAX_ENTRIES = 400

GRAMMAR = Path(__file__).with_name("latex.lark").read_text(encoding="utf-8")

#: TeX commands that read or write files, run programs or define macros.
FORBIDDEN = frozenset(
    {
        "input", "include", "includeonly", "write", "immediate", "openin", "openout", "read",
        "readline", "def", "edef", "gdef", "xdef", "let", "futurelet", "newcommand",
        "renewcommand", "providecommand", "DeclareMathOperator", "newenvironment",
        "renewenvironment", "catcode", "csname", "endcsname", "expandafter", "usepackage",
        "documentclass", "special", "shipout", "loop", "repeat", "directlua", "output",
        "everypar", "everymath", "jobname", "lccode", "uccode", "mathcode", "char",
    }
)

#: Commands the reader knows (besides Greek letters): a did-you-mean for a typo (\\fraq, \\lamda).
_KNOWN_COMMANDS = frozenset({
    "frac", "dfrac", "tfrac", "partial", "nabla", "cdot", "times", "odot", "circ", "sqrt", "max", "sum",
    "log", "ln", "exp", "sigma", "tanh", "det", "operatorname", "mathrm", "mathbf", "boldsymbol", "text",
    "begin", "end", "left", "right", "top", "intercal", "prime", "mathsf", "hat", "bar", "tilde", "vec",
    "mathbb", "langle", "rangle", "lVert", "rVert", "Vert", "lvert", "rvert", "quad", "qquad", "cdots",
    "vdots", "ddots", "ldots", "dots", "geq", "leq", "sign", "sgn", "Rightarrow", "implies",
})

#: The names read inside \\operatorname{...} (and \\mathrm{...}, \\text{...}).
_OPERATORS = ("tr", "det", "diag", "ReLU", "step", "sign", "sgn", "max", "softmax")

GREEK = frozenset(
    {
        "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
        "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho",
        "sigma", "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma",
        "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell",
    }
)

_FUNCTIONS = {
    "log": "log", "ln": "log", "exp": "exp", "sigma": "sigmoid", "tanh": "tanh", "sqrt": "sqrt",
    "ReLU": "relu", "relu": "relu", "step": "step", "diag": "diag", "tr": "tr", "Tr": "tr",
    "trace": "tr", "det": "det", "softmax": "softmax",
}

#: How terminals are named in messages.
_SHOWN = {
    "RCURLY": "'}'", "LCURLY": "'{'", "RPAR": "')'", "LPAR": "'('", "RBRACK": "']'", "LBRACK": "'['",
    "RIGHT_PAR": "'\\right)'", "RIGHT_BRACK": "'\\right]'", "RIGHT_BRACE": "'\\right\\}'",
    "RBRACE_LIT": "'\\}'", "RIGHT_BAR": "'\\right|'", "RVERT": "'\\rvert'", "BAR": "'|'",
    "END_MATRIX": "'\\end{bmatrix}'", "NAME": "a declared name", "NUMBER": "a number",
    "PARTIAL": "'\\partial'", "DIFF": "'d'", "SUB": "'_'", "CARET": "'^'", "COMMA": "','",
    "AMP": "'&'", "ROWSEP": "'\\\\'", "$END": "the end of the expression",
}
_OPENERS = {
    "LPAR": ("RPAR",), "LEFT_PAR": ("RIGHT_PAR",), "LBRACK": ("RBRACK",), "LEFT_BRACK": ("RIGHT_BRACK",),
    "LBRACE_LIT": ("RBRACE_LIT",), "LEFT_BRACE": ("RIGHT_BRACE",), "LCURLY": ("RCURLY",),
    "BAR": ("BAR",), "LEFT_BAR": ("RIGHT_BAR",), "LVERT": ("RVERT",), "BEGIN_MATRIX": ("END_MATRIX",),
    "NORM_BAR": ("NORM_BAR",), "LNORM": ("RNORM",), "LANGLE": ("RANGLE",),
    "IND_OPEN": ("RPAR", "RBRACK", "RIGHT_PAR", "RIGHT_BRACK", "RBRACE_LIT", "RIGHT_BRACE"),
}
#: What to write to close each opener (for the message that says what to add).
_CLOSE_WITH = {
    "LPAR": ")", "LEFT_PAR": "\\right)", "LBRACK": "]", "LEFT_BRACK": "\\right]", "LBRACE_LIT": "\\}",
    "LEFT_BRACE": "\\right\\}", "LCURLY": "}", "BAR": "|", "LEFT_BAR": "\\right|", "LVERT": "\\rvert",
    "BEGIN_MATRIX": "\\end{bmatrix}", "NORM_BAR": "\\|", "LNORM": "\\rVert", "LANGLE": "\\rangle",
}
_CLOSERS = frozenset(c for cs in _OPENERS.values() for c in cs)
_PAIRED = {"(": ")", "[": "]", "\\{": "\\}", "|": "|", "\\|": "\\|", "\\lVert": "\\rVert", "\\Vert": "\\Vert",
           "\\lvert": "\\rvert", "\\vert": "\\vert", "\\langle": "\\rangle"}


def _closer(opener: Token) -> str:
    """What closes ``opener`` as it was written: \\left\\| by \\right\\|, \\bigl( by \\bigr)."""
    text = str(opener).strip()
    if opener.type == "IND_OPEN":  # \\mathbb{1}\\left\\{ ...: the bracket it ends with
        ending = re.search(r"(\\left\s*)?(\(|\[|\\\{)$", text)
        if ending is None:  # pragma: no cover - the terminal ends with one of these
            return "its closing bracket"
        return ("\\right" if ending.group(1) else "") + _PAIRED[ending.group(2)]
    sized = re.match(r"\\(left|[bB]igg?l?)\s*(.*)$", text, re.S)
    if sized is None:
        return _CLOSE_WITH.get(opener.type, "its closing bracket")
    size, bracket = sized.groups()
    right = "right" if size == "left" else size.rstrip("l") + "r"
    return f"\\{right}{_PAIRED.get(bracket, bracket)}"


@dataclass(frozen=True)
class Unreadable(Expr):
    """Stands in a definitions mapping for a definition that could not be read.

    Using the name is then an error that says why, at the place of use; claims that do not
    use it are unaffected.
    """

    name: str
    error: VerifyError

    def latex(self) -> str:
        return self.name

    def __hash__(self) -> int:
        return hash(("Unreadable", self.name))


@dataclass(frozen=True)
class _Euler(Expr):
    """Euler's number as written before its exponent (e^{...}); it never stands alone."""

    def latex(self) -> str:
        return "e"

    def __hash__(self) -> int:
        return hash("_Euler")


class _Lexed(Exception):
    """Raised from a lexer callback for a token that exists only to be reported."""

    def __init__(self, token: Token) -> None:
        super().__init__(str(token))
        self.token = token


def _refuse(token: Token) -> Token:
    raise _Lexed(token)


_LEXER_CALLBACKS = {"UNDECLARED": _refuse, "UNKNOWN_COMMAND": _refuse, "SIGN_FN": _refuse}
_GRAMMAR_LOCK = threading.Lock()
_GRAMMAR: list[Lark] = []
#: How the grammar is analysed (besides parser="lalr" and the lexer's callbacks).
GRAMMAR_OPTIONS = {"lexer": "contextual", "propagate_positions": True, "maybe_placeholders": False}


def _grammar() -> Lark:
    """The grammar, analysed once per process (~0.3 s): its LALR tables, tree builder and
    contextual lexer, with NAME a placeholder that matches nothing.

    Only the lexer depends on the declared spellings; :func:`_parser` gives each set of
    spellings a lexer of its own on top of this one. The analysis is read back from the user's
    cache folder when an earlier run left it there (:mod:`verify.reading.grammar_cache`, 0.05 s).
    """
    with _GRAMMAR_LOCK:
        if not _GRAMMAR:
            grammar = grammar_cache.analysed(GRAMMAR, "latex-grammar", GRAMMAR_OPTIONS, _LEXER_CALLBACKS)
            name = grammar.lexer_conf.terminals_by_name["NAME"]
            # A literal at NAME's priority that a spelling matched would be folded into NAME by
            # Lark (its "unless" callback): then NAME could not be tried apart from the rest.
            assert not any(isinstance(t.pattern, PatternStr) and t.priority == name.priority
                           for t in grammar.lexer_conf.terminals), "a literal terminal at NAME's priority"
            _GRAMMAR.append(grammar)
        return _GRAMMAR[0]


@functools.cache
def _shared_scanner() -> Scanner:
    """One scanner of every terminal but NAME, for every parser state: a state's own scanner (the
    alternation of its terminals) cost about 2 ms to compile, and a text visits 20 to 30 states.

    Lark's scanner gives the first terminal in its order that matches at a position, and a state
    orders its terminals as the grammar does. So where this one finds a terminal that the state's
    scanner holds, the state's scanner finds it too: every terminal before it failed here. Where
    the terminal found is not the state's (not accepted there, or folded by Lark into an expression
    that matches it), the state's own scanner decides (:meth:`_SpelledLexer.match`). Nothing is
    folded here: every terminal is tried as itself (the grammar folds nothing today; a literal
    added at an expression's priority would be left to the states' own scanners, still right).
    """
    grammar = _grammar()
    contextual = grammar.parser.lexer
    assert isinstance(contextual, ContextualLexer)
    root = contextual.root_lexer
    assert isinstance(root, BasicLexer)
    placeholder = grammar.parser.lexer_conf.terminals_by_name["NAME"]
    return Scanner([t for t in root.terminals if t is not placeholder], root.g_regex_flags, root.re, root.use_bytes)


_SCANNING_LOCK = threading.Lock()
_SCANNING: dict[int, tuple[BasicLexer, frozenset[str], dict[str, Any]]] = {}


def _scanning(base: BasicLexer) -> tuple[frozenset[str], dict[str, Any]]:
    """The terminals a state's scanner holds and its callbacks, made as Lark's
    ``BasicLexer._build_scanner`` makes them (lark 1.3), without compiling the scanner; once per
    state per process (a state's lexer lives as long as the grammar)."""
    with _SCANNING_LOCK:
        known = _SCANNING.get(id(base))
        if known is None:
            terminals, callback = _create_unless(base.terminals, base.g_regex_flags, base.re, base.use_bytes)
            for type_, f in base.user_callbacks.items():
                if type_ in callback:  # as Lark chains them, its closure over type_ included
                    callback[type_] = CallChain(callback[type_], f, lambda t: t.type == type_)  # noqa: B023
                else:
                    callback[type_] = f
            known = (base, frozenset(t.name for t in terminals), callback)
            _SCANNING[id(base)] = known
        return known[1], dict(known[2])


class _SpelledLexer(BasicLexer):
    """One parser state's lexer, its NAME matching one set of declared spellings.

    Configured by Lark's own code from the same terminals as Lark would give it (the real NAME
    pattern included, so the order of terminals, newline and ignore types, callbacks and the
    terminals named in errors are Lark's), it differs in how it scans: with the grammar's
    scanner for this state (every terminal but NAME, in the same order), found through the
    scanner all states share (:func:`_shared_scanner`), and NAME's expression on its own.
    Lark takes the first terminal in that order that matches at the position; so does this: a
    terminal before NAME that the scanner finds, else NAME if it matches, else what the scanner
    found (or nothing). Read-only once built: parses in several threads may share it.
    """

    def __init__(self, conf: LexerConf, base: BasicLexer, name_regex: NameMatcher) -> None:
        super().__init__(conf)
        self.base = base
        self.name_regex = name_regex
        self.before = frozenset(t.name for t in itertools.takewhile(lambda t: t.name != "NAME", self.terminals))
        self.kept, self.callback = _scanning(base)
        self.shared = _shared_scanner()

    def _build_scanner(self) -> Scanner:
        scanner = self.base.scanner  # built by the grammar's lexer on first use, then shared
        self.callback = self.base.callback
        return scanner

    def match(self, text: TextSlice[str], pos: int) -> tuple[str, str] | None:
        found: tuple[str, str] | None = self.shared.match(text, pos)
        if found is not None and found[1] not in self.kept:
            found = self.scanner.match(text, pos)  # the state's own decides, compiled when first needed
        if found is not None and found[1] in self.before:
            return found
        name = self.name_regex.match(text.text, pos, text.end)
        return found if name is None else (name.group(0), "NAME")


class _Lexers(dict[Any, Any]):
    """The contextual lexer's lexer for each parser state, each made on first use: a text visits a
    few of the grammar's states, and making all of them for each set of spellings was most of the
    time a question's reader took to build. Two threads making one state's lexer make equal ones."""

    def __init__(self, grammar: Mapping[Any, Any], spell: Callable[[Any], Any]) -> None:
        super().__init__()
        self.grammar = grammar
        self.spell = spell

    def __missing__(self, state: Any) -> Any:
        lexer = self.spell(self.grammar[state])
        self[state] = lexer
        return lexer


@functools.lru_cache(maxsize=64)
def _parser(alternatives: tuple[str, ...] | None) -> ParsingFrontend:
    """The parser for one set of declared spellings: the grammar's LALR parser (analysed once,
    by :func:`_grammar`) with a contextual lexer whose NAME matches those spellings.

    NAME is the alternation of ``alternatives`` (each spelling's expression, in order), matched
    by a :class:`NameMatcher` from the expressions compiled one by one: the alternation itself is
    never compiled nor parsed (~12 ms a table). Lark orders a state's terminals by their widths,
    so NAME's are given as the alternation's would be: the least and the greatest of its
    alternatives'. Each parse keeps its state in the call, so one parser serves several threads.
    """
    grammar = _grammar()
    frontend: ParsingFrontend = grammar.parser
    if not alternatives:
        return frontend
    conf = frontend.lexer_conf
    assert not conf.g_regex_flags, "NAME's alternatives are compiled without the grammar's flags"
    placeholder = conf.terminals_by_name["NAME"]
    pattern = PatternRE("(?:" + "|".join(f"(?:{a})" for a in alternatives) + ")")
    pattern._width = alternation_width(alternatives)
    name = TerminalDef("NAME", pattern, placeholder.priority)
    if name.pattern.min_width == 0:
        raise LexError(f"Lexer does not allow zero-width terminals. (NAME: {name.pattern})")
    regex = NameMatcher(alternatives)
    spelled_conf = copy.copy(conf)
    spelled_conf.terminals = [name if t is placeholder else t for t in conf.terminals]
    spelled_conf.terminals_by_name = {**conf.terminals_by_name, "NAME": name}
    spelled_conf.skip_validation = True  # the others were checked when the grammar was built
    contextual = frontend.lexer
    assert isinstance(contextual, ContextualLexer)
    spelled: dict[int, BasicLexer] = {}

    def spell(lexer: Any) -> Any:
        if placeholder not in lexer.terminals:  # a state where no name can stand
            return lexer
        if id(lexer) not in spelled:
            state_conf = copy.copy(spelled_conf)
            state_conf.terminals = [name if t is placeholder else t for t in lexer.terminals]
            spelled[id(lexer)] = _SpelledLexer(state_conf, lexer, regex)
        return spelled[id(lexer)]

    lexer = copy.copy(contextual)
    lexer.lexers = _Lexers(contextual.lexers, spell)
    lexer.root_lexer = spell(contextual.root_lexer)
    parser = copy.copy(frontend)
    parser.lexer_conf = spelled_conf
    parser.lexer = lexer
    return parser


@dataclass(frozen=True)
class Read:
    """A built expression with what the reader needs to know about it while building."""

    expr: Expr
    shape: Shape
    start: int
    end: int
    depth: int = 1
    size: int = 1

    @property
    def leaf(self) -> bool:
        return isinstance(self.expr, Var | Const | Identity)


@dataclass(frozen=True)
class _Sup:
    kind: str  # "T", "-T" or "power"
    start: int
    exponent: Read | None = None


@dataclass(frozen=True)
class _Wrt:
    var: Var
    order: int
    start: int
    transposed: bool = False  # \partial x^T: read only in a Hessian


@dataclass(frozen=True)
class _Op:
    """A prefix operator waiting for its operand."""

    kind: str  # "grad", "hessian", "derivative", "sum", or a function name
    start: int
    wrt: tuple[_Wrt, ...] = ()
    head: str = ""  # a sum's \\sum_{i=1}^{n}, as written


#: Letters a sum may run over (one that is itself a declared name is never an index).
INDEX_LETTERS = ("i", "j", "k", "l")
_DIGIT_SUBSCRIPT = re.compile(r"_\s*(?:\{\s*([1-9])\s*\}|([1-9])(?![0-9]))")


@dataclass(frozen=True)
class _Family:
    """Names that differ only in one subscript digit (v_1, v_2): what \\sum_i v_i runs over."""

    letter: str
    template: str  # the spelling with the letter for the digit: v_i
    members: tuple[tuple[int, str], ...]  # (digit, declared or defined name), in order
    shape: Shape


@dataclass
class _Named:
    """A name as it was read, remembered so that a sum can check what it contains."""

    start: int
    end: int
    text: str
    family: str | None = None  # the placeholder of an indexed name (v_i), if it is one
    consumed: bool = False


def read_latex(
    text: str,
    symbols: Mapping[str, Symbol],
    layout: str = "numerator",
    defines: Mapping[str, Expr] | None = None,
) -> Expr:
    """The expression ``text`` writes, checked against the declarations and for shapes.

    Raises a :class:`~verify.errors.VerifyError` subclass with a position for anything the
    reader cannot accept: an undeclared name, a shape mismatch, LaTeX outside the subset,
    unbalanced brackets, or input beyond the limits.
    """
    return LatexReader(symbols, layout, defines).read(text)


@dataclass(frozen=True)
class Reading:
    """What a text was read as, and the symbols that reading fixed to a number."""

    expr: Expr
    fixed: tuple[tuple[str, int], ...] = ()


class LatexReader:
    """Reads many texts against one symbol table (its lexer is built once per set of spellings;
    the grammar is analysed once per process)."""

    def __init__(
        self,
        symbols: Mapping[str, Symbol],
        layout: str = "numerator",
        defines: Mapping[str, Expr] | None = None,
        *,
        index_sums: bool = False,
        numbers_as_identity: bool = False,
        samples: Samples | None = None,
        node_derivatives: bool = False,
    ) -> None:
        if layout not in ("numerator", "denominator"):
            raise DeclarationError(f"layout must be 'numerator' or 'denominator', not {layout!r}")
        self.symbols = symbols
        self.layout = layout
        self.defines = dict(defines or {})
        self.index_sums = index_sums
        self.samples = samples if index_sums else None
        self.numbers_as_identity = numbers_as_identity
        latex = {name: getattr(s, "latex", None) for name, s in symbols.items()}
        self.spellings: Spellings = spellings_for(symbols, latex, self.defines)
        self.families: dict[str, _Family] = self._families() if index_sums else {}
        if self.families:
            self.spellings = Spellings.of([*self.spellings.meaning.items(),
                                           *((f.template, key) for key, f in self.families.items())])
        #: \\psi_{uv} for a function declared of scalars psi(u, v, z): its partial derivatives
        #: written with subscripts, by spelling key (``#partial:psi:u,v``): the function and variables
        self.partials: dict[str, tuple[str, tuple[str, ...]]] = {}
        extra = self._subscript_partials(symbols, latex)
        if extra:
            self.spellings = Spellings.of([*self.spellings.meaning.items(), *extra])
        #: ``node_derivatives``: each definition (z_2 := W_2 a_1 + b_2) as a variable of its own,
        #: so that d J / d z_2 is read as backpropagation means it: J as a function of the node
        #: z_2, differentiated there, at z_2's value. By definition name: its node symbol.
        self.nodes: dict[str, Symbol] = self._nodes(symbols) if node_derivatives else {}
        #: the declared symbols, the nodes, and a stand-in for each indexed name (v_i) until a
        #: sum expands it
        self.table: Mapping[str, Symbol] = ChainMap(
            {key: Symbol(key, f.shape) for key, f in self.families.items()},
            {s.name: s for s in self.nodes.values()}, symbols,  # type: ignore[arg-type]  # ChainMap wants MutableMappings; read only
        )
        self.parser = _parser(self.spellings.alternative_regexes)
        self.letters: frozenset[str] = frozenset(
            d for s in symbols.values() for d in (s.shape.rows, s.shape.cols) if isinstance(d, str)
        )
        self._define_reads: dict[str, tuple[Shape, int, int]] = {}

    def _subscript_partials(self, symbols: Mapping[str, Symbol],
                            latex: Mapping[str, str | None]) -> list[tuple[str, str]]:
        """Spellings ``\\psi_{u}``, ``\\psi_{uv}``, ``\\psi_{u,v}`` of the first and second partial
        derivatives of each function declared of scalars, where every variable is written as one
        letter (so that ``uv`` can only be u then v) and no declared name is spelled so."""
        taken = set(self.spellings.meaning)
        out: list[tuple[str, str]] = []
        for name, s in symbols.items():
            if not s.of or not s.shape.is_scalar:
                continue
            variables = [(v, latex.get(v) or v) for v in s.of]
            if not all(v in symbols and symbols[v].shape.is_scalar and not symbols[v].of
                       and re.fullmatch(r"[A-Za-z]", spelled) for v, spelled in variables):
                continue
            f = latex.get(name) or name
            orders = [(a,) for a in variables] + [(a, b) for a in variables for b in variables]
            for by in orders:
                key = f"#partial:{name}:{','.join(v for v, _ in by)}"
                for sub in {"".join(sp for _, sp in by), ",".join(sp for _, sp in by)}:
                    spelling = f"{f}_{{{sub}}}"
                    if spelling not in taken:
                        out.append((spelling, key))
                        self.partials[key] = (name, tuple(v for v, _ in by))
        return out

    def _nodes(self, symbols: Mapping[str, Symbol]) -> dict[str, Symbol]:
        """A node symbol per readable definition, named as the definition is spelled (what a
        counterexample then shows); none where that name is a declared symbol's. And one per
        symbol declared a function of others (x of(z)), named ``x°``: d y / d x in the chain rule
        dy/dz = dy/dx dx/dz differentiates by x as a variable of its own, at x's value."""
        out: dict[str, Symbol] = {name: Symbol(f"{name}°", s.shape) for name, s in symbols.items() if s.of}
        for name, value in self.defines.items():
            if isinstance(value, Unreadable) or name in symbols:
                continue
            try:
                out[name] = Symbol(name, shape_of(value, symbols, self.layout))
            except VerifyError:
                continue
        return out

    def _families(self) -> dict[str, _Family]:
        """Each set of names that differ only in a one-digit subscript, numbered 1..N (N >= 2)
        and of one shape, under the spelling with an index letter: v_1, v_2 give v_i (and v_j,
        ...). Only complete families count: \\sum_i runs over exactly the members declared."""
        taken = set(self.spellings.meaning)
        found: dict[tuple[str, str], dict[int, str]] = {}
        for spelling, name in self.spellings.meaning.items():
            subscripts = list(_DIGIT_SUBSCRIPT.finditer(spelling))
            if len(subscripts) != 1:
                continue
            m = subscripts[0]
            group = 1 if m.group(1) is not None else 2
            for letter in INDEX_LETTERS:
                if letter in taken:
                    continue
                template = spelling[: m.start(group)] + letter + spelling[m.end(group):]
                if template not in taken:
                    found.setdefault((letter, template), {})[int(m.group(group))] = name
        out: dict[str, _Family] = {}
        for (letter, template), members in found.items():
            if sorted(members) != list(range(1, len(members) + 1)) or len(members) < 2:
                continue
            try:
                shapes = {self._shape_of_name(n) for n in members.values()}
            except VerifyError:
                continue
            if len(shapes) == 1:
                out[f"#sum:{template}"] = _Family(letter, template, tuple(sorted(members.items())), shapes.pop())
        return out

    def _shape_of_name(self, name: str) -> Shape:
        if name in self.defines:
            return shape_of(self.defines[name], self.symbols, self.layout)
        return self.symbols[name].shape

    def member(self, name: str) -> Expr:
        """What a family member stands for: its definition, or the declared name itself."""
        return self.defines[name] if name in self.defines else Var(name)

    def read(self, text: str) -> Expr:
        reading = self.read_scoped(text)
        if reading.fixed:  # only a reader given ``samples`` fixes a count; its caller must know
            raise UnsupportedError("a sum over the samples is read at a fixed number of samples, "
                                   "which this reader's caller does not expect", Position(text, 0))
        return reading.expr

    def without_dots(self, text: str) -> str:
        """``text`` with each matrix written with dots (:mod:`verify.reading.ellipsis`) in the form it
        stands for: the column, row or diagonal matrix of its template, which must read as a vector
        of as many entries as the last index says."""
        sequences = tuple(tuple(self.symbols[v].latex or v for v in s.of)
                          for s in self.symbols.values() if len(s.of) >= 2 and all(v in self.symbols for v in s.of))
        try:
            found = ellipsis.find(text, sequences)
        except ellipsis.NotAPattern as err:
            start = ellipsis._ANY_DOTS.search(text)
            raise UnsupportedError(str(err), Position(text, start.start() if start else 0)) from None
        if not found:
            where = ellipsis._ANY_DOTS.search(text)
            raise UnsupportedError("dots are read only inside a matrix (\\begin{bmatrix} e_1 \\\\ \\vdots \\\\ e_n "
                                   "\\end{bmatrix}) whose entries fix the pattern",
                                   Position(text, where.start() if where else 0))
        for d in reversed(found):
            if d.kind == "full":  # written out whole: read as any matrix is
                text = text[:d.start] + d.template + text[d.end:]
                continue
            try:
                vector = self.read_scoped(d.template).expr
            except VerifyError as err:
                raise UnsupportedError(f"the entries of this matrix read as {d.template}, and that cannot be read: "
                                       f"{err.message}", Position(text, d.start)) from None
            shape = shape_of(vector, self.table, self.layout)
            last = re.sub(r"[\s{}]", "", d.last)
            size = int(last) if last.isdigit() else last
            # the last index is the vector's size as the question names it (D_{a1}), or a letter the
            # question gives no meaning (n, k: "the last one")
            generic = isinstance(size, str) and re.fullmatch(r"[A-Za-z]", size) is not None \
                and size not in self.letters and size not in self.spellings.meaning
            if shape.cols != 1 or not (generic or shape.rows == size
                                       or re.sub(r"[\s{}]", "", str(shape.rows)) == str(size)):
                raise UnsupportedError(
                    f"the entries of this matrix read as {d.template}, which is {shape}, but its last index is "
                    f"{d.last}: write the entries of a vector of {d.last} entries", Position(text, d.start))
            form = {"column": r"\left({}\right)", "row": r"\left({}\right)^T",
                    "diagonal": r"\operatorname{{diag}}\left({}\right)"}[d.kind].format(d.template)
            text = text[:d.start] + form + text[d.end:]
        return text

    def read_scoped(self, text: str) -> Reading:
        """The expression, and the symbols it could only be read with fixed (a sum over the
        samples at m = 2, already substituted): a claim on it holds only there."""
        if not isinstance(text, str):
            raise LatexSyntaxError(f"expected LaTeX text, got {type(text).__name__}")
        if len(text) > MAX_LENGTH:
            raise LimitExceeded(
                f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are read",
                Position(text, MAX_LENGTH),
            )
        if not text.strip():
            raise LatexSyntaxError("the expression is empty", Position(text, 0))
        if ellipsis.has_dots(text):
            text = self.without_dots(text)
        try:
            tree = self.parser.parse(text)
        except _Lexed as problem:
            raise self._lexed(text, problem.token) from None
        except UnexpectedInput as err:
            raise self._syntax(text, err) from None
        builder = _Builder(self, text)
        try:
            result: Read = builder.transform(tree)
        except VisitError as err:
            if isinstance(err.orig_exc, VerifyError):
                raise err.orig_exc from None
            raise
        for named in builder.named:
            if named.family is not None and not named.consumed:
                letter = self.families[named.family].letter
                raise UnsupportedError(
                    f"{named.text.strip()} is indexed by {letter}: it can only stand inside a sum over {letter} "
                    f"(\\sum_{letter})", Position(text, named.start))
        names = result.expr.names()
        if len(names) > MAX_NAMES:
            raise LimitExceeded(f"the expression mentions {len(names)} names; at most {MAX_NAMES}",
                                Position(text, 0))
        expr = result.expr
        if builder.fixed:
            expr = substitute(expr, {name: Const(value) for name, value in builder.fixed.items()})
        try:
            shape_of(expr, self.table, self.layout)  # the whole, once more
        except VerifyError as err:  # pragma: no cover - every node was checked as it was built
            raise type(err)(err.message, Position(text, 0)) from None
        return Reading(expr, tuple(sorted(builder.fixed.items())))

    # -- errors -------------------------------------------------------------------------
    def _lexed(self, text: str, token: Token) -> VerifyError:
        where = Position(text, token.start_pos or 0)
        word = str(token)
        if token.type == "UNDECLARED":
            return UndeclaredName(f"{word.strip()} is not declared", where)
        command = word[1:]
        if command in FORBIDDEN:
            return ForbiddenCommand(f"the command \\{command} is not allowed (commands are never run)", where)
        if token.type == "SIGN_FN":
            return UnsupportedError(f"{word.strip()} is read with its argument in brackets: "
                                    f"{word.strip()}(x)", where)
        if command in GREEK:
            return UndeclaredName(f"\\{command} is not declared", where)
        if command == "\\":
            return LatexSyntaxError("a row break \\\\ outside a matrix", where)
        if command in ("begin", "end"):
            return UnknownMacro(f"\\{command}: only the bmatrix and pmatrix environments are read", where)
        if command in ("dots", "cdots", "ldots", "vdots", "ddots"):
            return UnsupportedError(f"\\{command}: what is elided by dots is not read; write it in closed "
                                    "form (\\operatorname{diag}(...), a sum over declared names, ...)", where)
        if command in ("left", "right"):
            return LatexSyntaxError(f"\\{command} must be followed by ( [ \\{{ | \\| or \\langle", where)
        if command in ("hat", "bar", "tilde", "widehat", "widetilde", "overline", "mathbf", "boldsymbol",
                       "bm", "vec", "mathrm", "dot", "ddot"):
            return UndeclaredName(f"\\{command}: no declared name is written this way (\\mathbf{{x}} is read "
                                  "as x only when x is declared, \\hat{{\\mathbf{{x}}}} as \\hat{{x}} when that "
                                  "is declared)", where)
        operator = re.match(r"\\(?:operatorname|mathrm|text)\s*\{\s*([^{}]*?)\s*\}", text[token.start_pos or 0:])
        if command in ("operatorname", "mathrm", "text") and operator:
            name = operator.group(1)
            known = ", ".join(f"\\operatorname{{{n}}}" for n in _OPERATORS)
            return UnknownMacro(f"unknown operator {name!r} in \\{command}{{{name}}}: the operators read are "
                                f"{known}", where)
        close = difflib.get_close_matches(command, sorted(_KNOWN_COMMANDS | GREEK), n=1, cutoff=0.75)
        meant = f" (a typo for \\{close[0]}?)" if close else ""
        return UnknownMacro(f"unknown command {word}{meant}: not in the LaTeX subset that is read", where)

    def _syntax(self, text: str, err: UnexpectedInput) -> VerifyError:
        if isinstance(err, UnexpectedCharacters):
            pos = err.pos_in_stream or 0  # always set on UnexpectedCharacters (typed Optional on the base)
            char = text[pos] if pos < len(text) else ""
            if char == "}":
                return UnbalancedBrackets(f"'}}' at offset {pos} closes nothing: remove it, or add the '{{' "
                                          "it closes before it", Position(text, pos))
            if _look_alike(char):
                return UndeclaredName(_look_alike_message(char), Position(text, pos))
            return LatexSyntaxError(f"unexpected '{char}'", Position(text, pos))
        if isinstance(err, UnexpectedToken):
            token = err.token
            at_end = token.type == "$END"
            pos = len(text) if at_end else (token.start_pos or 0)
            opener = _innermost_open(err)
            if at_end and opener is not None:
                return UnbalancedBrackets(
                    f"'{str(opener).strip()}' at offset {opener.start_pos} is never closed: add "
                    f"'{_closer(opener)}' where it should close (at the latest at the end)",
                    Position(text, opener.start_pos or 0),
                )
            if token.type in _CLOSERS:
                if opener is None:
                    return UnbalancedBrackets(f"'{str(token).strip()}' at offset {pos} closes nothing: remove it, "
                                              "or add the bracket it closes before it", Position(text, pos))
                if token.type not in _OPENERS[opener.type]:
                    return UnbalancedBrackets(
                        f"'{str(token).strip()}' does not close '{str(opener).strip()}' "
                        f"opened at offset {opener.start_pos}: write "
                        f"'{_closer(opener)}' here, or open with the "
                        "matching bracket",
                        Position(text, pos),
                    )
            if token.type in ("SUB", "NORM_SUB"):  # NORM_SUB is a subscript anywhere but after a norm
                return LatexSyntaxError(
                    "a subscript here is not part of a declared name (declare the name with it)",
                    Position(text, pos),
                )
            if token.type == "SLASH":
                return UnsupportedError(r"a / b is not read (which factors it divides is a guess): write "
                                        r"\frac{a}{b}; only \partial f / \partial v is read with a slash",
                                        Position(text, pos))
            expected = sorted((_SHOWN[t] for t in err.expected if t in _SHOWN), key=lambda w: (w[0] == "'", w))
            hint = f"; expected {' or '.join(expected[:4])}" if expected else ""
            what = "end of input" if at_end else f"'{str(token).strip()}'"
            return LatexSyntaxError(f"unexpected {what}{hint}", Position(text, pos))
        return LatexSyntaxError(str(err).splitlines()[0], Position(text, getattr(err, "pos_in_stream", 0)))

    # -- names ----------------------------------------------------------------------------
    def define_facts(self, name: str, where: Position) -> tuple[Shape, int, int]:
        """Shape, depth and size of a definition, worked out once."""
        if name not in self._define_reads:
            expr = self.defines[name]
            if isinstance(expr, Unreadable):
                err = expr.error
                if err.position is None:
                    raise type(err)(err.message, where)
                raise type(err)(f"the definition of {name}: {err.message}", err.position)
            shape = shape_of(expr, self.symbols, self.layout)
            depth, size = _measure(expr)
            self._define_reads[name] = (shape, depth, size)
        return self._define_reads[name]


def _innermost_open(err: UnexpectedToken) -> Token | None:
    """The innermost bracket still open when the parser stopped (from its value stack)."""
    try:
        stack = err.interactive_parser.parser_state.value_stack
    except AttributeError:  # pragma: no cover - older Lark
        return None
    for item in reversed(stack):
        if isinstance(item, Token) and item.type in _OPENERS:
            return item
    return None


def _measure(expr: Expr) -> tuple[int, int]:
    """Depth and tree size of an expression, without recursion (definitions can be large)."""
    depth: dict[int, int] = {}
    size: dict[int, int] = {}
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        kids = node.children()
        if done or not kids:
            depth[id(node)] = 1 + max((depth[id(k)] for k in kids), default=0)
            size[id(node)] = min(MAX_SIZE + 1, 1 + sum(size[id(k)] for k in kids))
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
    return depth[id(expr)], size[id(expr)]


#: Letters that look like ASCII ones but are not (Cyrillic and Greek capitals and a few small).
_CONFUSABLE = dict(zip("аеорсухіјѕԁАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧονϲ",
                       "aeopcyxijsdABEKMHOPCTXIJSABEZHIKMNOPTYXovc", strict=True))


def _look_alike(char: str) -> bool:
    """A non-ASCII letter or mark where a name could stand: never a declared name (declared
    spellings are ASCII LaTeX), so it is reported as an undeclared name, not matched."""
    return bool(char) and not char.isascii() and unicodedata.category(char)[0] in "LM"


def _look_alike_message(char: str) -> str:
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    text = f"'{char}' (U+{ord(char):04X} {name}) is not declared: names are written in ASCII LaTeX"
    plain = _CONFUSABLE.get(char) or unicodedata.normalize("NFKC", char)
    if plain.isascii() and plain.isalpha():
        return f"{text}; it only looks like '{plain}'"
    greek = re.fullmatch(r"GREEK (SMALL|CAPITAL) LETTER ([A-Z]+)", name)
    if greek and greek.group(2).lower() in GREEK:
        word = greek.group(2).lower()
        return f"{text}; write \\{word if greek.group(1) == 'SMALL' else word.capitalize()}"
    return text


def _digits(text: str) -> sympy.Rational:
    """A decimal numeral as an exact rational, from its digits (never through a float)."""
    whole, _, fraction = text.partition(".")
    numerator = int(whole + fraction) if whole + fraction else 0
    return sympy.Rational(numerator, 10 ** len(fraction))


def _name(tok: Token) -> str:
    return re.findall(r"[A-Za-z]+", str(tok))[-1]


@v_args(inline=False)
class _Builder(Transformer_NonRecursive):
    """Builds :class:`Read` values bottom-up, checking each node's shape as it is made."""

    def __init__(self, reader: LatexReader, text: str) -> None:
        super().__init__()
        self.r = reader
        self.text = text
        #: every name read, in order: a sum checks the names inside it
        self.named: list[_Named] = []
        #: where ``(x^t = (0, 1))`` groups start: read only as a function's argument
        self.givens: set[int] = set()
        #: symbols fixed to a number by what was read (the sample count, by a sum over samples)
        self.fixed: dict[str, int] = {}
        #: each norm read, by its span: what it is squared (\\|x\\|^2 is x^T x, with no square root)
        self.norms: dict[tuple[int, int], Read] = {}

    # -- helpers --------------------------------------------------------------------------
    def at(self, offset: int) -> Position:
        return Position(self.text, offset)

    def lookup(self, tok: Token) -> str:
        """The declared name a NAME token spells; a decorated form two names could mean is refused."""
        try:
            return self.r.spellings.name_of(str(tok))
        except AmbiguousName as err:
            raise UndeclaredName(err.message, self.at(tok.start_pos or 0)) from None

    def make(
        self,
        build: Callable[..., Expr],
        parts: Sequence[Read],
        start: int,
        end: int,
        blame: int | None = None,
        locate: bool = False,
    ) -> Read:
        """Build a node of ``parts`` and work out its shape from theirs alone.

        The shape comes from :func:`shape_of` on a copy of the node whose non-leaf operands are
        stand-ins declared with the operands' shapes: one step of work per node, and the very
        rules :func:`shape_of` applies to a whole tree. ``locate`` blames the first operand at
        which an n-ary node stops making sense; otherwise the error points at ``blame``.
        """
        depth = 1 + max((p.depth for p in parts), default=0)
        size = 1 + sum(p.size for p in parts)
        if depth > MAX_DEPTH:
            raise LimitExceeded(f"the expression is nested more than {MAX_DEPTH} levels deep", self.at(start))
        if size > MAX_SIZE:
            raise LimitExceeded(
                f"the expression has more than {MAX_SIZE} parts (definitions count at each use)", self.at(start)
            )
        stand_ins, table = self._stand_ins(parts)
        try:
            shape = shape_of(build(*stand_ins), table, self.r.layout)
        except VerifyError as err:
            offset = start if blame is None else blame
            if locate:
                for k in range(2, len(parts) + 1):
                    try:
                        shape_of(build(*stand_ins[:k]), table, self.r.layout)
                    except VerifyError:
                        offset = parts[k - 1].start
                        break
            raise self._relocated(err, build, parts, offset) from None
        return Read(build(*(p.expr for p in parts)), shape, start, end, depth, size)

    def _stand_ins(self, parts: Sequence[Read]) -> tuple[list[Expr], Mapping[str, Symbol]]:
        extra: dict[str, Symbol] = {}
        out: list[Expr] = []
        for i, p in enumerate(parts):
            if p.leaf:
                out.append(p.expr)
            else:
                name = f"#{i}"
                extra[name] = Symbol(name, p.shape)
                out.append(Var(name))
        return out, ChainMap(extra, self.r.table)  # type: ignore[arg-type]  # ChainMap wants MutableMappings; read only

    def _relocated(self, err: VerifyError, build: Callable[..., Expr], parts: Sequence[Read],
                   offset: int) -> VerifyError:
        """The same error, worded with the real operands, at the place it belongs."""
        message = err.message
        try:
            shape_of(build(*(p.expr for p in parts)), self.r.table, self.r.layout)
        except VerifyError as real:
            message = real.message
        if len(message) > 200:
            message = message[:197] + "..."
        return type(err)(message, self.at(offset))

    # -- the grammar's rules --------------------------------------------------------------
    def start(self, c: list[Any]) -> Read:
        return c[0]

    def sum(self, c: list[Any]) -> Read:
        terms: list[Read] = [c[0]]
        for op, term in zip(c[1::2], c[2::2], strict=True):
            terms.append(self.negate(term) if op.type == "MINUS" else term)
        if len(terms) == 1:
            return terms[0]
        if self.r.numbers_as_identity:
            terms = self.numbers_as_identity(terms)
            wide = next((t for t in terms if not t.shape.is_scalar), None)
            if wide is not None:  # x^t - \alpha \cdot 0: 0 written for the zero vector
                terms = [Read(Zero(wide.shape), wide.shape, t.start, t.end, t.depth, t.size)
                         if t.shape.is_scalar and _is_zero(t.expr) else t for t in terms]
            number = next((t for t in terms if isinstance(t.expr, Const)), None)
            if number is not None and any(t.shape.cols == 1 and t.shape.rows != 1 for t in terms):
                # 1 + sign(z) for a vector z: every entry plus 1, as in numpy; a notation question,
                # not a wrong answer, so it is unreadable (a TA looks), never "ill-formed"
                raise UnsupportedError("a number added to a vector is not read (if every entry is meant, the "
                                       "question's notation has no vector of ones: write the entries, or use "
                                       "an indicator)", self.at(number.start))
        return self.make(lambda *t: Add(tuple(t)), terms, terms[0].start, terms[-1].end, locate=True)

    def numbers_as_identity(self, terms: list[Read]) -> list[Read]:
        """``1 - \\alpha \\Lambda`` with Lambda square: the number is that multiple of I."""
        square = next((t.shape for t in terms if not t.shape.is_scalar and t.shape.rows == t.shape.cols
                       and t.shape.rows != ANY), None)
        if square is None:
            return terms
        out = []
        for t in terms:
            if isinstance(t.expr, Const):
                eye = Identity(square.rows)
                expr: Expr = eye if t.expr.value == 1 else Product((t.expr, eye))
                t = Read(expr, square, t.start, t.end, t.depth + 1, t.size + 2)
            out.append(t)
        return out

    def signed(self, c: list[Any]) -> Read:
        if len(c) == 1:
            return c[0]
        sign, term = c
        if sign.type == "PLUS":
            return term
        negated = self.negate(term)
        return Read(negated.expr, negated.shape, sign.start_pos, term.end, negated.depth, negated.size)

    def negate(self, r: Read) -> Read:
        e = r.expr
        if isinstance(e, Const):
            return Read(Const(-e.value), r.shape, r.start, r.end)
        if isinstance(e, Product):
            first, rest = e.factors[0], e.factors[1:]
            if not isinstance(first, Const):
                expr: Expr = Product((Const(sympy.Integer(-1)), *e.factors))
            elif first.value != -1:
                expr = Product((Const(-first.value), *rest))
            else:
                expr = rest[0] if len(rest) == 1 else Product(rest)
            depth, size = _measure(expr) if len(rest) == 1 else (r.depth, r.size + 1)
            return Read(expr, r.shape, r.start, r.end, depth, size)
        return self.make(lambda a: Product((Const(sympy.Integer(-1)), a)), [r], r.start, r.end)

    def hterm(self, c: list[Any]) -> Read:
        acc: Read = c[0]
        for op, right in zip(c[1::2], c[2::2], strict=True):
            acc = self.make(lambda a, b: Hadamard(a, b), [acc, right], acc.start, right.end, blame=op.start_pos)
        return acc

    def product(self, c: list[Any]) -> Read:
        for i, x in enumerate(c):
            if isinstance(x, Token) and x.type == "TIMES" and 0 < i < len(c) - 1:
                left, right = c[i - 1], c[i + 1]
                if isinstance(left, Read) and isinstance(right, Read) \
                        and not left.shape.is_scalar and not right.shape.is_scalar:
                    raise UnsupportedError("\\times is read between scalars (or a scalar and a matrix) only: "
                                           "between two vectors or matrices it may be a cross or Kronecker "
                                           "product; write a matrix product by juxtaposition",
                                           self.at(x.start_pos or 0))
        factors = self.calls([x for x in c if isinstance(x, Read)])
        for f in factors:
            if f.start in self.givens:
                raise UnsupportedError("an equation in parentheses is read only as the argument of a function "
                                       "the question defines, f(x^t = (0, 1)); write the value alone",
                                       self.at(f.start))
        if len(factors) == 1:
            return factors[0]
        return self.make(lambda *f: Product(tuple(f)), factors, factors[0].start, factors[-1].end, locate=True)

    def calls(self, factors: list[Read]) -> list[Read]:
        """``f(0, 1)``, ``f(x^t)``, ``h(c)``: a name the question defines as a function (f(x_1, x_2)
        := ..., h(x) := ...) followed at once by parentheses is that function at those arguments,
        never the function times a vector (which ``f (0, 1)`` juxtaposed would otherwise read as)."""
        out: list[Read] = []
        for f in factors:
            previous = out[-1] if out else None
            fn = None
            if previous is not None and not self.text[previous.end:f.start].strip() \
                    and re.match(r"\(|\\(?:left|[bB]igg?l?)\s*\(", self.text[f.start:f.end]):
                fn = self.defined_function(self.text[previous.start:previous.end])
            if previous is not None and fn is not None and previous.expr == fn[0]:
                out[-1] = self.evaluate_at(fn, previous, f)
                self.givens.discard(f.start)
            else:
                out.append(f)
        return out

    def defined_function(self, written: str) -> tuple[Expr, tuple[Var, ...]] | None:
        """The definition and parameters of the function a question defines under the name
        ``written`` (``f`` for the definition ``f(x_1, x_2)``), each parameter a declared variable;
        None when there is no such definition (or more than one, with different parameters)."""
        base = re.sub(r"\s+", "", written)
        found: set[tuple[Expr, tuple[Var, ...]]] = set()
        for key, value in self.r.defines.items():
            call = re.fullmatch(r"(.+?)\((.+)\)", re.sub(r"\s+", "", key))
            if call is None or call.group(1) != base:
                continue
            try:
                params = tuple(Var(self.r.spellings.name_of(p)) for p in call.group(2).split(","))
            except (KeyError, ValueError, VerifyError):
                continue
            # a parameter is a declared variable, or a name the question defines (R(w), w := (w_1, w_2))
            if all((p.name in self.r.symbols and not self.r.symbols[p.name].of) or p.name in self.r.defines
                   for p in params):
                found.add((value, params))
        return found.pop() if len(found) == 1 else None

    def evaluate_at(self, fn: tuple[Expr, tuple[Var, ...]], name: Read, args: Read) -> Read:
        """The defined function ``fn`` at the arguments ``args`` (one per parameter, or one vector
        holding a value for each scalar parameter: f(x^t) for f(x_1, x_2))."""
        definition, params = fn
        given = args.expr
        if len(params) == 1:
            values: tuple[Expr, ...] = (given,)
        elif isinstance(given, MatrixLit) and len(given.rows) * len(given.rows[0]) == len(params) \
                and (len(given.rows) == 1 or len(given.rows[0]) == 1):
            values = tuple(x for row in given.rows for x in row)
        else:
            raise UnsupportedError(f"this function takes {len(params)} arguments: write each of them "
                                   f"({', '.join(self.r.symbols[p.name].latex or p.name for p in params)})",
                                   self.at(args.start))
        pairs = tuple((p, v) for p, v in zip(params, values, strict=True)
                      if v != p and v != self.r.defines.get(p.name))
        for p, _ in pairs:
            if p.name in self.r.defines:  # R(w) is defined at w := (w_1, w_2) only
                raise UnsupportedError(f"this function is defined at {p.name} only: write it there",
                                       self.at(args.start))
        for p, v in pairs:
            want = self.r.symbols[p.name].shape
            got = args.shape if len(params) == 1 else shape_of(v, self.r.symbols, self.r.layout)
            if got != want:
                raise ShapeError(f"{self.r.symbols[p.name].latex or p.name} is {want}, but is given a value "
                                 f"that is {got}", self.at(args.start))
        if not pairs:
            return Read(definition, name.shape, name.start, args.end, name.depth, name.size)
        return Read(At(definition, pairs), name.shape, name.start, args.end,
                    1 + max(name.depth, args.depth), 1 + name.size + args.size)

    def opapp(self, c: list[Any]) -> Read:
        op, arg = c
        if isinstance(op, Token):  # a bare elementwise function before a prefix operator
            op = _Op(_FUNCTIONS[_name(op)], op.start_pos or 0)
        return self.apply_op(op, arg)

    def apply_op(self, op: _Op, arg: Read) -> Read:
        if op.kind in ("grad", "hessian") and not op.wrt:
            return self.own_variables(op, arg)
        if op.kind == "grad":
            v = op.wrt[0].var
            wrt = self.r.symbols[v.name].shape if v.name in self.r.symbols else None
            if arg.shape.is_scalar and wrt is not None and not wrt.is_column:
                # \nabla_W f of a scalar by a matrix: the matrix of its partials, shaped as W (the
                # derivative in denominator layout, its transpose in numerator layout)
                def by_matrix(f: Expr) -> Expr:
                    d = Derivative(f, (v,))
                    return Transpose(d) if self.r.layout == "numerator" else d
                return self.make(by_matrix, [arg], op.start, arg.end, blame=op.start)
            if arg.shape.cols == 1 and arg.shape.rows != 1:
                # \nabla_v of a column f (m x 1): its Jacobian transposed, n x m (the gradient of each
                # entry as a column), as deep-learning texts write it: \nabla_w (\nabla_w L) is the
                # Hessian. Numerator layout transposes d f / d v; denominator layout is it.
                def jacobian_t(f: Expr) -> Expr:
                    d = Derivative(f, (v,))
                    return Transpose(d) if self.r.layout == "numerator" else d
                return self.make(jacobian_t, [arg], op.start, arg.end, blame=op.start)
            return self.make(lambda f: Gradient(f, v), [arg], op.start, arg.end, blame=op.start)
        if op.kind == "hessian":
            v = op.wrt[0].var
            return self.make(lambda f: Hessian(f, v), [arg], op.start, arg.end, blame=op.start)
        if op.kind == "derivative":
            return self.derivative(op, arg, op.start, arg.end)
        if op.kind == "sum":
            return self.index_sum(op, arg)
        return self.function(op.kind, arg, op.start, arg.end)

    def own_variables(self, op: _Op, arg: Read) -> Read:
        """``\\nabla`` (``\\nabla^2``) with no variable written: by the variables the function is of.

        - a function the question defines with its parameters (``h(x) := ...``, ``f(x_1, x_2) :=
          ...``), written ``h``, ``h(x)``, or at a point, ``\\nabla f(0, 1)``, ``\\nabla f(x^t)``,
          ``\\nabla h(c)``: by its parameters (one vector: the gradient; scalars: the column of
          partial derivatives), taken first, the point substituted after;
        - a function declared of scalars, psi(u, v, z): the column of its partial derivatives (the
          matrix of second ones) in the declared order.
        Anything else has no variable to take: it is refused with the notation to write."""
        written = self.function_written(arg)
        if written is not None:
            (definition, params), point = written
            body = self.by_parameters(op, definition, params)
            expr: Expr = At(body, point) if point else body
            try:
                shape = shape_of(expr, self.r.symbols, self.r.layout)
            except VerifyError as err:
                raise ShapeError(str(err), self.at(op.start)) from None
            return Read(expr, shape, op.start, arg.end, arg.depth + 2, arg.size + 2)
        s = self.r.symbols.get(arg.expr.name) if isinstance(arg.expr, Var) else None
        variables = [Var(v) for v in s.of] if s is not None else []
        if not variables or not all(v.name in self.r.symbols and self.r.symbols[v.name].shape.is_scalar
                                    for v in variables):
            raise UnsupportedError("\\nabla without a variable is read only for a function declared of "
                                   "scalars (\\nabla \\psi for psi(u, v, z)) or defined with its variables "
                                   "(h(x) := ...): write \\nabla_x f", self.at(op.start))
        if op.kind == "grad":
            def build(f: Expr) -> Expr:
                return MatrixLit(tuple((Derivative(f, (v,)),) for v in variables))
        else:
            def build(f: Expr) -> Expr:
                return MatrixLit(tuple(tuple(Derivative(f, (a, b)) for b in variables) for a in variables))
        return self.make(build, [arg], op.start, arg.end, blame=op.start)

    def by_parameters(self, op: _Op, f: Expr, params: tuple[Var, ...]) -> Expr:
        """The gradient (Hessian) of ``f`` by its parameters: by one vector, or by scalars entry by entry."""
        if len(params) == 1 and not self.r.symbols[params[0].name].shape.is_scalar:
            return Gradient(f, params[0]) if op.kind == "grad" else Hessian(f, params[0])
        if not all(self.r.symbols[p.name].shape.is_scalar for p in params):
            raise UnsupportedError("\\nabla of a function of several vectors names no variable: write "
                                   "\\nabla_x f", self.at(op.start))
        if op.kind == "grad":
            return MatrixLit(tuple((Derivative(f, (v,)),) for v in params))
        return MatrixLit(tuple(tuple(Derivative(f, (a, b)) for b in params) for a in params))

    def function_written(self, arg: Read) -> tuple[tuple[Expr, tuple[Var, ...]], tuple[tuple[Var, Expr], ...]] | None:
        """``arg`` as a function the question defines with its parameters, written by its name
        (``f``, ``h(x)``) or at a point (``f(0, 1)``, read as :class:`At`): the definition and
        parameters, and the point (empty where none is given). None for anything else."""
        text = self.text[arg.start:arg.end]
        head = re.match(r"\s*([^()]+?)\s*(?:\(|\\(?:left|[bB]igg?l?)\s*\(|$)", text)
        if head is None:
            return None
        fn = self.defined_function(head.group(1))
        if fn is None:
            return None
        if arg.expr == fn[0]:
            return fn, ()
        if isinstance(arg.expr, At) and arg.expr.expr == fn[0] and {v for v, _ in arg.expr.values} <= set(fn[1]):
            return fn, arg.expr.values
        return None

    def index_sum(self, op: _Op, arg: Read) -> Read:
        """``\\sum_i`` over the rest of the product: one term per member of the indexed names in it.

        The range is the question's: every indexed name inside must belong to a family 1..N of
        the same N, and written limits must agree (lower 1; upper N, or a letter that names no
        declared symbol, the size). A name that mentions the index but is a fixed declared name
        (``y^{(i)}``, one sample) makes the sum unreadable rather than misread.
        """
        letter, lower, upper = self.sum_head(op)
        inside = [n for n in self.named if arg.start <= n.start < arg.end and not n.consumed]
        mine = [n for n in inside if n.family is not None and self.r.families[n.family].letter == letter]
        pattern = re.compile(rf"(?<![A-Za-z\\]){letter}(?![A-Za-z])")
        fixed = [n for n in inside if n.family is None and pattern.search(n.text)]
        if fixed and not mine:
            return self.sample_sum(op, arg, letter, (lower, upper), fixed)
        for n in fixed:
            raise UnsupportedError(
                f"{n.text.strip()} mentions the summation index {letter} but is one fixed name here: "
                f"this sum cannot be read", self.at(n.start))
        if not mine:
            raise UnsupportedError(f"nothing in this sum is indexed by {letter} (such as v_{letter} for "
                                   f"declared v_1, v_2): its range cannot be told", self.at(op.start))
        families = {n.family: self.r.families[n.family] for n in mine if n.family is not None}
        ranges = {len(f.members) for f in families.values()}
        if len(ranges) != 1:
            raise UnsupportedError(f"the names indexed by {letter} in this sum have different ranges",
                                   self.at(op.start))
        size = ranges.pop()
        if lower not in ("", "1"):
            raise UnsupportedError(f"a sum over {letter} is read from {letter} = 1, not {letter} = {lower}",
                                   self.at(op.start))
        if upper.isdigit() and int(upper) != size:
            raise UnsupportedError(f"this sum runs to {upper}, but the question has {size} of each indexed name",
                                   self.at(op.start))
        if upper and not upper.isdigit() and (not re.fullmatch(r"[A-Za-z]", upper)
                                              or upper in self.r.spellings.meaning):
            raise UnsupportedError(f"the upper limit {upper} of this sum is not its number of terms ({size})",
                                   self.at(op.start))
        terms = []
        for k in range(size):
            mapping = {key: self.r.member(f.members[k][1]) for key, f in families.items()}
            expr = substitute(arg.expr, mapping)
            terms.append(Read(expr, arg.shape, arg.start, arg.end, arg.depth, arg.size))
        for n in mine:
            n.consumed = True
        return self.make(lambda *t: Add(tuple(t)), terms, op.start, arg.end, blame=op.start)

    def sample_sum(self, op: _Op, arg: Read, letter: str, limits: tuple[str, str], named: list[_Named]) -> Read:
        """``\\sum_{i=1}^{m}`` of sample i's names, where the question reads such a sum at m = 2
        (:class:`~verify.model.question.Samples`): sample i's term plus the other sample's."""
        samples = self.r.samples
        first = named[0]
        if samples is None or letter != samples.index:
            raise UnsupportedError(
                f"{first.text.strip()} mentions the summation index {letter} but is one fixed name here: "
                f"this sum cannot be read", self.at(first.start))
        other = dict(samples.other)
        for n in named:
            if self.r.spellings.name_of(n.text) not in other:
                raise UnsupportedError(f"{n.text.strip()} is not one of the names a sample has here: "
                                       f"this sum over the samples cannot be read", self.at(n.start))
        lower, upper = limits
        count = self.r.symbols[samples.count]
        spelled = getattr(count, "latex", None) or samples.count
        if lower not in ("", "1") or upper not in ("", spelled):
            raise UnsupportedError(f"a sum over the samples is read from {letter} = 1 to {spelled}",
                                   self.at(op.start))
        terms = [arg, Read(substitute(arg.expr, {k: Var(v) for k, v in other.items()}), arg.shape, arg.start,
                           arg.end, arg.depth, arg.size)]
        self.fixed[samples.count] = samples.AT
        return self.make(lambda *t: Add(tuple(t)), terms, op.start, arg.end, blame=op.start)

    def sum_head(self, op: _Op) -> tuple[str, str, str]:
        """(index letter, lower limit, upper limit) of ``\\sum_{i=1}^{n}``; limits may be ''."""
        scripts = dict(
            (m.group(1), (m.group(2) if m.group(2) is not None else m.group(3)).strip())
            for m in re.finditer(r"([_^])\s*(?:\{([^{}]*)\}|([A-Za-z0-9]))", op.head)
        )
        sub = scripts.get("_", "")
        letter, _, lower = (part.strip() for part in sub.partition("="))
        if letter not in INDEX_LETTERS or letter in self.r.spellings.meaning:
            raise UnsupportedError("a sum is read over one index letter (i, j, k or l, not a declared name), "
                                   "written under it: \\sum_i or \\sum_{i=1}^{n}", self.at(op.start))
        return letter, lower, scripts.get("^", "")

    def prefix(self, c: list[Any]) -> _Op:
        (op,) = c
        if isinstance(op, Token) and op.type == "SUM":
            if not self.r.index_sums:
                raise UnknownMacro("unknown command \\sum: not in the LaTeX subset that is read",
                                   self.at(op.start_pos or 0))
            return _Op("sum", op.start_pos or 0, head=str(op))
        if isinstance(op, Token):
            return _Op(_FUNCTIONS[_name(op)], op.start_pos or 0)
        return op

    def factor(self, c: list[Any]) -> Read:
        if len(c) == 1:
            return c[0]
        base, sup = c
        return self.superscript(base, sup)

    def bare(self, c: list[Any]) -> Read:
        tok, arg = c
        return self.function(_FUNCTIONS[_name(tok)], arg, tok.start_pos, arg.end)

    def atom(self, c: list[Any]) -> Read:
        (x,) = c
        return self.token(x) if isinstance(x, Token) else x

    atom_nb = atom
    atom_nn = atom

    def token(self, tok: Token) -> Read:
        start, end = tok.start_pos or 0, tok.end_pos or 0
        if tok.type == "NAME":
            return self.name(tok)
        if tok.type == "NUMBER":
            digits = str(tok).replace(".", "")
            if len(digits) > MAX_DIGITS:
                raise LimitExceeded(f"a number with more than {MAX_DIGITS} digits", self.at(start))
            return Read(Const(_digits(str(tok))), SCALAR, start, end)
        if tok.type == "IDENTITY":
            return self.identity(tok)
        if tok.type == "EULER":
            if str(tok).strip() != "e" and "e" in self.r.spellings.meaning:
                raise UnsupportedError("e is declared here, so \\mathrm{e} may be it or Euler's number: "
                                       "write \\exp(...) for the exponential", self.at(start))
            return Read(_Euler(), SCALAR, start, end)
        raise self.r._lexed(self.text, tok)  # pragma: no cover - the lexer callback raises first

    def name(self, tok: Token) -> Read:
        start, end = tok.start_pos or 0, tok.end_pos or 0
        name = self.lookup(tok)
        if name in self.r.partials:  # \psi_{uv}: the partial derivative, psi declared of(u, v, z)
            f, by = self.r.partials[name]
            return Read(Derivative(Var(f), tuple(Var(v) for v in by)), SCALAR, start, end)
        family = self.r.families.get(name)
        self.named.append(_Named(start, end, str(tok), name if family is not None else None))
        if family is not None:
            return Read(Var(name), family.shape, start, end)
        if name in self.r.defines:
            shape, depth, size = self.r.define_facts(name, self.at(start))
            return Read(self.r.defines[name], shape, start, end, depth, size)
        if name not in self.r.symbols:  # pragma: no cover - spellings come from the table
            raise UndeclaredName(f"{name} is not declared", self.at(start))
        return Read(Var(name), self.r.symbols[name].shape, start, end)

    def identity(self, tok: Token) -> Read:
        start, end = tok.start_pos or 0, tok.end_pos or 0
        sub = re.search(r"_\s*\{?\s*([A-Za-z0-9_]+)", str(tok))
        if sub is None:
            return Read(Identity(None), Shape(ANY, ANY), start, end)
        dim = sub.group(1)
        if dim.isdigit() and int(dim) > 0:
            size: int | str = int(dim)
        elif dim in self.r.letters:
            size = dim
        else:
            raise ShapeError(f"I_{dim}: {dim} is not a dimension of any declared symbol", self.at(start))
        return Read(Identity(size), Shape(size, size), start, end)

    def group(self, c: list[Any]) -> Read:
        open_, inner, close = c
        return Read(inner.expr, inner.shape, open_.start_pos, close.end_pos, inner.depth, inner.size)

    # Below this method, ``tuple`` in an annotation of this class body is the method: they say ``builtins.tuple``.
    def tuple(self, c: list[Any]) -> Read:
        """``(a, b)``, ``[a, b]``, ``[a; b]``: a point or vector written as a tuple, read as the column
        of its entries (a question that takes a row takes it too: see the questions' ``accepts``)."""
        open_, args, close = c
        for entry in args:
            if not entry.shape.is_scalar:
                raise ShapeError(f"a tuple entry must be a scalar, this one is {entry.shape}", self.at(entry.start))
        return self.make(lambda *e: MatrixLit(tuple((x,) for x in e)), args, open_.start_pos, close.end_pos)

    def given(self, c: list[Any]) -> Read:
        """``(x^t = (0, 1))``, a function's argument written with its value (the seed solution's
        ``\\nabla f(x^t = (0, 1))``): the value, where the name is a variable or already that value."""
        open_, name, _, value, close = c
        if name.shape != value.shape or not (isinstance(name.expr, Var) or name.expr == value.expr):
            raise UnsupportedError(f"{self.text[name.start:name.end].strip()} is not "
                                   f"{self.text[value.start:value.end].strip()} here", self.at(name.start))
        self.givens.add(open_.start_pos)
        return Read(value.expr, value.shape, open_.start_pos, close.end_pos, value.depth, value.size)

    def frac(self, c: list[Any]) -> Read:
        head, _, num, _, _, den, close = c
        if isinstance(num.expr, Const) and isinstance(den.expr, Const):
            if den.expr.value == 0:
                raise ShapeError("division by zero", self.at(den.start))
            return Read(Const(num.expr.value / den.expr.value), SCALAR, head.start_pos, close.end_pos)
        return self.make(lambda a, b: Div(a, b), [num, den], head.start_pos, close.end_pos, blame=den.start)

    def deriv(self, c: list[Any]) -> Read:
        head = c[0]
        order = next((x for x in c if isinstance(x, int)), 1)
        f = next(x for x in c if isinstance(x, Read))
        dens = next(x for x in c if isinstance(x, tuple))
        op = self.derivative_op(head.start_pos, order, dens)
        return self.derivative(op, f, head.start_pos, c[-1].end_pos)

    def sderiv(self, c: list[Any]) -> Read:
        head = c[0]
        order = next((x for x in c if isinstance(x, int)), 1)
        f = next(x for x in c if isinstance(x, Read))
        wrt = next(x for x in c if isinstance(x, _Wrt))
        op = self.derivative_op(head.start_pos, order, (wrt,))
        return self.derivative(op, f, head.start_pos, wrt.start + 1)

    def dop(self, c: list[Any]) -> _Op:
        order = next((x for x in c if isinstance(x, int)), 1)
        dens = next(x for x in c if isinstance(x, tuple))
        return self.derivative_op(c[0].start_pos, order, dens)

    def derivative_op(self, start: int, order: int, dens: builtins.tuple[_Wrt, ...]) -> _Op:
        total = sum(w.order for w in dens)
        if total != order:
            raise LatexSyntaxError(
                f"the numerator says order {order} but the denominator has order {total}", self.at(start)
            )
        if order > MAX_ORDER:
            raise LimitExceeded(f"derivatives of order above {MAX_ORDER} are not read", self.at(start))
        return _Op("derivative", start, dens)

    def derivative(self, op: _Op, f: Read, start: int, end: int) -> Read:
        wrt = tuple(w.var for w in op.wrt for _ in range(w.order))
        blame = op.wrt[0].start if len(op.wrt) == 1 else start
        hessian = self._hessian_of(op, f, wrt, start, end)
        if hessian is not None:
            return hessian
        by_node = {s.name: self.r.defines[name] if name in self.r.defines else Var(name)
                   for name, s in self.r.nodes.items()}
        values = tuple(dict.fromkeys((v, by_node[v.name]) for v in wrt if v.name in by_node))
        if not values:
            return self.make(lambda g: Derivative(g, wrt), [f], start, end, blame=blame)
        dependent = {name for _, value in values if isinstance(value, Var)
                     for name in (value.name, *self.r.symbols[value.name].of)}

        def at_the_node(g: Expr) -> Expr:
            """d g / d z_2 at z_2's value, g with z_2's definition made the variable z_2."""
            for v, value in values:
                g = replace_subtree(g, value, v)
            if dependent & _free(g):  # x(z) still there (as dx/dz, or by z): no variable of its own
                raise UnsupportedError(
                    "cannot differentiate by a function of another variable in an expression that still "
                    "depends on that variable", self.at(blame))
            return At(Derivative(g, wrt), values)

        return self.make(at_the_node, [f], start, end, blame=blame)

    def _hessian_of(self, op: _Op, f: Read, wrt: builtins.tuple[Var, ...], start: int, end: int) -> Read | None:
        """The Hessian, written as a second derivative by one vector: \\frac{\\partial^2 f}{\\partial x
        \\partial x^T}, \\frac{\\partial^2 f}{\\partial x \\partial x}, \\frac{\\partial^2 f}{\\partial x^2}.
        Each names the matrix of second partials d^2 f / dx_i dx_j, symmetric, so in either layout;
        a transposed variable anywhere else is an error that says so."""
        transposed = [w for w in op.wrt if w.transposed]
        symbol = self.r.table.get(wrt[0].name) if wrt else None
        nodes = {s.name for s in self.r.nodes.values()}  # d/dz_2 at z_2's value: the node's own reading
        is_hessian = (len(wrt) == 2 and wrt[0] == wrt[1] and symbol is not None and symbol.shape.is_column
                      and not symbol.shape.is_scalar and f.shape.is_scalar and wrt[0].name not in nodes)
        if transposed and not (is_hessian and transposed == [op.wrt[-1]]):
            raise UnsupportedError("a derivative by a transposed variable is read only as the Hessian "
                                   "\\frac{\\partial^2 f}{\\partial x \\partial x^T}", self.at(transposed[0].start))
        if not is_hessian:
            return None
        return self.make(lambda g: Hessian(g, wrt[0]), [f], start, end, blame=op.wrt[0].start)

    def pdens(self, c: list[Any]) -> builtins.tuple[_Wrt, ...]:
        return tuple(x for x in c if isinstance(x, _Wrt))

    ddens = pdens

    def wrt(self, c: list[Any]) -> _Wrt:
        name_tok = next(x for x in c if isinstance(x, Token) and x.type == "NAME")
        order = next((x for x in c if isinstance(x, int)), 1)
        transposed = any(isinstance(x, Token) and x.type == "SUP_T" for x in c)
        return _Wrt(self.variable(name_tok, node=True), order, name_tok.start_pos or 0, transposed)

    def psub(self, c: list[Any]) -> _Op:
        return _Op("derivative", c[0].start_pos, (c[-1],))

    def wrt_node(self, c: list[Any]) -> _Wrt:
        name_tok = next(x for x in c if isinstance(x, Token) and x.type == "NAME")
        return _Wrt(self.variable(name_tok, node=True), 1, name_tok.start_pos or 0)

    def wrt_sub(self, c: list[Any]) -> _Wrt:
        name_tok = next(x for x in c if isinstance(x, Token) and x.type == "NAME")
        return _Wrt(self.variable(name_tok), 1, name_tok.start_pos or 0)

    def variable(self, tok: Token, node: bool = False) -> Var:
        """The variable ``tok`` names; with ``node``, a definition's node (see LatexReader.nodes)."""
        name = self.lookup(tok)
        family = self.r.families.get(name)
        if family is not None:
            self.named.append(_Named(tok.start_pos or 0, tok.end_pos or 0, str(tok), name))
            if any(member in self.r.defines for _, member in family.members):
                raise UnsupportedError(f"cannot differentiate by {str(tok).strip()}: it stands for definitions",
                                       self.at(tok.start_pos or 0))
            return Var(name)
        if node and name in self.r.nodes and name not in self.r.defines:  # x declared of(z): its node
            return Var(self.r.nodes[name].name)
        if name in self.r.defines:
            if node and name in self.r.nodes:
                return Var(self.r.nodes[name].name)
            raise UnsupportedError(
                f"cannot differentiate by {name}: it is a definition, not a declared variable",
                self.at(tok.start_pos or 0),
            )
        return Var(name)

    def order(self, c: list[Any]) -> int:
        text = "".join(str(x) for x in c)
        value = int(re.findall(r"[0-9]+", text)[-1])
        if value < 1:
            raise LatexSyntaxError("a derivative's order is at least 1", self.at(c[0].start_pos or 0))
        if value > MAX_ORDER:
            raise LimitExceeded(f"derivatives of order above {MAX_ORDER} are not read", self.at(c[0].start_pos or 0))
        return value

    def nabla(self, c: list[Any]) -> _Op:
        head = c[0]
        orders = [x for x in c if isinstance(x, int)]
        wrt = tuple(x for x in c if isinstance(x, _Wrt))
        if len(orders) > 1:
            raise LatexSyntaxError("the order of \\nabla is given twice", self.at(head.start_pos))
        order = orders[0] if orders else 1
        if order > 2:
            raise UnsupportedError("\\nabla of order above 2 is not read", self.at(head.start_pos))
        return _Op("grad" if order == 1 else "hessian", head.start_pos, wrt)

    def call(self, c: list[Any]) -> Read:
        tok, arg = c
        if tok.type == "SIGN_CALL":  # sign(u) = I(u > 0) - I(u < 0), entry by entry: 0 at 0
            minus = Const(sympy.Integer(-1))
            return self.make(lambda u: Add((Apply("step", u), Product((minus, Apply("step", Product((minus, u))))))),
                             [arg], tok.start_pos or 0, arg.end)
        if tok.type == "EFUNC_PRIME":
            return self.derivative_of(_FUNCTIONS[_name(tok.split("'")[0].split("^")[0])], arg, tok.start_pos)
        return self.function(_FUNCTIONS[_name(tok)], arg, tok.start_pos, arg.end)

    def derivative_of(self, func: str, arg: Read, start: int) -> Read:
        """``\\sigma'(u)`` and the like: the derivative of an elementwise function at u, in closed
        form (sigma' = sigma (1 - sigma), tanh' = 1 - tanh^2, exp' = exp, log' = 1/u, ReLU' = step)."""
        one = Const(sympy.Integer(1))
        minus = Const(sympy.Integer(-1))
        scalar = arg.shape.is_scalar
        if func == "exp":
            return self.function("exp", arg, start, arg.end)
        if func == "relu":
            return self.function("step", arg, start, arg.end)
        if func == "sigmoid":
            if scalar:
                def build(u: Expr) -> Expr:
                    return Product((Apply("sigmoid", u), Add((one, Product((minus, Apply("sigmoid", u)))))))
            else:  # sigma(u) (1 - sigma(u)) = sigma(u) sigma(-u), with no 1 to size
                def build(u: Expr) -> Expr:
                    return Hadamard(Apply("sigmoid", u), Apply("sigmoid", Product((minus, u))))
            return self.make(build, [arg], start, arg.end, blame=start)
        if not scalar:
            raise UnsupportedError(f"the derivative of {func} is read at a scalar only here: write it "
                                   "elementwise in closed form", self.at(start))
        if func == "tanh":
            def build(u: Expr) -> Expr:
                return Add((one, Product((minus, Power(Apply("tanh", u), Const(sympy.Integer(2)))))))
        else:  # log
            def build(u: Expr) -> Expr:
                return Div(one, u)
        return self.make(build, [arg], start, arg.end, blame=start)

    def norm(self, c: list[Any]) -> Read:
        """The 2-norm of a vector, the Frobenius norm of a matrix, |a| of a scalar; remembered
        squared (x^T x, tr(A^T A), a^2) for a ``^2`` that follows."""
        open_, arg = c[0], c[1]
        close = c[2]
        sub = str(c[3]).lstrip("_").strip().strip("{}").strip() if len(c) > 3 else ""
        start, end = open_.start_pos or 0, (c[-1].end_pos or 0)
        shape = arg.shape
        two = Const(sympy.Integer(2))
        if shape.is_scalar:
            if sub not in ("", "2", "1"):
                raise UnsupportedError(f"the norm _{sub} of a scalar is not read: write |a|", self.at(close.start_pos))
            squared = self.make(lambda a: Power(a, two), [arg], start, end)
            value = self.function("abs", arg, start, end)
        elif shape.cols == 1 or shape.rows == 1:
            if sub not in ("", "2", "F"):
                raise UnsupportedError(f"only the 2-norm of a vector is read (\\|x\\| or \\|x\\|_2), not _{sub}",
                                       self.at(close.start_pos))
            if shape.cols == 1:
                squared = self.make(lambda a: Product((Transpose(a), a)), [arg], start, end)
            else:
                squared = self.make(lambda a: Product((a, Transpose(a))), [arg], start, end)
            value = self.function("sqrt", squared, start, end)
        else:
            if sub != "F":
                raise UnsupportedError("the norm of a matrix is read only as the Frobenius norm: write \\|A\\|_F "
                                       "(the spectral or other norms are not read)", self.at(start))
            squared = self.make(lambda a: Apply("tr", Product((Transpose(a), a))), [arg], start, end)
            value = self.function("sqrt", squared, start, end)
        value = Read(value.expr, value.shape, start, end, value.depth, value.size)
        self.norms[(start, end)] = squared
        return value

    norm_bar = norm
    norm_left = norm

    def inner(self, c: list[Any]) -> Read:
        """``\\langle a, b \\rangle``: a^T b for vectors, a b for scalars, tr(A^T B) for matrices."""
        open_, a, _, b, close = c
        start, end = open_.start_pos or 0, close.end_pos or 0
        if a.shape != b.shape:
            raise ShapeError(f"an inner product of a {a.shape} and a {b.shape}", self.at(b.start))
        if a.shape.is_scalar:
            return self.make(lambda x, y: Product((x, y)), [a, b], start, end)
        if a.shape.cols == 1:
            return self.make(lambda x, y: Product((Transpose(x), y)), [a, b], start, end)
        return self.make(lambda x, y: Apply("tr", Product((Transpose(x), y))), [a, b], start, end)

    def sqrt(self, c: list[Any]) -> Read:
        head, _, arg, close = c
        return self.function("sqrt", arg, head.start_pos, close.end_pos)

    def function(self, func: str, arg: Read, start: int, end: int) -> Read:
        if func == "softmax":
            # softmax(u) = exp(u) / (1^T exp(u)), its entries' sum written tr(diag(exp(u))): read as
            # that quotient, so every evaluator and the prover know it without a rule of its own
            if not (arg.shape.cols == 1 and arg.shape.rows != 1):
                raise ShapeError("softmax is of a column", self.at(start))
            return self.make(lambda a: Div(Apply("exp", a), Apply("tr", Apply("diag", Apply("exp", a)))),
                             [arg], start, end, blame=start)
        return self.make(lambda a: Apply(func, a), [arg], start, end, blame=start)

    def maxcall(self, c: list[Any]) -> Read:
        head, _, args, close = c
        return self.make(lambda *a: Max(tuple(a)), args, head.start_pos, close.end_pos, locate=True)

    def indicator(self, c: list[Any]) -> Read:
        """The indicator of a comparison, elementwise: ``a > b`` is step(a - b) and ``a < b`` is
        step(b - a) (strict: 0 where the sides are equal); ``a >= b`` is closed_step(a - b) and
        ``a <= b`` closed_step(b - a) (1 where they are equal). The two differ only there, and
        there each has its value: ``I(x \\geq 0) = I(x > 0)`` is false at x = 0."""
        head, left, cmp, right, close = c
        opened = str(head).rstrip()[-1]
        wanted = {"(": ("RPAR", "RIGHT_PAR"), "[": ("RBRACK", "RIGHT_BRACK"), "{": ("RBRACE_LIT", "RIGHT_BRACE")}
        if close.type not in wanted[opened]:
            raise UnbalancedBrackets(f"'{str(close).strip()}' does not close '{str(head).strip()}' opened at offset "
                                     f"{head.start_pos}: write '{_closer(head)}' here", self.at(close.start_pos or 0))
        text = str(cmp)
        greater = text.startswith(">") or "g" in text
        closed = "=" in text or text.startswith("\\")  # >=, <=, \ge, \geq, \geqslant, \le, ...
        big, small = (left, right) if greater else (right, left)
        if isinstance(small.expr, Const) and small.expr.value == 0:
            arg = big
        elif isinstance(big.expr, Const) and big.expr.value == 0:
            arg = self.negate(small)
        else:
            arg = self.make(lambda a, b: Add((a, Product((Const(sympy.Integer(-1)), b)))), [big, small],
                            big.start, small.end, blame=cmp.start_pos)
        return self.function("closed_step" if closed else "step", arg, head.start_pos, close.end_pos)

    def args(self, c: list[Any]) -> list[Read]:
        return [x for x in c if isinstance(x, Read)]

    semis = args

    def abs_bar(self, c: list[Any]) -> Read:
        open_, arg, close = c
        return self.function("abs", arg, open_.start_pos, close.end_pos)

    abs_left = abs_bar

    def matrix(self, c: list[Any]) -> Read:
        begin, end = c[0], c[-1]
        kinds = {re.findall(r"[bp]matrix", str(t))[0] for t in (begin, end)}
        if len(kinds) != 1:
            raise UnbalancedBrackets(f"{str(begin).strip()} is closed by {str(end).strip()}", self.at(end.start_pos))
        rows: list[list[Read]] = [x for x in c if isinstance(x, list)]
        width = len(rows[0])
        entries = sum(len(row) for row in rows)
        if entries > MAX_ENTRIES:
            raise LimitExceeded(f"a matrix of {entries} entries; at most {MAX_ENTRIES} are read",
                                self.at(begin.start_pos or 0))
        for row in rows:
            if len(row) != width:
                raise ShapeError(
                    f"a row of {len(row)} entries in a matrix whose first row has {width}", self.at(row[0].start)
                )
            for entry in row:
                if not entry.shape.is_scalar:
                    raise ShapeError(
                        f"a matrix entry must be a scalar, this one is {entry.shape}", self.at(entry.start)
                    )
        flat = [e for row in rows for e in row]

        def build(*entries: Expr) -> Expr:
            it = iter(entries)
            return MatrixLit(tuple(tuple(next(it) for _ in range(width)) for _ in range(len(rows))))

        return self.make(build, flat, begin.start_pos, end.end_pos)

    def row(self, c: list[Any]) -> list[Read]:
        return [x for x in c if isinstance(x, Read)]

    # -- superscripts ---------------------------------------------------------------------
    def sup(self, c: list[Any]) -> _Sup:
        head = c[0]
        start = head.start_pos or 0
        if head.type == "SUP_T":
            return _Sup("T", start)
        if head.type == "SUP_NEG_T":
            return _Sup("-T", start)
        if head.type == "PRIME":
            return _Sup("prime", start)
        if head.type == "SUP_DIGIT":
            end = head.end_pos or 0
            return _Sup("power", start, Read(Const(sympy.Integer(int(str(head)[-1]))), SCALAR, end - 1, end))
        exponent = next(x for x in c if isinstance(x, Read)) if any(isinstance(x, Read) for x in c) else None
        if exponent is None:  # ^NAME
            exponent = self.name(c[1])
        return _Sup("power", start, exponent)

    def superscript(self, base: Read, sup: _Sup) -> Read:
        if isinstance(base.expr, _Euler):
            return self.euler(base, sup)
        if sup.kind == "prime":
            end = sup.start + 1
            if base.shape.is_scalar:
                raise UnsupportedError(
                    "' is read as the transpose of a vector or matrix; on a scalar it would be a derivative "
                    "by a variable it does not name: write \\frac{d f}{d x} (or \\sigma'(z) for the "
                    "elementwise functions)", self.at(sup.start))
            return self.make(lambda a: Transpose(a), [base], base.start, end)
        squared = self.norms.get((base.start, base.end))
        if squared is not None and sup.kind == "power" and sup.exponent is not None \
                and self.constant(sup.exponent) == 2:
            return Read(squared.expr, squared.shape, base.start, sup.exponent.end, squared.depth, squared.size)
        end = sup.exponent.end if sup.exponent is not None else base.end
        if sup.kind == "T":
            return self.make(lambda a: Transpose(a), [base], base.start, end)
        if sup.kind == "-T":
            inverse = self.make(lambda a: Inverse(a), [base], base.start, end, blame=base.start)
            return self.make(lambda a: Transpose(a), [inverse], base.start, end)
        assert sup.exponent is not None
        exponent = sup.exponent
        if not exponent.shape.is_scalar:
            raise ShapeError(f"an exponent must be a scalar, this one is {exponent.shape}", self.at(exponent.start))
        value = self.constant(exponent)
        if value is not None:
            if value.is_integer and abs(int(value)) > MAX_EXPONENT:
                raise LimitExceeded(f"an exponent above {MAX_EXPONENT} in absolute value", self.at(exponent.start))
            exponent = Read(Const(value), SCALAR, exponent.start, exponent.end)
        elif _has_power(exponent.expr):
            raise UnsupportedError("a tower of powers (a power in an exponent) is not read", self.at(exponent.start))
        if base.shape.is_scalar:
            return self.make(lambda a, b: Power(a, b), [base, exponent], base.start, end, blame=base.start)
        if value is None or not value.is_integer:
            diagonal = _diagonal(base.expr, base.shape, self.is_scalar)
            if diagonal is not None:  # (I - alpha Lambda)^k: the power of each diagonal entry
                power = exponent.expr
                n = len(diagonal)
                return self.make(lambda *_: MatrixLit(tuple(
                    tuple(Power(d, power) if i == j else Const(sympy.Integer(0)) for j in range(n))
                    for i, d in enumerate(diagonal))), [base, exponent], base.start, end, blame=base.start)
            raise UnsupportedError("a power of a matrix by a symbol is read only for a diagonal matrix "
                                   "(I - \\alpha \\Lambda)^k; write it entry by entry", self.at(exponent.start))
        k = int(value)
        if k < 0:
            base = self.make(lambda a: Inverse(a), [base], base.start, end, blame=base.start)
            if k == -1:
                return base
            exponent = Read(Const(sympy.Integer(-k)), SCALAR, exponent.start, exponent.end)
        return self.make(lambda a, b: Power(a, b), [base, exponent], base.start, end, blame=base.start)

    def is_scalar(self, e: Expr) -> bool:
        if isinstance(e, Identity):
            return False
        try:
            return shape_of(e, self.r.table, self.r.layout).is_scalar
        except VerifyError:
            return False

    def euler(self, base: Read, sup: _Sup) -> Read:
        """``e^{u}``: exp(u), elementwise on a vector or matrix u."""
        if sup.kind != "power" or sup.exponent is None:
            raise UnsupportedError("e with a transpose or ' is not read: e^{...} is the exponential",
                                   self.at(sup.start))
        return self.function("exp", sup.exponent, base.start, sup.exponent.end)

    def constant(self, r: Read) -> sympy.Rational | None:
        """The exact value of a constant exponent, or None; every power on the way is bounded."""
        try:
            return _fold(r.expr)
        except _TooLarge as err:
            raise LimitExceeded(str(err), self.at(r.start)) from None


def _free(e: Expr) -> set[str]:
    """The names ``e`` mentions, the variables of its derivatives included."""
    out: set[str] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            out.add(node.name)
        elif isinstance(node, Derivative):
            out.update(v.name for v in node.wrt)
        stack.extend(node.children())
    return out


class _TooLarge(Exception):
    pass


class _ConstantFolder(Visitor):
    """The exact value of an exponent made of numbers only (``2^{10}``, ``\\frac{1}{2}``), or None
    if it mentions anything else; every power on the way is bounded."""

    #: any other node is not a number: its exponent has no constant value (generic_visit: None)
    generic = frozenset(n for n in NODES if n.__name__ not in ("Const", "Add", "Product", "Div", "Power"))

    def generic_visit(self, e: Expr, *args: Any) -> None:
        return None

    def _Const(self, e: Const) -> sympy.Rational:
        return e.value

    def _Add(self, e: Add) -> sympy.Rational | None:
        return self.combine(e, lambda a, b: a + b, sympy.Integer(0))

    def _Product(self, e: Product) -> sympy.Rational | None:
        return self.combine(e, lambda a, b: a * b, sympy.Integer(1))

    def combine(self, e: Expr, op: Callable[[Any, Any], Any], total: sympy.Rational) -> sympy.Rational | None:
        parts = [self.visit(t) for t in e.children()]
        if any(p is None for p in parts):
            return None
        for p in parts:
            total = _bounded(op(total, p))
        return total

    def _Div(self, e: Div) -> sympy.Rational | None:
        num, den = self.visit(e.num), self.visit(e.den)
        if num is None or den is None or den == 0:
            return None
        return _bounded(num / den)

    def _Power(self, e: Power) -> sympy.Rational | None:
        base, exp = self.visit(e.base), self.visit(e.exponent)
        if base is None or exp is None or not exp.is_integer:
            return None
        k = int(exp)
        if abs(k) > MAX_EXPONENT:
            raise _TooLarge(f"an exponent above {MAX_EXPONENT} in absolute value")
        bits = max(abs(base.p).bit_length(), abs(base.q).bit_length())
        if bits * abs(k) > MAX_BITS:
            raise _TooLarge(f"a number of more than {MAX_BITS} bits in an exponent")
        if base == 0 and k < 0:
            return None
        return _bounded(base**k)


def _fold(e: Expr) -> sympy.Rational | None:
    """Evaluate an exponent made of numbers only; None if it mentions anything else."""
    return _ConstantFolder().visit(e)


def _bounded(value: sympy.Rational) -> sympy.Rational:
    if max(abs(value.p).bit_length(), abs(value.q).bit_length()) > MAX_BITS:
        raise _TooLarge(f"a number of more than {MAX_BITS} bits in an exponent")
    return value


def _is_zero(e: Expr) -> bool:
    """0, or a product with a factor 0 (\\alpha \\cdot 0)."""
    zero = Const(sympy.Integer(0))
    return e == zero or (isinstance(e, Product) and zero in e.factors)


def _diagonal(e: Expr, shape: Shape, scalar: Callable[[Expr], bool]) -> list[Expr] | None:
    """The diagonal entries of ``e`` when it is plainly diagonal of a known size (I, a diagonal
    matrix written out, their sums and scalar multiples), else None. ``scalar`` tells a scalar
    factor from a matrix one."""
    if not isinstance(shape.rows, int) or shape.rows != shape.cols:
        return None
    n = shape.rows
    zero, one = Const(sympy.Integer(0)), Const(sympy.Integer(1))
    if isinstance(e, Identity):
        return [one] * n
    if isinstance(e, MatrixLit) and len(e.rows) == n and all(len(r) == n for r in e.rows):
        if all(e.rows[i][j] == zero for i in range(n) for j in range(n) if i != j):
            return [e.rows[i][i] for i in range(n)]
        return None
    if isinstance(e, Add):
        parts = [_diagonal(t, shape, scalar) for t in e.terms]
        if any(p is None for p in parts):
            return None
        return [Add(tuple(p[i] for p in parts if p is not None)) for i in range(n)]
    if isinstance(e, Product):
        matrices = [f for f in e.factors if not scalar(f)]
        if len(matrices) != 1:
            return None
        inner = _diagonal(matrices[0], shape, scalar)
        if inner is None:
            return None
        scalars = tuple(f for f in e.factors if scalar(f))
        return [Product((*scalars, d)) if scalars else d for d in inner]
    return None


def _has_power(e: Expr) -> bool:
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Power | Inverse):
            return True
        stack.extend(node.children())
    return False
