"""Specs, stubs and helpers shared by the operations tests (tests/ops/)."""
from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
from botocore.stub import Stubber

from mplat.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
ACCOUNT = "123456789012"            # moto's default account
REGION = "us-east-1"

# -- the specs ------------------------------------------------------------------------------------
SCORER = """\
# yaml-language-server: $schema=../schemas/model-platform.schema.json
# A single-stack spec with every section verify checks.
apiVersion: mplat/v1
kind: ModelPlatform
metadata:
  name: scorer
  owner: ml-team          # who gets paged

aws:
  region: us-east-1
  account_id: "{account}"

artifacts: {{}}
backup:
  point_in_time: {{retention_days: 7}}
config_recorder:
  recorder: create
codedeploy:
  platform: Server
  auto_rollback:
    events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]
  alarms:
    - name: high-5xx
      namespace: AWS/ApplicationELB
      metric: HTTPCode_Target_5XX_Count
      dimensions: {{LoadBalancer: app/scorer/0123456789abcdef}}
      threshold: 10
  ec2_tags: {{app: scorer}}
kubernetes:
  cluster: {{kubeconfig: ~/.kube/config}}
  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer:1.0.0
  model:
    key: scorer/model.tar.gz      # the served model
    version_id: {pin}   # pinned by hand, keep this comment
"""
SCORER_BUCKET = f"scorer-models-{ACCOUNT}"
SCORER_KEY = "scorer/model.tar.gz"

RANKER = """\
apiVersion: mplat/v1
kind: ModelPlatform
metadata: {{name: ranker, owner: search}}
aws: {{region: us-east-1, account_id: "123456789012"}}
artifacts: {{}}
kubernetes:
  cluster: {{kubeconfig: ~/.kube/config}}
  image: reg.example.com/ranker:2
  model:
    key: ranker/model.bin
    version_id: "{base}"     # base pin (dev inherits it)
environments:
  dev:
    kubernetes: {{cluster: {{context: dev}}}}
  prod:
    kubernetes:
      cluster: {{context: prod}}
      model: {{key: ranker/model.bin, version_id: '{prod}'}}   # prod pins its own
"""
RANKER_KEY = "ranker/model.bin"


class PartialStubber(Stubber):
    """botocore's Stubber for the named operations only; the client's other calls go to moto."""

    def __init__(self, client, operations: set[str]) -> None:
        super().__init__(client)
        self.operations = operations

    def _assert_expected_params(self, model, params, context, **kwargs):
        if model.name in self.operations:
            return super()._assert_expected_params(model, params, context, **kwargs)
        return None

    def _get_response_handler(self, model, params, context, **kwargs):
        if model.name in self.operations:
            return super()._get_response_handler(model, params, context, **kwargs)
        return None


class Stubs:
    """Responses to queue on a service's client when the command creates it."""

    def __init__(self) -> None:
        self.queued: dict[str, list] = {}
        self.stubbers: dict[str, list[Stubber]] = {}
        self.services: set[str] = set()

    def add(self, service: str, method: str, response: dict, expected: dict | None = None):
        self.services.add(service)
        self.queued.setdefault(service, []).append(("response", method, response, expected))

    def error(self, service: str, method: str, code: str, status: int, message: str = ""):
        self.services.add(service)
        self.queued.setdefault(service, []).append(("error", method, (code, status, message), None))

    def factory(self, service, session, region):
        client = session.client(service, region_name=region)
        items = self.queued.pop(service, None)   # each command run makes its own clients
        if items:
            ops = {client.meta.method_to_api_mapping[method] for _, method, _, _ in items}
            stubber = PartialStubber(client, ops)
            for kind, method, payload, expected in items:
                if kind == "response":
                    stubber.add_response(method, payload, expected)
                else:
                    code, status, message = payload
                    stubber.add_client_error(method, service_error_code=code,
                                             service_message=message, http_status_code=status)
            stubber.activate()
            self.stubbers.setdefault(service, []).append(stubber)
        return client

    def assert_all_used(self) -> None:
        assert not self.queued, f"stubbed clients never created: {sorted(self.queued)}"
        assert set(self.stubbers) == self.services
        for stubbers in self.stubbers.values():
            for stubber in stubbers:
                stubber.assert_no_pending_responses()



def client(service: str):
    return boto3.client(service, region_name=REGION)


def mplat(capsys, *argv) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(err: str) -> str:
    """The command failed the way item 6 asks: one line on stderr, no traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("mplat: error: ")
    return lines[0]


def make_bucket(name: str, *, versioning: str | None = "Enabled", kms: bool = False):
    s3 = client("s3")
    s3.create_bucket(Bucket=name)
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    key_arn = None
    if kms:
        key_arn = client("kms").create_key()["KeyMetadata"]["Arn"]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": key_arn},
            "BucketKeyEnabled": True}]})
    return key_arn


def upload(bucket: str, key: str, n: int, *, pause: float = 0.0) -> list[str]:
    """n versions with bodies b'model-0'..; their version ids, oldest first."""
    ids = []
    for i in range(n):
        if i and pause:
            time.sleep(pause)
        ids.append(client("s3").put_object(Bucket=bucket, Key=key,
                                           Body=f"model-{i}".encode()).get("VersionId", "null"))
    return ids


def versions_of(bucket: str, key: str) -> list[dict]:
    answer = client("s3").list_object_versions(Bucket=bucket, Prefix=key)
    return answer.get("Versions", []) + answer.get("DeleteMarkers", [])


def scorer_spec(tmp_path: Path, pin: str, account: str = ACCOUNT) -> Path:
    path = tmp_path / "scorer.yaml"
    path.write_text(SCORER.format(pin=pin, account=account))
    return path


def ranker_spec(tmp_path: Path, base: str, prod: str, newline: str = "\n") -> Path:
    path = tmp_path / "ranker.yaml"
    path.write_bytes(RANKER.format(base=base, prod=prod).replace("\n", newline).encode())
    return path


def history_json(capsys, spec, *extra) -> dict:
    rc, out, err = mplat(capsys, "models", "history", spec, *extra, "--format", "json")
    assert rc == 0, err
    return json.loads(out)



def _refused(capsys, spec: Path, *argv) -> str:
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, *argv)
    assert rc == 1
    assert spec.read_bytes() == before
    return one_line_error(err)



RULE_NAME = "continuous"


def _backup_setup(kms: bool = True) -> tuple[str, str | None]:
    """The stack's vault and plan (in moto), the model bucket; the continuous rule's id."""
    key_arn = make_bucket(SCORER_BUCKET, kms=kms)
    backup = client("backup")
    backup.create_backup_vault(BackupVaultName="scorer-vault")
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "scorer-plan", "Rules": [{
        "RuleName": RULE_NAME, "TargetBackupVaultName": "scorer-vault",
        "EnableContinuousBackup": True, "Lifecycle": {"DeleteAfterDays": 7}}]})
    rules = backup.get_backup_plan(BackupPlanId=plan["BackupPlanId"])["BackupPlan"]["Rules"]
    return rules[0]["RuleId"], key_arn


def _recovery_points(rule_id: str, created: datetime, status: str = "COMPLETED") -> dict:
    return {"RecoveryPoints": [
        {"RecoveryPointArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:snap-1",
         "BackupVaultName": "scorer-vault", "Status": "COMPLETED",
         "CreationDate": created, "CreatedBy": {"BackupRuleId": "daily-rule"}},
        {"RecoveryPointArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:continuous:"
                             "scorer-models-1a2b",
         "BackupVaultName": "scorer-vault", "Status": status, "CreationDate": created,
         "CreatedBy": {"BackupRuleId": rule_id}}]}


def _list_points_params() -> dict:
    return {"BackupVaultName": "scorer-vault", "ByResourceArn": f"arn:aws:s3:::{SCORER_BUCKET}"}



def _ready_account(moto, rule_id: str) -> datetime:
    """Everything verify looks at, in the state a ready stack has; returns when the continuous
    recovery point began (the start of the restorable window)."""
    began = datetime.now(timezone.utc) - timedelta(days=5)
    moto.add("backup", "list_recovery_points_by_backup_vault", _recovery_points(rule_id, began))
    config = client("config")
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "scorer-recorder", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/scorer-config"})
    config.put_delivery_channel(DeliveryChannel={"name": "scorer-delivery",
                                                 "s3BucketName": SCORER_BUCKET})
    cw = client("cloudwatch")
    cw.put_metric_alarm(AlarmName="scorer-high-5xx", MetricName="HTTPCode_Target_5XX_Count",
                        Namespace="AWS/ApplicationELB", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=10,
                        ComparisonOperator="GreaterThanThreshold")
    cd = client("codedeploy")
    cd.create_application(applicationName="scorer", computePlatform="Server")
    cd.create_deployment_group(
        applicationName="scorer", deploymentGroupName="scorer-group",
        serviceRoleArn=f"arn:aws:iam::{ACCOUNT}:role/scorer-codedeploy",
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
        alarmConfiguration={"enabled": True, "alarms": [{"name": "scorer-high-5xx"}]})
    return began


def _git_commit(repo: Path, date: str, message: str) -> str:
    """Commit everything in ``repo`` at ``date`` (author and committer); the short hash."""
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True, env=env)
    return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo, check=True,
                          capture_output=True, text=True, env=env).stdout.strip()
