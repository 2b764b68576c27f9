"""SageMaker: managed model serving with deployment guardrails.

One capability, :class:`Endpoint` (resources created on the stack), turns the typed
``compiler.model.sagemaker.SageMaker`` into:

==================================================  ============================================
Terraform address                                   what
==================================================  ============================================
aws_sagemaker_model_package_group.sagemaker_group   the Model Registry group (prevent_destroy:
                                                    it holds every registered version)
aws_kms_key.sagemaker_kms_key (+ _kms_alias)        encrypts the endpoint's ML storage volumes
aws_iam_role.sagemaker_role                         the execution role (trusts SageMaker)
aws_iam_role_policy.sagemaker_role_policy           ... least privilege, see ``_statements``
aws_sagemaker_model.sagemaker_model                 the pinned package version (replaced, create
                                                    before destroy, generated name)
aws_sagemaker_endpoint_configuration.sagemaker_config  one variant ``live`` (replaced, create
                                                    before destroy, name_prefix)
aws_cloudwatch_metric_alarm.sagemaker_alarm_<name>  one per spec alarm
aws_sagemaker_endpoint.sagemaker_endpoint           deployment_config with the guardrails and
                                                    auto-rollback (prevent_destroy: serving)
==================================================  ============================================

A change of ``version`` changes the model's ``primary_container.model_package_name`` (ForceNew in
the provider, internal/service/sagemaker/model.go), so a new model and a new endpoint
configuration (every argument ForceNew, endpoint_configuration.go) are created first; the
endpoint's ``endpoint_config_name`` is not ForceNew (endpoint.go: UpdateEndpoint with the
deployment_config), so the endpoint is updated in place through its guardrails, and only then
are the old configuration and model destroyed. tests/test_replacement_terraform.py checks this
with real Terraform.

Generators decide nothing: every value comes from the model. Policies are plain JSON strings.
"""
from __future__ import annotations


from compiler import names

from . import engine
from .codedeploy import alarm_logical_id
from .common import Capability, account_id, kms_key, output, protected
from .policies import policy, service_trust

DATA_CAPTURE_MODES = ("Input", "Output")


def _replaced_first() -> dict:
    return {"lifecycle": engine.cdktf.TerraformResourceLifecycle(create_before_destroy=True)}


class Endpoint(Capability):
    """Model package group, model, endpoint configuration, endpoint, alarms, execution role."""

    def __init__(self, scope, id: str, *, spec, platform=None, store=None):
        super().__init__(scope, id)
        sm = spec
        self.spec = sm
        self.store = store
        account = sm.account_id or account_id(scope)

        self.group = engine.aws("sagemaker_model_package_group").SagemakerModelPackageGroup(
            self.scope, "sagemaker_group", model_package_group_name=sm.group,
            # the description is ForceNew (model_package_group.go): it names nothing but the group
            model_package_group_description=f"Model versions of {sm.group} (mplat)",
            **protected())

        self.key = kms_key(self.scope, "sagemaker", alias=sm.kms_alias,
                           account=account, partition=sm.partition,
                           description=f"Encrypts the ML storage of the endpoint "
                                       f"{sm.endpoint_name}")

        # Trust: SageMaker AI developer guide, "Cross-service confused deputy prevention",
        # section "SageMaker AI Inference"
        # (https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html):
        # for real-time, serverless and asynchronous inference SageMaker sends aws:SourceArn,
        # to be matched as arn:<partition>:sagemaker:<region>:<account>:* ("Do not replace the
        # aws:SourceArn in this template with the full ARN of a specific model or endpoint");
        # aws:SourceAccount is added as well (the same account).
        source_arn = names.sagemaker_source_arn(sm.partition, sm.region, account)
        self.role = engine.aws("iam_role").IamRole(
            self.scope, "sagemaker_role", name=sm.role_name,
            description=f"SageMaker execution role of the endpoint {sm.endpoint_name}",
            assume_role_policy=service_trust(sm.service_principal, account,
                                             source_arn=source_arn))
        self.role_policy = engine.aws("iam_role_policy").IamRolePolicy(
            self.scope, "sagemaker_role_policy", name="serve-pinned-model", role=self.role.id,
            policy=policy(*self._statements(sm, account)))

        model = engine.aws("sagemaker_model")
        self.model = model.SagemakerModel(
            self.scope, "sagemaker_model", execution_role_arn=self.role.arn,
            primary_container=model.SagemakerModelPrimaryContainer(
                model_package_name=sm.package_arn(account)),
            enable_network_isolation=True,
            depends_on=[self.role_policy, self.group], **_replaced_first())

        self.config = self._config(sm)

        alarm_mod = engine.aws("cloudwatch_metric_alarm")
        self.alarms = []
        for a in sm.alarms:
            kwargs = dict(alarm_name=a.alarm_name, alarm_description=a.description,
                          namespace=a.namespace, metric_name=a.metric, statistic=a.statistic,
                          comparison_operator=a.comparison, threshold=a.threshold,
                          period=a.period_seconds, evaluation_periods=a.evaluation_periods,
                          treat_missing_data=a.treat_missing_data)
            if a.dimensions:
                kwargs["dimensions"] = dict(a.dimensions)
            self.alarms.append(alarm_mod.CloudwatchMetricAlarm(
                self.scope, f"sagemaker_{alarm_logical_id(a.name)}", **kwargs))

        self.endpoint = self._endpoint(sm)
        output(self.scope, "sagemaker_endpoint_name", self.endpoint.name,
               "Name of the SageMaker endpoint")

    # -- pieces -----------------------------------------------------------------------------
    def _statements(self, sm, account: str) -> list[dict]:
        """Least privilege: read model data under ``<group>/`` of the model bucket and decrypt it
        through S3; pull container images; write the endpoint's own log group; put data-capture
        objects under one prefix. No write action on ``*`` (ecr:GetAuthorizationToken, a read
        that takes no resource, is the only ``*``)."""
        p, region = sm.partition, sm.region
        statements: list[dict] = []
        bucket_arn = sm.bucket_arn()
        if bucket_arn:
            statements.append({"Sid": "ReadModelData", "Effect": "Allow",
                               "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                               "Resource": f"{bucket_arn}/{sm.model_prefix}*"})
            statements.append({"Sid": "ListModelData", "Effect": "Allow",
                               "Action": "s3:ListBucket", "Resource": bucket_arn,
                               "Condition": {"StringLike": {"s3:prefix": f"{sm.model_prefix}*"}}})
            key = self.store.kms_key if self.store is not None else None
            kms_actions = ["kms:Decrypt"]
            if sm.capture_percentage is not None:
                statements.append({"Sid": "PutDataCapture", "Effect": "Allow",
                                   "Action": "s3:PutObject",
                                   "Resource": f"{bucket_arn}/{sm.capture_prefix}*"})
                kms_actions.append("kms:GenerateDataKey")
            if key is not None:
                # SSE-KMS with an S3 Bucket Key: the encryption context is the bucket ARN (S3 user
                # guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys")
                statements.append({"Sid": "UseModelKeyThroughS3", "Effect": "Allow",
                                   "Action": kms_actions, "Resource": key.arn,
                                   "Condition": {"StringEquals": {
                                       "kms:ViaService": sm.s3_via_service,
                                       "kms:EncryptionContext:aws:s3:arn": bucket_arn}}})
        statements.append({"Sid": "EcrToken", "Effect": "Allow",
                           "Action": "ecr:GetAuthorizationToken", "Resource": "*"})
        # The image a model package names may live in this account or in an AWS-owned one
        # (SageMaker's prebuilt images): any repository of the region, read only.
        statements.append({"Sid": "PullImages", "Effect": "Allow",
                           "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                      "ecr:GetDownloadUrlForLayer"],
                           "Resource": names.ecr_repositories_arn(p, region)})
        log_group = names.log_group_arn(p, region, account, sm.log_group)
        statements.append({"Sid": "OwnLogGroup", "Effect": "Allow",
                           "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                                      "logs:PutLogEvents"],
                           "Resource": [log_group, f"{log_group}:log-stream:*"]})
        return statements

    def _config(self, sm):
        cfg = engine.aws("sagemaker_endpoint_configuration")
        kwargs = dict(
            name_prefix=sm.config_name_prefix, kms_key_arn=self.key.arn,
            production_variants=[cfg.SagemakerEndpointConfigurationProductionVariants(
                variant_name=sm.variant_name, model_name=self.model.name,
                initial_instance_count=sm.instance_count, instance_type=sm.instance_type)])
        if sm.capture_percentage is not None:
            kwargs["data_capture_config"] = cfg.SagemakerEndpointConfigurationDataCaptureConfig(
                enable_capture=True, initial_sampling_percentage=sm.capture_percentage,
                destination_s3_uri=f"s3://{sm.model_bucket}/{sm.capture_prefix}",
                capture_options=[cfg.SagemakerEndpointConfigurationDataCaptureConfigCaptureOptions(
                    capture_mode=mode) for mode in DATA_CAPTURE_MODES])
        return cfg.SagemakerEndpointConfiguration(self.scope, "sagemaker_config", **kwargs,
                                                  **_replaced_first())

    def _endpoint(self, sm):
        ep = engine.aws("sagemaker_endpoint")
        d = sm.deployment
        config = {}
        if d.blue_green:
            routing = dict(type=d.routing_type, wait_interval_in_seconds=d.wait_seconds)
            size = {"type": "INSTANCE_COUNT", "value": d.step_instances}
            if d.strategy == "canary":
                routing["canary_size"] = ep.SagemakerEndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationCanarySize(**size)
            elif d.strategy == "linear":
                routing["linear_step_size"] = ep.SagemakerEndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationLinearStepSize(**size)
            config["blue_green_update_policy"] = \
                ep.SagemakerEndpointDeploymentConfigBlueGreenUpdatePolicy(
                    traffic_routing_configuration=ep.SagemakerEndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfiguration(**routing),
                    termination_wait_in_seconds=d.termination_wait_seconds,
                    maximum_execution_timeout_in_seconds=d.execution_timeout_seconds)
        else:
            config["rolling_update_policy"] = ep.SagemakerEndpointDeploymentConfigRollingUpdatePolicy(
                maximum_batch_size=ep.SagemakerEndpointDeploymentConfigRollingUpdatePolicyMaximumBatchSize(
                    type="INSTANCE_COUNT", value=d.step_instances),
                wait_interval_in_seconds=d.wait_seconds,
                maximum_execution_timeout_in_seconds=d.execution_timeout_seconds)
        if self.alarms:
            config["auto_rollback_configuration"] = \
                ep.SagemakerEndpointDeploymentConfigAutoRollbackConfiguration(alarms=[
                    ep.SagemakerEndpointDeploymentConfigAutoRollbackConfigurationAlarms(
                        alarm_name=a.alarm_name) for a in self.alarms])
        return ep.SagemakerEndpoint(
            self.scope, "sagemaker_endpoint", name=sm.endpoint_name,
            endpoint_config_name=self.config.name,
            deployment_config=ep.SagemakerEndpointDeploymentConfig(**config), **protected())


