"""The API server refuses a Deployment whose container asks for any other name. A name without a
``/`` "must be a standard resource for containers"; a name with one must be a qualified name whose
prefix is a DNS-1123 subdomain outside ``kubernetes.io`` (an extended resource such as
``nvidia.com/gpu`` or ``vendor.example/fpga``). Kubernetes source:
pkg/apis/core/validation/validation.go ``ValidateContainerResourceName`` and
pkg/apis/core/helper/helpers.go ``IsStandardContainerResourceName``, ``IsExtendedResourceName``.
"""
from __future__ import annotations

import re
from typing import Iterator

from ..diagnostics import Finding
from ..defaults import is_default
from ..words import get
from ._common import section

RULE = "kubernetes-resource-name"
DOC = ('kubernetes.resources: every resource name is a standard container resource (cpu, memory, '
       'ephemeral-storage, hugepages-<size>) or domain-qualified (nvidia.com/gpu).')
SOURCE = "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#extended-resources"
STANDARD = ("cpu", "memory", "ephemeral-storage")
HUGEPAGES = "hugepages-"
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def problem(name: str) -> str | None:
    """Why the API server refuses ``name`` as a container resource name, or None."""
    if "/" not in name:
        if name in STANDARD or (name.startswith(HUGEPAGES) and len(name) > len(HUGEPAGES)):
            return None
        return ("is neither a standard container resource (cpu, memory, ephemeral-storage, "
                "hugepages-<size>) nor domain-qualified; the API server refuses the Deployment: "
                "\"must be a standard resource for containers\"")
    prefix, _, rest = name.partition("/")
    if not (_SUBDOMAIN.match(prefix) and len(prefix) <= 253 and _NAME.match(rest)
            and len(rest) <= 63):
        return ("is not a qualified name (a DNS subdomain prefix, '/', and a name of at most 63 "
                "letters, digits, '-', '_' or '.')")
    if prefix == "kubernetes.io" or prefix.endswith(".kubernetes.io") or \
            name.startswith("requests."):
        return "uses a prefix Kubernetes reserves for its own resources"
    return None


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None:
        return
    seen = set()
    for kind in ("requests", "limits"):
        for name in k8s["resources"][kind]:
            path = ("kubernetes", "resources", kind, name)
            other = ("kubernetes", "resources", "limits" if kind == "requests" else "requests", name)
            # once per name, at the one the spec wrote (a request derived from a limit, or the
            # other way round, is reported where its source is)
            if name in seen or (is_default(stack, path) and get(stack.data, *other) is not None
                                and not is_default(stack, other)):
                continue
            seen.add(name)
            why = problem(str(name))
            if why:
                yield Finding(path, RULE,
                              f"{kind}.{name}: the resource name '{name}' {why}",
                              hint="for a GPU use nvidia.com/gpu (or your device plugin's "
                                   "domain-qualified name)")
