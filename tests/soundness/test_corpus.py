"""Soundness (issue 11): a `proved` or `refuted` verdict must never be wrong.

The corpus (``tests/soundness/corpus/*.toml``, claims-file format) is adversarial: huge magnitudes
where an absolute float tolerance means nothing, gaps of 10^-30, kinks at x = 2000, indicators
that differ only on their boundary, claims false only at n = 1 or only from n = 4, tall versus
wide matrices, and renamed copies. Each claim's ``expect`` is derived by hand in the comment
above it, and checked here against a second, independent route: :mod:`soundness.oracle`, which
evaluates both sides in interval arithmetic at sizes 1..4 and exact rational points without any
of the engine's deciding code.

The engine is then run on the whole corpus the way a user runs it (``python -m verify check``,
JSON, no cache, -j 2) and every verdict that contradicts ``expect`` is reported in one failure:
``proved`` for a claim that fails (whatever the scope: "sizes n=1; n=2; n=3" for a claim false
at n = 4 is a wrong proof) and ``refuted`` for a claim that holds. ``unknown`` is never wrong.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from soundness.oracle import decide_file

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
FILES = sorted(CORPUS.glob("*.toml"))
ROOT = HERE.parent.parent

#: Per-claim limit for the engine, as the issue asks.
TIMEOUT = 20

#: renamed copy -> original: the same claim with other ids and letters (corpus/renamed.toml)
RENAMED = {
    "rn.det-outer-product": "sz.det-outer-product",
    "rn.projection-is-identity": "sz.projection-is-identity",
    "rn.left-inverse": "sz.left-inverse",
    "rn.det-rectangular-swap": "sz.det-rectangular-swap",
    "rn.sylvester": "sz.sylvester",
    "rn.cayley-hamilton-3-at-all-n": "sz.cayley-hamilton-3-at-all-n",
    "rn.det-negate-even": "sz.det-negate-even",
    "rn.geq-vs-gt": "ind.geq-vs-gt",
    "rn.gt-plus-leq": "ind.gt-plus-leq",
    "rn.geq-times-leq": "ind.geq-times-leq",
    "rn.max-tiny-gap": "ns.max-tiny-gap",
    "rn.max-far-kink": "ns.max-far-kink",
    "rn.abs-far-kink": "ns.abs-far-kink",
    "rn.near-miss-additive": "mag.near-miss-additive",
    "rn.tanh-saturates": "mag.tanh-saturates",
    "rn.gradient-exp-row": "mag.gradient-exp-row",
    "rn.cosh-sinh": "mag.cosh-sinh",
}


def _claims(path: Path) -> list[dict[str, Any]]:
    return tomllib.loads(path.read_text())["claim"]


EXPECT = {c["id"]: c["expect"] for f in FILES for c in _claims(f)}


def test_corpus_is_large_balanced_and_derived_by_hand() -> None:
    ids = [c["id"] for f in FILES for c in _claims(f)]
    assert len(ids) == len(set(ids)), "claim ids must be unique across the corpus"
    assert len(ids) >= 120
    assert all(c.get("expect") in ("holds", "fails") for f in FILES for c in _claims(f))
    holds = sum(1 for e in EXPECT.values() if e == "holds")
    assert 0.4 <= holds / len(ids) <= 0.6, f"{holds} of {len(ids)} hold: the corpus should be about half and half"
    for f in FILES:  # a derivation (a comment) right above every [[claim]]
        lines = f.read_text().splitlines()
        bare = [i + 1 for i, line in enumerate(lines) if line.strip() == "[[claim]]"
                and not (i > 0 and lines[i - 1].lstrip().startswith("#"))]
        assert not bare, f"{f.name}: no derivation comment above the claim at line(s) {bare}"
    for copy, original in RENAMED.items():
        assert EXPECT[copy] == EXPECT[original], copy


def test_oracle_uses_no_deciding_code() -> None:
    """The second route shares the reader with the engine, nothing of how it decides."""
    tree = ast.parse((HERE / "oracle.py").read_text())
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert all(m.startswith(("verify.model", "verify.reading")) or not m.startswith("verify")
               for m in imported), imported


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_oracle_agrees_with_every_expect(path: Path) -> None:
    """The hand derivations and the independent evaluation agree on every claim, and the oracle
    decides every claim (the corpus only uses what it can evaluate)."""
    verdicts = decide_file(path)
    undecided = [f"{v.id}: {v.why}" for v in verdicts if v.truth is None]
    wrong = [f"{v.id}: expect {v.expect}, oracle {v.truth} ({v.witness or f'{v.agreeing} points agree'})"
             for v in verdicts if v.truth is not None and v.truth != v.expect]
    assert not wrong, "the oracle contradicts the hand-derived expect:\n" + "\n".join(wrong)
    assert not undecided, "the oracle could not decide:\n" + "\n".join(undecided)


@pytest.fixture(scope="module")
def engine() -> list[dict[str, Any]]:
    """The engine's verdict on every claim of the corpus: one `verify check` process, -j 2."""
    command = [sys.executable, "-m", "verify", "check", *map(str, FILES), "--format", "json",
               "--no-cache", "--timeout", str(TIMEOUT), "-j", "2"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "200"})
    assert done.returncode in (0, 1), f"exit {done.returncode}:\n{done.stderr[-3000:]}"
    rows = json.loads(done.stdout)["claims"]
    assert sorted(r["id"] for r in rows) == sorted(EXPECT), "the engine did not report every claim once"
    return rows


def test_engine_never_contradicts_expect(engine: list[dict[str, Any]]) -> None:
    """`proved` only for a claim that holds (any scope), `refuted` only for one that fails."""
    wrong = []
    for row in engine:
        expect = EXPECT[row["id"]]
        if (row["verdict"] == "proved" and expect == "fails") or (row["verdict"] == "refuted" and expect == "holds"):
            values = (row["counterexample"] or {}).get("values")
            where = row["scope"] if row["verdict"] == "proved" else f"at {json.dumps(values)}"
            wrong.append(f"{row['id']}: verdict {row['verdict']} ({where}), expect {expect}"
                         f" [{Path(row['file']).name}]")
    unknown = sum(1 for row in engine if row["verdict"] == "unknown")
    assert not wrong, (f"{len(wrong)} wrong verdict(s) of {len(engine)} ({unknown} unknown):\n" + "\n".join(wrong))


def test_engine_reads_every_claim(engine: list[dict[str, Any]]) -> None:
    """The corpus is written in the documented LaTeX subset: no claim is an `error`."""
    errors = [f"{r['id']}: {(r['detail'] or '').splitlines()[0]}" for r in engine if r["verdict"] == "error"]
    assert not errors, "claims the engine could not read:\n" + "\n".join(errors)


def test_verdicts_do_not_depend_on_ids_or_names(engine: list[dict[str, Any]]) -> None:
    """A renamed copy gets the verdict of its original (a claim cut short by the time limit is
    left out: how far it got depends on the machine's load)."""
    by_id = {r["id"]: r for r in engine}
    differ = []
    for copy, original in RENAMED.items():
        a, b = by_id[copy], by_id[original]
        if "timed out" in (a["detail"] or "") + (b["detail"] or ""):
            continue
        if a["verdict"] != b["verdict"]:
            differ.append(f"{copy}: {a['verdict']} but {original}: {b['verdict']}")
    assert not differ, "verdicts that change with the names:\n" + "\n".join(differ)
