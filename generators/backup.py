"""PointInTimeRestore: AWS Backup of the model bucket (continuous + scheduled recovery points).

Addresses: ``backup_kms_key``/``backup_kms_alias``, ``backup_vault``, ``backup_vault_lock``,
``backup_role``, ``backup_role_{backup,restores,s3_backup,s3_restore}``, ``backup_plan``,
``backup_selection``.
"""
from __future__ import annotations

from compiler.model.backup import Backup

from . import engine
from .common import Bucket, account_id, fix, kms_key, output, service_trust

_ATTACHMENT_IDS = ("backup", "restores", "s3_backup", "s3_restore")


class PointInTimeRestore(engine.Construct):
    """Vault (CMK-encrypted), plan, selection of the model bucket and the role AWS Backup uses."""

    def __init__(self, scope, id: str, *, spec: Backup, bucket: Bucket, platform) -> None:
        super().__init__(scope, id)
        stack = engine.cdktf.TerraformStack.of(self)
        account = account_id(stack)

        key = kms_key(self, "backup", alias=spec.kms_alias, account=account,
                      description=f"Encrypts the recovery points in backup vault {spec.vault}")
        vault = engine.aws("backup_vault").BackupVault(self, "backup_vault", name=spec.vault,
                                                       kms_key_arn=key.arn)
        fix(vault, "backup_vault", protect=True)

        if spec.vault_lock is not None:
            lock_args = {"min_retention_days": spec.vault_lock.min_retention_days}
            if spec.vault_lock.max_retention_days is not None:
                lock_args["max_retention_days"] = spec.vault_lock.max_retention_days
            lock = engine.aws("backup_vault_lock_configuration").BackupVaultLockConfiguration(
                self, "backup_vault_lock", backup_vault_name=vault.name, **lock_args)
            fix(lock, "backup_vault_lock")

        role = engine.aws("iam_role").IamRole(
            self, "backup_role", name=spec.role,
            description=f"AWS Backup role for {spec.protected_bucket}",
            assume_role_policy=service_trust("backup.amazonaws.com"))
        fix(role, "backup_role")
        attachments = []
        attach = engine.aws("iam_role_policy_attachment").IamRolePolicyAttachment
        for suffix, arn in zip(_ATTACHMENT_IDS, spec.managed_policies, strict=True):
            attachment = attach(self, f"backup_role_{suffix}", role=role.name, policy_arn=arn)
            fix(attachment, f"backup_role_{suffix}")
            attachments.append(attachment)

        plan_mod = engine.aws("backup_plan")
        rules = []
        if spec.point_in_time_days is not None:
            rules.append(plan_mod.BackupPlanRule(
                rule_name="continuous", target_vault_name=vault.name,
                enable_continuous_backup=True,
                lifecycle={"delete_after": spec.point_in_time_days}))
        for snap in spec.snapshots:
            lifecycle = {"delete_after": snap.delete_after_days}
            if snap.cold_storage_after_days is not None:
                lifecycle["cold_storage_after"] = snap.cold_storage_after_days
            rules.append(plan_mod.BackupPlanRule(
                rule_name=snap.name, target_vault_name=vault.name, schedule=snap.schedule,
                start_window=snap.start_window_minutes,
                completion_window=snap.completion_window_minutes, lifecycle=lifecycle))
        plan = plan_mod.BackupPlan(self, "backup_plan", name=spec.plan, rule=rules)
        fix(plan, "backup_plan")

        selection = engine.aws("backup_selection").BackupSelection(
            self, "backup_selection", name=spec.selection, plan_id=plan.id,
            iam_role_arn=role.arn, resources=[bucket.bucket.arn],
            depends_on=[bucket.versioning, *attachments])
        fix(selection, "backup_selection")

        output(self, "backup_vault_arn", vault.arn, "ARN of the backup vault")
        output(self, "backup_plan_id", plan.id, "Id of the backup plan protecting the model bucket")
        output(self, "backup_role_arn", role.arn, "Role AWS Backup uses for backups and restores")
