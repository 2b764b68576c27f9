"""The typed model of the ``codedeploy`` section: automated rollback of service deployments.

``build(data, env)`` turns the resolved document of one stack (``compiler.defaults``) into a frozen
:class:`CodeDeploy` with every default applied and every derived name computed (through
``compiler.names``), so that the generator only translates it into resources. ``None`` when the
stack has no ``codedeploy`` section.

Defaults (where the contract is silent, chosen for safe automated rollback):

* ``deployment_config`` — ``CodeDeployDefault.OneAtATime`` for Server (one host at a time, the
  safest in-place rollout); ``CodeDeployDefault.ECSCanary10Percent5Minutes`` for ECS and
  ``CodeDeployDefault.LambdaCanary10Percent5Minutes`` for Lambda: a canary keeps 90% of the traffic
  on the old version long enough for the alarms to stop and roll back a bad release (the all-at-once
  built-ins would shift everything before any alarm could fire).
* ``auto_rollback.events`` — ``[DEPLOYMENT_FAILURE]``, plus ``DEPLOYMENT_STOP_ON_ALARM`` when the
  spec has alarms. Auto rollback is enabled whenever there is at least one event.
* Alarms — ``statistic`` Average, ``period_seconds`` 60, ``evaluation_periods`` 1 when omitted;
  ``treat_missing_data: notBreaching`` (no data points, e.g. no 5xx responses at all, is healthy and
  must not roll back a deployment); ``comparison`` GreaterThanThreshold; every alarm is named
  ``<stack>-<alarm name>``.
* ECS — ``termination_wait_minutes`` 5; traffic is rerouted as soon as the green task set is
  ready (``CONTINUE_DEPLOYMENT``) and blue tasks are terminated after the wait.
* Server — ``ec2_tags`` become one EC2 tag set per tag, so an instance must carry *all* of them
  (CodeDeploy ANDs tag sets and ORs the filters inside one set).
* The service role is named ``<stack>-codedeploy`` and carries the platform's AWS managed policy;
  its trust is limited to CodeDeploy acting for this deployment group of this account
  (``aws:SourceAccount`` and ``aws:SourceArn`` = the group's ARN, the confused-deputy guard
  CodeDeploy documents); without ``aws.account_id`` the account comes from the caller identity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler import names

PLATFORMS = ("Server", "ECS", "Lambda")

MANAGED_POLICY = {   # AWS managed policy (path/name); the ARN takes the region's partition
    "Server": "service-role/AWSCodeDeployRole",
    "ECS": "AWSCodeDeployRoleForECS",
    "Lambda": "service-role/AWSCodeDeployRoleForLambda",
}

TREAT_MISSING_DATA = "notBreaching"      # not a spec field: no data (e.g. no 5xx at all) is healthy
SERVICE = "codedeploy"       # its service principal differs in China (compiler.names)


@dataclass(frozen=True)
class MinimumHealthyHosts:
    """Server: ``HOST_COUNT`` or ``FLEET_PERCENT`` and its value."""
    type: str
    value: int


@dataclass(frozen=True)
class TrafficRouting:
    """ECS and Lambda: ``TimeBasedCanary`` or ``TimeBasedLinear``."""
    type: str
    percentage: int
    interval_minutes: int


@dataclass(frozen=True)
class CustomConfig:
    """A custom deployment config: exactly one of the two is set."""
    name: str
    compute_platform: str
    minimum_healthy_hosts: MinimumHealthyHosts | None = None
    traffic_routing: TrafficRouting | None = None


@dataclass(frozen=True)
class Alarm:
    """One CloudWatch metric alarm that stops and rolls back a deployment."""
    name: str                                  # as written in the spec
    alarm_name: str                            # the CloudWatch name: <stack>-<name>
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str                             # SampleCount | Average | Sum | Minimum | Maximum
    comparison: str
    threshold: float | int
    period_seconds: int
    evaluation_periods: int
    treat_missing_data: str
    description: str


@dataclass(frozen=True)
class EcsTarget:
    cluster: str
    service: str
    listener_arns: tuple[str, ...]
    target_groups: tuple[str, ...]             # (blue, green)
    termination_wait_minutes: int
    test_listener_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class LambdaTarget:
    """The function and alias CodeDeploy shifts. A Lambda deployment group does not name them (the
    AppSpec of each deployment does), so they are kept for reports and cross checks only."""
    function: str
    alias: str


@dataclass(frozen=True)
class CodeDeploy:
    platform: str                              # Server | ECS | Lambda (compute platform)
    app_name: str
    group_name: str
    deployment_config_name: str                # built-in name or custom_config.name
    custom_config: CustomConfig | None
    auto_rollback_enabled: bool
    auto_rollback_events: tuple[str, ...]
    alarms: tuple[Alarm, ...]
    role_name: str
    managed_policy_arn: str
    service_principal: str
    account_id: str | None                     # scopes the role's trust (aws:SourceAccount)
    deployment_type: str                       # IN_PLACE | BLUE_GREEN
    deployment_option: str                     # WITHOUT_TRAFFIC_CONTROL | WITH_TRAFFIC_CONTROL
    region: str                                # of the deployment group's ARN (trust aws:SourceArn)
    partition: str
    ec2_tags: tuple[tuple[str, str], ...] = ()  # Server
    ecs: EcsTarget | None = None
    lambda_target: LambdaTarget | None = None

    @property
    def alarm_names(self) -> tuple[str, ...]:
        return tuple(a.alarm_name for a in self.alarms)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _custom_config(cd: dict, platform: str, data: dict, env: str | None) -> CustomConfig | None:
    given = cd.get("deployment_config")
    if not isinstance(given, dict):
        return None
    name = names.codedeploy_config(data, env)
    if "minimum_healthy_hosts" in given:
        mhh = given["minimum_healthy_hosts"]
        return CustomConfig(name, platform,
                            minimum_healthy_hosts=MinimumHealthyHosts(mhh["type"], mhh["value"]))
    for key, kind in (("canary", "TimeBasedCanary"), ("linear", "TimeBasedLinear")):
        if key in given:
            tr = given[key]
            return CustomConfig(name, platform, traffic_routing=TrafficRouting(
                kind, tr["percentage"], tr["interval_minutes"]))
    return None


def _alarm(spec: dict, data: dict, env: str | None, group: str) -> Alarm:
    dims = spec["dimensions"]
    return Alarm(
        name=spec["name"],
        alarm_name=names.alarm(data, env, spec["name"]),
        namespace=spec["namespace"],
        metric=spec["metric"],
        dimensions=tuple((str(k), _text(v)) for k, v in dims.items()),
        statistic=spec["statistic"],
        comparison=spec["comparison"],
        threshold=spec["threshold"],
        period_seconds=spec["period_seconds"],
        evaluation_periods=spec["evaluation_periods"],
        treat_missing_data=TREAT_MISSING_DATA,
        description=f"Stops and rolls back CodeDeploy deployments of {group} "
                    f"({spec['namespace']} {spec['metric']}).",
    )


def _region(data: dict) -> str:
    return data["aws"]["region"]


def build(data: dict, env: str | None) -> CodeDeploy | None:
    cd = data.get("codedeploy")
    if not isinstance(cd, dict):
        return None
    platform = cd["platform"]
    group = names.codedeploy_group(data, env)
    custom = _custom_config(cd, platform, data, env)
    # resolved: the platform's default config when the spec gives none (compiler.defaults)
    config_name = custom.name if custom is not None else cd["deployment_config"]

    alarms = tuple(_alarm(a, data, env, group) for a in cd["alarms"])

    events = tuple(dict.fromkeys(cd["auto_rollback"]["events"]))   # keep order, drop repeats
    enabled = bool(events)

    ec2_tags: tuple[tuple[str, str], ...] = ()
    ecs = None
    lambda_target = None
    if platform == "Server":
        deployment_type, option = "IN_PLACE", "WITHOUT_TRAFFIC_CONTROL"
        ec2_tags = tuple(sorted((str(k), _text(v)) for k, v in (cd.get("ec2_tags") or {}).items()))
    else:
        deployment_type, option = "BLUE_GREEN", "WITH_TRAFFIC_CONTROL"
        if platform == "ECS" and isinstance(cd.get("ecs"), dict):
            e = cd["ecs"]
            ecs = EcsTarget(
                cluster=e["cluster"],
                service=e["service"],
                listener_arns=tuple(e.get("listener_arns") or ()),
                target_groups=tuple(e.get("target_groups") or ()),
                termination_wait_minutes=e["termination_wait_minutes"],
                test_listener_arns=tuple(e.get("test_listener_arns") or ()),
            )
        if platform == "Lambda" and isinstance(cd.get("lambda"), dict):
            lam = cd["lambda"]
            lambda_target = LambdaTarget(function=lam["function"], alias=lam["alias"])

    return CodeDeploy(
        platform=platform,
        app_name=names.codedeploy_app(data, env),
        group_name=group,
        deployment_config_name=config_name,
        custom_config=custom,
        auto_rollback_enabled=enabled,
        auto_rollback_events=events,
        alarms=alarms,
        role_name=names.codedeploy_role(data, env),
        managed_policy_arn=names.managed_policy_arn(_region(data), MANAGED_POLICY[platform]),
        service_principal=names.service_principal(SERVICE, _region(data)),
        account_id=str(names.account_id(data)) if names.account_id(data) else None,
        region=_region(data),
        partition=names.partition(_region(data)),
        deployment_type=deployment_type,
        deployment_option=option,
        ec2_tags=ec2_tags,
        ecs=ecs,
        lambda_target=lambda_target,
    )
