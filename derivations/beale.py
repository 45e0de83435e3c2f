r"""HW1 section 5.1, the Beale function: its gradient, a stationary point, convexity, its minimum.

    f(x_1, x_2) = (1.5 - x_1 + x_1 x_2)^2 + (2.25 - x_1 + x_1 x_2^2)^2 + (2.625 - x_1 + x_1 x_2^3)^2

The decimals are exact: 1.5 = 3/2, 2.25 = 9/4, 2.625 = 21/8 (and the written 2.65 = 53/20).
With g_k = c_k - x_1 + x_1 x_2^k, f = g_1^2 + g_2^2 + g_3^2, so by hand:

    df/dx_1 = 2 g_1 (x_2 - 1) + 2 g_2 (x_2^2 - 1) + 2 g_3 (x_2^3 - 1)          (as written)
    df/dx_2 = 2 g_1 x_1 + 2 g_2 (2 x_1 x_2) + 2 g_3 (3 x_1 x_2^2)               (written: 2.65 in g_3)
    grad f(0, 1) = (0, 0): every x_1-term has a factor x_2^k - 1 = 0, every x_2-term a factor x_1 = 0
    H(0, 0) = [[6, 3], [3, 0]]: d2f/dx_1^2 = 2 sum (x_2^k - 1)^2 = 6; d2f/dx_1dx_2 = 2 g_1 = 3 (only
              k = 1 keeps a term at x_2 = 0); d2f/dx_2^2 = 0 (every term has a factor x_1). det = -9.
    f(3, 1/2) = 0, and g_1 = g_2 = g_3 = 0 only there: g_1 = 0 gives x_1 (1 - x_2) = 3/2 (so x_1 != 0,
              x_2 != 1), g_2 = 0 gives x_1 (1 - x_2)(1 + x_2) = 9/4, dividing: 1 + x_2 = 3/2, x_2 = 1/2,
              x_1 = 3; g_3 = 21/8 - 3 (7/8) = 0.

The variables are the scalars x1, x2 (no dimension letters).
"""

from __future__ import annotations

from collections.abc import Callable

from verify.errors import VerifyError
from verify.model.claim import Claim, Convex, Equality, GlobalMinimum, PolynomialDegree
from verify.model.expr import D, Expr, Var, apply, at, col, lift, mat, shape_of
from verify.model.question import Part, Question
from verify.model.shape import Shape
from verify.model.symbols import Symbols, matrix, scalar, vector

SECTION = "5.1 Beale Function"

x1, x2, alpha = Var("x1"), Var("x2"), Var("alpha")
SYMBOLS = Symbols.of([
    scalar("x1", latex="x_1", meaning="the first coordinate"),
    scalar("x2", latex="x_2", meaning="the second coordinate"),
])
STEP_SYMBOLS = Symbols.of([*SYMBOLS.values(),
                           scalar("alpha", latex=r"\alpha", meaning="the gradient-descent step size")])
C1, C2, C3 = lift("1.5"), lift("2.25"), lift("2.625")
C3_WRITTEN = lift("2.65")


def g(k: int, c: Expr) -> Expr:
    """The k-th bracket, c - x_1 + x_1 x_2^k."""
    return c - x1 + x1 * x2**k


G1, G2, G3 = g(1, C1), g(2, C2), g(3, C3)
TERMS = (G1**2, G2**2, G3**2)
F = TERMS[0] + TERMS[1] + TERMS[2]

DF_DX1 = 2 * G1 * (x2 - 1) + 2 * G2 * (x2**2 - 1) + 2 * G3 * (x2**3 - 1)
DF_DX2 = 2 * G1 * x1 + 2 * G2 * (2 * x1 * x2) + 2 * G3 * (3 * x2**2 * x1)
DF_DX2_WRITTEN = 2 * G1 * x1 + 2 * G2 * (2 * x1 * x2) + 2 * g(3, C3_WRITTEN) * (3 * x2**2 * x1)
GRADIENT = col(D(F, x1), D(F, x2))
HESSIAN = mat([[D(F, x1, x1), D(F, x1, x2)], [D(F, x2, x1), D(F, x2, x2)]])
AT_0_1 = ((x1, 0), (x2, 1))
STEP = col(x1, x2) - alpha * GRADIENT  # x^{t+1} = x^t - alpha grad f(x^t)

_CONVEX_TEXT = (r"\text{The Beale function is a convex function, as it is the sum of three quadratic "
                r"functions, and quadratic functions are inherently convex.}")
_UNIQUE_TEXT = r"\text{Convex functions possess a unique global minimum}"
_GRAD_X1 = (r"\frac{\partial f}{\partial x_1} = 2(1.5 - x_1 + x_1 x_2)(x_2 - 1) + 2(2.25 - x_1 + x_1 x_2^2)"
            r"(x_2^2 - 1) + 2(2.625 - x_1 + x_1 x_2^3)(x_2^3 - 1)")
_GRAD_X2 = (r"\frac{\partial f}{\partial x_2} = 2(1.5 - x_1 + x_1 x_2)x_1 + 2(2.25 - x_1 + x_1 x_2^2)"
            r"(2x_1 x_2) + 2(2.65 - x_1 + x_1 x_2^3)(3x_2^2 x_1)")
_STATIONARY = r"\nabla f(x^t = (0, 1)) = (0, 0) \Rightarrow x^{t+1} = (0, 1)"

# "quadratic functions are inherently convex", for a general quadratic x^T Q x + c^T x + b.
x, Q, c, b = Var("x"), Var("Q"), Var("c"), Var("b")
QUADRATIC = Symbols.of([vector("x", "n"), matrix("Q", "n", "n", symmetric=True), vector("c", "n"), scalar("b")])

CLAIMS: list[Claim] = [
    Convex(
        id="beale.convex",
        section=SECTION,
        statement=_CONVEX_TEXT,
        # H(0, 0) = [[6, 3], [3, 0]] (module docstring) has det -9 < 0: not PSD. Fails.
        expect="fails",
        why="the Hessian at (0, 0) is [[6, 3], [3, 0]], whose determinant is -9",
        symbols=SYMBOLS,
        f=F,
        wrt=(x1, x2),
    ),
    *(
        PolynomialDegree(
            id=f"beale.term{k}-quadratic",
            section=SECTION,
            statement=_CONVEX_TEXT,
            # (c - x1 + x1 x2^k)^2 contains (x1 x2^k)^2 = x1^2 x2^(2k) with coefficient 1: degree
            # 2 + 2k = 4, 6, 8 > 2. Not quadratic. Fails.
            expect="fails",
            why=f"term {k} contains x_1^2 x_2^{2 * k}: total degree {2 + 2 * k}",
            symbols=SYMBOLS,
            f=term,
            wrt=(x1, x2),
            degree=2,
        )
        for k, term in enumerate(TERMS, 1)
    ),
    Convex(
        id="beale.quadratics-convex",
        section=SECTION,
        statement=_CONVEX_TEXT,
        # "quadratic functions are inherently convex": the Hessian of x^T Q x + c^T x + b is 2Q,
        # not PSD for Q = diag(1, -1) (x_1^2 - x_2^2, a saddle). Fails.
        expect="fails",
        why="x^T Q x + c^T x + b has Hessian 2Q, which is indefinite for e.g. Q = diag(1, -1)",
        symbols=QUADRATIC,
        f=x.T * Q * x + c.T * x + b,
        wrt=(x,),
    ),
    GlobalMinimum(
        id="beale.convex-unique-minimum",
        section=SECTION,
        statement=_UNIQUE_TEXT,
        # A convex function need not have a unique minimiser: (x1 - x2)^2 is convex (a square of
        # a linear form) and is 0 on the whole line x1 = x2, e.g. at (0, 0) and (1, 1). Fails.
        expect="fails",
        why="checked on the convex function (x_1 - x_2)^2, minimal on the whole line x_1 = x_2",
        symbols=SYMBOLS,
        f=(x1 - x2) ** 2,
        wrt=(x1, x2),
        point=(lift(0), lift(0)),
        unique=True,
    ),
    GlobalMinimum(
        id="beale.unique-minimum",
        section=SECTION,
        statement=_UNIQUE_TEXT,
        # For the Beale function itself the conclusion is true (though not because it is convex):
        # f >= 0 as a sum of squares, f(3, 1/2) = 0, and g_1 = g_2 = g_3 = 0 only at (3, 1/2)
        # (module docstring). Holds.
        expect="holds",
        why="f is a sum of three squares, zero exactly at (3, 1/2)",
        symbols=SYMBOLS,
        f=F,
        wrt=(x1, x2),
        point=(lift(3), lift("1/2")),
        unique=True,
    ),
    Equality(
        id="beale.grad-x1",
        section=SECTION,
        statement=_GRAD_X1,
        # d/dx1 g_k^2 = 2 g_k (x2^k - 1) for each k: the written sum. Holds.
        expect="holds",
        symbols=SYMBOLS,
        lhs=D(F, x1),
        rhs=DF_DX1,
    ),
    Equality(
        id="beale.grad-x2",
        section=SECTION,
        statement=_GRAD_X2,
        # d/dx2 g_k^2 = 2 g_k (k x1 x2^(k-1)); the written third bracket has 2.65 for 2.625, off
        # by 2 (1/40)(3 x1 x2^2) = (3/20) x1 x2^2 (e.g. 3/20 at (1, 1)). Fails.
        expect="fails",
        why="the third bracket should hold 2.625 (the function's constant), not 2.65",
        symbols=SYMBOLS,
        lhs=D(F, x2),
        rhs=DF_DX2_WRITTEN,
    ),
    Equality(
        id="beale.stationary",
        section=SECTION,
        statement=_STATIONARY,
        # At (0, 1): df/dx1 has factors x2^k - 1 = 0, df/dx2 has factors x1 = 0. Holds.
        expect="holds",
        why="grad f(0, 1) = (0, 0): a stationary point (a saddle, by the Hessian there)",
        symbols=SYMBOLS,
        lhs=at(GRADIENT, *AT_0_1),
        rhs=col(0, 0),
    ),
    Equality(
        id="beale.step",
        section=SECTION,
        statement=_STATIONARY,
        # x^{t+1} = x^t - alpha grad f(x^t) = (0, 1) - alpha (0, 0) = (0, 1) for every alpha. Holds.
        expect="holds",
        why="the gradient vanishes at (0, 1), so a gradient step of any size stays there",
        symbols=STEP_SYMBOLS,
        lhs=at(STEP, *AT_0_1),
        rhs=col(0, 1),
    ),
]


# ---------------------------------------------------------------------------------------
# Questions.


def _ref(qid: str, statement: str, symbols: Symbols, lhs: Expr, rhs: Expr, why: str) -> Equality:
    return Equality(id=f"ref.{qid}", section=SECTION, statement=statement, expect="holds", why=why,
                    symbols=symbols, lhs=lhs, rhs=rhs)


# The names of the section that stand for expressions: f (also written f(x_1, x_2)) is the
# Beale function, so "df/dx_1 = ..." is a checked step; for the gradient step, x^t is the
# starting point (0, 1) and x^{t+1} the gradient-descent step from it.
F_DEFINES: dict[str, Expr] = {"f": F, "f(x_1, x_2)": F}
STEP_DEFINES: dict[str, Expr] = {**F_DEFINES, "x^t": col(0, 1), "x^{t+1}": at(STEP, *AT_0_1)}
# ... as the question writes them (shown to students by `verify questions`; x^{t+1} at (0, 1)
# is the answer, so it is shown as the step, not evaluated).
_F_WRITTEN = (r"f(x_1, x_2) = (1.5 - x_1 + x_1 x_2)^2 + (2.25 - x_1 + x_1 x_2^2)^2 "
              r"+ (2.625 - x_1 + x_1 x_2^3)^2")
F_WRITTEN: dict[str, str] = {"f": _F_WRITTEN, "f(x_1, x_2)": _F_WRITTEN}
STEP_WRITTEN: dict[str, str] = {**F_WRITTEN, "x^t": "x^t = (0, 1)",
                                "x^{t+1}": r"x^{t+1} = x^t - \alpha \nabla f(x^t)"}


def _accepts(target: Expr, what: str) -> Callable[[Expr, Expr | None], Claim]:
    def accepts(answer: Expr, lhs: Expr | None = None) -> Claim:
        """A point or a gradient of two entries: written as a column, a tuple (read as a column) or a row."""
        expected = target
        try:
            if shape_of(answer, STEP_SYMBOLS) == Shape(1, 2):
                expected = target.T
        except VerifyError:
            pass  # an ill-formed answer is reported by the comparison itself
        return Equality(id=f"beale.stationary.{what}", statement=f"{answer.latex()} = {expected.latex()}",
                        symbols=STEP_SYMBOLS, lhs=answer, rhs=expected)
    return accepts


#: x^{t+1} is the point (0, 1); \nabla f(0, 1) is (0, 0)
accepts_point = _accepts(col(0, 1), "answer")
accepts_zero_gradient = _accepts(col(0, 0), "gradient")


_F_TEXT = "f(x_1, x_2) = (1.5 - x_1 + x_1 x_2)^2 + (2.25 - x_1 + x_1 x_2^2)^2 + (2.625 - x_1 + x_1 x_2^3)^2"

_STEP_REFERENCE = _ref("beale.stationary", _STATIONARY, STEP_SYMBOLS, at(STEP, *AT_0_1), col(0, 1),
                       # for every alpha the step is (0, 1) exactly when grad f(0, 1) = (0, 0).
                       "grad f(0, 1) = (0, 0), so x^{t+1} = (0, 1) for every step size")
_GRADIENT_REFERENCE = _ref("beale.stationary.gradient", r"\nabla f(0, 1) = (0, 0)", STEP_SYMBOLS,
                           at(GRADIENT, *AT_0_1), col(0, 0),
                           # df/dx_1 has factors x_2^k - 1, df/dx_2 factors x_1: both 0 at (0, 1).
                           "every term of df/dx_1 has a factor x_2^k - 1 and of df/dx_2 a factor x_1: "
                           "both vanish at (0, 1)")

QUESTIONS: list[Question] = [
    Question(
        id="beale.grad-x1",
        wording=f"The Beale function is {_F_TEXT}. Find df/dx_1.",
        symbols=SYMBOLS,
        answer=DF_DX1,
        defines=F_DEFINES,
        written=F_WRITTEN,
        reference=_ref("beale.grad-x1", _GRAD_X1, SYMBOLS, D(F, x1), DF_DX1,
                       # chain rule on each square: 2 g_k dg_k/dx1, dg_k/dx1 = x2^k - 1.
                       "d g_k^2 / dx_1 = 2 g_k (x_2^k - 1)"),
    ),
    Question(
        id="beale.grad-x2",
        wording=f"The Beale function is {_F_TEXT}. Find df/dx_2.",
        symbols=SYMBOLS,
        answer=DF_DX2,
        defines=F_DEFINES,
        written=F_WRITTEN,
        reference=_ref("beale.grad-x2", _GRAD_X2.replace("2.65", "2.625"), SYMBOLS, D(F, x2), DF_DX2,
                       # dg_k/dx2 = k x1 x2^(k-1).
                       "d g_k^2 / dx_2 = 2 g_k (k x_1 x_2^{k-1})"),
    ),
    Question(
        id="beale.stationary",
        wording=f"The Beale function is {_F_TEXT}. Gradient descent x^(t+1) = x^t - alpha grad f(x^t) "
        "starts at x^t = (0, 1). Give grad f(0, 1) and x^(t+1).",
        symbols=STEP_SYMBOLS,
        answer=col(0, 1),
        kind="property",
        defines=STEP_DEFINES,
        written=STEP_WRITTEN,
        accepts=accepts_point,
        reference=_STEP_REFERENCE,
        # graded part by part: the gradient at (0, 1), then the step (the question's own answer)
        parts=(
            Part(r"\nabla f(0, 1)", col(0, 0), _GRADIENT_REFERENCE, accepts_zero_gradient),
            Part("x^{t+1}", col(0, 1), _STEP_REFERENCE, accepts_point),
        ),
    ),
    Question(
        id="beale.convex",
        wording=f"True or false: the Beale function {_F_TEXT} is convex.",
        symbols=SYMBOLS,
        answer=False,
        kind="true-false",
        reference=_ref(
            "beale.convex",
            r"\det \nabla^2 f(0, 0) = \det \begin{bmatrix} 6 & 3 \\ 3 & 0 \end{bmatrix} = -9 < 0",
            SYMBOLS, at(apply("det", HESSIAN), (x1, 0), (x2, 0)), lift(-9),
            # H(0, 0) = [[6, 3], [3, 0]] (module docstring): det = -9 < 0, so the Hessian is
            # indefinite there and f is not convex. The answer is False. The midpoint values in
            # the text are claim beale.convex.midpoint.
            "the Hessian at (0, 0) is [[6, 3], [3, 0]], with determinant -9 < 0, so f is not convex. "
            "A counterexample: (0, 0) is the midpoint of (1/10, -1/5) and (-1/10, 1/5), yet "
            "f(0, 0) = 909/64 = 14.203125 exceeds the average (f(1/10, -1/5) + f(-1/10, 1/5))/2 = 14.16854164",
        ),
    ),
]

CLAIMS += [q.reference for q in QUESTIONS]
CLAIMS += [p.reference for q in QUESTIONS for p in q.parts[:-1]]  # the last part's is the question's

_MIDPOINTS = ((lift("0.1"), lift("-0.2")), (lift("-0.1"), lift("0.2")))
CLAIMS.append(Equality(
    id="beale.convex.midpoint",
    section=SECTION,
    statement=r"f(0, 0) - \frac{f(0.1, -0.2) + f(-0.1, 0.2)}{2} = 0.03458336",
    # Along (t, -2t): g_1 = 3/2 - t - 2t^2, g_2 = 9/4 - t + 4t^3, g_3 = 21/8 - t - 8t^4. At t = 0.1:
    # 1.38, 2.154, 2.5242, squares summing to 12.91570164; at t = -0.1: 1.58, 2.346, 2.7242,
    # summing to 15.42138164; average 14.16854164. f(0, 0) = 2.25 + 5.0625 + 6.890625 = 14.203125.
    # Difference 0.03458336 > 0: f lies above its chord at the midpoint, so f is not convex.
    expect="holds",
    why="f at the midpoint (0, 0) exceeds the average of f at (0.1, -0.2) and (-0.1, 0.2)",
    symbols=SYMBOLS,
    lhs=at(F, (x1, 0), (x2, 0)) - (at(F, (x1, _MIDPOINTS[0][0]), (x2, _MIDPOINTS[0][1]))
                                   + at(F, (x1, _MIDPOINTS[1][0]), (x2, _MIDPOINTS[1][1]))) / 2,
    rhs=lift("0.03458336"),
))
