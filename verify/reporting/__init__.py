"""Presenting results: a rich table for people, JSON for other tools."""
