"""backup.vault_lock: min <= max, and every retention of the plan (snapshots and point-in-time) inside [min, max].

AWS Backup fails any backup job whose retention is outside the vault lock's range, so a plan that
violates it silently stops backing up. A snapshot without delete_after_days keeps its recovery
points forever, which a max_retention_days forbids.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import get, is_int

RULE_RANGE = "backup-vault-lock-range"
RULE_RETENTION = "backup-retention-outside-vault-lock"
RULES = {
    RULE_RANGE: "backup.vault_lock: min_retention_days >= 1 and <= max_retention_days.",
    RULE_RETENTION: "Every retention of the backup plan (snapshots and point-in-time) lies inside "
                    "the vault lock's [min, max] (else AWS Backup fails those jobs).",
}


def check(stack) -> Iterator[Finding]:
    lock = get(stack.data, "backup", "vault_lock")
    if not isinstance(lock, dict):
        return
    low = lock.get("min_retention_days")
    high = lock.get("max_retention_days")
    low = low if is_int(low) else None
    high = high if is_int(high) else None
    if low is not None and low < 1:
        yield Finding(("backup", "vault_lock", "min_retention_days"), RULE_RANGE,
                      f"min_retention_days is {low}; it must be at least 1")
        return
    if low is not None and high is not None and low > high:
        yield Finding(("backup", "vault_lock", "min_retention_days"), RULE_RANGE,
                      f"min_retention_days ({low}) is greater than max_retention_days ({high})",
                      hint="swap them, or lower min_retention_days")
        return
    bounds = f"[{low if low is not None else 1}, {high if high is not None else 'unlimited'}]"

    def outside(days):
        return (low is not None and days < low) or (high is not None and days > high)

    pitr = get(stack.data, "backup", "point_in_time", "retention_days")
    if is_int(pitr) and outside(pitr):
        yield Finding(("backup", "point_in_time", "retention_days"), RULE_RETENTION,
                      f"point_in_time.retention_days is {pitr}, outside the vault lock's "
                      f"retention range {bounds}; AWS Backup would fail the continuous backup",
                      hint="change the retention or backup.vault_lock")
    snapshots = get(stack.data, "backup", "snapshots")
    for i, snap in enumerate(snapshots if isinstance(snapshots, list) else []):
        if not isinstance(snap, dict):
            continue
        days = snap.get("delete_after_days")
        if days is None:
            if high is not None:
                yield Finding(("backup", "snapshots", i), RULE_RETENTION,
                              f"snapshot '{snap.get('name')}' has no delete_after_days (kept "
                              f"forever), but the vault lock allows at most {high} days",
                              hint=f"set delete_after_days to at most {high}")
        elif is_int(days) and outside(days):
            yield Finding(("backup", "snapshots", i, "delete_after_days"), RULE_RETENTION,
                          f"delete_after_days is {days}, outside the vault lock's retention "
                          f"range {bounds}; AWS Backup would fail these jobs",
                          hint="change delete_after_days or backup.vault_lock")
