"""mplat models rollback, copy mode: copy a version onto the key (keeping SSE-KMS)."""
from __future__ import annotations

import sys

from .helpers import (SCORER_BUCKET, SCORER_KEY, client, make_bucket, mplat, one_line_error,
                      scorer_spec, upload, versions_of)


# -- rollback, copy mode --------------------------------------------------------------------------
def test_copy_rollback_copies_the_version_onto_the_key_keeping_sse_kms(moto, capsys, tmp_path):
    key_arn = make_bucket(SCORER_BUCKET, kms=True)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    spec = scorer_spec(tmp_path, ids[2])
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--steps", "2",
                         "--yes")
    assert rc == 0, err
    s3 = client("s3")
    head = s3.head_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)
    assert s3.get_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)["Body"].read() == b"model-0"
    assert head["VersionId"] not in ids                              # a new current version
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key_arn
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 4
    assert f"the new current version is {head['VersionId']}" in out
    assert "pods keep serving that version" in out                   # the spec still pins ids[2]
    assert spec.read_bytes() == before


def test_copy_rollback_asks_and_changes_nothing_without_yes(moto, capsys, tmp_path, monkeypatch):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    spec = scorer_spec(tmp_path, ids[1])
    # not a terminal (as under pytest): refused, pointing at --yes
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--steps", "1")
    assert rc == 1 and "--yes" in one_line_error(err)
    # a terminal that answers no
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda question: "n")
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--steps", "1")
    assert rc == 1 and "not confirmed; nothing changed" in one_line_error(err)
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 2
    # and one that answers yes
    monkeypatch.setattr("builtins.input", lambda question: "y")
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--to", ids[0])
    assert rc == 0, err
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 3


def test_copy_rollback_rechecks_the_key_after_the_question(moto, capsys, tmp_path, monkeypatch):
    """#16 Low: copy mode did not re-check the version between listing, prompt and CopyObject."""
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    spec = scorer_spec(tmp_path, ids[1])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    def answer_while_someone_uploads(question):
        client("s3").put_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY, Body=b"hotfix")
        return "y"

    monkeypatch.setattr("builtins.input", answer_while_someone_uploads)
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--steps", "1")
    message = one_line_error(err)
    assert rc == 1 and "changed since it was listed" in message and "nothing copied" in message
    assert f"was {ids[1]}" in message
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 3      # the upload, and no copy


def test_copy_rollback_dry_run_changes_nothing(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    rc, out, err = mplat(capsys, "models", "rollback", scorer_spec(tmp_path, ids[1]), "--mode",
                         "copy", "--to", ids[0], "--dry-run")
    assert rc == 0, err
    assert f"dry run: would copy version {ids[0]}" in out
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 2
