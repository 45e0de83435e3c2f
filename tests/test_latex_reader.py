"""The LaTeX reader: the contract's subset, read into the right trees with the right shapes,
and every kind of bad input refused with a message and a caret at the right place."""

from __future__ import annotations

import pytest
import sympy

from verify.errors import DeclarationError, ShapeError, UndeclaredName, UnsupportedError, VerifyError
from verify.model.expr import (
    Add,
    Apply,
    Const,
    Derivative,
    Div,
    Gradient,
    Hadamard,
    Hessian,
    Identity,
    Inverse,
    MatrixLit,
    Max,
    Power,
    Product,
    Transpose,
    Var,
    shape_of,
)
from verify.model.shape import Shape
from verify.model.symbols import Symbol, Symbols, parse_declaration
from verify.reading import latex as reader
from verify.reading.errors import (
    ForbiddenCommand,
    LatexSyntaxError,
    LimitExceeded,
    UnbalancedBrackets,
    UnknownMacro,
)
from verify.reading.latex import read_latex

DECLARED = {
    "x": "vector(n)",
    "w": "vector(n)",
    "y": "vector(m), of(z)",
    "z": "vector(p)",
    "A": "matrix(m, n)",
    "K": "matrix(n, n)",
    "Q": "matrix(n, n), symmetric",
    "X": "matrix(n, n), invertible, of(t)",
    "M": "matrix(n, m)",
    r"\alpha": "scalar",
    "a": "scalar",
    "b": "scalar",
    "t": "scalar, positive",
    "W": "matrix(n, n)",
    "W_1": "matrix(h, 3)",
    "x_1": "scalar",
    r"\hat{y}": "scalar",
}
S = Symbols.of([parse_declaration(k, v) for k, v in DECLARED.items()])

x, w, y, z, A, K, Q, X, M = (Var(n) for n in ("x", "w", "y", "z", "A", "K", "Q", "X", "M"))
alpha, a, b, t, W, W1, x1, yhat = (Var(n) for n in (r"\alpha", "a", "b", "t", "W", "W_1", "x_1", r"\hat{y}"))


def c(value: int | str) -> Const:
    return Const(sympy.Rational(value))


def read(text: str, layout: str = "numerator", **kw: object) -> object:
    return read_latex(text, S, layout, **kw)  # type: ignore[arg-type]


def shape(text: str, layout: str = "numerator") -> Shape:
    return shape_of(read_latex(text, S, layout), S, layout)


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("x", x),
        ("Ax", Product((A, x))),
        ("A x", Product((A, x))),
        (r"\alpha x", Product((alpha, x))),
        (r"\alpha", alpha),
        ("W_1", W1),
        ("W_{1}", W1),
        ("W_1^T", Transpose(W1)),
        ("W", W),
        ("x_1", x1),
        ("x_{1} x", Product((x1, x))),
        (r"\hat{y}", yhat),
        (r"\hat y", yhat),
        ("ab", Product((a, b))),
    ],
)
def test_names_split_by_the_declarations(text: str, tree: object) -> None:
    assert read(text) == tree


def test_a_declared_latex_spelling_names_the_symbol() -> None:
    table = Symbols.of([Symbol("yhat", latex=r"\hat{y}^{(i)}"), Symbol("xs", Shape("n", 1), latex="x^*")])
    assert read_latex(r"\hat{y}^{(i)} + yhat", table) == Add((Var("yhat"), Var("yhat")))
    assert read_latex(r"{x^*}^T x^{*}", table) == Product((Transpose(Var("xs")), Var("xs")))


def test_a_longer_declared_name_wins() -> None:
    table = Symbols.of([parse_declaration("x", "scalar"), parse_declaration("xy", "scalar"),
                        parse_declaration("y", "scalar")])
    assert read_latex("xy", table) == Var("xy")
    assert read_latex("x y", table) == Product((Var("x"), Var("y")))


def test_I_is_the_identity_never_a_name_or_the_imaginary_unit() -> None:
    assert read("I") == Identity(None)
    assert read("K + I") == Add((K, Identity(None)))
    assert shape("I x") == Shape("n", 1)
    assert shape("x^T I") == Shape(1, "n")
    assert read("I_n") == Identity("n")
    assert read("I_{3}") == Identity(3)
    with pytest.raises(ShapeError):
        read("I_q")


def test_a_declared_name_shadows_a_notation_letter() -> None:
    table = Symbols.of([parse_declaration("I", "matrix(n, n)"), parse_declaration("d", "scalar"),
                        parse_declaration(r"\sigma", "scalar"), parse_declaration("u", "scalar")])
    assert read_latex("I", table) == Var("I")
    assert read_latex(r"\sigma(u)", table) == Product((Var(r"\sigma"), Var("u")))
    assert read_latex(r"\frac{d u}{d u}", table) == Div(Product((Var("d"), Var("u"))),
                                                       Product((Var("d"), Var("u"))))


# --- numbers and arithmetic ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("2.625", sympy.Rational(21, 8)), ("0.1", sympy.Rational(1, 10)), ("3", sympy.Integer(3)),
     (".5", sympy.Rational(1, 2)), (r"\frac{21}{8}", sympy.Rational(21, 8)), ("-1.5", sympy.Rational(-3, 2)),
     ("1.0000000000000000000001", sympy.Rational(10**22 + 1, 10**22))],
)
def test_numbers_are_exact(text: str, value: sympy.Rational) -> None:
    assert read(text) == Const(value)


def test_sums_differences_and_signs() -> None:
    assert read("a + b - x_1") == Add((a, b, Product((c(-1), x1))))
    assert read("-a") == Product((c(-1), a))
    assert read("-2 a") == Product((c(-2), a))
    assert read("+a") == a


def test_products_keep_their_order() -> None:
    assert read("x^T K w") == Product((Transpose(x), K, w))
    assert read("w^T K x") == Product((Transpose(w), K, x))
    assert read(r"A \cdot x") == Product((A, x))
    assert read(r"2 \cdot 3") == Product((c(2), c(3)))


def test_fractions() -> None:
    assert read(r"\frac{a}{b}") == Div(a, b)
    assert read(r"\frac{x}{2}") == Div(x, c(2))
    assert read(r"\dfrac{1}{t}") == Div(c(1), t)


# --- superscripts ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["x^T", r"x^\top", "x^{T}", r"x^{\top}", r"x ^ { T }"])
def test_every_transpose_spelling(text: str) -> None:
    assert read(text) == Transpose(x)


def test_fixed_readings_of_superscripts() -> None:
    assert read("X^{-1}") == Inverse(X)
    assert read("X^{-2}") == Power(Inverse(X), c(2))
    assert read("X^{-T}") == Transpose(Inverse(X))
    assert read(r"\sigma(a)^2") == Power(Apply("sigmoid", a), c(2))
    assert read(r"\log a^2") == Apply("log", Power(a, c(2)))
    assert read("t^{-1}") == Power(t, c(-1))  # a scalar's reciprocal is a power
    assert read("K^3") == Power(K, c(3))
    assert read("(a + b)^{10}") == Power(Add((a, b)), c(10))
    assert read("a^23") == Product((Power(a, c(2)), c(3)))  # TeX: ^ takes one token
    assert read("a^{2^{3}}") == Power(a, c(8))
    assert read(r"a^{\alpha}") == Power(a, alpha)
    assert read(r"a^\alpha") == Power(a, alpha)


def test_matrix_powers_need_integers_and_square_bases() -> None:
    # K^{1/2} (a matrix square root) is not in the model: refused as unsupported, not ill-formed
    # (a student's answer with it goes to review, it is not wrong for its shapes)
    with pytest.raises(UnsupportedError, match="diagonal"):
        read(r"K^{\frac{1}{2}}")
    with pytest.raises(ShapeError):
        read("A^2")
    with pytest.raises(ShapeError):
        read("A^{-1}")


# --- calculus --------------------------------------------------------------------------------


def test_derivative_spellings_agree() -> None:
    tree = Derivative(Product((Transpose(x), K, x)), (x,))
    assert read(r"\frac{\partial x^T K x}{\partial x}") == tree
    assert read(r"\frac{\partial}{\partial x} x^T K x") == tree
    assert read(r"\frac{\partial}{\partial x} \left( x^T K x \right)") == tree
    assert read(r"\frac{\partial (x^T K x)}{\partial x}") == tree
    assert read(r"\frac{d a^2}{d a}") == Derivative(Power(a, c(2)), (a,))
    assert read(r"\frac{\mathrm{d} a^2}{\mathrm{d} a}") == Derivative(Power(a, c(2)), (a,))
    assert read(r"\frac{d}{d a} a^2") == Derivative(Power(a, c(2)), (a,))


def test_a_prefix_operator_takes_the_rest_of_the_product_only() -> None:
    assert read(r"b \frac{\partial}{\partial a} a b") == Product((b, Derivative(Product((a, b)), (a,))))
    assert read(r"\frac{\partial}{\partial a} a b + b") == Add((Derivative(Product((a, b)), (a,)), b))
    assert read(r"\operatorname{tr} K W") == Apply("tr", Product((K, W)))
    assert read(r"\log \det K W") == Apply("log", Apply("det", Product((K, W))))


def test_second_partials() -> None:
    assert read(r"\frac{\partial^2 a b}{\partial a \partial b}") == Derivative(Product((a, b)), (a, b))
    assert read(r"\frac{\partial^{2} a^3}{\partial a^2}") == Derivative(Power(a, c(3)), (a, a))
    with pytest.raises(LatexSyntaxError) as err:
        read(r"\frac{\partial^2 a}{\partial a}")
    assert err.value.position is not None and err.value.position.offset == 0


def test_gradient_and_hessian() -> None:
    f = Product((Transpose(x), K, x))
    assert read(r"\nabla_{x} x^T K x") == Gradient(f, x)
    assert read(r"\nabla_x x^T K x") == Gradient(f, x)
    assert read(r"\nabla^2_{x} x^T K x") == Hessian(f, x)
    assert read(r"\nabla_{x}^2 x^T K x") == Hessian(f, x)
    assert shape(r"\nabla_x x^T K x", "numerator") == Shape("n", 1)  # a column in both layouts
    assert shape(r"\nabla_x x^T K x", "denominator") == Shape("n", 1)
    assert shape(r"\nabla^2_x x^T K x") == Shape("n", "n")


@pytest.mark.parametrize(
    ("text", "numerator", "denominator"),
    [
        (r"\frac{\partial a}{\partial x}", Shape(1, "n"), Shape("n", 1)),
        (r"\frac{\partial A x}{\partial x}", Shape("m", "n"), Shape("n", "m")),
        (r"\frac{\partial X}{\partial t}", Shape("n", "n"), Shape("n", "n")),
        (r"\frac{\partial \operatorname{tr}(A M)}{\partial M}", Shape("m", "n"), Shape("n", "m")),
        (r"\frac{\partial y}{\partial z}", Shape("m", "p"), Shape("p", "m")),
    ],
)
def test_derivative_shapes_follow_the_layout(text: str, numerator: Shape, denominator: Shape) -> None:
    assert shape(text, "numerator") == numerator
    assert shape(text, "denominator") == denominator


# --- functions, brackets, matrices -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        (r"\operatorname{tr}(K)", Apply("tr", K)),
        (r"\mathrm{tr}(K)", Apply("tr", K)),
        (r"\operatorname{tr}\left(K W\right)", Apply("tr", Product((K, W)))),
        (r"\det(K)", Apply("det", K)),
        (r"\det K", Apply("det", K)),
        (r"\log t", Apply("log", t)),
        (r"\log(t)", Apply("log", t)),
        (r"\exp(a)", Apply("exp", a)),
        (r"\sigma(x)", Apply("sigmoid", x)),
        (r"\tanh\left(a\right)", Apply("tanh", a)),
        (r"\max(a, b)", Max((a, b))),
        (r"\max\{0, a\}", Max((c(0), a))),
        (r"\max\left(a, b, t\right)", Max((a, b, t))),
        ("|a|", Apply("abs", a)),
        (r"\left|a - b\right|", Apply("abs", Add((a, Product((c(-1), b)))))),
        ("|a| b |t|", Product((Apply("abs", a), b, Apply("abs", t)))),
        (r"x \odot w", Hadamard(x, w)),
        (r"K x \odot W w", Hadamard(Product((K, x)), Product((W, w)))),
        (r"\operatorname{diag}(x)", Apply("diag", x)),
        (r"\left( a + b \right) t", Product((Add((a, b)), t))),
        ("(a + b) t", Product((Add((a, b)), t))),
        (r"\{a + b\} t", Product((Add((a, b)), t))),
        ("[a + b] t", Product((Add((a, b)), t))),
        ("{a + b} t", Product((Add((a, b)), t))),
    ],
)
def test_functions_and_brackets(text: str, tree: object) -> None:
    assert read(text) == tree


def test_matrices() -> None:
    tree = MatrixLit(((a, b), (c(1), t)))
    assert read(r"\begin{bmatrix} a & b \\ 1 & t \end{bmatrix}") == tree
    assert read(r"\begin{pmatrix} a & b \\ 1 & t \\ \end{pmatrix}") == tree
    assert shape(r"\begin{bmatrix} a \\ b \\ t \end{bmatrix}") == Shape(3, 1)


def test_defined_names_are_substituted() -> None:
    u = Product((A, x))
    assert read(r"\frac{\partial u}{\partial x}", defines={"u": u}) == Derivative(u, (x,))
    assert read("u^T u", defines={"u": u}) == Product((Transpose(u), u))
    with pytest.raises(UnsupportedError) as err:
        read(r"\frac{\partial a}{\partial u}", defines={"u": u})
    assert err.value.position is not None and err.value.position.offset == 27


# --- errors, each with its position ------------------------------------------------------------


def offset_of(text: str, error: type[VerifyError] = VerifyError, **kw: object) -> int:
    with pytest.raises(error) as err:
        read(text, **kw)
    assert err.value.position is not None, f"{text}: no position"
    assert err.value.position.text == text
    return err.value.position.offset


@pytest.mark.parametrize(
    ("text", "error", "offset"),
    [
        ("A q", UndeclaredName, 2),
        (r"a + \beta", UndeclaredName, 4),
        ("x_2", UndeclaredName, 0),  # x is declared, x_2 is not
        ("a + x^*", UndeclaredName, 4),
        (r"\hat{z}", UndeclaredName, 0),
        ("x A", ShapeError, 2),  # the factor that does not fit
        ("K x A", ShapeError, 4),
        ("x + a", ShapeError, 4),
        (r"\frac{a}{x}", ShapeError, 9),
        ("A^{-1}", ShapeError, 0),
        (r"\operatorname{tr}(A)", ShapeError, 0),
        (r"x \odot K", ShapeError, 2),
        (r"\nabla_x K", ShapeError, 0),  # a square matrix: neither a scalar nor a column
        (r"\begin{bmatrix} a & b \\ t \end{bmatrix}", ShapeError, 25),
        (r"\begin{bmatrix} x \end{bmatrix}", ShapeError, 16),
        (r"\frac{\partial a}{\partial Q}", UnsupportedError, 27),  # symmetric: not defined
        (r"\frac{\partial a}{\partial y}", UnsupportedError, 27),  # y depends on z
        (r"a \foo b", UnknownMacro, 2),
        (r"\begin{align} a \end{align}", UnknownMacro, 0),
        (r"\frac{a}{b", UnbalancedBrackets, 8),
        ("(a + b", UnbalancedBrackets, 0),
        ("a + b)", UnbalancedBrackets, 5),
        ("a}", UnbalancedBrackets, 1),
        ("(a]", UnbalancedBrackets, 2),
        (r"\left( a \right]", UnbalancedBrackets, 9),
        ("|a", UnbalancedBrackets, 0),
        (r"\begin{bmatrix} a \end{pmatrix}", UnbalancedBrackets, 18),
        ("a = b", LatexSyntaxError, 2),
        ("a +", LatexSyntaxError, 3),
        ("(A x)_1", LatexSyntaxError, 5),
        ("", LatexSyntaxError, 0),
        ("K^{1001}", LimitExceeded, 3),
        ("a^{-1001}", LimitExceeded, 3),
        ("a^{2^{2^{2^{2}}}}", LimitExceeded, 3),
        ("a^{10^{1000}}", LimitExceeded, 3),
        ("a^{t^2}", UnsupportedError, 3),  # a tower
        ("1" * 61, LimitExceeded, 0),
    ],
)
def test_errors_point_at_the_problem(text: str, error: type[VerifyError], offset: int) -> None:
    assert offset_of(text, error) == offset


@pytest.mark.parametrize(
    "command",
    [r"\input{/etc/passwd}", r"\include{x}", r"\write18{rm -rf /}", r"\def\x{1}", r"\newcommand{\x}{1}",
     r"\catcode`\^=7", r"\immediate\write18{ls}", r"\usepackage{x}"],
)
def test_dangerous_commands_are_refused_never_run(command: str) -> None:
    text = "a + " + command
    with pytest.raises(ForbiddenCommand) as err:
        read(text)
    assert err.value.position is not None and err.value.position.offset == 4


def test_the_message_shows_a_caret_under_the_problem() -> None:
    with pytest.raises(UndeclaredName) as err:
        read(r"\frac{\partial q}{\partial x}")
    lines = str(err.value).splitlines()
    assert lines[-2] == r"\frac{\partial q}{\partial x}"
    assert lines[-1] == " " * 15 + "^"
    assert "q is not declared" in lines[0]


def test_limits() -> None:
    assert offset_of("a" * (reader.MAX_LENGTH + 1), LimitExceeded) == reader.MAX_LENGTH
    deep = r"\log(" * (reader.MAX_DEPTH + 1) + "t" + ")" * (reader.MAX_DEPTH + 1)
    offset_of(deep, LimitExceeded)
    shallow = r"\log(" * (reader.MAX_DEPTH - 2) + "t" + ")" * (reader.MAX_DEPTH - 2)
    read(shallow)
    parens = "(" * 3000 + "t" + ")" * 3000  # brackets alone do not nest the expression
    assert read(parens) == t
    many = Symbols.of([parse_declaration(f"v_{{{i}}}", "scalar") for i in range(reader.MAX_NAMES + 1)])
    text = " + ".join(f"v_{{{i}}}" for i in range(reader.MAX_NAMES + 1))
    with pytest.raises(LimitExceeded):
        read_latex(text, many)
    read_latex(" + ".join(f"v_{{{i}}}" for i in range(reader.MAX_NAMES)), many)


def test_a_definition_used_many_times_is_bounded() -> None:
    u = Product((Transpose(x), x))
    defines = {"u": u}
    for name in ("v", "r", "s", "q", "e", "f", "g", "h", "k", "l", "o", "j", "c", "i"):
        prev = list(defines)[-1]
        defines[name] = Product((read_latex(prev, S, defines=defines), read_latex(prev, S, defines=defines)))
    with pytest.raises(LimitExceeded):
        read_latex("i i i i", S, defines=defines)


def test_bad_declared_spellings_are_declaration_errors() -> None:
    for bad in ("2x", "x y$", r"\frac", "a{"):
        with pytest.raises(DeclarationError):
            read_latex("a", Symbols.of([Symbol(bad)]))


def test_user_text_never_reaches_sympify(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading goes through the grammar and constructors only."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("user text reached a SymPy string parser")

    monkeypatch.setattr(sympy, "sympify", refuse)
    monkeypatch.setattr(sympy, "S", refuse)
    monkeypatch.setattr(sympy, "parse_expr", refuse, raising=False)
    assert read(r"2.625 \frac{\partial x^T K x}{\partial x} + \frac{3}{4} x^T") is not None
    with pytest.raises(VerifyError):
        read("__import__('os').system('true')")


# --- the slash form of a derivative --------------------------------------------------------


def test_the_slash_form_of_a_derivative_reads_as_the_fraction() -> None:
    assert read(r"\partial (A x) / \partial x") == read(r"\frac{\partial (A x)}{\partial x}")
    assert read(r"\partial^2 a / \partial t^2") == read(r"\frac{\partial^2 a}{\partial t^2}")
    # two slash derivatives side by side are a product (a chain rule), not one derivative
    assert read(r"\partial y / \partial z \partial z / \partial z") == Product(
        (read(r"\frac{\partial y}{\partial z}"), read(r"\frac{\partial z}{\partial z}")))


def test_a_plain_slash_is_refused_with_the_fraction_to_write_instead() -> None:
    with pytest.raises(UnsupportedError, match=r"\\frac\{a\}\{b\}"):
        read("a / b")


# --- derivatives by a definition (a node of the computation) -------------------------------


def test_a_derivative_by_a_definition_is_taken_at_the_node() -> None:
    # u := A x; d(u^T u)/du read as backpropagation means it: v^T v differentiated by v, at v = A x
    # (2 u^T by hand), not refused and not d/dx.
    from verify.deciding.engine import decide
    from verify.model.claim import Equality
    from verify.model.expr import At, Derivative
    from verify.model.result import Verdict

    r = reader.LatexReader(S, defines={"u": Product((A, x))}, node_derivatives=True)
    lhs = r.read(r"\frac{\partial (u^T u)}{\partial u}")
    assert isinstance(lhs, At) and isinstance(lhs.expr, Derivative) and lhs.values[0][1] == Product((A, x))
    symbols = Symbols.of([*S.values(), *r.nodes.values()])
    right = Equality(id="t", statement="", symbols=symbols, lhs=lhs, rhs=r.read("2 u^T"))
    wrong = Equality(id="t", statement="", symbols=symbols, lhs=lhs, rhs=r.read("u^T"))
    assert decide(right).verdict is Verdict.PROVED
    assert decide(wrong).verdict is Verdict.REFUTED
    with pytest.raises(UnsupportedError, match="definition"):  # only where asked for
        reader.LatexReader(S, defines={"u": Product((A, x))}).read(r"\frac{\partial (u^T u)}{\partial u}")


def test_nabla_without_a_variable_takes_a_functions_own_scalar_variables() -> None:
    # psi(u, v) declared of its scalars: nabla psi is [dpsi/du; dpsi/dv], nabla^2 psi the 2 x 2
    # matrix of second partials, in the declared order; a name with no such variables is refused.
    from verify.model.expr import Derivative, MatrixLit

    psi, u, v = Var(r"\psi"), Var("u"), Var("v")
    table = Symbols.of([parse_declaration(r"\psi", "scalar, of(u, v)"), parse_declaration("u", "scalar"),
                        parse_declaration("v", "scalar"), parse_declaration("x", "vector(n)")])
    r = reader.LatexReader(table)
    assert r.read(r"\nabla \psi") == MatrixLit(((Derivative(psi, (u,)),), (Derivative(psi, (v,)),)))
    assert r.read(r"\nabla^2 \psi") == MatrixLit(tuple(tuple(Derivative(psi, (a, b)) for b in (u, v)) for a in (u, v)))
    with pytest.raises(UnsupportedError, match=r"write \\nabla_x f"):
        r.read(r"\nabla x")


# --- indicators: strict and closed comparisons are different functions ------------------------


def minus(u: object, v: object) -> Add:
    return Add((u, Product((c(-1), v))))


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        # strict: 1 where the comparison holds, so 0 where the two sides are equal
        (r"I(a > b)", Apply("step", minus(a, b))),
        (r"I(a < b)", Apply("step", minus(b, a))),
        (r"I(a > 0)", Apply("step", a)),
        (r"\mathbb{1}[a < b]", Apply("step", minus(b, a))),
        (r"\operatorname{step}(a)", Apply("step", a)),
        # closed: 1 where the two sides are equal too
        (r"I(a \geq b)", Apply("closed_step", minus(a, b))),
        (r"I(a \ge b)", Apply("closed_step", minus(a, b))),
        (r"I(a >= b)", Apply("closed_step", minus(a, b))),
        (r"I(a \geqslant 0)", Apply("closed_step", a)),
        (r"I(a \leq b)", Apply("closed_step", minus(b, a))),
        (r"I(a <= 0)", Apply("closed_step", Product((c(-1), a)))),
        (r"\mathbb{1}\left[a \leq b\right]", Apply("closed_step", minus(b, a))),
        (r"I(x \geq 0)", Apply("closed_step", x)),
    ],
)
def test_an_indicator_keeps_whether_its_comparison_is_strict(text: str, tree: object) -> None:
    # I(0 > 0) = 0 but I(0 >= 0) = 1: reading both as one step "proved" I(x >= 0) = I(x > 0).
    assert read(text) == tree


@pytest.mark.parametrize("func", ["step", "closed_step"])
def test_a_printed_indicator_reads_back_as_itself(func: str) -> None:
    # The printer writes \mathbb{1}\left[... > 0\right] (or \geq): its argument may hold brackets
    # of its own (a max, a product in parentheses), which \mathbb{1} allows, I(...) would not.
    for arg in (a, minus(a, b), Max((a, b)), Product((Add((a, b)), t)), Apply("abs", minus(a, t))):
        e = Apply(func, arg)
        assert read(e.latex()) == e
    assert "\\geq" in Apply("closed_step", a).latex() and ">" in Apply("step", a).latex()
