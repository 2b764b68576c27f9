"""The typed model of the ``sagemaker`` section: managed serving with deployment guardrails.

``build(data, env)`` turns the resolved document of one stack (``compiler.defaults``) into a frozen
:class:`SageMaker`; ``None`` when the stack has no ``sagemaker`` section. The generator only
translates it into a model package group, a model, an endpoint configuration, an endpoint, alarms
and an execution role.

How the spec becomes the endpoint's ``DeploymentConfig`` (SageMaker API reference:
BlueGreenUpdatePolicy, TrafficRoutingConfig, RollingUpdatePolicy, CapacitySize):

* A step is given in percent of the instance count and emitted as a whole number of instances
  (CapacitySize ``INSTANCE_COUNT``): ``instance_count * percentage / 100`` rounded up, so that a
  step is never below the percentage AWS requires at least (linear 10%, rolling 5%) and the
  rules check exactly the step SageMaker gets (a percentage would be rounded by SageMaker in a way
  its documentation does not state). ``step_instances`` is the one computation of it.
* ``canary``/``linear`` -> ``BlueGreenUpdatePolicy`` with ``TrafficRoutingConfiguration`` CANARY
  or LINEAR and ``WaitIntervalInSeconds`` = 60 x ``interval_minutes``; ``all_at_once`` -> ALL_AT_ONCE
  (wait 0); all three carry ``TerminationWaitInSeconds`` = 60 x ``termination_wait_minutes`` (the
  bake time before the old fleet goes).
* ``rolling`` -> ``RollingUpdatePolicy`` with ``MaximumBatchSize`` and ``WaitIntervalInSeconds``
  (the bake per batch); ``termination_wait_minutes`` does not apply to a rolling update.
* ``MaximumExecutionTimeoutInSeconds`` = every wait of the update plus ``PROVISION_SECONDS`` per
  round of new instances (one for blue/green, one per batch for rolling), at least 600
  (``execution_timeout``); the provider accepts 600-14400 (AWS: 600-28800), a rule checks it.
* ``AutoRollbackConfiguration`` names every alarm (at most 10).
* Alarms: the item shape and defaults of ``codedeploy.alarms``; named ``<stack>-sagemaker-<name>``
  (``compiler.names.sagemaker_alarm``); an alarm
  on an ``AWS/SageMaker`` metric without dimensions gets ``EndpointName`` (the endpoint) and
  ``VariantName`` (``live``, the one production variant).
* ``data_capture`` -> request and response capture of ``percentage`` percent into
  ``s3://<model bucket>/data-capture/<endpoint>/``, encrypted with the artifacts key.
"""
from __future__ import annotations

from dataclasses import dataclass

from compiler import names

from .codedeploy import Alarm, _alarm

STRATEGIES = ("canary", "linear", "all_at_once", "rolling")
SAGEMAKER_NAMESPACE = "AWS/SageMaker"
SERVICE = "sagemaker"

# AWS limits (SageMaker API reference, https://docs.aws.amazon.com/sagemaker/latest/APIReference/):
# TrafficRoutingConfig: WaitIntervalInSeconds 0-3600; CanarySize <= 50% of the variant's
# instance count; LinearStepSize 10-50%. BlueGreenUpdatePolicy: TerminationWaitInSeconds 0-3600,
# MaximumExecutionTimeoutInSeconds 600-28800. RollingUpdatePolicy: MaximumBatchSize 5-50%,
# WaitIntervalInSeconds 0-3600. The AWS provider (internal/service/sagemaker/endpoint.go) accepts
# maximum_execution_timeout_in_seconds 600-14400 only: that is the limit here.
MAX_WAIT_SECONDS = 3600
MAX_TERMINATION_WAIT_SECONDS = 3600
MIN_EXECUTION_TIMEOUT = 600
MAX_EXECUTION_TIMEOUT = 14400
PERCENT_BOUNDS = {"canary": (1, 50), "linear": (10, 50), "rolling": (5, 50)}
STEP_KEY = {"canary": "percentage", "linear": "percentage", "rolling": "batch_percentage"}
MAX_ALARMS = 10
PROVISION_SECONDS = 900      # per round of new instances, in the execution timeout


def strategy(deployment_config: dict) -> str:
    """canary | linear | all_at_once | rolling: the one key of a (schema-valid) deployment_config."""
    return next(iter(deployment_config))


def step_setting(sm: dict) -> tuple[str, tuple, int, bool] | None:
    """The step of a resolved ``sagemaker`` section: (strategy, path of its percentage, the
    percentage, whether SageMaker accepts it), or None for all_at_once (no step)."""
    kind = strategy(sm["deployment_config"])
    if kind not in STEP_KEY:
        return None
    key = STEP_KEY[kind]
    value = sm["deployment_config"][kind][key]
    low, high = PERCENT_BOUNDS[kind]
    return kind, ("sagemaker", "deployment_config", kind, key), value, low <= value <= high


def step_instances(instance_count: int, percentage: int) -> int:
    """Instances in one canary, linear or rolling step: ``count * percentage / 100`` rounded up."""
    return -(-instance_count * percentage // 100)


def rounds(instance_count: int, step: int) -> int:
    """Steps needed to move ``instance_count`` instances ``step`` at a time."""
    return -(-instance_count // step)


def total_wait_seconds(kind: str, instance_count: int, step: int | None, interval_minutes: int,
                       termination_wait_minutes: int) -> int:
    """Every wait of one update: canary one interval, linear one per step after the first,
    rolling one per batch; blue/green updates add the termination wait."""
    wait = interval_minutes * 60
    if kind == "canary":
        waits = wait
    elif kind == "linear":
        waits = (rounds(instance_count, step) - 1) * wait
    elif kind == "rolling":
        return rounds(instance_count, step) * wait
    else:
        waits = 0
    return waits + termination_wait_minutes * 60


def execution_timeout(kind: str, instance_count: int, step: int | None, interval_minutes: int,
                      termination_wait_minutes: int) -> int:
    """MaximumExecutionTimeoutInSeconds: the waits plus PROVISION_SECONDS per round of new
    instances, at least MIN_EXECUTION_TIMEOUT."""
    provisioning = rounds(instance_count, step) if kind == "rolling" else 1
    return max(MIN_EXECUTION_TIMEOUT,
               total_wait_seconds(kind, instance_count, step, interval_minutes,
                                  termination_wait_minutes) + provisioning * PROVISION_SECONDS)


@dataclass(frozen=True)
class Deployment:
    """The endpoint's DeploymentConfig, in API terms."""
    strategy: str                        # canary | linear | all_at_once | rolling
    step_instances: int | None           # canary/linear/rolling: CapacitySize INSTANCE_COUNT
    wait_seconds: int                    # WaitIntervalInSeconds
    termination_wait_seconds: int        # blue/green only
    execution_timeout_seconds: int       # MaximumExecutionTimeoutInSeconds

    @property
    def blue_green(self) -> bool:
        return self.strategy != "rolling"

    @property
    def routing_type(self) -> str:
        """TrafficRoutingConfig.Type of a blue/green update."""
        return {"canary": "CANARY", "linear": "LINEAR"}.get(self.strategy, "ALL_AT_ONCE")


@dataclass(frozen=True)
class SageMaker:
    group: str                           # model package group
    version: int                         # the pin
    instance_type: str
    instance_count: int
    deployment: Deployment
    alarms: tuple[Alarm, ...]
    endpoint_name: str
    config_name_prefix: str
    variant_name: str
    role_name: str
    kms_alias: str                       # of the key that encrypts the ML storage volumes
    log_group: str
    model_prefix: str                    # <group>/ in the model bucket
    capture_prefix: str                  # data-capture/<endpoint>/ in the model bucket
    capture_percentage: int | None       # None: no data capture
    model_bucket: str | None             # artifacts.bucket (None without artifacts)
    s3_via_service: str                  # kms:ViaService of S3 in the region
    region: str
    partition: str
    account_id: str | None
    service_principal: str

    @property
    def alarm_names(self) -> tuple[str, ...]:
        return tuple(a.alarm_name for a in self.alarms)

    def bucket_arn(self) -> str | None:
        return names.s3_arn(self.partition, self.model_bucket) if self.model_bucket else None

    def package_arn(self, account: str) -> str:
        """The pinned version's ARN (``account`` may be a Terraform reference)."""
        return names.model_package_arn(self.partition, self.region, account, self.group,
                                       self.version)


def _alarms(sm: dict, data: dict, env: str | None, endpoint: str) -> tuple[Alarm, ...]:
    out = []
    for spec in sm["alarms"]:
        if spec["namespace"] == SAGEMAKER_NAMESPACE and not spec["dimensions"]:
            spec = {**spec, "dimensions": {"EndpointName": endpoint,
                                           "VariantName": names.SAGEMAKER_VARIANT}}
        alarm = _alarm(spec, data, env, endpoint)
        out.append(Alarm(**{**alarm.__dict__,
                            "alarm_name": names.sagemaker_alarm(data, env, spec["name"]),
                            "description":
                            f"Rolls back updates of the SageMaker endpoint {endpoint} "
                            f"({spec['namespace']} {spec['metric']})."}))
    return tuple(out)


def deployment(sm: dict) -> Deployment:
    """The DeploymentConfig of a resolved ``sagemaker`` section (also what the rules check)."""
    config = sm["deployment_config"]
    kind = strategy(config)
    count = sm["instance_count"]
    body = config[kind] or {}
    step = step_instances(count, body[STEP_KEY[kind]]) if kind in STEP_KEY else None
    interval = body.get("interval_minutes", 0) if kind != "all_at_once" else 0
    termination = sm["termination_wait_minutes"] if kind != "rolling" else 0
    return Deployment(
        strategy=kind, step_instances=step, wait_seconds=interval * 60,
        termination_wait_seconds=termination * 60,
        execution_timeout_seconds=execution_timeout(kind, count, step, interval, termination))


def build(data: dict, env: str | None) -> SageMaker | None:
    sm = data.get("sagemaker")
    if not isinstance(sm, dict):
        return None
    region = data["aws"]["region"]
    endpoint = names.sagemaker_endpoint(data, env)
    capture = sm.get("data_capture")
    account = names.account_id(data)
    return SageMaker(
        group=names.sagemaker_group(data),
        version=int(sm["model_package"]["version"]),
        instance_type=sm["instance_type"],
        instance_count=sm["instance_count"],
        deployment=deployment(sm),
        alarms=_alarms(sm, data, env, endpoint),
        endpoint_name=endpoint,
        config_name_prefix=names.sagemaker_config_prefix(data, env),
        variant_name=names.SAGEMAKER_VARIANT,
        role_name=names.sagemaker_role(data, env),
        kms_alias=names.sagemaker_kms_alias(data, env),
        log_group=names.sagemaker_log_group(data, env),
        model_prefix=names.sagemaker_model_prefix(data),
        capture_prefix=names.sagemaker_capture_prefix(data, env),
        capture_percentage=capture["percentage"] if isinstance(capture, dict) else None,
        model_bucket=names.model_bucket(data, env) if isinstance(data.get("artifacts"), dict)
        else None,
        s3_via_service=names.via_service("s3", region),
        region=region,
        partition=names.partition(region),
        account_id=str(account) if account else None,
        service_principal=names.service_principal(SERVICE, region),
    )
