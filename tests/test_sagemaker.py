"""SageMaker serving (issue #18): the typed model, the generated resources and what `mplat diff`
says about them. The expected values are written from the SageMaker API reference and the spec
contract, not read back from the code under test."""
from __future__ import annotations

import copy
import json

import pytest

from compiler import names
from review import compare


@pytest.fixture(scope="module")
def pricing(synth_specs):
    return synth_specs.doc("pricing")


@pytest.fixture(scope="module")
def feat(synth_features):
    return synth_features.doc("feat-full"), synth_features.doc("feat-lean")


def res(doc, kind, name):
    return doc["resource"][kind][name]


def statements(text):
    doc = json.loads(text)
    return {s["Sid"]: s for s in doc["Statement"]}


def test_model_package_arn_is_built_from_its_parts():
    assert names.model_package_arn("aws-cn", "cn-north-1", "123456789012", "Fraud-Model", 12) == \
        "arn:aws-cn:sagemaker:cn-north-1:123456789012:model-package/fraud-model/12"


def test_model_serves_the_pinned_version_and_is_replaced_first(pricing):
    model = res(pricing, "aws_sagemaker_model", "sagemaker_model")
    assert model["primary_container"] == {
        "model_package_name": "arn:aws:sagemaker:us-east-1:123456789012:model-package/pricing/7"}
    assert model["lifecycle"] == {"create_before_destroy": True}
    assert "name" not in model                 # generated, so that the replacement can coexist
    assert model["enable_network_isolation"] is True


def test_endpoint_config_is_encrypted_named_by_prefix_and_captures(pricing):
    config = res(pricing, "aws_sagemaker_endpoint_configuration", "sagemaker_config")
    assert config["kms_key_arn"] == "${aws_kms_key.sagemaker_kms_key.arn}"
    assert config["name_prefix"] == "pricing-" and "name" not in config
    assert config["lifecycle"] == {"create_before_destroy": True}
    assert config["production_variants"] == [{
        "variant_name": "live", "model_name": "${aws_sagemaker_model.sagemaker_model.name}",
        "initial_instance_count": 4, "instance_type": "ml.m5.large"}]
    capture = config["data_capture_config"]
    assert capture["initial_sampling_percentage"] == 10 and capture["enable_capture"] is True
    assert capture["destination_s3_uri"] == \
        "s3://pricing-models-123456789012/data-capture/pricing/"


def test_canary_guardrails_and_auto_rollback_name_every_alarm(pricing):
    endpoint = res(pricing, "aws_sagemaker_endpoint", "sagemaker_endpoint")
    assert endpoint["name"] == "pricing" and endpoint["lifecycle"] == {"prevent_destroy": True}
    policy = endpoint["deployment_config"]["blue_green_update_policy"]
    # canary 25% of 4 instances = 1 instance; 10 minutes = 600 s; bake 15 minutes = 900 s
    assert policy["traffic_routing_configuration"] == {
        "type": "CANARY", "wait_interval_in_seconds": 600,
        "canary_size": {"type": "INSTANCE_COUNT", "value": 1}}
    assert policy["termination_wait_in_seconds"] == 900
    # API: 600-28800 and larger than the waits (600 + 900); the provider takes at most 14400
    assert 600 + 900 < policy["maximum_execution_timeout_in_seconds"] <= 14400
    alarms = pricing["resource"]["aws_cloudwatch_metric_alarm"]
    rollback = endpoint["deployment_config"]["auto_rollback_configuration"]["alarms"]
    assert sorted(a["alarm_name"] for a in rollback) == sorted(
        f"${{aws_cloudwatch_metric_alarm.{n}.alarm_name}}" for n in alarms)
    assert {a["alarm_name"] for a in alarms.values()} == {
        "pricing-sagemaker-errors-5xx", "pricing-sagemaker-latency"}
    for alarm in alarms.values():              # AWS/SageMaker without dimensions: this endpoint
        assert alarm["dimensions"] == {"EndpointName": "pricing", "VariantName": "live"}


def test_linear_and_rolling_steps_and_explicit_dimensions(feat):
    full, lean = feat
    policy = res(full, "aws_sagemaker_endpoint", "sagemaker_endpoint")["deployment_config"]
    routing = policy["blue_green_update_policy"]["traffic_routing_configuration"]
    assert routing == {"type": "LINEAR", "wait_interval_in_seconds": 180,
                       "linear_step_size": {"type": "INSTANCE_COUNT", "value": 2}}  # 20% of 10
    alarms = full["resource"]["aws_cloudwatch_metric_alarm"]
    assert alarms["sagemaker_alarm_queue-depth"]["dimensions"] == {"Service": "feat"}
    rolling = res(lean, "aws_sagemaker_endpoint", "sagemaker_endpoint")["deployment_config"]
    assert "blue_green_update_policy" not in rolling
    assert rolling["rolling_update_policy"]["maximum_batch_size"] == {"type": "INSTANCE_COUNT",
                                                                      "value": 1}   # 50% of 2
    assert "data_capture_config" not in res(lean, "aws_sagemaker_endpoint_configuration",
                                            "sagemaker_config")


def test_group_is_protected_and_created(pricing):
    group = res(pricing, "aws_sagemaker_model_package_group", "sagemaker_group")
    assert group["model_package_group_name"] == "pricing"
    assert group["lifecycle"] == {"prevent_destroy": True}


def test_execution_role_trust_has_the_confused_deputy_conditions(pricing):
    role = res(pricing, "aws_iam_role", "sagemaker_role")
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:us-east-1:123456789012:*"}}


def test_execution_role_is_least_privilege(pricing, feat):
    bucket = "arn:aws:s3:::pricing-models-123456789012"
    s = statements(res(pricing, "aws_iam_role_policy", "sagemaker_role_policy")["policy"])
    assert s["ReadModelData"]["Resource"] == f"{bucket}/pricing/*"
    assert s["ListModelData"]["Condition"] == {"StringLike": {"s3:prefix": "pricing/*"}}
    assert s["PutDataCapture"] == {"Sid": "PutDataCapture", "Effect": "Allow",
                                   "Action": "s3:PutObject",
                                   "Resource": f"{bucket}/data-capture/pricing/*"}
    assert s["UseModelKeyThroughS3"]["Condition"]["StringEquals"]["kms:ViaService"] == \
        "s3.us-east-1.amazonaws.com"
    assert s["OwnLogGroup"]["Resource"][0] == \
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/pricing"
    _, lean = feat
    for doc in (pricing, lean):
        for st in statements(res(doc, "aws_iam_role_policy", "sagemaker_role_policy")["policy"]
                             ).values():
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            assert not any(a.endswith("*") for a in actions), st
            if st["Resource"] == "*":
                assert actions == ["ecr:GetAuthorizationToken"], st     # a read without resource
    lean_sids = set(statements(res(lean, "aws_iam_role_policy", "sagemaker_role_policy")["policy"]))
    assert "UseModelKeyThroughS3" not in lean_sids and "PutDataCapture" not in lean_sids


def _without(doc: dict, rtype: str) -> dict:
    out = copy.deepcopy(doc)
    del out["resource"][rtype]
    return out


@pytest.mark.parametrize("rtype", ["aws_sagemaker_endpoint", "aws_sagemaker_model_package_group"])
def test_diff_flags_deleting_the_endpoint_or_the_group_as_destructive(pricing, rtype):
    changes = {c.address: c for c in compare.compare_docs(pricing, _without(pricing, rtype))}
    (change,) = [c for a, c in changes.items() if a.startswith(rtype + ".")]
    assert change.action == "delete" and change.destructive


def test_diff_reports_a_version_change_as_an_update_of_the_endpoint(pricing):
    new = copy.deepcopy(pricing)
    container = new["resource"]["aws_sagemaker_model"]["sagemaker_model"]["primary_container"]
    container["model_package_name"] = container["model_package_name"].replace("/7", "/8")
    changes = {c.address: c for c in compare.compare_docs(pricing, new)}
    assert {a: (c.action, c.destructive) for a, c in changes.items()} == {
        "aws_sagemaker_model.sagemaker_model": ("replace", False),
        "aws_sagemaker_endpoint_configuration.sagemaker_config": ("replace", False),
        "aws_sagemaker_endpoint.sagemaker_endpoint": ("update", False),
    }
    assert "created before the old one is destroyed" in \
        changes["aws_sagemaker_model.sagemaker_model"].notes[0]
