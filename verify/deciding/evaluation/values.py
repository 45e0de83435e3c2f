"""Turning values from solvers and Python numbers into SymPy expressions, never from text.

``sympify`` would also parse a string, and the project promises that user text never reaches
a parser that can run code; this helper accepts only SymPy objects and Python integers.
"""

from __future__ import annotations

import sympy


def as_expr(value: object) -> sympy.Expr:
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not a SymPy value: {type(value).__name__}")
    return sympy.Integer(value)
