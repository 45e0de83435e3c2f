"""The hostile corpus: what students (or anyone) may send, and what the grader must answer.

Three doors, each with its own cases:
- :data:`LATEX` goes straight to the Python API (``read_latex``; ``decide`` on what reads);
- :data:`CLAIMS` are claims files for ``python -m verify check``;
- :data:`SUBMISSIONS` are Markdown files for ``python -m verify grade --assignment hw1``.

Every case says what a clear answer is: the error class or verdict, and a fragment of the
message that names the problem (so "an error" for the wrong reason fails). Payloads that
would run something point at a canary file: the text ``CANARY`` is replaced, when the case is
written out, by the absolute path of a file the test then checks was never created.

Large inputs (20 MB, 100,000-deep brackets) are built when a test asks for them, not at import.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

from verify.errors import UndeclaredName, VerifyError
from verify.reading.errors import ForbiddenCommand, LatexSyntaxError, LimitExceeded, UnbalancedBrackets

#: Replaced by the canary file's absolute path in every payload.
CANARY = "CANARY"

#: Every TeX command the issue names as one that must be an error, never acted on, and a few
#: more of the same family (file I/O, shell escape, macro definition, category codes).
DANGEROUS_COMMANDS: tuple[tuple[str, str], ...] = (
    ("input", r"\input{/etc/passwd}"),
    ("include", r"\include{CANARY}"),
    ("write18", r"\write18{touch CANARY}"),
    ("immediate-write18", r"\immediate\write18{touch CANARY}"),
    ("def", r"\def\x{\input{/etc/passwd}}"),
    ("newcommand", r"\newcommand{\x}{\write18{touch CANARY}}"),
    ("renewcommand", r"\renewcommand{\alpha}{1}"),
    ("catcode", r"\catcode`\^=7"),
    ("openout", r"\openout1=CANARY"),
    ("csname", r"\csname input\endcsname{/etc/passwd}"),
    ("usepackage", r"\usepackage{shellesc}"),
    ("let", r"\let\x=\input"),
    ("directlua", r"\directlua{os.execute('touch CANARY')}"),
)


def _big_matrix(rows: int, cols: int, entry: str = "1") -> str:
    return r"\begin{bmatrix}" + r"\\".join("&".join(entry for _ in range(cols)) for _ in range(rows)) + r"\end{bmatrix}"


# ---------------------------------------------------------------------------------------
# The Python API: read_latex against a small table (x: vector(n), A: matrix(n, n), a, b, \alpha).


@dataclass(frozen=True)
class LatexCase:
    name: str
    text: str
    error: type[VerifyError]
    says: str


LATEX: tuple[LatexCase, ...] = (
    # code injection: no path from text to code; each is just text the grammar refuses
    LatexCase("import-system", "__import__('os').system('touch CANARY')", LatexSyntaxError, "subscript"),
    LatexCase("eval-open", "eval(\"open('CANARY', 'w')\")", UndeclaredName, "e is not declared"),
    LatexCase("exec-import", "exec('import os; os.system(\"touch CANARY\")')", UndeclaredName, "e is not declared"),
    LatexCase("dunder-chain", "().__class__.__bases__[0].__subclasses__()", LatexSyntaxError, "unexpected"),
    LatexCase("dunder-class", "__class__", LatexSyntaxError, "subscript"),
    LatexCase("dunder-globals", r"a.__globals__['os'].system('touch CANARY')", LatexSyntaxError, "unexpected '.'"),
    LatexCase("lambdify-name", "_lambdifygenerated(x)", LatexSyntaxError, "subscript"),
    # x' is x transposed (a prime on a vector), so the stray ')' after it is what is refused
    LatexCase("codegen-quote", "x'); import os; os.system('touch CANARY'); ('", UnbalancedBrackets, "closes nothing"),
    LatexCase("sympy-S-call", "S('__import__(\"os\")')", UndeclaredName, "S is not declared"),
    LatexCase("lambda", "lambda: 0", UndeclaredName, "l is not declared"),
    # exponent towers and huge numbers: refused before any arithmetic
    LatexCase("tower-9", "9^{9^{9^{9}}}", LimitExceeded, "exponent above"),
    LatexCase("tower-on-name", "a^{9^{9^{9^{9}}}}", LimitExceeded, "exponent above"),
    LatexCase("tower-2", "a^{2^{2^{2^{2^{2}}}}}", LimitExceeded, "exponent above"),
    LatexCase("huge-exponent", "a^{99999999999}", LimitExceeded, "exponent above"),
    LatexCase("huge-matrix-power", "A^{1000000}", LimitExceeded, "exponent above"),
    LatexCase("huge-number", "1" * 5000, LimitExceeded, "digits"),
    LatexCase("bits-in-exponent", "a^{{10^{900}}^{30}}", LimitExceeded, "bits"),
    # nesting and length
    LatexCase("parens-100000-deep", "(" * 100_000 + "a" + ")" * 100_000, LimitExceeded, "characters long"),
    LatexCase("log-200-deep", r"\log(" * 200 + "a" + ")" * 200, LimitExceeded, "nested more than"),
    LatexCase("frac-150-deep", r"\frac{" * 150 + "a" + "}{b}" * 150, LimitExceeded, "nested more than"),
    LatexCase("unclosed-100000", "{" * 100_000, LimitExceeded, "characters long"),
    LatexCase("long-sum", " + ".join(["a"] * 5000), LimitExceeded, "characters long"),
    LatexCase("bmatrix-4900-entries", _big_matrix(70, 70), LimitExceeded, "entries"),
    LatexCase("bmatrix-10000-entries", _big_matrix(100, 100), LimitExceeded, "characters long"),
    # every dangerous TeX command: an error naming it, never acted on
    *(LatexCase(f"tex-{name}", "a + " + c, ForbiddenCommand, "not allowed") for name, c in DANGEROUS_COMMANDS),
    # unicode look-alikes of declared names: undeclared, never matched
    LatexCase("cyrillic-a", "\u0430 + b", UndeclaredName, "only looks like 'a'"),
    LatexCase("cyrillic-A", "\u0410 x", UndeclaredName, "only looks like 'A'"),
    LatexCase("cyrillic-x", "A \u0445", UndeclaredName, "only looks like 'x'"),
    LatexCase("fullwidth-a", "\uff41 b", UndeclaredName, "only looks like 'a'"),
    LatexCase("greek-Alpha-for-A", "\u0391 x", UndeclaredName, "only looks like 'A'"),
    LatexCase("greek-alpha-for-backslash-alpha", "\u03b1 b", UndeclaredName, r"\alpha"),
    LatexCase("math-italic-a", "\U0001d44e + b", UndeclaredName, "only looks like 'a'"),
    LatexCase("combining-accent", "a\u0301 + b", UndeclaredName, "COMBINING"),
    # control characters, invisible and unpaired code points
    LatexCase("nul", "a\x00b", LatexSyntaxError, "unexpected"),
    LatexCase("zero-width-space", "a\u200bb", LatexSyntaxError, "unexpected"),
    LatexCase("bidi-override", "a\u202eb", LatexSyntaxError, "unexpected"),
    LatexCase("lone-surrogate", "a\udcff", LatexSyntaxError, "unexpected"),
    LatexCase("empty", "", LatexSyntaxError, "empty"),
    LatexCase("blank", " \n\t ", LatexSyntaxError, "empty"),
)


@dataclass(frozen=True)
class HeavyClaim:
    """LaTeX that reads but may be costly to decide; ``holds`` is derived by hand."""

    name: str
    lhs: str
    rhs: str
    holds: bool
    why: str


HEAVY: tuple[HeavyClaim, ...] = (
    HeavyClaim("det-of-power", r"\det(A^{200})", r"\det(A)^{200}", True,
               "det is multiplicative: det(A^k) = det(A)^k for every square A"),
    HeavyClaim("det-of-power-off-by-one", r"\det(A^{200})", r"\det(A)^{201}", False,
               "at A = 2I (n = 1) the sides are 2^200 and 2^201"),
    HeavyClaim("binomial-1000", "(a + b)^{1000}", "(b + a)^{1000}", True, "a + b = b + a"),
    HeavyClaim("matrix-power-1000", "A^{1000}", "A^{999} A", True, "associativity of the matrix product"),
)


# ---------------------------------------------------------------------------------------
# Claims files, for `python -m verify check`.

_SYMBOLS = '[symbols]\nx = "vector(n)"\nA = "matrix(n, n)"\na = "scalar"\nb = "scalar"\n'


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def claims_file(*claims: tuple[str, str, str], symbols: str = _SYMBOLS, head: str = "") -> str:
    """A claims file with the usual symbols and one [[claim]] per (id, lhs, rhs)."""
    body = "".join(f"\n[[claim]]\nid = {_string(i)}\nlhs = {_string(lhs)}\nrhs = {_string(rhs)}\n"
                   for i, lhs, rhs in claims)
    return head + symbols + body


@dataclass(frozen=True)
class ClaimsCase:
    """``file_error``: the file cannot be read at all (exit 2, one line on stderr naming it)
    and the fragment that line says; otherwise each claim ``(id, verdict, fragment of detail)``."""

    name: str
    content: Callable[[], bytes]
    file_error: str | None = None
    claims: tuple[tuple[str, str, str], ...] = ()
    #: the table format too (a title or id is printed there, through rich)
    table: bool = False


def _text(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


def _garbage(size: int, seed: int) -> Callable[[], bytes]:
    def build() -> bytes:
        rng = random.Random(seed)
        return bytes([0xFF, 0x00]) + bytes(rng.randrange(256) for _ in range(size))
    return build


CLAIMS: tuple[ClaimsCase, ...] = (
    ClaimsCase("toml-malformed", _text('[[claim]\nid = "x\nlhs = \n'), file_error="not TOML"),
    ClaimsCase("toml-unclosed-string", _text(_SYMBOLS + '[[claim]]\nid = "a\n'), file_error="not TOML"),
    ClaimsCase("binary-garbage", _garbage(4096, 1), file_error="not UTF-8"),
    ClaimsCase("invalid-utf8", lambda: (_SYMBOLS + '[[claim]]\nid = "c"\nlhs = "a"\nrhs = "b\xff"\n').encode("latin-1"),
               file_error="not UTF-8"),
    ClaimsCase("twenty-megabytes", lambda: b"# " + b"x" * 20_000_000 + b"\n", file_error="at most"),
    ClaimsCase("empty", _text(""), file_error="no [[claim]]"),
    ClaimsCase("toml-deep-arrays", _text("a = " + "[" * 5000 + "]" * 5000 + "\n"), file_error="nested too deeply"),
    ClaimsCase("toml-deep-tables", _text("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n"),
               file_error="nested too deeply"),
    ClaimsCase("top-level-dunder-key", _text("__class__ = 1\n" + _SYMBOLS), file_error="unknown key '__class__'"),
    ClaimsCase("declaration-injection",
               _text("[symbols]\na = \"__import__('os').system('touch CANARY')\"\n"),
               file_error="is not scalar, vector(D) or matrix(D, D)"),
    ClaimsCase("symbol-name-injection",
               _text("[symbols]\n\"__import__('os').system('id')\" = \"scalar\"\n"),
               file_error="is not a LaTeX name"),
    ClaimsCase("symbol-named-dunder", _text('[symbols]\n__class__ = "scalar"\n'), file_error="is not a LaTeX name"),
    ClaimsCase("depends-on-dunder", _text('[symbols]\na = "scalar, of(__globals__)"\n'), file_error="not declared"),
    ClaimsCase("dimension-dunder", _text('[symbols]\nA = "matrix(__class__, n)"\n'), file_error="is not a dimension"),
    ClaimsCase("dimension-100000", _text('[symbols]\nA = "matrix(100000, 100000)"\n'), file_error="larger than 100"),
    ClaimsCase("dimension-5000-digits", _text('[symbols]\nA = "matrix(' + "9" * 5000 + ', 1)"\n'),
               file_error="at most 200"),
    ClaimsCase("dimension-superscript-digit", _text('[symbols]\nA = "matrix(\u00b2, 1)"\n'),
               file_error="not a positive integer"),
    ClaimsCase("300-symbols", _text("[symbols]\n" + "".join(f'v{i} = "scalar"\n' for i in range(300))),
               file_error="at most 200"),
    ClaimsCase("2000-claims", _text(claims_file(*((f"c{i}", "a", "a") for i in range(2000)))),
               file_error="at most 1000"),
    ClaimsCase("lhs-injection", _text(claims_file(("inj", "__import__('os').system('touch CANARY')", "a"))),
               claims=(("inj", "error", "subscript"),)),
    ClaimsCase("lhs-dunder-chain", _text(claims_file(("dunder", "a.__class__.__mro__", "a"))),
               claims=(("dunder", "error", "unexpected '.'"),)),
    *(ClaimsCase(f"claim-tex-{name}", _text(claims_file((name, "a + " + c, "a"))),
                 claims=((name, "error", "not allowed"),)) for name, c in DANGEROUS_COMMANDS[:6]),
    ClaimsCase("define-with-def", _text(claims_file(("uses-u", "u", "a"), ("plain", "a", "a"),
                                                    head="") + '\n[define]\nu = "\\\\def\\\\u{1}"\n'),
               file_error=None, claims=(("uses-u", "error", "not allowed"), ("plain", "proved", ""))),
    ClaimsCase("claim-tower", _text(claims_file(("tower", "9^{9^{9^{9}}}", "a"))),
               claims=(("tower", "error", "exponent above"),)),
    ClaimsCase("claim-bmatrix-4900", _text(claims_file(("big", _big_matrix(70, 70), _big_matrix(70, 70)))),
               claims=(("big", "error", "entries"),)),
    ClaimsCase("claim-cyrillic-a", _text(claims_file(("look-alike", "\u0430 + b", "a + b"))),
               claims=(("look-alike", "error", "not declared"),)),
    ClaimsCase("claim-fullwidth-A", _text(claims_file(("fullwidth", "\uff21 x", "A x"))),
               claims=(("fullwidth", "error", "not declared"),)),
    ClaimsCase("markup-in-title-and-id", _text(claims_file(("[/bold][link=file:///etc/passwd]x", "a", "a"),
                                                           head='title = "[/red][bold"\n')),
               claims=(("[/bold][link=file:///etc/passwd]x", "proved", ""),), table=True),
    ClaimsCase("escape-sequence-in-id", _text(claims_file(("a\u001b]0;pwned\u0007b", "a + b", "b + a"))),
               claims=(("a\\u001b]0;pwned\\u0007b", "error", "control character"),), table=True),
    ClaimsCase("escape-sequence-in-title", _text(claims_file(("c", "a", "a"), head='title = "\\u001b[2J"\n')),
               file_error="control character"),
)


# ---------------------------------------------------------------------------------------
# Submissions, for `python -m verify grade --assignment hw1`.


def answer(latex: str, question: str = "pd.linear", front: str = "") -> str:
    """A submission answering one question with one display block."""
    head = f"---\n{front}---\n\n" if front else ""
    return f"{head}## {question}\n\n$$\\frac{{\\partial y}}{{\\partial x}} = {latex}$$\n"


@dataclass(frozen=True)
class SubmissionCase:
    """``file_error``: the file cannot be read (its fragment); otherwise ``question`` gets
    ``verdict`` with ``says`` in its feedback. ``student``: the name the grade must carry."""

    name: str
    content: Callable[[], bytes]
    file_error: str | None = None
    question: str = "pd.linear"
    verdict: str = "unparsable"
    says: str = ""
    student: str | None = None


def _answer(latex: str, **kw: str) -> Callable[[], bytes]:
    return _text(answer(latex, **kw))


SUBMISSIONS: tuple[SubmissionCase, ...] = (
    SubmissionCase("answer-injection", _answer("__import__('os').system('touch CANARY')"), says="subscript"),
    SubmissionCase("answer-dunder-chain", _answer("A.__class__.__init__.__globals__['os']"), says="unexpected '.'"),
    SubmissionCase("answer-lambdify-name", _answer("_lambdifygenerated"), says="subscript"),
    # in braces: an '=' inside a command's argument (\catcode`\^=7) must not split the answer
    *(SubmissionCase(f"answer-tex-{name}", _answer("{" + c + "}"), says="not allowed")
      for name, c in DANGEROUS_COMMANDS),
    SubmissionCase("answer-tower", _answer("9^{9^{9^{9}}}"), says="exponent above"),
    SubmissionCase("answer-bmatrix-4900", _answer(_big_matrix(70, 70)), says="entries"),
    SubmissionCase("answer-cyrillic-A", _answer("\u0410"), says="not declared"),
    SubmissionCase("answer-fullwidth-A", _answer("\uff21"), says="only looks like 'A'"),
    SubmissionCase("answer-greek-Alpha", _answer("\u0391"), says="only looks like 'A'"),
    SubmissionCase("parens-20000-deep", _answer("(" * 20_000 + "A" + ")" * 20_000), says="characters long"),
    SubmissionCase("parens-40000-deep", _answer("(" * 40_000 + "A" + ")" * 40_000),
                   file_error="characters of mathematics"),
    SubmissionCase("parens-100000-deep", _answer("(" * 100_000 + "A" + ")" * 100_000), file_error="larger than"),
    SubmissionCase("braces-unbalanced-9000", _answer("{" * 9_000), says="unbalanced"),
    SubmissionCase("braces-unbalanced-60000", _answer("{" * 60_000), file_error="characters of mathematics"),
    SubmissionCase("equations-500", _text("## pd.linear\n\n$$" + " = ".join(["A"] * 501) + "$$\n"),
                   file_error="equations"),
    SubmissionCase("twenty-megabytes", lambda: b"## pd.linear\n\n$$A$$\n" + b"x" * 20_000_000,
                   file_error="larger than"),
    SubmissionCase("binary-garbage", _garbage(4096, 2), file_error="binary data"),
    SubmissionCase("invalid-utf8", lambda: answer("A").encode() + b"\xc3\x28 caf\xe9\n", file_error="not UTF-8"),
    SubmissionCase("yaml-billion-laughs", _text(
        "---\n" + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
        + "student: *i\n---\n" + answer("A")), file_error="front matter uses a YAML a"),
    SubmissionCase("yaml-python-tag", _text(answer(
        "A", front="student: !!python/object/apply:os.system ['touch CANARY']\n")), file_error="not valid YAML"),
    SubmissionCase("yaml-python-name", _text(answer(
        "A", front="student: !!python/name:os.system\n")), file_error="not valid YAML"),
    SubmissionCase("yaml-deep-nesting", _text(answer("A", front="student: " + "[" * 900 + "]" * 900 + "\n")),
                   file_error="nested too deeply"),
    SubmissionCase("yaml-huge-front-matter", _text(answer("A", front="student: " + "x" * 5000 + "\n")),
                   file_error="longer than"),
    SubmissionCase("escape-sequence-in-math", _answer("A \x1b]52;c;cHduZWQ=\x07"), file_error="control character"),
    SubmissionCase("escape-sequence-in-name", _text(answer("A", front='student: "\\e[2J\\e]0;pwned\\a"\n')),
                   file_error="control character"),
    SubmissionCase("empty-file", _text(""), verdict="unanswered", says="No answer"),
    SubmissionCase("only-whitespace", _text("\n\n   \n"), verdict="unanswered", says="No answer"),
    SubmissionCase("student-path-traversal", _text(answer("A", front="student: ../../CANARY\n")),
                   verdict="correct", says="Correct", student="../../CANARY"),
    SubmissionCase("student-formula", _text(answer("A", front="student: \"=HYPERLINK('http://x', 'y')\"\n")),
                   verdict="correct", says="Correct", student="=HYPERLINK('http://x', 'y')"),
    SubmissionCase("markup-everywhere", _text("---\nstudent: \"[/bold][red\"\n---\n\n## pd.linear\n\n"
                                              "[link=file:///etc/passwd]x[/link]\n\n$$\\frac{\\partial y}"
                                              "{\\partial x} = [/red]$$\n"), says="is not read"),
    SubmissionCase("heading-injection", _text("## __import__('os').system('touch CANARY')\n\n$$A$$\n"),
                   verdict="unanswered", says="No answer"),
    SubmissionCase("html-script", _text("<script>fetch('http://x')</script>\n\n" + answer("A")),
                   verdict="correct", says="Correct"),
)
