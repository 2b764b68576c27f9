"""The SageMaker side of `mplat models`, `mplat verify` and `mplat changes` (issue #18).

The served model is one version of a SageMaker Model Registry group, pinned in the spec
(``sagemaker.model_package.version``). Every name and ARN comes from the typed model
(``compiler.model.sagemaker``, which took them from ``compiler.names``).

* ``history``: the group's versions, newest first (ListModelPackages): version, approval status,
  creation time, which one is pinned, and which were pinned before (the commit that pinned them
  and its date, from the git history of the spec: ``operations.served``).
* ``rollback``: re-pins a version with the same surgical scalar edit as the Kubernetes pin
  (``operations.pin``), validated before anything is written. The version is ``--to VERSION``;
  ``--steps N``, the pin N changes back in the git history of the spec file (what was served, not
  what was registered: ``operations.served``, the walker of the Kubernetes pin mode, here on
  ``sagemaker.model_package.version``); or ``--at TIME``, the pin of the newest commit made at or
  before TIME. A version that is not ``Approved`` (now) is refused with its status, whichever way
  it was chosen. ``--mode copy`` and ``--from-uploads`` are S3-version notions and are refused.
* ``checks`` (verify): the endpoint is InService; its endpoint configuration serves the pinned
  version; auto-rollback names the spec's alarms and they exist; the pin is immutable in
  practice (the package is Approved, and its model object was not modified after the package was
  created: SageMaker downloads ModelDataUrl again whenever an instance starts); ModelDataUrl lies
  under ``s3://<model bucket>/<group>/``, the only prefix the execution role may read.
* ``change_rows`` (changes): AWS Config does not record SageMaker endpoints or endpoint
  configurations (no such Config resource type), so their history comes from SageMaker itself:
  each endpoint configuration of the stack (one per pin change: ``name_prefix`` + a generated
  suffix) with the version it serves, and the endpoint's last modification.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime

from compiler.exits import EXIT_OK

from .errors import OpsError
from .timeutil import iso
from .verify import FAIL, PASS, Check, kubernetes_checks
from .verify import _unknown

SERVING = ("kubernetes", "sagemaker")
PIN_PATH = ("sagemaker", "model_package", "version")
APPROVED = "Approved"
UNIQUE_SUFFIX_LEN = 26          # the provider's generated suffix of a name_prefix (digits)


def serving(target, flag: str | None) -> str:
    """Which served model a command acts on: ``--serving``, else the one section the spec has;
    one line when the spec has both and the flag is missing."""
    have = [s for s in SERVING if getattr(target.platform, s) is not None]
    if flag:
        if flag not in have:
            raise OpsError(f"{target.shown} has no {flag} section (--serving {flag}); it serves "
                           f"with {' and '.join(have) or 'neither kubernetes nor sagemaker'}")
        return flag
    if len(have) == 2:
        raise OpsError(f"{target.shown} serves with both kubernetes and sagemaker: pass "
                       "--serving kubernetes|sagemaker")
    return have[0] if have else "kubernetes"


@dataclass(frozen=True)
class Package:
    version: int
    arn: str
    approval: str               # ModelApprovalStatus
    created: datetime

    def as_dict(self, pinned: int) -> dict:
        return {"version": self.version, "arn": self.arn, "status": self.approval,
                "created": iso(self.created), "pinned": self.version == pinned}


def _account(aws, sm) -> str:
    return sm.account_id or (aws.identity or {}).get("Account") or ""


def pinned_arn(aws, sm) -> str:
    return sm.package_arn(_account(aws, sm))


def list_packages(aws, sm) -> list[Package]:
    """Every version of the group, newest first."""
    out = []
    for page in aws.pages("sagemaker", "list_model_packages", f"model package group {sm.group}",
                          ModelPackageGroupName=sm.group, SortBy="CreationTime",
                          SortOrder="Descending"):
        for item in page.get("ModelPackageSummaryList") or ():
            if item.get("ModelPackageVersion") is None:
                continue
            out.append(Package(version=int(item["ModelPackageVersion"]),
                               arn=item.get("ModelPackageArn", ""),
                               approval=item.get("ModelApprovalStatus") or "-",
                               created=item["CreationTime"]))
    out.sort(key=lambda p: p.version, reverse=True)
    return out


def describe_package(aws, sm, version: int) -> dict | None:
    """DescribeModelPackage of ``version`` of the group, or None when it does not exist."""
    arn = sm.package_arn(_account(aws, sm)).rsplit("/", 1)[0] + f"/{version}"
    try:
        return aws.call("sagemaker", "describe_model_package", f"{sm.group}/{version}",
                        ModelPackageName=arn)
    except OpsError as exc:
        if exc.code in ("ValidationException", "ResourceNotFound"):
            return None
        raise


# -- history ------------------------------------------------------------------------------------
def history(aws, target, fmt: str, out=None) -> int:
    out = out or sys.stdout
    sm = target.platform.sagemaker
    packages = list_packages(aws, sm)
    before = _pinned_before(target, sm.version)
    if fmt == "json":
        json.dump({"group": sm.group, "pinned": sm.version,
                   "versions": [{**p.as_dict(sm.version), "pinned_before": before.get(p.version)}
                                for p in packages]}, out, indent=2)
        out.write("\n")
        return EXIT_OK
    if not packages:
        raise OpsError(f"model package group {sm.group} has no versions (register one, or apply "
                       "the stack to create the group)", code="NoVersions")
    print(f"model package group {sm.group} (newest first)", file=out)
    width = max(len(p.approval) for p in packages)
    print(f"  {'VERSION':>7}  {'STATUS':<{width}}  CREATED", file=out)
    for p in packages:
        marks = ["pinned"] if p.version == sm.version else []
        if p.version in before:
            marks.append(f"pinned before ({before[p.version]})")
        mark = f"  <- {', '.join(marks)}" if marks else ""
        print(f"  {p.version:>7}  {p.approval:<{width}}  {iso(p.created)}{mark}", file=out)
    if sm.version not in {p.version for p in packages}:
        print(f"warning: the pinned version {sm.version} is not a version of {sm.group} "
              "(mplat verify checks this)", file=out)
    return EXIT_OK


def _pinned_before(target, pinned: int) -> dict[int, str]:
    """version -> "<commit> <date>" of the commit that pinned it, for earlier pins of this stack
    (git history of the spec, ``operations.served``); {} outside git."""
    from . import served
    try:
        periods = served.periods(target, served.SAGEMAKER)
    except OpsError:
        return {}
    return {int(p.version_id): p.label() for p in periods
            if p.since is not None and int(p.version_id) != pinned}


# -- rollback -----------------------------------------------------------------------------------
def rollback(aws, target, args, out=None) -> int:
    from . import pin as pin_edit
    from .models import validated_stacks

    out = out or sys.stdout
    sm = target.platform.sagemaker
    if args.mode == "copy":
        raise OpsError("--mode copy copies S3 object versions; a SageMaker model is re-pinned "
                       "(drop --mode copy); nothing changed")
    if getattr(args, "from_uploads", False):
        raise OpsError("--from-uploads counts S3 uploads; a SageMaker pin's --steps and --at "
                       "follow its git history (drop --from-uploads); nothing changed")
    origin = ""
    if args.to is None:
        # what was served: the pin's own git history (operations.served), as the Kubernetes pin
        from . import served
        from .timeutil import parse_time
        try:
            period = served.previous(target, args.steps, served.SAGEMAKER) \
                if args.steps is not None else served.at(target, parse_time(args.at),
                                                         served.SAGEMAKER)
        except OpsError as exc:
            raise OpsError(f"{exc.message}; nothing changed", code=exc.code) from None
        version = int(period.version_id)
        origin = f", pinned before at {period.label()}"
    else:
        try:
            version = int(str(args.to))
        except ValueError:
            raise OpsError(f"--to {args.to}: a SageMaker model package version is a number "
                           "(mplat models history lists them); nothing changed") from None
    if version < 1:
        raise OpsError(f"--to {version}: versions start at 1; nothing changed")
    if version == sm.version:
        raise OpsError(f"version {version} of {sm.group} is already pinned; nothing changed",
                       code="AlreadyPinned")
    package = describe_package(aws, sm, version)
    if package is None:
        raise OpsError(f"version {version} is not a version of model package group {sm.group} "
                       "(mplat models history lists them); nothing changed",
                       code="UnknownVersion")
    status = package.get("ModelApprovalStatus") or "without an approval status"
    if status != APPROVED:
        raise OpsError(f"version {version} of {sm.group} is {status}, not {APPROVED}: mplat does "
                       "not serve an unapproved model; approve it in the Model Registry (aws "
                       "sagemaker update-model-package --model-approval-status Approved) or choose "
                       "an Approved version; nothing changed", code="NotApproved")

    position = target.stack.positions.values.get(PIN_PATH)
    if position is None:
        raise OpsError(f"{target.shown}: sagemaker.model_package.version is not written in the "
                       "spec; nothing changed")
    place = f"{position.file}:{position.line}:{position.col}"
    old_text = pin_edit.read_text(target.real)
    new_text = pin_edit.replace_int_at(old_text, position.line, position.col, version, place)
    clean = validated_stacks(target, new_text)
    after = {s.name: _pinned(s.data) for s in clean}
    if after.get(target.stack.name) != version:
        raise OpsError(f"{place}: the edit did not change the pin of {target.stack.name}; "
                       "nothing written")
    others = sorted(s.name for s in target.stacks
                    if s.name != target.stack.name and _pinned(s.data) != after.get(s.name))
    out.write(pin_edit.unified_diff(old_text, new_text, target.shown))
    created = package.get("CreationTime")
    summary = (f"pin {sm.group}/{sm.version} -> {sm.group}/{version} ({APPROVED}, created "
               f"{iso(created) if created else '?'}{origin}) at {place}")
    if others:
        summary += f"; this line also pins {', '.join(others)}"
    if args.dry_run:
        print(f"dry run: would {summary}; nothing written", file=out)
        return EXIT_OK
    pin_edit.write_text(target.real, new_text)
    print(f"{summary}; validated. Next: review and commit, then mplat synth and apply: the "
          f"endpoint {sm.endpoint_name} updates through its guardrails "
          f"({sm.deployment.strategy}, bake, auto-rollback)", file=out)
    return EXIT_OK


def _pinned(data) -> int | None:
    package = ((data or {}).get("sagemaker") or {}).get("model_package")
    return package.get("version") if isinstance(package, dict) else None


# -- verify -------------------------------------------------------------------------------------
def _served_package(aws, endpoint: dict) -> tuple[str | None, str]:
    """(the model package ARN the endpoint's configuration serves, the configuration name)."""
    config_name = endpoint.get("EndpointConfigName") or ""
    config = aws.call("sagemaker", "describe_endpoint_config", f"endpoint config {config_name}",
                      EndpointConfigName=config_name)
    variants = config.get("ProductionVariants") or []
    if not variants:
        return None, config_name
    model = aws.call("sagemaker", "describe_model", f"model {variants[0].get('ModelName')}",
                     ModelName=variants[0].get("ModelName"))
    container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
    return container.get("ModelPackageName"), config_name


def _same_package(a: str | None, b: str) -> bool:
    return bool(a) and a.lower() == b.lower()


def _s3_url(url: str) -> tuple[str, str] | None:
    if not url.startswith("s3://"):
        return None
    bucket, _, key = url[5:].partition("/")
    return bucket, key


def served_checks(sections: tuple[str, ...]):
    """The served-model checks of ``verify.checks_of`` for the serving ``sections`` (one, or both
    in the order of ``verify.SERVED_CHECKS``): a callable (aws, target, key) -> checks."""
    def run(aws, target, key) -> list:
        out = []
        if "kubernetes" in sections:
            out += kubernetes_checks(aws, target, key)
        if "sagemaker" in sections:
            out += checks(aws, target)
        return out
    return run


def checks(aws, target) -> list:
    """The SageMaker checks of `mplat verify`, in order."""

    sm = target.platform.sagemaker
    wanted = pinned_arn(aws, sm)
    pinned = f"{sm.group}/{sm.version}"
    apply = "apply the stack (mplat synth; terraform apply)"
    out = []
    endpoint = None
    try:
        endpoint = aws.call("sagemaker", "describe_endpoint", f"endpoint {sm.endpoint_name}",
                            EndpointName=sm.endpoint_name)
    except OpsError as exc:
        if exc.code != "ValidationException":
            out.append(_unknown("endpoint", exc))
    if endpoint is None:
        if not out:
            out.append(Check("endpoint", FAIL, f"endpoint {sm.endpoint_name} does not exist",
                             apply))
        out += [Check("endpoint-config", FAIL, f"no endpoint serves {pinned}", apply),
                Check("auto-rollback", FAIL, f"no endpoint {sm.endpoint_name}", apply)]
    else:
        status = endpoint.get("EndpointStatus")
        if status == "InService":
            out.append(Check("endpoint", PASS, f"endpoint {sm.endpoint_name} is InService"))
        else:
            reason = endpoint.get("FailureReason")
            out.append(Check("endpoint", FAIL, f"endpoint {sm.endpoint_name} is {status}"
                             + (f" ({reason})" if reason else ""),
                             "wait for the update to finish (mplat verify again), or read the "
                             "endpoint's events in the SageMaker console"))
        try:
            served, config_name = _served_package(aws, endpoint)
            if _same_package(served, wanted):
                out.append(Check("endpoint-config", PASS,
                                 f"endpoint config {config_name} serves {pinned}"))
            else:
                shown = served.rsplit("model-package/", 1)[-1] if served else "no model package"
                out.append(Check("endpoint-config", FAIL, f"endpoint config {config_name} serves "
                                 f"{shown}, the spec pins {pinned}",
                                 f"{apply}; if an alarm rolled the update back, fix the model "
                                 "before pinning it again"))
        except OpsError as exc:
            out.append(_unknown("endpoint-config", exc))
        out.append(_auto_rollback(aws, sm, endpoint))
    out += _pin_checks(aws, target, sm, pinned)
    return out


def _auto_rollback(aws, sm, endpoint: dict):

    wanted = list(sm.alarm_names)
    if not wanted:
        return Check("auto-rollback", FAIL, "the spec has no sagemaker.alarms: nothing rolls a "
                     "bad update back", "add an alarm under sagemaker.alarms, then apply")
    config = (endpoint.get("LastDeploymentConfig") or {}).get("AutoRollbackConfiguration") or {}
    named = {a.get("AlarmName") for a in config.get("Alarms") or ()}
    missing_on_endpoint = [a for a in wanted if a not in named]
    if missing_on_endpoint:
        return Check("auto-rollback", FAIL, f"auto-rollback of {sm.endpoint_name} does not name "
                     f"{', '.join(missing_on_endpoint)}", "apply the stack")
    try:
        found = set()
        for page in aws.pages("cloudwatch", "describe_alarms", "the endpoint's alarms",
                              AlarmNames=wanted):
            found |= {a["AlarmName"] for a in page.get("MetricAlarms") or ()}
    except OpsError as exc:
        return _unknown("auto-rollback", exc)
    missing = [a for a in wanted if a not in found]
    if missing:
        return Check("auto-rollback", FAIL, f"alarm(s) {', '.join(missing)} named by "
                     "auto-rollback do not exist in CloudWatch", "apply the stack (the alarms "
                     "are part of it)")
    return Check("auto-rollback", PASS, f"auto-rollback names {len(wanted)} alarm(s); all exist")


def _pin_checks(aws, target, sm, pinned: str) -> list:

    try:
        package = describe_package(aws, sm, sm.version)
    except OpsError as exc:
        return [_unknown("immutable-pin", exc), _unknown("model-data", exc)]
    if package is None:
        fix = ("register the version, or pin an existing one: mplat models rollback --serving "
               "sagemaker --to VERSION")
        return [Check("immutable-pin", FAIL, f"{pinned} does not exist", fix),
                Check("model-data", FAIL, f"{pinned} does not exist", fix)]
    status = package.get("ModelApprovalStatus") or "without an approval status"
    created = package.get("CreationTime")
    containers = (package.get("InferenceSpecification") or {}).get("Containers") or [{}]
    url = containers[0].get("ModelDataUrl") or ""
    location = _s3_url(url)
    bucket = sm.model_bucket
    prefix = sm.model_prefix
    if location is None:
        data = Check("model-data", FAIL, f"{pinned} names no S3 model data ({url or 'none'})",
                     f"register the package with ModelDataUrl under s3://{bucket}/{prefix}")
    elif bucket is None or location[0] != bucket or not location[1].startswith(prefix):
        data = Check("model-data", FAIL, f"the model data of {pinned} ({url}) is outside "
                     f"s3://{bucket or '<no artifacts bucket>'}/{prefix}, the only prefix the "
                     "execution role may read",
                     f"register the model data under s3://{bucket}/{prefix} (a new version)")
    else:
        data = Check("model-data", PASS, f"the model data of {pinned} is {url}")
    if status != APPROVED:
        pin = Check("immutable-pin", FAIL, f"{pinned} is {status}, not {APPROVED}",
                    "approve it in the Model Registry, or pin an Approved version: mplat models "
                    "rollback --serving sagemaker --to VERSION")
        return [pin, data]
    if location is None:
        return [Check("immutable-pin", FAIL, f"{pinned} has no S3 model object to check",
                      data.fix), data]
    try:
        head = aws.call("s3", "head_object", url, Bucket=location[0], Key=location[1])
    except OpsError as exc:
        if exc.code in ("404", "NoSuchKey", "NoSuchBucket"):
            return [Check("immutable-pin", FAIL, f"the model object {url} of {pinned} does not "
                          "exist: an instance that starts cannot load the model",
                          "restore the object (mplat restore) or pin another version"), data]
        return [_unknown("immutable-pin", exc), data]
    modified = head.get("LastModified")
    if created is not None and modified is not None and modified > created:
        return [Check("immutable-pin", FAIL, f"the model object {url} was last modified "
                      f"{iso(modified)}, after {pinned} was created ({iso(created)}): the next "
                      "instance that starts (scaling, replacement) serves the new bytes",
                      "register the new object as a new package version and pin that, or "
                      "restore the object version the package was registered with (and protect "
                      "the prefix: artifacts.object_lock)"), data]
    return [Check("immutable-pin", PASS, f"{pinned} is {APPROVED}; its model object was not "
                  f"modified after the package was created ({iso(created)})"), data]


# -- changes ------------------------------------------------------------------------------------
def change_rows(aws, platform, start) -> tuple[list[dict], list[str]]:
    """(rows, not found) for the endpoint and its configurations since ``start``."""
    sm = platform.sagemaker
    rows: list[dict] = []
    missing: list[str] = []
    prefix = sm.config_name_prefix
    configs = []
    for page in aws.pages("sagemaker", "list_endpoint_configs", f"endpoint configs {prefix}*",
                          NameContains=prefix, CreationTimeAfter=start):
        for item in page.get("EndpointConfigs") or ():
            name = item.get("EndpointConfigName", "")
            suffix = name[len(prefix):]
            if name.startswith(prefix) and len(suffix) == UNIQUE_SUFFIX_LEN and suffix.isdigit():
                configs.append(item)
    for item in configs:
        name = item["EndpointConfigName"]
        try:
            served, _ = _served_package(aws, {"EndpointConfigName": name})
        except OpsError as exc:
            served = f"? ({exc.code})"
        shown = served.rsplit("model-package/", 1)[-1] if served else "no model package"
        rows.append({"time": item.get("CreationTime"), "type": "AWS::SageMaker::EndpointConfig",
                     "name": name, "id": name, "status": "Created",
                     "changed": [f"serves {shown}"], "first_in_window": False})
    try:
        endpoint = aws.call("sagemaker", "describe_endpoint", f"endpoint {sm.endpoint_name}",
                            EndpointName=sm.endpoint_name)
    except OpsError as exc:
        if exc.code != "ValidationException":
            raise
        missing.append(f"AWS::SageMaker::Endpoint {sm.endpoint_name} (does not exist)")
        return rows, missing
    modified = endpoint.get("LastModifiedTime")
    if modified is not None and modified >= start:
        rows.append({"time": modified, "type": "AWS::SageMaker::Endpoint",
                     "name": sm.endpoint_name, "id": sm.endpoint_name,
                     "status": endpoint.get("EndpointStatus"),
                     "changed": [f"EndpointConfigName {endpoint.get('EndpointConfigName')}"],
                     "first_in_window": False})
    return rows, missing
