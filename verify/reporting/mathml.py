r"""Mathematics as MathML, for a report that renders without a script or a network.

Three sources, three routes, one rule: every piece of markup that reaches the page is either
built here with every text escaped, or parsed and rebuilt from a safelist of MathML elements
and attributes (:func:`sanitise`).

- A student's (or a claims file's) LaTeX: converted by ``latex2mathml``, then sanitised.
  The converter is no security boundary: ``\text{<script>...}`` comes out with the ``<script>``
  element inside an ``mtext``, ``\href{javascript:...}`` as an ``href`` attribute and
  ``\style{...}`` as a ``style`` attribute. So its output is parsed as XML and rebuilt from
  MathML elements and harmless presentation attributes only; anything else (or output that
  is not well-formed, such as ``<mi>&</mi>`` for a stray ``&``) makes the conversion fail, and
  the LaTeX is shown as escaped source text in ``<code>`` instead.
- The engine's own expression trees (:mod:`verify.model.expr`): printed here, node by node.
  Converting them to SymPy first would reorder products and sums (SymPy's printer sorts
  commutative terms, and its matrix expressions forget transposes under differentiation);
  printing the tree shows the claim exactly as the engine decided it, ``x^T Q x`` in order,
  derivatives as fractions of partials.
- The engine's exact values (a counterexample's rationals and small matrices): they arrive as
  text (results cross process boundaries as text), are read back by a ten-line reader that
  knows integers, fractions and nested lists only (never ``sympify``), rebuilt with SymPy's
  constructors and printed by SymPy's presentation-MathML printer. Anything else stays text.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from fractions import Fraction
from html import escape

import sympy
from markupsafe import Markup
from sympy.printing.mathml import mathml as sympy_mathml

from verify.model import Symbol, Visitor
from verify.model import expr as E

NS = "http://www.w3.org/1998/Math/MathML"

#: The presentation-MathML elements a rendered formula may contain (MathML Core, plus the
#: few that latex2mathml emits and browsers ignore harmlessly).
ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "merror", "semantics", "annotation",
})
#: Presentation attributes only: no href, no style, no event handlers, no namespaced links.
ATTRIBUTES = frozenset({
    "display", "mathvariant", "stretchy", "fence", "form", "separator", "accent", "accentunder",
    "lspace", "rspace", "minsize", "maxsize", "largeop", "movablelimits", "symmetric",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame",
    "linethickness", "displaystyle", "scriptlevel", "width", "height", "depth", "voffset",
    "notation", "mathsize", "mathcolor", "mathbackground", "encoding",
})
#: An attribute value: words, numbers, lengths and colours. No parentheses (so no url(...)),
#: no quotes, no colon-prefixed schemes beyond what a length or colour needs.
_VALUE = re.compile(r"^[#\w .%+-]{0,64}$")

#: Longest LaTeX handed to the converter: a submission is untrusted and the converter recursive.
MAX_LATEX = 4000


class NotMathML(ValueError):
    """The markup is not well-formed MathML made of safelisted elements and attributes."""


def _local(tag: str) -> str:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        if ns != NS:
            raise NotMathML(f"element in namespace {ns!r}")
        return name
    return tag


def _rebuild(el: ET.Element, out: list[str]) -> None:
    name = _local(el.tag)
    if name not in ELEMENTS:
        raise NotMathML(f"element <{name}> is not MathML")
    attrs = []
    for key, value in el.attrib.items():
        if key.startswith("{") or key not in ATTRIBUTES:
            raise NotMathML(f"attribute {key!r} is not allowed")
        if not _VALUE.match(value):
            raise NotMathML(f"attribute value {value!r} is not allowed")
        attrs.append(f' {key}="{escape(value, quote=True)}"')
    if name == "math":
        attrs.insert(0, f' xmlns="{NS}"')
    out.append(f"<{name}{''.join(attrs)}>")
    if el.text:
        out.append(escape(el.text, quote=False))
    for child in el:
        _rebuild(child, out)
        if child.tail:
            out.append(escape(child.tail, quote=False))
    out.append(f"</{name}>")


def sanitise(markup: str) -> Markup:
    """``markup`` parsed as XML and rebuilt from safelisted MathML; raises :class:`NotMathML`.

    Rebuilding (rather than deleting what looks bad) means nothing survives that was not
    understood: text is re-escaped, entities are resolved by the parser and re-escaped, and an
    unknown element or attribute fails the whole formula instead of being passed on.
    """
    if "<!" in markup or "<?" in markup:  # no DOCTYPE, entity declarations, CDATA, comments, PIs
        raise NotMathML("declarations are not allowed")
    try:
        root = ET.fromstring(markup)
    except ET.ParseError as err:
        raise NotMathML(f"not well-formed: {err}") from None
    out: list[str] = []
    _rebuild(root, out)
    return Markup("".join(out))


def source(latex: str) -> Markup:
    """The fallback: the LaTeX as escaped source text."""
    return Markup('<code class="tex">{}</code>').format(latex)


def _math(inner: str, display: bool) -> str:
    return f'<math xmlns="{NS}" display="{"block" if display else "inline"}">{inner}</math>'


@functools.lru_cache(maxsize=8192)
def from_latex(latex: str, display: bool = False) -> Markup:
    """LaTeX as sanitised MathML, or as escaped source text in ``<code>`` when that fails.

    Cached: a class's derivations repeat the same steps and answers many times."""
    from latex2mathml.converter import convert

    text = latex.strip()
    if not text or len(text) > MAX_LATEX:
        return source(latex)
    try:
        return sanitise(convert(text, display="block" if display else "inline"))
    except Exception:  # NotMathML, RecursionError, and the many kinds the converter raises on bad input
        return source(latex)


def _inner(markup: str) -> str:
    """The content of a sanitised ``<math>`` element, to nest it in another formula."""
    m = re.fullmatch(r"<math[^>]*>(.*)</math>", markup, re.DOTALL)
    return f"<mrow>{m.group(1)}</mrow>" if m else markup


_DOLLARS = re.compile(r"\$([^$]+)\$")


def inline_text(text: str) -> Markup:
    """Feedback prose with ``$...$`` spans rendered as mathematics, the rest escaped."""
    parts: list[Markup] = []
    last = 0
    for m in _DOLLARS.finditer(text):
        parts.append(Markup.escape(text[last:m.start()]))
        parts.append(from_latex(m.group(1)))
        last = m.end()
    parts.append(Markup.escape(text[last:]))
    return Markup("").join(parts)


# ---------------------------------------------------------------- exact values (engine text)

_TOKEN = re.compile(r"\s*(\[|\]|,|-?\d+(?:/\d+)?)")


def _rational(token: str) -> sympy.Rational | None:
    if not re.fullmatch(r"-?\d+(?:/\d+)?", token):
        return None
    f = Fraction(token)
    return sympy.Rational(f.numerator, f.denominator)


def read_value(text: str) -> sympy.Rational | sympy.Matrix | None:
    """An exact value as :func:`verify.deciding.proof.counterexample.show` writes it: ``-7/4``,
    ``[[1, 2], [3, 4]]``. None for anything else (irrational values, prose)."""
    tokens: list[str] = []
    stripped, pos = text.strip(), 0
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None:
            return None
        tokens.append(m.group(1))
        pos = m.end()
    if len(tokens) == 1:
        return _rational(tokens[0])
    # [[a, b], [c, d]]: a list of rows, each a list of numbers, all of one length
    rows: list[list[sympy.Rational]] = []
    i = 0

    def take(token: str) -> bool:
        nonlocal i
        if i < len(tokens) and tokens[i] == token:
            i += 1
            return True
        return False

    if not take("["):
        return None
    while True:
        if not take("["):
            return None
        row: list[sympy.Rational] = []
        while True:
            value = _rational(tokens[i]) if i < len(tokens) else None
            if value is None:
                return None
            row.append(value)
            i += 1
            if take("]"):
                break
            if not take(","):
                return None
        rows.append(row)
        if take("]"):
            break
        if not take(","):
            return None
    if i != len(tokens) or len({len(r) for r in rows}) != 1:
        return None
    return sympy.Matrix(rows)


@functools.lru_cache(maxsize=8192)
def from_value(text: str) -> Markup:
    """An exact value printed by SymPy's MathML printer; other text escaped as it is."""
    value = read_value(text)
    if value is None:
        return Markup('<span class="value-text">{}</span>').format(text)
    if isinstance(value, sympy.MatrixBase) and value.shape == (1, 1):
        value = value[0, 0]
    return sanitise(_math(sympy_mathml(value, printer="presentation"), False))


_EQUALS_VALUE = re.compile(r"^(.*\S)\s+=\s+(\S[^=]*)$", re.DOTALL)


def from_described_value(text: str) -> Markup:
    """``"det of the 2x2 principal minor ... = -9"``: the prose escaped, the value as math."""
    if read_value(text) is not None:
        return from_value(text)
    m = _EQUALS_VALUE.match(text)
    if m and read_value(m.group(2)) is not None:
        return Markup("{} = {}").format(m.group(1), from_value(m.group(2)))
    return Markup('<span class="prose">{}</span>').format(text)


# ---------------------------------------------------------------- the engine's expression trees

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
    "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}


def _t(tag: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrs.items())
    return f"<{tag}{extra}>{escape(text, quote=False)}</{tag}>"


def _row(*parts: str) -> str:
    return "<mrow>" + "".join(parts) + "</mrow>"


def _op(text: str) -> str:
    return _t("mo", text)


def _fenced(inner: str, left: str = "(", right: str = ")") -> str:
    return _row(_op(left), inner, _op(right))


def _identifier(name: str) -> str:
    """A declared name without a LaTeX spelling: ``lambda_1`` as λ with subscript 1."""
    base, _, sub = name.partition("_")
    mi = _t("mi", _GREEK.get(base, base))
    if sub:
        script = _t("mn", sub) if sub.isdigit() else _t("mi", _GREEK.get(sub, sub))
        return f"<msub>{mi}{script}</msub>"
    return mi


#: How a named function is written (the rest by their own name).
FUNCTION_NAMES = {"sigmoid": "σ", "relu": "ReLU"}


class ExprPrinter(Visitor):
    """Presentation MathML of an :class:`~verify.model.expr.Expr`, in the order written.

    ``symbols`` give each name its LaTeX spelling (``x_star`` is written ``x^*``); the
    spelling is converted and sanitised like any other LaTeX.
    """

    def __init__(self, symbols: Mapping[str, Symbol] | None = None) -> None:
        self.symbols = symbols or {}
        self._names: dict[str, str] = {}

    def __call__(self, e: E.Expr, display: bool = False) -> Markup:
        return sanitise(_math(self.print(e), display))

    def print(self, e: E.Expr) -> str:
        out: str = self.visit(e)
        return out

    def unhandled(self, e: E.Expr, *args: object) -> str:
        """A node without a rule here is shown as its LaTeX, as text."""
        return _t("mtext", e.latex())

    # -- leaves
    def name(self, name: str) -> str:
        if name not in self._names:
            s = self.symbols.get(name)
            spelled = ""
            if s is not None and s.latex:
                converted = from_latex(s.latex)
                if converted.startswith("<math"):
                    spelled = _inner(str(converted))
            self._names[name] = spelled or _identifier(name)
        return self._names[name]

    def _Var(self, e: E.Expr) -> str:
        assert isinstance(e, E.Var)
        return self.name(e.name)

    def _Const(self, e: E.Expr) -> str:
        assert isinstance(e, E.Const)
        v = sympy.Rational(e.value)
        sign = _op("−") if v < 0 else ""
        a = abs(v)
        body = _t("mn", str(a.p)) if a.q == 1 else f"<mfrac>{_t('mn', str(a.p))}{_t('mn', str(a.q))}</mfrac>"
        return _row(sign, body) if sign else body

    def _Identity(self, e: E.Expr) -> str:
        assert isinstance(e, E.Identity)
        if e.size is None or e.size == E.ANY:
            return _t("mi", "I", mathvariant="normal")
        return f"<msub>{_t('mi', 'I', mathvariant='normal')}{_t('mi', str(e.size))}</msub>"

    def _Zero(self, e: E.Expr) -> str:
        return _t("mn", "0")

    # -- operators
    def _negative(self, e: E.Expr) -> E.Expr | None:
        """``-t`` written as a term: the term without its sign, or None."""
        if isinstance(e, E.Product) and e.factors and e.factors[0] == E.Const(sympy.Integer(-1)):
            rest = e.factors[1:]
            return rest[0] if len(rest) == 1 else E.Product(rest)
        if isinstance(e, E.Const) and e.value < 0:
            return E.Const(-e.value)
        return None

    def _Add(self, e: E.Expr) -> str:
        assert isinstance(e, E.Add)
        parts = []
        for i, term in enumerate(e.terms):
            neg = self._negative(term)
            if neg is not None:
                parts += [_op("−"), self._factor(neg)]
            else:
                parts += ([_op("+")] if i else []) + [self.print(term)]
        return _row(*parts)

    def _factor(self, e: E.Expr) -> str:
        """A factor of a product (or the operand of a sign): a sum or an odot in parentheses."""
        s = self.print(e)
        return _fenced(s) if isinstance(e, E.Add | E.Hadamard) else s

    def _Product(self, e: E.Expr) -> str:
        assert isinstance(e, E.Product)
        parts: list[str] = []
        factors = list(e.factors)
        if len(factors) > 1 and factors[0] == E.Const(sympy.Integer(-1)):
            parts.append(_op("−"))
            factors = factors[1:]
        previous: E.Expr | None = None
        for i, f in enumerate(factors):
            if previous is not None and isinstance(previous, E.Const) and isinstance(f, E.Const):
                parts.append(_op("·"))
            elif previous is not None:
                parts.append(_op("\u2062"))  # invisible times
            s = self.print(f)
            signed = i > 0 and self._negative(f) is not None
            wrap = isinstance(f, E.Add | E.Hadamard) or signed or (
                isinstance(f, E.Gradient | E.Hessian) and i < len(factors) - 1)
            parts.append(_fenced(s) if wrap else s)
            previous = f
        return _row(*parts)

    def _Div(self, e: E.Expr) -> str:
        assert isinstance(e, E.Div)
        return f"<mfrac>{_row(self.print(e.num))}{_row(self.print(e.den))}</mfrac>"

    def _base(self, e: E.Expr) -> str:
        """A superscript's base: bare only if it is one token without a superscript of its own
        (``v^{(k-1)}`` raised to p is written (v^{(k-1)})^p, not with two stacked exponents)."""
        s = self.print(e)
        spelled = self.symbols.get(e.name) if isinstance(e, E.Var) else None
        own_script = "^" in e.name if isinstance(e, E.Var) else False
        if spelled is not None and spelled.latex:
            own_script = "^" in spelled.latex
        bare = (isinstance(e, E.Var) and not own_script) or isinstance(e, E.Identity) or (
            isinstance(e, E.Const) and e.value >= 0 and e.value.q == 1)
        return s if bare else _fenced(s)

    def _Power(self, e: E.Expr) -> str:
        assert isinstance(e, E.Power)
        return f"<msup>{self._base(e.base)}{_row(self.print(e.exponent))}</msup>"

    def _Transpose(self, e: E.Expr) -> str:
        assert isinstance(e, E.Transpose)
        return f"<msup>{self._base(e.arg)}{_t('mi', 'T', mathvariant='normal')}</msup>"

    def _Inverse(self, e: E.Expr) -> str:
        assert isinstance(e, E.Inverse)
        return f"<msup>{self._base(e.arg)}{_row(_op('−'), _t('mn', '1'))}</msup>"

    def _Apply(self, e: E.Expr) -> str:
        assert isinstance(e, E.Apply)
        arg = self.print(e.arg)
        if e.func == "abs":
            return _fenced(arg, "|", "|")
        if e.func == "sqrt":
            return f"<msqrt>{arg}</msqrt>"
        if e.func in ("step", "closed_step"):  # the indicator it is read from: 𝟙[a > 0], 𝟙[a ≥ 0]
            cmp = ">" if e.func == "step" else "≥"
            return _row(_t("mi", "𝟙"), _fenced(_row(arg, _op(cmp), _t("mn", "0")), "[", "]"))
        name = FUNCTION_NAMES.get(e.func, e.func)
        head = _t("mi", name) if len(name) == 1 else _t("mi", name, mathvariant="normal")
        return _row(head, _op("\u2061"), _fenced(arg))  # function application

    def _Max(self, e: E.Expr) -> str:
        assert isinstance(e, E.Max)
        args: list[str] = []
        for i, a in enumerate(e.args):
            args += ([_op(",")] if i else []) + [self.print(a)]
        return _row(_t("mi", "max", mathvariant="normal"), _op("\u2061"), _fenced(_row(*args)))

    def _Hadamard(self, e: E.Expr) -> str:
        assert isinstance(e, E.Hadamard)
        return _row(self._factor(e.left), _op("⊙"), self._factor(e.right))

    def _MatrixLit(self, e: E.Expr) -> str:
        assert isinstance(e, E.MatrixLit)
        rows = "".join("<mtr>" + "".join(f"<mtd>{self.print(x)}</mtd>" for x in row) + "</mtr>" for row in e.rows)
        return _fenced(f"<mtable>{rows}</mtable>", "[", "]")

    def _partial(self, v: E.Var) -> str:
        return _row(_op("∂"), self.name(v.name))

    def _Derivative(self, e: E.Expr) -> str:
        assert isinstance(e, E.Derivative)
        f = self.name(e.f.name) if isinstance(e.f, E.Var) else _fenced(self.print(e.f))
        if len(e.wrt) == 1:
            return f"<mfrac>{_row(_op('∂'), f)}{self._partial(e.wrt[0])}</mfrac>"
        top = _row(f"<msup>{_op('∂')}{_t('mn', str(len(e.wrt)))}</msup>", f)
        bottom = _row(*(self._partial(v) for v in e.wrt))
        return f"<mfrac>{top}{bottom}</mfrac>"

    def _operand(self, f: E.Expr) -> str:
        return self.name(f.name) if isinstance(f, E.Var) else _fenced(self.print(f))

    def _Gradient(self, e: E.Expr) -> str:
        assert isinstance(e, E.Gradient)
        return _row(f"<msub>{_op('∇')}{self.name(e.wrt.name)}</msub>", self._operand(e.f))

    def _Hessian(self, e: E.Expr) -> str:
        assert isinstance(e, E.Hessian)
        return _row(f"<msubsup>{_op('∇')}{self.name(e.wrt.name)}{_t('mn', '2')}</msubsup>", self._operand(e.f))

    def _At(self, e: E.Expr) -> str:
        assert isinstance(e, E.At)
        where: list[str] = []
        for i, (v, value) in enumerate(e.values):
            where += ([_op(",")] if i else []) + [self.name(v.name), _op("="), self.print(value)]
        body = _row(self.print(e.expr), _t("mo", "|", stretchy="true"))
        return f"<msub>{body}{_row(*where)}</msub>"


def from_expr(e: E.Expr, symbols: Mapping[str, Symbol] | None = None, display: bool = False) -> Markup:
    """An expression tree as MathML; its own LaTeX as escaped source should printing fail."""
    try:
        return ExprPrinter(symbols)(e, display)
    except (NotMathML, RecursionError):
        return source(e.latex())


def name(name: str, symbols: Mapping[str, Symbol] | None = None) -> Markup:
    """A declared name (a counterexample's key) as MathML, in its LaTeX spelling when it has one."""
    return sanitise(_math(ExprPrinter(symbols).name(name), False))


def relation(left: E.Expr, op: str, right: E.Expr, symbols: Mapping[str, Symbol] | None = None,
             display: bool = False) -> Markup:
    """``left op right`` as one formula (``op`` is a relation sign such as ``=``)."""
    printer = ExprPrinter(symbols)
    try:
        return sanitise(_math(_row(printer.print(left), _op(op), printer.print(right)), display))
    except (NotMathML, RecursionError):
        return source(f"{left.latex()} {op} {right.latex()}")


def _text_spans(latex: str) -> list[tuple[bool, str]]:
    """``latex`` cut at its top-level ``\\text{...}`` groups: (is_text, content) pieces."""
    pieces: list[tuple[bool, str]] = []
    depth, start, i = 0, 0, 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\" and depth == 0 and latex.startswith("\\text{", i):
            j, inner = i + len("\\text{"), 1
            while j < len(latex) and inner:
                inner += {"{": 1, "}": -1}.get(latex[j], 0)
                j += 1 if latex[j] != "\\" else 2
            if inner:  # unbalanced: leave it to the converter (and its fallback)
                return [(False, latex)]
            pieces.append((False, latex[start:i]))
            pieces.append((True, latex[i + len("\\text{"):j - 1]))
            start = i = j
            continue
        if ch == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        i += 1
    pieces.append((False, latex[start:]))
    return [(t, s) for t, s in pieces if s.strip()]


def statement(latex: str) -> Markup:
    """A claim's statement: its ``\\text{...}`` parts as prose (which wraps), the rest as mathematics.

    Statements such as "The Beale function is convex, as ..." are a sentence inside ``\\text``;
    as one ``mtext`` it would run off the page in a single line.
    """
    parts = _text_spans(latex)
    if len(parts) == 1 and not parts[0][0]:
        return from_latex(latex, display=True)
    out = []
    for is_text, piece in parts:
        out.append(Markup('<span class="prose">{}</span>').format(piece.replace("\\", "")) if is_text
                   else from_latex(piece))
    return Markup(" ").join(out)
