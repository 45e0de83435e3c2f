"""Random exact numbers: the values a random point is made of.

Small integers, halves and thirds, sometimes values in (0, 1) or near a large magnitude, and
never a float: a refutation rests on exact values only. Matrices are drawn inside their
declarations (:func:`random_matrix`: orthogonal, diagonal, positive definite, symmetric,
invertible), and :func:`satisfies` checks a value against them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from fractions import Fraction

import sympy

from verify.model import Symbol

#: An exact number drawn for a point: an int or a Fraction (never a float, never a bool).
Number = int | Fraction
#: A matrix of such numbers, row by row: a drawn value before (or instead of) a SymPy matrix.
Rows = tuple[tuple[Number, ...], ...]


def rational(rng: random.Random, positive: bool = False, unit: bool = False, magnitude: int = 0,
             signed: bool = False) -> sympy.Rational:
    """A small exact number: mostly integers, sometimes halves and thirds, seldom zero.

    ``unit`` draws from (0, 1) instead: probabilities, and the domain of log(1 - p).
    ``magnitude`` (1000, 10^6) draws near its absolute value instead, with its sign (either
    sign at random when ``signed`` is off): small numbers never see where ``max(x, 1000)`` or
    ``|x + 1000|`` changes branch.
    """
    return sympy.Rational(number(rng, positive, unit, magnitude, signed))


def number(rng: random.Random, positive: bool = False, unit: bool = False, magnitude: int = 0,
           signed: bool = False) -> Number:
    """:func:`rational`'s draw as a Python int or Fraction, from the same draws of ``rng``.

    Why: most values of a random point are only ever read by the Fraction evaluator, and making
    SymPy numbers and matrices of them was 40% of a point's cost; they are made on demand."""
    if magnitude:
        value = abs(magnitude) * (1 + Fraction(rng.randint(1, 9), rng.choice([2, 3, 4, 8])))
        negative = magnitude < 0 if signed else rng.random() < 0.5
        signed_value = value if positive or not negative else -value
        return signed_value.numerator if signed_value.denominator == 1 else signed_value
    if unit:
        q = rng.randint(2, 9)
        return Fraction(rng.randint(1, q - 1), q)
    if rng.random() < 0.65:
        return rng.choice([1, 2, 3, 4, 5] if positive else [-3, -2, -1, 1, 2, 3, 4, 0])
    value = Fraction(rng.randint(1, 7), rng.choice([2, 3, 4]))
    return -value if not positive and rng.random() < 0.5 else value


def sample_point(atoms: Iterable[sympy.Symbol], rng: random.Random) -> dict[sympy.Symbol, sympy.Rational]:
    return {a: rational(rng, positive=bool(a.is_positive)) for a in sorted(atoms, key=str)}


# ---------------------------------------------------------------------------------------
# Matrices inside their declarations.


def random_matrix(s: Symbol, rows: int, cols: int, rng: random.Random, unit: bool = False,
                  magnitude: int = 0, signed: bool = False) -> sympy.Matrix:
    """Exact random values of the declared symbol ``s`` at ``rows`` x ``cols``, inside every property
    it is declared with (a refutation at a point outside a declaration would be no refutation):

    - ``orthogonal``: the Cayley transform V = (I - K)(I + K)^{-1} of a random rational skew-symmetric
      K (I + K is invertible for every real skew K: its eigenvalues are 1 + i y), then, half the
      time, one column's sign flipped, so that reflections (det -1) occur too; one time in five a
      random signed permutation instead, which reaches -I and the rotations by pi that the Cayley
      transform never gives. V^T V = I exactly, in rationals;
    - ``diagonal``: random rationals on the diagonal, zeros elsewhere (positive ones if also
      positive definite);
    - ``positive definite``: L L^T + D with L random rational lower triangular and D a positive
      rational diagonal (L L^T is positive semidefinite, D positive definite);
    - ``symmetric``, ``invertible``, ``positive`` as before: the upper triangle mirrored, a
      nonsingular draw, positive entries.

    ``unit``, ``magnitude`` and ``signed`` (:func:`rational`) apply to the free entries (an orthogonal
    matrix's entries lie in [-1, 1] whatever they say). Every result satisfies :func:`satisfies`.
    """
    if s.orthogonal:
        return _orthogonal(rows, rng)
    if s.interval is not None:  # low + (high - low) u, u in (0, 1): strictly inside, exactly
        low, high = s.interval
        return sympy.Matrix([[low + (high - low) * rational(rng, unit=True)]])
    for _ in range(20):
        if s.diagonal:
            m = sympy.diag(*(rational(rng, s.positive_definite, unit, magnitude, signed) for _ in range(rows)))
        elif s.positive_definite:
            low = sympy.Matrix(rows, rows, lambda i, j: rational(rng, False, unit) if j <= i else 0)
            m = low * low.T + sympy.diag(*(rational(rng, True, unit, magnitude, signed) for _ in range(rows)))
        else:
            m = sympy.Matrix(rows, cols, lambda i, j: rational(rng, s.positive, unit, magnitude, signed))
            if s.symmetric:
                m = m.upper_triangular() + m.upper_triangular(1).T
        if not s.invertible or m.det() != 0:
            return m
    return sympy.eye(rows)


def plain_values(s: Symbol, rows: int, cols: int, rng: random.Random, unit: bool = False,
                 magnitude: int = 0, signed: bool = False) -> Rows | None:
    """:func:`random_matrix`'s value as :data:`Rows`, from the same draws of ``rng``, for a symbol
    declared at most ``positive``, ``symmetric`` and ``invertible`` (most of them); None for any
    other declaration (orthogonal, diagonal, positive definite, an interval), which only
    :func:`random_matrix` draws, and which consumes nothing of ``rng`` then."""
    if (s.orthogonal or s.interval is not None or s.diagonal or s.positive_definite
            or ((s.symmetric or s.invertible) and rows != cols)):
        return None
    for _ in range(20):  # as random_matrix: a singular draw of an invertible symbol is drawn again
        drawn = [[number(rng, s.positive, unit, magnitude, signed) for _ in range(cols)] for _ in range(rows)]
        if s.symmetric:  # the upper triangle mirrored, as random_matrix does
            value = tuple(tuple(drawn[min(i, j)][max(i, j)] for j in range(cols)) for i in range(rows))
        else:
            value = tuple(tuple(row) for row in drawn)
        if not s.invertible or determinant(value) != 0:
            return value
    return tuple(tuple(1 if i == j else 0 for j in range(cols)) for i in range(rows))


def determinant(rows: Rows) -> Number:
    """The exact determinant of a square matrix of numbers (Gaussian elimination over Fractions)."""
    work = [list(row) for row in rows]
    n = len(work)
    det: Number = 1
    for col in range(n):
        pivot = next((r for r in range(col, n) if work[r][col]), None)
        if pivot is None:
            return 0
        if pivot != col:
            work[col], work[pivot] = work[pivot], work[col]
            det = -det
        p = work[col][col]
        det *= p
        for r in range(col + 1, n):
            factor = Fraction(work[r][col]) / p
            if factor:
                work[r] = [x - factor * y for x, y in zip(work[r], work[col], strict=True)]
    return det


def as_matrix(rows: Rows) -> sympy.Matrix:
    """:data:`Rows` as the SymPy matrix :func:`random_matrix` would have made of them."""
    from sympy.polys.domains import QQ
    from sympy.polys.matrices import DomainMatrix

    shape = (len(rows), len(rows[0]) if rows else 0)
    return DomainMatrix([[QQ(x.numerator, x.denominator) for x in row] for row in rows], shape, QQ).to_Matrix()


def _orthogonal(n: int, rng: random.Random) -> sympy.Matrix:
    if rng.random() < 0.2:  # a signed permutation: -I, the rotations by pi, swaps
        order = list(range(n))
        rng.shuffle(order)
        return sympy.Matrix(n, n, lambda i, j: rng.choice((1, -1)) if order[i] == j else 0)
    skew = sympy.zeros(n, n)
    for i in range(n):
        for j in range(i + 1, n):
            skew[i, j] = rational(rng)
            skew[j, i] = -skew[i, j]
    eye = sympy.eye(n)
    v = (eye - skew) * (eye + skew).inv()
    if rng.random() < 0.5:  # a reflection: one column's sign flipped (det -1)
        k = rng.randrange(n)
        v[:, k] = -v[:, k]
    return v


def satisfies(s: Symbol, m: sympy.Matrix | Rows) -> bool:
    """Whether the exact value ``m`` is inside every property ``s`` is declared with (entries that are
    not rational numbers are not judged here: only drawn values are, and those are rational)."""
    if not (s.positive or s.interval is not None or s.symmetric or s.invertible or s.diagonal or s.orthogonal
            or s.positive_definite):
        return True  # nothing declared: every value is inside (most symbols; checked at every point)
    if isinstance(m, tuple):  # drawn numbers (plain_values' declarations): judged without SymPy
        if s.orthogonal or s.interval is not None or s.diagonal or s.positive_definite:
            return satisfies(s, as_matrix(m))
        square = len(m) == len(m[0])
        return ((not s.positive or all(x > 0 for row in m for x in row))
                and (not s.symmetric or (square and m == tuple(zip(*m, strict=True))))
                and (not s.invertible or (square and determinant(m) != 0)))
    if not all(isinstance(e, sympy.Rational) for e in m):
        return True
    if s.positive and not all(e > 0 for e in m):
        return False
    if s.interval is not None and not all(s.interval[0] < e < s.interval[1] for e in m):
        return False
    square = m.shape[0] == m.shape[1]
    if (s.symmetric or s.diagonal or s.orthogonal or s.positive_definite or s.invertible) and not square:
        return False
    if s.symmetric and m != m.T:
        return False
    if s.diagonal and any(m[i, j] != 0 for i in range(m.shape[0]) for j in range(m.shape[1]) if i != j):
        return False
    if s.orthogonal and m.T * m != sympy.eye(m.shape[0]):
        return False
    if s.positive_definite and not all(m[:k, :k].det() > 0 for k in range(1, m.shape[0] + 1)):
        return False
    return not (s.invertible and m.det() == 0)
