"""Every size a dimension letter allows is tried before anything is proved, and a proof says
exactly which sizes it covers.

Claims are written as a user writes them, through the claims-file reader, and decided inline.
Every expected verdict is derived by hand in a comment; none is copied from the engine's output.
"""

from __future__ import annotations

import itertools

import pytest
from rich.console import Console

from checking import separates
from verify.deciding.evaluation import sizing
from verify.deciding.kinds import equality
from verify.deciding.kinds.equality import decide_equality
from verify.model.claim import Equality
from verify.model.result import Result, Verdict
from verify.reading.claims_file import parse
from verify.reporting.rows import Row
from verify.reporting.table import STYLE, details, verdict_text


def claim(symbols: str, lhs: str, rhs: str) -> Equality:
    text = f"[symbols]\n{symbols}\n[[claim]]\nid = \"c\"\nlhs = '{lhs}'\nrhs = '{rhs}'\n"
    (entry,) = parse(text).entries
    assert entry.claim is not None, entry.problem
    return entry.claim


def decide(c: Equality) -> Result:
    return decide_equality(c)


# --- sizes where a claim fails ----------------------------------------------------------------


def test_det_of_an_outer_product_is_refuted_at_n_1() -> None:
    # x y^T has rank at most 1, so its determinant is 0 for n >= 2; at n = 1 it is the 1 x 1
    # matrix [x y], whose determinant x y is not 0 for x, y != 0: false at n = 1 only.
    c = claim('x = "vector(n)"\ny = "vector(n)"', r"\det(x y^T)", "0")
    r = decide(c)
    assert r.verdict is Verdict.REFUTED, r
    assert r.counterexample.sizes == {"n": 1}
    assert separates(c, r.counterexample)


def test_a_prover_bug_cannot_prove_a_claim_false_at_n_1(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same claim with a size-independent prover that "proves" everything: every binding
    # (n = 1 among them) is sampled before that prover, so it is still refuted, at n = 1.
    monkeypatch.setattr(equality, "_prove_all_sizes", lambda c: "a broken proof")
    c = claim('x = "vector(n)"\ny = "vector(n)"', r"\det(x y^T)", "0")
    r = decide(c)
    assert r.verdict is Verdict.REFUTED and r.counterexample.sizes == {"n": 1}


def test_a_claim_false_only_at_n_4_is_refuted() -> None:
    # tr(I_n) = n. For an integer n != 4, (n - 4)^2 >= 1, so max(0, 1 - (n - 4)^2) = 0 and the
    # left side is 0 = the right side; at n = 4 the max is 1 and the left side is x^T x, which
    # is not 0 for x != 0. So the claim holds at every n but 4.
    c = claim('x = "vector(n)"', r"\max(0, 1 - (\operatorname{tr}(I_n) - 4)^2) x^T x", "0")
    r = decide(c)
    assert r.verdict is Verdict.REFUTED, r
    assert r.counterexample.sizes == {"n": 4}
    assert separates(c, r.counterexample)


@pytest.mark.parametrize(("rows", "cols"), [("m", "n"), ("q", "p"), ("n", "m")])
def test_the_projection_onto_the_columns_is_not_the_identity_when_m_exceeds_n(rows: str, cols: str) -> None:
    # M is rows x cols. M^T M is cols x cols and invertible when M has full column rank (rows
    # >= cols, generic M); then P = M (M^T M)^{-1} M^T is the orthogonal projection onto the
    # column space of M, of rank cols, so P = I (rank rows) exactly when rows = cols: false
    # for every rows > cols (at rows = 2, cols = 1, P = M M^T / |M|^2 has rank 1), undefined
    # for rows < cols. Refuted whatever the letters are called, at a tall M.
    c = claim(f'M = "matrix({rows}, {cols})"', r"M (M^T M)^{-1} M^T", f"I_{{{rows}}}")
    r = decide(c)
    assert r.verdict is Verdict.REFUTED, r
    sizes = r.counterexample.sizes
    assert sizes[rows] > sizes[cols]
    assert separates(c, r.counterexample)


def test_the_trace_of_a_sized_identity_binds_its_letter() -> None:
    # tr(I_n) = n, which is 2 only at n = 2: refuted (at n = 1 or 3, say), not an internal
    # error for a letter that no symbol of the claim carries.
    text = """
[symbols]
x = "vector(n)"
[[claim]]
id = "tr"
lhs = '\\operatorname{tr}(I_n)'
rhs = '2'
"""
    (entry,) = parse(text).entries
    c = entry.claim
    assert c is not None and "n" in sizing.letters_of(c)
    r = decide(c)
    assert r.verdict is Verdict.REFUTED, r
    assert r.counterexample.sizes["n"] != 2
    assert r.counterexample.lhs == str(r.counterexample.sizes["n"]) and r.counterexample.rhs == "2"


# --- what a proof says about sizes ------------------------------------------------------------


def test_the_sizes_where_a_claim_is_undefined_are_listed() -> None:
    # (M^T M)^{-1} M^T M = I for M m x n: where M^T M (n x n) is invertible, that is for a
    # generic M with m >= n, the left side is A^{-1} A = I. For m < n, M^T M has rank m < n and
    # is singular at every point: the claim is undefined there (m = 1, n = 2 among the sizes
    # tried), and the detail must say so rather than drop those sizes without a word.
    c = claim('M = "matrix(m, n)"', r"(M^T M)^{-1} M^T M", "I")
    r = decide(c)
    assert r.verdict is Verdict.PROVED, r
    assert "not defined at " in r.detail
    undefined = r.detail.split("not defined at ", 1)[1]
    assert "m=1, n=2" in undefined and "m=2, n=3" in undefined
    for m, n in [(1, 1), (2, 2), (3, 2), (2, 1)]:  # m >= n: defined there, so not listed
        assert f"m={m}, n={n}" not in undefined and f"m=n={m}" not in undefined


def test_a_proof_at_some_sizes_says_it_is_not_a_proof_for_every_n() -> None:
    # det(A + B) = det(B + A) for every n (A + B = B + A), but the size-independent prover has no
    # rule for the determinant of a sum, and a proof by instantiation with symbolic entries shows
    # it only at the sizes it was made at: the scope lists them, and the detail says plainly that
    # other n are not proved.
    c = claim('A = "matrix(n, n)"\nB = "matrix(n, n)"', r"\det(A + B)", r"\det(B + A)")
    r = decide(c)
    assert r.verdict is Verdict.PROVED, r
    assert r.scope is not None and r.scope.startswith("sizes ")
    assert "not proved for every n" in r.detail
    held = r.detail.split("holds at ", 1)[1].split(" (", 1)[0]
    assert held == sizing.plainly([{"n": int(p.split("=")[1])} for p in r.scope.removeprefix("sizes ").split("; ")])


def test_a_partial_proof_never_looks_proved_in_the_table() -> None:
    # The verdict stays "proved" in JSON (a public contract), with its scope; the table
    # shows which sizes, not in the green of a proof for every size, with the detail below.
    result = Result(Verdict.PROVED, detail="holds at n = 1, 2, 3 (proved by expand); not proved for every n",
                    scope="sizes n=1; n=2; n=3")
    row = Row(file="f.toml", id="c", statement="", result=result, expect="holds")
    assert row.to_json()["verdict"] == "proved" and row.to_json()["scope"] == "sizes n=1; n=2; n=3"
    assert row.partial and row.label == "proved at n=1, 2, 3 only"
    text = verdict_text(row)
    assert text.plain.startswith("proved at n=1, 2, 3 only") and text.style != STYLE[Verdict.PROVED]
    console = Console(width=200, record=True)
    console.print(details([row]))
    assert "not proved for every n" in console.export_text()
    everywhere = Row(file="f.toml", id="d", statement="", result=Result(Verdict.PROVED, scope="all sizes"))
    assert not everywhere.partial and verdict_text(everywhere).plain == "proved"


# --- the bindings themselves ------------------------------------------------------------------


def _shape(bound: list[dict[str, int]], names: list[str]) -> set[tuple[int, ...]]:
    return {tuple(b[n] for n in names) for b in bound}


@pytest.mark.parametrize("which", ["sampled", "proving", "bindings"])
@pytest.mark.parametrize("letters", [["n"], ["m", "n"], ["D_x", "D_a1", "h"], ["a", "b", "c", "d"]])
def test_bindings_do_not_depend_on_the_letters_names(which: str, letters: list[str]) -> None:
    # Renaming the letters (any permutation, and names that sort in another order) renames the
    # bindings: as a set, they are the same up to that renaming.
    how = getattr(sizing, which)
    base = _shape(how(letters), letters)
    for perm in itertools.permutations(letters):
        assert _shape(how(list(perm)), list(perm)) == base
        assert _shape(how(perm), letters) == base  # the old scheme gave the sorted-first letter the smallest size
    renamed = [f"z{9 - i}" for i in range(len(letters))]
    assert _shape(how(renamed), renamed) == base


def test_every_letter_is_sampled_at_small_and_large_sizes_and_two_letters_in_both_orders() -> None:
    bound = sizing.sampled(["m", "n", "p"])
    for letter in "mnp":
        assert {b[letter] for b in bound} >= {1, 2, 3, 4, 6}
    for a, b in itertools.permutations("mnp", 2):
        assert any(x[a] < x[b] for x in bound) and any(x[a] > x[b] for x in bound)
    assert any(len(set(b.values())) == 3 for b in bound)  # three different sizes at once
    assert len(bound) == len({tuple(sorted(b.items())) for b in bound}) <= 25
    assert sizing.sampled([]) == [{}]
