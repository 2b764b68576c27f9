"""``mplat restore`` restores into a new bucket named ``<model bucket>-pitr-<YYYYMMDDhhmm>`` unless
``--to-bucket`` names another, which must also start with ``<model bucket>-pitr-`` (the only new
buckets the least-privilege backup role may create). A bucket name has at most 63 characters, so a
model bucket longer than 45 characters leaves no valid default, and one longer than 57 leaves no
valid name at all: only ``--in-place`` would remain, on the day it is needed. Shorten
``metadata.name`` (or the environment's name), or set ``artifacts.bucket``.
"""
from __future__ import annotations

from typing import Iterator

from .. import names
from ..diagnostics import Finding
from ..words import get
from ._common import section
from .names_buckets import problems

RULE = "backup-restore-bucket-name"
DOC = ("backup.point_in_time whose default restore bucket (<model bucket>-pitr-<YYYYMMDDhhmm>) "
       "is not a valid S3 bucket name: mplat restore could not restore into a new bucket.")
SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"


def check(stack) -> Iterator[Finding]:
    if get(section(stack, "backup"), "point_in_time") is None or section(stack, "artifacts") is None:
        return
    if problems(names.model_bucket(stack.data, stack.env)):
        return                                   # bucket-name-invalid reports the bucket itself
    default = names.restore_bucket(stack.data, stack.env, names.RESTORE_STAMP_SAMPLE)
    wrong = problems(default)
    if not wrong:
        return
    where = ("artifacts", "bucket") if get(stack.data, "artifacts", "bucket") else ("metadata", "name")
    prefix = names.restore_bucket_prefix(stack.data, stack.env)
    yield Finding(where, RULE,
                  f"the default restore bucket '{default}' {'; '.join(wrong)}: mplat restore "
                  f"could not restore into a new bucket (every name must start with '{prefix}')",
                  hint="shorten metadata.name or the environment name, or set a shorter "
                       "artifacts.bucket (at most 45 characters leaves room for -pitr-YYYYMMDDhhmm)")
