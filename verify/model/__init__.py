"""The model: symbols with shapes, shape-aware expressions, and claims about them.

The interface other packages use is what this module exports (``__all__``): shapes
(:mod:`.shape`), symbols and their declarations (:mod:`.symbols`), the expression tree and its
builders (:mod:`.expr`, walked by :mod:`.visitor`), the kinds of claim (:mod:`.claim`), a
homework question (:mod:`.question`), a decision's result (:mod:`.result`), and the JSON codec
(:mod:`.codec`, used as a namespace: ``codec.dumps``). ``expr`` is exported as a module too, for
code that dispatches on every node class (``expr.Add``, ...).
"""

from verify.model import codec, expr
from verify.model.claim import (
    Claim,
    Convex,
    Equality,
    Expect,
    GlobalMinimum,
    Limit,
    PolynomialDegree,
    Proportional,
    Recurrence,
)
from verify.model.codec import CodecError, anonymous, result_from_json, result_to_json
from verify.model.expr import (
    ANY,
    NODES,
    Add,
    Apply,
    At,
    Const,
    D,
    Derivative,
    Div,
    Expr,
    Gradient,
    Hadamard,
    Hessian,
    Identity,
    Inverse,
    MatrixLit,
    Max,
    Power,
    Product,
    Transpose,
    Var,
    Zero,
    apply,
    at,
    col,
    contains,
    grad,
    hessian,
    lift,
    mat,
    maximum,
    replace_subtree,
    shape_of,
    substitute,
    zero_of,
)
from verify.model.question import Part, Question, Samples
from verify.model.read_only import read_only
from verify.model.result import Counterexample, Result, Verdict, agrees
from verify.model.shape import SCALAR, Dim, Shape
from verify.model.symbols import Symbol, Symbols, matrix, parse_declaration, scalar, vector
from verify.model.visitor import Visitor

__all__ = [
    "ANY", "NODES", "SCALAR", "Add", "Apply", "At", "Claim", "CodecError", "Const", "Convex", "Counterexample",
    "D", "Derivative", "Dim", "Div", "Equality", "Expect", "Expr", "GlobalMinimum", "Gradient", "Hadamard",
    "Hessian", "Identity", "Inverse", "Limit", "MatrixLit", "Max", "Part", "PolynomialDegree", "Power", "Product",
    "Proportional", "Question", "Recurrence", "Result", "Samples", "Shape", "Symbol", "Symbols", "Transpose",
    "Var", "Verdict", "Visitor", "Zero", "agrees", "anonymous", "apply", "at", "codec", "col", "contains", "expr",
    "grad",
    "hessian", "lift", "mat", "matrix", "maximum", "parse_declaration", "read_only", "replace_subtree",
    "result_from_json", "result_to_json", "scalar", "shape_of", "substitute", "vector", "zero_of",
]
