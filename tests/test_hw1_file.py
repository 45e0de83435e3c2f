"""HW1 from its assignment file (``derivations/hw1.toml``) equals HW1 from Python.

``derivations/hw1.py`` takes every question the file writes from the file and the others from
the section modules; the section modules' ``QUESTIONS`` stay whole, as the comparison. Checked
here:

- the file is sound: ``python -m verify assignment check derivations/hw1.toml`` exits 0;
- each question read from the file is the Python one, as far as the two models allow: the same
  wording, points, kind, layout and flags; the same symbols (the file names each by the LaTeX
  spelling the Python symbol declares as ``latex``), definitions, answer and asked quantity, as
  expression trees up to those names and to how sums and products are grouped (``(y^T A) x``,
  built by Python's operators, against the reader's ``y^T A x``), else proved equal by the engine;
- both grade every example submission (``examples/submissions/**``, ``tests/hostile/good.md``)
  and every submission written in a test module (a string literal with a ``## <question id>``
  heading) alike: the JSON gradebooks agree on every score, verdict, first bad step, review flag
  and feedback. One thing is allowed to differ, the random point a counterexample is found at
  (see :func:`without_witnesses`): the points are seeded by the claim's expression tree, grouping
  included, so a reference written ``y^T A x`` draws other points than Python's ``(y^T A) x``.
  Where the file's trees are the Python ones exactly, the feedback must be identical, points
  included.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from derivations import all_questions
from derivations.hw1 import ASSIGNMENT, FILE, file_questions, python_assignment
from verify.deciding import decide
from verify.grading import Assignment, GradingOptions, flag_for_review, grade_files
from verify.model import Equality, Expr, Question, Var, Verdict
from verify.model.expr import Add, Const, Power, Product
from verify.reporting import gradebook

ROOT = Path(__file__).resolve().parent.parent
PYTHON = {q.id: q for q in all_questions()}
WRITTEN = file_questions()

#: the questions the file cannot express, each with a comment at its place in hw1.toml
PYTHON_ONLY = {"reg.example", "bp.dJ-dyhat", "quad.closed-form", "adamax.update"}


# --- the file ---------------------------------------------------------------------------------


def test_the_file_is_sound() -> None:
    proc = subprocess.run([sys.executable, "-m", "verify", "assignment", "check", str(FILE)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_question_comes_from_the_file_or_says_why_not() -> None:
    """HW1's questions in today's order; those from the file are the file's objects, the others the
    Python ones, and each question left out has a comment naming it where it would stand."""
    assert [q.id for q in ASSIGNMENT.questions] == [q.id for q in python_assignment().questions]
    assert ASSIGNMENT.max_score == python_assignment().max_score
    for q in ASSIGNMENT.questions:
        if q.id in WRITTEN:  # read from the file (again here: equal, not the same object)
            assert q is not PYTHON[q.id] and (q.symbols, q.defines, q.answer) == \
                (WRITTEN[q.id].symbols, WRITTEN[q.id].defines, WRITTEN[q.id].answer)
        else:
            assert q is PYTHON[q.id]
    assert set(WRITTEN) == set(PYTHON) - PYTHON_ONLY
    paragraphs = re.findall(r"(?m)(?:^#.*\n)+", FILE.read_text())  # the file's comments, a block at a time
    for qid in PYTHON_ONLY:
        assert any(re.search(rf"\b{re.escape(qid)}\b", p) and re.search(r"stays? in Python", p)
                   for p in paragraphs), qid


# --- the questions, compared as the model allows ----------------------------------------------------


def renamed(value: Any, names: Mapping[str, str]) -> Any:
    """A Python expression with every variable renamed as the file spells it (``alpha`` -> ``\\alpha``)."""
    if isinstance(value, Var):
        return Var(names.get(value.name, value.name))
    if isinstance(value, tuple):
        return tuple(renamed(v, names) for v in value)
    if isinstance(value, Expr) and dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: renamed(getattr(value, f.name), names)
                                             for f in dataclasses.fields(value)})
    return value


def grouped(value: Any) -> Any:
    """The tree with nested sums and products flattened, ``x^1`` as ``x`` and ``-1 * c`` as the
    number ``-c``: what Python's binary operators build differently from the reader, same mathematics."""
    if isinstance(value, tuple):
        return tuple(grouped(v) for v in value)
    if not (isinstance(value, Expr) and dataclasses.is_dataclass(value)):
        return value
    e = dataclasses.replace(value, **{f.name: grouped(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(e, Add | Product):
        items: list[Expr] = []
        for item in (e.terms if isinstance(e, Add) else e.factors):
            if type(item) is type(e):
                items.extend(item.terms if isinstance(item, Add) else item.factors)
            else:
                items.append(item)
        e = type(e)(tuple(items))
    if isinstance(e, Power) and e.exponent == Const(1):
        return e.base
    if isinstance(e, Product) and len(e.factors) == 2 and all(isinstance(f, Const) for f in e.factors):
        return Const(e.factors[0].value * e.factors[1].value)
    return e


def same(file_expr: Expr, python_expr: Expr, q: Question, what: str) -> None:
    """Equal as trees up to grouping, else proved equal (the same quantity written another way:
    beale's x^{t+1} is Python's step evaluated at (0, 1), the file's x^t - \\alpha \\nabla f(x^t))."""
    if grouped(file_expr) == grouped(python_expr):
        return
    claim = Equality(id=f"{q.id}.{what}", statement=what, symbols=q.symbols, layout=q.layout,
                     lhs=file_expr, rhs=python_expr)
    result = decide(claim, timeout=120)
    assert result.verdict is Verdict.PROVED, f"{q.id}: {what} differs from Python's: {result.detail}"


def spellings(q: Question) -> dict[str, str]:
    return {s.name: s.latex or s.name for s in q.symbols.values()}


@pytest.mark.parametrize("qid", sorted(WRITTEN))
def test_the_question_is_the_python_one(qid: str) -> None:
    f, p = WRITTEN[qid], PYTHON[qid]
    names = spellings(p)
    assert (f.wording, f.points, f.kind, f.layout, f.where_it_exists, f.answer_names, f.samples) == \
        (p.wording, p.points, p.kind, p.layout, p.where_it_exists, p.answer_names, p.samples)
    # the symbols: the same, in the same order, each named by its Python spelling
    assert [s.name for s in f.symbols.values()] == [names[s.name] for s in p.symbols.values()]
    for fs, ps in zip(f.symbols.values(), p.symbols.values(), strict=True):
        expected = dataclasses.replace(ps, name=names[ps.name], latex=fs.latex, of=tuple(names[v] for v in ps.of))
        assert fs == expected, f"{qid}: {fs} is not {ps}"
    # the definitions (what a student's names stand for) and how they are shown
    assert set(f.defines) == set(p.defines)
    for name, value in p.defines.items():
        same(f.defines[name], renamed(value, names), f, f"the definition of {name}")
    assert dict(f.written) == dict(p.written)  # what `verify questions` shows for each name
    # the answer, the quantity asked (which equation is the answer), and every part
    if p.kind == "true-false":
        assert f.answer is p.answer
        assert f.reference.why == p.reference.why  # the reason a wrong answer is told
        return
    assert isinstance(f.answer, Expr) and isinstance(p.answer, Expr)
    same(f.answer, renamed(p.answer, names), f, "the answer")
    if isinstance(f.reference, Equality):  # (an equation's reference is the condition itself, not asked = answer)
        assert isinstance(p.reference, Equality)
        same(f.reference.lhs, renamed(p.reference.lhs, names), f, "the quantity asked")
    assert (f.accepts is None) == (p.accepts is None)
    assert [part.name for part in f.parts] == [part.name for part in p.parts]
    for fp, pp in zip(f.parts, p.parts, strict=True):
        same(fp.answer, renamed(pp.answer, names), f, f"the answer of {pp.name}")
        same(fp.reference.lhs, renamed(pp.reference.lhs, names), f, f"the part {pp.name}")


def identical_trees(qid: str) -> bool:
    """Whether the file builds exactly Python's trees for the question (names aside): then even
    the random points of its counterexamples are the same."""
    f, p = WRITTEN[qid], PYTHON[qid]
    names = spellings(p)
    pairs: list[tuple[Any, Any]] = [(f.answer, p.answer)]
    pairs += [(f.defines.get(k), v) for k, v in p.defines.items()]
    pairs += [(fp.answer, pp.answer) for fp, pp in zip(f.parts, p.parts, strict=True)]
    if p.kind != "true-false":
        pairs.append((getattr(f.reference, "lhs", None), getattr(p.reference, "lhs", None)))
    return all(a == renamed(b, names) for a, b in pairs)


# --- grading: every example and test submission, both ways --------------------------------------------

#: a counterexample in feedback: where (sizes and values), then both values; ends where a sentence
#: does, or at a hint in parentheses ("(the two sides differ by sign ...)"), never inside a value
_VALUES = (r"(?P<first>the left side is|your answer gives|the correct value \(the limit\) is) .*?"
           r" but (?P<second>the right side is|the correct value is|your answer gives) .*?"
           r"(?=\.(?: |$)| \([a-z]|$)")
_WITNESS = re.compile(r"(?<=: )(?:(?:with|at) [^:]*?, )?" + _VALUES)
_CONDITION = re.compile(r"and it is not: at [^:]*? it is \S+, where that multiple is \S+?(?=\.(?: |$)|$)")
_TIMEOUT = re.compile(r"timed out after [0-9.]+ s while [^;)]*")


def without_witnesses(feedback: str) -> str:
    """The feedback with each counterexample's point and values replaced by ``<point>``: the point
    is drawn at random, seeded by the claim's tree, grouping included. How long a decision ran
    before it timed out is left out too (it depends on the machine's load)."""
    out = _WITNESS.sub(lambda m: f"<point>, {m['first']} <value> but {m['second']} <value>", feedback)
    out = _CONDITION.sub("and it is not: <point>", out)
    return _TIMEOUT.sub("timed out", out)


def test_without_witnesses_keeps_everything_but_the_point() -> None:
    a = ("Your answer $x^T A^T$ is not right: with m = 2, n = 2 and $y$ = [[-1/4], [-3]], $A$ = [[0, 3/4], [-3, 4]], "
         "your answer gives [[-9/4, -6]] but the correct value is [[9, -195/16]]. Step 1 ($a = b$) does not follow: "
         "at $z_2$ = 7/4, the left side is exp(-7/4)/(exp(-7/4) + 1)**2 (~0.12612923) but the right side is "
         "1 - 1/(exp(-7/4) + 1) (~0.14804720) (the left side is 2 times the right side at every point tried).")
    b = ("Your answer $x^T A^T$ is not right: with m = 3, n = 2 and $y$ = [[1], [2], [3]], "
         "$A$ = [[0, 1], [1, 0], [2, 2]], your answer gives [[1, 2]] but the correct value is [[3, 4]]. "
         "Step 1 ($a = b$) does not follow: "
         "at $z_2$ = -1, the left side is 1/2 but the right side is 1/3 (the left side is 2 times the right side at "
         "every point tried).")
    assert without_witnesses(a) == without_witnesses(b)
    assert "<point>" in without_witnesses(a) and "195/16" not in without_witnesses(a)
    # anything else differing is a difference: the hint, the step, the wording
    assert without_witnesses(a) != without_witnesses(b.replace("2 times", "3 times"))
    assert without_witnesses(a) != without_witnesses(b.replace("Step 1", "Step 2"))
    assert without_witnesses(a) != without_witnesses(b.replace("is not right", "cannot be right"))
    c = ("$s_{12}$ must be a nonzero constant multiple of $s_{11}$, and it is not: at $s_{11}$ = -5/2, $s_{12}$ = 1 "
         "it is -1, where that multiple is 7/6. Step 1")
    assert without_witnesses(c) == without_witnesses(c.replace("-5/2", "3").replace("7/6", "1/2"))
    assert without_witnesses(c) != without_witnesses(c.replace("nonzero", "positive"))


def submissions(tmp: Path) -> list[Path]:
    """The example submissions, and each submission a test module writes as a string literal."""
    files = [*sorted((ROOT / "examples" / "submissions").rglob("*.md")), ROOT / "tests" / "hostile" / "good.md"]
    heading = re.compile(r"^##\s+(?:Q\s+)?(" + "|".join(re.escape(q) for q in sorted(PYTHON, key=len, reverse=True))
                         + r")\b", re.M)
    for module in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and heading.search(node.value):
                path = tmp / f"{module.stem}_{node.lineno}.md"
                path.write_text(node.value, encoding="utf-8")
                files.append(path)
    return files


def gradebook_of(assignment: Assignment, files: list[Path]) -> dict[str, Any]:
    # a generous time limit, and no budget shared per submission: a step cut by its limit under
    # load in one run and not the other would be a difference of the machine, not of the questions
    grades = grade_files(assignment, files, GradingOptions(timeout=60.0, budget=math.inf))
    grades = flag_for_review(grades, {q.id: q.kind for q in assignment.questions})
    return json.loads(json.dumps(gradebook.gradebook_json(grades)))


@pytest.fixture(scope="module")
def gradebooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], int]:
    files = submissions(tmp_path_factory.mktemp("hw1-file"))
    return gradebook_of(python_assignment(), files), gradebook_of(ASSIGNMENT, files), len(files)


def pairs(gradebooks: tuple[dict[str, Any], dict[str, Any], int]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    python, filed, count = gradebooks
    assert len(python["submissions"]) == len(filed["submissions"]) == count
    for a, b in zip(python["submissions"], filed["submissions"], strict=True):
        assert (a["file"], a["student"], a["score"], a["max_score"]) == (b["file"], b["student"], b["score"],
                                                                         b["max_score"])
        assert {k: v for k, v in a.items() if k != "questions"} == {k: v for k, v in b.items() if k != "questions"}
        assert [q["id"] for q in a["questions"]] == [q["id"] for q in b["questions"]]
        yield from zip(a["questions"], b["questions"], strict=True)


def test_the_file_grades_every_submission_as_python_does(gradebooks: tuple[dict[str, Any], dict[str, Any], int]
                                                          ) -> None:
    python, _, count = gradebooks
    assert count > 100  # the examples and the tests' own submissions were found
    assert sum(len(s["questions"]) for s in python["submissions"]) == count * len(PYTHON)
    differences = []
    answered = 0
    for a, b in pairs(gradebooks):
        if a["id"] not in WRITTEN:
            assert a == b
            continue
        answered += a["verdict"] != "unanswered"
        rest = {k: v for k, v in a.items() if k != "feedback"}
        if rest != {k: v for k, v in b.items() if k != "feedback"} or \
                without_witnesses(a["feedback"]) != without_witnesses(b["feedback"]):
            differences.append((a, b))
    assert answered > 300  # the file's questions were graded on real answers, not only blanks
    assert not differences, json.dumps(differences[:3], indent=1)


def test_where_the_trees_are_the_same_so_is_every_word(gradebooks: tuple[dict[str, Any], dict[str, Any], int]
                                                       ) -> None:
    """The counterexamples' points too: the file reads exactly Python's trees for these questions."""
    exact = {qid for qid in WRITTEN if identical_trees(qid)}
    assert {"pd.linear", "pd.chain", "pd.product", "bp.da1-dz1", "beale.convex"} <= exact
    with_points = 0
    for a, b in pairs(gradebooks):
        if a["id"] in exact:
            assert _TIMEOUT.sub("timed out", a["feedback"]) == _TIMEOUT.sub("timed out", b["feedback"]), a["id"]
            with_points += "the correct value is" in a["feedback"]
    assert with_points > 5  # wrong answers with a counterexample were among them


def test_a_changed_question_is_told_apart(gradebooks: tuple[dict[str, Any], dict[str, Any], int],
                                          tmp_path: Path) -> None:
    """The comparison can fail: the file with one reference answer changed (pd.linear's A as -A)
    grades the examples differently."""
    changed = FILE.read_text().replace("asked = '\\frac{\\partial y}{\\partial x}'\nanswer = 'A'",
                                       "asked = '\\frac{\\partial y}{\\partial x}'\nanswer = '-A'", 1)
    assert changed != FILE.read_text()
    path = tmp_path / "hw1.toml"
    path.write_text(changed)
    from verify.reading import load_assignment_file

    read = load_assignment_file(path)
    assert not read.problems  # -A is well-formed; only assignment check refutes it
    wrong = {q.id: q for q in read.questions}
    assert "pd.linear" in wrong
    assignment = Assignment("hw1", ASSIGNMENT.title, tuple(wrong.get(q.id, q) for q in ASSIGNMENT.questions))
    python, _, _ = gradebooks
    files = [ROOT / "examples" / "submissions" / "hw1-correct.md"]
    before = next(s for s in python["submissions"] if s["file"].endswith("hw1-correct.md"))
    after = gradebook_of(assignment, files)["submissions"][0]
    assert after["score"] < before["score"]

