"""HW1 section 5.3, AdaMax: the update of the exponentially weighted infinity norm.

Kingma and Ba (Adam, section 7.1) define AdaMax as the p -> oo limit of Adam's L^p second
moment: with u_{t-1} >= 0 the previous value and 0 < beta_2 < 1,

    u_t = lim_{p -> oo} (beta_2^p u_{t-1}^p + (1 - beta_2^p) |g_t|^p)^{1/p} = max(beta_2 u_{t-1}, |g_t|).

The solution writes v^{(k)} = max(beta_2 v^{(k-1)}, (1 - beta_2) |dE/dW|): the factor
(1 - beta_2) of Adam's first-moment average has slipped into the max, where the limit leaves
none (the weight 1 - beta_2^p tends to 1, not to 1 - beta_2). Everything is elementwise, so
the claims are stated for one weight: v^{(k-1)} and the gradient are scalars.

Not encoded: the closing bullet is prose (robustness to noisy, sparse gradients; "does not
rely on the full history of past gradients", which is debatable, since u_t = max_i
beta_2^{t-i} |g_i| does depend on the whole history, but it is not an equation).
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from verify.model.claim import Claim, Equality, Limit
from verify.model.expr import Expr, Var, apply, maximum
from verify.model.question import Question
from verify.model.symbols import Symbol, Symbols, scalar

SECTION = "5.3 AdaMax"

beta2, v_prev, g, p = Var("beta2"), Var("v_prev"), Var("g"), Var("p")


def _beta2() -> Symbol:
    return scalar("beta2", positive=True, latex=r"\beta_2", meaning="the decay rate, 0 < beta_2 < 1")


def _beta2_in_range() -> Symbol:
    return scalar("beta2", interval=(sympy.Integer(0), sympy.Integer(1)), latex=r"\beta_2",
                  meaning="the decay rate, 0 < beta_2 < 1")


def _v_prev() -> Symbol:
    return scalar("v_prev", positive=True, latex="v^{(k-1)}",
                  meaning="the previous exponentially weighted infinity norm (nonnegative)")


def _g() -> Symbol:
    return scalar("g", latex=r"\partial_W E^{(k)}", meaning="the gradient of the error at step k (one weight)")


KINGMA_BA = maximum(beta2 * v_prev, apply("abs", g))

CLAIMS: list[Claim] = [
    Equality(
        id="adamax.update",
        section=SECTION,
        statement=r"v^{(k)} = max(\beta_2 v^{(k-1)}, (1 - \beta_2) | \partial_W E^{(k)} |)",
        # Compared with Kingma and Ba's u_k = max(beta_2 u_{k-1}, |g_k|). By hand: beta_2 = 1/2,
        # v^{(k-1)} = 1, g = 4: written max(1/2, 2) = 2, Kingma-Ba max(1/2, 4) = 4. (Also at
        # v^{(k-1)} = 0, g = 1: 1/2 against 1.) They agree only where beta_2 v^{(k-1)} >= |g|.
        expect="fails",
        why="the written update against Kingma and Ba's, for 0 < beta_2 < 1 and v^{(k-1)} > 0",
        # beta_2 declared in (0, 1): every point the engine draws, and so the counterexample, has
        # beta_2 itself inside AdaMax's range
        symbols=Symbols.of([_beta2_in_range(), _v_prev(), _g()]),
        lhs=maximum(beta2 * v_prev, (1 - beta2) * apply("abs", g)),
        rhs=KINGMA_BA,
    ),
]

REF_UPDATE = Limit(
    id="ref.adamax.update",
    section=SECTION,
    statement=r"v^{(k)} = \lim_{p \to \infty} \left(\beta_2^p (v^{(k-1)})^p + (1 - \beta_2^p) "
    r"|\partial_W E^{(k)}|^p\right)^{1/p} = \max(\beta_2 v^{(k-1)}, |\partial_W E^{(k)}|)",
    # Squeeze, with a = beta_2 v >= 0, b = |g|, w_p = 1 - beta_2^p in (0, 1) and -> 1 since beta_2 < 1:
    # if m = max(a, b), then min(1, w_p)^{1/p} m <= (a^p + w_p b^p)^{1/p} <= (1 + w_p)^{1/p} m <= 2^{1/p} m,
    # and both bounds tend to m as p -> oo (w_p^{1/p} -> 1 because w_p -> 1).
    expect="holds",
    why="Kingma and Ba's AdaMax as the limit of Adam's L^p update; 0 < beta_2 < 1, v^{(k-1)} >= 0",
    symbols=Symbols.of([
        scalar("beta2", latex=r"\beta_2", meaning="the decay rate"),
        scalar("v_prev", latex="v^{(k-1)}", meaning="the previous infinity norm"),
        _g(),
        scalar("p", latex="p", meaning="the order of the norm"),
    ]),
    expr=(beta2**p * v_prev**p + (1 - beta2**p) * apply("abs", g) ** p) ** (1 / p),
    var=p,
    at="oo",
    rhs=KINGMA_BA,
    assumptions=("0 < beta2 < 1", "v_prev >= 0"),
)



def accepts_update(answer: Expr, lhs: Expr | None = None) -> Claim:
    """A student's update is right when it is the p -> oo limit of Adam's L^p update, for
    0 < beta_2 < 1 and v^{(k-1)} >= 0: the reference claim with the answer as its right side.
    (Compared as a limit, not with max(beta_2 v, |g|) as an identity, so that a counterexample
    lies inside AdaMax's range and an answer that agrees there is right.)"""
    return replace(REF_UPDATE, id="adamax.update.answer", expect=None, why="",
                   statement=REF_UPDATE.statement.rsplit("=", 1)[0] + "= " + answer.latex(), rhs=answer)


QUESTIONS: list[Question] = [
    Question(
        id="adamax.update",
        wording=r"The AdaMax update of v^{(k)} (the exponentially weighted infinity norm) in terms of "
        r"v^{(k-1)}, \beta_2 and the gradient \partial_W E^{(k)}.",
        symbols=Symbols.of([_beta2(), _v_prev(), _g()]),
        answer=KINGMA_BA,
        reference=REF_UPDATE,
        accepts=accepts_update,
    ),
]

CLAIMS += [q.reference for q in QUESTIONS]
