"""Configuration history (``config_recorder``, AWS Config): every default applied."""
from __future__ import annotations

from dataclasses import dataclass

from .. import names
from ..defaults import ABORT_MULTIPART_DAYS

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
    abort_multipart_days: int       # of the delivery and log buckets (compiler.defaults)
    managed_policy: str
    service_principal: str


def build(data: dict, env: str | None, *, rules_given: bool = True) -> ConfigRecorder:
    """``rules_given``: the spec wrote ``rules`` (else they are the defaults of
    ``compiler.defaults.default_config_rules``, whose S3 rules are scoped to the model bucket)."""
    spec = data["config_recorder"]
    region = data["aws"]["region"]
    create = spec["recorder"] == "create"
    types = spec["resource_types"]
    all_resources = types == "all"
    model_bucket = names.model_bucket(data, env) if isinstance(data.get("artifacts"), dict) else None
    rules = []
    for identifier in spec["rules"]:
        scoped = not rules_given and identifier.startswith("S3_") and model_bucket is not None
        rules.append(Rule(
            name=names.config_rule(data, env, identifier),
            identifier=identifier,
            resource_types=("AWS::S3::Bucket",) if scoped else (),
            resource_id=model_bucket if scoped else None,
        ))
    return ConfigRecorder(
        create=create,
        recorder=names.config_recorder(data, env),
        delivery_channel=names.config_delivery_channel(data, env),
        role=names.config_role(data, env),
        bucket=names.config_bucket(data, env) if create else None,
        log_bucket=names.config_log_bucket(data, env) if create else None,
        all_resources=all_resources,
        resource_types=() if all_resources else tuple(types),
        include_global_resource_types=bool(spec["include_global_resource_types"]),
        recording_frequency=spec["recording_frequency"],
        delivery_frequency=spec["delivery_frequency"],
        rules=tuple(rules),
        abort_multipart_days=ABORT_MULTIPART_DAYS,
        managed_policy=names.managed_policy_arn(region, CONFIG_ROLE_POLICY),
        service_principal=names.service_principal("config", region),
    )
