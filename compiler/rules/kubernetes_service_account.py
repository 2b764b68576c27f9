"""The schema's pattern checks the characters and the first and last one; this rule checks the rest,
which the schema cannot explain: ``..``, ``.-`` and ``-.`` (an empty label, or a label starting
or ending with '-'). The provider refuses such a name at plan time, or the API server refuses the
ServiceAccount and the pod template (Kubernetes source: apimachinery
pkg/util/validation/validation.go ``IsDNS1123Subdomain``, used by ``ValidateServiceAccountName``).
"""
from __future__ import annotations

import re
from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE = "kubernetes-service-account-name"
DOC = ('kubernetes.service_account is a DNS-1123 subdomain: dot-separated labels of lowercase '
       "letters, digits and '-', each starting and ending with a letter or digit, at most 253 "
       'characters.')
SOURCE = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names"
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")


def problem(name: str) -> str | None:
    if len(name) > 253:
        return f"is {len(name)} characters long (at most 253)"
    if SUBDOMAIN.match(name):
        return None
    for bad in ("..", ".-", "-."):
        if bad in name:
            return f"contains '{bad}': each dot-separated label must start and end with a " \
                   "lowercase letter or digit"
    return "is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', each label " \
           "starting and ending with a letter or digit)"


def repaired(name: str) -> str:
    """The nearest DNS-1123 subdomain to ``name``: lowercase, other characters to '-', no empty
    label and no label starting or ending with '-'."""
    labels = [re.sub(r"[^a-z0-9-]+", "-", label).strip("-")
              for label in name.lower().split(".")]
    return ".".join(label for label in labels if label)[:253].strip(".-") or "model-reader"


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None or not isinstance(k8s.get("service_account"), str):
        return
    why = problem(k8s["service_account"])
    if why:
        yield Finding(("kubernetes", "service_account"), RULE,
                      f"service_account '{k8s['service_account']}' {why}; Kubernetes refuses "
                      "the ServiceAccount and the pods that name it",
                      hint=f"rename '{k8s['service_account']}' to e.g. '{repaired(k8s['service_account'])}'")
