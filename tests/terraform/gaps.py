"""The one table of differences between AWS and moto 5.2.5 (GAPS) and the exclusions it makes.

A row's remedy is "patch" (its function is in moto_patches.py, under the row's ``patch`` name) or
"exclude" (the resources are removed by name from the translated copy: :func:`exclusions`,
:func:`without`). tests/test_terraform.py checks every cited moto file:line exists.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Iterable


# -- the one table of AWS-vs-moto differences ----------------------------------------------------
@dataclass(frozen=True)
class Gap:
    """A difference between AWS and moto 5.2.5 that blocks a step of the harness."""
    type: str                    # resource type (or "data.<type>"), e.g. aws_s3_bucket_logging
    attribute: str               # the argument/behaviour concerned, "*" for the whole resource
    reason: str
    evidence: str                # moto source file:line, or an AWS/provider doc page
    remedy: str                  # "patch" (patch_moto) or "exclude" (removed by name)
    step: str = "apply"          # the step it blocks: init, apply, plan
    patch: str = ""              # remedy "patch": its key in moto_patches._PATCHES


GAPS: tuple[Gap, ...] = (
    Gap("kubernetes_*", "*",
        "no kubernetes provider in the mirror: terraform init cannot install it; the kubernetes "
        "resources, the kubernetes provider block and its required_providers entry are removed",
        "find / -maxdepth 4 -name registry.terraform.io: only hashicorp/aws/5.100.0", "exclude",
        step="init"),
    Gap("data.aws_eks_cluster", "*",
        "reads an EKS cluster that lives outside the stack; only the (excluded) kubernetes "
        "provider block uses it", "the kubernetes row above", "exclude", step="init"),
    Gap("aws_s3_bucket_logging", "target bucket policy Principal \"*\"",
        "moto calls .get on every statement's Principal of the target bucket's policy and answers "
        "HTTP 500 for a valid string principal (our TLS-only deny statement); patched to skip "
        "statements whose principal is not an object (the check that logging.s3.amazonaws.com "
        "may s3:PutObject stays)",
        "moto/s3/models.py:1367-1370 (FakeBucket._log_permissions_enabled_policy)", "patch",
        patch="s3-logging-string-principal"),
    Gap("aws_s3_bucket_lifecycle_configuration",
        "rule.noncurrent_version_expiration.newer_noncurrent_versions",
        "moto keeps only NoncurrentDays of NoncurrentVersionExpiration, so GetBucketLifecycle"
        "Configuration never returns NewerNoncurrentVersions and the provider waits 3 minutes for "
        "the configuration to read back equal, then fails; patched to store and return it (the "
        "~40 s left is the provider's own wait: 3 equal reads at least 10 s apart, "
        "internal/service/s3/bucket_lifecycle_configuration.go waitLifecycleRulesEquals)",
        "moto/s3/models.py:1189-1194 and moto/s3/responses.py:1305-1308", "patch",
        patch="s3-lifecycle-newer-noncurrent-versions"),
    Gap("aws_s3_bucket_notification", "eventbridge",
        "moto stores EventBridgeConfiguration but GetBucketNotificationConfiguration leaves it "
        "out, so eventbridge reads back false and every plan sets it again; patched to return "
        "it (AWS returns <EventBridgeConfiguration/> when enabled: "
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration"
        ".html)", "moto/s3/responses.py:1377-1388 (no EventBridgeConfiguration in the result)",
        "patch", step="plan", patch="s3-notification-eventbridge"),
    Gap("aws_backup_vault, aws_backup_plan", "tags_all",
        "moto's ListTags takes the ARN from path.split('/')[-2], expecting a trailing slash the "
        "provider's SDK does not send (GET /tags/<arn>), so it reads no tags and every plan "
        "re-adds the default tags; patched to take the ARN after /tags/",
        "moto/backup/responses.py:104", "patch", step="plan", patch="backup-list-tags-path"),
    Gap("aws_codedeploy_deployment_config", "*",
        "moto implements no CreateDeploymentConfig/GetDeploymentConfig/DeleteDeploymentConfig "
        "(the provider retries until it times out); patched in: the config is stored as given",
        "moto/codedeploy/responses.py:89-290 (CodeDeployResponse has no *_deployment_config)",
        "patch", patch="codedeploy-deployment-configs"),
    Gap("aws_codedeploy_deployment_group", "alarm_configuration, load_balancer_info",
        "moto's GetDeploymentGroup answers an empty alarmConfiguration (a TODO), so every plan "
        "would re-add the alarms, and an empty loadBalancerInfo object for a group without a "
        "load balancer (AWS leaves the member out), which the provider reads as an empty "
        "load_balancer_info block; patched to return the stored alarms and drop the empty object",
        "moto/codedeploy/responses.py:37 (\"alarmConfiguration\": {},  # TODO) and "
        "moto/codedeploy/models.py:104 (load_balancer_info or {})", "patch", step="plan",
        patch="codedeploy-alarm-configuration"),
    Gap("aws_s3_bucket_replication_configuration",
        "rule.delete_marker_replication, rule.source_selection_criteria",
        "moto's GetBucketReplication answers a fixed DeleteMarkerReplication Disabled and drops "
        "SourceSelectionCriteria, so every plan sets them again; patched to return what was put",
        "moto/s3/responses.py:1429-1439", "patch", step="plan",
        patch="s3-replication-rule-fields"),
    Gap("aws_backup_selection", "*",
        "moto implements no CreateBackupSelection/GetBackupSelection/DeleteBackupSelection; "
        "patched in: the selection is stored as given under an existing plan",
        "moto/backup/responses.py:11-190 (BackupResponse has no *_backup_selection)", "patch",
        patch="backup-selections"),
    Gap("aws_eks_pod_identity_association", "*",
        "moto implements no Create/Describe/DeletePodIdentityAssociation (no URL route either); "
        "patched in: the association is stored as given (the cluster itself is not checked: "
        "it lives outside the stack)",
        "moto/eks/urls.py:11-21 (no pod-identity-associations route), moto/eks/responses.py",
        "patch", patch="eks-pod-identity-associations"),
    Gap("aws_sagemaker_model", "enable_network_isolation, vpc_config",
        "moto's Model ignores EnableNetworkIsolation (always False) and DescribeModel answers an "
        "empty VpcConfig object that AWS leaves out, so every plan replaces the model (both "
        "ForceNew); patched to keep what CreateModel was given and drop the empty VpcConfig",
        "moto/sagemaker/models.py:944-945 (Model.__init__: enable_network_isolation = False, "
        "vpc_config = vpc_config)", "patch", step="plan", patch="sagemaker-model-fields"),
    Gap("aws_sagemaker_endpoint_configuration", "data_capture_config",
        "moto keeps an endpoint configuration without data capture as an empty DataCaptureConfig "
        "object, which DescribeEndpointConfig returns (AWS leaves the member out), so the "
        "provider reads an empty data_capture_config block and every plan replaces the "
        "configuration (ForceNew); patched to leave the empty object out",
        "moto/sagemaker/models.py:640 (FakeEndpointConfig: data_capture_config or {}); "
        "moto/sagemaker/responses.py:149-152", "patch",
        step="plan", patch="sagemaker-endpoint-config-data-capture"),
    Gap("aws_sagemaker_endpoint", "deployment_config; UpdateEndpoint",
        "moto's CreateEndpoint drops DeploymentConfig and DescribeEndpoint has no "
        "LastDeploymentConfig, so every plan re-adds auto_rollback_configuration (ForceNew: the "
        "endpoint would be replaced); and there is no UpdateEndpoint, which a new "
        "endpoint_config_name (a model version change) calls. Patched: the DeploymentConfig is "
        "stored and returned as LastDeploymentConfig, and UpdateEndpoint switches the endpoint to "
        "the new configuration and DeploymentConfig at once (AWS would shift traffic through the "
        "guardrails: https://docs.aws.amazon.com/sagemaker/latest/APIReference/"
        "API_UpdateEndpoint.html)",
        "moto/sagemaker/responses.py:159-165 (create_endpoint passes no DeploymentConfig); "
        "moto/sagemaker/models.py:447-458 (FakeEndpoint keeps none); no update_endpoint in "
        "moto/sagemaker/responses.py", "patch", patch="sagemaker-endpoint-deployment-config"),
)


def gaps_by_remedy(remedy: str) -> list[Gap]:
    return [g for g in GAPS if g.remedy == remedy]


def exclusions(doc: dict) -> dict[str, Gap]:
    """address -> the GAPS row that excludes it, for every excluded resource of ``doc``."""
    rows = gaps_by_remedy("exclude")
    out: dict[str, Gap] = {}
    for kind in ("resource", "data"):
        for type_, items in doc.get(kind, {}).items():
            key = f"data.{type_}" if kind == "data" else type_
            for row in rows:
                if row.type == key or (row.type.endswith("*") and key.startswith(row.type[:-1])):
                    for name in items:
                        out[f"{key}.{name}"] = row
    return out


def without(doc: dict, addresses: Iterable[str]) -> dict:
    """A copy of ``doc`` without the given resources/data sources (and ``depends_on`` on them);
    a provider whose resources all went is removed with its ``required_providers`` entry."""
    out = copy.deepcopy(doc)
    gone = set(addresses)
    for addr in gone:
        kind = "data" if addr.startswith("data.") else "resource"
        type_, name = addr.removeprefix("data.").split(".", 1)
        del out[kind][type_][name]
        if not out[kind][type_]:
            del out[kind][type_]
        if not out[kind]:
            del out[kind]
    used = {t.split("_", 1)[0] for kind in ("resource", "data") for t in out.get(kind, {})}
    for prov in list(out.get("provider", {})):
        if prov not in used:
            del out["provider"][prov]
            out["terraform"]["required_providers"].pop(prov, None)
    for kind in ("resource", "data"):
        for items in out.get(kind, {}).values():
            for body in items.values():
                if "depends_on" in body:
                    body["depends_on"] = [d for d in body["depends_on"] if d not in gone]
    text = json.dumps(out)
    for addr in gone:                                 # nothing may still reference what went
        if re.search(r"\$\{[^}]*\b" + re.escape(addr) + r"\b", text):
            raise ValueError(f"{addr} is excluded but still referenced")
    return out

