"""AWS rules moto does not enforce (tests/aws_rules.py), over every stack as Terraform applied it.

The stacks are resolved with the values of the real apply (tests/test_terraform.py's ``tf_runs``:
references such as ``${aws_s3_bucket.model_bucket.arn}`` become the ARNs moto returned), then
:func:`aws_rules.check` must find nothing. Negative cases prove each rule fails on bad input.
"""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import aws_rules  # noqa: E402
import tfharness  # noqa: E402
from test_terraform import STACKS  # noqa: E402


@pytest.fixture(scope="session")
def applied_docs(tf_runs, stack_docs) -> dict[str, dict]:
    """Every stack with its references resolved from the state of its real apply."""
    out = {}
    for stack, doc in stack_docs.items():
        run = tf_runs[stack]
        assert run.failed_at("apply") is None, run.error
        out[stack] = tfharness.resolve(doc, run.state)
    return out


@pytest.mark.parametrize("stack", STACKS)
def test_stack_follows_the_aws_rules_moto_does_not_enforce(stack, applied_docs):
    doc = applied_docs[stack]
    policies = [p["policy"] for p in doc["resource"].get("aws_s3_bucket_policy", {}).values()]
    assert policies and all("${" not in p for p in policies), "policies resolved from the state"
    assert aws_rules.check(doc) == []


def _set(path: list, value):
    def mutate(doc):
        node = doc
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = value(node[path[-1]]) if callable(value) else value
    return mutate


def _drop_replica_versioning(doc):
    del doc["resource"]["aws_s3_bucket_versioning"]["replica_bucket_versioning"]


def _replication_not_after_versioning(doc):
    rep = doc["resource"]["aws_s3_bucket_replication_configuration"]["model_bucket_replication"]
    rep["depends_on"] = [d for d in rep["depends_on"] if "versioning" not in d]


def _duplicate_lifecycle_rule(doc):
    rules = doc["resource"]["aws_s3_bucket_lifecycle_configuration"]["model_bucket_lifecycle"][
        "rule"]
    rules.append(copy.deepcopy(rules[0]))


R = ["resource"]
NEGATIVE = [
    ("fraud-detector-prod", "bucket policy with an invalid Effect",
     _set(R + ["aws_s3_bucket_policy", "model_bucket_policy", "policy"],
          lambda p: p.replace('"Deny"', '"Refuse"')), "malformed policy"),
    ("fraud-detector-prod", "key policy statement without a principal",
     _set(R + ["aws_kms_key", "backup_kms_key", "policy"],
          '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", '
          '"Resource": "*"}]}'), "no Principal"),
    ("fraud-detector-prod", "trust policy with an invalid Effect",
     _set(R + ["aws_iam_role", "backup_role", "assume_role_policy"],
          lambda p: p.replace('"Allow"', '"Permit"')), "malformed policy"),
    ("fraud-detector-prod", "trust policy with a Resource",
     _set(R + ["aws_iam_role", "backup_role", "assume_role_policy"],
          lambda p: json.dumps({**json.loads(p), "Statement": [
              {**s, "Resource": "*"} for s in json.loads(p)["Statement"]]})),
     "malformed policy"),
    ("fraud-detector-prod", "lifecycle expiring noncurrent versions after 0 days",
     _set(R + ["aws_s3_bucket_lifecycle_configuration", "model_bucket_lifecycle", "rule", 0,
               "noncurrent_version_expiration", 0, "noncurrent_days"], 0), "positive integer"),
    ("fraud-detector-prod", "lifecycle keeping 101 newer noncurrent versions",
     _set(R + ["aws_s3_bucket_lifecycle_configuration", "model_bucket_lifecycle", "rule", 0,
               "noncurrent_version_expiration", 0, "newer_noncurrent_versions"], 101), "1-100"),
    ("fraud-detector-prod", "two lifecycle rules with one ID", _duplicate_lifecycle_rule,
     "unique"),
    ("fraud-detector-prod", "continuous backup kept 36 days",
     _set(R + ["aws_backup_plan", "backup_plan", "rule", 0, "lifecycle", "delete_after"], 36),
     "1-35 days"),
    ("fraud-detector-prod", "backup start window of 30 minutes",
     _set(R + ["aws_backup_plan", "backup_plan", "rule", 1, "start_window"], 30),
     "at least 60"),
    ("feat-full", "cold storage for less than 90 days",
     _set(R + ["aws_backup_plan", "backup_plan", "rule", 1, "lifecycle", "delete_after"], 100),
     r"cold_storage_after \+ 90"),
    ("churn-scorer", "replication to a bucket without versioning", _drop_replica_versioning,
     "versioning Enabled"),
    ("churn-scorer", "replication put before versioning", _replication_not_after_versioning,
     "must depend on"),
]


@pytest.mark.parametrize("stack,what,mutate,expected", NEGATIVE, ids=[n[1] for n in NEGATIVE])
def test_rules_reject_bad_input(stack, what, mutate, expected, applied_docs):
    doc = copy.deepcopy(applied_docs[stack])
    assert aws_rules.check(doc) == []
    mutate(doc)
    problems = aws_rules.check(doc)
    assert problems and all(re.search(expected, p) for p in problems), problems
