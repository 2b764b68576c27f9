"""The checks real Terraform + moto cannot make: documented AWS rules moto 5.2.5 does not enforce.

Applying, reading back and drift are checked with the real ``terraform`` and provider against moto
(tests/tfharness.py, tests/test_terraform.py). That replaced the hand-written Terraform-to-boto3
translation this module used to hold (argument names, block shapes, enums, references, dependency
order, rejected API calls: the provider and moto now check all of it, for real).

What is left is what neither the provider (its schema validation) nor moto (what it stores without
validating) rejects, although AWS would. :func:`check` runs these rules over a synthesized
``cdk.tf.json`` and returns the problems; each rule is in :data:`AWS_RULES` with the moto line
that shows moto does not check it:

* resource-based policies (S3 bucket policies, KMS key policies): moto's IAM policy grammar plus
  a principal in every statement (moto stores both documents unvalidated);
* role trust policies: moto's trust-policy grammar (moto's CreateRole stores it unvalidated; only
  its UpdateAssumeRolePolicy validates);
* S3 lifecycle rules: positive day counts, NewerNoncurrentVersions 1-100, unique rule IDs;
* S3 replication: versioning Enabled on the source and destination bucket, put first;
* AWS Backup plans: a continuous rule keeps 1-35 days; DeleteAfterDays is at least
  MoveToColdStorageAfterDays + 90; StartWindowMinutes is at least 60.
"""
from __future__ import annotations

import json
import re
from typing import Any

AWS_RULES: dict[str, str] = {
    "aws_s3_bucket_policy / aws_kms_key policy":
        "moto stores bucket and key policies unvalidated (moto/s3/models.py:2196-2204 "
        "put_bucket_policy; moto/kms/models.py:145 keeps the policy string): moto's IAM "
        "grammar + a Principal in every statement",
    "aws_iam_role assume_role_policy":
        "moto's CreateRole stores the trust policy unvalidated; only UpdateAssumeRolePolicy runs "
        "IAMTrustPolicyDocumentValidator (moto/iam/models.py:2220-2223)",
    "aws_s3_bucket_lifecycle_configuration":
        "Days, NoncurrentDays and DaysAfterInitiation are positive integers; "
        "NewerNoncurrentVersions is 1-100; rule IDs are unique (moto/s3/models.py:1163-1310 "
        "set_lifecycle checks only that the members are present)",
    "aws_s3_bucket_replication_configuration":
        "versioning must be Enabled on the source and the destination bucket, and be put first "
        "(depends_on): moto/s3/models.py:2233-2248 put_bucket_replication checks neither",
    "aws_backup_plan":
        "a continuous-backup rule keeps 1-35 days; DeleteAfterDays is at least "
        "MoveToColdStorageAfterDays + 90; StartWindowMinutes is at least 60 "
        "(moto/backup/models.py:55-72 only fills defaults)",
}


def _policy_problems(document: str, what: str, *, trust: bool = False) -> list[str]:
    from moto.iam.policy_validation import BaseIAMPolicyValidator, IAMTrustPolicyDocumentValidator

    validator = IAMTrustPolicyDocumentValidator if trust else BaseIAMPolicyValidator
    try:
        validator(document).validate()
    except Exception as exc:  # moto's MalformedPolicyDocument, or a parse error
        return [f"{what}: malformed policy: {getattr(exc, 'message', exc)}"]
    statements = json.loads(document)["Statement"]
    return [f"{what}: statement {st.get('Sid', '?')!r} has no Principal (required in a "
            "resource-based policy)"
            for st in (statements if isinstance(statements, list) else [statements])
            if "Principal" not in st and "NotPrincipal" not in st]


def _blocks(value: Any) -> list[dict]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _resources(doc: dict, type_: str) -> dict[str, dict]:
    return doc.get("resource", {}).get(type_, {})


def _bucket(value: str) -> str:
    """A bucket reference (``${aws_s3_bucket.X.id|bucket|arn}``) or name/ARN, as one key."""
    m = re.fullmatch(r"\$\{(aws_s3_bucket\.[\w-]+)\.(?:id|bucket|arn)\}", value)
    return m.group(1) if m else value.removeprefix("arn:aws:s3:::")


def check(doc: dict) -> list[str]:
    """The AWS_RULES problems of a synthesized stack (empty: AWS would accept it)."""
    problems: list[str] = []
    for name, p in _resources(doc, "aws_s3_bucket_policy").items():
        problems += _policy_problems(p["policy"], f"aws_s3_bucket_policy.{name}")
    for name, k in _resources(doc, "aws_kms_key").items():
        if "policy" in k:
            problems += _policy_problems(k["policy"], f"aws_kms_key.{name} policy")
    for name, r in _resources(doc, "aws_iam_role").items():
        problems += _policy_problems(r["assume_role_policy"], f"aws_iam_role.{name} trust policy",
                                     trust=True)

    for name, lc in _resources(doc, "aws_s3_bucket_lifecycle_configuration").items():
        where = f"aws_s3_bucket_lifecycle_configuration.{name}"
        ids = [r["id"] for r in lc["rule"]]
        if len(ids) != len(set(ids)):
            problems.append(f"{where}: lifecycle rule IDs must be unique")
        for r in lc["rule"]:
            for block, key in (("expiration", "days"),
                               ("noncurrent_version_expiration", "noncurrent_days"),
                               ("abort_incomplete_multipart_upload", "days_after_initiation")):
                for b in _blocks(r.get(block)):
                    if key in b and int(b[key]) <= 0:
                        problems.append(f"{where}: rule {r['id']!r}: {block}.{key} must be a "
                                        "positive integer")
            for b in _blocks(r.get("noncurrent_version_expiration")):
                newer = b.get("newer_noncurrent_versions")
                if newer is not None and not 1 <= int(newer) <= 100:
                    problems.append(f"{where}: rule {r['id']!r}: newer_noncurrent_versions must "
                                    "be 1-100")

    versioning = {_bucket(v["bucket"]): (f"aws_s3_bucket_versioning.{n}",
                                         _blocks(v["versioning_configuration"])[0]["status"])
                  for n, v in _resources(doc, "aws_s3_bucket_versioning").items()}
    for name, rep in _resources(doc, "aws_s3_bucket_replication_configuration").items():
        where = f"aws_s3_bucket_replication_configuration.{name}"
        buckets = [_bucket(rep["bucket"])] + [_bucket(d["bucket"]) for r in rep["rule"]
                                              for d in _blocks(r["destination"])]
        for bucket in buckets:
            addr, status = versioning.get(bucket, (None, None))
            if status != "Enabled":
                problems.append(f"{where}: bucket {bucket} must have versioning Enabled")
            elif addr not in rep.get("depends_on", []):
                problems.append(f"{where}: must depend on {addr} (versioning is put first)")

    for name, plan in _resources(doc, "aws_backup_plan").items():
        where = f"aws_backup_plan.{name}"
        for r in plan["rule"]:
            life = _blocks(r.get("lifecycle"))[0] if r.get("lifecycle") else {}
            delete = life.get("delete_after")
            if r.get("enable_continuous_backup") and not (delete and 1 <= int(delete) <= 35):
                problems.append(f"{where}: rule {r['rule_name']!r}: continuous backup keeps "
                                "1-35 days")
            cold = life.get("cold_storage_after")
            if cold is not None and (delete is None or int(delete) < int(cold) + 90):
                problems.append(f"{where}: rule {r['rule_name']!r}: delete_after must be at "
                                "least cold_storage_after + 90")
            if "start_window" in r and int(r["start_window"]) < 60:
                problems.append(f"{where}: rule {r['rule_name']!r}: start_window must be at "
                                "least 60")
    return problems
