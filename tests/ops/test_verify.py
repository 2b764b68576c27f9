"""mplat verify: the readiness checks of one stack, with their fixes."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from .helpers import (SCORER_BUCKET, SCORER_KEY, _backup_setup, client, history_json, make_bucket,
                      mplat, one_line_error, _ready_account, _recovery_points, scorer_spec, upload,
                      versions_of)


# -- verify ---------------------------------------------------------------------------------------
def test_verify_passes_all_six_checks_on_a_ready_stack(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    _ready_account(moto, rule_id)
    # moto's GetDeploymentGroup answers an empty alarmConfiguration; AWS returns what was set
    group = client("codedeploy").get_deployment_group(
        applicationName="scorer", deploymentGroupName="scorer-group")["deploymentGroupInfo"]
    group["alarmConfiguration"] = {"enabled": True, "alarms": [{"name": "scorer-high-5xx"}]}
    moto.add("codedeploy", "get_deployment_group", {"deploymentGroupInfo": group},
             {"applicationName": "scorer", "deploymentGroupName": "scorer-group"})
    client("config").start_configuration_recorder(ConfigurationRecorderName="scorer-recorder")
    # moto's recorder stays PENDING after a start; AWS reports SUCCESS once it has recorded
    moto.add("config", "describe_configuration_recorder_status", {"ConfigurationRecordersStatus": [
        {"name": "scorer-recorder", "recording": True, "lastStatus": "SUCCESS"}]},
        {"ConfigurationRecorderNames": ["scorer-recorder"]})
    rc, out, err = mplat(capsys, "verify", scorer_spec(tmp_path, ids[0]))
    assert rc == 0, out + err
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines[:6]] == [
        ["PASS", "versioning"], ["PASS", "versions"], ["PASS", "pinned"], ["PASS", "backup"],
        ["PASS", "config"], ["PASS", "codedeploy"]]
    assert lines[6] == "scorer: 6/6 checks pass"
    moto.assert_all_used()


def test_verify_reports_each_failure_with_its_fix_and_exits_1(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 1)
    _ready_account(moto, rule_id)
    client("config").start_configuration_recorder(ConfigurationRecorderName="scorer-recorder")
    client("cloudwatch").delete_alarms(AlarmNames=["scorer-high-5xx"])
    rc, out, err = mplat(capsys, "verify", scorer_spec(tmp_path, "gone-version"),
                         "--format", "json")
    assert rc == 1, err
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert [c["status"] for c in checks.values()] == [
        "pass", "fail", "fail", "pass", "fail", "fail"]
    assert checks["versions"]["detail"].endswith("has 1 version(s); a rollback needs an older one")
    assert "the pinned version gone-version" in checks["pinned"]["detail"]
    assert checks["config"]["detail"] == \
        "recorder scorer-recorder is recording, last status PENDING"
    assert checks["codedeploy"]["detail"] == \
        "alarm(s) scorer-high-5xx do not exist in CloudWatch"
    assert all(c["fix"] for c in checks.values() if c["status"] != "pass")
    assert ids


def test_verify_of_an_unapplied_stack_fails_every_check_without_a_traceback(moto, capsys,
                                                                           tmp_path):
    rc, out, err = mplat(capsys, "verify", scorer_spec(tmp_path, "v1"))
    assert rc == 1 and "Traceback" not in err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:6]] == ["FAIL"] * 6
    assert "bucket scorer-models-123456789012 does not exist -> fix: apply the stack" in lines[0]
    assert "Config recorder scorer-recorder does not exist" in lines[4]
    assert "deployment group scorer/scorer-group does not exist" in lines[5]
    assert lines[6] == "scorer: 0/6 checks pass; not ready for a rollback"


def test_verify_turns_a_denied_read_into_unknown(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    _ready_account(moto, rule_id)
    moto.error("config", "describe_configuration_recorder_status", "AccessDeniedException", 400)
    rc, out, _ = mplat(capsys, "verify", scorer_spec(tmp_path, ids[1]))
    assert rc == 1
    config_line = out.splitlines()[4]
    assert config_line.split()[:2] == ["UNKNOWN", "config"]
    assert "access denied: config:DescribeConfigurationRecorderStatus (recorder scorer-recorder)" \
        in config_line
    moto.assert_all_used()


def _verify_json(capsys, spec, *extra) -> tuple[int, dict]:
    rc, out, err = mplat(capsys, "verify", spec, "--format", "json", *extra)
    return rc, {c["name"]: c for c in json.loads(out)["checks"]}


def test_verify_backup_needs_what_restore_needs(moto, capsys, tmp_path):
    """#16 "Why" 3: a snapshot under 26 h passed while restore needs a COMPLETED continuous
    point; a pass now gives the restorable window."""
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    recent = datetime.now(timezone.utc) - timedelta(hours=2)
    moto.add("backup", "list_recovery_points_by_backup_vault",
             _recovery_points(rule_id, recent, status="STOPPED"))   # snapshot COMPLETED 2 h ago
    spec = scorer_spec(tmp_path, ids[1])
    _rc, checks = _verify_json(capsys, spec)
    assert checks["backup"]["status"] == "fail"
    assert "mplat restore needs a COMPLETED continuous recovery point" in \
        checks["backup"]["detail"] and "is STOPPED" in checks["backup"]["detail"]
    began = datetime.now(timezone.utc) - timedelta(days=3)
    moto.add("backup", "list_recovery_points_by_backup_vault", _recovery_points(rule_id, began))
    _rc, checks = _verify_json(capsys, spec)
    assert checks["backup"]["status"] == "pass"
    # 7 days of point_in_time, but the point began 3 days ago: restorable from then
    assert f"restorable from {began.strftime('%Y-%m-%dT%H:%M:%SZ')} to now" in \
        checks["backup"]["detail"]
    moto.assert_all_used()


def test_verify_is_fair_to_a_serving_only_spec_and_require_makes_it_a_gate(moto, capsys,
                                                                            tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    text = scorer_spec(tmp_path, ids[1]).read_text()
    start, end = text.index("backup:"), text.index("kubernetes:")
    spec = tmp_path / "serving.yaml"
    spec.write_text(text[:start] + text[end:])            # artifacts + kubernetes only
    rc, out, err = mplat(capsys, "verify", spec)
    assert rc == 0, out + err
    lines = out.splitlines()
    assert [line[:14] for line in lines[3:6]] == ["NOT CONFIGURED"] * 3
    assert lines[-1] == "scorer: 3/6 checks pass, 3 not configured"
    rc, checks = _verify_json(capsys, spec, "--require", "backup,config")
    assert rc == 1
    assert (checks["backup"]["status"], checks["config"]["status"],
            checks["codedeploy"]["status"]) == ("fail", "fail", "not configured")
    rc, _, err = mplat(capsys, "verify", spec, "--require", "backups")
    assert rc == 1 and "--require backups: no such check" in one_line_error(err)


@pytest.mark.parametrize("code, status, says", [
    ("ThrottlingException", 400, "AWS throttled the request (ThrottlingException)"),
    ("ServiceUnavailableException", 503, "AWS had an error on its side"),
    ("AccessDeniedException", 400, "grant the read permission"),
])
def test_verify_unknown_names_what_aws_said(code, status, says, moto, capsys, tmp_path):
    """#16 Low: unknown always blamed a permission, even for throttling or a 5xx."""
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    _ready_account(moto, rule_id)
    moto.error("config", "describe_configuration_recorder_status", code, status)
    _rc, checks = _verify_json(capsys, scorer_spec(tmp_path, ids[1]))
    assert checks["config"]["status"] == "unknown" and says in checks["config"]["fix"]


def test_a_pinned_version_beyond_keep_fails_verify_and_history_says_when_it_expires(
        moto, capsys, tmp_path):
    """#16 "Why" 6: pin mode leaves the pinned version noncurrent, and the lifecycle rule
    (keep 1, expire after 30 days) deletes it once it is beyond keep."""
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    spec = scorer_spec(tmp_path, ids[0])
    spec.write_text(spec.read_text().replace(
        "artifacts: {}", "artifacts: {noncurrent_versions: {keep: 1, expire_after_days: 30}}"))
    became = next(v for v in versions_of(SCORER_BUCKET, SCORER_KEY)
                  if v["VersionId"] == ids[1])["LastModified"]      # the upload after the pin
    due = became + timedelta(days=30)
    midnight = due.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    _rc, checks = _verify_json(capsys, spec)
    assert checks["pinned"]["status"] == "fail"
    assert f"expires it on {midnight.strftime('%Y-%m-%dT%H:%M:%SZ')}" in checks["pinned"]["detail"]
    assert "beyond keep (1 newer noncurrent versions, keep 1)" in checks["pinned"]["detail"]
    data = history_json(capsys, spec)
    assert data["pinned_expires"] == midnight.strftime("%Y-%m-%dT%H:%M:%SZ")
    spec.write_text(spec.read_text().replace(ids[0], ids[1]))      # within keep: passes
    _rc, checks = _verify_json(capsys, spec)
    assert checks["pinned"]["status"] == "pass" and "newest 1 noncurrent" in \
        checks["pinned"]["detail"]
