"""Deciding claims: refute by exact evaluation, prove by normal forms, report the scope.

The interface other packages use is what this module exports (``__all__``): :func:`decide` (one
claim, in a worker killed at its limits) and :func:`decide_inline` (in this process); batches of
decisions (:class:`Execution`, :func:`decide_all`) on local workers or a Dask cluster, with the
decision cache; the memory limit of the workers; and, for pictures of a claim, the evaluation
of its sides (:class:`Evaluator`, :func:`symbolic`, :func:`realise`, :mod:`.evaluation.sizing`).

Inside: :mod:`.kinds` (one procedure per kind of claim), :mod:`.proof` (what proofs and
refutations are made of), :mod:`.evaluation` (points, sizes, instantiation, jets, certified
values), :mod:`.batch` (running many decisions).
"""

from verify.deciding.batch.cache import CacheError, check_cache_file, default_path
from verify.deciding.batch.cluster import (
    DEFAULT_CLUSTER_TIMEOUT,
    ClusterError,
    parse_address,
    probe,
    undecided_reasons,
)
from verify.deciding.batch.execution import Execution, Stats, decide_all
from verify.deciding.batch.scheduler import cores
from verify.deciding.dispatch import Progress, decide_inline
from verify.deciding.engine import DEFAULT_TIMEOUT, decide
from verify.deciding.evaluation import sizing
from verify.deciding.evaluation.instantiate import Evaluator, symbolic
from verify.deciding.isolation import DEFAULT_MEMORY_MB, MIN_MEMORY_MB, set_memory_limit
from verify.deciding.proof.real_function import realise

__all__ = [
    "DEFAULT_CLUSTER_TIMEOUT", "DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "MIN_MEMORY_MB", "CacheError", "ClusterError",
    "Evaluator", "Execution", "Progress", "Stats", "check_cache_file", "cores", "decide", "decide_all",
    "decide_inline", "default_path", "parse_address", "probe", "realise", "set_memory_limit", "sizing", "symbolic",
    "undecided_reasons",
]
