"""The Gradescope autograder bundle (``python -m verify gradescope``): its scripts, its zip, test titles.

Gradescope builds one image from the zip (``setup.sh``, run once, as root) and then, for each
submission, runs ``run_autograder`` in a fresh container, with the student's files in
``/autograder/submission/``; it reads ``/autograder/results/results.json``. The zip holds exactly
:data:`BUNDLE_FILES`: the two scripts and a built distribution of this very project (an sdist
or a wheel), which ``setup.sh`` installs with pip; pip takes the dependencies from the package
index, as ``pyproject.toml`` pins them, and nothing else is downloaded. ``run_autograder`` calls
``python3 -m verify gradescope --autograde ROOT`` with the assignment and the visibilities
written into it at build time, ROOT being ``$AUTOGRADER_ROOT`` when set (tests run the bundle in
a temporary folder), else ``/autograder``. Both scripts are POSIX shell. Every value written into
a script is checked first (:func:`_word`) and single-quoted, so nothing in it is ever run.

The zip's entries have fixed times and modes, in a fixed order (the same distribution and options
give the same bytes); it is written to a temporary file and renamed (never half a zip).
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

from verify.model import Question

#: What the zip holds, besides the distribution (``verify-<version>.tar.gz`` or ``...whl``).
SCRIPTS = ("setup.sh", "run_autograder")
#: A description of every file of the zip, for the README and the tests.
BUNDLE_FILES = {
    "setup.sh": "installs the bundled distribution with pip (its dependencies from the package index)",
    "run_autograder": "grades /autograder/submission as one submission, writes /autograder/results/results.json",
    "verify-<version>.tar.gz (or .whl)": "this project, built when the bundle was",
}
#: The suffixes of the distributions setup.sh installs.
DISTRIBUTIONS = (".tar.gz", ".whl")
_DATE = (2020, 1, 1, 0, 0, 0)  # zip cannot store times before 1980; any fixed time will do
_SAFE_WORD = re.compile(r"[A-Za-z0-9_.+\-]+")


def _word(text: str, what: str) -> str:
    """``text`` single-quoted for sh, after checking it is a plain word (no quote, space, ``$``)."""
    if not _SAFE_WORD.fullmatch(text):
        raise ValueError(f"{what} {text!r} cannot be written into a shell script: letters, digits, "
                         "'_', '.', '+' and '-' only")
    return f"'{text}'"


def setup_script(distribution: str) -> str:
    """``setup.sh``: the bundled distribution, pip-installed; nothing else."""
    if not distribution.endswith(DISTRIBUTIONS):
        raise ValueError(f"not a distribution setup.sh can install: {distribution!r}")
    return f"""#!/bin/sh
# Gradescope runs this once, as root, when it builds the autograder's image (made by
# `python -m verify gradescope`). It installs the bundled build of verify; pip takes verify's
# dependencies from the package index, as its pyproject.toml pins them. Nothing else is fetched.
# Needs Python 3.11 or newer as python3: choose Gradescope's Ubuntu base image with Python 3.11.
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {{
    echo "setup.sh: verify needs Python 3.11 or newer as python3; found $(python3 --version 2>&1)" >&2
    exit 1
}}
# a throwaway container: pip may install beside the system's packages (PEP 668's marker)
PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir "$here"/{_word(distribution, "distribution")}
"""


def run_script(assignment: str, visibility: str, feedback_visibility: str) -> str:
    """``run_autograder``: grade the submission folder, write results.json, whatever happens."""
    args = (f"--assignment {_word(assignment, 'assignment')} --visibility {_word(visibility, 'visibility')} "
            f"--feedback-visibility {_word(feedback_visibility, 'visibility')}")
    return f"""#!/bin/sh
# Gradescope runs this for every submission (made by `python -m verify gradescope`): it grades
# the files in $root/submission as ONE student's submission to {assignment} and writes
# $root/results/results.json, where root is $AUTOGRADER_ROOT when set, else /autograder.
root=${{AUTOGRADER_ROOT:-/autograder}}
mkdir -p "$root/results"
rm -f "$root/results/results.json"
python3 -m verify gradescope {args} --autograde "$root"
status=$?
if [ ! -s "$root/results/results.json" ]; then
    # the grader could not even start: say so to the student, never leave them without a result
    echo '{{"score": 0, "output": "The autograder failed before grading your submission: please tell your \
course staff.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}}' > "$root/results/results.json"
fi
exit $status
"""


def write_bundle(target: str | Path, distribution: Path, assignment: str, visibility: str,
                 feedback_visibility: str) -> list[str]:
    """The zip at ``target`` (atomically): the two scripts, executable, and ``distribution``.
    Returns the names in the zip, in order."""
    target = Path(target)
    entries: list[tuple[str, bytes, int]] = [
        ("setup.sh", setup_script(distribution.name).encode(), 0o755),
        ("run_autograder", run_script(assignment, visibility, feedback_visibility).encode(), 0o755),
        (distribution.name, distribution.read_bytes(), 0o644),
    ]
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, data, mode in entries:
                info = zipfile.ZipInfo(name, date_time=_DATE)
                info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
                info.create_system = 3  # Unix, so that unzip keeps the modes
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, data)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return [name for name, _, _ in entries]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- test names

_ASK = re.compile(r"(?:^|(?<=[.:?]\s))(?:(?:Find|Give|Write|Expand|Compute)\s+(?P<what>[^.?]*(?:\.\d[^.?]*)*)[.?]"
                  r"|(?P<question>[Ww]hat\s[^.?]*\?))")
_REMARK = re.compile(r"\s+\([^()]*\s[^()]*\)(?![\^_])")  # "(numerator layout)": a remark, never R(w), y^(i)
_DEFINITION = re.compile(r"^[^,.:;]{1,24}=[^,.:;]{1,24}$")
TITLE_WIDTH = 70


def question_title(q: Question) -> str:
    """A test's name: the question's id and a short wording, ``pd.linear: dy/dx for y = Ax``.

    Taken from the wording: what it asks (``Find dy/dx (numerator layout).``, parentheses
    dropped), with the definition it opens with when that is short (``y = Ax, with ...``); else its
    first sentence. Cut at a word to about :data:`TITLE_WIDTH` characters, ending in ``…``."""
    wording = " ".join(q.wording.split())
    asked = _ASK.search(wording)
    short = ""
    if asked:
        short = _REMARK.sub("", asked.group("what") or asked.group("question")).strip()
        opening = re.split(r"[,:;]|\.\s", wording, maxsplit=1)[0].strip()
        if asked.group("what") and asked.start() > 0 and _DEFINITION.match(opening) \
                and opening.count("(") == opening.count(")"):
            short = f"{short} for {opening}"
    if not short:
        short = re.split(r"(?<=[.?])\s", wording, maxsplit=1)[0].rstrip(".")
    title = f"{q.id}: {short}" if short else q.id
    if len(title) > TITLE_WIDTH:
        cut = title[:TITLE_WIDTH - 1]
        cut = cut[:cut.rfind(" ")] if " " in cut[len(q.id) + 2:] else cut
        title = cut.rstrip(" ,;:") + "…"
    return title
