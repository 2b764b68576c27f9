"""Derived names: computed here once, used by the rules (to check them) and the model (to use them).

Every function takes the resolved document of one stack (shapes checked by the schema, defaults
applied by ``compiler.defaults``) and its environment name (None without environments). ``<env>`` appears in a derived name only when the
spec has environments, with its dash.
"""
from __future__ import annotations

from typing import Any


MANAGED_BY = "mplat"
# tags the compiler puts on every AWS resource (provider default_tags), besides metadata.tags
COMPILER_TAG_KEYS = ("Owner", "ManagedBy", "Stack")


def _get(data: Any, *path, default=None):
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return default
        data = data[part]
    return data


def spec_name(data: dict) -> str:
    return _get(data, "metadata", "name", default="")


def stack_name(data: dict, env: str | None) -> str:
    """``<name>`` or ``<name>-<env>``; also the prefix of every derived AWS name."""
    name = spec_name(data)
    return f"{name}-{env}" if env else name


def compiler_tags(data: dict, env: str | None) -> dict[str, str]:
    """The tags of COMPILER_TAG_KEYS with their values for one stack."""
    owner = _get(data, "metadata", "owner", default="")
    return dict(zip(COMPILER_TAG_KEYS, (str(owner), MANAGED_BY, stack_name(data, env)), strict=True))


def account_id(data: dict) -> str | None:
    return _get(data, "aws", "account_id")


def _with_account(base: str, data: dict) -> str:
    account = account_id(data)
    return f"{base}-{account}" if account else base


def model_bucket(data: dict, env: str | None) -> str:
    """artifacts.bucket, or ``<name>[-<env>]-models[-<account_id>]``."""
    given = _get(data, "artifacts", "bucket")
    if given:
        return given
    return _with_account(f"{stack_name(data, env)}-models", data)


def log_bucket(data: dict, env: str | None) -> str:
    """Server access logs of the model bucket go to ``<bucket>-logs``."""
    return f"{model_bucket(data, env)}-logs"


def replica_bucket(data: dict, env: str | None) -> str:
    """The cross-region replica of the model bucket: ``<bucket>-replica``."""
    return f"{model_bucket(data, env)}-replica"


def replica_log_bucket(data: dict, env: str | None) -> str:
    """Access logs of the replica stay in its region: ``<bucket>-replica-logs``."""
    return f"{replica_bucket(data, env)}-logs"


def config_bucket(data: dict, env: str | None) -> str:
    """Delivery bucket of AWS Config (recorder: create): ``<name>[-<env>]-config[-<account_id>]``."""
    return _with_account(f"{stack_name(data, env)}-config", data)


def config_log_bucket(data: dict, env: str | None) -> str:
    """Access logs of the Config delivery bucket: ``<config bucket>-logs``."""
    return f"{config_bucket(data, env)}-logs"


def buckets(data: dict, env: str | None) -> dict[tuple, str]:
    """Every S3 bucket a stack creates, keyed by the spec path that decides it (for diagnostics)."""
    out: dict[tuple, str] = {}
    if isinstance(data.get("artifacts"), dict):
        given = ("artifacts", "bucket") if _get(data, "artifacts", "bucket") else ("artifacts",)
        out[given] = model_bucket(data, env)
        if data["artifacts"]["access_logs"]:
            out[given + ("(logs)",)] = log_bucket(data, env)
        if _get(data, "artifacts", "replica_region"):
            out[("artifacts", "replica_region")] = replica_bucket(data, env)
            out[("artifacts", "replica_region", "(logs)")] = replica_log_bucket(data, env)
    recorder = data.get("config_recorder")
    if isinstance(recorder, dict) and recorder["recorder"] == "create":
        out[("config_recorder", "recorder")] = config_bucket(data, env)
        out[("config_recorder", "recorder", "(logs)")] = config_log_bucket(data, env)
    return out


def backup_vault(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-vault"


def backup_plan(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-plan"


def backup_role(data: dict, env: str | None) -> str:
    """The IAM role AWS Backup assumes for backups and restores of the model bucket."""
    return f"{stack_name(data, env)}-backup"


def restore_bucket(data: dict, env: str | None, stamp: str) -> str:
    """Default destination of ``mplat restore``: ``<model bucket>-pitr-<stamp>`` (a new bucket per
    point in time; ``stamp`` is the restore time as ``YYYYMMDDhhmm``)."""
    return f"{model_bucket(data, env)}-pitr-{stamp}"


def config_recorder(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-recorder"


def codedeploy_app(data: dict, env: str | None) -> str:
    return stack_name(data, env)


def codedeploy_group(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-group"


def codedeploy_config(data: dict, env: str | None) -> str:
    """Name of the custom deployment config (only when the spec gives one)."""
    return f"{stack_name(data, env)}-config"


def alarm(data: dict, env: str | None, alarm_name: str) -> str:
    return f"{stack_name(data, env)}-{alarm_name}"


def kubernetes_object(data: dict) -> str:
    """Deployment, Service and PodDisruptionBudget are named ``<name>``."""
    return spec_name(data)
