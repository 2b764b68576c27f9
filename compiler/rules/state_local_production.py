"""The local backend keeps the state file on the machine that runs ``terraform`` (beside the synth
output directory, ``terraform.<stack>.tfstate``): it has no locking between people, no versions to
go back to and no copy when that disk is lost, and losing the state orphans live infrastructure.
An environment whose name starts with ``prod`` (``prod``, ``production``, ``prod2``) should keep
its state in S3 (``state: {backend: s3, bucket: ...}``: versioned by the bucket, locked with the S3
lock file). A warning, not an error: a team may apply production from one controlled machine.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ..defaults import is_default
from ..words import get
from ._common import is_production

RULE = "state-local-production"
DOC = ("state.backend local (the default) in an environment named prod*: production state on "
       "one disk is a warning.")
SOURCE = "https://developer.hashicorp.com/terraform/language/backend/local"


def check(stack) -> Iterator[Finding]:
    if not is_production(stack.env) or get(stack.data, "state", "backend") != "local":
        return
    # the default is reported at the environment's name (the spec wrote no backend to point at)
    defaulted = is_default(stack, ("state", "backend"))
    where = ("environments", stack.env) if defaulted else ("state", "backend")
    yield Finding(where, RULE,
                  f"environment '{stack.env}' keeps its Terraform state in a local file "
                  "(backend local): no lock, no history and no copy when that machine is lost",
                  severity=WARNING, at="key" if defaulted else "value",
                  hint="give this environment state: {backend: s3, bucket: <state bucket>}")
