"""`mplat verify`: is this stack ready for a rollback? Six checks against the live account.

Each check is pass, fail or unknown (AWS did not answer it, e.g. a missing permission), with the
fix. A check whose section the spec does not have fails: the stack is not ready for that kind of
rollback, and the fix says which section to add. Exit 0 only when every check passes.

1. ``versioning`` — the model bucket's versioning is Enabled.
2. ``versions`` — the model key has at least 2 versions (something to roll back to).
3. ``pinned`` — the version the spec pins (kubernetes.model.version_id) exists and is not a delete
   marker.
4. ``backup`` — the plan has its continuous-backup rule, and the bucket has a recent recovery
   point in the stack's vault: a continuous one that is COMPLETED (AWS Backup keeps it current),
   or a snapshot completed within the last RECENT_HOURS hours.
5. ``config`` — the Config recorder (the stack's own, or with ``recorder: existing`` any recorder
   of the account) is recording and its last status is SUCCESS.
6. ``codedeploy`` — the deployment group has automatic rollback enabled, and every alarm of the
   spec exists in CloudWatch and is attached to the group.

When the served model is a SageMaker endpoint (``--serving sagemaker``, or a spec whose only
serving section is ``sagemaker``), checks 2-3 are replaced by those of ``operations.sagemaker``:
``endpoint`` (InService), ``endpoint-config`` (serves the pinned version), ``auto-rollback`` (names
the spec's alarms, which exist), ``immutable-pin`` (the package is Approved and its model object
was not modified after the package was created) and ``model-data`` (ModelDataUrl under
``s3://<model bucket>/<group>/``).
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import timedelta

from compiler.exits import EXIT_ERRORS, EXIT_OK

from .checks import FAIL, PASS, UNKNOWN, Check
from .checks import unknown as _unknown
from .errors import OpsError
from .timeutil import iso, now

RECENT_HOURS = 26            # a daily snapshot plus its start and completion windows


def check_versioning(aws, target) -> Check:
    from .models import versioning_status
    if target.platform.artifacts is None:
        return Check("versioning", FAIL, "the spec has no artifacts section",
                     "add 'artifacts: {}' (a versioned model bucket)")
    bucket = target.bucket
    try:
        status = versioning_status(aws, bucket)
    except OpsError as exc:
        if exc.code == "NoSuchBucket":
            return Check("versioning", FAIL, f"bucket {bucket} does not exist",
                         "apply the stack (mplat synth; terraform apply)")
        return _unknown("versioning", exc)
    if status == "Enabled":
        return Check("versioning", PASS, f"versioning of {bucket} is Enabled")
    return Check("versioning", FAIL, f"versioning of {bucket} is {status}",
                 "apply the stack: the artifacts section enables versioning")


def check_versions(aws, target, key: str | None, versions) -> list[Check]:
    if key is None:
        reason = "the spec pins no model (kubernetes.model) and no --key was given"
        fix = "pin the model in kubernetes.model, or pass --key"
        return [Check("versions", UNKNOWN, reason, fix), Check("pinned", UNKNOWN, reason, fix)]
    where = f"s3://{target.platform.artifacts.bucket}/{key}" if target.platform.artifacts else key
    if isinstance(versions, OpsError):
        if versions.code in ("NoSuchBucket", "NoSuchKey"):
            failed = Check("versions", FAIL, versions.message,
                           f"upload the model to {where} (and apply the stack first)")
            return [failed, Check("pinned", FAIL, f"{where} has no versions", failed.fix)]
        return [_unknown("versions", versions), _unknown("pinned", versions)]
    real = [v for v in versions if not v.delete_marker]
    if len(real) >= 2:
        count = Check("versions", PASS, f"{where} has {len(real)} versions")
    else:
        count = Check("versions", FAIL, f"{where} has {len(real)} version(s); a rollback needs an "
                      "older one", "upload each new model as a new version of the same key")
    pin = target.pin
    if pin is None or pin.key != key:
        pinned = Check("pinned", UNKNOWN, f"the spec pins no version of {key}",
                       "pin the model in kubernetes.model (key and version_id)")
    else:
        found = next((v for v in versions if v.version_id == pin.version_id), None)
        position = target.pin_position()
        at = f" ({position.file}:{position.line})" if position else ""
        if found is None:
            pinned = Check("pinned", FAIL, f"the pinned version {pin.version_id}{at} is not a "
                           f"version of {where}", "pick one with mplat models history, then "
                           "mplat models rollback --to VERSION")
        elif found.delete_marker:
            pinned = Check("pinned", FAIL, f"the pinned version {pin.version_id}{at} is a delete "
                           "marker", "pin a real version: mplat models rollback --to VERSION")
        else:
            pinned = Check("pinned", PASS, f"the pinned version {pin.version_id} exists "
                           f"(last modified {iso(found.last_modified)})")
    return [count, pinned]


def check_backup(aws, target) -> Check:
    from . import restore
    backup = target.platform.backup
    if backup is None:
        return Check("backup", FAIL, "the spec has no backup section for this stack",
                     "add backup.point_in_time (continuous backup of the model bucket)")
    if backup.point_in_time_days is None:
        return Check("backup", FAIL, "the spec turns continuous backup off",
                     "set backup.point_in_time.retention_days")
    try:
        plan = restore.find_plan(aws, backup.plan)
        if plan is None:
            return Check("backup", FAIL, f"backup plan {backup.plan} does not exist",
                         "apply the stack (mplat synth; terraform apply)")
        rule = restore.continuous_rule(plan)
        if rule is None:
            return Check("backup", FAIL, f"backup plan {backup.plan} has no continuous-backup rule",
                         "apply the stack: backup.point_in_time adds the rule")
        points = restore.recovery_points(aws, backup.vault, target.bucket)
    except OpsError as exc:
        if exc.code == "ResourceNotFoundException":
            return Check("backup", FAIL, f"backup vault {backup.vault} does not exist",
                         "apply the stack (mplat synth; terraform apply)")
        return _unknown("backup", exc)
    recent = now() - timedelta(hours=RECENT_HOURS)
    for point in points:
        if point.get("Status") != "COMPLETED":
            continue
        if restore.is_continuous(point, rule):
            return Check("backup", PASS, f"continuous rule '{rule.get('RuleName')}' in "
                         f"{backup.plan}; continuous recovery point COMPLETED since "
                         f"{iso(point.get('CreationDate'))}")
        done = point.get("CompletionDate") or point.get("CreationDate")
        if done is not None and done >= recent:
            return Check("backup", PASS, f"continuous rule '{rule.get('RuleName')}' in "
                         f"{backup.plan}; recovery point completed {iso(done)}")
    latest = f" (newest: {points[0].get('Status')} {iso(points[0].get('CreationDate'))})" \
        if points else ""
    return Check("backup", FAIL, f"no recent recovery point of {target.bucket} in vault "
                 f"{backup.vault}{latest}", "check the backup jobs of the vault in AWS Backup "
                 "(the backup role needs its S3 policies; versioning must be on)")


def check_config(aws, target) -> Check:
    config = target.platform.config
    if config is None:
        return Check("config", FAIL, "the spec has no config_recorder section",
                     "add config_recorder (configuration history of the stack's resources)")
    params = {"ConfigurationRecorderNames": [config.recorder]} if config.create else {}
    what = f"recorder {config.recorder}" if config.create else "the account's recorder"
    try:
        answer = aws.call("config", "describe_configuration_recorder_status", what, **params)
    except OpsError as exc:
        if exc.code == "NoSuchConfigurationRecorderException":
            return Check("config", FAIL, f"Config {what} does not exist",
                         "apply the stack (mplat synth; terraform apply)")
        return _unknown("config", exc)
    statuses = answer.get("ConfigurationRecordersStatus") or []
    if not statuses:
        return Check("config", FAIL, "the account has no Config recorder",
                     "use config_recorder.recorder: create, or set up AWS Config")
    status = statuses[0]
    name = status.get("name", config.recorder)
    if not status.get("recording"):
        return Check("config", FAIL, f"recorder {name} is not recording",
                     f"start it: aws configservice start-configuration-recorder "
                     f"--configuration-recorder-name {name}")
    last = status.get("lastStatus")
    if last != "SUCCESS":
        error = status.get("lastErrorCode")
        return Check("config", FAIL, f"recorder {name} is recording, last status {last}"
                     + (f" ({error}: {status.get('lastErrorMessage')})" if error else ""),
                     "check the recorder's role and delivery channel (bucket policy)")
    return Check("config", PASS, f"recorder {name} is recording, last status SUCCESS")


def check_codedeploy(aws, target) -> Check:
    cd = target.platform.codedeploy
    if cd is None:
        return Check("codedeploy", FAIL, "the spec has no codedeploy section",
                     "add codedeploy (automated rollback of the service around the model)")
    try:
        answer = aws.call("codedeploy", "get_deployment_group",
                          f"deployment group {cd.app_name}/{cd.group_name}",
                          applicationName=cd.app_name, deploymentGroupName=cd.group_name)
    except OpsError as exc:
        if exc.code in ("DeploymentGroupDoesNotExistException", "ApplicationDoesNotExistException"):
            return Check("codedeploy", FAIL, f"deployment group {cd.app_name}/{cd.group_name} "
                         "does not exist", "apply the stack (mplat synth; terraform apply)")
        return _unknown("codedeploy", exc)
    info = answer.get("deploymentGroupInfo") or {}
    auto = info.get("autoRollbackConfiguration") or {}
    if not auto.get("enabled"):
        return Check("codedeploy", FAIL, f"automatic rollback of {cd.group_name} is off",
                     "apply the stack: codedeploy.auto_rollback turns it on")
    wanted = list(cd.alarm_names)
    if not wanted:
        events = ", ".join(auto.get("events") or [])
        return Check("codedeploy", PASS, f"automatic rollback on ({events}); the spec has no "
                     "alarms")
    attached = {a.get("name") for a in (info.get("alarmConfiguration") or {}).get("alarms") or ()}
    try:
        found = set()
        for page in aws.pages("cloudwatch", "describe_alarms", "the deployment's alarms",
                              AlarmNames=wanted):
            found |= {a["AlarmName"] for a in page.get("MetricAlarms") or ()}
    except OpsError as exc:
        return _unknown("codedeploy", exc)
    missing = [a for a in wanted if a not in found]
    if missing:
        return Check("codedeploy", FAIL, f"alarm(s) {', '.join(missing)} do not exist in "
                     "CloudWatch", "apply the stack (the alarms are part of it)")
    detached = [a for a in wanted if a not in attached]
    if detached or not (info.get("alarmConfiguration") or {}).get("enabled"):
        return Check("codedeploy", FAIL, f"alarm(s) {', '.join(detached or wanted)} are not "
                     f"enabled on {cd.group_name}", "apply the stack")
    return Check("codedeploy", PASS, f"automatic rollback on; {len(wanted)} alarm(s) exist and "
                 "are attached")


def run(aws, target, *, key: str | None, fmt: str, out=None, serving: str = "kubernetes") -> int:
    out = out or sys.stdout
    from .models import require_versions

    if serving == "sagemaker":
        from . import sagemaker
        return _report([check_versioning(aws, target), *sagemaker.checks(aws, target),
                        check_backup(aws, target), check_config(aws, target),
                        check_codedeploy(aws, target)], target, fmt, out)
    if key is None and target.pin is not None:
        key = target.pin.key
    versions = None
    if key is not None and target.platform.artifacts is not None:
        try:
            versions = require_versions(aws, target.bucket, key)
        except OpsError as exc:
            versions = exc
    elif key is not None:
        versions = OpsError("the spec has no artifacts section", code="NoSuchBucket")
    checks = [check_versioning(aws, target), *check_versions(aws, target, key, versions),
              check_backup(aws, target), check_config(aws, target), check_codedeploy(aws, target)]
    return _report(checks, target, fmt, out)


def _report(checks: list, target, fmt: str, out) -> int:
    ok = all(c.status == PASS for c in checks)
    if fmt == "json":
        json.dump({"stack": target.platform.stack, "ready": ok,
                   "checks": [asdict(c) for c in checks]}, out, indent=2)
        out.write("\n")
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            line = f"{c.status.upper():<7} {c.name:<{width}}  {c.detail}"
            print(line + (f" -> fix: {c.fix}" if c.fix and c.status != PASS else ""), file=out)
        passed = sum(c.status == PASS for c in checks)
        print(f"{target.platform.stack}: {passed}/{len(checks)} checks pass"
              + ("" if ok else "; not ready for a rollback"), file=out)
    return EXIT_OK if ok else EXIT_ERRORS
