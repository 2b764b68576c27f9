"""kubernetes: progress_deadline_seconds (default 600) > min_ready_seconds (default 10).

(``revision_history_limit`` >= 1 is the schema's ``minimum``: one place, so the reference shows
one bound; it was also a rule, kubernetes-revision-history, until issue #19.)
"""
from __future__ import annotations

from typing import Iterator

from ..defaults import is_default
from ..diagnostics import Finding
from ._common import section, shown

RULE_DEADLINE = "kubernetes-progress-deadline"
RULES = {
    RULE_DEADLINE: "kubernetes.progress_deadline_seconds (default 600) is greater than "
                   "min_ready_seconds (default 10).",
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
