"""Read-only mappings for the model's frozen values.

A frozen dataclass keeps its fields from being reassigned, not a dict field from being changed:
a symbol table validated once and then used as a cache key, or a question's definitions shared
by every submission graded in one run, could still be edited by any code holding them. So such
fields hold a read-only view of a private copy (``MappingProxyType``), made once, when the value
is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def read_only(mapping: Mapping[K, V]) -> Mapping[K, V]:
    """A read-only copy of ``mapping`` (itself when it is one already: it cannot change)."""
    if isinstance(mapping, MappingProxyType):
        return mapping
    return MappingProxyType(dict(mapping))
