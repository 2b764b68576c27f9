"""Helpers shared by the rule modules (not a rule: modules starting with ``_`` are not registered)."""
from __future__ import annotations

from typing import Any, Iterator

from ..defaults import is_default
from ..words import get


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
    (``, the default`` when ``inner``: inside parentheses) when the spec did not write it
    (``compiler.defaults`` filled it in)."""
    if value is None:
        value = get(stack.data, *path)
    if not is_default(stack, path):
        return f"{value}"
    return f"{value}, the default" if inner else f"{value} (the default)"
