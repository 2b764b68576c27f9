"""artifacts.noncurrent_versions.keep without expire_after_days is a warning: it has no effect.

``keep`` is the ``newer_noncurrent_versions`` of the bucket's lifecycle rule that expires old
versions (S3 user guide, "Lifecycle configuration elements": NewerNoncurrentVersions is only
valid inside NoncurrentVersionExpiration, beside NoncurrentDays). Without ``expire_after_days``
there is no such rule: every old version is kept forever, so any value of ``keep`` synthesizes the
same stack (10 -> 20 gives an empty diff). Only a ``keep`` the spec writes is reported; its
default is silent.
"""
from __future__ import annotations

from typing import Iterator

from ..defaults import is_default
from ..diagnostics import WARNING, Finding
from ._common import section

RULE = "artifacts-keep-without-expiry"
DOC = ("artifacts.noncurrent_versions.keep without expire_after_days is a warning: it has no "
       "effect.")
# NewerNoncurrentVersions is a field of NoncurrentVersionExpiration (S3 API reference): without the
# expiration there is nothing for it to keep versions from
SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionExpiration.html"

PATH = ("artifacts", "noncurrent_versions", "keep")


def check(stack) -> Iterator[Finding]:
    artifacts = section(stack, "artifacts")
    if artifacts is None:
        return
    versions = artifacts["noncurrent_versions"]
    if "expire_after_days" in versions or is_default(stack, PATH):
        return
    yield Finding(PATH, RULE,
                  f"noncurrent_versions.keep is {versions['keep']} but has no effect without "
                  "expire_after_days: no old version ever expires, so all of them are kept",
                  severity=WARNING,
                  hint="add noncurrent_versions.expire_after_days (e.g. 90) to expire versions "
                       f"older than the {versions['keep']} newest, or remove keep")
