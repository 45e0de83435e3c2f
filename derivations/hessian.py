"""HW1 section 2, Hessian Matrix: the Jacobian of the gradient of psi(u, v, z).

``psi`` is an arbitrary smooth function of the scalars u, v, z (declared ``of(u, v, z)``),
so its second partials at a point are free jet values: a claim that mixes up two of them is
refuted by a jet (realised by a polynomial), and one that holds for every jet holds for every
smooth psi.

Notation. ``Derivative(psi, (a, b))`` is d/da (d psi/db), and prints as
``\\frac{\\partial^2 \\psi}{\\partial a \\partial b}``: the written entries are encoded in the
order they are written. The solution's J has entry (i, j) = d/dx_j (d psi/dx_i) with
(x_1, x_2, x_3) = (u, v, z) -- the Jacobian of the column gradient -- and for smooth psi the
order of a mixed partial does not matter, so only one written entry is wrong: (2, 2) reads
d^2 psi/(du dv) where d^2 psi/dv^2 belongs.

The gradient ``\\nabla \\psi = [d psi/du; d psi/dv; d psi/dz]`` is the definition the
Jacobian below is built from (``JACOBIAN``), not a claim of its own.
"""

from __future__ import annotations

from verify.model.claim import Claim, Equality
from verify.model.expr import D, Derivative, Expr, MatrixLit, Var, grad, hessian
from verify.model.question import Question
from verify.model.symbols import Symbols, scalar, vector

SECTION = "2 Hessian Matrix"

psi, u, v, z = Var("psi"), Var("u"), Var("v"), Var("z")
VARIABLES = (u, v, z)

SYMBOLS = Symbols.of([
    scalar("psi", of=("u", "v", "z"), latex=r"\psi",
           meaning="psi(u, v, z), an arbitrary smooth scalar function of u, v and z"),
    scalar("u", latex="u", meaning="the first variable of psi"),
    scalar("v", latex="v", meaning="the second variable of psi"),
    scalar("z", latex="z", meaning="the third variable of psi"),
])


def second(a: Var, b: Var) -> Derivative:
    r"""``\frac{\partial^2 \psi}{\partial a \partial b}`` = d/da (d psi/db)."""
    return Derivative(psi, (a, b))


# The Jacobian of the column gradient, from the definitions: row i is the gradient entry
# d psi/dx_i, column j differentiates it by x_j.
JACOBIAN = MatrixLit(tuple(tuple(D(D(psi, xi), xj) for xj in VARIABLES) for xi in VARIABLES))

# The Hessian by its definition, H_ij = d^2 psi/(dx_i dx_j).
HESSIAN = MatrixLit(tuple(tuple(second(xi, xj) for xj in VARIABLES) for xi in VARIABLES))

# The matrix as written in hw1-solution.md, entry by entry (note row 2, column 2).
WRITTEN = MatrixLit((
    (second(u, u), second(v, u), second(z, u)),
    (second(u, v), second(u, v), second(z, v)),
    (second(u, z), second(v, z), second(z, z)),
))

# The correct answer in the solution's own convention, (i, j) = d^2 psi/(dx_j dx_i).
ANSWER = MatrixLit(tuple(tuple(second(xj, xi) for xj in VARIABLES) for xi in VARIABLES))

_WRITTEN_TEX = (
    r"\begin{bmatrix} \frac{\partial^2 \psi}{\partial u \partial u} & "
    r"\frac{\partial^2 \psi}{\partial v \partial u} & \frac{\partial^2 \psi}{\partial z \partial u} \\ "
    r"\frac{\partial^2 \psi}{\partial u \partial v} & \frac{\partial^2 \psi}{\partial u \partial v} & "
    r"\frac{\partial^2 \psi}{\partial z \partial v} \\ \frac{\partial^2 \psi}{\partial u \partial z} & "
    r"\frac{\partial^2 \psi}{\partial v \partial z} & \frac{\partial^2 \psi}{\partial z \partial z} "
    r"\end{bmatrix}"
)
_GRADIENT_TEX = (
    r"\nabla \psi = \begin{bmatrix} \frac{\partial \psi}{\partial u} \\ "
    r"\frac{\partial \psi}{\partial v} \\ \frac{\partial \psi}{\partial z} \end{bmatrix}"
)

p = Var("p")
VECTOR_SYMBOLS = Symbols.of([
    vector("p", "n", meaning="the variables of psi as one vector"),
    scalar("psi", of=("p",), meaning="an arbitrary smooth scalar function of p"),
])

CLAIMS: list[Claim] = [
    Equality(
        id="hessian.jacobian",
        section=SECTION,
        statement=_GRADIENT_TEX + r" \Rightarrow J = " + _WRITTEN_TEX,
        # J_22 = d/dv (d psi/dv) = psi_vv, but the written (2, 2) entry is psi_uv; every other
        # written entry is the true one up to the order of a mixed partial (equal for smooth psi).
        # psi = u v (psi_uv = 1, psi_vv = 0) separates them. Fails.
        expect="fails",
        why="entry (2, 2) is written d^2 psi/(du dv); the Jacobian of the gradient has d^2 psi/dv^2 there",
        symbols=SYMBOLS,
        lhs=JACOBIAN,
        rhs=WRITTEN,
    ),
    Equality(
        id="hessian.written-is-H",
        section=SECTION,
        statement=_WRITTEN_TEX + r" = H(y)",
        # H_22 = psi_vv again; the written psi_uv differs for psi = u v. Fails. (The solution writes
        # H(y) for the Hessian of psi: y is a slip for psi's arguments.)
        expect="fails",
        why="the written matrix differs from the Hessian in entry (2, 2)",
        symbols=SYMBOLS,
        lhs=WRITTEN,
        rhs=HESSIAN,
    ),
    Equality(
        id="hessian.J-is-H",
        section=SECTION,
        statement=r"J = H(y)",
        # J_ij = d/dx_j d/dx_i psi and H_ij = d/dx_i d/dx_j psi: equal because mixed partials of a
        # smooth function commute (Schwarz). This is what the line means to say.
        expect="holds",
        why="the Jacobian of the gradient is the Hessian, since mixed partials commute",
        symbols=SYMBOLS,
        lhs=JACOBIAN,
        rhs=HESSIAN,
    ),
    Equality(
        id="hessian.J-is-H.vector",
        section=SECTION,
        statement=r"J(\nabla \psi) = H",
        # The same at every size n, with psi a function of a vector p: the Jacobian (numerator
        # layout) of the column gradient has (i, j) = d/dp_j d psi/dp_i = H_ij by Schwarz.
        expect="holds",
        why="the Jacobian of the gradient is the Hessian, for psi of a vector p in R^n",
        symbols=VECTOR_SYMBOLS,
        lhs=D(grad(psi, p), p),
        rhs=hessian(psi, p),
    ),
]

REFERENCE = Equality(
    id="ref.hessian.matrix",
    section=SECTION,
    statement=r"J = \begin{bmatrix} \frac{\partial^2 \psi}{\partial u^2} & "
    r"\frac{\partial^2 \psi}{\partial v \partial u} & \frac{\partial^2 \psi}{\partial z \partial u} \\ "
    r"\frac{\partial^2 \psi}{\partial u \partial v} & \frac{\partial^2 \psi}{\partial v^2} & "
    r"\frac{\partial^2 \psi}{\partial z \partial v} \\ \frac{\partial^2 \psi}{\partial u \partial z} & "
    r"\frac{\partial^2 \psi}{\partial v \partial z} & \frac{\partial^2 \psi}{\partial z^2} \end{bmatrix}",
    # Row i of J differentiates d psi/dx_i by x_1, x_2, x_3 in turn: (i, j) = d/dx_j (d psi/dx_i),
    # which is how ANSWER is built.
    expect="holds",
    why="J_ij = d/dx_j (d psi/dx_i), the Jacobian of the gradient column",
    symbols=SYMBOLS,
    lhs=JACOBIAN,
    rhs=ANSWER,
)



def accepts_matrix(answer: Expr, lhs: Expr | None = None) -> Claim:
    """A student's J is right when it is the matrix of second partials of psi.

    Compared with the Hessian by its definition, H_ij = d^2 psi/(dx_i dx_j): by Schwarz this is
    the Jacobian of the gradient (``hessian.J-is-H``), so a mixed partial may be written in
    either order. The question asks for the matrix written out, so an answer that is not a
    3 x 3 matrix of entries is refused. (``J`` itself restated reads as the Jacobian's
    entries, derivatives of derivatives: the grader refuses an answer that still
    differentiates anything but a declared function.)
    """
    if not isinstance(answer, MatrixLit) or len(answer.rows) != 3 or any(len(r) != 3 for r in answer.rows):
        raise ValueError("the question asks for J written out as a 3 x 3 matrix of second partial derivatives")
    return Equality(id="hessian.matrix.answer", statement=f"{answer.latex()} = {HESSIAN.latex()}",
                    symbols=SYMBOLS, lhs=answer, rhs=HESSIAN)


QUESTIONS: list[Question] = [
    Question(
        id="hessian.matrix",
        wording="psi(u, v, z) is a smooth scalar function. Write the Jacobian J of its gradient "
        "nabla psi = (d psi/du, d psi/dv, d psi/dz)^T as a 3 x 3 matrix of second partial derivatives.",
        symbols=SYMBOLS,
        answer=ANSWER,
        reference=REFERENCE,
        # J, as the solution names it, is the Jacobian of the gradient by its definition: a
        # student's "J = [...]" is then a step that is checked.
        defines={"J": JACOBIAN},
        # ... as the solution writes it: the matrix of second partials is the answer, not shown.
        written={
            "J": r"J = \frac{\partial \nabla \psi}{\partial (u, v, z)}",
            r"\nabla \psi": r"\nabla \psi = \left(\frac{\partial \psi}{\partial u}, "
            r"\frac{\partial \psi}{\partial v}, \frac{\partial \psi}{\partial z}\right)^T",
        },
        accepts=accepts_matrix,
    ),
]

CLAIMS.append(REFERENCE)
