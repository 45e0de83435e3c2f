"""The terminal at 80 columns (issue 16): one line per claim, Unicode statements, at most 200 lines.

The golden test renders a fixed set of injected rows (no deciding, no live timings); the suite
test runs the whole HW1 suite in-process at 80 columns and counts lines and widths; the Unicode
printer is checked on every node kind against hand-written strings.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sympy
from rich.cells import cell_len
from rich.console import Console

from verify.cli import main
from verify.model import Equality, Result, Verdict
from verify.model import expr as E
from verify.model.shape import Shape
from verify.model.symbols import Symbol, matrix, scalar, vector
from verify.reporting import Row, render
from verify.reporting.unicode import UnicodePrinter, latex_name, statement_text

ROWS = [
    Row("f.toml", "jacobian-linear", r"\frac{\partial u}{\partial x} = A",
        Result(Verdict.PROVED, "proved for every size", "all sizes", seconds=0.012), "basics", "holds"),
    Row("f.toml", "layout-mixup", r"\frac{\partial (y^T A x)}{\partial y} = x^T A",
        Result(Verdict.REFUTED, "the sides differ at sizes n=2; the sides are transposes of each other",
               None, seconds=0.25), "basics", "fails"),
    Row("f.toml", "det-rank-one", r"\det(x y^T) = 0",
        Result(Verdict.PROVED, "holds at n = 1, 2, 3; not proved for every n", "sizes n=1; n=2; n=3",
               seconds=1.5), "basics", None),
    Row("f.toml", "slow-inverse-of-a-sum", r"(A + B)^{-1} = A^{-1} - A^{-1} B (A + B)^{-1}",
        Result(Verdict.UNKNOWN, "time limit of 60 s reached: " + "tried the random points at every "
               "size, the size-independent prover, instantiation at n=2 with symbolic entries; " * 3,
               None, seconds=60.0), "basics", "holds"),
    Row("f.toml", "undeclared", r"q = x", Result(Verdict.ERROR, "lhs: 'q' is not declared"), "basics", None),
    Row("f.toml", "a-very-long-claim-id-that-does-not-fit-in-its-column", r"x^T x = x x^T",
        Result(Verdict.REFUTED, "the sides differ", None, seconds=0.031), "basics", None),
]
STATEMENTS = ["∂(Ax)/∂x = A", "∂(yᵀAx)/∂y = xᵀA", "det(xyᵀ) = 0",
              "(A + B)⁻¹ = A⁻¹ − A⁻¹B(A + B)⁻¹ and a statement far too long for an 80-column terminal line",
              "q = x", "xᵀx = xxᵀ"]



GOLDEN_80 = """\
Matrix calculus basics (f.toml)
✓ jacobian-linear        proved  all sizes       0.01s  ∂(Ax)/∂x = A
✓ layout-mixup           refuted                 0.25s  ∂(yᵀAx)/∂y = xᵀA
    the sides differ at sizes n=2; the sides are transposes of each other
~ det-rank-one           proved  n=1, 2, 3 only  1.50s  det(xyᵀ) = 0
? slow-inverse-of-a-sum  unknown                 60.0s  (A + B)⁻¹ = A⁻¹ − A⁻¹B(…
    time limit of 60 s reached: tried the random points at every size, the
      size-independent prover, instantiation at n=2 with symbolic entries; tried
      the random points at every size, the size-independent prover,
      instantiation at n=2 with symbolic entries; tried the random points at
    … 2 more lines: --format json shows them all
! undeclared             error                   0.00s  q = x
    lhs: 'q' is not declared
✗ a-very-long-claim-id-… refuted                 0.03s  xᵀx = xxᵀ
    the sides differ
6 claims: 2 proved, 2 refuted, 1 unknown, 1 error (1 proved at some sizes only);
3 not as expected: slow-inverse-of-a-sum, undeclared,
a-very-long-claim-id-that-does-not-fit-in-its-column (61.8 s of deciding)
"""


def _render(width: int, compact: bool | None = None) -> str:
    buffer = io.StringIO()
    render(ROWS, Console(file=buffer, width=width, color_system=None, force_terminal=False),
           title="Matrix calculus basics (f.toml)", statements=STATEMENTS, compact_layout=compact)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def test_the_80_column_layout_is_the_golden_one() -> None:
    assert _render(80) == GOLDEN_80


def test_no_line_of_the_golden_layout_is_wider_than_the_console() -> None:
    for width in (60, 80, 99):
        for line in _render(width).splitlines():
            assert max(cell_len(line), len(line)) <= width, (width, line)


def test_a_wide_console_keeps_the_full_table_and_compact_can_be_asked_for() -> None:
    wide = _render(140)
    assert "┏" in wide and "statement" in wide and "∂(Ax)/∂x = A" in wide
    assert "┏" not in _render(80)
    assert _render(140, compact=True).startswith("Matrix calculus basics (f.toml)\n✓ jacobian-linear")


@pytest.fixture(scope="module")
def suite_at_80(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    """``python -m verify`` at 80 columns, in-process, decided for real into a fresh cache."""
    cache = tmp_path_factory.mktemp("cache") / "decisions.sqlite"
    patch = pytest.MonkeyPatch()
    patch.setenv("COLUMNS", "80")
    buffer = io.StringIO()
    patch.setattr("sys.stdout", buffer)
    try:
        code = main(["--cache", str(cache)])
    finally:
        patch.undo()
    return code, buffer.getvalue()


def test_the_hw1_suite_at_80_columns_fits_in_200_lines_none_wider(suite_at_80: tuple[int, str]) -> None:
    code, out = suite_at_80
    assert code == 0, out[-2000:]
    lines = out.splitlines()
    assert len(lines) <= 200, len(lines)
    wide = [line for line in lines if max(cell_len(line), len(line)) > 80]
    assert not wide, wide
    assert lines[0] == "HW1 claims"
    assert any(line.startswith("✓ pd.linear ") and line.endswith("∂(Ax)/∂x = A") for line in lines)
    assert "every verdict as expected" in " ".join(out.split())  # however the summary line wraps
    assert "\\frac" not in out  # statements are Unicode, not LaTeX


def test_json_output_is_unchanged_by_the_width(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    outs = []
    for columns in ("80", "200"):
        monkeypatch.setenv("COLUMNS", columns)
        assert main(["--only", "pd.linear", "--format", "json", "--cache", str(tmp_path / "c.sqlite")]) == 0
        data = json.loads(capsys.readouterr().out)
        for claim in data["claims"]:
            claim.pop("seconds")
        outs.append(data)
    assert outs[0] == outs[1]
    (linear,) = [c for c in outs[0]["claims"] if c["id"] == "pd.linear"]
    assert linear["statement"].startswith("y = Ax \\Rightarrow")  # the LaTeX as written


# ---------------------------------------------------------------- the Unicode printer

x, y, A, B = E.Var("x"), E.Var("y"), E.Var("A"), E.Var("B")
SYMBOLS: dict[str, Symbol] = {"x": vector("x", "n"), "y": scalar("y"), "A": matrix("A", "n", "n"),
                              "B": matrix("B", "n", "n")}

#: One instance of every node kind and how it is written, by hand.
PRINTED: dict[type[E.Expr], tuple[E.Expr, str]] = {
    E.Var: (y, "y"),
    E.Const: (E.Const(sympy.Rational(-3, 2)), "−3/2"),
    E.Identity: (E.Identity("n"), "Iₙ"),
    E.Zero: (E.Zero(Shape(2, 1)), "0"),
    E.Add: (A + E.Identity() - B, "A + I − B"),
    E.Product: (x.T * A.T, "xᵀAᵀ"),
    E.Div: (E.Const(sympy.Integer(1)) / (y + 1), "1/(y + 1)"),
    E.Power: (E.Power(x.T * x, E.Const(sympy.Integer(2))), "(xᵀx)²"),
    E.Transpose: ((A * B).T, "(AB)ᵀ"),
    E.Inverse: (A.I, "A⁻¹"),
    E.Apply: (E.apply("sigmoid", A * x), "σ(Ax)"),
    E.Max: (E.maximum(y, 0), "max(y, 0)"),
    E.Hadamard: (E.Hadamard(x, A * x), "x ⊙ Ax"),
    E.MatrixLit: (E.mat([[1, y], [0, 2]]), "[1, y; 0, 2]"),
    E.Derivative: (E.D(A * x, x), "∂(Ax)/∂x"),
    E.Gradient: (E.grad(x.T * A * x, x), "∇ₓ(xᵀAx)"),
    E.Hessian: (E.hessian(x.T * A * x, x), "∇²ₓ(xᵀAx)"),
    E.At: (E.at(E.D(y * y, y), (y, 1)), "∂(yy)/∂y at y = 1"),
}


def test_every_node_kind_has_a_hand_written_case() -> None:
    assert set(PRINTED) == set(E.NODES)


@pytest.mark.parametrize("node", E.NODES, ids=lambda c: c.__name__)
def test_the_unicode_printer_on_every_node_kind(node: type[E.Expr]) -> None:
    e, want = PRINTED[node]
    assert type(e) is node
    assert UnicodePrinter(SYMBOLS).print(e) == want


@pytest.mark.parametrize(("e", "want"), [
    (E.apply("tr", x * x.T), "tr(xxᵀ)"),
    (E.apply("tr", E.Var("X").T * E.Var("X")), "tr(XᵀX)"),
    (E.apply("sqrt", x.T * x), "‖x‖"),
    (E.Power(E.apply("sqrt", x.T * x), E.Const(sympy.Integer(2))), "‖x‖²"),
    (E.apply("sqrt", y), "√y"),
    (E.apply("sqrt", y + 1), "√(y + 1)"),
    (E.apply("abs", y), "|y|"),
    (E.apply("step", y), "𝟙[y > 0]"),
    (E.apply("closed_step", y), "𝟙[y ≥ 0]"),
    (E.apply("relu", y), "ReLU(y)"),
    (-(A.I) * E.D(A, y) * A.I, "−A⁻¹ ∂A/∂y A⁻¹"),
    (E.D(y * y, y, y), "∂²(yy)/∂y²"),
    (E.Const(sympy.Integer(2)) * E.Const(sympy.Integer(3)), "2·3"),
    (E.Const(sympy.Rational(1, 2)) * x.T * x, "(1/2)xᵀx"),
])
def test_the_unicode_forms_of_the_issue(e: E.Expr, want: str) -> None:
    assert UnicodePrinter(SYMBOLS).print(e) == want


@pytest.mark.parametrize(("latex", "want"), [
    (r"\hat{y}^{(i)}", "ŷ⁽ⁱ⁾"), (r"\lambda_1", "λ₁"), (r"x^*", "x*"), (r"v^{(k-1)}", "v⁽ᵏ⁻¹⁾"),
    (r"W_{1}", "W₁"), (r"\beta_2", "β₂"), (r"\mathbf{x}", "x"), (r"x_{\text{max}}", "xₘₐₓ"),
    (r"x_{q}", "x_q"), (r"\hat{x}", "x\u0302"),
])
def test_names_are_written_in_their_latex_spelling(latex: str, want: str) -> None:
    assert latex_name(latex) == want


def test_a_claim_is_written_from_its_trees_with_its_spellings() -> None:
    symbols = {"yhat": Symbol("yhat", latex=r"\hat{y}"), "z": Symbol("z", latex="z_2")}
    claim = Equality(id="c", statement=r"\frac{d \hat{y}}{d z_2} = ...", symbols=symbols,  # type: ignore[arg-type]
                     lhs=E.D(E.apply("sigmoid", E.Var("z")), E.Var("z")),
                     rhs=E.apply("sigmoid", E.Var("z")) * (1 - E.apply("sigmoid", E.Var("z"))))
    assert statement_text(claim) == "∂(σ(z₂))/∂z₂ = σ(z₂)(1 − σ(z₂))"


def test_a_name_declared_by_its_latex_spelling_prints_as_that_spelling_reads() -> None:
    # An assignment file declares symbols by how students write them (\lambda, w^0, \hat{x}^k):
    # printed as LaTeX would show them, never as the raw command run into the next factor
    # ("\lambdaw" was how lambda w printed).
    from verify.model import Product, Symbols, Var, scalar, vector
    from verify.reporting.unicode import UnicodePrinter, internal_name

    assert [internal_name(n) for n in (r"\lambda", "w^0", r"\hat{x}^k", "lambda_1", "x_star")] == \
        ["λ", "w⁰", "x̂ᵏ", "λ₁", "x*"]
    symbols = Symbols.of([scalar(r"\lambda"), vector("w", "d")])
    assert UnicodePrinter(symbols).visit(Product((Var(r"\lambda"), Var("w")))) == "λw"
