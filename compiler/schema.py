"""Schema stage (placeholder until the schema work lands): JSON Schema -> findings."""
from __future__ import annotations

RULES_DOC: dict = {}


def check(stack) -> list:
    return []
