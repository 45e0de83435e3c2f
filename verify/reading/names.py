"""Declared spellings of names, and the regular expression that finds them in LaTeX.

Why a name is found by its declaration and not by a generic "identifier" rule: in LaTeX,
``Ax`` is A times x, ``W_1`` may be one name, and ``\\hat{y}^{(i)}`` is one name for a
student but a power for a generic reader. Only the declarations know. So the lexer's
NAME terminal is the alternation of every declared spelling, longest first: ``Ax`` splits
into ``A`` and ``x``, and a declared ``x_1`` wins over ``x``.

A spelling is matched up to LaTeX's own equivalences: braces around a one-token subscript
or accent argument are optional (``W_1`` = ``W_{1}``, ``\\hat{y}`` = ``\\hat y``), and
spaces are free where LaTeX ignores them. Spaces between two letters are not: ``a b`` is
a times b even when ``ab`` is declared.

A name is not matched where it would be the start of a longer, undeclared one: with only
``x`` declared, ``x_2`` or ``x^*`` is an undeclared name, not x followed by debris.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from verify.errors import DeclarationError

#: Longest accepted spelling of one name.
MAX_SPELLING = 60
#: Most spellings (declared symbols, their LaTeX forms and definitions) one table may have.
MAX_SPELLINGS = 500

#: Commands that are part of the notation itself and so cannot be a declared name.
#: (``\sigma`` may be declared: a file that does so reads ``\sigma(z)`` as a product.)
RESERVED = frozenset(
    {
        "frac", "dfrac", "tfrac", "partial", "nabla", "cdot", "odot", "circ", "left", "right",
        "begin", "end", "operatorname", "mathrm", "text", "log", "ln", "exp", "tanh", "det",
        "max", "sqrt", "top", "intercal", "lvert", "rvert", "vert", "quad", "qquad",
        "displaystyle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
        "biggl", "biggr", "Biggl", "Biggr",
    }
)

_PIECE = re.compile(r"\\[A-Za-z]+|\\[^A-Za-z]|\s+|.", re.S)
_ALLOWED = re.compile(r"^[A-Za-z\\][A-Za-z0-9_^{}()*'\\ ,+\-]*$")


def _token_regex(piece: str) -> str:
    """One LaTeX token of a spelling; a command may not run on into more letters."""
    if piece.startswith("\\") and piece[1:].isalpha():
        return re.escape(piece) + r"(?![A-Za-z])"
    return re.escape(piece)


def _check(spelling: str) -> list[str]:
    if not spelling or len(spelling) > MAX_SPELLING:
        raise DeclarationError(f"{spelling!r}: a name has 1 to {MAX_SPELLING} characters")
    if not _ALLOWED.match(spelling):
        raise DeclarationError(
            f"{spelling!r} is not a LaTeX name: start with a letter or a command such as \\alpha, "
            "then letters, digits, _ ^ { } ( ) * '"
        )
    pieces = [p for p in _PIECE.findall(spelling) if not p.isspace()]
    depth = 0
    for p in pieces:
        depth += {"{": 1, "}": -1}.get(p, 0)
        if depth < 0:
            break
    if depth != 0:
        raise DeclarationError(f"{spelling!r}: unbalanced braces")
    first = pieces[0]
    # A subscripted \partial (\partial_W E, "the gradient of E by W" as one symbol) is never
    # notation: the grammar reads \partial only inside \frac, never followed by a subscript.
    subscripted_partial = first == "\\partial" and len(pieces) > 1 and pieces[1] == "_"
    if first.startswith("\\") and first[1:] in RESERVED and not subscripted_partial:
        raise DeclarationError(f"{spelling!r}: {first} is part of the notation and cannot be declared")
    return pieces


def _spaced_positions(spelling: str) -> set[int]:
    """Indices (among the non-space pieces) of the pieces that a space precedes in ``spelling``."""
    out: set[int] = set()
    count = 0
    after_space = False
    for raw in _PIECE.findall(spelling):
        if raw.isspace():
            after_space = count > 0
            continue
        if after_space:
            out.add(count)
        after_space = False
        count += 1
    return out


def spelling_regex(spelling: str) -> str:
    """A regular expression (no capturing groups) that matches ``spelling`` as LaTeX writes it."""
    pieces = _check(spelling)
    # Where the spelling itself has a space between two pieces (\partial_W E), the text may too.
    spaced = _spaced_positions(spelling)
    out: list[str] = []
    depth = 0
    top_sub = top_sup = False
    i = 0
    while i < len(pieces):
        p = pieces[i]
        if i in spaced:
            out.append(r"\s*")
        argument_of = None
        if p in ("_", "^"):
            if depth == 0:
                top_sub |= p == "_"
                top_sup |= p == "^"
            out.append(r"\s*" + re.escape(p) + r"\s*")
            argument_of = "script"
        elif p.startswith("\\") and p[1:].isalpha():
            out.append(re.escape(p))
            argument_of = "command"
        elif p == "{":
            depth += 1
            out.append(r"\s*\{\s*")
        elif p == "}":
            depth -= 1
            out.append(r"\s*\}")
        else:
            out.append(("\\s*" if depth > 0 else "") + re.escape(p))
        i += 1
        if argument_of is None:
            continue
        # A one-token argument: braces optional ({1} = 1 after _, {y} = " y" after \hat).
        token = None
        if i + 2 < len(pieces) and pieces[i] == "{" and pieces[i + 2] == "}" and pieces[i + 1] not in "{}":
            token, i = pieces[i + 1], i + 3
        elif i < len(pieces) and pieces[i] not in ("{", "}", "_", "^") and (
            argument_of == "script" or pieces[i].isalnum()
        ):
            token, i = pieces[i], i + 1
        if token is None:
            if argument_of == "command" and (i >= len(pieces) or pieces[i] != "{"):
                out.append(r"(?![A-Za-z])")
            continue
        one = _token_regex(token)
        bare = r"\s+" + one if argument_of == "command" and token.isalnum() else one
        out.append(rf"(?:\s*\{{\s*{one}\s*\}}|{bare})")
    tail = ""
    if not top_sub:
        tail += r"(?!\s*_)"
    if not top_sup:
        # (x^\prime, like x', is read as x transposed or refused on a scalar)
        tail += r"(?!\s*\^\s*(?:\*|\\star|\{\s*(?:\*|\(|\\prime\s*\\prime|\\star)))"
        if not spelling.endswith("'"):
            # x' is read as x transposed (or refused on a scalar); x'' stays another name
            tail += r"(?!'')"
    return "".join(out) + tail


#: Decorations a name may be written with and still be the declared name: \mathbf{x} is x
#: when x is declared (and \mathbf{x} is not declared as something else).
DECORATIONS = ("mathbf", "boldsymbol", "bm", "vec", "mathrm")
#: \mathrm{d} is the differential and \mathrm{e} Euler's number: never a decorated d or e.
_UPRIGHT_MEANS_ELSE = frozenset({"d", "e"})
#: Accents whose argument may itself be decorated: \hat{\mathbf{x}} is \hat{x}.
ACCENTS = frozenset({"hat", "bar", "tilde", "widehat", "widetilde", "overline", "dot", "ddot"})
_DECO = "\\DECO"
_DECO_BOLD = "\\DECOB"
_DECO_RE = re.compile(r"\\(?:" + "|".join(DECORATIONS) + r")(?![A-Za-z])")


def _argument(text: str, i: int) -> int | None:
    """End index of the one LaTeX argument starting at ``text[i]`` (after spaces), or None."""
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        return None
    if text[i] == "{":
        depth = 0
        for j in range(i, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                return j + 1
        return None
    command = re.match(r"\\[A-Za-z]+|[A-Za-z0-9]", text[i:])
    return i + command.end() if command else None


def _braced(arg: str) -> str:
    arg = arg.strip()
    return arg[1:-1] if arg.startswith("{") and arg.endswith("}") else arg


def undecorated(spelling: str) -> str:
    """``spelling`` with every decoration removed: \\hat{\\mathbf{x}}_1 is \\hat{x}_1."""
    out = spelling
    while True:
        m = _DECO_RE.search(out)
        if m is None:
            return out
        end = _argument(out, m.end())
        if end is None:
            return out
        inner = _braced(out[m.end():end])
        out = out[: m.start()] + ("{" + inner + "}" if out[m.start() - 1: m.start()] in ("_", "^") else inner) \
            + out[end:]


def decorated_forms(spelling: str) -> list[str]:
    """The decorated ways to write a plain spelling, with a placeholder for the decoration:
    \\DECO{x}_1 and \\DECO{x_1} for x_1, \\hat{\\DECO{x}} and \\DECO{\\hat{x}} for \\hat{x}."""
    text = spelling.strip()
    if _DECO_RE.search(text):
        return []
    head = re.match(r"\\([A-Za-z]+)|([A-Za-z])", text)
    if head is None:
        return []
    forms: list[str] = []
    command = head.group(1)
    if command in ACCENTS:
        end = _argument(text, head.end())
        if end is None:
            return []
        inner, rest = _braced(text[head.end():end]), text[end:]
        deco = _DECO_BOLD if inner in _UPRIGHT_MEANS_ELSE else _DECO
        forms.append(f"\\{command}{{{deco}{{{inner}}}}}{rest}")
    else:
        letter = command or head.group(2)
        rest = text[head.end():]
        if rest.strip() and rest.strip()[0] not in "_^'":
            rest = None  # ab: only \mathbf{ab} below
        elif rest.strip():
            deco = _DECO_BOLD if letter in _UPRIGHT_MEANS_ELSE else _DECO
            forms.append(f"{deco}{{{head.group(0)}}}{rest}")
    if len(forms) == 0 or text != forms[0]:
        deco = _DECO_BOLD if text in _UPRIGHT_MEANS_ELSE else _DECO
        forms.append(f"{deco}{{{text}}}")
    return forms


def _decorated_regex(form: str) -> str:
    regex = spelling_regex(form)
    bold = r"\\(?:" + "|".join(d for d in DECORATIONS if d != "mathrm") + ")"
    every = r"\\(?:" + "|".join(DECORATIONS) + ")"
    return regex.replace(re.escape(_DECO_BOLD), bold).replace(re.escape(_DECO), every)


@functools.lru_cache(maxsize=8192)
def compiled(regex: str) -> re.Pattern[str]:
    """One compiled expression per spelling per process: every question's table spells x alike, and
    more distinct expressions than re's own cache holds (512) made it compile them again and again."""
    return re.compile(regex)


#: The greatest width ``re`` gives an unbounded expression (Lark's terminal widths are these).
MAXWIDTH = int(getattr(re._parser, "MAXWIDTH", re._constants.MAXREPEAT))


def _syntax(regex: str) -> Iterator[tuple[int, str, int]]:
    """Each character of ``regex`` that is syntax, with its index and group depth: not escaped
    (``\\*``) and not inside a character class (``[*+]``)."""
    depth, i, in_class = 0, 0, False
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        else:
            depth -= c == ")"
            yield i, c, depth
            depth += c == "("
        i += 1


def _literal_run(regex: str, i: int) -> tuple[str, int]:
    """The literals (plain or escaped punctuation) of ``regex`` from index ``i``, up to the first
    other item or a quantified literal, and the index where they end."""
    out: list[str] = []
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            d = regex[i + 1:i + 2]
            if not d or d.isalnum():  # \s, \d, \b, ...: a class or an assertion
                break
            literal, step = d, 2
        elif c in ".^$*+?{}[]()|":
            break
        else:
            literal, step = c, 1
        if regex[i + step:i + step + 1] in ("*", "+", "?", "{"):  # optional or repeated
            break
        out.append(literal)
        i += step
    return "".join(out), i


def _top_level_alternation(regex: str) -> bool:
    return any(c == "|" and depth == 0 for _, c, depth in _syntax(regex))


@functools.lru_cache(maxsize=8192)
def literal_prefix(regex: str) -> str:
    """Characters every match of ``regex`` begins with: its leading literals (plain or escaped
    punctuation), up to the first other item or a quantified literal; "" when it has a top-level
    alternation (any match may begin otherwise). A lower bound: "" is always right."""
    if _top_level_alternation(regex):
        return ""
    return _literal_run(regex, 0)[0]


@functools.lru_cache(maxsize=8192)
def literal_prefixes(regex: str) -> tuple[str, ...]:
    r"""Strings one of which every match of ``regex`` begins with: :func:`literal_prefix`, carried
    through a group of literal alternatives that follows it and the literals after that group
    (``\\(?:mathbf|bm)\{`` begins with ``\mathbf{`` or ``\bm{``).

    Why: every decorated spelling's expression begins with a backslash and the decorations; with
    the backslash alone as its prefix, each was tried (and so compiled) wherever a text had a
    command such as ``\frac``: about 200 of them for HW1 and one submission. A lower bound: ("",)
    is always right, and ``str.startswith`` takes the tuple as it is."""
    if _top_level_alternation(regex):
        return ("",)
    head, i = _literal_run(regex, 0)
    if not regex.startswith("(?:", i):
        return (head,)
    close = next((k for k, c, depth in _syntax(regex) if k > i and c == ")" and depth == 0), None)
    if close is None or regex[close + 1:close + 2] in ("*", "+", "?", "{"):
        return (head,)
    alternatives = regex[i + 3:close].split("|")  # "(" or "\\" in one: not a plain literal, refused below
    runs = [_literal_run(a, 0) for a in alternatives]
    if any(end != len(a) or "(" in a or "\\" in a for a, (_, end) in zip(alternatives, runs, strict=True)):
        return (head,)
    tail = _literal_run(regex, close + 1)[0]
    return tuple(dict.fromkeys(head + run + tail for run, _ in runs))


@functools.lru_cache(maxsize=8192)
def unbounded(regex: str) -> bool:
    """Whether a match may be arbitrarily long: an unescaped ``*`` or ``+`` or ``{n,}`` outside a
    character class (then ``re`` gives it the width :data:`MAXWIDTH`)."""
    return any(c in "*+" or (c == "{" and re.match(r"\{\d*,\}", regex[i:]) is not None)
               for i, c, _ in _syntax(regex))


@functools.lru_cache(maxsize=8192)
def regex_width(regex: str) -> tuple[int, int]:
    """The least and greatest width of a match, as Lark computes a terminal's (by ``re``'s parser)."""
    low, high = re._parser.parse(regex).getwidth()
    return int(low), int(high)


def alternation_width(regexes: tuple[str, ...]) -> tuple[int, int]:
    """The width of the alternation of ``regexes`` (the least and the greatest of theirs), without
    parsing any where it is already known: an alternative that begins with a literal matches at
    least that prefix, and one that is unbounded makes the greatest width :data:`MAXWIDTH` (the
    greatest is what orders Lark's terminals; the least is only checked to be positive)."""
    if all(literal_prefix(r) for r in regexes) and any(unbounded(r) for r in regexes):
        # the least width: a lower bound (each prefix's length), which Lark only checks is positive
        return min(len(literal_prefix(r)) for r in regexes), MAXWIDTH
    widths = [regex_width(r) for r in regexes]
    return min(w[0] for w in widths), max(w[1] for w in widths)


class NameMatcher:
    """NAME's expression, the alternation of every spelling in order, matched without compiling it.

    Why: the alternation of a table's spellings (each with its decorated forms) is one large
    expression that took ~12 ms to compile, per table; HW1 read from its file has 35 tables. An
    alternation that ends the expression matches at a position exactly as its first alternative
    that matches there, and an alternative can only match where the text begins with one of its
    literal prefixes (:func:`literal_prefixes`): the others are skipped, and an alternative is compiled
    (:func:`compiled`, once per process) only the first time its prefix is met.
    """

    def __init__(self, regexes: tuple[str, ...]) -> None:
        self.regexes = regexes
        self.prefixes = tuple(literal_prefixes(r) for r in regexes)
        self._by_char: dict[str, tuple[int, ...]] = {}

    def match(self, text: str, pos: int, end: int) -> re.Match[str] | None:
        char = text[pos:pos + 1]
        tried = self._by_char.get(char)
        if tried is None:
            tried = tuple(i for i, ps in enumerate(self.prefixes) if any(not p or p[0] == char for p in ps))
            self._by_char[char] = tried
        for i in tried:
            if not text.startswith(self.prefixes[i], pos, end):  # ("",) begins every text
                continue
            found = compiled(self.regexes[i]).match(text, pos, end)
            if found is not None:
                return found
        return None


class AmbiguousName(DeclarationError):
    """A decorated name that two declarations could mean."""


@dataclass(frozen=True)
class Spellings:
    """Every way a name may be written, and what each spelling stands for.

    ``meaning`` maps a spelling to the declared symbol or definition it names. Besides these,
    a decorated form of a declared spelling (\\mathbf{x}, \\boldsymbol{x}, \\bm{x}, \\vec{x},
    \\mathrm{x}; \\hat{\\mathbf{x}} for \\hat{x}) names the same thing, unless it could name
    two: with x and \\mathbf{x} declared as different names, \\bm{x} is refused.
    """

    meaning: dict[str, str]
    _order: tuple[tuple[str, str], ...] = field(repr=False, default=())
    _memo: dict[str, str] = field(repr=False, default_factory=dict, compare=False)
    #: (decorated form, its undecorated spelling, regex), longest first
    _loose: tuple[tuple[str, str, str], ...] = field(repr=False, default=())

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str]]) -> Spellings:
        """``entries`` are (spelling, name) pairs; two names spelled alike are an error."""
        meaning: dict[str, str] = {}
        for spelling, name in entries:
            if spelling in meaning and meaning[spelling] != name:
                raise DeclarationError(f"{spelling!r} would name both {meaning[spelling]} and {name}")
            meaning[spelling] = name
        if len(meaning) > MAX_SPELLINGS:
            raise DeclarationError(f"too many names: {len(meaning)} (at most {MAX_SPELLINGS})")
        ordered = sorted(meaning, key=lambda s: (-len(s), s))
        order = tuple((s, spelling_regex(s)) for s in ordered)
        loose: list[tuple[str, str, str]] = []
        for spelling in ordered:
            if spelling.startswith("#"):
                continue
            core = undecorated(spelling)  # \mathbf{x} declared: its decorated forms are x's
            try:
                forms = decorated_forms(core)
                loose.extend((form, spelling, _decorated_regex(form)) for form in forms)
            except DeclarationError:
                continue
        loose.sort(key=lambda f: (-len(f[0]), f[0]))
        return cls(meaning, order, _loose=tuple(loose))

    @property
    def pattern(self) -> str | None:
        """The NAME terminal's regular expression, or None when nothing is declared."""
        if not self._order:
            return None
        both = sorted([(s, 0, p) for s, p in self._order] + [(f, 1, p) for f, _, p in self._loose],
                      key=lambda t: (-len(t[0]), t[1]))
        return "(?:" + "|".join(f"(?:{p})" for _, _, p in both) + ")"

    @property
    def alternative_regexes(self) -> tuple[str, ...] | None:
        """:attr:`pattern`'s alternatives, in its order (:class:`NameMatcher`); None as it is."""
        both = sorted([(s, 0, p) for s, p in self._order] + [(f, 1, p) for f, _, p in self._loose],
                      key=lambda t: (-len(t[0]), t[1]))
        return tuple(p for _, _, p in both) or None

    def name_of(self, token: str) -> str:
        """The declared name a NAME token (as it appears in the text) spells.

        Raises :class:`AmbiguousName` for a decorated form two declarations could mean."""
        if token not in self._memo:
            for spelling, regex in self._order:
                if token.startswith(literal_prefix(regex)) and compiled(regex).fullmatch(token):
                    self._memo[token] = self.meaning[spelling]
                    break
            else:
                found = {spelling: self.meaning[spelling] for _, spelling, regex in self._loose
                         if token.startswith(literal_prefix(regex)) and compiled(regex).fullmatch(token)}
                names = set(found.values())
                if len(names) > 1:
                    written = " or ".join(sorted(found))
                    raise AmbiguousName(f"{token.strip()} could be {written} (declared as different names): "
                                        "write the declared spelling")
                if not names:  # pragma: no cover - the lexer matched this text with the same expressions
                    raise DeclarationError(f"{token!r} matches no declared spelling")
                self._memo[token] = names.pop()
        return self._memo[token]


def spellings_for(symbols: Mapping[str, object], latex: Mapping[str, str | None],
                  defines: Iterable[str]) -> Spellings:
    """Spellings of a symbol table: each name, each declared ``latex=`` form, each definition."""
    entries: list[tuple[str, str]] = []
    for name in symbols:
        entries.append((name, name))
        spelled = latex.get(name)
        if spelled and spelled != name:
            entries.append((spelled, name))
    for name in defines:
        if name in symbols:
            raise DeclarationError(f"{name} is both declared and defined")
        entries.append((name, name))
    return Spellings.of(entries)
