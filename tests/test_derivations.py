"""Every HW1 claim gets the verdict its mathematics demands.

``expect`` in derivations/ is derived by hand (each claim says how); these tests fail when
the engine disagrees, in either direction.
"""

from __future__ import annotations

import pytest

from checking import separates
from derivations import all_claims
from verify.deciding.engine import decide
from verify.model.claim import Equality
from verify.model.result import Verdict, agrees

CLAIMS = all_claims()


def test_every_claim_states_what_is_known() -> None:
    ids = [c.id for _, c in CLAIMS]
    assert len(ids) == len(set(ids)), "claim ids must be unique"
    for _, c in CLAIMS:
        assert c.expect in ("holds", "fails"), f"{c.id} has no expect"
        assert c.statement, f"{c.id} has no statement"


@pytest.mark.parametrize(("file", "claim"), CLAIMS, ids=[c.id for _, c in CLAIMS])
def test_verdict_matches_mathematics(file: str, claim) -> None:
    result = decide(claim, timeout=120)
    assert agrees(result, claim.expect), f"{claim.id}: {result.verdict} ({result.detail})"
    if result.verdict is Verdict.REFUTED:
        cx = result.counterexample
        assert cx is not None and cx.lhs != cx.rhs
        if isinstance(claim, Equality):
            assert separates(claim, cx), f"{claim.id}: the counterexample does not separate the sides"
