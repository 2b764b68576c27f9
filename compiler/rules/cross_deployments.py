"""The Deployment, Service and PodDisruptionBudget are named ``<name>`` (without the environment), so
two environments of one spec must not deploy to the same cluster and namespace.
"""
from __future__ import annotations

from typing import Iterator

from .. import names
from ..diagnostics import Finding
from ._common import get, shown

RULE = "kubernetes-deployment-duplicate"
DOC = ("Across stacks: at most one Deployment per (cluster, namespace, name); a cluster is its "
       "eks_cluster with account and region, or kubeconfig and context; the namespace defaults "
       "to metadata.name.")
SOURCE = None            # mplat's own rule: no AWS or Kubernetes limit behind it


def cluster_identity(stack) -> tuple | None:
    cluster = get(stack.data, "kubernetes", "cluster")
    if not isinstance(cluster, dict):
        return None
    if cluster.get("eks_cluster"):
        return ("eks", cluster["eks_cluster"], get(stack.data, "aws", "account_id"),
                get(stack.data, "aws", "region"))
    return ("kubeconfig", cluster.get("kubeconfig"), cluster.get("context"))


def describe(identity: tuple) -> str:
    if identity[0] == "eks":
        account = identity[2] or "(no account_id)"
        return f"EKS cluster '{identity[1]}' ({account}, {identity[3]})"
    return f"cluster context '{identity[2]}' of kubeconfig {identity[1]}"


def check_all(stacks) -> Iterator[tuple]:
    first: dict = {}
    for stack in stacks:
        k8s = get(stack.data, "kubernetes")
        identity = cluster_identity(stack)
        if not isinstance(k8s, dict) or identity is None:
            continue
        namespace = k8s["namespace"]          # resolved: metadata.name when the spec omits it
        name = names.kubernetes_object(stack.data)
        key = (identity, namespace, name)
        if key not in first:
            first[key] = stack
            continue
        other = first[key]
        path = ("kubernetes", "namespace")
        yield stack, Finding(path, RULE,
                             f"Deployment '{name}' in namespace "
                             f"{shown(stack, path, repr(namespace))} on "
                             f"{describe(identity)} is already deployed by {other.file} (stack "
                             f"{other.name}); each would overwrite the other",
                             hint=f"use another namespace than '{k8s['namespace']}' (e.g. "
                                  f"'{k8s['namespace']}-{stack.env or 'b'}') or another cluster "
                                  "in this environment")
