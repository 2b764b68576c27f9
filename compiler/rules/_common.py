"""Helpers shared by the rule modules (not a rule: modules starting with ``_`` are not registered)."""
from __future__ import annotations

from typing import Any, Iterator

from ..defaults import provenance
from ..words import get


PRODUCTION_PREFIX = "prod"      # an environment named prod* (prod, production, prod-eu) is production


def is_production(env: str | None) -> bool:
    """Whether an environment is production by its name (``prod*``)."""
    return bool(env) and str(env).lower().startswith(PRODUCTION_PREFIX)


def section(stack, name: str) -> dict | None:
    """A top-level section of the merged document, or None when absent."""
    value = get(stack.data, name)
    return value if isinstance(value, dict) else None


def snapshots(stack) -> Iterator[tuple[int, dict]]:
    """(index, snapshot) for each mapping in backup.snapshots of a stack."""
    items = get(stack.data, "backup", "snapshots")
    if isinstance(items, list):
        for i, snap in enumerate(items):
            if isinstance(snap, dict):
                yield i, snap


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def shown(stack, path: tuple, value: Any = None, *, inner: bool = False) -> str:
    """``value`` (default: the value at ``path``) as a message shows it, marked ``(the default)``
    or ``(derived from <path>, environment '<env>')`` (``, the default`` when ``inner``: inside
    parentheses) when the spec did not write it (``compiler.defaults`` filled it in)."""
    if value is None:
        value = get(stack.data, *path)
    how = provenance(stack, path)
    if how is None:
        return f"{value}"
    return f"{value}, {how}" if inner else f"{value} ({how})"
