"""mplat restore: point-in-time restore of the model bucket, and restore status."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from botocore.stub import ANY

from .helpers import (ACCOUNT, REGION, SCORER_BUCKET, _backup_setup, client, _list_points_params,
                      make_bucket, mplat, one_line_error, _recovery_points, _refused, scorer_spec)


# -- restore --------------------------------------------------------------------------------------
def test_restore_starts_a_point_in_time_restore_into_a_new_bucket(moto, capsys, tmp_path):
    rule_id, key_arn = _backup_setup()
    started = datetime.now(timezone.utc) - timedelta(days=3)
    moment = (datetime.now(timezone.utc) - timedelta(days=1)).replace(second=0, microsecond=0)
    at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = moment.strftime("%Y%m%d%H%M")
    moto.add("backup", "list_recovery_points_by_backup_vault",
             _recovery_points(rule_id, started), _list_points_params())
    moto.add("backup", "start_restore_job", {"RestoreJobId": "job-1234"}, {
        "RecoveryPointArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:continuous:"
                            "scorer-models-1a2b",
        "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/scorer-backup",
        "ResourceType": "S3",
        "IdempotencyToken": ANY,
        # exactly the documented S3 keys (AWS Backup guide, "Restore S3 data using AWS Backup",
        # "Restore Amazon S3 recovery points through AWS CLI"): no NewBucket, Encrypted or
        # CreationToken (#16 "Why" 9)
        "Metadata": {"DestinationBucketName": f"scorer-models-123456789012-pitr-{stamp}",
                     "RestoreTime": at, "EncryptionType": "SSE-KMS", "KMSKey": key_arn}})
    spec = scorer_spec(tmp_path, "v1")
    rc, out, err = mplat(capsys, "restore", spec, "--at", moment.strftime("%Y-%m-%d %H:%M"))
    assert rc == 0, err
    # the interpreted time, in UTC, before the job starts (no zone given: read as UTC)
    assert out.splitlines()[0] == (f"restoring s3://{SCORER_BUCKET} as of {at} (UTC; --at "
                                   f"'{moment.strftime('%Y-%m-%d %H:%M')}') into "
                                   f"scorer-models-123456789012-pitr-{stamp}")
    assert out.splitlines()[1] == (f"restore job job-1234 started: s3://{SCORER_BUCKET} as of "
                                   f"{at} -> scorer-models-123456789012-pitr-{stamp} (new bucket)")
    assert "mplat restore status job-1234 --region us-east-1" in out
    moto.assert_all_used()


def test_restore_in_place_needs_yes_and_restores_into_the_model_bucket(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup(kms=False)
    spec = scorer_spec(tmp_path, "v1")
    message = _refused(capsys, spec, "restore", spec, "--at", "1h ago", "--in-place")
    assert "confirm with --yes; nothing changed" in message
    moto.add("backup", "list_recovery_points_by_backup_vault",
             _recovery_points(rule_id, datetime.now(timezone.utc) - timedelta(days=2)))
    moto.add("backup", "start_restore_job", {"RestoreJobId": "job-9"}, {
        "RecoveryPointArn": ANY, "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/scorer-backup",
        "ResourceType": "S3", "IdempotencyToken": ANY,
        "Metadata": {"DestinationBucketName": SCORER_BUCKET, "RestoreTime": ANY,
                     "EncryptionType": "SSE-S3"}})
    rc, out, err = mplat(capsys, "restore", spec, "--at", "1h ago", "--in-place", "--yes")
    assert rc == 0, err
    assert f"-> {SCORER_BUCKET} (in place)" in out
    moto.assert_all_used()


def test_restore_refuses_when_restore_is_not_possible(moto, capsys, tmp_path):
    spec = scorer_spec(tmp_path, "v1")
    # no plan in the account: the stack was never applied
    make_bucket(SCORER_BUCKET)
    assert "restore not possible: backup plan scorer-plan does not exist" in \
        _refused(capsys, spec, "restore", spec, "--at", "1h ago")
    # outside the 7 days of continuous backup, and in the future (no AWS call needed)
    assert "is older than the continuous backup keeps (7 days" in \
        _refused(capsys, spec, "restore", spec, "--at", "8d ago")
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "is in the future" in _refused(capsys, spec, "restore", spec, "--at", future)


def test_restore_refuses_without_a_usable_continuous_recovery_point(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup()
    spec = scorer_spec(tmp_path, "v1")
    moto.add("backup", "list_recovery_points_by_backup_vault", {"RecoveryPoints": []})
    assert "has no continuous recovery point of scorer-models-123456789012" in \
        _refused(capsys, spec, "restore", spec, "--at", "1h ago")
    moto.assert_all_used()


@pytest.mark.parametrize("case", ["stopped", "before-start", "bucket-exists", "outside-role"])
def test_restore_refuses_a_stopped_point_an_early_time_or_an_existing_bucket(case, moto, capsys,
                                                                            tmp_path):
    rule_id, _ = _backup_setup()
    created = datetime.now(timezone.utc) - timedelta(hours=(1 if case == "before-start" else 48))
    if case != "outside-role":          # refused before any AWS call (a usage problem, #16)
        moto.add("backup", "list_recovery_points_by_backup_vault",
                 _recovery_points(rule_id, created,
                                  "STOPPED" if case == "stopped" else "COMPLETED"))
    taken = "scorer-models-123456789012-pitr-taken"
    if case == "bucket-exists":
        client("s3").create_bucket(Bucket=taken)
    spec = scorer_spec(tmp_path, "v1")
    extra = {"bucket-exists": ("--to-bucket", taken),
             "outside-role": ("--to-bucket", "other-restore")}.get(case, ())
    message = _refused(capsys, spec, "restore", spec, "--at", "3h ago", *extra)
    assert {"stopped": "continuous recovery point of scorer-models-123456789012 is STOPPED",
            "before-start": "is before the continuous backup of",
            "bucket-exists": f"bucket {taken} already exists",
            # the backup role may create and write only <model bucket>-pitr-* (least privilege)
            "outside-role": "may restore only into the model bucket (--in-place) or a new bucket "
                            "named scorer-models-123456789012-pitr-*; 'other-restore' is neither",
            }[case] in message
    moto.assert_all_used()


class _Recorder:
    """A Stubber expectation that matches anything and keeps what it was compared with."""
    def __init__(self):
        self.seen: list = []

    def __eq__(self, other):
        self.seen.append(other)
        return True

    def __ne__(self, other):
        return not self.__eq__(other)


def test_a_retry_after_a_failed_restore_job_starts_a_new_job(moto, capsys, tmp_path):
    """#16 Low: a token derived from the request made AWS Backup return the failed job again
    within its idempotency window; each run now sends its own token."""
    rule_id, _ = _backup_setup(kms=False)
    spec = scorer_spec(tmp_path, "v1")
    tokens = _Recorder()
    for job in ("job-failed", "job-new"):
        moto.add("backup", "list_recovery_points_by_backup_vault",
                 _recovery_points(rule_id, datetime.now(timezone.utc) - timedelta(days=2)))
        moto.add("backup", "start_restore_job", {"RestoreJobId": job}, {
            "RecoveryPointArn": ANY, "IamRoleArn": ANY, "ResourceType": "S3",
            "IdempotencyToken": tokens, "Metadata": ANY})
        rc, out, err = mplat(capsys, "restore", spec, "--at", "1h ago", "--in-place", "--yes")
        assert rc == 0 and f"restore job {job} started" in out, err
    assert len(tokens.seen) == 2 and tokens.seen[0] != tokens.seen[1]
    moto.assert_all_used()


def test_restore_status_follows_the_job_until_it_ends(moto, capsys, monkeypatch):
    import operations.restore as restore_mod
    monkeypatch.setattr(restore_mod.time, "sleep", lambda seconds: None)
    for state, percent in (("RUNNING", "40.0%"), ("COMPLETED", "100.0%")):
        moto.add("backup", "describe_restore_job", {
            "RestoreJobId": "job-1", "Status": state, "PercentDone": percent,
            "CreationDate": datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc),
            **({"CreatedResourceArn": "arn:aws:s3:::scorer-restored"}
               if state == "COMPLETED" else {})}, {"RestoreJobId": "job-1"})
    rc, out, err = mplat(capsys, "restore", "status", "job-1", "--wait", "--interval", "0",
                         "--region", REGION)
    assert rc == 0, err
    assert out.splitlines() == [
        "restore job job-1: RUNNING; 40.0% done; started 2026-11-29T10:00:00Z",
        "restore job job-1: COMPLETED; 100.0% done; created arn:aws:s3:::scorer-restored; "
        "started 2026-11-29T10:00:00Z"]
    moto.assert_all_used()


def test_restore_status_of_a_failed_job_exits_1(moto, capsys):
    moto.add("backup", "describe_restore_job", {"RestoreJobId": "job-2", "Status": "FAILED",
                                                "StatusMessage": "Access denied to bucket"})
    rc, out, _ = mplat(capsys, "restore", "status", "job-2", "--region", REGION)
    assert rc == 1 and "FAILED; Access denied to bucket" in out
    moto.error("backup", "describe_restore_job", "ResourceNotFoundException", 404, "no such job")
    rc, _, err = mplat(capsys, "restore", "status", "job-3", "--region", REGION)
    assert rc == 1 and "ResourceNotFoundException: no such job" in one_line_error(err)
