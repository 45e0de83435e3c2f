"""Points where a claim applies exp, log, sigmoid, tanh or sqrt, enclosed in balls (issue 15's speed).

The balls decide one thing only, whether the sides certainly differ at a point, and a refutation
is still made from the exact SymPy values. So what must hold: every ball contains the exact value
the SymPy path computes at the same point (checked here against that path, at random points, for
expressions with every function, derivatives, inverses and determinants); true claims agree;
false ones are still refuted, with the same exact counterexample as without balls.
"""

from __future__ import annotations

import random

import pytest
import sympy
from flint import ctx

from verify.deciding.engine import decide
from verify.deciding.evaluation import certified
from verify.deciding.evaluation.ball_jets import BallPointEvaluator, certainly_differ
from verify.deciding.evaluation.fraction_jets import Declined
from verify.deciding.evaluation.instantiate import evaluate_sides
from verify.deciding.evaluation.jets import JetEvaluator
from verify.deciding.evaluation.sampling import Agreed, NotReal, Point, derivative_order, differentiated, evaluate
from verify.errors import ShapeError
from verify.model import (
    D,
    Equality,
    Expr,
    Hadamard,
    Identity,
    Symbols,
    Var,
    Verdict,
    apply,
    matrix,
    scalar,
    vector,
)

x, y, W, A, t, f = Var("x"), Var("y"), Var("W"), Var("A"), Var("t"), Var("f")
SYMBOLS = Symbols.of([vector("x", "n"), vector("y", "m"), matrix("W", "m", "n"), matrix("A", "n", "n", invertible=True),
                      scalar("t", positive=True), scalar("f", of=("t",))])
SIZES = {"n": 2, "m": 3}


def fn(name: str, e: Expr) -> Expr:
    return apply(name, e)


EXPRESSIONS: list[Expr] = [
    fn("exp", W * x),
    fn("sigmoid", W * x) + y,
    D(fn("sigmoid", W * x), x),
    D(fn("tanh", W * x).T * y, W),
    D(fn("log", t) * fn("sqrt", t), t),
    D(fn("exp", f * t), t, t),
    fn("log", fn("exp", x.T * A.I * x)),
    D(fn("det", A.I) * fn("sigmoid", x.T * x), x),
    Hadamard(fn("tanh", x), fn("sigmoid", A * x)),
]


def _both(expr: Expr, seed: int) -> tuple[list[list[object]], sympy.Matrix] | None:
    """The ball values and the SymPy path's exact values of ``expr`` at the same random point."""
    order = max(1, derivative_order(expr))
    point = Point(SYMBOLS, SIZES, order, random.Random(seed), differentiated(expr))
    ball = BallPointEvaluator(SYMBOLS, SIZES, "numerator", point, order)
    try:
        (value,) = ball.balls((expr,))
    except Declined:
        return None
    # the SymPy path on the same point: its dependent symbols are the draws the balls read
    ev = JetEvaluator(SYMBOLS, SIZES, point.realise, "numerator", point.atoms, order)
    (exact,) = [ev.at_point(m) for m in evaluate_sides(ev, (expr,))]
    return value, exact


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("index", range(len(EXPRESSIONS)))
def test_every_ball_contains_the_exact_value(index: int, seed: int) -> None:
    got = _both(EXPRESSIONS[index], seed)
    if got is None:  # declined (a ball around 0 where a sign or a division needs one): allowed
        return
    balls, exact = got
    flat = [b for row in balls for b in row]
    assert len(flat) == len(exact)
    with ctx.workprec(512):
        for b, e in zip(flat, exact, strict=True):
            enclosure = certified.ball(e, 512)
            assert b.contains(enclosure), f"{EXPRESSIONS[index].latex()}: {b} does not contain {enclosure}"


def _claim(lhs: Expr, rhs: Expr) -> Equality:
    return Equality(id="c", statement="", symbols=SYMBOLS, lhs=lhs, rhs=rhs)


def test_a_true_claim_agrees_in_balls_and_computes_no_exact_value() -> None:
    # d sigma(u)/du = sigma(u) sigma(-u): the balls agree, so evaluate says so without the SymPy path
    u = x.T * x
    c = _claim(D(fn("sigmoid", u), x), fn("sigmoid", u) * fn("sigmoid", -u) * 2 * x.T)
    with pytest.raises(Agreed):
        evaluate((c.lhs, c.rhs), c.symbols, SIZES, c.layout, random.Random(1), balls=True)


def test_a_difference_is_computed_exactly_where_balls_show_one() -> None:
    # sigma' is not sigma: the balls differ, and evaluate returns the exact SymPy values
    u = x.T * x
    c = _claim(D(fn("sigmoid", u), x), fn("sigmoid", u) * 2 * x.T)
    (lv, rv), _ = evaluate((c.lhs, c.rhs), c.symbols, SIZES, c.layout, random.Random(1), balls=True)
    assert any(certified.differs(a, b) for a, b in zip(lv, rv, strict=True))


def test_the_log_of_a_negative_value_leaves_the_point_unused_without_the_sympy_path() -> None:
    # d log det(A) / dA = A^{-1} (numerator layout: d log det A = tr(A^{-1} dA)). At A = diag(-1, 2),
    # det A = -2 and log det A is no real number: the balls say so (NotReal, a ValueError, so the
    # point is not used) before the SymPy path expands jets to find the same (its own ValueError).
    c = _claim(D(fn("log", apply("det", A)), A), A.I)

    def negative(point: Point) -> None:
        point.values["A"] = sympy.Matrix([[-1, 0], [0, 2]])

    with pytest.raises(NotReal):
        evaluate((c.lhs, c.rhs), c.symbols, SIZES, c.layout, random.Random(1), adjust=negative, balls=True)
    with pytest.raises(ValueError, match="not positive"):  # the SymPy path agrees: undefined there
        evaluate((c.lhs, c.rhs), c.symbols, SIZES, c.layout, random.Random(1), adjust=negative, use_fractions=False)
    # and where det A > 0 the claim's point is used, and agrees
    with pytest.raises(Agreed):
        evaluate((c.lhs, c.rhs), c.symbols, SIZES, c.layout, random.Random(1),
                 adjust=lambda p: p.values.__setitem__("A", sympy.Matrix([[1, 2], [0, 3]])), balls=True)


def test_sides_of_different_shapes_are_said_so_without_the_sympy_path(monkeypatch) -> None:
    # d tanh(W x)/dx = W^T (I - diag(tanh(W x))^2) in denominator layout (the Jacobian transposed,
    # n x m). At n = 1 x is a scalar and the left side is the entrywise derivative, m x 1, while the
    # right is 1 x m: the binding is skipped for its shapes, and no exact value is computed for it.
    c = Equality(id="c", statement="", symbols=SYMBOLS, layout="denominator", lhs=D(fn("tanh", W * x), x),
                 rhs=W.T * (Identity() - apply("diag", fn("tanh", W * x)) * apply("diag", fn("tanh", W * x))))
    import verify.deciding.evaluation.sampling as sampling

    def no_sympy(*args: object, **kwargs: object) -> None:
        raise AssertionError("the SymPy evaluator ran")

    monkeypatch.setattr(sampling, "JetEvaluator", no_sympy)
    with pytest.raises(ShapeError, match=r"shapes \(3, 1\) and \(1, 3\)"):
        evaluate((c.lhs, c.rhs), c.symbols, {"n": 1, "m": 3}, c.layout, random.Random(1), balls=True)
    with pytest.raises(Agreed):  # at n = 2 the shapes agree, and so do the values
        evaluate((c.lhs, c.rhs), c.symbols, {"n": 2, "m": 3}, c.layout, random.Random(1), balls=True)


@pytest.mark.parametrize("false", [
    # sigma'(u) = sigma(u) (1 - sigma(u)) < sigma(u): the derivative is not sigma itself
    lambda: _claim(D(fn("sigmoid", W * x), x), apply("diag", fn("sigmoid", W * x)) * W),
    # tanh' = 1 - tanh^2, not 1 + tanh^2 (they differ wherever tanh != 0)
    lambda: _claim(D(fn("tanh", t), t), 1 + fn("tanh", t) * fn("tanh", t)),
    # d log(t)/dt = 1/t, not log(t)/t (equal only at t = e)
    lambda: _claim(D(fn("log", t), t), fn("log", t) / t),
])
def test_false_claims_are_refuted_with_the_same_counterexample_as_without_balls(false, monkeypatch) -> None:
    c = false()
    with_balls = decide(c, timeout=120)
    assert with_balls.verdict is Verdict.REFUTED
    import verify.deciding.evaluation.sampling as sampling
    monkeypatch.setattr(sampling, "_by_balls", lambda *a, **k: None)  # the exact path at every point
    without = decide(c, timeout=120)
    assert without.verdict is Verdict.REFUTED
    assert with_balls.counterexample == without.counterexample


def test_balls_that_overlap_do_not_differ_and_shapes_that_differ_do() -> None:
    from flint import arb
    assert not certainly_differ([[arb("1 +/- 0.1")]], [[arb(1)]])
    assert certainly_differ([[arb("1 +/- 0.1")]], [[arb(2)]])
    assert certainly_differ([[arb(1)]], [[arb(1), arb(1)]])
