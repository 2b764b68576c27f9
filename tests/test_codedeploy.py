"""CodeDeploy: the typed model and the intent of the synthesized Terraform, per compute platform.

Every case is synthesized once per module (one stack each) from a small merged spec document; the
assertions read the JSON the way Terraform will.
"""
from __future__ import annotations

import copy
import json

import pytest

from compiler.defaults import resolve_data
from compiler.model import codedeploy as model

BASE = {
    "apiVersion": "mplat/v1",
    "kind": "ModelPlatform",
    "metadata": {"name": "fraud-detector", "owner": "risk-ml"},
    "aws": {"region": "us-east-1", "account_id": "123456789012"},
}

ALARM_5XX = {
    "name": "high-5xx", "namespace": "AWS/ApplicationELB", "metric": "HTTPCode_Target_5XX_Count",
    "dimensions": {"LoadBalancer": "app/fraud/0123456789abcdef"}, "statistic": "Sum",
    "comparison": "GreaterThanThreshold", "threshold": 10, "period_seconds": 60,
    "evaluation_periods": 3,
}
ALARM_LATENCY = {
    "name": "p99-latency", "namespace": "AWS/ApplicationELB", "metric": "TargetResponseTime",
    "dimensions": {"LoadBalancer": "app/fraud/0123456789abcdef"}, "statistic": "Maximum",
    "comparison": "GreaterThanThreshold", "threshold": 1.5, "period_seconds": 60,
    "evaluation_periods": 5,
}
LISTENER = ("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/rec/"
            "0123456789abcdef/fedcba9876543210")

CASES = {
    "server": {
        "platform": "Server",
        "deployment_config": {"minimum_healthy_hosts": {"type": "FLEET_PERCENT", "value": 75}},
        "auto_rollback": {"events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
        "alarms": [ALARM_5XX],
        "ec2_tags": {"app": "fraud-detector", "tier": "scoring"},
    },
    "ecs": {
        "platform": "ECS",
        "deployment_config": {"linear": {"percentage": 10, "interval_minutes": 1}},
        "auto_rollback": {"events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM",
                                     "DEPLOYMENT_STOP_ON_REQUEST"]},
        "alarms": [ALARM_5XX, ALARM_LATENCY],
        "ecs": {"cluster": "ml", "service": "recommender", "listener_arns": [LISTENER],
                "target_groups": ["rec-blue", "rec-green"], "termination_wait_minutes": 15},
    },
    "lambda": {
        "platform": "Lambda",
        "deployment_config": {"canary": {"percentage": 10, "interval_minutes": 5}},
        "alarms": [ALARM_5XX],
        "lambda": {"function": "churn-scorer", "alias": "live"},
    },
    "builtin": {   # built-in config, no alarms, default events
        "platform": "Server",
        "deployment_config": "CodeDeployDefault.HalfAtATime",
        "ec2_tags": {"app": "fraud-detector"},
    },
}


def document(codedeploy: dict, **extra) -> dict:
    data = copy.deepcopy(BASE)
    data["codedeploy"] = copy.deepcopy(codedeploy)
    data.update(copy.deepcopy(extra))
    return resolve_data(data)[0]          # the model reads the resolved document


@pytest.fixture(scope="module")
def synthesized() -> dict[str, dict]:
    """case -> the synthesized stack JSON; one stack per case, built once per module."""
    from generators import engine
    from generators.codedeploy import Rollback

    app = engine.cdktf.Testing.app()
    out = {}
    for case, section in CASES.items():
        stack = engine.cdktf.TerraformStack(app, case)
        engine.aws("provider").AwsProvider(stack, "aws", region="us-east-1")
        Rollback(stack, "codedeploy", spec=model.build(document(section), None))
        out[case] = json.loads(engine.cdktf.Testing.synth(stack))
    return out


def resources(out: dict, kind: str) -> dict:
    return out["resource"].get(kind, {})


def group(out: dict) -> dict:
    return resources(out, "aws_codedeploy_deployment_group")["codedeploy_group"]


# -- model ----------------------------------------------------------------------------------------
def test_no_section_no_model():
    assert model.build(copy.deepcopy(BASE), None) is None


def test_model_defaults_per_platform():
    server = model.build(document({"platform": "Server", "ec2_tags": {"a": "b"}}), None)
    assert server.deployment_config_name == "CodeDeployDefault.OneAtATime"
    assert server.auto_rollback_events == ("DEPLOYMENT_FAILURE",)
    assert server.auto_rollback_enabled is True
    assert server.alarms == ()
    ecs = model.build(document({"platform": "ECS", "alarms": [ALARM_5XX]}), None)
    assert ecs.deployment_config_name == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    assert ecs.auto_rollback_events == ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")
    lam = model.build(document({"platform": "Lambda"}), None)
    assert lam.deployment_config_name == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    assert (lam.deployment_type, lam.deployment_option) == ("BLUE_GREEN", "WITH_TRAFFIC_CONTROL")


def test_model_names_follow_the_environment():
    m = model.build(document(CASES["server"]), "prod")
    assert m.app_name == "fraud-detector-prod"
    assert m.group_name == "fraud-detector-prod-group"
    assert m.custom_config.name == "fraud-detector-prod-config"
    assert m.alarms[0].alarm_name == "fraud-detector-prod-high-5xx"
    assert m.role_name == "fraud-detector-prod-codedeploy"


def test_trust_without_an_account_has_no_condition():
    data = document(CASES["lambda"])
    del data["aws"]["account_id"]
    assert model.build(data, None).account_id is None


def test_model_is_frozen_and_uses_tuples():
    m = model.build(document(CASES["ecs"]), None)
    with pytest.raises(AttributeError):
        m.platform = "Server"  # type: ignore[misc]
    assert isinstance(m.alarms, tuple) and isinstance(m.ecs.target_groups, tuple)
    hash(m)   # every field is hashable: no lists or dicts inside


def test_model_alarm_defaults():
    bare = {"name": "errors", "namespace": "AWS/Lambda", "metric": "Errors", "threshold": 1}
    (alarm,) = model.build(document({"platform": "Lambda", "alarms": [bare]}), None).alarms
    assert (alarm.statistic, alarm.comparison) == ("Average", "GreaterThanThreshold")
    assert (alarm.period_seconds, alarm.evaluation_periods) == (60, 1)
    assert alarm.dimensions == ()
    assert alarm.treat_missing_data == "notBreaching"


def test_alarm_logical_ids_never_collide():
    from generators.codedeploy import alarm_logical_id
    assert alarm_logical_id("high-5xx") == "alarm_high-5xx"
    odd = {alarm_logical_id(n) for n in ("a.b", "a_b", "a b", "a/b")}
    assert len(odd) == 4
    assert all(i.startswith("alarm_a_") for i in odd)


def test_compiler_model_never_imports_the_engine():
    import engineprobe
    result = engineprobe.probe("import compiler.model.codedeploy, compiler.model.kubernetes")
    assert result.returncode == 0, result
    engineprobe.assert_engine_not_loaded(result)


# -- synthesized: every platform ------------------------------------------------------------------
EXPECTED_POLICY = {
    "server": "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole",
    "ecs": "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS",
    "lambda": "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda",
    "builtin": "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_addresses_are_fixed(synthesized, case):
    out = synthesized[case]
    addresses = {f"{kind}.{name}" for kind, items in out["resource"].items() for name in items}
    expected = {"aws_codedeploy_app.codedeploy_app", "aws_iam_role.codedeploy_role",
                "aws_iam_role_policy_attachment.codedeploy_role_policy",
                "aws_codedeploy_deployment_group.codedeploy_group"}
    if isinstance(CASES[case].get("deployment_config"), dict):
        expected.add("aws_codedeploy_deployment_config.codedeploy_config")
    expected |= {f"aws_cloudwatch_metric_alarm.alarm_{a['name']}"
                 for a in CASES[case].get("alarms", [])}
    assert addresses == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_service_role_trusts_codedeploy_with_the_platform_policy(synthesized, case):
    out = synthesized[case]
    role = resources(out, "aws_iam_role")["codedeploy_role"]
    trust = json.loads(role["assume_role_policy"])        # a plain JSON string, not a function
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "codedeploy.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole" and statement["Effect"] == "Allow"
    # confused-deputy guard: CodeDeploy may assume the role only on behalf of this account and
    # this deployment group (CodeDeploy user guide, "Cross-service confused deputy prevention")
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:"
                                     "fraud-detector/fraud-detector-group"}}
    attachment = resources(out, "aws_iam_role_policy_attachment")["codedeploy_role_policy"]
    assert attachment["policy_arn"] == EXPECTED_POLICY[case]
    assert attachment["role"] == "${aws_iam_role.codedeploy_role.name}"
    g = group(out)
    assert g["service_role_arn"] == "${aws_iam_role.codedeploy_role.arn}"
    assert "aws_iam_role_policy_attachment.codedeploy_role_policy" in g["depends_on"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_application_compute_platform(synthesized, case):
    app = resources(synthesized[case], "aws_codedeploy_app")["codedeploy_app"]
    assert app == {"name": "fraud-detector", "compute_platform": CASES[case]["platform"]}
    assert group(synthesized[case])["app_name"] == "${aws_codedeploy_app.codedeploy_app.name}"


@pytest.mark.parametrize("case", ["server", "ecs", "lambda"])
def test_rollback_events_and_alarms_are_wired(synthesized, case):
    out = synthesized[case]
    g = group(out)
    section = CASES[case]
    events = section.get("auto_rollback", {}).get(
        "events", ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"])
    assert g["auto_rollback_configuration"] == {"enabled": True, "events": events}
    alarms = resources(out, "aws_cloudwatch_metric_alarm")
    config = g["alarm_configuration"]
    assert config["enabled"] is True and config["ignore_poll_alarm_failure"] is False
    # each listed alarm is a reference to an alarm of this stack (so Terraform creates it first)
    assert config["alarms"] == [f"${{aws_cloudwatch_metric_alarm.alarm_{a['name']}.alarm_name}}"
                                for a in section["alarms"]]
    for spec_alarm in section["alarms"]:
        alarm = alarms[f"alarm_{spec_alarm['name']}"]
        assert alarm["alarm_name"] == f"fraud-detector-{spec_alarm['name']}"
        assert alarm["metric_name"] == spec_alarm["metric"]
        assert alarm["namespace"] == spec_alarm["namespace"]
        assert alarm["comparison_operator"] == spec_alarm["comparison"]
        assert alarm["threshold"] == spec_alarm["threshold"]
        assert alarm["period"] == spec_alarm["period_seconds"]
        assert alarm["evaluation_periods"] == spec_alarm["evaluation_periods"]
        assert alarm["dimensions"] == spec_alarm["dimensions"]
        assert alarm["treat_missing_data"] == "notBreaching"
        assert alarm["statistic"] == spec_alarm["statistic"]


def test_without_alarms_rollback_on_failure_only(synthesized):
    g = group(synthesized["builtin"])
    assert g["auto_rollback_configuration"] == {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
    assert "alarm_configuration" not in g
    assert g["deployment_config_name"] == "CodeDeployDefault.HalfAtATime"


def test_server_in_place_on_tagged_instances(synthesized):
    out = synthesized["server"]
    g = group(out)
    assert g["deployment_style"] == {"deployment_type": "IN_PLACE",
                                     "deployment_option": "WITHOUT_TRAFFIC_CONTROL"}
    # one tag set per tag: instances must carry all of them
    assert g["ec2_tag_set"] == [
        {"ec2_tag_filter": [{"key": "app", "type": "KEY_AND_VALUE", "value": "fraud-detector"}]},
        {"ec2_tag_filter": [{"key": "tier", "type": "KEY_AND_VALUE", "value": "scoring"}]},
    ]
    for absent in ("ecs_service", "load_balancer_info", "blue_green_deployment_config"):
        assert absent not in g
    config = resources(out, "aws_codedeploy_deployment_config")["codedeploy_config"]
    assert config["compute_platform"] == "Server"
    assert config["deployment_config_name"] == "fraud-detector-config"
    assert config["minimum_healthy_hosts"] == {"type": "FLEET_PERCENT", "value": 75}
    assert "traffic_routing_config" not in config
    assert g["deployment_config_name"] == \
        "${aws_codedeploy_deployment_config.codedeploy_config.deployment_config_name}"


def test_ecs_blue_green_with_traffic_control(synthesized):
    out = synthesized["ecs"]
    g = group(out)
    assert g["deployment_style"] == {"deployment_type": "BLUE_GREEN",
                                     "deployment_option": "WITH_TRAFFIC_CONTROL"}
    assert g["ecs_service"] == {"cluster_name": "ml", "service_name": "recommender"}
    pair = g["load_balancer_info"]["target_group_pair_info"]
    assert pair["prod_traffic_route"] == {"listener_arns": [LISTENER]}
    assert pair["target_group"] == [{"name": "rec-blue"}, {"name": "rec-green"}]
    assert "test_traffic_route" not in pair
    bg = g["blue_green_deployment_config"]
    assert bg["terminate_blue_instances_on_deployment_success"] == {
        "action": "TERMINATE", "termination_wait_time_in_minutes": 15}
    assert bg["deployment_ready_option"] == {"action_on_timeout": "CONTINUE_DEPLOYMENT"}
    assert "ec2_tag_set" not in g
    config = resources(out, "aws_codedeploy_deployment_config")["codedeploy_config"]
    assert config["compute_platform"] == "ECS"
    assert config["traffic_routing_config"] == {
        "type": "TimeBasedLinear", "time_based_linear": {"interval": 1, "percentage": 10}}
    assert "minimum_healthy_hosts" not in config


def test_lambda_blue_green_with_traffic_control(synthesized):
    out = synthesized["lambda"]
    g = group(out)
    assert g["deployment_style"] == {"deployment_type": "BLUE_GREEN",
                                     "deployment_option": "WITH_TRAFFIC_CONTROL"}
    for absent in ("ecs_service", "load_balancer_info", "blue_green_deployment_config",
                   "ec2_tag_set"):
        assert absent not in g
    config = resources(out, "aws_codedeploy_deployment_config")["codedeploy_config"]
    assert config["compute_platform"] == "Lambda"
    assert config["traffic_routing_config"] == {
        "type": "TimeBasedCanary", "time_based_canary": {"interval": 5, "percentage": 10}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cases_are_valid_specs(case):
    """The documents above are what the schema accepts (the model trusts the schema's shapes)."""
    from compiler.schema import validator
    assert [e.message for e in validator().iter_errors(document(CASES[case]))] == []


def test_example_ecs_test_listener_routes_test_traffic(synth_specs):
    doc = synth_specs.doc("recommender")
    pair = doc["resource"]["aws_codedeploy_deployment_group"]["codedeploy_group"][
        "load_balancer_info"]["target_group_pair_info"]
    assert pair["test_traffic_route"]["listener_arns"][0].endswith(
        "listener/app/recommender/0123456789abcdef/0123456789abcdef")
    assert pair["prod_traffic_route"]["listener_arns"][0].endswith("/fedcba9876543210")

