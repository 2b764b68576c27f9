"""mplat models rollback, pin mode: edit the spec line that pins the served version."""
from __future__ import annotations

import subprocess
from datetime import timedelta, timezone
from pathlib import Path

from mplat.cli import main

from .helpers import (ACCOUNT, RANKER_KEY, _git_commit, SCORER_BUCKET, SCORER_KEY, history_json, make_bucket,
                      mplat, one_line_error, ranker_spec, _refused, scorer_spec, upload, versions_of)


# -- rollback, pin mode ---------------------------------------------------------------------------
def _only_line_changed(old: bytes, new: bytes, old_value: str, new_value: str) -> int:
    """Every byte but the value is unchanged: same lines, and the one changed line is the old line
    with the old value replaced. Returns the index of that line."""
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(changed) == 1, changed
    i = changed[0]
    assert old_lines[i].count(old_value.encode()) == 1
    assert new_lines[i] == old_lines[i].replace(old_value.encode(), new_value.encode())
    return i


def test_pin_rollback_edits_only_the_value_in_a_base_file(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    spec = scorer_spec(tmp_path, ids[2])
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--steps", "1", "--from-uploads")
    assert rc == 0, err
    assert "warning: --from-uploads counted S3 uploads" in err        # never served, maybe
    after = spec.read_bytes()
    line = _only_line_changed(before, after, ids[2], ids[1])
    assert after.split(b"\n")[line] == \
        f"    version_id: {ids[1]}   # pinned by hand, keep this comment".encode()
    assert f"-    version_id: {ids[2]}" in out and f"+    version_id: {ids[1]}" in out
    assert f"pin {ids[2]} -> {ids[1]}" in out and "validated" in out
    assert rc == 0 and main(["validate", str(spec)]) == 0


def test_pin_rollback_edits_the_overlay_that_supplied_the_pin(moto, capsys, tmp_path):
    bucket = f"ranker-prod-models-{ACCOUNT}"
    make_bucket(bucket)
    ids = upload(bucket, RANKER_KEY, 3)
    spec = ranker_spec(tmp_path, base="base-version", prod=ids[2])
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--env", "prod", "--to", ids[0])
    assert rc == 0, err
    after = spec.read_bytes()
    line = _only_line_changed(before, after, ids[2], ids[0])
    edited = after.split(b"\n")[line]
    assert edited.startswith(b"      model: {key: ranker/model.bin, version_id: '")
    assert b'version_id: "base-version"' in after           # the base pin is untouched
    assert "also pins" not in out                          # no other stack changes
    pins = history_json(capsys, spec, "--env", "prod")["pinned"]
    assert pins == ids[0]


def test_pin_rollback_of_an_inherited_pin_with_all_envs_edits_the_base(moto, capsys, tmp_path):
    bucket = f"ranker-dev-models-{ACCOUNT}"
    make_bucket(bucket)
    ids = upload(bucket, RANKER_KEY, 2)
    spec = ranker_spec(tmp_path, base=ids[1], prod="prod-version", newline="\r\n")
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--env", "dev", "--to", ids[0],
                         "--all-envs")
    assert rc == 0, err
    after = spec.read_bytes()
    assert after.count(b"\r\n") == before.count(b"\r\n")        # CRLF line ends kept
    _only_line_changed(before, after, ids[1], ids[0])
    assert f'version_id: "{ids[0]}"     # base pin'.encode() in after     # still double-quoted
    assert "this line also pins" not in out                     # prod has its own pin


def test_pin_rollback_says_which_other_stacks_the_edited_line_pins(moto, capsys, tmp_path):
    bucket = f"ranker-dev-models-{ACCOUNT}"
    make_bucket(bucket)
    ids = upload(bucket, RANKER_KEY, 2)
    spec = ranker_spec(tmp_path, base=ids[1], prod="unused")
    text = spec.read_text()      # prod without its own pin: it inherits the base line too
    spec.write_text(text.replace("      model: {key: ranker/model.bin, version_id: 'unused'}"
                                 "   # prod pins its own\n", ""))
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--env", "dev", "--to", ids[0],
                         "--all-envs")
    assert rc == 0, err
    assert out.rstrip().splitlines()[-1].startswith(f"pin {ids[1]} -> {ids[0]}")
    assert "; this line also pins ranker-prod (--all-envs); validated." in out


def _served_repo(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    """Three uploads; the spec pinned ids[0] on Nov 1 and ids[2] on Nov 10. ids[1] was an
    uploaded candidate that was rejected: never pinned, never served."""
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    spec = scorer_spec(repo, ids[0])
    commits = [_git_commit(repo, "2026-11-01T09:00:00Z", "pin ids[0]")]
    spec.write_text(spec.read_text().replace(ids[0], ids[2]))
    commits.append(_git_commit(repo, "2026-11-10T09:00:00Z", "pin ids[2]"))
    return spec, ids, commits


def test_pin_rollback_steps_follow_what_was_served_not_uploads(moto, capsys, tmp_path):
    """#16 "Why" 4: --steps 1 landed on ids[1], the uploaded candidate never pinned."""
    spec, ids, commits = _served_repo(tmp_path)
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--steps", "1")
    assert rc == 0, err
    assert history_json(capsys, spec)["pinned"] == ids[0]
    assert f"pinned before at {commits[0]} 2026-11-01" in out


def test_pin_rollback_at_takes_the_pin_in_effect_then(moto, capsys, tmp_path):
    """#16 "Why" 4: --at picked the version that was S3-current, not the one pinned then."""
    spec, ids, _ = _served_repo(tmp_path)
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--at", "2026-11-05T00:00:00Z")
    assert rc == 0, err
    assert history_json(capsys, spec)["pinned"] == ids[0]
    message = _refused(capsys, spec, "models", "rollback", spec, "--at", "2026-10-01T00:00:00Z")
    assert "has no commit at or before 2026-10-01T00:00:00Z" in message


def test_history_marks_the_versions_pinned_before(moto, capsys, tmp_path):
    spec, ids, commits = _served_repo(tmp_path)
    data = history_json(capsys, spec)
    assert {v["version_id"]: v["pinned_before"] for v in data["versions"]} == {
        ids[2]: None, ids[1]: None, ids[0]: f"{commits[0]} 2026-11-01"}
    rc, out, _ = mplat(capsys, "models", "history", spec)
    line = next(line for line in out.splitlines() if line.startswith(f"  {ids[0]}"))
    assert line.endswith(f"<- pinned before ({commits[0]} 2026-11-01)")


def test_pin_rollback_of_an_inherited_pin_writes_the_environments_own_overlay(moto, capsys,
                                                                             tmp_path):
    """#16 "Why" 5: a rollback of dev rewrote the base line, re-pinning the other environments
    to a version id of dev's bucket."""
    bucket = f"ranker-dev-models-{ACCOUNT}"
    make_bucket(bucket)
    ids = upload(bucket, RANKER_KEY, 2)
    spec = ranker_spec(tmp_path, base=ids[1], prod="prod-version")
    spec.write_text(spec.read_text().replace("  prod:\n", "  stg:\n    kubernetes: {cluster: "
                                             "{context: stg}}\n  prod:\n"))   # stg inherits too
    before = spec.read_text()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--env", "dev", "--to", ids[0])
    assert rc == 0, err
    after = spec.read_text()
    assert f'version_id: "{ids[1]}"     # base pin' in after                # base untouched
    assert f"    kubernetes: {{cluster: {{context: dev}}, model: {{version_id: {ids[0]}}}}}" \
        in after.splitlines()
    assert len(after.splitlines()) == len(before.splitlines())
    assert history_json(capsys, spec, "--env", "dev")["pinned"] == ids[0]
    from compiler import pipeline
    pins = {m.stack: m.kubernetes.model.version_id
            for m in pipeline.run([str(spec)], build_models=True).models}
    assert pins == {"ranker-dev": ids[0], "ranker-stg": ids[1], "ranker-prod": "prod-version"}
    assert "also pins" not in out and main(["validate", str(spec)]) == 0


def test_pin_rollback_dry_run_prints_the_diff_and_writes_nothing(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    spec = scorer_spec(tmp_path, ids[1])
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--to", ids[0], "--dry-run")
    assert rc == 0, err
    assert spec.read_bytes() == before
    assert f"+    version_id: {ids[0]}" in out and "dry run: would pin" in out


def test_round_trip_three_versions_rollback_by_steps_then_history_shows_the_new_pin(moto, capsys,
                                                                                    tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    spec = scorer_spec(tmp_path, ids[2])
    assert history_json(capsys, spec)["pinned"] == ids[2]
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--steps", "2", "--from-uploads")
    assert rc == 0, err
    data = history_json(capsys, spec)
    assert data["pinned"] == ids[0]
    assert [v["pinned"] for v in data["versions"]] == [False, False, True]
    assert [v["current"] for v in data["versions"]] == [True, False, False]   # S3 untouched
    rc, out, _ = mplat(capsys, "models", "history", spec)
    assert out.splitlines()[-2].startswith(f"  {ids[0]}") and \
        out.splitlines()[-2].endswith("<- pinned")
    assert out.splitlines()[-1] == (f"pinned {ids[0]} is noncurrent: kept by the lifecycle rule "
                                    "while it is among the newest 10 noncurrent versions (9 more "
                                    "upload(s) and it may expire)")


def test_rollback_at_picks_the_version_current_at_that_time(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3, pause=1.1)
    stamps = {v["VersionId"]: v["LastModified"] for v in versions_of(SCORER_BUCKET, SCORER_KEY)}
    spec = scorer_spec(tmp_path, ids[2])
    between = stamps[ids[1]].astimezone(timezone.utc) + timedelta(milliseconds=500)
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--at",
                         between.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "--from-uploads")
    assert rc == 0, err
    assert history_json(capsys, spec)["pinned"] == ids[1]
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--at", "2000-01-01T00:00:00Z",
                       "--from-uploads")
    assert rc == 1 and "no version of" in one_line_error(err) and "existed at 2000-01-01" in err
