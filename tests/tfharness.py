"""Real Terraform against moto: init, validate, apply, plan, destroy-plan of a synthesized stack.

The test suite (tests/test_terraform.py) runs every example stack and a few generated variants
through the real ``terraform`` binary and the real hashicorp/aws provider from a filesystem mirror,
against moto's server on 127.0.0.1. Other tests (``mplat diff``) reuse the same small API:

    tools = find_tools()                    # terraform + mirror + the mirror's aws version
    cli = write_cli_config(tmp / "cli.tfrc", tools.mirror)
    with MotoServer(account="123456789012") as moto:
        wd = Workdir(tmp / "stack", tools, cli)
        wd.write_config(doc, exclusions(doc))   # translate(doc) minus GAPS exclusions + backend
        wd.init(); wd.validate()
        wd.use_moto(moto.endpoint)          # the moto override file + environment
        wd.apply()
        wd.write_config(changed_doc, exclusions(changed_doc))
        changes = wd.plan_changes()         # plan -out + show -json -> [Change]
        assert changes[0].replace           # actions ["delete","create"]: "must be replaced"

Pieces (each usable alone):

* :func:`find_tools` -- ``terraform`` from ``$MPLAT_TERRAFORM`` or the PATH; the provider mirror
  from ``$MPLAT_TF_MIRROR`` or the machine's (the first ``registry.terraform.io`` directory at
  depth <= 4 under /, as ``find / -maxdepth 4 -name registry.terraform.io`` finds it). A missing
  piece raises :class:`Unavailable` whose message is one line saying what is missing and how to
  point the tests at it.
* :func:`write_cli_config` -- a CLI config whose ``provider_installation`` has only a
  ``filesystem_mirror`` (never the network) and NO ``plugin_cache_dir``: ``init`` then links each
  stack's ``.terraform/providers/.../<os_arch>`` straight to the mirror's unpacked directory, which
  nothing ever rewrites, so stacks may ``init``, ``validate``, ``apply`` and ``plan`` all at once
  (issue #22). Terraform documents the plugin cache as unsafe for concurrent use ("The plugin
  cache directory is not guaranteed to be concurrency safe. The provider installer's behavior in
  environments with multiple terraform init calls is undefined.", CLI configuration file,
  "Provider Plugin Cache"); the old shared cache was re-created by every ``init`` while other
  stacks read through it. An unpacked mirror makes the cache pointless anyway: nothing is
  copied, each stack gets a symlink (tests/test_tfharness_race.py checks both).
* :func:`translate` -- the ONLY change made to the generated JSON: the aws version pin becomes the
  mirror's version and, for a provider older than 6.0, v6's per-resource ``region`` argument becomes
  a provider alias (one ``provider "aws"`` block per extra region, a copy of the default one, incl.
  ``allowed_account_ids`` and ``default_tags``). tests/test_terraform.py proves it changes nothing
  else.
* Everything the emulator needs is added by Terraform *override files*
  (https://developer.hashicorp.com/terraform/language/files/override), never by editing the
  generated JSON: ``mplat_backend_override.tf.json`` (a local backend in the work directory instead
  of the stack's S3/local backend) and ``mplat_moto_override.tf.json`` (per aws provider block:
  ``s3_use_path_style`` and ``skip_metadata_api_check``; everything else of the generated block,
  ``allowed_account_ids`` included, stays and is enforced: credentials are validated against
  moto's STS). The endpoint is the environment variable ``AWS_ENDPOINT_URL`` (the provider's global
  endpoint, supported by 5.x), so every service, including ones a new generator starts using, goes
  to moto and never to AWS; ``CHECKPOINT_DISABLE=1`` keeps terraform itself off the network.
* :class:`MotoServer` -- ``python tests/tfharness.py serve`` on a free loopback port with
  ``MOTO_ACCOUNT_ID`` (one server per AWS account, so ``allowed_account_ids`` holds) and
  ``MOTO_IAM_LOAD_MANAGED_POLICIES=true``; the server is moto with the patches of :data:`GAPS`
  applied.
* :data:`GAPS` -- the one table of differences between AWS and moto 5.2.5 that block a step, by
  resource type and attribute, each with the reason, the evidence (moto source file:line or an AWS
  doc page) and the remedy: ``patch`` (a few lines patched into moto at server start, see
  :func:`patch_moto`) or ``exclude`` (the named resources are removed from the translated copy, see
  :func:`exclusions`). Kubernetes resources are excluded by name: the mirror has no kubernetes
  provider.
* :class:`Workdir` -- ``init``, ``validate``, ``apply``, ``plan(detailed_exitcode=True)``,
  ``plan_changes`` (parsed ``terraform show -json`` of a saved plan: :class:`Change`, whose
  ``replace`` is true for actions ``["delete","create"]`` or ``["create","delete"]``),
  ``refused_destroys`` (the addresses a destroy plan refuses because of ``prevent_destroy``),
  ``state_addresses``/``state_values`` (``terraform state list`` / ``show -json`` after apply).
* :func:`run_stack` -- all steps for one stack, never raising: a :class:`StackRun` saying which
  steps passed, what was applied, excluded, changed on the second plan and refused on destroy.
  :func:`resolve` fills a stack's ``${...}`` references from the applied state (for checks on
  the values AWS would see, tests/aws_rules.py).
* ``python tests/tfharness.py check`` -- one line and exit 1 if terraform or the mirror is
  missing (``make test`` runs it first); ``python tests/tfharness.py serve -p PORT`` -- the
  patched moto server.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

MIRROR_ENV = "MPLAT_TF_MIRROR"
TERRAFORM_ENV = "MPLAT_TERRAFORM"
DEFAULT_ACCOUNT = "123456789012"      # moto's default account (a stack without account_id)
BACKEND_OVERRIDE = "mplat_backend_override.tf.json"
MOTO_OVERRIDE = "mplat_moto_override.tf.json"
CONFIG_FILE = "cdk.tf.json"


class Unavailable(RuntimeError):
    """terraform or the provider mirror is missing: the message is one line saying how to fix it."""


class TerraformError(AssertionError):
    """A terraform command failed: the message holds the command and its output."""


# -- tools ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tools:
    terraform: str
    mirror: Path                 # the directory holding registry.terraform.io/
    aws_version: str             # the hashicorp/aws version in the mirror


def _default_mirror() -> Path | None:
    """The machine's mirror: ``find / -maxdepth 4 -name registry.terraform.io`` (first, sorted)."""
    try:
        out = subprocess.run(
            ["find", "/", "-maxdepth", "4", "(", "-path", "/proc", "-o", "-path", "/sys", "-o",
             "-path", "/dev", ")", "-prune", "-o", "-type", "d", "-name", "registry.terraform.io",
             "-print"], capture_output=True, text=True, timeout=60).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(sorted(out)[0]).parent if out else None


def mirror_versions(mirror: Path, provider: str = "hashicorp/aws") -> list[str]:
    """Versions of ``provider`` in a filesystem mirror (unpacked or packed layout)."""
    base = mirror / "registry.terraform.io" / provider
    if not base.is_dir():
        return []
    semver = r"\d+\.\d+\.\d+"
    versions = {p.name for p in base.iterdir() if p.is_dir() and re.fullmatch(semver, p.name)}
    name = provider.split("/")[1]
    versions |= {m.group(1) for p in base.glob("*.zip")
                 if (m := re.fullmatch(rf"terraform-provider-{name}_({semver})_.*\.zip", p.name))}
    return sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


def find_tools() -> Tools:
    """terraform and the aws provider mirror, or :class:`Unavailable` with a one-line fix."""
    terraform = os.environ.get(TERRAFORM_ENV) or shutil.which("terraform")
    if not terraform or not os.access(terraform, os.X_OK):
        raise Unavailable(f"terraform not found ({TERRAFORM_ENV}="
                          f"{os.environ.get(TERRAFORM_ENV)!r}, "
                          f"PATH has none): install terraform or set {TERRAFORM_ENV}=/path/to/"
                          "terraform")
    given = os.environ.get(MIRROR_ENV)
    mirror = Path(given) if given else _default_mirror()
    hint = (f"set {MIRROR_ENV}=DIR, a provider filesystem mirror holding "
            "DIR/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/")
    if mirror is None:
        raise Unavailable("no terraform provider mirror (no registry.terraform.io directory "
                          f"within depth 4 of /): {hint}")
    versions = mirror_versions(mirror)
    if not versions:
        raise Unavailable(f"no hashicorp/aws provider in the mirror {mirror}: {hint}")
    return Tools(terraform=terraform, mirror=mirror, aws_version=versions[-1])


def write_cli_config(path: Path, mirror: Path) -> Path:
    """A CLI config installing providers only from ``mirror``, with no shared plugin cache.

    Each ``init`` links the stack's provider to the mirror's unpacked directory (Terraform's
    installer symlinks a local directory package), so no file is shared that any terraform
    command writes: the harness is race-free by construction, with no lock (issue #22)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# written by tests/tfharness.py: providers come only from the filesystem mirror;\n"
        "# no plugin_cache_dir: Terraform's plugin cache is not safe for concurrent inits\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        '    include = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "}\n")
    return path


# -- translation ---------------------------------------------------------------------------------
def region_alias(region: str) -> str:
    """The provider alias :func:`translate` gives a region (a valid Terraform identifier)."""
    return "region_" + region.replace("-", "_")


def translate(doc: dict, aws_version: str) -> dict:
    """The generated stack for the mirror's provider: pin ``aws_version``; below 6.0, each
    resource's or data source's ``region`` becomes ``provider = "aws.<region_alias>"`` with one
    aliased copy of the default aws provider block per region. Nothing else changes."""
    out = copy.deepcopy(doc)
    out["terraform"]["required_providers"]["aws"]["version"] = aws_version
    if int(aws_version.split(".")[0]) >= 6:
        return out
    blocks = out.get("provider", {}).get("aws", [])
    defaults = [b for b in blocks if "alias" not in b]
    regions: list[str] = []
    for kind in ("resource", "data"):
        for type_, items in out.get(kind, {}).items():
            if not type_.startswith("aws_"):
                continue
            for name, body in items.items():
                if "region" not in body:
                    continue
                if "provider" in body or len(defaults) != 1:
                    raise ValueError(f"{kind}.{type_}.{name}: a region with an explicit provider "
                                     "or without one default aws provider has no translation")
                region = body.pop("region")
                if not isinstance(region, str) or "${" in region:
                    raise ValueError(f"{kind}.{type_}.{name}: region {region!r} is not a literal")
                body["provider"] = f"aws.{region_alias(region)}"
                if region not in regions:
                    regions.append(region)
    taken = {b.get("alias") for b in blocks}
    for region in sorted(regions):
        if region_alias(region) in taken:
            raise ValueError(f"provider alias {region_alias(region)} already exists")
        blocks.append({**copy.deepcopy(defaults[0]), "alias": region_alias(region),
                       "region": region})
    return out


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
    patch: str = ""              # remedy "patch": the name of the patch in _PATCHES


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


# -- moto patches (the GAPS rows with remedy "patch") ---------------------------------------------
def _patch_s3_logging_string_principal() -> None:
    from moto.s3 import models as s3_models

    original = s3_models.FakeBucket._log_permissions_enabled_policy

    def log_permissions_enabled_policy(target_bucket, target_prefix):
        policy = target_bucket.policy
        if not policy:
            return original(target_bucket, target_prefix)
        doc = json.loads(policy.decode())
        kept = [st for st in doc.get("Statement", []) if isinstance(st.get("Principal", {}), dict)]
        target_bucket.policy = json.dumps({**doc, "Statement": kept}).encode()
        try:
            return original(target_bucket, target_prefix)
        finally:
            target_bucket.policy = policy

    s3_models.FakeBucket._log_permissions_enabled_policy = staticmethod(
        log_permissions_enabled_policy)


def _patch_s3_lifecycle_newer_noncurrent_versions() -> None:
    from moto.s3 import models as s3_models
    from moto.s3 import responses as s3_responses

    original_set = s3_models.FakeBucket.set_lifecycle

    def set_lifecycle(self, rules):
        original_set(self, rules)
        for stored, given in zip(self.rules, rules, strict=True):
            stored.mplat_nve = given.get("NoncurrentVersionExpiration")

    s3_models.FakeBucket.set_lifecycle = set_lifecycle
    original_serialized = s3_responses.S3Response.serialized

    def serialized(self, action_result):
        result = getattr(action_result, "result", None)
        if (self.data.get("Action") == "GetBucketLifecycleConfiguration"
                and isinstance(result, dict)):
            stored = {r.id: r for r in self.backend.get_bucket_lifecycle(self.bucket_name)}
            for rule in result.get("Rules", []):
                nve = getattr(stored.get(rule.get("ID")), "mplat_nve", None) or {}
                if nve.get("NewerNoncurrentVersions") is not None:
                    rule.setdefault("NoncurrentVersionExpiration", {})[
                        "NewerNoncurrentVersions"] = int(nve["NewerNoncurrentVersions"])
        return original_serialized(self, action_result)

    s3_responses.S3Response.serialized = serialized


def _patch_s3_notification_eventbridge() -> None:
    from moto.s3 import responses as s3_responses

    original_serialized = s3_responses.S3Response.serialized

    def serialized(self, action_result):
        result = getattr(action_result, "result", None)
        if (self.data.get("Action") == "GetBucketNotificationConfiguration"
                and isinstance(result, dict)):
            conf = self.backend.get_bucket_notification_configuration(self.bucket_name)
            if conf is not None and getattr(conf, "event_bridge", None) is not None:
                result["EventBridgeConfiguration"] = {}
        return original_serialized(self, action_result)

    s3_responses.S3Response.serialized = serialized


def _patch_s3_replication_rule_fields() -> None:
    from moto.s3 import responses as s3_responses

    original_serialized = s3_responses.S3Response.serialized

    def serialized(self, action_result):
        result = getattr(action_result, "result", None)
        if self.data.get("Action") == "GetBucketReplication" and isinstance(result, dict):
            stored = {r.get("ID"): r for r in
                      (self.backend.get_bucket_replication(self.bucket_name) or {}).get("Rule", [])}
            for rule in result["ReplicationConfiguration"]["Rules"]:
                given = stored.get(rule["ID"], {})
                for key in ("DeleteMarkerReplication", "SourceSelectionCriteria",
                            "ExistingObjectReplication"):
                    if given.get(key):
                        rule[key] = given[key]
        return original_serialized(self, action_result)

    s3_responses.S3Response.serialized = serialized


def _patch_backup_list_tags_path() -> None:
    from moto.backup import responses as br
    from urllib.parse import unquote

    def list_tags(self):
        arn = unquote(self.path.split("?")[0].split("/tags/", 1)[1].rstrip("/"))
        return json.dumps({"Tags": self.backup_backend.list_tags(resource_arn=arn)})

    br.BackupResponse.list_tags = list_tags


def _patch_codedeploy_deployment_configs() -> None:
    from moto.codedeploy import responses as cd
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import unix_time
    from moto.moto_api._internal import mock_random

    def configs(self) -> dict:
        backend = self.codedeploy_backend
        if not hasattr(backend, "mplat_deployment_configs"):
            backend.mplat_deployment_configs = {}
        return backend.mplat_deployment_configs

    def create_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        if name in configs(self):
            from moto.core.exceptions import JsonRESTError
            raise JsonRESTError("DeploymentConfigAlreadyExistsException",
                                f"Deployment config {name} already exists")
        info = {"deploymentConfigId": str(mock_random.uuid4()), "deploymentConfigName": name,
                "createTime": unix_time(),
                "computePlatform": self._get_param("computePlatform") or "Server"}
        for key in ("minimumHealthyHosts", "trafficRoutingConfig", "zonalConfig"):
            if self._get_param(key) is not None:
                info[key] = self._get_param(key)
        configs(self)[name] = info
        return ActionResult({"deploymentConfigId": info["deploymentConfigId"]})

    def get_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        if name not in configs(self):
            from moto.core.exceptions import JsonRESTError
            raise JsonRESTError("DeploymentConfigDoesNotExistException",
                                f"Deployment config {name} does not exist")
        return ActionResult({"deploymentConfigInfo": configs(self)[name]})

    def delete_deployment_config(self):
        configs(self).pop(self._get_param("deploymentConfigName"), None)
        return EmptyResult()

    cd.CodeDeployResponse.create_deployment_config = create_deployment_config
    cd.CodeDeployResponse.get_deployment_config = get_deployment_config
    cd.CodeDeployResponse.delete_deployment_config = delete_deployment_config


def _patch_codedeploy_alarm_configuration() -> None:
    from moto.codedeploy import responses as cd

    original = cd._deployment_group_info

    def deployment_group_info(group):
        info = original(group)
        info["alarmConfiguration"] = group.alarm_configuration or {}
        if not info.get("loadBalancerInfo"):       # AWS leaves out what the group does not have
            info.pop("loadBalancerInfo", None)
        return info

    cd._deployment_group_info = deployment_group_info


def _patch_backup_selections() -> None:
    from moto.backup import responses as br
    from moto.backup.exceptions import ResourceNotFoundException
    from moto.core.utils import unix_time
    from moto.moto_api._internal import mock_random

    def selections(self) -> dict:
        backend = self.backup_backend
        if not hasattr(backend, "mplat_selections"):
            backend.mplat_selections = {}
        return backend.mplat_selections

    def _ids(self) -> tuple[str, str]:
        parts = [unquote(p) for p in self.path.split("?")[0].split("/") if p]
        plan_id = parts[parts.index("plans") + 1]
        selection_id = parts[parts.index("selections") + 1] if parts[-1] != "selections" else ""
        return plan_id, selection_id

    def create_backup_selection(self):
        plan_id, _ = _ids(self)
        self.backup_backend.get_backup_plan(backup_plan_id=plan_id, version_id=None)
        params = json.loads(self.body)
        selection_id = str(mock_random.uuid4())
        created = unix_time()
        selections(self)[(plan_id, selection_id)] = {
            "BackupSelection": params["BackupSelection"], "SelectionId": selection_id,
            "BackupPlanId": plan_id, "CreationDate": created,
            "CreatorRequestId": params.get("CreatorRequestId")}
        return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id,
                           "CreationDate": created})

    def get_backup_selection(self):
        key = _ids(self)
        if key not in selections(self):
            raise ResourceNotFoundException(msg=f"Backup selection {key[1]} not found")
        return json.dumps(selections(self)[key])

    def delete_backup_selection(self):
        selections(self).pop(_ids(self), None)
        return "{}"

    from urllib.parse import unquote
    br.BackupResponse.create_backup_selection = create_backup_selection
    br.BackupResponse.get_backup_selection = get_backup_selection
    br.BackupResponse.delete_backup_selection = delete_backup_selection


def _patch_eks_pod_identity_associations() -> None:
    from urllib.parse import unquote

    from moto.core.exceptions import JsonRESTError
    from moto.core.utils import unix_time
    from moto.eks import responses as er
    from moto.eks import urls as eu
    from moto.moto_api._internal import mock_random

    eu.url_paths.update({
        "{0}/clusters/(?P<name>[^/]+)/pod-identity-associations$": eu.response.dispatch,
        "{0}/clusters/(?P<name>[^/]+)/pod-identity-associations/(?P<associationId>[^/]+)$":
            eu.response.dispatch})

    def associations(self) -> dict:
        backend = self.eks_backend
        if not hasattr(backend, "mplat_pod_identity_associations"):
            backend.mplat_pod_identity_associations = {}
        return backend.mplat_pod_identity_associations

    def _path(self) -> list[str]:
        return [unquote(p) for p in self.path.split("?")[0].split("/") if p]

    def create_pod_identity_association(self):
        cluster = _path(self)[1]
        body = json.loads(self.body or "{}")
        assoc_id = "a-" + mock_random.get_random_string(17, lower_case=True)
        now = unix_time()
        assoc = {"clusterName": cluster, "namespace": body["namespace"],
                 "serviceAccount": body["serviceAccount"], "roleArn": body["roleArn"],
                 "associationId": assoc_id,
                 "associationArn": f"arn:aws:eks:{self.region}:{self.current_account}:"
                                   f"podidentityassociation/{cluster}/{assoc_id}",
                 "tags": body.get("tags") or {}, "createdAt": now, "modifiedAt": now,
                 "disableSessionTags": bool(body.get("disableSessionTags", False))}
        if body.get("targetRoleArn"):
            assoc["targetRoleArn"] = body["targetRoleArn"]
        associations(self)[(cluster, assoc_id)] = assoc
        return 200, {}, json.dumps({"association": assoc})

    def describe_pod_identity_association(self):
        parts = _path(self)
        key = (parts[1], parts[3])
        if key not in associations(self):
            raise JsonRESTError("ResourceNotFoundException",
                                f"Association {key[1]} not found in cluster {key[0]}")
        return 200, {}, json.dumps({"association": associations(self)[key]})

    def delete_pod_identity_association(self):
        parts = _path(self)
        assoc = associations(self).pop((parts[1], parts[3]), None)
        return 200, {}, json.dumps({"association": assoc or {}})

    er.EKSResponse.create_pod_identity_association = create_pod_identity_association
    er.EKSResponse.describe_pod_identity_association = describe_pod_identity_association
    er.EKSResponse.delete_pod_identity_association = delete_pod_identity_association


def _patch_sagemaker_model_fields() -> None:
    from moto.sagemaker import models as sm
    from moto.sagemaker import responses as sr

    original_create = sr.SageMakerResponse.create_model
    original_object = sm.Model.response_object.fget

    def create_model(self):
        result = original_create(self)
        model = self.sagemaker_backend.describe_model(self._get_param("ModelName"))
        model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation"))
        return result

    def response_object(self):
        out = original_object(self)
        if not out.get("VpcConfig"):            # AWS leaves out what the model does not have
            out.pop("VpcConfig", None)
        return out

    sr.SageMakerResponse.create_model = create_model
    sm.Model.response_object = property(response_object)


def _patch_sagemaker_endpoint_config_data_capture() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker import responses as sr

    def describe_endpoint_config(self):
        answer = dict(self.sagemaker_backend.describe_endpoint_config(
            self._get_param("EndpointConfigName")))
        if not answer.get("DataCaptureConfig"):  # AWS leaves out what the config does not have
            answer.pop("DataCaptureConfig", None)
        return ActionResult(answer)

    # the answer only: moto's own CreateEndpoint reads the stored (empty) object
    sr.SageMakerResponse.describe_endpoint_config = describe_endpoint_config


def _patch_sagemaker_endpoint_deployment_config() -> None:
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.sagemaker import models as sm
    from moto.sagemaker import responses as sr

    original_create = sr.SageMakerResponse.create_endpoint
    original_object = sm.FakeEndpoint.response_object.fget

    def create_endpoint(self):
        result = original_create(self)
        endpoint = self.sagemaker_backend.endpoints[self._get_param("EndpointName")]
        endpoint.mplat_deployment_config = self._get_param("DeploymentConfig")
        return result

    def update_endpoint(self):
        backend = self.sagemaker_backend
        name = self._get_param("EndpointName")
        backend.describe_endpoint(name)                        # ValidationError when unknown
        config = backend.describe_endpoint_config(self._get_param("EndpointConfigName"))
        endpoint = backend.endpoints[name]
        endpoint.endpoint_config_name = config["EndpointConfigName"]
        endpoint.production_variants = endpoint._process_production_variants(
            config["ProductionVariants"])
        endpoint.data_capture_config = config.get("DataCaptureConfig")
        endpoint.mplat_deployment_config = self._get_param("DeploymentConfig")
        endpoint.last_modified_time = utcnow()
        return ActionResult({"EndpointArn": endpoint.arn})

    def response_object(self):
        out = original_object(self)
        out.pop("MplatDeploymentConfig", None)
        if getattr(self, "mplat_deployment_config", None):
            out["LastDeploymentConfig"] = self.mplat_deployment_config
        return out

    sr.SageMakerResponse.create_endpoint = create_endpoint
    sr.SageMakerResponse.update_endpoint = update_endpoint
    sm.FakeEndpoint.response_object = property(response_object)


_PATCHES = {
    "s3-logging-string-principal": _patch_s3_logging_string_principal,
    "s3-lifecycle-newer-noncurrent-versions": _patch_s3_lifecycle_newer_noncurrent_versions,
    "s3-notification-eventbridge": _patch_s3_notification_eventbridge,
    "s3-replication-rule-fields": _patch_s3_replication_rule_fields,
    "backup-list-tags-path": _patch_backup_list_tags_path,
    "codedeploy-deployment-configs": _patch_codedeploy_deployment_configs,
    "codedeploy-alarm-configuration": _patch_codedeploy_alarm_configuration,
    "backup-selections": _patch_backup_selections,
    "eks-pod-identity-associations": _patch_eks_pod_identity_associations,
    "sagemaker-model-fields": _patch_sagemaker_model_fields,
    "sagemaker-endpoint-config-data-capture": _patch_sagemaker_endpoint_config_data_capture,
    "sagemaker-endpoint-deployment-config": _patch_sagemaker_endpoint_deployment_config,
}


def patch_moto() -> None:
    """Patch moto 5.2.5 in this process for the GAPS rows whose remedy is "patch"."""
    names = [g.patch for g in GAPS if g.remedy == "patch"]
    if sorted(names) != sorted(_PATCHES):
        raise RuntimeError(f"GAPS patch rows {sorted(names)} != patches {sorted(_PATCHES)}")
    for name in names:
        _PATCHES[name]()


def serve(argv: list[str]) -> None:
    """``python tests/tfharness.py serve -H 127.0.0.1 -p PORT``: moto's server, patched."""
    patch_moto()
    from moto.server import main
    main(argv)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FAKE_AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing", "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_DEFAULT_REGION": "us-east-1"}


class MotoServer:
    """moto's server (patched) on 127.0.0.1 for one AWS account; a context manager."""

    def __init__(self, account: str = DEFAULT_ACCOUNT, log: Path | None = None) -> None:
        self.account = account
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "MotoServer":
        env = {**os.environ, **FAKE_AWS_ENV, "MOTO_ACCOUNT_ID": self.account,
               "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
        log = self.log_path.open("w") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "serve", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited with {self.proc.returncode} "
                                   f"(log: {self.log_path})")
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2).read()
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not answer on {self.endpoint}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# -- a terraform work directory ------------------------------------------------------------------
@dataclass
class Change:
    """One resource change of a saved plan (``terraform show -json``: resource_changes[])."""
    address: str
    actions: tuple[str, ...]
    replace_paths: list = field(default_factory=list)
    before: Any = None
    after: Any = None

    @property
    def replace(self) -> bool:
        return set(self.actions) == {"delete", "create"}

    def changed_attributes(self) -> list[str]:
        """Top-level attributes whose known values differ between before and after."""
        b, a = self.before or {}, self.after or {}
        return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def parse_plan(plan_json: dict) -> list[Change]:
    """The changes (anything but no-op/read) of a ``terraform show -json PLANFILE`` document."""
    out = []
    for rc in plan_json.get("resource_changes", []):
        ch = rc["change"]
        actions = tuple(ch["actions"])
        if actions in (("no-op",), ("read",)):
            continue
        out.append(Change(rc["address"], actions, ch.get("replace_paths", []), ch.get("before"),
                          ch.get("after")))
    return out


_PREVENT = re.compile(r"Resource (\S+) has lifecycle\.prevent_destroy set")


class Workdir:
    """One stack's terraform directory: the translated config, overrides, state, logs."""

    def __init__(self, path: Path, tools: Tools, cli_config: Path) -> None:
        self.path = path
        self.tools = tools
        self.cli_config = cli_config
        self.endpoint: str | None = None
        self.log: list[str] = []
        path.mkdir(parents=True, exist_ok=True)

    # config
    def write_config(self, doc: dict, exclude: Iterable[str] = ()) -> dict:
        """Write translate(doc) minus ``exclude`` and the local-backend override; returns it."""
        written = without(translate(doc, self.tools.aws_version), exclude)
        (self.path / CONFIG_FILE).write_text(json.dumps(written, indent=2, sort_keys=True))
        (self.path / BACKEND_OVERRIDE).write_text(json.dumps(
            {"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}}, indent=2))
        return written

    def use_moto(self, endpoint: str) -> None:
        """Point every aws provider block at moto (override file + AWS_ENDPOINT_URL)."""
        doc = json.loads((self.path / CONFIG_FILE).read_text())
        blocks = []
        for b in doc.get("provider", {}).get("aws", []):
            o: dict[str, Any] = {"s3_use_path_style": True, "skip_metadata_api_check": True}
            if "alias" in b:
                o["alias"] = b["alias"]
            blocks.append(o)
        (self.path / MOTO_OVERRIDE).write_text(json.dumps({"provider": {"aws": blocks}}, indent=2))
        self.endpoint = endpoint

    # commands
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
        env.update(FAKE_AWS_ENV)
        env.update({"TF_CLI_CONFIG_FILE": str(self.cli_config), "TF_IN_AUTOMATION": "1",
                    "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
        if self.endpoint:
            env["AWS_ENDPOINT_URL"] = self.endpoint
        else:                             # no endpoint yet: anything reaching AWS fails locally
            env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
        return env

    def run(self, *args: str, ok: tuple[int, ...] = (0,),
            timeout: float = 900) -> subprocess.CompletedProcess:
        cmd = [self.tools.terraform, *args]
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=self.path, env=self.env(), capture_output=True, text=True,
                              timeout=timeout)
        took = time.monotonic() - started
        self.log.append(f"$ terraform {' '.join(args)}  # exit {proc.returncode}, {took:.1f} s")
        (self.path / "harness.log").write_text("\n".join(self.log) + "\n")
        if proc.returncode not in ok:
            tail = (proc.stdout[-6000:] + "\n" + proc.stderr[-6000:]).strip()
            raise TerraformError(f"{self.path.name}: terraform {' '.join(args)} exited "
                                 f"{proc.returncode}:\n{tail}")
        return proc

    def init(self) -> None:
        # No lock: nothing shared is written (see write_cli_config), so inits run in parallel
        # with each other and with every other stack's commands.
        self.run("init", "-input=false", "-no-color")

    def validate(self) -> None:
        self.run("validate", "-no-color")

    def apply(self) -> None:
        self.run("apply", "-auto-approve", "-input=false", "-no-color")

    def plan(self, *args: str, detailed_exitcode: bool = True) -> subprocess.CompletedProcess:
        """``terraform plan``; with ``detailed_exitcode`` exit 2 (changes) is not an error."""
        extra = ("-detailed-exitcode",) if detailed_exitcode else ()
        return self.run("plan", "-input=false", "-no-color", *extra, *args,
                        ok=(0, 2) if detailed_exitcode else (0,))

    def plan_changes(self, *args: str) -> list[Change]:
        """Plan into a file and parse ``terraform show -json`` of it: the changes (no no-ops)."""
        self.plan("-out=mplat.tfplan", *args)
        shown = self.run("show", "-json", "-no-color", "mplat.tfplan")
        return parse_plan(json.loads(shown.stdout))

    def state_addresses(self) -> list[str]:
        return sorted(self.run("state", "list").stdout.split())

    def state_values(self) -> dict[str, dict]:
        """address -> attribute values of every resource/data source in the state."""
        shown = json.loads(self.run("show", "-json", "-no-color").stdout)
        return {r["address"]: r.get("values", {})
                for r in shown.get("values", {}).get("root_module", {}).get("resources", [])}

    def refused_destroys(self) -> set[str]:
        """The addresses a ``plan -destroy`` refuses because of ``prevent_destroy``.

        Terraform skips the destroy of whatever must be destroyed after a refused one (a key
        after the vault encrypted with it), so this plans in rounds: each round's refused
        resources get ``prevent_destroy = false`` in a temporary override file and the plan is
        run again until it refuses nothing more. Every address returned was refused by Terraform
        with the generated config's own ``prevent_destroy``."""
        refused: set[str] = set()
        extra = self.path / "mplat_destroyround_override.tf.json"
        try:
            for _ in range(20):
                proc = self.run("plan", "-destroy", "-refresh=false", "-input=false", "-json",
                                "-lock=false", ok=(0, 1))
                found = set()
                for line in proc.stdout.splitlines():
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    diag = msg.get("diagnostic") or {}
                    m = _PREVENT.search(diag.get("detail", ""))
                    if m:
                        found.add(m.group(1))
                if proc.returncode == 0 or not found:
                    if proc.returncode != 0:
                        raise TerraformError(f"{self.path.name}: destroy plan failed:\n"
                                             f"{proc.stdout[-4000:]}")
                    return refused
                refused |= found
                override: dict = {"resource": {}}
                for addr in refused:
                    type_, name = addr.split(".", 1)
                    override["resource"].setdefault(type_, {})[name] = {
                        "lifecycle": {"prevent_destroy": False}}
                extra.write_text(json.dumps(override))
            raise TerraformError(f"{self.path.name}: destroy plan still refusing after 20 rounds")
        finally:
            extra.unlink(missing_ok=True)


@dataclass
class StackRun:
    """What :func:`run_stack` saw for one stack (``error`` names the step that failed)."""
    stack: str
    account: str
    excluded: dict[str, Gap] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)    # addresses in the written config
    steps: list[str] = field(default_factory=list)        # the steps that passed
    applied: list[str] = field(default_factory=list)      # `terraform state list` after apply
    state: dict[str, dict] = field(default_factory=dict)  # attribute values after apply
    changes: list[Change] = field(default_factory=list)   # second plan
    refused: set[str] = field(default_factory=set)        # destroy refused (prevent_destroy)
    error: str | None = None
    seconds: float = 0.0

    def failed_at(self, step: str) -> str | None:
        """The error if the run failed before completing ``step``."""
        return None if step in self.steps else (self.error or f"{step} was not reached")


def addresses(doc: dict, kinds: tuple[str, ...] = ("resource", "data")) -> list[str]:
    return sorted(f"{'data.' if kind == 'data' else ''}{t}.{n}" for kind in kinds
                  for t, items in doc.get(kind, {}).items() for n in items)


def account_of(doc: dict) -> str:
    """The account moto must answer as: the first of allowed_account_ids, else moto's default."""
    for block in doc.get("provider", {}).get("aws", []):
        if block.get("allowed_account_ids"):
            return block["allowed_account_ids"][0]
    return DEFAULT_ACCOUNT


def run_stack(stack: str, doc: dict, workdir: Path, tools: Tools, cli_config: Path,
              endpoint: str) -> StackRun:
    """init + validate, apply to moto at ``endpoint``, second plan, destroy plan; never raises."""
    run = StackRun(stack, account_of(doc), excluded=exclusions(doc))
    started = time.monotonic()
    wd = Workdir(workdir, tools, cli_config)
    try:
        written = wd.write_config(doc, run.excluded)
        run.resources = addresses(written, ("resource",))
        wd.init()
        wd.validate()
        run.steps.append("validate")
        wd.use_moto(endpoint)
        wd.apply()
        run.applied = wd.state_addresses()
        run.state = wd.state_values()
        run.steps.append("apply")
        run.changes = wd.plan_changes()
        run.steps.append("plan")
        run.refused = wd.refused_destroys()
        run.steps.append("destroy")
    except (TerraformError, ValueError, OSError, subprocess.TimeoutExpired) as exc:
        run.error = str(exc)
    run.seconds = time.monotonic() - started
    return run


def plan_stack(stack: str, doc: dict, workdir: Path, tools: Tools, cli_config: Path,
               endpoint: str) -> StackRun:
    """init, then one ``terraform plan -json`` against moto at ``endpoint``, which validates the
    configuration first and streams each planned change (``changes``: what an apply would do),
    without applying; never raises. The cheap run for a second engine's output: two terraform
    invocations (each starts the 700 MB provider) instead of run_stack's dozen."""
    run = StackRun(stack, account_of(doc), excluded=exclusions(doc))
    started = time.monotonic()
    wd = Workdir(workdir, tools, cli_config)
    try:
        written = wd.write_config(doc, run.excluded)
        run.resources = addresses(written, ("resource",))
        wd.init()
        wd.use_moto(endpoint)
        shown = wd.run("plan", "-input=false", "-no-color", "-json", "-detailed-exitcode",
                       ok=(0, 2))
        run.steps.append("validate")       # plan validates first; a failure is exit 1
        for line in shown.stdout.splitlines():
            msg = json.loads(line) if line.startswith("{") else {}
            if msg.get("type") == "planned_change":
                change = msg["change"]
                action = change["action"]
                run.changes.append(Change(
                    change["resource"]["addr"],
                    ("delete", "create") if action == "replace" else (action,)))
        run.steps.append("plan")
    except (TerraformError, ValueError, OSError, subprocess.TimeoutExpired) as exc:
        run.error = str(exc)
    run.seconds = time.monotonic() - started
    return run


_REF = re.compile(r"\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+)\}")


def resolve(doc: dict, state: dict[str, dict]) -> dict:
    """``doc`` with each ``${type.name.attr}`` the applied ``state`` knows replaced by its value."""
    def sub(value):
        if isinstance(value, dict):
            return {k: sub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [sub(v) for v in value]
        if isinstance(value, str):
            return _REF.sub(lambda m: str(state.get(m.group(1), {}).get(m.group(2), m.group(0))),
                            value)
        return value
    return sub(doc)


def protected(doc: dict) -> set[str]:
    """Addresses of the resources of ``doc`` that carry ``prevent_destroy``."""
    return {f"{t}.{n}" for t, items in doc.get("resource", {}).items() for n, b in items.items()
            if (b.get("lifecycle") or {}).get("prevent_destroy")}


def check() -> int:
    """``tfharness.py check``: one line, exit 1 when terraform or the mirror is missing."""
    try:
        tools = find_tools()
    except Unavailable as exc:
        print(f"tests/tfharness.py: {exc}", file=sys.stderr)
        return 1
    print(f"terraform {tools.terraform}, hashicorp/aws {tools.aws_version} from {tools.mirror}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2:])
    elif sys.argv[1:2] == ["check"]:
        sys.exit(check())
    else:
        raise SystemExit("usage: tfharness.py serve -H 127.0.0.1 -p PORT | tfharness.py check")
