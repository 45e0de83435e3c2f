"""HW1 section 3, Avoiding Becoming Asymmetric: the regulariser R(w) = w^T S w on R^2.

The idea of the section: a penalty R(w) that vanishes on the symmetric weights (w_1 = w_2) and
is positive elsewhere pushes a model toward symmetric weights. With w = (w_1, w_2) and
S = [[s11, s12], [s21, s22]] written out entry by entry, every statement is an identity in
those six scalars:

- the expansion of w^T S w (correct as written);
- the condition: R(t, t) = t^2 (s11 + s12 + s21 + s22), so R vanishes on the whole line
  w_1 = w_2 exactly when s11 + s12 + s21 + s22 = 0 (correct as written, with w_1 -> w_2 read as
  "set w_1 = w_2");
- the example S = [[1, -1], [-1, 1]]: it meets the condition, and R(w) = (w_1 - w_2)^2, which
  is zero exactly on w_1 = w_2 and positive off it, so it is PSD and R is convex (correct).

Nothing in this section is wrong; the claims that must fail live in the tests (altered
conditions), so that the suite shows the engine can tell.
"""

from __future__ import annotations

from verify.model.claim import Claim, Convex, Equality, Proportional
from verify.model.expr import Expr, MatrixLit, Transpose, Var, col, contains, lift, mat
from verify.model.question import Question
from verify.model.symbols import Symbols, scalar

SECTION = "3 Avoiding Becoming Asymmetric"

w1, w2 = Var("w1"), Var("w2")
s11, s12, s21, s22 = Var("s11"), Var("s12"), Var("s21"), Var("s22")

w = col(w1, w2)
S = mat([[s11, s12], [s21, s22]])
EXAMPLE_ENTRIES = {"s11": 1, "s12": -1, "s21": -1, "s22": 1}
EXAMPLE = mat([[EXAMPLE_ENTRIES["s11"], EXAMPLE_ENTRIES["s12"]], [EXAMPLE_ENTRIES["s21"], EXAMPLE_ENTRIES["s22"]]])


def R(weights: Expr, matrix: Expr = S) -> Expr:
    """The regulariser w^T S w."""
    return weights.T * matrix * weights


WEIGHTS = [
    scalar("w1", latex="w_{1}", meaning="the first weight, w = (w_1, w_2)"),
    scalar("w2", latex="w_{2}", meaning="the second weight, w = (w_1, w_2)"),
]
ENTRIES = [
    scalar(f"s{i}{j}", latex=f"s_{{{i}{j}}}", meaning=f"entry ({i}, {j}) of the 2 x 2 matrix S")
    for i in (1, 2) for j in (1, 2)
]
SYMBOLS = Symbols.of([*WEIGHTS, *ENTRIES])
EXAMPLE_SYMBOLS = Symbols.of(WEIGHTS)

EXPANSION = w1**2 * s11 + w2**2 * s22 + w1 * w2 * (s12 + s21)
CONDITION = s11 + s12 + s21 + s22

CLAIMS: list[Claim] = [
    Equality(
        id="reg.expand",
        section=SECTION,
        statement=r"R(w) = w^{T} S w = w_{1}^{2} s_{11} + w_{2}^{2} s_{22} + w_{1} w_{2} (s_{12} + s_{21})",
        # w^T S w = sum_ij w_i s_ij w_j = w1^2 s11 + w1 w2 s12 + w2 w1 s21 + w2^2 s22.
        expect="holds",
        symbols=SYMBOLS,
        lhs=R(w),
        rhs=EXPANSION,
    ),
    Equality(
        id="reg.condition",
        section=SECTION,
        statement=r"w_{1} \to w_{2} \Rightarrow s_{12} + s_{21} + s_{22} + s_{11} = 0",
        # Setting w1 = w2 = t in the expansion: t^2 s11 + t^2 s22 + t^2 (s12 + s21)
        # = t^2 (s12 + s21 + s22 + s11). So R(t, t) = 0 for every t iff that sum is 0 (take t = 1
        # for "only if"). Encoded as the identity that carries both directions.
        expect="holds",
        why="R(t, t) = t^2 (s11 + s12 + s21 + s22): zero for all t exactly when the sum is 0",
        symbols=SYMBOLS,
        lhs=R(col(w1, w1)),
        rhs=w1**2 * (s12 + s21 + s22 + s11),
    ),
    Equality(
        id="reg.example.condition",
        section=SECTION,
        statement=r"S = \begin{bmatrix} 1 & -1 \\ -1 & 1 \end{bmatrix} \Rightarrow "
        r"s_{12} + s_{21} + s_{22} + s_{11} = 0",
        # -1 + -1 + 1 + 1 = 0: the example meets the written condition.
        expect="holds",
        symbols=Symbols.of([]),
        lhs=lift(EXAMPLE_ENTRIES["s12"]) + EXAMPLE_ENTRIES["s21"] + EXAMPLE_ENTRIES["s22"]
        + EXAMPLE_ENTRIES["s11"],
        rhs=lift(0),
    ),
    Equality(
        id="reg.example",
        section=SECTION,
        statement=r"e.g. \quad S = \begin{bmatrix} 1 & -1 \\ -1 & 1 \end{bmatrix}",
        # With s11 = s22 = 1, s12 = s21 = -1 the expansion is w1^2 + w2^2 - 2 w1 w2 = (w1 - w2)^2:
        # zero exactly when w1 = w2, positive otherwise -- the regulariser the section asks for.
        expect="holds",
        why="w^T S w = (w_1 - w_2)^2 for this S: zero exactly on the symmetric weights",
        symbols=EXAMPLE_SYMBOLS,
        lhs=R(w, EXAMPLE),
        rhs=(w1 - w2) ** 2,
    ),
    Convex(
        id="reg.example.convex",
        section=SECTION,
        statement=r"R(w) = w^{T} \begin{bmatrix} 1 & -1 \\ -1 & 1 \end{bmatrix} w \text{ is convex}",
        # Its Hessian is 2 S, constant, with eigenvalues 0 and 4 (trace 4, determinant 0): PSD, so R
        # is convex on all of R^2 (it is (w1 - w2)^2, a convex function of a linear form).
        expect="holds",
        why="the Hessian 2S is constant and PSD (eigenvalues 0 and 4)",
        symbols=EXAMPLE_SYMBOLS,
        f=R(w, EXAMPLE),
        wrt=(w1, w2),
    ),
]

_REFERENCES = {
    "reg.expand": Equality(
        id="ref.reg.expand",
        section=SECTION,
        statement=r"w^{T} S w = w_{1}^{2} s_{11} + w_{2}^{2} s_{22} + w_{1} w_{2} (s_{12} + s_{21})",
        # sum_ij w_i s_ij w_j, the two cross terms collected.
        expect="holds",
        symbols=SYMBOLS,
        lhs=R(w),
        rhs=EXPANSION,
    ),
    "reg.condition": Equality(
        id="ref.reg.condition",
        section=SECTION,
        statement=r"R\left(\begin{bmatrix} w_{1} \\ w_{1} \end{bmatrix}\right) = "
        r"w_{1}^{2} (s_{11} + s_{12} + s_{21} + s_{22})",
        # On the line w1 = w2 the regulariser is w1^2 times the answer, so it vanishes there for
        # every w1 exactly when the answer s11 + s12 + s21 + s22 is 0.
        expect="holds",
        why="R on the line w_1 = w_2 is w_1^2 (s11 + s12 + s21 + s22)",
        symbols=SYMBOLS,
        lhs=R(col(w1, w1)),
        rhs=w1**2 * CONDITION,
    ),
    "reg.example": Equality(
        id="ref.reg.example",
        section=SECTION,
        statement=r"w^{T} \begin{bmatrix} 1 & -1 \\ -1 & 1 \end{bmatrix} w = (w_{1} - w_{2})^{2}",
        # w1^2 - w1 w2 - w2 w1 + w2^2 = (w1 - w2)^2: zero exactly when w1 = w2, positive otherwise.
        expect="holds",
        why="R = (w_1 - w_2)^2 >= 0, with equality exactly when w_1 = w_2",
        symbols=EXAMPLE_SYMBOLS,
        lhs=R(w, EXAMPLE),
        rhs=(w1 - w2) ** 2,
    ),
}

# The names of the section that stand for expressions: w = (w_1, w_2), S by its entries, and
# R(w) = w^T S w, so that "R(w) = w^T S w = ..." is a chain of checked steps.
DEFINES: dict[str, Expr] = {"w": w, "S": S, "R(w)": R(w), "R": R(w)}
WRITTEN: dict[str, str] = {
    "w": r"w = \begin{bmatrix} w_1 \\ w_2 \end{bmatrix}",
    "S": r"S = \begin{bmatrix} s_{11} & s_{12} \\ s_{21} & s_{22} \end{bmatrix}",
    "R(w)": "R(w) = w^T S w",
    "R": "R(w) = w^T S w",
}




def accepts_expansion(answer: Expr, lhs: Expr | None = None) -> Claim:
    """The expansion must equal w^T S w and be written in the entries: "w^T S w" itself is not
    an expansion, though it reads (through the definitions) as the same number."""
    if contains(answer, (MatrixLit, Transpose)):
        raise ValueError("the question asks for R(w) expanded in the entries w_1, w_2, s_11, ..., s_22, "
                         "without vectors or matrices")
    return Equality(id="reg.expand.answer", statement=f"{answer.latex()} = {EXPANSION.latex()}",
                    symbols=SYMBOLS, lhs=answer, rhs=EXPANSION)


def accepts_condition(answer: Expr, lhs: Expr | None = None) -> Claim:
    """An equation L = R states the condition exactly when L - R is a nonzero multiple of
    s11 + s12 + s21 + s22 (then L = R and s11 + s12 + s21 + s22 = 0 have the same solutions);
    an expression alone is read as "= 0"."""
    stated = answer if lhs is None else lhs if answer == lift(0) else lhs - answer
    return Proportional(id="reg.condition.answer", statement=f"{stated.latex()} = 0", symbols=SYMBOLS,
                        expr=stated, to=CONDITION)


def accepts_example(answer: Expr, lhs: Expr | None = None) -> Claim:
    """S is right when w^T S w is a positive multiple of (w_1 - w_2)^2.

    That is exactly the property asked: a quadratic form a w1^2 + b w1 w2 + c w2^2 vanishes on
    w_1 = w_2 iff a + b + c = 0; then with w = (t + u, t) it is (2a + b) t u + a u^2, which is
    >= 0 for every t only if 2a + b = 0, leaving a (w_1 - w_2)^2, positive off the line iff a > 0.
    """
    return Proportional(id="reg.example.answer", statement=f"w^T {answer.latex()} w \\propto (w_1 - w_2)^2",
                        symbols=EXAMPLE_SYMBOLS, expr=R(w, answer), to=(w1 - w2) ** 2, positive=True)


QUESTIONS: list[Question] = [
    Question(
        id="reg.expand",
        wording="R(w) = w^T S w with w = (w_1, w_2) and S = [[s_11, s_12], [s_21, s_22]]. "
        "Expand R(w) in the entries.",
        symbols=SYMBOLS,
        answer=EXPANSION,
        reference=_REFERENCES["reg.expand"],
        defines=DEFINES,
        written=WRITTEN,
        accepts=accepts_expansion,
    ),
    Question(
        id="reg.condition",
        wording="For R(w) = w^T S w on R^2: what condition on the entries of S makes R(w) = 0 "
        "whenever w_1 = w_2? (An expression in s_11, s_12, s_21, s_22 that must equal 0.)",
        symbols=SYMBOLS,
        answer=CONDITION,
        reference=_REFERENCES["reg.condition"],
        kind="property",
        defines=DEFINES,
        written=WRITTEN,
        accepts=accepts_condition,
    ),
    Question(
        id="reg.example",
        wording="Give a 2 x 2 matrix S for which R(w) = w^T S w penalises exactly the asymmetric "
        "weights: R(w) = 0 when w_1 = w_2 and R(w) > 0 otherwise.",
        symbols=EXAMPLE_SYMBOLS,
        answer=EXAMPLE,
        reference=_REFERENCES["reg.example"],
        kind="property",
        accepts=accepts_example,
        answer_names=frozenset({"S", r"\mathbf{S}", r"\boldsymbol{S}"}),
    ),
]

CLAIMS += [q.reference for q in QUESTIONS]
