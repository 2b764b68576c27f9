"""The Checkov gate: its skip list is small and explained, and it really fails a weak stack.

The full gate over every example stack runs after pytest (``make test`` / ``make checkov``:
``python -m tools.checkov_gate``). Checkov lives in its own virtualenv (.venv-checkov).
"""
from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tools import checkov_gate

ROOT = Path(__file__).resolve().parent.parent
CHECKOV_SPECS = Path(__file__).resolve().parent / "data" / "checkov"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
# `make test` installs Checkov before pytest; only a bare `pytest` outside CI may lack it
needs_checkov = pytest.mark.skipif(not CHECKOV.exists() and not shutil.which("checkov")
                                   and not os.environ.get("CI"),
                                   reason="Checkov not installed (make checkov installs it)")


def checkov() -> str:
    return str(CHECKOV) if CHECKOV.exists() else shutil.which("checkov")


def test_skip_list_is_small_and_every_id_has_a_reason():
    ids = checkov_gate.skipped_ids()
    assert len(ids) <= checkov_gate.MAX_SKIPS == 5
    text = (ROOT / ".checkov.yaml").read_text()
    for check_id in ids:
        assert any(line.startswith("#") and check_id in line and len(line.split(check_id, 1)[1]) > 20
                   for line in text.splitlines()), check_id


def test_a_skip_without_reason_or_a_sixth_skip_is_refused(tmp_path):
    config = tmp_path / ".checkov.yaml"
    config.write_text("#   CKV_AWS_1  a reason\nskip-check:\n  - CKV_AWS_1\n  - CKV_AWS_2\n")
    with pytest.raises(SystemExit, match="no reason comment for CKV_AWS_2"):
        checkov_gate.skipped_ids(config)
    ids = [f"CKV_AWS_{i}" for i in range(1, 7)]
    config.write_text("".join(f"#   {i}  reason\n" for i in ids) + "skip-check:\n" +
                      "".join(f"  - {i}\n" for i in ids))
    with pytest.raises(SystemExit, match="at most 5"):
        checkov_gate.skipped_ids(config)


WEAK = {
    "provider": {"aws": [{"region": "us-east-1"}]},
    "resource": {"aws_s3_bucket": {"weak": {"bucket": "a-weak-bucket"}},
                 "aws_iam_role_policy": {"admin": {
                     "role": "r", "policy": json.dumps({"Version": "2012-10-17", "Statement": [
                         {"Effect": "Allow", "Action": "*", "Resource": "*"}]})}}},
}


@needs_checkov
def test_gate_fails_a_weak_stack_and_passes_the_largest_example(tmp_path, synth_specs):
    weak = tmp_path / "weak"
    weak.mkdir()
    (weak / "cdk.tf.json").write_text(json.dumps(WEAK))
    result = checkov_gate.run_checkov(checkov(), weak)
    assert result["failed"] > 0
    assert any(f.startswith("CKV_AWS_21 ") for f in result["failures"])       # no versioning
    assert any(" aws_iam_role_policy.admin" in f for f in result["failures"])  # full admin

    stack = max(synth_specs.summaries, key=lambda s: sum(s["resources"].values()))["stack"]
    result = checkov_gate.run_checkov(checkov(), synth_specs.out / "stacks" / stack)
    assert result["parsing_errors"] == 0 and result["passed"] > 0
    assert result["failed"] == 0, result["failures"]


# --- secure defaults: a spec that validates without warnings passes the gate -------------------

@pytest.fixture(scope="module")
def secure_defaults(synth_checkov_specs):
    """The specs of tests/data/checkov, validated and synthesized once per session (conftest):
    (diagnostics by file name, output directory of the stacks)."""
    names = [p.name for p in CHECKOV_SPECS.glob("*.yaml")]
    diagnostics = {name: [d for d in synth_checkov_specs.diagnostics if d.file.endswith(name)]
                   for name in names}
    return diagnostics, synth_checkov_specs.out / "stacks"


@needs_checkov
def test_specs_that_validate_without_warnings_pass_the_gate(secure_defaults):
    diagnostics, stacks = secure_defaults
    clean = (("requests-only.yaml", "req-only"), ("memory-limit-only.yaml", "mem-only"),
             ("digest-writable.yaml", "dig-writable"))
    for name, _ in clean:
        assert diagnostics[name] == [], name
    # and the Kubernetes objects of the digest stack pass the kubernetes framework (CKV_K8S_15
    # included: a digest without a pull policy; CKV2_K8S_6 and CKV_K8S_43 are skipped ids)
    objects = stacks.parent / "objects-dig-writable"
    checkov_gate.kubernetes_manifests([stacks / "dig-writable"], objects)
    runs = [(stacks / stack, "terraform_json") for _, stack in clean] + [(objects, "kubernetes")]
    with ThreadPoolExecutor(2) as pool:          # Checkov is single-threaded; two cores
        results = list(pool.map(lambda run: checkov_gate.run_checkov(
            checkov(), run[0], framework=run[1]), runs))
    for (directory, _), result in zip(runs, results, strict=True):
        assert result["parsing_errors"] == 0 and result["passed"] > 0, directory
        assert result["failed"] == 0, (directory, result["failures"])
    assert results[-1]["passed"] > 20


@needs_checkov
def test_security_warnings_name_the_checks_that_fail(secure_defaults):
    """run_as_user 1000 and a writable root filesystem: each warning names a Checkov id, and those
    ids are exactly what fails, in the Terraform scan or the kubernetes-framework scan."""
    diagnostics, stacks = secure_defaults
    warned = {d.message.split("Checkov ", 1)[1].split(" ", 1)[0]
              for d in diagnostics["security-weakened.yaml"]
              if d.rule == "kubernetes-security-weakened"}
    assert warned == {"CKV_K8S_40", "CKV_K8S_22"}
    objects = stacks.parent / "objects-weak-sec"
    checkov_gate.kubernetes_manifests([stacks / "weak-sec"], objects)
    runs = ((stacks / "weak-sec", "terraform_json"), (objects, "kubernetes"))
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda run: checkov_gate.run_checkov(
            checkov(), run[0], framework=run[1]), runs))
    assert all(r["parsing_errors"] == 0 for r in results)
    assert {f.split(" ", 1)[0] for r in results for f in r["failures"]} == warned


@needs_checkov
def test_an_opt_out_warning_names_the_check_that_fails(secure_defaults):
    diagnostics, stacks = secure_defaults
    (warning,) = diagnostics["opt-out.yaml"]
    assert (warning.severity, warning.rule) == ("warning", "kubernetes-limit-opt-out")
    named = warning.message.split("Checkov ", 1)[1].split(" ", 1)[0]
    result = checkov_gate.run_checkov(checkov(), stacks / "opt-out")
    assert [f.split(" ", 1)[0] for f in result["failures"]] == [named], result["failures"]


# --- the kubernetes framework on the converted objects ------------------------------------------

@needs_checkov
def test_kubernetes_scan_sees_the_network_policy_and_fails_a_weak_pod(tmp_path, synth_specs):
    """CKV2_K8S_6 (a pod without a NetworkPolicy) fails the stack without kubernetes.network_policy
    and passes the one with it (fraud-detector prod); a privileged copy of the Deployment fails
    the full configuration while the generated objects pass it."""
    from tools import k8s_manifests

    root = tmp_path / "objects"
    for stack in ("fraud-detector-dev", "fraud-detector-prod"):
        k8s_manifests.write(synth_specs.doc(stack), root / stack)
    result = checkov_gate.run_checkov(checkov(), root, only=["CKV2_K8S_6"], framework="kubernetes")
    assert result["parsing_errors"] == 0 and result["passed"] >= 1
    assert [f.split(" (")[-1] for f in result["failures"]] == \
        ["fraud-detector-dev/kubernetes_deployment_v1.k8s_deployment.json)"], result["failures"]

    prod = root / "fraud-detector-prod"
    deployment = json.loads((prod / "kubernetes_deployment_v1.k8s_deployment.json").read_text())
    deployment["metadata"]["name"] = "weak"
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = True
    (prod / "weak.json").write_text(json.dumps(deployment))
    result = checkov_gate.run_checkov(checkov(), prod, framework="kubernetes")
    assert result["parsing_errors"] == 0 and result["passed"] > 20
    assert result["failures"] and all(f.endswith("(weak.json)") for f in result["failures"]), \
        result["failures"]
    assert any(f.startswith("CKV_K8S_16 ") for f in result["failures"])      # privileged
