"""The versioned model store (``artifacts``): every default applied, every name derived once."""
from __future__ import annotations

from dataclasses import dataclass

from .. import names
from ..defaults import ABORT_MULTIPART_DAYS


@dataclass(frozen=True)
class ObjectLock:
    mode: str          # GOVERNANCE | COMPLIANCE
    days: int


@dataclass(frozen=True)
class Artifacts:
    bucket: str                         # the model bucket (given or derived)
    keep: int                           # newest noncurrent versions never expired
    expire_after_days: int | None       # None: noncurrent versions are kept forever
    encryption: str                     # kms | s3
    object_lock: ObjectLock | None
    access_logs: bool
    log_bucket: str | None              # <bucket>-logs when access_logs
    replica_region: str | None
    replica_bucket: str | None          # <bucket>-replica when replica_region
    replica_log_bucket: str | None      # <bucket>-replica-logs (access logs stay in-region)
    kms_alias: str | None               # alias/<stack>-artifacts when encryption is kms
    replica_kms_alias: str | None       # alias/<stack>-artifacts-replica (kms with a replica)
    replication_role: str | None        # <stack>-replication when replica_region
    abort_multipart_days: int           # of every bucket of the capability (compiler.defaults)
    partition: str
    s3_via_service: str                      # kms:ViaService of S3 in the bucket's region
    replica_s3_via_service: str | None       # ... in the replica's region

    def arn(self, bucket: str) -> str:
        """The ARN of one of these buckets (in this partition)."""
        return names.s3_arn(self.partition, bucket)


def build(data: dict, env: str | None) -> Artifacts:
    spec = data["artifacts"]
    nv = spec["noncurrent_versions"]
    lock = spec.get("object_lock")
    encryption = spec["encryption"]
    access_logs = bool(spec["access_logs"])
    replica_region = spec.get("replica_region")
    region = data["aws"]["region"]
    return Artifacts(
        bucket=names.model_bucket(data, env),
        keep=int(nv["keep"]),
        expire_after_days=nv.get("expire_after_days"),      # None: kept forever
        encryption=encryption,
        object_lock=ObjectLock(mode=lock["mode"], days=int(lock["days"])) if lock else None,
        access_logs=access_logs,
        log_bucket=names.log_bucket(data, env) if access_logs else None,
        replica_region=replica_region,
        replica_bucket=names.replica_bucket(data, env) if replica_region else None,
        replica_log_bucket=names.replica_log_bucket(data, env) if replica_region else None,
        kms_alias=names.artifacts_kms_alias(data, env) if encryption == "kms" else None,
        replica_kms_alias=(names.replica_kms_alias(data, env)
                           if encryption == "kms" and replica_region else None),
        replication_role=names.replication_role(data, env) if replica_region else None,
        abort_multipart_days=ABORT_MULTIPART_DAYS,
        partition=names.partition(region),
        s3_via_service=names.via_service("s3", region),
        replica_s3_via_service=names.via_service("s3", replica_region) if replica_region else None,
    )
