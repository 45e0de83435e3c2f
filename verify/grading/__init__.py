"""Grading submitted derivations: sections, steps, verdicts, scores."""
