"""The piecewise functions (max, min, |.|, the steps and what differentiating them gives) and
their switches: where a point sits on a kink, and whether it may be used there.

Evaluation, normal forms and refutation all ask the same two questions of a piecewise
function, which branch it takes and whether it has a value on its kink, so they are answered
once, here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from verify.deciding.evaluation import certified

#: Functions whose branch depends on the sign of a switch. max, min, |.| and the steps
#: (Heaviside(s, 0) is I(s > 0), Heaviside(s, 1) is I(s >= 0)) have a value on the switch too;
#: Heaviside(s, 1/2), sign(s) and DiracDelta(s) come only from differentiating them (SymPy's
#: derivatives of max, |.| and a step), and on the switch they are conventions, not values.
PIECEWISE = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.sign, sympy.DiracDelta)


def switches(p: sympy.Expr) -> list[sympy.Expr]:
    """What decides the branch of a piecewise function ``p`` (one of PIECEWISE): the differences of
    a max's or min's arguments, else its one argument; ``p`` is on a kink where one is 0."""
    args = p.args
    if isinstance(p, sympy.Max | sympy.Min):
        return [args[i] - args[j] for i in range(len(args)) for j in range(i + 1, len(args))]
    return [args[0]]


def from_differentiating(p: sympy.Expr) -> bool:
    """``p`` is what SymPy writes for a derivative taken through a kink (Heaviside(s, 1/2), sign(s),
    DiracDelta(s)), a convention with no value on its switch, not a step of our own (H(s, 0), H(s, 1))."""
    return isinstance(p, sympy.sign | sympy.DiracDelta) or (
        isinstance(p, sympy.Heaviside) and (len(p.args) < 2 or p.args[1] not in (0, 1)))


def off_boundaries(exprs: Sequence[sympy.Matrix], point: dict[sympy.Symbol, sympy.Rational]) -> bool:
    """Whether the point may be used: every piecewise function's branch there is certain.

    A point on a kink of max, |.| or a step is used like any other: each has its value there
    (max(a, a) = a, |0| = 0, I(0 > 0) = 0, I(0 >= 0) = 1). Not used: a point where the sign of
    a switch cannot be certified, or where a derivative taken through a kink (Heaviside(s, 1/2),
    sign(s), DiracDelta(s): see PIECEWISE) sits on it, for that derivative does not exist there.
    """
    for m in exprs:
        for e in m:
            for p in e.atoms(*PIECEWISE):
                convention = from_differentiating(p)
                for c in switches(p):
                    v = c.xreplace(point)
                    if v.free_symbols:
                        return False
                    sign = certified.sign(v)
                    if sign is None or (sign == 0 and convention):
                        return False
    return True
