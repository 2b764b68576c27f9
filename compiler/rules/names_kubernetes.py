"""An RFC 1123 label is at most 63 characters of lowercase letters, digits and ``-``, starting and
ending with a letter or digit.
"""
from __future__ import annotations

import re
from typing import Iterator

from .. import names
from ..diagnostics import Finding
from ._common import section

RULE = "kubernetes-name-invalid"
DOC = ("Kubernetes names (namespace, and the Deployment/Service/PodDisruptionBudget name <name>) "
       "are RFC 1123 labels.")
SOURCE = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/"
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def label_problems(name: str) -> list[str]:
    out = []
    if not 1 <= len(name) <= 63:
        out.append(f"is {len(name)} characters long (allowed: 1-63)")
    if name and not _LABEL.match(name):
        out.append("is not an RFC 1123 label (lowercase letters, digits and '-', starting and "
                   "ending with a letter or digit)")
    return out


def _label(text: str) -> str:
    """``text`` as a valid label: lowercase, other characters as '-', at most 63 characters."""
    out = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", text.lower())).strip("-")[:63]
    return out.strip("-") or "ml-serving"


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None:
        return
    ns = k8s.get("namespace")
    if isinstance(ns, str):
        found = label_problems(ns)
        if found:
            yield Finding(("kubernetes", "namespace"), RULE,
                          f"namespace '{ns}' " + "; ".join(found),
                          hint=f"write it as an RFC 1123 label, e.g. '{_label(ns)}'")
    obj = names.kubernetes_object(stack.data)
    if isinstance(obj, str) and obj:
        found = label_problems(obj)
        if found:
            yield Finding(("metadata", "name"), RULE,
                          f"the Deployment, Service and PodDisruptionBudget are named after "
                          f"metadata.name, and '{obj}' " + "; ".join(found),
                          hint="use lowercase letters, digits and '-' in metadata.name")
