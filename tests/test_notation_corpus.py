"""A notation corpus: each form students write, graded as the final answer of a real hw1 question.

Issue 12 ("Tests and measurement"). tests/test_notation.py checks that each notation reads as
its plain spelling; this file checks the end of the pipeline: a submission that writes the
answer of a hw1 question in that notation gets the verdict a TA would give. Every question of
hw1 appears at least four times (two right answers in different notations, two wrong ones with
a typical student mistake: a transpose or layout mix-up, a missing term, a sign, a missing 1/m).

Every expected verdict is derived by hand from the mathematics (never copied from the tool),
with a one-line comment saying how. Where the grader disagrees and the hand derivation still
stands, the case is an ``xfail(strict=True)`` naming what the grader does wrong.

All cases are graded in one batched ``grade_files`` call: the i-th case of every question goes
into submission file i (one file answers many questions, each under its own heading).
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import pytest

from verify.grading.grades import Mark

OK, WRONG, UNREADABLE = Mark.CORRECT, Mark.INCORRECT, Mark.UNPARSABLE


class Case(NamedTuple):
    name: str  #: the pytest id
    qid: str  #: the hw1 question
    answer: str  #: the answer (wrapped as "$$<lhs> = answer$$") or, with "$$" or prose in it, the whole body
    expected: Mark
    why: str  #: how the verdict was derived by hand
    bug: str = ""  #: when set, the grader is known to disagree: what it does wrong (an xfail)


#: The left side each answer is written under (None: the answer is written as it stands).
LHS: dict[str, str | None] = {
    "pd.linear": r"\frac{\partial y}{\partial x}",
    "pd.chain": r"\frac{\partial y}{\partial z}",
    "pd.bilinear-x": r"\frac{\partial \alpha}{\partial x}",
    "pd.bilinear-y": r"\frac{\partial \alpha}{\partial y}",
    "pd.product": r"\frac{\partial \alpha}{\partial z}",
    "pd.inverse": r"\frac{\partial A^{-1}}{\partial \alpha}",
    "hessian.matrix": "J",
    "reg.expand": "R(w)",
    "reg.condition": None,
    "reg.example": "S",
    "bp.dJ-dyhat": r"\frac{\partial J}{\partial \hat{y}^{(i)}}",
    "bp.dyhat-dz2": r"\frac{\partial \hat{y}}{\partial z_2}",
    "bp.dz2-da1": r"\frac{\partial z_2}{\partial a_1}",
    "bp.da1-dz1": r"\frac{\partial a_1}{\partial z_1}",
    "bp.dJ-dW1": r"\frac{\partial J}{\partial W_1}",
    "beale.grad-x1": r"\frac{\partial f}{\partial x_1}",
    "beale.grad-x2": r"\frac{\partial f}{\partial x_2}",
    "beale.stationary": None,  # two parts, each in its own equation
    "beale.convex": None,
    "quad.gradient": r"\nabla_x h(x)",
    "quad.eigen-recursion": r"\hat{x}^{k+1}",
    "quad.closed-form": "x^k - x^*",
    "adamax.update": "v^{(k)}",
}

#: The Beale function's three inner terms g_k = c_k - x_1 + x_1 x_2^k (k = 1, 2, 3), as G1, G2, G3.
BEALE = {"G1": "(1.5 - x_1 + x_1 x_2)", "G2": "(2.25 - x_1 + x_1 x_2^2)", "G3": "(2.625 - x_1 + x_1 x_2^3)"}

#: psi's second partials as \frac (PSI_uv is d^2 psi / du dv; on the diagonal, d^2 psi / du^2).
PSI = {f"PSI_{a}{b}": (rf"\frac{{\partial^2 \psi}}{{\partial {a}^2}}" if a == b
                       else rf"\frac{{\partial^2 \psi}}{{\partial {a} \partial {b}}}") for a in "uvz" for b in "uvz"}


def hessian(entry: str = "PSI_{a}{b}", env: str = "bmatrix") -> str:
    rows = [" & ".join(entry.format(a=a, b=b) for b in "uvz") for a in "uvz"]
    return rf"\begin{{{env}}} " + r" \\ ".join(rows) + rf" \end{{{env}}}"


#: What the grader does wrong, for the cases it is known to get wrong (each an xfail, strict).
BROADCAST = ("a number added to a vector (1 + sign(z_1), 1 - ReLU'(z_1): every entry, as numpy broadcasts) is "
             "not read: the answer is unparsable and goes to a TA's review, who grades it as written")

CASES: list[Case] = [
    # --- pd.linear: y = A x, dy/dx = A (m x n) in numerator layout --------------------------------
    Case("linear-mathbf", "pd.linear", r"\mathbf{A}", OK, "dy_i/dx_j = A_ij: the Jacobian is A"),
    Case("linear-boldsymbol", "pd.linear", r"\boldsymbol{A}", OK, "A, in bold"),
    Case("linear-bm", "pd.linear", r"\bm{A}", OK, "A, in bold"),
    Case("linear-mathrm", "pd.linear", r"\mathrm{A}", OK, "A, upright"),
    Case("linear-transpose-back", "pd.linear", r"(A^{\mathsf{T}})^{\mathsf{T}}", OK, "(A^T)^T = A"),
    Case("linear-AT", "pd.linear", "A^T", WRONG, "A^T (n x m) is the denominator layout"),
    Case("linear-intercal", "pd.linear", r"\mathbf{A}^{\intercal}", WRONG, "A^T: denominator layout"),
    Case("linear-prime", "pd.linear", "A'", WRONG, "A' is A^T: denominator layout"),
    Case("linear-Ax", "pd.linear", r"\mathbf{A} \mathbf{x}", WRONG, "A x is y itself, not its derivative"),
    Case("linear-unbalanced-brace", "pd.linear", r"\mathbf{A", UNREADABLE, "an unclosed brace"),
    # --- pd.chain: dy/dz = A dx/dz ----------------------------------------------------------------
    Case("chain-frac", "pd.chain", r"A \frac{\partial x}{\partial z}", OK, "chain rule: (dy/dx)(dx/dz) = A dx/dz"),
    Case("chain-mathbf", "pd.chain", r"\mathbf{A} \frac{\partial \mathbf{x}}{\partial \mathbf{z}}", OK,
         "A dx/dz in bold"),
    Case("chain-partial-sub", "pd.chain", r"A \, \partial_z x", OK, r"\partial_z x is dx/dz: A dx/dz"),
    Case("chain-partial-braced", "pd.chain", r"A \, \partial_{z} x", OK, r"\partial_{z} x is dx/dz"),
    Case("chain-mathrm-d", "pd.chain", r"A \frac{\mathrm{d} x}{\mathrm{d} z}", OK, "A dx/dz with upright d"),
    Case("chain-vec", "pd.chain", r"A \frac{d \vec{x}}{d \vec{z}}", OK, r"\vec{x} is x: A dx/dz"),
    Case("chain-missing-inner", "pd.chain", "A", WRONG, "the inner derivative dx/dz is missing"),
    Case("chain-denominator", "pd.chain", r"\left(\frac{\partial x}{\partial z}\right)^T A^T", WRONG,
         "(dx/dz)^T A^T is p x m: the denominator layout"),
    Case("chain-AT", "pd.chain", r"A^{\mathrm{T}} \frac{\partial x}{\partial z}", WRONG,
         "A^T (n x m) times dx/dz (n x p): shapes do not fit; the factor is A"),
    Case("chain-order", "pd.chain", r"\frac{\partial x}{\partial z} A", WRONG,
         "(n x p)(m x n): the factors in the wrong order"),
    # --- pd.bilinear-x: d(y^T A x)/dx = y^T A (a row) ---------------------------------------------
    Case("bilx-T", "pd.bilinear-x", "y^T A", OK, "d(y^T A x)/dx = y^T A (row)"),
    Case("bilx-intercal", "pd.bilinear-x", r"y^{\intercal} A", OK, r"^{\intercal} is the transpose: y^T A"),
    Case("bilx-mathsf", "pd.bilinear-x", r"\mathbf{y}^\mathsf{T} \mathbf{A}", OK, "y^T A in bold"),
    Case("bilx-mathrm", "pd.bilinear-x", r"y^{\mathrm{T}} A", OK, r"^{\mathrm{T}} is the transpose"),
    Case("bilx-prime", "pd.bilinear-x", "y' A", OK, "y' is y^T on a vector: y^T A"),
    Case("bilx-transposed-column", "pd.bilinear-x", "(A' y)'", OK, "(A^T y)^T = y^T A"),
    Case("bilx-boldsymbol-top", "pd.bilinear-x", r"\boldsymbol{y}^\top \boldsymbol{A}", OK, "y^T A"),
    Case("bilx-bm", "pd.bilinear-x", r"\bm{y}^T \bm{A}", OK, "y^T A"),
    Case("bilx-column", "pd.bilinear-x", "A^T y", WRONG, "A^T y is the column (denominator layout)"),
    Case("bilx-column-intercal", "pd.bilinear-x", r"\mathbf{A}^{\intercal} \mathbf{y}", WRONG,
         "A^T y: the column (denominator layout)"),
    Case("bilx-column-prime", "pd.bilinear-x", "A' y", WRONG, "A' y = A^T y: the column"),
    Case("bilx-sign", "pd.bilinear-x", "-y^T A", WRONG, "a sign error"),
    Case("bilx-factor", "pd.bilinear-x", "2 y^T A", WRONG, "a spurious factor 2 (alpha is linear in x)"),
    Case("bilx-left-without-right", "pd.bilinear-x", r"\left( y^T A", UNREADABLE, r"\left( without \right)"),
    # --- pd.bilinear-y: d(y^T A x)/dy = x^T A^T (a row) -------------------------------------------
    Case("bily-T", "pd.bilinear-y", "x^T A^T", OK, "alpha = x^T A^T y, so d alpha/dy = x^T A^T"),
    Case("bily-Ax-T", "pd.bilinear-y", r"(A\mathbf{x})^{\mathsf{T}}", OK, "(A x)^T = x^T A^T"),
    Case("bily-prime", "pd.bilinear-y", "x' A'", OK, "x' A' = x^T A^T"),
    Case("bily-vec", "pd.bilinear-y", r"\vec{x}^T A^T", OK, "x^T A^T"),
    Case("bily-mathrm", "pd.bilinear-y", r"\mathrm{x}^{\mathrm{T}} \mathrm{A}^{\mathrm{T}}", OK, "x^T A^T"),
    Case("bily-column", "pd.bilinear-y", r"A \mathbf{x}", WRONG, "A x is the column (denominator layout)"),
    Case("bily-no-transpose-A", "pd.bilinear-y", "x^T A", WRONG, "(1 x n)(m x n): A must be transposed"),
    Case("bily-other-variable", "pd.bilinear-y", "y^T A", WRONG, "y^T A is d alpha/dx, not d alpha/dy"),
    Case("bily-scalar", "pd.bilinear-y", "x^T A^T y", WRONG, "alpha itself, not its derivative"),
    # --- pd.product: d(y^T x)/dz = x^T dy/dz + y^T dx/dz ------------------------------------------
    Case("product-frac", "pd.product",
         r"x^T \frac{\partial y}{\partial z} + y^T \frac{\partial x}{\partial z}", OK, "product rule, rows"),
    Case("product-bold-intercal", "pd.product",
         r"\mathbf{x}^{\intercal} \frac{\partial \mathbf{y}}{\partial \mathbf{z}} + "
         r"\mathbf{y}^{\intercal} \frac{\partial \mathbf{x}}{\partial \mathbf{z}}", OK, "product rule in bold"),
    Case("product-partial-sub", "pd.product", r"x' \partial_z y + y' \partial_z x", OK,
         r"\partial_z y = dy/dz: x^T dy/dz + y^T dx/dz"),
    Case("product-partial-braced", "pd.product", r"x^T \partial_{z} y + y^T \partial_{z} x", OK,
         r"\partial_{z} y = dy/dz"),
    Case("product-mathrm-d", "pd.product",
         r"x^T \frac{\mathrm{d} y}{\mathrm{d} z} + y^T \frac{\mathrm{d} x}{\mathrm{d} z}", OK, "upright d"),
    Case("product-denominator", "pd.product",
         r"\left(\frac{\partial y}{\partial z}\right)^T x + \left(\frac{\partial x}{\partial z}\right)^T y", WRONG,
         "the column (p x 1): denominator layout"),
    Case("product-missing-term", "pd.product", r"x^T \frac{\partial y}{\partial z}", WRONG,
         "the term y^T dx/dz is missing"),
    Case("product-sign", "pd.product",
         r"x^T \frac{\partial y}{\partial z} - y^T \frac{\partial x}{\partial z}", WRONG, "a sign error"),
    # --- pd.inverse: d(A^{-1})/d alpha = -A^{-1} (dA/d alpha) A^{-1} ------------------------------
    Case("inverse-frac", "pd.inverse", r"-A^{-1} \frac{\partial A}{\partial \alpha} A^{-1}", OK,
         "differentiate A A^{-1} = I"),
    Case("inverse-mathbf", "pd.inverse", r"-\mathbf{A}^{-1} \frac{\partial \mathbf{A}}{\partial \alpha} "
         r"\mathbf{A}^{-1}",
         OK, "the same in bold"),
    Case("inverse-partial-sub", "pd.inverse", r"-A^{-1} (\partial_\alpha A) A^{-1}", OK,
         r"\partial_\alpha A = dA/d alpha"),
    Case("inverse-partial-braced", "pd.inverse", r"-A^{-1} \left(\partial_{\alpha} A\right) A^{-1}", OK,
         r"\partial_{\alpha} A = dA/d alpha"),
    Case("inverse-mathrm-d", "pd.inverse", r"-A^{-1} \frac{\mathrm{d} A}{\mathrm{d} \alpha} A^{-1}", OK,
         "upright d"),
    Case("inverse-sign", "pd.inverse", r"A^{-1} \frac{\partial A}{\partial \alpha} A^{-1}", WRONG, "a sign error"),
    Case("inverse-commuted", "pd.inverse", r"-A^{-2} \frac{\partial A}{\partial \alpha}", WRONG,
         "A^{-1} and dA/d alpha do not commute in general"),
    Case("inverse-of-derivative", "pd.inverse", r"-\left(\frac{\partial A}{\partial \alpha}\right)^{-1}", WRONG,
         "the inverse of the derivative, not the derivative of the inverse"),
    Case("inverse-transposed", "pd.inverse", r"-A^{-\mathsf{T}} \frac{\partial A}{\partial \alpha} A^{-1}", WRONG,
         "A^{-T} != A^{-1} for a non-symmetric A"),
    # --- hessian.matrix: J_ij = d^2 psi / dx_i dx_j (symmetric by Schwarz) ------------------------
    Case("hessian-frac-bmatrix", "hessian.matrix", hessian(), OK, "the matrix of second partials"),
    Case("hessian-frac-pmatrix", "hessian.matrix", hessian(env="pmatrix"), OK, "the same, pmatrix"),
    Case("hessian-subscripts", "hessian.matrix", hessian(r"\psi_{{{a}{b}}}"), OK,
         r"\psi_{uv} is d^2 psi / du dv: the Hessian"),
    Case("hessian-partial-sub", "hessian.matrix", hessian(r"\partial_{a} \partial_{b} \psi"), OK,
         r"\partial_u \partial_v \psi = d^2 psi / du dv"),
    Case("hessian-cdots", "hessian.matrix",
         r"\begin{bmatrix} \psi_{uu} & \psi_{uv} & \psi_{uz} \\ \vdots & \ddots & \vdots \\ "
         r"\psi_{zu} & \psi_{zv} & \psi_{zz} \end{bmatrix}", OK,
         "3 x 3 (psi of u, v, z): the dotted row is psi_vu, psi_vv, psi_vz, the Hessian"),
    Case("hessian-cdots-frac", "hessian.matrix",
         r"\begin{bmatrix} PSI_uu & PSI_uv & PSI_uz \\ \vdots & \ddots & \vdots \\ "
         r"PSI_zu & PSI_zv & PSI_zz \end{bmatrix}",
         OK, "3 x 3 (psi of u, v, z): the dotted row is d^2 psi / dv du, dv^2, dv dz: the Hessian"),
    Case("hessian-diagonal-only", "hessian.matrix",
         r"\begin{bmatrix} \psi_{uu} & 0 & 0 \\ 0 & \psi_{vv} & 0 \\ 0 & 0 & \psi_{zz} \end{bmatrix}", WRONG,
         "the mixed partials are missing"),
    Case("hessian-sign", "hessian.matrix", hessian("PSI_{a}{b}").replace("PSI_uv", "-PSI_uv"), WRONG,
         "entry (1, 2) has the wrong sign"),
    Case("hessian-wrong-entry", "hessian.matrix", hessian("PSI_{a}{b}").replace("PSI_vv", "PSI_vz"), WRONG,
         "entry (2, 2) is d^2 psi / dv dz instead of d^2 psi / dv^2"),
    Case("hessian-gradient", "hessian.matrix",
         r"\begin{bmatrix} \frac{\partial \psi}{\partial u} \\ \frac{\partial \psi}{\partial v} \\ "
         r"\frac{\partial \psi}{\partial z} \end{bmatrix}", WRONG, "the gradient, not its Jacobian"),
    Case("hessian-cdots-sign", "hessian.matrix",
         r"\begin{bmatrix} \psi_{uu} & \cdots & \psi_{uz} \\ \vdots & \ddots & \vdots \\ "
         r"\psi_{zu} & \cdots & -\psi_{zz} \end{bmatrix}",
         WRONG, "the corner (3, 3) has the wrong sign"),
    # --- reg.expand: w^T S w = s11 w1^2 + (s12 + s21) w1 w2 + s22 w2^2 ----------------------------
    Case("expand-plain", "reg.expand", r"s_{11} w_1^2 + (s_{12} + s_{21}) w_1 w_2 + s_{22} w_2^2", OK,
         "sum_ij w_i s_ij w_j"),
    Case("expand-cdot", "reg.expand",
         r"s_{11} \cdot w_1^2 + s_{12} \cdot w_1 w_2 + s_{21} \cdot w_2 w_1 + s_{22} \cdot w_2^2", OK,
         r"\cdot between scalars is a product"),
    Case("expand-times", "reg.expand",
         r"w_1 \times (s_{11} w_1 + s_{12} w_2) + w_2 \times (s_{21} w_1 + s_{22} w_2)", OK,
         r"w^T (S w), \times between scalars"),
    Case("expand-symmetric", "reg.expand", r"s_{11} w_1^2 + 2 s_{12} w_1 w_2 + s_{22} w_2^2", WRONG,
         "assumes s12 = s21; S is general"),
    Case("expand-missing-term", "reg.expand", r"s_{11} w_1^2 + s_{12} w_1 w_2 + s_{22} w_2^2", WRONG,
         "the term s21 w2 w1 is missing"),
    Case("expand-no-squares", "reg.expand", r"s_{11} w_1 + s_{12} w_2 + s_{21} w_1 + s_{22} w_2", WRONG,
         "S w summed, not w^T S w"),
    # --- reg.condition: s11 + s12 + s21 + s22 = 0 (R on w1 = w2 = t is t^2 times that) -------------
    Case("condition-plain", "reg.condition", r"$$s_{11} + s_{12} + s_{21} + s_{22} = 0$$",
         OK, "R(t, t) = t^2 sum s_ij"),
    Case("condition-rearranged", "reg.condition", r"$$s_{11} + s_{22} = -(s_{12} + s_{21})$$", OK,
         "the same equation rearranged"),
    Case("condition-ones", "reg.condition",
         r"$$\begin{bmatrix} 1 & 1 \end{bmatrix} S \begin{bmatrix} 1 \\ 1 \end{bmatrix} = 0$$", OK,
         "1^T S 1 = sum of the entries"),
    Case("condition-langle", "reg.condition",
         r"$$\left\langle \begin{bmatrix} 1 \\ 1 \end{bmatrix}, S \begin{bmatrix} 1 \\ 1 \end{bmatrix} "
         r"\right\rangle = 0$$",
         OK, "<1, S 1> = sum of the entries"),
    Case("condition-transposed-ones", "reg.condition",
         r"$$\begin{bmatrix} 1 \\ 1 \end{bmatrix}^T S \begin{bmatrix} 1 \\ 1 \end{bmatrix} = 0$$", OK,
         "1^T S 1 = sum of the entries"),
    Case("condition-diagonal-only", "reg.condition", r"$$s_{11} + s_{22} = 0$$", WRONG,
         "the off-diagonal entries are missing"),
    Case("condition-sign", "reg.condition", r"$$s_{11} - s_{12} - s_{21} + s_{22} = 0$$", WRONG,
         "that is R(1, -1), the condition for w1 = -w2"),
    Case("condition-frobenius", "reg.condition", r"$$\|S\|_F^2 = 0$$", WRONG,
         "||S||_F^2 = sum s_ij^2 = 0 forces S = 0: sufficient, not the condition"),
    Case("condition-norm-S1", "reg.condition",
         r"$$\left\| S \begin{bmatrix} 1 \\ 1 \end{bmatrix} \right\|^2 = 0$$", WRONG,
         "(s11 + s12)^2 + (s21 + s22)^2 = 0: S 1 = 0, sufficient, not the condition"),
    Case("condition-determinant", "reg.condition", r"$$s_{11} s_{22} - s_{12} s_{21} = 0$$", WRONG,
         "det S = 0 is not the condition"),
    Case("condition-unbalanced-brace", "reg.condition", r"$$s_{11} + s_{12 + s_{21} + s_{22} = 0$$", UNREADABLE,
         "an unclosed brace"),
    # --- reg.example: S with w^T S w = c (w1 - w2)^2, c > 0 ----------------------------------------
    Case("example-bmatrix", "reg.example", r"\begin{bmatrix} 1 & -1 \\ -1 & 1 \end{bmatrix}", OK,
         "w^T S w = (w1 - w2)^2"),
    Case("example-pmatrix", "reg.example", r"\begin{pmatrix} 2 & -2 \\ -2 & 2 \end{pmatrix}", OK,
         "2 (w1 - w2)^2"),
    Case("example-nonsymmetric", "reg.example", r"\begin{bmatrix} 1 & -2 \\ 0 & 1 \end{bmatrix}", OK,
         "w1^2 - 2 w1 w2 + w2^2 = (w1 - w2)^2"),
    Case("example-outer", "reg.example", r"\begin{bmatrix} 1 \\ -1 \end{bmatrix} \begin{bmatrix} 1 \\ -1 "
         r"\end{bmatrix}^T",
         OK, "u u^T with u = (1, -1): w^T S w = (u^T w)^2 = (w1 - w2)^2"),
    Case("example-outer-prime", "reg.example", r"\begin{bmatrix} 1 \\ -1 \end{bmatrix} \begin{bmatrix} 1 \\ "
         r"-1 \end{bmatrix}'",
         OK, "' on a matrix literal is the transpose: u u^T"),
    Case("example-ones", "reg.example", r"\begin{bmatrix} 1 & 1 \\ 1 & 1 \end{bmatrix}", WRONG,
         "(w1 + w2)^2: penalises w1 = -w2 instead"),
    Case("example-negative", "reg.example", r"\begin{bmatrix} -1 & 1 \\ 1 & -1 \end{bmatrix}", WRONG,
         "-(w1 - w2)^2 <= 0: a sign error"),
    Case("example-identity", "reg.example", r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}", WRONG,
         "w1^2 + w2^2 is not 0 on w1 = w2"),
    Case("example-antisymmetric", "reg.example", r"\begin{bmatrix} 1 & -1 \\ 1 & 1 \end{bmatrix}", WRONG,
         "the off-diagonal terms cancel: w1^2 + w2^2"),
    # --- bp.dJ-dyhat: -(1/m)(y/yhat - (1 - y)/(1 - yhat)) -----------------------------------------
    Case("dyhat-plain", "bp.dJ-dyhat",
         r"-\frac{1}{m}\left(\frac{y^{(i)}}{\hat{y}^{(i)}} - \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)", OK,
         "only sample i's term involves yhat^(i)"),
    Case("dyhat-cdot", "bp.dJ-dyhat",
         r"\frac{1}{m} \cdot \frac{\hat{y}^{(i)} - y^{(i)}}{\hat{y}^{(i)} (1 - \hat{y}^{(i)})}", OK,
         "the bracket over a common denominator: (yhat - y) / (yhat (1 - yhat))"),
    Case("dyhat-times", "bp.dJ-dyhat",
         r"\frac{1}{m} \times \left(\frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}} - \frac{y^{(i)}}{\hat{y}^{(i)}}\right)", OK,
         r"the minus sign distributed; \times between scalars"),
    Case("dyhat-missing-1-over-m", "bp.dJ-dyhat",
         r"-\left(\frac{y^{(i)}}{\hat{y}^{(i)}} - \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)", WRONG,
         "the factor 1/m is missing"),
    Case("dyhat-inner-sign", "bp.dJ-dyhat",
         r"-\frac{1}{m}\left(\frac{y^{(i)}}{\hat{y}^{(i)}} + \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)", WRONG,
         "d log(1 - yhat)/dyhat = -1/(1 - yhat): a sign error"),
    Case("dyhat-outer-sign", "bp.dJ-dyhat",
         r"\frac{1}{m}\left(\frac{y^{(i)}}{\hat{y}^{(i)}} - \frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)", WRONG,
         "the leading minus is lost"),
    Case("dyhat-is-dz2", "bp.dJ-dyhat", r"\frac{\hat{y}^{(i)} - y^{(i)}}{m}", WRONG,
         "that is dJ/dz_2 (through the sigmoid), not dJ/dyhat"),
    # --- bp.dyhat-dz2: sigma(z2) (1 - sigma(z2)) --------------------------------------------------
    Case("sigmoid-plain", "bp.dyhat-dz2", r"\sigma(z_2)\left(1 - \sigma(z_2)\right)", OK, "sigma' = sigma (1 - sigma)"),
    Case("sigmoid-cdot", "bp.dyhat-dz2", r"\sigma(z_2) \cdot (1 - \sigma(z_2))", OK, r"\cdot between scalars"),
    Case("sigmoid-prime", "bp.dyhat-dz2", r"\sigma'(z_2)", OK, r"' on a scalar function is its derivative"),
    Case("sigmoid-e", "bp.dyhat-dz2", r"\frac{e^{-z_2}}{(1 + e^{-z_2})^2}", OK,
         "d/dz (1 + e^{-z})^{-1} = e^{-z} / (1 + e^{-z})^2"),
    Case("sigmoid-exp", "bp.dyhat-dz2", r"\frac{\exp(-z_2)}{\left(1 + \exp(-z_2)\right)^2}", OK, r"the same with \exp"),
    Case("sigmoid-e-positive", "bp.dyhat-dz2", r"\frac{e^{z_2}}{(1 + e^{z_2})^2}", OK,
         "multiply top and bottom by e^{2z}: the same"),
    Case("sigmoid-yhat", "bp.dyhat-dz2", r"\hat{y} (1 - \hat{y})", OK, "yhat = sigma(z2)"),
    Case("sigmoid-times-minus", "bp.dyhat-dz2", r"\sigma(z_2) \times \sigma(-z_2)", OK, "1 - sigma(z) = sigma(-z)"),
    Case("sigmoid-sign", "bp.dyhat-dz2", r"\sigma(z_2)(1 + \sigma(z_2))", WRONG, "a sign error"),
    Case("sigmoid-missing-factor", "bp.dyhat-dz2", r"1 - \sigma(z_2)", WRONG, "the factor sigma(z2) is missing"),
    Case("sigmoid-e-sign", "bp.dyhat-dz2", r"\frac{-e^{-z_2}}{(1 + e^{-z_2})^2}", WRONG,
         "the inner derivative of e^{-z} taken twice: a sign error"),
    Case("sigmoid-e-missing-square", "bp.dyhat-dz2", r"\frac{e^{-z_2}}{1 + e^{-z_2}}", WRONG,
         "that is 1 - sigma(z2): the square is missing"),
    Case("sigmoid-left-without-right", "bp.dyhat-dz2", r"\sigma(z_2) \left(1 - \sigma(z_2)", UNREADABLE,
         r"\left( without \right)"),
    # --- bp.dz2-da1: W_2 (1 x D_a1, a row) --------------------------------------------------------
    Case("dz2-plain", "bp.dz2-da1", "W_2", OK, "d(W_2 a_1 + b_2)/da_1 = W_2"),
    Case("dz2-mathbf", "bp.dz2-da1", r"\mathbf{W}_2", OK, "W_2 in bold"),
    Case("dz2-boldsymbol", "bp.dz2-da1", r"\boldsymbol{W}_2", OK, "W_2 in bold"),
    Case("dz2-prime-prime", "bp.dz2-da1", "(W_2')'", OK, "(W_2^T)^T = W_2"),
    Case("dz2-column", "bp.dz2-da1", "W_2^T", WRONG, "the column: denominator layout"),
    Case("dz2-column-intercal", "bp.dz2-da1", r"\mathbf{W}_2^{\intercal}", WRONG, "the column"),
    Case("dz2-column-prime", "bp.dz2-da1", "W_2'", WRONG, "W_2' = W_2^T: the column"),
    Case("dz2-activations", "bp.dz2-da1", "a_1^T", WRONG, "that is dz_2/dW_2, not dz_2/da_1"),
    # --- bp.da1-dz1: diag(1[z1 > 0]) --------------------------------------------------------------
    Case("relu-indicator-brackets", "bp.da1-dz1", r"\operatorname{diag}(\mathbb{1}[z_1 > 0])", OK,
         "a1_k = max(z1_k, 0) depends on z1_k only, slope 1 where z1_k > 0"),
    Case("relu-indicator-braces", "bp.da1-dz1", r"\operatorname{diag}\left(\mathbb{1}\{z_1 > 0\}\right)", OK,
         r"\mathbb{1}\{...\} is the indicator"),
    Case("relu-mathbb-I", "bp.da1-dz1", r"\operatorname{diag}(\mathbb{I}\{z_1 > 0\})", OK,
         r"\mathbb{I}\{...\} is the indicator"),
    Case("relu-prime", "bp.da1-dz1", r"\operatorname{diag}(\operatorname{ReLU}'(z_1))", OK,
         "ReLU' = 1[z > 0] off the kink"),
    Case("relu-sign", "bp.da1-dz1", r"\operatorname{diag}\left(\frac{1 + \operatorname{sign}(z_1)}{2}\right)", OK,
         "(1 + sign z)/2 = 1[z > 0] off the kink", bug=BROADCAST),
    Case("relu-step", "bp.da1-dz1", r"\operatorname{diag}(\operatorname{step}(z_1))", OK, "step = 1[z > 0]"),
    Case("relu-flipped", "bp.da1-dz1", r"\operatorname{diag}(\mathbb{1}[z_1 < 0])", WRONG, "the indicator flipped"),
    Case("relu-function", "bp.da1-dz1", r"\operatorname{diag}(\operatorname{ReLU}(z_1))", WRONG,
         "ReLU itself, not its derivative"),
    Case("relu-sgn", "bp.da1-dz1", r"\operatorname{diag}(\operatorname{sgn}(z_1))", WRONG,
         "sgn is -1 where z < 0, where the slope is 0"),
    Case("relu-max", "bp.da1-dz1", r"\operatorname{diag}(\max\{z_1, 0\})", WRONG, "ReLU itself written as a max"),
    Case("relu-identity", "bp.da1-dz1", "I", WRONG, "ignores the kink: the slope is 0 where z < 0"),
    # --- bp.dJ-dW1 (denominator layout, W_1's shape): ((yhat - y) W_2^T ⊙ 1[z1 > 0]) x^T ----------
    Case("dW1-odot", "bp.dJ-dW1", r"\left((\hat{y} - y) W_2^T \odot \mathbb{1}[z_1 > 0]\right) x^T", OK,
         "dJ/dz2 = yhat - y; dJ/dz1 = (yhat - y) W_2^T ⊙ 1[z1 > 0]; times x^T"),
    Case("dW1-circ", "bp.dJ-dW1", r"\left((\hat{y} - y) W_2^T \circ \mathbb{1}[z_1 > 0]\right) x^T", OK,
         r"\circ is the elementwise product"),
    Case("dW1-diag-mathsf", "bp.dJ-dW1",
         r"\operatorname{diag}(\mathbb{1}\{z_1 > 0\}) \mathbf{W}_2^\mathsf{T} (\hat{y} - y) \mathbf{x}^\mathsf{T}", OK,
         "diag(d) v = d ⊙ v"),
    Case("dW1-relu-prime", "bp.dJ-dW1", r"(\sigma(z_2) - y) \left(W_2^T \odot \operatorname{ReLU}'(z_1)\right) x'", OK,
         "yhat = sigma(z2); ReLU' = 1[z > 0]; x' = x^T"),
    Case("dW1-primes-I", "bp.dJ-dW1", r"(\hat{y} - y) \left(W_2' \circ \mathbb{I}\{z_1 > 0\}\right) x'", OK,
         "W_2' = W_2^T, x' = x^T"),
    Case("dW1-missing-relu", "bp.dJ-dW1", r"(\hat{y} - y) W_2^T x^T", WRONG, "the ReLU derivative is missing"),
    Case("dW1-sign", "bp.dJ-dW1", r"\left((y - \hat{y}) W_2^T \odot \mathbb{1}[z_1 > 0]\right) x^T", WRONG,
         "dJ/dz2 = yhat - y, not y - yhat"),
    Case("dW1-extra-sigmoid-factor", "bp.dJ-dW1",
         r"\left((\hat{y} - y) \hat{y} (1 - \hat{y}) W_2^T \odot \mathbb{1}[z_1 > 0]\right) x^T", WRONG,
         "sigma' counted twice: dJ/dz2 is already yhat - y"),
    Case("dW1-transposed", "bp.dJ-dW1", r"x \left((\hat{y} - y) W_2 \odot \mathbb{1}[z_1 > 0]^T\right)", WRONG,
         "D_x x D_a1: the transpose of W_1's shape"),
    # --- beale.grad-x1: 2 (x2 - 1) g1 + 2 (x2^2 - 1) g2 + 2 (x2^3 - 1) g3 ---------------------------
    Case("x1-plain", "beale.grad-x1", r"2(x_2 - 1) G1 + 2(x_2^2 - 1) G2 + 2(x_2^3 - 1) G3", OK,
         "d g_k^2 / dx1 = 2 g_k (x2^k - 1)"),
    Case("x1-cdot", "beale.grad-x1", r"2 \cdot G1 \cdot (x_2 - 1) + 2 \cdot G2 \cdot (x_2^2 - 1) + 2 \cdot G3 "
         r"\cdot (x_2^3 - 1)",
         OK, r"\cdot between scalars"),
    Case("x1-times", "beale.grad-x1", r"2 \times \left[(x_2 - 1) G1 + (x_2^2 - 1) G2 + (x_2^3 - 1) G3\right]", OK,
         r"the 2 factored out; \times between scalars"),
    Case("x1-langle", "beale.grad-x1",
         r"2 \left\langle \begin{bmatrix} G1 \\ G2 \\ G3 \end{bmatrix}, "
         r"\begin{bmatrix} x_2 - 1 \\ x_2^2 - 1 \\ x_2^3 - 1 \end{bmatrix} \right\rangle", OK,
         "2 <g, dg/dx1>"),
    Case("x1-missing-2", "beale.grad-x1", r"(x_2 - 1) G1 + (x_2^2 - 1) G2 + (x_2^3 - 1) G3", WRONG,
         "the factor 2 of the square is missing"),
    Case("x1-sign", "beale.grad-x1", r"2(1 - x_2) G1 + 2(1 - x_2^2) G2 + 2(1 - x_2^3) G3", WRONG,
         "dg_k/dx1 = x2^k - 1, not 1 - x2^k"),
    Case("x1-missing-term", "beale.grad-x1", r"2(x_2 - 1) G1 + 2(x_2^2 - 1) G2", WRONG, "the third square is missing"),
    # --- beale.grad-x2: 2 x1 g1 + 4 x1 x2 g2 + 6 x1 x2^2 g3 ----------------------------------------
    Case("x2-plain", "beale.grad-x2", r"2 x_1 G1 + 4 x_1 x_2 G2 + 6 x_1 x_2^2 G3", OK, "dg_k/dx2 = k x1 x2^{k-1}"),
    Case("x2-fractions", "beale.grad-x2",
         r"2 x_1 \left(\frac{3}{2} - x_1 + x_1 x_2\right) + 4 x_1 x_2 \left(\frac{9}{4} - x_1 + x_1 x_2^2\right)"
         r" + 6 x_1 x_2^2 \left(\frac{21}{8} - x_1 + x_1 x_2^3\right)", OK, "1.5 = 3/2, 2.25 = 9/4, 2.625 = 21/8"),
    Case("x2-factored-cdot", "beale.grad-x2", r"2 x_1 \cdot \left[G1 + 2 x_2 \cdot G2 + 3 x_2^2 \cdot G3\right]", OK,
         "2 x1 factored out"),
    Case("x2-power-rule", "beale.grad-x2", r"2 x_1 G1 + 2 x_1 x_2 G2 + 2 x_1 x_2^2 G3", WRONG,
         "d x2^k / dx2 = k x2^{k-1}: the factors 2 and 3 are missing"),
    Case("x2-missing-term", "beale.grad-x2", r"2 x_1 G1 + 4 x_1 x_2 G2", WRONG, "the third square is missing"),
    Case("x2-inner-sign", "beale.grad-x2",
         r"2 x_1 (1.5 + x_1 - x_1 x_2) + 4 x_1 x_2 G2 + 6 x_1 x_2^2 G3",
         WRONG, "the first term's g1 has signs flipped"),
    # --- beale.stationary: both parts asked: grad f(0, 1) = (0, 0), so x^{t+1} = (0, 1) -------------
    # Every term of df/dx1 has a factor x2^k - 1, every term of df/dx2 a factor x1: both vanish at (0, 1).
    Case("stationary-bmatrix", "beale.stationary",
         r"$$\nabla f(0, 1) = \begin{bmatrix} 0 \\ 0 \end{bmatrix}$$" "\n\n"
         r"$$x^{t+1} = \begin{bmatrix} 0 \\ 1 \end{bmatrix}$$", OK, "the gradient is 0 at (0, 1): the point stays"),
    Case("stationary-nabla-pmatrix", "beale.stationary",
         r"$$\nabla f(0, 1) = \begin{pmatrix} 0 \\ 0 \end{pmatrix}$$" "\n\n"
         r"$$x^{t+1} = x^t - \alpha \nabla f(x^t) = \begin{pmatrix} 0 \\ 1 \end{pmatrix}$$", OK,
         r"\nabla f(x^t) = 0, so the point does not move"),
    Case("stationary-tuple", "beale.stationary",
         r"$$\nabla f(0, 1) = (0, 0)$$" "\n\n" r"$$x^{t+1} = (0, 1)$$", OK, "both as tuples"),
    Case("stationary-row-transposed", "beale.stationary",
         r"$$\nabla f(0, 1) = \begin{bmatrix} 0 & 0 \end{bmatrix}$$" "\n\n"
         r"$$x^{t+1} = \begin{bmatrix} 0 \\ 1 \end{bmatrix}^\mathsf{T}$$", OK, "both as rows"),
    Case("stationary-moved", "beale.stationary",
         r"$$\nabla f(0, 1) = \begin{bmatrix} 1 \\ 0 \end{bmatrix}$$" "\n\n"
         r"$$x^{t+1} = \begin{bmatrix} -\alpha \\ 1 \end{bmatrix}$$", WRONG,
         "df/dx1 at (0, 1) is 0, not 1 (and the step from it is wrong too)"),
    Case("stationary-inner-value", "beale.stationary",
         r"$$\nabla f(0, 1) = \begin{bmatrix} 1.5 \\ 0 \end{bmatrix}$$" "\n\n"
         r"$$x^{t+1} = \begin{bmatrix} -1.5 \alpha \\ 1 \end{bmatrix}$$", WRONG,
         "g1(0, 1) = 1.5 given as df/dx1, which is 2 g1 (x2 - 1) = 0"),
    Case("stationary-swapped-answers", "beale.stationary",
         r"$$\nabla f(0, 1) = \begin{bmatrix} 0 \\ 1 \end{bmatrix}$$" "\n\n"
         r"$$x^{t+1} = \begin{bmatrix} 0 \\ 0 \end{bmatrix}$$", WRONG, "the two answers swapped: both wrong"),
    # --- beale.convex: false (the Hessian at (0, 0) is [[6, 3], [3, 0]], determinant -9) -----------
    Case("convex-false", "beale.convex",
         r"False. The Hessian at $(0, 0)$ is $\begin{bmatrix} 6 & 3 \\ 3 & 0 \end{bmatrix}$, with determinant "
         r"$-9 < 0$.",
         OK, "an indefinite Hessian at (0, 0): not convex"),
    Case("convex-no", "beale.convex",
         r"No, it is not convex: $f(0, 0) = 14.203125$ lies above the chord between $(0.1, -0.2)$ and $(-0.1, 0.2)$.",
         OK, "a midpoint above the chord: not convex"),
    Case("convex-true", "beale.convex", "True: it is a sum of three squares, and squares are convex.", WRONG,
         "the squares are of non-linear functions, so the sum need not be convex (it is not)"),
    Case("convex-yes", "beale.convex", "Yes. Each term is a square, so $f \\geq 0$ and $f$ is convex.", WRONG,
         "f >= 0 does not make f convex"),
    # --- quad.gradient: Q x + c (Q symmetric) ------------------------------------------------------
    Case("gradient-plain", "quad.gradient", "Q x + c",
         OK, "grad(1/2 x^T Q x) = 1/2 (Q + Q^T) x = Q x; grad(x^T c) = c"),
    Case("gradient-mathbf", "quad.gradient", r"\mathbf{Q}\mathbf{x} + \mathbf{c}", OK, "Q x + c in bold"),
    Case("gradient-symmetrised", "quad.gradient", r"\frac{1}{2}\left(Q + Q^{\intercal}\right) x + c", OK,
         "= Q x + c for Q symmetric"),
    Case("gradient-xstar", "quad.gradient", r"Q (x - x^*)", OK, "x^* = -Q^{-1} c: Q x - Q x^* = Q x + c"),
    Case("gradient-nabla-h", "quad.gradient", r"$$\nabla h(x) = Q' x + c$$", OK,
         r"\nabla h(x) names its variable x; Q' = Q^T = Q"),
    Case("gradient-transposed-row", "quad.gradient", r"(x^T Q + c^T)^T", OK, "(x^T Q + c^T)^T = Q^T x + c = Q x + c"),
    Case("gradient-half", "quad.gradient", r"\frac{1}{2} Q x + c",
         WRONG, "d(x^T Q x)/dx = 2 Q x: the 1/2 is cancelled"),
    Case("gradient-sign", "quad.gradient", "Q x - c", WRONG, "a sign error"),
    Case("gradient-missing-c", "quad.gradient", "Q x", WRONG, "the linear term's gradient c is missing"),
    Case("gradient-double", "quad.gradient", "2 Q x + c", WRONG, "the factor 1/2 is dropped"),
    # --- quad.eigen-recursion: (I - alpha Lambda) xhat^k -------------------------------------------
    Case("eigen-plain", "quad.eigen-recursion", r"(I - \alpha \Lambda) \hat{x}^k", OK,
         "V^T (x^k - alpha Q (x^k - x^*) - x^*) = (I - alpha Lambda) V^T (x^k - x^*)"),
    Case("eigen-hat-mathbf", "quad.eigen-recursion", r"(I - \alpha \Lambda) \hat{\mathbf{x}}^k", OK,
         r"\hat{\mathbf{x}} is \hat{x}"),
    Case("eigen-bold", "quad.eigen-recursion", r"(\mathbf{I} - \alpha \boldsymbol{\Lambda}) \hat{\boldsymbol{x}}^k", OK,
         "the same in bold"),
    Case("eigen-expanded", "quad.eigen-recursion", r"\hat{x}^k - \alpha \Lambda \hat{x}^k", OK, "expanded"),
    Case("eigen-bmatrix", "quad.eigen-recursion",
         r"\begin{bmatrix} 1 - \alpha \lambda_1 & 0 \\ 0 & 1 - \alpha \lambda_2 \end{bmatrix} \hat{x}^k", OK,
         "Lambda = diag(lambda_1, lambda_2) written out"),
    Case("eigen-diag", "quad.eigen-recursion",
         r"\left(I - \alpha \operatorname{diag}(\lambda_1, \lambda_2)\right) \hat{x}^k",
         OK, "Lambda by its definition"),
    Case("eigen-sign", "quad.eigen-recursion", r"(I + \alpha \Lambda) \hat{x}^k", WRONG, "a sign error (ascent)"),
    Case("eigen-missing-alpha", "quad.eigen-recursion", r"(I - \Lambda) \hat{x}^k", WRONG, "the step size is missing"),
    Case("eigen-missing-identity", "quad.eigen-recursion", r"-\alpha \Lambda \hat{x}^k", WRONG,
         "the term xhat^k is missing"),
    Case("eigen-bmatrix-sign", "quad.eigen-recursion",
         r"\begin{bmatrix} 1 - \alpha \lambda_1 & 0 \\ 0 & 1 + \alpha \lambda_2 \end{bmatrix} \hat{x}^k", WRONG,
         "entry (2, 2) has the wrong sign"),
    # --- quad.closed-form: xhat_1^0 (1 - alpha l1)^k v_1 + xhat_2^0 (1 - alpha l2)^k v_2 ------------
    Case("closed-plain", "quad.closed-form",
         r"\hat{x}_1^0 (1 - \alpha \lambda_1)^k v_1 + \hat{x}_2^0 (1 - \alpha \lambda_2)^k v_2", OK,
         "xhat_i^{k} = (1 - alpha lambda_i)^k xhat_i^0 and x^k - x^* = V xhat^k"),
    Case("closed-sum", "quad.closed-form", r"\sum_{i=1}^{2} (1 - \alpha \lambda_i)^k \hat{x}_i^0 v_i", OK,
         "the same as a sum"),
    Case("closed-mathbf-cdot", "quad.closed-form",
         r"(1 - \alpha \lambda_1)^k \cdot \hat{x}_1^0 \mathbf{v}_1 + (1 - \alpha \lambda_2)^k \cdot "
         r"\hat{x}_2^0 \mathbf{v}_2",
         OK, r"bold v_i, \cdot between scalars"),
    Case("closed-vec", "quad.closed-form",
         r"\hat{x}_1^0 \left(1 - \alpha \lambda_1\right)^k \vec{v}_1 + \hat{x}_2^0 \left(1 - \alpha "
         r"\lambda_2\right)^k \vec{v}_2",
         OK, r"\vec{v}_i is v_i"),
    Case("closed-exponent", "quad.closed-form",
         r"\hat{x}_1^0 (1 - \alpha \lambda_1)^{k+1} v_1 + \hat{x}_2^0 (1 - \alpha \lambda_2)^{k+1} v_2", WRONG,
         "off by one step: at k = 0 it is not x^0 - x^*"),
    Case("closed-sign", "quad.closed-form",
         r"\hat{x}_1^0 (1 + \alpha \lambda_1)^k v_1 + \hat{x}_2^0 (1 + \alpha \lambda_2)^k v_2", WRONG, "a sign error"),
    Case("closed-unhatted", "quad.closed-form",
         r"x_1^0 (1 - \alpha \lambda_1)^k v_1 + x_2^0 (1 - \alpha \lambda_2)^k v_2", WRONG,
         "x_i^0 are x^0's coordinates, not those of V^T (x^0 - x^*)"),
    Case("closed-exponential", "quad.closed-form",
         r"\hat{x}_1^0 e^{-\alpha \lambda_1 k} v_1 + \hat{x}_2^0 e^{-\alpha \lambda_2 k} v_2", WRONG,
         "the gradient-flow decay, not gradient descent's (1 - alpha lambda)^k: differs at k = 1"),
    Case("closed-unbalanced-brace", "quad.closed-form",
         r"\hat{x}_1^0 (1 - \alpha \lambda_1)^{k v_1 + \hat{x}_2^0 (1 - \alpha \lambda_2)^k v_2", UNREADABLE,
         "an unclosed brace"),
    # --- adamax.update: max(beta_2 v^{(k-1)}, |g|) (Kingma and Ba) ---------------------------------
    Case("adamax-max-paren", "adamax.update", r"\max(\beta_2 v^{(k-1)}, |\partial_W E^{(k)}|)", OK,
         "the p -> oo limit of Adam's L^p update"),
    Case("adamax-max-braces", "adamax.update", r"\max\{\beta_2 v^{(k-1)}, |\partial_W E^{(k)}|\}", OK,
         r"\max\{a, b\} is max(a, b)"),
    Case("adamax-max-left-cdot", "adamax.update",
         r"\max\left\{\beta_2 \cdot v^{(k-1)}, \left|\partial_W E^{(k)}\right|\right\}", OK, r"\cdot between scalars"),
    Case("adamax-norm", "adamax.update", r"\max(\beta_2 v^{(k-1)}, \|\partial_W E^{(k)}\|)", OK,
         "the norm of a scalar is its absolute value"),
    Case("adamax-lVert", "adamax.update", r"\max\left(\beta_2 v^{(k-1)}, \lVert \partial_W E^{(k)} \rVert\right)", OK,
         r"\lVert g \rVert = |g| for a scalar"),
    Case("adamax-sgn", "adamax.update",
         r"\max(\beta_2 v^{(k-1)}, \operatorname{sgn}(\partial_W E^{(k)}) \, \partial_W E^{(k)})", OK,
         "sgn(g) g = |g|"),
    Case("adamax-sign", "adamax.update",
         r"\max(\beta_2 v^{(k-1)}, \partial_W E^{(k)} \operatorname{sign}(\partial_W E^{(k)}))",
         OK, "g sign(g) = |g|"),
    Case("adamax-swapped", "adamax.update", r"\max(|\partial_W E^{(k)}|, \beta_2 v^{(k-1)})", OK, "max is symmetric"),
    Case("adamax-solution-slip", "adamax.update",
         r"\max(\beta_2 v^{(k-1)}, (1 - \beta_2) |\partial_W E^{(k)}|)", WRONG,
         "the limit leaves no (1 - beta_2): beta2 = 1/2, v = 1, g = 4 gives 2, not 4"),
    Case("adamax-no-abs", "adamax.update", r"\max\{\beta_2 v^{(k-1)}, \partial_W E^{(k)}\}", WRONG,
         "|g| is missing: g = -4, v = 1, beta2 = 1/2 gives 1/2, not 4"),
    Case("adamax-adam-average", "adamax.update", r"\beta_2 v^{(k-1)} + (1 - \beta_2) |\partial_W E^{(k)}|", WRONG,
         "Adam's moving average, not the infinity norm: v = 0, g = 1, beta2 = 1/2 gives 1/2, not 1"),
    Case("adamax-missing-beta", "adamax.update", r"\max(v^{(k-1)}, |\partial_W E^{(k)}|)", WRONG,
         "the decay beta_2 is missing: v = 1, g = 0 gives 1, not beta2"),
    Case("adamax-norm-squared", "adamax.update", r"\max\{\beta_2 v^{(k-1)}, \|\partial_W E^{(k)}\|^2\}", WRONG,
         "|g|^2, not |g|: g = 2, v = 0 gives 4, not 2"),
    # --- more of each form, and the wrong twins of the forms above -------------------------------
    Case("expand-reordered", "reg.expand", r"w_1^2 s_{11} + w_1 w_2 s_{12} + w_2 w_1 s_{21} + w_2^2 s_{22}", OK,
         "the four terms of sum_ij w_i s_ij w_j"),
    Case("expand-transposed-grouping", "reg.expand",
         r"\left(s_{11} w_1 + s_{21} w_2\right) w_1 + \left(s_{12} w_1 + s_{22} w_2\right) w_2", OK,
         "(S^T w)^T w = w^T S w: the same four terms"),
    Case("expand-sign", "reg.expand", r"s_{11} w_1^2 + (s_{12} + s_{21}) w_1 w_2 - s_{22} w_2^2",
         WRONG, "a sign error"),
    Case("x2-mathrm-d", "beale.grad-x2",
         r"$$\frac{\mathrm{d} f}{\mathrm{d} x_2} = 2 x_1 G1 + 4 x_1 x_2 G2 + 6 x_1 x_2^2 G3$$", OK,
         "the right derivative under an upright-d left side"),
    Case("x2-power", "beale.grad-x2", r"2 x_1 G1 + 4 x_1 x_2 G2 + 6 x_1 x_2^3 G3", WRONG,
         "d x2^3 / dx2 = 3 x2^2, not 3 x2^3"),
    Case("convex-not-convex", "beale.convex",
         r"It is not convex: $\det \nabla^2 f(0, 0) = -9 < 0$.", OK, "says not convex, with a right reason"),
    Case("convex-it-is", "beale.convex", "It is convex, since every term is a square.", WRONG,
         "says convex; the Hessian at (0, 0) is indefinite"),
    Case("dyhat-split", "bp.dJ-dyhat",
         r"-\frac{y^{(i)}}{m \hat{y}^{(i)}} + \frac{1 - y^{(i)}}{m (1 - \hat{y}^{(i)})}", OK, "the 1/m distributed"),
    Case("dyhat-missing-term", "bp.dJ-dyhat", r"-\frac{1}{m} \cdot \frac{y^{(i)}}{\hat{y}^{(i)}}", WRONG,
         "the (1 - y) log(1 - yhat) term's derivative is missing"),
    Case("product-order-mathsf", "pd.product",
         r"y^\mathsf{T} \frac{\partial x}{\partial z} + x^\mathsf{T} \frac{\partial y}{\partial z}", OK,
         "the two terms in the other order"),
    Case("product-crossed", "pd.product",
         r"x^T \frac{\partial x}{\partial z} + y^T \frac{\partial y}{\partial z}", WRONG,
         "each vector times its own derivative: the factors are crossed"),
    Case("chain-partial-order", "pd.chain", r"\partial_z x \, A", WRONG,
         "(n x p)(m x n): the factors in the wrong order"),
    Case("product-partial-missing-term", "pd.product", r"x^T \partial_z y", WRONG,
         "the term y^T dx/dz is missing"),
    Case("inverse-partial-sign", "pd.inverse", r"A^{-1} (\partial_{\alpha} A) A^{-1}", WRONG, "a sign error"),
    Case("inverse-mathrm-d-sign", "pd.inverse", r"A^{-1} \frac{\mathrm{d} A}{\mathrm{d} \alpha} A^{-1}", WRONG,
         "a sign error"),
    Case("dW1-relu-not-prime", "bp.dJ-dW1", r"(\hat{y} - y) \left(W_2^T \odot \operatorname{ReLU}(z_1)\right) x^T",
         WRONG, "ReLU where its derivative belongs"),
    Case("relu-one-minus-prime", "bp.da1-dz1", r"\operatorname{diag}(1 - \operatorname{ReLU}'(z_1))", WRONG,
         "1 - 1[z > 0] = 1[z < 0]: flipped", bug=BROADCAST),
    Case("adamax-sign-for-abs", "adamax.update", r"\max(\beta_2 v^{(k-1)}, \operatorname{sign}(\partial_W E^{(k)}))",
         WRONG, "sign(g), not |g|: g = 4, v = 0 gives 1, not 4"),
    Case("sigmoid-exp-wrong", "bp.dyhat-dz2", r"\frac{\exp(z_2)}{\left(1 + \exp(-z_2)\right)^2}", WRONG,
         "e^{z} sigma(z)^2 = sigma(z) (1 - sigma(z)) e^{2z}: not sigma'"),
    Case("stationary-nabla-moved", "beale.stationary",
         r"$$\nabla f(0, 1) = \begin{bmatrix} 0 \\ 1 \end{bmatrix}$$" "\n\n"
         r"$$x^{t+1} = x^t - \alpha \nabla f(x^t) = \begin{bmatrix} 0 \\ 1 - \alpha \end{bmatrix}$$", WRONG,
         "df/dx2 at (0, 1) is 0 (every term has a factor x1), not 1; the step from it is wrong too"),
    Case("gradient-nabla-h-sign", "quad.gradient", r"$$\nabla h(x) = Q^T x - c$$", WRONG, "a sign error"),
]


def body(case: Case) -> str:
    """The Markdown under the question's heading."""
    text = case.answer
    for name, value in {**BEALE, **PSI}.items():
        text = text.replace(name, value)
    lhs = LHS[case.qid]
    if "$$" in text or case.qid == "beale.convex":
        return text
    return f"$${text}$$" if lhs is None else f"$${lhs} = {text}$$"


def submissions() -> dict[str, list[Case]]:
    """The i-th case of each question goes into file i: no file answers a question twice."""
    by_question: dict[str, list[Case]] = defaultdict(list)
    for case in CASES:
        by_question[case.qid].append(case)
    files: dict[str, list[Case]] = defaultdict(list)
    for cases in by_question.values():
        for i, case in enumerate(cases):
            files[f"corpus-{i:02d}"].append(case)
    return files


def test_the_corpus_is_well_formed() -> None:
    from verify.grading.assignment import load_assignment

    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 220
    ids = load_assignment("hw1").ids
    assert set(LHS) == ids
    for qid in ids:
        marks = [c.expected for c in CASES if c.qid == qid]
        assert marks.count(OK) >= 2 and marks.count(WRONG) >= 2, qid


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every case's QuestionGrade, by case name, from one batched grade_files call."""
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import grade_files

    folder = tmp_path_factory.mktemp("notation-corpus")
    files = submissions()
    paths = []
    for name, cases in files.items():
        text = "".join(f"\n## {c.qid}\n\n{body(c)}\n" for c in cases)
        paths.append(folder / f"{name}.md")
        paths[-1].write_text(f"---\nstudent: {name}\n---\n{text}", encoding="utf-8")
    start = time.perf_counter()
    grades = grade_files(load_assignment("hw1"), paths)
    print(f"\ngraded {len(CASES)} cases in {len(paths)} files: {time.perf_counter() - start:.1f} s")
    out: dict[str, object] = {}
    for grade in grades:
        by_id = {q.id: q for q in grade.questions}
        for case in files[Path(grade.file).stem]:
            out[case.name] = by_id[case.qid]
    return out


def _params() -> list[object]:
    return [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else [])
            for c in CASES]


@pytest.mark.parametrize("case", _params())
def test_the_final_answer_gets_the_verdict_derived_by_hand(case: Case, graded: dict[str, object]) -> None:
    q = graded[case.name]
    assert q.verdict is case.expected, (  # type: ignore[attr-defined]
        f"{case.qid}: ${body(case)}$ expected {case.expected.value} ({case.why}), "
        f"got {q.verdict.value}: {q.feedback}"  # type: ignore[attr-defined]
    )
