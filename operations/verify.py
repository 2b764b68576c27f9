"""`mplat verify`: is this stack ready for a rollback? Six checks against the live account.

Each check is pass, fail, unknown (AWS did not answer it: the line says what AWS said, a missing
permission, throttling or an AWS-side error) or not configured (the spec does not declare that
capability: neither a pass nor a failure, so a serving-only platform can pass). ``--require
backup,config,...`` turns "not configured" into a failure for teams that want the gate. Exit 0 only
when no check fails or is unknown.

1. ``versioning`` — the model bucket's versioning is Enabled.
2. ``versions`` — the model key has at least 2 versions (something to roll back to).
3. ``pinned`` — the version the spec pins (kubernetes.model.version_id) exists, is not a delete
   marker, and the lifecycle rule will not expire it: it fails when the version is beyond
   ``noncurrent_versions.keep`` with an expiry, or expires within EXPIRY_WARNING_DAYS days.
4. ``backup`` — what ``mplat restore`` needs: with ``backup.point_in_time``, the plan's
   continuous-backup rule and a COMPLETED continuous recovery point in the stack's vault (a recent
   snapshot does not count: restore cannot use it); the line gives the restorable window. With
   snapshots only, a snapshot completed within the last RECENT_HOURS hours.
5. ``config`` — the Config recorder (the stack's own, or with ``recorder: existing`` any recorder
   of the account) is recording and its last status is SUCCESS.
6. ``codedeploy`` — the deployment group has automatic rollback enabled, and every alarm of the
   spec exists in CloudWatch and is attached to the group.

When the served model is a SageMaker endpoint (``--serving sagemaker``, or a spec whose only
serving section is ``sagemaker``; in the fleet view, every stack with a ``sagemaker`` section, next
to checks 2-3 when it also has ``kubernetes``), checks 2-3 are replaced by those of
``operations.sagemaker``:
``endpoint`` (InService), ``endpoint-config`` (serves the pinned version), ``auto-rollback`` (names
the spec's alarms, which exist), ``immutable-pin`` (the package is Approved and its model object
was not modified after the package was created) and ``model-data`` (ModelDataUrl under
``s3://<model bucket>/<group>/``).
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from datetime import timedelta

from compiler.exits import EXIT_ERRORS, EXIT_OK

from .errors import OpsError
from .timeutil import iso, now

PASS, FAIL, UNKNOWN, NOT_CONFIGURED = "pass", "fail", "unknown", "not configured"
# the checks of the served model, per serving section (operations.sagemaker.checks returns its
# five in this order); the others are the stack's, whatever serves the model
SERVED_CHECKS = {"kubernetes": ("versions", "pinned"),
                 "sagemaker": ("endpoint", "endpoint-config", "auto-rollback", "immutable-pin",
                               "model-data")}


def check_names(serving: tuple[str, ...] = ("kubernetes",)) -> tuple[str, ...]:
    """The names of the checks of a stack served by ``serving``, in report order."""
    return ("versioning", *(n for s in SERVED_CHECKS if s in serving for n in SERVED_CHECKS[s]),
            "backup", "config", "codedeploy")


def served_by(platform) -> tuple[str, ...]:
    """The serving sections a stack has (both when it has both); a stack with neither gets the
    key checks of the Kubernetes side (each says what is missing), as `mplat verify` does."""
    return tuple(s for s in SERVED_CHECKS if getattr(platform, s, None) is not None) \
        or ("kubernetes",)


CHECKS = check_names()               # a Kubernetes-served stack's six (and --require's names)
THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException", "SlowDown",
             "RequestLimitExceeded", "ProvisionedThroughputExceededException"}
SERVER_SIDE = {"InternalError", "InternalFailure", "ServiceUnavailable",
               "ServiceUnavailableException", "InternalServerError", "ServiceFailure"}
RECENT_HOURS = 26            # a daily snapshot plus its start and completion windows


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""
    window: str = ""          # backup: the restorable window ("<from> to now")


def _unknown(name: str, exc: OpsError) -> Check:
    return Check(name, UNKNOWN, exc.message, fix_for(exc))


def fix_for(exc: OpsError) -> str:
    """The fix for a check AWS did not answer, chosen by what AWS said (its error code): not
    every failure is a permission."""
    from .aws import BAD_CREDENTIALS, DENIED    # botocore loads with the command, not before
    code = exc.code or ""
    if code in DENIED:
        return "grant the read permission named above, or run with credentials that have it"
    if code in BAD_CREDENTIALS or code in ("NoCredentials", "ProfileNotFound"):
        return "refresh the credentials (e.g. aws sso login) or pass another --profile"
    if code == "404" or code.startswith("NoSuch") or "NotFound" in code:
        return ("AWS has no such resource: apply the stack (mplat synth; terraform apply), or "
                "check --region and that the credentials are of aws.account_id")
    if code in THROTTLED or code == "RequestLimitExceeded":
        return f"AWS throttled the request ({code}): run mplat verify again in a minute"
    if code in SERVER_SIDE or code.startswith("5"):
        return f"AWS had an error on its side ({code}): run again; if it stays, check AWS Health"
    if code in ("EndpointConnectionError", "NoRegion"):
        return "AWS could not be reached: check the network, --region and AWS_ENDPOINT_URL"
    return f"AWS answered {code or 'an error'}: read its message above, then run verify again"


def check_versioning(aws, target) -> Check:
    from .models import versioning_status
    if target.platform.artifacts is None:
        return Check("versioning", NOT_CONFIGURED, "the spec has no artifacts section",
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
        return [Check("versions", NOT_CONFIGURED, reason, fix),
                Check("pinned", NOT_CONFIGURED, reason, fix)]
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
        pinned = Check("pinned", NOT_CONFIGURED, f"the spec pins no version of {key}",
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
            pinned = _pinned_lifecycle(target, versions, found)
    return [count, pinned]


def _pinned_lifecycle(target, versions, found) -> Check:
    """The pinned version exists: will the lifecycle rule keep it?"""
    from .models import EXPIRY_WARNING_DAYS, expiry
    artifacts = target.platform.artifacts
    exists = f"the pinned version {found.version_id} exists (last modified " \
             f"{iso(found.last_modified)})"
    outlook = expiry(versions, found.version_id, artifacts)
    if outlook is None:
        return Check("pinned", PASS, exists + "; it is the current version")
    text = outlook.text(artifacts.keep)
    soon = outlook.expires is not None and \
        outlook.expires - now() < timedelta(days=EXPIRY_WARNING_DAYS)
    if outlook.expires is not None or soon:
        return Check("pinned", FAIL, f"{exists}, noncurrent and {text}",
                     "pin a newer version, or raise artifacts.noncurrent_versions.keep / "
                     "expire_after_days and apply, before it is deleted")
    return Check("pinned", PASS, f"{exists}, noncurrent: {text}")


def check_backup(aws, target) -> Check:
    from . import restore
    backup = target.platform.backup
    if backup is None:
        return Check("backup", NOT_CONFIGURED, "the spec has no backup section for this stack",
                     "add backup.point_in_time (continuous backup of the model bucket)")
    continuous = backup.point_in_time_days is not None
    try:
        plan = restore.find_plan(aws, backup.plan)
        if plan is None:
            return Check("backup", FAIL, f"backup plan {backup.plan} does not exist",
                         "apply the stack (mplat synth; terraform apply)")
        rule = restore.continuous_rule(plan)
        if continuous and rule is None:
            return Check("backup", FAIL, f"backup plan {backup.plan} has no continuous-backup rule",
                         "apply the stack: backup.point_in_time adds the rule")
        points = restore.recovery_points(aws, backup.vault, target.bucket)
    except OpsError as exc:
        if exc.code == "ResourceNotFoundException":
            return Check("backup", FAIL, f"backup vault {backup.vault} does not exist",
                         "apply the stack (mplat synth; terraform apply)")
        return _unknown("backup", exc)
    latest = f" (newest: {points[0].get('Status')} {iso(points[0].get('CreationDate'))})" \
        if points else ""
    if continuous:
        # what mplat restore needs (restore.continuous_point): a COMPLETED continuous point
        point = next((p for p in points if restore.is_continuous(p, rule)), None)
        if point is not None and point.get("Status") == "COMPLETED":
            start = now() - timedelta(days=backup.point_in_time_days)
            began = point.get("CreationDate")
            if began is not None and began > start:
                start = began
            window = f"{iso(start)} to now"
            return Check("backup", PASS, f"continuous rule '{rule.get('RuleName')}' in "
                         f"{backup.plan}; continuous recovery point COMPLETED: restorable from "
                         f"{window}", window=window)
        state = f" is {point.get('Status')} ({point.get('StatusMessage') or 'no message'})" \
            if point is not None else ": there is none" + latest
        return Check("backup", FAIL, f"mplat restore needs a COMPLETED continuous recovery point "
                     f"of {target.bucket} in vault {backup.vault}, and it{state}",
                     "check the backup jobs of the vault in AWS Backup (the backup role needs "
                     "its S3 policies; versioning must be on)")
    recent = now() - timedelta(hours=RECENT_HOURS)
    for point in points:
        done = point.get("CompletionDate") or point.get("CreationDate")
        if point.get("Status") == "COMPLETED" and done is not None and done >= recent:
            return Check("backup", PASS, f"snapshot recovery point completed {iso(done)} (no "
                         "point_in_time: mplat restore cannot restore to a point in time)")
    return Check("backup", FAIL, f"no recovery point of {target.bucket} in vault "
                 f"{backup.vault} completed in the last {RECENT_HOURS} h{latest}",
                 "check the backup jobs of the vault in AWS Backup")


def check_config(aws, target) -> Check:
    config = target.platform.config
    if config is None:
        return Check("config", NOT_CONFIGURED, "the spec has no config_recorder section",
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
        return Check("codedeploy", NOT_CONFIGURED, "the spec has no codedeploy section",
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


def checks_of(aws, target, *, key: str | None, require: frozenset = frozenset(),
              served=None) -> list[Check]:
    """Every check of one stack; a "not configured" check named in ``require`` fails.
    ``served(aws, target, key)`` gives the checks of the served model (default: the Kubernetes
    key and pin checks; ``operations.sagemaker.served_checks`` builds it for any serving
    sections, which keeps this module free of an import of operations.sagemaker)."""
    served = served or kubernetes_checks
    checks = [check_versioning(aws, target), *served(aws, target, key),
              check_backup(aws, target), check_config(aws, target), check_codedeploy(aws, target)]
    for check in checks:
        if check.status == NOT_CONFIGURED and check.name in require:
            check.status = FAIL
            check.detail += f" (required by --require {check.name})"
    return checks


def kubernetes_checks(aws, target, key: str | None) -> list[Check]:
    """The key and pin checks (2-3) of a Kubernetes-served model."""
    from .models import require_versions

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
    return check_versions(aws, target, key, versions)


def parse_require(text: str | None) -> frozenset:
    """``--require backup,config``: check names; a usage error names the unknown ones."""
    if not text:
        return frozenset()
    names = {n.strip() for n in text.split(",") if n.strip()}
    unknown = sorted(names - set(CHECKS))
    if unknown:
        raise OpsError(f"--require {','.join(unknown)}: no such check (the checks: "
                       f"{', '.join(CHECKS)})")
    return frozenset(names)


def ready(checks: list[Check]) -> bool:
    return all(c.status in (PASS, NOT_CONFIGURED) for c in checks)


def run(aws, target, *, key: str | None, fmt: str, out=None,
        require: frozenset = frozenset(), served=None) -> int:
    out = out or sys.stdout
    checks = checks_of(aws, target, key=key, require=require, served=served)
    ok = ready(checks)
    if fmt == "json":
        json.dump({"stack": target.platform.stack, "ready": ok,
                   "checks": [asdict(c) for c in checks]}, out, indent=2)
        out.write("\n")
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            line = f"{c.status.upper():<14} {c.name:<{width}}  {c.detail}"
            print(line + (f" -> fix: {c.fix}" if c.fix and c.status in (FAIL, UNKNOWN) else ""),
                  file=out)
        passed = sum(c.status == PASS for c in checks)
        skipped = sum(c.status == NOT_CONFIGURED for c in checks)
        print(f"{target.platform.stack}: {passed}/{len(checks)} checks pass"
              + (f", {skipped} not configured" if skipped else "")
              + ("" if ok else "; not ready for a rollback"), file=out)
    return EXIT_OK if ok else EXIT_ERRORS
