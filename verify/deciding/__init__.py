"""Deciding claims: instantiate, refute by exact evaluation, prove by normal forms."""
