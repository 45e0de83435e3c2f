"""Benchmark: the grader against hand grades on realistic submissions (issue 12).

Grades ``examples/submissions/realistic/*.md`` with the tool, exactly as a TA would run it::

    python -m verify grade --assignment hw1 examples/submissions/realistic --format json --no-cache

and compares every (submission, question) with ``examples/submissions/realistic/hand-grades.json``
(``{"<file>": {"<question id>": {"verdict", "points", "why"}}}``, graded by hand before the tool
was run). Prints the agreement (share of equal verdicts), the points the tool gave against the
points deserved, every disagreement, and every answer graded correct by hand that the tool marked
incorrect, unanswered or unparsable. Nothing here is tuned to agree.

    python bench/hand_graded.py [--folder examples/submissions/realistic] [--hand FILE]
                                [--timeout S] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_tool(folder: Path, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "verify", "grade", "--assignment", "hw1", str(folder),
           "--format", "json", "--no-cache", *extra]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"grader failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"grader printed no JSON (exit {proc.returncode}):\n{proc.stdout[:1000]}\n"
                 f"{proc.stderr[-2000:]}")


def short(text: str | None, n: int = 150) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", default="examples/submissions/realistic")
    ap.add_argument("--hand", default=None, help="hand grades (default: FOLDER/hand-grades.json)")
    ap.add_argument("--timeout", default=None, help="passed to grade --timeout")
    ap.add_argument("--json-out", default=None, help="also write the comparison as JSON")
    args = ap.parse_args()

    folder = (ROOT / args.folder).resolve()
    hand = json.loads(Path(args.hand or folder / "hand-grades.json").read_text())
    extra = ["--timeout", args.timeout] if args.timeout else []
    tool = run_tool(folder, extra)

    by_file = {Path(s["file"]).name: s for s in tool.get("submissions", [])}
    rows = []  # (file, qid, tool verdict, hand verdict, tool points, hand points, feedback, review)
    for fname, questions in sorted(hand.items()):
        sub = by_file.get(fname)
        tq = {q["id"]: q for q in (sub or {}).get("questions", [])}
        for qid, h in questions.items():
            t = tq.get(qid)
            if t is None:
                rows.append((fname, qid, "<missing>", h["verdict"], 0.0, float(h["points"]),
                             (sub or {}).get("error") or "no such question in the tool's output", None))
                continue
            rows.append((fname, qid, t["verdict"], h["verdict"], float(t.get("points") or 0),
                         float(h["points"]), t.get("feedback"), t.get("review")))
    for fname in sorted(set(by_file) - set(hand)):
        print(f"note: {fname} was graded by the tool but has no hand grades")

    total = len(rows)
    agree = sum(r[2] == r[3] for r in rows)
    answered = [r for r in rows if r[3] != "unanswered"]
    agree_answered = sum(r[2] == r[3] for r in answered)
    given = sum(r[4] for r in rows)
    deserved = sum(r[5] for r in rows)
    points_equal = sum(abs(r[4] - r[5]) < 1e-9 for r in rows)

    print(f"submissions: {len(hand)}   (submission, question) pairs: {total}"
          f"   answered by hand: {len(answered)}")
    print(f"verdict agreement: {agree}/{total} = {100 * agree / total:.1f}%"
          f"   (answered only: {agree_answered}/{len(answered)} = "
          f"{100 * agree_answered / max(1, len(answered)):.1f}%)")
    print(f"points: given {given:g}, deserved {deserved:g}"
          f" ({100 * (deserved - given) / max(deserved, 1e-9):+.1f}% lost; "
          f"over-given {sum(max(0, r[4] - r[5]) for r in rows):g},"
          f" under-given {sum(max(0, r[5] - r[4]) for r in rows):g});"
          f" equal points on {points_equal}/{total}")
    flagged = [r for r in rows if r[7]]
    print(f"flagged for TA review by the tool: {len(flagged)}")

    print("\nDisagreements (file, question, tool verdict, hand verdict, tool pts/hand pts, feedback):")
    for r in rows:
        if r[2] != r[3]:
            review = f" [review: {short(r[7], 80)}]" if r[7] else ""
            print(f"- {r[0]}  {r[1]}  tool={r[2]}  hand={r[3]}  {r[4]:g}/{r[5]:g}{review}\n"
                  f"    {short(r[6])}")

    lost = [r for r in rows if r[3] == "correct" and r[2] in ("incorrect", "unanswered", "unparsable", "<missing>")]
    print(f"\nCorrect answers (by hand) the tool marked incorrect/unanswered/unparsable: {len(lost)}")
    for r in lost:
        print(f"- {r[0]}  {r[1]}  tool={r[2]}  ({short(r[7], 80) or 'no review flag'})")

    same_verdict_diff_points = [r for r in rows if r[2] == r[3] and abs(r[4] - r[5]) > 1e-9]
    if same_verdict_diff_points:
        print("\nSame verdict, different points:")
        for r in same_verdict_diff_points:
            print(f"- {r[0]}  {r[1]}  {r[2]}  tool {r[4]:g} / hand {r[5]:g}  {short(r[6], 100)}")

    if args.json_out:
        Path(args.json_out).write_text(json.dumps([
            {"file": r[0], "question": r[1], "tool": r[2], "hand": r[3], "tool_points": r[4],
             "hand_points": r[5], "feedback": r[6], "review": r[7]} for r in rows], indent=1))


if __name__ == "__main__":
    main()
