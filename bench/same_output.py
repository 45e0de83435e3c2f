"""Check that a refactoring changed no output: the suite, ``check`` and ``grade`` on the examples give
the same JSON from two source trees, timings aside (issue 14: "behaviour unchanged").

    python bench/same_output.py OLD_TREE [NEW_TREE] [--ignore detail]   # NEW_TREE: this checkout

OLD_TREE is a checkout of the commit before the change (``git worktree add /tmp/old HEAD~1``); each
tree's ``verify`` package is put first on ``PYTHONPATH``, and every run is ``--no-cache -j 1``, so
that nothing but the code differs. Prints one line per command and exits 1 when any differs
(with the first lines of the difference). Run it on an idle machine: a decision cut by its time
limit under load ("timed out after ...") differs from one that finished, and that is not the code.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "suite": ["--format", "json"],
    "check": ["check", str(ROOT / "examples/matrix-calculus.toml"), str(ROOT / "examples/denominator-layout.toml"),
              "--format", "json"],
    "grade": ["grade", "--assignment", "hw1", str(ROOT / "examples/submissions"), "--format", "json"],
}


def run(tree: Path, args: list[str]) -> Any:
    # Run from the tree itself: ``python -m`` puts the working directory first on sys.path, before
    # PYTHONPATH, so a run from this checkout would import this checkout's package for both trees.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, "-m", "verify", *args, "--no-cache", "-j", "1"], cwd=tree, env=env,
                          capture_output=True, text=True)
    check = subprocess.run([sys.executable, "-c", "import verify; print(verify.__file__)"], cwd=tree, env=env,
                           capture_output=True, text=True)
    if not check.stdout.startswith(str(tree.resolve())):
        raise SystemExit(f"{tree}: imports verify from {check.stdout.strip()}, not from the tree")
    return json.loads(proc.stdout)


def without_timings(value: Any, ignore: frozenset[str] = frozenset()) -> Any:
    """``value`` without its timings, nor any key in ``ignore`` (``--ignore detail``: a change that
    renames a proof method is checked for everything else)."""
    if isinstance(value, dict):
        return {k: without_timings(v, ignore) for k, v in value.items() if k != "seconds" and k not in ignore}
    if isinstance(value, list):
        return [without_timings(v, ignore) for v in value]
    return value


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path, nargs="?", default=ROOT)
    ap.add_argument("--ignore", default="", metavar="KEY,...", help="JSON keys left out of the comparison")
    args = ap.parse_args()
    ignore = frozenset(args.ignore.split(",")) - {""}
    differ = 0
    for name, command in COMMANDS.items():
        before = without_timings(run(args.old.resolve(), command), ignore)
        after = without_timings(run(args.new.resolve(), command), ignore)
        if before == after:
            print(f"{name}: identical (timings aside)")
            continue
        differ += 1
        lines = difflib.unified_diff(json.dumps(before, indent=1, sort_keys=True).splitlines(),
                                     json.dumps(after, indent=1, sort_keys=True).splitlines(), lineterm="")
        print(f"{name}: DIFFERENT\n" + "\n".join(list(lines)[:40]))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
