"""Recurrence claims on sequences that are not in HW1: proofs by induction, refutations by iterating.

Each expected verdict is derived by hand in the comment next to it. A refutation is re-checked
by iterating the recurrence here, independently of the engine, with Fractions.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from verify.deciding.engine import decide
from verify.deciding.kinds.recurrence import PowerNames
from verify.model.claim import Recurrence
from verify.model.expr import Expr, Power, Var, apply, col, lift, mat
from verify.model.result import Result, Verdict
from verify.model.symbols import Symbol, Symbols, matrix, scalar, vector

s, k, r, c, a, b = (Var(n) for n in ("s", "k", "r", "c", "a", "b"))
x, x0, v = Var("x"), Var("x0"), Var("v")
A, B = Var("A"), Var("B")
SCALARS = [scalar(n) for n in ("s", "k", "r", "c", "a", "b")]


def recurrence(initial: object, step: object, closed: object, base: int = 0,
               symbols: list[Symbol] | None = None, sequence: Var = s) -> Recurrence:
    return Recurrence(id=f"test-{closed}", statement="", symbols=Symbols.of(symbols or SCALARS),
                      sequence=sequence, k=k, initial=lift(initial), step=lift(step),
                      closed=lift(closed), base=base)


def run(claim: Recurrence) -> Result:
    return decide(claim, timeout=60)


def two(e: object) -> Expr:
    return Power(lift(2), lift(e))


# --- proved ---------------------------------------------------------------------------------


def test_geometric_sequence() -> None:
    # c r^0 = c; c r^{k+1} = r (c r^k).
    result = run(recurrence(c, r * s, c * r**k))
    assert result.verdict is Verdict.PROVED
    assert result.scope == "every integer k >= 0"
    assert "induction" in result.detail


def test_affine_recurrence_closed_form() -> None:
    # s^{k+1} = a s^k + b: s^k = a^k c + b (a^k - 1)/(a - 1) (a != 1). Base: c. Step:
    # a (a^k c + b (a^k - 1)/(a - 1)) + b = a^{k+1} c + b (a^{k+1} - a + a - 1)/(a - 1).
    assert run(recurrence(c, a * s + b, a**k * c + b * (a**k - 1) / (a - 1))).verdict is Verdict.PROVED


def test_step_depending_on_the_index() -> None:
    # 1 + 3 + ... + (2k - 1) = k^2: (k + 1)^2 = k^2 + 2k + 1.
    assert run(recurrence(0, s + 2 * k + 1, k**2)).verdict is Verdict.PROVED


def test_base_other_than_zero() -> None:
    # s^1 = 1, s^{k+1} = s^k + (k + 1): triangular numbers k (k + 1)/2 for k >= 1.
    result = run(recurrence(1, s + k + 1, k * (k + 1) / 2, base=1))
    assert result.verdict is Verdict.PROVED
    assert result.scope == "every integer k >= 1"


def test_telescoping_sum_needs_cancel() -> None:
    # sum_{i<k} 1/((i+1)(i+2)) = k/(k+1): (k+1)/(k+2) - k/(k+1) = 1/((k+1)(k+2)).
    assert run(recurrence(0, s + 1 / ((k + 1) * (k + 2)), k / (k + 1))).verdict is Verdict.PROVED


def test_alternating_sign() -> None:
    # (-1)^k a solves s^{k+1} = -s^k, s^0 = a.
    assert run(recurrence(a, -s, Power(lift(-1), k) * a)).verdict is Verdict.PROVED


def test_vector_sequence_with_a_diagonal_step() -> None:
    # x^{k+1} = diag(2, 3) x^k: x^k = diag(2^k, 3^k) x^0.
    claim = recurrence(x0, mat([[2, 0], [0, 3]]) * x, mat([[two(k), 0], [0, Power(lift(3), k)]]) * x0,
                       symbols=[vector("x", 2), vector("x0", 2), scalar("k")], sequence=x)
    assert run(claim).verdict is Verdict.PROVED


def test_fibonacci_by_binet() -> None:
    # (F_{k+1}, F_k) = ((phi^{k+1} - psi^{k+1})/sqrt5, (phi^k - psi^k)/sqrt5), F_0 = 0, F_1 = 1;
    # phi, psi the roots of z^2 = z + 1, so phi^{k+2} = phi^{k+1} + phi^k (and psi likewise).
    root5 = apply("sqrt", lift(5))
    phi, psi = (1 + root5) / 2, (1 - root5) / 2

    def fib(n: Expr) -> Expr:
        return (Power(phi, n) - Power(psi, n)) / root5

    claim = recurrence(col(1, 0), mat([[1, 1], [1, 0]]) * x, col(fib(k + 1), fib(k)),
                       symbols=[vector("x", 2), scalar("k")], sequence=x)
    assert run(claim).verdict is Verdict.PROVED


def test_sizes_are_part_of_the_scope() -> None:
    # s^{k+1} = s^k + v^T v: s^k = c + k v^T v, for v in R^n. Base: c = c; step: c + (k + 1) v^T v =
    # c + k v^T v + v^T v. Both by the size-independent prover: every k and every n.
    claim = recurrence(c, s + v.T * v, c + k * (v.T * v), symbols=[*SCALARS, vector("v", "n")])
    result = run(claim)
    assert result.verdict is Verdict.PROVED
    assert result.scope == "every integer k >= 0; all sizes"
    # with det(A + B) (no rule for the determinant of a sum) the induction is instantiated: the
    # scope names the sizes it holds at
    sums = recurrence(c, s + apply("det", A + B), c + k * apply("det", A + B),
                      symbols=[*SCALARS, matrix("A", "n", "n"), matrix("B", "n", "n")])
    at_sizes = run(sums)
    assert at_sizes.verdict is Verdict.PROVED
    assert "k >= 0" in at_sizes.scope and "n=2" in at_sizes.scope


# --- refuted --------------------------------------------------------------------------------


def iterate(step, initial: Fraction, count: int) -> Fraction:
    value = initial
    for i in range(count):
        value = step(value, i)
    return value


def test_agreeing_for_four_terms_is_not_enough() -> None:
    # 1 + k + C(k,2) + C(k,3) equals 2^k for k = 0..3 (1, 2, 4, 8) and is 15 != 16 at k = 4.
    closed = 1 + k + k * (k - 1) / 2 + k * (k - 1) * (k - 2) / 6
    result = run(recurrence(1, 2 * s, closed))
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None and cx.values["k"] == "4"
    assert (cx.lhs, cx.rhs) == ("15", "16")
    assert Fraction(cx.rhs) == iterate(lambda value, i: 2 * value, Fraction(1), 4)


def test_wrong_base_case_is_refuted_at_the_base() -> None:
    # c r^k + 1 is c + 1 at k = 0, not c.
    result = run(recurrence(c, r * s, c * r**k + 1))
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None and cx.values["k"] == "0"
    assert Fraction(cx.lhs) - Fraction(cx.rhs) == 1


def test_wrong_rate_is_refuted_with_values_that_recheck() -> None:
    # s^{k+1} = r s^k + 1, s^0 = 0 is 1 + r + ... + r^{k-1}; the closed form r^k - 1 is wrong
    # (k = 1: 1 against r - 1 unless r = 2).
    result = run(recurrence(0, r * s + 1, r**k - 1))
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None
    kk, rr = int(cx.values["k"]), Fraction(cx.values["r"])
    assert Fraction(cx.rhs) == iterate(lambda value, i: rr * value + 1, Fraction(0), kk)
    assert Fraction(cx.lhs) == rr**kk - 1 != Fraction(cx.rhs)


def test_a_late_divergence_is_never_proved() -> None:
    # 2^k + k (k-1) ... (k-49) agrees with s^{k+1} = 2 s^k, s^0 = 1 for k = 0..49 and leaves it at
    # k = 50: the engine must not prove it from the first terms (refuting it would be right too).
    product: Expr = k
    for i in range(1, 50):
        product = product * (k - i)
    result = run(recurrence(1, 2 * s, two(k) + product))
    assert result.verdict in (Verdict.UNKNOWN, Verdict.REFUTED)


def test_a_divergence_at_k_10_is_found_by_iterating_further() -> None:
    # 2^k + k (k-1) ... (k-9): agrees for k = 0..9, differs by 10! at k = 10.
    product: Expr = k
    for i in range(1, 10):
        product = product * (k - i)
    result = run(recurrence(1, 2 * s, two(k) + product))
    assert result.verdict is Verdict.REFUTED
    cx = result.counterexample
    assert cx is not None and cx.values["k"] == "10"
    assert Fraction(cx.lhs) - Fraction(cx.rhs) == 3628800


# --- errors and the power rewrite ------------------------------------------------------------


def test_shape_mismatch_is_an_error() -> None:
    claim = recurrence(c, s, x0, symbols=[*SCALARS, vector("x0", 2)])
    assert run(claim).verdict is Verdict.ERROR


def test_index_must_be_a_scalar() -> None:
    claim = Recurrence(id="bad", statement="", symbols=Symbols.of([scalar("s"), vector("k", 2)]),
                       sequence=s, k=k, initial=lift(0), step=s, closed=lift(0))
    assert run(claim).verdict is Verdict.ERROR


@pytest.mark.parametrize(
    ("power", "expected"),
    [
        # b^(2j + 1) = (b^j)^2 b; exp(a (j + 1)) = exp(a)^j exp(a); 2^(j - 1) = 2^j / 2.
        (lambda j, b, a: b ** (2 * j + 1), lambda P, b, a: P**2 * b),
        (lambda j, b, a: sympy.exp(a * (j + 1)), lambda P, b, a: P * sympy.exp(a)),
        (lambda j, b, a: sympy.Integer(2) ** (j - 1), lambda P, b, a: P / 2),
    ],
)
def test_power_names_are_exact_for_integer_index(power, expected) -> None:
    j = sympy.Symbol("j", integer=True, nonnegative=True)
    bb, aa = sympy.Symbol("b", real=True), sympy.Symbol("a", real=True)
    names = PowerNames(j, {})
    (rewritten,) = names(sympy.Matrix([power(j, bb, aa)]))
    (P,) = names.table.values()
    assert sympy.simplify(rewritten - expected(P, bb, aa)) == 0
    # substituting P = (its base)^j gives back the original value at a few integers j
    base = next(iter(names.table))
    for jj in range(4):
        point = {j: jj, bb: sympy.Rational(3, 2), aa: sympy.Rational(1, 3)}
        value = rewritten.xreplace({P: base**j}).xreplace(point)
        assert sympy.N(value - power(j, bb, aa).xreplace(point), 30) == 0
