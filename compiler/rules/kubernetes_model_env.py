from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE = "kubernetes-model-env-reserved"
DOC = ("kubernetes: with `model`, env must not set MODEL_URI or MODEL_VERSION_ID (the pin sets "
       "them).")
SOURCE = None            # mplat's own rule: no AWS or Kubernetes limit behind it
RESERVED = ("MODEL_URI", "MODEL_VERSION_ID")


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if not k8s or not isinstance(k8s.get("model"), dict):
        return
    env = k8s.get("env")
    for name in RESERVED:
        if isinstance(env, dict) and name in env:
            yield Finding(("kubernetes", "env", name), RULE,
                          f"kubernetes.env sets {name}, which kubernetes.model sets from the pinned "
                          f"model version", at="key",
                          hint=f"remove {name} from env; change kubernetes.model to serve another "
                               f"model version")
