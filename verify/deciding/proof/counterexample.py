"""A counterexample in the user's terms: exact values as people write them, for each symbol the
claim mentions and each derivative of a declared function, with the exact point beside them
(for re-checking by another route) and, where the values are not rational, the difference a
ball certifies."""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from verify.deciding.evaluation import certified
from verify.deciding.evaluation.instantiate import symbolic
from verify.deciding.evaluation.sampling import Point
from verify.model import Counterexample, Equality


def show(m: sympy.Matrix | sympy.Expr) -> str:
    """Exact values as people write them: a scalar plainly, a matrix as nested rows."""
    if isinstance(m, sympy.MatrixBase):
        if m.shape == (1, 1):
            return show(m[0, 0])
        return "[" + ", ".join("[" + ", ".join(show(e) for e in row) + "]" for row in m.tolist()) + "]"
    text = sympy.sstr(m)
    if not m.is_Rational:
        approx = certified.digits(m)  # only the digits a ball certifies
        if approx is not None:
            text += f" (~{approx})"
    return text


def from_point(claim: Equality, point: Point, lv: sympy.Matrix, rv: sympy.Matrix,
                   sizes: Mapping[str, int]) -> Counterexample:
    """The point in the user's terms: each symbol the claim mentions, then each jet."""
    mentioned = claim.lhs.names() | claim.rhs.names()
    values: dict[str, str] = {}
    for name in claim.symbols:
        if name in mentioned and name in point.values:
            values[name] = show(point.values[name])
    for name, value in point.derivative_values().items():
        values[name] = show(value)
    order2 = [(j, v) for j, v in point.jet_values.items() if str(j).count("/d") >= 2]
    for jet, value in sorted(order2, key=lambda kv: str(kv[0])):
        values[str(jet)] = show(value)
    exact = {str(a): sympy.sstr(v) for a, v in point.substitution.items()}
    exact.update({str(a): sympy.sstr(v) for a, v in point.jet_values.items()})
    for name, m in point.values.items():
        if name not in point.atoms and not claim.symbols[name].of:
            for a, v in zip(_entry_symbols(claim, name, sizes), m, strict=True):
                if isinstance(a, sympy.Symbol):  # a diagonal matrix's zeros are no entries to give
                    exact[str(a)] = sympy.sstr(v)
    return Counterexample(values=values, lhs=show(lv), rhs=show(rv), sizes=dict(sizes), point=exact,
                          note=_certified_gap(lv, rv))


def _certified_gap(lv: sympy.Matrix, rv: sympy.Matrix) -> str:
    """Where the values are not rational, the difference a ball certifies (sides of 1 - 10^-20
    and 1 print alike at 8 digits): what the refutation rests on, said plainly."""
    for k, (a, b) in enumerate(zip(lv, rv, strict=True)):
        if not certified.differs(a, b):
            continue
        if (a - b).is_Rational:
            return ""
        gap = certified.digits(a - b, 3)
        where = "" if lv.shape == (1, 1) else f" in entry ({k // lv.shape[1] + 1}, {k % lv.shape[1] + 1})"
        return f"lhs - rhs ~ {gap}{where}, certified by ball arithmetic" if gap else ""
    return ""


def _entry_symbols(claim: Equality, name: str, sizes: Mapping[str, int]) -> list[sympy.Symbol]:
    return list(symbolic(claim.symbols, sizes)(claim.symbols[name]))
