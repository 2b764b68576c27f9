"""kubernetes: progress_deadline_seconds (default 600) > min_ready_seconds (default 10); revision_history_limit (default 10) >= 1."""
from __future__ import annotations

from typing import Iterator

from ..defaults import is_default
from ..diagnostics import Finding
from ._common import section, shown

RULE_DEADLINE = "kubernetes-progress-deadline"
RULE_HISTORY = "kubernetes-revision-history"
RULES = {
    RULE_DEADLINE: "kubernetes.progress_deadline_seconds (default 600) is greater than "
                   "min_ready_seconds (default 10).",
    RULE_HISTORY: "kubernetes.revision_history_limit (default 10) is at least 1: 0 leaves nothing "
                  "to roll back to.",
}
SOURCE = "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/"


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None:
        return
    deadline, ready = k8s["progress_deadline_seconds"], k8s["min_ready_seconds"]
    if deadline <= ready:
        path = ("kubernetes", "min_ready_seconds"
                if is_default(stack, ("kubernetes", "progress_deadline_seconds"))
                else "progress_deadline_seconds")
        yield Finding(path, RULE_DEADLINE,
                      f"progress_deadline_seconds is "
                      f"{shown(stack, ('kubernetes', 'progress_deadline_seconds'))} and "
                      f"min_ready_seconds is {shown(stack, ('kubernetes', 'min_ready_seconds'))}: "
                      "the deadline must be greater, else every rollout is reported as failed",
                      hint=f"raise progress_deadline_seconds above {ready}")
    history = k8s["revision_history_limit"]
    if history < 1:
        yield Finding(("kubernetes", "revision_history_limit"), RULE_HISTORY,
                      f"revision_history_limit is {history}; with no old ReplicaSets kept there is "
                      "nothing to roll back to", hint="keep at least 1 (the default is 10)")
