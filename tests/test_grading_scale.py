"""Grading at class scale: sharing work between identical answers changes no grade.

The batch plans and assembles each distinct answer once (grading/batch.py) and decides each
distinct claim once, in N workers, with a cache. Here every grade of the batch is compared with
the grade computed for that submission alone, from scratch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verify.deciding.batch.execution import Execution
from verify.grading.assignment import load_assignment
from verify.grading.batch import GradingOptions, decide_each, executed, grade_files, shares
from verify.grading.grade import Key, assemble, plan
from verify.grading.scoring import ScoringRule
from verify.model.claim import Claim
from verify.model.result import Result, Verdict
from verify.reading.markdown import read_submission

HW1 = load_assignment("hw1")
LINEAR_RIGHT = "$$\\frac{\\partial y}{\\partial x} = \\frac{\\partial (A x)}{\\partial x} = A$$"
BILINEAR_WRONG = "$$\\frac{\\partial \\alpha}{\\partial y} = x^T A$$"  # x^T A^T is right: a transpose off

SUBMISSIONS = {
    # s1 and s2: the same mathematics, different prose and positions: they share plans and grades
    "s1": f"## pd.linear\n\nBy the definition:\n\n{LINEAR_RIGHT}\n\n## pd.bilinear-y\n\n{BILINEAR_WRONG}\n"
          "\n## beale.convex\n\nFalse: the Hessian at 0 has determinant -9.\n",
    "s2": f"---\nstudent: s2\n---\n\n\n## pd.bilinear-y\n\nso\n\n{BILINEAR_WRONG}\n\n## pd.linear\n\n{LINEAR_RIGHT}\n"
          "\n## beale.convex\n\nTrue, it is a sum of squares.\n",
    # s3: headings with prose only (no mathematics), s4: headings with nothing under them; both have
    # no math, so they share a plan, but "nothing" and "prose without an answer" are different marks
    "s3": "## pd.linear\n\nI think it is the matrix itself.\n\n## pd.bilinear-y\n\nNot sure.\n",
    "s4": "## pd.linear\n\n## pd.bilinear-y\n\n## beale.convex\n",
    # s5: a right answer reached through a step that does not follow (2A is not A)
    "s5": "## pd.linear\n\n$$\\frac{\\partial y}{\\partial x} = 2 A = A$$\n",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("class")
    for name, text in SUBMISSIONS.items():
        (root / f"{name}.md").write_text(text)
    return root


def test_each_grade_of_the_batch_is_the_grade_of_the_submission_alone(folder: Path) -> None:
    decided: dict[Key, Result] = {}

    def decider(pending: list[tuple[Key, Claim]], done, limits) -> dict[Key, Result]:  # type: ignore[no-untyped-def]
        out = decide_each(pending, done, [60.0] * len(pending))
        decided.update(out)
        return out

    files = sorted(folder.glob("*.md"))
    grades = grade_files(HW1, files, decider=decider)
    rule = ScoringRule(GradingOptions().partial)
    for path, g in zip(files, grades, strict=True):
        sub = read_submission(path.read_text(), str(path), path.stem, HW1.ids)
        alone = tuple(assemble(plan(q, sub.sections.get(q.id)), decided, rule) for q in HW1.questions)
        assert g.questions == alone, path.name
    by = {Path(g.file).stem: {q.id: q.verdict.value for q in g.questions} for g in grades}
    # by hand: dy/dx = A; d(y^T A x)/dy = x^T A^T, so x^T A is wrong; beale.convex is false (det H(0) = -9)
    assert by["s1"]["pd.linear"] == by["s2"]["pd.linear"] == "correct"
    assert by["s1"]["pd.bilinear-y"] == by["s2"]["pd.bilinear-y"] == "incorrect"
    assert (by["s1"]["beale.convex"], by["s2"]["beale.convex"]) == ("correct", "incorrect")
    assert by["s4"]["pd.linear"] == "unanswered"
    assert by["s5"]["pd.linear"] == "correct"
    s5 = next(q for g in grades if Path(g.file).stem == "s5" for q in g.questions if q.id == "pd.linear")
    assert s5.first_bad_step == 1 and s5.points == 0.5


def test_workers_and_the_cache_give_the_same_grades(folder: Path, tmp_path: Path) -> None:
    files = sorted(folder.glob("*.md"))
    plain = grade_files(HW1, files)
    execution = Execution(jobs=2, timeout=60, cache=tmp_path / "c.sqlite")
    cold = grade_files(HW1, files, decider=executed(execution))
    warm = grade_files(HW1, files, decider=executed(execution))
    assert [g.to_json() for g in cold] == [g.to_json() for g in plain]
    assert [g.to_json() for g in warm] == [g.to_json() for g in plain]


def test_shares_divide_the_budget_and_a_shared_claim_takes_the_larger() -> None:
    owned = {Path("a.md"): {"k1", "k2", "k3", "k4"}, Path("b.md"): {"k4"}}
    limits, per_file = shares(owned, budget=8.0, timeout=5.0)
    assert per_file == {Path("a.md"): 2.0, Path("b.md"): 5.0}  # 8 / 4 = 2; 8 / 1 is capped at 5
    assert limits == {"k1": 2.0, "k2": 2.0, "k3": 2.0, "k4": 5.0}


def test_a_long_submission_gets_its_budget_shared_out_and_a_note(tmp_path: Path) -> None:
    # dy/dx = A = A + 1 A - 1 A = ... = A + 29 A - 29 A: 30 steps, each a claim of its own, and
    # the answer: at least 31 distinct claims share the 6 s budget.
    many = tmp_path / "many.md"
    chain = " = ".join(["A"] + [f"A + {k} A - {k} A" for k in range(1, 30)])
    many.write_text(f"## pd.linear\n\n$$\\frac{{\\partial y}}{{\\partial x}} = {chain}$$\n")
    seen: dict[Key, float] = {}

    def decider(pending, done, limits):  # type: ignore[no-untyped-def]
        seen.update({k: limit for (k, _), limit in zip(pending, limits, strict=True)})
        for _ in pending:
            done()
        return {k: Result(Verdict.UNKNOWN, detail="not decided in this test") for k, _ in pending}

    [graded] = grade_files(HW1, [many], GradingOptions(timeout=20.0, budget=6.0), decider=decider)
    assert len(seen) >= 31
    assert set(seen.values()) == {6.0 / len(seen)}
    assert any("budget" in note for note in graded.notes)


def test_a_misspelt_heading_reaches_the_submissions_notes(tmp_path: Path) -> None:
    # grade_files reads .stray from each Submission (mypy had seen it as an object): the note
    # names the heading and the question it is closest to
    misspelt = tmp_path / "misspelt.md"
    misspelt.write_text(f"## pd.linaer\n\n{LINEAR_RIGHT}\n")

    def decider(pending, done, limits):  # type: ignore[no-untyped-def]
        return {k: Result(Verdict.UNKNOWN, detail="not decided in this test") for k, _ in pending}

    [graded] = grade_files(HW1, [misspelt], decider=decider)
    assert graded.notes == ("heading 'pd.linaer (did you mean pd.linear?)' names no question of hw1",)
