"""Refusals and bad situations (#16 item 6): one line, exit 1, nothing changed."""
from __future__ import annotations

import time
from datetime import timedelta, timezone

from .helpers import (ACCOUNT, SCORER_BUCKET, SCORER_KEY, client, make_bucket, mplat,
                      one_line_error, ranker_spec, _refused, scorer_spec, upload, versions_of)


# -- refusals and bad situations (item 6): one line, exit 1, nothing changed ----------------------
def test_rollback_refuses_when_versioning_is_not_enabled(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET, versioning=None)
    upload(SCORER_BUCKET, SCORER_KEY, 1)
    spec = scorer_spec(tmp_path, '"null"')
    message = _refused(capsys, spec, "models", "rollback", spec, "--to", "null")
    assert "versioning of scorer-models-123456789012 is Never enabled, not Enabled" in message
    client("s3").put_bucket_versioning(Bucket=SCORER_BUCKET,
                                       VersioningConfiguration={"Status": "Suspended"})
    message = _refused(capsys, spec, "models", "rollback", spec, "--mode", "copy", "--to", "x",
                       "--yes")
    assert "is Suspended, not Enabled" in message


def test_rollback_refuses_an_unknown_version_and_a_delete_marker(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    client("s3").delete_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)
    marker = [v for v in versions_of(SCORER_BUCKET, SCORER_KEY) if "Size" not in v][0]["VersionId"]
    spec = scorer_spec(tmp_path, ids[1])
    assert "unknown version nope" in _refused(capsys, spec, "models", "rollback", spec, "--to",
                                              "nope")
    for mode in ("pin", "copy"):
        message = _refused(capsys, spec, "models", "rollback", spec, "--mode", mode, "--to",
                           marker, "--yes")
        assert f"{marker} is a delete marker" in message
    message = _refused(capsys, spec, "models", "rollback", spec, "--mode", "copy", "--steps", "1",
                       "--yes")
    assert "is deleted (its newest entry is a delete marker)" in message
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 3


def test_rollback_refuses_a_time_when_the_key_was_deleted_and_steps_from_an_unknown_pin(
        moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    time.sleep(1.1)
    client("s3").delete_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)
    marker = [v for v in versions_of(SCORER_BUCKET, SCORER_KEY) if "Size" not in v][0]
    spec = scorer_spec(tmp_path, "not-a-version")
    at = (marker["LastModified"].astimezone(timezone.utc) + timedelta(seconds=1))
    message = _refused(capsys, spec, "models", "rollback", spec, "--mode", "copy", "--yes",
                       "--at", at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert f"{marker['VersionId']} is a delete marker" in message
    message = _refused(capsys, spec, "models", "rollback", spec, "--steps", "1", "--from-uploads")
    assert ("--steps counts back from the pinned version, and "
            f"s3://{SCORER_BUCKET}/{SCORER_KEY} has no such version (not-a-version)") in message
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 3 and ids


def test_rollback_refuses_what_is_already_pinned_or_current(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    spec = scorer_spec(tmp_path, ids[0])
    message = _refused(capsys, spec, "models", "rollback", spec, "--to", ids[0])
    assert f"version {ids[0]} is already pinned ({spec}:34)" in message
    message = _refused(capsys, spec, "models", "rollback", spec, "--mode", "copy", "--to", ids[1],
                       "--yes")
    assert f"version {ids[1]} is already the current version" in message
    message = _refused(capsys, spec, "models", "rollback", spec, "--steps", "5", "--from-uploads")
    assert "cannot go back 5 step(s)" in message and "has 0 version(s) older" in message
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 2


def test_missing_bucket_and_missing_key_are_one_line_errors(moto, capsys, tmp_path):
    spec = scorer_spec(tmp_path, "v1")
    message = _refused(capsys, spec, "models", "history", spec)
    assert f"bucket {SCORER_BUCKET} does not exist in account {ACCOUNT} (us-east-1)" in message
    make_bucket(SCORER_BUCKET)
    message = _refused(capsys, spec, "models", "rollback", spec, "--steps", "1")
    assert f"no object s3://{SCORER_BUCKET}/{SCORER_KEY}" in message


def test_wrong_account_is_refused_before_any_other_call(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    spec = scorer_spec(tmp_path, "v1", account="210987654321")
    for argv in (("models", "history", spec), ("models", "rollback", spec, "--steps", "1"),
                 ("verify", spec), ("changes", spec),
                 ("restore", spec, "--at", "1h ago")):
        message = _refused(capsys, spec, *argv)
        assert (f"wrong account: the credentials (arn:aws:sts::{ACCOUNT}:user/moto) are for "
                f"account {ACCOUNT}, the spec's aws.account_id is 210987654321") in message


def test_no_credentials_is_a_one_line_error(moto, capsys, tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    spec = scorer_spec(tmp_path, "v1")
    message = _refused(capsys, spec, "models", "history", spec)
    assert message.startswith("mplat: error: no AWS credentials found")
    message = _refused(capsys, spec, "models", "history", spec, "--profile", "nobody")
    assert "AWS profile 'nobody' is not configured" in message


def test_access_denied_is_a_one_line_error_naming_the_permission(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    moto.error("s3", "get_bucket_versioning", "AccessDenied", 403, "Access Denied")
    spec = scorer_spec(tmp_path, "v1")
    message = _refused(capsys, spec, "models", "rollback", spec, "--steps", "1")
    assert message == (f"mplat: error: access denied: s3:GetBucketVersioning (s3://{SCORER_BUCKET})"
                       f" for arn:aws:sts::{ACCOUNT}:user/moto; grant that permission or use "
                       "another --profile")
    moto.assert_all_used()


def test_spec_problems_are_one_line_errors(moto, capsys, tmp_path):
    spec = ranker_spec(tmp_path, base="a", prod="b")
    assert "has environments: pass --env (dev, prod)" in \
        _refused(capsys, spec, "models", "history", spec)
    assert "has no environment 'prd' (it has dev, prod); did you mean 'prod'?" in \
        _refused(capsys, spec, "models", "history", spec, "--env", "prd")
    rc, _, err = mplat(capsys, "models", "history", tmp_path / "nope.yaml")
    assert rc == 1 and "no such spec file" in one_line_error(err)
