"""Synthetic HW1 submissions for measuring grading at class scale.

A class is not N copies of one answer, nor N random strings: most students write one of a
few right forms, many make one of a few typical mistakes (a transpose, a dropped factor or
term, a sign), some leave a question blank or write something unreadable, and a long tail
makes a mistake nobody else makes (a coefficient off). Grading cost follows the number of
distinct answers, so this mix is what the figures mean.

Each variant below carries its intended mark, decided by hand from the mathematics (the
comment says why when it is not obvious); ``python bench/synthetic.py --check`` grades every
variant once and lists any whose mark differs, so a variant the reader cannot read shows up.

    python bench/synthetic.py OUT_DIR --count 5000 [--seed 0]   # write OUT_DIR/s00001.md ...
    python bench/synthetic.py --check                            # grade each variant once
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

RIGHT, WRONG, BLANK, GARBAGE = "correct", "incorrect", "unanswered", "unparsable"


@dataclass(frozen=True)
class Variant:
    text: str   # Markdown under the question's heading; "{k}" is filled by the long tail
    mark: str   # what a grader must say, by hand


def v(text: str, mark: str) -> Variant:
    return Variant(text, mark)


def m(math: str) -> str:
    return f"$${math}$$"


DY, DX = r"\frac{\partial y}{\partial x}", r"\frac{\partial x}{\partial z}"
DF1, DF2 = r"\frac{\partial f}{\partial x_1}", r"\frac{\partial f}{\partial x_2}"
DAZ, DYZ = r"\frac{\partial \alpha}{\partial z}", r"\frac{\partial y}{\partial z}"
DAI = r"\frac{\partial A^{-1}}{\partial \alpha}"
DA = r"\frac{\partial A}{\partial \alpha}"
G = r"\left|\partial_W E^{(k)}\right|"
B1 = r"\left(1.5 - x_1 + x_1 x_2\right)"
B2 = r"\left(2.25 - x_1 + x_1 x_2^2\right)"
B3 = r"\left(2.625 - x_1 + x_1 x_2^3\right)"


def _second(a: str, b: str) -> str:
    by = rf"\partial {a}^2" if a == b else rf"\partial {a} \partial {b}"
    return rf"\frac{{\partial^2 \psi}}{{{by}}}"


#: The Hessian of psi(u, v, z), row by row.
HESS_RIGHT = "J = \\begin{bmatrix} " + r" \\ ".join(
    " & ".join(_second(a, b) for b in "uvz") for a in "uvz") + r" \end{bmatrix}"

#: Per question: (variant, weight). Weights give the mix of a plausible class.
VARIANTS: dict[str, list[tuple[Variant, float]]] = {
    "pd.linear": [
        (v(m(rf"{DY} = A"), RIGHT), 50),
        (v(m(rf"{DY} = \frac{{\partial (A x)}}{{\partial x}} = A"), RIGHT), 15),
        (v(m(rf"{DY} = (A^T)^T"), RIGHT), 3),
        (v(m(rf"{DY} = A^T"), WRONG), 15),            # denominator layout: n x m, not m x n
        (v(m(rf"{DY} = -A"), WRONG), 3),
        (v(m(rf"{DY} = {{k}} A"), WRONG), 2),          # the long tail: k >= 3
    ],
    "pd.chain": [
        (v(m(rf"\frac{{\partial y}}{{\partial z}} = A {DX}"), RIGHT), 55),
        (v(m(rf"\frac{{\partial y}}{{\partial z}} = \frac{{\partial (A x)}}{{\partial z}} = A {DX}"), RIGHT), 15),
        (v(m(rf"\frac{{\partial y}}{{\partial z}} = \left({DX}\right)^T A^T"), WRONG), 15),  # the transpose
        (v(m(rf"\frac{{\partial y}}{{\partial z}} = {DX}"), WRONG), 5),                     # dropped A
        (v(m(rf"\frac{{\partial y}}{{\partial z}} = {{k}} A {DX}"), WRONG), 2),
    ],
    "pd.bilinear-x": [
        (v(m(r"\frac{\partial \alpha}{\partial x} = y^T A"), RIGHT), 55),
        (v(m(r"\frac{\partial \alpha}{\partial x} = (A^T y)^T"), RIGHT), 10),
        (v(m(r"\frac{\partial \alpha}{\partial x} = A^T y"), WRONG), 20),   # a column where a row is asked
        (v(m(r"\frac{\partial \alpha}{\partial x} = -y^T A"), WRONG), 3),
    ],
    "pd.bilinear-y": [
        (v(m(r"\frac{\partial \alpha}{\partial y} = x^T A^T"), RIGHT), 45),
        (v(m(r"\frac{\partial \alpha}{\partial y} = (A x)^T"), RIGHT), 15),
        (v(m(r"\frac{\partial \alpha}{\partial y} = x^T A"), WRONG), 20),   # the written solution's error
        (v(m(r"\frac{\partial \alpha}{\partial y} = A x"), WRONG), 10),     # a column
    ],
    "pd.product": [
        (v(m(rf"{DAZ} = x^T {DYZ} + y^T {DX}"),
           RIGHT), 50),
        (v(m(rf"{DAZ} = y^T {DX} + x^T {DYZ}"),
           RIGHT), 15),
        (v(m(r"\frac{\partial \alpha}{\partial z} = x^T \frac{\partial y}{\partial z}"), WRONG), 15),  # dropped term
        (v(m(rf"{DAZ} = x^T {DYZ} - y^T {DX}"),
           WRONG), 5),
    ],
    "pd.inverse": [
        (v(m(rf"{DAI} = -A^{{-1}} {DA} A^{{-1}}"), RIGHT), 55),
        (v(m(rf"A A^{{-1}} = I \Rightarrow {DA} A^{{-1}} + A {DAI} = 0 \Rightarrow {DAI} = -A^{{-1}} {DA} A^{{-1}}"),
           RIGHT), 15),
        (v(m(rf"{DAI} = -A^{{-2}} {DA}"), WRONG), 15),      # commuted: matrices do not
        (v(m(rf"{DAI} = A^{{-1}} {DA} A^{{-1}}"), WRONG), 8),  # sign
    ],
    "hessian.matrix": [
        (v(m(HESS_RIGHT), RIGHT), 70),
        # entry (2, 2) written as the mixed partial in u and v (the written solution's slip)
        (v(m(HESS_RIGHT.replace(r"{\partial v^2}", r"{\partial u \partial v}")),
           WRONG), 20),
    ],
    "reg.expand": [
        (v(m(r"R(w) = s_{11} w_1^2 + (s_{12} + s_{21}) w_1 w_2 + s_{22} w_2^2"), RIGHT), 50),
        (v(m(r"R(w) = w_{1}^{2} s_{11} + w_{2}^{2} s_{22} + w_{1} w_{2} (s_{12} + s_{21})"), RIGHT), 20),
        (v(m(r"R(w) = s_{11} w_1^2 + 2 s_{12} w_1 w_2 + s_{22} w_2^2"), WRONG), 15),  # S is not symmetric
        (v(m(r"R(w) = s_{11} w_1^2 + s_{22} w_2^2"), WRONG), 5),
    ],
    "reg.condition": [
        (v(m(r"s_{11} + s_{22} = -(s_{12} + s_{21})"), RIGHT), 45),
        (v(m(r"s_{12} + s_{21} + s_{22} + s_{11} = 0"), RIGHT), 25),
        (v(m(r"s_{11} + s_{22} = 0"), WRONG), 10),   # R(t, t) = t^2 (s11 + s12 + s21 + s22)
        (v(m(r"s_{12} + s_{21} = 0"), WRONG), 10),
    ],
    "reg.example": [
        # w^T S w = (w1 - w2)^2 (any S with that quadratic form; c > 0)
        (v(m(r"S = \begin{bmatrix} 1 & -1 \\ -1 & 1 \end{bmatrix}"), RIGHT), 50),
        (v(m(r"S = \begin{bmatrix} 1 & -2 \\ 0 & 1 \end{bmatrix}"), RIGHT), 10),
        (v(m(r"S = \begin{bmatrix} 2 & -2 \\ -2 & 2 \end{bmatrix}"), RIGHT), 5),
        # (w1 + w2)^2: zero where w1 = -w2; the identity: zero only at w = 0
        (v(m(r"S = \begin{bmatrix} 1 & 1 \\ 1 & 1 \end{bmatrix}"), WRONG), 10),
        (v(m(r"S = \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}"), WRONG), 10),
    ],
    "bp.dJ-dyhat": [
        (v(m(r"\frac{\partial J}{\partial \hat{y}^{(i)}} = -\frac{1}{m}\left(\frac{y^{(i)}}{\hat{y}^{(i)}} - "
             r"\frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)"), RIGHT), 50),
        (v(m(r"\frac{\partial J}{\partial \hat{y}^{(i)}} = \frac{\hat{y}^{(i)} - y^{(i)}}{m \, \hat{y}^{(i)} "
             r"(1 - \hat{y}^{(i)})}"), RIGHT), 15),
        (v(m(r"\frac{\partial J}{\partial \hat{y}^{(i)}} = \frac{1}{m}\left(\frac{y^{(i)}}{\hat{y}^{(i)}} - "
             r"\frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)"), WRONG), 10),  # sign
        (v(m(r"\frac{\partial J}{\partial \hat{y}^{(i)}} = -\left(\frac{y^{(i)}}{\hat{y}^{(i)}} - "
             r"\frac{1 - y^{(i)}}{1 - \hat{y}^{(i)}}\right)"), WRONG), 10),  # dropped 1/m
    ],
    "bp.dyhat-dz2": [
        (v(m(r"\frac{\partial \hat{y}}{\partial z_2} = \sigma(z_2) \left(1 - \sigma(z_2)\right)"), RIGHT), 50),
        (v(m(r"\frac{\partial \hat{y}}{\partial z_2} = \hat{y} (1 - \hat{y})"), RIGHT), 15),
        (v(m(r"\frac{\partial \hat{y}}{\partial z_2} = \frac{\exp(-z_2)}{(1 + \exp(-z_2))^2}"), RIGHT), 5),
        (v(m(r"\frac{\partial \hat{y}}{\partial z_2} = \sigma(z_2)"), WRONG), 8),
        (v(m(r"\frac{\partial \hat{y}}{\partial z_2} = \sigma(z_2) \left(1 + \sigma(z_2)\right)"), WRONG), 5),
        (v(m(r"\frac{\partial \hat{y}}{\partial z_2} = {k} \sigma(z_2) \left(1 - \sigma(z_2)\right)"), WRONG), 2),
    ],
    "bp.dz2-da1": [
        (v(m(r"\frac{\partial z_2}{\partial a_1} = W_2"), RIGHT), 60),
        (v(m(r"\frac{\partial z_2}{\partial a_1} = \frac{\partial (W_2 a_1 + b_2)}{\partial a_1} = W_2"), RIGHT), 15),
        (v(m(r"\frac{\partial z_2}{\partial a_1} = W_2^T"), WRONG), 15),
    ],
    "bp.da1-dz1": [
        (v(m(r"\frac{\partial a_1}{\partial z_1} = \operatorname{diag}\left(I(z_1 > 0)\right)"), RIGHT), 45),
        (v(m(r"\frac{\partial a_1}{\partial z_1} = \operatorname{diag}(\operatorname{step}(z_1))"), RIGHT), 20),
        (v(m(r"\frac{\partial a_1}{\partial z_1} = I"), WRONG), 10),   # the identity: ignores the ReLU
    ],
    "bp.dJ-dW1": [
        (v(m(r"\frac{\partial J}{\partial W_1} = \operatorname{diag}(\operatorname{step}(z_1)) \, W_2^T "
             r"(\hat{y} - y) \, x^T"), RIGHT), 55),
        (v(m(r"\frac{\partial J}{\partial W_1} = W_2^T (\hat{y} - y) x^T"), WRONG), 15),   # dropped ReLU'
        (v(m(r"\frac{\partial J}{\partial W_1} = \operatorname{diag}(\operatorname{step}(z_1)) \, W_2^T "
             r"(y - \hat{y}) \, x^T"), WRONG), 10),                                         # sign
    ],
    "beale.convex": [
        (v("False. The Hessian at $(0, 0)$ is $\\begin{bmatrix} 6 & 3 \\\\ 3 & 0 \\end{bmatrix}$, "
           "with determinant $-9 < 0$.", RIGHT), 60),
        (v("Convex: true. It is a sum of squares.", WRONG), 30),
    ],
    "beale.grad-x1": [
        (v(m(rf"{DF1} = 2(x_2 - 1){B1} + 2(x_2^2 - 1){B2} + 2(x_2^3 - 1){B3}"), RIGHT), 50),
        (v(m(rf"{DF1} = 2{B1}(x_2 - 1) + 2{B2}(x_2^2 - 1) + 2{B3}(x_2^3 - 1)"), RIGHT), 20),
        (v(m(rf"{DF1} = (2 x_2 - 2){B1} + (2 x_2^2 - 2){B2} + (2 x_2^3 - 2){B3}"), RIGHT), 3),
        (v(m(rf"{DF1} = {B1}(x_2 - 1) + {B2}(x_2^2 - 1) + {B3}(x_2^3 - 1)"), WRONG), 10),
        (v(m(rf"{DF1} = 2(1 - x_2){B1} + 2(x_2^2 - 1){B2} + 2(x_2^3 - 1){B3}"), WRONG), 5),
        (v(m(rf"{DF1} = 2(x_2 - 1){B1} + 2(x_2^2 - 1){B2} + {{k}}(x_2^3 - 1){B3}"), WRONG),
         3),
    ],
    "beale.grad-x2": [
        (v(m(rf"{DF2} = 2 x_1 {B1} + 4 x_1 x_2 {B2} + 6 x_1 x_2^2 {B3}"), RIGHT), 50),
        (v(m(rf"{DF2} = 2{B1}x_1 + 2{B2}(2x_1 x_2) + 2{B3}(3x_2^2 x_1)"), RIGHT), 15),
        (v(m(rf"{DF2} = 2{B1}x_1 + 2{B2}(2x_1 x_2) + 2(2.65 - x_1 + x_1 x_2^3)(3x_2^2 x_1)"),
           WRONG), 10),                                   # the written solution's 2.65
        (v(m(rf"{DF2} = 2 x_1 {B1} + 2 x_1 x_2 {B2} + 3 x_1 x_2^2 {B3}"), WRONG), 8),
        (v(m(rf"{DF2} = 2 x_1 {B1} + 4 x_1 x_2 {B2} + {{k}} x_1 x_2^2 {B3}"), WRONG), 3),
    ],
    "beale.stationary": [
        (v(m(r"x^{t+1} = \begin{bmatrix} 0 \\ 1 \end{bmatrix}"), RIGHT), 50),
        (v(m(r"x^{t+1} = (0, 1)"), RIGHT), 20),
        (v(m(r"x^{t+1} = \begin{bmatrix} 1 \\ 0 \end{bmatrix}"), WRONG), 10),
        (v(m(r"x^{t+1} = (0, {k})"), WRONG), 2),
    ],
    "quad.gradient": [
        (v(m(r"\nabla_x h = Q x + c"), RIGHT), 55),
        (v(m(r"\nabla_x h = \frac{1}{2} (Q + Q^\top) x + c = Q x + c"), RIGHT), 15),
        (v(m(r"\nabla_x h = \frac{1}{2} Q x + c"), WRONG), 10),   # forgot the 2 of the square
        (v(m(r"\nabla_x h = Q x"), WRONG), 8),
    ],
    "quad.eigen-recursion": [
        (v(m(r"\hat{x}^{k+1} = (I - \alpha \Lambda) \hat{x}^k"), RIGHT), 60),
        (v(m(r"\hat{x}^{k+1} = (I + \alpha \Lambda) \hat{x}^k"), WRONG), 10),
        (v(m(r"\hat{x}^{k+1} = \hat{x}^k - \alpha \hat{x}^k"), WRONG), 10),
    ],
    "quad.closed-form": [
        (v(m(r"x^k - x^* = \sum_{i=1}^{2} (1 - \alpha \lambda_i)^k \, \hat{x}_i^0 \, v_i"), RIGHT), 55),
        (v(m(r"x^k - x^* = \sum_{i=1}^{2} (1 - \alpha \lambda_i)^{k+1} \, \hat{x}_i^0 \, v_i"), WRONG), 10),
    ],
    "adamax.update": [
        (v(m(rf"v^{{(k)}} = \max\left(\beta_2 v^{{(k-1)}}, {G}\right)"), RIGHT), 55),
        (v(m(rf"v^{{(k)}} = \max\left({G}, \beta_2 v^{{(k-1)}}\right)"), RIGHT), 5),
        (v(m(rf"v^{{(k)}} = \max\left(\beta_2 v^{{(k-1)}}, (1 - \beta_2) {G}\right)"), WRONG), 20),
        (v(m(rf"v^{{(k)}} = \max\left(v^{{(k-1)}}, {G}\right)"), WRONG), 5),
        (v(m(rf"v^{{(k)}} = \max\left(\beta_2 v^{{(k-1)}}, {{k}} {G}\right)"), WRONG), 2),
    ],
}

#: Not answering, or writing what no reader could take for mathematics.
BLANKS = [v("", BLANK), v("I did not have time for this one.", BLANK)]
GARBAGE_TEXTS = [v(m(r"\left( A x"), GARBAGE), v(m(r"\frac{\partial y}{\partial x} = \foo{A}"), GARBAGE),
                 v(m(r"A^{{"), GARBAGE)]
P_BLANK, P_GARBAGE = 0.06, 0.02
#: Questions answered with a word: text without true or false in it is unanswered, not unparsable.
TRUE_FALSE = {"beale.convex"}


def fill(variant: Variant, rng: random.Random) -> str:
    """A long-tail variant gets its own coefficient: k in 3..99 (never the right 1 or 2)."""
    return variant.text.replace("{k}", str(rng.randint(3, 99))) if "{k}" in variant.text else variant.text


def submission(student: str, rng: random.Random) -> str:
    parts = [f"---\nstudent: {student}\n---\n\n# HW1\n"]
    for qid, pool in VARIANTS.items():
        roll = rng.random()
        if roll < P_BLANK:
            body = rng.choice(BLANKS).text
            if rng.random() < 0.5:
                continue  # no heading at all
        elif roll < P_BLANK + P_GARBAGE:
            body = rng.choice(GARBAGE_TEXTS).text
        else:
            variants, weights = zip(*pool, strict=True)
            body = fill(rng.choices(variants, weights)[0], rng)
        parts.append(f"## {qid}\n\n{body}\n")
    return "\n".join(parts)


def write(folder: Path, count: int, seed: int = 0) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(1, count + 1):
        path = folder / f"s{i:05d}.md"
        path.write_text(submission(f"s{i:05d}", rng))
        paths.append(path)
    return paths


def check() -> int:
    """Grade each variant once (k = 7 in the tail) and list the ones whose mark is not the intended one."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from verify.grading.assignment import load_assignment
    from verify.grading.batch import GradingOptions, grade_files

    hw1 = load_assignment("hw1")
    rows = max(len(pool) for pool in VARIANTS.values()) + len(BLANKS) + len(GARBAGE_TEXTS)
    with tempfile.TemporaryDirectory() as tmp:
        files, intended = [], []
        for r in range(rows):
            parts, want = [f"---\nstudent: v{r}\n---\n"], {}
            for qid, pool in VARIANTS.items():
                extra = [*BLANKS, *GARBAGE_TEXTS]
                variants = [p[0] for p in pool]
                chosen = (variants + extra)[r] if r < len(variants) + len(extra) else None
                if chosen is None:
                    continue
                parts.append(f"## {qid}\n\n{chosen.text.replace('{k}', '7')}\n")
                want[qid] = chosen
            path = Path(tmp) / f"v{r:02d}.md"
            path.write_text("\n".join(parts))
            files.append(path)
            intended.append(want)
        grades = grade_files(hw1, files, GradingOptions(timeout=60))
    wrong = 0
    for g, want in zip(grades, intended, strict=True):
        for q in g.questions:
            intended_mark = want[q.id].mark if q.id in want else None
            if q.id in TRUE_FALSE and intended_mark == GARBAGE:
                intended_mark = BLANK  # the answer is a word; no true or false in it is no answer
            if intended_mark is not None and str(q.verdict) != intended_mark:
                wrong += 1
                print(f"{q.id}: intended {intended_mark}, graded {q.verdict}: "
                      f"{want[q.id].text[:100]!r}\n    {q.feedback[:200]!r}")
    total = sum(len(w) for w in intended)
    print(f"{total - wrong} of {total} variants graded as intended")
    return 1 if wrong else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", nargs="?", help="folder to write the submissions to")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--check", action="store_true", help="grade each variant once; list marks not as intended")
    args = p.parse_args()
    if args.check:
        return check()
    if not args.out:
        p.error("give an output folder, or --check")
    write(Path(args.out), args.count, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
