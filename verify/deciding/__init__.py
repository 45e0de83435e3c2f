"""Deciding claims: refute by exact evaluation, prove by normal forms, report the scope.

The interface: :func:`verify.deciding.engine.decide` (one claim, in a killed-on-overrun worker)
and :func:`verify.deciding.dispatch.decide_inline` (in this process); batches of decisions run
through :mod:`verify.deciding.batch`. Inside: :mod:`.kinds` (one procedure per kind of claim),
:mod:`.proof` (what proofs and refutations are made of), :mod:`.evaluation` (points, sizes,
instantiation, jets, certified values).
"""
