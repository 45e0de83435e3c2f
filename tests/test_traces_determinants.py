"""Traces, determinants, scalar functions and gradients by a matrix in the size-independent prover
(issue 15): proved for every size where the identity holds, never proved where it fails, and every
proof re-checked by instantiation at two non-square sizes.

Each claim's truth is derived by hand in the comment above it, from the differential: for a scalar
f of the m x n matrix X, df = tr(P dX) for all dX means df/dX_ij = P_ji, so the gradient in
denominator layout (the shape of X) is P^T, and in numerator layout (n x m) it is P.
"""

from __future__ import annotations

import random

import pytest
import sympy

from checking import proof_rechecked
from verify.deciding.engine import decide
from verify.deciding.proof.hints import TRANSPOSES, hint
from verify.deciding.proof.noncommutative import METHOD, prove_all_sizes
from verify.model import D, Equality, Expr, Identity, Symbol, Symbols, Var, Verdict, apply, matrix, scalar, vector

X, A, B, C, S, M = (Var(n) for n in "X A B C S M".split())
a, b, x, t, c = (Var(n) for n in "a b x t c".split())

#: X is m x n (tall and wide both tried below); A n x n; B n x m; C m x m; S invertible n x n.
SYMBOLS = [matrix("X", "m", "n"), matrix("A", "n", "n"), matrix("B", "n", "m"), matrix("C", "m", "m"),
           matrix("S", "n", "n", invertible=True), matrix("M", "n", "n", invertible=True, of=("t",)),
           vector("a", "m"), vector("b", "n"), vector("x", "n"), scalar("t"), scalar("c")]


def tr(e: Expr) -> Expr:
    return apply("tr", e)


def det(e: Expr) -> Expr:
    return apply("det", e)


def claim(lhs: Expr, rhs: Expr, layout: str = "denominator", symbols: list[Symbol] = SYMBOLS) -> Equality:
    return Equality(id="c", statement="", symbols=Symbols.of(symbols), lhs=lhs, rhs=rhs, layout=layout)


TRUE = {
    # d tr(BX) = tr(B dX): P = B, the gradient is B^T (denominator).
    "d tr(BX)/dX": claim(D(tr(B * X), X), B.T),
    # the same in numerator layout: P = B itself.
    "d tr(BX)/dX, numerator": claim(D(tr(B * X), X), B, layout="numerator"),
    # tr(X^T B^T) = tr(B X): d = tr(B dX), gradient B^T.
    "d tr(X^T B^T)/dX": claim(D(tr(X.T * B.T), X), B.T),
    # d tr(X A X^T) = tr(dX A X^T) + tr(X A dX^T) = tr(A X^T dX) + tr(A^T X^T dX): P = (A + A^T) X^T,
    # the gradient X (A^T + A).
    "d tr(X A X^T)/dX": claim(D(tr(X * A * X.T), X), X * A.T + X * A),
    # tr(X^T X): d = 2 tr(X^T dX), gradient 2 X.
    "d tr(X^T X)/dX": claim(D(tr(X.T * X), X), 2 * X),
    # a^T X b = tr(b a^T X): P = b a^T, gradient a b^T.
    "d a^T X b/dX": claim(D(a.T * X * b, X), a * b.T),
    # Jacobi: d det S = det S tr(S^{-1} dS): P = det(S) S^{-1}, gradient det(S) S^{-T}.
    "d det(S)/dS": claim(D(det(S), S), det(S) * S.I.T),
    # d log det S = tr(S^{-1} dS): gradient S^{-T}.
    "d log det(S)/dS": claim(D(apply("log", det(S)), S), S.I.T),
    # the same in numerator layout: P = S^{-1}.
    "d log det(S)/dS, numerator": claim(D(apply("log", det(S)), S), S.I, layout="numerator"),
    # cyclic: tr(XAB) = tr(BXA) (each is sum x_ij a_jk b_ki), X m x n, B n x m.
    "cyclic": claim(tr(X * A * B), tr(B * X * A)),
    # tr(W^T) = tr(W): the diagonal is unchanged.
    "transpose": claim(tr(A.T), tr(A)),
    # tr(b a^T X) = a^T X b (a 1 x 1 rotation).
    "outer product": claim(tr(b * a.T * X), a.T * X * b),
    # similar matrices have one trace: tr(S^{-1} A S) = tr(A S S^{-1}) = tr(A).
    "similarity": claim(tr(S.I * A * S), tr(A)),
    # linearity: tr(2A + c A^T) = (2 + c) tr(A).
    "linearity": claim(tr(2 * A + c * A.T), (2 + c) * tr(A)),
    # det(AS) = det(A) det(S) (square, one size); det(S^{-1}) = 1/det(S); det(S^T) = det(S).
    "det of a product": claim(det(A * S), det(A) * det(S)),
    "det of an inverse": claim(det(S.I), 1 / det(S)),
    "det of a transpose": claim(det(S.T), det(S)),
    # d det M(t)/dt = det(M) tr(M^{-1} M') (Jacobi along t).
    "Jacobi along t": claim(D(det(M), t), det(M) * tr(M.I * D(M, t))),
    # d tr(M^{-1})/dt = -tr(M^{-1} M' M^{-1}).
    "trace of the inverse along t": claim(D(tr(M.I), t), -tr(M.I * D(M, t) * M.I)),
    # log(exp(c)) = c, and d/dt of exp(tr M) = exp(tr M) tr(M').
    "scalar functions": claim(D(apply("exp", tr(M)), t), apply("exp", tr(M)) * tr(D(M, t))),
    # tr(I_n) = tr(S S^{-1}) and tr(S^{-1} S): both tr of the identity, whatever n.
    "identity traces": claim(tr(S * S.I), tr(S.I * S)),
    # d(x^T S x)/dx through a trace: tr(x x^T S) = x^T S x, gradient (S + S^T) x.
    "trace of a quadratic form by a vector": claim(D(tr(x * x.T * S), x), (S + S.T) * x),
    # the matrix determinant lemma: I + x b^T has eigenvalue 1 on b's orthogonal complement (n - 1
    # of them) and 1 + b^T x on x (I + x b^T)x = (1 + b^T x) x: det = 1 + b^T x (n = 1: 1 + x b).
    "matrix determinant lemma": claim(det(Identity() + x * b.T), 1 + b.T * x),
    # the same with the column B a (n x 1, B n x m) and the row b^T: 1 + b^T B a.
    "lemma through a rectangular product": claim(det(Identity() + B * a * b.T), 1 + b.T * B * a),
    # with a minus and one vector: det(I - x x^T) = 1 - x^T x (I - x x^T has eigenvalue 1 - x^T x on x)
    "lemma, minus": claim(det(Identity() - x * x.T), 1 - x.T * x),
}

FALSE = {
    # tr(A S A^T) = tr(A^T A S) is not tr(A A^T S) (a swap, not a rotation): A = E_12 gives
    # A^T A = E_22 and A A^T = E_11, so with S = diag(1, 2): 2 against 1.
    "not cyclic": claim(tr(A * S * A.T), tr(A * A.T * S)),
    # d tr(X A X^T)/dX is X(A + A^T), not 2 X A, unless A is symmetric (X = I, A = E_12, n = m = 2).
    "missing symmetrisation": claim(D(tr(X * A * X.T), X), 2 * X * A),
    # d log det S / dS is S^{-T} in denominator layout; S^{-1} differs for a non-symmetric S.
    "log det layout": claim(D(apply("log", det(S)), S), S.I),
    # det(cA) = c^n det(A), not c det(A) (n = 2, c = 2, A = I: 4 against 2).
    "det of a multiple": claim(det(c * A), c * det(A)),
    # det(XB) (m x m) is not det(BX) (n x n): at m = 1, n = 2 with X = (1, 0), B = (1, 0)^T,
    # det(XB) = 1 while BX = E_11 is singular.
    "det of a rectangular product": claim(det(X * B), det(B * X)),
    # Jacobi without the determinant factor: d det S / dS = det(S) S^{-T}, not S^{-T}.
    "Jacobi without det": claim(D(det(S), S), S.I.T),
    # the lemma with the wrong inner product: at n = 1, det(1 + x b) = 1 + x b, not 1 + x^2 (x = 1, b = 0)
    "lemma, wrong product": claim(det(Identity() + x * b.T), 1 + x.T * x),
    # without its 1: at x = 0, det(I) = 1 against 0
    "lemma without its 1": claim(det(Identity() + x * b.T), b.T * x),
    # the scale counted once: det(c I + x b^T) = c^(n-1) (c + b^T x), not c + b^T x (n = 2, c = 2, x = 0: 4 vs 2)
    "lemma scaled once": claim(det(c * Identity() + x * b.T), c + b.T * x),
}


@pytest.mark.parametrize("name", list(TRUE))
def test_true_identities_are_proved_for_every_size(name: str) -> None:
    assert prove_all_sizes(TRUE[name]) == METHOD


@pytest.mark.parametrize("name", list(FALSE))
def test_false_claims_are_not_proved(name: str) -> None:
    assert prove_all_sizes(FALSE[name]) is None


@pytest.mark.parametrize("name", list(FALSE))
def test_false_claims_are_refuted_by_the_engine(name: str) -> None:
    assert decide(FALSE[name], timeout=60).verdict is Verdict.REFUTED


def test_the_hand_chosen_counterexamples_are_counterexamples() -> None:
    e12 = sympy.Matrix([[0, 1], [0, 0]])
    s_ = sympy.diag(1, 2)
    assert (e12 * s_ * e12.T).trace() == 2 and (e12 * e12.T * s_).trace() == 1  # "not cyclic"
    x_, a_ = sympy.eye(2), e12
    assert x_ * (a_ + a_.T) != 2 * x_ * a_
    assert (2 * sympy.eye(2)).det() != 2 * sympy.eye(2).det()
    xr, bc = sympy.Matrix([[1, 0]]), sympy.Matrix([[1], [0]])
    assert (xr * bc).det() == 1 and (bc * xr).det() == 0


#: Two non-square bindings (tall and wide) for the re-check of every proof.
NON_SQUARE = ({"m": 2, "n": 3}, {"m": 3, "n": 2})


@pytest.mark.parametrize("sizes", NON_SQUARE, ids=["wide", "tall"])
@pytest.mark.parametrize("name", list(TRUE))
def test_every_proof_is_rechecked_by_instantiation(name: str, sizes: dict[str, int]) -> None:
    proof_rechecked(TRUE[name], sizes)



def test_the_trace_itself_is_differentiated_and_a_kink_is_not() -> None:
    square = [matrix("X", "n", "n")]
    # d tr X = tr(I dX): the gradient is I in either layout
    assert prove_all_sizes(claim(D(tr(X), X), Identity(), symbols=square)) == METHOD
    # ReLU has no derivative at its kink: outside the rule base, the points decide
    relu = claim(D(tr(apply("relu", X)), X), Identity(), symbols=square)
    assert prove_all_sizes(relu) is None


def test_the_layout_hint_survives_a_symmetric_point() -> None:
    # lhs = S^{-T}, rhs = S^{-1}: at a symmetric S the two are equal, and that point must not
    # hide what the others show (they are transposes everywhere, and differ somewhere).
    rng = random.Random(0)
    pairs = []
    for symmetric in (False, True, False):
        m = sympy.Matrix(2, 2, lambda i, j: rng.randint(1, 9))
        m = m + m.T if symmetric else m
        pairs.append((m.inv().T, m.inv()))
    assert pairs[1][0] == pairs[1][1]
    assert hint(pairs) == TRANSPOSES
    assert hint([pairs[1]]) == ""  # alone, an equal pair shows nothing


def test_a_layout_mix_up_is_proved_to_be_one() -> None:
    # d log det S/dS = S^{-1} in denominator layout is false (S^{-T}), and the detail says the
    # sides are transposes at every size: proved, not only seen at the points.
    r = decide(FALSE["log det layout"], timeout=60)
    assert r.verdict is Verdict.REFUTED
    assert "transpose of the right at every size (proved)" in r.detail
