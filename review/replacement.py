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
    # kubernetes/resource_kubernetes_network_policy_v1.go: only the metadata names are ForceNew;
    # the spec is patched in place (patchNetworkPolicyV1Spec)
    "kubernetes_network_policy_v1": _K8S_NAMESPACED,
    # a namespace is not namespaced: only its name
    "kubernetes_namespace_v1": ("metadata.name", "metadata.generate_name"),
}

# What removing a resource of a type does, one row per type: (class, why). Every class is
# DESTRUCTIVE, and the reason is printed per change. STATEFUL: data or history that cannot be
# re-created is lost. SERVING: what serves the model goes away (every Kubernetes resource mplat
# emits, and any serving endpoint). RETENTION: less is kept from then on. A resource the base marks
# ``lifecycle.prevent_destroy`` counts as stateful too. New serving or stateful types (e.g. the
# SageMaker ones) are one row each here; resource type names as in the AWS provider's docs
# (registry.terraform.io/providers/hashicorp/aws: r/sagemaker_endpoint,
# r/sagemaker_model_package_group).
STATEFUL, SERVING, RETENTION = "stateful", "serving", "retention"
REMOVAL: dict[str, tuple[str, str]] = {
    "aws_s3_bucket": (STATEFUL, "its objects and every version are lost"),
    "aws_kms_key": (STATEFUL, "everything encrypted with it can no longer be read"),
    "aws_backup_vault": (STATEFUL, "its recovery points are lost"),
    "aws_backup_vault_lock_configuration": (STATEFUL, "the recovery points lose their lock"),
    "aws_config_configuration_recorder": (STATEFUL, "the configuration history stops"),
    "kubernetes_namespace_v1": (STATEFUL, "everything in the namespace is deleted"),
    "aws_sagemaker_model_package_group": (STATEFUL, "every registered model version in it is "
                                                    "deleted"),
    "kubernetes_deployment_v1": (SERVING, "the pods serving the model are deleted"),
    "kubernetes_service_v1": (SERVING, "clients lose the model's endpoint"),
    "kubernetes_pod_disruption_budget_v1": (SERVING, "a node drain may then evict every serving "
                                                     "pod at once"),
    "kubernetes_service_account_v1": (SERVING, "the serving pods lose their identity"),
    "aws_eks_pod_identity_association": (SERVING, "the serving pods can no longer read the model"),
    "aws_sagemaker_endpoint": (SERVING, "the endpoint serving the model is deleted"),
    "aws_s3_bucket_replication_configuration": (RETENTION, "the cross-region replica stops "
                                                           "receiving new versions"),
}


def removal(resource_type: str, config: dict | None = None) -> tuple[str, str] | None:
    """(class, why) when removing this resource is DESTRUCTIVE, else None."""
    row = REMOVAL.get(resource_type)
    if row is not None:
        return row
    lifecycle = (config or {}).get("lifecycle")
    if isinstance(lifecycle, dict) and lifecycle.get("prevent_destroy") is True:
        return STATEFUL, "the base marks it prevent_destroy"
    return None


# Retention settings, one row per resource type: a function that lists the type's retention values
# (label -> number) and whether a missing value means "kept forever" (EXPIRY: an expiration; adding
# one is a decrease) or "no minimum" (MINIMUM: removing one is a decrease). Any decrease is
# DESTRUCTIVE: versions, recovery points or locks are deleted or released sooner.
EXPIRY, MINIMUM = "expiry", "minimum"


def _blocks(value) -> list[dict]:
    """A nested block as synthesized: an object, or a list of objects."""
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _lifecycle_retention(config: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for rule in _blocks(config.get("rule")):
        for block in _blocks(rule.get("noncurrent_version_expiration")):
            where = f"rule {rule.get('id')}: noncurrent_version_expiration"
            # with an expiration, a missing newer_noncurrent_versions keeps none (S3 API:
            # NewerNoncurrentVersions is optional)
            out[f"{where}.newer_noncurrent_versions (noncurrent_versions.keep)"] = \
                block.get("newer_noncurrent_versions", 0)
            if "noncurrent_days" in block:
                out[f"{where}.noncurrent_days (noncurrent_versions.expire_after_days)"] = \
                    block["noncurrent_days"]
    return out


def _plan_retention(config: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for rule in _blocks(config.get("rule")):
        name = rule.get("rule_name")
        what = "continuous backup" if rule.get("enable_continuous_backup") else "snapshots"
        for block in _blocks(rule.get("lifecycle")):
            for attr in ("delete_after", "cold_storage_after"):
                if attr in block:
                    out[f"rule {name} ({what}): lifecycle.{attr}"] = block[attr]
    return out


def _lock_retention(config: dict) -> dict[str, float]:
    return {"min_retention_days (vault_lock.min_retention_days)": config["min_retention_days"]} \
        if "min_retention_days" in config else {}


def _object_lock_retention(config: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for rule in _blocks(config.get("rule")):
        for block in _blocks(rule.get("default_retention")):
            if "days" in block:
                out["default_retention days (object_lock.days)"] = block["days"]
            if "years" in block:
                out["default_retention days (object_lock.years)"] = block["years"] * 365
    return out


RETENTION_SETTINGS: dict[str, tuple[object, str]] = {
    "aws_s3_bucket_lifecycle_configuration": (_lifecycle_retention, EXPIRY),
    "aws_backup_plan": (_plan_retention, EXPIRY),
    "aws_backup_vault_lock_configuration": (_lock_retention, MINIMUM),
    "aws_s3_bucket_object_lock_configuration": (_object_lock_retention, MINIMUM),
}


def retention_decreases(resource_type: str, old: dict, new: dict) -> list[str]:
    """Why an update of this resource keeps less than before: one reason per decreased setting."""
    row = RETENTION_SETTINGS.get(resource_type)
    if row is None:
        return []
    read, kind = row
    before, after = read(old), read(new)
    forever = float("inf") if kind == EXPIRY else 0
    reasons = []
    for label in sorted(set(before) | set(after)):
        was, now = before.get(label, forever), after.get(label, forever)
        if now < was:
            reasons.append(f"retention decreases: {label} {_shown(was, label in before)} -> "
                           f"{_shown(now, label in after)} (what it kept is deleted or released "
                           "sooner)")
    return reasons


def _shown(value: float, present: bool) -> str:
    if present:
        return str(value)
    return "forever" if value == float("inf") else "none"


# The kubernetes provider block names the cluster (kubeconfig path and context, or an EKS cluster's
# endpoint and token command): when it changes, Terraform creates the workload on the new cluster
# and never deletes it from the old one.
CLUSTER_PROVIDER = "kubernetes"
def replacement_attribute(resource_type: str, path: str) -> str | None:
    """The table entry that a change at ``path`` (dotted, list indices as ``[i]``) of a resource of
    this type falls under, or None when the change updates in place (or the type is unknown)."""
    plain = ".".join(part.split("[", 1)[0] for part in path.split("."))
    for attribute in FORCES_REPLACEMENT.get(resource_type, ()):
        if plain == attribute or plain.startswith(attribute + "."):
            return attribute
    return None
