"""kubernetes.rolling_update: max_surge and max_unavailable are not both zero; percentages (also in disruption_budget) are 0-100%.

The defaults are the schema's (max_surge 1, max_unavailable 0); 0 and "0%" are both zero.
"""
from __future__ import annotations

import re
from typing import Iterator

from ..defaults import is_default
from ..diagnostics import Finding
from ._common import is_int, section, shown

RULE_ZERO = "kubernetes-rolling-update-zero"
RULE_PERCENT = "kubernetes-percentage-range"
RULES = {
    RULE_ZERO: "kubernetes.rolling_update: max_surge and max_unavailable are not both zero.",
    RULE_PERCENT: "Kubernetes percentages (rolling_update, disruption_budget) are 0-100%.",
}
SOURCE = "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/"


def percent(value) -> int | None:
    """The number of a percentage string such as '25%', else None."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*%\s*", value)
        if m:
            return int(m.group(1))
    return None


def is_zero(value) -> bool:
    return (is_int(value) and value == 0) or percent(value) == 0


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None:
        return
    for sect in ("rolling_update", "disruption_budget"):
        values = k8s.get(sect)
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            pct = percent(value)
            if pct is not None and pct > 100:
                yield Finding(("kubernetes", sect, key), RULE_PERCENT,
                              f"{sect}.{key} is '{value}'; a percentage is 0-100%",
                              hint=f"give {sect}.{key} a percentage from 0% to 100% instead of "
                                   f"'{value}', or a whole number of pods")
    ru = k8s["rolling_update"]
    surge, unavailable = ru["max_surge"], ru["max_unavailable"]
    if is_zero(surge) and is_zero(unavailable):
        at = ("kubernetes", "rolling_update")
        path = at + ("max_surge" if is_default(stack, at + ("max_unavailable",))
                     else "max_unavailable",)
        yield Finding(path, RULE_ZERO,
                      f"max_surge is {shown(stack, at + ('max_surge',))} and max_unavailable is "
                      f"{shown(stack, at + ('max_unavailable',))}: with both zero the rollout "
                      "could neither add a new pod nor remove an old one",
                      hint="set max_surge: 1 (keeps capacity) or max_unavailable: 1")
