"""Point-in-time restore (``backup``, AWS Backup): every default applied, every name derived once."""
from __future__ import annotations

from dataclasses import dataclass

from .. import names



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
    changeable_for_days: int | None = None   # None: governance mode; else compliance after N days


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
    # what the least-privilege role policy is scoped to (generators/backup.py)
    region: str
    partition: str
    service_principal: str
    s3_via_service: str                  # kms:ViaService of S3 in the region
    restore_bucket_prefix: str           # new buckets `mplat restore` creates: <bucket>-pitr-*


def build(data: dict, env: str | None) -> Backup:
    spec = data["backup"]
    region = data["aws"]["region"]
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
        selection=names.backup_selection(data, env),
        role=names.backup_role(data, env),
        kms_alias=names.backup_kms_alias(data, env),
        protected_bucket=names.model_bucket(data, env),
        point_in_time_days=int(pit["retention_days"]) if isinstance(pit, dict) else None,
        snapshots=snapshots,
        vault_lock=VaultLock(int(lock["min_retention_days"]),
                             lock["max_retention_days"],
                             lock.get("changeable_for_days")) if lock else None,
        region=region,
        partition=names.partition(region),
        service_principal=names.service_principal("backup", region),
        s3_via_service=names.via_service("s3", region),
        restore_bucket_prefix=names.restore_bucket_prefix(data, env),
    )
