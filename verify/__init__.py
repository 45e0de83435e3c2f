"""verify: decide matrix-calculus claims soundly, and grade derivations built from them.

The Python API in one screen::

    from verify import Equality, Symbols, Var, D, decide, matrix, vector
    x, A = Var("x"), Var("A")
    claim = Equality(id="jacobian", statement=r"\\frac{\\partial Ax}{\\partial x} = A",
                     symbols=Symbols.of([vector("x", "n"), matrix("A", "m", "n")]),
                     lhs=D(A * x, x), rhs=A)
    result = decide(claim)          # Result(verdict=proved, scope=..., counterexample=None, ...)
"""

from verify.deciding import decide
from verify.model import (
    Claim,
    Convex,
    Counterexample,
    D,
    Equality,
    Expr,
    GlobalMinimum,
    Identity,
    Limit,
    PolynomialDegree,
    Recurrence,
    Result,
    Symbol,
    Symbols,
    Var,
    Verdict,
    apply,
    col,
    grad,
    hessian,
    mat,
    matrix,
    maximum,
    scalar,
    vector,
)

__all__ = [
    "Claim", "Convex", "Counterexample", "D", "Equality", "Expr", "GlobalMinimum", "Identity",
    "Limit", "PolynomialDegree", "Recurrence", "Result", "Symbol", "Symbols", "Var", "Verdict",
    "apply", "col", "decide", "grad", "hessian", "mat", "matrix", "maximum", "scalar", "vector",
]
