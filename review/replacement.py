"""Which changes Terraform cannot make in place: one table by resource type, for the types mplat
generates, and the stateful types whose removal loses data.

``FORCES_REPLACEMENT[type]`` lists the attributes (dotted paths into the resource's JSON as mplat
synthesizes it; nested blocks are objects there) whose change makes Terraform destroy the resource
and create a new one ("must be replaced"). Each entry was read from the provider's schema
(``ForceNew: true``) in the source of hashicorp/terraform-provider-aws (file paths below, as of the
stored revisions read for this table; the stacks pin provider 6.25.0, this machine tests with
5.100.0) and hashicorp/terraform-provider-kubernetes. Only attributes mplat emits, or names it
derives, are listed; an attribute that is not listed is assumed to update in place.
tests/test_replacement_terraform.py checks the rows against real Terraform and provider 5.100.0.

Read the table with ``replacement_attribute(type, path)``; never copy it.
"""
from __future__ import annotations

# Every AWS resource of provider 6.x has a per-resource ``region``; AWS cannot move a resource
# between regions, so a changed region re-creates it.
_REGION = ("region",)
# The S3 bucket companions (one per bucket setting) are keyed by their bucket: each has
# ``bucket`` Required + ForceNew and ``expected_bucket_owner`` ForceNew, e.g.
# internal/service/s3/bucket_versioning.go.
_BUCKET_COMPANION = ("bucket", "expected_bucket_owner") + _REGION
# terraform-provider-kubernetes kubernetes/schema_metadata.go: metadataFields "name" ForceNew,
# namespacedMetadataSchemaIsTemplate "namespace" ForceNew ("Cannot be updated").
_K8S_NAMESPACED = ("metadata.name", "metadata.namespace", "metadata.generate_name")

FORCES_REPLACEMENT: dict[str, tuple[str, ...]] = {
    # internal/service/s3/bucket.go: "bucket", "bucket_prefix" and "object_lock_enabled" ForceNew
    "aws_s3_bucket": ("bucket", "bucket_prefix", "object_lock_enabled") + _REGION,
    "aws_s3_bucket_versioning": _BUCKET_COMPANION,
    "aws_s3_bucket_ownership_controls": _BUCKET_COMPANION,
    "aws_s3_bucket_public_access_block": _BUCKET_COMPANION,
    "aws_s3_bucket_server_side_encryption_configuration": _BUCKET_COMPANION,
    "aws_s3_bucket_policy": _BUCKET_COMPANION,
    "aws_s3_bucket_lifecycle_configuration": _BUCKET_COMPANION,
    "aws_s3_bucket_logging": _BUCKET_COMPANION,
    "aws_s3_bucket_notification": _BUCKET_COMPANION,
    "aws_s3_bucket_object_lock_configuration": _BUCKET_COMPANION,
    "aws_s3_bucket_replication_configuration": _BUCKET_COMPANION,
    # internal/service/kms/key.go: nothing mplat sets is ForceNew (description, policy, rotation
    # and deletion window update in place)
    "aws_kms_key": _REGION,
    # internal/service/kms/alias.go: "name", "name_prefix" ForceNew; target_key_id updates in place
    "aws_kms_alias": ("name", "name_prefix") + _REGION,
    # internal/service/iam/role.go: "name", "name_prefix", "path" ForceNew
    "aws_iam_role": ("name", "name_prefix", "path"),
    # internal/service/iam/role_policy.go: "name", "name_prefix", "role" ForceNew
    "aws_iam_role_policy": ("name", "name_prefix", "role"),
    # internal/service/iam/role_policy_attachment.go: no Update; "role", "policy_arn" ForceNew
    "aws_iam_role_policy_attachment": ("role", "policy_arn"),
    # internal/service/backup/vault.go: "name", "kms_key_arn" ForceNew
    "aws_backup_vault": ("name", "kms_key_arn") + _REGION,
    # internal/service/backup/vault_lock_configuration.go: ForceNew backup_vault_name and the
    # retentions; a changed changeable_for_days plans no replacement (tests/test_replacement_
    # terraform.py against the 5.100.0 mirror, found when fraud-detector-prod first set it)
    "aws_backup_vault_lock_configuration": ("backup_vault_name", "max_retention_days",
                                            "min_retention_days") + _REGION,
    # internal/service/eks/pod_identity_association.go: cluster_name, namespace and
    # service_account RequiresReplace; role_arn updates in place
    "aws_eks_pod_identity_association": ("cluster_name", "namespace", "service_account")
    + _REGION,
    # internal/service/backup/plan.go: "name" ForceNew; rules update in place
    "aws_backup_plan": ("name",) + _REGION,
    # internal/service/backup/selection.go: no Update; every argument ForceNew
    "aws_backup_selection": ("name", "iam_role_arn", "plan_id", "resources", "not_resources",
                             "selection_tag", "condition") + _REGION,
    # internal/service/configservice/configuration_recorder.go: "name" ForceNew
    "aws_config_configuration_recorder": ("name",) + _REGION,
    # internal/service/configservice/configuration_recorder_status.go: "name" Required, not ForceNew
    "aws_config_configuration_recorder_status": _REGION,
    # internal/service/configservice/delivery_channel.go: "name" ForceNew
    "aws_config_delivery_channel": ("name",) + _REGION,
    # internal/service/configservice/config_rule.go: "name" ForceNew
    "aws_config_config_rule": ("name",) + _REGION,
    # internal/service/deploy/app.go: "compute_platform" ForceNew; "name" is renamed in place
    # (UpdateApplication NewApplicationName)
    "aws_codedeploy_app": ("compute_platform",) + _REGION,
    # internal/service/deploy/deployment_config.go: no Update; every argument ForceNew
    "aws_codedeploy_deployment_config": ("deployment_config_name", "compute_platform",
                                         "minimum_healthy_hosts", "traffic_routing_config")
    + _REGION,
    # internal/service/deploy/deployment_group.go: no argument is ForceNew ("app_name" and
    # "deployment_group_name" are Required and update in place)
    "aws_codedeploy_deployment_group": _REGION,
    # internal/service/cloudwatch/metric_alarm.go: "alarm_name" ForceNew
    "aws_cloudwatch_metric_alarm": ("alarm_name",) + _REGION,
    # kubernetes/resource_kubernetes_deployment_v1.go: "spec.selector" ForceNew (and all below it)
    "kubernetes_deployment_v1": _K8S_NAMESPACED + ("spec.selector",),
    "kubernetes_service_v1": _K8S_NAMESPACED,
    # kubernetes/resource_kubernetes_pod_disruption_budget_v1.go: the whole "spec" is ForceNew
    # (min_available, max_unavailable, selector)
    "kubernetes_pod_disruption_budget_v1": _K8S_NAMESPACED + ("spec",),
    "kubernetes_service_account_v1": _K8S_NAMESPACED,
    # internal/service/sagemaker/model_package_group.go: name and description ForceNew
    "aws_sagemaker_model_package_group": ("model_package_group_name",
                                          "model_package_group_description") + _REGION,
    # internal/service/sagemaker/model.go: every argument mplat sets is ForceNew (the model is
    # replaced on every pin change, create before destroy: expected, not destructive); mplat
    # sets no name (the provider generates one)
    "aws_sagemaker_model": ("execution_role_arn", "primary_container",
                            "enable_network_isolation") + _REGION,
    # internal/service/sagemaker/endpoint_configuration.go: every argument is ForceNew (mplat sets
    # name_prefix, never name)
    "aws_sagemaker_endpoint_configuration": ("name_prefix", "kms_key_arn",
                                             "production_variants", "data_capture_config")
    + _REGION,
    # internal/service/sagemaker/endpoint.go: "name" ForceNew; endpoint_config_name and the whole
    # deployment_config update in place (UpdateEndpoint). An older revision of that file marks
    # auto_rollback_configuration ForceNew; provider 5.100.0 updates it in place
    # (tests/test_replacement_terraform.py found it)
    "aws_sagemaker_endpoint": ("name",) + _REGION,
    # a namespace is not namespaced: only its name
    "kubernetes_namespace_v1": ("metadata.name", "metadata.generate_name"),
}

# Resources whose removal loses data or history that cannot be re-created: buckets (objects and
# their versions), KMS keys (everything encrypted with them), backup vaults (recovery points) and
# their locks, the Config recorder (configuration history), Kubernetes namespaces (everything in
# them), the SageMaker model package group (the registry history of every model version) and the
# SageMaker endpoint (live serving: a new one has a new name and no traffic). A resource the base marks ``lifecycle.prevent_destroy`` counts as stateful too.
STATEFUL = frozenset({
    "aws_s3_bucket", "aws_kms_key", "aws_backup_vault", "aws_backup_vault_lock_configuration",
    "aws_config_configuration_recorder", "kubernetes_namespace_v1",
    "aws_sagemaker_model_package_group", "aws_sagemaker_endpoint",
})


def replacement_attribute(resource_type: str, path: str) -> str | None:
    """The table entry that a change at ``path`` (dotted, list indices as ``[i]``) of a resource of
    this type falls under, or None when the change updates in place (or the type is unknown)."""
    plain = ".".join(part.split("[", 1)[0] for part in path.split("."))
    for attribute in FORCES_REPLACEMENT.get(resource_type, ()):
        if plain == attribute or plain.startswith(attribute + "."):
            return attribute
    return None


def is_stateful(resource_type: str, config: dict | None = None) -> bool:
    lifecycle = (config or {}).get("lifecycle")
    protected = isinstance(lifecycle, dict) and lifecycle.get("prevent_destroy") is True
    return resource_type in STATEFUL or protected
