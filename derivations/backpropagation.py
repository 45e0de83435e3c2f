r"""HW1 section 4, Backpropagation Basics: the gradient of a two-layer network's loss.

The network (one hidden ReLU layer, a sigmoid output, binary cross-entropy over m samples):

    z_1 = W_1 x + b_1,   a_1 = ReLU(z_1),   z_2 = W_2 a_1 + b_2,   \hat{y} = \sigma(z_2),
    J = -\frac{1}{m} \sum_i [ y^{(i)} \log \hat{y}^{(i)} + (1 - y^{(i)}) \log(1 - \hat{y}^{(i)}) ].

What is claimed, and how it is encoded:

- The shape list (``W_2 => 2 x D_{a1}``, ``b_2 => 2 x 1``) is not an equation, so it is no
  claim of its own; but it is questionable: binary cross-entropy and the solution's own scalar
  delta_1 and delta_2 need a scalar \hat{y}, so W_2 must be 1 x D_{a1} and b_2 a scalar. With
  W_2 2 x D_{a1} the chain delta_1 ... delta_5 is a 2-vector where dJ/dW_{1,ij} is a number.
  Each claim below uses the written shapes where they make sense: delta_3 = W_2 holds for a
  W_2 of any shape and is encoded with the written 2 x D_{a1}; everything that involves the
  loss uses the scalar output the loss requires.
- delta_1 as written puts a sum over all samples where one sample's derivative belongs. For
  m = 1 that is harmless; for m = 2 it is wrong (encoded at m = 2, refuted).
- delta_4 (the ReLU Jacobian) and everything after it hold off the kinks z_{1k} = 0, where ReLU
  has no derivative; the engine decides them region by region (each z_{1k} > 0 or < 0).
- delta_5 is written as a bmatrix row with x_j "somewhere"; it is read as what it must be for
  the chain to multiply: the vector whose i-th entry is x_j (entry k of dz_1/dW_{1,ij} is
  [k = i] x_j). Encoded entry by entry at D_{a1} = 2, D_x = 3 (non-square, so i and j cannot be
  swapped unnoticed).
- dJ/dW_1 = delta_1 delta_2 delta_3 delta_4 delta_5, read entry by entry (delta_5 picks the entry
  (i, j)): with one sample and a scalar output the product is the numerator-layout chain rule,
  shape-correct and true (proved at D_x = D_{a1} = 2 against direct differentiation of J).
  With two samples the written delta_1 (summed over both) multiplies the factors of one
  sample: refuted.

The correct answer: for one sample, dJ/dz_2 = \hat{y} - y (the sigmoid's derivative cancels the
loss's denominators), so dJ/dW_1 = (((\hat{y} - y) W_2^T) \odot step(z_1)) x^T in W_1's shape;
with m samples, the mean of these.
"""

from __future__ import annotations

from verify.model.claim import Claim, Equality
from verify.model.expr import D, Expr, Hadamard, Var, apply, col, mat
from verify.model.question import Question, Samples
from verify.model.symbols import Symbols, matrix, scalar, vector

SECTION = "Backpropagation Basics"


def sigma(e: object) -> Expr:
    return apply("sigmoid", e)


def log(e: object) -> Expr:
    return apply("log", e)


def bce(y: Expr, yhat: Expr) -> Expr:
    """One sample's binary cross-entropy, -(y log yhat + (1 - y) log(1 - yhat))."""
    return -(y * log(yhat) + (1 - y) * log(1 - yhat))


def dbce(y: Expr, yhat: Expr) -> Expr:
    """The bracket of the written delta_1: y / yhat - (1 - y) / (1 - yhat)."""
    return y / yhat - (1 - y) / (1 - yhat)


def forward(W1: Expr, x: Expr, b1: Expr, W2: Expr, b2: Expr) -> tuple[Expr, Expr, Expr]:
    """(z_1, z_2, yhat) of the network."""
    z1 = W1 * x + b1
    z2 = W2 * apply("relu", z1) + b2
    return z1, z2, sigma(z2)


def step_diag(z1: Expr) -> Expr:
    """delta_4: the diagonal matrix of the indicators I(z_{1k} > 0)."""
    return apply("diag", apply("step", z1))


def dJ_dW1(yhat: Expr, y: Expr, W2: Expr, z1: Expr, x: Expr) -> Expr:
    """The reference answer in W_1's shape: (((yhat - y) W_2^T) ⊙ step(z_1)) x^T (one sample)."""
    return Hadamard((yhat - y) * W2.T, apply("step", z1)) * x.T


# ---------------------------------------------------------------------------------------
# delta_1: m = 2 samples written out, yhat^{(1)}, yhat^{(2)} free (J is differentiated by one).

y1, y2, yh1, yh2 = Var("y1"), Var("y2"), Var("yhat1"), Var("yhat2")
TWO_SAMPLES = Symbols.of([
    scalar("y1", latex="y^{(1)}", meaning="the label of sample 1"),
    scalar("y2", latex="y^{(2)}", meaning="the label of sample 2"),
    scalar("yhat1", latex=r"\hat{y}^{(1)}", meaning="the prediction for sample 1"),
    scalar("yhat2", latex=r"\hat{y}^{(2)}", meaning="the prediction for sample 2"),
])
J_TWO = (bce(y1, yh1) + bce(y2, yh2)) / 2

# One sample i of m, symbolic m: the other samples' terms do not involve yhat^{(i)}; R stands
# for their sum, so J = (l_i + R) / m with l_i the sample's cross-entropy.
y, yhat, m, R = Var("y"), Var("yhat"), Var("m"), Var("R")
ONE_OF_M = Symbols.of([
    scalar("y", latex="y^{(i)}", meaning="the label of sample i (0 or 1)"),
    scalar("yhat", latex=r"\hat{y}^{(i)}", meaning="the network's prediction for sample i, in (0, 1)"),
    scalar("m", positive=True, latex="m", meaning="the number of samples"),
    scalar("R", latex="R", meaning="the other samples' cross-entropy terms, which do not involve yhat^{(i)}"),
    # A sum over all m samples is read at m = 2: sample i and one other, j (see SAMPLE_SUMS).
    scalar("y_j", latex="y^{(j)}", meaning="the label of another sample j"),
    scalar("yhat_j", latex=r"\hat{y}^{(j)}", meaning="the prediction for another sample j"),
])
#: \sum_{i=1}^{m} over sample i's names is the sum over every sample: read with m = 2, as
#: sample i's term plus sample j's (so a sum where one sample's term belongs is caught there).
SAMPLE_SUMS = Samples(index="i", count="m", other=(("y", "y_j"), ("yhat", "yhat_j")))
J_ONE_OF_M = (bce(y, yhat) + R) / m
DJ_DYHAT = -(1 / m) * dbce(y, yhat)

# ---------------------------------------------------------------------------------------
# delta_2, delta_3, delta_4: the layers' Jacobians.

z2, a1, b2, W2, z1 = Var("z2"), Var("a1"), Var("b2"), Var("W2"), Var("z1")
SIGMOID_SYMBOLS = Symbols.of([scalar("z2", latex="z_2", meaning="the output pre-activation, a scalar")])
# As written: W_2 is 2 x D_{a1}, b_2 is 2 x 1 (delta_3 = W_2 holds whatever W_2's shape).
WRITTEN_LINEAR = Symbols.of([
    matrix("W2", 2, "D_a1", latex="W_2", meaning="the output weights, 2 x D_a1 as the solution declares"),
    vector("a1", "D_a1", latex="a_1", meaning="the hidden activations"),
    vector("b2", 2, latex="b_2", meaning="the output bias, 2 x 1 as the solution declares"),
])
# As the loss requires: a scalar output.
LINEAR = Symbols.of([
    matrix("W2", 1, "D_a1", latex="W_2", meaning="the output weights, 1 x D_a1 (one sigmoid output)"),
    vector("a1", "D_a1", latex="a_1", meaning="the hidden activations, ReLU(z_1)"),
    scalar("b2", latex="b_2", meaning="the output bias"),
])
RELU = Symbols.of([vector("z1", "D_a1", latex="z_1", meaning="the hidden pre-activations, W_1 x + b_1")])

# ---------------------------------------------------------------------------------------
# delta_5 and dJ/dW_1 at concrete sizes, every entry a named scalar.


def _weights(rows: int, cols: int) -> tuple[list[list[Var]], list]:
    grid = [[Var(f"w{i}{j}") for j in range(1, cols + 1)] for i in range(1, rows + 1)]
    return grid, [scalar(v.name, latex=f"W_{{1,{v.name[1:]}}}", meaning="an entry of W_1")
                  for row in grid for v in row]


def _entries(name: str, count: int, latex: str, meaning: str) -> tuple[list[Var], list]:
    vs = [Var(f"{name}{k}") for k in range(1, count + 1)]
    return vs, [scalar(v.name, latex=f"{latex}_{{{k}}}", meaning=meaning) for k, v in enumerate(vs, 1)]


# delta_5 at D_{a1} = 2, D_x = 3.
W5, W5_syms = _weights(2, 3)
x5, x5_syms = _entries("x", 3, "x", "an input entry")
b5, b5_syms = _entries("c", 2, "b_1", "an entry of b_1")
LINEAR_ENTRIES = Symbols.of([*W5_syms, *x5_syms, *b5_syms])
Z1_ENTRIES = [W5[k][0] * x5[0] + W5[k][1] * x5[1] + W5[k][2] * x5[2] + b5[k] for k in range(2)]
PAIRS_5 = [(i, j) for i in range(2) for j in range(3)]

# dJ/dW_1 at D_x = D_{a1} = 2, one sample, scalar output.
W, W_syms = _weights(2, 2)
xs, x_syms = _entries("x", 2, "x", "an input entry")
bs, b_syms = _entries("c", 2, "b_1", "an entry of b_1")
NETWORK = Symbols.of([
    *W_syms, *x_syms, *b_syms,
    matrix("W2", 1, 2, latex="W_2", meaning="the output weights, 1 x D_a1"),
    scalar("b2", latex="b_2", meaning="the output bias"),
    scalar("y", latex="y", meaning="the label"),
])
W1_LIT, X_LIT, B1_LIT = mat([list(r) for r in W]), col(*xs), col(*bs)
Z1, Z2, YHAT = forward(W1_LIT, X_LIT, B1_LIT, W2, b2)
J_NET = bce(y, YHAT)


def delta5(i: int, j: int, x_entries: list[Var], rows: int) -> Expr:
    """dz_1/dW_{1,ij}: the column with x_j in row i (0-based i, j)."""
    return col(*[x_entries[j] if k == i else 0 for k in range(rows)])


def written_chain(delta1: Expr, z2_: Expr, W2_: Expr, z1_: Expr, i: int, j: int,
                  x_entries: list[Var]) -> Expr:
    """delta_1 delta_2 delta_3 delta_4 delta_5 for the entry (i, j)."""
    delta2 = (1 - sigma(z2_)) * sigma(z2_)
    return delta1 * delta2 * W2_ * step_diag(z1_) * delta5(i, j, x_entries, 2)


# delta_1 as written, m = 1: -(1/1) sum_{i=1}^{1} (y/yhat - (1 - y)/(1 - yhat)).
DELTA1_ONE = -dbce(y, YHAT)
GRAD_W1 = mat([[D(J_NET, W[i][j]) for j in range(2)] for i in range(2)])

# Two samples x^{(1)}, x^{(2)} through the same network, J their mean.
xa, xa_syms = _entries("xa", 2, "x^{(1)}", "an entry of sample 1's input")
xb, xb_syms = _entries("xb", 2, "x^{(2)}", "an entry of sample 2's input")
ya, yb = Var("ya"), Var("yb")
BATCH = Symbols.of([
    *W_syms, *xa_syms, *xb_syms, *b_syms,
    matrix("W2", 1, 2, latex="W_2", meaning="the output weights, 1 x D_a1"),
    scalar("b2", latex="b_2", meaning="the output bias"),
    scalar("ya", latex="y^{(1)}", meaning="sample 1's label"),
    scalar("yb", latex="y^{(2)}", meaning="sample 2's label"),
])
Z1A, Z2A, YHATA = forward(W1_LIT, col(*xa), B1_LIT, W2, b2)
Z1B, Z2B, YHATB = forward(W1_LIT, col(*xb), B1_LIT, W2, b2)
J_BATCH = (bce(ya, YHATA) + bce(yb, YHATB)) / 2
DELTA1_BATCH = -(dbce(ya, YHATA) + dbce(yb, YHATB)) / 2

CLAIMS: list[Claim] = [
    Equality(
        id="bp.dJ-dyhat",
        section=SECTION,
        statement=r"\frac{\partial J}{\partial \hat{y}^{(i)}} = -\frac{1}{m} \sum_{i=1}^{m} "
        r"(\frac{y^{(i)}}{\hat{y}^{(i)}} - \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}) = \delta_1",
        # J = (l_1 + l_2)/2 at m = 2. Only l_1 involves yhat^(1): dJ/dyhat^(1) =
        # -(1/2)(y1/yhat1 - (1-y1)/(1-yhat1)). The written sum adds sample 2's bracket, which is
        # nonzero unless yhat2 = y2 (y2 = 1, yhat2 = 1/2: it is 2). Fails.
        expect="fails",
        why="J's derivative by one sample's prediction has that sample's term only; the written "
        "sum over i adds the other samples' terms (checked at m = 2)",
        symbols=TWO_SAMPLES,
        lhs=D(J_TWO, yh1),
        rhs=-(dbce(y1, yh1) + dbce(y2, yh2)) / 2,
    ),
    Equality(
        id="bp.dyhat-dz2",
        section=SECTION,
        statement=r"\frac{\partial \hat{y}^{(i)}}{\partial z_2} = (1 - \sigma(z_2))\sigma(z_2) = \delta_2",
        # sigma(z) = 1/(1 + e^{-z}): sigma' = e^{-z}/(1 + e^{-z})^2 = sigma (1 - sigma). Holds
        # (z_2 a scalar, as the scalar cross-entropy needs).
        expect="holds",
        symbols=SIGMOID_SYMBOLS,
        lhs=D(sigma(z2), z2),
        rhs=(1 - sigma(z2)) * sigma(z2),
    ),
    Equality(
        id="bp.dz2-da1",
        section=SECTION,
        statement=r"\frac{\partial z_2}{\partial a_1} = W_2 = \delta_3",
        # (W_2 a_1 + b_2)_k = sum_l W2_kl a1_l + b2_k: d/da1_l = W2_kl, the Jacobian is W_2
        # (numerator layout), whatever W_2's shape: so the written 2 x D_a1 is used. Holds.
        expect="holds",
        symbols=WRITTEN_LINEAR,
        lhs=D(W2 * a1 + b2, a1),
        rhs=W2,
    ),
    Equality(
        id="bp.da1-dz1",
        section=SECTION,
        statement=r"\frac{\partial a_1}{\partial z_1} = \begin{bmatrix} I(z_1 1 > 0) & 0 & \dots & 0 \\ "
        r"0 & I(z_1 2 > 0) & \dots & 0 \\ 0 & 0 & \ddots & 0 \\ 0 & 0 & \dots & I(z_1, D_{a1} > 0) "
        r"\end{bmatrix} = \delta_4",
        # a1_k = max(z1_k, 0) depends on z1_k only: the Jacobian is diagonal with d max(z, 0)/dz =
        # 1 for z > 0 and 0 for z < 0 (undefined at z = 0, excluded). Holds region by region.
        expect="holds",
        symbols=RELU,
        lhs=D(apply("relu", z1), z1),
        rhs=step_diag(z1),
    ),
    Equality(
        id="bp.dz1-dW1ij",
        section=SECTION,
        statement=r"\frac{\partial z_1}{\partial W_{1ij}} = \begin{bmatrix} 0 & \dots & 0 & x_j & 0 & "
        r"\dots & 0 \end{bmatrix}",
        # z1_k = sum_j W1_kj x_j + b1_k, so dz1_k/dW1_ij = x_j when k = i, else 0: the vector with
        # x_j in position i. Row (i, j) of both sides lists dz1_k/dW1_ij for k = 1, 2
        # (D_a1 = 2, D_x = 3). Holds.
        expect="holds",
        why="read as the vector whose i-th entry is x_j, entry by entry (its orientation is "
        "fixed by the product delta_4 delta_5, which needs a column)",
        symbols=LINEAR_ENTRIES,
        lhs=mat([[D(Z1_ENTRIES[k], W5[i][j]) for k in range(2)] for i, j in PAIRS_5]),
        rhs=mat([[x5[j] if k == i else 0 for k in range(2)] for i, j in PAIRS_5]),
    ),
    Equality(
        id="bp.dJ-dW1",
        section=SECTION,
        statement=r"\frac{\partial J}{\partial W_1} = \delta_1 \delta_2 \delta_3 \delta_4 \delta_5",
        # Entry (i, j), one sample: dJ/dW1_ij = dJ/dyhat * sigma'(z2) * sum_k W2_k [z1_k > 0]
        # dz1_k/dW1_ij (chain rule through yhat, z2, a1, z1), and the product delta_1 ... delta_5
        # is exactly that sum in numerator layout: (1x1)(1x1)(1 x 2)(2 x 2)(2 x 1). Holds off the
        # kinks of ReLU (D_x = D_a1 = 2, scalar output as the loss requires).
        expect="holds",
        why="with one sample and a scalar output the written product is the numerator-layout "
        "chain rule for dJ/dW1_ij (delta_5 the column with x_j in row i)",
        symbols=NETWORK,
        lhs=GRAD_W1,
        rhs=mat([[written_chain(DELTA1_ONE, Z2, W2, Z1, i, j, xs) for j in range(2)] for i in range(2)]),
    ),
    Equality(
        id="bp.dJ-dW1.two-samples",
        section=SECTION,
        statement=r"\frac{\partial J}{\partial W_1} = \delta_1 \delta_2 \delta_3 \delta_4 \delta_5",
        # m = 2: dJ/dW1_ij = (1/2) sum_s (dl_s/dyhat_s) sigma'(z2_s) W2_i [z1_si > 0] x_sj, a sum of
        # per-sample chains. The written product takes delta_1 summed over both samples times
        # sample 1's delta_2, delta_4, delta_5: it drops sample 2's chain and adds sample 2's
        # delta_1 to sample 1's. With W2 = [1, 1], W1 = I, b = 0, x^(1) = (1, 1), x^(2) = (1, 2)
        # the two disagree generically. Fails.
        expect="fails",
        why="with m = 2 the gradient is the mean of per-sample chains; the written delta_1 sums "
        "the samples before multiplying by one sample's factors",
        symbols=BATCH,
        lhs=mat([[D(J_BATCH, W[i][j]) for j in range(2)] for i in range(2)]),
        rhs=mat([[written_chain(DELTA1_BATCH, Z2A, W2, Z1A, i, j, xa) for j in range(2)] for i in range(2)]),
    ),
]


# ---------------------------------------------------------------------------------------
# Questions.

yq, xq, W1q, b1q, W2q, b2q = (Var(n) for n in ("y", "x", "W1", "b1", "W2", "b2"))
FULL = Symbols.of([
    vector("x", "D_x", latex="x", meaning="the input"),
    scalar("y", latex="y", meaning="the label (0 or 1)"),
    matrix("W1", "D_a1", "D_x", latex="W_1", meaning="the hidden weights"),
    vector("b1", "D_a1", latex="b_1", meaning="the hidden bias"),
    matrix("W2", 1, "D_a1", latex="W_2", meaning="the output weights (one sigmoid output)"),
    scalar("b2", latex="b_2", meaning="the output bias"),
])
FULL_Z1, FULL_Z2, FULL_YHAT = forward(W1q, xq, b1q, W2q, b2q)
FULL_ANSWER = dJ_dW1(FULL_YHAT, yq, W2q, FULL_Z1, xq)
# The intermediate quantities a student may name, by their LaTeX spelling (not declared symbols:
# the reader substitutes each by what it stands for).
FULL_DEFINES = {"z_1": FULL_Z1, "a_1": apply("relu", FULL_Z1), "z_2": FULL_Z2, r"\hat{y}": FULL_YHAT}
# ... as the solution writes them (shown to students by `verify questions`).
FULL_WRITTEN = {
    "z_1": "z_1 = W_1 x + b_1",
    "a_1": r"a_1 = \operatorname{ReLU}(z_1)",
    "z_2": "z_2 = W_2 a_1 + b_2",
    r"\hat{y}": r"\hat{y} = \sigma(z_2)",
    "J": r"J = -\left(y \log \hat{y} + (1 - y) \log(1 - \hat{y})\right)",
}


def _ref(qid: str, statement: str, symbols: Symbols, lhs: Expr, rhs: Expr, why: str,
         layout: str = "numerator") -> Equality:
    return Equality(id=f"ref.{qid}", section=SECTION, statement=statement, expect="holds", why=why,
                    symbols=symbols, lhs=lhs, rhs=rhs, layout=layout)


QUESTIONS: list[Question] = [
    Question(
        id="bp.dJ-dyhat",
        wording="J = -(1/m) sum_i [y^(i) log yhat^(i) + (1 - y^(i)) log(1 - yhat^(i))] is the binary "
        "cross-entropy over m samples. Find dJ/d yhat^(i) for one sample i.",
        symbols=ONE_OF_M,
        samples=SAMPLE_SUMS,
        answer=DJ_DYHAT,
        # J by its definition, the other samples' terms collected in R: d J / d \hat{y}^{(i)}
        # is then the derivative of the loss itself.
        defines={"J": J_ONE_OF_M},
        written={"J": r"J = -\frac{1}{m} \sum_{i=1}^{m} \left[y^{(i)} \log \hat{y}^{(i)} "
                 r"+ (1 - y^{(i)}) \log(1 - \hat{y}^{(i)})\right]"},
        reference=_ref(
            "bp.dJ-dyhat",
            r"\frac{\partial J}{\partial \hat{y}^{(i)}} = -\frac{1}{m}\left(\frac{y^{(i)}}{\hat{y}^{(i)}}"
            r" - \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)",
            ONE_OF_M, D(J_ONE_OF_M, yhat), DJ_DYHAT,
            # d/dyhat of -(y log yhat + (1-y) log(1-yhat))/m = -(y/yhat - (1-y)/(1-yhat))/m;
            # R (the other samples) does not involve yhat^(i).
            "only sample i's term involves yhat^(i): -(1/m)(y/yhat - (1-y)/(1-yhat))",
        ),
    ),
    Question(
        id="bp.dyhat-dz2",
        wording="yhat = sigma(z_2) with sigma the logistic sigmoid and z_2 a scalar. Find d yhat / d z_2.",
        symbols=SIGMOID_SYMBOLS,
        answer=sigma(z2) * (1 - sigma(z2)),
        defines={r"\hat{y}^{(i)}": sigma(z2), r"\hat{y}": sigma(z2)},
        written={r"\hat{y}^{(i)}": r"\hat{y} = \hat{y}^{(i)} = \sigma(z_2)",
                 r"\hat{y}": r"\hat{y} = \hat{y}^{(i)} = \sigma(z_2)"},
        reference=_ref(
            "bp.dyhat-dz2", r"\frac{\partial \sigma(z_2)}{\partial z_2} = \sigma(z_2)(1 - \sigma(z_2))",
            SIGMOID_SYMBOLS, D(sigma(z2), z2), sigma(z2) * (1 - sigma(z2)),
            # sigma' = e^{-z}/(1 + e^{-z})^2 = sigma (1 - sigma).
            "sigma'(z) = e^{-z}/(1 + e^{-z})^2 = sigma(z)(1 - sigma(z))",
        ),
    ),
    Question(
        id="bp.dz2-da1",
        wording="z_2 = W_2 a_1 + b_2 with W_2 a 1 x D_a1 matrix (one output). Find dz_2/da_1 "
        "(numerator layout).",
        symbols=LINEAR,
        answer=W2,
        defines={"z_2": W2 * a1 + b2},
        written={"z_2": "z_2 = W_2 a_1 + b_2"},
        reference=_ref(
            "bp.dz2-da1", r"\frac{\partial (W_2 a_1 + b_2)}{\partial a_1} = W_2",
            LINEAR, D(W2 * a1 + b2, a1), W2,
            # d(sum_l W2_l a1_l + b2)/da1_l = W2_l: the 1 x D_a1 row W_2.
            "d z_2 / d a1_l = W2_l",
        ),
    ),
    Question(
        id="bp.da1-dz1",
        wording="a_1 = ReLU(z_1) elementwise, z_1 in R^{D_a1}. Find da_1/dz_1 (where it exists).",
        symbols=RELU,
        answer=step_diag(z1),
        where_it_exists=True,  # ReLU'(0) does not exist: I(z_1 >= 0) is as right as I(z_1 > 0)
        defines={"a_1": apply("relu", z1)},
        written={"a_1": r"a_1 = \operatorname{ReLU}(z_1)"},
        reference=_ref(
            "bp.da1-dz1", r"\frac{\partial \operatorname{ReLU}(z_1)}{\partial z_1} = "
            r"\operatorname{diag}(I(z_1 > 0))",
            RELU, D(apply("relu", z1), z1), step_diag(z1),
            # a1_k = max(z1_k, 0): diagonal Jacobian, entries 1 (z1_k > 0) or 0 (z1_k < 0).
            "a1_k = max(z1_k, 0) depends on z1_k alone, with derivative I(z1_k > 0) off the kink",
        ),
    ),
    Question(
        id="bp.dJ-dW1",
        wording="For one sample (x, y): z_1 = W_1 x + b_1, a_1 = ReLU(z_1), yhat = sigma(W_2 a_1 + b_2) "
        "with one output, J = -(y log yhat + (1 - y) log(1 - yhat)). Find dJ/dW_1 as a matrix of "
        "W_1's shape (entry (i, j) = dJ/dW_1ij).",
        symbols=FULL,
        answer=FULL_ANSWER,
        where_it_exists=True,  # at a kink of the ReLU (an entry of z_1 at 0) dJ/dW_1 does not exist
        defines={**FULL_DEFINES, "J": bce(yq, FULL_YHAT)},
        written=FULL_WRITTEN,
        layout="denominator",
        reference=_ref(
            "bp.dJ-dW1",
            r"\frac{\partial J}{\partial W_1} = \left(\left((\hat{y} - y) W_2^T\right) \odot "
            r"\operatorname{step}(z_1)\right) x^T",
            FULL, D(bce(yq, FULL_YHAT), W1q), FULL_ANSWER,
            # dJ/dz2 = -(y/yhat - (1-y)/(1-yhat)) yhat(1-yhat) = yhat - y; dJ/da1 = (yhat - y) W2^T;
            # dJ/dz1 = that ⊙ step(z1); dJ/dW1_ij = (dJ/dz1)_i x_j, i.e. (dJ/dz1) x^T.
            "dJ/dz_2 = yhat - y, dJ/dz_1 = ((yhat - y) W_2^T) ⊙ step(z_1), dJ/dW_1 = (dJ/dz_1) x^T",
            layout="denominator",
        ),
    ),
]

CLAIMS += [q.reference for q in QUESTIONS]
