"""One resolved document per stack: compiler.defaults applies every default once, and no rule, derived
name or model code carries a default of its own.

The guard is an AST scan of compiler/rules, compiler/names.py, compiler/model and generators/ (the
code that reads the resolved document or the typed model built from it): it fails on a fallback for a key that has a default — a two-argument
``.get("key", x)``, ``.get("key") or x``, ``get(..., "key", default=x)`` or any ``fallback=``.
Such a fallback is dead code at best and, when someone later reads the raw document, a second
copy of the default that can drift from the schema (the bug behind issue #9: the rules read a
missing delete_after_days as "kept forever" while the model applied 35). A resolved-view type that
raises on such access was the alternative; it would catch only the accesses a test happens to
run, while the scan covers every line.

The same scan keeps derived facts in compiler/names.py (operations/ included, whose dicts are AWS
answers, not specs, so the fallback scan does not apply to it): outside names.py no string or f-string holds an
ARN (``arn:``; docstrings may show one), and generators/, operations/ and compiler/model declare no
default literal of their own (a parameter or field default that is a number other than 0, or a
service principal) -- those come from the resolved document and compiler.names.
"""
from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest
import yaml

from compiler import defaults, pipeline

ROOT = Path(__file__).resolve().parent.parent
SCANNED = sorted([*(ROOT / "compiler" / "rules").glob("*.py"), ROOT / "compiler" / "names.py",
                  *(ROOT / "compiler" / "model").glob("*.py"), *(ROOT / "generators").glob("*.py")])
PACKAGES = ("compiler", "generators", "operations", "review", "mplat")
ALL_CODE = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
NO_DEFAULT_LITERALS = sorted([*(ROOT / "compiler" / "model").glob("*.py"),
                              *(ROOT / "generators").glob("*.py"), *(ROOT / "operations").glob("*.py")])


def _key(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def fallbacks(source: str, keys: frozenset) -> list[str]:
    """Every fallback for a defaulted key in ``source``: "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if any(k.arg == "fallback" for k in node.keywords):
                found.append(f"{node.lineno}: fallback=")
            if isinstance(func, ast.Attribute) and func.attr in ("get", "setdefault") \
                    and len(node.args) >= 2 and _key(node.args[0]) in keys:
                found.append(f"{node.lineno}: .{func.attr}({_key(node.args[0])!r}, ...)")
            if isinstance(func, ast.Name) and func.id in ("get", "_get") and node.args \
                    and any(k.arg == "default" for k in node.keywords) \
                    and _key(node.args[-1]) in keys:
                found.append(f"{node.lineno}: {func.id}(..., {_key(node.args[-1])!r}, default=...)")
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            first = node.values[0]
            if isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute) \
                    and first.func.attr == "get" and first.args and _key(first.args[0]) in keys:
                found.append(f"{node.lineno}: .get({_key(first.args[0])!r}) or ...")
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) \
                and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant):
            out.add(id(node.body[0].value))
    return out


def arn_strings(source: str) -> list[str]:
    """Every string or f-string (docstrings excepted) that spells an ARN: "line: text"."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and "arn:" in node.value:
            found.append(f"{node.lineno}: {node.value[:60]!r}")
    return sorted(found)


def _is_default_literal(node: ast.AST | None) -> bool:
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool) or node.value is None:
        return False
    if isinstance(node.value, (int, float)):
        return node.value != 0
    return isinstance(node.value, str) and ("amazonaws.com" in node.value or "arn:" in node.value)


def default_literals(source: str) -> list[str]:
    """Parameter and dataclass-field defaults that are a fact of their own: "line: name"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            pairs = [*zip(reversed(args.posonlyargs + args.args), reversed(args.defaults),
                          strict=False), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
            found += [f"{node.lineno}: {node.name}({a.arg}=...)" for a, d in pairs
                      if _is_default_literal(d)]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and _is_default_literal(node.value):
            found.append(f"{node.lineno}: {node.target.id} = ...")
    return sorted(found)


def test_the_scan_finds_arns_and_default_literals():
    source = ('"""A docstring may show arn:aws:s3:::bucket."""\n'
              'a = f"arn:{part}:s3:::{bucket}"\n'
              'b = "arn:aws:iam::aws:policy/x"\n'
              'c = "kms:EncryptionContext:aws:s3:arn"\n'
              'def f(days: int = 7, *, principal="config.amazonaws.com", level=0, flag=True): ...\n'
              'class C:\n    partition: str = "aws"\n    days: int = 7\n')
    assert arn_strings(source) == ["2: 'arn:'", "3: 'arn:aws:iam::aws:policy/x'"]
    assert default_literals(source) == ["5: f(days=...)", "5: f(principal=...)", "8: days = ..."]


@pytest.mark.parametrize("path", ALL_CODE, ids=[str(p.relative_to(ROOT)) for p in ALL_CODE])
def test_arns_are_formed_in_names_only(path):
    if path == ROOT / "compiler" / "names.py":
        return
    assert arn_strings(path.read_text()) == [], \
        f"{path.relative_to(ROOT)} spells an ARN: use compiler.names (arn, s3_arn, role_arn, ...)"


@pytest.mark.parametrize("path", NO_DEFAULT_LITERALS,
                         ids=[str(p.relative_to(ROOT)) for p in NO_DEFAULT_LITERALS])
def test_no_default_literal_outside_names_and_the_schema(path):
    assert default_literals(path.read_text()) == [], \
        f"{path.relative_to(ROOT)} declares a default of its own: take it from the resolved " \
        "document (the schema, compiler.defaults) or compiler.names"


def test_the_scan_finds_every_kind_of_fallback():
    keys = frozenset({"delete_after_days", "namespace"})
    source = (
        "a = snap.get('delete_after_days', 35)\n"
        "b = k8s.get('namespace') or 'default'\n"
        "c = get(data, 'backup', 'delete_after_days', default=None)\n"
        "d = default('backup', 'x', fallback=1)\n"
        "e = snap.get('cold_storage_after_days', None)\n"       # no default: allowed
        "f = k8s['namespace']\n")                               # the resolved value: allowed
    assert fallbacks(source, keys) == [
        "1: .get('delete_after_days', ...)", "2: .get('namespace') or ...",
        "3: get(..., 'delete_after_days', default=...)", "4: fallback="]


@pytest.mark.parametrize("path", SCANNED, ids=[str(p.relative_to(ROOT)) for p in SCANNED])
def test_no_second_copy_of_a_default(path):
    assert fallbacks(path.read_text(), defaults.defaulted_keys()) == [], \
        f"{path.relative_to(ROOT)} falls back on its own value for a key that has a default: read " \
        "the resolved document (compiler.defaults) instead"


def test_defaulted_keys_cover_the_schema_and_the_derived_defaults():
    keys = defaults.defaulted_keys()
    for key in ("delete_after_days", "retention_days", "replicas", "access_logs", "recorder",
                "resource_types", "namespace", "liveness_path", "deployment_config", "limits"):
        assert key in keys, key


# --- the resolved document ------------------------------------------------------------------------

SPEC = """
apiVersion: mplat/v1
kind: ModelPlatform
metadata: {name: demo, owner: team}
aws: {region: eu-west-1}
state: {backend: s3, bucket: st}
artifacts: {}
backup:
  snapshots: [{name: daily, schedule: "cron(0 5 * * ? *)", cold_storage_after_days: 30}]
config_recorder: {}
codedeploy: {platform: ECS, ecs: {cluster: c, service: s, listener_arns: ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/a/1/2"],
                                  target_groups: [a, b]}}
kubernetes:
  cluster: {eks_cluster: ml}
  image: r/m:1
  readiness_path: /ready
  resources: {requests: {cpu: 2}, limits: {memory: 3Gi}}
"""


def resolved():
    return defaults.resolve_data(yaml.safe_load(SPEC))


def test_schema_defaults_fill_present_parents_and_leave_sections_out():
    data, filled = resolved()
    snap = data["backup"]["snapshots"][0]
    assert (snap["delete_after_days"], snap["start_window_minutes"]) == (35, 60)
    assert data["backup"]["point_in_time"] == {"retention_days": 35}      # continuous: on
    assert ("backup", "point_in_time") in filled and \
        ("backup", "point_in_time", "retention_days") in filled
    assert ("backup", "snapshots", 0, "cold_storage_after_days") not in filled
    assert data["artifacts"]["noncurrent_versions"] == {"keep": 10}
    assert data["kubernetes"]["rolling_update"] == {"max_surge": 1, "max_unavailable": 0}
    assert data["config_recorder"]["resource_types"] == "all"
    assert "vault_lock" not in data["backup"] and "object_lock" not in data["artifacts"]
    assert "lambda" not in data["codedeploy"]            # optional mappings stay optional


def test_derived_defaults():
    data, filled = resolved()
    k8s = data["kubernetes"]
    assert k8s["namespace"] == "demo" and ("kubernetes", "namespace") in filled
    assert k8s["liveness_path"] == "/ready"
    # a missing limit is the request, a missing request the limit; untouched values stay
    assert k8s["resources"] == {"requests": {"cpu": 2, "memory": "3Gi"},
                                "limits": {"cpu": 2, "memory": "3Gi"}}
    assert ("kubernetes", "resources", "limits", "cpu") in filled
    assert ("kubernetes", "resources", "requests", "cpu") not in filled
    assert data["codedeploy"]["deployment_config"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    assert data["codedeploy"]["auto_rollback"]["events"] == ["DEPLOYMENT_FAILURE"]
    assert data["state"] == {"backend": "s3", "bucket": "st", "key_prefix": "mplat",
                             "region": "eu-west-1"}
    assert data["config_recorder"]["rules"][0] == "S3_BUCKET_VERSIONING_ENABLED"


def test_a_local_backend_gets_no_s3_defaults():
    raw = yaml.safe_load(SPEC)
    del raw["state"]
    data, _ = defaults.resolve_data(raw)
    assert data["state"] == {"backend": "local"}


def test_resolving_is_pure_and_idempotent():
    raw = yaml.safe_load(SPEC)
    before = copy.deepcopy(raw)
    data, filled = defaults.resolve_data(raw)
    assert raw == before
    again, more = defaults.resolve_data(data)
    assert again == data and more == frozenset()


def test_the_resolved_document_is_schema_valid():
    """Defaults are values the schema accepts (else the model would emit what validate rejects)."""
    from compiler import schema
    data, _ = resolved()
    data.pop("state")                       # key_prefix/region are only valid with backend s3
    assert [e.message for e in schema.validator().iter_errors(data)] == []


def test_derived_defaults_are_documented_in_the_schema():
    text = (ROOT / "schemas" / "model-platform.schema.json").read_text()
    for name in defaults.DEPLOYMENT_CONFIG.values():
        assert name.split(".", 1)[1] in text, name
    for words in ("default: metadata.name", "default: readiness_path", "default: aws.region",
                  "equals its request", "none"):
        assert words in text, words


def test_pipeline_stacks_are_resolved(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(SPEC.replace(", cold_storage_after_days: 30", ""))
    result = pipeline.run(["a.yaml"], build_models=True)
    assert result.ok, result.diagnostics
    (stack,) = result.stacks
    assert stack.resolved and stack.data["kubernetes"]["namespace"] == "demo"
    (platform,) = result.models
    assert platform.kubernetes.namespace == "demo"
    assert dict(platform.kubernetes.limits) == {"cpu": "2", "memory": "3Gi"}
    assert platform.backup.snapshots[0].delete_after_days == 35


def test_a_finding_at_a_defaulted_path_says_it_is_the_default():
    """The safety net behind the rules' own wording: a finding about a value the spec did not
    write names the value as the default; a finding about a written value is left alone."""
    import dataclasses

    from compiler import rules
    from compiler.diagnostics import Finding
    from compiler.overlay import StackInput

    stack = defaults.resolve(StackInput("x.yaml", None, yaml.safe_load(SPEC), positions=None))
    at_default = Finding(("backup", "snapshots", 0, "delete_after_days"), "r", "too short")
    assert rules.mark_default(stack, at_default).message == \
        "too short (backup.snapshots[0].delete_after_days: 35, the default)"
    written = dataclasses.replace(at_default, path=("backup", "snapshots", 0, "schedule"))
    assert rules.mark_default(stack, written) == written
    said = dataclasses.replace(at_default, message="delete_after_days is 35 (the default)")
    assert rules.mark_default(stack, said) == said
