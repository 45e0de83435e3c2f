"""Turning shape-aware expressions into explicit SymPy matrices at concrete sizes.

Every value is a ``sympy.Matrix`` (a scalar is 1 x 1). What a declared symbol becomes is
up to a :class:`Realisation`: symbolic entries for proofs, exact random numbers for
refutation, and, for a symbol declared ``of(...)``, undefined functions whose derivatives
are later replaced by free jet values (:func:`jets_to_symbols`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import sympy

from verify.deciding.evaluation.values import as_expr
from verify.errors import ShapeError, UnsupportedError
from verify.model import (
    ANY,
    Add,
    Apply,
    At,
    Const,
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
    Symbol,
    Transpose,
    Var,
    Visitor,
    Zero,
)

Realise = Callable[[Symbol], sympy.Matrix]


def sigmoid(x: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-x))


class PlainMax(sympy.Max):
    """``max`` that is not simplified while it is built.

    SymPy's ``Max`` asks the assumptions system, on every construction, whether one argument
    is known to exceed another (2.5 ms for max(w.x + b, 0) with six symbols), and a network's
    instantiation builds it hundreds of times: at each differentiation and rewrite. Numbers
    are still compared; symbolic arguments are kept as they are, and the proof splits the
    maximum into regions (:func:`verify.deciding.proof.normal_forms.is_zero`), where a region that
    no point can lie in is skipped. It is still a ``sympy.Max`` for every ``isinstance``.
    """

    def __new__(cls, *args: sympy.Expr, **options: object) -> sympy.Expr:
        args = tuple(as_expr(a) for a in args)  # SymPy values and integers, never text
        if len(args) != 2 or all(a.is_Number for a in args) or args[0] == args[1]:
            return sympy.Max(*args)  # regions are only split for max of two: leave the rest to SymPy
        return super().__new__(cls, *args, evaluate=False)


def step(x: sympy.Expr) -> sympy.Expr:
    """I(x > 0): 0 at x = 0. SymPy's own ``Heaviside(0)`` is 1/2: the value at 0 is given."""
    return sympy.Heaviside(x, 0)


def closed_step(x: sympy.Expr) -> sympy.Expr:
    """I(x >= 0): 1 at x = 0."""
    return sympy.Heaviside(x, 1)


#: Every function has a value at every point of its domain, on a kink too: ReLU(0) = |0| = 0,
#: step(0) = 0, closed_step(0) = 1. Only a derivative through a kink is undefined there; SymPy
#: writes it with Heaviside(., 1/2), sign or DiracDelta, which the region prover
#: (:mod:`verify.deciding.proof.normal_forms`) treats as conventions, not values.
_ELEMENTWISE: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sigmoid": sigmoid,
    "tanh": sympy.tanh,
    "relu": lambda a: PlainMax(a, 0),
    "abs": sympy.Abs,
    "step": step,
    "closed_step": closed_step,
    "sqrt": sympy.sqrt,
}


def inverse(m: sympy.Matrix) -> sympy.Matrix:
    """Adjugate over determinant: one polynomial denominator, which ``cancel`` likes."""
    if m.shape == (1, 1):
        return sympy.Matrix([[1 / m[0, 0]]])
    det = m.det(method="berkowitz")
    if det == 0:
        raise ZeroDivisionError("singular matrix")
    return m.adjugate(method="berkowitz") / det


@dataclass
class Evaluator(Visitor):
    """Evaluates expressions for one claim at one binding of its dimension letters.

    A :class:`~verify.model.visitor.Visitor`: one ``_<Node>(e, hint)`` method per node class.
    """

    symbols: Mapping[str, Symbol]
    sizes: Mapping[str, int]
    realise: Realise
    layout: str = "numerator"
    #: applied to every intermediate value; sampling uses it to keep entries in canonical
    #: form, which stops expression swell (an adjugate of polynomial entries, then its derivative)
    normalise: Callable[[sympy.Matrix], sympy.Matrix] | None = None
    _cache: dict[str, sympy.Matrix] = field(default_factory=dict)
    _memo: dict[tuple[int, tuple[int, int] | None], tuple[Expr, sympy.Matrix]] = field(default_factory=dict)
    #: how max (and ReLU) is built: unevaluated, see PlainMax (the naive benchmark baseline
    #: builds SymPy's own Max instead, as code written without this engine would)
    maximum: ClassVar[Callable[..., sympy.Expr]] = PlainMax

    def value(self, name: str) -> sympy.Matrix:
        if name not in self._cache:
            self._cache[name] = self.realise(self.symbols[name])
        return self._cache[name]

    def dims(self, d: int | str) -> int:
        return d if isinstance(d, int) else self.sizes[d]

    def __call__(self, e: Expr, hint: tuple[int, int] | None = None) -> sympy.Matrix:
        return self.eval(e, hint)

    def eval(self, e: Expr, hint: tuple[int, int] | None = None) -> sympy.Matrix:
        # Claims written out entry by entry share subtrees (the same y-hat in every entry of a
        # gradient): each shared object is evaluated once. Keyed by identity, which is cheap
        # and exact while the claim (which holds the tree) is alive.
        key = (id(e), hint)
        if key in self._memo:
            return self._memo[key][1]
        method = self._visit_table.get(type(e))  # Visitor.visit, inlined on this hot path
        if method is None:
            return self.unhandled(e, hint)
        value = method(self, e, hint)
        if self.normalise is not None and not isinstance(e, Var | Const):  # leaves are already normal
            value = self.normalise(value)
        self._memo[key] = (e, value)  # holding e keeps its id from being reused
        return value

    def unhandled(self, e: Expr, hint: tuple[int, int] | None = None) -> sympy.Matrix:
        raise UnsupportedError(f"cannot evaluate {type(e).__name__}")

    # -- leaves ---------------------------------------------------------------------------
    def _Var(self, e: Var, hint: tuple[int, int] | None) -> sympy.Matrix:
        return self.value(e.name)

    def _Const(self, e: Const, hint: tuple[int, int] | None) -> sympy.Matrix:
        return sympy.Matrix([[e.value]])

    def _Identity(self, e: Identity, hint: tuple[int, int] | None) -> sympy.Matrix:
        if e.size is not None and e.size != ANY:
            return sympy.eye(self.dims(e.size))
        if hint is None:
            raise ShapeError("the size of I cannot be told from its context")
        return sympy.eye(hint[0])

    def _Zero(self, e: Zero, hint: tuple[int, int] | None) -> sympy.Matrix:
        return sympy.zeros(self.dims(e.shape.rows), self.dims(e.shape.cols))

    # -- algebra --------------------------------------------------------------------------
    def _Add(self, e: Add, hint: tuple[int, int] | None) -> sympy.Matrix:
        known = {i: self.eval(t) for i, t in enumerate(e.terms) if not _contextual(t)}
        shape = next((m.shape for m in known.values()), hint)
        total = None
        for i, t in enumerate(e.terms):
            m = known[i] if i in known else self.eval(t, shape)
            if total is not None and total.shape != m.shape:
                raise ShapeError(f"cannot add {total.shape} and {m.shape}: {e.latex()}")
            total = m if total is None else total + m
        assert total is not None
        return total

    def _Product(self, e: Product, hint: tuple[int, int] | None) -> sympy.Matrix:
        known = {i: self.eval(f) for i, f in enumerate(e.factors) if not _contextual(f)}
        result: sympy.Matrix | None = None
        for i, f in enumerate(e.factors):
            if i in known:
                m = known[i]
            else:
                # A factor sized by context (I, a I, (a I)^T): square, of the size its
                # neighbours need; evaluated, never skipped, so a scalar inside it counts.
                m = self.eval(f, _square_size(result, [known[j] for j in range(i + 1, len(e.factors))
                                                       if j in known], hint))
            result = m if result is None else _times(result, m, e)
        assert result is not None
        return result

    def _Div(self, e: Div, hint: tuple[int, int] | None) -> sympy.Matrix:
        den = self.eval(e.den)
        if den.shape != (1, 1):
            raise ShapeError(f"can only divide by a scalar: {e.latex()}")
        return self.eval(e.num, hint) / den[0, 0]

    def _Power(self, e: Power, hint: tuple[int, int] | None) -> sympy.Matrix:
        base = self.eval(e.base, hint)
        exp = self.eval(e.exponent)[0, 0]
        if base.shape == (1, 1):
            return sympy.Matrix([[base[0, 0] ** exp]])
        if not exp.is_Integer and base.is_diagonal():  # an index power: D^k = diag(d_i^k)
            return sympy.diag(*(base[i, i] ** exp for i in range(base.shape[0])))
        if not exp.is_Integer:
            raise ShapeError(f"a matrix power needs an integer exponent: {e.latex()}")
        k = int(exp)
        if k < 0:
            base, k = inverse(base), -k
        return base**k if k else sympy.eye(base.shape[0])

    def _Transpose(self, e: Transpose, hint: tuple[int, int] | None) -> sympy.Matrix:
        return self.eval(e.arg, hint and (hint[1], hint[0])).T

    def _Inverse(self, e: Inverse, hint: tuple[int, int] | None) -> sympy.Matrix:
        m = self.eval(e.arg, hint)
        if m.shape[0] != m.shape[1]:
            raise ShapeError(f"only a square matrix has an inverse: {e.latex()}")
        return inverse(m)

    def _Apply(self, e: Apply, hint: tuple[int, int] | None) -> sympy.Matrix:
        m = self.eval(e.arg, hint)
        if e.func in _ELEMENTWISE:
            f = (lambda a: self.maximum(a, 0)) if e.func == "relu" else _ELEMENTWISE[e.func]
            return m.applyfunc(f)
        if e.func == "tr":
            return sympy.Matrix([[m.trace()]])
        if e.func == "det":
            return sympy.Matrix([[m.det(method="berkowitz")]])
        if e.func == "diag":
            return sympy.diag(*list(m))
        raise UnsupportedError(f"unknown function {e.func}")

    def _Max(self, e: Max, hint: tuple[int, int] | None) -> sympy.Matrix:
        ms = [self.eval(a, hint) for a in e.args]
        shape = next((m.shape for m in ms if m.shape != (1, 1)), (1, 1))
        grown = [m if m.shape == shape else sympy.ones(*shape) * m[0, 0] for m in ms]
        return sympy.Matrix(*shape, lambda i, j: self.maximum(*(m[i, j] for m in grown)))

    def _Hadamard(self, e: Hadamard, hint: tuple[int, int] | None) -> sympy.Matrix:
        a, b = self.eval(e.left, hint), self.eval(e.right, hint)
        if a.shape != b.shape:
            raise ShapeError(f"operands of different shapes: {e.latex()}")
        return a.multiply_elementwise(b)

    def _MatrixLit(self, e: MatrixLit, hint: tuple[int, int] | None) -> sympy.Matrix:
        return sympy.Matrix([[self.eval(x)[0, 0] for x in row] for row in e.rows])

    # -- calculus ---------------------------------------------------------------------------
    def variable(self, v: Var) -> sympy.Matrix:
        s = self.symbols.get(v.name)
        if s is not None and structured(s):  # its entries are tied by its declaration
            raise UnsupportedError(f"a derivative by {v.name} is not defined: it is declared "
                                   f"{s.describe().split(', ', 1)[1]}, so its entries are not independent variables")
        return self._free_entries(v)

    def _free_entries(self, v: Var) -> sympy.Matrix:
        m = self.value(v.name)
        if not all(isinstance(a, sympy.Symbol) for a in m):
            raise UnsupportedError(f"cannot differentiate by {v.name}: its entries are not free")
        if len(set(m)) != len(m):
            raise UnsupportedError(f"cannot differentiate by {v.name}: its entries are not independent")
        return m

    def _Derivative(self, e: Derivative, hint: tuple[int, int] | None) -> sympy.Matrix:
        f = self.eval(e.f)
        if len(e.wrt) > 1:
            if f.shape != (1, 1):
                raise UnsupportedError(f"higher derivatives only of a scalar: {e.latex()}")
            g = f[0, 0]
            for v in reversed(e.wrt):
                var = self.variable(v)
                if var.shape != (1, 1):
                    raise UnsupportedError(f"higher derivatives only by scalars: {e.latex()}")
                g = sympy.diff(g, var[0, 0])
            return sympy.Matrix([[g]])
        var = self.variable(e.wrt[0])
        num = self.layout == "numerator"
        if var.shape == (1, 1):  # entry by entry: Matrix.diff goes through SymPy's array derivatives, 5x slower
            v = var[0, 0]
            return f.applyfunc(lambda entry: sympy.diff(entry, v))
        if f.shape == (1, 1):
            g = f[0, 0]
            if var.shape[1] == 1:  # by a vector
                row = sympy.Matrix([[sympy.diff(g, a) for a in var]])
                return row if num else row.T
            rows, cols = var.shape  # by a matrix: numerator layout is the transpose
            out = sympy.Matrix(rows, cols, lambda i, j: sympy.diff(g, var[i, j]))
            return out.T if num else out
        if f.shape[1] == 1 and var.shape[1] == 1:
            jac = f.jacobian(var)
            return jac if num else jac.T
        raise UnsupportedError(f"the derivative of a matrix by a matrix is not a matrix: {e.latex()}")

    def _Gradient(self, e: Gradient, hint: tuple[int, int] | None) -> sympy.Matrix:
        g = self.eval(e.f)[0, 0]
        return sympy.Matrix([sympy.diff(g, a) for a in self.variable(e.wrt)])

    def _Hessian(self, e: Hessian, hint: tuple[int, int] | None) -> sympy.Matrix:
        g = self.eval(e.f)[0, 0]
        var = list(self.variable(e.wrt))
        return sympy.hessian(g, var)

    def _At(self, e: At, hint: tuple[int, int] | None) -> sympy.Matrix:
        """Evaluate with the listed variables as fresh symbols, then substitute their values.

        Fresh (Dummy) symbols keep the substitution from touching anything else, whatever
        this evaluator's realisation made of the variables (numbers, when refuting).
        """
        names = {v.name for v, _ in e.values}
        for name in e.expr.names():
            declared = self.symbols.get(name)
            if declared is not None and set(declared.of) & names:
                raise UnsupportedError(f"{name} depends on a variable set to a value: {e.latex()}")

        def realise(s: Symbol) -> sympy.Matrix:
            if s.name not in names:
                return self.value(s.name)
            rows, cols = s.shape.bind(self.sizes)
            return sympy.Matrix(rows, cols, lambda i, j: sympy.Dummy(entry_name(s.name, i, j, (rows, cols)),
                                                                     real=True))

        inner = Evaluator(self.symbols, self.sizes, realise, self.layout)
        m = inner.eval(e.expr, hint)
        table: dict[sympy.Symbol, sympy.Expr] = {}
        for v, value in e.values:
            atoms = inner._free_entries(v)  # a value given to any symbol, structured ones too
            given = self.eval(value)
            if given.shape != atoms.shape:
                raise ShapeError(f"{v.name} is given a value of another size: {e.latex()}")
            table.update(zip(atoms, given, strict=True))
        _through_a_kink(m, table)
        return m.xreplace(table)


def _through_a_kink(m: sympy.Matrix, table: Mapping[sympy.Symbol, sympy.Expr]) -> None:
    """Raise ValueError (the point is undefined) where a derivative taken through a kink sits on
    it once the values are put in: d/dz of ReLU(z) at z = 0 does not exist. SymPy writes such a
    derivative with Heaviside(s, 1/2), sign(s) or DiracDelta(s), which it evaluates at s = 0 to a
    number (1/2, 0) as soon as the value is substituted: so the check is made before."""
    from verify.deciding.evaluation import certified
    from verify.deciding.evaluation.piecewise import PIECEWISE, from_differentiating

    for e in m:
        for p in e.atoms(*PIECEWISE):
            if not from_differentiating(p):
                continue
            at = p.args[0].xreplace(table)
            if at.free_symbols:
                continue  # still symbolic: the caller's own check sees it
            if certified.sign(at) in (None, 0):
                raise ValueError("a derivative taken through a kink (max, |.|, a step) at this point: "
                                 "it does not exist there")


def evaluate_sides(ev: Evaluator, sides: tuple[Expr, ...]) -> list[sympy.Matrix]:
    """Evaluate the sides of a claim; a side that is a bare I takes its size from the others."""
    known = {i: ev(e) for i, e in enumerate(sides) if not _contextual(e)}
    hint = next((m.shape for m in known.values()), None)
    return [known[i] if i in known else ev(e, hint) for i, e in enumerate(sides)]


class Shaped(Protocol):
    """A matrix of any kind, as far as sizes go (a SymPy matrix, the reference evaluation's grid)."""

    @property
    def shape(self) -> tuple[int, int]: ...


def _square_size(
    before: Shaped | None, after: Sequence[Shaped], hint: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The size a context-sized square factor must have between ``before`` and ``after``."""
    if before is not None and before.shape != (1, 1):
        return (before.shape[1], before.shape[1])
    wide = next((m for m in after if m.shape != (1, 1)), None)
    if wide is not None:
        return (wide.shape[0], wide.shape[0])
    if hint is not None:
        return (hint[0], hint[0]) if before is None else (hint[1], hint[1])
    return None


def _contextual(e: Expr) -> bool:
    """Nodes whose size comes from their neighbours (a bare I, or a scalar multiple of it)."""
    if isinstance(e, Identity):
        return e.size is None or e.size == ANY
    if isinstance(e, Product):
        return any(_contextual(f) for f in e.factors)
    if isinstance(e, Transpose | Inverse):
        return _contextual(e.arg)
    return False


def _times(a: sympy.Matrix, b: sympy.Matrix, e: Expr) -> sympy.Matrix:
    if a.shape == (1, 1):
        return a[0, 0] * b
    if b.shape == (1, 1):
        return a * b[0, 0]
    if a.shape[1] != b.shape[0]:
        raise ShapeError(f"cannot multiply {a.shape[0]}x{a.shape[1]} by {b.shape[0]}x{b.shape[1]}: {e.latex()}")
    return a * b


# ---------------------------------------------------------------------------------------
# Realisations.


def entry_name(name: str, i: int, j: int, shape: tuple[int, int]) -> str:
    """``A[1,2]`` for a matrix, ``x[2]`` for a vector, ``t`` for a scalar (1-based, as people count)."""
    if shape == (1, 1):
        return name
    if shape[1] == 1:
        return f"{name}[{i + 1}]"
    return f"{name}[{i + 1},{j + 1}]"


def symbolic(symbols: Mapping[str, Symbol], sizes: Mapping[str, int]) -> Realise:
    """Entries as SymPy symbols; ``of(...)`` symbols as undefined functions of their variables.

    A proof by instantiation must hold for every matrix a declaration allows, and the entries
    must range over a set that contains all of them (a claim proved for a larger set holds on
    it); refuting is another matter (below):

    - ``diagonal``: a symbol on the diagonal (positive when also positive definite), 0 elsewhere:
      exactly the diagonal matrices.
    - ``positive definite`` (not diagonal): a generic symmetric matrix. Every positive definite
      matrix is symmetric, so an identity proved for all symmetric matrices holds for them; a
      claim true only thanks to definiteness is left unproved here (the size-independent prover
      or ``unknown``), never proved wrongly.
    - ``orthogonal``: a generic matrix, for the same reason. An exact symbolic form of every
      orthogonal matrix does not exist as one rational map: O(n) has two components (det 1 and
      det -1), the image of one rational parametrisation is irreducible, and the Cayley transform
      reaches only the rotations without eigenvalue -1, so a proof through it would "prove"
      det(V) = 1. Generic entries prove only what holds for every matrix, which includes the
      orthogonal ones: sound, and V^T V = I itself is left to the size-independent prover, or
      to a reduction modulo the entries of V^T V - I and V V^T - I (:func:`relations`).

    Values of these entries are never drawn one by one for a counterexample: a random generic V
    is not orthogonal. Whoever searches for a counterexample among them draws every structured
    symbol's entries together with :func:`structured_values`, inside its declaration.
    """
    evaluator_sizes = dict(sizes)

    def atoms_of(s: Symbol) -> sympy.Matrix:
        rows, cols = s.shape.bind(evaluator_sizes)

        def entry(i: int, j: int) -> sympy.Expr:
            if s.diagonal and i != j:
                return sympy.Integer(0)
            if s.symmetric and j < i:
                i, j = j, i
            positive = s.positive or (s.diagonal and s.positive_definite) or None
            return sympy.Symbol(entry_name(s.name, i, j, (rows, cols)), real=True, positive=positive)

        return sympy.Matrix(rows, cols, entry)

    def realise(s: Symbol) -> sympy.Matrix:
        if not s.of:
            return atoms_of(s)
        args = [a for v in s.of for a in atoms_of(symbols[v])]
        rows, cols = s.shape.bind(evaluator_sizes)
        return sympy.Matrix(
            rows, cols,
            lambda i, j: sympy.Function(entry_name(s.name, min(i, j) if s.symmetric else i,
                                                   max(i, j) if s.symmetric else j,
                                                   (rows, cols)), real=True)(*args),
        )

    return realise


def relations(symbols: Mapping[str, Symbol], sizes: Mapping[str, int], names: Iterable[str]) -> list[sympy.Expr]:
    """The polynomial equations that :func:`symbolic`'s generic entries of the named orthogonal
    symbols satisfy at every value their declaration allows: the entries of V^T V - I and
    V V^T - I. A proof may reduce modulo them (``explicit.compare``'s ``relations``)."""
    realise = symbolic(symbols, sizes)
    out: list[sympy.Expr] = []
    for name in names:
        s = symbols[name]
        if not s.orthogonal or s.of:
            continue
        v = realise(s)
        eye = sympy.eye(v.rows)
        out += [e for e in (*(v.T * v - eye), *(v * v.T - eye)) if e != 0]
    return out


def structured(s: Symbol) -> bool:
    """Declared orthogonal, diagonal or positive definite: entries that are not drawn one by one."""
    return s.orthogonal or s.diagonal or s.positive_definite


def drawn_whole(s: Symbol) -> bool:
    """A symbol whose random values come from its declaration, not entry by entry as any number:
    structured (:func:`structured`), or a scalar declared in an interval."""
    return structured(s) or s.interval is not None


def within_intervals(symbols: Mapping[str, Symbol], sizes: Mapping[str, int],
                     point: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    """Whether every scalar declared in an interval that ``point`` gives a value (by its symbolic
    name) lies inside it: a point outside is no counterexample."""
    realise = symbolic(symbols, sizes)
    for s in symbols.values():
        if s.interval is None or s.of:
            continue
        value = point.get(realise(s)[0, 0])
        if value is not None and not (value.is_Rational and s.interval[0] < value < s.interval[1]):
            return False
    return True


def structured_values(symbols: Mapping[str, Symbol], sizes: Mapping[str, int], atoms: Iterable[sympy.Basic],
                      rng: random.Random) -> dict[sympy.Symbol, sympy.Rational]:
    """Exact values, inside their declarations, for the entries (as :func:`symbolic` names them)
    of every symbol declared orthogonal, diagonal or positive definite that ``atoms`` mentions.

    Each such symbol is drawn whole (:func:`~verify.deciding.evaluation.rationals.random_matrix`), so
    that a point made of these values, with every other atom drawn alone, satisfies every
    declaration: a counterexample found there is a real one. Symbols are drawn in declaration
    order, and nothing is drawn when no structured symbol is mentioned (other claims' points are
    the ones drawn before)."""
    from verify.deciding.evaluation.rationals import random_matrix

    wanted = {a for a in atoms if isinstance(a, sympy.Symbol)}
    out: dict[sympy.Symbol, sympy.Rational] = {}
    realise = symbolic(symbols, sizes)
    for s in symbols.values():
        if not drawn_whole(s) or s.of or not s.shape.letters <= sizes.keys():
            continue
        entries = realise(s)
        if not any(a in wanted for a in entries):
            continue
        rows, cols = s.shape.bind(sizes)
        for a, v in zip(entries, random_matrix(s, rows, cols, rng), strict=True):
            if isinstance(a, sympy.Symbol):
                out[a] = v
    return out


def jet_symbol(d: sympy.Derivative) -> sympy.Symbol:
    """The free symbol standing for one derivative of an undefined function: ``dx[1]/dz[2]``."""
    var_text = "".join(f"/d{v}" * k for v, k in d.variable_count)
    return sympy.Symbol(f"d{d.expr.func.__name__}{var_text}", real=True)


def jets_to_symbols(m: sympy.Matrix) -> tuple[sympy.Matrix, dict[sympy.Symbol, sympy.Expr]]:
    """Replace each undefined function and each of its derivatives by a free symbol.

    Sound both ways: an identity in the jet symbols holds for every smooth function, and a
    counterexample in them is realised by the polynomial with that jet.
    """
    derivs = set()
    funcs = set()
    for entry in m:
        derivs |= entry.atoms(sympy.Derivative)
        funcs |= {f for f in entry.atoms(sympy.core.function.AppliedUndef)}
    table: dict[sympy.Expr, sympy.Symbol] = {}
    for d in sorted(derivs, key=lambda d: -d.derivative_count):
        table[d] = jet_symbol(d)
    for f in funcs:
        table[f] = sympy.Symbol(f.func.__name__, real=True)
    if not table:
        return m, {}
    replaced = m.applyfunc(lambda e: e.xreplace(table) if isinstance(e, sympy.Basic) else e)
    return replaced, {v: k for k, v in table.items()}
