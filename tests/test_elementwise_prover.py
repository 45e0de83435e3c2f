"""Elementwise functions of vectors, diag and ⊙ in the size-independent prover (issue 15): the
identities of a backpropagation proved for every size, wrong ones never, and every proof re-checked
by instantiation at two non-square sizes.

The rules, each an identity of columns of one size n (so of every size): u ⊙ v = diag(u) v and
the entrywise product is commutative and associative, so diag(a_1) ... diag(a_k) t is one
product of k + 1 columns in any order; diag is linear, diag(u ⊙ v) = diag(u) diag(v), diag(1) = I,
1 ⊙ u = u; d f(u) = diag(f'(u)) du with exp' = exp, sigmoid' = sigmoid - sigmoid^2,
tanh' = 1 - tanh^2; sigmoid(-u) = 1 - sigmoid(u) and tanh(-u) = -tanh(u).
"""

from __future__ import annotations

import pytest
import sympy

from checking import proof_rechecked
from verify.deciding.engine import decide
from verify.deciding.proof.noncommutative import METHOD, prove_all_sizes
from verify.model import D, Equality, Expr, Hadamard, Identity, Symbols, Var, Verdict, apply, matrix, vector

x, y, z, b, r = (Var(n) for n in "x y z b r".split())
W, V, K = Var("W"), Var("V"), Var("K")

#: x, y, z columns of n; W is m x n (a layer), V is k x m (the next), b a bias of m, r a target of k.
SYMBOLS = [vector("x", "n"), vector("y", "n"), vector("z", "n"), matrix("W", "m", "n"), matrix("V", "k", "m"),
           matrix("K", "n", "n"), vector("b", "m"), vector("r", "k")]


def sig(e: Expr) -> Expr:
    return apply("sigmoid", e)


def diag(e: Expr) -> Expr:
    return apply("diag", e)


def had(a: Expr, c: Expr) -> Expr:
    return Hadamard(a, c)


def claim(lhs: Expr, rhs: Expr, layout: str = "numerator") -> Equality:
    return Equality(id="c", statement="", symbols=Symbols.of(SYMBOLS), lhs=lhs, rhs=rhs, layout=layout)


h = sig(W * x + b)  # the hidden layer
out = V * h  # the output
loss = (out - r).T * (out - r) / 2
delta = had(had(V.T * (out - r), h), sig(-(W * x + b)))  # dL/d(Wx + b) as a column: sigmoid' = s ⊙ s(-u)

TRUE = {
    # (x ⊙ y)_i = x_i y_i = (y ⊙ x)_i = (diag(x) y)_i
    "commutative": claim(had(x, y), had(y, x)),
    "as diag": claim(had(x, y), diag(x) * y),
    # (diag(x) diag(y))_ii = x_i y_i = diag(x ⊙ y)_ii
    "diag of a product": claim(diag(x) * diag(y), diag(had(x, y))),
    # (x ⊙ y)^T z = sum x_i y_i z_i = x^T diag(y) z = z^T diag(x) y
    "triple product": claim(had(x, y).T * z, z.T * diag(x) * y),
    # d(x ⊙ y)/dx: entry (i, j) is d(x_i y_i)/dx_j = y_i [i = j]
    "jacobian of a product": claim(D(had(x, y), x), diag(y)),
    # d sigma(Kx)/dx = diag(sigma'(Kx)) K, sigma' = sigma (1 - sigma) = sigma ⊙ sigma(-.)
    "sigmoid layer": claim(D(sig(K * x), x), diag(had(sig(K * x), sig(-(K * x)))) * K),
    # the same with sigma' written as diag(s) - diag(s)^2
    "sigmoid layer, squares": claim(D(sig(K * x), x), (diag(sig(K * x)) - diag(sig(K * x)) ** 2) * K),
    # d tanh(Kx)/dx = (I - diag(tanh(Kx))^2) K
    "tanh layer": claim(D(apply("tanh", K * x), x), (Identity() - diag(apply("tanh", K * x)) ** 2) * K),
    # sigma(-u) = 1 - sigma(u): so sigma(x) + sigma(-x) has every entry 1, and
    # diag(sigma(x) + sigma(-x)) = I
    "sigmoid of minus": claim(diag(sig(x) + sig(-x)), Identity("n")),
    # tanh is odd
    "tanh of minus": claim(apply("tanh", -x) + apply("tanh", x), 0 * x),
    # backpropagation, numerator layout: dL/dx = delta^T W, with L = |V s(Wx + b) - r|^2 / 2:
    # dL = (out - r)^T V diag(s')(W dx) and diag(s') V^T (out - r) = V^T (out - r) ⊙ s'
    "backprop to the input": claim(D(loss, x), delta.T * W),
    # dL/db = delta^T (numerator layout: a row)
    "backprop to the bias": claim(D(loss, b), delta.T),
    # dL/dW in denominator layout (W's shape): dL = delta^T dW x = tr(x delta^T dW): gradient delta x^T
    "backprop to the weights": claim(D(loss, W), delta * x.T, layout="denominator"),
    # dL/dV = (out - r) h^T (denominator)
    "backprop to the last layer": claim(D(loss, V), (out - r) * h.T, layout="denominator"),
}

FALSE = {
    # the activation's derivative forgotten: (out - r)^T V instead of delta^T (sigma' <= 1/4 < 1
    # everywhere, so they differ wherever V^T (out - r) != 0)
    "forgotten derivative": claim(D(loss, b), (out - r).T * V),
    # sigma' = sigma (1 - sigma) < sigma: diag(sigma(Kx)) K differs wherever K != 0
    "sigmoid derivative is not sigmoid": claim(D(sig(K * x), x), diag(sig(K * x)) * K),
    # (x ⊙ y)^T z = sum x_i y_i z_i; (x^T y)(z^T y) differs at n = 1, x = z = 1, y = 2: 2 against 4
    "hadamard is not a product of sums": claim(had(x, y).T * z, (x.T * y) * (z.T * y)),
    # dL/dW = delta x^T (denominator), not twice that (delta != 0 at almost every point)
    "weights gradient doubled": claim(D(loss, W), 2 * delta * x.T, layout="denominator"),
}


@pytest.mark.parametrize("name", list(TRUE))
def test_true_identities_are_proved_for_every_size(name: str) -> None:
    assert prove_all_sizes(TRUE[name]) == METHOD


@pytest.mark.parametrize("name", list(FALSE))
def test_false_claims_are_never_proved_and_are_refuted(name: str) -> None:
    assert prove_all_sizes(FALSE[name]) is None
    assert decide(FALSE[name], timeout=120).verdict is Verdict.REFUTED


NON_SQUARE = ({"n": 2, "m": 3, "k": 1}, {"n": 3, "m": 2, "k": 2})


@pytest.mark.parametrize("sizes", NON_SQUARE, ids=["wide", "tall"])
@pytest.mark.parametrize("name", list(TRUE))
def test_every_proof_is_rechecked_by_instantiation(name: str, sizes: dict[str, int]) -> None:
    proof_rechecked(TRUE[name], sizes, lambda d: sympy.simplify(d) == 0)
