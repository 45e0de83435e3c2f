r"""Pictures for the HTML report, computed from the claims themselves, as SVG.

Where a picture says more than the verdict: a refuted convexity claim (the function's contours
with the point where its Hessian is indefinite, and the direction in which it curves down), a
recursion such as gradient descent's ``\hat{x}_i^{k+1} = (1 - \alpha\lambda_i) \hat{x}_i^k``
(the iterates for a few step sizes against the claimed closed form), and a class's share of
correct answers per question.

Every function value comes from the claim's own expression: the engine's evaluator builds it in
SymPy, and :mod:`verify.reporting.numeric` evaluates it on a grid without generating code. A
picture that cannot be computed (an unknown function, parameters without values, too many
variables) is left out: it returns None, and the report shows the verdict alone.

matplotlib draws through its ``Figure`` object directly (no pyplot state, no GUI backend), and
writes SVG with glyphs as paths, so the page needs no font and no network. Text handed to
matplotlib is escaped against its mathtext (``$...$``), except names whose LaTeX spelling is a
plain subscripted letter, which mathtext renders reliably.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

from verify.deciding import Evaluator, realise, symbolic
from verify.errors import VerifyError
from verify.model import Convex, Recurrence, Result, Symbol, Var, Verdict
from verify.reporting.numeric import Unplottable, evaluate

#: Step sizes of the gradient-descent picture, with every other symbol set to 1 (so lambda = 1):
#: 1 - alpha = 3/4, 1/4, -3/5, -19/20 converge (monotonically, then oscillating), -21/20 diverges.
STEP_SIZES = (0.25, 0.75, 1.6, 1.95, 2.05)
STEPS = 25
GREEN, AMBER, RED, BLUE = "#1a7f37", "#b7791f", "#c62828", "#1f5fbf"


@dataclass(frozen=True)
class Picture:
    """An SVG document, what it shows (for the caption) and a text alternative."""

    svg: str
    caption: str
    alt: str

    @property
    def data_uri(self) -> str:
        """The SVG as an ``<img>`` source: no script in it can run, and its ids cannot clash
        with another picture's on the same page."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _svg(fig) -> str:
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "verify", "svg.fonttype": "path", "font.size": 9}):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", dpi=150, metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def plain(text: str) -> str:
    """Text that matplotlib shows as written: a ``$`` would start mathtext."""
    return text.replace("\\", "\\\\").replace("$", r"\$")


_SIMPLE_LATEX = re.compile(
    r"^(?:\\hat\{[A-Za-z]\}|\\?[A-Za-z]+)(?:_\{?[A-Za-z0-9]{1,3}\}?)?(?:\^\{?[A-Za-z0-9*]{1,3}\}?)?$"
)


def label(name: str, symbols: Mapping[str, Symbol]) -> str:
    """An axis label: ``x_1`` rendered by mathtext when the symbol is spelled that simply."""
    s = symbols.get(name)
    if s is not None and s.latex and _SIMPLE_LATEX.match(s.latex):
        return f"${s.latex}$"
    return plain(name)


def _exact(text: str) -> float | None:
    try:
        return float(Fraction(text))
    except (ValueError, ZeroDivisionError):
        return None


# ---------------------------------------------------------------- convexity


def convexity_picture(claim: Convex, result: Result) -> Picture | None:
    """For a refuted convexity claim in one or two real variables: the function around the point
    where its Hessian is not positive semidefinite, that point marked, and the direction of
    negative curvature (an eigenvector of the Hessian there with a negative eigenvalue)."""
    cx = result.counterexample
    if result.verdict is not Verdict.REFUTED or cx is None or not cx.point:
        return None
    try:
        fn = realise(claim.symbols, claim.f, claim.wrt, cx.sizes, claim.layout)
    except VerifyError:
        return None
    variables = fn.variables
    if len(variables) not in (1, 2):
        return None
    exact: dict[sympy.Symbol, sympy.Rational] = {}
    for atom in (*variables, *fn.parameters):
        text = cx.point.get(str(atom))
        if text is None or _exact(text) is None:
            return None
        f = Fraction(text)
        exact[atom] = sympy.Rational(f.numerator, f.denominator)
    parameters = {p: exact[p] for p in fn.parameters}
    f_expr = fn.scalar.xreplace(parameters)
    hess = sympy.hessian(f_expr, variables).xreplace({v: exact[v] for v in variables})
    try:
        h = np.array(hess.evalf(), dtype=float)
    except TypeError:
        return None
    eigenvalues, eigenvectors = np.linalg.eigh(h)
    at = np.array([float(exact[v]) for v in variables])
    names = [str(v) for v in variables]
    axis = [label(n, claim.symbols) for n in names]
    try:
        if len(variables) == 2:
            fig = _contour(f_expr, variables, at, eigenvalues, eigenvectors, axis)
        else:
            fig = _curve(f_expr, variables[0], at[0], axis[0])
    except Unplottable:
        return None
    where = ", ".join(f"{n} = {cx.point[n]}" for n in names)
    caption = (f"The function near ({where}), where the Hessian is not positive semidefinite "
               f"(eigenvalues {', '.join(f'{e:.3g}' for e in eigenvalues)}). ")
    caption += ("Along the dashed line (an eigenvector with a negative eigenvalue) the function curves "
                "down, so no convex function can have this graph." if len(variables) == 2 else
                "The second derivative is negative there: the graph bends down.")
    return Picture(_svg(fig), caption, f"contour plot of the function of {claim.id} with the point ({where}) marked")


def _window(at: np.ndarray) -> float:
    return max(3.0, 1.5 * float(np.max(np.abs(at))))


def _signed_log(values: np.ndarray) -> np.ndarray:
    """Contours on sign(f) log(1 + |f|): the Beale function spans five orders of magnitude."""
    return np.sign(values) * np.log10(1.0 + np.abs(values))


def _contour(f: sympy.Expr, variables: Sequence[sympy.Symbol], at: np.ndarray, eigenvalues: np.ndarray,
             eigenvectors: np.ndarray, axis: Sequence[str]):
    half = _window(at)
    xs = np.linspace(at[0] - half, at[0] + half, 241)
    ys = np.linspace(at[1] - half, at[1] + half, 241)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = np.broadcast_to(evaluate(f, {variables[0]: grid_x, variables[1]: grid_y}), grid_x.shape)
    z = _signed_log(np.asarray(values, dtype=float))
    if not np.isfinite(z).any():
        raise Unplottable("no finite value in the window")
    fig = _figure(5.6, 4.4)
    ax = fig.add_subplot()
    # The filled contours are embedded as an image inside the SVG (thousands of polygons
    # otherwise: most of a megabyte); axes, lines, marks and text stay vectors.
    filled = ax.contourf(grid_x, grid_y, z, levels=28, cmap="viridis", rasterized=True)
    ax.contour(grid_x, grid_y, z, levels=filled.levels[::2], colors="white", linewidths=0.4, alpha=0.6,
               rasterized=True)
    bar = fig.colorbar(filled, ax=ax, shrink=0.9)
    bar.set_label("sign(f) · log10(1 + |f|)")
    if eigenvalues[0] < 0:
        v = eigenvectors[:, 0] / np.linalg.norm(eigenvectors[:, 0])
        reach = half * 0.45
        ax.plot([at[0] - reach * v[0], at[0] + reach * v[0]], [at[1] - reach * v[1], at[1] + reach * v[1]],
                linestyle="--", color=RED, linewidth=1.6, label="direction of negative curvature")
    ax.plot([at[0]], [at[1]], marker="X", markersize=13, color=RED, markeredgecolor="white",
            linestyle="none", label="Hessian indefinite here")
    ax.set_xlabel(axis[0])
    ax.set_ylabel(axis[1])
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    return fig


def _curve(f: sympy.Expr, variable: sympy.Symbol, at: float, axis: str):
    half = _window(np.array([at]))
    xs = np.linspace(at - half, at + half, 400)
    ys = np.broadcast_to(np.asarray(evaluate(f, {variable: xs}), dtype=float), xs.shape)
    if not np.isfinite(ys).any():
        raise Unplottable("no finite value in the window")
    fig = _figure(5.6, 3.4)
    ax = fig.add_subplot()
    ax.plot(xs, ys, color=BLUE)
    y0 = float(np.asarray(evaluate(f, {variable: np.array([at])}), dtype=float).ravel()[0])
    ax.plot([at], [y0], marker="X", markersize=12, color=RED, markeredgecolor="white", linestyle="none",
            label="second derivative negative here")
    ax.set_xlabel(axis)
    ax.set_ylabel("f")
    ax.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------- recursions


def recurrence_picture(claim: Recurrence) -> Picture | None:
    """For a scalar recursion with a step size ``alpha`` (gradient descent's error in one
    eigendirection): the recursion iterated for a few step sizes (dots) against the claimed
    closed form (lines), every other symbol set to 1. Where the two disagree, the closed form
    is wrong; where the dots grow, the step size is too large."""
    if "alpha" not in claim.symbols:
        return None
    symbols = claim.symbols
    try:
        ev = Evaluator(symbols, {}, symbolic(symbols, {}), claim.layout)
        step, closed, initial = ev(claim.step), ev(claim.closed), ev(claim.initial)
        sequence, k, alpha = ev(claim.sequence), ev(claim.k), ev(Var("alpha"))
    except VerifyError:
        return None
    if any(m.shape != (1, 1) for m in (step, closed, initial, sequence)):
        return None
    s, kk, a = sequence[0, 0], k[0, 0], alpha[0, 0]
    others = (step[0, 0].free_symbols | closed[0, 0].free_symbols | initial[0, 0].free_symbols) - {s, kk, a}
    fixed: dict[sympy.Symbol, float] = dict.fromkeys(others, 1.0)
    ks = np.arange(STEPS + 1, dtype=float)
    fig = _figure(5.6, 3.8)
    ax = fig.add_subplot()
    colours = [GREEN, BLUE, "#6a3d9a", AMBER, RED]
    try:
        for colour, size in zip(colours, STEP_SIZES, strict=True):
            env = {**fixed, a: size}
            value = float(evaluate(initial[0, 0], env))
            iterates = [value]
            for _ in range(STEPS):
                value = float(evaluate(step[0, 0], {**env, s: value}))
                iterates.append(value)
            predicted = np.broadcast_to(np.asarray(evaluate(closed[0, 0], {**env, kk: ks}), dtype=float), ks.shape)
            ax.semilogy(ks, _positive(np.abs(predicted)), color=colour, linewidth=1.4, label=f"α = {size:g}")
            ax.semilogy(ks, _positive(np.abs(np.array(iterates))), color=colour, marker="o", markersize=3.2,
                        linestyle="none")
    except (Unplottable, OverflowError, TypeError):
        return None
    ax.set_xlabel("k (step)")
    ax.set_ylabel("|" + label(claim.sequence.name, symbols) + "|")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, ncols=2, title="dots: iterates; lines: closed form", title_fontsize=8)
    fixed_text = ", ".join(sorted(str(o) for o in others)) or "nothing else"
    caption = (f"The recursion {claim.sequence.name} ← step({claim.sequence.name}) iterated {STEPS} times (dots) "
               f"against the claimed closed form (lines), for step sizes α = "
               f"{', '.join(f'{x:g}' for x in STEP_SIZES)}, with {fixed_text} set to 1. "
               "Where a line leaves its dots the closed form is wrong; a rising line is a step size too large "
               "(|1 − αλ| > 1).")
    return Picture(_svg(fig), caption, f"error per step of {claim.id} for several step sizes")


def _positive(values: np.ndarray) -> np.ndarray:
    """Zeros (alpha lambda = 1 reaches the minimum in one step) cannot be drawn on a log axis."""
    return np.where(values > 0, values, np.nan)


# ---------------------------------------------------------------- class summary


def share_chart(shares: Sequence[tuple[str, float | None]]) -> Picture:
    """One horizontal bar per question: the share of graded submissions that got it right."""
    ids = [qid for qid, _ in shares][::-1]
    values = [(share or 0.0) * 100 for _, share in shares][::-1]
    colours = [GREEN if v >= 80 else AMBER if v >= 50 else RED for v in values]
    fig = _figure(5.6, 0.6 + 0.24 * max(len(ids), 1))
    ax = fig.add_subplot()
    ax.barh(range(len(ids)), values, color=colours, height=0.7)
    ax.set_yticks(range(len(ids)), [plain(i) for i in ids], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("correct (%)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for i, v in enumerate(values):
        ax.text(min(v + 1.5, 92), i, f"{v:.0f}%", va="center", fontsize=7)
    text = "; ".join(f"{qid}: {'-' if s is None else f'{s:.0%}'}" for qid, s in shares)
    return Picture(_svg(fig), "Share of submissions with a correct answer, per question.",
                   f"bar chart of the share correct per question: {text}")
