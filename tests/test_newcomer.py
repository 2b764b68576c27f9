"""A newcomer's first hour (issue #19): every problem in one run, derived values reported at their
source, stack and environment in JSON, a summary that does not contradict itself."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from compiler import pipeline
from compiler.diagnostics import render_text

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "newcomer"
FIVE = DATA / "five-mistakes.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def mplat(*args, cwd=ROOT, check=None):
    proc = subprocess.run([sys.executable, "-m", "compiler.cli", *map(str, args)], cwd=cwd,
                          env=ENV, capture_output=True, text=True, timeout=300)
    if check is not None:
        assert proc.returncode == check, proc.stdout + proc.stderr
    return proc


def _marked_lines(path: Path) -> dict[int, str]:
    """line -> the planted mistake's comment (``# N. rule|schema: ...``) in the fixture."""
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if "# " in line and line.split("# ", 1)[1][:2].rstrip(".").isdigit():
            out[n] = line.split("# ", 1)[1]
    return out


FIVE_RULES = {  # the planted mistakes: line -> (rule, a word the hint must contain)
    10: ("tag-aws-prefix", "aws:"),
    15: ("bucket-name-invalid", "_"),
    20: ("backup-schedule-invalid", "day-of-week"),
    23: ("schema-enum", "Server"),
    38: ("kubernetes-quantity-invalid", "4GB"),
}


def test_five_mistakes_in_one_run():
    """A schema error (codedeploy) and rule errors of four families (tags, bucket names, backup
    schedule, kubernetes quantities) all come out of one validate, each at its line."""
    assert sorted(_marked_lines(FIVE)) == sorted(FIVE_RULES)
    result = pipeline.run([str(FIVE)])
    errors = [d for d in result.diagnostics if d.severity == "error"]
    found = {(d.line, d.rule) for d in errors}
    assert {(line, rule) for line, (rule, _) in FIVE_RULES.items()} <= found, render_text(errors)
    assert {d.line for d in errors} == set(FIVE_RULES), render_text(errors)


def test_rules_that_read_a_failing_section_are_skipped(tmp_path):
    """codedeploy fails its schema check: the codedeploy rules (which would read a document the
    schema rejected) do not run, and no rule reports about a section it could not see."""
    spec = tmp_path / "s.yaml"
    spec.write_text(FIVE.read_text().replace("  alarms: []\n", "  alarms: []\n  deployment_config: "
                                                                "CodeDeployDefault.ECSAllAtOnce\n"))
    result = pipeline.run([str(spec)])
    assert not [d for d in result.diagnostics if d.rule.startswith("codedeploy-")], \
        render_text(result.diagnostics)
    # backup-needs-artifacts reads artifacts: with artifacts failing it stays silent
    bad = tmp_path / "t.yaml"
    bad.write_text(FIVE.read_text().replace("  bucket: Fraud_Models", "  bucket: 12"))
    rules = {d.rule for d in pipeline.run([str(bad)]).diagnostics}
    assert "schema-type" in rules and "backup-needs-artifacts" not in rules
    assert "bucket-name-invalid" not in rules and "backup-schedule-invalid" in rules


def test_a_derived_value_is_reported_at_its_source_naming_the_environment():
    result = pipeline.run([str(FIVE)])
    derived = [d for d in result.diagnostics if "limits.memory" in d.message]
    assert len(derived) == 1, render_text(result.diagnostics)
    d = derived[0]
    assert (d.line, d.col) == (38, 28)        # prod's requests.memory, not the base resources key
    assert "(derived from kubernetes.resources.requests.memory, environment 'prod')" in d.message
    assert "the default" not in d.message
    assert d.stacks == (("fraud-scorer-prod", "prod"),)


def test_json_carries_stack_and_environment_and_the_summary_counts_stacks():
    proc = mplat("validate", "--format", "json", FIVE, check=1)
    items = json.loads(proc.stdout)
    by_line = {}
    for item in items:
        by_line.setdefault(item["line"], set()).add((item["stack"], item["environment"]))
    assert by_line[38] == {("fraud-scorer-prod", "prod")}
    assert by_line[10] == {("fraud-scorer-staging", "staging"), ("fraud-scorer-prod", "prod")}
    text = mplat("validate", FIVE, ROOT / "specs" / "ranker-minimal.yaml", check=1)
    assert text.stderr.strip().endswith(
        "2 file(s), 3 stack(s): 1 without errors, 2 with errors; 7 error(s), 1 warning(s)"), text.stderr
    # the one warning: state-local-production (#16), prod keeps a local state


# --- no silent no-ops: every value a warning-free spec writes matters ---------------------------

NOOP_BASE = DATA / "noop-base.yaml"
# Values that are documentation only, each with the reason it may not change the stack.
DOCUMENTATION_ONLY = {
    ("metadata", "description"): "a note for readers of the spec; no AWS resource has a field for it",
}


def _leaves(value, path=()):
    """(path, value) of every scalar and every list of scalars the spec writes."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, path + (key,))
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for i, sub in enumerate(value):
            yield from _leaves(sub, path + (i,))
    else:
        yield path, value


def _schema_node(path):
    from compiler.schema import document
    node = document.root()
    for part in path:
        node = document.deref(node)
        if isinstance(part, int):
            node = node.get("items", {})
            continue
        props = node.get("properties", {})
        if part not in props:
            for alt in node.get("oneOf", []) + node.get("anyOf", []):
                alt = document.deref(alt)
                if part in alt.get("properties", {}):
                    props = alt["properties"]
                    break
            else:
                props = (node.get("additionalProperties") or {}) and {part: node["additionalProperties"]}
        node = props.get(part, {})
    return document.deref(node)


def _candidates(path, value):
    """Other values to try at ``path`` (the first that validates is used)."""
    return [c for c in _tries(path, value) if c != value]


def _tries(path, value):
    enum = _schema_node(path).get("enum")
    if enum:
        return [v for v in enum if v != value]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, value * 2, value // 2]
    if isinstance(value, list):
        return [value[:-1], value + value[-1:]] if value else []
    if isinstance(value, str):
        return [value + "x", value[:-1] + "1", value.replace("1", "2"), value.replace("5", "6"),
                value.replace("us-east-1", "us-west-2")]
    return []


def _set(data, path, value):
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def test_changing_any_value_of_a_warning_free_spec_changes_the_stack_or_warns(tmp_path):
    """Each value the base spec writes is changed in turn to another valid value; the mutant must
    synthesize a different stack, or validate with a warning the base does not have (a setting
    without effect in its combination says so: artifacts-keep-without-expiry)."""
    import copy

    import yaml

    from generators.app import synthesize

    import dataclasses

    from review.compare import strip_metadata

    base = yaml.safe_load(NOOP_BASE.read_text())
    base_result = pipeline.run([str(NOOP_BASE)], build_models=True)
    assert base_result.ok and not base_result.diagnostics, render_text(base_result.diagnostics)

    tried, untestable, warned, silent = 0, [], 0, []
    mutants = []
    for path, value in _leaves(base):
        if path in DOCUMENTATION_ONLY or path in (("apiVersion",), ("kind",)):
            continue
        for candidate in _candidates(path, value):
            data = copy.deepcopy(base)
            _set(data, path, candidate)
            spec = tmp_path / f"m{len(mutants) + len(untestable)}.yaml"
            spec.write_text(yaml.safe_dump(data, sort_keys=False))
            result = pipeline.run([str(spec)], build_models=True)
            if result.ok:
                break
        else:
            untestable.append(path)
            continue
        tried += 1
        if result.diagnostics:          # a warning the base does not have: the user is told
            warned += 1
            continue
        mutants.append((path, candidate, result.models[0]))
    # one app: each stack under its own id (the id is only the construct id: the model already
    # holds every name), compared without the construct metadata ("//") that carries the id
    platforms = [dataclasses.replace(base_result.models[0], stack="zzbase")] + [
        dataclasses.replace(platform, stack=f"zzmutant{i:03d}") for i, (_, _, platform)
        in enumerate(mutants)]
    synthesize(platforms, tmp_path / "out")

    def output(stack: str) -> str:
        doc = json.loads((tmp_path / "out" / "stacks" / stack / "cdk.tf.json").read_text())
        text = json.dumps(strip_metadata(doc), sort_keys=True)
        assert stack not in text             # the id is in the metadata only: a fair comparison
        return text

    base_out = output("zzbase")
    for i, (path, candidate, _) in enumerate(mutants):
        if output(f"zzmutant{i:03d}") == base_out:
            silent.append(f"{'.'.join(map(str, path))} -> {candidate!r}")
    assert silent == [], "settings that change nothing and warn about nothing:\n" + "\n".join(silent)
    # the mutation really covers the spec: nearly every value it writes was changed
    assert tried >= 50 and len(untestable) <= tried // 5, (tried, untestable)


def test_keep_without_expiry_warns(tmp_path):
    """The known no-op (10 -> 20 gave an empty diff): a keep the spec writes without
    expire_after_days is a warning at keep's line; the default keep is silent."""
    spec = tmp_path / "s.yaml"
    spec.write_text(NOOP_BASE.read_text().replace("{keep: 10, expire_after_days: 90}", "{keep: 20}"))
    result = pipeline.run([str(spec)])
    assert [(d.line, d.severity, d.rule) for d in result.diagnostics] == [
        (16, "warning", "artifacts-keep-without-expiry")], render_text(result.diagnostics)
    assert "20" in result.diagnostics[0].message and "expire_after_days" in result.diagnostics[0].hint
    spec.write_text(NOOP_BASE.read_text().replace("{keep: 10, expire_after_days: 90}", "{}"))
    assert pipeline.run([str(spec)]).diagnostics == []


# --- commands a newcomer reaches for ------------------------------------------------------------

def run_cli(capsys, *args, cwd=None, monkeypatch=None):
    """``mplat ARGS`` in-process: (exit code, stdout, stderr)."""
    from mplat.cli import main
    if cwd is not None:
        monkeypatch.chdir(cwd)
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:          # --version and --help exit through argparse
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_version_names_mplat_the_engine_and_the_provider_pins(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0
    lock = (ROOT / "requirements.lock").read_text()
    cdktf = next(line.split("==")[1] for line in lock.splitlines() if line.startswith("cdktf=="))
    assert out.splitlines()[0].startswith("mplat 0.")
    assert f"cdktf {cdktf}" in out
    # the pins the stacks write (generators/stack.py's required_providers), from the golden
    golden = json.loads((ROOT / "tests/golden/fraud-detector-prod.json").read_text()) \
        if (ROOT / "tests/golden/fraud-detector-prod.json").is_file() else None
    if golden is not None and "terraform" in golden:
        for name, pin in golden["terraform"]["required_providers"].items():
            assert f"provider {name}: {pin['source']} {pin['version']}" in out


def test_init_writes_a_spec_that_validates_with_one_warning_per_placeholder(tmp_path, capsys,
                                                                            monkeypatch):
    code, out, err = run_cli(capsys, "init", "fraud-scorer", "--account", "123456789012",
                             "--region", "eu-west-1", "--env", "staging,prod", "--serving",
                             "kubernetes", cwd=tmp_path, monkeypatch=monkeypatch)
    assert code == 0, err
    spec = tmp_path / "specs" / "fraud-scorer.yaml"
    text = spec.read_text()
    result = pipeline.run([str(spec)])
    assert result.ok and len(result.stacks) == 2
    assert {d.rule for d in result.diagnostics} == {"placeholder-value"}
    placeholders = [n for n, line in enumerate(text.splitlines(), 1)
                    if "change-me" in line.split("#")[0]]
    assert sorted({d.line for d in result.diagnostics}) == placeholders    # each one flagged
    # the editor header points at the schema init wrote, relative to the spec
    header = text.splitlines()[0]
    assert header.startswith("# yaml-language-server: $schema=")
    schema_file = (spec.parent / header.split("=", 1)[1]).resolve()
    assert schema_file.read_text() == (ROOT / "schemas/model-platform.schema.json").read_text()
    # never overwrites; bad values write nothing; sagemaker says why
    code, _, err = run_cli(capsys, "init", "fraud-scorer", "--account", "123456789012",
                           "--region", "eu-west-1")
    assert code == 1 and "never overwrites" in err and spec.read_text() == text
    code, _, err = run_cli(capsys, "init", "Bad_Name", "--account", "123", "--region", "eu-west-1")
    assert code == 1 and "nothing written" in err and "schema-pattern" in err
    assert not (tmp_path / "specs" / "Bad_Name.yaml").exists()



def test_init_serving_sagemaker_writes_a_spec_that_validates(tmp_path, capsys, monkeypatch):
    """--serving sagemaker (#18): a pinned endpoint with one alarm, and each environment its own
    model package group (two stacks creating one group collide: sagemaker-group-duplicate)."""
    code, out, err = run_cli(capsys, "init", "pricer", "--account", "123456789012", "--region",
                             "eu-west-1", "--env", "staging,prod", "--serving", "sagemaker",
                             cwd=tmp_path, monkeypatch=monkeypatch)
    assert code == 0, err
    spec = tmp_path / "specs" / "pricer.yaml"
    result = pipeline.run([str(spec)], build_models=True)
    assert result.ok and len(result.stacks) == 2
    assert {d.rule for d in result.diagnostics} == {"placeholder-value"}
    groups = {m.stack: m.sagemaker.group for m in result.models}
    assert groups == {"pricer-staging": "pricer-staging", "pricer-prod": "pricer-prod"}
    assert all(m.kubernetes is None for m in result.models)


def test_every_rule_example_produces_its_rule_and_the_good_one_clears_it():
    from compiler.registry import docs as all_rule_docs
    from newcomer import explain
    table = explain.examples()["examples"]
    assert explain.validate_example(explain.examples()["base"]) == []
    wrong = []
    for rule in table:
        bad = {d.rule for d in explain.validate_example(explain.example_spec(rule, "bad"))}
        good = {d.rule for d in explain.validate_example(explain.example_spec(rule, "good"))}
        if rule not in bad or rule in good:
            wrong.append(f"{rule}: bad gives {sorted(bad)}, good gives {sorted(good)}")
    assert wrong == []
    # the rules without an example: about the file itself, or needing several files or shapes
    # the minimal spec does not have (listed so that a new rule gets an example or a reason)
    assert set(all_rule_docs()) - set(table) == {
        "file-unreadable", "no-specs", "path-not-found", "spec-name-duplicate", "schema-invalid",
        "yaml-alias", "yaml-depth", "yaml-duplicate-key", "yaml-empty", "yaml-key-type",
        "yaml-syntax", "yaml-top-level", "suppression-unused", "suppression-unknown-rule",
        # unreachable without a schema error (rule_examples.yaml says why)
        "codedeploy-name-invalid"}


def test_explain_rule_prints_doc_source_and_examples(capsys):
    code, out, _ = run_cli(capsys, "explain", "kubernetes-limit-opt-out")
    assert code == 0
    assert "CKV_K8S_11" in out and "rule module: compiler/rules/kubernetes_resources.py" in out
    assert "source: https://" in out
    assert "bad (" in out and "cpu: none" in out and "good (" in out
    code, _, err = run_cli(capsys, "explain", "bukcet-name-invalid")
    assert code == 2 and "did you mean 'bucket-name-invalid'" in err


def test_explain_path_says_where_a_value_came_from(capsys):
    spec = ROOT / "specs" / "fraud-detector.yaml"
    lines = spec.read_text().splitlines()
    prod_replicas = next(n for n, line in enumerate(lines, 1) if "replicas: 6" in line)
    base_request = next(n for n, line in enumerate(lines, 1) if "requests: {cpu: 500m" in line)
    cases = {
        "kubernetes.replicas": f"set at {spec}:{prod_replicas}:",          # overlay
        "kubernetes.port": "in the base",
        "kubernetes.automount_service_account_token": "the default",
        "backup.snapshots[0].schedule": "cron(0 5 * * ? *)",
    }
    for path, expected in cases.items():
        code, out, err = run_cli(capsys, "explain", spec, "--env", "prod", path)
        assert code == 0 and expected in out, (path, out, err)
    code, out, _ = run_cli(capsys, "explain", spec, "--env", "prod", "state.region")
    assert "derived from aws.region" in out
    spec2 = FIVE
    code, out, _ = run_cli(capsys, "explain", spec2, "--env", "staging",
                           "kubernetes.resources.limits.cpu")
    assert "derived from kubernetes.resources.requests.cpu = 500m" in out
    assert f"{spec2}:32:" in out and "in the base" in out
    assert base_request
    code, _, err = run_cli(capsys, "explain", spec, "kubernetes.replicas")
    assert code == 1 and "give --env" in err


def test_schema_out_writes_the_schema_for_editors(tmp_path, capsys):
    code, _, err = run_cli(capsys, "schema", "--out", tmp_path / "schemas" / "s.json")
    assert code == 0 and "wrote" in err
    assert (tmp_path / "schemas" / "s.json").read_text() == \
        (ROOT / "schemas/model-platform.schema.json").read_text()


def test_every_help_has_an_example():
    from mplat.cli import _parser
    from newcomer.cli import _walk
    missing = [name or "mplat" for name, p in _walk(_parser()) if "example:" not in p.format_help()]
    assert missing == []


def test_bash_completion_completes_commands_and_options(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "completion", "bash")
    assert code == 0
    script = tmp_path / "c.bash"
    script.write_text(out)

    def complete(*words):
        probe = (f'source {script}; COMP_WORDS=(mplat {" ".join(words)}); '
                 f'COMP_CWORD={len(words)}; _mplat; printf "%s\\n" "${{COMPREPLY[@]}}"')
        return subprocess.run(["bash", "-c", probe], capture_output=True, text=True,
                              cwd=tmp_path, check=True).stdout.split()
    assert complete("gr") == ["graph"]
    assert complete("graph", "--f") == ["--format"]
    assert complete("models", "h") == ["history"]
    for shell in ("zsh", "fish"):
        code, out, _ = run_cli(capsys, "completion", shell)
        assert code == 0 and "graph" in out and "--format" in out.replace("-l format", "--format")


# --- hints that fit: each names the part that failed ----------------------------------------------

# what the hint of each rule's bad example (newcomer/rule_examples.yaml) must contain: the
# offending value or part, or the repaired value; schema-* rules: the message (it names the field
# and the value; many of their hints are a "did you mean"), so the check is message + hint there
HINT_MENTIONS = {
    "bucket-name-invalid": ["'D', 'M'", "'_'", "demo-models"],
    "bucket-name-dots": ["demo-models"],
    "backup-schedule-invalid": ["day-of-week", "cron(0 5 * * ? *)"],
    "kubernetes-quantity-invalid": ["GB", "4G", "4Gi"],
    "kubernetes-image-unpinned": ["latest"],
    "kubernetes-name-invalid": ["ml-serving"],
    "kubernetes-percentage-range": ["150%"],
    "tag-aws-prefix": ["aws:", "'team'"],
    "tag-key-invalid": ["'!'", "'team'"],
    "tag-value-invalid": ["'!'", "'risk'"],
    "codedeploy-config-platform": ["CodeDeployDefault.AllAtOnce"],
    "kubernetes-deployment-duplicate": ["'demo'"],
    "schema-unknown-key": ["encrypton", "encryption"],
    "schema-one-of": ["eks_cluster", "kubeconfig"],
    "backup-needs-artifacts": ["artifacts section"],            # the part that is missing
    "codedeploy-alarm-required": ["codedeploy.alarms"],
    "codedeploy-ecs-blue-green": ["green"],
}


def _example_leaves(value, out):
    if isinstance(value, dict):
        for key, sub in value.items():
            out.add(str(key))
            _example_leaves(sub, out)
    elif isinstance(value, list):
        for sub in value:
            _example_leaves(sub, out)
    elif value is not None:
        out.add(str(value))
    return out


def test_each_rules_hint_names_the_offending_value_or_part():
    from newcomer import explain
    wrong = []
    for rule, example in explain.examples()["examples"].items():
        found = [d for d in explain.validate_example(explain.example_spec(rule, "bad"))
                 if d.rule == rule]
        texts = [(d.hint or "") + (" " + d.message if rule.startswith("schema-") else "")
                 for d in found]
        wanted = HINT_MENTIONS.get(rule)
        if wanted is not None:
            ok = any(all(w in t for w in wanted) for t in texts)
        else:   # the hint quotes a key or value the bad example wrote
            parts = _example_leaves(example["bad"], set()) - {"kubernetes", "metadata", "backup",
                                                              "artifacts", "codedeploy"}
            ok = any(any(p in t for p in parts) for t in texts)
        if not ok:
            wrong.append(f"{rule}: {texts}")
    assert wrong == [], "\n".join(wrong)


def test_bucket_and_cron_hints_are_chosen_by_the_failing_part():
    from compiler.rules import backup_schedule, names_buckets
    data = {"artifacts": {}, "metadata": {"name": "x" * 60}}
    assert names_buckets._hint(("artifacts",), "x" * 60 + "-models", data).startswith(
        "shorten metadata.name by at least 4 character(s)")
    data = {"artifacts": {"bucket": "xn--models"}, "metadata": {"name": "x"}}
    assert "'xn--'" in names_buckets._hint(("artifacts", "bucket"), "xn--models", data)
    for schedule, part in [("cron(0 25 * * ? *)", "hours field ('25'"),
                           ("cron(0 5 * FOO ? *)", "month field ('FOO'"),
                           ("cron(0 5 * *)", "has 4"),
                           ("cron(0 5 ? * ? *)", "day-of-month field to '*'"),
                           ("rate(1 hours)", "rate(1 hour)")]:
        problem = backup_schedule.schedule_problem(schedule)
        assert part in backup_schedule.schedule_hint(schedule, problem), schedule


def test_verify_fix_depends_on_what_aws_said():
    from operations.errors import OpsError
    from operations.verify import fix_for
    fixes = {code: fix_for(OpsError("x", code=code)) for code in
             ("AccessDenied", "404", "NoSuchBucket", "ResourceNotFoundException", "ExpiredToken",
              "Throttling", "EndpointConnectionError", "InternalError")}
    assert "grant" in fixes["AccessDenied"]
    for code in ("404", "NoSuchBucket", "ResourceNotFoundException"):
        assert "grant" not in fixes[code] and "apply the stack" in fixes[code]
    assert "credentials" in fixes["ExpiredToken"] and "again" in fixes["Throttling"]
    assert "AWS_ENDPOINT_URL" in fixes["EndpointConnectionError"]
    assert "InternalError" in fixes["InternalError"]
    assert len(set(fixes.values())) == 6


# --- the synth cache lands in the spec repository, never in mplat's own checkout -----------------

def test_cache_location(tmp_path, monkeypatch):
    from generators import incremental
    monkeypatch.delenv(incremental.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    repo = tmp_path / "spec-repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "specs").mkdir()
    monkeypatch.chdir(repo / "specs")                 # run from a subdirectory of a spec repo
    assert incremental.cache_dir() == repo.resolve() / ".mplat-cache"
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text("gitdir: /elsewhere\n")      # a git worktree's .git file
    monkeypatch.chdir(worktree)
    assert incremental.cache_dir() == worktree.resolve() / ".mplat-cache"
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    if incremental.git_top(plain.resolve()) is None:   # no git repository above the tmp dir
        assert incremental.cache_dir() == tmp_path / "xdg" / "mplat"
        assert ROOT not in incremental.cache_dir().parents
    monkeypatch.setenv(incremental.CACHE_ENV, str(tmp_path / "mine"))
    assert incremental.cache_dir() == tmp_path / "mine"


# --- acceptance: the newcomer path of the README's quick start, end to end ------------------------

def test_newcomer_path_init_validate_mistakes_explain_synth_graph(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MPLAT_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    repo.mkdir()
    # 1. init
    code, out, err = run_cli(capsys, "init", "fraud-scorer", "--account", "123456789012",
                             "--region", "us-east-1", "--env", "staging,prod", "--serving",
                             "kubernetes", cwd=repo, monkeypatch=monkeypatch)
    assert code == 0, err
    assert "4 placeholder(s) to replace" in out      # owner, cluster, image tag, prod's state bucket
    spec = repo / "specs" / "fraud-scorer.yaml"
    # 2. replace the placeholders: validate is clean (no error, no warning)
    text = spec.read_text()
    text = text.replace("owner: change-me", "owner: risk-ml") \
        .replace("eks_cluster: change-me", "eks_cluster: ml-prod").replace(":change-me", ":1.0.0") \
        .replace("bucket: change-me", "bucket: acme-terraform-state")
    spec.write_text(text)
    code, out, err = run_cli(capsys, "validate")
    assert (code, out) == (0, ""), out + err
    assert "2 stack(s): 2 without errors, 0 with errors; 0 error(s), 0 warning(s)" in err
    # 3. five mistakes, one run, each with a hint that fits
    bad = (text.replace("  owner: risk-ml", "  owner: risk-ml\n  tags: {aws:team: risk}")
           .replace("artifacts:\n", "artifacts:\n  bucket: Fraud_Models\n")
           .replace("  point_in_time: {retention_days: 35}\n",
                    "  point_in_time: {retention_days: 35}\n  snapshots:\n    - name: daily\n"
                    "      schedule: cron(0 5 * * * *)\n")
           .replace("kubernetes:\n  cluster", "codedeploy:\n  platform: EC2\n  ec2_tags: {app: x}\n"
                    "kubernetes:\n  cluster")
           .replace("    kubernetes: {namespace: fraud-scorer-prod}",
                    "    kubernetes: {namespace: fraud-scorer-prod, resources: {requests: "
                    "{memory: 4GB}}}"))
    spec.write_text(bad)
    code, out, err = run_cli(capsys, "validate", "--format", "json")
    assert code == 1
    found = {}
    for item in json.loads(out):
        found.setdefault(item["rule"], []).append(item)
    expect = {"tag-aws-prefix": "'team'", "bucket-name-invalid": "'fraud-models'",
              "backup-schedule-invalid": "day-of-week", "schema-enum": "Server",
              "kubernetes-quantity-invalid": "4Gi"}
    assert set(found) == set(expect), sorted(found)
    for rule, word in expect.items():
        texts = [(i["hint"] or "") + " " + i["message"] for i in found[rule]]
        assert any(word in t for t in texts), (rule, texts)
    assert {i["environment"] for i in found["kubernetes-quantity-invalid"]} == {"prod"}
    # 4. explain a rule and a value
    code, out, _ = run_cli(capsys, "explain", "kubernetes-quantity-invalid")
    assert code == 0 and "memory: 4GB" in out and "memory: 4Gi" in out
    code, out, _ = run_cli(capsys, "explain", spec, "--env", "prod",
                           "kubernetes.resources.limits.memory")
    assert code == 0 and "derived from kubernetes.resources.requests.memory = 4GB" in out
    assert "in the overlay of environment 'prod'" in out
    # 5. synth the repaired spec
    spec.write_text(text)
    code, out, err = run_cli(capsys, "synth")
    assert code == 0, err
    assert (tmp_path / "cache" / ".gitignore").read_text().endswith("\n*\n")   # never committed
    for env in ("staging", "prod"):
        stack = json.loads((repo / "cdktf.out" / "stacks" / f"fraud-scorer-{env}" /
                            "cdk.tf.json").read_text())
        assert "aws_s3_bucket" in stack["resource"]
    # 6. graph
    code, out, _ = run_cli(capsys, "graph", spec, "--env", "prod")
    assert code == 0 and out.startswith("flowchart LR")
    assert "fraud-scorer-prod-models-123456789012" in out and "-->|\"stores in\"| vault" in out


# --- pictures and diff text for people ----------------------------------------------------------

def test_graph_draws_capabilities_resources_and_connections(capsys):
    from compiler import model
    from newcomer import graph
    result = pipeline.run([str(ROOT / "tests/data/generators/features.yaml")], build_models=True)
    full = next(model.build(s) for s in result.stacks if s.env == "full")
    g = graph.build(full)
    assert {"artifacts", "backup", "config_recorder"} <= set(g.groups)
    labels = {node: label for nodes in g.groups.values() for node, label in nodes}
    edges = {(labels[a], label, labels[b]) for a, b, label in g.edges}
    a, b = full.artifacts, full.backup
    assert (f"S3 bucket {a.bucket}", "replicates to",
            f"S3 bucket {a.replica_bucket} ({a.replica_region})") in edges
    assert (f"Backup plan {b.plan}", "stores in", f"Backup vault {b.vault}") in edges
    assert (f"Backup plan {b.plan}", "protects", f"S3 bucket {a.bucket}") in edges
    prod = pipeline.run([str(ROOT / "specs/fraud-detector.yaml")], build_models=True)
    platform = next(model.build(s) for s in prod.stacks if s.env == "prod")
    text = graph.dot(graph.build(platform))
    alarm = platform.codedeploy.alarms[0].alarm_name
    assert text.startswith('digraph "fraud-detector-prod"') and f"alarm {alarm}" in text
    assert '-> alarm_high_5xx [label="rolls back on"]' in text
    code, out, _ = run_cli(capsys, "graph", ROOT / "specs/fraud-detector.yaml", "--env", "prod")
    assert code == 0 and 'deployment -->|"reads fraud/model.tar.gz"| bucket' in out


def test_graph_draws_the_sagemaker_capability(capsys):
    """model package group -> model -> endpoint configuration (-> KMS key) -> endpoint -> alarms,
    the execution role, and data capture -> the model bucket only when it is set."""
    from compiler import model
    from newcomer import graph

    def edges(platform):
        g = graph.build(platform)
        labels = {node: label for nodes in g.groups.values() for node, label in nodes}
        return {(labels[a], label, labels[b]) for a, b, label in g.edges}

    result = pipeline.run([str(ROOT / "specs/pricing-sagemaker.yaml")], build_models=True)
    pricing = edges(model.build(result.stacks[0]))
    config = "endpoint configuration pricing-* (4 x ml.m5.large)"
    endpoint = "SageMaker endpoint pricing (canary)"
    bucket = "S3 bucket pricing-models-123456789012"
    assert {("model package group pricing", "version 7", "SageMaker model of pricing/7"),
            ("SageMaker model of pricing/7", "variant live", config),
            (config, "encrypted by", "KMS key alias/pricing-sagemaker"),
            (config, "configures", endpoint),
            (endpoint, "rolls back on", "alarm pricing-sagemaker-errors-5xx"),
            (endpoint, "rolls back on", "alarm pricing-sagemaker-latency"),
            ("SageMaker model of pricing/7", "runs as", "IAM role pricing-sagemaker"),
            ("IAM role pricing-sagemaker", "reads pricing/", bucket),
            (config, "captures 10% to data-capture/pricing/", bucket)} <= pricing
    features = pipeline.run([str(ROOT / "tests/data/generators/features.yaml")],
                            build_models=True)
    lean = next(model.build(s) for s in features.stacks if s.env == "lean")
    assert lean.sagemaker is not None and lean.sagemaker.capture_percentage is None
    assert not [e for e in edges(lean) if e[1].startswith("captures")]
    code, out, _ = run_cli(capsys, "graph", ROOT / "specs/pricing-sagemaker.yaml")
    assert code == 0 and "subgraph sagemaker[sagemaker]" in out
    assert 'sm_config -->|"configures"| sm_endpoint' in out


def test_diff_names_list_entries_by_key():
    from review.compare import diff_values
    old = {"container": [{"env": [{"name": "MODEL_URI", "value": "s3://a/m"},
                                  {"name": "LOG_LEVEL", "value": "info"}]}],
           "alarms": ["x-high-5xx", "x-latency"]}
    new = {"container": [{"env": [{"name": "MODEL_URI", "value": "s3://b/m"},
                                  {"name": "LOG_LEVEL", "value": "info"},
                                  {"name": "DEBUG", "value": "1"}]}],
           "alarms": ["x-high-5xx"]}
    paths = [c.path for c in diff_values(old, new)]
    assert paths == ["alarms[x-latency]", "container[0].env[MODEL_URI].value",
                     "container[0].env[DEBUG]"]
    # only the order changed: reported on the whole list, never hidden
    assert [c.path for c in diff_values({"a": ["x", "y"]}, {"a": ["y", "x"]})] == ["a"]


def test_diff_text_puts_the_summary_first():
    text = (ROOT / "tests/golden/review/diff.txt").read_text().splitlines()
    verdict = next(i for i, line in enumerate(text) if "destructive change(s)" in line)
    first_detail = next(i for i, line in enumerate(text) if line.startswith("  - ")
                        or line.startswith("  -/+ ") or line.startswith("  + "))
    assert verdict < first_detail
    destructive = [line for line in text[:verdict] if "DESTRUCTIVE:" in line]
    assert destructive and all(line.strip().split(":")[0] in ("legacy", "shop-prod")
                               for line in destructive)          # greppable by stack


def test_mermaid_of_the_diff_and_the_graph_render_in_headless_chromium(tmp_path, capsys):
    """tools/mermaid_check.py in Chromium with mermaid's JavaScript; skipped, naming the missing
    tool, where either is absent (neither is a dependency: see the tool's docstring)."""
    import pytest

    from tools import mermaid_check
    if mermaid_check.chromium() is None:
        pytest.skip("no chromium (Debian package chromium; or $MPLAT_CHROMIUM)")
    if mermaid_check.mermaid_js() is None:
        pytest.skip("no mermaid.min.js (npm install mermaid@11; $MPLAT_MERMAID_JS)")
    code, out, _ = run_cli(capsys, "graph", ROOT / "specs/fraud-detector.yaml", "--env", "prod")
    graph_file = tmp_path / "graph.mmd"
    graph_file.write_text(out)
    assert mermaid_check.main([str(ROOT / "tests/golden/review/diff.md"), str(graph_file),
                               "--png", str(tmp_path)]) == 0
    assert (tmp_path / "diff-0.png").stat().st_size > 10000
