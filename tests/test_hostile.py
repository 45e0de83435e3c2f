"""Hostile input (issue #5): every case of the corpus gets a clear error or ``unknown`` within its
limit, runs nothing it was sent, creates no file, and leaves the rest of its batch graded as if
it were not there.

The corpus is :mod:`hostile.corpus`; the three doors are the Python API (``read_latex``,
``decide``), ``python -m verify check`` and ``python -m verify grade --assignment hw1``. Each
case runs once on its own (in-process, timed) and once in a batch with a well-behaved input
(``hostile/good.md``, ``hostile/good.toml``) whose results must equal those of that input
graded alone.

"Runs nothing" is checked three ways: the canary file that every payload names must not exist
afterwards; no file at all may appear in the sandbox beyond the outputs asked for; and an audit
hook (``sys.addaudithook``) records, while a case runs in this process, any attempt to run a
program, open the canary or ``/etc/passwd``, compile text that carries the canary path, or
unpickle a class from the modules payloads use (os, subprocess, builtins, ...).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hostile.corpus import CANARY, CLAIMS, HEAVY, LATEX, SUBMISSIONS, ClaimsCase, LatexCase, SubmissionCase

from verify.cli import main
from verify.deciding import isolation
from verify.deciding.dispatch import decide_inline
from verify.deciding.engine import decide
from verify.errors import VerifyError
from verify.model.claim import Equality
from verify.model.result import Result, Verdict
from verify.model.symbols import Symbols, parse_declaration
from verify.reading.latex import read_latex

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"
GOOD_MD = HOSTILE / "good.md"
GOOD_TOML = HOSTILE / "good.toml"

#: Seconds a case that is refused while reading may take (they take milliseconds; CI is slow).
READ_LIMIT = 5.0
#: Seconds one claims file or one submission may take on its own, deciding included.
CASE_LIMIT = 15.0

SYMBOLS = Symbols.of([
    parse_declaration("x", "vector(n)"), parse_declaration("A", "matrix(n, n)"),
    parse_declaration("a", "scalar"), parse_declaration("b", "scalar"), parse_declaration(r"\alpha", "scalar"),
])


# ------------------------------------------------------------------------------ the watch


@dataclass
class _Watch:
    canary: str = ""
    events: list[str] = field(default_factory=list)
    active: bool = False


_WATCH = _Watch()
_GADGET_MODULES = frozenset({"os", "posix", "nt", "subprocess", "builtins", "sys", "shutil", "importlib",
                             "runpy", "code", "pty", "socket"})


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Record what hostile text must never cause (installed once; inert unless a case runs)."""
    if not _WATCH.active:
        return
    if event in ("os.system", "subprocess.Popen", "os.posix_spawn", "os.exec", "os.spawn", "pty.spawn"):
        _WATCH.events.append(f"{event} {args!r:.200}")
    elif event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
        path = os.fsdecode(args[0])
        if _WATCH.canary in path or path == "/etc/passwd" or path.endswith("shellesc"):
            _WATCH.events.append(f"open {path}")
    elif event == "compile" and args and isinstance(args[0], str | bytes):
        source = args[0] if isinstance(args[0], str) else args[0].decode("utf-8", "replace")
        if _WATCH.canary in source:
            _WATCH.events.append(f"compile {source[:200]!r}")
    elif event == "pickle.find_class" and args and str(args[0]).split(".")[0] in _GADGET_MODULES:
        _WATCH.events.append(f"pickle.find_class {args!r}")


sys.addaudithook(_audit)


@contextlib.contextmanager
def watching(canary: Path) -> Iterator[list[str]]:
    _WATCH.canary, _WATCH.events, _WATCH.active = str(canary), [], True
    try:
        yield _WATCH.events
    finally:
        _WATCH.active = False


@dataclass
class Sandbox:
    """A working folder for one test: inputs go in ``inputs``, the canary would land in ``root``."""

    root: Path
    inputs: Path
    canary: Path

    def files(self) -> set[Path]:
        return {p for p in self.root.rglob("*")}

    def payload(self, data: bytes) -> bytes:
        return data.replace(CANARY.encode(), str(self.canary).encode())


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    box = Sandbox(tmp_path, inputs, tmp_path / "CANARY")
    monkeypatch.chdir(tmp_path)  # a relative 'touch CANARY' would land here too
    yield box
    isolation.set_memory_limit(isolation.DEFAULT_MEMORY_MB)  # a command may have changed it
    assert not box.canary.exists(), "a payload ran: the canary file exists"
    assert not (tmp_path / "CANARY").exists()


def _run_cli(argv: list[str], capsys: pytest.CaptureFixture[str], canary: Path) -> tuple[int, str, str, float]:
    """``python -m verify ARGV`` in this process, watched: (exit status, stdout, stderr, seconds)."""
    start = time.perf_counter()
    with watching(canary) as events:
        try:
            code = main(argv)
        except SystemExit as stop:
            code = int(stop.code or 0)
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert events == [], f"hostile input reached code: {events}"
    return code, out, err, seconds


def test_the_watch_sees_what_it_guards_against(tmp_path: Path) -> None:
    """The audit hook is live: running a program, compiling a payload, opening the canary and
    unpickling os.system are all recorded (so an empty record below means something)."""
    import pickle

    canary = tmp_path / "CANARY"
    with watching(canary) as events:
        subprocess.run(["true"], check=True)
        eval(compile(f"len({str(canary)!r})", "<payload>", "eval"))
        with contextlib.suppress(OSError):
            open(canary).close()
        with contextlib.suppress(Exception):
            pickle.loads(b"cos\nsystem\n.")
    kinds = [e.split()[0] for e in events]
    assert {"subprocess.Popen", "compile", "open", "pickle.find_class"} <= set(kinds), events


# ------------------------------------------------------------------------------ the Python API


@pytest.mark.parametrize("case", LATEX, ids=[c.name for c in LATEX])
def test_latex_is_refused_with_a_clear_error(case: LatexCase, sandbox: Sandbox) -> None:
    text = case.text.replace(CANARY, str(sandbox.canary))
    before = sandbox.files()
    start = time.perf_counter()
    with watching(sandbox.canary) as events, pytest.raises(VerifyError) as caught:
        read_latex(text, SYMBOLS)
    seconds = time.perf_counter() - start
    assert type(caught.value) is case.error or isinstance(caught.value, case.error), caught.value
    assert case.says in caught.value.message, caught.value.message
    assert caught.value.position is not None, "an error in a text says where"
    assert seconds < READ_LIMIT
    assert events == []
    assert sandbox.files() == before


def test_text_that_is_not_a_string_is_an_error() -> None:
    for value in (b"a + b", None, 3, ["a"]):
        with pytest.raises(VerifyError):
            read_latex(value, SYMBOLS)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", HEAVY, ids=[c.name for c in HEAVY])
def test_costly_claims_are_decided_soundly_or_unknown_within_the_limit(case: Any, sandbox: Sandbox) -> None:
    timeout = 2.0
    claim = Equality(id=f"heavy.{case.name}", statement=f"{case.lhs} = {case.rhs}", symbols=SYMBOLS,
                     lhs=read_latex(case.lhs, SYMBOLS), rhs=read_latex(case.rhs, SYMBOLS))
    start = time.perf_counter()
    result = decide(claim, timeout=timeout)
    seconds = time.perf_counter() - start
    assert seconds < timeout + 3.0  # the worker is killed at the deadline; forking and reaping are quick
    if result.verdict is Verdict.UNKNOWN:
        assert f"timed out after {timeout:g} s" in result.detail or "memory limit" in result.detail, result.detail
    elif case.holds:  # derived by hand (see the corpus): a refutation would be a soundness bug
        assert result.verdict is Verdict.PROVED, result
    else:
        assert result.verdict is Verdict.REFUTED, result
        assert result.counterexample is not None


def test_time_limits_hold_from_threads(sandbox: Sandbox) -> None:
    """A notebook or a web app calls decide() from threads: each call still gets its own killed
    worker and its own deadline (signal.alarm would work on the main thread only)."""
    from concurrent.futures import ThreadPoolExecutor

    (case,) = [c for c in HEAVY if c.name == "det-of-power"]
    claim = Equality(id="heavy.threads", statement="", symbols=SYMBOLS,
                     lhs=read_latex(case.lhs, SYMBOLS), rhs=read_latex(case.rhs, SYMBOLS))
    start = time.perf_counter()
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: decide(claim, timeout=1.0), range(3)))
    assert time.perf_counter() - start < 6
    for r in results:  # true by hand: never refuted; proved only if it really was in a second
        assert r.verdict in (Verdict.UNKNOWN, Verdict.PROVED)
        assert r.verdict is Verdict.PROVED or "timed out after 1 s" in r.detail


@dataclass(frozen=True)
class _Hog:
    """A stand-in claim whose procedure allocates without end: what a runaway expansion does.
    (Not a Claim subclass: the codec's tests enumerate those.)"""

    id: str


@decide_inline.register
def _decide_hog(claim: _Hog, progress: Any = None) -> Result:
    if progress is not None:
        progress("allocating")
    blocks = []
    while True:
        blocks.append(bytearray(64 * 2**20))


def test_a_decision_over_the_memory_cap_is_unknown_memory_limit(sandbox: Sandbox) -> None:
    isolation.set_memory_limit(512)
    start = time.perf_counter()
    result = decide(_Hog("hog"), timeout=30)  # type: ignore[arg-type]
    assert time.perf_counter() - start < 15
    assert result.verdict is Verdict.UNKNOWN
    assert "memory limit" in result.detail
    # the same cap, from a thread (a notebook's executor), holds too
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda i: decide(_Hog(f"hog{i}"), timeout=30), range(2)))  # type: ignore[arg-type]
    assert all(r.verdict is Verdict.UNKNOWN and "memory limit" in r.detail for r in results)


def test_isolation_reports_memory_apart_from_a_crash() -> None:
    outcome = isolation.run_isolated(lambda report: len(bytearray(16 * 2**30)), timeout=10, memory_mb=256)
    assert outcome.status == "memory"
    died = isolation.run_isolated(lambda report: os._exit(3), timeout=10)
    assert died.status == "died" and died.exitcode == 3


# ------------------------------------------------------------------------------ claims files


def _write_claims(case: ClaimsCase, box: Sandbox) -> Path:
    path = box.inputs / f"{case.name}.toml"
    path.write_bytes(box.payload(case.content()))
    return path


def _check_claims_case(case: ClaimsCase, path: Path, code: int | None, rows: list[dict[str, Any]], err: str
                       ) -> None:
    """``code``: the exit status of a run over this file alone (None: it was part of a batch)."""
    if case.file_error is not None:
        mine = [line for line in err.splitlines() if str(path) in line]
        assert len(mine) == 1 and case.file_error in mine[0], err
        assert not [r for r in rows if r["file"] == str(path)]
        # a file that cannot be read is exit 2; an empty one is read, and says it has no claim
        assert code in (None, 0 if "no [[claim]]" in case.file_error else 2)
        return
    assert code in (None, 0, 1)
    by_id = {r["id"]: r for r in rows if r["file"] == str(path)}
    for claim_id, verdict, says in case.claims:
        assert claim_id in by_id, sorted(by_id)
        assert by_id[claim_id]["verdict"] == verdict, by_id[claim_id]
        assert says in by_id[claim_id]["detail"], by_id[claim_id]["detail"]


@pytest.mark.parametrize("case", CLAIMS, ids=[c.name for c in CLAIMS])
def test_hostile_claims_file(case: ClaimsCase, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write_claims(case, sandbox)
    before = sandbox.files()
    code, out, err, seconds = _run_cli(["check", "--no-cache", "-j", "1", "--timeout", "10", "--format", "json",
                                        str(path)], capsys, sandbox.canary)
    assert seconds < CASE_LIMIT
    rows = json.loads(out)["claims"] if out.strip() else []
    _check_claims_case(case, path, code, rows, err)
    if case.table:  # the table prints ids and titles through rich: as text, never as markup or escapes
        code, out, err, _ = _run_cli(["check", "--no-cache", "-j", "1", str(path)], capsys, sandbox.canary)
        assert code in (0, 1), err
        assert "\x1b" not in out and "\x07" not in out
        for claim_id, _, _ in case.claims:
            assert claim_id.split("]")[0] in out
    assert sandbox.files() == before


def test_a_batch_of_hostile_claims_files_checks_the_good_one_as_alone(sandbox: Sandbox) -> None:
    """One ``check`` over the good file and every hostile one (the 20 MB one included): each
    hostile file gets its own clear error, and the good file's rows equal a run of it alone."""
    paths = [_write_claims(case, sandbox) for case in CLAIMS]
    good = sandbox.inputs / "good.toml"
    good.write_bytes(GOOD_TOML.read_bytes())
    before = sandbox.files()

    def check(files: list[Path]) -> tuple[int, list[dict[str, Any]], str, float]:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "verify", "check", "--no-cache", "--timeout", "10",
                               "--format", "json", *map(str, files)],
                              cwd=sandbox.root, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, timeout=300)
        return done.returncode, json.loads(done.stdout)["claims"], done.stderr, time.perf_counter() - start

    alone_code, alone, _, _ = check([good])
    code, rows, err, seconds = check([paths[0], good, *paths[1:]])
    assert code == 2  # some files cannot be read at all
    assert alone_code == 0  # every claim of good.toml is proved or fails as its expect says
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in alone]
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in rows if r["file"] == str(good)] == strip
    # by hand (see good.toml): three identities hold, (AB)^T = A^T B^T fails
    assert [r["verdict"] for r in alone] == ["proved", "proved", "refuted", "proved"]
    for case, path in zip(CLAIMS, paths, strict=True):
        _check_claims_case(case, path, None, rows, err)
    assert seconds < 120
    assert sandbox.files() == before


def test_a_decision_that_overruns_is_unknown_and_the_run_goes_on(sandbox: Sandbox,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = sandbox.inputs / "slow.toml"
    path.write_text(
        '[symbols]\nA = "matrix(n, n)"\nB = "matrix(n, n)"\n'
        "[[claim]]\nid = 'slow'\nlhs = '\\det(A^{200})'\nrhs = '\\det(A)^{200}'\n"
        "[[claim]]\nid = 'after'\nlhs = '(A + B)^T'\nrhs = 'A^T + B^T'\n"  # holds: entrywise
    )
    code, out, _, seconds = _run_cli(["check", "--no-cache", "-j", "1", "--timeout", "1", "--format", "json",
                                      str(path)], capsys, sandbox.canary)
    rows = {r["id"]: r for r in json.loads(out)["claims"]}
    assert rows["slow"]["verdict"] == "unknown"
    assert "timed out after 1 s" in rows["slow"]["detail"]
    assert rows["after"]["verdict"] == "proved"
    assert code == 1
    assert seconds < 10


def _address_space_mb() -> int:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmSize:"))
    return int(line.split()[1]) // 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_an_input_that_would_exhaust_memory_is_unknown_memory_limit(sandbox: Sandbox,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Through the command: proving (a+...+f)^300 = (2a+...+2f)^300 / 2^300 by expansion needs
    billions of terms; under --memory (200 MB more than this process has) the claim is unknown,
    'memory limit', the next claim is still proved, and the run ends well before the timeout."""
    path = sandbox.inputs / "m.toml"
    path.write_text(
        "[symbols]\n" + "".join(f'{v} = "scalar"\n' for v in "abcdef") + 'A = "matrix(n, n)"\nB = "matrix(n, n)"\n'
        "[[claim]]\nid = 'expand'\nlhs = '(a + b + c + d + e + f)^{300}'\n"
        "rhs = '\\frac{(2 a + 2 b + 2 c + 2 d + 2 e + 2 f)^{300}}{2^{300}}'\n"  # holds: 2^300 factors out
        "[[claim]]\nid = 'after'\nlhs = '(A + B)^T'\nrhs = 'A^T + B^T'\n"  # holds: entrywise
    )
    cap = _address_space_mb() + 200
    code, out, _, seconds = _run_cli(["check", "--no-cache", "-j", "1", "--memory", str(cap), "--timeout", "60",
                                      "--format", "json", str(path)], capsys, sandbox.canary)
    rows = {r["id"]: r for r in json.loads(out)["claims"]}
    assert rows["expand"]["verdict"] == "unknown" and "memory limit" in rows["expand"]["detail"], rows["expand"]
    assert rows["after"]["verdict"] == "proved"
    assert code == 1
    assert seconds < 45


@pytest.mark.parametrize("command", ["check", "grade"])
def test_limits_are_options_shown_with_their_defaults(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--timeout SECONDS" in text and "--memory MB" in text
    assert f"(default: {isolation.DEFAULT_MEMORY_MB}" in text
    assert "default: 60" in text if command == "check" else "default: 20" in text


# ------------------------------------------------------------------------------ submissions


def _write_submission(case: SubmissionCase, box: Sandbox) -> Path:
    path = box.inputs / f"{case.name}.md"
    path.write_bytes(box.payload(case.content()))
    return path


def _check_submission(case: SubmissionCase, graded: dict[str, Any], err: str, box: Sandbox) -> None:
    questions = {q["id"]: q for q in graded["questions"]}
    if case.file_error is not None:
        mine = [line for line in err.splitlines() if graded["file"] in line]
        assert len(mine) == 1 and case.file_error in mine[0], err
        assert all(q["verdict"] == "unparsable" and q["points"] == 0 for q in questions.values())
        return
    q = questions[case.question]
    assert q["verdict"] == case.verdict, q
    assert case.says in q["feedback"], q["feedback"]
    if case.student is not None:
        assert graded["student"] == case.student.replace(CANARY, str(box.canary))


@pytest.mark.parametrize("case", SUBMISSIONS, ids=[c.name for c in SUBMISSIONS])
def test_hostile_submission(case: SubmissionCase, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write_submission(case, sandbox)
    before = sandbox.files()
    code, out, err, seconds = _run_cli(["grade", "--assignment", "hw1", "--no-cache", "-j", "1", "--timeout", "10",
                                        "--format", "json", str(path)], capsys, sandbox.canary)
    assert seconds < CASE_LIMIT
    assert code == (1 if case.file_error else 0), err
    (graded,) = json.loads(out)["submissions"]
    _check_submission(case, graded, err, sandbox)
    assert sandbox.files() == before


def test_a_student_name_is_a_formula_nowhere(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    (case,) = [c for c in SUBMISSIONS if c.name == "student-formula"]
    path = _write_submission(case, sandbox)
    code, out, _, _ = _run_cli(["grade", "--assignment", "hw1", "--no-cache", "-j", "1", "--format", "csv",
                                str(path)], capsys, sandbox.canary)
    assert code == 0
    assert "'=HYPERLINK" in out and ",=HYPERLINK" not in out and '"=HYPERLINK' not in out


def test_a_batch_of_hostile_submissions_grades_the_good_one_as_alone(sandbox: Sandbox) -> None:
    """One ``grade`` over the good submission and every hostile one (20 MB, binary, billion
    laughs, ...), with JSON and Gradescope output: each hostile file gets its clear answer, the
    good one is graded exactly as alone, and nothing is written outside the outputs."""
    paths = [_write_submission(case, sandbox) for case in SUBMISSIONS]
    good = sandbox.inputs / "good.md"
    good.write_bytes(GOOD_MD.read_bytes())
    before = sandbox.files()
    out_alone, out_batch, gradescope = (sandbox.root / n for n in ("alone.json", "batch.json", "gradescope"))

    def grade(files: list[Path], output: Path, *more: str) -> tuple[int, str, float]:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "verify", "grade", "--assignment", "hw1", "--no-cache",
                               "--timeout", "10", "--format", "json", "--output", str(output), *more,
                               *map(str, files)],
                              cwd=sandbox.root, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, timeout=300)
        return done.returncode, done.stderr, time.perf_counter() - start

    code_alone, _, _ = grade([good], out_alone)
    code, err, seconds = grade([*paths[:3], good, *paths[3:]], out_batch, "--gradescope", str(gradescope))
    assert code_alone == 0 and code == 1, err
    alone = json.loads(out_alone.read_text())["submissions"][0]
    batch = {g["file"]: g for g in json.loads(out_batch.read_text())["submissions"]}
    assert batch[str(good)] == alone
    # by hand: dy/dx = A, d(y^T A x)/dx = y^T A, d(A^{-1})/d alpha = -A^{-1} A' A^{-1} and "the Beale
    # function is not convex" are right; d(y^T A x)/dy is x^T A^T, so x^T A is wrong
    verdicts = {q["id"]: q["verdict"] for q in alone["questions"]}
    assert [verdicts[q] for q in ("pd.linear", "pd.bilinear-x", "pd.bilinear-y", "pd.inverse", "beale.convex")] == [
        "correct", "correct", "incorrect", "correct", "correct"]
    for case, path in zip(SUBMISSIONS, paths, strict=True):
        _check_submission(case, batch[str(path)], err, sandbox)
    assert seconds < 120
    # Gradescope: one folder per submission, directly under the folder asked for, whatever the names
    written = sorted(p.relative_to(gradescope) for p in gradescope.rglob("results.json"))
    assert len(written) == len(SUBMISSIONS) + 1
    assert all(len(p.parts) == 2 and ".." not in p.parts[0] for p in written)
    assert sandbox.files() - before == {out_alone, out_batch, gradescope, *(gradescope / p for p in written),
                                        *(gradescope / p.parent for p in written)}
