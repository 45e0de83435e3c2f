"""Scalars declared in an open interval (issue 15): ``scalar, in(0, 1)`` for \\beta_2 \\in (0, 1).

Every random point draws the scalar inside (so a counterexample is given in the name the user
wrote, never in a reparametrisation like beta_2 = 1/(1 + s)), and a claim true only inside is
never refuted.
"""

from __future__ import annotations

import random

import pytest
import sympy

from derivations import adamax
from verify.deciding import decide
from verify.deciding.evaluation.rationals import random_matrix, satisfies
from verify.errors import DeclarationError
from verify.model import Verdict, parse_declaration
from verify.reading.claims_file import parse


def _claim(lhs: str, rhs: str, declaration: str = "scalar, in(0, 1)"):
    text = f"[symbols]\nb = \"{declaration}\"\nc = \"scalar\"\n[[claim]]\nid = \"i\"\nlhs = '{lhs}'\nrhs = '{rhs}'\n"
    (entry,) = parse(text).entries
    assert entry.claim is not None, entry.problem
    return entry.claim


def test_a_claim_true_only_inside_the_interval_is_never_refuted() -> None:
    # |b - 1| = 1 - b exactly when b <= 1: true on (0, 1), false at b = 2 (1 against -1).
    inside = decide(_claim("|b - 1|", "1 - b"), timeout=60)
    assert inside.verdict in (Verdict.PROVED, Verdict.UNKNOWN)
    outside = decide(_claim("|b - 1|", "1 - b", "scalar"), timeout=60)
    assert outside.verdict is Verdict.REFUTED


def test_a_false_claim_is_refuted_inside_the_interval_in_the_declared_name() -> None:
    # |b - 1| = b - 1 fails for every b < 1: the counterexample gives b itself, inside (0, 1)
    r = decide(_claim("|b - 1| + c", "b - 1 + c"), timeout=60)
    assert r.verdict is Verdict.REFUTED
    b = sympy.Rational(r.counterexample.values["b"])
    assert 0 < b < 1


@pytest.mark.parametrize("seed", range(20))
def test_every_draw_lies_strictly_inside(seed: int) -> None:
    s = parse_declaration("b", "scalar, in(-1/2, 3/4)")
    value = random_matrix(s, 1, 1, random.Random(seed))
    assert -sympy.Rational(1, 2) < value[0, 0] < sympy.Rational(3, 4) and satisfies(s, value)
    assert not satisfies(s, sympy.Matrix([[1]]))


@pytest.mark.parametrize("text", ["scalar, in(1, 0)", "scalar, in(0)", "scalar, in(x, 1)", "vector(n), in(0, 1)",
                                  "scalar, in(1/0, 2)", "scalar, of(t), in(0, 1)"])
def test_a_bad_interval_is_a_declaration_error(text: str) -> None:
    with pytest.raises(DeclarationError):
        parse_declaration("b", text)


def test_hw1_adamax_counterexample_is_in_beta_2_itself() -> None:
    # the written AdaMax update against Kingma and Ba's (derivations/adamax.py): refuted at a point
    # with 0 < beta_2 < 1, given as beta2, with no reparametrisation left in the claim
    (claim,) = [c for c in adamax.CLAIMS if c.id == "adamax.update"]
    assert "s" not in claim.symbols
    r = decide(claim, timeout=60)
    assert r.verdict is Verdict.REFUTED
    assert 0 < sympy.Rational(r.counterexample.values["beta2"]) < 1
