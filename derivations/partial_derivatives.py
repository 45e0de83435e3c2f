"""HW1 section 1, Partial Derivative: Jacobians of linear maps, chain and product rules.

Every statement of the section is a claim, in the order written. Matrix forms are claims over
the dimension letters ``m``, ``n``, ``p``; the index-notation steps (sums over i, j, k) are
claims at one concrete, non-square size with every entry a named scalar, so that a step that
confuses ``A`` with ``A^T`` cannot survive. Layout is numerator throughout (the solution's
``dy_i/dx_j = a_ij => dy/dx = A`` fixes it).

The one error of the section: ``d alpha/dy = x^T A``. The solution's own middle step gives
``x^T A^T``; the two agree only for symmetric A (and ``x^T A`` is not even defined unless A is
square), so ``pd.bilinear-y`` declares A square and must be refuted.
"""

from __future__ import annotations

from verify.model.claim import Claim, Equality
from verify.model.expr import D, Expr, Identity, Var, Zero, mat
from verify.model.question import Question
from verify.model.shape import Shape
from verify.model.symbols import Symbol, Symbols, matrix, scalar, vector

SECTION = "1 Partial Derivative"

x, y, z, A, alpha = Var("x"), Var("y"), Var("z"), Var("A"), Var("alpha")

# ---------------------------------------------------------------------------------------
# Concrete sizes for the index-notation steps: m = 2 rows, n = 3 columns, p = 2 variables z_j.
M, N, P = 2, 3, 2


def _entries(name: str, count: int, of: tuple[str, ...] = ()) -> tuple[list[Var], list[Symbol]]:
    """``x1 .. x<count>`` as scalars (functions of ``of`` when given)."""
    names = [f"{name}{i}" for i in range(1, count + 1)]
    return [Var(s) for s in names], [scalar(s, of=of) for s in names]


def _matrix_entries(name: str, rows: int, cols: int) -> tuple[list[list[Var]], list[Symbol]]:
    """``a11 .. a<rows><cols>`` as scalars: the entries of a matrix written out."""
    grid = [[Var(f"{name}{i}{j}") for j in range(1, cols + 1)] for i in range(1, rows + 1)]
    return grid, [scalar(v.name) for row in grid for v in row]


def _sum(terms: list[Expr]) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


a, a_syms = _matrix_entries("a", M, N)
xs, x_syms = _entries("x", N)
ys, y_syms = _entries("y", M)
zs, z_syms = _entries("z", P)
xz, xz_syms = _entries("x", N, of=tuple(v.name for v in zs))  # x_k = x_k(z_1, z_2)
yz, yz_syms = _entries("y", N, of=tuple(v.name for v in zs))  # y_i = y_i(z_1, z_2), same length as x

A_lit = mat([list(row) for row in a])
x_lit = mat([[v] for v in xs])
y_lit = mat([[v] for v in ys])


def _linear(i: int, x_entries: list[Var]) -> Expr:
    """``y_i = sum_k a_ik x_k``: the i-th entry of ``A x`` written out."""
    return _sum([a[i][k] * x_entries[k] for k in range(N)])


# alpha = sum_i sum_j y_i a_ij x_j, written out at m = 2, n = 3.
alpha_sum = _sum([ys[i] * a[i][j] * xs[j] for i in range(M) for j in range(N)])
# alpha = sum_i y_i x_i (bullet 4), x and y functions of z.
alpha_dot = _sum([yz[i] * xz[i] for i in range(N)])

LINEAR_SYMBOLS = Symbols.of([vector("x", "n", latex="x", meaning="the input vector, x in R^n"),
                             matrix("A", "m", "n", latex="A", meaning="a constant m x n matrix")])
CHAIN_SYMBOLS = Symbols.of([
    matrix("A", "m", "n", latex="A", meaning="a constant m x n matrix"),
    vector("x", "n", of=("z",), latex="x", meaning="x = x(z), an arbitrary smooth function of z"),
    vector("z", "p", latex="z", meaning="the variable x depends on, z in R^p"),
])
BILINEAR_SYMBOLS = Symbols.of([
    vector("y", "m", latex="y", meaning="a vector y in R^m"),
    matrix("A", "m", "n", latex="A", meaning="a constant m x n matrix"),
    vector("x", "n", latex="x", meaning="a vector x in R^n"),
])
# For the solution's final answer x^T A both sides must be defined: A square.
BILINEAR_SQUARE = Symbols.of([vector("y", "n"), matrix("A", "n", "n"), vector("x", "n")])
PRODUCT_SYMBOLS = Symbols.of([
    vector("x", "n", of=("z",), latex="x", meaning="x = x(z), an arbitrary smooth function of z"),
    vector("y", "n", of=("z",), latex="y", meaning="y = y(z), an arbitrary smooth function of z"),
    vector("z", "p", latex="z", meaning="the variable x and y depend on, z in R^p"),
])
INVERSE_SYMBOLS = Symbols.of([
    matrix("A", "n", "n", invertible=True, of=("alpha",), latex="A",
           meaning="an invertible n x n matrix depending smoothly on the scalar alpha"),
    scalar("alpha", latex=r"\alpha", meaning="the scalar A depends on"),
])

INDEX_LINEAR = Symbols.of([*a_syms, *x_syms])
INDEX_CHAIN = Symbols.of([*a_syms, *xz_syms, *z_syms])
INDEX_BILINEAR = Symbols.of([*a_syms, *x_syms, *y_syms])
INDEX_PRODUCT = Symbols.of([*xz_syms, *yz_syms, *z_syms])

dA = D(A, alpha)
dAinv = D(A.I, alpha)

CLAIMS: list[Claim] = [
    # --- bullet 1: y = Ax --------------------------------------------------------------
    Equality(
        id="pd.linear.index",
        section=SECTION,
        statement=r"y_i = \sum_{k=1}^{n} a_{ik} x_k \Rightarrow \frac{\partial y_i}{\partial x_j} = a_{ij}",
        # d/dx_j of sum_k a_ik x_k keeps only k = j: a_ij. Checked at m = 2, n = 3 entry by entry.
        expect="holds",
        symbols=INDEX_LINEAR,
        lhs=mat([[D(_linear(i, xs), xs[j]) for j in range(N)] for i in range(M)]),
        rhs=A_lit,
    ),
    Equality(
        id="pd.linear",
        section=SECTION,
        statement=r"y = Ax \Rightarrow \frac{\partial y}{\partial x} = A",
        # y_i = sum_k a_ik x_k, so dy_i/dx_j = a_ij: the Jacobian (numerator layout) is A.
        expect="holds",
        symbols=LINEAR_SYMBOLS,
        lhs=D(A * x, x),
        rhs=A,
    ),
    # --- bullet 2: y = Ax, x = x(z) -----------------------------------------------------
    Equality(
        id="pd.chain.index",
        section=SECTION,
        statement=r"\frac{\partial y_i}{\partial z_j} = "
        r"\sum_{k=1}^n a_{ik} \frac{\partial x_k}{\partial z_j}",
        # a_ik are constants: d/dz_j (sum_k a_ik x_k(z)) = sum_k a_ik dx_k/dz_j by linearity.
        expect="holds",
        symbols=INDEX_CHAIN,
        lhs=mat([[D(_linear(i, xz), zs[j]) for j in range(P)] for i in range(M)]),
        rhs=mat([[_sum([a[i][k] * D(xz[k], zs[j]) for k in range(N)]) for j in range(P)]
                 for i in range(M)]),
    ),
    Equality(
        id="pd.chain.index-product",
        section=SECTION,
        statement=r"\sum_{k=1}^n a_{ik} \frac{\partial x_k}{\partial z_j} = "
        r"(A \frac{\partial x}{\partial z})_{ij}",
        # The definition of the matrix product, with (dx/dz)_kj = dx_k/dz_j (numerator layout).
        expect="holds",
        symbols=INDEX_CHAIN,
        lhs=mat([[_sum([a[i][k] * D(xz[k], zs[j]) for k in range(N)]) for j in range(P)]
                 for i in range(M)]),
        rhs=A_lit * mat([[D(xz[k], zs[j]) for j in range(P)] for k in range(N)]),
    ),
    Equality(
        id="pd.chain",
        section=SECTION,
        statement=r"\frac{\partial y}{\partial z} = A \frac{\partial x}{\partial z}",
        # Entry (i, j) of both sides is sum_k a_ik dx_k/dz_j (the two steps above): chain rule
        # with the constant Jacobian A of the outer map.
        expect="holds",
        symbols=CHAIN_SYMBOLS,
        lhs=D(A * x, z),
        rhs=A * D(x, z),
    ),
    # --- bullet 3: alpha = y^T A x ----------------------------------------------------------
    Equality(
        id="pd.bilinear.sum",
        section=SECTION,
        statement=r"\alpha = \sum_{i=1}^{m} \sum_{j=1}^{n} y_i a_{ij} x_j",
        # y^T (A x) = sum_i y_i (Ax)_i = sum_i y_i sum_j a_ij x_j.
        expect="holds",
        symbols=INDEX_BILINEAR,
        lhs=y_lit.T * A_lit * x_lit,
        rhs=alpha_sum,
    ),
    Equality(
        id="pd.bilinear-x.index",
        section=SECTION,
        statement=r"\frac{\partial \alpha}{\partial x_j} = \sum_{i=1}^{m} y_i a_{ij}",
        # Only the terms with x_j survive: sum_i y_i a_ij.
        expect="holds",
        symbols=INDEX_BILINEAR,
        lhs=mat([[D(alpha_sum, xs[j]) for j in range(N)]]),
        rhs=mat([[_sum([ys[i] * a[i][j] for i in range(M)]) for j in range(N)]]),
    ),
    Equality(
        id="pd.bilinear-x.index-product",
        section=SECTION,
        statement=r"\sum_{i=1}^{m} y_i a_{ij} = (y^T A)_j",
        # (y^T A)_j = sum_i (y^T)_i A_ij = sum_i y_i a_ij: the definition of the product.
        expect="holds",
        symbols=INDEX_BILINEAR,
        lhs=mat([[_sum([ys[i] * a[i][j] for i in range(M)]) for j in range(N)]]),
        rhs=y_lit.T * A_lit,
    ),
    Equality(
        id="pd.bilinear-x",
        section=SECTION,
        statement=r"\frac{\partial \alpha}{\partial x} = y^T A",
        # Collecting dalpha/dx_j = (y^T A)_j into a row (numerator layout): y^T A, a 1 x n row.
        expect="holds",
        symbols=BILINEAR_SYMBOLS,
        lhs=D(y.T * A * x, x),
        rhs=y.T * A,
    ),
    Equality(
        id="pd.bilinear-y.index",
        section=SECTION,
        statement=r"\frac{\partial \alpha}{\partial y_j} = \sum_{j=1}^{n} a_{ij} x_j",
        # As written the free index is garbled (y_j on the left, j bound by the sum on the right);
        # the only reading with a well-formed sum is dalpha/dy_i = sum_j a_ij x_j, which holds:
        # the terms with y_i are sum_j y_i a_ij x_j.
        expect="holds",
        why="read with the free index i: d alpha / d y_i = sum_j a_ij x_j (the written y_j is a typo)",
        symbols=INDEX_BILINEAR,
        lhs=mat([[D(alpha_sum, ys[i]) for i in range(M)]]),
        rhs=mat([[_sum([a[i][j] * xs[j] for j in range(N)]) for i in range(M)]]),
    ),
    Equality(
        id="pd.bilinear-y.index-product",
        section=SECTION,
        statement=r"\sum_{j=1}^{n} a_{ij} x_j = (x^T A^T)_j",
        # sum_j a_ij x_j = (Ax)_i = ((Ax)^T)_i = (x^T A^T)_i (same index reading as above).
        expect="holds",
        why="read with the free index i: sum_j a_ij x_j = (x^T A^T)_i",
        symbols=INDEX_BILINEAR,
        lhs=mat([[_sum([a[i][j] * xs[j] for j in range(N)]) for i in range(M)]]),
        rhs=x_lit.T * A_lit.T,
    ),
    Equality(
        id="pd.bilinear-y.middle",
        section=SECTION,
        statement=r"\frac{\partial \alpha}{\partial y} = x^T A^T",
        # The row of dalpha/dy_i = (Ax)_i is (Ax)^T = x^T A^T, 1 x m: the correct answer, and
        # what the solution's own middle step says.
        expect="holds",
        symbols=BILINEAR_SYMBOLS,
        lhs=D(y.T * A * x, y),
        rhs=x.T * A.T,
    ),
    Equality(
        id="pd.bilinear-y",
        section=SECTION,
        statement=r"\frac{\partial \alpha}{\partial y} = x^T A",
        # The solution's final answer. Even with A square (so x^T A is defined) it equals the true
        # x^T A^T only when x^T (A - A^T) = 0; for A = [[0, 1], [0, 0]], x = e_2 the sides are
        # (1, 0) and (0, 1). Fails.
        expect="fails",
        why="the correct derivative is x^T A^T; x^T A differs unless A is symmetric",
        symbols=BILINEAR_SQUARE,
        lhs=D(y.T * A * x, y),
        rhs=x.T * A,
    ),
    # --- bullet 4: alpha = y^T x, x = x(z), y = y(z) -----------------------------------------
    Equality(
        id="pd.product.sum",
        section=SECTION,
        statement=r"\alpha = \sum_{i} y_{i} x_{i}",
        # y^T x is by definition sum_i y_i x_i.
        expect="holds",
        symbols=INDEX_PRODUCT,
        lhs=mat([[v] for v in yz]).T * mat([[v] for v in xz]),
        rhs=alpha_dot,
    ),
    Equality(
        id="pd.product.index",
        section=SECTION,
        statement=r"\frac{\partial \alpha}{\partial z_{j}} = "
        r"\sum_{i} x_{i} \frac{\partial y_{i}}{\partial z_{j}} + y_{i} \frac{\partial x_{i}}{\partial z_{j}}",
        # The scalar product rule on each term y_i x_i.
        expect="holds",
        symbols=INDEX_PRODUCT,
        lhs=mat([[D(alpha_dot, zs[j]) for j in range(P)]]),
        rhs=mat([[_sum([xz[i] * D(yz[i], zs[j]) + yz[i] * D(xz[i], zs[j]) for i in range(N)])
                  for j in range(P)]]),
    ),
    Equality(
        id="pd.product.index-product",
        section=SECTION,
        statement=r"\sum_{i} x_{i} \frac{\partial y_{i}}{\partial z_{j}} + "
        r"y_{i} \frac{\partial x_{i}}{\partial z_{j}} = (x^{T} \frac{\partial y}{\partial z})_{j} + "
        r"(y^{T} \frac{\partial x}{\partial z})_{j}",
        # Definition of the product with (dy/dz)_ij = dy_i/dz_j: (x^T dy/dz)_j = sum_i x_i dy_i/dz_j.
        expect="holds",
        symbols=INDEX_PRODUCT,
        lhs=mat([[_sum([xz[i] * D(yz[i], zs[j]) + yz[i] * D(xz[i], zs[j]) for i in range(N)])
                  for j in range(P)]]),
        rhs=mat([[v] for v in xz]).T * mat([[D(yz[i], zs[j]) for j in range(P)] for i in range(N)])
        + mat([[v] for v in yz]).T * mat([[D(xz[i], zs[j]) for j in range(P)] for i in range(N)]),
    ),
    Equality(
        id="pd.product",
        section=SECTION,
        statement=r"\frac{\partial \alpha}{\partial z} = x^{T} \frac{\partial y}{\partial z}"
        r" + y^{T} \frac{\partial x}{\partial z}",
        # Collecting the entries j above into a 1 x p row: the product rule for y^T x.
        expect="holds",
        symbols=PRODUCT_SYMBOLS,
        lhs=D(y.T * x, z),
        rhs=x.T * D(y, z) + y.T * D(x, z),
    ),
    # --- bullet 5: d(A^{-1})/d alpha ---------------------------------------------------------
    Equality(
        id="pd.inverse.identity",
        section=SECTION,
        statement=r"AA^{-1} = I",
        # The definition of the inverse (A is declared invertible).
        expect="holds",
        symbols=INVERSE_SYMBOLS,
        lhs=A * A.I,
        rhs=Identity("n"),
    ),
    Equality(
        id="pd.inverse.product-rule",
        section=SECTION,
        statement=r"\frac{\partial A}{\partial \alpha}A^{-1} + A\frac{\partial A^{-1}}{\partial \alpha} = 0",
        # Differentiate A A^{-1} = I by alpha: product rule on the left, I constant on the right.
        expect="holds",
        symbols=INVERSE_SYMBOLS,
        lhs=dA * A.I + A * dAinv,
        rhs=Zero(Shape("n", "n")),
    ),
    Equality(
        id="pd.inverse.solve",
        section=SECTION,
        statement=r"A\frac{\partial A^{-1}}{\partial \alpha} = -\frac{\partial A}{\partial \alpha}A^{-1}",
        # Move the first term of the previous line to the right-hand side.
        expect="holds",
        symbols=INVERSE_SYMBOLS,
        lhs=A * dAinv,
        rhs=-dA * A.I,
    ),
    Equality(
        id="pd.inverse",
        section=SECTION,
        statement=r"\frac{\partial A^{-1}}{\partial \alpha} = "
        r"-A^{-1}\frac{\partial A}{\partial \alpha}A^{-1}",
        # Multiply the previous line by A^{-1} on the left.
        expect="holds",
        symbols=INVERSE_SYMBOLS,
        lhs=dAinv,
        rhs=-A.I * dA * A.I,
    ),
]


# ---------------------------------------------------------------------------------------
# Questions: the correct answers, each proved from the definitions by its reference claim.


def _reference(qid: str, statement: str, symbols: Symbols, lhs: Expr, rhs: Expr, why: str) -> Equality:
    return Equality(id=f"ref.{qid}", section=SECTION, statement=statement, expect="holds", why=why,
                    symbols=symbols, lhs=lhs, rhs=rhs)


REFERENCES: dict[str, tuple[str, Symbols, Expr, Expr, str]] = {
    "pd.linear": (
        "y = Ax, with A an m x n constant matrix and x in R^n. Find dy/dx (numerator layout).",
        LINEAR_SYMBOLS, D(A * x, x), A,
        # dy_i/dx_j = a_ij.
        "dy_i/dx_j = a_ij, so the Jacobian is A",
    ),
    "pd.chain": (
        "y = Ax, with A an m x n constant matrix and x = x(z) a function of z in R^p. "
        "Find dy/dz (numerator layout).",
        CHAIN_SYMBOLS, D(A * x, z), A * D(x, z),
        # dy_i/dz_j = sum_k a_ik dx_k/dz_j = (A dx/dz)_ij.
        "dy_i/dz_j = sum_k a_ik dx_k/dz_j = (A dx/dz)_ij",
    ),
    "pd.bilinear-x": (
        "alpha = y^T A x, with y in R^m, A an m x n constant matrix and x in R^n. "
        "Find d alpha / dx (numerator layout: a row).",
        BILINEAR_SYMBOLS, D(y.T * A * x, x), y.T * A,
        # dalpha/dx_j = sum_i y_i a_ij = (y^T A)_j.
        "dalpha/dx_j = sum_i y_i a_ij = (y^T A)_j",
    ),
    "pd.bilinear-y": (
        "alpha = y^T A x, with y in R^m, A an m x n constant matrix and x in R^n. "
        "Find d alpha / dy (numerator layout: a row).",
        BILINEAR_SYMBOLS, D(y.T * A * x, y), x.T * A.T,
        # dalpha/dy_i = sum_j a_ij x_j = (Ax)_i, collected into a row: x^T A^T.
        "dalpha/dy_i = sum_j a_ij x_j = (Ax)_i, as a row (Ax)^T = x^T A^T",
    ),
    "pd.product": (
        "alpha = y^T x, with x = x(z) and y = y(z) functions of z in R^p. "
        "Find d alpha / dz (numerator layout: a row).",
        PRODUCT_SYMBOLS, D(y.T * x, z), x.T * D(y, z) + y.T * D(x, z),
        # product rule on each term y_i x_i.
        "dalpha/dz_j = sum_i x_i dy_i/dz_j + y_i dx_i/dz_j",
    ),
    "pd.inverse": (
        "A is an invertible n x n matrix whose entries depend on the scalar alpha. "
        "Find d(A^{-1})/d alpha in terms of A and dA/d alpha.",
        INVERSE_SYMBOLS, dAinv, -A.I * dA * A.I,
        # differentiate A A^{-1} = I and solve.
        "from d(A A^{-1})/dalpha = 0: dA/dalpha A^{-1} + A dA^{-1}/dalpha = 0",
    ),
}

_REF_STATEMENTS = {
    "pd.linear": r"\frac{\partial (Ax)}{\partial x} = A",
    "pd.chain": r"\frac{\partial (Ax)}{\partial z} = A \frac{\partial x}{\partial z}",
    "pd.bilinear-x": r"\frac{\partial (y^T A x)}{\partial x} = y^T A",
    "pd.bilinear-y": r"\frac{\partial (y^T A x)}{\partial y} = x^T A^T",
    "pd.product": r"\frac{\partial (y^T x)}{\partial z} = x^T \frac{\partial y}{\partial z}"
    r" + y^T \frac{\partial x}{\partial z}",
    "pd.inverse": r"\frac{\partial A^{-1}}{\partial \alpha} = "
    r"-A^{-1}\frac{\partial A}{\partial \alpha}A^{-1}",
}

# The names of the solution that stand for expressions: a student's d y / d x is then the
# derivative of A x itself, so every matrix-form step of a derivation can be checked. (Index
# notation -- y_i, x_j, a_{ij}, sums over k -- stays unread: those steps are "not checked".)
DEFINES: dict[str, dict[str, Expr]] = {
    "pd.linear": {"y": A * x},
    "pd.chain": {"y": A * x},
    "pd.bilinear-x": {r"\alpha": y.T * A * x},
    "pd.bilinear-y": {r"\alpha": y.T * A * x},
    "pd.product": {r"\alpha": y.T * x},
    "pd.inverse": {},
}
# The same definitions as the solution writes them, shown to students by `verify questions`.
WRITTEN: dict[str, dict[str, str]] = {
    "pd.linear": {"y": "y = A x"},
    "pd.chain": {"y": "y = A x"},
    "pd.bilinear-x": {r"\alpha": r"\alpha = y^T A x"},
    "pd.bilinear-y": {r"\alpha": r"\alpha = y^T A x"},
    "pd.product": {r"\alpha": r"\alpha = y^T x"},
    "pd.inverse": {},
}


def _questions() -> list[Question]:
    out = []
    for qid, (wording, symbols, lhs, rhs, why) in REFERENCES.items():
        ref = _reference(qid, _REF_STATEMENTS[qid], symbols, lhs, rhs, why)
        out.append(Question(id=qid, wording=wording, symbols=symbols, answer=rhs, reference=ref,
                            defines=DEFINES[qid], written=WRITTEN[qid]))
    return out


QUESTIONS: list[Question] = _questions()
CLAIMS += [q.reference for q in QUESTIONS]
