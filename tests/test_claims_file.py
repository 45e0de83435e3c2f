"""The claims file and ``python -m verify check``, as the public contract fixes them.

The command is run as a user runs it (a subprocess), so the exit status, stdout and stderr
are the real ones. Verdicts asserted here are the mathematics' (each derived in a comment),
not copies of what the engine printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.model.expr import Derivative, Product, Var
from verify.reading.claims_file import ClaimsFileError, parse

ROOT = Path(__file__).resolve().parent.parent

#: The contract's example, verbatim.
CONTRACT_EXAMPLE = r"""
title = "Matrix calculus basics"        # optional
layout = "numerator"                    # optional: "numerator" (default) or "denominator"

[symbols]                               # every name used in an expression must be declared
x = "vector(n)"                         # n x 1 column vector
y = "vector(m), of(z)"                  # y is an arbitrary smooth function of z
z = "vector(p)"
A = "matrix(m, n)"
Q = "matrix(n, n), symmetric"
X = "matrix(n, n), invertible, of(t)"
'\alpha' = "scalar"
t = "scalar, positive"
W_1 = "matrix(h, 3)"

[define]                                # name := expression, substituted before evaluation
u = 'A x'

[[claim]]
id = "jacobian-linear"
lhs = '\frac{\partial u}{\partial x}'
rhs = 'A'
expect = "holds"                        # optional: "holds" or "fails"
"""

KEYS = ["file", "id", "verdict", "scope", "counterexample", "detail", "seconds"]


def check(tmp_path: Path, *args: str, fmt: str = "json") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "verify", "check", *args, "--format", fmt],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )


def write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def test_the_contract_example_is_proved(tmp_path: Path) -> None:
    f = write(tmp_path, "f.toml", CONTRACT_EXAMPLE)
    done = check(tmp_path, f)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["claims"]
    (row,) = out["claims"]
    assert list(row) == KEYS
    # u = Ax, du_i/dx_j = a_ij: the Jacobian is A, for every size.
    assert row["file"] == "f.toml" and row["id"] == "jacobian-linear"
    assert row["verdict"] == "proved"
    assert isinstance(row["scope"], str) and row["scope"]
    assert row["counterexample"] is None
    assert isinstance(row["detail"], str)
    assert isinstance(row["seconds"], int | float) and row["seconds"] >= 0


CLAIMS = r"""
[symbols]
x = "vector(n)"
K = "matrix(n, n)"
a = "scalar"

[[claim]]
id = "good"
# d/dx_j sum_ik x_i K_ik x_k = (Kx)_j + (K^T x)_j
lhs = '\nabla_x x^T K x'
rhs = '(K + K^T) x'

[[claim]]
id = "unreadable"
lhs = 'K q'
rhs = 'x'

[[claim]]
id = "dropped-transpose"
# (K x)^T = x^T K^T, not x^T K (they differ for K = [[0, 1], [0, 0]], x = (1, 0))
lhs = '(K x)^T'
rhs = 'x^T K'
EXPECT

[[claim]]
id = "also-good"
# (a + a)^2 = 4 a^2
lhs = '(a + a)^2'
rhs = '4 a^2'
"""


def test_an_unreadable_claim_is_an_error_and_the_others_are_checked(tmp_path: Path) -> None:
    f = write(tmp_path, "c.toml", CLAIMS.replace("EXPECT", 'expect = "fails"'))
    done = check(tmp_path, f)
    rows = {r["id"]: r for r in json.loads(done.stdout)["claims"]}
    assert list(rows) == ["good", "unreadable", "dropped-transpose", "also-good"]
    assert rows["good"]["verdict"] == "proved"
    assert rows["also-good"]["verdict"] == "proved"
    bad = rows["unreadable"]
    assert bad["verdict"] == "error"
    assert "q is not declared" in bad["detail"] and "lhs" in bad["detail"]
    assert bad["detail"].endswith("K q\n  ^")  # what, and where
    wrong = rows["dropped-transpose"]
    assert wrong["verdict"] == "refuted"
    cx = wrong["counterexample"]
    assert cx["lhs"] != cx["rhs"] and set(cx["values"]) >= {"K", "x"}
    # the error claim has no expect, so not every claim is as expected
    assert done.returncode == 1


def test_exit_status_follows_expect(tmp_path: Path) -> None:
    claims = CLAIMS.replace(
        "[[claim]]\nid = \"unreadable\"\nlhs = 'K q'\nrhs = 'x'\n", ""
    )
    with_expect = write(tmp_path, "e.toml", claims.replace("EXPECT", 'expect = "fails"'))
    done = check(tmp_path, with_expect)
    assert done.returncode == 0, done.stdout + done.stderr
    without = write(tmp_path, "w.toml", claims.replace("EXPECT", ""))
    done = check(tmp_path, without, fmt="table")
    assert done.returncode == 1  # refuted without an expect is not a pass
    assert "dropped-transpose" in done.stdout and "refuted" in done.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no such file"),
        ("x = \n", "not TOML"),
        ('[symbols]\nx = "vectr(n)"\n', "[symbols] x"),
        ('[symbols]\ny = "vector(n), of(q)"\n', "not declared"),
        ('[symbols]\n"2x" = "scalar"\n', "not a LaTeX name"),
        ('[symbol]\nx = "scalar"\n', "unknown key 'symbol'"),
        ('layout = "sideways"\n', "layout"),
        ('[symbols]\nx = "scalar"\n[define]\nx = "1"\n', "both declared and defined"),
    ],
)
def test_a_file_that_cannot_be_read_exits_2(tmp_path: Path, text: str | None, message: str) -> None:
    name = "missing.toml" if text is None else write(tmp_path, "bad.toml", text)
    done = check(tmp_path, name)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and name in lines[0]


def test_the_other_files_are_still_checked_when_one_cannot_be_read(tmp_path: Path) -> None:
    good = write(tmp_path, "f.toml", CONTRACT_EXAMPLE)
    done = check(tmp_path, "missing.toml", good, "--timeout", "0")  # 0: in-process, no limit
    assert done.returncode == 2
    assert [r["id"] for r in json.loads(done.stdout)["claims"]] == ["jacobian-linear"]
    assert json.loads(done.stdout)["claims"][0]["verdict"] == "proved"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    good = write(tmp_path, "f.toml", CONTRACT_EXAMPLE)
    for args in (("--timeout", "-1", good), ("--timeout", "soon", good), ()):
        done = check(tmp_path, *args)
        assert done.returncode == 2 and "usage:" in done.stderr and "Traceback" not in done.stderr


def test_the_worked_examples_are_as_expected() -> None:
    """Every expect in examples/ is derived by hand; the engine must agree with all of them."""
    files = sorted(str(p) for p in (ROOT / "examples").glob("*.toml"))
    assert files
    done = check(ROOT, *files)
    rows = json.loads(done.stdout)["claims"]
    assert done.returncode == 0, [r for r in rows if r["verdict"] not in ("proved", "refuted")]
    assert {r["verdict"] for r in rows} == {"proved", "refuted"}


# --- reading, without running the engine ------------------------------------------------------


def test_claims_are_read_as_written() -> None:
    cf = parse(CONTRACT_EXAMPLE, "f.toml")
    assert cf.title == "Matrix calculus basics" and cf.layout == "numerator"
    (entry,) = cf.entries
    assert entry.claim is not None and entry.problem is None
    assert entry.statement == r"\frac{\partial u}{\partial x} = A"
    assert entry.expect == "holds"
    assert entry.claim.lhs == Derivative(Product((Var("A"), Var("x"))), (Var("x"),))
    assert entry.claim.rhs == Var("A")
    assert set(entry.claim.symbols) == {"A", "x"}  # only what the claim speaks of


def test_a_zero_against_a_matrix_is_its_zero_matrix() -> None:
    # A - A = 0 (A m x n): the 0 is the m x n zero matrix, and the claim holds for every size;
    # A = 0 fails (A = [[1]]); 0 = grad of w^T w by x (which does not depend on x): the n x 1 zero;
    # 1 is no matrix: A = 1 stays a shape error; x^T x = 0 is between scalars and fails (x = 1).
    from verify.deciding import decide
    from verify.model import Verdict, Zero
    from verify.model.shape import Shape

    cf = parse(r"""
[symbols]
x = "vector(n)"
w = "vector(n)"
A = "matrix(m, n)"
[[claim]]
id = "difference"
lhs = 'A - A'
rhs = '0'
[[claim]]
id = "not-zero"
lhs = 'A'
rhs = '0'
[[claim]]
id = "zero-left"
lhs = '0'
rhs = '\nabla_x (w^T w)'
[[claim]]
id = "one"
lhs = 'A'
rhs = '1'
[[claim]]
id = "scalar"
lhs = 'x^T x'
rhs = '0'
[[claim]]
id = "identity"
lhs = 'I'
rhs = '0'
""", "f.toml")
    by_id = {e.id: e for e in cf.entries}
    difference, not_zero, zero_left, one, scalar = (by_id[k] for k in ("difference", "not-zero", "zero-left", "one",
                                                                        "scalar"))
    assert difference.claim is not None and difference.claim.rhs == Zero(Shape("m", "n"))
    assert zero_left.claim is not None and zero_left.claim.lhs == Zero(Shape("n", 1))
    assert one.claim is None and one.problem is not None and "different shapes" in one.problem
    assert scalar.claim is not None and not isinstance(scalar.claim.rhs, Zero)
    # I is sized by context, so its 0 has no shape: read as written (I = 0 fails wherever I is 1)
    identity = by_id["identity"]
    assert identity.claim is not None and not isinstance(identity.claim.rhs, Zero)
    assert decide(identity.claim, timeout=60).verdict is Verdict.REFUTED
    assert not_zero.claim is not None
    verdicts = [decide(e.claim, timeout=60).verdict for e in (difference, not_zero, zero_left, scalar)
                if e.claim is not None]
    assert verdicts == [Verdict.PROVED, Verdict.REFUTED, Verdict.PROVED, Verdict.REFUTED]


def test_claim_level_problems_are_errors_of_that_claim_only() -> None:
    text = r"""
layout = "denominator"
[symbols]
x = "vector(n)"
[define]
u = 'x q'
v = 'v'
[[claim]]
id = "a"
lhs = 'x'
rhs = 'x'
[[claim]]
id = "a"
lhs = 'x'
rhs = 'x'
[[claim]]
id = "b"
lhs = 'u'
rhs = 'x'
[[claim]]
id = "c"
lhs = 'v'
rhs = 'x'
[[claim]]
id = "d"
lhs = 'x^T'
rhs = 'x'
[[claim]]
id = "e"
lhs = 'x'
[[claim]]
id = "f"
lhs = 'x'
rhs = 'x'
expect = "true"
[[claim]]
id = "g"
lhs = 'x'
rhs = 'x'
typo = 1
"""
    cf = parse(text)
    assert cf.layout == "denominator"
    problems = {e.id: e.problem for e in cf.entries}
    assert cf.entries[0].problem is None
    assert "used twice" in str(cf.entries[1].problem)
    assert "definition of u" in str(problems["b"]) and "q is not declared" in str(problems["b"])
    assert "v is used before it is defined" in str(problems["c"])
    assert "different shapes" in str(problems["d"])
    assert "lhs and rhs" in str(problems["e"])
    assert "expect" in str(problems["f"])
    assert "typo" in str(problems["g"])


def test_file_level_problems_raise() -> None:
    with pytest.raises(ClaimsFileError):
        parse('[[claim]]\nid = "a"\n[symbols]\nx = 1\n')
