"""The operational commands for a SageMaker-served model (issue #18), against moto's server.

The moto server, its reset and the helpers are those of tests/ops/ (conftest.py, helpers.py:
moto with the tfharness GAPS patches: a SageMaker endpoint keeps its DeploymentConfig). Request
and response shapes are botocore's service model in both cases.
"""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from .helpers import ACCOUNT, _git_commit, _refused, client, make_bucket, mplat, upload

GROUP = "pricing"
BUCKET = f"pricing-models-{ACCOUNT}"
ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/{GROUP}/{{}}"
SPEC = """\
apiVersion: mplat/v1
kind: ModelPlatform
metadata: {{name: pricing, owner: pricing-ml}}
aws: {{region: us-east-1, account_id: "{account}"}}
artifacts: {{}}
sagemaker:
  model_package:
    version: {version}     # the pin, keep this comment
  instance_type: ml.m5.large
  instance_count: 4
  deployment_config: {{canary: {{percentage: 25, interval_minutes: 10}}}}
  alarms:
    - {{name: errors-5xx, namespace: AWS/SageMaker, metric: Invocation5XXErrors, threshold: 5}}
{extra}"""
KUBERNETES = """\
kubernetes:
  cluster: {kubeconfig: ~/.kube/config}
  image: reg.example.com/pricing:1
"""
ALARM = "pricing-sagemaker-errors-5xx"
pytestmark = pytest.mark.usefixtures("moto")        # a reset moto, every client pointed at it


def spec(tmp_path: Path, version: int = 2, extra: str = "") -> Path:
    path = tmp_path / "pricing.yaml"
    path.write_text(SPEC.format(account=ACCOUNT, version=version, extra=extra))
    return path


def register(statuses: list[str], key: str = "pricing/model.tar.gz") -> None:
    """The group with one package per status (versions 1..n), model data at ``key``."""
    sm = client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    for status in statuses:
        sm.create_model_package(
            ModelPackageGroupName=GROUP, ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [{"Image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/pricing:1",
                                "ModelDataUrl": f"s3://{BUCKET}/{key}"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"]})


def serve(version: int, *, alarms: bool = True) -> None:
    """A model, endpoint config and endpoint serving ``version``, as the stack creates them."""
    sm = client("sagemaker")
    sm.create_model(ModelName=f"terraform-{version}",
                    ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/pricing-sagemaker",
                    PrimaryContainer={"ModelPackageName": ARN.format(version)})
    config = f"pricing-{version:026d}"
    sm.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[{
        "VariantName": "live", "ModelName": f"terraform-{version}", "InitialInstanceCount": 4,
        "InstanceType": "ml.m5.large"}])
    deployment = {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {
        "Type": "CANARY", "WaitIntervalInSeconds": 600,
        "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1}}}}
    if alarms:
        deployment["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": ALARM}]}
        client("cloudwatch").put_metric_alarm(
            AlarmName=ALARM, Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=5,
            ComparisonOperator="GreaterThanThreshold")
    sm.create_endpoint(EndpointName="pricing", EndpointConfigName=config,
                       DeploymentConfig=deployment)


# -- history and rollback -------------------------------------------------------------------------
def test_history_lists_the_groups_versions_with_status_and_the_pin(capsys, tmp_path):
    register(["Approved", "Approved", "PendingManualApproval"])
    rc, out, err = mplat(capsys, "models", "history", spec(tmp_path, 2))
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == "model package group pricing (newest first)"
    assert [line.split()[:2] for line in lines[2:]] == [
        ["3", "PendingManualApproval"], ["2", "Approved"], ["1", "Approved"]]
    assert lines[3].endswith("<- pinned") and not lines[2].endswith("<- pinned")
    rc, out, _ = mplat(capsys, "models", "history", spec(tmp_path, 2), "--format", "json")
    data = json.loads(out)
    assert data["pinned"] == 2 and [v["pinned"] for v in data["versions"]] == [False, True, False]


def test_rollback_to_an_approved_version_edits_only_the_pin(capsys, tmp_path):
    register(["Approved", "Approved"])
    path = spec(tmp_path, 2)
    before = path.read_text()
    rc, out, err = mplat(capsys, "models", "rollback", path, "--to", "1")
    assert rc == 0, err
    assert path.read_text() == before.replace("    version: 2     #", "    version: 1     #")
    assert "pin pricing/2 -> pricing/1 (Approved, created " in out
    assert "the endpoint pricing updates through its guardrails (canary" in out
    rc, out, _ = mplat(capsys, "models", "history", path)
    assert [line for line in out.splitlines() if line.endswith("<- pinned")][0].split()[0] == "1"


def test_rollback_dry_run_writes_nothing(capsys, tmp_path):
    register(["Approved", "Approved"])
    path = spec(tmp_path, 2)
    before = path.read_bytes()
    rc, out, _ = mplat(capsys, "models", "rollback", path, "--to", "1", "--dry-run")
    assert rc == 0 and path.read_bytes() == before
    assert "-    version: 2" in out and "+    version: 1" in out and "dry run: would pin" in out


@pytest.mark.parametrize("argv, message", [
    (("--to", "3"), "version 3 of pricing is PendingManualApproval, not Approved: mplat does not "
                    "serve an unapproved model"),
    (("--to", "9"), "version 9 is not a version of model package group pricing"),
    (("--to", "2"), "version 2 of pricing is already pinned"),
    (("--to", "v1"), "--to v1: a SageMaker model package version is a number"),
    (("--steps", "1"), "is not in a git repository: pin-mode --steps and --at follow the pin's "
                       "git history; use --to VERSION (mplat models history --serving sagemaker "
                       "lists them) instead"),
    (("--to", "1", "--mode", "copy"), "--mode copy copies S3 object versions"),
])
def test_rollback_refusals_are_one_line_and_change_nothing(capsys, tmp_path, argv, message):
    register(["Approved", "Approved", "PendingManualApproval"])
    path = spec(tmp_path, 2)
    line = _refused(capsys, path, "models", "rollback", path, *argv)
    assert message in line and line.endswith("nothing changed"), line


def _served_repo(tmp_path: Path) -> tuple[Path, list[str]]:
    """Versions 1..3 registered (1 since Rejected); the spec pinned 1 on Nov 1, 3 on Nov 10 and
    4 on Nov 20 (Approved). Version 2 was registered and never pinned: never served."""
    register(["Rejected", "Approved", "Approved", "Approved"])
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    path = spec(repo, 1)
    commits = [_git_commit(repo, "2026-11-01T09:00:00Z", "pin 1")]
    for old, new, date in ((1, 3, "2026-11-10T09:00:00Z"), (3, 4, "2026-11-20T09:00:00Z")):
        path.write_text(path.read_text().replace(f"version: {old} ", f"version: {new} "))
        commits.append(_git_commit(repo, date, f"pin {new}"))
    return path, commits


def test_rollback_steps_walk_the_pins_served_not_the_versions_registered(capsys, tmp_path):
    path, commits = _served_repo(tmp_path)
    before = path.read_text()
    rc, out, err = mplat(capsys, "models", "rollback", path, "--steps", "1")
    assert rc == 0, err
    assert path.read_text() == before.replace("    version: 4     #", "    version: 3     #")
    assert "pin pricing/4 -> pricing/3 (Approved, created " in out
    assert f", pinned before at {commits[1]} 2026-11-10) at " in out
    # two back is version 1 (2 was never pinned): since rejected, so refused with its status
    path.write_text(before)
    line = _refused(capsys, path, "models", "rollback", path, "--steps", "2")
    assert "version 1 of pricing is Rejected, not Approved" in line, line
    line = _refused(capsys, path, "models", "rollback", path, "--steps", "3")
    assert "has 2 earlier value(s) in the git history" in line and \
        line.endswith("nothing changed"), line


def test_rollback_at_takes_the_pin_in_effect_then(capsys, tmp_path):
    path, commits = _served_repo(tmp_path)
    before = path.read_text()
    rc, out, err = mplat(capsys, "models", "rollback", path, "--at", "2026-11-15T00:00:00Z")
    assert rc == 0, err
    assert path.read_text() == before.replace("    version: 4     #", "    version: 3     #")
    path.write_text(before)
    line = _refused(capsys, path, "models", "rollback", path, "--at", "2026-11-21T00:00:00Z")
    assert "version 4 of pricing is already pinned" in line, line
    line = _refused(capsys, path, "models", "rollback", path, "--at", "2026-10-01T00:00:00Z")
    assert "has no commit at or before 2026-10-01T00:00:00Z" in line, line


def test_history_marks_the_versions_pinned_before(capsys, tmp_path):
    path, commits = _served_repo(tmp_path)
    rc, out, err = mplat(capsys, "models", "history", path, "--format", "json")
    assert rc == 0, err
    assert {v["version"]: v["pinned_before"] for v in json.loads(out)["versions"]} == {
        4: None, 3: f"{commits[1]} 2026-11-10", 2: None, 1: f"{commits[0]} 2026-11-01"}
    rc, out, _ = mplat(capsys, "models", "history", path)
    marks = {line.split()[0]: line.partition("<- ")[2] for line in out.splitlines()[2:]}
    assert marks == {"4": "pinned", "3": f"pinned before ({commits[1]} 2026-11-10)", "2": "",
                     "1": f"pinned before ({commits[0]} 2026-11-01)"}


def test_a_spec_with_both_serving_sections_needs_serving(capsys, tmp_path):
    register(["Approved", "Approved"])
    path = spec(tmp_path, 2, KUBERNETES)
    line = _refused(capsys, path, "models", "rollback", path, "--to", "1")
    assert line == (f"mplat: error: {path} serves with both kubernetes and sagemaker: pass "
                    "--serving kubernetes|sagemaker")
    rc, out, err = mplat(capsys, "models", "rollback", path, "--to", "1", "--serving",
                         "sagemaker")
    assert rc == 0, err
    line = _refused(capsys, spec(tmp_path, 2), "verify", spec(tmp_path, 2), "--serving",
                    "kubernetes")
    assert "has no kubernetes section (--serving kubernetes); it serves with sagemaker" in line


# -- verify -------------------------------------------------------------------------------------
def _checks(capsys, path) -> tuple[int, dict]:
    rc, out, err = mplat(capsys, "verify", path, "--format", "json")
    assert "Traceback" not in err
    return rc, {c["name"]: c for c in json.loads(out)["checks"]}


def test_verify_passes_the_sagemaker_checks_on_a_served_immutable_pin(capsys, tmp_path):
    make_bucket(BUCKET)
    client("s3").put_object(Bucket=BUCKET, Key="pricing/model.tar.gz", Body=b"model")
    time.sleep(1.1)                          # S3 LastModified has whole seconds
    register(["Approved", "Approved"])
    serve(2)
    _, checks = _checks(capsys, spec(tmp_path, 2))
    sagemaker = ["endpoint", "endpoint-config", "auto-rollback", "immutable-pin", "model-data"]
    assert list(checks)[1:6] == sagemaker
    assert {n: checks[n]["status"] for n in sagemaker} == dict.fromkeys(sagemaker, "pass")
    assert checks["endpoint-config"]["detail"] == \
        f"endpoint config pricing-{2:026d} serves pricing/2"


def test_verify_fails_an_overwritten_model_object_and_names_the_fix(capsys, tmp_path):
    make_bucket(BUCKET)
    register(["Approved", "Approved"])
    time.sleep(1.1)
    client("s3").put_object(Bucket=BUCKET, Key="pricing/model.tar.gz", Body=b"new bytes")
    serve(2)
    rc, checks = _checks(capsys, spec(tmp_path, 2))
    assert rc == 1
    pin = checks["immutable-pin"]
    assert pin["status"] == "fail"
    assert pin["detail"].startswith(f"the model object s3://{BUCKET}/pricing/model.tar.gz was "
                                    "last modified ")
    assert "the next instance that starts (scaling, replacement) serves the new bytes" in \
        pin["detail"]
    assert pin["fix"].startswith("register the new object as a new package version and pin that")


def test_verify_fails_what_the_endpoint_does_not_serve_or_guard(capsys, tmp_path):
    make_bucket(BUCKET)
    register(["Approved", "Approved", "Rejected"], key="elsewhere/model.tar.gz")
    serve(1, alarms=False)
    rc, checks = _checks(capsys, spec(tmp_path, 2))
    assert rc == 1
    assert checks["endpoint"]["status"] == "pass"
    assert checks["endpoint-config"]["detail"] == \
        f"endpoint config pricing-{1:026d} serves pricing/1, the spec pins pricing/2"
    assert checks["auto-rollback"]["detail"] == \
        f"auto-rollback of pricing does not name {ALARM}"
    assert checks["model-data"]["status"] == "fail"
    assert f"(s3://{BUCKET}/elsewhere/model.tar.gz) is outside s3://{BUCKET}/pricing/" in \
        checks["model-data"]["detail"]
    _, checks = _checks(capsys, spec(tmp_path, 3))
    assert checks["immutable-pin"]["detail"] == "pricing/3 is Rejected, not Approved"
    assert all(c["fix"] for c in checks.values() if c["status"] != "pass")


def test_verify_of_an_unapplied_sagemaker_stack_fails_without_a_traceback(capsys,
                                                                         tmp_path):
    rc, checks = _checks(capsys, spec(tmp_path, 2))
    assert rc == 1
    assert checks["endpoint"]["detail"] == "endpoint pricing does not exist"
    assert checks["immutable-pin"]["detail"] == "pricing/2 does not exist"


def test_fleet_view_runs_the_sagemaker_checks_and_both_sets_for_a_spec_with_both(capsys,
                                                                                  tmp_path):
    make_bucket(BUCKET)
    client("s3").put_object(Bucket=BUCKET, Key="pricing/model.tar.gz", Body=b"model")
    time.sleep(1.1)                          # S3 LastModified has whole seconds
    register(["Approved", "Approved"])
    serve(2)
    specs = tmp_path / "specs"
    specs.mkdir()
    spec(specs, 2)
    make_bucket(f"scoring-models-{ACCOUNT}")
    ids = upload(f"scoring-models-{ACCOUNT}", "scoring/model.tar.gz", 2)
    both = KUBERNETES + f"  model: {{key: scoring/model.tar.gz, version_id: {ids[1]}}}\n"
    (specs / "scoring.yaml").write_text(SPEC.format(account=ACCOUNT, version=1, extra=both)
                                        .replace("name: pricing", "name: scoring"))
    rc, out, err = mplat(capsys, "verify", specs, "--all-envs", "--format", "json")
    assert rc == 1 and "Traceback" not in err, err
    rows = {r["stack"]: {c["name"]: c for c in r["checks"]} for r in json.loads(out)["stacks"]}
    sagemaker = ["endpoint", "endpoint-config", "auto-rollback", "immutable-pin", "model-data"]
    assert list(rows["pricing"]) == ["versioning", *sagemaker, "backup", "config", "codedeploy"]
    assert {n: rows["pricing"][n]["status"] for n in sagemaker} == dict.fromkeys(sagemaker, "pass")
    assert list(rows["scoring"]) == ["versioning", "versions", "pinned", *sagemaker, "backup",
                                     "config", "codedeploy"]
    assert {n: rows["scoring"][n]["status"] for n in ("versioning", "versions", "pinned")} == \
        dict.fromkeys(("versioning", "versions", "pinned"), "pass")
    assert rows["scoring"]["endpoint"]["detail"] == "endpoint scoring does not exist"
    assert rows["scoring"]["immutable-pin"]["detail"] == "scoring/1 does not exist"
    rc, out, _ = mplat(capsys, "verify", specs, "--all-envs", "--format", "markdown")
    lines = out.splitlines()
    assert lines[2] == ("| stack | versioning | versions | pinned | endpoint | endpoint-config | "
                        "auto-rollback | immutable-pin | model-data | backup | config | codedeploy "
                        "| restorable |")
    assert lines[4].startswith("| `pricing` | pass | - | - | pass | pass | pass | pass | pass |")
    assert lines[5].startswith("| `scoring` | pass | pass | pass | FAIL | FAIL | FAIL | FAIL | FAIL |")
    assert "- `scoring` endpoint **fail**: endpoint scoring does not exist" in out


# -- changes ------------------------------------------------------------------------------------
def test_changes_include_the_endpoint_and_each_endpoint_config(capsys, tmp_path):
    make_bucket(BUCKET)
    register(["Approved", "Approved"])
    serve(1)
    sm = client("sagemaker")
    sm.create_model(ModelName="terraform-2", ExecutionRoleArn="arn:aws:iam::1:role/r",
                    PrimaryContainer={"ModelPackageName": ARN.format(2)})
    sm.create_endpoint_config(EndpointConfigName="pricing-other-config", ProductionVariants=[{
        "VariantName": "live", "ModelName": "terraform-2", "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large"}])              # another prefix: not this stack's
    rc, out, err = mplat(capsys, "changes", spec(tmp_path, 2), "--since", "1d", "--format",
                         "json")
    assert rc == 0, err
    rows = [(c["type"], c["name"], c["changed"]) for c in json.loads(out)["changes"]
            if c["type"].startswith("AWS::SageMaker::")]
    assert sorted(rows) == [
        ("AWS::SageMaker::Endpoint", "pricing", [f"EndpointConfigName pricing-{1:026d}"]),
        ("AWS::SageMaker::EndpointConfig", f"pricing-{1:026d}", ["serves pricing/1"])]
