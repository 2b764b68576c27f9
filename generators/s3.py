"""The one S3 bucket recipe of the project (model, log, replica and Config delivery buckets):
versioning, BucketOwnerEnforced, public access block, default encryption, TLS-only bucket policy
(plus extra statements), lifecycle, EventBridge notifications, optional access logs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler import names

from . import engine
from .common import protected
from .policies import policy, tls_only


def lifecycle_rule(*, id: str, noncurrent_days: int | None = None,
                   newer_noncurrent_versions: int | None = None,
                   abort_multipart_days: int | None = None):
    """One lifecycle rule over the whole bucket (an empty filter: every object)."""
    lc = engine.aws("s3_bucket_lifecycle_configuration")
    args = {}
    if noncurrent_days is not None:
        args["noncurrent_version_expiration"] = [
            lc.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                noncurrent_days=noncurrent_days,
                newer_noncurrent_versions=newer_noncurrent_versions)]
    if abort_multipart_days is not None:
        args["abort_incomplete_multipart_upload"] = [
            lc.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                days_after_initiation=abort_multipart_days)]
    return lc.S3BucketLifecycleConfigurationRule(
        id=id, status="Enabled", filter=[lc.S3BucketLifecycleConfigurationRuleFilter()], **args)


@dataclass
class Bucket:
    """The resources of one hardened bucket (for references from other capabilities), and the
    bucket's id and ARN tokens, read once (each read of a resource attribute is an engine call)."""
    bucket: Any
    versioning: Any
    encryption: Any
    policy: Any
    ownership: Any
    id: str
    arn: str

    @property
    def name(self) -> str:
        return self.bucket.bucket


def hardened_bucket(scope, prefix: str, *, name: str, kms_key_arn: str | None = None,
                    policy_statements: tuple = (), lifecycle_rules: tuple = (),
                    log_bucket: Bucket | None = None, log_prefix: str | None = None,
                    object_lock: bool = False, region: str | None = None,
                    abort_multipart_days: int) -> Bucket:
    """One S3 bucket with every companion resource, all addressed ``<prefix>[_<part>]``.

    ``kms_key_arn`` None means SSE-S3 (AES256): required for server-access-log target buckets.
    ``lifecycle_rules`` are ``lifecycle_rule`` keyword dicts; a rule aborting incomplete multipart
    uploads after ``abort_multipart_days`` is always added.
    """
    where = {"region": region} if region else {}
    bucket = engine.aws("s3_bucket").S3Bucket(
        scope, prefix, bucket=name, **({"object_lock_enabled": True} if object_lock else {}),
        **where, **protected())
    bucket_id, bucket_arn = bucket.id, bucket.arn

    ownership = engine.aws("s3_bucket_ownership_controls").S3BucketOwnershipControls(
        scope, f"{prefix}_ownership", bucket=bucket_id,
        rule={"object_ownership": "BucketOwnerEnforced"}, **where)

    pab = engine.aws("s3_bucket_public_access_block").S3BucketPublicAccessBlock(
        scope, f"{prefix}_public_access_block", bucket=bucket_id, block_public_acls=True,
        block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True, **where)

    versioning = engine.aws("s3_bucket_versioning").S3BucketVersioningA(
        scope, f"{prefix}_versioning", bucket=bucket_id,
        versioning_configuration={"status": "Enabled"}, **where)

    if kms_key_arn:
        default = {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn}
    else:
        default = {"sse_algorithm": "AES256"}
    sse = engine.aws("s3_bucket_server_side_encryption_configuration")
    encryption = sse.S3BucketServerSideEncryptionConfigurationA(
        scope, f"{prefix}_encryption", bucket=bucket_id,
        rule=[sse.S3BucketServerSideEncryptionConfigurationRuleA(
            apply_server_side_encryption_by_default=default,
            bucket_key_enabled=bool(kms_key_arn))], **where)

    statements = (tls_only(bucket_arn),) + tuple(policy_statements)
    bucket_policy = engine.aws("s3_bucket_policy").S3BucketPolicy(
        scope, f"{prefix}_policy", bucket=bucket_id, policy=policy(*statements),
        depends_on=[pab], **where)

    lc = engine.aws("s3_bucket_lifecycle_configuration")
    rules = [lifecycle_rule(**rule) for rule in lifecycle_rules]
    rules.append(lifecycle_rule(id="abort-incomplete-multipart-uploads",
                                abort_multipart_days=abort_multipart_days))
    lc.S3BucketLifecycleConfiguration(
        scope, f"{prefix}_lifecycle", bucket=bucket_id, rule=rules, depends_on=[versioning],
        **where)

    engine.aws("s3_bucket_notification").S3BucketNotification(
        scope, f"{prefix}_notification", bucket=bucket_id, eventbridge=True, **where)

    if log_bucket is not None:
        engine.aws("s3_bucket_logging").S3BucketLoggingA(
            scope, f"{prefix}_logging", bucket=bucket_id, target_bucket=log_bucket.id,
            target_prefix=log_prefix or names.access_log_prefix(name),
            depends_on=[log_bucket.policy], **where)

    return Bucket(bucket=bucket, versioning=versioning, encryption=encryption,
                  policy=bucket_policy, ownership=ownership, id=bucket_id, arn=bucket_arn)
