"""mplat changes: what AWS Config recorded for the stack's resources."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import boto3
from botocore.stub import ANY

from .helpers import (SCORER_BUCKET, client, make_bucket, mplat, _refused, scorer_spec)


# -- changes --------------------------------------------------------------------------------------
def test_changes_lists_what_config_recorded_for_the_stacks_resources(moto, capsys, tmp_path):
    # moto 5.2.5 records S3 buckets; its IAM role items do not parse (tags as a list, not a map)
    make_bucket(SCORER_BUCKET)
    time.sleep(1.1)
    make_bucket(f"{SCORER_BUCKET}-logs", versioning=None)
    rc, out, err = mplat(capsys, "changes", scorer_spec(tmp_path, "v1"), "--since", "1d",
                         "--format", "json")
    assert rc == 0, err
    data = json.loads(out)
    recorded = {(c["type"], c["name"]) for c in data["changes"]}
    assert recorded == {("AWS::S3::Bucket", SCORER_BUCKET),
                        ("AWS::S3::Bucket", f"{SCORER_BUCKET}-logs")}
    assert [c["name"] for c in data["changes"]] == [f"{SCORER_BUCKET}-logs", SCORER_BUCKET]
    assert "AWS::CodeDeploy::DeploymentGroup scorer-group" in data["not_recorded"]
    times = [c["time"] for c in data["changes"]]
    assert times == sorted(times, reverse=True)


def test_changes_covers_the_kms_keys_the_model_reader_role_and_the_replica(moto, capsys, tmp_path):
    """#16 Low: changes left out the KMS keys, the model-reader role and the replica bucket (the
    replica is recorded by AWS Config in its own region, so it is read there)."""
    make_bucket(SCORER_BUCKET)
    key = client("kms").create_key()["KeyMetadata"]["KeyId"]
    client("kms").create_alias(AliasName="alias/scorer-artifacts", TargetKeyId=key)
    west = boto3.client("s3", region_name="us-west-2")
    west.create_bucket(Bucket=f"{SCORER_BUCKET}-replica",
                       CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    spec = scorer_spec(tmp_path, "v1")
    spec.write_text(spec.read_text()
                    .replace("artifacts: {}", "artifacts: {replica_region: us-west-2}")
                    .replace("cluster: {kubeconfig: ~/.kube/config}",
                             "cluster: {eks_cluster: ml-prod}"))
    rc, out, err = mplat(capsys, "changes", spec, "--since", "1d", "--format", "json")
    assert rc == 0, err
    data = json.loads(out)
    recorded = {(c["type"], c["name"], c["region"]) for c in data["changes"]}
    assert ("AWS::S3::Bucket", f"{SCORER_BUCKET}-replica", "us-west-2") in recorded
    asked = {(r["type"], r["name"], r["region"]) for r in data["resources"]}
    for wanted in [("AWS::KMS::Key", "alias/scorer-artifacts", "us-east-1"),
                   ("AWS::KMS::Key", "alias/scorer-artifacts-replica", "us-west-2"),
                   ("AWS::KMS::Key", "alias/scorer-backup", "us-east-1"),
                   ("AWS::IAM::Role", "scorer-model-reader", "us-east-1"),
                   ("AWS::S3::Bucket", f"{SCORER_BUCKET}-replica-logs", "us-west-2")]:
        assert wanted in asked, wanted
    # the aliases that do not exist are named as not recorded (KMS DescribeKey: NotFound)
    assert "AWS::KMS::Key alias/scorer-backup" in data["not_recorded"]
    assert "AWS::KMS::Key alias/scorer-artifacts" not in data["not_recorded"]   # it exists


def test_changes_merges_histories_newest_first_naming_changed_fields(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    t = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)

    def item(minutes: int, versioning: str, tags: dict) -> dict:
        return {"configurationItemCaptureTime": t + timedelta(minutes=minutes),
                "configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket",
                "resourceId": SCORER_BUCKET, "tags": tags,
                "configuration": json.dumps({"name": SCORER_BUCKET}),
                "supplementaryConfiguration": {"BucketVersioningConfiguration":
                                               json.dumps({"status": versioning})}}
    moto.add("config", "get_resource_config_history", {"configurationItems": [
        item(30, "Suspended", {"a": "1"}), item(20, "Enabled", {"a": "1"}),
        item(10, "Enabled", {"a": "0"})]},
        {"resourceType": "AWS::S3::Bucket", "resourceId": SCORER_BUCKET, "earlierTime": ANY,
         "laterTime": ANY, "chronologicalOrder": "Reverse"})
    rc, out, err = mplat(capsys, "changes", scorer_spec(tmp_path, "v1"), "--since", "2w")
    assert rc == 0, err
    lines = [line for line in out.splitlines() if line.startswith("  2026")]
    assert [line.split()[0] for line in lines] == [
        "2026-11-29T12:30:00Z", "2026-11-29T12:20:00Z", "2026-11-29T12:10:00Z"]
    assert lines[0].endswith("OK  changed: BucketVersioningConfiguration")
    assert lines[1].endswith("OK  changed: tags")
    assert lines[2].endswith("OK  oldest item in the window")
    moto.assert_all_used()


def test_changes_rejects_a_bad_duration(moto, capsys, tmp_path):
    spec = scorer_spec(tmp_path, "v1")
    assert "'3 fortnights' is not a duration" in \
        _refused(capsys, spec, "changes", spec, "--since", "3 fortnights")
