"""PointInTimeRestore: AWS Backup of the model bucket (continuous + scheduled recovery points).

Addresses: ``backup_kms_key``/``backup_kms_alias``, ``backup_vault``, ``backup_vault_lock``,
``backup_role``, ``backup_role_{backup,restores,s3_backup,s3_restore}``, ``backup_plan``,
``backup_selection``.
"""
from __future__ import annotations

from compiler.model.backup import Backup

from . import engine
from .common import Bucket, Capability, account_id, kms_key, output, protected, service_trust

_ATTACHMENT_IDS = ("backup", "restores", "s3_backup", "s3_restore")

# AWS Backup stores this schedule for a rule given none ("When no CRON expression is provided,
# Backup will use the default expression cron(0 5 ? * * *)": BackupRuleInput.ScheduleExpression,
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html). The
# provider's `schedule` is not computed, so a continuous rule without it shows a change on every
# plan: it is written out (found by tests/test_terraform.py, second plan).
AWS_BACKUP_DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"


class PointInTimeRestore(Capability):
    """Vault (CMK-encrypted), plan, selection of the model bucket and the role AWS Backup uses."""

    def __init__(self, scope, id: str, *, spec: Backup, bucket: Bucket, platform) -> None:
        super().__init__(scope, id)
        account = account_id(scope)

        key = kms_key(self.scope, "backup", alias=spec.kms_alias, account=account,
                      description=f"Encrypts the recovery points in backup vault {spec.vault}")
        vault = engine.aws("backup_vault").BackupVault(self.scope, "backup_vault", name=spec.vault,
                                                       kms_key_arn=key.arn, **protected())
        vault_name = vault.name            # each read of an attribute is an engine call: read once

        if spec.vault_lock is not None:
            lock_args = {"min_retention_days": spec.vault_lock.min_retention_days}
            if spec.vault_lock.max_retention_days is not None:
                lock_args["max_retention_days"] = spec.vault_lock.max_retention_days
            lock = engine.aws("backup_vault_lock_configuration").BackupVaultLockConfiguration(
                self.scope, "backup_vault_lock", backup_vault_name=vault_name, **lock_args)

        role = engine.aws("iam_role").IamRole(
            self.scope, "backup_role", name=spec.role,
            description=f"AWS Backup role for {spec.protected_bucket}",
            assume_role_policy=service_trust("backup.amazonaws.com"))
        role_name, role_arn = role.name, role.arn
        attachments = []
        attach = engine.aws("iam_role_policy_attachment").IamRolePolicyAttachment
        for suffix, arn in zip(_ATTACHMENT_IDS, spec.managed_policies, strict=True):
            attachment = attach(self.scope, f"backup_role_{suffix}", role=role_name, policy_arn=arn)
            attachments.append(attachment)

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

        selection = engine.aws("backup_selection").BackupSelection(
            self.scope, "backup_selection", name=spec.selection, plan_id=plan_id,
            iam_role_arn=role_arn, resources=[bucket.arn],
            depends_on=[bucket.versioning, *attachments])

        output(self.scope, "backup_vault_arn", vault.arn, "ARN of the backup vault")
        output(self.scope, "backup_plan_id", plan_id,
               "Id of the backup plan protecting the model bucket")
        output(self.scope, "backup_role_arn", role_arn,
               "Role AWS Backup uses for backups and restores")
