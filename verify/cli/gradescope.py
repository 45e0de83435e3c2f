"""``python -m verify gradescope --assignment NAME --output autograder.zip``: a Gradescope autograder.

Builds the zip an instructor uploads to a Gradescope programming assignment
(:mod:`verify.reporting.autograder`): ``setup.sh``, ``run_autograder`` and a distribution of
this project built now from its source (an sdist by setuptools, with no network; when
setuptools is missing, a wheel by ``pip wheel``). With ``--autograde ROOT`` it is what
``run_autograder`` runs in Gradescope's container: it grades the files of ROOT/submission as ONE
student's submission and writes ROOT/results/results.json
(:func:`verify.reporting.gradebook.gradescope_results` with a
:class:`~verify.reporting.gradebook.GradescopeStyle`).

What is graded: the one file of the submission folder (subfolders too) that the grader reads
(``.md``, ``.markdown``, ``.tex``, ``.ipynb``); other files (a PDF beside the ``.tex``) are listed
as not read. No such file, or several (``hw1.md`` and ``hw1.tex``): nothing is graded, score 0,
and the student is told at once (a test shown whatever ``--visibility`` says) which files were
found and to upload exactly one, so that they can resubmit; the staff's review test says so
too. Never a guess at which of two files was meant.

Exit status: 0 when the zip (or results.json) was written; 2 on bad usage, an unknown
assignment, or a distribution that could not be built (with pip's or setuptools' last lines).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import traceback
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import verify
from verify.cli import options
from verify.deciding import DEFAULT_MEMORY_MB, set_memory_limit
from verify.grading import Assignment, SubmissionGrade, flag_for_review
from verify.reporting import autograder, gradebook, write_text_atomic

PROG = "verify gradescope"
#: what of the source tree goes into the distribution (what pyproject.toml packages)
_SOURCES = ("pyproject.toml", "README.md", "verify", "derivations")
_SDIST = "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))"


class BuildError(Exception):
    """The project's distribution could not be built; the message says why."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify gradescope",
        description="Build a Gradescope autograder for an assignment: a zip of setup.sh (pip-installs the "
        "bundled build of this project), run_autograder (grades /autograder/submission as one student's "
        "submission, writes /autograder/results/results.json) and that build. Upload it to a Gradescope "
        "programming assignment (README: 'Gradescope'). Exit 0 when written, 2 on bad usage.",
    )
    p.add_argument("--assignment", required=True, metavar="NAME|FILE.toml",
                   help="the assignment: a built-in name (hw1) or the path of an assignment file (hw2.toml), "
                   "which the bundle then carries")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--output", metavar="ZIP", help="write the autograder zip to ZIP (atomically)")
    what.add_argument("--autograde", metavar="ROOT",
                      help="what run_autograder runs: grade ROOT/submission as one submission and write "
                      "ROOT/results/results.json")
    p.add_argument("--visibility", choices=gradebook.VISIBILITIES, default="visible",
                   help="when students see each question's score (Gradescope's test visibility; default: visible)")
    p.add_argument("--feedback-visibility", choices=gradebook.VISIBILITIES, default=None,
                   help="when students see the feedback (what is wrong, a counterexample); when it differs from "
                   "--visibility the feedback is one extra test, 'Feedback', shown then (default: as --visibility)")
    return p


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(list(argv))
    assignment = options.assignment_of(args.assignment, PROG)
    if assignment is None:
        return 2
    feedback = args.feedback_visibility or args.visibility
    if args.autograde is not None:
        return autograde(assignment, Path(args.autograde), args.visibility, feedback)
    return build(assignment, Path(args.output), args.visibility, feedback)


# ---------------------------------------------------------------- building the zip


def project_root() -> Path | None:
    """The source checkout this package runs from (``pip install -e .``), or None when installed
    from a distribution (which has no pyproject.toml to build from)."""
    root = Path(verify.__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "verify" / "__init__.py").is_file() else None


def build_distribution(root: Path, folder: Path, extra: Mapping[str, Path] | None = None) -> Path:
    """This project built into ``folder`` from a copy of its sources (the checkout is not touched:
    no egg-info written into it). An sdist by setuptools, offline; a wheel by pip when setuptools
    is not installed here (pip may then fetch the build backend from the package index).

    ``extra``: files added to the copy, by their path in it (an assignment file, as
    ``derivations/<name>.toml``). Those and the built-in assignment files (``derivations/*.toml``)
    are listed in the copy's ``MANIFEST.in``, so that the distribution, and the package pip
    installs from it, carries them; the build fails when it does not."""
    source = folder / "source"
    source.mkdir()
    for name in _SOURCES:
        path = root / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        elif path.is_file():
            shutil.copy2(path, source / name)
    extra = dict(extra or {})
    for inside, path in extra.items():
        shutil.copyfile(path, source / inside)
    # the assignment files of derivations/ (built-in ones, and those added) are data, not modules: the
    # copy's MANIFEST.in lists them, so that the distribution carries them whatever pyproject.toml says
    carried = sorted({*extra, *(f"derivations/{p.name}" for p in (source / "derivations").glob("*.toml"))})
    if carried:
        with (source / "MANIFEST.in").open("a", encoding="utf-8") as manifest:
            manifest.writelines(f"include {inside}\n" for inside in carried)
    out = folder / "dist"
    out.mkdir()
    if importlib.util.find_spec("setuptools") is not None:
        command = [sys.executable, "-c", _SDIST, str(out)]
    else:
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)]
    done = subprocess.run(command, cwd=source, capture_output=True, text=True, check=False)
    built = sorted(p for p in out.iterdir() if p.name.endswith(autograder.DISTRIBUTIONS))
    if done.returncode != 0 or len(built) != 1:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise BuildError(f"could not build the project's distribution ({' '.join(command[:3])} ...): {tail}")
    missing = set(carried) - _members(built[0])
    if missing:
        raise BuildError(f"the distribution does not carry {', '.join(sorted(missing))}")
    return built[0]


def _members(distribution: Path) -> set[str]:
    """The files of a built distribution, by their path in the project (an sdist's top folder dropped)."""
    if distribution.name.endswith(".whl"):
        with zipfile.ZipFile(distribution) as wheel:
            return set(wheel.namelist())
    with tarfile.open(distribution) as sdist:
        return {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}


def bundled_name(assignment: Assignment, root: Path) -> str:
    """The built-in name an assignment file takes in the bundle (``derivations/<name>.toml``): its id
    made a name (``hw2-ml.v1`` -> ``hw2_ml_v1``), with a suffix where a built-in assignment of the
    project already has that name and is another file."""
    base = re.sub(r"[^a-z0-9_]", "_", assignment.id)[:36]
    base = base if re.match(r"[a-z]", base) else f"a_{base}"[:36]
    source = Path(assignment.source).resolve() if assignment.source else None
    for n in range(1, 100):
        name = base if n == 1 else f"{base}_{n}"
        taken = [p for p in (root / "derivations" / f"{name}.py", root / "derivations" / f"{name}.toml")
                 if p.exists()]
        if not taken or (taken == [root / "derivations" / f"{name}.toml"] and taken[0].resolve() == source):
            return name
    raise BuildError(f"no free name in derivations/ for the assignment {assignment.id!r}")


def build(assignment: Assignment, target: Path, visibility: str, feedback: str) -> int:
    if target.is_dir():
        print(f"{PROG}: --output {target}: is a folder, not a file", file=sys.stderr)
        return 2
    if not target.parent.is_dir():
        print(f"{PROG}: --output {target}: the folder {target.parent} does not exist", file=sys.stderr)
        return 2
    root = project_root()
    if root is None:
        print(f"{PROG}: run this from a source checkout of verify (pip install -e .): the bundle holds a build "
              "of the project, made from its pyproject.toml", file=sys.stderr)
        return 2
    try:
        name, extra = assignment.id, {}
        if assignment.source is not None:  # an assignment file: carried in the distribution as a built-in
            name = bundled_name(assignment, root)
            extra = {f"derivations/{name}.toml": Path(assignment.source)}
        with tempfile.TemporaryDirectory(prefix="verify-gradescope-") as tmp:
            distribution = build_distribution(root, Path(tmp), extra)
            names = autograder.write_bundle(target, distribution, name, visibility, feedback)
    except (BuildError, ValueError) as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"{PROG}: cannot write {err.filename or target}: {err.strerror}", file=sys.stderr)
        return 2
    print(f"{PROG}: wrote {target} ({', '.join(names)}) for {assignment.id}; upload it to a Gradescope "
          "programming assignment (README: 'Gradescope')", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- run_autograder: one submission


def _scrubbed(value: Any, prefixes: Sequence[str]) -> Any:
    """``value`` with every server path (the root, the submission folder) taken out of its strings."""
    if isinstance(value, str):
        for prefix in prefixes:
            value = value.replace(prefix + "/", "").replace(prefix, "")
        return value
    if isinstance(value, dict):
        return {k: _scrubbed(v, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, prefixes) for v in value]
    return value


def _listed(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _relative(message: str) -> str:
    """A line about a file found, without ``./`` and with the name quoted: ``x.pdf`` (why)."""
    message = message.removeprefix("./")
    name, sep, why = message.partition(": ")
    return f"`{name}` ({why.removesuffix('; skipped')})" if sep else message


def autograde(assignment: Assignment, root: Path, visibility: str, feedback: str) -> int:
    """Grade ``root/submission`` as one submission; write ``root/results/results.json``."""
    submission = root / "submission"
    results = root / "results" / "results.json"
    titles = {q.id: autograder.question_title(q) for q in assignment.questions}
    suffixes = ".md, .markdown, .tex or .ipynb"
    how = (f"Upload exactly one file ({suffixes}: Markdown, LaTeX or a Jupyter notebook) with each answer under "
           f"a heading that names its question (`## {assignment.questions[0].id}`).") if assignment.questions else ""
    notes: list[str] = []
    problem: str | None = None
    grade = SubmissionGrade(file="", student="")
    here = Path.cwd()
    try:
        files: list[Path] = []
        if submission.is_dir():
            os.chdir(submission)  # every name found is then relative: no server path reaches a student
            from verify.grading import submission_files

            found, missing, passed_over = submission_files(["."])
            files = list(found)
            notes += [f"Not read: {_relative(m)}" for m in (*missing, *passed_over)]
        names = [str(f).removeprefix("./") for f in files]
        if not files:
            problem = f"Nothing was graded: no file the grader reads was found in your submission. {how}"
        elif len(files) > 1:
            problem = (f"Nothing was graded: your submission has {len(files)} files the grader reads "
                       f"({_listed(names)}), and only one is graded. {how} Then resubmit.")
        else:
            from verify.cli.grade import _grade

            set_memory_limit(DEFAULT_MEMORY_MB)
            graded = _grade(assignment, files, None, assignment.partial_credit, _execution_args())
            grade = flag_for_review(graded, assignment.review_kinds())[0]
            notes.insert(0, f"Graded `{names[0]}`: {gradebook.number(grade.score)}/"
                            f"{gradebook.number(grade.max_score)} points.")
    except Exception:  # the student gets a result, the staff the traceback (stdout is theirs)
        traceback.print_exc()
        problem = "The grader failed on your submission (an internal error): your course staff will look at it."
    finally:
        os.chdir(here)
    style = gradebook.GradescopeStyle(titles=titles, visibility=visibility, feedback_visibility=feedback,
                                      assignment=assignment.id, notes=tuple(notes), problem=problem)
    data = gradebook.gradescope_results(grade, style)
    prefixes = sorted({str(p) for p in (submission.absolute(), submission.resolve(), submission,
                                        root.absolute(), root.resolve())} - {"", "."}, key=len, reverse=True)
    data = _scrubbed(data, prefixes)
    try:
        results.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(results, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    except OSError as err:
        print(f"{PROG}: cannot write {results}: {err.strerror}", file=sys.stderr)
        return 2
    print(f"{PROG}: wrote {results}: {data['score']} points", file=sys.stderr)
    return 0


def _execution_args() -> argparse.Namespace:
    """The shared execution options at their defaults (workers on every core, the user's cache)."""
    p = argparse.ArgumentParser(add_help=False)
    options.add_arguments(p)
    return p.parse_args([])
