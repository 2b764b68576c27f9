"""`mplat diff` and `mplat affected` on small git repositories built in a temporary directory.

Every run goes through the CLI in this process (tools.review_golden.run_mplat), with a synth cache
shared by the module, so a stack synthesized once is not built again.
"""
from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from review import compare, gitrefs, replacement
from tools import review_golden
from tools.review_golden import DATA, GOLDEN, commit_tree, git, run_mplat

ROOT = Path(__file__).resolve().parent.parent
SHOP = (DATA / "base" / "specs" / "shop.yaml").read_text()


@pytest.fixture(scope="module", autouse=True)
def shared_cache(tmp_path_factory):
    saved = os.environ.get("MPLAT_CACHE_DIR")
    os.environ["MPLAT_CACHE_DIR"] = str(tmp_path_factory.mktemp("review-cache"))
    yield
    if saved is None:
        os.environ.pop("MPLAT_CACHE_DIR", None)
    else:
        os.environ["MPLAT_CACHE_DIR"] = saved


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository on main whose one commit holds tests/data/review/base (shop, legacy)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit_tree(repo, DATA / "base", "base")
    return repo


def edit(repo: Path, old: str, new: str, name: str = "shop.yaml") -> None:
    path = repo / "specs" / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def commit(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def affected(repo: Path, *args: str) -> dict:
    code, out, err = run_mplat(repo, ["affected", "--format", "json", *args])
    assert code == 0, err
    return json.loads(out)


def diff(repo: Path, *args: str) -> tuple[int, dict]:
    code, out, err = run_mplat(repo, ["diff", "--format", "json", *args])
    assert code in (0, 3), err
    doc = json.loads(out)
    assert doc["exit_code"] == code
    return code, doc


def stack(doc: dict, name: str) -> dict:
    return next(s for s in doc["stacks"] if s["stack"] == name)


def resource(stack_doc: dict, address: str) -> dict:
    return next(r for r in stack_doc["resources"] if r["address"] == address)


# --- the acceptance scenarios --------------------------------------------------------------------

def test_replicas_change_in_an_overlay_is_safe_and_affects_only_that_environment(repo):
    edit(repo, "      replicas: 3", "      replicas: 5")         # prod's overlay
    commit(repo)
    code, doc = diff(repo, "--base", "HEAD~1")
    assert code == 0 and doc["destructive"] is False
    assert [s["stack"] for s in doc["stacks"]] == ["shop-prod"]
    deployment = resource(stack(doc, "shop-prod"), "kubernetes_deployment_v1.k8s_deployment")
    assert deployment["action"] == "update"
    assert {"path": "spec.replicas", "old": "3", "new": "5"} in deployment["changes"]
    assert [s["stack"] for s in affected(repo, "--base", "HEAD~1")["affected"]] == ["shop-prod"]
    code, out, _ = run_mplat(repo, ["diff", "--base", "HEAD~1"])
    assert code == 0 and "no destructive change" in out


def test_change_in_the_shared_base_affects_every_environment(repo):
    edit(repo, "shop:1.0.0", "shop:1.1.0")                      # the base's image
    commit(repo)
    doc = affected(repo, "--base", "HEAD~1")
    assert [s["stack"] for s in doc["affected"]] == ["shop-dev", "shop-prod"]
    assert doc["removed"] == []


def test_rename_is_destructive_and_names_the_bucket_replacement(repo):
    edit(repo, "metadata: {name: shop,", "metadata: {name: store,")
    commit(repo)
    code, doc = diff(repo, "--base", "HEAD~1")
    assert code == 3 and doc["destructive"]
    renamed = stack(doc, "store-prod")
    assert renamed["status"] == "renamed" and renamed["old_stack"] == "shop-prod"
    bucket = resource(renamed, "aws_s3_bucket.model_bucket")
    assert bucket["action"] == "replace" and bucket["destructive"]
    assert {"path": "bucket", "old": "shop-prod-models-123456789012",
            "new": "store-prod-models-123456789012", "forces_replacement": "bucket"} \
        in bucket["changes"]
    # a companion that refers to the replaced bucket is replaced with it
    versioning = resource(renamed, "aws_s3_bucket_versioning.model_bucket_versioning")
    assert versioning["action"] == "replace"
    assert versioning["notes"] == ["bucket refers to aws_s3_bucket.model_bucket, which is replaced"]
    code, out, _ = run_mplat(repo, ["diff", "--base", "HEAD~1"])
    assert code == 3
    assert ('bucket: "shop-prod-models-123456789012" -> "store-prod-models-123456789012"  '
            "(forces replacement: bucket)") in out
    assert "renamed from shop-prod" in out
    removed = affected(repo, "--base", "HEAD~1")["removed"]
    assert [r["stack"] for r in removed] == ["shop-dev", "shop-prod"]


def test_allow_destroy_accepts_and_echoes_the_reason(repo):
    edit(repo, "metadata: {name: shop,", "metadata: {name: store,")
    commit(repo)
    reason = "TICKET-42: buckets are empty, rename approved"
    for fmt in ("text", "markdown", "json"):
        code, out, _ = run_mplat(repo, ["diff", "--base", "HEAD~1", "--format", fmt,
                                        "--allow-destroy", reason])
        assert code == 0, fmt
        assert reason in out, fmt
    code, _, err = run_mplat(repo, ["diff", "--base", "HEAD~1", "--allow-destroy", " "])
    assert code == 2 and "needs a reason" in err


def test_deleted_spec_is_listed_for_destroy(repo):
    (repo / "specs" / "legacy.yaml").unlink()
    commit(repo)
    doc = affected(repo, "--base", "HEAD~1")
    assert doc["affected"] == []
    assert doc["removed"] == [{"action": "destroy", "env": None, "file": "specs/legacy.yaml",
                               "stack": "legacy"}]
    code, out, _ = run_mplat(repo, ["affected", "--base", "HEAD~1"])
    assert out == "legacy\tdestroy\n"
    code, d = diff(repo, "--base", "HEAD~1")
    assert code == 3                               # it holds a bucket
    legacy = stack(d, "legacy")
    assert legacy["status"] == "removed"
    assert resource(legacy, "aws_s3_bucket.model_bucket")["reasons"] == [
        "removes a stateful aws_s3_bucket: its objects and every version are lost"]


def test_dirty_working_tree_is_compared_and_left_untouched(repo):
    edit(repo, "shop:1.0.0", "shop:1.0.2")                                          # unstaged
    shutil.copy(DATA / "head" / "specs" / "search.yaml", repo / "specs" / "search.yaml")  # untracked
    (repo / "specs" / "legacy.yaml").unlink()                                       # deleted
    status = git(repo, "status", "--porcelain")
    index = (repo / ".git" / "index").read_bytes()
    code, doc = diff(repo)                         # default base: the merge-base with main
    assert doc["base"]["how"].startswith("merge-base of HEAD and main")
    assert sorted(doc["uncommitted"]) == [" D specs/legacy.yaml", " M specs/shop.yaml",
                                          "?? specs/search.yaml"]
    statuses = {s["stack"]: s["status"] for s in doc["stacks"]}
    assert statuses == {"legacy": "removed", "search": "added", "shop-dev": "changed",
                        "shop-prod": "changed"}
    deployment = resource(stack(doc, "shop-dev"), "kubernetes_deployment_v1.k8s_deployment")
    assert deployment["action"] == "update"
    assert git(repo, "status", "--porcelain") == status
    assert (repo / ".git" / "index").read_bytes() == index
    assert git(repo, "stash", "list") == "" and git(repo, "worktree", "list").count("\n") == 1


def test_base_where_the_spec_did_not_exist_yet(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("platform specs\n")
    commit(repo, "no specs yet")
    commit_tree(repo, DATA / "base", "add specs")
    code, doc = diff(repo, "--base", "HEAD~1")
    assert code == 0
    assert {s["stack"]: s["status"] for s in doc["stacks"]} == {
        "legacy": "added", "shop-dev": "added", "shop-prod": "added"}
    bucket = resource(stack(doc, "shop-dev"), "aws_s3_bucket.model_bucket")
    assert bucket["action"] == "create"


def test_by_output_not_by_file_name(repo):
    # the file changes, the output does not: writing out a schema default
    edit(repo, "  replicas: 2\n", "  replicas: 2\n  revision_history_limit: 10\n")
    commit(repo)
    doc = affected(repo, "--base", "HEAD~1")
    assert doc["affected"] == [] and doc["removed"] == []
    code, d = diff(repo, "--base", "HEAD~1")
    assert code == 0 and d["stacks"] == [] and d["compared_files"] == 1


def test_github_matrix(repo):
    edit(repo, "shop:1.0.0", "shop:1.0.1")
    commit(repo)
    code, out, _ = run_mplat(repo, ["affected", "--base", "HEAD~1", "--format", "github-matrix",
                                    "--out", "build/out"])
    assert code == 0 and out.count("\n") == 1
    assert json.loads(out) == {"include": [
        {"stack": "shop-dev", "dir": "build/out/stacks/shop-dev"},
        {"stack": "shop-prod", "dir": "build/out/stacks/shop-prod"}]}


def test_default_base_is_the_merge_base_with_main(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "      replicas: 3", "      replicas: 4")
    commit(repo)
    git(repo, "checkout", "-q", "main")
    edit(repo, "{keep: 3}", "{keep: 4}", "legacy.yaml")          # main moves on meanwhile
    commit(repo)
    git(repo, "checkout", "-q", "feature")
    doc = affected(repo)
    assert doc["base"]["how"].startswith("merge-base of HEAD and main")
    assert [s["stack"] for s in doc["affected"]] == ["shop-prod"]   # not legacy: main's change


def test_errors_exit_1_and_2(repo, tmp_path):
    edit(repo, "replicas: 2", "replicas: two")
    code, out, err = run_mplat(repo, ["diff", "--base", "HEAD"])
    assert code == 1 and "shop.yaml:" in err and "Traceback" not in err
    code, _, err = run_mplat(repo, ["diff", "--base", "no-such-ref"])
    assert code == 2 and "no-such-ref: no such revision" in err
    bare = tmp_path / "plain"
    shutil.copytree(DATA / "base", bare)
    code, _, err = run_mplat(bare, ["affected"])
    assert code == 2 and "not inside a git repository" in err
    lonely = tmp_path / "lonely"
    shutil.copytree(DATA / "base", lonely)
    git(lonely, "init", "-q", "-b", "trunk")
    commit(lonely)
    code, _, err = run_mplat(lonely, ["diff"])
    assert code == 2 and "no default branch found" in err and "--base" in err


def test_goldens():
    """tests/golden/review/: regenerate with `make golden` (tools/review_golden.py)."""
    expected = {"diff.txt": 3, "diff.md": 3, "diff.json": 3, "affected.txt": 0,
                "affected.json": 0, "affected-matrix.json": 0}
    for name, (code, text) in review_golden.outputs().items():
        assert code == expected[name], name
        assert text == (GOLDEN / name).read_text(), f"{name} differs: run `make golden`"


def test_validate_never_imports_review():
    code = ("import sys; from mplat import cli; rc = cli.main(['validate', 'specs']); "
            "assert 'review' not in sys.modules and 'generators' not in sys.modules; "
            "sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# --- the comparison itself -----------------------------------------------------------------------

def _doc(resources: dict, backend_key: str = "a.tfstate") -> dict:
    return {"//": {"metadata": {"stackName": "x"}},
            "terraform": {"backend": {"s3": {"bucket": "s", "key": backend_key}}},
            "resource": resources}


def test_address_change_is_destructive():
    old = _doc({"aws_iam_role": {"a": {"name": "r"}}})
    new = _doc({"aws_iam_role": {"b": {"name": "r"}}})
    changes = {c.address: c for c in compare.compare_docs(old, new)}
    assert changes["aws_iam_role.a"].action == "delete"
    assert "its address changes" in changes["aws_iam_role.a"].reasons[0]
    assert changes["aws_iam_role.b"].action == "create"


def test_removing_a_stateless_resource_is_not_destructive():
    old = _doc({"aws_cloudwatch_metric_alarm": {"a": {"alarm_name": "x"}}})
    (change,) = compare.compare_docs(old, _doc({}))
    assert change.action == "delete" and not change.destructive


def test_policy_strings_are_diffed_as_json_and_metadata_ignored():
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                      "Resource": "arn:aws:s3:::b/*"}]}
    changed = json.loads(json.dumps(policy))
    changed["Statement"][0]["Action"] = ["s3:GetObject", "s3:PutObject"]
    old = _doc({"aws_s3_bucket_policy": {"p": {"//": {"metadata": {"path": "a"}},
                                               "bucket": "b", "policy": json.dumps(policy)}}})
    new = _doc({"aws_s3_bucket_policy": {"p": {"//": {"metadata": {"path": "b"}},
                                               "bucket": "b", "policy": json.dumps(changed)}}})
    (change,) = compare.compare_docs(old, new)
    assert change.action == "update" and not change.destructive
    (attr,) = change.changes
    assert attr.path == "policy"
    assert [(c.path, c.old, c.new) for c in attr.json_changes] == [
        ("Statement[0].Action", "s3:GetObject", ["s3:GetObject", "s3:PutObject"])]


def test_state_move_is_destructive():
    resources = {"aws_iam_role": {"a": {"name": "r"}}}
    (change,) = compare.compare_docs(_doc(resources, "a.tfstate"), _doc(resources, "b.tfstate"))
    assert change.address == "terraform" and change.destructive
    assert "the state moves" in change.reasons[0]


def test_replacement_table_paths():
    assert replacement.replacement_attribute("aws_s3_bucket", "bucket") == "bucket"
    assert replacement.replacement_attribute("aws_s3_bucket", "object_lock_enabled") \
        == "object_lock_enabled"
    assert replacement.replacement_attribute("kubernetes_deployment_v1", "metadata.namespace") \
        == "metadata.namespace"
    assert replacement.replacement_attribute("kubernetes_deployment_v1", "metadata.labels.app") \
        is None
    assert replacement.replacement_attribute("aws_backup_selection", "resources[0]") == "resources"
    assert replacement.replacement_attribute("aws_codedeploy_app", "name") is None
    assert replacement.replacement_attribute("aws_kms_key", "policy") is None


def test_every_generated_type_is_in_the_table(synth_specs, synth_features):
    """A new resource type must get its row (its ForceNew attributes, read from the provider)."""
    types = set()
    for synthesized in (synth_specs, synth_features):
        for name in synthesized.stacks:
            types |= set(synthesized.doc(name).get("resource", {}))
    assert types and not types - set(replacement.FORCES_REPLACEMENT)


def test_git_blob_hash_matches_git(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n\xc3\xa9\n")
    assert gitrefs.blob_hash(path.read_bytes()) == \
        subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True,
                       check=True).stdout.strip()


def test_docs_list_the_replacement_table():
    """docs/ci.md shows the table of review/replacement.py, row for row."""
    rows = {}
    for line in (ROOT / "docs" / "ci.md").read_text().splitlines():
        found = re.fullmatch(r"\| `(\w+)` \| (.*) \|", line)
        if found:
            rows[found.group(1)] = tuple(re.findall(r"`([^`]+)`", found.group(2)))
    assert rows == replacement.FORCES_REPLACEMENT


def test_background_validation_path(repo, monkeypatch):
    """With many files, a forked process validates all of them while the changed ones are built:
    the same result, and an error in an unchanged file still stops the run (exit 1)."""
    from review import changeset
    monkeypatch.setattr(changeset, "BACKGROUND_MIN", 1)
    edit(repo, "      replicas: 3", "      replicas: 6")
    commit(repo)
    assert [s["stack"] for s in affected(repo, "--base", "HEAD~1")["affected"]] == ["shop-prod"]
    edit(repo, "{keep: 3}", "{keep: 0}", "legacy.yaml")     # unchanged at HEAD~1..HEAD: invalid
    code, _, err = run_mplat(repo, ["affected", "--base", "HEAD"])
    assert code == 1 and "specs/legacy.yaml:" in err
    code, _, err = run_mplat(repo, ["diff", "--base", "HEAD~1", "specs/shop.yaml"])
    assert code == 0, err                      # the invalid file is not among the paths given


def test_a_changed_schema_default_in_mplat_itself_affects_by_output(tmp_path):
    """In a repository that holds mplat itself, a change to mplat (here a schema default) is
    compared by output: the base is synthesized with the base's own mplat."""
    from generators.incremental import CODE_INPUTS
    from review.basecode import FACE
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for name in (*CODE_INPUTS, FACE):            # the base runs its own face: python -m mplat
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, repo / name)
    commit_tree(repo, DATA / "base", "mplat and specs")
    schema = repo / "schemas" / "model-platform.schema.json"
    text = schema.read_text()
    old = '"description": "Old ReplicaSets kept to roll back to (>= 1: with 0 there is nothing to ' \
          'roll back to).",\n          "minimum": 1,\n          "default": 10'
    assert old in text
    schema.write_text(text.replace(old, old[:-2] + "11"))
    env = {**os.environ, "PYTHONPATH": str(repo)}
    node = ROOT / "node_modules" / "node" / "bin" / "node"
    if node.is_file():
        env.setdefault("JSII_NODE", str(node))
    proc = subprocess.run([sys.executable, "-m", "mplat", "diff", "--format", "json"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["mplat_changed"] is True and doc["compared_files"] == 0
    assert [s["stack"] for s in doc["stacks"]] == ["shop-dev", "shop-prod"]   # not legacy
    deployment = resource(stack(doc, "shop-dev"), "kubernetes_deployment_v1.k8s_deployment")
    assert {"path": "spec.revision_history_limit", "old": 10, "new": 11} in deployment["changes"]


def test_markdown_stays_within_a_comment(repo, monkeypatch):
    from review import render
    edit(repo, "metadata: {name: shop,", "metadata: {name: store,")
    commit(repo)
    code, full, _ = run_mplat(repo, ["diff", "--base", "HEAD~1", "--format", "markdown"])
    assert code == 3 and full.count("<details>") == 2 and "left out" not in full
    monkeypatch.setattr(render, "COMMENT_MAX", len(full) - 500)
    code, short, _ = run_mplat(repo, ["diff", "--base", "HEAD~1", "--format", "markdown"])
    assert code == 3 and short.count("<details>") == 1
    assert "1 more stack section(s) left out" in short and len(short) <= len(full) - 500


# --- fail closed (issue #16, "Why" 1 and 8, Low: index, broken pipe) ------------------------------

def _broken_base(repo: Path) -> None:
    """legacy.yaml committed once in a form this mplat rejects, then deleted: its model bucket
    (prevent_destroy) goes, but the base cannot be compiled to see it."""
    edit(repo, "{keep: 3}", "{keep: 0}", "legacy.yaml")        # keep is 1-100
    commit(repo, "an invalid spec, committed once")
    (repo / "specs" / "legacy.yaml").unlink()
    commit(repo, "remove legacy")


def test_a_base_that_does_not_compile_fails_closed(repo):
    _broken_base(repo)
    code, out, err = run_mplat(repo, ["diff", "--base", "HEAD~1"])
    assert code == 3, (out, err)
    assert "specs/legacy.yaml at " in err and "does not compile with this mplat" in err
    assert "legacy.yaml:6:" in err and '--allow-destroy "REASON"' in err   # file, first error
    assert "not proven safe" in out and "no destructive change" not in out
    code, doc = diff(repo, "--base", "HEAD~1")
    assert code == 3 and doc["base_failures"][0]["file"] == "specs/legacy.yaml"
    code, doc = diff(repo, "--base", "HEAD~1", "--allow-destroy", "legacy retired, state gone")
    assert code == 0 and doc["allow_destroy"] == "legacy retired, state gone"


def test_a_missing_engine_is_one_line(repo, monkeypatch, tmp_path):
    monkeypatch.setenv("MPLAT_CACHE_DIR", str(tmp_path / "empty-cache"))   # something to build
    monkeypatch.setenv("JSII_NODE", str(tmp_path / "no-node"))
    edit(repo, "shop:1.0.0", "shop:1.0.9")
    code, _, err = run_mplat(repo, ["diff", "--base", "HEAD"])
    assert code == 1 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("mplat: error")]
    assert len(errors) == 1 and "JSII_NODE" in errors[0]


def test_diff_never_rewrites_the_index(repo):
    """`git status` refreshes the index's stat data of a touched file (and writes .git/index);
    every git call of mplat runs with --no-optional-locks."""
    path = repo / "specs" / "shop.yaml"
    stat = path.stat()
    os.utime(path, (stat.st_atime + 100, stat.st_mtime + 100))      # touched: same bytes
    index = (repo / ".git" / "index").read_bytes()
    code, _doc = diff(repo, "--base", "HEAD")
    assert code == 0
    assert (repo / ".git" / "index").read_bytes() == index
    git(repo, "status", "--porcelain")                  # plain git does rewrite it: the test bites
    assert (repo / ".git" / "index").read_bytes() != index


def test_diff_keeps_exit_3_on_a_broken_pipe(repo):
    _broken_base(repo)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "compiler.cli", "diff", "--base", "HEAD~1"],
                            cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()                                  # `| head -0`: the reader is gone
    err = proc.stderr.read().decode()
    assert proc.wait() == 3, err
    assert "Traceback" not in err and "BrokenPipe" not in err


# --- what counts as destructive (issue #16, "Why" 2; item 2) ---------------------------------------

def _reasons(doc: dict) -> list[str]:
    return [why for s in doc["stacks"] for why in s["reasons"]] + \
        [f"{r['address']}: {why}" for s in doc["stacks"] for r in s["resources"]
         for why in r["reasons"]]


def test_removing_kubernetes_is_destructive(repo):
    text = (repo / "specs" / "shop.yaml").read_text()
    head, _, _ = text.partition("kubernetes:\n")
    (repo / "specs" / "shop.yaml").write_text(head + "environments:\n  dev: {}\n  prod: {}\n")
    code, doc = diff(repo, "--base", "HEAD")
    assert code == 3
    reasons = _reasons(doc)
    for address, why in [
            ("kubernetes_deployment_v1.k8s_deployment", "the pods serving the model are deleted"),
            ("kubernetes_service_v1.k8s_service", "clients lose the model's endpoint"),
            ("kubernetes_pod_disruption_budget_v1.k8s_pdb", "evict every serving pod")]:
        assert any(r.startswith(f"{address}: removes a serving") and why in r for r in reasons), \
            (address, reasons)


def test_cutting_rollback_history_is_destructive(repo):
    edit(repo, "{keep: 5}", "{keep: 1, expire_after_days: 1}")
    code, doc = diff(repo, "--base", "HEAD")
    assert code == 3
    lifecycle = resource(stack(doc, "shop-dev"),
                         "aws_s3_bucket_lifecycle_configuration.model_bucket_lifecycle")
    assert any("newer_noncurrent_versions (noncurrent_versions.keep) forever -> 1" in r
               for r in lifecycle["reasons"]), lifecycle["reasons"]
    assert any("noncurrent_days (noncurrent_versions.expire_after_days) forever -> 1" in r
               for r in lifecycle["reasons"]), lifecycle["reasons"]


def test_moving_the_cluster_context_or_namespace_is_destructive(repo):
    edit(repo, "context: prod}", "context: prod-eu}")
    code, doc = diff(repo, "--base", "HEAD")
    assert code == 3 and [s["stack"] for s in doc["stacks"]] == ["shop-prod"]
    assert any("the Kubernetes cluster or context changes" in r and "orphaned" in r
               for r in _reasons(doc))
    edit(repo, "context: prod-eu}", "context: prod}")
    edit(repo, "namespace: ml\n", "namespace: ml2\n")
    code, doc = diff(repo, "--base", "HEAD")
    assert code == 3
    assert any('the workload moves to namespace "ml2"' in r for r in _reasons(doc))


def _one(rtype: str, config: dict) -> dict:
    return {"resource": {rtype: {"r": config}}}


@pytest.mark.parametrize("rtype, old, new, expected", [
    ("aws_backup_plan",       # continuous-backup days
     {"rule": [{"rule_name": "continuous", "enable_continuous_backup": True,
                "lifecycle": {"delete_after": 35}}]},
     {"rule": [{"rule_name": "continuous", "enable_continuous_backup": True,
                "lifecycle": {"delete_after": 7}}]},
     "rule continuous (continuous backup): lifecycle.delete_after 35 -> 7"),
    ("aws_backup_plan",       # snapshot delete_after_days
     {"rule": [{"rule_name": "daily", "lifecycle": {"delete_after": 365}}]},
     {"rule": [{"rule_name": "daily", "lifecycle": {"delete_after": 100}}]},
     "rule daily (snapshots): lifecycle.delete_after 365 -> 100"),
    ("aws_backup_plan",       # cold storage
     {"rule": [{"rule_name": "daily", "lifecycle": {"cold_storage_after": 30}}]},
     {"rule": [{"rule_name": "daily", "lifecycle": {"cold_storage_after": 10}}]},
     "rule daily (snapshots): lifecycle.cold_storage_after 30 -> 10"),
    ("aws_backup_vault_lock_configuration",
     {"min_retention_days": 30}, {"min_retention_days": 7},
     "min_retention_days (vault_lock.min_retention_days) 30 -> 7"),
    ("aws_s3_bucket_object_lock_configuration",
     {"rule": {"default_retention": {"days": 30, "mode": "GOVERNANCE"}}},
     {"rule": {"default_retention": {"days": 5, "mode": "GOVERNANCE"}}},
     "default_retention days (object_lock.days) 30 -> 5"),
])
def test_every_retention_decrease_is_destructive(rtype, old, new, expected):
    (change,) = compare.compare_docs(_one(rtype, old), _one(rtype, new))
    assert change.destructive and any(expected in r for r in change.reasons), change.reasons
    (back,) = compare.compare_docs(_one(rtype, new), _one(rtype, old))     # an increase
    assert not any("retention decreases" in r for r in back.reasons), back.reasons


@pytest.mark.parametrize("rtype, why", [
    ("aws_s3_bucket_replication_configuration", "removes a retention "
     "aws_s3_bucket_replication_configuration: the cross-region replica stops receiving"),
    ("aws_sagemaker_endpoint", "removes a serving aws_sagemaker_endpoint"),
    ("aws_sagemaker_model_package_group", "removes a stateful aws_sagemaker_model_package_group"),
    ("kubernetes_service_account_v1", "removes a serving kubernetes_service_account_v1"),
])
def test_removal_classes_are_one_row_each(rtype, why):
    assert rtype in replacement.REMOVAL
    (change,) = compare.compare_docs(_one(rtype, {"x": 1}), {"resource": {}})
    assert change.destructive and change.reasons[0].startswith(why), change.reasons
