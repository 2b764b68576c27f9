"""The defaults of the spec language: the schema's ``default`` keywords are their one source.

The model applies them, the rules assume them and the reference docs show them; all three read them
here, so a default changes in ``schemas/`` and nowhere else.
"""
from __future__ import annotations

import functools
import json
from typing import Any

from . import SCHEMA_PATH

_MISSING = object()


@functools.lru_cache(maxsize=1)
def _schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def default(section: str, *keys: str, fallback: Any = _MISSING) -> Any:
    """The default of ``<section>.<keys...>`` ("items" steps into a list's items).

    Without ``fallback``, a field with no default in the schema is a programming error (KeyError).
    """
    node: Any = _schema().get("$defs", {}).get(section, {})
    for key in keys:
        node = node.get("items", {}) if key == "items" else node.get("properties", {}).get(key, {})
    if isinstance(node, dict) and "default" in node:
        return node["default"]
    if fallback is _MISSING:
        raise KeyError(f"the schema has no default for {'.'.join((section,) + keys)}")
    return fallback
