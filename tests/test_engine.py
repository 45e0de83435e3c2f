"""The engine on identities that are not in HW1: each verdict is what the mathematics demands."""

from __future__ import annotations

import time

import pytest

from checking import separates
from verify import D, Equality, Symbols, Var, Verdict, apply, decide, matrix, scalar, vector
from verify.model.claim import Claim

A, B, C, X, x, y, z, t = (Var(n) for n in ("A", "B", "C", "X", "x", "y", "z", "t"))


def claim(lhs, rhs, *symbols, **kw) -> Equality:
    return Equality(id="test", statement="", symbols=Symbols.of(symbols), lhs=lhs, rhs=rhs, **kw)


def verdict(c: Claim) -> Verdict:
    return decide(c, timeout=60).verdict


def test_trace_is_cyclic_for_non_square_factors() -> None:
    # tr(AB) = sum_ij a_ij b_ji = tr(BA), with A m x n and B n x m.
    c = claim(apply("tr", A * B), apply("tr", B * A), matrix("A", "m", "n"), matrix("B", "n", "m"))
    assert verdict(c) is Verdict.PROVED


def test_trace_is_not_symmetric_in_three_factors() -> None:
    # tr(ABC) = tr(BAC) fails for generic 2 x 2 matrices (it would make AB - BA orthogonal to every C).
    c = claim(apply("tr", A * B * C), apply("tr", B * A * C), *(matrix(n, "n", "n") for n in "ABC"))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED
    assert separates(c, r.counterexample)


def test_derivative_of_trace_by_matrix_in_numerator_layout() -> None:
    # f = tr(AX) = sum_ij a_ji x_ij, df/dx_ij = a_ji; numerator layout puts df/dx_ij at (j, i): A itself.
    c = claim(D(apply("tr", A * X), X), A, matrix("A", "n", "m"), matrix("X", "m", "n"))
    assert verdict(c) is Verdict.PROVED


def test_derivative_of_trace_by_matrix_in_denominator_layout_is_the_transpose() -> None:
    c = claim(D(apply("tr", A * X), X), A.T, matrix("A", "n", "m"), matrix("X", "m", "n"), layout="denominator")
    assert verdict(c) is Verdict.PROVED


def test_log_det_derivative() -> None:
    # d log det X / dX_ij = (X^{-1})_ji (Jacobi's formula), so the numerator-layout derivative is X^{-1}.
    c = claim(D(apply("log", apply("det", X)), X), X.I, matrix("X", "n", "n", invertible=True))
    assert verdict(c) is Verdict.PROVED


def test_square_of_a_sum_needs_commuting_matrices() -> None:
    # (A + B)^2 = A^2 + AB + BA + B^2, which is A^2 + 2AB + B^2 only when AB = BA.
    c = claim((A + B) ** 2, A**2 + 2 * A * B + B**2, matrix("A", "n", "n"), matrix("B", "n", "n"))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED
    assert r.counterexample.sizes == {"n": 2}
    assert separates(c, r.counterexample)


def test_square_of_a_sum_of_scalars() -> None:
    c = claim((t + y) ** 2, t**2 + 2 * t * y + y**2, scalar("t"), scalar("y"))
    assert verdict(c) is Verdict.PROVED


def test_sigmoid_derivative() -> None:
    s = apply("sigmoid", t)
    assert verdict(claim(D(s, t), s * (1 - s), scalar("t"))) is Verdict.PROVED
    assert verdict(claim(D(s, t), s * (1 + s), scalar("t"))) is Verdict.REFUTED


def test_chain_rule_in_the_wrong_order_is_refuted_with_a_jet() -> None:
    # d(Ax)/dz = A dx/dz (m x p); (dx/dz)^T A^T is its transpose, so the hint names a layout mix-up.
    c = claim(D(A * x, z), D(x, z).T * A.T, vector("x", "n", of=("z",)), matrix("A", "m", "n"), vector("z", "p"))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED
    assert "dx/dz" in r.counterexample.values
    assert "layout" in r.detail
    assert separates(c, r.counterexample)


def test_a_row_against_a_column_is_an_error_that_suggests_a_transpose() -> None:
    # d(x^T A x)/dx is the row x^T (A + A^T) in numerator layout; (A + A^T) x is the column.
    c = claim(D(x.T * A * x, x), (A + A.T) * x, vector("x", "n"), matrix("A", "n", "n"))
    r = decide(c)
    assert r.verdict is Verdict.ERROR
    assert "layout mix-up" in r.detail


def test_sign_hint() -> None:
    c = claim(D(x.T * A * x, x), -x.T * (A + A.T), vector("x", "n"), matrix("A", "n", "n"))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED
    assert "sign" in r.detail


def test_factor_hint() -> None:
    c = claim(D(x.T * x, x), x.T, vector("x", "n"))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED
    assert "2 times" in r.detail


def test_shape_mismatch_is_an_error() -> None:
    c = claim(x.T * A, y.T, vector("x", "n"), matrix("A", "m", "n"), vector("y", "n"))
    r = decide(c)
    assert r.verdict is Verdict.ERROR
    assert "multiply" in r.detail


def test_undeclared_name_is_an_error() -> None:
    c = claim(x, Var("w"), vector("x", "n"))
    assert decide(c).verdict is Verdict.ERROR


def test_a_slow_decision_times_out_as_unknown() -> None:
    # det(A + B) = det(B + A) is true, outside the size-independent rules (no rule for the
    # determinant of a sum), and instantiating it at n = 7 is far beyond one second.
    c = claim(apply("det", A + B), apply("det", B + A), matrix("A", "n", "n"), matrix("B", "n", "n"),
              sizes=({"n": 7},))
    start = time.perf_counter()
    r = decide(c, timeout=1.0)
    assert time.perf_counter() - start < 5
    assert r.verdict is Verdict.UNKNOWN
    assert "timed out after 1 s" in r.detail


@pytest.mark.parametrize("n", [2, 3])
def test_inverse_derivative_at_fixed_size(n: int) -> None:
    c = claim(D(A.I, t), -A.I * D(A, t) * A.I, matrix("A", n, n, invertible=True, of=("t",)), scalar("t"))
    assert verdict(c) is Verdict.PROVED


def test_inverse_derivative_with_a_squared_inverse_is_refuted() -> None:
    c = claim(D(A.I, t), -(A.I**2) * D(A, t), matrix("A", "n", "n", invertible=True, of=("t",)), scalar("t"))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED
    assert "dA/dt" in r.counterexample.values
    assert separates(c, r.counterexample)


def test_a_scalar_inside_a_context_sized_identity_counts() -> None:
    # a I B = a B, which differs from B whenever a != 1 and B != 0 (a regression: the factor a I
    # was once skipped as "I next to a matrix", dropping a and "proving" a I B = B).
    from verify.model.expr import Identity

    a = Var("a")
    symbols = (scalar("a"), matrix("B", "n", "n"))
    wrong = claim(a * Identity() * B, B, *symbols)
    r = decide(wrong)
    assert r.verdict is Verdict.REFUTED
    assert separates(wrong, r.counterexample)
    assert verdict(claim(B * (a * Identity()), a * B, *symbols)) is Verdict.PROVED


# --- max, |.| and ReLU: proved region by region, where regions that hold no point are skipped ---

def test_abs_is_the_max_of_x_and_minus_x() -> None:
    # |t| = t for t > 0 and -t for t < 0, and so is max(t, -t). The switches t (of |t|) and 2t
    # (of max(t, -t)) have the same sign everywhere, so the regions t > 0 > 2t and t < 0 < 2t
    # hold no point; skipping them is what lets the proof through.
    from verify.model.expr import maximum
    c = claim(apply("abs", t), maximum(t, -t), scalar("t"))
    assert verdict(c) is Verdict.PROVED


def test_relu_of_a_sum_of_squares_plus_one_is_itself() -> None:
    # t^2 + y^2 + 1 > 0 for every real t, y, so ReLU leaves it unchanged.
    c = claim(apply("relu", t**2 + y**2 + 1), t**2 + y**2 + 1, scalar("t"), scalar("y"))
    assert verdict(c) is Verdict.PROVED


def test_relu_of_a_vector_is_not_the_vector() -> None:
    # ReLU(x) = x fails wherever an entry of x is negative: a counterexample must show one.
    c = claim(apply("relu", x), x, vector("x", "n"))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED
    assert separates(c, r.counterexample)


def test_relu_plus_relu_of_the_negative_is_abs() -> None:
    # max(t, 0) + max(-t, 0) is t for t > 0 and -t for t < 0: |t|, for every entry of a vector.
    c = claim(apply("relu", x) + apply("relu", -x), apply("abs", x), vector("x", "n"))
    assert verdict(c) is Verdict.PROVED


def test_a_point_comes_before_any_prover_so_a_prover_bug_cannot_prove_a_false_claim(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A size-independent prover that "proves" everything: (AB)^T = A^T B^T (false for 2 x 2
    # matrices in general, and defined everywhere) must still be refuted, at the first point.
    from verify.deciding.kinds import equality
    monkeypatch.setattr(equality, "_prove_all_sizes", lambda c: "a broken proof")
    c = claim((A * B).T, A.T * B.T, matrix("A", "n", "n"), matrix("B", "n", "n"))
    r = decide(c, timeout=None)
    assert r.verdict is Verdict.REFUTED and separates(c, r.counterexample)


def test_a_claim_with_an_inverse_of_a_sum_still_needs_a_defined_point() -> None:
    # (A + B)^{-1} is undefined where A + B is singular: the point comes first (and a wrong
    # identity about it is refuted there): (A + B)^{-1} = A^{-1} + B^{-1} fails at A = B = I.
    c = claim((A + B).I, A.I + B.I, matrix("A", "n", "n", invertible=True), matrix("B", "n", "n", invertible=True))
    r = decide(c)
    assert r.verdict is Verdict.REFUTED and separates(c, r.counterexample)


def test_a_claim_with_nothing_free_is_decided_by_one_exact_evaluation() -> None:
    # d(t^3)/dt at t = 2 is 3 * 2^2 = 12: true; = 11 is false, and the "counterexample" is the
    # two values themselves (nothing is free to choose).
    from verify.model.expr import at, lift
    assert verdict(claim(at(D(t**3, t), (t, 2)), lift(12), scalar("t"))) is Verdict.PROVED
    r = decide(claim(at(D(t**3, t), (t, 2)), lift(11), scalar("t")))
    assert r.verdict is Verdict.REFUTED
    assert (r.counterexample.lhs, r.counterexample.rhs) == ("12", "11")


def test_an_internal_failure_is_unknown_with_one_line_and_no_traceback(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    # A bug inside a decision (here: a KeyError raised by the equality procedure) must not pass
    # for a verdict nor print a traceback at the user: unknown, one line, and where it happened.
    from verify.deciding.kinds import equality

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("n\nsecond line")

    monkeypatch.delenv("VERIFY_DEBUG", raising=False)
    monkeypatch.setattr(equality, "refute_at", broken)
    c = claim(A.T, A.T, matrix("A", "n", "n"))
    r = decide(c, timeout=None)
    assert r.verdict is Verdict.UNKNOWN
    assert r.detail.startswith("internal error while deciding (at verify/deciding/")
    assert "KeyError" in r.detail and "\n" not in r.detail
    assert "Traceback" not in capfd.readouterr().err
