"""Generated specs for the benchmark and scale tests: N distinct, valid model platforms.

Each spec uses every capability (artifacts, backup, an existing Config recorder, CodeDeploy on EC2,
Kubernetes), so a stack is as large as a real one. Names, buckets and Deployments are unique.
"""
from __future__ import annotations

from pathlib import Path

TEMPLATE = """\
# yaml-language-server: $schema=../schemas/model-platform.schema.json
apiVersion: mplat/v1
kind: ModelPlatform
metadata:
  name: {name}
  owner: bench-team
  tags: {{cost-center: cc-{i:04d}}}
aws:
  region: us-east-1
  account_id: "123456789012"
artifacts:
  noncurrent_versions: {{keep: 10, expire_after_days: 90}}
backup:
  point_in_time: {{retention_days: 35}}
  snapshots:
    - name: daily
      schedule: cron(0 5 * * ? *)
      start_window_minutes: 60
      completion_window_minutes: 180
      delete_after_days: 35
config_recorder:
  recorder: existing
codedeploy:
  platform: Server
  deployment_config: CodeDeployDefault.OneAtATime
  auto_rollback: {{events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]}}
  alarms:
    - name: high-5xx
      namespace: AWS/ApplicationELB
      metric: HTTPCode_Target_5XX_Count
      dimensions: {{LoadBalancer: app/{name}/0123456789abcdef}}
      statistic: Sum
      comparison: GreaterThanThreshold
      threshold: 10
      period_seconds: 60
      evaluation_periods: 3
  ec2_tags: {{app: {name}}}
kubernetes:
  cluster: {{kubeconfig: ~/.kube/config, context: bench}}
  namespace: ml-serving
  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/{name}:1.0.{revision}
  replicas: 3
  port: 8080
  readiness_path: /healthz
  liveness_path: /livez
  resources:
    requests: {{cpu: 500m, memory: 1Gi}}
    limits: {{cpu: "1", memory: 1Gi}}
  disruption_budget: {{min_available: 2}}
  model: {{key: {name}/model.tar.gz, version_id: v{revision}}}
"""


def spec_text(i: int, revision: int = 0) -> str:
    return TEMPLATE.format(name=f"bench-{i:04d}", i=i, revision=revision)


def write_specs(directory: Path, count: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = directory / f"bench-{i:04d}.yaml"
        path.write_text(spec_text(i))
        paths.append(path)
    return paths
