"""Schema stage: every kind of schema problem, rendered exactly as users see it.

Each case is a small spec (written to a file) and the exact `file:line:col: error rule: message`
lines (with hints) that `compiler.schema.check` produces for it, across all of its stacks.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from compiler import ROOT, SCHEMA_PATH, schema
from compiler.diagnostics import render_text, sort_unique, to_diagnostic
from compiler.load import load_file, load_text
from compiler.overlay import stacks_of

HEAD = ("apiVersion: mplat/v1\n"
        "kind: ModelPlatform\n"
        "metadata: {name: demo-model, owner: ml}\n"
        "aws: {region: us-east-1}\n")
K8S = ("kubernetes:\n"
       "  cluster: {eks_cluster: ml}\n"
       "  namespace: ml\n"
       "  image: repo/model:1.0\n")


def diagnose(tmp_path: Path, text: str) -> list:
    """The diagnostics of the schema stage for one spec file, over all its stacks."""
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    doc, diags = load_file(str(path), "spec.yaml")
    assert doc is not None and not diags, render_text(diags)
    out = []
    for stack in stacks_of(doc):
        out += [to_diagnostic(f, stack.positions) for f in schema.check(stack)]
    return sort_unique(out)


BAD_SPECS = [
    pytest.param(
        HEAD + 'kubernets: {}\n',
        ["spec.yaml:5:1: error schema-unknown-key: unknown key 'kubernets' at the top level",
         "  hint: did you mean 'kubernetes'?"],
        id='unknown-top-level'),
    pytest.param(
        HEAD + ('artifacts:\n'
         '  bucket: demo-models\n'
         '  encrypton: kms\n'),
        ["spec.yaml:7:3: error schema-unknown-key: unknown key 'encrypton' in artifacts",
         "  hint: did you mean 'encryption'?"],
        id='unknown-nested'),
    pytest.param(
        HEAD + ('artifacts:\n'
         '  zzz: 1\n'),
        ["spec.yaml:6:3: error schema-unknown-key: unknown key 'zzz' in artifacts",
         '  hint: allowed keys here: bucket, noncurrent_versions, encryption, object_lock, access_logs, replica_region'],
        id='unknown-no-suggestion'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatform\n'
         'metadata:\n'
         '  name: demo-model\n'
         'aws: {region: us-east-1}\n'),
        ["spec.yaml:3:1: error schema-required: metadata is missing the required key 'owner'",
         "  hint: add 'owner': The owning team; tagged Owner on every AWS resource."],
        id='missing-key'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatform\n'
         'metadata: {name: demo-model, owner: ml}\n'),
        ["spec.yaml:1:1: error schema-required: the spec is missing the required key 'aws'",
         "  hint: add 'aws': The AWS account and region the stack deploys to."],
        id='missing-sections'),
    pytest.param(
        HEAD + ('codedeploy:\n'
         '  platform: server\n'),
        ["spec.yaml:6:13: error schema-enum: codedeploy.platform is 'server'; allowed: Server, ECS, Lambda",
         "  hint: did you mean 'Server'?"],
        id='enum-platform'),
    pytest.param(
        HEAD + ('config_recorder:\n'
         '  delivery_frequency: six_hours\n'),
        ["spec.yaml:6:23: error schema-enum: config_recorder.delivery_frequency is 'six_hours'; allowed: One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours",
         "  hint: did you mean 'Six_Hours'?"],
        id='enum-delivery'),
    pytest.param(
        HEAD + ('codedeploy:\n'
         '  platform: Lambda\n'
         '  lambda: {function: f, alias: live}\n'
         '  auto_rollback: {events: [DEPLOYMENT_FAIL]}\n'),
        ["spec.yaml:8:28: error schema-enum: codedeploy.auto_rollback.events[0] is 'DEPLOYMENT_FAIL'; allowed: DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST",
         "  hint: did you mean 'DEPLOYMENT_FAILURE'?"],
        id='enum-events'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatform\n'
         'metadata: {name: Fraud_Detector, owner: ml}\n'
         'aws: {region: us-east-1}\n'),
        ["spec.yaml:3:18: error schema-pattern: metadata.name is 'Fraud_Detector'; it must be lowercase letters, digits and '-', start with a letter and end with a letter or digit"],
        id='pattern-name'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatform\n'
         'metadata: {name: demo-model, owner: ml}\n'
         'aws: {region: us-east-1, account_id: "1234"}\n'),
        ["spec.yaml:4:38: error schema-pattern: aws.account_id is '1234'; it must be exactly 12 digits, written in quotes"],
        id='pattern-account'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatform\n'
         'metadata: {name: demo-model, owner: ml}\n'
         'aws:\n'
         '  region: us-east-1\n'
         '  account_id: 123456789012\n'),
        ['spec.yaml:6:15: error schema-type: aws.account_id must be a string, not the number 123456789012',
         '  hint: write the value in quotes: "123456789012"'],
        id='type-account-int'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatform\n'
         'metadata: {name: ab, owner: ml}\n'
         'aws: {region: us-east-1}\n'),
        ['spec.yaml:3:18: error schema-length: metadata.name has 2 characters; allowed: 3-32 characters'],
        id='length-name'),
    pytest.param(
        HEAD + ('artifacts:\n'
         '  noncurrent_versions: {keep: 0}\n'),
        ['spec.yaml:6:31: error schema-range: artifacts.noncurrent_versions.keep is 0; allowed: 1-100'],
        id='range-keep'),
    pytest.param(
        HEAD + ('artifacts: {}\n'
         'backup:\n'
         '  point_in_time: {retention_days: 40}\n'),
        ['spec.yaml:7:35: error schema-range: backup.point_in_time.retention_days is 40; allowed: 1-35'],
        id='range-retention'),
    pytest.param(
        HEAD + K8S + '  port: 70000\n',
        ['spec.yaml:9:9: error schema-range: kubernetes.port is 70000; allowed: 1-65535'],
        id='range-port'),
    pytest.param(
        HEAD + ('codedeploy:\n'
         '  platform: ECS\n'
         '  ecs:\n'
         '    cluster: ml\n'
         '    service: svc\n'
         '    listener_arns: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2"]\n'
         '    target_groups: [blue, green]\n'
         '    termination_wait_minutes: 3000\n'),
        ['spec.yaml:12:31: error schema-range: codedeploy.ecs.termination_wait_minutes is 3000; allowed: 0-2880'],
        id='range-termination-wait'),
    pytest.param(
        HEAD + ('codedeploy:\n'
         '  platform: Lambda\n'
         '  lambda: {function: f, alias: live}\n'
         '  alarms:\n'
         '    - {name: errors, namespace: AWS/Lambda, metric: Errors, threshold: 1, period_seconds: 45}\n'),
        ['spec.yaml:9:91: error schema-one-of: codedeploy.alarms[0].period_seconds is 45; it must be 10, 30 or a multiple of 60'],
        id='period-seconds'),
    pytest.param(
        HEAD + ('config_recorder:\n'
         '  rules: [S3_BUCKET_VERSIONING_ENABLED, S3_BUCKET_VERSIONING_ENABLED]\n'),
        ["spec.yaml:6:41: error schema-duplicate-item: config_recorder.rules lists 'S3_BUCKET_VERSIONING_ENABLED' more than once",
         '  hint: remove the repeated item'],
        id='duplicate-item'),
    pytest.param(
        HEAD + ('config_recorder:\n'
         '  resource_types: [AWS::S3::Bucket, s3-bucket]\n'),
        ["spec.yaml:6:37: error schema-pattern: config_recorder.resource_types[1] is 's3-bucket'; it must be a resource type such as AWS::S3::Bucket"],
        id='resource-type-pattern'),
    pytest.param(
        HEAD + ('codedeploy:\n'
         '  platform: ECS\n'
         '  deployment_config:\n'
         '    canary: {percentage: 10}\n'),
        ["spec.yaml:8:5: error schema-required: codedeploy.deployment_config.canary is missing the required key 'interval_minutes'",
         "  hint: add 'interval_minutes': Minutes between traffic shifts (>= 1)."],
        id='deployment-config-nested'),
    pytest.param(
        HEAD + ('codedeploy:\n'
         '  platform: ECS\n'
         '  deployment_config:\n'
         '    canary: {percentage: 10, interval_minutes: 5}\n'
         '    linear: {percentage: 10, interval_minutes: 1}\n'),
        ['spec.yaml:8:5: error schema-one-of: codedeploy.deployment_config takes exactly one of {minimum_healthy_hosts}, {canary}, {linear}',
         '  hint: keep the keys of one form and remove the others'],
        id='deployment-config-mixed'),
    pytest.param(
        HEAD + ('codedeploy:\n'
         '  platform: Server\n'
         '  deployment_config: 5\n'),
        ['spec.yaml:7:22: error schema-type: codedeploy.deployment_config must be a config name, or a mapping with one of minimum_healthy_hosts, canary, linear, not the number 5'],
        id='deployment-config-type'),
    pytest.param(
        HEAD + ('codedeploy:\n'
         '  platform: Server\n'
         '  deployment_config:\n'
         '    minimum_healthy_hosts: {type: HOST_COUNTS, value: 1}\n'),
        ["spec.yaml:8:35: error schema-enum: codedeploy.deployment_config.minimum_healthy_hosts.type is 'HOST_COUNTS'; allowed: HOST_COUNT, FLEET_PERCENT",
         "  hint: did you mean 'HOST_COUNT'?"],
        id='deployment-config-host-type'),
    pytest.param(
        HEAD + ('kubernetes:\n'
         '  cluster: {eks_cluster: ml, context: prod}\n'
         '  namespace: ml\n'
         '  image: repo/model:1.0\n'),
        ['spec.yaml:6:12: error schema-one-of: kubernetes.cluster takes either {kubeconfig, context} or {eks_cluster}, not both',
         '  hint: keep the keys of one form and remove the others'],
        id='cluster-mixed'),
    pytest.param(
        HEAD + ('kubernetes:\n'
         '  cluster: {context: prod}\n'
         '  namespace: ml\n'
         '  image: repo/model:1.0\n'),
        ["spec.yaml:6:3: error schema-required: kubernetes.cluster is missing the required key "
         "'kubeconfig'",
         "  hint: add 'kubeconfig': Path to the kubeconfig file, kept as written (no ~ expansion), "
         "e.g. ~/.kube/config."],
        id='cluster-partial'),
    pytest.param(
        HEAD + ('kubernetes:\n'
         '  cluster: {eks_clster: ml}\n'
         '  namespace: ml\n'
         '  image: repo/model:1.0\n'),
        ["spec.yaml:6:13: error schema-unknown-key: unknown key 'eks_clster' in kubernetes.cluster",
         "  hint: did you mean 'eks_cluster'?"],
        id='cluster-misspelt'),
    pytest.param(
        HEAD + ('kubernetes:\n'
         '  cluster: {}\n'
         '  namespace: ml\n'
         '  image: repo/model:1.0\n'),
        ['spec.yaml:6:3: error schema-one-of: kubernetes.cluster is empty; it takes either {kubeconfig, context} or {eks_cluster}'],
        id='cluster-empty'),
    pytest.param(
        HEAD + K8S + '  disruption_budget: {min_available: 1, max_unavailable: 1}\n',
        ['spec.yaml:9:22: error schema-one-of: kubernetes.disruption_budget takes either {min_available} or {max_unavailable}, not both',
         '  hint: keep the keys of one form and remove the others'],
        id='budget-both'),
    pytest.param(
        HEAD + K8S + '  disruption_budget: {min_available: "50"}\n',
        ['spec.yaml:9:38: error schema-pattern: kubernetes.disruption_budget.min_available is \'50\'; it must be a whole number or a percentage such as "25%"'],
        id='budget-percent'),
    pytest.param(
        HEAD + K8S + '  disruption_budget: {max_unavailable: -1}\n',
        ['spec.yaml:9:40: error schema-range: kubernetes.disruption_budget.max_unavailable is -1; allowed: at least 0'],
        id='budget-negative'),
    pytest.param(
        HEAD + K8S + '  rolling_update: {max_surge: 1.5}\n',
        ['spec.yaml:9:31: error schema-type: kubernetes.rolling_update.max_surge must be a whole number or a percentage such as "25%", not the number 1.5'],
        id='surge-float'),
    pytest.param(
        ('apiVersion: mplat/v2\n'
         'kind: ModelPlatform\n'
         'metadata: {name: demo-model, owner: ml}\n'
         'aws: {region: us-east-1}\n'),
        ["spec.yaml:1:13: error api-version: unsupported apiVersion 'mplat/v2'; this compiler reads mplat/v1",
         '  hint: write apiVersion: mplat/v1'],
        id='api-version'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatfrom\n'
         'metadata: {name: demo-model, owner: ml}\n'
         'aws: {region: us-east-1}\n'),
        ["spec.yaml:2:7: error kind: unsupported kind 'ModelPlatfrom'; expected ModelPlatform",
         '  hint: write kind: ModelPlatform'],
        id='kind'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatform\n'
         'metadata: {name: demo-model, owner: ml}\n'
         'aws:\n'
         '  region: no\n'),
        ['spec.yaml:5:11: error schema-type: aws.region must be a string, not the boolean false',
         '  hint: YAML 1.1 reads an unquoted no as false; write "no" in quotes'],
        id='region-no'),
    pytest.param(
        ('apiVersion: mplat/v1\n'
         'kind: ModelPlatform\n'
         'metadata:\n'
         '  name: demo-model\n'
         '  owner: ml\n'
         '  tags: {critical: yes}\n'
         'aws: {region: us-east-1}\n'),
        ['spec.yaml:6:20: error schema-type: metadata.tags.critical must be a string, not the boolean true',
         '  hint: YAML 1.1 reads an unquoted yes as true; write "yes" in quotes'],
        id='tag-yes'),
    pytest.param(
        HEAD + "artifacts: {}\n" + K8S + '  model: {key: on, version_id: abc}\n',
        ['spec.yaml:10:16: error schema-type: kubernetes.model.key must be a string, not the boolean true',
         '  hint: YAML 1.1 reads an unquoted on as true; write "on" in quotes'],
        id='model-key-on'),
    pytest.param(
        HEAD + "artifacts: {}\n" + K8S + '  model: {key: m.tar.gz, version_id: 2024-01-01}\n',
        ['spec.yaml:10:38: error schema-type: kubernetes.model.version_id must be a string, not the date 2024-01-01',
         '  hint: YAML reads it as a date; write "2024-01-01" in quotes'],
        id='date-value'),
    pytest.param(
        HEAD + K8S + '  env: {WORKERS: 4}\n',
        ['spec.yaml:9:18: error schema-type: kubernetes.env.WORKERS must be a string, not the number 4',
         '  hint: write the value in quotes: "4"'],
        id='env-value-int'),
    pytest.param(
        HEAD + K8S + '  env: {1WORKERS: "4"}\n',
        ["spec.yaml:9:9: error schema-pattern: environment variable name '1WORKERS' in kubernetes.env must be letters, digits and '_', not starting with a digit"],
        id='env-var-name'),
    pytest.param(
        HEAD + 'backup:\n',
        ['spec.yaml:5:1: error schema-type: backup must be a mapping, not empty (null)',
         '  hint: give it a value, or remove the key'],
        id='null-section'),
    pytest.param(
        HEAD + ('state:\n'
         '  backend: s3\n'),
        ["spec.yaml:5:1: error schema-required: state is missing the required key 'bucket' (required when backend is s3)",
         "  hint: add 'bucket': s3 backend: the S3 bucket holding the state (required with s3)."],
        id='state-s3-no-bucket'),
    pytest.param(
        HEAD + ('state:\n'
         '  bucket: tf-state\n'),
        ['spec.yaml:6:3: error schema-not-allowed: state.bucket is only used when backend is s3',
         '  hint: remove bucket, or set backend: s3'],
        id='state-local-bucket'),
    pytest.param(
        HEAD + K8S + ('environments:\n'
         '  dev:\n'
         '    kubernetes: {replicaz: 1}\n'
         '  prod:\n'
         '    kubernetes: {replicas: 6}\n'),
        ["spec.yaml:11:18: error schema-unknown-key: unknown key 'replicaz' in kubernetes (environment 'dev')",
         "  hint: did you mean 'replicas'?"],
        id='overlay-unknown-key'),
    pytest.param(
        HEAD + K8S + ('environments:\n'
         '  dev:\n'
         '    kubernets: {replicas: 1}\n'
         '  prod: {}\n'),
        ["spec.yaml:11:5: error schema-unknown-key: unknown key 'kubernets' in environments.dev",
         "  hint: did you mean 'kubernetes'?"],
        id='overlay-unknown-section'),
    pytest.param(
        HEAD + ('environments:\n'
         '  dev:\n'
         '    environments: {}\n'),
        ["spec.yaml:7:5: error schema-unknown-key: unknown key 'environments' in environments.dev",
         "  hint: 'environments' cannot be set per environment; an overlay may hold: metadata, aws, state, artifacts, backup, config_recorder, codedeploy, kubernetes, sagemaker"],
        id='overlay-nested-environments'),
    pytest.param(
        HEAD + K8S + ('environments:\n'
         '  dev:\n'
         '    kubernetes: {replicas: 1}\n'
         '  prod:\n'
         '    kubernetes: {replicas: 0}\n'),
        ["spec.yaml:13:28: error schema-range: kubernetes.replicas is 0; allowed: at least 1 (environment 'prod')"],
        id='overlay-bad-value'),
    pytest.param(
        HEAD + ('environments:\n'
         '  dev: 5\n'),
        ['spec.yaml:6:8: error schema-type: environments.dev must be a mapping or null, not the number 5'],
        id='overlay-type'),
    pytest.param(
        HEAD + ('environments:\n'
         '  Prod: {}\n'
         '  preproduction: {}\n'
         '  qa: {}\n'),
        ["spec.yaml:6:3: error schema-pattern: environment name 'Prod' in environments must be a lowercase letter then up to 9 lowercase letters or digits",
         "spec.yaml:7:3: error schema-pattern: environment name 'preproduction' in environments must be a lowercase letter then up to 9 lowercase letters or digits"],
        id='env-name'),
]


@pytest.mark.parametrize("text, expected", BAD_SPECS)
def test_bad_spec(tmp_path, text, expected):
    diagnostics = diagnose(tmp_path, text)
    assert render_text(diagnostics).splitlines() == expected
    assert all(d.rule in schema.RULES_DOC for d in diagnostics)


def test_every_rule_id_is_documented_and_exercised():
    seen = {line.split(" error ", 1)[1].split(":", 1)[0]
            for param in BAD_SPECS for line in param.values[1] if " error " in line}
    assert seen <= set(schema.RULES_DOC)
    # every rule except the fallback has at least one case in the table
    assert set(schema.RULES_DOC) - seen == {schema.RULE_INVALID}
    for rule, doc in schema.RULES_DOC.items():
        assert doc and "\n" not in doc and doc.endswith("."), rule


def test_overlay_error_reported_once_across_stacks(tmp_path):
    text = HEAD + K8S + ("environments:\n"
                         "  dev:\n"
                         "    kubernets: {replicas: 1}\n"
                         "  staging: {}\n"
                         "  prod:\n"
                         "    kubernetes: {replicas: 6}\n")
    diagnostics = diagnose(tmp_path, text)
    assert [(d.line, d.col, d.rule) for d in diagnostics] == [(11, 5, "schema-unknown-key")]


def test_base_error_is_the_same_in_every_stack(tmp_path):
    text = HEAD + K8S + "  replicaz: 2\nenvironments:\n  dev: {}\n  prod: {}\n"
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    doc, _ = load_file(str(path), "spec.yaml")
    per_stack = [[to_diagnostic(f, s.positions) for f in schema.check(s)] for s in stacks_of(doc)]
    assert len(per_stack) == 2 and per_stack[0] == per_stack[1]
    assert render_text(per_stack[0]) == (
        "spec.yaml:9:3: error schema-unknown-key: unknown key 'replicaz' in kubernetes\n"
        "  hint: did you mean 'replicas'?")


def test_findings_are_deterministic_and_deduplicated(tmp_path):
    text = ("apiVersion: mplat/v9\nkind: Other\nmetdata: {}\naws: {region: no, zone: a}\n"
            "kubernetes: {cluster: {}, replicas: -1, port: x}\n")
    doc, _ = load_text(text, "spec.yaml")
    (stack,) = stacks_of(doc)
    first = schema.check(stack)
    again = schema.check(stack)
    assert first == again
    keys = [(f.path, f.rule) for f in first]
    assert len(keys) == len(set(keys))
    assert [f.rule for f in first] == [
        "schema-required", "api-version", "kind", "schema-unknown-key", "schema-type",
        "schema-unknown-key", "schema-required", "schema-one-of", "schema-range", "schema-type"]


def test_required_keys_are_reported_together(tmp_path):
    diagnostics = diagnose(tmp_path, "apiVersion: mplat/v1\nkind: ModelPlatform\n")
    assert render_text(diagnostics) == (
        "spec.yaml:1:1: error schema-required: the spec is missing the required keys "
        "'metadata' and 'aws'\n"
        "  hint: add 'metadata': Who this model platform is: its name names every resource.")


# --- the example specs and the contract's own example ------------------------------------------

EXAMPLES = sorted((ROOT / "specs").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_spec_has_no_schema_findings(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/model-platform.schema.json")
    doc, diags = load_text(text, path.name)
    assert doc is not None and not diags
    for stack in stacks_of(doc):
        findings = schema.check(stack)
        assert not findings, render_text(to_diagnostic(f, stack.positions) for f in findings)


def test_there_are_example_specs():
    assert len(EXAMPLES) >= 4, "specs/ should hold the four example specs of issue 2"


def _contract_example() -> str:
    """The complete example of the contract (its commented alternatives stay comments)."""
    contract = (ROOT.parent / "shared" / "spec-v1.md")
    if not contract.exists():
        pytest.skip("the contract is not next to the repository")
    text = contract.read_text(encoding="utf-8")
    return text.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_contract_example_validates():
    doc, diags = load_text(_contract_example(), "contract.yaml")
    assert doc is not None and not diags
    stacks = stacks_of(doc)
    assert [s.env for s in stacks] == ["dev", "prod"]
    for stack in stacks:
        assert schema.check(stack) == []


# --- the schema itself ---------------------------------------------------------------------------

def _nodes(node, path=()):
    """Every schema node with its path inside the schema document."""
    yield path, node
    if isinstance(node, dict):
        for key, sub in node.items():
            if key in ("const", "enum", "default", "examples"):
                continue
            yield from _nodes(sub, path + (key,))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _nodes(sub, path + (i,))


def test_schema_is_valid_draft_2020_12():
    doc = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] and doc["title"]
    assert schema.schema_text() == SCHEMA_PATH.read_text(encoding="utf-8")
    assert schema.validator() is schema.validator()


def test_every_object_is_closed_and_every_field_described():
    doc = schema.schema()
    checked = 0
    for path, node in _nodes(doc):
        if not isinstance(node, dict) or {"if", "then", "else"} & set(path):
            continue  # conditions only restate properties declared (and described) beside them
        if "properties" in node:
            assert node.get("additionalProperties") is False, path
        if len(path) >= 2 and path[-2] == "properties":
            target = node
            if "$ref" in node and "description" not in node:
                target = doc["$defs"][node["$ref"].rsplit("/", 1)[1]]
            assert target.get("description"), f"no description at {'/'.join(map(str, path))}"
            checked += 1
    assert checked > 100


def test_defaults_are_valid_values():
    doc = schema.schema()
    for path, node in _nodes(doc):
        if isinstance(node, dict) and "default" in node:
            sub = copy.deepcopy(node)
            sub.pop("default")
            sub["$defs"] = doc["$defs"]
            errors = list(Draft202012Validator(sub).iter_errors(node["default"]))
            assert not errors, f"{'/'.join(map(str, path))}: {errors[0].message}"


def test_contract_defaults():
    defs = schema.schema()["$defs"]
    assert defs["state"]["properties"]["backend"]["default"] == "local"
    assert defs["artifacts"]["properties"]["encryption"]["default"] == "kms"
    assert defs["artifacts"]["properties"]["access_logs"]["default"] is True
    assert defs["kubernetes"]["properties"]["progress_deadline_seconds"]["default"] == 600
    assert schema.schema()["properties"]["environments"]["propertyNames"]["pattern"] \
        == "^[a-z][a-z0-9]{0,9}$"


def test_schema_check_never_raises_on_odd_values(tmp_path):
    text = HEAD + K8S + ("  replicas: .inf\n  port: !!binary aGVsbG8=\n  env: {A: [1, {b: 2}]}\n"
                         "  resources: {requests: {cpu: null}}\n")
    doc, diags = load_text(text, "spec.yaml")
    assert doc is not None, diags
    (stack,) = stacks_of(doc)
    rendered = render_text(to_diagnostic(f, stack.positions) for f in schema.check(stack))
    assert "spec.yaml:9:13: error schema-type: kubernetes.replicas must be a whole number" in rendered
    assert "kubernetes.port must be a whole number" in rendered
    assert "kubernetes.env.A must be a string, not a list" in rendered
