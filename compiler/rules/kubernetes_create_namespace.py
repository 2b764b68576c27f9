"""Creating such a namespace fails (it exists), and a stack that owned it would try to delete
it, with everything in it, on destroy. Kubernetes creates these four itself (Namespaces concept
page, "Initial namespaces").
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import section, shown

RULE = "kubernetes-namespace-reserved"
DOC = ('kubernetes.create_namespace: true cannot own a namespace every cluster already has (default, '
       'kube-system, kube-public, kube-node-lease).')
SOURCE = "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"
INITIAL = ("default", "kube-system", "kube-public", "kube-node-lease")


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None or not k8s["create_namespace"] or k8s["namespace"] not in INITIAL:
        return
    yield Finding(("kubernetes", "create_namespace"), RULE,
                  f"create_namespace is true but namespace is "
                  f"{shown(stack, ('kubernetes', 'namespace'))}, which every cluster already has: "
                  "the stack cannot create it, and must never own (and destroy) it",
                  hint="use a namespace of the model's own, or set create_namespace: false")
