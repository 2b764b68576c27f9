"""PointInTimeRestore: AWS Backup of the model bucket (continuous + scheduled recovery points).

Addresses: ``backup_kms_key``/``backup_kms_alias``, ``backup_vault``, ``backup_vault_lock``,
``backup_role``, ``backup_role_policy``, ``backup_plan``, ``backup_selection``.

The backup role carries one inline least-privilege policy (``backup_role_policy``) instead of AWS
managed policies: the generic ``AWSBackupServiceRolePolicyForBackup``/``...ForRestores`` cover RDS,
DynamoDB, EC2, EFS and more, and ``...ForS3Restore`` may write to and create any bucket. AWS Backup
documents that the managed policies are a starting point to copy and narrow ("Managed policies for
AWS Backup", Customer managed policies), so each statement below is the documented S3 statement
scoped to the protected buckets and keys; ``backup_policy_statements`` cites the page of each.
"""
from __future__ import annotations

from compiler import names
from compiler.model.backup import Backup

from . import engine
from .common import Capability, account_id, kms_key, output, protected
from .policies import policy, service_trust
from .s3 import Bucket

# The pages the statements come from (cited in the statements' comments below).
S3_BACKUP_POLICY = ("https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
                    "AWSBackupServiceRolePolicyForS3Backup.html")
S3_RESTORE_POLICY = ("https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
                     "AWSBackupServiceRolePolicyForS3Restore.html")
CUSTOMER_POLICIES = "https://docs.aws.amazon.com/aws-backup/latest/devguide/security-iam-awsmanpol.html"
BACKUP_POLICY = ("https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
                 "AWSBackupServiceRolePolicyForBackup.html")
ENCRYPTION = "https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html"


def backup_policy_statements(*, bucket_arns: list[str], bucket_key_arns: list[str],
                             s3_via_services: list[str], vault_key_arn: str, partition: str,
                             region: str, account: str, restore_bucket_prefix: str) -> list[dict]:
    """The backup role's statements: S3 backup of ``bucket_arns`` only, restores into them or
    into new buckets named ``<restore_bucket_prefix>*`` (``mplat restore``'s
    ``<model bucket>-pitr-<time>``), their bucket keys through S3 only, and the vault key.

    Each statement is the AWS-documented one (Sid kept where AWS gives one) with its resources
    narrowed from ``arn:aws:s3:::*`` / ``*`` to ours; ``s3:CreateBucket`` only for the restore
    buckets. Statements that keep ``Resource: "*"`` grant only actions with no resource type
    (``s3:ListAllMyBuckets``, ``events:ListRules``, ``cloudwatch:GetMetricData``).
    """
    objects = [f"{arn}/*" for arn in bucket_arns]
    restore_buckets = names.s3_arn(partition, f"{restore_bucket_prefix}*")
    restore_targets = [*bucket_arns, restore_buckets]
    restore_objects = [*objects, f"{restore_buckets}/*"]
    statements = [
        # AWSBackupServiceRolePolicyForS3Backup (S3_BACKUP_POLICY) S3BucketPermissions, and
        # "Amazon S3 backup policy" (CUSTOMER_POLICIES) S3BucketBackupPermissions
        {"Sid": "S3BucketBackupPermissions", "Effect": "Allow",
         "Action": ["s3:GetInventoryConfiguration", "s3:PutInventoryConfiguration",
                    "s3:ListBucketVersions", "s3:ListBucket", "s3:GetBucketVersioning",
                    "s3:GetBucketNotification", "s3:PutBucketNotification",
                    "s3:GetBucketLocation", "s3:GetBucketTagging", "s3:GetBucketAcl"],
         "Resource": bucket_arns},
        # S3_BACKUP_POLICY S3ObjectPermissions / CUSTOMER_POLICIES S3ObjectBackupPermissions
        {"Sid": "S3ObjectBackupPermissions", "Effect": "Allow",
         "Action": ["s3:GetObjectAcl", "s3:GetObject", "s3:GetObjectVersionTagging",
                    "s3:GetObjectVersionAcl", "s3:GetObjectTagging", "s3:GetObjectVersion"],
         "Resource": objects},
        # S3_BACKUP_POLICY S3ListBucketPermissions (s3:ListAllMyBuckets has no resource type)
        {"Sid": "S3GlobalPermissions", "Effect": "Allow", "Action": "s3:ListAllMyBuckets",
         "Resource": "*"},
        # S3_BACKUP_POLICY S3BucketTagReadPermissions
        {"Sid": "S3BucketTagReadPermissions", "Effect": "Allow",
         "Action": "s3:ListTagsForResource", "Resource": bucket_arns},
        # S3_BACKUP_POLICY RecoveryPointTaggingPermissions, in this account and region
        {"Sid": "RecoveryPointTaggingPermissions", "Effect": "Allow",
         "Action": "backup:TagResource",
         "Resource": names.arn(partition, "backup", "recovery-point:*", region=region,
                               account=account)},
        # S3_BACKUP_POLICY EventBridgePermissionsForAwsBackupManagedRule: the rules continuous
        # backup of S3 keeps, in this account and region
        {"Sid": "EventsPermissions", "Effect": "Allow",
         "Action": ["events:DeleteRule", "events:PutTargets", "events:DescribeRule",
                    "events:EnableRule", "events:PutRule", "events:RemoveTargets",
                    "events:ListTargetsByRule", "events:DisableRule"],
         "Resource": names.arn(partition, "events", "rule/AwsBackupManagedRule*", region=region,
                               account=account)},
        # S3_BACKUP_POLICY EventBridgeListRulesPermissions and CloudWatchGetMetricDataPermissions
        # (neither action has a resource type)
        {"Sid": "EventsMetricsGlobalPermissions", "Effect": "Allow",
         "Action": ["cloudwatch:GetMetricData", "events:ListRules"], "Resource": "*"},
        # AWSBackupServiceRolePolicyForS3Restore (S3_RESTORE_POLICY), first statement: its
        # s3:CreateBucket only for the new buckets `mplat restore` restores into ...
        {"Sid": "S3CreateRestoreBucket", "Effect": "Allow", "Action": "s3:CreateBucket",
         "Resource": restore_buckets},
        # ... and the rest of that statement for the model bucket(s) and those new buckets
        {"Sid": "S3BucketRestorePermissions", "Effect": "Allow",
         "Action": ["s3:ListBucketVersions", "s3:ListBucket", "s3:GetBucketVersioning",
                    "s3:GetBucketLocation", "s3:PutBucketVersioning",
                    "s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
         "Resource": restore_targets},
        # S3_RESTORE_POLICY, second statement
        {"Sid": "S3ObjectRestorePermissions", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject",
                    "s3:PutObjectVersionAcl", "s3:GetObjectVersionAcl", "s3:GetObjectTagging",
                    "s3:PutObjectTagging", "s3:GetObjectAcl", "s3:PutObjectAcl",
                    "s3:ListMultipartUploadParts", "s3:PutObject"],
         "Resource": restore_objects},
    ]
    if bucket_key_arns:
        # S3_BACKUP_POLICY KmsPermissions (Decrypt, DescribeKey) and S3_RESTORE_POLICY's third
        # statement (plus GenerateDataKey), through S3 only: the buckets' own keys, not every key
        statements.append(
            {"Sid": "S3KMSPermissions", "Effect": "Allow",
             "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
             "Resource": bucket_key_arns,
             "Condition": {"StringLike": {"kms:ViaService": s3_via_services}}})
    statements += [
        # S3 recovery points are encrypted with the vault's key, and "Your IAM role must have
        # access to the KMS key being used to back up and restore the object" (ENCRYPTION);
        # DescribeKey as in BACKUP_POLICY KMSPermissions, scoped to the vault key
        {"Sid": "VaultKeyPermissions", "Effect": "Allow",
         "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
         "Resource": vault_key_arn},
        # BACKUP_POLICY KMSCreateGrantPermissions, scoped to the vault key
        {"Sid": "VaultKeyGrantPermissions", "Effect": "Allow", "Action": "kms:CreateGrant",
         "Resource": vault_key_arn,
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]
    return statements

# AWS Backup stores this schedule for a rule given none ("When no CRON expression is provided,
# Backup will use the default expression cron(0 5 ? * * *)": BackupRuleInput.ScheduleExpression,
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html). The
# provider's `schedule` is not computed, so a continuous rule without it shows a change on every
# plan: it is written out (found by tests/test_terraform.py, second plan).
AWS_BACKUP_DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"


class PointInTimeRestore(Capability):
    """Vault (CMK-encrypted), plan, selection of the model bucket and the role AWS Backup uses."""

    def __init__(self, scope, id: str, *, spec: Backup, bucket: Bucket, platform,
                 store=None) -> None:
        super().__init__(scope, id)
        account = account_id(scope)

        key = kms_key(self.scope, "backup", alias=spec.kms_alias, account=account,
                      partition=spec.partition,
                      description=f"Encrypts the recovery points in backup vault {spec.vault}")
        key_arn = key.arn
        vault = engine.aws("backup_vault").BackupVault(self.scope, "backup_vault", name=spec.vault,
                                                       kms_key_arn=key_arn, **protected())
        vault_name = vault.name            # each read of an attribute is an engine call: read once

        if spec.vault_lock is not None:
            lock_args = {"min_retention_days": spec.vault_lock.min_retention_days}
            if spec.vault_lock.max_retention_days is not None:
                lock_args["max_retention_days"] = spec.vault_lock.max_retention_days
            if spec.vault_lock.changeable_for_days is not None:
                # compliance mode: immutable after this many days (AWS minimum 3)
                lock_args["changeable_for_days"] = spec.vault_lock.changeable_for_days
            engine.aws("backup_vault_lock_configuration").BackupVaultLockConfiguration(
                self.scope, "backup_vault_lock", backup_vault_name=vault_name, **lock_args)

        # No aws:SourceAccount/aws:SourceArn in this trust (issue #9 item 8): AWS Backup's
        # "Cross-service confused deputy prevention" page
        # (https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-service-confused-deputy-prevention.html)
        # documents the keys for resource policies (SNS topic, KMS key), and "IAM service roles"
        # (https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html) shows
        # the role trust without a condition; a condition on a key AWS Backup does not send would
        # make every backup job fail to assume the role.
        role = engine.aws("iam_role").IamRole(
            self.scope, "backup_role", name=spec.role,
            description=f"AWS Backup role for {spec.protected_bucket}",
            assume_role_policy=service_trust(spec.service_principal))
        role_arn = role.arn

        bucket_arns = [bucket.arn]
        key_arns, via = [], [spec.s3_via_service]
        if store is not None and store.kms_key is not None:
            key_arns.append(store.kms_key.arn)
        if store is not None and store.replica is not None:
            bucket_arns.append(store.replica.arn)
            via.append(store.spec.replica_s3_via_service)
            if store.replica_key is not None:
                key_arns.append(store.replica_key.arn)
        role_policy = engine.aws("iam_role_policy").IamRolePolicy(
            self.scope, "backup_role_policy", name="back-up-and-restore-models", role=role.id,
            policy=policy(*backup_policy_statements(
                bucket_arns=bucket_arns, bucket_key_arns=key_arns, s3_via_services=via,
                vault_key_arn=key_arn, partition=spec.partition, region=spec.region,
                account=account, restore_bucket_prefix=spec.restore_bucket_prefix)))

        plan_mod = engine.aws("backup_plan")
        rules = []
        if spec.point_in_time_days is not None:
            rules.append(plan_mod.BackupPlanRule(
                rule_name="continuous", target_vault_name=vault_name,
                enable_continuous_backup=True, schedule=AWS_BACKUP_DEFAULT_SCHEDULE,
                lifecycle={"delete_after": spec.point_in_time_days}))
        for snap in spec.snapshots:
            lifecycle = {"delete_after": snap.delete_after_days}
            if snap.cold_storage_after_days is not None:
                lifecycle["cold_storage_after"] = snap.cold_storage_after_days
            rules.append(plan_mod.BackupPlanRule(
                rule_name=snap.name, target_vault_name=vault_name, schedule=snap.schedule,
                start_window=snap.start_window_minutes,
                completion_window=snap.completion_window_minutes, lifecycle=lifecycle))
        plan = plan_mod.BackupPlan(self.scope, "backup_plan", name=spec.plan, rule=rules)
        plan_id = plan.id

        engine.aws("backup_selection").BackupSelection(
            self.scope, "backup_selection", name=spec.selection, plan_id=plan_id,
            iam_role_arn=role_arn, resources=[bucket.arn],
            depends_on=[bucket.versioning, role_policy])

        output(self.scope, "backup_vault_arn", vault.arn, "ARN of the backup vault")
        output(self.scope, "backup_plan_id", plan_id,
               "Id of the backup plan protecting the model bucket")
        output(self.scope, "backup_role_arn", role_arn,
               "Role AWS Backup uses for backups and restores")
