"""Indicators, steps, max, |.| and ReLU: a value at every point, a derivative only off the kinks.

The semantics (README, "Indicators, steps, ..."): I(a > b) is 1 where a > b and 0 elsewhere, so
0 where a = b; I(a >= b) is 1 where a = b too. |0| = 0, ReLU(0) = 0, max(a, a) = a. A derivative
taken through a kink does not exist on it, and a claim about a derivative is claimed where it is
defined. Each verdict below is derived by hand in a comment.
"""

from __future__ import annotations

import random

import pytest
import sympy

from verify.deciding.engine import decide
from verify.deciding.evaluation import kinks
from verify.deciding.evaluation.instantiate import closed_step, step
from verify.deciding.evaluation.jets import Boundary
from verify.deciding.evaluation.piecewise import off_boundaries
from verify.deciding.evaluation.sampling import evaluate
from verify.deciding.proof.normal_forms import is_zero
from verify.model.claim import Equality
from verify.model.result import Result, Verdict
from verify.reading.claims_file import parse

SYMBOLS = """
[symbols]
x = "scalar"
y = "scalar"
z = "vector(n)"
"""


def claim(lhs: str, rhs: str, cid: str = "piecewise") -> Equality:
    text = SYMBOLS + f"""
[[claim]]
id = "{cid}"
lhs = '{lhs}'
rhs = '{rhs}'
"""
    entry = parse(text).entries[0]
    assert entry.claim is not None, entry.problem
    return entry.claim


def run(lhs: str, rhs: str, cid: str = "piecewise") -> Result:
    return decide(claim(lhs, rhs, cid), timeout=60)


def refuted_at(result: Result, **values: str) -> None:
    assert result.verdict is Verdict.REFUTED, result.detail
    assert result.counterexample is not None
    for name, value in values.items():
        assert result.counterexample.values[name] == value, result.counterexample


# --- the claims of issue 11 ------------------------------------------------------------------


def test_closed_and_strict_indicators_differ_at_zero() -> None:
    # I(x >= 0) - I(x > 0) is 0 for x > 0 (1 - 1) and for x < 0 (0 - 0), but 1 - 0 = 1 at x = 0.
    # Both were read as one step function, so this was "proved".
    refuted_at(run(r"I(x \geq 0)", r"I(x > 0)"), x="0")


def test_closed_indicators_overlap_at_zero() -> None:
    # I(x >= 0) I(x <= 0) is 1 0 = 0 for x > 0 and 0 1 = 0 for x < 0, but 1 1 = 1 at x = 0.
    refuted_at(run(r"I(x \geq 0) I(x \leq 0)", "0"), x="0")


def test_strict_indicators_of_opposite_sides_never_overlap() -> None:
    # I(x > 0) I(x < 0): 1 0 for x > 0, 0 1 for x < 0, 0 0 at x = 0: zero everywhere. (A guard:
    # it held before too; now the boundary x = 0 is one of the cases decided.)
    result = run(r"I(x > 0) I(x < 0)", "0")
    assert result.verdict is Verdict.PROVED, result.detail


def test_a_closed_and_a_strict_indicator_partition_the_line() -> None:
    # I(x >= 0) + I(x < 0): 1 + 0 for x > 0, 0 + 1 for x < 0, and 1 + 0 = 1 at x = 0.
    result = run(r"I(x \geq 0) + I(x < 0)", "1")
    assert result.verdict is Verdict.PROVED, result.detail
    assert "region" in result.detail


def test_two_strict_indicators_miss_zero() -> None:
    # I(x > 0) + I(x < 0) is 1 off 0 but 0 + 0 = 0 at x = 0.
    refuted_at(run(r"I(x > 0) + I(x < 0)", "1"), x="0")


def test_abs_is_still_the_max_of_x_and_minus_x() -> None:
    # |x| = x = max(x, -x) for x > 0, -x for x < 0, and |0| = 0 = max(0, 0) at the kink. (A guard.)
    result = run("|x|", r"\max(x, -x)")
    assert result.verdict is Verdict.PROVED, result.detail


@pytest.mark.parametrize("indicator", [r"I(x > 0)", r"I(x \geq 0)"])
def test_the_derivative_of_relu_is_claimed_off_its_kink(indicator: str) -> None:
    # ReLU(x) = max(x, 0) has derivative 1 for x > 0 and 0 for x < 0; at x = 0 its one-sided
    # derivatives (0 and 1) differ, so d ReLU/dx does not exist there, and a claim about it is
    # claimed where it exists (as a claim with log is claimed where log is defined). Both
    # indicators agree with it at every x != 0, so both claims hold: proved is right, and x = 0
    # must never be a counterexample, though I(0 > 0) = 0 and I(0 >= 0) = 1 differ.
    result = run(r"\frac{\partial}{\partial x} \operatorname{ReLU}(x)", indicator)
    assert result.verdict is Verdict.PROVED, result.detail
    c = claim(r"\frac{\partial}{\partial x} \operatorname{ReLU}(x)", indicator)
    # the point on the kink is not used: its values are not computed at all
    with pytest.raises(Boundary):
        evaluate((c.lhs, c.rhs), c.symbols, {}, c.layout, random.Random(0), adjust=_set("x", 0))


def test_the_jacobian_of_relu_of_a_vector_is_the_diagonal_of_either_indicator() -> None:
    # d ReLU(z)/dz is diagonal with entries 1 (z_i > 0) and 0 (z_i < 0); undefined where z_i = 0.
    for indicator in (r"I(z > 0)", r"I(z \geq 0)"):
        result = run(r"\frac{\partial}{\partial z} \operatorname{ReLU}(z)", rf"\operatorname{{diag}}({indicator})")
        assert result.verdict is Verdict.PROVED, result.detail


def test_a_derivative_through_a_kink_is_not_a_counterexample_but_a_value_is() -> None:
    # d|x|/dx is sign(x) off 0; at 0 it does not exist. I(x > 0) - I(x < 0) is sign(x) off 0 too:
    # holds. But ReLU(x) = x I(x >= 0) - I(x >= 0) + I(x > 0) differs at x = 0 (0 against
    # 0 - 1 + 0 = -1), a value, no derivative: refuted there.
    assert run(r"\frac{\partial}{\partial x} |x|", r"I(x > 0) - I(x < 0)").verdict is Verdict.PROVED
    refuted_at(run(r"\operatorname{ReLU}(x)", r"x I(x \geq 0) - I(x \geq 0) + I(x > 0)"), x="0")


def test_a_derivative_that_exists_on_the_kink_is_used() -> None:
    # d|x^3|/dx = 3 x^2 sign(x) = 3 x |x| for x != 0, and at x = 0 the derivative exists (|x^3| is
    # o(x)) and is 0 = 3 0 |0|: holds everywhere.
    assert run(r"\frac{\partial}{\partial x} |x^3|", r"3 x |x|").verdict is Verdict.PROVED


def test_max_with_the_strict_indicators_misses_the_tie() -> None:
    # max(x, y) = x I(x > y) + y I(x < y) off the line x = y, where the right side is 0 and the
    # left x: refuted on that line (a point drawn on the kink: x solved from x - y = 0).
    result = run(r"\max(x, y)", r"x I(x > y) + y I(x < y)")
    assert result.verdict is Verdict.REFUTED, result.detail
    cx = result.counterexample
    assert cx is not None and cx.values["x"] == cx.values["y"] != "0"
    # with one closed indicator the tie is covered: x I(x >= y) = x = max(x, x) there
    assert run(r"\max(x, y)", r"x I(x \geq y) + y I(x < y)").verdict is Verdict.PROVED


def test_max_picks_its_branch_with_certainty() -> None:
    # exp(10 x^2) + 10^-28 > exp(10 x^2) for every x, so the max is the second argument. Picking it
    # by comparing 30 digits (never checking the pick) once refuted this true identity.
    result = run(r"\max(\exp(10 x^2), \exp(10 x^2) + 10^{-28})", r"\exp(10 x^2) + 10^{-28}")
    assert result.verdict is not Verdict.REFUTED, result.detail


# --- the pieces ------------------------------------------------------------------------------


def _set(name: str, value: int):  # type: ignore[no-untyped-def]
    def adjust(point):  # type: ignore[no-untyped-def]
        point.values[name] = sympy.Matrix([[value]])
        if name in point.atoms:
            point.substitution[point.atoms[name][0, 0]] = sympy.Integer(value)
    return adjust


@pytest.mark.parametrize("use_fractions", [True, False])
def test_values_on_a_kink_are_exact_when_nothing_goes_through_it(use_fractions: bool) -> None:
    # At x = 0, y = 3: I(x >= 0) = 1, I(x > 0) = 0, |x| = 0, ReLU(x) = 0, max(y, y) = 3; and
    # d(x y)/dy = x = 0 is a derivative that does not touch the kink of I(x >= 0).
    c = claim(r"I(x \geq 0) + 2 I(x > 0) + 4 |x| + 8 \operatorname{ReLU}(x) + \max(y, y)",
              r"\frac{\partial}{\partial y} (x y) + I(x \geq 0)")

    def adjust(point):  # type: ignore[no-untyped-def]
        _set("x", 0)(point)
        _set("y", 3)(point)

    (lv, rv), _ = evaluate((c.lhs, c.rhs), c.symbols, {}, c.layout, random.Random(0), use_fractions=use_fractions,
                           adjust=adjust)
    assert lv[0, 0] == 4 and rv[0, 0] == 1


def test_the_sympy_functions_have_their_values_at_zero() -> None:
    x = sympy.Symbol("x", real=True)
    assert step(x).subs(x, 0) == 0 and closed_step(x).subs(x, 0) == 1
    assert step(x).subs(x, 2) == 1 and closed_step(x).subs(x, -2) == 0


def test_regions_and_boundaries_are_each_decided() -> None:
    x, y = sympy.symbols("x y", real=True)
    # On x = 0 the closed and the strict step differ (1 and 0): not zero, never proved.
    assert is_zero(closed_step(x) - step(x)).zero is not True
    # max(x, y) - x I(x >= y) - y I(y > x): x - x for x > y, y - y for x < y, and on x = y
    # (solved: x := y) max(y, y) - y 1 - y 0 = 0.
    test = is_zero(sympy.Max(x, y) - x * closed_step(x - y) - y * step(y - x))
    assert test.zero is True and test.regions == 3
    # A boundary that cannot be solved for a variable (x^2 + y^2 = 1, with no rational linear
    # factor) leaves the claim unproved, never proved: there I(. >= 0) - I(. > 0) is 1.
    s = x**2 + y**2 - 1
    assert is_zero(closed_step(s) - step(s)).zero is None
    # A derivative of max through its kink (Heaviside(x, 1/2), SymPy's convention) against the
    # strict step: equal off x = 0, and on it the derivative does not exist: proved.
    assert is_zero(sympy.diff(sympy.Max(x, 0), x) - step(x)).zero is True


def test_a_point_on_a_kink_is_used_unless_a_derivative_goes_through_it() -> None:
    x = sympy.Symbol("x", real=True)
    at0 = {x: sympy.Integer(0)}
    assert off_boundaries([sympy.Matrix([[step(x) + closed_step(x) + sympy.Abs(x) + sympy.Max(x, 0)]])], at0)
    assert not off_boundaries([sympy.Matrix([[sympy.diff(sympy.Max(x, 0), x)]])], at0)  # Heaviside(0, 1/2)
    assert not off_boundaries([sympy.Matrix([[sympy.diff(sympy.Abs(x), x)]])], at0)  # sign(0)
    assert not off_boundaries([sympy.Matrix([[sympy.diff(step(x), x)]])], at0)  # DiracDelta(0)


def test_points_are_drawn_on_the_kinks_and_leave_the_random_stream_alone() -> None:
    c = claim(r"I(x - 2 y + 1 \geq 0)", "1")
    rng = random.Random(7)
    state = rng.getstate()
    got = kinks.on_kinks(c, {}, rng)
    assert rng.getstate() == state
    points = [p for p in got if p is not None]
    assert points
    for lv, _, point in points:
        x, y = (point.values[n][0, 0] for n in ("x", "y"))
        assert x - 2 * y + 1 == 0 and lv[0, 0] == 1
    # a switch of a variable something is differentiated by is not tried: its kink is never used
    assert kinks.on_kinks(claim(r"\frac{\partial}{\partial x} \operatorname{ReLU}(x)", "1"), {}, rng) == []


def test_a_derivative_at_a_point_on_its_kink_does_not_exist() -> None:
    # d/du ReLU(u) at u = w - w = 0: it does not exist (slope 0 on the left, 1 on the right), so
    # no point defines the side and "= 0" or "= 1" is neither refuted nor proved. SymPy writes the
    # derivative as Heaviside(u, 1/2) and evaluates it to 1/2 once u = 0 is put in: that value
    # refuted a right backprop step dJ/dz_1 = (yhat - y) W_2^T (.) 1[z_1 > 0] at a point with an
    # entry of z_1 at 0 (found by a hand-graded submission).
    from verify.model.expr import At, Derivative, Var, apply, lift
    from verify.model.symbols import scalar

    u, w = Var("u"), Var("w")
    at_kink = At(Derivative(apply("relu", u), (u,)), ((u, w - w),))
    symbols = {"u": scalar("u"), "w": scalar("w")}
    for value in (0, 1):
        claim = Equality(id=f"kink-{value}", statement="", symbols=symbols, lhs=at_kink, rhs=lift(value))
        assert decide(claim, timeout=60).verdict not in (Verdict.REFUTED, Verdict.PROVED)
    # off the kink it is the slope there: at u = w^2 + 1 > 0 it is 1
    off = At(Derivative(apply("relu", u), (u,)), ((u, w * w + lift(1)),))
    assert decide(Equality(id="off", statement="", symbols=symbols, lhs=off, rhs=lift(1)),
                  timeout=60).verdict is Verdict.PROVED
    assert decide(Equality(id="off0", statement="", symbols=symbols, lhs=off, rhs=lift(0)),
                  timeout=60).verdict is Verdict.REFUTED


def test_a_backprop_step_at_a_kink_is_not_refuted(tmp_path) -> None:
    # By hand: dJ/dz_1 = dJ/da_1 (.) ReLU'(z_1) = (yhat - y) W_2^T (.) 1[z_1 > 0] wherever it exists;
    # both steps follow and the answer is right (full points).
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import grade_files
    from verify.grading.grades import Mark

    path = tmp_path / "s.md"
    path.write_text("## bp.dJ-dW1\n$$\\frac{\\partial J}{\\partial z_1} = (\\hat{y} - y) W_2^T \\odot "
                    "\\mathbb{1}[z_1 > 0]$$\n$$\\frac{\\partial J}{\\partial W_1} = (\\hat{y} - y) \\left( W_2^T "
                    "\\odot \\mathbb{1}[z_1 > 0] \\right) x^T$$\n")
    [grade] = grade_files(load_assignment("hw1"), [path])
    q = next(q for q in grade.questions if q.id == "bp.dJ-dW1")
    assert (q.verdict, q.points, q.first_bad_step) == (Mark.CORRECT, 1.0, None), q.feedback


@pytest.mark.parametrize(("name", "holds"), [
    # |a c| = |a| |c|: in each quadrant a c has the sign of a times that of c; on the axes both are 0
    ("abs-product", True),
    # max(a, c) min(a, c) = a c: the two are a and c in some order
    ("max-min", True),
    # |a - c| |a + c| = |a^2 - c^2|: the product of the two absolute values is that of the product
    ("abs-difference-of-squares", True),
    # |a - c| + |a + c| = 2 max(|a|, |c|): for a >= |c| both are a - c + a + c = 2a, and so on
    ("abs-sum-as-max", True),
    # |a + c| = |a| + |c| fails at a = 1, c = -1 (0 vs 2)
    ("triangle-equality", False),
    # |a c| = a c fails at a = 1, c = -1
    ("abs-dropped", False),
    # max(|a|, |c|) = |a| fails at a = 0, c = 1
    ("max-of-abs", False),
    # max(|a|, |c|)^2 = max(a^2, c^2): squaring keeps the order of nonnegative numbers (where a > c > 0,
    # a^2 - c^2 = (a - c)(a + c) > 0: a product of a switch and a sum of positive terms)
    ("max-abs-squared", True),
    # (|a^2 - c^2| - a^2 + c^2)(|a| + a)(|c| - c) = 0 fails at a = 1, c = -2 (3 + 3 = 6, times 2, times
    # 4), only where a > 0 > c and c^2 > a^2: there a - c > 0 but a + c has no fixed sign
    ("product-with-a-mixed-sum", False),
    # (|a + c| - a - c)(|a| + a)(|c| - c) = 0 fails at a = 1, c = -2 ((1 + 1) 2 4 = 16), and only
    # where a > 0, c < 0 and a + c < 0: there the sign of a + c is not fixed by those of a and c,
    # and both of its cases must be decided
    ("sum-of-mixed-signs", False),
])
def test_a_case_uses_the_sides_taken_before_it(name: str, holds: bool) -> None:
    # Proved only with the sides of |a| and |c| kept for the switches after them (a c > 0 where
    # a > 0 and c > 0; a + c > 0 there too): never proved when false.
    a, c = sympy.symbols("a c", real=True)
    e = {
        "abs-product": abs(a * c) - abs(a) * abs(c),
        "max-min": sympy.Max(a, c) * sympy.Min(a, c) - a * c,
        "abs-difference-of-squares": abs(a - c) * abs(a + c) - abs(a**2 - c**2),
        "abs-sum-as-max": abs(a - c) + abs(a + c) - 2 * sympy.Max(abs(a), abs(c)),
        "triangle-equality": abs(a + c) - abs(a) - abs(c),
        "abs-dropped": abs(a * c) - a * c,
        "max-of-abs": sympy.Max(abs(a), abs(c)) - abs(a),
        "sum-of-mixed-signs": (abs(a + c) - a - c) * (abs(a) + a) * (abs(c) - c),
        "max-abs-squared": sympy.Max(abs(a), abs(c))**2 - sympy.Max(a**2, c**2),
        "product-with-a-mixed-sum": (abs(a**2 - c**2) - a**2 + c**2) * (abs(a) + a) * (abs(c) - c),
    }[name]
    test = is_zero(e)
    assert (test.zero is True) is holds, test.method
    if not holds:  # where it fails is a region some point lies in, named
        assert test.method.startswith("not zero where"), test.method


def test_a_logarithm_s_variable_is_positive_where_it_is_defined() -> None:
    # log(a^2) = 2 log(a) wherever both sides are defined (a > 0, for log a); log(a c) = log a + log c
    # likewise (a, c > 0).
    a, c = sympy.symbols("a c", real=True)
    assert is_zero(sympy.log(a**2) - 2 * sympy.log(a)).zero is True
    assert is_zero(sympy.log(a * c) - sympy.log(a) - sympy.log(c)).zero is True
    # Only a logarithm of the variable itself says a > 0: log(a^2) is defined for every a != 0,
    # and log(a^2) - 2 log|a| + |a| - a is -2a at a < 0: never proved.
    assert is_zero(sympy.log(a**2) - 2 * sympy.log(abs(a)) + abs(a) - a).zero is not True
