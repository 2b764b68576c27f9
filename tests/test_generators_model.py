"""The typed model of artifacts, backup and config_recorder: defaults applied, names derived once.

Defaults must be the ones the JSON Schema documents (one truth for users and generators).
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from compiler import model
from compiler.overlay import StackInput

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "model-platform.schema.json").read_text())


def platform(text: str, env: str | None = None):
    data = yaml.safe_load(text)
    return model.build(StackInput(file="x.yaml", env=env, data=data, positions=None))


MINIMAL = """
apiVersion: mplat/v1
kind: ModelPlatform
metadata: {name: demo, owner: team, tags: {b: "2", a: "1"}}
aws: {region: eu-west-1, account_id: "123456789012"}
artifacts: {}
backup: {snapshots: [{name: daily, schedule: "cron(0 5 * * ? *)"}]}
config_recorder: {}
"""


def schema_default(*path):
    node = SCHEMA["$defs"]
    for part in path:
        node = node[part] if part in node else node["properties"][part]
    return node["default"]


def test_platform_fields_and_tags():
    p = platform(MINIMAL)
    assert (p.stack, p.spec_name, p.env, p.region, p.account_id) == \
        ("demo", "demo", None, "eu-west-1", "123456789012")
    assert p.tags == (("ManagedBy", "mplat"), ("Owner", "team"), ("Stack", "demo"),
                      ("a", "1"), ("b", "2"))
    assert p.state == model.State(backend="local", path="../../../terraform.demo.tfstate")
    assert p.codedeploy is None and p.kubernetes is None


def test_models_are_frozen_and_use_tuples():
    p = platform(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.stack = "other"
    assert isinstance(p.backup.snapshots, tuple) and isinstance(p.config.rules, tuple)
    hash(p)                                                     # hashable all the way down


def test_defaults_are_the_schemas():
    p = platform(MINIMAL)
    a, b, c = p.artifacts, p.backup, p.config
    assert a.keep == schema_default("artifacts", "noncurrent_versions", "keep")
    assert a.encryption == schema_default("artifacts", "encryption")
    assert a.access_logs == schema_default("artifacts", "access_logs")
    assert a.expire_after_days is None and a.object_lock is None and a.replica_region is None
    assert b.point_in_time_days == schema_default("backup", "point_in_time", "retention_days")
    (snap,) = b.snapshots
    snap_schema = SCHEMA["$defs"]["backup"]["properties"]["snapshots"]["items"]["properties"]
    assert snap.start_window_minutes == snap_schema["start_window_minutes"]["default"]
    assert snap.completion_window_minutes == snap_schema["completion_window_minutes"]["default"]
    assert snap.delete_after_days == snap_schema["delete_after_days"]["default"]
    assert c.create is (schema_default("config_recorder", "recorder") == "create")
    assert c.all_resources is (schema_default("config_recorder", "resource_types") == "all")
    assert c.include_global_resource_types == \
        schema_default("config_recorder", "include_global_resource_types")
    assert c.recording_frequency == schema_default("config_recorder", "recording_frequency")
    assert c.delivery_frequency == schema_default("config_recorder", "delivery_frequency")
    assert platform(MINIMAL.replace("aws:", "state: {backend: s3, bucket: st}\naws:")).state == \
        model.State(backend="s3", bucket="st", region="eu-west-1",
                    key=f"{schema_default('state', 'key_prefix')}/demo.tfstate")


def test_derived_names():
    p = platform(MINIMAL)
    assert p.artifacts.bucket == "demo-models-123456789012"
    assert p.artifacts.log_bucket == "demo-models-123456789012-logs"
    assert p.artifacts.kms_alias == "alias/demo-artifacts"
    assert (p.backup.vault, p.backup.plan, p.backup.protected_bucket) == \
        ("demo-vault", "demo-plan", "demo-models-123456789012")
    assert (p.config.recorder, p.config.bucket, p.config.log_bucket) == \
        ("demo-recorder", "demo-config-123456789012", "demo-config-123456789012-logs")
    env = platform(MINIMAL, env="dev")
    assert env.stack == "demo-dev" and env.artifacts.bucket == "demo-dev-models-123456789012"


def test_options_off_leave_no_names():
    p = platform(MINIMAL.replace("artifacts: {}", "artifacts: {access_logs: false, encryption: s3}"))
    assert p.artifacts.log_bucket is None and p.artifacts.kms_alias is None
    assert p.artifacts.replica_bucket is None and p.artifacts.replication_role is None


def test_default_rules_follow_the_spec():
    ids = [r.identifier for r in platform(MINIMAL).config.rules]
    assert ids == ["S3_BUCKET_VERSIONING_ENABLED", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
                   "S3_BUCKET_SSL_REQUESTS_ONLY", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
                   "S3_BUCKET_LOGGING_ENABLED", "S3_RESOURCES_PROTECTED_BY_BACKUP_PLAN"]
    given = platform(MINIMAL.replace("config_recorder: {}",
                                     "config_recorder: {rules: [IAM_ROOT_ACCESS_KEY_CHECK]}"))
    assert given.config.rules == (model.Rule(name="demo-iam-root-access-key-check",
                                             identifier="IAM_ROOT_ACCESS_KEY_CHECK"),)


def test_model_never_imports_the_engine():
    import engineprobe
    result = engineprobe.probe("import compiler.model, compiler.pipeline")
    assert result.returncode == 0, result
    engineprobe.assert_engine_not_loaded(result)
    assert "generators" not in result.modules, result.modules
