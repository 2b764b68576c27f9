from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE = "kubernetes-model-needs-artifacts"
DOC = "kubernetes.model needs artifacts: the served model is an object version in artifacts.bucket."
SOURCE = None            # mplat's own rule: no AWS or Kubernetes limit behind it


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None or not isinstance(k8s.get("model"), dict):
        return
    if section(stack, "artifacts") is None:
        yield Finding(("kubernetes", "model"), RULE,
                      "kubernetes.model names an object in artifacts.bucket, but there is no "
                      "artifacts section", at="key",
                      hint="add an artifacts section, or remove kubernetes.model")
