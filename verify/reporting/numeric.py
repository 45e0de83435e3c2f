"""SymPy expressions evaluated in floating point on numpy arrays, for pictures only.

A plot needs a function's values on a grid of thousands of points; exact evaluation would
take minutes. ``lambdify`` would do it, but it generates Python source from the expression
and ``exec``\\ s it, and an expression may come from a claims file or a submission: the
project's rule is that no user-derived text reaches ``exec``. So this module walks the
expression tree and applies numpy to each node itself. It knows the functions the engine's
evaluator produces (:mod:`verify.deciding.evaluation.instantiate`) and refuses anything else with
:class:`Unplottable`; the picture is then left out, never guessed.

Nothing here decides anything: the verdicts come from exact arithmetic elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy

Array = np.ndarray | float


class Unplottable(ValueError):
    """The expression has a node that this evaluator does not know (or a free symbol without a value)."""


_UNARY: dict[type[Any], Callable[[Array], Array]] = {
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.tanh: np.tanh,
    sympy.Abs: np.abs,
    sympy.sign: np.sign,
}


def evaluate(expr: sympy.Expr, values: Mapping[sympy.Symbol, Array]) -> Array:
    """``expr`` with each symbol replaced by its value (a float or an array), in float64.

    Invalid operations give nan (a logarithm of a negative number), as a plot wants them.
    """
    with np.errstate(all="ignore"):
        return _eval(expr, values)


def _eval(e: sympy.Basic, values: Mapping[sympy.Symbol, Array]) -> Array:
    if isinstance(e, sympy.Symbol):
        if e not in values:
            raise Unplottable(f"no value for {e}")
        return values[e]
    if e.is_Number:
        return float(e)
    if e in (sympy.pi, sympy.E):
        return float(e)
    if isinstance(e, sympy.Add):
        total: Array = 0.0
        for a in e.args:
            total = total + _eval(a, values)
        return total
    if isinstance(e, sympy.Mul):
        product: Array = 1.0
        for a in e.args:
            product = product * _eval(a, values)
        return product
    if isinstance(e, sympy.Pow):
        base, exponent = e.args
        return np.power(_eval(base, values), _eval(exponent, values))
    if isinstance(e, sympy.Max | sympy.Min):
        parts = [_eval(a, values) for a in e.args]
        combine = np.maximum if isinstance(e, sympy.Max) else np.minimum
        out = parts[0]
        for p in parts[1:]:
            out = combine(out, p)
        return out
    if isinstance(e, sympy.Heaviside):  # its value at 0 is its second argument: 0 for I(x > 0), 1 for I(x >= 0)
        at_zero = e.args[1] if len(e.args) > 1 else sympy.Rational(1, 2)
        return np.heaviside(_eval(e.args[0], values), float(at_zero))
    for kind, func in _UNARY.items():
        if isinstance(e, kind):
            return func(_eval(e.args[0], values))
    raise Unplottable(f"cannot evaluate {type(e).__name__} numerically")
