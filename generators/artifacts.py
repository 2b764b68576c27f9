"""ArtifactStore: the versioned model bucket that makes model rollback possible.

Addresses (the contract): ``artifacts_kms_key``/``artifacts_kms_alias`` (encryption: kms),
``model_bucket`` and its companions ``model_bucket_{ownership,public_access_block,versioning,
encryption,policy,lifecycle,notification,logging,object_lock}``; with access logs ``log_bucket``
and ``log_bucket_*``; with a replica ``replica_kms_key``/``replica_kms_alias``, ``replica_bucket``
and ``replica_bucket_*``, ``replica_log_bucket`` and ``replica_log_bucket_*``, ``replication_role``, ``replication_role_policy``,
``model_bucket_replication``.
"""
from __future__ import annotations

from compiler.model.artifacts import Artifacts

from . import engine
from .common import Capability, account_id, kms_key, output
from .policies import access_log_target_statements, policy, service_trust
from .s3 import Bucket, hardened_bucket


def _noncurrent_rules(spec: Artifacts) -> tuple[dict, ...]:
    if spec.expire_after_days is None:
        return ()
    return ({"id": "expire-old-model-versions", "noncurrent_days": spec.expire_after_days,
             "newer_noncurrent_versions": spec.keep},)


class ArtifactStore(Capability):
    """The model bucket (versioned, encrypted, logged, optionally locked and replicated)."""

    def __init__(self, scope, id: str, *, spec: Artifacts, platform) -> None:
        super().__init__(scope, id)
        account = account_id(scope)
        self.spec = spec

        self.kms_key = None
        if spec.encryption == "kms":
            self.kms_key = kms_key(self.scope, "artifacts", alias=spec.kms_alias, account=account,
                                   partition=spec.partition,
                                   description=f"Encrypts the models in s3://{spec.bucket}")

        self.log_bucket: Bucket | None = None
        if spec.access_logs:
            self.log_bucket = hardened_bucket(
                self.scope, "log_bucket", name=spec.log_bucket,
                policy_statements=access_log_target_statements(
                    spec.arn(spec.log_bucket), {spec.bucket: spec.arn(spec.bucket)}, account),
                abort_multipart_days=spec.abort_multipart_days)

        self.bucket = hardened_bucket(
            self.scope, "model_bucket", name=spec.bucket,
            kms_key_arn=self.kms_key.arn if self.kms_key is not None else None,
            lifecycle_rules=_noncurrent_rules(spec), log_bucket=self.log_bucket,
            object_lock=spec.object_lock is not None,
            abort_multipart_days=spec.abort_multipart_days)

        if spec.object_lock is not None:
            engine.aws("s3_bucket_object_lock_configuration") \
                .S3BucketObjectLockConfigurationA(
                    self.scope, "model_bucket_object_lock", bucket=self.bucket.id,
                    rule={"default_retention": {"mode": spec.object_lock.mode,
                                                "days": spec.object_lock.days}},
                    depends_on=[self.bucket.versioning])

        self.replica: Bucket | None = None
        self.replica_key = None
        if spec.replica_region:
            self._replica(spec, account)

        output(self.scope, "model_bucket_name", self.bucket.name,
               "Name of the versioned model bucket")
        output(self.scope, "model_bucket_arn", self.bucket.arn, "ARN of the versioned model bucket")
        if self.kms_key is not None:
            output(self.scope, "artifacts_kms_key_arn", self.kms_key.arn,
                   "KMS key that encrypts the models")
        if self.log_bucket is not None:
            output(self.scope, "log_bucket_name", self.log_bucket.name,
                   "Bucket receiving the model bucket's server access logs")
        if self.replica is not None:
            output(self.scope, "replica_bucket_arn", self.replica.arn,
                   f"Cross-region replica of the model bucket ({spec.replica_region})")

    def _replica(self, spec: Artifacts, account: str) -> None:
        region = spec.replica_region
        replica_key = None
        if spec.encryption == "kms":
            replica_key = kms_key(self.scope, "replica", alias=spec.replica_kms_alias,
                                  account=account, region=region, partition=spec.partition,
                                  description=f"Encrypts the model replica s3://{spec.replica_bucket}")
        replica_logs = hardened_bucket(
            self.scope, "replica_log_bucket", name=spec.replica_log_bucket, region=region,
            policy_statements=access_log_target_statements(
                spec.arn(spec.replica_log_bucket),
                {spec.replica_bucket: spec.arn(spec.replica_bucket)}, account),
            abort_multipart_days=spec.abort_multipart_days)
        self.replica_key = replica_key
        self.replica = hardened_bucket(
            self.scope, "replica_bucket", name=spec.replica_bucket, region=region,
            log_bucket=replica_logs,
            kms_key_arn=replica_key.arn if replica_key is not None else None,
            lifecycle_rules=_noncurrent_rules(spec), object_lock=spec.object_lock is not None,
            abort_multipart_days=spec.abort_multipart_days)

        source_arn = self.bucket.arn
        replica_arn = self.replica.arn
        # The replication role's permissions: S3 user guide, "Replicating encrypted objects"
        # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html),
        # its complete example policy. Same account, BucketOwnerEnforced on the replica: no
        # s3:ObjectOwnerOverrideToBucketOwner (that is for changing the replica owner across accounts).
        statements = [
            {"Sid": "ReadReplicationConfiguration", "Effect": "Allow",
             "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
             "Resource": source_arn},
            {"Sid": "ReadSourceVersions", "Effect": "Allow",
             "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
                        "s3:GetObjectVersionTagging", "s3:GetObjectRetention",
                        "s3:GetObjectLegalHold"],
             "Resource": f"{source_arn}/*"},
            {"Sid": "WriteReplica", "Effect": "Allow",
             "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
             "Resource": f"{replica_arn}/*"},
        ]
        if self.kms_key is not None and replica_key is not None:
            # Same page: kms:Decrypt on the source key and kms:Encrypt on the replica key, each
            # through S3 in its bucket's region (kms:ViaService) and for its bucket
            # (kms:EncryptionContext:aws:s3:arn). Both buckets use S3 Bucket Keys, so the context is
            # the bucket ARN, not the object ARN ("Amazon S3 Bucket Keys and replication"), and the
            # principal also needs kms:Decrypt on the key that encrypts the replica (S3 verifies
            # the Bucket Key with it): without it PutBucketReplication succeeds and every SSE-KMS
            # object fails to replicate.
            statements += [
                {"Sid": "DecryptSource", "Effect": "Allow", "Action": "kms:Decrypt",
                 "Resource": self.kms_key.arn,
                 "Condition": {"StringLike": {
                     "kms:ViaService": spec.s3_via_service,
                     "kms:EncryptionContext:aws:s3:arn": source_arn}}},
                {"Sid": "EncryptReplica", "Effect": "Allow",
                 "Action": ["kms:Encrypt", "kms:Decrypt"],
                 "Resource": replica_key.arn,
                 "Condition": {"StringLike": {
                     "kms:ViaService": spec.replica_s3_via_service,
                     "kms:EncryptionContext:aws:s3:arn": replica_arn}}},
            ]
        role = engine.aws("iam_role").IamRole(
            self.scope, "replication_role", name=spec.replication_role,
            description=f"S3 replication of {spec.bucket} to {spec.replica_bucket}",
            assume_role_policy=service_trust("s3.amazonaws.com", account))
        role_policy = engine.aws("iam_role_policy").IamRolePolicy(
            self.scope, "replication_role_policy", name="replicate-models", role=role.id,
            policy=policy(*statements))

        rep = engine.aws("s3_bucket_replication_configuration")
        destination = {"bucket": replica_arn, "storage_class": "STANDARD"}
        extra = {}
        if replica_key is not None:
            destination["encryption_configuration"] = {"replica_kms_key_id": replica_key.arn}
            extra["source_selection_criteria"] = {"sse_kms_encrypted_objects": {"status": "Enabled"}}
        rule = rep.S3BucketReplicationConfigurationRule(
            id="replicate-models", status="Enabled", priority=1,
            filter=rep.S3BucketReplicationConfigurationRuleFilter(prefix=""),
            delete_marker_replication={"status": "Enabled"},
            destination=destination, **extra)
        rep.S3BucketReplicationConfigurationA(
            self.scope, "model_bucket_replication", bucket=self.bucket.id, role=role.arn,
            rule=[rule], depends_on=[self.bucket.versioning, self.replica.versioning, role_policy])
