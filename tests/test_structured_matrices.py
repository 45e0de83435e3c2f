"""Matrices declared orthogonal, diagonal, positive definite: every value drawn lies inside the
declaration, claims with them are decided, and no counterexample leaves a declaration.

A refutation is a promise: a counterexample with V^T V != I for a V declared orthogonal would
be no counterexample at all. Each ``expect`` below is derived by hand in its comment.
"""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.deciding import decide
from verify.deciding.evaluation.instantiate import structured_values, symbolic
from verify.deciding.evaluation.kinks import on_kinks
from verify.deciding.evaluation.rationals import random_matrix, satisfies
from verify.deciding.evaluation.sampling import evaluate
from verify.model import Verdict
from verify.model.claim import Equality
from verify.model.symbols import Symbols, matrix, parse_declaration, scalar
from verify.reading.claims_file import parse

ORTHOGONAL = matrix("V", "n", "n", orthogonal=True)
DIAGONAL = matrix("D", "n", "n", diagonal=True)
DEFINITE = matrix("Q", "n", "n", positive_definite=True)
DIAGONAL_DEFINITE = matrix("L", "n", "n", diagonal=True, positive_definite=True)
STRUCTURED = (ORTHOGONAL, DIAGONAL, DEFINITE, DIAGONAL_DEFINITE)


def inside(s_name: str, m: sympy.Matrix) -> None:
    """The declaration's defining property, checked directly (not through ``satisfies``)."""
    n = m.shape[0]
    if s_name == "V":
        assert m.T * m == sympy.eye(n) and m * m.T == sympy.eye(n)
    if s_name in ("D", "L"):
        assert all(m[i, j] == 0 for i in range(n) for j in range(n) if i != j)
    if s_name in ("Q", "L"):
        assert m == m.T
        assert all(m[:k, :k].det() > 0 for k in range(1, n + 1))  # Sylvester: positive definite


# --- the draws ---------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**9), n=st.sampled_from([1, 2, 3, 4, 6]), which=st.sampled_from(range(4)),
       magnitude=st.sampled_from([0, 1000, -1000, 10**6]), unit=st.booleans())
def test_every_draw_is_inside_its_declaration(seed: int, n: int, which: int, magnitude: int, unit: bool) -> None:
    s = STRUCTURED[which]
    m = random_matrix(s, n, n, random.Random(seed), unit, magnitude, signed=magnitude != 0)
    assert all(isinstance(e, sympy.Rational) for e in m)  # exact, never a float
    inside(s.name, m)
    assert satisfies(s, m)


def test_orthogonal_draws_reach_reflections_and_rotations() -> None:
    dets = {random_matrix(ORTHOGONAL, 3, 3, random.Random(seed)).det() for seed in range(40)}
    assert dets == {1, -1}


def test_satisfies_rejects_values_outside() -> None:
    assert not satisfies(ORTHOGONAL, sympy.Matrix([[1, 1], [0, 1]]))
    assert not satisfies(DIAGONAL, sympy.Matrix([[1, 1], [0, 1]]))
    assert not satisfies(DEFINITE, sympy.Matrix([[1, 2], [2, 1]]))  # symmetric, det -3
    assert not satisfies(scalar("t", positive=True), sympy.Matrix([[0]]))
    assert not satisfies(matrix("X", "n", "n", invertible=True), sympy.zeros(2, 2))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**9), n=st.sampled_from([1, 2, 3, 4]))
def test_structured_values_fill_the_symbolic_entries_inside(seed: int, n: int) -> None:
    # What the kinds that search counterexamples among symbolic entries (recurrence, limit,
    # convexity, minimum, degree) draw: each structured symbol whole.
    symbols = Symbols.of(STRUCTURED)
    realise = symbolic(symbols, {"n": n})
    atoms = set().union(*(realise(s).free_symbols for s in STRUCTURED))
    values = structured_values(symbols, {"n": n}, atoms, random.Random(seed))
    assert set(values) == atoms
    for s in STRUCTURED:
        inside(s.name, realise(s).xreplace(values))


def test_a_diagonal_matrix_has_symbolic_entries_on_its_diagonal_only() -> None:
    m = symbolic(Symbols.of([DIAGONAL_DEFINITE]), {"n": 3})(DIAGONAL_DEFINITE)
    assert all(m[i, j] == 0 for i in range(3) for j in range(3) if i != j)
    assert all(m[i, i].is_positive for i in range(3))  # diagonal and positive definite


# --- claims, each expect by hand ------------------------------------------------------------------

CLAIMS = r'''
[symbols]
V = "matrix(n, n), orthogonal"
W = "matrix(n, n), orthogonal"
U = "matrix(2, 2), orthogonal"
D = "matrix(n, n), diagonal"
E = "matrix(n, n), diagonal"
A = "matrix(n, n)"
Q = "matrix(n, n), positive definite"
x = "vector(n)"

# V^T V = I: the definition.
[[claim]]
id = "orthogonal-vtv"
lhs = 'V^T V'
rhs = 'I'
expect = "holds"

# V^{-1} = V^T, since V^T V = I.
[[claim]]
id = "orthogonal-inverse"
lhs = 'V^{-1}'
rhs = 'V^T'
expect = "holds"

# |V x|^2 = x^T V^T V x = x^T x.
[[claim]]
id = "orthogonal-norm"
lhs = '(V x)^T (V x)'
rhs = 'x^T x'
expect = "holds"

# (V W)^T (V W) = W^T V^T V W = W^T W = I: a product of orthogonal matrices is orthogonal.
[[claim]]
id = "orthogonal-product"
lhs = '(V W)^T (V W)'
rhs = 'I'
expect = "holds"

# V + V^T = 2I fails at the rotation by 90 degrees, V = [[0, -1], [1, 0]]: V + V^T = 0.
[[claim]]
id = "orthogonal-symmetric-part"
lhs = 'V + V^T'
rhs = '2 I'
expect = "fails"

# det(V) = 1 fails at a reflection, V = -1 at n = 1 (det -1).
[[claim]]
id = "orthogonal-det"
lhs = '\det(V)'
rhs = '1'
expect = "fails"

# U U = I fails at the rotation by 90 degrees: U^2 is the rotation by 180 degrees, -I.
[[claim]]
id = "orthogonal-square-2"
lhs = 'U U'
rhs = 'I'
expect = "fails"

# V D V^T V D V^T = V D (V^T V) D V^T = V D^2 V^T.
[[claim]]
id = "eigen-square"
lhs = 'V D V^T V D V^T'
rhs = 'V D^2 V^T'
expect = "holds"

# Diagonal matrices commute: (D E)_ii = d_i e_i = (E D)_ii, zero elsewhere.
[[claim]]
id = "diagonal-commute"
lhs = 'D E'
rhs = 'E D'
expect = "holds"

# D^T = D: a diagonal matrix is symmetric.
[[claim]]
id = "diagonal-symmetric"
lhs = 'D^T'
rhs = 'D'
expect = "holds"

# D A = A D fails for A = E_12 (1 at (1, 2)) and D = diag(1, 2): D A = E_12, A D = 2 E_12.
[[claim]]
id = "diagonal-commute-general"
lhs = 'D A'
rhs = 'A D'
expect = "fails"

# (Q^{-1})^T = (Q^T)^{-1} = Q^{-1}: Q positive definite is symmetric and invertible.
[[claim]]
id = "definite-inverse-symmetric"
lhs = '(Q^{-1})^T'
rhs = 'Q^{-1}'
expect = "holds"

# Q Q^{-1} = I: positive definite implies invertible.
[[claim]]
id = "definite-invertible"
lhs = 'Q Q^{-1}'
rhs = 'I'
expect = "holds"

# Q = I fails at Q = 2I (positive definite).
[[claim]]
id = "definite-identity"
lhs = 'Q'
rhs = 'I'
expect = "fails"

# Q = D fails: D = diag(-1, ..) is no positive definite matrix, and Q = 2I differs from D = 0.
[[claim]]
id = "definite-diagonal"
lhs = 'Q'
rhs = 'D'
expect = "fails"
'''


def entries() -> list[tuple[str, str, Equality]]:
    out = []
    for e in parse(CLAIMS).entries:
        assert e.claim is not None, e.problem
        out.append((e.id, e.expect, e.claim))
    return out


def parse_matrix(text: str) -> sympy.Matrix:
    """``[[1, 0], [0, 5]]`` (or a scalar) -> the matrix, without eval: split the printed rows."""
    rows = [[sympy.Rational(e.strip(" []")) for e in row.split(",")] for row in text.split("],")]
    return sympy.Matrix(rows)


@pytest.mark.parametrize("claim_id, expect, claim", entries(), ids=[e[0] for e in entries()])
def test_claims_with_declarations(claim_id: str, expect: str, claim: Equality) -> None:
    result = decide(claim, timeout=60)
    assert result.verdict is (Verdict.PROVED if expect == "holds" else Verdict.REFUTED), result.detail
    if result.verdict is Verdict.PROVED and claim.sizes == ():
        assert result.scope in ("all sizes", "as stated"), result.scope
    if result.verdict is Verdict.REFUTED:
        cx = result.counterexample
        assert cx is not None
        for name, text in cx.values.items():
            s = claim.symbols[name]
            inside(name, parse_matrix(text))
            assert satisfies(s, parse_matrix(text))


def test_a_false_claim_needing_the_declaration_is_never_refuted_outside_it() -> None:
    # det(V)^2 = 1 holds for every orthogonal V (det V = +-1): at a generic point it fails, so a
    # draw outside the declaration would "refute" it. It must never be refuted (proved or unknown).
    claim = parse(CLAIMS.split("[[claim]]")[0] + "[[claim]]\nid = 'det2'\nlhs = '\\det(V)^2'\nrhs = '1'\n").entries[0]
    assert claim.claim is not None
    assert decide(claim.claim, timeout=60).verdict in (Verdict.PROVED, Verdict.UNKNOWN)


def test_a_counterexample_found_at_a_large_size_is_looked_for_at_the_smaller_ones() -> None:
    # det(V) = 1 fails for every reflection; at n = 1 the orthogonal V are 1 and -1, and V = -1 gives
    # det(V) = -1 against 1. Each point draws a reflection half the time, so the first one may come
    # at n = 6 (with seven-digit entries): the smaller sizes are then tried again, and n = 1 shows it.
    claim = parse(CLAIMS.split("[[claim]]")[0] + "[[claim]]\nid = 'det1'\nlhs = '\\det(V)'\nrhs = '1'\n").entries[0]
    assert claim.claim is not None
    result = decide(claim.claim, timeout=60)
    assert result.verdict is Verdict.REFUTED and result.counterexample is not None
    assert result.counterexample.sizes == {"n": 1} and result.counterexample.values == {"V": "-1"}, result.detail


def test_a_derivative_by_an_orthogonal_matrix_is_refused() -> None:
    # Its entries are tied by V^T V = I: a derivative along each entry is not defined.
    text = (CLAIMS.split("[[claim]]")[0]
            + "[[claim]]\nid = 'd'\nlhs = '\\frac{\\partial \\operatorname{tr}(V)}{\\partial V}'\nrhs = 'I'\n")
    entry = parse(text).entries[0]
    if entry.claim is None:  # refused by the reader already
        return
    result = decide(entry.claim, timeout=60)
    assert result.verdict is not Verdict.REFUTED and result.verdict is not Verdict.PROVED


def test_declarations_are_read() -> None:
    assert parse_declaration("V", "matrix(n, n), orthogonal").orthogonal
    assert parse_declaration("Q", "matrix(n, n), positive definite").positive_definite
    assert parse_declaration("D", "matrix(n, n), diagonal").diagonal


# --- every point drawn for a claim, and on its kinks, is inside every declaration ----------------

SIDES = [
    ("V^T V + D", "Q"),
    (r"\max(\operatorname{tr}(Q), t)", r"|\operatorname{tr}(D)| + t"),
    (r"\operatorname{ReLU}(\operatorname{tr}(D A)) + \det(V)", r"\max(\operatorname{tr}(Q), \operatorname{tr}(D))"),
    (r"\mathbb{1}[\operatorname{tr}(V) > 0] + |t|", r"\operatorname{tr}(Q D)"),
]
HEADER = r'''
[symbols]
V = "matrix(n, n), orthogonal"
D = "matrix(n, n), diagonal"
Q = "matrix(n, n), positive definite"
A = "matrix(n, n)"
t = "scalar, positive"
'''


def _claim(k: int) -> Equality:
    lhs, rhs = SIDES[k]
    e = parse(HEADER + f"[[claim]]\nid = 'c{k}'\nlhs = '{lhs}'\nrhs = '{rhs}'\n").entries[0]
    assert e.claim is not None, e.problem
    return e.claim


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**9), k=st.sampled_from(range(len(SIDES))), n=st.sampled_from([1, 2, 3, 4]),
       kind=st.sampled_from(range(4)))
def test_every_point_of_a_claim_is_inside_the_declarations(seed: int, k: int, n: int, kind: int) -> None:
    claim = _claim(k)
    rng = random.Random(seed)
    unit, magnitude = kind == 1, (0, 0, 1000, -(10**6))[kind]
    try:
        _, point = evaluate((claim.lhs, claim.rhs), claim.symbols, {"n": n}, claim.layout, rng, unit,
                            magnitude=magnitude, signed=bool(magnitude))
    except (ZeroDivisionError, ValueError):
        return
    for name, value in point.values.items():
        inside(name, value)
        assert satisfies(claim.symbols[name], value)
    for got in on_kinks(claim, {"n": n}, rng):  # points solved onto a kink keep every declaration
        if got is not None:
            for name, value in got[2].values.items():
                inside(name, value)
                assert satisfies(claim.symbols[name], value)
                if name == "t":
                    assert value[0, 0] > 0


# --- positive scalars: their counterexamples stay positive ---------------------------------------

POSITIVE = r'''
[symbols]
t = "scalar, positive"
s = "scalar"
Q = "matrix(n, n), positive definite"

# max(t, 0) = 0 fails at every t > 0 (max is t there); a counterexample must have t > 0.
[[claim]]
id = "max-positive"
lhs = '\max(t, 0)'
rhs = '0'
expect = "fails"

# |t| = t holds for t > 0; |s| = s fails at s = -1.
[[claim]]
id = "abs-positive"
lhs = '|t| + |s|'
rhs = 't + s'
expect = "fails"

# tr(t Q) = t tr(Q) holds; t tr(Q) = tr(Q) fails at t = 2, Q = I.
[[claim]]
id = "scaled-trace"
lhs = 't \operatorname{tr}(Q)'
rhs = '\operatorname{tr}(Q)'
expect = "fails"
'''


@pytest.mark.parametrize("index", range(3))
def test_counterexamples_keep_positive_scalars_positive(index: int) -> None:
    entry = parse(POSITIVE).entries[index]
    assert entry.claim is not None, entry.problem
    result = decide(entry.claim, timeout=60)
    assert result.verdict is Verdict.REFUTED, result.detail
    values = result.counterexample.values
    assert sympy.Rational(values["t"]) > 0
    if "Q" in values:
        inside("Q", parse_matrix(values["Q"]))
