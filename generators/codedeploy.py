"""CodeDeploy: automated rollback of faulty service deployments.

One capability, :class:`Rollback` (resources created on the stack), turns the typed
``compiler.model.codedeploy.CodeDeploy`` into:

==============================  ===============================================================
Terraform address               what
==============================  ===============================================================
aws_codedeploy_app.codedeploy_app                  the application (compute platform)
aws_codedeploy_deployment_config.codedeploy_config a custom deployment config, only when given
aws_iam_role.codedeploy_role                       the service role (trusts CodeDeploy)
aws_iam_role_policy_attachment.codedeploy_role_policy  the platform's AWS managed policy
aws_cloudwatch_metric_alarm.alarm_<name>           one per spec alarm
aws_codedeploy_deployment_group.codedeploy_group   rollback + alarms + the platform's target
==============================  ===============================================================

Terraform addresses are part of the contract (renaming one replaces the real resource), so every
resource gets a fixed logical id. Alarm ids are ``alarm_<name>``; a name with characters Terraform
does not allow in an identifier gets them replaced by ``_`` plus a short hash of the original name, so
two different names can never share an address.

Generators decide nothing: every value comes from the model. Policies are plain JSON strings
(``json.dumps``, through ``generators.common``) so that policy scanners read them.
"""
from __future__ import annotations

import hashlib
import re

from compiler import names
from generators import engine
from generators.common import Capability, account_id
from generators.policies import service_trust

_TF_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def alarm_logical_id(name: str) -> str:
    """``alarm_<name>``, sanitized to a Terraform identifier without collisions."""
    if _TF_NAME.match(name):
        return f"alarm_{name}"
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
    return f"alarm_{clean}_{digest}"


class Rollback(Capability):
    """The CodeDeploy application, its deployment group and everything the group needs."""

    def __init__(self, scope, id: str, *, spec, platform=None):
        super().__init__(scope, id)
        self.spec = spec
        cd = spec

        app_mod = engine.aws("codedeploy_app")
        self.app = app_mod.CodedeployApp(self.scope, "codedeploy_app", name=cd.app_name,
                                         compute_platform=cd.platform)

        config_name = cd.deployment_config_name
        self.config = None
        if cd.custom_config is not None:
            self.config = self._custom_config(cd.custom_config)
            config_name = self.config.deployment_config_name

        # The trust names this deployment group (aws:SourceArn, ArnLike: its ARN is known at synth)
        # and this account (aws:SourceAccount): CodeDeploy, "Cross-service confused deputy
        # prevention" (https://docs.aws.amazon.com/codedeploy/latest/userguide/security_confused_deputy.html):
        # for EC2/On-Premises, Lambda and ECS deployments, aws:SourceArn is the deployment group ARN
        # (arn:<partition>:codedeploy:<region>:<account>:deploymentgroup:<app>/<group>).
        account = cd.account_id or account_id(scope)
        group_arn = names.arn(cd.partition, "codedeploy",
                              f"deploymentgroup:{cd.app_name}/{cd.group_name}",
                              region=cd.region, account=account)
        iam_role = engine.aws("iam_role")
        self.role = iam_role.IamRole(
            self.scope, "codedeploy_role",
            name=cd.role_name,
            description=f"CodeDeploy service role of {cd.group_name}",
            assume_role_policy=service_trust(cd.service_principal, account, source_arn=group_arn),
        )
        attachment = engine.aws("iam_role_policy_attachment")
        self.role_policy = attachment.IamRolePolicyAttachment(
            self.scope, "codedeploy_role_policy", role=self.role.name,
            policy_arn=cd.managed_policy_arn)

        alarm_mod = engine.aws("cloudwatch_metric_alarm")
        self.alarms = []
        for a in cd.alarms:
            kwargs = dict(
                alarm_name=a.alarm_name,
                alarm_description=a.description,
                namespace=a.namespace,
                metric_name=a.metric,
                statistic=a.statistic,
                comparison_operator=a.comparison,
                threshold=a.threshold,
                period=a.period_seconds,
                evaluation_periods=a.evaluation_periods,
                treat_missing_data=a.treat_missing_data,
            )
            if a.dimensions:
                kwargs["dimensions"] = dict(a.dimensions)
            logical = alarm_logical_id(a.name)
            alarm = alarm_mod.CloudwatchMetricAlarm(self.scope, logical, **kwargs)
            self.alarms.append(alarm)

        self.group = self._group(cd, config_name)

    # -- pieces -----------------------------------------------------------------------------
    def _custom_config(self, custom):
        mod = engine.aws("codedeploy_deployment_config")
        kwargs = dict(deployment_config_name=custom.name, compute_platform=custom.compute_platform)
        if custom.minimum_healthy_hosts is not None:
            mhh = custom.minimum_healthy_hosts
            kwargs["minimum_healthy_hosts"] = mod.CodedeployDeploymentConfigMinimumHealthyHosts(
                type=mhh.type, value=mhh.value)
        if custom.traffic_routing is not None:
            tr = custom.traffic_routing
            routing = {"type": tr.type}
            if tr.type == "TimeBasedCanary":
                routing["time_based_canary"] = \
                    mod.CodedeployDeploymentConfigTrafficRoutingConfigTimeBasedCanary(
                        interval=tr.interval_minutes, percentage=tr.percentage)
            else:
                routing["time_based_linear"] = \
                    mod.CodedeployDeploymentConfigTrafficRoutingConfigTimeBasedLinear(
                        interval=tr.interval_minutes, percentage=tr.percentage)
            kwargs["traffic_routing_config"] = \
                mod.CodedeployDeploymentConfigTrafficRoutingConfig(**routing)
        config = mod.CodedeployDeploymentConfig(self.scope, "codedeploy_config", **kwargs)
        return config

    def _group(self, cd, config_name):
        g = engine.aws("codedeploy_deployment_group")
        kwargs = dict(
            app_name=self.app.name,
            deployment_group_name=cd.group_name,
            service_role_arn=self.role.arn,
            deployment_config_name=config_name,
            deployment_style=g.CodedeployDeploymentGroupDeploymentStyle(
                deployment_type=cd.deployment_type, deployment_option=cd.deployment_option),
            auto_rollback_configuration=g.CodedeployDeploymentGroupAutoRollbackConfiguration(
                enabled=cd.auto_rollback_enabled, events=list(cd.auto_rollback_events)),
            depends_on=[self.role_policy],
        )
        if self.alarms:
            kwargs["alarm_configuration"] = g.CodedeployDeploymentGroupAlarmConfiguration(
                enabled=True, ignore_poll_alarm_failure=False,
                alarms=[a.alarm_name for a in self.alarms])
        if cd.platform == "Server" and cd.ec2_tags:
            # One tag set per tag: an instance must carry all of them.
            kwargs["ec2_tag_set"] = [
                g.CodedeployDeploymentGroupEc2TagSet(ec2_tag_filter=[
                    g.CodedeployDeploymentGroupEc2TagSetEc2TagFilter(
                        key=key, value=value, type="KEY_AND_VALUE")])
                for key, value in cd.ec2_tags
            ]
        if cd.platform == "ECS" and cd.ecs is not None:
            ecs = cd.ecs
            kwargs["ecs_service"] = g.CodedeployDeploymentGroupEcsService(
                cluster_name=ecs.cluster, service_name=ecs.service)
            pair = dict(
                prod_traffic_route=g.CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoProdTrafficRoute(
                    listener_arns=list(ecs.listener_arns)),
                target_group=[
                    g.CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroup(name=n)
                    for n in ecs.target_groups],
            )
            if ecs.test_listener_arns:
                pair["test_traffic_route"] = \
                    g.CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTestTrafficRoute(
                        listener_arns=list(ecs.test_listener_arns))
            kwargs["load_balancer_info"] = g.CodedeployDeploymentGroupLoadBalancerInfo(
                target_group_pair_info=g.CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfo(
                    **pair))
            kwargs["blue_green_deployment_config"] = g.CodedeployDeploymentGroupBlueGreenDeploymentConfig(
                deployment_ready_option=g.CodedeployDeploymentGroupBlueGreenDeploymentConfigDeploymentReadyOption(
                    action_on_timeout="CONTINUE_DEPLOYMENT"),
                terminate_blue_instances_on_deployment_success=g.CodedeployDeploymentGroupBlueGreenDeploymentConfigTerminateBlueInstancesOnDeploymentSuccess(
                    action="TERMINATE", termination_wait_time_in_minutes=ecs.termination_wait_minutes),
            )
        group = g.CodedeployDeploymentGroup(self.scope, "codedeploy_group", **kwargs)
        return group
