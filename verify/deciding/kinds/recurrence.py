"""Deciding :class:`~verify.model.claim.Recurrence` claims: by induction, refuted by iterating.

A closed form ``closed(k)`` solves ``s^{k+1} = step(s^k)``, ``s^{base} = initial`` for every
integer k >= base exactly when the base case ``closed(base) = initial`` and the induction
step ``closed(k+1) = step(closed(k))`` hold; both are ordinary equalities, decided by
:func:`~verify.deciding.proof.explicit.compare`. Checking k = 0, 1, 2, 3 would prove nothing (a
closed form can agree with the sequence for any number of first terms and then leave it), so
the step is proved for a free integer k.

Refuting is done the way a reader would check: at exact random values of the other symbols,
apply the step to the initial value k - base times and compare with ``closed(k)``. The
first k where they differ is the counterexample.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

import sympy

from verify.deciding.dispatch import Progress, decide_inline, quiet
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.certified import differs
from verify.deciding.evaluation.instantiate import Evaluator, drawn_whole, relations, structured_values, symbolic
from verify.deciding.evaluation.piecewise import off_boundaries
from verify.deciding.evaluation.rationals import sample_point
from verify.deciding.evaluation.sampling import differentiated
from verify.deciding.proof.counterexample import show
from verify.deciding.proof.explicit import compare
from verify.deciding.proof.noncommutative import attempt
from verify.errors import VerifyError
from verify.model import (
    Add,
    Counterexample,
    Equality,
    Recurrence,
    Result,
    Shape,
    Verdict,
    anonymous,
    lift,
    shape_of,
    substitute,
)

#: How many terms past the base case the iteration compares, at each random point.
DEPTH = 8
#: Random points (values of the other symbols) at which the sequence is iterated.
POINTS = 6
#: When the induction fails, a few points are iterated further before saying unknown.
DEEP = 40
#: Iteration stops at a point once an exact value needs more bits than this.
MAX_BITS = 4096


def _exact(m: sympy.Matrix) -> bool:
    """Every entry a defined real constant (a rational, or a real number such as exp(1/2))."""
    for e in m:
        if e.free_symbols or e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            return False
        if not e.is_Rational and e.is_real is not True:
            return False
    return True


def _small(m: sympy.Matrix) -> bool:
    """Whether iterating further stays cheap (a nonlinear step doubles the digits every time)."""
    for e in m:
        if e.is_Rational:
            if e.p.bit_length() + e.q.bit_length() > MAX_BITS:
                return False
        elif sympy.count_ops(e) > 200:
            return False
    return True


# ---------------------------------------------------------------------------------------
# Powers with the index in the exponent.


@dataclass
class PowerNames:
    """``b^(m k + c)`` rewritten as ``P_b^m b^c`` with a fresh symbol ``P_b`` standing for ``b^k``.

    Why this is sound: for an integer k, ``b^(u k + c) = (b^u)^k b^c`` (principal branch:
    ``exp(k u Log b + c Log b)``, and an integer k kills the 2 pi i ambiguity of
    ``Log(b^u)``). After the rewrite, the index k appears only polynomially, and an identity
    that holds with every ``P_b`` an independent symbol holds after substituting ``P_b = b^k``.
    Treating related powers (``2^k`` and ``4^k``) as independent can only lose proofs.
    """

    index: sympy.Symbol
    table: dict[sympy.Expr, sympy.Symbol]

    def _power(self, e: sympy.Expr) -> sympy.Expr:
        if isinstance(e, sympy.exp):
            base, exponent = sympy.E, e.args[0]
        else:
            base, exponent = e.base, e.exp
        if base.has(self.index):
            return e
        exponent = sympy.expand(exponent)
        if not exponent.is_polynomial(self.index) or sympy.degree(exponent, self.index) != 1:
            return e
        u = exponent.coeff(self.index, 1)
        c = sympy.expand(exponent - u * self.index)
        if c.has(self.index):
            return e
        if u.is_Integer:
            key, times = base, int(u)
        else:
            key, times = (sympy.exp(u) if base == sympy.E else sympy.Pow(base, u)), 1
        if key not in self.table:
            self.table[key] = sympy.Dummy(f"P{len(self.table)}")
        rest = sympy.exp(c) if base == sympy.E else base**c
        return self.table[key] ** times * rest

    def __call__(self, m: sympy.Matrix) -> sympy.Matrix:
        def target(e: sympy.Basic) -> bool:
            if isinstance(e, sympy.exp):
                return e.args[0].has(self.index)
            return isinstance(e, sympy.Pow) and e.exp.has(self.index)

        return m.applyfunc(lambda e: e.replace(target, self._power))

    def describe(self) -> str:
        def base(b: sympy.Expr) -> str:
            plain = b.is_Symbol or (b.is_Number and b >= 0)
            return sympy.sstr(b) if plain else f"({sympy.sstr(b)})"

        return ", ".join(f"{base(b)}^k" for b in self.table)


# ---------------------------------------------------------------------------------------
# The claim at one binding of the dimension letters.


@dataclass
class Instance:
    claim: Recurrence
    sizes: Mapping[str, int]
    ev: Evaluator
    closed: sympy.Matrix
    initial: sympy.Matrix
    step: sympy.Matrix
    sequence: sympy.Matrix
    k: sympy.Symbol

    @classmethod
    def build(cls, claim: Recurrence, sizes: Mapping[str, int]) -> Instance:
        ev = Evaluator(claim.symbols, sizes, symbolic(claim.symbols, sizes), claim.layout)
        sequence = ev.value(claim.sequence.name)
        closed = ev(claim.closed, sequence.shape)
        initial = ev(claim.initial, sequence.shape)
        step = ev(claim.step, sequence.shape)
        for what, m in (("closed form", closed), ("initial value", initial), ("step", step)):
            if m.shape != sequence.shape:
                raise _Mismatch(
                    f"the {what} is {m.shape[0]}x{m.shape[1]} but {claim.sequence.name} is "
                    f"{sequence.shape[0]}x{sequence.shape[1]} at {sizing.describe([dict(sizes)])}"
                )
        k = ev.value(claim.k.name)[0, 0]
        return cls(claim, sizes, ev, closed, initial, step, sequence, k)

    def at(self, m: sympy.Matrix, k: sympy.Expr, state: sympy.Matrix | None = None) -> sympy.Matrix:
        """``m`` with the index set to ``k`` and, if given, the sequence symbol set to ``state``."""
        table: dict[sympy.Expr, sympy.Expr] = {self.k: k}
        if state is not None:
            table.update(zip(self.sequence, state, strict=True))
        return m.xreplace(table)

    def parameters(self) -> set[sympy.Symbol]:
        atoms: set[sympy.Symbol] = set()
        for m in (self.closed, self.initial, self.step):
            atoms |= m.free_symbols
        return atoms - {self.k} - set(self.sequence)

    def mentioned(self) -> list[str]:
        c = self.claim
        names = c.closed.names() | c.initial.names() | c.step.names()
        return [n for n in c.symbols if n in names and n not in (c.sequence.name, c.k.name)]


class _Mismatch(Exception):
    pass


@dataclass(frozen=True)
class Divergence:
    """Where the closed form leaves the sequence: the index, the point, both values."""

    k: int
    point: dict[sympy.Symbol, sympy.Rational]
    closed: sympy.Matrix
    iterate: sympy.Matrix


def iterate_and_compare(inst: Instance, rng: random.Random, depth: int = DEPTH,
                        points: int = POINTS) -> tuple[Divergence | None, int]:
    """Compute s^base, ..., s^(base+depth) exactly by the step; compare each with closed(k)."""
    base = inst.claim.base
    atoms = inst.parameters()
    valid = 0
    for _ in range(points * 3):
        if valid >= points:
            break
        point = sample_point(atoms, rng)
        # orthogonal, diagonal, positive definite symbols and scalars in an interval drawn whole,
        # inside their declarations
        point.update(structured_values(inst.claim.symbols, inst.sizes, atoms, rng))
        try:
            state = inst.at(inst.initial, sympy.Integer(base)).xreplace(point)
            if not _exact(state):
                continue
            compared = 0
            for i in range(depth + 1):
                k = sympy.Integer(base + i)
                closed_raw = inst.at(inst.closed, k)
                if not off_boundaries((closed_raw,), point):
                    break
                closed = closed_raw.xreplace(point)
                if not _exact(closed):
                    break
                compared += 1
                if any(differs(a, b) for a, b in zip(closed, state, strict=True)):
                    return Divergence(base + i, point, closed, state), valid + 1
                step_raw = inst.at(inst.step, k, state)
                if not off_boundaries((step_raw,), point):
                    break
                state = step_raw.xreplace(point)
                if not (_exact(state) and _small(state)):
                    break
        except (ZeroDivisionError, ValueError, TypeError):
            continue
        if compared:
            valid += 1
    return None, valid


def _counterexample(inst: Instance, d: Divergence) -> Counterexample:
    c = inst.claim
    values: dict[str, str] = {}
    exact: dict[str, str] = {}
    for name in inst.mentioned():
        m = inst.ev.value(name).xreplace(d.point)
        if not m.free_symbols:
            values[name] = show(m)
    values[c.k.name] = str(d.k)
    for a, v in sorted(d.point.items(), key=lambda kv: str(kv[0])):
        exact[str(a)] = sympy.sstr(v)
    exact[str(inst.k)] = str(d.k)
    steps = d.k - c.base
    note = (
        f"lhs: the closed form at {c.k.name} = {d.k}; rhs: {c.sequence.name} at {c.k.name} = {d.k}, "
        f"computed by applying the step {steps} time{'s' if steps != 1 else ''} to the initial value"
    )
    return Counterexample(values=values, lhs=show(d.closed), rhs=show(d.iterate),
                          sizes=dict(inst.sizes), note=note, point=exact)


def _relations(inst: Instance) -> list[sympy.Expr]:
    return relations(inst.claim.symbols, inst.sizes, inst.mentioned())


def _invertibles(inst: Instance) -> list[sympy.Matrix]:
    c = inst.claim
    names = c.closed.names() | c.initial.names() | c.step.names()
    return [inst.ev.value(n) for n, s in c.symbols.items() if s.invertible and n in names]


@dataclass(frozen=True)
class Induction:
    """The outcome of the two proof obligations at one binding of the letters."""

    proved: bool
    detail: str
    refutation: Divergence | None = None


def prove_by_induction(inst: Instance, rng: random.Random, progress: Progress) -> Induction:
    base = inst.claim.base
    kname = inst.claim.k.name
    progress(f"base case {kname} = {base}")
    lhs = inst.at(inst.closed, sympy.Integer(base))
    rhs = inst.at(inst.initial, sympy.Integer(base))
    # compare's own points draw every entry alone: outside an orthogonal, diagonal or positive
    # definite declaration, so with such a symbol they refute nothing (iterate_and_compare has
    # compared the base case at points inside the declarations already).
    tries = 0 if any(drawn_whole(inst.claim.symbols[n]) for n in inst.mentioned()) else 12
    outcome = compare(lhs, rhs, rng, _invertibles(inst), tries=tries, progress=progress,
                      relations=_relations(inst))
    if outcome.separation is not None:
        sep = outcome.separation
        return Induction(False, "the base case fails",
                         Divergence(base, dict(sep.point), sep.lhs, sep.rhs))
    if not outcome.proved:
        return Induction(False, f"base case {kname} = {base} not proved: {outcome.tried}")
    base_methods = ", ".join(outcome.methods)

    progress("induction step")
    # k = base + j with j a nonnegative integer: the step is claimed for these k only.
    j = sympy.Dummy("j", integer=True, nonnegative=True)
    k = base + j
    names = PowerNames(j, {})
    lhs = names(inst.at(inst.closed, k + 1))
    rhs = names(inst.at(inst.step, k, inst.at(inst.closed, k)))
    outcome = compare(lhs, rhs, rng, _invertibles(inst), tries=tries, progress=progress, relations=_relations(inst))
    powers = f" (with {names.describe()} as independent symbols)" if names.table else ""
    if not outcome.proved:
        why = ("its sides differ at a point where the powers of the index are independent "
               "symbols (not a counterexample: those powers are not free)")
        tried = why if outcome.separation is not None else outcome.tried
        return Induction(
            False,
            f"base case proved by {base_methods}; the step {_step_text(inst)} was not "
            f"proved{powers}: {tried}",
        )
    return Induction(
        True,
        f"by induction on {kname} >= {base}: base case by {base_methods}; "
        f"step {_step_text(inst)} by {', '.join(outcome.methods)}{powers}",
    )


def _step_text(inst: Instance) -> str:
    k = inst.claim.k.name
    return f"closed({k}+1) = step(closed({k}))"


def _letters(claim: Recurrence) -> frozenset[str]:
    out: frozenset[str] = claim.symbols[claim.sequence.name].shape.letters
    for e in (claim.closed, claim.initial, claim.step):
        for name in e.names():
            out |= claim.symbols[name].shape.letters
    return out


def _check(claim: Recurrence) -> str | None:
    """What makes the claim unreadable, or None."""
    for v, role in ((claim.sequence, "sequence"), (claim.k, "index")):
        if v.name not in claim.symbols:
            return f"the {role} symbol {v.name!r} is not declared"
    seq, k = claim.symbols[claim.sequence.name], claim.symbols[claim.k.name]
    if not k.shape.is_scalar:
        return f"the index {k.name} must be a scalar, not {k.shape}"
    if claim.k.name == claim.sequence.name:
        return "the index and the sequence must be different symbols"
    names: frozenset[str] = frozenset()
    for e in (claim.closed, claim.initial, claim.step):
        names |= e.names()
    if any(claim.symbols[n].of for n in names if n in claim.symbols) or seq.of or k.of:
        return "recurrences over functions declared of(...) are not supported"
    if claim.sequence.name in claim.closed.names() or claim.sequence.name in claim.initial.names():
        return f"the closed form and the initial value must not mention the sequence {seq.name}"
    for what, e in (("closed form", claim.closed), ("initial value", claim.initial), ("step", claim.step)):
        shape = shape_of(e, claim.symbols, claim.layout)
        if not _fits(shape, seq.shape):
            return f"the {what} is {shape} but {seq.name} is {seq.shape}"
    return None


def _fits(a: Shape, b: Shape) -> bool:
    def same(x: object, y: object) -> bool:
        return x == y or "*" in (x, y)

    return same(a.rows, b.rows) and same(a.cols, b.cols)


@decide_inline.register
def decide_recurrence(claim: Recurrence, progress: Progress = quiet) -> Result:
    try:
        problem = _check(claim)
    except VerifyError as err:
        return Result(Verdict.ERROR, detail=str(err))
    if problem:
        return Result(Verdict.ERROR, detail=problem)
    rng = random.Random(anonymous(claim))
    instances: list[Instance] = []
    for sizes in sizing.bindings(_letters(claim)):
        try:
            instances.append(Instance.build(claim, sizes))
        except _Mismatch as err:
            return Result(Verdict.ERROR, detail=str(err))
        except VerifyError as err:
            return Result(Verdict.ERROR, detail=str(err))
        except ZeroDivisionError:
            return Result(Verdict.ERROR, detail=f"a side is undefined (division by zero) at "
                          f"{sizing.describe([sizes])}")

    for inst in instances:
        progress(f"iterating the step at random points, {sizing.describe([dict(inst.sizes)])}")
        found, _ = iterate_and_compare(inst, rng)
        if found is not None:
            return _refuted(inst, found)

    progress("induction for every size")
    everywhere = _induction_for_all_sizes(claim)
    if everywhere is not None:
        scope = f"every integer {claim.k.name} >= {claim.base}" + ("; all sizes" if _letters(claim) else "")
        return Result(Verdict.PROVED, scope=scope,
                      detail=f"proved by induction on {claim.k.name}: the base case and the step by {everywhere}")

    details: list[str] = []
    proved_at: list[dict[str, int]] = []
    for inst in instances:
        outcome = prove_by_induction(inst, rng, progress)
        if outcome.refutation is not None:
            return _refuted(inst, outcome.refutation)
        if not outcome.proved:
            progress(f"iterating further, to {inst.claim.k.name} = {inst.claim.base + DEEP}")
            found, _ = iterate_and_compare(inst, rng, depth=DEEP, points=2)
            if found is not None:
                return _refuted(inst, found)
            where = f" at {sizing.describe([dict(inst.sizes)])}" if inst.sizes else ""
            return Result(Verdict.UNKNOWN,
                          detail=f"the closed form agrees with the iterated step at {POINTS} random points "
                          f"for the first {DEPTH + 1} terms (and at 2 points for {DEEP + 1}); "
                          f"not proved{where}: {outcome.detail}")
        proved_at.append(dict(inst.sizes))
        if outcome.detail not in details:
            details.append(outcome.detail)
    scope = f"every integer {claim.k.name} >= {claim.base}"
    if proved_at != [{}]:
        scope += f"; {sizing.describe(proved_at)}"
    return Result(Verdict.PROVED, detail="proved " + "; ".join(details), scope=scope)


def _induction_for_all_sizes(claim: Recurrence) -> str | None:
    """The base case closed(base) = initial and the step closed(k + 1) = step(closed(k)), each by
    the size-independent prover, or None. An index power M^k in the closed form is then an atom
    with M^(k + 1) = M^k M, which holds for every integer k >= 0: so only from a base >= 0."""
    if claim.base < 0:
        return None
    if {claim.sequence.name, claim.k.name} & (differentiated(claim.step) | differentiated(claim.closed)):
        return None  # closed(k) put for s^k inside d/ds^k would be no derivative at closed(k)
    k = claim.k
    base_case = Equality(id=claim.id, statement="", symbols=claim.symbols, layout=claim.layout,
                         lhs=substitute(claim.closed, {k.name: lift(claim.base)}),
                         rhs=substitute(claim.initial, {k.name: lift(claim.base)}))
    step = Equality(id=claim.id, statement="", symbols=claim.symbols, layout=claim.layout,
                    lhs=substitute(claim.closed, {k.name: Add((k, lift(1)))}),
                    rhs=substitute(claim.step, {claim.sequence.name: claim.closed}))
    proofs = [attempt(c).proof for c in (base_case, step)]
    if any(p is None for p in proofs):
        return None
    return proofs[0] if proofs[0] == proofs[1] else f"{proofs[0]} and {proofs[1]}"


def _refuted(inst: Instance, d: Divergence) -> Result:
    c = inst.claim
    detail = (f"the closed form and the sequence differ at {c.k.name} = {d.k}"
              + (f", {sizing.describe([dict(inst.sizes)])}" if inst.sizes else ""))
    return Result(Verdict.REFUTED, detail=detail, counterexample=_counterexample(inst, d))

