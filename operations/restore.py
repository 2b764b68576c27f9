"""`mplat restore`: AWS Backup point-in-time restore of the model bucket, and `restore status`.

The bucket's continuous recovery point (the one the plan's continuous rule makes in the stack's
vault) is restored to ``--at`` with StartRestoreJob, as the role the generators create for AWS
Backup (``compiler.names.backup_role``). Into a new bucket by default
(``compiler.names.restore_bucket``: ``<model bucket>-pitr-<YYYYMMDDhhmm>``, or ``--to-bucket``);
into the model bucket itself only with ``--in-place --yes`` (AWS Backup never overwrites an object
that exists there: it is a non-destructive restore). AWS Backup restores, per key, the version that
was current at that time, not the older versions (same page, "Amazon S3 restore considerations").

Restore metadata for S3 is a free-form string map. mplat sends only keys the AWS Backup Developer
Guide documents for S3, "Restore S3 data using AWS Backup", section "Restore Amazon S3 recovery
points through AWS CLI"
(https://docs.aws.amazon.com/aws-backup/latest/devguide/restoring-s3.html; the key list read from
the guide's source, awsdocs aws-backup-developer-guide, restoring-s3.md): ``DestinationBucketName``
(mandatory), ``RestoreTime`` (required for continuous recovery points, ISO 8601 UTC such as
``2021-11-27T03:30:27Z``), ``EncryptionType`` (``original``, ``SSE-S3`` or ``SSE-KMS``) with
``KMSKey`` for SSE-KMS; and, not used here, ``RestoreACLs``, ``ItemsToRestore`` and
``RestoreLatestVersionsUpTo``. ``Encrypted`` and ``CreationToken`` are EFS keys and ``NewBucket``
appears only in third-party examples: none is sent (``METADATA_KEYS`` is the allowed set, and a
test pins the exact map).
"""
from __future__ import annotations

import re
import sys
import time
import uuid
from datetime import timedelta

from compiler import names
from compiler.exits import EXIT_ERRORS, EXIT_OK

from .errors import OpsError
from .timeutil import iso, now, parse_time

RESOURCE_TYPE = "S3"
# the S3 restore metadata keys of the AWS Backup guide (module docstring); nothing else is sent
METADATA_KEYS = frozenset({"DestinationBucketName", "RestoreTime", "EncryptionType", "KMSKey",
                           "ItemsToRestore", "RestoreACLs", "RestoreLatestVersionsUpTo"})
TERMINAL = {"COMPLETED", "ABORTED", "FAILED"}
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def bucket_arn(aws, bucket: str) -> str:
    return names.s3_arn(aws.partition, bucket)


def find_plan(aws, plan_name: str) -> dict | None:
    """The backup plan named ``plan_name`` (GetBackupPlan's answer), or None."""
    for page in aws.pages("backup", "list_backup_plans", f"backup plan {plan_name}"):
        for plan in page.get("BackupPlansList") or ():
            if plan.get("BackupPlanName") == plan_name:
                return aws.call("backup", "get_backup_plan", f"backup plan {plan_name}",
                                BackupPlanId=plan["BackupPlanId"])
    return None


def continuous_rule(plan: dict | None) -> dict | None:
    rules = ((plan or {}).get("BackupPlan") or {}).get("Rules") or ()
    return next((r for r in rules if r.get("EnableContinuousBackup")), None)


def recovery_points(aws, vault: str, bucket: str) -> list[dict]:
    """Recovery points of the bucket in the stack's vault, newest first."""
    points = []
    for page in aws.pages("backup", "list_recovery_points_by_backup_vault",
                          f"recovery points of {bucket} in vault {vault}",
                          BackupVaultName=vault, ByResourceArn=bucket_arn(aws, bucket)):
        points.extend(page.get("RecoveryPoints") or ())
    points.sort(key=lambda p: p.get("CreationDate") or 0, reverse=True)
    return points


def is_continuous(point: dict, rule: dict | None) -> bool:
    """Made by the plan's continuous rule (or, when the rule is unknown, a continuous ARN)."""
    created_by = point.get("CreatedBy") or {}
    if rule is not None and created_by.get("BackupRuleId"):
        return created_by["BackupRuleId"] == rule.get("RuleId")
    return ":recovery-point:continuous:" in point.get("RecoveryPointArn", "")


def continuous_point(aws, backup, bucket: str) -> dict:
    plan = find_plan(aws, backup.plan)
    if plan is None:
        raise OpsError(f"restore not possible: backup plan {backup.plan} does not exist (apply "
                       "the stack: mplat synth; terraform apply)", code="NoBackupPlan")
    rule = continuous_rule(plan)
    if rule is None:
        raise OpsError(f"restore not possible: backup plan {backup.plan} has no continuous-backup "
                       "rule (apply the stack)", code="NoContinuousRule")
    points = [p for p in recovery_points(aws, backup.vault, bucket) if is_continuous(p, rule)]
    if not points:
        raise OpsError(f"restore not possible: vault {backup.vault} has no continuous recovery "
                       f"point of {bucket} (is the stack applied, and the first backup done? "
                       "mplat verify checks this)", code="NoRecoveryPoint")
    return points[0]


def _encryption(aws, bucket: str) -> dict[str, str]:
    """Encrypt the restored objects as the model bucket encrypts its own (SSE-KMS with its key)."""
    try:
        answer = aws.call("s3", "get_bucket_encryption", f"s3://{bucket}", Bucket=bucket)
    except OpsError as exc:
        if exc.code == "ServerSideEncryptionConfigurationNotFoundError":
            return {"EncryptionType": "SSE-S3"}
        raise
    rules = (answer.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or [{}]
    default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
    if default.get("SSEAlgorithm", "").startswith("aws:kms") and default.get("KMSMasterKeyID"):
        return {"EncryptionType": "SSE-KMS", "KMSKey": default["KMSMasterKeyID"]}
    return {"EncryptionType": "SSE-S3"}


def _bucket_exists(aws, bucket: str) -> bool:
    try:
        aws.call("s3", "head_bucket", f"s3://{bucket}", Bucket=bucket)
        return True
    except OpsError as exc:
        if exc.code in ("404", "NoSuchBucket", "NotFound"):
            return False
        if exc.code in ("403", "AccessDenied", "Forbidden"):
            return True                      # it exists, in someone else's account
        raise


def check_destination(target, to_bucket: str | None) -> None:
    """Usage problems of ``--to-bucket``, found without AWS: a valid bucket name that the backup
    role may create (``<model bucket>-pitr-*``), and not the model bucket itself."""
    if not to_bucket:
        return
    from compiler import names

    if not _BUCKET_NAME.match(to_bucket) or ".." in to_bucket:
        raise OpsError(f"--to-bucket '{to_bucket}' is not a valid bucket name (3-63 characters: "
                       "lowercase letters, digits, dots, hyphens)")
    if to_bucket == target.bucket:
        raise OpsError("--to-bucket names the model bucket itself: use --in-place --yes")
    prefix = names.restore_bucket_prefix(target.stack.data, target.platform.env)
    if not to_bucket.startswith(prefix):
        # the backup role may create and write only these new buckets (generators/backup.py)
        raise OpsError(f"restore not possible: the backup role {target.platform.backup.role} may "
                       f"restore only into the model bucket (--in-place) or a new bucket named "
                       f"{prefix}*; '{to_bucket}' is neither", code="DestinationNotAllowed")


def start(aws, target, *, at: str, to_bucket: str | None, in_place: bool, out=None) -> int:
    out = out or sys.stdout
    from compiler import names

    platform = target.platform
    backup = platform.backup
    if backup is None or backup.point_in_time_days is None:
        raise OpsError(f"restore not possible: {target.shown} has no continuous backup for "
                       f"{platform.stack} (backup.point_in_time)", code="NoContinuousBackup")
    bucket = target.bucket
    moment = parse_time(at)
    current = now()
    if moment > current:
        raise OpsError(f"restore not possible: {iso(moment)} is in the future")
    window_start = current - timedelta(days=backup.point_in_time_days)
    if moment < window_start:
        raise OpsError(f"restore not possible: {iso(moment)} is older than the continuous backup "
                       f"keeps ({backup.point_in_time_days} days: from {iso(window_start)})",
                       code="OutsideWindow")
    point = continuous_point(aws, backup, bucket)
    if point.get("Status") not in (None, "COMPLETED"):
        raise OpsError(f"restore not possible: the continuous recovery point of {bucket} is "
                       f"{point.get('Status')} ({point.get('StatusMessage') or 'no message'})",
                       code="RecoveryPointNotUsable")
    earliest = point.get("CreationDate")
    if earliest is not None and moment < earliest:
        raise OpsError(f"restore not possible: {iso(moment)} is before the continuous backup "
                       f"of {bucket} began ({iso(earliest)})", code="OutsideWindow")

    if in_place:
        destination, new_bucket = bucket, False
    else:
        destination = to_bucket or names.restore_bucket(target.stack.data, platform.env,
                                                        moment.strftime(names.RESTORE_STAMP))
        if not _BUCKET_NAME.match(destination) or ".." in destination:
            raise OpsError(f"'{destination}' is not a valid bucket name (3-63 characters: "
                           "lowercase letters, digits, dots, hyphens); validate reports this "
                           "(backup-restore-bucket-name)")
        check_destination(target, destination)
        if _bucket_exists(aws, destination):
            raise OpsError(f"restore not possible: bucket {destination} already exists; "
                           "choose a new one with --to-bucket", code="BucketExists")
        new_bucket = True

    metadata = {"DestinationBucketName": destination, "RestoreTime": iso(moment),
                **_encryption(aws, bucket)}
    if not set(metadata) <= METADATA_KEYS:        # never send a key the guide does not list
        raise OpsError(f"internal: undocumented restore metadata {sorted(set(metadata) - METADATA_KEYS)}")
    account = (aws.identity or {}).get("Account") or platform.account_id
    role_arn = names.role_arn(aws.partition, account, backup.role)
    print(f"restoring s3://{bucket} as of {iso(moment)} (UTC; --at {at!r}) into {destination}",
          file=out, flush=True)
    # one token per invocation: botocore's retries of this call reuse it (no second job), while
    # running the command again after a failed job starts a new job instead of getting the failed
    # one back (a token derived from the request would, within AWS Backup's idempotency window)
    answer = aws.call("backup", "start_restore_job", f"restore of {bucket} to {iso(moment)}",
                      RecoveryPointArn=point["RecoveryPointArn"], Metadata=metadata,
                      IamRoleArn=role_arn, ResourceType=RESOURCE_TYPE,
                      IdempotencyToken=uuid.uuid4().hex)
    job = answer["RestoreJobId"]
    into = f"{destination} ({'new bucket' if new_bucket else 'in place'})"
    print(f"restore job {job} started: s3://{bucket} as of {iso(moment)} -> {into}", file=out)
    print(f"follow it: mplat restore status {job} --region {aws.region}", file=out)
    return EXIT_OK


def status(aws, job: str, *, wait: bool, interval: float, out=None) -> int:
    out = out or sys.stdout
    while True:
        answer = aws.call("backup", "describe_restore_job", f"restore job {job}",
                          RestoreJobId=job)
        state = answer.get("Status", "?")
        parts = [f"restore job {job}: {state}"]
        if answer.get("PercentDone"):
            parts.append(f"{answer['PercentDone']} done")
        if answer.get("CreatedResourceArn"):
            parts.append(f"created {answer['CreatedResourceArn']}")
        if answer.get("StatusMessage"):
            parts.append(answer["StatusMessage"])
        parts.append(f"started {iso(answer.get('CreationDate'))}")
        if answer.get("CompletionDate"):
            parts.append(f"ended {iso(answer['CompletionDate'])}")
        print("; ".join(parts), file=out, flush=True)
        if state in TERMINAL or not wait:
            return EXIT_ERRORS if state in ("ABORTED", "FAILED") else EXIT_OK
        time.sleep(interval)
