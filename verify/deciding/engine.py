"""The one entry point for deciding any claim: dispatch by kind, isolate, time-limit.

Each decision runs in a forked worker process that is killed when it overruns: unlike
``signal.alarm`` this works from any thread and stops C-level big-integer work too. The
worker reports progress through its pipe, so that a timeout can say what was being tried.
"""

from __future__ import annotations

import os
import time
import traceback

from verify.deciding.dispatch import Progress, decide_inline
from verify.deciding.isolation import memory_limit, run_isolated
from verify.deciding.kinds import (  # noqa: F401 (registration)
    convexity,
    degree,
    equality,
    limit,
    minimum,
    proportional,
    recurrence,
)
from verify.errors import VerifyError
from verify.model import Claim, Result, Verdict

DEFAULT_TIMEOUT = 60.0

_OUT_OF_MEMORY = Result(Verdict.UNKNOWN, detail="memory limit reached while deciding")


def guarded(claim: Claim, progress: Progress) -> Result:
    """One decision in this process that never raises: a user error is ``error``, running out of
    memory or a bug of ours is ``unknown`` with the reason (what the workers of :mod:`.batch` run)."""
    start = time.perf_counter()
    try:
        result = decide_inline(claim, progress)
    except VerifyError as err:
        result = Result(Verdict.ERROR, detail=str(err))
    except RecursionError:
        result = Result(Verdict.UNKNOWN, detail="expression too deeply nested to decide")
    except MemoryError:  # the worker's address-space cap (isolation.set_memory_limit, --memory)
        result = _OUT_OF_MEMORY  # made in advance: until this block ends, the failed work still holds its memory
    except Exception as err:  # a bug of ours must not pass for a verdict, nor print a traceback
        result = Result(Verdict.UNKNOWN, detail=f"internal error while deciding{_where(err)}: {_reason(err)}")
        if os.environ.get("VERIFY_DEBUG"):  # for developers: the whole traceback on stderr
            traceback.print_exc()
    return result.with_seconds(time.perf_counter() - start)


def _reason(err: Exception) -> str:
    """One line, of bounded length: the type and the first line of the message."""
    text = str(err).splitlines()[0] if str(err) else ""
    text = text if len(text) <= 200 else text[:200] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _where(err: Exception) -> str:
    """`` (at verify/deciding/evaluation/instantiate.py:113)``: the innermost frame of ours, for a bug report."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if "/verify/" in f.filename.replace("\\", "/")]
    if not frames:
        return ""
    path = frames[-1].filename.replace("\\", "/")
    return f" (at {path[path.rindex('/verify/') + 1:]}:{frames[-1].lineno})"


def warm_up() -> None:
    """Import in this process what every decision imports on first use, before a worker is forked.

    Why: a forked worker starts from its parent's memory, and what it imports dies with it. SymPy's
    ``Add`` imports ``sympy.tensor.tensor`` (and with it the combinatorics package) the first time
    it adds anything, and sampling imports the Fraction evaluator lazily (an import cycle): about
    24 ms that every fresh worker paid again, more than a small claim's whole decision. Idempotent."""
    import sympy.tensor.tensor  # noqa: F401

    from verify.deciding.evaluation import fraction_jets  # noqa: F401


def decide(claim: Claim, timeout: float | None = DEFAULT_TIMEOUT, progress: Progress = lambda s: None) -> Result:
    """Decide ``claim`` within ``timeout`` seconds of wall-clock time (None: in-process, no limit)."""
    if timeout is None:
        return guarded(claim, progress)
    warm_up()
    outcome = run_isolated(lambda report: guarded(claim, report), timeout, progress)
    if outcome.status == "done":
        return outcome.value
    if outcome.status == "timeout":
        detail = f"timed out after {timeout:g} s while {outcome.last}"
    elif outcome.status == "memory":
        cap = memory_limit()
        detail = f"{f'memory limit ({cap} MB)' if cap else 'out of memory'} reached while {outcome.last}"
    else:
        cap = memory_limit()
        detail = (f"the worker died while {outcome.last} (exit code {outcome.exitcode})"
                  f"{f': over the memory limit ({cap} MB)?' if cap else ''}")
    return Result(Verdict.UNKNOWN, detail=detail, seconds=outcome.seconds)
