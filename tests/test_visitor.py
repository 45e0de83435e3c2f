"""One node registry, one visitor base: every walker of the expression tree says what it does
with every node, so a new node class fails here until each walker has been updated."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping
from typing import ClassVar

import pytest
import sympy

import verify.deciding.evaluation.ball_jets
import verify.deciding.evaluation.fraction_jets
import verify.deciding.evaluation.instantiate
import verify.deciding.evaluation.jets
import verify.deciding.evaluation.kinks
import verify.deciding.evaluation.sampling

# Imported for their walkers: each defines Visitor subclasses, found below by subclassing.
import verify.deciding.kinds.equality
import verify.deciding.proof.noncommutative
import verify.reading.latex
import verify.reporting.mathml
import verify.reporting.unicode  # noqa: F401
from verify.deciding.evaluation.instantiate import Evaluator, symbolic
from verify.deciding.evaluation.jets import JetEvaluator
from verify.model import codec
from verify.model import expr as E
from verify.model.shape import Shape
from verify.model.symbols import matrix, scalar, vector
from verify.model.visitor import UnsupportedNode, Visitor
from verify.reporting.mathml import ExprPrinter
from verify.reporting.unicode import UnicodePrinter

#: The walkers that must exist (a renamed or deleted walker must be noticed, not skipped).
EXPECTED_WALKERS = {
    "Evaluator", "JetEvaluator", "FractionEvaluator", "PointEvaluator", "ExprPrinter", "_Algebra",
    "_DerivativeOrder", "_Differentiated", "_Switches", "_Shapes", "_ConstantFolder", "_FreeNames",
    "UnicodePrinter", "BallPointEvaluator", "BallEvaluator", "_Balls",
    "_PolynomialRules", "PolynomialEvaluator", "_InnerPolynomialEvaluator", "ReferenceEvaluator",
}


def _walkers() -> list[type[Visitor]]:
    out, todo = [], list(Visitor.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("verify."):
            out.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(out), key=lambda c: c.__qualname__)


WALKERS = _walkers()

x, y, A = E.Var("x"), E.Var("y"), E.Var("A")
SYMBOLS = {"x": vector("x", 2), "y": scalar("y"), "A": matrix("A", 2, 2)}
#: One well-shaped instance of every node (x a 2-vector, y a scalar, A a 2 x 2 matrix).
SAMPLES: dict[type[E.Expr], E.Expr] = {
    E.Var: y,
    E.Const: E.Const(sympy.Rational(3, 2)),
    E.Identity: E.Identity(2),
    E.Zero: E.Zero(Shape(2, 1)),
    E.Add: A + E.Identity(2),
    E.Product: A * x,
    E.Div: x / y,
    E.Power: A**2,
    E.Transpose: x.T,
    E.Inverse: (A + E.Identity(2) * 5).I,
    E.Apply: E.apply("tr", A),
    E.Max: E.maximum(y, 1),
    E.Hadamard: E.Hadamard(x, x),
    E.MatrixLit: E.col(y, 1),
    E.Derivative: E.D(x.T * x, x),
    E.Gradient: E.grad(y * x.T * x, x),
    E.Hessian: E.hessian(x.T * A * x, x),
    E.At: E.at(E.D(y * y, y), (y, 1)),
}


def test_the_registry_is_every_node_class_of_the_model_in_definition_order() -> None:
    defined = [c for _, c in inspect.getmembers(E, inspect.isclass)
               if issubclass(c, E.Expr) and c is not E.Expr and c.__module__ == E.__name__]
    assert set(E.NODES) == set(defined)
    assert len(E.NODES) == len(set(E.NODES))
    assert all(dataclasses.is_dataclass(c) for c in E.NODES)


def test_the_codec_builds_exactly_the_registered_nodes() -> None:
    assert codec._NODES == {c.__name__: c for c in E.NODES}


def test_every_expected_walker_is_a_visitor() -> None:
    assert {c.__name__ for c in WALKERS} == EXPECTED_WALKERS


@pytest.mark.parametrize("walker", WALKERS, ids=lambda c: c.__qualname__)
def test_every_walker_covers_every_node(walker: type[Visitor]) -> None:
    assert walker.missing() == [], f"{walker.__qualname__} says nothing about these nodes"
    for node in E.NODES:
        has_method = getattr(walker, f"_{node.__name__}", None) is not None
        # One declaration per node: a method, generic, or refused with a reason.
        assert has_method + (node in walker.generic) + (node in walker.refuses) == 1, (walker, node)
        if node in walker.refuses:
            assert walker.refuses[node].strip(), (walker, node)
            assert node not in walker._visit_table
        else:
            assert node in walker._visit_table


def test_a_new_node_is_missing_from_every_walker_until_it_is_handled() -> None:
    @dataclasses.dataclass(frozen=True)
    class Brand(E.Expr):  # defined outside the model: never registered
        arg: E.Expr

    assert Brand not in E.NODES
    for walker in WALKERS:
        assert walker.missing((*E.NODES, Brand)) == [Brand]


def test_the_one_fallback_names_the_node_and_the_walker() -> None:
    @dataclasses.dataclass(frozen=True)
    class Brand(E.Expr):
        pass

    class Plain(Visitor):
        refuses: ClassVar[Mapping[type[E.Expr], str]] = {E.Max: "max is not linear"}

        def generic_visit(self, e: E.Expr, *args: object) -> str:
            return "generic"

        def _Var(self, e: E.Var) -> str:
            return e.name

    with pytest.raises(UnsupportedNode, match="Plain cannot handle Brand: not a registered expression node"):
        Plain().visit(Brand())
    with pytest.raises(UnsupportedNode, match="Plain cannot handle Max: max is not linear"):
        Plain().visit(E.maximum(x, y))
    assert Plain().visit(x) == "x"
    assert Plain.missing() == [n for n in E.NODES if n not in (E.Var, E.Max)]


def test_a_subclass_dispatches_to_its_own_overrides() -> None:
    assert JetEvaluator._visit_table[E.Inverse] is JetEvaluator._Inverse
    assert JetEvaluator._visit_table[E.Add] is Evaluator._Add
    assert Evaluator._visit_table[E.Inverse] is Evaluator._Inverse


def test_a_sample_of_every_node() -> None:
    assert set(SAMPLES) == set(E.NODES)
    for node, e in SAMPLES.items():
        assert type(e) is node


@pytest.mark.parametrize("node", E.NODES, ids=lambda c: c.__name__)
def test_every_node_is_shaped_evaluated_printed_and_encoded(node: type[E.Expr]) -> None:
    e = SAMPLES[node]
    ev = Evaluator(SYMBOLS, {}, symbolic(SYMBOLS, {}))
    assert ev.eval(e).shape == E.shape_of(e, SYMBOLS).bind({})
    assert "<mtext>" not in ExprPrinter(SYMBOLS).print(e)
    assert UnicodePrinter(SYMBOLS).print(e).strip()
    assert codec.loads(codec.dumps(e)) == e
