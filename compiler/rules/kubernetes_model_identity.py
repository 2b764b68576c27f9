"""On an EKS cluster mplat gives the model server its own ServiceAccount and an IAM role (EKS Pod
Identity) that may only read the pinned model. On a cluster reached through a kubeconfig it cannot:
the pods run as the namespace's ``default`` service account and download the model from the
KMS-encrypted bucket with whatever credentials the node has. Name a ServiceAccount that carries a
scoped identity (IRSA or Pod Identity set up outside mplat) in ``kubernetes.service_account``.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ._common import section

RULE = "kubernetes-model-identity"
DOC = ("kubernetes.model on a kubeconfig cluster without kubernetes.service_account: the pods "
       "read the model with no scoped identity.")
SOURCE = "https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html"


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None or not isinstance(k8s.get("model"), dict) or k8s.get("service_account"):
        return
    cluster = k8s.get("cluster")
    if not isinstance(cluster, dict) or cluster.get("eks_cluster") or not cluster.get("kubeconfig"):
        return
    yield Finding(("kubernetes", "cluster", "kubeconfig"), RULE,
                  "the model server reads kubernetes.model from S3, but on a kubeconfig cluster "
                  "mplat creates no identity for it and kubernetes.service_account is not set: the "
                  "pods would use the default service account and the node's credentials",
                  severity=WARNING,
                  hint="set kubernetes.service_account to a ServiceAccount with a scoped IAM role "
                       "(IRSA or EKS Pod Identity), or use cluster: {eks_cluster: ...}")
