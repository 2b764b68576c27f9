"""S3 version ids are per bucket, and each environment has its own model bucket
(``<name>-<env>-models``) unless ``artifacts.bucket`` says otherwise. A pin in the shared base is
then a valid version in at most one of those buckets, unless S3 replication copied the object
(replication keeps version ids, so a pin can be valid in a replica): so a warning, not an error.
Pin each environment in its own overlay (``mplat models rollback`` writes there).
"""
from __future__ import annotations

from typing import Iterator

from .. import names
from ..diagnostics import WARNING, Finding
from ..words import get

RULE = "kubernetes-model-shared-pin"
DOC = ("A kubernetes.model.version_id written in the base and inherited by environments whose "
       "model buckets differ is a warning: a version id belongs to one bucket.")
SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html"
PIN = ("kubernetes", "model", "version_id")


def check_all(stacks) -> Iterator[tuple]:
    by_file: dict[str, list] = {}
    for stack in stacks:
        if stack.env is None or get(stack.data, *PIN) is None:
            continue
        overlay = get(stack.data, "environments", stack.env)
        if get(overlay, *PIN) is not None:
            continue                                   # the environment pins its own
        by_file.setdefault(stack.file, []).append(stack)
    for group in by_file.values():
        buckets = {stack.env: names.model_bucket(stack.data, stack.env) for stack in group}
        if len(group) < 2 or len(set(buckets.values())) < 2:
            continue
        envs = ", ".join(sorted(buckets))
        yield group[0], Finding(PIN, RULE,
                                f"version_id {get(group[0].data, *PIN)!r} is written in the base "
                                f"and pins environments {envs}, whose model buckets differ "
                                f"({', '.join(sorted(set(buckets.values())))}): a version id "
                                "belongs to one bucket", severity=WARNING,
                                hint="pin each environment in its own overlay "
                                     "(environments.<env>.kubernetes.model.version_id); fine "
                                     "where S3 replication copies the versions")
