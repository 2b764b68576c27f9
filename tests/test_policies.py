"""generators/policies.py: the plain-JSON policies, tested as data, without the engine (no cdktf,
no jsii, no Node)."""
from __future__ import annotations

import json
from pathlib import Path

from generators.policies import (access_log_target_statements, account_administration, policy,
                                 service_trust, tls_only)

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_policies_loads_no_engine():
    import engineprobe
    result = engineprobe.probe("import generators.policies")
    assert result.returncode == 0, result
    engineprobe.assert_engine_not_loaded(result)
    assert not result.names & {"generators.engine", "generators.runtime"}, result.names


def test_policy_document():
    assert json.loads(policy({"Sid": "A"})) == {"Version": "2012-10-17", "Statement": [{"Sid": "A"}]}


def test_service_trust_scopes_to_the_account_and_the_source():
    doc = json.loads(service_trust("codedeploy.amazonaws.com", "123456789012",
                                   source_arn="arn:aws:codedeploy:us-east-1:123456789012:x",
                                   conditions={"StringEquals": {"aws:SourceOrgID": "o-1"}}))
    (statement,) = doc["Statement"]
    assert statement["Principal"] == {"Service": "codedeploy.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012", "aws:SourceOrgID": "o-1"},
        "ArnLike": {"aws:SourceArn": "arn:aws:codedeploy:us-east-1:123456789012:x"}}
    assert "Condition" not in json.loads(service_trust("backup.amazonaws.com"))["Statement"][0]


def test_tls_only_denies_plain_http_on_the_bucket_and_its_objects():
    statement = tls_only("arn:aws:s3:::b")
    assert statement["Effect"] == "Deny" and statement["Resource"] == ["arn:aws:s3:::b",
                                                                        "arn:aws:s3:::b/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_access_log_statements_one_per_source_under_its_own_prefix():
    statements = access_log_target_statements(
        "arn:aws:s3:::logs", {"b": "arn:aws:s3:::b", "a": "arn:aws:s3:::a"}, "123456789012")
    assert [s["Sid"] for s in statements] == ["AllowS3ServerAccessLogs0", "AllowS3ServerAccessLogs1"]
    assert [s["Resource"] for s in statements] == ["arn:aws:s3:::logs/a/*", "arn:aws:s3:::logs/b/*"]
    assert statements[0]["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:s3:::a"}
    (single,) = access_log_target_statements("arn:aws:s3:::logs", {"a": "arn:aws:s3:::a"}, "1")
    assert single["Sid"] == "AllowS3ServerAccessLogs"


def test_account_administration_in_the_partition():
    assert account_administration("aws-cn", "1")["Principal"] == {"AWS": "arn:aws-cn:iam::1:root"}
