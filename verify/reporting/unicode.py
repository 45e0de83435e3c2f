"""Mathematics as one line of Unicode text, for a terminal: ``∂y/∂x = A``, ``xᵀAᵀ``, ``A⁻¹``, ``σ(Wx)``.

Printed from the engine's own expression trees (:mod:`verify.model.expr`), node by node, in the
order written (as :mod:`.mathml` prints them for a page): products are never reordered, a
transpose is ``ᵀ``, an inverse ``⁻¹``, a derivative ``∂f/∂x``, an elementwise product ``⊙``, a
square root ``√``, and ``√(xᵀx)`` of a column is the norm ``‖x‖``. A declared name is written in its
LaTeX spelling made Unicode (``\\hat{y}^{(i)}`` as ``ŷ⁽ⁱ⁾``, ``\\lambda_1`` as ``λ₁``); a sub- or
superscript with a character Unicode has no small form for keeps its ``_``/``^`` and braces.

:func:`claim_text` writes a whole claim (an equality, a convexity, a recurrence, ...) so; the
terminal table shows it in place of the LaTeX it was read from. Nothing here reaches JSON, CSV
or HTML: those keep the LaTeX as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import sympy

from verify.model import (
    Claim,
    Convex,
    Equality,
    GlobalMinimum,
    Limit,
    PolynomialDegree,
    Proportional,
    Recurrence,
    Symbol,
    Visitor,
)
from verify.model import expr as E

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "partial": "∂", "nabla": "∇", "ell": "ℓ",
    "infty": "∞", "star": "*", "ast": "*", "prime": "′",
}
SUPERSCRIPT = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ*′",
                       "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ*′", strict=True))
SUBSCRIPT = dict(zip("0123456789+-=()aehijklmnoprstuvxβγρφχ,",
                     "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ,", strict=True))
#: decorations whose argument is the name itself (``\mathbf{x}`` is x)
_PLAIN = ("mathbf", "boldsymbol", "bm", "mathrm", "mathit", "mathsf", "vec", "operatorname", "text")
#: accents written as a combining character after their letter
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "dot": "\u0307"}
#: how a named function is written (the others by their own name)
FUNCTION_NAMES = {"sigmoid": "σ", "relu": "ReLU"}


def _script(text: str, table: Mapping[str, str], mark: str) -> str:
    """``text`` in small characters, or ``mark`` and the text as written when one has no small form."""
    plain = text.replace(" ", "")
    if plain and all(c in table for c in plain):
        return "".join(table[c] for c in plain)
    return f"{mark}{plain}" if len(plain) == 1 else f"{mark}{{{plain}}}"


def _group(text: str, i: int) -> tuple[str, int]:
    """The argument at ``text[i]``: a braced group (without its braces) or one character; and where it ends."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return "", i
    if text[i] == "{":
        depth, j = 0, i
        while j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                return text[i + 1:j], j + 1
            j += 1
        return text[i + 1:], len(text)
    if text[i] == "\\":
        j = i + 1
        while j < len(text) and text[j].isalpha():
            j += 1
        return text[i:max(j, i + 2)], max(j, i + 2)
    return text[i], i + 1


def latex_name(latex: str) -> str:
    """A name's LaTeX spelling as Unicode: ``\\hat{y}^{(i)}`` -> ``ŷ⁽ⁱ⁾``, ``W_{1}`` -> ``W₁``."""
    out: list[str] = []
    i = 0
    while i < len(latex):
        c = latex[i]
        if c == "\\":
            j = i + 1
            while j < len(latex) and latex[j].isalpha():
                j += 1
            command = latex[i + 1:j]
            if not command:  # \, \; \{ ...: a space or the character itself
                out.append(latex[j:j + 1].strip(",;:!"))
                i = j + 1
                continue
            if command in _ACCENTS or command in _PLAIN:
                arg, i = _group(latex, j)
                inner = latex_name(arg)
                out.append(inner + _ACCENTS[command] if command in _ACCENTS else inner)
                continue
            out.append(GREEK.get(command, command))
            i = j
            continue
        if c in "^_":
            arg, i = _group(latex, i + 1)
            inner = latex_name(arg)
            out.append(_script(inner, SUPERSCRIPT if c == "^" else SUBSCRIPT, c))
            continue
        if c in "{}":
            i += 1
            continue
        out.append(c)
        i += 1
    return unicodedata.normalize("NFC", "".join(out).strip())  # ŷ as one character where Unicode has it


def internal_name(name: str) -> str:
    r"""A name without a LaTeX spelling: ``lambda_1`` as λ₁, ``x_star`` as x*, ``beta2`` as β₂; a name
    that is itself LaTeX (an assignment file declares ``\lambda``, ``w^0``) as that LaTeX reads."""
    if any(c in name for c in "\\^{}"):
        return latex_name(name) or name
    base, sep, sub = name.partition("_")
    if not sep:
        stem = base.rstrip("0123456789")
        base, sub = (stem, base[len(stem):]) if stem and stem != base else (base, "")
    base = GREEK.get(base, base)
    if not sub:
        return base
    if sub == "star":
        return base + "*"
    return base + _script(GREEK.get(sub, sub), SUBSCRIPT, "_")


_MINUS_ONE = E.Const(sympy.Integer(-1))


class UnicodePrinter(Visitor):
    """One line of Unicode of an :class:`~verify.model.expr.Expr`, in the order written.

    ``symbols`` give each name its LaTeX spelling (``x_star`` is written ``x*``) and tell a
    column from a matrix (``√(xᵀx)`` is ``‖x‖`` only for a column x).
    """

    def __init__(self, symbols: Mapping[str, Symbol] | None = None) -> None:
        self.symbols = symbols or {}

    def print(self, e: E.Expr) -> str:
        out: str = self.visit(e)
        return out

    __call__ = print

    # -- helpers
    def name(self, name: str) -> str:
        s = self.symbols.get(name)
        if s is not None and s.latex:
            spelled = latex_name(s.latex)
            if spelled:
                return spelled
        return internal_name(name)

    def _scripted(self, e: E.Expr) -> bool:
        """Whether a name already carries a superscript (``xᵏ``): raised again, it is bracketed."""
        if not isinstance(e, E.Var):
            return False
        s = self.symbols.get(e.name)
        return "^" in (s.latex if s is not None and s.latex else e.name)

    def _atom(self, e: E.Expr) -> bool:
        """Printed as one token, so a superscript or an operand binds to all of it."""
        if isinstance(e, E.Var):
            return not self._scripted(e)
        if isinstance(e, E.Const):
            return e.value >= 0 and e.value.q == 1
        if isinstance(e, E.Apply):
            return e.func != "sqrt" or self._norm(e.arg) is not None
        return isinstance(e, E.Identity | E.Zero | E.Max | E.MatrixLit)

    def _base(self, e: E.Expr) -> str:
        s = self.print(e)
        return s if self._atom(e) else f"({s})"

    def _negative(self, e: E.Expr) -> E.Expr | None:
        """``-t`` written as a term: the term without its sign, or None."""
        if isinstance(e, E.Product) and len(e.factors) > 1 and e.factors[0] == _MINUS_ONE:
            rest = e.factors[1:]
            return rest[0] if len(rest) == 1 else E.Product(rest)
        if isinstance(e, E.Const) and e.value < 0:
            return E.Const(-e.value)
        return None

    def _operand(self, e: E.Expr) -> str:
        """The operand of a derivative or gradient: a name bare, anything else in brackets."""
        return self.print(e) if isinstance(e, E.Var) else f"({self.print(e)})"

    def _column(self, e: E.Expr) -> bool:
        s = self.symbols.get(e.name) if isinstance(e, E.Var) else None
        return s is not None and s.shape.is_column and not s.shape.is_scalar

    # -- leaves
    def _Var(self, e: E.Var) -> str:
        return self.name(e.name)

    def _Const(self, e: E.Const) -> str:
        v = sympy.Rational(e.value)
        sign = "−" if v < 0 else ""
        a = abs(v)
        return f"{sign}{a.p}" if a.q == 1 else f"{sign}{a.p}/{a.q}"

    def _Identity(self, e: E.Identity) -> str:
        if e.size is None or e.size == E.ANY:
            return "I"
        return "I" + _script(str(e.size), SUBSCRIPT, "_")

    def _Zero(self, e: E.Zero) -> str:
        return "0"

    # -- operators
    def _Add(self, e: E.Add) -> str:
        terms: list[E.Expr] = []
        for t in e.terms:  # (a + b) + c is written a + b + c
            terms.extend(t.terms if isinstance(t, E.Add) else (t,))
        out = ""
        for i, term in enumerate(terms):
            neg = self._negative(term)
            if neg is not None:
                body = self.print(neg)
                body = f"({body})" if isinstance(neg, E.Add) else body
                out += f" − {body}" if i else f"−{body}"
            else:
                body = self.print(term)
                body = f"({body})" if isinstance(term, E.At) else body
                out += f" + {body}" if i else body
        return out

    def _Product(self, e: E.Product) -> str:
        factors: list[E.Expr] = []
        for f in e.factors:  # (A B) C is written A B C: a product is associative
            factors.extend(f.factors if isinstance(f, E.Product) else (f,))
        out = ""
        if len(factors) > 1 and factors[0] == _MINUS_ONE:
            out, factors = "−", factors[1:]
        previous: E.Expr | None = None
        for i, f in enumerate(factors):
            s = self.print(f)
            last = i == len(factors) - 1
            wrap = isinstance(f, E.Add | E.Hadamard) or (i > 0 and self._negative(f) is not None) or (
                isinstance(f, E.Gradient | E.Hessian | E.Div) and not last) or isinstance(f, E.At) or (
                isinstance(f, E.Const) and f.value.q != 1 and len(factors) > 1) or (
                isinstance(f, E.Div) and i > 0)
            s = f"({s})" if wrap else s
            if previous is not None:
                spaced = isinstance(previous, E.Derivative | E.Gradient | E.Hessian) or (isinstance(
                    f, E.Derivative | E.Gradient | E.Hessian | E.Apply | E.Max) and not wrap)
                if (s[:1].isdigit() or s[:1] == "−") and not wrap:
                    out += "·"
                elif spaced or (isinstance(previous, E.Apply | E.Max) and not s.startswith("(")):
                    out += " "
            out += s
            previous = f
        return out

    def _Div(self, e: E.Div) -> str:
        def part(x: E.Expr) -> str:
            s = self.print(x)
            simple = self._atom(x) or isinstance(x, E.Var | E.Transpose | E.Inverse | E.Power | E.Derivative)
            return s if simple else f"({s})"

        return f"{part(e.num)}/{part(e.den)}"

    def _Power(self, e: E.Power) -> str:
        exponent = self.print(e.exponent)
        small = _script(exponent, SUPERSCRIPT, "^")
        if small.startswith("^") and not self._atom(e.exponent):
            small = f"^({exponent})"
        return self._base(e.base) + small

    def _Transpose(self, e: E.Transpose) -> str:
        return self._base(e.arg) + "ᵀ"

    def _Inverse(self, e: E.Inverse) -> str:
        return self._base(e.arg) + "⁻¹"

    def _Apply(self, e: E.Apply) -> str:
        if e.func == "sqrt":
            norm = self._norm(e.arg)
            if norm is not None:
                return norm
            return "√" + self._base(e.arg)
        arg = self.print(e.arg)
        if e.func == "abs":
            return f"|{arg}|"
        if e.func in ("step", "closed_step"):  # the indicator it is read from: 𝟙[a > 0], 𝟙[a ≥ 0]
            return f"𝟙[{arg} {'>' if e.func == 'step' else '≥'} 0]"
        return f"{FUNCTION_NAMES.get(e.func, e.func)}({arg})"

    def _norm(self, e: E.Expr) -> str | None:
        """``√(xᵀx)`` of a declared column as ``‖x‖``, ``√tr(AᵀA)`` as ``‖A‖_F``; else None."""
        if isinstance(e, E.Product) and len(e.factors) == 2:
            left, right = e.factors
            if isinstance(left, E.Transpose) and left.arg == right and self._column(right):
                return f"‖{self.print(right)}‖"
        if isinstance(e, E.Apply) and e.func == "tr" and isinstance(e.arg, E.Product) and len(e.arg.factors) == 2:
            left, right = e.arg.factors
            if isinstance(left, E.Transpose) and left.arg == right and isinstance(right, E.Var):
                return f"‖{self.print(right)}‖_F"
        return None

    def _Max(self, e: E.Max) -> str:
        return "max(" + ", ".join(self.print(a) for a in e.args) + ")"

    def _Hadamard(self, e: E.Hadamard) -> str:
        def side(x: E.Expr) -> str:
            s = self.print(x)
            return f"({s})" if isinstance(x, E.Add | E.Hadamard) or self._negative(x) is not None else s

        return f"{side(e.left)} ⊙ {side(e.right)}"

    def _MatrixLit(self, e: E.MatrixLit) -> str:
        return "[" + "; ".join(", ".join(self.print(x) for x in row) for row in e.rows) + "]"

    def _Derivative(self, e: E.Derivative) -> str:
        f = self._operand(e.f)
        if len(e.wrt) == 1:
            return f"∂{f}/∂{self.print(e.wrt[0])}"
        names = [self.print(v) for v in e.wrt]
        if len(set(names)) == 1:
            below = f"∂{names[0]}" + _script(str(len(names)), SUPERSCRIPT, "^")
        else:
            below = "".join(f"∂{n}" for n in names)
        return "∂" + _script(str(len(e.wrt)), SUPERSCRIPT, "^") + f"{f}/{below}"

    def _nabla(self, v: E.Var) -> str:
        return _script(self.print(v), SUBSCRIPT, "_")

    def _Gradient(self, e: E.Gradient) -> str:
        return f"∇{self._nabla(e.wrt)}{self._operand(e.f)}"

    def _Hessian(self, e: E.Hessian) -> str:
        return f"∇²{self._nabla(e.wrt)}{self._operand(e.f)}"

    def _At(self, e: E.At) -> str:
        where = ", ".join(f"{self.print(v)} = {self.print(value)}" for v, value in e.values)
        body = self.print(e.expr)
        body = body if self._atom(e.expr) or isinstance(e.expr, E.Derivative | E.Gradient) else f"({body})"
        return f"{body} at {where}"


def _names(printer: UnicodePrinter, variables: Sequence[E.Expr]) -> str:
    return ", ".join(printer.print(v) for v in variables)


def claim_text(claim: Claim) -> str:
    """A claim as one line of Unicode mathematics, printed from its trees (its LaTeX if it has none)."""
    p = UnicodePrinter(claim.symbols)
    if isinstance(claim, Equality):
        return f"{p(claim.lhs)} = {p(claim.rhs)}"
    if isinstance(claim, Convex):
        return f"{p(claim.f)} is convex in {_names(p, claim.wrt)}"
    if isinstance(claim, Recurrence):
        seq = p(claim.sequence)
        return (f"{seq} ↦ {p(claim.step)} from {seq} = {p(claim.initial)} at {p(claim.k)} = {claim.base} "
                f"⇒ {seq} = {p(claim.closed)}")
    if isinstance(claim, GlobalMinimum):
        where = ", ".join(f"{p(v)} = {p(x)}" for v, x in zip(claim.wrt, claim.point, strict=False))
        return f"{p(claim.f)} has its {'unique ' if claim.unique else ''}global minimum at {where}"
    if isinstance(claim, PolynomialDegree):
        return f"{p(claim.f)} has degree ≤ {claim.degree} in {_names(p, claim.wrt)}"
    if isinstance(claim, Limit):
        at = "∞" if claim.at in ("oo", "+oo") else "−∞" if claim.at == "-oo" else claim.at
        return f"lim {p(claim.var)}→{at} {p(claim.expr)} = {p(claim.rhs)}"
    if isinstance(claim, Proportional):
        return f"{p(claim.expr)} ∝ {p(claim.to)}"
    return claim.statement


def statement_text(claim: Claim) -> str:
    """:func:`claim_text`, or the claim's LaTeX when a tree cannot be printed (a node of a reader's own)."""
    try:
        return claim_text(claim)
    except (RecursionError, Exception):  # a display must never stop a report
        return claim.statement
