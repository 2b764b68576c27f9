"""backup.snapshots[]: with cold storage, delete_after_days >= cold_storage_after_days + 90 (AWS Backup keeps cold data 90 days)."""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import get, is_int, snapshots

RULE = "backup-cold-storage-90d"


def check(stack) -> Iterator[Finding]:
    for i, snap in snapshots(stack):
        cold = get(snap, "cold_storage_after_days")
        if not is_int(cold):
            continue
        delete = get(snap, "delete_after_days")
        if delete is None:
            continue  # kept forever: fine with cold storage
        if is_int(delete) and delete < cold + 90:
            yield Finding(("backup", "snapshots", i, "delete_after_days"), RULE,
                          f"delete_after_days is {delete} but cold_storage_after_days is {cold}; "
                          f"recovery points must stay at least 90 days in cold storage, so "
                          f"delete_after_days must be at least {cold + 90}",
                          hint=f"set delete_after_days: {cold + 90} or more, or move to cold "
                               f"storage earlier")
