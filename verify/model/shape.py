"""Shapes of values: rows x columns, where a dimension is a positive integer or a letter.

A letter (``n``, ``D_x``) is universally quantified: a claim over ``n`` speaks of every size.
Deciding a claim at concrete sizes means binding each letter to an integer (:meth:`Shape.bind`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from verify.errors import DeclarationError

Dim = int | str

_DIM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def parse_dim(text: str) -> Dim:
    """Read a dimension as the claims-file contract writes it: a positive integer or a name."""
    text = text.strip()
    if text.isdigit():
        value = int(text)
        if value <= 0:
            raise DeclarationError(f"dimension must be positive, got {text}")
        return value
    if not _DIM_NAME.match(text):
        raise DeclarationError(f"{text!r} is not a dimension (a positive integer or a name)")
    return text


@dataclass(frozen=True)
class Shape:
    rows: Dim
    cols: Dim

    @property
    def is_scalar(self) -> bool:
        return self.rows == 1 and self.cols == 1

    @property
    def is_column(self) -> bool:
        return self.cols == 1

    @property
    def is_square(self) -> bool:
        return self.rows == self.cols

    @property
    def letters(self) -> frozenset[str]:
        return frozenset(d for d in (self.rows, self.cols) if isinstance(d, str))

    def bind(self, sizes: Mapping[str, int]) -> tuple[int, int]:
        """The concrete (rows, cols) at the given sizes of the dimension letters."""
        return (_bind(self.rows, sizes), _bind(self.cols, sizes))

    @property
    def T(self) -> Shape:
        return Shape(self.cols, self.rows)

    def __str__(self) -> str:
        return "scalar" if self.is_scalar else f"{self.rows}x{self.cols}"


def _bind(dim: Dim, sizes: Mapping[str, int]) -> int:
    return dim if isinstance(dim, int) else sizes[dim]


SCALAR = Shape(1, 1)
