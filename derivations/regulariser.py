"""HW1: (to be written)."""

from verify.model.claim import Claim

SECTION = ""
CLAIMS: list[Claim] = []
