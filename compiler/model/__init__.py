"""The typed model: one frozen dataclass per capability, every default applied, every derived name
computed once (from ``compiler.names``). It is the only input the generators get; they contain no
validation and no defaults.

``build(stack)`` turns one validated stack (``compiler.overlay.StackInput``) into a ``Platform``.
It reads the stack's resolved document (``compiler.defaults.resolve``: every default applied, the
same document the rules check) and never carries a default of its own. It never imports the CDK
engine.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import names
from ..defaults import resolve
from . import artifacts as artifacts_model
from . import backup as backup_model
from . import codedeploy as codedeploy_model
from . import config as config_model
from . import kubernetes as kubernetes_model
from . import sagemaker as sagemaker_model
from .artifacts import Artifacts, ObjectLock
from .backup import Backup, Snapshot, VaultLock
from .codedeploy import CodeDeploy
from .config import ConfigRecorder, Rule
from .kubernetes import Kubernetes
from .sagemaker import SageMaker


@dataclass(frozen=True)
class State:
    """Where Terraform keeps this stack's state."""
    backend: str                 # s3 | local
    bucket: str | None = None    # s3
    region: str | None = None    # s3 (default aws.region)
    key: str | None = None       # s3: <key_prefix>/<stack>.tfstate
    path: str | None = None      # local: relative to the stack directory (names.local_state_path)


@dataclass(frozen=True)
class Platform:
    stack: str                              # <name> or <name>-<env>
    spec_name: str
    env: str | None
    source_file: str                        # for messages only; never written into output
    owner: str
    description: str | None
    region: str
    account_id: str | None
    tags: tuple[tuple[str, str], ...]       # provider default_tags, sorted by key
    state: State
    partition: str                          # of the region: aws, aws-cn, aws-us-gov, ...
    artifacts: Artifacts | None = None
    backup: Backup | None = None
    config: ConfigRecorder | None = None
    codedeploy: CodeDeploy | None = None
    kubernetes: Kubernetes | None = None
    sagemaker: SageMaker | None = None


def _state(data: dict, env: str | None) -> State:
    spec = data["state"]
    if spec["backend"] == "s3":
        return State(backend="s3", bucket=spec["bucket"], region=spec["region"],
                     key=names.state_key(data, env))
    return State(backend="local", path=names.local_state_path(data, env))


def _tags(data: dict, env: str | None) -> tuple[tuple[str, str], ...]:
    tags = {str(k): "" if v is None else str(v)
            for k, v in (data["metadata"].get("tags") or {}).items()}
    tags.update(names.compiler_tags(data, env))
    return tuple(sorted(tags.items()))


def build(stack) -> Platform:
    stack = resolve(stack)                 # a no-op for the stacks of compiler.pipeline
    data = stack.data
    env = stack.env
    name = names.stack_name(data, env)
    meta = data["metadata"]
    aws = data["aws"]
    region = aws["region"]
    account = aws.get("account_id")
    return Platform(
        stack=name,
        spec_name=names.spec_name(data),
        env=env,
        source_file=stack.file,
        owner=str(meta["owner"]),
        description=meta.get("description"),
        region=region,
        account_id=str(account) if account is not None else None,
        tags=_tags(data, env),
        state=_state(data, env),
        artifacts=artifacts_model.build(data, env) if isinstance(data.get("artifacts"), dict) else None,
        backup=backup_model.build(data, env) if isinstance(data.get("backup"), dict) else None,
        config=config_model.build(
            data, env, rules_given=("config_recorder", "rules") not in stack.defaulted)
        if isinstance(data.get("config_recorder"), dict) else None,
        codedeploy=codedeploy_model.build(data, env),
        kubernetes=kubernetes_model.build(data, env),
        sagemaker=sagemaker_model.build(data, env),
        partition=names.partition(region),
    )


__all__ = ["Platform", "State", "Artifacts", "ObjectLock", "Backup", "Snapshot", "VaultLock",
           "ConfigRecorder", "Rule", "SageMaker", "build"]
