"""backup.vault_lock: min <= max, and every retention of the plan (snapshots and point-in-time, also when they are defaults) inside [min, max].

AWS Backup fails any backup job whose retention is outside the vault lock's range, so a plan that
violates it silently stops backing up. The continuous (point-in-time) backup is on by default with
35 days, and a snapshot without delete_after_days keeps its recovery points 35 days: both count.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import get, shown, snapshots

RULE_RANGE = "backup-vault-lock-range"
RULE_RETENTION = "backup-retention-outside-vault-lock"
RULES = {
    RULE_RANGE: "backup.vault_lock: min_retention_days >= 1 and <= max_retention_days.",
    RULE_RETENTION: "Every retention of the backup plan (snapshots and point-in-time, defaults "
                    "included) lies inside the vault lock's [min, max] (else AWS Backup fails "
                    "those jobs).",
}
SOURCE = "https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html"


def check(stack) -> Iterator[Finding]:
    lock = get(stack.data, "backup", "vault_lock")
    if not isinstance(lock, dict):
        return
    low, high = lock["min_retention_days"], lock["max_retention_days"]
    if low < 1:
        yield Finding(("backup", "vault_lock", "min_retention_days"), RULE_RANGE,
                      f"min_retention_days is {low}; it must be at least 1")
        return
    if low > high:
        yield Finding(("backup", "vault_lock", "min_retention_days"), RULE_RANGE,
                      f"min_retention_days ({low}) is greater than max_retention_days ({high})",
                      hint="swap them, or lower min_retention_days")
        return
    bounds = f"[{low}, {high}]"

    def outside(days):
        return days < low or days > high

    pit = get(stack.data, "backup", "point_in_time")
    if isinstance(pit, dict) and outside(pit["retention_days"]):
        path = ("backup", "point_in_time", "retention_days")
        yield Finding(path, RULE_RETENTION,
                      f"point_in_time.retention_days is {shown(stack, path)}, outside the vault "
                      f"lock's retention range {bounds}; AWS Backup would fail the continuous "
                      "backup",
                      hint="set backup.point_in_time.retention_days inside the range, or change "
                           "backup.vault_lock")
    for i, snap in snapshots(stack):
        path = ("backup", "snapshots", i, "delete_after_days")
        if outside(snap["delete_after_days"]):
            yield Finding(path, RULE_RETENTION,
                          f"delete_after_days is {shown(stack, path)}, outside the vault lock's "
                          f"retention range {bounds}; AWS Backup would fail these jobs",
                          hint="change delete_after_days or backup.vault_lock")
