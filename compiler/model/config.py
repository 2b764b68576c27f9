"""Configuration history (``config_recorder``, AWS Config): every default applied."""
from __future__ import annotations

from dataclasses import dataclass

from .. import names
from ..defaults import default

DEFAULT_RECORDER = default("config_recorder", "recorder")
DEFAULT_RECORDING_FREQUENCY = default("config_recorder", "recording_frequency")
DEFAULT_DELIVERY_FREQUENCY = default("config_recorder", "delivery_frequency")
CONFIG_ROLE_POLICY = "service-role/AWS_ConfigRole"   # the ARN takes the region's partition


@dataclass(frozen=True)
class Rule:
    """One AWS managed Config rule; scoped to one bucket when ``bucket`` is set."""
    name: str                       # <stack>-<identifier in kebab case>
    identifier: str                 # e.g. S3_BUCKET_VERSIONING_ENABLED
    resource_types: tuple[str, ...] = ()
    resource_id: str | None = None


@dataclass(frozen=True)
class ConfigRecorder:
    create: bool                    # recorder: create (else: existing, rules only)
    recorder: str                   # <stack>-recorder
    delivery_channel: str           # <stack>-delivery
    role: str                       # <stack>-config
    bucket: str | None              # delivery bucket (create)
    log_bucket: str | None          # its access-log bucket (create)
    all_resources: bool             # resource_types: all
    resource_types: tuple[str, ...]
    include_global_resource_types: bool
    recording_frequency: str
    delivery_frequency: str
    rules: tuple[Rule, ...]
    managed_policy: str = names.managed_policy_arn("", CONFIG_ROLE_POLICY)
    service_principal: str = "config.amazonaws.com"


def _kebab(identifier: str) -> str:
    return identifier.lower().replace("_", "-")


def default_rule_ids(data: dict) -> tuple[str, ...]:
    """The rollback invariants of what the spec asked for: versioning always, then one rule per
    protection the artifacts, backup and codedeploy sections turn on."""
    ids: list[str] = []
    artifacts = data.get("artifacts")
    if isinstance(artifacts, dict):
        ids += ["S3_BUCKET_VERSIONING_ENABLED", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
                "S3_BUCKET_SSL_REQUESTS_ONLY", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"]
        if artifacts.get("object_lock"):
            ids.append("S3_BUCKET_DEFAULT_LOCK_ENABLED")
        if artifacts.get("access_logs", True):
            ids.append("S3_BUCKET_LOGGING_ENABLED")
        if artifacts.get("replica_region"):
            ids.append("S3_BUCKET_REPLICATION_ENABLED")
        if isinstance(data.get("backup"), dict):
            ids.append("S3_RESOURCES_PROTECTED_BY_BACKUP_PLAN")
    if isinstance(data.get("codedeploy"), dict):
        ids.append("CODEDEPLOY_AUTO_ROLLBACK_MONITOR_ENABLED")
    return tuple(ids)


def build(data: dict, env: str | None) -> ConfigRecorder:
    spec = data.get("config_recorder") or {}
    stack = names.stack_name(data, env)
    region = data["aws"]["region"]
    create = spec.get("recorder", DEFAULT_RECORDER) == "create"
    types = spec.get("resource_types", "all")
    all_resources = types == "all"
    given = spec.get("rules")
    model_bucket = names.model_bucket(data, env) if isinstance(data.get("artifacts"), dict) else None
    rules = []
    for identifier in (tuple(given) if given is not None else default_rule_ids(data)):
        scoped = given is None and identifier.startswith("S3_") and model_bucket is not None
        rules.append(Rule(
            name=f"{stack}-{_kebab(identifier)}",
            identifier=identifier,
            resource_types=("AWS::S3::Bucket",) if scoped else (),
            resource_id=model_bucket if scoped else None,
        ))
    return ConfigRecorder(
        create=create,
        recorder=names.config_recorder(data, env),
        delivery_channel=f"{stack}-delivery",
        role=f"{stack}-config",
        bucket=names.config_bucket(data, env) if create else None,
        log_bucket=names.config_log_bucket(data, env) if create else None,
        all_resources=all_resources,
        resource_types=() if all_resources else tuple(types),
        include_global_resource_types=bool(spec.get("include_global_resource_types", False)),
        recording_frequency=spec.get("recording_frequency", DEFAULT_RECORDING_FREQUENCY),
        delivery_frequency=spec.get("delivery_frequency", DEFAULT_DELIVERY_FREQUENCY),
        rules=tuple(rules),
        managed_policy=names.managed_policy_arn(region, CONFIG_ROLE_POLICY),
        service_principal=names.service_principal("config", region),
    )
