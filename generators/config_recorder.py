"""ConfigurationHistory: AWS Config recording the platform's configuration, plus managed rules.

With ``recorder: create``: ``config_kms_key``/``config_kms_alias``, the delivery bucket
``config_bucket`` (+ ``config_bucket_*``), its access-log bucket ``config_log_bucket``
(+ ``config_log_bucket_*``), ``config_role``, ``config_role_managed``, ``config_role_delivery``,
``config_recorder``, ``config_delivery_channel`` (after the recorder and the bucket policy),
``config_recorder_status`` (after the channel). Always: ``config_rule_<identifier>`` per rule.
"""
from __future__ import annotations

from compiler import names
from compiler.model.config import ConfigRecorder

from . import engine
from .common import Capability, account_id, kms_key, output
from .policies import access_log_target_statements, policy, service_trust
from .s3 import hardened_bucket


def _delivery_statements(bucket_arn: str, account: str, principal: str) -> tuple[dict, ...]:
    """What AWS Config needs on its delivery bucket (ACL check, existence check, delivery)."""
    source = {"StringEquals": {"aws:SourceAccount": account}}
    return (
        {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow",
         "Principal": {"Service": principal}, "Action": "s3:GetBucketAcl",
         "Resource": bucket_arn, "Condition": source},
        {"Sid": "AWSConfigBucketExistenceCheck", "Effect": "Allow",
         "Principal": {"Service": principal}, "Action": "s3:ListBucket",
         "Resource": bucket_arn, "Condition": source},
        {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow",
         "Principal": {"Service": principal}, "Action": "s3:PutObject",
         "Resource": f"{bucket_arn}/AWSLogs/{account}/Config/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                        "aws:SourceAccount": account}}},
    )


class ConfigurationHistory(Capability):
    def __init__(self, scope, id: str, *, spec: ConfigRecorder, platform) -> None:
        super().__init__(scope, id)
        self.platform = platform
        account = account_id(scope)
        recorder = None
        if spec.create:
            recorder = self._recorder(spec, account)

        rule_cls = engine.aws("config_config_rule").ConfigConfigRule
        for rule in spec.rules:
            args = {}
            if rule.resource_types or rule.resource_id:
                scope_ = {}
                if rule.resource_types:
                    scope_["compliance_resource_types"] = list(rule.resource_types)
                if rule.resource_id:
                    scope_["compliance_resource_id"] = rule.resource_id
                args["scope"] = scope_
            logical = f"config_rule_{rule.identifier.lower()}"
            rule_cls(self.scope, logical, name=rule.name,
                     source={"owner": "AWS", "source_identifier": rule.identifier},
                     depends_on=[recorder] if recorder is not None else None, **args)

    def _recorder(self, spec: ConfigRecorder, account: str):
        partition = self.platform.partition
        bucket_arn = names.s3_arn(partition, spec.bucket)
        key = kms_key(self.scope, "config", alias=f"alias/{spec.recorder}", account=account,
                      partition=partition,
                      description=f"Encrypts AWS Config history in s3://{spec.bucket}",
                      extra_statements=({
                          "Sid": "AllowConfigDelivery", "Effect": "Allow",
                          "Principal": {"Service": spec.service_principal},
                          "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
                          "Condition": {"StringEquals": {"aws:SourceAccount": account}}},))
        log_bucket = hardened_bucket(
            self.scope, "config_log_bucket", name=spec.log_bucket,
            policy_statements=access_log_target_statements(
                names.s3_arn(partition, spec.log_bucket), {spec.bucket: bucket_arn}, account),
            abort_multipart_days=spec.abort_multipart_days)
        bucket = hardened_bucket(
            self.scope, "config_bucket", name=spec.bucket, kms_key_arn=key.arn,
            policy_statements=_delivery_statements(bucket_arn, account, spec.service_principal),
            log_bucket=log_bucket, abort_multipart_days=spec.abort_multipart_days)

        role = engine.aws("iam_role").IamRole(
            self.scope, "config_role", name=spec.role,
            description=f"AWS Config recorder {spec.recorder}",
            assume_role_policy=service_trust(spec.service_principal, account))
        managed = engine.aws("iam_role_policy_attachment").IamRolePolicyAttachment(
            self.scope, "config_role_managed", role=role.name, policy_arn=spec.managed_policy)
        delivery = engine.aws("iam_role_policy").IamRolePolicy(
            self.scope, "config_role_delivery", name="deliver-configuration-history",
            role=role.id,
            policy=policy(
                {"Sid": "CheckBucket", "Effect": "Allow", "Action": "s3:GetBucketAcl",
                 "Resource": bucket.arn},
                {"Sid": "DeliverHistory", "Effect": "Allow", "Action": "s3:PutObject",
                 "Resource": f"{bucket.arn}/AWSLogs/{account}/Config/*",
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
                {"Sid": "EncryptHistory", "Effect": "Allow",
                 "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn}))

        rec = engine.aws("config_configuration_recorder")
        if spec.all_resources:
            group = {"all_supported": True,
                     "include_global_resource_types": spec.include_global_resource_types}
        else:
            group = {"all_supported": False, "include_global_resource_types": False,
                     "resource_types": list(spec.resource_types),
                     "recording_strategy": [rec.ConfigConfigurationRecorderRecordingGroupRecordingStrategy(
                         use_only="INCLUSION_BY_RESOURCE_TYPES")]}
        recorder = rec.ConfigConfigurationRecorder(
            self.scope, "config_recorder", name=spec.recorder, role_arn=role.arn,
            recording_group=group,
            recording_mode={"recording_frequency": spec.recording_frequency},
            depends_on=[managed])

        channel = engine.aws("config_delivery_channel").ConfigDeliveryChannel(
            self.scope, "config_delivery_channel", name=spec.delivery_channel,
            s3_bucket_name=bucket.name, s3_kms_key_arn=key.arn,
            snapshot_delivery_properties={"delivery_frequency": spec.delivery_frequency},
            depends_on=[recorder, bucket.policy, delivery])

        engine.aws("config_configuration_recorder_status").ConfigConfigurationRecorderStatus(
            self.scope, "config_recorder_status", name=recorder.name, is_enabled=True,
            depends_on=[channel])

        output(self.scope, "config_recorder_name", recorder.name, "Name of the AWS Config recorder")
        output(self.scope, "config_bucket_name", bucket.name,
               "Bucket receiving the configuration history")
        return recorder
