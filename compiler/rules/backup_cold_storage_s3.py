"""The plan protects only the model bucket, and S3 is not among the resource types AWS Backup moves to
cold storage: the setting is ignored for them (AWS Backup API reference, Lifecycle). Not an error,
because the plan still applies; the warning keeps users from counting on cheaper storage.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ._common import snapshots

RULE = "backup-cold-storage-ignored"
DOC = ("backup: a warning for cold_storage_after_days: AWS Backup keeps S3 recovery points warm "
       "(no effect).")
SOURCE = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html"


def check(stack) -> Iterator[Finding]:
    for i, snap in snapshots(stack):
        if snap.get("cold_storage_after_days") is not None:
            yield Finding(("backup", "snapshots", i, "cold_storage_after_days"), RULE,
                          "AWS Backup does not move S3 recovery points to cold storage: "
                          "cold_storage_after_days has no effect on the model bucket's backups",
                          severity=WARNING, at="key",
                          hint="remove cold_storage_after_days; delete_after_days alone sets the "
                               "retention")
