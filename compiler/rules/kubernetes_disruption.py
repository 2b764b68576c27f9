"""kubernetes.disruption_budget must let node drains proceed (min_available < replicas); a warning when replicas is 1.

``min_available`` must be below ``replicas`` (default 2) — ``100%`` never allows an eviction — and
``max_unavailable`` must not be 0 or ``0%``: otherwise node drains block forever. With a single
replica a disruption budget can never keep the service available during a drain: a warning.
"""
from __future__ import annotations

from typing import Iterator

from ..defaults import is_default
from ..diagnostics import WARNING, Finding
from ._common import is_int, section, shown
from .kubernetes_rolling_update import is_zero, percent

RULE = "kubernetes-disruption-budget"
RULE_SINGLE = "kubernetes-single-replica"
RULES = {
    RULE: "kubernetes.disruption_budget lets node drains proceed: min_available < replicas "
          "(not 100%), max_unavailable not 0.",
    RULE_SINGLE: "A warning when a disruption budget is set and replicas is 1 (it cannot keep the "
                 "model available during a drain).",
}
SOURCE = "https://kubernetes.io/docs/tasks/run-application/configure-pdb/"


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None:
        return
    pdb = k8s.get("disruption_budget")
    if not isinstance(pdb, dict):
        return
    replicas = k8s["replicas"]
    said = f"replicas is {shown(stack, ('kubernetes', 'replicas'))}"
    blocked = False
    low = pdb.get("min_available")
    if is_int(low) and low >= replicas:
        blocked = True
        yield Finding(("kubernetes", "disruption_budget", "min_available"), RULE,
                      f"min_available is {low} but {said}: no pod could ever be evicted, so node "
                      "drains would block forever",
                      hint=f"set min_available to at most {replicas - 1}, or raise replicas"
                      if replicas > 1 else "raise replicas, or remove the disruption budget")
    elif percent(low) is not None and percent(low) >= 100:
        blocked = True
        yield Finding(("kubernetes", "disruption_budget", "min_available"), RULE,
                      f"min_available is '{low}': no pod could ever be evicted, so node drains "
                      "would block forever", hint="use a lower percentage, e.g. '50%'")
    high = pdb.get("max_unavailable")
    if "max_unavailable" in pdb and is_zero(high):
        blocked = True
        yield Finding(("kubernetes", "disruption_budget", "max_unavailable"), RULE,
                      f"max_unavailable is {high!r}: no pod could ever be evicted, so node drains "
                      "would block forever", hint="allow at least 1")
    if replicas == 1 and not blocked and not is_default(stack, ("kubernetes", "disruption_budget")):
        yield Finding(("kubernetes", "replicas"), RULE_SINGLE,
                      f"{said}: with one pod a disruption budget cannot keep the model available "
                      "while a node drains", severity=WARNING,
                      hint="run at least 2 replicas, or remove disruption_budget here")
