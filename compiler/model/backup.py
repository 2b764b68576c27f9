"""Point-in-time restore (``backup``, AWS Backup): every default applied, every name derived once."""
from __future__ import annotations

from dataclasses import dataclass

from .. import names

# The role AWS Backup assumes: exact ARNs (the S3 ones have no service-role/ path).
MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
)


@dataclass(frozen=True)
class Snapshot:
    name: str
    schedule: str
    start_window_minutes: int
    completion_window_minutes: int
    cold_storage_after_days: int | None
    delete_after_days: int


@dataclass(frozen=True)
class VaultLock:
    min_retention_days: int
    max_retention_days: int | None


@dataclass(frozen=True)
class Backup:
    vault: str                           # <stack>-vault
    plan: str                            # <stack>-plan
    selection: str                       # <stack>-models
    role: str                            # <stack>-backup
    kms_alias: str                       # alias/<stack>-backup
    protected_bucket: str                # artifacts bucket
    point_in_time_days: int | None       # continuous backup retention (None: no continuous rule)
    snapshots: tuple[Snapshot, ...]
    vault_lock: VaultLock | None
    managed_policies: tuple[str, ...] = MANAGED_POLICIES


def build(data: dict, env: str | None) -> Backup:
    spec = data["backup"]
    stack = names.stack_name(data, env)
    pit = spec.get("point_in_time")          # resolved: on by default
    snapshots = tuple(
        Snapshot(
            name=s["name"],
            schedule=s["schedule"],
            start_window_minutes=int(s["start_window_minutes"]),
            completion_window_minutes=int(s["completion_window_minutes"]),
            cold_storage_after_days=s.get("cold_storage_after_days"),
            delete_after_days=int(s["delete_after_days"]),
        )
        for s in spec["snapshots"])
    lock = spec.get("vault_lock")
    return Backup(
        vault=names.backup_vault(data, env),
        plan=names.backup_plan(data, env),
        selection=f"{stack}-models",
        role=names.backup_role(data, env),
        kms_alias=f"alias/{stack}-backup",
        protected_bucket=names.model_bucket(data, env),
        point_in_time_days=int(pit["retention_days"]) if isinstance(pit, dict) else None,
        snapshots=snapshots,
        vault_lock=VaultLock(int(lock["min_retention_days"]),
                             lock["max_retention_days"]) if lock else None,
    )
