"""review/replacement.py against real Terraform: what `mplat diff` calls "forces replacement" is
what `terraform plan` replaces, and a sample of attributes outside the table update in place.

Two example stacks that together hold every AWS type mplat generates, as ``tf_runs`` applied them
to moto with the real-terraform harness (tests/tfharness.py: terraform 1.11.4, hashicorp/aws from
the mirror), are forked (``tfharness.fork``: a copy of the work directory and its state, against the
same moto server). Then two plans each, from the applied state: one with every table attribute of the stack changed
(each changed resource must be replaced, the attribute among terraform's ``replace_paths``; the
bucket companions that refer to a renamed bucket are replaced with it), one with a sample of
attributes outside the table changed (each an in-place update). Every row of the table is either
checked here or listed in NOT_CHECKED with the reason.
"""
from __future__ import annotations

import copy
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tfharness

from review.replacement import FORCES_REPLACEMENT

STACKS = ("fraud-detector-prod", "feat-full")      # together: every AWS type of the table
KEY_ARN = "arn:aws:kms:us-east-1:210987654321:key/00000000-0000-0000-0000-000000000000"

# (type, attribute) -> the new value, from the current one (None: the attribute is absent)
NEW_VALUE = {
    ("aws_s3_bucket", "object_lock_enabled"): lambda v: not v,
    ("aws_iam_role", "path"): lambda v: "/mplat/",
    ("aws_iam_role_policy", "role"): lambda v: "another-role",
    ("aws_iam_role_policy_attachment", "role"): lambda v: "another-role",
    ("aws_iam_role_policy_attachment", "policy_arn"):
        lambda v: "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ("aws_backup_vault", "kms_key_arn"): lambda v: KEY_ARN,
    ("aws_backup_vault_lock_configuration", "backup_vault_name"): lambda v: "another-vault",
    ("aws_backup_vault_lock_configuration", "changeable_for_days"): lambda v: 3,
    ("aws_backup_selection", "iam_role_arn"):
        lambda v: "arn:aws:iam::210987654321:role/another-role",
    ("aws_backup_selection", "plan_id"): lambda v: "another-plan",
    ("aws_backup_selection", "resources"): lambda v: ["arn:aws:s3:::another-bucket"],
    ("aws_codedeploy_app", "compute_platform"): lambda v: "Lambda",
    ("aws_codedeploy_deployment_config", "compute_platform"): lambda v: "Lambda",
    ("aws_codedeploy_deployment_config", "minimum_healthy_hosts"):
        lambda v: {**v, "value": v["value"] + 1},
    ("aws_sagemaker_model", "enable_network_isolation"): lambda v: not v,
    ("aws_sagemaker_model", "primary_container"):
        lambda v: {**v, "model_package_name": v["model_package_name"].rsplit("/", 1)[0] + "/9"},
    ("aws_sagemaker_endpoint_configuration", "production_variants"):
        lambda v: [{**v[0], "initial_instance_count": v[0]["initial_instance_count"] + 1}],
    ("aws_sagemaker_endpoint_configuration", "data_capture_config"):
        lambda v: {**v, "initial_sampling_percentage": 50},
}

# Table rows this test cannot check, and why (the provider source is their evidence).
NOT_CHECKED_ATTRIBUTES = {
    "region": "provider 5.100.0 (the mirror's) has no per-resource region: the harness turns v6's "
              "region into a provider alias",
    "name_prefix": "mplat sets it only on aws_sagemaker_endpoint_configuration, whose every "
                   "argument is ForceNew; test_a_new_model_version_updates_the_endpoint_in_place "
                   "shows that configuration replaced (create before destroy)",
    "bucket_prefix": "mplat never sets it (it sets bucket)",
    "expected_bucket_owner": "mplat never sets it",
    "not_resources": "mplat never sets it",
    "selection_tag": "mplat never sets it (it selects by resources)",
    "condition": "mplat never sets it",
    "traffic_routing_config": "mplat sets it for ECS and Lambda only, not in these stacks",
}
NOT_CHECKED_TYPES = {"kubernetes_": "the mirror has no kubernetes provider (terraform init "
                                    "cannot install it; the harness excludes these resources)"}
# bucket companions: replaced with the bucket they refer to (their own "bucket" never changes)
COMPANION_OF = "bucket"

# Outside the table: (type, attribute, new value from the current one) -> an in-place update
IN_PLACE = [
    ("aws_kms_key", "description", lambda v: v + " (changed)"),
    ("aws_kms_alias", "target_key_id", None),              # pointed at another key, below
    ("aws_iam_role", "description", lambda v: v + " (changed)"),
    ("aws_codedeploy_app", "name", lambda v: v + "-renamed"),
    ("aws_codedeploy_deployment_group", "deployment_group_name", lambda v: v + "-renamed"),
    ("aws_codedeploy_deployment_group", "app_name", lambda v: "another-app"),
    ("aws_cloudwatch_metric_alarm", "threshold", lambda v: v + 1),
    ("aws_config_configuration_recorder_status", "name", lambda v: "another-recorder"),
    ("aws_s3_bucket_versioning", "versioning_configuration", lambda v: {**v, "status": "Suspended"}),
    ("aws_sagemaker_endpoint", "deployment_config.blue_green_update_policy.termination_wait_in_seconds",
     lambda v: v + 60),
    ("aws_sagemaker_endpoint", "deployment_config.auto_rollback_configuration",
     lambda v: {"alarms": v["alarms"][:1]}),
]


def _get(body: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(body, dict) or part not in body:
            return None
        body = body[part]
    return body


def _set(body: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    body[last] = value


def _checked(rtype: str, attribute: str) -> bool:
    return attribute not in NOT_CHECKED_ATTRIBUTES and \
        not any(rtype.startswith(prefix) for prefix in NOT_CHECKED_TYPES)


def _replacing(doc: dict) -> tuple[dict, dict[str, set[str]]]:
    """``doc`` with every checked table attribute of each type changed on the type's first
    resource (on every bucket): (the changed doc, address -> the attributes changed)."""
    new = copy.deepcopy(doc)
    changed: dict[str, set[str]] = {}
    for rtype, items in sorted(new.get("resource", {}).items()):
        # every bucket (so that every companion is replaced with one), else the type's first
        chosen = sorted(items.items()) if rtype == "aws_s3_bucket" else sorted(items.items())[:1]
        for name, body in chosen:
            _change(rtype, name, body, changed)
    return new, changed


def _change(rtype: str, name: str, body: dict, changed: dict[str, set[str]]) -> None:
    for attribute in FORCES_REPLACEMENT.get(rtype, ()):
        if not _checked(rtype, attribute) or (attribute == COMPANION_OF and rtype != "aws_s3_bucket"):
            continue
        current = _get(body, attribute)
        make = NEW_VALUE.get((rtype, attribute))
        if make is None:
            if isinstance(current, str):
                value = current + "-x"
            elif isinstance(current, int) and not isinstance(current, bool):
                value = current + 1
            else:
                continue                     # absent here: another stack of STACKS has it
        else:
            value = make(current)
        _set(body, attribute, value)
        changed.setdefault(f"{rtype}.{name}", set()).add(attribute)


def _in_place(doc: dict) -> tuple[dict, dict[str, str]]:
    new = copy.deepcopy(doc)
    changed: dict[str, str] = {}
    resources = new.get("resource", {})
    for rtype, attribute, make in IN_PLACE:
        if rtype not in resources:
            continue
        name, body = sorted(resources[rtype].items())[0]
        if rtype == "aws_kms_alias":
            keys = sorted(resources["aws_kms_key"])
            target = next(k for k in keys if f"aws_kms_key.{k}." not in body["target_key_id"])
            body["target_key_id"] = f"${{aws_kms_key.{target}.key_id}}"
        else:
            _set(body, attribute, make(_get(body, attribute)))
        changed[f"{rtype}.{name}"] = attribute
    return new, changed


def _paths(change: tfharness.Change) -> set[str]:
    return {".".join(str(step) for step in path if not isinstance(step, int))
            for path in change.replace_paths}


@pytest.fixture(scope="module")
def plans(tf_tools, tf_runs, stack_docs, tmp_path_factory):
    """Per stack: from the stack as ``tf_runs`` applied it (a fork of its work directory, against
    the same moto server), (replacing plan, its changed attributes, in-place plan, its changed
    attributes, the excluded addresses)."""
    root = tmp_path_factory.mktemp("replacement")
    cli = tfharness.write_cli_config(root / "cli.tfrc", tf_tools.mirror)

    def run(stack: str):
        doc = stack_docs[stack]
        excluded = tfharness.exclusions(doc)
        wd = tfharness.fork(tf_runs[stack], root / stack, tf_tools, cli)
        replacing, replaced = _replacing(doc)
        wd.write_config(replacing, excluded)
        # prevent_destroy makes a plan that replaces a protected resource fail ("Instance
        # cannot be destroyed"): that is the guard working; lift it to see what terraform plans
        with pytest.raises(tfharness.TerraformError, match="Instance cannot be destroyed"):
            wd.plan_changes()
        unprotect = {"resource": {}}
        for address in tfharness.protected(doc) - set(excluded):
            rtype, name = address.split(".")
            unprotect["resource"].setdefault(rtype, {})[name] = {
                "lifecycle": {"prevent_destroy": False}}
        (wd.path / "mplat_unprotect_override.tf.json").write_text(json.dumps(unprotect))
        replace_plan = {c.address: c for c in wd.plan_changes()}
        updating, updated = _in_place(doc)
        wd.write_config(updating, excluded)
        update_plan = {c.address: c for c in wd.plan_changes()}
        return replace_plan, replaced, update_plan, updated, set(excluded)

    with ThreadPoolExecutor(len(STACKS)) as pool:
        return dict(zip(STACKS, pool.map(run, STACKS), strict=True))


def test_every_table_row_is_checked_or_has_a_reason(stack_docs):
    checked = set()
    for stack in STACKS:
        for address, attributes in _replacing(stack_docs[stack])[1].items():
            checked |= {(address.split(".")[0], a) for a in attributes}
    checked |= {(a.split(".")[0], COMPANION_OF) for stack in STACKS
                for a in _companions(stack_docs[stack], _replacing(stack_docs[stack])[1])}
    rows = {(t, a) for t, attributes in FORCES_REPLACEMENT.items() for a in attributes}
    left = sorted(row for row in rows - checked if _checked(*row))
    assert left == [], "table rows neither checked against terraform nor explained"


@pytest.mark.parametrize("stack", STACKS)
def test_table_attributes_force_replacement(stack, plans):
    replace_plan, replaced, _, _, _ = plans[stack]
    assert replaced
    for address, attributes in sorted(replaced.items()):
        change = replace_plan.get(address)
        assert change is not None and change.replace, (address, change and change.actions)
        paths = _paths(change)
        for attribute in attributes:            # the attribute, or a field inside it
            assert any(p == attribute or p.startswith(attribute + ".") for p in paths), \
                (address, attribute, change.replace_paths)


def _companions(doc: dict, replaced: dict[str, set[str]]) -> list[str]:
    """The bucket companions of ``doc`` whose ``bucket`` refers to a renamed bucket."""
    buckets = [a for a in replaced if a.startswith("aws_s3_bucket.")]
    return sorted(f"{t}.{n}" for t, items in doc["resource"].items()
                  if t.startswith("aws_s3_bucket_") for n, body in items.items()
                  if any(f"${{{b}." in str(body.get("bucket")) for b in buckets))


@pytest.mark.parametrize("stack", STACKS)
def test_bucket_companions_are_replaced_with_their_bucket(stack, plans, stack_docs):
    replace_plan, replaced, _, _, _ = plans[stack]
    companions = _companions(stack_docs[stack], replaced)
    assert companions
    for address in companions:
        change = replace_plan[address]
        assert change.replace and _paths(change) == {"bucket"}, (address, change.replace_paths)


@pytest.mark.parametrize("stack", STACKS)
def test_attributes_outside_the_table_update_in_place(stack, plans):
    _, _, update_plan, updated, _ = plans[stack]
    assert updated
    for address, attribute in sorted(updated.items()):
        change = update_plan.get(address)
        assert change is not None, (address, attribute, "no change planned")
        assert change.actions == ("update",) and not change.replace_paths, \
            (address, attribute, change.actions, change.replace_paths)


# --- a SageMaker pin change updates the endpoint in place ---------------------------------------
SAGEMAKER_STACK = "pricing"             # specs/pricing-sagemaker.yaml
SAGEMAKER_SPEC = Path(__file__).resolve().parent.parent / "specs" / "pricing-sagemaker.yaml"


@pytest.fixture(scope="module")
def repinned_doc(tmp_path_factory) -> dict:
    """The example SageMaker stack synthesized with ``model_package.version`` 7 -> 8 (the edit
    `mplat models rollback` makes, the other way)."""
    from conftest import synthesize_dir

    spec_dir = tmp_path_factory.mktemp("repinned-spec")
    text = SAGEMAKER_SPEC.read_text()
    assert text.count("    version: 7 ") == 1
    (spec_dir / SAGEMAKER_SPEC.name).write_text(text.replace("    version: 7 ", "    version: 8 "))
    return synthesize_dir(spec_dir, tmp_path_factory.mktemp("repinned")).doc(SAGEMAKER_STACK)


def test_a_new_model_version_updates_the_endpoint_in_place(tf_tools, tf_runs, stack_docs,
                                                           repinned_doc, tmp_path_factory):
    """From the stack as tf_runs applied it, change the pinned version: Terraform creates a new model and endpoint
    configuration before it destroys the old ones, and updates the endpoint in place (UpdateEndpoint
    through the guardrails), nothing else; the change applies and the next plan is empty."""
    doc = stack_docs[SAGEMAKER_STACK]
    root = tmp_path_factory.mktemp("sagemaker-repin")
    cli = tfharness.write_cli_config(root / "cli.tfrc", tf_tools.mirror)
    excluded = tfharness.exclusions(doc)
    # the stack as tf_runs applied it: this apply changes its resources on that moto server,
    # which nothing reads afterwards (tf_runs' results were taken when it ran)
    wd = tfharness.fork(tf_runs[SAGEMAKER_STACK], root / "wd", tf_tools, cli)
    wd.write_config(repinned_doc, excluded)
    changes = {c.address: c for c in wd.plan_changes()}
    assert {a: c.actions for a, c in changes.items()} == {
        "aws_sagemaker_model.sagemaker_model": ("create", "delete"),
        "aws_sagemaker_endpoint_configuration.sagemaker_config": ("create", "delete"),
        "aws_sagemaker_endpoint.sagemaker_endpoint": ("update",),
    }
    model = changes["aws_sagemaker_model.sagemaker_model"]
    assert model.before["primary_container"][0]["model_package_name"].endswith("/pricing/7")
    assert model.after["primary_container"][0]["model_package_name"].endswith("/pricing/8")
    wd.apply()
    state = wd.state_values()
    assert state["aws_sagemaker_endpoint.sagemaker_endpoint"]["endpoint_config_name"] == \
        state["aws_sagemaker_endpoint_configuration.sagemaker_config"]["name"]
    assert wd.plan_changes() == []
