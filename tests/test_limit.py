"""Limit claims that are not in HW1: SymPy's limit checked, a checked squeeze, exact refutations.

Each expected verdict is derived by hand next to it. Refutations are re-checked here: the
reported limit is recomputed from the reported values by a route independent of the one the
engine took (a float evaluation close to the limit point, or the max the squeeze predicts).
"""

from __future__ import annotations

import time
from fractions import Fraction

import mpmath
import pytest
import sympy

from verify.deciding.engine import decide
from verify.deciding.kinds.limit import (
    Interval,
    _OutOfTime,
    budget,
    parse_assumptions,
    parse_point,
    pieces,
    zero_by_cases,
)
from verify.errors import VerifyError
from verify.model.claim import Limit
from verify.model.expr import Expr, Var, apply, col, lift, maximum
from verify.model.result import Result, Verdict
from verify.model.symbols import Symbols, scalar

p, x, n, a, b, c, g = (Var(name) for name in ("p", "x", "n", "a", "b", "c", "g"))
SYMBOLS = Symbols.of([scalar(name) for name in ("p", "x", "n", "a", "b", "c", "g")])


def limit(expr: object, var: Var, at: str, rhs: object, *assumptions: str) -> Limit:
    return Limit(id=f"test-{expr}-{rhs}-{assumptions}", statement="", symbols=SYMBOLS, expr=lift(expr),
                 var=var, at=at, rhs=lift(rhs), assumptions=assumptions)


def run(claim: Limit) -> Result:
    return decide(claim, timeout=60)


def norm(*terms: Expr) -> Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total ** (1 / p)


# --- SymPy's limit, checked ------------------------------------------------------------------


def test_derivative_of_exp_at_zero() -> None:
    # (e^{ax} - 1)/x -> a as x -> 0 from either side (the derivative of e^{ax} at 0).
    result = run(limit((apply("exp", a * x) - 1) / x, x, "0", a))
    assert result.verdict is Verdict.PROVED
    assert "SymPy" in result.detail


def test_compound_interest() -> None:
    # (1 + a/n)^n -> e^a.
    assert run(limit((1 + a / n) ** n, n, "oo", apply("exp", a))).verdict is Verdict.PROVED


def test_logarithm_grows_slower_than_x() -> None:
    assert run(limit(apply("log", x) / x, x, "oo", 0)).verdict is Verdict.PROVED


def test_vector_limit_entry_by_entry() -> None:
    # sigma(x) -> 1 and tanh(x) -> 1 as x -> oo.
    claim = limit(col(apply("sigmoid", x), apply("tanh", x)), x, "oo", col(1, 1))
    assert run(claim).verdict is Verdict.PROVED


def test_wrong_factor_is_refuted_at_exact_values() -> None:
    # The limit is a, not 2a: they differ whenever a != 0.
    result = run(limit((apply("exp", a * x) - 1) / x, x, "0", 2 * a))
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None
    value = Fraction(cx.values["a"])
    assert Fraction(cx.lhs) == value and Fraction(cx.rhs) == 2 * value != value
    with mpmath.workdps(60):  # independent: the difference quotient at a tiny x
        exact, h = mpmath.mpf(value.numerator) / value.denominator, mpmath.mpf("1e-20")
        assert abs((mpmath.exp(exact * h) - 1) / h - exact) < mpmath.mpf("1e-10")


def test_sigmoid_at_minus_infinity_is_zero() -> None:
    result = run(limit(apply("sigmoid", x), x, "-oo", 1))
    assert result.verdict is Verdict.REFUTED
    assert result.counterexample is not None and result.counterexample.lhs == "0"


# --- the squeeze -----------------------------------------------------------------------------


def test_p_norm_tends_to_max() -> None:
    # max(a, b) <= (a^p + b^p)^{1/p} <= 2^{1/p} max(a, b) for a, b >= 0.
    result = run(limit(norm(a**p, b**p), p, "oo", maximum(a, b), "a >= 0", "b >= 0"))
    assert result.verdict is Verdict.PROVED
    assert "squeeze" in result.detail
    assert "0 <= a" in result.scope and "0 <= b" in result.scope


def test_weighted_three_term_norm() -> None:
    # Constant positive weights do not matter: (2a^p + 3b^p + c^p)^{1/p} -> max(a, b, c).
    claim = limit(norm(2 * a**p, 3 * b**p, c**p), p, "oo", maximum(a, b, c), "a >= 0", "b >= 0", "c >= 0")
    assert run(claim).verdict is Verdict.PROVED


def test_weight_tending_to_one_and_a_base_in_an_interval() -> None:
    # (b^p a^p + (1 - b^p) c^p)^{1/p} -> max(b a, c) for 0 < b < 1, a, c >= 0: the weight
    # 1 - b^p tends to 1 and b^p a^p = (b a)^p.
    claim = limit(norm(b**p * a**p, (1 - b**p) * c**p), p, "oo", maximum(b * a, c),
                  "0 < b < 1", "a >= 0", "c >= 0")
    result = run(claim)
    assert result.verdict is Verdict.PROVED
    assert "0 < b < 1" in result.scope


def test_closed_interval_is_covered_with_its_endpoint() -> None:
    # (b^p + 1)^{1/p} -> max(b, 1) = 1 for 0 <= b <= 1.
    assert run(limit(norm(b**p, lift(1)), p, "oo", 1, "0 <= b <= 1")).verdict is Verdict.PROVED


def test_sum_instead_of_max_is_refuted_by_the_squeeze() -> None:
    # The limit is max(a, b), not a + b (they differ when both are positive).
    result = run(limit(norm(a**p, b**p), p, "oo", a + b, "a >= 0", "b >= 0"))
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None
    va, vb = Fraction(cx.values["a"]), Fraction(cx.values["b"])
    assert va >= 0 and vb >= 0
    assert Fraction(cx.lhs) == max(va, vb) and Fraction(cx.rhs) == va + vb != max(va, vb)


def test_bound_outside_the_interval_is_refuted_inside_it() -> None:
    # For 0 <= b <= 2 the limit is max(b, 1), which is b > 1 for b in (1, 2]: the claim "= 1" fails.
    result = run(limit(norm(b**p, lift(1)), p, "oo", 1, "0 <= b <= 2"))
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None and 1 < Fraction(cx.values["b"]) <= 2
    assert Fraction(cx.lhs) == Fraction(cx.values["b"])


def test_vanishing_weight_is_not_claimed_either_way() -> None:
    # ((1/p) a^p + b^p)^{1/p} -> max(a, b) is true ((1/p)^{1/p} -> 1), but the squeeze here needs a
    # positive limit of each weight: whatever is decided, it must not be refuted.
    claim = limit(norm((1 / p) * a**p, b**p), p, "oo", maximum(a, b), "a >= 0", "b >= 0")
    assert run(claim).verdict in (Verdict.PROVED, Verdict.UNKNOWN)


def test_no_assumptions_no_squeeze() -> None:
    # Without a, b >= 0 the claim is not even meaningful (a = -1, p = 1/2); never proved.
    assert run(limit(norm(a**p, b**p), p, "oo", maximum(a, b))).verdict is not Verdict.PROVED


def test_nonexistent_two_sided_limit_is_not_proved() -> None:
    # The step function jumps at 0: no two-sided limit, so "= 1" is not proved.
    assert run(limit(apply("step", x), x, "0", 1)).verdict is not Verdict.PROVED


# --- reading the claim -------------------------------------------------------------------------


def test_unreadable_assumption_is_an_error() -> None:
    assert run(limit(norm(a**p, b**p), p, "oo", maximum(a, b), "a < b")).verdict is Verdict.ERROR
    assert run(limit(norm(a**p, b**p), p, "oo", maximum(a, b), "a >= zero")).verdict is Verdict.ERROR


def test_bad_limit_point_is_an_error() -> None:
    assert run(limit(x, x, "banana", 0)).verdict is Verdict.ERROR


def test_parse_point() -> None:
    assert parse_point("oo") == sympy.oo and parse_point("-\\infty") == -sympy.oo
    assert parse_point("3/2") == sympy.Rational(3, 2) and parse_point("0.25") == sympy.Rational(1, 4)
    with pytest.raises(VerifyError):
        parse_point("1+1")


def test_parse_assumptions_chains_and_flips() -> None:
    got = parse_assumptions(["0 < b <= 1", "2 > c", r"a \geq -1/2"], {"a", "b", "c"})
    assert got["b"] == Interval(sympy.Integer(0), sympy.Integer(1), lo_open=True, hi_open=False)
    assert got["c"] == Interval(-sympy.oo, sympy.Integer(2), lo_open=True, hi_open=True)
    assert got["a"] == Interval(sympy.Rational(-1, 2), sympy.oo, lo_open=False, hi_open=True)
    with pytest.raises(VerifyError):
        parse_assumptions(["b > 1", "b < 0"], {"b"})


@pytest.mark.parametrize(
    ("interval", "inside", "outside"),
    [
        (Interval(sympy.Integer(0), sympy.Integer(1)), [sympy.Rational(1, 2)], [0, 1]),
        (Interval(sympy.Integer(0), sympy.Integer(1), lo_open=False), [0, sympy.Rational(1, 3)], [1]),
        (Interval(sympy.Integer(0), sympy.Integer(1), lo_open=False, hi_open=False), [0, 1], [2]),
        (Interval(sympy.Integer(2), sympy.oo, lo_open=False), [2, 5], [1]),
    ],
)
def test_pieces_cover_the_interval_exactly(interval: Interval, inside: list, outside: list) -> None:
    """Every piece maps t >= 0 (or t > 0) into the interval, and the pieces reach the points given."""
    ps = pieces("b", interval)
    reached = set()
    for piece in ps:
        if piece.fresh is None:
            reached.add(piece.value)
            continue
        for t in (0, sympy.Rational(1, 7), 1, 3, 100):
            if t == 0 and piece.fresh.is_positive:
                continue
            value = piece.value.xreplace({piece.fresh: t})
            assert value not in outside
            assert (interval.lo < value or (value == interval.lo and not interval.lo_open))
            assert (value < interval.hi or (value == interval.hi and not interval.hi_open))
            reached.add(value)
        # the inverse exists: solve for t and check it lies in the fresh symbol's range
        for target in inside:
            sols = sympy.solve(sympy.Eq(piece.value, target), piece.fresh)
            reached |= {target for t in sols if t.is_nonnegative and (t != 0 or not piece.fresh.is_positive)}
    assert set(inside) <= reached


def test_zero_by_cases_handles_nesting_and_assumptions() -> None:
    aa = sympy.Symbol("a", nonnegative=True)
    gg = sympy.Symbol("g", real=True)
    tt = sympy.Symbol("t", nonnegative=True)
    # max(a, |g|) = (a + |g| + |a - |g||)/2, with |g| nested in |.|.
    assert zero_by_cases(sympy.Max(aa, sympy.Abs(gg)) - (aa + sympy.Abs(gg) + sympy.Abs(aa - sympy.Abs(gg))) / 2)
    # max(1/(1 + t), 1) = 1 needs t >= 0 (the branch 1/(1 + t) > 1 is excluded).
    assert zero_by_cases(sympy.Max(1 / (1 + tt), 1) - 1)
    free = sympy.Symbol("t", real=True)
    assert not zero_by_cases(sympy.Max(1 / (1 + free**2 - 2), 1) - 1)


def test_budget_interrupts() -> None:
    start = time.perf_counter()
    with pytest.raises(_OutOfTime), budget(0.2):
        while True:
            pass
    assert time.perf_counter() - start < 5
