"""HW1 section 1, Partial Derivative: Jacobians of linear maps, chain and product rules."""

from verify.model.claim import Claim, Equality
from verify.model.expr import D, Var
from verify.model.symbols import Symbols, matrix, vector

SECTION = "1 Partial Derivative"

x, y, A = Var("x"), Var("y"), Var("A")

CLAIMS: list[Claim] = [
    Equality(
        id="pd.linear",
        section=SECTION,
        statement=r"y = Ax \Rightarrow \frac{\partial y}{\partial x} = A",
        # y_i = sum_k a_ik x_k, so dy_i/dx_j = a_ij: the Jacobian (numerator layout) is A.
        expect="holds",
        symbols=Symbols.of([vector("x", "n"), matrix("A", "m", "n")]),
        lhs=D(A * x, x),
        rhs=A,
    ),
]
