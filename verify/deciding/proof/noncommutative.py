"""Size-independent proofs of equalities: matrices as non-commuting symbols.

Why: instantiating a claim with symbolic entries explodes with size (the inverse of an
n x n matrix has n! terms per determinant) and proves the claim only at the sizes tried.
Here each side is rewritten into a *normal form*: a sum of words of non-commuting matrix
atoms, each with a coefficient that is a commuting scalar expression. Equal normal forms
prove the claim for every size, every value of the symbols and every smooth function.

Soundness rests on one promise: every rewrite below is a matrix identity that holds at
every size, so the normal form always *equals* the expression it came from. Normal forms
that differ prove nothing (``x^T A`` and ``x^T A^T`` are equal when A happens to be
symmetric without being declared so): the prover then answers ``None``, "not proved".

The rewrites:
- products are concatenated, never commuted; sums are collected by word;
- a 1 x 1 stretch of a word (between two places where the inner dimension is the
  integer 1: ``x^T A y``, ``y^T z`` inside ``x y^T z w^T``) is a scalar: it commutes with
  everything, so it becomes a commuting symbol of the coefficient; as a 1 x 1 matrix it
  equals its transpose, so it is stored in one canonical orientation;
- transposes are pushed to atoms ((AB)^T = B^T A^T); symmetric atoms drop them;
- ``X X^{-1}`` and ``X^{-1} X`` cancel for atoms declared invertible; an inverse is taken
  only of a single word of invertible (hence square) atoms ((AB)^{-1} = B^{-1} A^{-1});
- derivatives by a scalar t follow the product rule, d(X^{-1}) = -X^{-1} dX X^{-1},
  d(X^T) = (dX)^T; a symbol declared ``of(t)`` differentiates into a fresh *jet* atom
  (its value and derivatives at a point are independent, and any jet is realised by a
  polynomial, so an identity in the jets holds for every smooth function);
- a derivative by a vector v is read off a directional derivative: for a fresh direction
  h, d/de F(v + e h) = J h for every h, so when every term of the directional derivative
  is ``P h`` (or ``w (u^T h)``, a scalar ``u^T h`` times a column) then J = sum P (+ w u^T);
  a vector function X(v) has a Jacobian atom, dX = J_X h; a scalar function psi(v) has a
  row J_psi and, differentiated once more, a symmetric Hessian atom: dJ_psi = h^T H_psi.

:func:`explicit` turns a normal form back into an explicit matrix at concrete sizes, so
tests compare it with the engine's instantiation of the original expression: the rule base
is itself checked, expression by expression.

Dimensions that are letters are never assumed to be 1 (a 1 x 1 stretch is recognised only
by the integer 1), so no rule depends on a letter's value.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar, Literal

import sympy

from verify.deciding.evaluation.instantiate import Evaluator, closed_step, inverse, sigmoid, step
from verify.errors import VerifyError
from verify.model import (
    ANY,
    Add,
    Apply,
    At,
    Const,
    Derivative,
    Dim,
    Div,
    Equality,
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
    shape_of,
)

METHOD = "non-commutative normal form, all sizes"

#: The coefficients a normal form refuses (SymPy's singletons zoo, nan, oo and -oo).
_UNDEFINED = (sympy.S.ComplexInfinity, sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity)

#: More words than this and the prover gives up: (A + B)^k alone has 2^k words, and a
#: prover that is meant to take milliseconds should not try to be complete there.
MAX_TERMS = 2000

BaseKind = Literal["var", "jet", "jacobian", "hessian", "direction", "apply", "diag", "ones", "power", "unit"]


class OutsideRules(Exception):
    """Outside what the rule base covers: the prover answers "not proved", never guesses."""


# ---------------------------------------------------------------------------------------
# Atoms and words.


@dataclass(frozen=True)
class Base:
    """A matrix-valued letter of the non-commutative alphabet, before transposes and inverses.

    ``var``: a declared symbol. ``jet``: the partial derivative of ``name`` by the scalar
    variables ``wrt`` (sorted: mixed partials of smooth functions agree). ``jacobian``: the
    Jacobian (numerator layout) of the vector or scalar ``name`` by the vector ``wrt[0]``.
    ``hessian``: the (symmetric) Hessian of the scalar ``name`` by the vector ``wrt[0]``.
    ``direction``: the fresh direction h of one directional derivative by ``wrt[0]``.
    ``unit``: the matrix unit E_ij (``wrt`` = (i, j), 1-based) of a fixed integer shape, one
    entry 1 and the others 0: a matrix written entry by entry is sum_ij a_ij E_ij.
    """

    kind: BaseKind
    name: str
    wrt: tuple[str, ...]
    rows: Dim
    cols: Dim
    symmetric: bool = False
    invertible: bool = False
    orthogonal: bool = False  # B^T B = B B^T = I
    diagonal: bool = False  # commutes with every other diagonal base of its size
    #: ``apply``: the column argument of the elementwise function ``name``, as its terms in one
    #: order; ``diag``: the one column word whose entries are on the diagonal
    arg: tuple[tuple[Word, sympy.Expr], ...] = ()

    def __hash__(self) -> int:
        # Once per base, as the key below: words are dict keys, hashed on every insertion, and the
        # generated hash walks every field (the argument's words and SymPy coefficients too).
        known = self.__dict__.get("_hash")
        if known is None:
            known = self.__dict__["_hash"] = hash((self.kind, self.name, self.wrt, self.rows, self.cols,
                                                   self.symmetric, self.invertible, self.orthogonal,
                                                   self.diagonal, self.arg))
        return known

    def key(self) -> tuple[object, ...]:
        # Once per base, kept in the instance's dict (the dataclass is frozen): words are sorted by
        # these keys over and over, and printing sizes and coefficients (SymPy's printer) is slow.
        known = self.__dict__.get("_key")
        if known is None:
            known = self.__dict__["_key"] = (self.kind, self.name, *self.wrt, str(self.rows), str(self.cols),
                                             _arg_key(self.arg))
        return known


@dataclass(frozen=True)
class Atom:
    """A base, possibly transposed and (for declared invertible bases) inverted."""

    base: Base
    transposed: bool = False
    inverted: bool = False

    @property
    def shape(self) -> tuple[Dim, Dim]:
        b = self.base
        return (b.cols, b.rows) if self.transposed else (b.rows, b.cols)

    def __hash__(self) -> int:
        return hash((self.base, self.transposed, self.inverted))  # the base's hash is kept

    @property
    def T(self) -> Atom:
        b = self.base
        if b.kind == "unit":  # E_ij^T = E_ji, kept untransposed so that E_ij E_kl reduces
            return Atom(replace(b, wrt=(b.wrt[1], b.wrt[0]), rows=b.cols, cols=b.rows))
        # S^T = S and (S^{-1})^T = S^{-1} for symmetric S. (Atom(...), not dataclasses.replace:
        # a third of the time of a transpose of a word.)
        return self if b.symmetric else Atom(b, not self.transposed, self.inverted)

    @property
    def I(self) -> Atom:  # noqa: E743 - reads as X.I like the expression tree
        if not self.base.invertible:
            raise OutsideRules(f"{self.base.name} is not declared invertible")
        if self.base.orthogonal:  # V^{-1} = V^T, (V^T)^{-1} = V
            return Atom(self.base, not self.transposed, self.inverted)
        # (X^T)^{-1} = (X^{-1})^T: the flags commute.
        return Atom(self.base, self.transposed, not self.inverted)

    def key(self) -> tuple[object, ...]:
        return (self.base.key(), self.transposed, self.inverted)

    def text(self) -> str:
        b = self.base
        if b.kind == "var":
            core = b.name
        elif b.kind == "jet":
            core = f"d{b.name}/d{''.join(b.wrt)}"
        elif b.kind == "jacobian":
            core = f"J[{b.name}/{b.wrt[0]}]"
        elif b.kind == "hessian":
            core = f"H[{b.name}/{b.wrt[0]}]"
        elif b.kind == "ones":
            core = "1"
        elif b.kind in ("apply", "diag"):
            core = f"{b.name}(" + " + ".join(f"({c})" + "".join(" " + a.text() for a in w) for w, c in b.arg) + ")"
        elif b.kind == "power":
            core = "(" + " + ".join(f"({c})" + "".join(" " + a.text() for a in w) for w, c in b.arg) + f")^{b.wrt[0]}"
        elif b.kind == "unit":
            core = f"E{b.rows}x{b.cols}[{b.wrt[0]},{b.wrt[1]}]"
        else:
            core = f"h[{'#'.join(b.wrt)}]"
        return core + ("^-1" if self.inverted else "") + ("^T" if self.transposed else "")


Word = tuple[Atom, ...]


def word_key(word: Word) -> tuple[object, ...]:
    return tuple(a.key() for a in word)


def transpose_word(word: Word) -> Word:
    return tuple(a.T for a in reversed(word))


def cancel_inverses(word: Word) -> Word:
    """Drop adjacent X X^{-1} and X^{-1} X (X^T X^{-T} alike) for invertible atoms, V V^T and V^T V
    for orthogonal ones; diagonal factors side by side commute, so each run of them is put in one
    order first (D E D^{-1} is E), and the two steps are repeated until nothing changes."""
    while True:
        shorter = _sorted_diagonals(_cancelled(word))
        if shorter == word:
            return word
        word = shorter


def unit(i: int, j: int, rows: int, cols: int) -> Atom:
    """E_ij of shape rows x cols (1-based i, j)."""
    return Atom(Base("unit", "E", (str(i), str(j)), rows, cols))


def reduced(word: Word) -> Word | None:
    """:func:`cancel_inverses`, then matrix units multiplied out: E_ij E_kl = E_il when j = k and
    0 otherwise (None: the word is zero), and a 1 x 1 unit is the number 1; repeated, since a
    product of units that vanishes may bring two cancelling atoms side by side (V^T E_11 E_11^T V)."""
    while True:
        word = cancel_inverses(word)
        out: list[Atom] = []
        for a in word:
            if a.base.kind == "unit" and out and out[-1].base.kind == "unit":
                left = out.pop().base
                if left.wrt[1] != a.base.wrt[0]:
                    return None
                a = unit(int(left.wrt[0]), int(a.base.wrt[1]), int(left.rows), int(a.base.cols))
            out.append(a)
        shorter = tuple(a for a in out if not (a.base.kind == "unit" and a.shape == (1, 1)))
        if shorter == word:
            return word
        word = shorter


def _cancelled(word: Word) -> Word:
    out: list[Atom] = []
    for a in word:
        if out and a.base.invertible and out[-1].base == a.base and _cancel(out[-1], a):
            out.pop()
        else:
            out.append(a)
    return tuple(out)


def _cancel(left: Atom, right: Atom) -> bool:
    """Whether ``left right`` is the identity, for two atoms of one invertible base."""
    if left.base.orthogonal:
        return left.transposed != right.transposed
    return left.transposed == right.transposed and left.inverted != right.inverted


def _sorted_diagonals(word: Word) -> Word:
    out: list[Atom] = []
    run: list[Atom] = []
    for a in (*word, None):
        if a is not None and a.base.diagonal:
            run.append(a)
            continue
        out += sorted(run, key=lambda d: d.key())
        run = []
        if a is not None:
            out.append(a)
    return tuple(out)


def mentions(word: Word, h: Base) -> bool:
    """Whether ``h`` occurs in the word, inside the argument of a diag or a function too."""
    return any(a.base == h or any(mentions(w, h) for w, _ in a.base.arg) for a in word)


def ones(n: Dim) -> Atom:
    """The column of ones (1 ⊙ a = a, diag(1) = I): sigmoid(-u) = 1 - sigmoid(u) needs it."""
    return Atom(Base("ones", "1", (), n, 1))


def diag_atom(column: Word) -> Atom:
    n = dims_of(column)[0]
    return Atom(Base("diag", "diag", (), n, n, symmetric=True, invertible=True, diagonal=True,
                     arg=((column, sympy.Integer(1)),)))


def _ordered(terms: Mapping[Word, sympy.Expr]) -> tuple[tuple[Word, sympy.Expr], ...]:
    return tuple(sorted(terms.items(), key=lambda t: (word_key(t[0]), _text(t[1]))))


def _arg_key(arg: tuple[tuple[Word, sympy.Expr], ...]) -> tuple[object, ...]:
    return tuple((word_key(w), _text(c)) for w, c in arg)


def _hadamard_columns(columns: list[Word]) -> list[Word]:
    """The columns of an entrywise product in one order (a direction last), ones dropped."""
    columns = sorted(columns, key=lambda w: (_has_direction(w), word_key(w)))
    kept = [c for c in columns if len(c) != 1 or c[0].base.kind != "ones"]
    return kept if kept else columns[:1]


def hadamard_tail(word: Word) -> Word:
    """One order for an entrywise product at the end of a column word.

    diag(a_1) ... diag(a_k) t, with t the column after the last diag, is a_1 ⊙ ... ⊙ a_k ⊙ t:
    symmetric in its k + 1 columns. They are put in one order, a word with a direction last (so
    that a derivative reads the direction off the end: diag(h) y is diag(y) h), the others by key.
    """
    last = max((i for i, a in enumerate(word) if a.base.kind == "diag"), default=None)
    if last is None or last == len(word) - 1 or dims_of(word)[-1] != 1:
        return word
    first = last
    while first > 0 and word[first - 1].base.kind == "diag" and not word[first - 1].inverted:
        first -= 1
    run = word[first:last + 1]
    if any(a.inverted for a in run):
        return word
    columns = _hadamard_columns([a.base.arg[0][0] for a in run] + [word[last + 1:]])
    return word[:first] + tuple(diag_atom(w) for w in columns[:-1]) + columns[-1]


def canonical_hadamard(word: Word) -> Word:
    """Entrywise products in one order wherever a word shows one: the column before its first
    1 x 1 point (A diag(a) b = A (a ⊙ b)) and the row after its last (r diag(a) B = (r^T ⊙ a)^T B);
    the 1 x 1 stretches between are put in order as scalars (:meth:`_Algebra.word_symbol`)."""
    points = [p for p, d in enumerate(dims_of(word)) if d == 1] if word else []
    if not points:
        return word
    head, middle, tail = word[:points[0]], word[points[0]:points[-1]], word[points[-1]:]
    return hadamard_tail(head) + middle + _row_head(tail)


def _row_head(row: Word) -> Word:
    """r diag(a_1) ... diag(a_k) B for a row word r: the entrywise product r^T ⊙ a_1 ⊙ ... in order."""
    first = next((i for i, a in enumerate(row) if a.base.kind == "diag"), None)
    if first is None or first == 0:
        return row
    end = first
    while end < len(row) and row[end].base.kind == "diag":
        end += 1
    return transpose_word(hadamard_tail(transpose_word(row[:end]))) + row[end:]


def hadamard_scalar(word: Word) -> Word:
    """One order for a 1 x 1 word r diag(a_1) ... diag(a_k) t = sum_i r_i a_i1 ... t_i: symmetric
    in the k + 2 columns r^T, a_1, ..., t (the row r is the transpose of a column word)."""
    last = max((i for i, a in enumerate(word) if a.base.kind == "diag"), default=None)
    if last is None or last == len(word) - 1 or dims_of(word)[0] != 1 or dims_of(word)[-1] != 1:
        return word
    first = last
    while first > 0 and word[first - 1].base.kind == "diag":
        first -= 1
    run = word[first:last + 1]
    if first == 0 or any(a.inverted for a in run):
        return word
    columns = _hadamard_columns([transpose_word(word[:first])] + [a.base.arg[0][0] for a in run]
                                + [word[last + 1:]])
    if len(columns) == 1:  # 1^T a: the sum of a's entries
        return transpose_word((ones(run[0].base.rows),)) + columns[0]
    return transpose_word(columns[0]) + tuple(diag_atom(w) for w in columns[1:-1]) + columns[-1]


def _has_direction(word: Word) -> bool:
    return any(a.base.kind == "direction" or any(_has_direction(w) for w, _ in a.base.arg) for a in word)


def dims_of(word: Word) -> list[Dim]:
    """The dimensions d0, ..., dk of a word whose i-th atom is d(i-1) x d(i)."""
    # (Atom.shape by hand: asked for every word inserted, several times over.)
    first = word[0]
    return [first.base.cols if first.transposed else first.base.rows,
            *(a.base.rows if a.transposed else a.base.cols for a in word)]


def _text(c: sympy.Expr) -> str:
    """A coefficient's text, for sorting (the coefficient of nearly every argument is 1, and
    SymPy's printer takes microseconds even for that)."""
    return "1" if c is sympy.S.One else str(c)


def split_scalars(word: Word) -> tuple[Word, list[Word]]:
    """Separate the 1 x 1 stretches of a word from its matrix part.

    Where the inner dimension is the integer 1 the product is an outer product, and what
    lies between two such places is a 1 x 1 matrix, i.e. a scalar: (r x 1)(1 x 1)(1 x c) =
    s (r x 1)(1 x c). The matrix part is what precedes the first place and follows the last.
    """
    if not word:
        return word, []
    points = [p for p, d in enumerate(dims_of(word)) if d == 1]
    if not points:
        return word, []
    segments = [word[p:q] for p, q in itertools.pairwise(points)]
    return word[: points[0]] + word[points[-1]:], [s for s in segments if s]


# ---------------------------------------------------------------------------------------
# The commuting scalars of coefficients.


@dataclass(frozen=True)
class ScalarVar:
    """A declared scalar symbol."""

    name: str


@dataclass(frozen=True)
class ScalarJet:
    """The partial derivative of the scalar function ``name`` by the scalar variables ``wrt``."""

    name: str
    wrt: tuple[str, ...]


@dataclass(frozen=True)
class ScalarWord:
    """A 1 x 1 word, in its canonical orientation."""

    word: Word


@dataclass(frozen=True)
class ScalarTrace:
    """The trace of a square word with no 1 x 1 stretch, canonical under rotation and transposition
    (tr(AB) = tr(BA), tr(W) = tr(W^T)); a word with one is a :class:`ScalarWord` instead."""

    word: Word


@dataclass(frozen=True)
class ScalarDet:
    """The determinant of a square base (det(X^T) = det(X), det(X^{-1}) = 1/det(X) are rewritten)."""

    base: Base


@dataclass(frozen=True)
class ScalarDim:
    """A dimension letter as a number: tr(I_n) = n, det(c I_n) = c^n."""

    name: str


ScalarMeaning = ScalarVar | ScalarJet | ScalarWord | ScalarTrace | ScalarDet | ScalarDim


@dataclass(frozen=True, eq=False)
class Poly:
    """A normal form: coefficient (commuting scalar expression) by word.

    The empty word is the identity of the shape (or the number 1 for a 1 x 1 shape, where
    it is the only word). ``(ANY, ANY)`` is a multiple of an identity whose size comes from
    its context.
    """

    shape: tuple[Dim, Dim]
    terms: Mapping[Word, sympy.Expr]

    @property
    def is_scalar(self) -> bool:
        return self.shape == (1, 1)

    @property
    def contextual(self) -> bool:
        return self.shape == (ANY, ANY)

    def value(self) -> sympy.Expr:
        """The scalar a 1 x 1 (or contextual identity) form stands for."""
        if any(w for w in self.terms):
            raise OutsideRules("not a multiple of the identity")
        return self.terms.get((), sympy.Integer(0))

    def text(self) -> str:
        """Readable, for reports and failing tests."""
        if not self.terms:
            return "0"
        return " + ".join(f"({c})" + "".join(" " + a.text() for a in w) for w, c in self.terms.items())


# ---------------------------------------------------------------------------------------
# Derivations: what each letter differentiates to.


@dataclass
class _Derivation:
    """A derivative along one variable: how bases and scalar symbols differentiate."""

    base: Callable[[Base], Poly | None]
    scalar: Callable[[ScalarMeaning], sympy.Expr]
    cache: dict[sympy.Symbol, sympy.Expr] = field(default_factory=dict)


@dataclass
class _Algebra(Visitor):
    """The rewriting for one claim: its symbols and the scalar symbols met so far.

    Created per claim, so the prover keeps no state between calls. Expressions become
    polynomials by :meth:`build`, a :class:`~verify.model.visitor.Visitor`; the nodes in
    ``refuses`` raise :class:`OutsideRules`, and the claim is left to the other provers.
    """

    refuses: ClassVar[Mapping[type[Expr], str]] = {
        Max: "a maximum is not a polynomial",
    }

    symbols: Mapping[str, Symbol]
    layout: str = "numerator"
    meanings: dict[sympy.Symbol, ScalarMeaning] = field(default_factory=dict)
    _symbol_of: dict[ScalarMeaning, sympy.Symbol] = field(default_factory=dict)
    _directions: int = 0

    # -- scalars ------------------------------------------------------------------------------
    def scalar_symbol(self, meaning: ScalarMeaning) -> sympy.Symbol:
        if meaning not in self._symbol_of:
            positive = isinstance(meaning, ScalarVar) and self.symbols[meaning.name].positive
            if isinstance(meaning, ScalarVar | ScalarDim):
                name = meaning.name
            elif isinstance(meaning, ScalarJet):
                name = f"d{meaning.name}/d{''.join(meaning.wrt)}"
            elif isinstance(meaning, ScalarDet):
                name = f"det({Atom(meaning.base).text()})"
            else:
                prefix = "tr" if isinstance(meaning, ScalarTrace) else ""
                name = prefix + "(" + " ".join(a.text() for a in meaning.word) + ")"
            # Dummies: never confused with another symbol of the same printed name.
            if isinstance(meaning, ScalarDim):  # a size: a positive integer
                s = sympy.Dummy(name, integer=True, positive=True)
            else:
                s = sympy.Dummy(name, real=True, positive=positive or None)
            self._symbol_of[meaning] = s
            self.meanings[s] = meaning
        return self._symbol_of[meaning]

    def word_symbol(self, word: Word) -> sympy.Symbol:
        """A 1 x 1 word as a commuting symbol, oriented canonically (w = w^T for 1 x 1)."""
        word = hadamard_scalar(hadamard_tail(word))
        flipped = hadamard_scalar(hadamard_tail(transpose_word(word)))
        if _ends_in_direction(flipped) and not _ends_in_direction(word):
            word = flipped
        elif _ends_in_direction(word) == _ends_in_direction(flipped):
            word = min(word, flipped, key=word_key)
        return self.scalar_symbol(ScalarWord(word))

    def scalar(self, value: sympy.Expr) -> Poly:
        return Poly((1, 1), {(): value} if value != 0 else {})

    # -- ring operations ----------------------------------------------------------------------
    def _insert(self, out: dict[Word, sympy.Expr], word: Word, coef: sympy.Expr) -> None:
        simpler = reduced(word)
        if simpler is None:  # a product of matrix units that is zero
            return
        last = next((i for i, a in enumerate(simpler) if a.base.kind == "unit"
                     and a.base.wrt == (str(a.base.rows), str(a.base.rows)) and a.base.rows == a.base.cols), None)
        if last is not None:
            # One form for I_r = E_11 + ... + E_rr: E_rr is written I - E_11 - ... - E_(r-1)(r-1), so
            # v_1 v_1^T + v_2 v_2^T (V E_11 V^T + V E_22 V^T) and V V^T = I meet.
            a = simpler[last]
            r = int(a.base.rows)
            self._insert(out, simpler[:last] + simpler[last + 1:], coef)
            for m in range(1, r):
                self._insert(out, (*simpler[:last], unit(m, m, r, r), *simpler[last + 1:]), -coef)
            return
        word, scalars = split_scalars(canonical_hadamard(simpler))
        for s in scalars:
            coef = coef * self.word_symbol(s)
        known = out.get(word)
        out[word] = coef if known is None else known + coef

    def _poly(self, shape: tuple[Dim, Dim], out: dict[Word, sympy.Expr]) -> Poly:
        if len(out) > MAX_TERMS:
            raise OutsideRules(f"more than {MAX_TERMS} words")
        terms = {}
        for w, c in out.items():
            if c.is_Atom:  # a number or a symbol: already expanded
                # (by identity: the four are SymPy's singletons, and == sympifies its operand)
                if any(c is u for u in _UNDEFINED):
                    raise OutsideRules("a coefficient is undefined")
            else:
                c = sympy.expand(c)
                if c.has(sympy.zoo, sympy.nan, sympy.oo):
                    raise OutsideRules("a coefficient is undefined")
            if c is not sympy.S.Zero:  # an exact zero is S.Zero, and nothing else compares equal to 0 here
                terms[w] = c
        if shape == (1, 1) and any(terms):
            raise OutsideRules("a 1 x 1 form kept a word")  # split_scalars prevents it
        return Poly(shape, terms)

    def atom(self, atom: Atom) -> Poly:
        out: dict[Word, sympy.Expr] = {}
        self._insert(out, (atom,), sympy.Integer(1))
        return self._poly(atom.shape, out)

    def identity(self, size: Dim) -> Poly:
        return Poly((size, size), {(): sympy.Integer(1)})

    def scale(self, p: Poly, c: sympy.Expr) -> Poly:
        return self._poly(p.shape, {w: v * c for w, v in p.terms.items()})

    def add(self, p: Poly, q: Poly) -> Poly:
        shape = _common_shape(p.shape, q.shape)
        out = dict(p.terms)
        for w, c in q.terms.items():
            known = out.get(w)
            out[w] = c if known is None else known + c
        return self._poly(shape, out)

    def mul(self, p: Poly, q: Poly) -> Poly:
        # A 1 x 1 factor scales (as the evaluator's product does); so does c I of any size
        # (checked second, so that t I stays an identity of its context's size).
        if p.is_scalar:
            return self.scale(q, p.value())
        if q.is_scalar:
            return self.scale(p, q.value())
        if p.contextual:
            return self.scale(q, p.value())
        if q.contextual:
            return self.scale(p, q.value())
        if p.shape[1] != q.shape[0]:
            raise OutsideRules(f"cannot multiply {p.shape} by {q.shape}")
        out: dict[Word, sympy.Expr] = {}
        for w1, c1 in p.terms.items():
            for w2, c2 in q.terms.items():
                self._insert(out, w1 + w2, c1 * c2)
        return self._poly((p.shape[0], q.shape[1]), out)

    def transpose(self, p: Poly) -> Poly:
        out: dict[Word, sympy.Expr] = {}
        for w, c in p.terms.items():
            self._insert(out, transpose_word(w), c)
        return self._poly((p.shape[1], p.shape[0]), out)

    def inverse(self, p: Poly) -> Poly:
        if p.is_scalar or p.contextual:
            value = p.value()
            if value == 0:
                raise OutsideRules("inverse of zero")
            return Poly(p.shape, {(): 1 / value})
        if p.shape[0] != p.shape[1]:
            raise OutsideRules("inverse of a non-square matrix")
        terms = [(w, c) for w, c in p.terms.items() if sympy.cancel(c) != 0]
        if len(terms) != 1:
            raise OutsideRules("inverse of a sum")
        word, coef = terms[0]
        if any(not a.base.invertible for a in word):
            raise OutsideRules("inverse of a product with a factor not declared invertible")
        # Every atom is square and invertible: (c X1 ... Xk)^{-1} = c^{-1} Xk^{-1} ... X1^{-1}.
        out: dict[Word, sympy.Expr] = {}
        self._insert(out, tuple(a.I for a in reversed(word)), 1 / coef)
        return self._poly(p.shape, out)

    def power(self, p: Poly, exponent: Poly) -> Poly:
        k = exponent.value()
        if p.is_scalar:
            return self.scalar(p.value() ** k)
        if not (isinstance(k, sympy.Integer)):
            return self.index_power(p, k)
        if p.shape[0] != p.shape[1]:
            raise OutsideRules("power of a non-square matrix")
        n = int(k)
        if abs(n) > 64:
            raise OutsideRules("a matrix power above 64")
        if n < 0:
            p, n = self.inverse(p), -n
        result = Poly(p.shape, {(): sympy.Integer(1)})
        for _ in range(n):
            result = self.mul(result, p)
        return result

    def index_power(self, p: Poly, k: sympy.Expr) -> Poly:
        """M^(j + c) for an index j (a declared scalar) and an integer c >= 0, where M is a polynomial
        in diagonal letters (I - alpha Lambda): an atom M^j, diagonal too (so it commutes with the
        other diagonal factors), times M^c. M^(j + 1) = M^j M holds for every integer j >= 0, the
        values an index takes from a recurrence's base; M^j itself is never differentiated."""
        constant, rest = k.as_coeff_Add()
        meaning = self.meanings.get(rest) if isinstance(rest, sympy.Symbol) else None
        if not isinstance(meaning, ScalarVar) or not constant.is_Integer or constant < 0:
            raise OutsideRules("a matrix power needs an integer exponent, or an index plus one")
        if p.contextual or p.shape[0] != p.shape[1]:
            raise OutsideRules("a power of a matrix that is not known to be square")
        if not all(a.base.diagonal and not a.inverted for w in p.terms for a in w):
            raise OutsideRules("a power by an index of a matrix that is not a polynomial in diagonal ones")
        n = p.shape[0]
        base = Base("power", "pow", (meaning.name,), n, n, symmetric=True, diagonal=True, arg=_ordered(p.terms))
        result = self.atom(Atom(base))
        for _ in range(int(constant)):
            result = self.mul(result, p)
        return result

    # -- traces and determinants -------------------------------------------------------------
    def dimension(self, d: Dim) -> sympy.Expr:
        """A size as a number: an integer, or a letter's positive integer symbol."""
        if isinstance(d, int):
            return sympy.Integer(d)
        if d == ANY:
            raise OutsideRules("the size of an identity without context")
        return self.scalar_symbol(ScalarDim(d))

    def trace(self, p: Poly) -> sympy.Expr:
        """tr is linear: each word's trace times its coefficient."""
        if p.is_scalar:
            return p.value()
        if p.contextual or p.shape[0] != p.shape[1]:
            raise OutsideRules("the trace of a matrix that is not known to be square")
        return sum((c * self.trace_word(w, p.shape[0]) for w, c in p.terms.items()), sympy.Integer(0))

    def trace_word(self, word: Word, size: Dim) -> sympy.Expr:
        """tr of a square word: n for the empty word (I_n); a product of 1 x 1 words where a
        rotation has one (tr(x y^T) = y^T x); X^{-1} X cancelled across the rotation
        (tr(X^{-1} A X) = tr(A)); otherwise one symbol per class of rotations and transposes."""
        if not word:
            return self.dimension(size)
        dims = dims_of(word)
        rotations = [word[i:] + word[:i] for i in range(len(word))]
        for i, r in enumerate(rotations):
            shorter = reduced(r)
            if shorter is None:  # tr(E_ij W E_kl) with E_kl E_ij = 0
                return sympy.Integer(0)
            if len(shorter) < len(r):
                return self.trace_word(shorter, dims[i])
        for i, r in enumerate(rotations):
            if dims[i] == 1:  # (1 x k)(...)(k' x 1): a 1 x 1 product, its own trace
                out: dict[Word, sympy.Expr] = {}
                self._insert(out, r, sympy.Integer(1))
                return self._poly((1, 1), out).value()
        flipped = transpose_word(word)
        candidates = rotations + [flipped[i:] + flipped[:i] for i in range(len(flipped))]
        return self.scalar_symbol(ScalarTrace(min(candidates, key=word_key)))

    def det(self, p: Poly) -> sympy.Expr:
        """det(c W) = c^n det(W) and det(X1 ... Xk) = det(X1) ... det(Xk) for square factors of
        one size n; det(X^T) = det(X), det(X^{-1}) = 1/det(X). Other products (det(AB) with A
        tall) have no such rule: outside the rule base."""
        if p.is_scalar:
            return p.value()
        if p.contextual or p.shape[0] != p.shape[1]:
            raise OutsideRules("the determinant of a matrix that is not known to be square")
        terms = [(w, c) for w, c in p.terms.items() if sympy.cancel(c) != 0]
        if len(terms) == 2 and any(not w for w, _ in terms):
            return self._det_rank_one_update(terms, p.shape[0])
        if len(terms) != 1:
            raise OutsideRules("the determinant of a sum")
        word, coef = terms[0]
        size = p.shape[0]
        if any(a.base.kind == "unit" for a in word):
            raise OutsideRules("the determinant of a matrix written entry by entry")
        if any(d != size for d in (dims_of(word) if word else [size])):
            raise OutsideRules("the determinant of a product of matrices that are not all square")
        value = coef ** self.dimension(size)
        for a in word:
            d = self.scalar_symbol(ScalarDet(a.base))
            value *= 1 / d if a.inverted else d
        return value

    def _det_rank_one_update(self, terms: list[tuple[Word, sympy.Expr]], size: Dim) -> sympy.Expr:
        """The matrix determinant lemma: det(c I_n + d u v^T) = c^(n-1) (c + d v^T u), for a word
        that is a column times a row (a 1 x 1 dimension inside it: x y^T, A x y^T B). Expanding
        the determinant along the rank-one part: c^n + c^(n-1) d tr(u v^T), true for c = 0 and
        n = 1 too (0^0 = 1)."""
        (c,) = [coef for w, coef in terms if not w]
        [(word, d)] = [(w, coef) for w, coef in terms if w]
        if any(a.base.kind == "unit" for a in word):
            raise OutsideRules("the determinant of a matrix written entry by entry")
        dims = dims_of(word)
        split = next((i for i in range(1, len(word)) if dims[i] == 1), None)
        if split is None or dims[0] != size or dims[-1] != size:
            raise OutsideRules("the determinant of a sum")
        out: dict[Word, sympy.Expr] = {}
        self._insert(out, word[split:] + word[:split], sympy.Integer(1))
        inner = self._poly((1, 1), out).value()  # v^T u
        return c ** (self.dimension(size) - 1) * (c + d * inner)

    def trace_value_derivative(self, word: Word, d: _Derivation) -> sympy.Expr:
        """d tr(W) = tr(dW)."""
        out: dict[Word, sympy.Expr] = {}
        self._word_derivative(out, word, sympy.Integer(1), d)
        size = dims_of(word)[0]
        return self.trace(self._poly((size, size), out))

    def det_value_derivative(self, b: Base, d: _Derivation) -> sympy.Expr:
        """Jacobi's formula: d det(X) = det(X) tr(X^{-1} dX), for X declared invertible."""
        db = self.base_derivative(b, d)
        if db is None:
            return sympy.Integer(0)
        if not b.invertible:
            raise OutsideRules(f"the derivative of det({b.name}) needs {b.name} declared invertible")
        inverse = self.atom(Atom(b, inverted=True))
        return self.scalar_symbol(ScalarDet(b)) * self.trace(self.mul(inverse, db))

    def composite_derivative(self, m: ScalarMeaning, d: _Derivation) -> sympy.Expr | None:
        """The derivative of a scalar made of words (a 1 x 1 word, a trace, a determinant, a
        size), the same along every derivation; None for a declared scalar or jet."""
        if isinstance(m, ScalarWord):
            return self.word_value_derivative(m.word, d)
        if isinstance(m, ScalarTrace):
            return self.trace_value_derivative(m.word, d)
        if isinstance(m, ScalarDet):
            return self.det_value_derivative(m.base, d)
        if isinstance(m, ScalarDim):
            return sympy.Integer(0)
        return None

    # -- diag, elementwise functions, entrywise products ---------------------------------------
    def diag(self, p: Poly) -> Poly:
        """diag is linear: diag(c w) = c diag(w) for each column word w of a column."""
        if p.is_scalar:
            return p
        if p.contextual or p.shape[1] != 1:
            raise OutsideRules("diag of something that is not a column")
        n = p.shape[0]
        out: dict[Word, sympy.Expr] = {}
        for w, c in p.terms.items():
            # diag(a_1 ⊙ ... ⊙ t) = diag(a_1) ... diag(t), a word diag(a_1) ... diag(a_k) t; diag(1) = I
            k = 0
            while k < len(w) - 1 and w[k].base.kind == "diag" and not w[k].inverted:
                k += 1
            tail = w[k:]
            self._insert(out, w[:k] + (() if tail == (ones(n),) else (diag_atom(tail),)), c)
        return self._poly((n, n), out)

    def ones(self, n: Dim) -> Poly:
        return self.atom(ones(n))

    def elementwise(self, func: str, u: Poly) -> Poly:
        """f(u) for a column u: an atom of its own, its argument kept in one order of its terms."""
        if u.contextual or u.shape[1] != 1:
            raise OutsideRules(f"{func} of a matrix")
        if not u.terms:
            raise OutsideRules(f"{func} of the zero vector")
        arg = _ordered(u.terms)
        if func in ("sigmoid", "tanh"):
            # sigmoid(-u) = 1 - sigmoid(u), tanh(-u) = -tanh(u): one of u and -u stands for both
            negated = _ordered({w: -c for w, c in u.terms.items()})
            if _arg_key(negated) < _arg_key(arg):
                inner = self.atom(Atom(Base("apply", func, (), u.shape[0], 1, arg=negated)))
                minus = self.scale(inner, sympy.Integer(-1))
                return self.add(self.ones(u.shape[0]), minus) if func == "sigmoid" else minus
        return self.atom(Atom(Base("apply", func, (), u.shape[0], 1, arg=arg)))

    def argument(self, b: Base) -> Poly:
        """The column an ``apply`` base is of, a ``diag`` base's diagonal, a ``power`` base's matrix."""
        return Poly((b.rows, b.cols if b.kind == "power" else 1), dict(b.arg))

    def slope(self, b: Base) -> Poly:
        """diag(f'(u)) for the elementwise f(u): exp' = exp, sigmoid' = sigmoid (1 - sigmoid),
        tanh' = 1 - tanh^2, log'(u) = 1/u, sqrt'(u) = 1/(2 sqrt u), written with diag of f(u)."""
        value = self.diag(self.atom(Atom(b)))
        n = b.rows
        if b.name == "exp":
            return value
        if b.name == "sigmoid":
            return self.add(value, self.scale(self.mul(value, value), sympy.Integer(-1)))
        if b.name == "tanh":
            return self.add(self.identity(n), self.scale(self.mul(value, value), sympy.Integer(-1)))
        if b.name == "log":
            return self.inverse(self.diag(self.argument(b)))
        if b.name == "sqrt":
            return self.scale(self.inverse(value), sympy.Rational(1, 2))
        # A kinked function has a derivative off its kinks only, and there it is this; on a kink the
        # derivative does not exist, and a claim is about where its sides are defined (the points
        # never use a kink for a derivative either): ReLU' = I(u > 0), |u|' = I(u > 0) - I(-u > 0),
        # steps' = 0.
        u = self.argument(b)
        if b.name == "relu":
            return self.diag(self.elementwise("step", u))
        if b.name == "abs":
            minus = self.elementwise("step", self.scale(u, sympy.Integer(-1)))
            return self.diag(self.add(self.elementwise("step", u), self.scale(minus, sympy.Integer(-1))))
        if b.name in ("step", "closed_step"):
            return Poly((n, n), {})
        raise OutsideRules(f"{b.name} has no derivative everywhere")

    def hadamard(self, p: Poly, q: Poly) -> Poly:
        """u ⊙ v = diag(u) v for columns (the order of the factors is then fixed by
        :func:`hadamard_tail`); a product of scalars for 1 x 1 sides."""
        if p.is_scalar and q.is_scalar:
            return self.mul(p, q)
        if p.shape != q.shape or p.shape[1] != 1:
            raise OutsideRules("an entrywise product of matrices that are not columns")
        return self.mul(self.diag(p), q)

    # -- derivatives --------------------------------------------------------------------------
    def differentiate(self, p: Poly, d: _Derivation) -> Poly:
        out: dict[Word, sympy.Expr] = {}
        for w, c in p.terms.items():
            dc = self._coefficient_derivative(c, d)
            if dc != 0:
                self._insert(out, w, dc)
            self._word_derivative(out, w, c, d)
        return self._poly(p.shape, out)

    def _coefficient_derivative(self, c: sympy.Expr, d: _Derivation) -> sympy.Expr:
        """The chain rule through the commuting symbols (SymPy's diff is exact here)."""
        total = sympy.Integer(0)
        for s in sorted(c.free_symbols, key=str):
            if s not in self.meanings:
                raise OutsideRules(f"unknown scalar {s}")
            if s not in d.cache:
                d.cache[s] = d.scalar(self.meanings[s])
            if d.cache[s] != 0:
                total += sympy.diff(c, s) * d.cache[s]
        return total

    def _word_derivative(self, out: dict[Word, sympy.Expr], w: Word, c: sympy.Expr, d: _Derivation) -> None:
        """The product rule: one term per atom, the atom replaced by its derivative."""
        for i, a in enumerate(w):
            da = self._atom_derivative(a, d)
            if da is None:
                continue
            for w2, c2 in da.terms.items():
                self._insert(out, w[:i] + w2 + w[i + 1:], c * c2)

    def base_derivative(self, b: Base, d: _Derivation) -> Poly | None:
        """A base's derivative: a declared letter's from the derivation, diag(w) and f(u) from
        their arguments (None: it does not depend on the variable)."""
        if b.kind == "diag":  # d diag(w) = diag(dw)
            dw = self.differentiate(self.argument(b), d)
            return self.diag(dw) if dw.terms else None
        if b.kind == "apply":  # d f(u) = diag(f'(u)) du
            du = self.differentiate(self.argument(b), d)
            return self.mul(self.slope(b), du) if du.terms else None
        if b.kind in ("ones", "unit"):
            return None
        if b.kind == "power":
            if self._poly_depends(self.argument(b), d) or d.scalar(ScalarVar(b.wrt[0])) != 0:
                raise OutsideRules("a derivative of a power by an index")
            return None
        return d.base(b)

    def _poly_depends(self, p: Poly, d: _Derivation) -> bool:
        return bool(self.differentiate(p, d).terms)

    def _atom_derivative(self, a: Atom, d: _Derivation) -> Poly | None:
        db = self.base_derivative(a.base, d)
        if db is None:
            return None
        if a.inverted:
            # d(X^{-1}) = -X^{-1} dX X^{-1}
            inv = self.atom(Atom(a.base, inverted=True))
            db = self.scale(self.mul(self.mul(inv, db), inv), sympy.Integer(-1))
        return self.transpose(db) if a.transposed else db

    def word_value_derivative(self, word: Word, d: _Derivation) -> sympy.Expr:
        out: dict[Word, sympy.Expr] = {}
        self._word_derivative(out, word, sympy.Integer(1), d)
        return self._poly((1, 1), out).value()

    def by_scalar(self, t: str) -> _Derivation:
        """d/dt for a declared scalar variable t; symbols of(..., t, ...) give jets."""

        def depends(name: str) -> bool:
            return t in self.symbols[name].of

        def base(b: Base) -> Poly | None:
            if b.kind == "direction" or not depends(b.name):
                return None
            if b.kind in ("jacobian", "hessian"):
                raise OutsideRules("a derivative of a Jacobian by a scalar")
            wrt = tuple(sorted((*b.wrt, t))) if b.kind == "jet" else (t,)
            return self.atom(Atom(Base("jet", b.name, wrt, b.rows, b.cols, symmetric=b.symmetric)))

        def scalar(m: ScalarMeaning) -> sympy.Expr:
            composite = self.composite_derivative(m, d)
            if composite is not None:
                return composite
            assert isinstance(m, ScalarVar | ScalarJet)
            if isinstance(m, ScalarVar) and m.name == t:
                return sympy.Integer(1)
            if not depends(m.name):
                return sympy.Integer(0)
            wrt = tuple(sorted((*m.wrt, t))) if isinstance(m, ScalarJet) else (t,)
            return self.scalar_symbol(ScalarJet(m.name, wrt))

        d = _Derivation(base, scalar)
        return d

    def along(self, v: str, h: Base) -> _Derivation:
        """d/de at e = 0 of v -> v + e h: the directional derivative by the vector v."""
        n = self.symbols[v].shape.rows

        def depends(name: str) -> bool:
            return v in self.symbols[name].of

        def base(b: Base) -> Poly | None:
            if b.kind == "direction":
                return None
            if b.kind == "var" and b.name == v:
                return self.atom(Atom(h))
            if not depends(b.name):
                return None
            if b.kind == "jacobian" and b.wrt == (v,) and self.symbols[b.name].shape.is_scalar:
                # J = (grad psi)^T and d(grad psi) = H h, so dJ = h^T H (H symmetric).
                hess = Atom(Base("hessian", b.name, (v,), n, n, symmetric=True))
                return self.mul(self.atom(Atom(h).T), self.atom(hess))
            if b.kind != "var" or b.cols != 1:
                raise OutsideRules("only vector functions of a vector are differentiated by it")
            jac = Atom(Base("jacobian", b.name, (v,), b.rows, n))
            return self.mul(self.atom(jac), self.atom(Atom(h)))

        def scalar(m: ScalarMeaning) -> sympy.Expr:
            composite = self.composite_derivative(m, d)
            if composite is not None:
                return composite
            assert isinstance(m, ScalarVar | ScalarJet)
            if not depends(m.name):
                return sympy.Integer(0)
            if isinstance(m, ScalarJet):
                raise OutsideRules("a derivative of a jet by a vector")
            jac = Atom(Base("jacobian", m.name, (v,), 1, n))
            return self.word_symbol((jac, Atom(h)))

        d = _Derivation(base, scalar)
        return d

    def jacobian(self, f: Poly, v: str) -> Poly:
        """dF/dv in numerator layout for a scalar or column F, from F's directional derivative."""
        if not (f.is_scalar or (f.shape[1] == 1 and f.shape[0] != ANY)):
            raise OutsideRules("only scalars and columns are differentiated by a vector")
        n = self.symbols[v].shape.rows
        self._directions += 1
        h = Base("direction", v, (v, str(self._directions)), n, 1)
        df = self.differentiate(f, self.along(v, h))
        result = Poly((f.shape[0], n), {})
        for w, c in df.terms.items():
            carriers = [s for s in c.free_symbols if self._mentions(s, h)]
            out: dict[Word, sympy.Expr] = {}
            if self._mentions_word(w, h):
                # c L h: after h the inner dimension is 1, so in a column h ends the word.
                if carriers or w[-1] != Atom(h) or self._mentions_word(w[:-1], h):
                    raise OutsideRules("a term not linear in the direction")
                self._insert(out, w[:-1], c)
                result = self.add(result, self._poly(result.shape, out))
                continue
            # w c with c linear in scalars (u^T h): each contributes w u^T.
            if not carriers:
                raise OutsideRules("a term without the direction")
            pieces = {s: sympy.diff(c, s) for s in carriers}
            if any(self._mentions(x, h) for p in pieces.values() for x in p.free_symbols):
                raise OutsideRules("a term not linear in the direction")
            if sympy.cancel(c - sum(s * p for s, p in pieces.items())) != 0:
                raise OutsideRules("a term not homogeneous in the direction")
            for s, piece in pieces.items():
                meaning = self.meanings[s]
                assert isinstance(meaning, ScalarWord)
                word = meaning.word
                if word[-1] != Atom(h) or self._mentions_word(word[:-1], h):
                    raise OutsideRules("the direction inside a scalar")
                out = {}
                self._insert(out, word[:-1], sympy.Integer(1))
                u = self._poly((1, n), out)
                result = self.add(result, self.mul(self._poly(f.shape, {w: piece}), u))
        if any(self._mentions_word(w, h) or any(self._mentions(s, h) for s in c.free_symbols)
               for w, c in result.terms.items()):
            raise OutsideRules("the direction survived")
        return result

    def along_matrix(self, x: str, h: Base) -> _Derivation:
        """d/de at e = 0 of X -> X + e H: the directional derivative by the matrix X. Nothing
        may depend on X through of(...): functions of a matrix are outside the rule base."""

        def base(b: Base) -> Poly | None:
            if b.kind == "direction":
                return None
            if x in self.symbols[b.name].of:
                raise OutsideRules(f"{b.name} depends on the matrix {x}")
            return self.atom(Atom(h)) if b.kind == "var" and b.name == x else None

        def scalar(m: ScalarMeaning) -> sympy.Expr:
            composite = self.composite_derivative(m, d)
            if composite is not None:
                return composite
            assert isinstance(m, ScalarVar | ScalarJet)
            if x in self.symbols[m.name].of:
                raise OutsideRules(f"{m.name} depends on the matrix {x}")
            return sympy.Integer(0)

        d = _Derivation(base, scalar)
        return d

    def matrix_gradient(self, f: Poly, x: str) -> Poly:
        """The gradient G of a scalar f by the m x n matrix X (G_ij = df/dX_ij, X's shape), from
        the directional derivative: df = sum of c tr(P H) over the terms, each linear in H, and
        tr(P H) = sum_ij P_ji H_ij, so each term gives c P^T."""
        if not f.is_scalar:
            raise OutsideRules("only a scalar is differentiated by a matrix")
        s = self.symbols[x]
        self._directions += 1
        h = Base("direction", x, (x, str(self._directions)), s.shape.rows, s.shape.cols)
        df = self.differentiate(f, self.along_matrix(x, h)).value()
        carriers = [c for c in df.free_symbols if self._mentions(c, h)]
        pieces = {c: sympy.diff(df, c) for c in carriers}
        if any(self._mentions(y, h) for piece in pieces.values() for y in piece.free_symbols):
            raise OutsideRules("a term not linear in the direction")
        if sympy.cancel(df - sum((c * piece for c, piece in pieces.items()), sympy.Integer(0))) != 0:
            raise OutsideRules("a term not homogeneous in the direction")
        result = Poly((s.shape.rows, s.shape.cols), {})
        for c, piece in pieces.items():
            meaning = self.meanings[c]
            assert isinstance(meaning, ScalarWord | ScalarTrace)
            word = meaning.word
            at = [i for i, a in enumerate(word) if a.base == h]
            if len(at) != 1:
                raise OutsideRules("the direction twice in one trace")
            if word[at[0]].transposed:  # tr(W) = tr(W^T): H itself, not H^T
                word = transpose_word(word)
                at = [len(word) - 1 - at[0]]
            i = at[0]
            rest = word[i + 1:] + word[:i]  # tr(P H) with P the rest of the cycle after H
            out: dict[Word, sympy.Expr] = {}
            self._insert(out, rest, sympy.Integer(1))
            p = self._poly((s.shape.cols, s.shape.rows), out)
            result = self.add(result, self.scale(self.transpose(p), piece))
        if any(self._mentions_word(w, h) or any(self._mentions(y, h) for y in c.free_symbols)
               for w, c in result.terms.items()):
            raise OutsideRules("the direction survived")
        return result

    def _mentions(self, s: sympy.Symbol, h: Base) -> bool:
        m = self.meanings.get(s)
        return isinstance(m, ScalarWord | ScalarTrace) and self._mentions_word(m.word, h)

    @staticmethod
    def _mentions_word(w: Word, h: Base) -> bool:
        return mentions(w, h)

    # -- from expressions ---------------------------------------------------------------------
    def build(self, e: Expr) -> Poly:
        out: Poly = self.visit(e)
        return out

    def unhandled(self, e: Expr, *args: object) -> Poly:
        raise OutsideRules(f"{type(e).__name__} is outside the non-commutative rule base")

    def _Var(self, e: Var) -> Poly:
        s = self.symbols[e.name]
        if s.shape.is_scalar:
            return self.scalar(self.scalar_symbol(ScalarVar(e.name)))
        return self.atom(Atom(Base("var", e.name, (), s.shape.rows, s.shape.cols, symmetric=s.symmetric,
                                   invertible=s.invertible, orthogonal=s.orthogonal, diagonal=s.diagonal)))

    def _Const(self, e: Const) -> Poly:
        if not isinstance(e.value, sympy.Rational | int):
            raise OutsideRules(f"a constant that is not rational: {e.value!r}")
        return self.scalar(sympy.Rational(e.value))

    def _Identity(self, e: Identity) -> Poly:
        if e.size is None or e.size == ANY:
            return Poly((ANY, ANY), {(): sympy.Integer(1)})
        return self.identity(e.size)

    def _Zero(self, e: Zero) -> Poly:
        return Poly((e.shape.rows, e.shape.cols), {})

    def _MatrixLit(self, e: MatrixLit) -> Poly:
        """sum_ij a_ij E_ij, each entry a scalar: a fixed-size matrix among symbolic ones (Lambda =
        diag(lambda_1, lambda_2), v_1 = V e_1), so that V^T V = I still applies to V e_1."""
        rows, cols = len(e.rows), len(e.rows[0]) if e.rows else 0
        if not rows or not cols or any(len(r) != cols for r in e.rows):
            raise OutsideRules("a ragged or empty matrix")
        out: dict[Word, sympy.Expr] = {}
        for i, row in enumerate(e.rows, start=1):
            for j, entry in enumerate(row, start=1):
                value = self.build(entry)
                if not value.is_scalar:
                    raise OutsideRules("a matrix entry that is not a scalar")
                if value.terms:
                    self._insert(out, (unit(i, j, rows, cols),), value.value())
        return self._poly((rows, cols), out)

    def _Add(self, e: Add) -> Poly:
        if not e.children():
            raise OutsideRules("an empty sum or product")
        total = self.build(e.terms[0])
        for t in e.terms[1:]:
            total = self.add(total, self.build(t))
        return total

    def _Product(self, e: Product) -> Poly:
        if not e.children():
            raise OutsideRules("an empty sum or product")
        result = self.build(e.factors[0])
        for f in e.factors[1:]:
            result = self.mul(result, self.build(f))
        return result

    def _Div(self, e: Div) -> Poly:
        den = self.build(e.den)
        if not den.is_scalar:
            raise OutsideRules("division by a matrix")
        value = den.value()
        if value == 0:
            raise OutsideRules("division by zero")
        return self.scale(self.build(e.num), 1 / value)

    def _Power(self, e: Power) -> Poly:
        exponent = self.build(e.exponent)
        if not exponent.is_scalar:
            raise OutsideRules("a matrix exponent")
        return self.power(self.build(e.base), exponent)

    def _Transpose(self, e: Transpose) -> Poly:
        return self.transpose(self.build(e.arg))

    def _Inverse(self, e: Inverse) -> Poly:
        return self.inverse(self.build(e.arg))

    def _Apply(self, e: Apply) -> Poly:
        arg = self.build(e.arg)
        if e.func == "tr":
            return self.scalar(self.trace(arg))
        if e.func == "det":
            return self.scalar(self.det(arg))
        if e.func == "diag":
            return self.diag(arg)
        smooth = _SMOOTH.get(e.func)
        if arg.is_scalar and smooth is not None:
            return self.scalar(smooth(arg.value()))
        if not arg.is_scalar and (smooth is not None or e.func in _KINKED):
            return self.elementwise(e.func, arg)  # a kinked one is never differentiated (slope)
        raise OutsideRules(f"{e.func} of a scalar has no derivative everywhere: outside the rule base")

    def _At(self, e: At) -> Poly:
        """``expr`` with scalar variables set to values: the form of ``expr``, its coefficients
        with each variable's symbol replaced by the value. Only where the variable lives in the
        coefficients alone: no declared function of it (its jets would belong to another point),
        no function or diag atom whose argument mentions it (the substitution would not reach in)."""
        inner = self.build(e.expr)
        table: dict[sympy.Symbol, sympy.Expr] = {}
        for v, value in e.values:
            s = self.symbols.get(v.name)
            if s is None or not s.shape.is_scalar or s.of:
                raise OutsideRules("a value at a point of a vector, a matrix or a function")
            if any(v.name in other.of for other in self.symbols.values()):
                raise OutsideRules(f"a value at a point of {v.name}, which a declared function depends on")
            given = self.build(value)
            if not given.is_scalar:
                raise OutsideRules("a scalar variable given a value that is not a scalar")
            table[self.scalar_symbol(ScalarVar(v.name))] = given.value()
        hidden = self._symbols_inside(inner)
        if hidden & table.keys():
            raise OutsideRules("a variable given a value inside the argument of a function")
        out: dict[Word, sympy.Expr] = {}
        for w, c in inner.terms.items():
            self._insert(out, w, c.xreplace(table))
        return self._poly(inner.shape, out)

    def _symbols_inside(self, p: Poly) -> set[sympy.Symbol]:
        """The commuting symbols in the arguments of p's atoms and in the words its coefficients'
        symbols stand for (a trace, a 1 x 1 word, a determinant), at any depth."""
        out: set[sympy.Symbol] = set()
        words = list(p.terms)
        seen: set[sympy.Symbol] = set()
        pending = [c for c in p.terms.values()]
        while words or pending:
            if pending:
                for sym in pending.pop().free_symbols:
                    if sym in seen:
                        continue
                    seen.add(sym)
                    meaning = self.meanings.get(sym)
                    if isinstance(meaning, ScalarWord | ScalarTrace):
                        words.append(meaning.word)
                    elif isinstance(meaning, ScalarDet):
                        words.append((Atom(meaning.base),))
                continue
            for a in words.pop():
                for w, c in a.base.arg:
                    out |= c.free_symbols
                    pending.append(c)
                    words.append(w)
        return out

    def _Hadamard(self, e: Hadamard) -> Poly:
        return self.hadamard(self.build(e.left), self.build(e.right))

    def _Derivative(self, e: Derivative) -> Poly:
        return self._derivative(e)

    def _Gradient(self, e: Gradient) -> Poly:
        return self.transpose(self._by_vector(self.build(e.f), e.wrt, scalar_only=True))

    def _Hessian(self, e: Hessian) -> Poly:
        gradient = self.transpose(self._by_vector(self.build(e.f), e.wrt, scalar_only=True))
        return self._by_vector(gradient, e.wrt, scalar_only=False)

    def _derivative(self, e: Derivative) -> Poly:
        f = self.build(e.f)
        if len(e.wrt) > 1:
            if not f.is_scalar or not all(self._variable(v).shape.is_scalar for v in e.wrt):
                raise OutsideRules("higher derivatives only of a scalar by scalars")
            for w in reversed(e.wrt):
                f = self.differentiate(f, self.by_scalar(w.name))
            return f
        v = self._variable(e.wrt[0])
        if v.shape.is_scalar:
            return self.differentiate(f, self.by_scalar(v.name))
        if not v.shape.is_column:
            gradient = self.matrix_gradient(f, v.name)  # the shape of X: denominator layout
            return self.transpose(gradient) if self.layout == "numerator" else gradient
        jac = self._by_vector(f, e.wrt[0], scalar_only=False)
        if self.layout == "numerator":
            return jac
        if self.layout == "denominator":
            return self.transpose(jac)
        raise OutsideRules(f"unknown layout {self.layout!r}")

    def _by_vector(self, f: Poly, v: Var, scalar_only: bool) -> Poly:
        s = self._variable(v)
        if s.shape.is_scalar or not s.shape.is_column:
            raise OutsideRules("a gradient is by a vector")
        if scalar_only and not f.is_scalar:
            raise OutsideRules("a gradient is of a scalar")
        return self.jacobian(f, v.name)

    def _variable(self, v: Var) -> Symbol:
        s = self.symbols.get(v.name)
        if s is None or s.of or s.symmetric:
            raise OutsideRules(f"{v.name} is not an independent variable")
        return s


#: Elementwise functions with a kink: atoms of a column like the others, equal where their
#: arguments are, and never differentiated (:meth:`_Algebra.slope` refuses them).
_KINKED = ("relu", "abs", "step", "closed_step")

#: Scalar functions with a derivative everywhere on their domain, as the evaluator defines them
#: (the sigmoid is 1/(1 + e^{-x})): in a coefficient they are SymPy functions, differentiated by
#: the chain rule. ReLU, |.| and the steps are not smooth: outside the rule base.
_SMOOTH: Mapping[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp, "log": sympy.log, "sigmoid": sigmoid, "tanh": sympy.tanh, "sqrt": sympy.sqrt,
}


#: The kinked functions' values, as the evaluator defines them (for :func:`explicit`).
_KINK_VALUES: Mapping[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "relu": lambda a: sympy.Max(a, 0), "abs": sympy.Abs, "step": step, "closed_step": closed_step,
}


def _ends_in_direction(word: Word) -> bool:
    return bool(word) and word[-1].base.kind == "direction" and not word[-1].transposed


def _common_shape(a: tuple[Dim, Dim], b: tuple[Dim, Dim]) -> tuple[Dim, Dim]:
    """The shape of a sum; a contextual identity takes a square partner's size."""
    if a == b:
        return a
    for x, y in ((a, b), (b, a)):
        if x == (ANY, ANY) and y[0] == y[1] and y != (1, 1):
            return y
    raise OutsideRules(f"cannot add {a} and {b}")


# ---------------------------------------------------------------------------------------
# Public entry points.


@dataclass(frozen=True)
class Normalised:
    """Both sides' normal forms and what each commuting symbol in them stands for."""

    lhs: Poly
    rhs: Poly
    scalars: Mapping[sympy.Symbol, ScalarMeaning]


def _normalise(claim: Equality) -> Normalised:
    shape_of(claim.lhs, claim.symbols, claim.layout)
    shape_of(claim.rhs, claim.symbols, claim.layout)
    algebra = _Algebra(claim.symbols, claim.layout)
    lhs = algebra.build(claim.lhs)
    rhs = algebra.build(claim.rhs)
    return Normalised(lhs, rhs, dict(algebra.meanings))


_NOT_PROVED = (OutsideRules, VerifyError, ZeroDivisionError, sympy.PolynomialError)


def normalise(claim: Equality) -> Normalised | None:
    """Both sides in normal form, or None when a side leaves the rule base."""
    try:
        return _normalise(claim)
    except _NOT_PROVED:
        return None


def same(lhs: Poly, rhs: Poly) -> bool:
    """Whether two normal forms are equal: same shape, same words, coefficients that cancel."""
    if lhs.shape != rhs.shape:
        contextual = [p for p in (lhs, rhs) if p.contextual]
        other = rhs if lhs.contextual else lhs
        if len(contextual) != 1 or other.shape[0] != other.shape[1] or other.is_scalar:
            return False
    for w in set(lhs.terms) | set(rhs.terms):
        diff = lhs.terms.get(w, sympy.Integer(0)) - rhs.terms.get(w, sympy.Integer(0))
        if sympy.expand(diff) != 0 and sympy.cancel(diff) != 0:
            return False
    return True


@dataclass(frozen=True)
class Attempt:
    """The proof's method, or None with what stood in the way (for an ``unknown`` detail)."""

    proof: str | None
    detail: str


#: The method named when an inverse of a sum was multiplied out (:func:`_cleared`).
CLEARED = METHOD + ", the inverse multiplied out"


def _cleared(claim: Equality) -> Equality | None:
    """S^{-1} = B as S B = I, where one side is the inverse of a square S the rules cannot invert
    (a sum: Sherman-Morrison, Woodbury). Sound: where both sides are defined S is invertible, and
    S B = I there gives B = S^{-1}; S B = I itself is proved by normal forms like any claim."""
    for side, other in ((claim.lhs, claim.rhs), (claim.rhs, claim.lhs)):
        if isinstance(side, Inverse):
            return replace(claim, lhs=Product((side.arg, other)), rhs=Identity(None))
    return None


def attempt(claim: Equality) -> Attempt:
    """Never raises: whatever goes wrong, the answer is "not proved", with the reason."""
    try:
        nf = _normalise(claim)
        if same(nf.lhs, nf.rhs):
            return Attempt(METHOD, METHOD)
    except _NOT_PROVED as err:
        cleared = _cleared(claim) if "inverse of a sum" in str(err) else None
        if cleared is not None and attempt(cleared).proof is not None:
            return Attempt(CLEARED, CLEARED)
        return Attempt(None, f"non-commutative normal form: {err or type(err).__name__}")
    except MemoryError:  # the worker's cap: the decision is unknown, not handed to a cheaper route
        raise
    except Exception as err:  # a bug of ours must cost a proof, never the engine's verdict
        return Attempt(None, f"non-commutative normal form failed: {type(err).__name__}: {err}")
    return Attempt(None, "non-commutative normal forms differ (which proves nothing): "
                         f"{nf.lhs.text()} vs {nf.rhs.text()}")


def prove_all_sizes(claim: Equality) -> str | None:
    """A proof of ``lhs = rhs`` for every size, value and smooth function, or None.

    None means "not proved" (a side outside the rule base, or normal forms that differ,
    which may still be equal under facts the rules do not know); never "false".
    """
    return attempt(claim).proof


# ---------------------------------------------------------------------------------------
# What a normal form means at concrete sizes: the cross-check of the rule base.


def explicit(poly: Poly, scalars: Mapping[sympy.Symbol, ScalarMeaning], ev: Evaluator) -> sympy.Matrix:
    """The normal form as an explicit matrix, built from the same realisation as ``ev``.

    Why: each rewrite is meant to be a matrix identity; comparing this with ``ev`` applied to
    the original expression, at small sizes, checks that the rule base keeps that promise.
    Jets and Jacobians become derivatives of the realised functions, as ``ev`` makes them.
    """

    def base(b: Base) -> sympy.Matrix:
        m = ev.value(b.name)
        if b.kind == "var":
            return m
        if b.kind == "jet":
            for v in b.wrt:
                m = m.diff(ev.variable(Var(v))[0, 0])
            return m
        if b.kind == "jacobian":
            return m.jacobian(ev.variable(Var(b.wrt[0])))
        if b.kind == "hessian":
            return sympy.hessian(m[0, 0], list(ev.variable(Var(b.wrt[0]))))
        raise ValueError("a direction has no value outside its derivative")

    def structured(b: Base) -> sympy.Matrix:
        rows = ev.dims(b.rows)
        if b.kind == "ones":
            return sympy.ones(rows, 1)
        if b.kind == "unit":
            m = sympy.zeros(rows, ev.dims(b.cols))
            m[int(b.wrt[0]) - 1, int(b.wrt[1]) - 1] = 1
            return m
        if b.kind == "power":
            matrix = sympy.zeros(rows, rows)
            for w, c in b.arg:
                matrix += c.xreplace({s: scalar(scalars[s]) for s in c.free_symbols}) * word(w, rows)
            index = ev.value(b.wrt[0])[0, 0]
            return sympy.diag(*(matrix[i, i] ** index for i in range(rows)))
        column = sympy.zeros(rows, 1)
        for w, c in b.arg:
            column += c.xreplace({s: scalar(scalars[s]) for s in c.free_symbols}) * word(w, rows)
        if b.kind == "diag":
            return sympy.diag(*list(column))
        return column.applyfunc(_SMOOTH.get(b.name) or _KINK_VALUES[b.name])

    def atom(a: Atom) -> sympy.Matrix:
        m = structured(a.base) if a.base.kind in ("apply", "diag", "ones", "power", "unit") else base(a.base)
        m = inverse(m) if a.inverted else m
        return m.T if a.transposed else m

    def word(w: Word, rows: int) -> sympy.Matrix:
        m = sympy.eye(rows)
        for a in w:
            m = m * atom(a)
        return m

    def scalar(meaning: ScalarMeaning) -> sympy.Expr:
        if isinstance(meaning, ScalarWord):
            return word(meaning.word, 1)[0, 0]
        if isinstance(meaning, ScalarTrace):
            return word(meaning.word, ev.dims(dims_of(meaning.word)[0])).trace()
        if isinstance(meaning, ScalarDet):
            b = meaning.base
            return (structured(b) if b.kind in ("apply", "diag") else base(b)).det(method="berkowitz")
        if isinstance(meaning, ScalarDim):
            return sympy.Integer(ev.dims(meaning.name))
        value = ev.value(meaning.name)[0, 0]
        for v in meaning.wrt if isinstance(meaning, ScalarJet) else ():
            value = sympy.diff(value, ev.variable(Var(v))[0, 0])
        return value

    if poly.contextual:
        raise ValueError("the size of a contextual identity is not known")
    rows, cols = ev.dims(poly.shape[0]), ev.dims(poly.shape[1])
    total = sympy.zeros(rows, cols)
    for w, c in poly.terms.items():
        table = {s: scalar(scalars[s]) for s in c.free_symbols}
        total += c.xreplace(table) * word(w, rows)
    return total
