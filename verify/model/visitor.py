"""One way to walk an expression tree: dispatch on the node's class, as SymPy's printers do.

A walker subclasses :class:`Visitor` and names one method per node class, ``_<ClassName>``
(``_Add``, ``_Product``, ...), taking the node and whatever the walker passes down (a size
hint, ...). ``walker.visit(e, *args)`` calls the method of ``e``'s exact class. The table from
class to method is built once per walker class from :data:`verify.model.expr.NODES` (so a
subclass that overrides ``_Inverse`` gets its own ``_Inverse``, and no helper method can be
taken for a node's: only registered node names are looked up).

A walker says what it does with every registered node, in one of three ways, and
``tests/test_visitor.py`` fails for any walker that leaves a node unsaid:

* a method ``_<ClassName>``;
* ``generic``: the nodes it handles by :meth:`Visitor.generic_visit` (typically "the same
  thing for each child"), listed explicitly, so a new node is a decision, not a default;
* ``refuses``: the nodes it does not handle, each with the reason.

**The one fallback.** A node with no method and not generic (a refused node, or a class that
is not in the registry, such as a reader's placeholder or a test's foreign node) goes to
:meth:`Visitor.unhandled`, which raises :class:`UnsupportedNode` naming the node and the
walker. A walker whose callers expect another signal overrides ``unhandled`` and only that
(the fraction evaluator declines so the SymPy path runs; the MathML printer falls back to the
node's LaTeX as text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from verify.errors import UnsupportedError

if TYPE_CHECKING:
    from verify.model.expr import Expr


def _nodes() -> tuple[type[Expr], ...]:
    # Imported when a walker class is made, not when this module is: ``verify.model.expr``
    # defines a walker of its own (the shapes), after its registry is complete.
    from verify.model.expr import NODES

    return NODES


class UnsupportedNode(UnsupportedError):
    """A walker met a node it has no rule for (refused, or not a registered node class)."""


class Visitor:
    """Base of every walker of :class:`~verify.model.expr.Expr` trees; see the module docstring."""

    #: nodes handled by :meth:`generic_visit` rather than a method of their own
    generic: ClassVar[frozenset[type[Expr]]] = frozenset()
    #: nodes this walker does not handle, each with the reason (they go to :meth:`unhandled`)
    refuses: ClassVar[Mapping[type[Expr], str]] = {}
    #: node class -> the function that handles it, built per walker class
    _visit_table: ClassVar[dict[type, Callable[..., Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table: dict[type, Callable[..., Any]] = {}
        for node in _nodes():
            method = getattr(cls, f"_{node.__name__}", None)
            if method is not None:
                table[node] = method
            elif node in cls.generic:
                table[node] = cls.generic_visit
        cls._visit_table = table

    def visit(self, e: Expr, *args: Any) -> Any:
        """The result of the method for ``e``'s exact class, or of :meth:`unhandled`."""
        method = self._visit_table.get(type(e))
        if method is None:
            return self.unhandled(e, *args)
        return method(self, e, *args)

    def generic_visit(self, e: Expr, *args: Any) -> Any:
        """What this walker does with the nodes listed in ``generic``."""
        raise NotImplementedError(f"{type(self).__name__} lists generic nodes but has no generic_visit")

    def unhandled(self, e: Expr, *args: Any) -> Any:
        """The one fallback: a node this walker has no rule for."""
        reason = self.refuses.get(type(e), "not a registered expression node")
        raise UnsupportedNode(f"{type(self).__name__} cannot handle {type(e).__name__}: {reason}")

    @classmethod
    def missing(cls, nodes: Iterable[type[Expr]] | None = None) -> list[type[Expr]]:
        """The nodes (default: all registered) this walker says nothing about (no method, not
        generic, not refused)."""
        return [n for n in (_nodes() if nodes is None else nodes)
                if getattr(cls, f"_{n.__name__}", None) is None and n not in cls.generic and n not in cls.refuses]
