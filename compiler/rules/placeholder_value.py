"""A value still holds the placeholder ``change-me`` that `mplat init` writes where only the user knows the value: a warning.

``mplat init`` writes a spec that validates at once; where a value can only come from the user
(the owning team, the container image, the EKS cluster), it writes a placeholder that is valid in
shape and contains ``change-me``. Each one is a warning until it is replaced, so a spec is never
applied with a made-up value by accident.
"""
from __future__ import annotations

from typing import Any, Iterator

from ..diagnostics import WARNING, Finding

RULE = "placeholder-value"
DOC = ("A value still holds the placeholder change-me that `mplat init` writes where only the user "
       "knows the value: a warning.")
SOURCE = None        # mplat's own convention (newcomer/init.py)
PLACEHOLDER = "change-me"     # lowercase: valid in names, image references and tags


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _strings(sub, path + (key,))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _strings(sub, path + (i,))
    elif isinstance(value, str):
        yield path, value


def check(stack) -> Iterator[Finding]:
    if not isinstance(stack.data, dict):
        return
    for path, value in _strings(stack.data, ()):
        if path[:1] == ("environments",) or PLACEHOLDER not in value:
            continue
        field = ".".join(str(p) for p in path)
        yield Finding(path, RULE, f"{field} is the placeholder '{value}': only you know this value",
                      severity=WARNING, hint=f"replace '{PLACEHOLDER}' in {field} with the real value")
