"""The defaults (UID and GID 10001, a read-only root filesystem) pass Checkov; an image that needs
another UID or writes outside /tmp can be run by setting its UID or listing ``writable_paths``,
which stay warning-free. Checkov ids: CKV_K8S_40 "Containers should run as a high UID to avoid
host conflict" (kubernetes framework, checkov/kubernetes/checks/resource/k8s/RootContainersHighUID.py,
UID >= 10000) and CKV_K8S_22 "Use read-only filesystem for containers where possible" (both
frameworks). No Checkov check covers the group; GID 0 is warned about because files of the root
group (often group-writable in images) become writable to the server.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ._common import section

RULE = "kubernetes-security-weakened"
DOC = ('kubernetes.security: a warning for each default weakened (run_as_user below 10000, '
       'run_as_group 0, read_only_root_filesystem false), naming the Checkov check it trips.')
SOURCE = "https://www.checkov.io/5.Policy%20Index/kubernetes.html"
HIGH_UID = 10000          # CKV_K8S_40's threshold


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None:
        return
    sec = k8s["security"]
    path = ("kubernetes", "security")
    if sec["run_as_user"] < HIGH_UID:
        yield Finding(path + ("run_as_user",), RULE,
                      f"run_as_user is {sec['run_as_user']}, below {HIGH_UID}: the UID may match "
                      "an account on the node if the container escapes, and the Deployment fails "
                      "Checkov CKV_K8S_40 (Containers should run as a high UID to avoid host "
                      "conflict)", severity=WARNING,
                      hint="rebuild the image for a UID >= 10000 (the default is 10001), or "
                           "silence this warning with '# mplat: disable=kubernetes-security-weakened'")
    if sec["run_as_group"] == 0:
        yield Finding(path + ("run_as_group",), RULE,
                      "run_as_group is 0, the root group: files of group root in the image and "
                      "the mounted volumes (fsGroup) become writable to the server (no Checkov "
                      "check covers it)", severity=WARNING,
                      hint="use the image's own group, or the default 10001")
    if sec["read_only_root_filesystem"] is False:
        yield Finding(path + ("read_only_root_filesystem",), RULE,
                      "read_only_root_filesystem is false: a compromised server can change its own "
                      "code, and the Deployment fails Checkov CKV_K8S_22 (Use read-only filesystem "
                      "for containers where possible)", severity=WARNING,
                      hint="keep it true and list the directories the server writes in "
                           "kubernetes.security.writable_paths")
