"""Plain-JSON policies: IAM trust and permission policies, bucket and key policy statements.

``policy(statements)`` renders a policy as a plain JSON string (``json.dumps``) with Terraform
references inside (token strings, resolved at synth): Checkov evaluates those, not
``Fn.jsonencode`` or data sources. Nothing here touches the engine (no cdktf, no Node): the
statements are tested as data (tests/test_policies.py).
"""
from __future__ import annotations

import json
from typing import Any

from compiler import names


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


def account_administration(partition: str, account: str) -> dict:
    """The key-policy statement that lets the account administer its key through IAM."""
    return {
        "Sid": "EnableAccountAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": names.account_root_arn(partition, account)},
        "Action": "kms:*",
        "Resource": "*",
    }


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
