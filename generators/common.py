"""Helpers shared by the generators: stable addresses, plain-JSON policies, hardened buckets.

* ``Capability``: the base of the generators; each resource is created on the stack itself with
  its fixed Terraform address as id (addresses are a contract: renaming one replaces the real
  resource). Stateful resources are created with ``**protected()``: ``lifecycle.prevent_destroy``.
* ``policy(statements)`` renders an IAM/bucket/key policy as a plain JSON string (``json.dumps``)
  with Terraform references inside: Checkov evaluates those, not ``Fn.jsonencode`` or data sources.
* ``hardened_bucket(...)`` is the one S3 bucket recipe of the project (model, log, replica and
  Config delivery buckets): versioning, BucketOwnerEnforced, public access block, default
  encryption, TLS-only bucket policy (plus extra statements), lifecycle, EventBridge notifications,
  optional access logs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from compiler import names

from . import engine


class Capability:
    """One capability of a platform (artifacts, backup, ...): a group of resources added straight
    to the stack, not a construct of its own.

    Addresses are a contract (renaming one replaces the real resource). CDKTF gives an element that
    is a direct child of its stack the logical id it was created with, and a hashed path to a nested
    one; so every resource is created on the stack with its fixed address as id, and no
    ``overrideLogicalId`` call (an engine round trip per resource) is needed. ``scope`` is the stack;
    ``id`` names the capability for the reader (the construct-style signature) and is not used.
    """

    def __init__(self, scope, id: str) -> None:
        self.scope = scope


def protected() -> dict:
    """Constructor arguments of a stateful resource: ``lifecycle.prevent_destroy`` (given at
    creation, not set afterwards: each engine call is a round trip to the jsii kernel)."""
    return {"lifecycle": engine.cdktf.TerraformResourceLifecycle(prevent_destroy=True)}


def policy(*statements: dict) -> str:
    """A policy document as a JSON string (references are token strings, resolved at synth)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust(service: str, account: str | None = None, *, source_arn: str | None = None,
                  actions: str | list[str] = "sts:AssumeRole",
                  conditions: dict | None = None) -> str:
    """Trust policy letting an AWS service assume a role: scoped to the account when known
    (``aws:SourceAccount``) and to the resource acting when given (``ArnLike aws:SourceArn``), the
    confused-deputy guards; ``conditions`` are further condition blocks (operator -> keys)."""
    statement: dict[str, Any] = {
        "Sid": "TrustService",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": actions,
    }
    condition: dict[str, dict] = {}
    if account:
        condition["StringEquals"] = {"aws:SourceAccount": account}
    if source_arn:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    for operator, keys in (conditions or {}).items():
        condition.setdefault(operator, {}).update(keys)
    if condition:
        statement["Condition"] = condition
    return policy(statement)


def tls_only(bucket_arn: str) -> dict:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def account_id(stack) -> str:
    """The stack's account id: the spec's, or the caller-identity data source (created once)."""
    platform = getattr(stack, "platform", None)
    if platform is not None and platform.account_id:
        return platform.account_id
    caller = getattr(stack, "_caller_identity", None)
    if caller is None:
        caller = engine.aws("data_aws_caller_identity").DataAwsCallerIdentity(stack, "current")
        stack._caller_identity = caller
    return caller.account_id


def kms_key(scope, prefix: str, *, description: str, alias: str, account: str, partition: str,
            extra_statements: tuple[dict, ...] = (), region: str | None = None):
    """A customer-managed key with rotation on and an explicit key policy, plus its alias."""
    kms = engine.aws("kms_key")
    statements = [{
        "Sid": "EnableAccountAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": names.account_root_arn(partition, account)},
        "Action": "kms:*",
        "Resource": "*",
    }, *extra_statements]
    key = kms.KmsKey(scope, f"{prefix}_kms_key", description=description, enable_key_rotation=True,
                     deletion_window_in_days=30, policy=policy(*statements),
                     **({"region": region} if region else {}), **protected())
    engine.aws("kms_alias").KmsAlias(scope, f"{prefix}_kms_alias", name=alias,
                                     target_key_id=key.key_id,
                                     **({"region": region} if region else {}))
    return key


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
    s3 = engine.aws
    where = {"region": region} if region else {}
    bucket = s3("s3_bucket").S3Bucket(scope, prefix, bucket=name,
                                       **({"object_lock_enabled": True} if object_lock else {}),
                                       **where, **protected())
    bucket_id, bucket_arn = bucket.id, bucket.arn

    ownership = s3("s3_bucket_ownership_controls").S3BucketOwnershipControls(
        scope, f"{prefix}_ownership", bucket=bucket_id,
        rule={"object_ownership": "BucketOwnerEnforced"}, **where)

    pab = s3("s3_bucket_public_access_block").S3BucketPublicAccessBlock(
        scope, f"{prefix}_public_access_block", bucket=bucket_id, block_public_acls=True,
        block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True, **where)

    versioning = s3("s3_bucket_versioning").S3BucketVersioningA(
        scope, f"{prefix}_versioning", bucket=bucket_id,
        versioning_configuration={"status": "Enabled"}, **where)

    if kms_key_arn:
        default = {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn}
    else:
        default = {"sse_algorithm": "AES256"}
    sse = s3("s3_bucket_server_side_encryption_configuration")
    encryption = sse.S3BucketServerSideEncryptionConfigurationA(
        scope, f"{prefix}_encryption", bucket=bucket_id,
        rule=[sse.S3BucketServerSideEncryptionConfigurationRuleA(
            apply_server_side_encryption_by_default=default,
            bucket_key_enabled=bool(kms_key_arn))], **where)

    statements = (tls_only(bucket_arn),) + tuple(policy_statements)
    bucket_policy = s3("s3_bucket_policy").S3BucketPolicy(
        scope, f"{prefix}_policy", bucket=bucket_id, policy=policy(*statements),
        depends_on=[pab], **where)

    lc = s3("s3_bucket_lifecycle_configuration")
    rules = [lifecycle_rule(**rule) for rule in lifecycle_rules]
    rules.append(lifecycle_rule(id="abort-incomplete-multipart-uploads",
                                abort_multipart_days=abort_multipart_days))
    lc.S3BucketLifecycleConfiguration(
        scope, f"{prefix}_lifecycle", bucket=bucket_id, rule=rules, depends_on=[versioning],
        **where)

    s3("s3_bucket_notification").S3BucketNotification(
        scope, f"{prefix}_notification", bucket=bucket_id, eventbridge=True, **where)

    if log_bucket is not None:
        s3("s3_bucket_logging").S3BucketLoggingA(
            scope, f"{prefix}_logging", bucket=bucket_id, target_bucket=log_bucket.id,
            target_prefix=log_prefix or names.access_log_prefix(name),
            depends_on=[log_bucket.policy], **where)

    return Bucket(bucket=bucket, versioning=versioning, encryption=encryption,
                  policy=bucket_policy, ownership=ownership, id=bucket_id, arn=bucket_arn)


def access_log_target_statements(log_bucket_arn: str, source_buckets: dict[str, str],
                                 account: str) -> tuple[dict, ...]:
    """Bucket-policy statements letting S3 server access logging write into a log bucket
    (ACL-less: with BucketOwnerEnforced, delivery is granted by policy to the logging service):
    one per source bucket (name -> ARN), each only under that bucket's own log prefix
    (``compiler.names.access_log_prefix``, the ``target_prefix`` of its ``aws_s3_bucket_logging``)
    and only for that bucket of this account. Shape as in the S3 user guide, "Enabling Amazon S3
    server access logging", Permissions for log delivery: Resource
    ``arn:aws:s3:::DESTINATION-BUCKET/EXAMPLE-LOGGING-PREFIX*`` with ArnLike aws:SourceArn and
    StringEquals aws:SourceAccount
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html)."""
    statements = []
    for i, (name, arn) in enumerate(sorted(source_buckets.items())):
        statements.append({
            "Sid": "AllowS3ServerAccessLogs" + (str(i) if len(source_buckets) > 1 else ""),
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{log_bucket_arn}/{names.access_log_prefix(name)}*",
            "Condition": {
                "ArnLike": {"aws:SourceArn": arn},
                "StringEquals": {"aws:SourceAccount": account},
            },
        })
    return tuple(statements)


def output(scope, name: str, value, description: str):
    return engine.cdktf.TerraformOutput(scope, name, value=value, description=description,
                                        static_id=True)
