"""HW1 section 5.2, Quadratic Function: gradient descent on h(x) = 1/2 x^T Q x + x^T c + b.

Every statement of the section is a claim, in the order written, errors included.

Setting. Q is symmetric positive definite, x^* the minimiser, so Q x^* = -c: the claims write
c as -Q x^* (equivalent, Q being invertible). Gradient descent is x^{k+1} = x^k - alpha grad h(x^k).

The eigen part, as the section writes it (update rule to the eigen-recursion, back to x), is
stated for every n: V is declared ``matrix(n, n), orthogonal`` and Lambda ``matrix(n, n),
diagonal, positive definite`` (its diagonal the eigenvalues, all positive, so Q := V Lambda V^T is
positive definite). The engine draws V orthogonal and Lambda diagonal with a positive diagonal at
every random point (a counterexample is a real one), and the size-independent prover uses
V^T V = V V^T = I: these claims are proved for all sizes.

The closed forms written with lambda_1, lambda_2, v_1, v_2 (the solution's sums over i) and the
questions that read such answers are at n = 2: V is declared ``matrix(2, 2), orthogonal`` (its
columns v_1 = V e_1, v_2 = V e_2), Lambda = diag(lambda_1, lambda_2) with lambda_i > 0. The points
draw V orthogonal, rotations and reflections alike, and the prover reads e_i and Lambda, written
entry by entry, as sums of matrix units, so V^T V = I applies to V e_i: proved for every
orthogonal V, with no parametrisation of V in any claim or question. The closed form in matrix
form, V (I - alpha Lambda)^k V^T (x^0 - x^*), is proved for every n (quad.closed-form-every-n).

The errors of the section, as written:
- the update rule writes x where x^k is meant: x^{k+1} = x^k - alpha Q (x - x^*). The next two
  lines follow from it as written; the line after that (= xhat^k - alpha Lambda xhat^k)
  silently reads x as x^k, and is false as written.
- the closed form ends in sum_i x_i^0 (1 - alpha lambda_i)^k v_i: the coordinates of x^0 in
  the standard basis instead of xhat_i^0 = v_i^T (x^0 - x^*). False (at k = 0 already).
- (1 - alpha Lambda) is read as I - alpha Lambda throughout (a scalar minus a matrix is not defined).
"""

from __future__ import annotations

from verify.model.claim import Claim, Equality, Recurrence
from verify.model.expr import Expr, Identity, Power, Var, col, grad, lift, mat
from verify.model.question import Question
from verify.model.symbols import Symbol, Symbols, matrix, scalar, vector

SECTION = "5.2 Quadratic Function"

x, xk, x0, xs, Q, c, b = Var("x"), Var("x_k"), Var("x_0"), Var("x_star"), Var("Q"), Var("c"), Var("b")
alpha, k, l1, l2 = Var("alpha"), Var("k"), Var("lambda_1"), Var("lambda_2")
HALF = lift("1/2")


def h(v: Expr, c_value: Expr, q: Expr = Q) -> Expr:
    """The quadratic at the point v: 1/2 v^T Q v + v^T c + b."""
    return HALF * v.T * q * v + v.T * c_value + b


# ---------------------------------------------------------------------------------------
# Symbols.


def _x(n: int | str) -> Symbol:
    return vector("x", n, latex="x", meaning="the variable of h")


def _xk(n: int | str) -> Symbol:
    return vector("x_k", n, latex="x^k", meaning="the k-th gradient-descent iterate")


def _xs(n: int | str) -> Symbol:
    return vector("x_star", n, latex="x^*", meaning="the minimiser of h (Q x^* = -c)")


def _alpha() -> Symbol:
    return scalar("alpha", positive=True, latex=r"\alpha", meaning="the step size, alpha > 0")


Q_N = matrix("Q", "n", "n", symmetric=True, latex="Q", meaning="a symmetric positive definite matrix")
B = scalar("b", latex="b", meaning="a constant")

# --- n = 2, V declared orthogonal (2 x 2), Q = V Lambda V^T -------------------------------
# Answers written with lambda_1, lambda_2, v_1, v_2 need n = 2: V is the declared orthogonal 2 x 2
# matrix, v_i = V e_i its columns, Lambda = diag(lambda_1, lambda_2) written out. The points draw V
# orthogonal (rotations and reflections alike), and the prover reads e_i and Lambda as sums of
# matrix units, so that V^T V = I applies to V e_i: the claims are proved for every orthogonal V.
V = Var("V")
v1, v2 = V * col(1, 0), V * col(0, 1)  # the columns of V: eigenvectors of Q
Lam = mat([[l1, 0], [0, l2]])
Q2 = V * Lam * V.T
E1, E2 = mat([[1, 0]]), mat([[0, 1]])  # e_i^T: picks the i-th coordinate
V_2 = matrix("V", 2, 2, orthogonal=True, latex="V", meaning="the orthonormal eigenvectors v_1, v_2 of Q, as columns")

# --- every n: V declared orthogonal, Lambda declared diagonal, Q = V Lambda V^T ----------------
# The engine draws V orthogonal and Lambda diagonal with a positive diagonal (so Q is positive
# definite) at every random point, and the size-independent prover uses V^T V = V V^T = I and
# that diagonal matrices commute: these claims are about every n.
Vn, Lam_d = Var("V"), Var("Lambda")
Qn = Vn * Lam_d * Vn.T
V_N = matrix("V", "n", "n", orthogonal=True, latex="V", meaning="the orthonormal eigenvectors of Q, as columns")
LAMBDA_N = matrix("Lambda", "n", "n", diagonal=True, positive_definite=True, latex=r"\Lambda",
                  meaning="the eigenvalues of Q on the diagonal, all positive (Q positive definite)")
EIGEN_N = [V_N, LAMBDA_N, scalar("alpha", positive=True, latex=r"\alpha", meaning="the step size, alpha > 0"),
           vector("x_star", "n", latex="x^*", meaning="the minimiser of h (Q x^* = -c)")]
EIGEN_N_SYMBOLS = Symbols.of([*EIGEN_N, vector("x_k", "n", latex="x^k", meaning="the k-th gradient-descent iterate"),
                              vector("x", "n", latex="x", meaning="the variable of h"),
                              scalar("b", latex="b", meaning="a constant")])


EIGEN = [
    V_2,
    scalar("lambda_1", positive=True, latex=r"\lambda_1", meaning="the eigenvalue of Q for v_1"),
    scalar("lambda_2", positive=True, latex=r"\lambda_2", meaning="the eigenvalue of Q for v_2"),
    _alpha(),
    _xs(2),
]

# The gradient-descent step at x^k: x^k - alpha grad h(x^k) with grad h(x) = Q x + c and
# c = -Q x^* (quad.gradient-minimiser, proved), written out so that an induction puts a closed
# form for x^k (not inside d/dx^k).
GD_STEP = xk - alpha * Q2 * (xk - xs)
# ... and as the question defines it, from the gradient of h (c = -Q x^*).
GD_STEP_GRAD = xk - alpha * grad(h(xk, -(Q2 * xs), Q2), xk)


def xhat_n(v: Expr) -> Expr:
    """The change of basis at every n: xhat = V^T (v - x^*), V the declared orthogonal matrix."""
    return Vn.T * (v - xs)


# The same two steps at every n, with Q = V Lambda V^T.
GD_STEP_N = xk - alpha * grad(h(xk, -(Qn * xs), Qn), xk)
WRITTEN_STEP_N = xk - alpha * Qn * (x - xs)

# The closed forms of x^k (sequence x_k, index k, from x^0).
SEQUENCE_SYMBOLS = Symbols.of([
    *EIGEN, _xk(2), B,
    scalar("k", latex="k", meaning="the iteration index"),
    vector("x_0", 2, latex="x^0", meaning="the starting point"),
])


def closed_form(coordinate_1: Expr, coordinate_2: Expr) -> Expr:
    """x^* + sum_i coordinate_i (1 - alpha lambda_i)^k v_i, at n = 2."""
    return (xs + coordinate_1 * (1 - alpha * l1) ** k * v1
            + coordinate_2 * (1 - alpha * l2) ** k * v2)


def _iterates(claim_id: str, statement: str, closed: Expr, expect: str, why: str) -> Recurrence:
    """x^k = closed(k) for the gradient-descent iterates from x^0, every k >= 0."""
    return Recurrence(
        id=claim_id, section=SECTION, statement=statement, expect=expect, why=why,  # type: ignore[arg-type]
        symbols=SEQUENCE_SYMBOLS, sequence=xk, k=k, initial=x0, step=GD_STEP, closed=closed, base=0,
    )


SEQUENCE_SYMBOLS_N = Symbols.of([
    *EIGEN_N, vector("x_k", "n", latex="x^k", meaning="the k-th gradient-descent iterate"), B,
    scalar("k", latex="k", meaning="the iteration index"),
    vector("x_0", "n", latex="x^0", meaning="the starting point"),
])


def _iterates_n(claim_id: str, statement: str, closed: Expr, expect: str, why: str) -> Recurrence:
    """x^k = closed(k) for the gradient-descent iterates from x^0, every k >= 0, at every n. The step
    is x^k - alpha Q (x^k - x^*): the gradient Q x + c with c = -Q x^* (quad.gradient-minimiser,
    proved), written out so that the induction puts closed(k) for x^k (not inside d/dx^k)."""
    return Recurrence(
        id=claim_id, section=SECTION, statement=statement, expect=expect, why=why,  # type: ignore[arg-type]
        symbols=SEQUENCE_SYMBOLS_N, sequence=xk, k=k, initial=x0, step=xk - alpha * Qn * (xk - xs), closed=closed,
        base=0,
    )


xh, Lam_n = Var("xhat_k"), Var("Lambda")
xh_i, xh0_i, l_i = Var("xhat_i"), Var("xhat0_i"), Var("lambda_i")
w1, w2, xh2 = Var("v_1"), Var("v_2"), Var("xhat")

CLAIMS: list[Claim] = [
    Equality(
        id="quad.gradient",
        section=SECTION,
        statement=r"h(x) = \frac{1}{2} x^T Q x + x^T c + b \Rightarrow \nabla_x h = Q x + c",
        # d/dx (1/2 x^T Q x) = 1/2 (Q + Q^T) x = Q x for symmetric Q; d/dx (x^T c) = c; b is constant.
        expect="holds",
        symbols=Symbols.of([_x("n"), Q_N, vector("c", "n"), B]),
        lhs=grad(h(x, c), x),
        rhs=Q * x + c,
    ),
    Equality(
        id="quad.gradient-minimiser",
        section=SECTION,
        statement=r"\nabla_x h = Q x + c = Q x - Q x^*",
        # At the minimiser grad h(x^*) = Q x^* + c = 0, so c = -Q x^*; substituted: Q x - Q x^*.
        expect="holds",
        why="c is written -Q x^* (the minimiser's condition Q x^* + c = 0)",
        symbols=Symbols.of([_x("n"), Q_N, _xs("n"), B]),
        lhs=grad(h(x, -(Q * xs)), x),
        rhs=Q * x - Q * xs,
    ),
    Equality(
        id="quad.update-rule",
        section=SECTION,
        statement=r"\text{update rule} : x^{k+1} = x^k - \alpha Q (x - x^*)",
        # Gradient descent: x^{k+1} = x^k - alpha grad h(x^k) = x^k - alpha Q (x^k - x^*). As written
        # the step uses x, not x^k: the sides differ by alpha Q (x - x^k), nonzero for Q positive
        # definite, alpha > 0 and x != x^k. By hand at n = 2: V = I, Lambda = I (Q = I),
        # alpha = 1, x^* = 0, x^k = (1, 0), x = 0: left x^k - x^k = (0, 0), right (1, 0).
        expect="fails",
        why="x is written where x^k is meant (with x read as x^k it holds: ref.quad.eigen-recursion). "
        "Stated for every n with Q = V Lambda V^T, Lambda positive definite, so that a counterexample has "
        "Q positive definite",
        symbols=EIGEN_N_SYMBOLS,
        lhs=GD_STEP_N,
        rhs=WRITTEN_STEP_N,
    ),
    Equality(
        id="quad.change-of-basis",
        section=SECTION,
        statement=r"\hat{x}^k = V^T (x^k - x^*) \Rightarrow x^k = V \hat{x}^k + x^*",
        # V orthogonal: V V^T = I, so V xhat^k + x^* = V V^T (x^k - x^*) + x^* = x^k.
        expect="holds",
        why="every n, V orthogonal (see the module docstring)",
        symbols=EIGEN_N_SYMBOLS,
        lhs=Vn * xhat_n(xk) + xs,
        rhs=xk,
    ),
    Equality(
        id="quad.update-new-basis",
        section=SECTION,
        statement=r"V \hat{x}^{k+1} + x^* = V \hat{x}^k + x^* - \alpha Q (x - x^*)",
        # With x^{k+1} from the update rule as written, V xhat^{k+1} + x^* = x^{k+1} (V V^T = I)
        # = x^k - alpha Q (x - x^*) = V xhat^k + x^* - alpha Q (x - x^*). Follows from the written rule.
        expect="holds",
        why="x^{k+1} by the update rule as written (with x); every n, V orthogonal",
        symbols=EIGEN_N_SYMBOLS,
        lhs=Vn * xhat_n(WRITTEN_STEP_N) + xs,
        rhs=Vn * xhat_n(xk) + xs - alpha * Qn * (x - xs),
    ),
    Equality(
        id="quad.update-times-vt",
        section=SECTION,
        statement=r"\hat{x}^{k+1} = \hat{x}^k - \alpha V^T Q (V V^T) (x - x^*)",
        # Multiply the previous line by V^T (V^T V = I) and insert V V^T = I: holds, still with x.
        expect="holds",
        why="x^{k+1} by the update rule as written (with x); every n, V orthogonal",
        symbols=EIGEN_N_SYMBOLS,
        lhs=xhat_n(WRITTEN_STEP_N),
        rhs=xhat_n(xk) - alpha * Vn.T * Qn * (Vn * Vn.T) * (x - xs),
    ),
    Equality(
        id="quad.eigen-step",
        section=SECTION,
        statement=r"\hat{x}^k - \alpha V^T Q (V V^T) (x - x^*) = \hat{x}^k - \alpha \Lambda \hat{x}^k",
        # V^T Q V = Lambda, so the left side is xhat^k - alpha Lambda V^T (x - x^*), while
        # xhat^k = V^T (x^k - x^*): they differ by alpha Lambda V^T (x - x^k). By hand: t = 0 (V = I),
        # lambda_1 = lambda_2 = 1, alpha = 1, x^* = 0, x^k = (1, 0), x = 0: left (1, 0), right (0, 0).
        expect="fails",
        why="here the solution silently reads x as x^k",
        symbols=EIGEN_N_SYMBOLS,
        lhs=xhat_n(xk) - alpha * Vn.T * Qn * (Vn * Vn.T) * (x - xs),
        rhs=xhat_n(xk) - alpha * Lam_d * xhat_n(xk),
    ),
    Equality(
        id="quad.factor-out",
        section=SECTION,
        statement=r"\hat{x}^k - \alpha \Lambda \hat{x}^k = (1 - \alpha \Lambda) \hat{x}^k",
        # Distributivity, reading 1 as I (1 - alpha Lambda, a scalar minus a matrix, is undefined).
        expect="holds",
        why="1 read as the identity I",
        symbols=Symbols.of([vector("xhat_k", "n", latex=r"\hat{x}^k"), matrix("Lambda", "n", "n"), _alpha()]),
        lhs=xh - alpha * Lam_n * xh,
        rhs=(Identity() - alpha * Lam_n) * xh,
    ),
    Equality(
        id="quad.eigen-recursion",
        section=SECTION,
        statement=r"\hat{x}^{k+1} = (1 - \alpha \Lambda) \hat{x}^k",
        # The conclusion, for gradient descent as the solution means it (x^{k+1} = x^k - alpha Q
        # (x^k - x^*)): xhat^{k+1} = V^T (x^k - x^* - alpha V Lambda V^T (x^k - x^*)) = (I - alpha Lambda) xhat^k.
        expect="holds",
        why="1 read as I; x^{k+1} = x^k - alpha Q (x^k - x^*); every n, V orthogonal",
        symbols=EIGEN_N_SYMBOLS,
        lhs=xhat_n(xk - alpha * Qn * (xk - xs)),
        rhs=(Identity() - alpha * Lam_d) * xhat_n(xk),
    ),
    Recurrence(
        id="quad.component-recursion",
        section=SECTION,
        statement=r"\hat{x}_i^k = (1 - \alpha \lambda_i)^k \hat{x}_i^0",
        # Component i of xhat^{k+1} = (I - alpha Lambda) xhat^k is xhat_i^{k+1} = (1 - alpha lambda_i) xhat_i^k
        # (Lambda diagonal); a geometric sequence: k = 0 gives xhat_i^0, and
        # (1 - alpha lambda_i)^{k+1} xhat_i^0 = (1 - alpha lambda_i) (1 - alpha lambda_i)^k xhat_i^0.
        expect="holds",
        why="by induction on k",
        symbols=Symbols.of([
            scalar("xhat_i", latex=r"\hat{x}_i^k", meaning="the i-th coordinate of xhat^k"),
            scalar("xhat0_i", latex=r"\hat{x}_i^0", meaning="the i-th coordinate of xhat^0"),
            scalar("lambda_i", positive=True, latex=r"\lambda_i", meaning="the i-th eigenvalue of Q"),
            _alpha(),
            scalar("k", latex="k", meaning="the iteration index"),
        ]),
        sequence=xh_i, k=k, initial=xh0_i, step=(1 - alpha * l_i) * xh_i,
        closed=(1 - alpha * l_i) ** k * xh0_i, base=0,
    ),
    Equality(
        id="quad.back-to-x",
        section=SECTION,
        statement=r"x^{k} - x^{*} = V\hat{x}^{k}",
        # V xhat^k = V V^T (x^k - x^*) = x^k - x^* since V V^T = I.
        expect="holds",
        why="every n, V orthogonal",
        symbols=EIGEN_N_SYMBOLS,
        lhs=xk - xs,
        rhs=Vn * xhat_n(xk),
    ),
    Equality(
        id="quad.columns",
        section=SECTION,
        statement=r"V\hat{x}^{k} = \sum_{i} \hat{x}_{i}^{k} v_{i}",
        # A matrix times a vector is the combination of its columns: true for every V (n = 2 here,
        # V = v_1 e_1^T + v_2 e_2^T).
        expect="holds",
        why="n = 2; any V with columns v_1, v_2",
        symbols=Symbols.of([vector("v_1", 2, latex="v_1"), vector("v_2", 2, latex="v_2"),
                            vector("xhat", 2, latex=r"\hat{x}^k")]),
        lhs=(w1 * E1 + w2 * E2) * xh2,
        rhs=(E1 * xh2) * w1 + (E2 * xh2) * w2,
    ),
    _iterates(
        "quad.closed-form-as-written",
        r"x^{k} - x^{*} = \sum_{i} x_{i}^{0} (1 - \alpha \lambda_{i})^{k} v_{i}",
        closed_form(E1 * x0, E2 * x0),
        # At k = 0 the right side is sum_i x_i^0 v_i = V x^0, which is x^0 - x^* only if
        # V x^0 = x^0 - x^*. By hand: V = [[0, -1], [1, 0]], x^* = 0, x^0 = (1, 0): V x^0 = (0, 1).
        "fails",
        "x_i^0 read literally, the i-th coordinate of x^0; x^k the gradient-descent iterates",
    ),
    _iterates(
        "quad.closed-form-original-coordinates",
        r"x^{k} - x^{*} = \sum_{i} x_{i}^{0} (1 - \alpha \lambda_{i})^{k} v_{i}",
        closed_form(E1 * (x0 - xs), E2 * (x0 - xs)),
        # The kindest reading, x_i^0 = i-th coordinate of x^0 - x^* (the hat dropped, the shift kept):
        # at k = 0 the right side is V (x^0 - x^*), which is x^0 - x^* only when V fixes it. So every
        # counterexample has V != I; by hand V = [[0, -1], [1, 0]], x^* = 0, x^0 = (1, 0) as above.
        "fails",
        "x_i^0 read as the coordinates of x^0 - x^* in the standard basis: wrong unless V = I",
    ),
    # The closed form at every n, in matrix form: sum_i (1 - alpha lambda_i)^k xhat_i^0 v_i is
    # V (I - alpha Lambda)^k xhat^0 with xhat^0 = V^T (x^0 - x^*). By induction: k = 0 gives
    # V V^T (x^0 - x^*) = x^0 - x^*; and x^{k+1} - x^* = (I - alpha Q)(x^k - x^*) =
    # V (I - alpha Lambda) V^T V (I - alpha Lambda)^k V^T (x^0 - x^*) = V (I - alpha Lambda)^{k+1} V^T (x^0 - x^*),
    # since V^T V = I and diagonal matrices commute.
    _iterates_n(
        "quad.closed-form-every-n",
        r"x^{k} - x^{*} = V (I - \alpha \Lambda)^{k} V^T (x^{0} - x^{*})",
        xs + Vn * Power(Identity() - alpha * Lam_d, k) * Vn.T * (x0 - xs),
        "holds",
        "the closed form at every n, V orthogonal, Lambda diagonal positive definite",
    ),
    # The written error at every n, the coordinates not rotated: V (I - alpha Lambda)^k (x^0 - x^*).
    # k = 0 gives V (x^0 - x^*), which is x^0 - x^* only where V fixes it: V = -I, x^* = 0, x^0 = e_1
    # gives -e_1 against e_1.
    _iterates_n(
        "quad.closed-form-original-coordinates-every-n",
        r"x^{k} - x^{*} = V (I - \alpha \Lambda)^{k} (x^{0} - x^{*})",
        xs + Vn * Power(Identity() - alpha * Lam_d, k) * (x0 - xs),
        "fails",
        "x_i^0 read as the coordinates of x^0 - x^* in the standard basis, at every n",
    ),
]

# ---------------------------------------------------------------------------------------
# Questions and their references.

REF_GRADIENT = Equality(
    id="ref.quad.gradient",
    section=SECTION,
    statement=r"\nabla_x \left(\frac{1}{2} x^T Q x + x^T c + b\right) = Q x + c \quad (Q = Q^T)",
    # grad (1/2 x^T Q x) = 1/2 (Q + Q^T) x = Q x for symmetric Q; grad (x^T c) = c.
    expect="holds",
    symbols=Symbols.of([_x("n"), Q_N, vector("c", "n"), B]),
    lhs=grad(h(x, c), x),
    rhs=Q * x + c,
)

REF_EIGEN = Equality(
    id="ref.quad.eigen-recursion",
    section=SECTION,
    statement=r"\hat{x}^{k+1} = (I - \alpha \Lambda) \hat{x}^k",
    # From the definitions: x^{k+1} = x^k - alpha grad h(x^k) = x^k - alpha Q (x^k - x^*), and
    # V^T Q = V^T V Lambda V^T = Lambda V^T (V orthogonal), so
    # xhat^{k+1} = V^T (x^{k+1} - x^*) = xhat^k - alpha Lambda V^T (x^k - x^*) = (I - alpha Lambda) xhat^k.
    # At n = 2 (Lambda = diag(lambda_1, lambda_2), the question's), as quad.eigen-recursion is for every n.
    expect="holds",
    why="x^{k+1} = x^k - alpha grad h(x^k), c = -Q x^*, Q = V Lambda V^T, V orthogonal; n = 2",
    symbols=Symbols.of([*EIGEN, _xk(2), B]),
    lhs=V.T * (GD_STEP_GRAD - xs),
    rhs=(Identity() - alpha * Lam) * V.T * (xk - xs),
)

REF_CLOSED = _iterates(
    "ref.quad.closed-form",
    r"x^{k} - x^{*} = \sum_{i} \hat{x}_{i}^{0} (1 - \alpha \lambda_{i})^{k} v_{i}",
    closed_form(v1.T * (x0 - xs), v2.T * (x0 - xs)),
    # xhat_i^0 = v_i^T (x^0 - x^*). Base: x^* + sum_i v_i v_i^T (x^0 - x^*) = x^* + V V^T (x^0 - x^*) = x^0.
    # Step: Q v_i = lambda_i v_i, so x^k - alpha Q (x^k - x^*) - x^* = sum_i xhat_i^0 (1 - alpha lambda_i)^k
    # (1 - alpha lambda_i) v_i, the closed form at k + 1.
    "holds",
    "by induction on k; x^k the gradient-descent iterates; n = 2, V orthogonal",
)

# --- what students may write, question by question -------------------------------------------
# quad.gradient: h (also h(x)) is the quadratic; x^* is its minimiser, -Q^{-1} c, so that the
# solution's "Q x + c = Q x - Q x^*" is a checked step (Q positive definite, hence invertible).
GRADIENT_SYMBOLS = Symbols.of([
    _x("n"),
    matrix("Q", "n", "n", symmetric=True, invertible=True, latex="Q",
           meaning="a symmetric positive definite matrix"),
    vector("c", "n", latex="c", meaning="a constant vector"),
    B,
])
GRADIENT_DEFINES: dict[str, Expr] = {"h": h(x, c), "h(x)": h(x, c), "x^*": -(Q.I * c)}
_H_WRITTEN = r"h(x) = \frac{1}{2} x^T Q x + x^T c + b"
GRADIENT_WRITTEN: dict[str, str] = {"h": _H_WRITTEN, "h(x)": _H_WRITTEN, "x^*": r"x^* = -Q^{-1} c"}

# quad.eigen-recursion, at n = 2 as the closed form (students write Lambda as diag(lambda_1, lambda_2),
# or its entries): V the declared orthogonal 2 x 2 matrix, Lambda = diag(lambda_1, lambda_2),
# Q = V Lambda V^T, x^{k+1} the gradient-descent step from x^k (so the solution's
# "x^{k+1} = x^k - alpha Q (x - x^*)" is checked as written, with its x). The claims of the section
# prove the same recursion for every n (quad.eigen-recursion).
EIGEN_QUESTION = Symbols.of([*EIGEN, _xk(2), _x(2), B])
EIGEN_DEFINES: dict[str, Expr] = {
    r"\Lambda": Lam, "Q": Q2, "h": h(x, -(Q2 * xs), Q2), "h(x)": h(x, -(Q2 * xs), Q2), r"\hat{x}^k": V.T * (xk - xs),
    "x^{k+1}": GD_STEP_GRAD, r"\hat{x}^{k+1}": V.T * (GD_STEP_GRAD - xs),
}
_Q_WRITTEN = r"Q = V \Lambda V^T, \quad V^T V = V V^T = I"
EIGEN_WRITTEN: dict[str, str] = {
    "Q": _Q_WRITTEN,
    r"\Lambda": r"\Lambda = \operatorname{diag}(\lambda_1, \lambda_2)",
    "h": r"h(x) = \frac{1}{2} x^T Q x - x^T Q x^* + b",
    "h(x)": r"h(x) = \frac{1}{2} x^T Q x - x^T Q x^* + b",
    r"\hat{x}^k": r"\hat{x}^k = V^T (x^k - x^*)",
    "x^{k+1}": r"x^{k+1} = x^k - \alpha \nabla h(x^k)",
    r"\hat{x}^{k+1}": r"\hat{x}^{k+1} = V^T (x^{k+1} - x^*)",
}

# quad.closed-form, at n = 2: v_1, v_2 are the columns of the declared orthogonal V (orthonormal eigenvectors,
# so a counterexample is a genuine one); x_i^0 (the coordinates of x^0 itself) are declared only
# so that the solution's answer can be read and shown wrong.
CLOSED_SYMBOLS = Symbols.of([
    scalar("xhat0_1", latex=r"\hat{x}_1^0", meaning="the first coordinate of xhat^0 = V^T (x^0 - x^*)"),
    scalar("xhat0_2", latex=r"\hat{x}_2^0", meaning="the second coordinate of xhat^0"),
    scalar("x0_1", latex="x_1^0", meaning="the first coordinate of the starting point x^0 (not of xhat^0)"),
    scalar("x0_2", latex="x_2^0", meaning="the second coordinate of the starting point x^0 (not of xhat^0)"),
    scalar("lambda_1", positive=True, latex=r"\lambda_1", meaning="the eigenvalue of Q for v_1"),
    scalar("lambda_2", positive=True, latex=r"\lambda_2", meaning="the eigenvalue of Q for v_2"),
    _alpha(),
    scalar("k", latex="k", meaning="the iteration index"),
    V_2,
])
# V, Lambda and xhat^0 as matrices too, for the answer in matrix form, V (I - alpha Lambda)^k xhat^0
CLOSED_DEFINES: dict[str, Expr] = {"v_1": v1, "v_2": v2, r"\Lambda": Lam,
                                   r"\hat{x}^0": col(Var("xhat0_1"), Var("xhat0_2"))}
_V_WRITTEN = r"Q v_i = \lambda_i v_i \; (i = 1, 2), \quad v_i^T v_j = \delta_{ij}"
CLOSED_WRITTEN: dict[str, str] = {
    "v_1": _V_WRITTEN, "v_2": _V_WRITTEN,
    "V": r"V = \begin{bmatrix} v_1 & v_2 \end{bmatrix}, \quad Q = V \Lambda V^T",
    r"\Lambda": r"\Lambda = \operatorname{diag}(\lambda_1, \lambda_2)",
    r"\hat{x}^0": r"\hat{x}^0 = V^T (x^0 - x^*) = (\hat{x}_1^0, \hat{x}_2^0)",
}
CLOSED_ANSWER = (Var("xhat0_1") * (1 - alpha * l1) ** k * v1 + Var("xhat0_2") * (1 - alpha * l2) ** k * v2)

# The error e^k = x^k - x^* of gradient descent: e^{k+1} = (I - alpha Q) e^k, and
# e^0 = x^0 - x^* = V xhat^0 = sum_i xhat_i^0 v_i (V orthogonal).
ERROR = Var("e_k")
ERROR_SYMBOLS = Symbols.of([*CLOSED_SYMBOLS.values(),
                            vector("e_k", 2, meaning="x^k - x^*, the error of the k-th iterate")])


def accepts_closed_form(answer: Expr, lhs: Expr | None = None) -> Claim:
    """x^k - x^* = answer(k) for every integer k >= 0: the answer must solve the error's
    recursion e^{k+1} = (I - alpha Q) e^k from e^0 = sum_i xhat_i^0 v_i. Decided by induction
    and refuted by iterating at k = 0, 1, 2, ... (an identity in a real k would be refuted at
    k = -1 or k = 1/2, which are no iterations)."""
    return Recurrence(
        id="quad.closed-form.answer", statement=f"x^k - x^* = {answer.latex()}", symbols=ERROR_SYMBOLS,
        sequence=ERROR, k=k, initial=Var("xhat0_1") * v1 + Var("xhat0_2") * v2,
        step=(Identity() - alpha * Q2) * ERROR, closed=answer, base=0,
    )


QUESTIONS: list[Question] = [
    Question(
        id="quad.gradient",
        wording=r"The gradient of h(x) = \frac{1}{2} x^T Q x + x^T c + b with respect to x (Q symmetric).",
        symbols=GRADIENT_SYMBOLS,
        answer=Q * x + c,
        reference=REF_GRADIENT,
        defines=GRADIENT_DEFINES,
        written=GRADIENT_WRITTEN,
    ),
    Question(
        id="quad.eigen-recursion",
        wording=r"With Q = V \Lambda V^T and \hat{x}^k = V^T (x^k - x^*), gradient descent "
        r"x^{k+1} = x^k - \alpha \nabla h(x^k): write \hat{x}^{k+1} in terms of \hat{x}^k.",
        symbols=EIGEN_QUESTION,
        answer=REF_EIGEN.rhs,
        reference=REF_EIGEN,
        defines=EIGEN_DEFINES,
        written=EIGEN_WRITTEN,
    ),
    Question(
        id="quad.closed-form",
        wording=r"Write x^k - x^* in terms of the eigenpairs (\lambda_i, v_i) of Q and \hat{x}^0 "
        r"(here n = 2: the sum has the terms i = 1, 2).",
        symbols=CLOSED_SYMBOLS,
        answer=CLOSED_ANSWER,
        reference=REF_CLOSED,
        defines=CLOSED_DEFINES,
        written=CLOSED_WRITTEN,
        accepts=accepts_closed_form,
    ),
]

CLAIMS += [q.reference for q in QUESTIONS]
