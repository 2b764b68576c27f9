"""Real Terraform: every example stack and the generated variants, validated, applied to moto,
planned again (no changes) and planned for destroy (every prevent_destroy resource refused).

The harness is the package tests/terraform/ (its docstring is the API), imported through its
facade tests/tfharness.py. All stacks run concurrently in one
session fixture (``tf_runs`` in conftest.py, a view of ``tf_all``, which runs the cdktn examples
in the same pool: ``MPLAT_TF_JOBS`` workers, default 24), each in its own work directory, against
one moto server per AWS account (and engine). Anything that blocks a step must be a
row of ``tfharness.GAPS`` (patched into moto, or excluded by name): nothing else is left out.
A missing terraform or provider mirror fails (never skips) with one line saying how to fix it.
"""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tfharness
from tfharness import GAPS, MotoServer, translate

from compiler import pipeline

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [m.stack for m in pipeline.run([str(ROOT / "specs")], build_models=True).models]
VARIANTS = [m.stack for d in ("generators", "terraform")
            for m in pipeline.run([str(ROOT / "tests" / "data" / d)], build_models=True).models]
STACKS = EXAMPLES + VARIANTS


# -- translation: the only change made to the generated JSON ------------------------------------
def _diff(a, b, path=()) -> list[tuple]:
    """(path, before, after) for every leaf that differs between two JSON values."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += _diff(a.get(k, _MISSING), b.get(k, _MISSING), path + (k,))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, path + (i,))]
    return [] if a == b else [(path, a, b)]


_MISSING = "<missing>"


@pytest.mark.parametrize("stack", STACKS)
def test_translate_changes_only_the_pin_and_per_resource_regions(stack, stack_docs):
    doc = stack_docs[stack]
    before = copy.deepcopy(doc)
    out = translate(doc, "5.100.0")
    assert doc == before, "translate must not modify its input"
    expected = [(("terraform", "required_providers", "aws", "version"),
                 doc["terraform"]["required_providers"]["aws"]["version"], "5.100.0")]
    regions = set()
    for kind in ("data", "resource"):
        for type_, items in doc.get(kind, {}).items():
            for name, body in items.items():
                if type_.startswith("aws_") and "region" in body:
                    regions.add(body["region"])
                    alias = f"aws.{tfharness.region_alias(body['region'])}"
                    expected += [((kind, type_, name, "provider"), _MISSING, alias),
                                 ((kind, type_, name, "region"), body["region"], _MISSING)]
    blocks = doc["provider"]["aws"]
    added = out["provider"]["aws"][len(blocks):]
    assert [b["region"] for b in added] == sorted(regions)
    for b in added:                    # a copy of the default block, allowed_account_ids included
        assert {k: v for k, v in b.items() if k not in ("alias", "region")} == \
            {k: v for k, v in blocks[0].items() if k != "region"}
    out_same_length = copy.deepcopy(out)
    out_same_length["provider"]["aws"] = out["provider"]["aws"][:len(blocks)]
    assert sorted(_diff(doc, out_same_length), key=str) == sorted(expected, key=str)


def test_translate_for_a_v6_provider_only_changes_the_pin(stack_docs):
    doc = stack_docs["churn-scorer"]
    assert any("region" in b for items in doc["resource"].values() for b in items.values())
    out = translate(doc, "6.30.0")
    assert _diff(doc, out) == [(("terraform", "required_providers", "aws", "version"),
                                doc["terraform"]["required_providers"]["aws"]["version"],
                                "6.30.0")]


# -- the harness fails loudly when its tools are missing ------------------------------------------
def test_a_missing_mirror_fails_with_one_line_naming_the_variable(tmp_path):
    env = {**os.environ, tfharness.MIRROR_ENV: str(tmp_path / "no-mirror")}
    proc = subprocess.run([sys.executable, tfharness.__file__, "check"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and tfharness.MIRROR_ENV in lines[0] and "no-mirror" in lines[0]


def test_a_missing_terraform_fails_with_one_line_naming_the_variable(tmp_path):
    env = {**os.environ, tfharness.TERRAFORM_ENV: str(tmp_path / "terraform")}
    proc = subprocess.run([sys.executable, tfharness.__file__, "check"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and tfharness.TERRAFORM_ENV in lines[0]


def test_cli_config_installs_only_from_the_mirror(tmp_path, tf_tools):
    text = tfharness.write_cli_config(tmp_path / "c.tfrc", tf_tools.mirror).read_text()
    assert "filesystem_mirror" in text and "direct" not in text and "network_mirror" not in text
    assert json.dumps(str(tf_tools.mirror)) in text


# -- the table of AWS-vs-moto differences ---------------------------------------------------------
def test_every_gap_has_a_reason_evidence_and_a_remedy():
    import moto
    site = Path(moto.__file__).resolve().parent.parent
    for gap in GAPS:
        assert gap.remedy in ("patch", "exclude") and len(gap.reason) > 40, gap
        assert (gap.remedy == "patch") == bool(gap.patch), gap
        cited = re.findall(r"(moto/[\w/]+\.py):(\d+)", gap.evidence)
        assert cited or "https://" in gap.evidence or gap.step == "init", gap
        for path, line in cited:                 # the cited moto line exists in the installed moto
            assert int(line) <= len((site / path).read_text().splitlines()), (gap, path)


def test_moto_server_patches_apply(tmp_path):
    """The patched server starts (every GAPS patch row has its patch and it applies)."""
    with MotoServer(log=tmp_path / "moto.log") as server:
        assert server.endpoint.startswith("http://127.0.0.1:")


# -- per stack: validate, apply, no drift, protected resources stay --------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_init_and_validate(stack, tf_runs):
    run = tf_runs[stack]
    assert run.failed_at("validate") is None, run.error


@pytest.mark.parametrize("stack", STACKS)
def test_apply_creates_everything_not_in_the_gaps_table(stack, tf_runs, stack_docs):
    run = tf_runs[stack]
    assert run.failed_at("apply") is None, run.error
    doc = stack_docs[stack]
    wanted = set(tfharness.addresses(doc)) - set(run.excluded)
    managed = {a for a in wanted if not a.startswith("data.")}
    assert managed and managed <= set(run.applied), sorted(managed - set(run.applied))
    assert set(run.applied) <= wanted, sorted(set(run.applied) - wanted)
    for addr, gap in run.excluded.items():             # only what the table excludes by name
        assert gap in GAPS and gap.remedy == "exclude", addr


@pytest.mark.parametrize("stack", STACKS)
def test_second_plan_has_no_changes(stack, tf_runs):
    run = tf_runs[stack]
    assert run.failed_at("plan") is None, run.error
    assert [(c.address, c.actions, c.changed_attributes()) for c in run.changes] == []


@pytest.mark.parametrize("stack", STACKS)
def test_destroy_is_refused_for_every_protected_resource(stack, tf_runs, stack_docs):
    run = tf_runs[stack]
    assert run.failed_at("destroy") is None, run.error
    expected = tfharness.protected(stack_docs[stack]) - set(run.excluded)
    assert expected, "every stack has stateful resources"
    assert sorted(run.refused) == sorted(expected)


# -- the harness sees what it must see ------------------------------------------------------------
def _one_bucket(account: str, bucket: str, tags: dict, protect: bool = False) -> dict:
    return {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws",
                                                         "version": "6.25.0"}}},
            "provider": {"aws": [{"region": "us-east-1", "allowed_account_ids": [account]}]},
            "resource": {"aws_s3_bucket": {"b": {"bucket": bucket, "tags": tags,
                                                 "lifecycle": {"prevent_destroy": protect}}}}}


def test_harness_reports_updates_replacements_refusals_and_foreign_accounts(tmp_path, tf_tools):
    """The API `mplat diff` builds on: an in-place update, a replacement, a refused destroy, and a
    provider whose allowed_account_ids does not hold fails against moto's account."""
    cli = tfharness.write_cli_config(tmp_path / "cli.tfrc", tf_tools.mirror)
    with MotoServer("123456789012", tmp_path / "moto.log") as moto:
        wd = tfharness.Workdir(tmp_path / "wd", tf_tools, cli)
        wd.write_config(_one_bucket("123456789012", "acme-harness", {"a": "1"}))
        wd.init()
        wd.use_moto(moto.endpoint)
        wd.apply()
        assert wd.plan_changes() == []
        shown = json.loads(wd.run("show", "-json", "-no-color").stdout)   # state_values reads
        assert wd.state_values() == {r["address"]: r["values"]             # the state file
                                     for r in shown["values"]["root_module"]["resources"]}
        assert wd.state_addresses() == sorted(wd.run("state", "list").stdout.split())
        wd.write_config(_one_bucket("123456789012", "acme-harness", {"a": "2"}))
        [update] = wd.plan_changes()
        assert (update.address, update.actions, update.replace) == \
            ("aws_s3_bucket.b", ("update",), False)
        assert update.changed_attributes() == ["tags", "tags_all"]
        wd.write_config(_one_bucket("123456789012", "acme-harness-renamed", {"a": "1"}))
        [replace] = wd.plan_changes()
        assert replace.replace and replace.replace_paths == [["bucket"]]
        assert wd.refused_destroys() == set()
        wd.write_config(_one_bucket("123456789012", "acme-harness", {"a": "1"}, protect=True))
        assert wd.refused_destroys() == {"aws_s3_bucket.b"}
        other = tfharness.Workdir(tmp_path / "other", tf_tools, cli)
        other.write_config(_one_bucket("999999999999", "acme-harness-other", {}))
        other.init()
        other.use_moto(moto.endpoint)
        with pytest.raises(tfharness.TerraformError, match="not allowed"):
            other.plan()
