from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import is_int, shown, snapshots

RULE = "backup-cold-storage-90d"
DOC = ("backup.snapshots[]: with cold storage, delete_after_days (default 35) >= "
       "cold_storage_after_days + 90 (AWS Backup keeps cold data 90 days).")
SOURCE = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html"


def check(stack) -> Iterator[Finding]:
    for i, snap in snapshots(stack):
        cold = snap.get("cold_storage_after_days")
        if not is_int(cold):
            continue
        delete = snap["delete_after_days"]
        path = ("backup", "snapshots", i, "delete_after_days")
        if delete < cold + 90:
            yield Finding(path, RULE,
                          f"delete_after_days is {shown(stack, path)} but cold_storage_after_days "
                          f"is {cold}; "
                          f"recovery points must stay at least 90 days in cold storage, so "
                          f"delete_after_days must be at least {cold + 90}",
                          hint=f"set delete_after_days: {cold + 90} or more, or move to cold "
                               f"storage earlier")
