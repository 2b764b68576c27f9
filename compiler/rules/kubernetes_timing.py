"""kubernetes: progress_deadline_seconds (default 600) > min_ready_seconds (default 10); revision_history_limit (default 10) >= 1."""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import default, is_int, section

RULE_DEADLINE = "kubernetes-progress-deadline"
RULE_HISTORY = "kubernetes-revision-history"
RULES = {
    RULE_DEADLINE: "kubernetes.progress_deadline_seconds (default 600) is greater than "
                   "min_ready_seconds (default 10).",
    RULE_HISTORY: "kubernetes.revision_history_limit (default 10) is at least 1: 0 leaves nothing "
                  "to roll back to.",
}


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None:
        return
    deadline = k8s.get("progress_deadline_seconds",
                       default("kubernetes", "progress_deadline_seconds", fallback=600))
    ready = k8s.get("min_ready_seconds", default("kubernetes", "min_ready_seconds", fallback=10))
    if is_int(deadline) and is_int(ready) and deadline <= ready:
        path = ("kubernetes", "progress_deadline_seconds" if "progress_deadline_seconds" in k8s
                else "min_ready_seconds")
        yield Finding(path, RULE_DEADLINE,
                      f"progress_deadline_seconds ({deadline}) must be greater than "
                      f"min_ready_seconds ({ready}), else every rollout is reported as failed",
                      hint=f"raise progress_deadline_seconds above {ready}")
    history = k8s.get("revision_history_limit",
                      default("kubernetes", "revision_history_limit", fallback=10))
    if is_int(history) and history < 1:
        yield Finding(("kubernetes", "revision_history_limit"), RULE_HISTORY,
                      f"revision_history_limit is {history}; with no old ReplicaSets kept there is "
                      "nothing to roll back to", hint="keep at least 1 (the default is 10)")
