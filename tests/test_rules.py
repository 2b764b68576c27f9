"""Semantic and cross-spec rules, end to end: a bad spec in, the exact diagnostic lines out.

Every case starts from ``BASE`` (a valid full spec) and changes a few lines; the expected lines are
what ``mplat validate`` prints (hints left out). Every rule id must have a case here.
"""
from __future__ import annotations

import pathlib
import re
from decimal import Decimal

import pytest

from compiler import pipeline
from compiler import rules as rules_pkg
from compiler.diagnostics import render_text
from compiler.rules import backup_schedule, kubernetes_image, kubernetes_resources, names_buckets

BASE = """\
apiVersion: mplat/v1
kind: ModelPlatform
metadata:
  name: fraud-detector
  owner: risk-ml
  tags: {cost-center: cc-1234}
aws:
  region: us-east-1
  account_id: "123456789012"
artifacts:
  bucket: acme-fraud-models
  noncurrent_versions: {keep: 10, expire_after_days: 90}
backup:
  point_in_time: {retention_days: 35}
  snapshots:
    - name: daily
      schedule: cron(0 5 * * ? *)
      start_window_minutes: 60
      completion_window_minutes: 180
      # no cold storage: AWS Backup ignores it for S3 (backup-cold-storage-ignored)
      delete_after_days: 365
  vault_lock: {min_retention_days: 7, max_retention_days: 3650, changeable_for_days: 3}
config_recorder:
  recorder: create
  resource_types: all
  include_global_resource_types: false
codedeploy:
  platform: Server
  deployment_config: CodeDeployDefault.OneAtATime
  auto_rollback:
    events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]
  alarms:
    - name: high-5xx
      namespace: AWS/ApplicationELB
      metric: HTTPCode_Target_5XX_Count
      statistic: Sum
      comparison: GreaterThanThreshold
      threshold: 10
      period_seconds: 60
      evaluation_periods: 3
  ec2_tags: {app: fraud-detector}
kubernetes:
  cluster: {eks_cluster: ml-prod}
  namespace: ml-serving
  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:1.4.2
  replicas: 3
  port: 8080
  rolling_update: {max_surge: 1, max_unavailable: 0}
  min_ready_seconds: 10
  progress_deadline_seconds: 600
  revision_history_limit: 10
  resources:
    requests: {cpu: 500m, memory: 1Gi}
    limits: {cpu: "2", memory: 2Gi}
  disruption_budget: {min_available: 2}
  model:
    key: fraud/model.tar.gz
    version_id: 3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
"""

ARTIFACTS = """\
artifacts:
  bucket: acme-fraud-models
  noncurrent_versions: {keep: 10, expire_after_days: 90}
"""
ALARM = """\
    - name: high-5xx
      namespace: AWS/ApplicationELB
      metric: HTTPCode_Target_5XX_Count
      statistic: Sum
      comparison: GreaterThanThreshold
      threshold: 10
      period_seconds: 60
      evaluation_periods: 3
"""
ECS = """\
codedeploy:
  platform: ECS
  deployment_config: CodeDeployDefault.ECSCanary10Percent5Minutes
  ecs:
    cluster: ml
    service: fraud
    listener_arns: [arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/fraud/1/2]
    target_groups: [fraud-blue, fraud-blue]
    termination_wait_minutes: 5
kubernetes:
"""
CODEDEPLOY = BASE[BASE.index("codedeploy:"):BASE.index("kubernetes:") + len("kubernetes:\n")]
MODEL = "  model:\n    key: fraud/model.tar.gz\n    version_id: 3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY\n"
SAGEMAKER = """\
sagemaker:
  model_package: {group: fraud-detector, version: 7}
  instance_type: ml.m5.large
  instance_count: 4
  deployment_config: {canary: {percentage: 25, interval_minutes: 5}}
  termination_wait_minutes: 10
  alarms:
    - name: errors
      namespace: AWS/SageMaker
      metric: Invocation5XXErrors
      statistic: Sum
      threshold: 1
  data_capture: {percentage: 20}
"""
SM = ("__append__", SAGEMAKER)


LONG_CONFIG = "fraud-detector-" + "rollout-" * 11


def edit(text: str, *subs: tuple[str, str]) -> str:
    """``text`` with each (old, new) replaced; every ``old`` must occur exactly once."""
    for old, new in subs:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def tags(n: int) -> str:
    return "  tags: {" + ", ".join(f"t{i}: v" for i in range(n)) + "}\n"


# (case id, the spec's changes, the expected diagnostic lines of spec.yaml without hints)
CASES = [
    ("bucket-name-invalid", [("bucket: acme-fraud-models", "bucket: xn--fraud-models")], [
        "spec.yaml:11:11: error bucket-name-invalid: artifacts.bucket 'xn--fraud-models' starts "
        "with the reserved prefix 'xn--'",
        "spec.yaml:11:11: error bucket-name-invalid: the access-log bucket 'xn--fraud-models-logs' "
        "(<bucket>-logs) starts with the reserved prefix 'xn--'",
    ]),
    ("bucket-name-invalid/derived-too-long",
     [("bucket: acme-fraud-models", "bucket: acme-fraud-detection-models-for-the-risk-ml-team-in-2024-eu")],
     [
        "spec.yaml:11:11: error backup-restore-bucket-name: the default restore bucket "
        "'acme-fraud-detection-models-for-the-risk-ml-team-in-2024-eu-pitr-209912312359' is 77 "
        "characters long (allowed: 3-63): mplat restore could not restore into a new bucket "
        "(every name must start with 'acme-fraud-detection-models-for-the-risk-ml-team-in-2024-eu-pitr-')",
        "spec.yaml:11:11: error bucket-name-invalid: the access-log bucket "
        "'acme-fraud-detection-models-for-the-risk-ml-team-in-2024-eu-logs' (<bucket>-logs) is 64 "
        "characters long (allowed: 3-63)",
     ]),
    ("bucket-name-invalid/ip", [("bucket: acme-fraud-models", "bucket: 192.168.10.1"),
                                ("  noncurrent_versions", "  access_logs: false\n  noncurrent_versions")],
     ["spec.yaml:11:11: error bucket-name-invalid: artifacts.bucket '192.168.10.1' is shaped like "
      "an IP address",
      "spec.yaml:12:16: warning artifacts-access-logs-off: access_logs is false: nobody can audit "
      "who read or changed a model version, and the model bucket fails Checkov CKV_AWS_18 and AWS "
      "Security Hub control S3.9 (server access logging)"]),
    ("bucket-name-invalid/derived-config-bucket",
     [("name: fraud-detector", "name: fraud-detection-platform-eu1"),
      ("__append__", "environments:\n  production: {}\n")],
     ["spec.yaml:24:13: error bucket-name-invalid: the AWS Config access-log bucket "
      "'fraud-detection-platform-eu1-production-config-123456789012-logs' is 64 characters long "
      "(allowed: 3-63)"]),
    ("bucket-name-dots", [("bucket: acme-fraud-models", "bucket: acme.fraud.models")], [
        "spec.yaml:11:11: warning bucket-name-dots: artifacts.bucket 'acme.fraud.models' contains "
        "dots: HTTPS on virtual-hosted-style URLs (bucket.s3.amazonaws.com) fails the certificate "
        "check",
    ]),
    ("tag-key-invalid", [("{cost-center: cc-1234}", "{cost-center!: cc-1234}")], [
        "spec.yaml:6:10: error tag-key-invalid: tag key 'cost-center!' contains '!' (allowed: "
        "letters, digits, spaces and _ . : / = + @ -)",
    ]),
    ("tag-value-invalid", [("{cost-center: cc-1234}", '{cost-center: "cc#1234"}')], [
        "spec.yaml:6:23: error tag-value-invalid: the value of tag 'cost-center' contains '#' "
        "(allowed: letters, digits, spaces and _ . : / = + @ -)",
    ]),
    ("tag-aws-prefix", [("{cost-center: cc-1234}", '{"AWS:cost-center": cc-1234}')], [
        "spec.yaml:6:10: error tag-aws-prefix: tag key 'AWS:cost-center' starts with 'aws:', which "
        "AWS reserves for its own tags",
    ]),
    ("tag-reserved-key", [("{cost-center: cc-1234}", "{Owner: someone-else}")], [
        "spec.yaml:6:10: error tag-reserved-key: tag 'Owner' is set by the compiler on every "
        "resource (keys it sets: Owner, ManagedBy, Stack)",
    ]),
    ("tag-limit", [("  tags: {cost-center: cc-1234}\n", tags(48))], [
        "spec.yaml:6:3: error tag-limit: metadata.tags has 48 tags; with the 3 the compiler adds "
        "(Owner, ManagedBy, Stack) that is 51, more than the 50 AWS allows on a resource",
    ]),
    ("kubernetes-name-invalid", [("namespace: ml-serving", "namespace: ml.serving")], [
        "spec.yaml:44:14: error kubernetes-name-invalid: namespace 'ml.serving' is not an RFC 1123 "
        "label (lowercase letters, digits and '-', starting and ending with a letter or digit)",
    ]),
    ("backup-needs-artifacts", [(ARTIFACTS, ""), (MODEL, "")], [
        "spec.yaml:10:1: error backup-needs-artifacts: backup is given but artifacts is not: "
        "backup protects the artifacts bucket",
    ]),
    ("backup-snapshot-name-duplicate",
     [("  vault_lock", "    - {name: daily, schedule: 'cron(0 7 ? * SUN *)', delete_after_days: 400}\n"
                      "  vault_lock")], [
        "spec.yaml:22:14: error backup-snapshot-name-duplicate: snapshot name 'daily' is already "
        "used by backup.snapshots[0]; snapshot names must be unique",
    ]),
    ("backup-schedule-invalid", [("cron(0 5 * * ? *)", "cron(0 5 * * * *)")], [
        "spec.yaml:17:17: error backup-schedule-invalid: schedule 'cron(0 5 * * * *)': exactly one "
        "of day-of-month and day-of-week must be '?' (the other one chooses the days)",
    ]),
    ("backup-schedule-invalid/field", [("cron(0 5 * * ? *)", "cron(0 24 * * ? *)")], [
        "spec.yaml:17:17: error backup-schedule-invalid: schedule 'cron(0 24 * * ? *)': hours "
        "field: 24 is outside 0-23",
    ]),
    ("backup-schedule-invalid/rate", [("cron(0 5 * * ? *)", "rate(1 hours)")], [
        "spec.yaml:17:17: error backup-schedule-invalid: schedule 'rate(1 hours)': write "
        "'rate(1 hour)': the unit is singular exactly when the value is 1",
    ]),
    ("backup-window", [("completion_window_minutes: 180", "completion_window_minutes: 100")], [
        "spec.yaml:19:34: error backup-window: completion_window_minutes is 100 but "
        "start_window_minutes is 60; the completion window must be at least 60 minutes longer "
        "than the start window",
    ]),
    ("backup-window/start", [("start_window_minutes: 60", "start_window_minutes: 30")], [
        "spec.yaml:18:29: error backup-window: start_window_minutes is 30; AWS Backup needs at "
        "least 60",
    ]),
    ("backup-cold-storage-90d",
     [("      # no cold storage: AWS Backup ignores it for S3 (backup-cold-storage-ignored)\n"
       "      delete_after_days: 365", "      cold_storage_after_days: 30\n      delete_after_days: 100")], [
        "spec.yaml:20:7: warning backup-cold-storage-ignored: AWS Backup does not move S3 recovery "
        "points to cold storage: cold_storage_after_days has no effect on the model bucket's backups",
        "spec.yaml:21:26: error backup-cold-storage-90d: delete_after_days is 100 but "
        "cold_storage_after_days is 30; recovery points must stay at least 90 days in cold "
        "storage, so delete_after_days must be at least 120",
    ]),
    ("backup-cold-storage-ignored",
     [("      # no cold storage: AWS Backup ignores it for S3 (backup-cold-storage-ignored)\n",
       "      cold_storage_after_days: 30\n")], [
        "spec.yaml:20:7: warning backup-cold-storage-ignored: AWS Backup does not move S3 recovery "
        "points to cold storage: cold_storage_after_days has no effect on the model bucket's backups",
    ]),
    ("backup-vault-lock-range", [("min_retention_days: 7,", "min_retention_days: 4000,")], [
        "spec.yaml:22:36: error backup-vault-lock-range: min_retention_days (4000) is greater than "
        "max_retention_days (3650)",
    ]),
    ("backup-retention-outside-vault-lock", [("min_retention_days: 7,", "min_retention_days: 40,")], [
        "spec.yaml:14:35: error backup-retention-outside-vault-lock: point_in_time.retention_days "
        "is 35, outside the vault lock's retention range [40, 3650]; AWS Backup would fail the "
        "continuous backup",
    ]),
    ("backup-retention-outside-vault-lock/snapshot",
     [("max_retention_days: 3650", "max_retention_days: 300")], [
        "spec.yaml:21:26: error backup-retention-outside-vault-lock: delete_after_days is 365, "
        "outside the vault lock's retention range [7, 300]; AWS Backup would fail these jobs",
    ]),
    ("config-global-resource-types", [("resource_types: all", "resource_types: [AWS::S3::Bucket]"),
                                      ("types: false", "types: true")], [
        "spec.yaml:25:19: warning config-resource-types-list: resource_types lists 1 resource "
        "type(s) instead of all: the recorder misses every other resource, which fails AWS "
        "Security Hub control Config.1 and Checkov CKV2_AWS_45",
        "spec.yaml:26:34: error config-global-resource-types: include_global_resource_types is "
        "true but resource_types is a list; AWS Config only records global resource types "
        "together with all supported types (resource_types: all)",
    ]),
    ("codedeploy-config-platform",
     [("CodeDeployDefault.OneAtATime", "CodeDeployDefault.ECSAllAtOnce")], [
        "spec.yaml:29:22: error codedeploy-config-platform: 'CodeDeployDefault.ECSAllAtOnce' is a "
        "built-in config for ECS, but codedeploy.platform is Server; for Server use one of: "
        "CodeDeployDefault.OneAtATime, CodeDeployDefault.HalfAtATime, CodeDeployDefault.AllAtOnce",
    ]),
    ("codedeploy-config-platform/canary",
     [("CodeDeployDefault.OneAtATime", "{canary: {percentage: 10, interval_minutes: 5}}")], [
        "spec.yaml:29:23: error codedeploy-config-platform: canary traffic shifting is for "
        "platforms ECS and Lambda, but codedeploy.platform is Server",
    ]),
    ("codedeploy-config-unknown", [("CodeDeployDefault.OneAtATime", "CodeDeployDefault.OneAtTime")], [
        "spec.yaml:29:22: error codedeploy-config-unknown: 'CodeDeployDefault.OneAtTime' is not a "
        "built-in deployment config; for Server they are: CodeDeployDefault.OneAtATime, "
        "CodeDeployDefault.HalfAtATime, CodeDeployDefault.AllAtOnce",
    ]),
    ("codedeploy-config-percentage",
     [("CodeDeployDefault.OneAtATime",
       "{minimum_healthy_hosts: {type: FLEET_PERCENT, value: 100}}")], [
        "spec.yaml:29:75: error codedeploy-config-percentage: minimum_healthy_hosts is 100 "
        "FLEET_PERCENT; allowed: 0-99 (100% healthy would leave no instance to deploy to)",
    ]),
    ("codedeploy-alarm-required", [("  alarms:\n" + ALARM, "")], [
        "spec.yaml:31:34: error codedeploy-alarm-required: DEPLOYMENT_STOP_ON_ALARM rolls back "
        "when an alarm fires, but codedeploy.alarms is empty",
    ]),
    ("codedeploy-alarm-limit",
     [(ALARM, "".join(ALARM.replace("high-5xx", f"alarm-{i}") for i in range(11)))], [
        "spec.yaml:113:7: error codedeploy-alarm-limit: codedeploy.alarms has 11 alarms; a "
        "deployment group takes at most 10",
    ]),
    ("codedeploy-alarm-name-duplicate", [(ALARM, ALARM + ALARM)], [
        "spec.yaml:41:13: error codedeploy-alarm-name-duplicate: alarm name 'high-5xx' is already "
        "used by codedeploy.alarms[0]",
    ]),
    ("codedeploy-target-missing", [("  ec2_tags: {app: fraud-detector}\n", "")], [
        "spec.yaml:27:1: error codedeploy-target-missing: codedeploy.platform is Server, which "
        "deploys to the targets in codedeploy.ec2_tags, but ec2_tags is not given",
    ]),
    ("codedeploy-ec2-tags-limit",
     [("  ec2_tags: {app: fraud-detector}\n", "  ec2_tags: {a: '1', b: '2', c: '3', d: '4'}\n")], [
        "spec.yaml:41:13: error codedeploy-ec2-tags-limit: codedeploy.ec2_tags has 4 tags; an "
        "instance must carry all of them, and a deployment group takes at most 3 such tag sets",
    ]),
    ("kubernetes-model-env-reserved",
     [("  model:\n", "  env: {MODEL_URI: s3://elsewhere/m}\n  model:\n")], [
        "spec.yaml:56:9: error kubernetes-model-env-reserved: kubernetes.env sets MODEL_URI, which "
        "kubernetes.model sets from the pinned model version",
    ]),
    ("codedeploy-target-mismatch",
     [("  ec2_tags: {app: fraud-detector}\n",
       "  ec2_tags: {app: fraud-detector}\n  lambda: {function: fraud-scorer, alias: live}\n")], [
        "spec.yaml:42:3: error codedeploy-target-mismatch: codedeploy.lambda is for platform "
        "Lambda, but codedeploy.platform is Server",
    ]),
    ("codedeploy-ecs-blue-green", [(CODEDEPLOY, ECS)], [
        "spec.yaml:34:33: error codedeploy-ecs-blue-green: both target groups are 'fraud-blue'; "
        "blue and green must be two different target groups",
    ]),
    ("codedeploy-ecs-blue-green/listeners",
     [(CODEDEPLOY, ECS.replace("[fraud-blue, fraud-blue]", "[fraud-blue, fraud-green]")
       .replace("listener/app/fraud/1/2]", "listener/app/fraud/1/2, arn:aws:elasticloadbalancing:"
                "us-east-1:123456789012:listener/app/fraud/1/3]"))], [
        "spec.yaml:33:20: error codedeploy-ecs-blue-green: listener_arns has 2 ARNs; ECS "
        "blue/green takes exactly one production listener",
    ]),
    ("codedeploy-config-percentage/lambda",
     [(CODEDEPLOY, "codedeploy:\n  platform: Lambda\n  deployment_config: {linear: {percentage: 100, "
                   "interval_minutes: 1}}\n  lambda: {function: fraud-scorer, alias: live}\nkubernetes:\n")], [
        "spec.yaml:29:44: error codedeploy-config-percentage: linear.percentage is 100; allowed: "
        "1-99 (the share of traffic shifted per step)",
    ]),
    ("codedeploy-name-invalid", [("CodeDeployDefault.OneAtATime", LONG_CONFIG)], [
        f"spec.yaml:29:22: error codedeploy-name-invalid: the CodeDeploy deployment config name "
        f"'{LONG_CONFIG}' is 103 characters long (allowed: 1-100)",
    ]),
    ("kubernetes-image-unpinned",
     [("123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:1.4.2", "registry.local:5000/fraud")], [
        "spec.yaml:45:10: error kubernetes-image-unpinned: image 'registry.local:5000/fraud' has "
        "no tag, so it means ':latest' and changes under you; pin a version tag or a digest",
    ]),
    ("kubernetes-image-unpinned/latest", [("fraud:1.4.2", "fraud:latest")], [
        "spec.yaml:45:10: error kubernetes-image-unpinned: image "
        "'123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:latest' uses the tag 'latest', which "
        "changes under you and cannot be rolled back; pin a version tag or a digest",
    ]),
    ("kubernetes-image-invalid", [("fraud:1.4.2", "fraud@sha256:abc123")], [
        "spec.yaml:45:10: error kubernetes-image-invalid: image "
        "'123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud@sha256:abc123' is not a valid image "
        "reference: a sha256 digest is 64 lowercase hex characters",
    ]),
    ("kubernetes-rolling-update-zero",
     [("{max_surge: 1, max_unavailable: 0}", "{max_surge: 0, max_unavailable: '0%'}")], [
        "spec.yaml:48:51: error kubernetes-rolling-update-zero: max_surge is 0 and max_unavailable "
        "is 0%: with both zero the rollout could neither add a new pod nor remove an old one",
    ]),
    ("kubernetes-percentage-range", [("{max_surge: 1,", "{max_surge: '150%',")], [
        "spec.yaml:48:31: error kubernetes-percentage-range: rolling_update.max_surge is '150%'; "
        "a percentage is 0-100%",
    ]),
    ("kubernetes-progress-deadline",
     [("progress_deadline_seconds: 600", "progress_deadline_seconds: 10")], [
        "spec.yaml:50:30: error kubernetes-progress-deadline: progress_deadline_seconds is 10 and "
        "min_ready_seconds is 10: the deadline must be greater, else every rollout is reported as "
        "failed",
    ]),
    ("schema-range", [("revision_history_limit: 10", "revision_history_limit: 0")], [
        "spec.yaml:51:27: error schema-range: kubernetes.revision_history_limit is 0; allowed: at "
        "least 1",
    ]),
    ("kubernetes-quantity-invalid", [("memory: 2Gi", "memory: 2GB")], [
        "spec.yaml:54:32: error kubernetes-quantity-invalid: limits.memory is '2GB', which is not "
        "a Kubernetes quantity (a non-negative number with an optional suffix such as m, Ki, Mi, "
        "Gi, k, M, G)",
    ]),
    ("kubernetes-request-exceeds-limit", [("{cpu: 500m, memory: 1Gi}", "{cpu: 2500m, memory: 1Gi}")], [
        "spec.yaml:53:21: error kubernetes-request-exceeds-limit: requests.cpu (2500m) is greater "
        "than limits.cpu (2); Kubernetes rejects a request above its limit",
    ]),
    ("kubernetes-extended-resource",
     [("{cpu: 500m, memory: 1Gi}", "{cpu: 500m, memory: 1Gi, nvidia.com/gpu: 1}"),
      ('{cpu: "2", memory: 2Gi}', '{cpu: "2", memory: 2Gi, nvidia.com/gpu: 2}')], [
        "spec.yaml:53:56: error kubernetes-extended-resource: requests.nvidia.com/gpu is 1 but "
        "limits.nvidia.com/gpu is 2; extended resources cannot be overcommitted, so the request "
        "must equal the limit",
    ]),
    ("kubernetes-resource-name", [('{cpu: "2", memory: 2Gi}', '{cpu: "2", memory: 2Gi, gpu: 1}')], [
        "spec.yaml:54:42: error kubernetes-resource-name: limits.gpu: the resource name 'gpu' is "
        "neither a standard container resource (cpu, memory, ephemeral-storage, hugepages-<size>) "
        "nor domain-qualified; the API server refuses the Deployment: \"must be a standard "
        "resource for containers\"",
    ]),
    ("kubernetes-resource-name/prefix",
     [('{cpu: "2", memory: 2Gi}', '{cpu: "2", memory: 2Gi, kubernetes.io/gpu: 1}')], [
        "spec.yaml:54:56: error kubernetes-resource-name: limits.kubernetes.io/gpu: the resource "
        "name 'kubernetes.io/gpu' uses a prefix Kubernetes reserves for its own resources",
    ]),
    ("kubernetes-service-account-name",
     [("  namespace: ml-serving\n", "  namespace: ml-serving\n  service_account: a..b\n")], [
        "spec.yaml:45:20: error kubernetes-service-account-name: service_account 'a..b' contains "
        "'..': each dot-separated label must start and end with a lowercase letter or digit; "
        "Kubernetes refuses the ServiceAccount and the pods that name it",
    ]),
    ("kubernetes-security-weakened",
     [("  namespace: ml-serving\n", "  namespace: ml-serving\n  security:\n    run_as_user: 1000\n"
       "    run_as_group: 0\n    read_only_root_filesystem: false\n")], [
        "spec.yaml:46:18: warning kubernetes-security-weakened: run_as_user is 1000, below 10000: "
        "the UID may match an account on the node if the container escapes, and the Deployment "
        "fails Checkov CKV_K8S_40 (Containers should run as a high UID to avoid host conflict)",
        "spec.yaml:47:19: warning kubernetes-security-weakened: run_as_group is 0, the root "
        "group: files of group root in the image and the mounted volumes (fsGroup) become "
        "writable to the server (no Checkov check covers it)",
        "spec.yaml:48:32: warning kubernetes-security-weakened: read_only_root_filesystem is "
        "false: a compromised server can change its own code, and the Deployment fails Checkov "
        "CKV_K8S_22 (Use read-only filesystem for containers where possible)",
    ]),
    ("kubernetes-namespace-reserved",
     [("  namespace: ml-serving\n", "  namespace: kube-system\n  create_namespace: true\n")], [
        "spec.yaml:45:21: error kubernetes-namespace-reserved: create_namespace is true but "
        "namespace is kube-system, which every cluster already has: the stack cannot create it, "
        "and must never own (and destroy) it",
    ]),
    ("kubernetes-disruption-budget", [("{min_available: 2}", "{min_available: 3}")], [
        "spec.yaml:55:38: error kubernetes-disruption-budget: min_available is 3 but replicas is "
        "3: no pod could ever be evicted, so node drains would block forever",
    ]),
    ("kubernetes-disruption-budget/default-replicas", [("  replicas: 3\n", "")], [
        "spec.yaml:54:38: error kubernetes-disruption-budget: min_available is 2 but replicas is 2 "
        "(the default): no pod could ever be evicted, so node drains would block forever",
    ]),
    ("kubernetes-disruption-budget/percent", [("{min_available: 2}", "{min_available: '100%'}")], [
        "spec.yaml:55:38: error kubernetes-disruption-budget: min_available is '100%': no pod could "
        "ever be evicted, so node drains would block forever",
    ]),
    ("kubernetes-disruption-budget/max-unavailable", [("{min_available: 2}", "{max_unavailable: 0}")], [
        "spec.yaml:55:40: error kubernetes-disruption-budget: max_unavailable is 0: no pod could "
        "ever be evicted, so node drains would block forever",
    ]),
    ("kubernetes-extended-resource/no-limit",
     [("{cpu: 500m, memory: 1Gi}", "{cpu: 500m, memory: 1Gi, nvidia.com/gpu: 1}")], [
        "spec.yaml:53:56: error kubernetes-extended-resource: nvidia.com/gpu is an extended "
        "resource: it needs a limit equal to its request (1)",
    ]),
    ("kubernetes-single-replica", [("replicas: 3", "replicas: 1"),
                                   ("{min_available: 2}", "{max_unavailable: 1}")], [
        "spec.yaml:46:13: warning kubernetes-single-replica: replicas is 1: with one pod a "
        "disruption budget cannot keep the model available while a node drains",
    ]),
    ("backup-vault-lock-governance-prod",
     [(", changeable_for_days: 3", ""), ("__append__", "environments:\n  prod: {}\n")], [
        "spec.yaml:22:3: warning backup-vault-lock-governance-prod: the vault lock of environment "
        "'prod' has no changeable_for_days, so it is in governance mode: it can be removed, and "
        "the recovery points with it",
    ]),
    ("backup-restore-bucket-name",        # 46 characters: 46 + len("-pitr-YYYYMMDDhhmm") = 64
     [("bucket: acme-fraud-models", "bucket: acme-fraud-detection-models-us-east-1-prod-x01")], [
        "spec.yaml:11:11: error backup-restore-bucket-name: the default restore bucket "
        "'acme-fraud-detection-models-us-east-1-prod-x01-pitr-209912312359' is 64 characters "
        "long (allowed: 3-63): mplat restore could not restore into a new bucket (every name "
        "must start with 'acme-fraud-detection-models-us-east-1-prod-x01-pitr-')",
    ]),
    ("backup-restore-bucket-name/derived",   # the example: 70 characters
     [("name: fraud-detector", "name: recommendation-ranker-v2"),
      ("  bucket: acme-fraud-models\n", ""), ("__append__", "environments:\n  staging: {}\n")], [
        "spec.yaml:4:9: error backup-restore-bucket-name: the default restore bucket "
        "'recommendation-ranker-v2-staging-models-123456789012-pitr-209912312359' is 70 "
        "characters long (allowed: 3-63): mplat restore could not restore into a new bucket "
        "(every name must start with 'recommendation-ranker-v2-staging-models-123456789012-pitr-')",
    ]),
    ("state-local-production",
     [("__append__", "state: {backend: local}\nenvironments:\n  production: {}\n")], [
        "spec.yaml:59:18: warning state-local-production: environment 'production' keeps its "
        "Terraform state in a local file (backend local): no lock, no history and no copy when "
        "that machine is lost",
    ]),
    ("state-local-production/default", [("__append__", "environments:\n  production: {}\n")], [
        "spec.yaml:60:3: warning state-local-production: environment 'production' keeps its "
        "Terraform state in a local file (backend local): no lock, no history and no copy when "
        "that machine is lost",
    ]),
    ("kubernetes-model-shared-pin",
     [("__append__", "state: {backend: s3, bucket: acme-tf-state}\nenvironments:\n"
                     "  dev: {artifacts: {bucket: acme-fraud-models-dev}}\n"
                     "  prod: {config_recorder: null, kubernetes: {namespace: ml-prod}}\n")], [
        "spec.yaml:58:17: warning kubernetes-model-shared-pin: version_id "
        "'3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' is written in the base and pins environments dev, "
        "prod, whose model buckets differ (acme-fraud-models, acme-fraud-models-dev): a version id "
        "belongs to one bucket",
    ]),
    ("kubernetes-model-identity",
     [("cluster: {eks_cluster: ml-prod}", "cluster: {kubeconfig: ~/.kube/config}")], [
        "spec.yaml:43:25: warning kubernetes-model-identity: the model server reads "
        "kubernetes.model from S3, but on a kubeconfig cluster mplat creates no identity for it "
        "and kubernetes.service_account is not set: the pods would use the default service "
        "account and the node's credentials",
    ]),
    ("kubernetes-model-needs-artifacts", [(ARTIFACTS, ""), ("__without_backup__", "")], [
        "spec.yaml:43:3: error kubernetes-model-needs-artifacts: kubernetes.model names an object "
        "in artifacts.bucket, but there is no artifacts section",
    ]),
    # --- sagemaker ------------------------------------------------------------------------------
    ("sagemaker-step-percentage", [SM, ("{canary: {percentage: 25,", "{canary: {percentage: 60,")], [
        "spec.yaml:63:44: error sagemaker-step-percentage: canary percentage is 60; SageMaker "
        "accepts 1-50% of the instance count for a step",
    ]),
    ("sagemaker-step-percentage/linear",
     [SM, ("{canary: {percentage: 25,", "{linear: {percentage: 5,")], [
        "spec.yaml:63:44: error sagemaker-step-percentage: linear percentage is 5; SageMaker "
        "accepts 10-50% of the instance count for a step",
    ]),
    ("sagemaker-step-instances", [SM, ("instance_count: 4", "instance_count: 1")], [
        "spec.yaml:62:19: warning sagemaker-single-instance: instance_count is 1: the endpoint has "
        "no redundancy (an instance failure or an Availability Zone outage stops serving), and an "
        "update cannot shift traffic gradually",
        "spec.yaml:63:44: error sagemaker-step-instances: a canary step of 25% is 1 instance(s) but "
        "instance_count is 1: the step must be at most half the fleet, so that the old and the new "
        "model each keep at least one instance",
    ]),
    ("sagemaker-step-instances/rolling",
     [SM, ("{canary: {percentage: 25, interval_minutes: 5}}",
           "{rolling: {batch_percentage: 50, interval_minutes: 5}}"),
      ("instance_count: 4", "instance_count: 3")], [
        "spec.yaml:63:51: error sagemaker-step-instances: a rolling step of 50% is 2 instance(s) but "
        "instance_count is 3: the step must be at most half the fleet, so that the old and the new "
        "model each keep at least one instance",
    ]),
    ("sagemaker-wait-bounds", [SM, ("interval_minutes: 5}}", "interval_minutes: 61}}"),
                               ("termination_wait_minutes: 10", "termination_wait_minutes: 90")], [
        "spec.yaml:63:66: error sagemaker-wait-bounds: interval_minutes is 61; SageMaker waits at "
        "most 60 minutes (3600 s) between steps",
        "spec.yaml:64:29: error sagemaker-wait-bounds: termination_wait_minutes is 90; SageMaker "
        "keeps the old fleet at most 60 minutes (3600 s)",
    ]),
    ("sagemaker-wait-bounds/execution-timeout",
     [SM, ("{canary: {percentage: 25, interval_minutes: 5}}",
           "{linear: {percentage: 10, interval_minutes: 30}}"),
      ("instance_count: 4", "instance_count: 10")], [
        "spec.yaml:63:22: error sagemaker-wait-bounds: a linear update of 10 instances with these "
        "waits needs an execution timeout of 17700 s, more than the 14400 s an endpoint update "
        "may take",
    ]),
    ("sagemaker-instance-type", [SM, ("instance_type: ml.m5.large", "instance_type: m5.large")], [
        "spec.yaml:61:18: error sagemaker-instance-type: instance_type 'm5.large' is not a "
        "SageMaker instance type (ml.<family>.<size>)",
    ]),
    ("sagemaker-alarm-missing",
     [SM, ("""  alarms:
    - name: errors
      namespace: AWS/SageMaker
      metric: Invocation5XXErrors
      statistic: Sum
      threshold: 1
""", "")], [
        "spec.yaml:59:1: warning sagemaker-alarm-missing: sagemaker.alarms is empty: no alarm can "
        "roll an update back, so the canary step and the bake time only delay a bad model; "
        "automatic rollback is lost",
    ]),
    ("sagemaker-alarm-name-duplicate",
     [SM, ("  data_capture:", "    - {name: errors, namespace: AWS/SageMaker, metric: ModelLatency, "
                              "threshold: 500000}\n  data_capture:")], [
        "spec.yaml:71:14: error sagemaker-alarm-name-duplicate: alarm name 'errors' is already "
        "used by sagemaker.alarms[0]",
    ]),
    ("sagemaker-alarm-limit",
     [SM, ("  data_capture:", "".join(f"    - {{name: a{i}, namespace: AWS/SageMaker, metric: "
                                      f"ModelLatency, threshold: 1}}\n" for i in range(10))
           + "  data_capture:")], [
        "spec.yaml:80:7: error sagemaker-alarm-limit: sagemaker.alarms has 11 alarms; an endpoint's "
        "auto-rollback takes at most 10",
    ]),
    ("sagemaker-data-capture-needs-artifacts",
     [SM, (ARTIFACTS, ""), ("__without_backup__", ""), (MODEL, "")], [
        "spec.yaml:55:3: error sagemaker-data-capture-needs-artifacts: sagemaker.data_capture "
        "writes into artifacts.bucket, but there is no artifacts section",
    ]),
    ("sagemaker-single-instance",
     [SM, ("instance_count: 4", "instance_count: 1"),
      ("{canary: {percentage: 25, interval_minutes: 5}}", "{all_at_once: {}}")], [
        "spec.yaml:62:19: warning sagemaker-single-instance: instance_count is 1: the endpoint has "
        "no redundancy (an instance failure or an Availability Zone outage stops serving), and an "
        "update cannot shift traffic gradually",
    ]),
    # --- secure defaults: an explicit weaker choice is a warning naming the scanner's id --------
    ("artifacts-access-logs-off",
     [("  noncurrent_versions: {keep: 10, expire_after_days: 90}\n",
       "  noncurrent_versions: {keep: 10, expire_after_days: 90}\n  access_logs: false\n")], [
        "spec.yaml:13:16: warning artifacts-access-logs-off: access_logs is false: nobody "
        "can audit who read or changed a model version, and the model bucket fails Checkov "
        "CKV_AWS_18 and AWS Security Hub control S3.9 (server access logging)",
    ]),
    # --- no silent no-ops: a setting without effect in its combination is a warning ------------
    ("artifacts-keep-without-expiry",
     [("  noncurrent_versions: {keep: 10, expire_after_days: 90}\n",
       "  noncurrent_versions: {keep: 20}\n")], [
        "spec.yaml:12:31: warning artifacts-keep-without-expiry: noncurrent_versions.keep is 20 "
        "but has no effect without expire_after_days: no old version ever expires, so all of "
        "them are kept",
    ]),
    ("placeholder-value", [("owner: risk-ml", "owner: change-me")], [
        "spec.yaml:5:10: warning placeholder-value: metadata.owner is the placeholder "
        "'change-me': only you know this value",
    ]),
    ("config-resource-types-list", [("resource_types: all", "resource_types: [AWS::S3::Bucket]")], [
        "spec.yaml:25:19: warning config-resource-types-list: resource_types lists 1 "
        "resource type(s) instead of all: the recorder misses every other resource, which "
        "fails AWS Security Hub control Config.1 and Checkov CKV2_AWS_45",
    ]),
    ("kubernetes-limit-opt-out", [('limits: {cpu: "2", memory: 2Gi}', 'limits: {cpu: none, memory: 2Gi}')], [
        "spec.yaml:54:19: warning kubernetes-limit-opt-out: limits.cpu is none: the "
        "container gets no cpu limit (request 500m), and the Deployment fails Checkov "
        "CKV_K8S_11 (CPU Limits should be set)",
    ]),
    ("kubernetes-limit-opt-out/memory-no-request",
     [("    requests: {cpu: 500m, memory: 1Gi}\n", ""),
      ('limits: {cpu: "2", memory: 2Gi}', 'limits: {cpu: "2", memory: none}')], [
        "spec.yaml:53:32: warning kubernetes-limit-opt-out: limits.memory is none: the "
        "container gets no memory limit (request 512Mi, the default), and the Deployment "
        "fails Checkov CKV_K8S_12 (Memory Limits should be set)",
    ]),
    # --- defaults: a rule checks the value the compiler emits, and says it is the default -------
    ("backup-cold-storage-90d/default-delete-after",
     [("      # no cold storage: AWS Backup ignores it for S3 (backup-cold-storage-ignored)\n"
       "      delete_after_days: 365\n", "      cold_storage_after_days: 30\n")], [
        "spec.yaml:16:7: error backup-cold-storage-90d: delete_after_days is 35 (the "
        "default) but cold_storage_after_days is 30; recovery points must stay at least 90 "
        "days in cold storage, so delete_after_days must be at least 120",
        "spec.yaml:20:7: warning backup-cold-storage-ignored: AWS Backup does not move S3 "
        "recovery points to cold storage: cold_storage_after_days has no effect on the model "
        "bucket's backups",
    ]),
    ("backup-retention-outside-vault-lock/default-point-in-time",
     [("  point_in_time: {retention_days: 35}\n", ""), ("min_retention_days: 7,", "min_retention_days: 60,")], [
        "spec.yaml:13:1: error backup-retention-outside-vault-lock: "
        "point_in_time.retention_days is 35 (the default), outside the vault lock's "
        "retention range [60, 3650]; AWS Backup would fail the continuous backup",
    ]),
    ("backup-retention-outside-vault-lock/default-delete-after",
     [("      delete_after_days: 365\n", ""), ("max_retention_days: 3650", "max_retention_days: 30")], [
        "spec.yaml:14:35: error backup-retention-outside-vault-lock: "
        "point_in_time.retention_days is 35, outside the vault lock's retention range [7, "
        "30]; AWS Backup would fail the continuous backup",
        "spec.yaml:16:7: error backup-retention-outside-vault-lock: delete_after_days is 35 "
        "(the default), outside the vault lock's retention range [7, 30]; AWS Backup would "
        "fail these jobs",
    ]),
    ("backup-window/default-start", [("      start_window_minutes: 60\n", ""),
                                     ("completion_window_minutes: 180", "completion_window_minutes: 90")], [
        "spec.yaml:18:34: error backup-window: completion_window_minutes is 90 but "
        "start_window_minutes is 60 (the default); the completion window must be at least 60 "
        "minutes longer than the start window",
    ]),
    ("kubernetes-rolling-update-zero/default-surge",
     [("{max_surge: 1, max_unavailable: 0}", "{max_surge: 0}")], [
        "spec.yaml:48:31: error kubernetes-rolling-update-zero: max_surge is 0 and "
        "max_unavailable is 0 (the default): with both zero the rollout could neither add a "
        "new pod nor remove an old one",
    ]),
    ("kubernetes-progress-deadline/default-deadline",
     [("  progress_deadline_seconds: 600\n", ""), ("min_ready_seconds: 10", "min_ready_seconds: 600")], [
        "spec.yaml:49:22: error kubernetes-progress-deadline: progress_deadline_seconds is "
        "600 (the default) and min_ready_seconds is 600: the deadline must be greater, else "
        "every rollout is reported as failed",
    ]),
]


def _without_backup(text: str) -> str:
    start, end = text.index("backup:\n"), text.index("config_recorder:")
    return text[:start] + text[end:]


def build(subs) -> str:
    text = BASE
    for old, new in subs:
        if old == "__without_backup__":
            text = _without_backup(text)
        elif old == "__append__":
            text += new
        else:
            text = edit(text, (old, new))
    return text


# rules that fire on most environments of these specs (local backend in prod*; the base pin that
# every environment inherits, with a bucket each): checked by their own cases, and left out of the
# others' expected lines
INCIDENTAL = ("state-local-production", "kubernetes-model-shared-pin")


def validate(tmp_path, monkeypatch, files: dict[str, str], *, keep: str | None = None) -> list[str]:
    """Write ``files`` to tmp_path, run the front end over them; the rendered lines, hints dropped."""
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = pipeline.run(sorted(files))
    return [line for line in render_text(result.diagnostics).splitlines()
            if line and not line.startswith("  hint:")
            and not any(f" {rule}: " in line for rule in INCIDENTAL if rule != keep)]


def test_base_spec_is_clean(tmp_path, monkeypatch):
    assert validate(tmp_path, monkeypatch, {"spec.yaml": BASE}) == []


@pytest.mark.parametrize("case_id, subs, expected", CASES, ids=[c[0] for c in CASES])
def test_rule(tmp_path, monkeypatch, case_id, subs, expected):
    assert validate(tmp_path, monkeypatch, {"spec.yaml": build(subs)},
                    keep=case_id.split("/")[0]) == expected


# --- across specs ------------------------------------------------------------------------------

OTHER = edit(BASE, ("name: fraud-detector", "name: churn-model"),
             ("bucket: acme-fraud-models", "bucket: acme-churn-models"),
             ("recorder: create", "recorder: existing"))

ENVS = "environments:\n  dev:\n    kubernetes: {replicas: 2, disruption_budget: {min_available: 1}}\n  prod: {}\n"


def env_spec(*subs) -> str:
    return edit(BASE, *subs) + ENVS if subs else BASE + ENVS


CROSS_CASES = [
    ("spec-name-duplicate",
     {"a.yaml": BASE,
      "b.yaml": edit(BASE, ("bucket: acme-fraud-models", "bucket: acme-fraud-models-b"),
                     ("recorder: create", "recorder: existing"),
                     ("namespace: ml-serving", "namespace: ml-serving-b"))},
     ["b.yaml:4:9: error spec-name-duplicate: metadata.name 'fraud-detector' is already used by "
      "a.yaml; every spec needs its own name (it names every resource and stack)"]),
    ("bucket-name-duplicate",
     {"a.yaml": BASE, "b.yaml": edit(OTHER, ("bucket: acme-churn-models", "bucket: acme-fraud-models"))},
     ["b.yaml:11:11: error bucket-name-duplicate: artifacts.bucket 'acme-fraud-models' is also "
      "created by a.yaml (stack fraud-detector); S3 bucket names are global, each must be unique",
      "b.yaml:11:11: error bucket-name-duplicate: the access-log bucket 'acme-fraud-models-logs' "
      "(<bucket>-logs) is also created by a.yaml (stack fraud-detector); S3 bucket names are "
      "global, each must be unique"]),
    ("config-recorder-duplicate",
     {"a.yaml": BASE, "b.yaml": edit(OTHER, ("recorder: existing", "recorder: create"))},
     ["b.yaml:24:13: error config-recorder-duplicate: a.yaml (stack fraud-detector) already "
      "creates the AWS Config recorder for account 123456789012 in us-east-1; there can be only "
      "one per account and region"]),
    ("config-recorder-duplicate/no-account",
     {"a.yaml": edit(BASE, ('  account_id: "123456789012"\n', "")),
      "b.yaml": edit(OTHER, ("recorder: existing", "recorder: create"),
                     ('  account_id: "123456789012"\n', ""))},
     ["b.yaml:23:13: error config-recorder-duplicate: a.yaml (stack fraud-detector) already "
      "creates the AWS Config recorder for the same account (no aws.account_id) in us-east-1; "
      "there can be only one per account and region"]),
    ("sagemaker-group-duplicate",
     {"a.yaml": BASE + SAGEMAKER, "b.yaml": OTHER + SAGEMAKER},
     ["b.yaml:60:26: error sagemaker-group-duplicate: model package group 'fraud-detector' is "
      "already created by a.yaml (stack fraud-detector) in account 123456789012, us-east-1; each "
      "stack creates its group, and the second apply would fail"]),
    ("sagemaker-group-duplicate/default-group",
     {"spec.yaml": edit(BASE, ("  bucket: acme-fraud-models\n", ""),
                        ("recorder: create", "recorder: existing"),
                        ("{eks_cluster: ml-prod}", "{kubeconfig: ~/.kube/config}"),
                        ("  namespace: ml-serving\n", "  namespace: ml-serving\n  service_account: fraud\n"))
      + SAGEMAKER.replace("{group: fraud-detector, version: 7}", "{version: 7}")
      + "environments:\n  dev:\n    kubernetes: {cluster: {context: dev}}\n  prod: {}\n"},
     ["spec.yaml:60:3: error sagemaker-group-duplicate: model package group 'fraud-detector' is "
      "already created by spec.yaml (stack fraud-detector-dev) in account 123456789012, "
      "us-east-1; each stack creates its group, and the second apply would fail "
      "(sagemaker.model_package.group: fraud-detector, the default)"]),
    ("kubernetes-deployment-duplicate",
     {"spec.yaml": env_spec(("bucket: acme-fraud-models\n", ""), ("recorder: create", "recorder: existing"))},
     ["spec.yaml:43:14: error kubernetes-deployment-duplicate: Deployment 'fraud-detector' in "
      "namespace 'ml-serving' on EKS cluster 'ml-prod' (123456789012, us-east-1) is already "
      "deployed by spec.yaml (stack fraud-detector-dev); each would overwrite the other"]),
]


@pytest.mark.parametrize("case_id, files, expected", CROSS_CASES, ids=[c[0] for c in CROSS_CASES])
def test_cross_rule(tmp_path, monkeypatch, case_id, files, expected):
    assert validate(tmp_path, monkeypatch, files) == expected


def test_environments_of_one_file_share_a_name_but_not_a_bucket(tmp_path, monkeypatch):
    """Two environments of one file: the name is fine; a given bucket, the recorder and the
    Deployment collide, each reported once, at the second environment, naming the first."""
    lines = validate(tmp_path, monkeypatch, {"spec.yaml": env_spec()})
    assert lines == [
        "spec.yaml:11:11: error bucket-name-duplicate: artifacts.bucket 'acme-fraud-models' is also "
        "created by spec.yaml (stack fraud-detector-dev); S3 bucket names are global, each must "
        "be unique",
        "spec.yaml:11:11: error bucket-name-duplicate: the access-log bucket "
        "'acme-fraud-models-logs' (<bucket>-logs) is also created by spec.yaml (stack "
        "fraud-detector-dev); S3 bucket names are global, each must be unique",
        "spec.yaml:24:13: error config-recorder-duplicate: spec.yaml (stack fraud-detector-dev) "
        "already creates the AWS Config recorder for account 123456789012 in us-east-1; there can "
        "be only one per account and region",
        "spec.yaml:44:14: error kubernetes-deployment-duplicate: Deployment 'fraud-detector' in "
        "namespace 'ml-serving' on EKS cluster 'ml-prod' (123456789012, us-east-1) is already "
        "deployed by spec.yaml (stack fraud-detector-dev); each would overwrite the other",
    ]


def test_environments_that_differ_are_clean(tmp_path, monkeypatch):
    """Derived buckets carry the environment; overlays may move the Deployment and the recorder."""
    text = edit(BASE, ("  bucket: acme-fraud-models\n", "")) + (
        "environments:\n"
        "  dev:\n"
        "    aws: {account_id: '210987654321'}\n"
        "    kubernetes: {namespace: ml-dev}\n"
        "  prod: {}\n")
    assert validate(tmp_path, monkeypatch, {"spec.yaml": text}) == []


def test_kubeconfig_clusters_are_identified_by_context(tmp_path, monkeypatch):
    base = edit(BASE, ("  bucket: acme-fraud-models\n", ""), ("recorder: create", "recorder: existing"),
                ("{eks_cluster: ml-prod}", "{kubeconfig: ~/.kube/config, context: prod}"),
                ("  namespace: ml-serving\n", "  namespace: ml-serving\n  service_account: fraud\n"))
    other_context = base + ("environments:\n  dev:\n    kubernetes: {cluster: {context: dev}}\n"
                            "  prod: {}\n")
    assert validate(tmp_path, monkeypatch, {"spec.yaml": other_context}) == []
    same_context = base + "environments:\n  dev: {}\n  prod: {}\n"
    assert validate(tmp_path, monkeypatch, {"spec.yaml": same_context}) == [
        "spec.yaml:43:14: error kubernetes-deployment-duplicate: Deployment 'fraud-detector' in "
        "namespace 'ml-serving' on cluster context 'prod' of kubeconfig ~/.kube/config is already "
        "deployed by spec.yaml (stack fraud-detector-dev); each would overwrite the other",
    ]


def test_cross_rules_report_in_an_overlay_at_the_overlay_line(tmp_path, monkeypatch):
    text = edit(BASE, ("bucket: acme-fraud-models", "bucket: acme-fraud-models-prod"),
                ("recorder: create", "recorder: existing")) + (
        "environments:\n"
        "  prod: {}\n"
        "  dev:\n"
        "    artifacts: {bucket: acme-fraud-models-prod}\n"
        "    kubernetes: {namespace: ml-dev}\n")
    assert validate(tmp_path, monkeypatch, {"spec.yaml": text}) == [
        "spec.yaml:62:25: error bucket-name-duplicate: artifacts.bucket 'acme-fraud-models-prod' "
        "is also created by spec.yaml (stack fraud-detector-prod); S3 bucket names are global, "
        "each must be unique",
        "spec.yaml:62:25: error bucket-name-duplicate: the access-log bucket "
        "'acme-fraud-models-prod-logs' (<bucket>-logs) is also created by spec.yaml (stack "
        "fraud-detector-prod); S3 bucket names are global, each must be unique",
    ]


# --- the table covers every rule; every rule is documented and registered ---------------------

def _case_rules() -> set[str]:
    found = set()
    for _, _, expected in CASES + CROSS_CASES:
        for line in expected:
            found.add(re.match(r"^[^:]+:\d+:\d+: (?:error|warning) ([a-z0-9-]+): ", line).group(1))
    return found


def test_every_rule_id_has_a_case():
    assert set(rules_pkg.docs()) - _case_rules() == set()


def test_governance_lock_outside_prod_and_compliance_lock_in_prod_are_clean(tmp_path, monkeypatch):
    """backup-vault-lock-governance-prod: only an environment named prod, only governance mode."""
    governance = edit(BASE, (", changeable_for_days: 3", ""))
    assert validate(tmp_path, monkeypatch,
                    {"spec.yaml": governance + "environments:\n  staging: {}\n"}) == []
    assert validate(tmp_path, monkeypatch, {"spec.yaml": governance}) == []     # no environments
    assert validate(tmp_path, monkeypatch, {"spec.yaml": BASE + "environments:\n  prod: {}\n"}) == []


def test_changeable_for_days_below_the_aws_minimum_is_a_schema_error(tmp_path, monkeypatch):
    lines = validate(tmp_path, monkeypatch,
                     {"spec.yaml": edit(BASE, ("changeable_for_days: 3", "changeable_for_days: 2"))})
    assert lines == ["spec.yaml:22:86: error schema-range: backup.vault_lock.changeable_for_days "
                     "is 2; allowed: 3-36500"]


def test_model_identity_is_clean_with_a_service_account_or_on_eks(tmp_path, monkeypatch):
    """kubernetes-model-identity: a named ServiceAccount, an EKS cluster, or no model: no warning."""
    kubeconfig = edit(BASE, ("cluster: {eks_cluster: ml-prod}", "cluster: {kubeconfig: ~/.kube/config}"))
    named = edit(kubeconfig, ("  namespace: ml-serving\n",
                              "  namespace: ml-serving\n  service_account: fraud-reader\n"))
    assert validate(tmp_path, monkeypatch, {"spec.yaml": named}) == []
    assert validate(tmp_path, monkeypatch, {"spec.yaml": edit(kubeconfig, (MODEL, ""))}) == []
    assert validate(tmp_path, monkeypatch, {"spec.yaml": BASE}) == []


def test_a_pin_each_environment_writes_itself_is_not_shared(tmp_path, monkeypatch):
    text = build([("__append__", "state: {backend: s3, bucket: acme-tf-state}\nenvironments:\n"
                                 "  dev: {artifacts: {bucket: acme-fraud-models-dev},\n"
                                 "        kubernetes: {model: {version_id: dev-version-1}}}\n"
                                 "  prod: {config_recorder: null, "
                                 "kubernetes: {namespace: ml-prod}}\n")])
    assert validate(tmp_path, monkeypatch, {"spec.yaml": text},
                    keep="kubernetes-model-shared-pin") == []


def test_case_ids_name_their_rule():
    for case_id, _, expected in CASES + CROSS_CASES:
        assert any(f" {case_id.split('/')[0]}: " in line for line in expected), case_id


def test_rules_are_documented_with_stable_ids():
    for module in rules_pkg.STACK_RULES + rules_pkg.CROSS_RULES:
        ids = getattr(module, "RULES", None) or {module.RULE: module.DOC}   # data (compiler/registry.py)
        for rule_id, doc in ids.items():
            assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)+", rule_id), rule_id
            assert doc.strip(), rule_id
    for module in rules_pkg.STACK_RULES:
        assert callable(getattr(module, "check", None)), module.__name__
    for module in rules_pkg.CROSS_RULES:
        assert callable(getattr(module, "check_all", None)), module.__name__


def test_every_rule_module_is_registered():
    here = pathlib.Path(rules_pkg.__file__).parent
    modules = {p.stem for p in here.glob("*.py") if not p.stem.startswith("_")}
    registered = {m.__name__.rsplit(".", 1)[1] for m in rules_pkg.STACK_RULES + rules_pkg.CROSS_RULES}
    assert modules == registered


def test_rule_ids_are_unique_across_modules():
    ids = [i for m in rules_pkg.STACK_RULES + rules_pkg.CROSS_RULES
           for i in (getattr(m, "RULES", None) or {m.RULE: ""})]
    assert len(ids) == len(set(ids))


# --- the grammars behind the rules, value by value --------------------------------------------


@pytest.mark.parametrize("schedule, problem", [
    ("cron(0 5 * * ? *)", None),
    ("cron(0 5 ? * MON-FRI *)", None),
    ("cron(0/15 8-18 ? * 2-6 *)", None),
    ("cron(0 5 L * ? *)", None),
    ("cron(0 5 LW * ? *)", None),
    ("cron(0 5 15W * ? 2025-2030)", None),
    ("cron(0 5 ? * 6#3 *)", None),
    ("cron(0 5 ? * 6L *)", None),
    ("cron(0 5 ? JAN,jul SUN *)", None),
    ("rate(1 hour)", None),
    ("rate(12 hours)", None),
    ("rate(1 day)", None),
    ("rate(90 minutes)", None),
    ("cron(0 5 * * ?)", "has 5 fields; AWS cron has 6: minutes hours day-of-month month day-of-week year"),
    ("cron(60 5 * * ? *)", "minutes field: 60 is outside 0-59"),
    ("cron(0 5 0 * ? *)", "day-of-month field: 0 is outside 1-31"),
    ("cron(0 5 * 13 ? *)", "month field: 13 is outside 1-12"),
    ("cron(0 5 * FOO ? *)", "month field: 'FOO' is not a number (1-12 or JAN-DEC)"),
    ("cron(0 5 ? * 8 *)", "day-of-week field: 8 is outside 1-7"),
    ("cron(0 5 ? * 2#6 *)", "day-of-week field: '#' takes the week of the month, 1-5, not 6"),
    ("cron(0 5 * * ? 1969)", "year field: 1969 is outside 1970-2199"),
    ("cron(? 5 * * ? *)", "minutes field: '?' is only allowed in day-of-month and day-of-week"),
    ("cron(0 */0 * * ? *)", "hours field: the increment in '*/0' must be a positive number"),
    ("cron(0 5 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?' (the other one "
                          "chooses the days)"),
    ("rate(0 hours)", "the rate must be greater than 0"),
    ("rate(2 hour)", "write 'rate(2 hours)': the unit is singular exactly when the value is 1"),
    ("rate(1 weeks)", "unknown unit 'weeks' (allowed: minute(s), hour(s), day(s))"),
    ("rate(5 minutes)", "AWS Backup runs a backup plan at most once an hour: use at least rate(1 hour)"),
    ("daily", "is neither cron(...) nor rate(...)"),
])
def test_schedule_grammar(schedule, problem):
    assert backup_schedule.schedule_problem(schedule) == problem


@pytest.mark.parametrize("value, parsed", [
    ("500m", "0.5"), ("2", "2"), (2, "2"), (0.5, "0.5"), ("1Gi", str(1024 ** 3)),
    ("512Mi", str(512 * 1024 ** 2)), ("1G", "1000000000"), ("1e3", "1000"), ("1.5k", "1500"),
    ("100n", "1.00E-7"), (".5", "0.5"), ("+1", "1"),
    ("1GB", None), ("-1", None), (-1, None), ("1 Gi", None), ("Gi", None), ("", None), (True, None),
])
def test_quantity_grammar(value, parsed):
    q = kubernetes_resources.parse_quantity(value)
    assert q == (None if parsed is None else Decimal(parsed))


@pytest.mark.parametrize("image, tag, digest, invalid", [
    ("fraud:1.4.2", "1.4.2", None, False),
    ("registry.local:5000/team/fraud:1.0", "1.0", None, False),
    ("registry.local:5000/team/fraud", None, None, False),
    ("localhost/fraud", None, None, False),
    ("fraud@sha256:" + "a" * 64, None, "sha256:" + "a" * 64, False),
    ("fraud:latest@sha256:" + "a" * 64, "latest", "sha256:" + "a" * 64, False),
    ("fraud@sha256:abc", None, "sha256:abc", True),
    ("Fraud:1.0", "1.0", None, True),
    ("fraud:-bad", "-bad", None, True),
])
def test_image_reference_grammar(image, tag, digest, invalid):
    problem, got_tag, got_digest = kubernetes_image.parse(image)
    assert (problem is not None, got_tag, got_digest) == (invalid, tag, digest)


@pytest.mark.parametrize("bucket, problems", [
    ("acme-fraud-models", []),
    ("a.b-c.d1", []),
    ("ab", ["is 2 characters long (allowed: 3-63)"]),
    ("Acme_models", ["contains 'A', '_' (allowed: lowercase letters, digits, '-' and '.')",
                     "must start with a lowercase letter or digit"]),
    ("-acme-", ["must start with a lowercase letter or digit", "must end with a lowercase letter or digit"]),
    ("acme..models", ["contains '..'"]),
    ("acme.-models", ["contains '.-'"]),
    ("acme-.models", ["contains '-.'"]),
    ("10.0.0.1", ["is shaped like an IP address"]),
    ("sthree-models", ["starts with the reserved prefix 'sthree-'"]),
    ("amzn-s3-demo-models", ["starts with the reserved prefix 'amzn-s3-demo-'"]),
    ("models-s3alias", ["ends with the reserved suffix '-s3alias'"]),
    ("models--ol-s3", ["ends with the reserved suffix '--ol-s3'"]),
    ("models--x-s3", ["ends with the reserved suffix '--x-s3'"]),
    ("models.mrap", ["ends with the reserved suffix '.mrap'"]),
])
def test_bucket_name_rules(bucket, problems):
    assert names_buckets.problems(bucket) == problems


def test_a_merged_value_is_reported_at_the_overlay_line_that_supplied_it(tmp_path, monkeypatch):
    """The base is valid; prod's overlay supplies a bad image and dev's a budget that the base's
    replicas cannot meet: each rule reports the line of the value, in whichever part it stands."""
    text = BASE + (
        "environments:\n"
        "  dev:\n"
        "    kubernetes: {disruption_budget: {min_available: 3}}\n"
        "  prod:\n"
        "    kubernetes:\n"
        "      image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:latest\n")
    base_lines = BASE.count("\n")
    lines = validate(tmp_path, monkeypatch, {"spec.yaml": text})
    # BASE's fixed bucket and recorder are also reported as duplicates across the environments
    # (every problem in one run: stack rule errors no longer hide the cross-spec rules)
    lines = [line for line in lines if "-duplicate:" not in line]
    assert [line.split(": ", 2)[:2] for line in lines] == [
        [f"spec.yaml:{base_lines + 3}:53", "error kubernetes-disruption-budget"],
        [f"spec.yaml:{base_lines + 6}:14", "error kubernetes-image-unpinned"],
    ], lines


# --- the resolved document: cross rules see the namespace the model uses ----------------------

def test_an_omitted_namespace_is_the_spec_name_in_the_cross_rules(tmp_path, monkeypatch):
    """Two environments without a namespace both deploy into <name> on one cluster: reported at
    metadata.name, the line the namespace is derived from, naming it and the environment."""
    text = env_spec(("bucket: acme-fraud-models\n", ""), ("recorder: create", "recorder: existing"),
                    ("  namespace: ml-serving\n", ""))
    assert validate(tmp_path, monkeypatch, {"spec.yaml": text}) == [
        "spec.yaml:4:9: error kubernetes-deployment-duplicate: Deployment 'fraud-detector' in "
        "namespace 'fraud-detector' (derived from metadata.name, environment 'prod') on EKS "
        "cluster 'ml-prod' (123456789012, "
        "us-east-1) is already deployed by spec.yaml (stack fraud-detector-dev); each would "
        "overwrite the other",
    ]


def test_namespace_default_does_not_collide_with_an_omitted_namespace(tmp_path, monkeypatch):
    text = edit(BASE, ("  bucket: acme-fraud-models\n", ""), ("recorder: create", "recorder: existing"),
                ("  namespace: ml-serving\n", "")) + (
        "environments:\n"
        "  dev:\n"
        "    kubernetes: {namespace: default}\n"
        "  prod: {}\n")
    assert validate(tmp_path, monkeypatch, {"spec.yaml": text}) == []


# --- partial documents: the base and each overlay are type-checked as written ------------------

def test_a_wrong_base_value_is_reported_even_when_every_environment_overrides_it(
        tmp_path, monkeypatch):
    text = edit(BASE, ("  bucket: acme-fraud-models\n", ""), ("replicas: 3", "replicas: four"),
                ("recorder: create", "recorder: existing")) + (
        "environments:\n"
        "  dev:\n"
        "    kubernetes: {replicas: 3, namespace: ml-dev}\n"
        "  prod:\n"
        "    kubernetes: {replicas: 6}\n")
    assert validate(tmp_path, monkeypatch, {"spec.yaml": text}) == [
        "spec.yaml:45:13: error schema-type: kubernetes.replicas must be a whole number, not the "
        "string 'four'",
    ]


def test_a_wrong_value_is_reported_once_at_its_line(tmp_path, monkeypatch):
    """A bad base value that reaches both stacks, and a bad overlay value: one line each, where
    the value is written (not one per stack, not a second one from the partial check)."""
    text = edit(BASE, ("  bucket: acme-fraud-models\n", ""), ("port: 8080", "port: http"),
                ("recorder: create", "recorder: existing")) + (
        "environments:\n"
        "  dev:\n"
        "    kubernetes: {namespace: ml-dev, min_ready_seconds: soon}\n"
        "  prod: {}\n")
    assert validate(tmp_path, monkeypatch, {"spec.yaml": text}) == [
        "spec.yaml:46:9: error schema-type: kubernetes.port must be a whole number, not the "
        "string 'http'",
        "spec.yaml:60:56: error schema-type: kubernetes.min_ready_seconds must be a whole number, "
        "not the string 'soon' (environment 'dev')",
    ]


def test_partial_documents_need_no_required_keys(tmp_path, monkeypatch):
    """An overlay that only completes a form (a context) or sets one key is fine as written."""
    text = edit(BASE, ("  bucket: acme-fraud-models\n", ""), ("recorder: create", "recorder: existing"),
                ("{eks_cluster: ml-prod}", "{kubeconfig: ~/.kube/config, context: prod}"),
                ("  namespace: ml-serving\n", "  namespace: ml-serving\n  service_account: fraud\n")) + (
        "environments:\n"
        "  dev:\n"
        "    state: {bucket: dev-state}\n"
        "    kubernetes: {cluster: {context: dev}, rolling_update: {max_surge: 2}}\n"
        "  prod:\n"
        "    backup: {vault_lock: null}\n")
    text = edit(text, ("aws:\n", "state: {backend: s3, bucket: acme-state}\naws:\n"))
    assert validate(tmp_path, monkeypatch, {"spec.yaml": text}) == []


@pytest.mark.parametrize("name, ok", [
    ("cpu", True), ("memory", True), ("ephemeral-storage", True), ("hugepages-2Mi", True),
    ("nvidia.com/gpu", True), ("vendor.example/fpga_v2", True), ("amd.com/gpu", True),
    ("gpu", False), ("storage", False), ("hugepages-", False), ("nvidia.com/", False),
    ("Nvidia.com/gpu", False), ("kubernetes.io/gpu", False), ("x.kubernetes.io/gpu", False),
    ("requests.example.com/gpu", False), ("example.com/" + "g" * 64, False),
])
def test_container_resource_name_grammar(name, ok):
    from compiler.rules import kubernetes_resource_names
    assert (kubernetes_resource_names.problem(name) is None) is ok


@pytest.mark.parametrize("name, ok", [
    ("fraud", True), ("fraud-reader", True), ("fraud.reader", True), ("a", True),
    ("a.b.c", True), ("a" * 253, True),
    ("a..b", False), ("a.-b", False), ("a-.b", False), ("a" * 254, False), ("A", False),
    ("a_b", False), ("-a", False), ("a.", False),
])
def test_service_account_name_grammar(name, ok):
    from compiler.rules import kubernetes_service_account
    assert (kubernetes_service_account.problem(name) is None) is ok
