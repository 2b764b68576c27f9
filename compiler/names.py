"""Derived names: computed here once, used by the rules (to check them) and the model (to use them).

Every function takes the resolved document of one stack (shapes checked by the schema, defaults
applied by ``compiler.defaults``) and its environment name (None without environments). ``<env>`` appears in a derived name only when the
spec has environments, with its dash.
"""
from __future__ import annotations

import re

from .words import get

MANAGED_BY = "mplat"
# tags the compiler puts on every AWS resource (provider default_tags), besides metadata.tags
COMPILER_TAG_KEYS = ("Owner", "ManagedBy", "Stack")


def spec_name(data: dict) -> str:
    return get(data, "metadata", "name", default="")


def join_stack(name: str, env: str | None) -> str:
    """``<name>`` or ``<name>-<env>``: the one place the stack name is formed."""
    return f"{name}-{env}" if env else name


def stack_name(data: dict, env: str | None) -> str:
    """``<name>`` or ``<name>-<env>``; also the prefix of every derived AWS name."""
    return join_stack(spec_name(data), env)


def state_key(data: dict, env: str | None) -> str:
    """Key of the stack's state in the s3 backend: ``<state.key_prefix>/<stack>.tfstate``."""
    prefix = str(data["state"]["key_prefix"]).strip("/")
    stack = stack_name(data, env)
    return f"{prefix}/{stack}.tfstate" if prefix else f"{stack}.tfstate"


def compiler_tags(data: dict, env: str | None) -> dict[str, str]:
    """The tags of COMPILER_TAG_KEYS with their values for one stack."""
    owner = get(data, "metadata", "owner", default="")
    return dict(zip(COMPILER_TAG_KEYS, (str(owner), MANAGED_BY, stack_name(data, env)), strict=True))


# The default (local) backend keeps a stack's state next to the synth output directory, never inside
# it: ``terraform`` runs in ``<out>/stacks/<stack>/``, three levels below the directory holding
# ``<out>`` (the project root for the default ``cdktf.out``). That is where cdktf's own LocalBackend
# default puts it (``path.join(process.cwd(), `terraform.${stackId}.tfstate`)``: cdktf 0.21.0,
# lib/backends/local-backend.js line 20, as installed in node_modules), written relative so the
# output stays byte-identical everywhere.
LOCAL_STATE_UP = "../../.."


def local_state_file(data: dict, env: str | None) -> str:
    """File name of a stack's local state: ``terraform.<stack>.tfstate``."""
    return f"terraform.{stack_name(data, env)}.tfstate"


def local_state_path(data: dict, env: str | None) -> str:
    """The local backend's ``path``, relative to the stack directory: ``../../../terraform.<stack>
    .tfstate`` (outside the output tree, which ``synth`` rewrites)."""
    return f"{LOCAL_STATE_UP}/{local_state_file(data, env)}"


def old_local_state_file(stack: str) -> str:
    """Where mplat before 2026-12 kept the default local state: inside ``<out>/stacks/<stack>/``
    under this name (``synth`` looks for it there and tells how to migrate it)."""
    return f"terraform.{stack}.tfstate"


def account_id(data: dict) -> str | None:
    return get(data, "aws", "account_id")


def _with_account(base: str, data: dict) -> str:
    account = account_id(data)
    return f"{base}-{account}" if account else base


def model_bucket(data: dict, env: str | None) -> str:
    """artifacts.bucket, or ``<name>[-<env>]-models[-<account_id>]``."""
    given = get(data, "artifacts", "bucket")
    if given:
        return given
    return _with_account(f"{stack_name(data, env)}-models", data)


def log_bucket(data: dict, env: str | None) -> str:
    """Server access logs of the model bucket go to ``<bucket>-logs``."""
    return f"{model_bucket(data, env)}-logs"


def replica_bucket(data: dict, env: str | None) -> str:
    """The cross-region replica of the model bucket: ``<bucket>-replica``."""
    return f"{model_bucket(data, env)}-replica"


def replica_log_bucket(data: dict, env: str | None) -> str:
    """Access logs of the replica stay in its region: ``<bucket>-replica-logs``."""
    return f"{replica_bucket(data, env)}-logs"


def config_bucket(data: dict, env: str | None) -> str:
    """Delivery bucket of AWS Config (recorder: create): ``<name>[-<env>]-config[-<account_id>]``."""
    return _with_account(f"{stack_name(data, env)}-config", data)


def config_log_bucket(data: dict, env: str | None) -> str:
    """Access logs of the Config delivery bucket: ``<config bucket>-logs``."""
    return f"{config_bucket(data, env)}-logs"


def buckets(data: dict, env: str | None) -> dict[tuple, str]:
    """Every S3 bucket a stack creates, keyed by the spec path that decides it (for diagnostics)."""
    out: dict[tuple, str] = {}
    if isinstance(data.get("artifacts"), dict):
        given = ("artifacts", "bucket") if get(data, "artifacts", "bucket") else ("artifacts",)
        out[given] = model_bucket(data, env)
        if data["artifacts"]["access_logs"]:
            out[given + ("(logs)",)] = log_bucket(data, env)
        if get(data, "artifacts", "replica_region"):
            out[("artifacts", "replica_region")] = replica_bucket(data, env)
            out[("artifacts", "replica_region", "(logs)")] = replica_log_bucket(data, env)
    recorder = data.get("config_recorder")
    if isinstance(recorder, dict) and recorder["recorder"] == "create":
        out[("config_recorder", "recorder")] = config_bucket(data, env)
        out[("config_recorder", "recorder", "(logs)")] = config_log_bucket(data, env)
    return out


def backup_vault(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-vault"


def backup_plan(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-plan"


def backup_selection(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-models"


def backup_kms_alias(data: dict, env: str | None) -> str:
    """The alias of the backup vault's KMS key: ``alias/<name>[-<env>]-backup``."""
    return kms_alias(f"{stack_name(data, env)}-backup")


def artifacts_kms_alias(data: dict, env: str | None) -> str:
    """The alias of the model bucket's KMS key (encryption: kms): ``alias/<stack>-artifacts``."""
    return kms_alias(f"{stack_name(data, env)}-artifacts")


def replica_kms_alias(data: dict, env: str | None) -> str:
    """The alias of the replica's KMS key (in the replica region): ``alias/<stack>-artifacts-replica``."""
    return kms_alias(f"{stack_name(data, env)}-artifacts-replica")


def kms_alias(name: str) -> str:
    return f"alias/{name}"


def replication_role(data: dict, env: str | None) -> str:
    """The IAM role S3 replication assumes: ``<name>[-<env>]-replication``."""
    return f"{stack_name(data, env)}-replication"


def backup_role(data: dict, env: str | None) -> str:
    """The IAM role AWS Backup assumes for backups and restores of the model bucket."""
    return f"{stack_name(data, env)}-backup"


def restore_bucket_prefix(data: dict, env: str | None) -> str:
    """``<model bucket>-pitr-``: every new bucket ``mplat restore`` restores into starts with it,
    and the backup role may create and write only such buckets (besides the model bucket)."""
    return f"{model_bucket(data, env)}-pitr-"


RESTORE_STAMP = "%Y%m%d%H%M"       # the restore time in a default restore bucket's name (strftime)
RESTORE_STAMP_SAMPLE = "209912312359"   # a stamp of that format: every one has its length


def restore_bucket(data: dict, env: str | None, stamp: str) -> str:
    """Default destination of ``mplat restore``: ``<model bucket>-pitr-<stamp>`` (a new bucket per
    point in time; ``stamp`` is the restore time as ``YYYYMMDDhhmm``)."""
    return f"{restore_bucket_prefix(data, env)}{stamp}"


def config_recorder(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-recorder"


def config_delivery_channel(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-delivery"


def config_role(data: dict, env: str | None) -> str:
    """The IAM role AWS Config assumes (recorder: create): ``<name>[-<env>]-config``."""
    return f"{stack_name(data, env)}-config"


def config_rule(data: dict, env: str | None, identifier: str) -> str:
    """``<name>[-<env>]-<identifier in kebab case>``, e.g. ``...-s3-bucket-versioning-enabled``."""
    return f"{stack_name(data, env)}-{identifier.lower().replace('_', '-')}"


def codedeploy_role(data: dict, env: str | None) -> str:
    """The IAM role CodeDeploy assumes: ``<name>[-<env>]-codedeploy``."""
    return f"{stack_name(data, env)}-codedeploy"


def codedeploy_app(data: dict, env: str | None) -> str:
    return stack_name(data, env)


def codedeploy_group(data: dict, env: str | None) -> str:
    return f"{stack_name(data, env)}-group"


def codedeploy_config(data: dict, env: str | None) -> str:
    """Name of the custom deployment config (only when the spec gives one)."""
    return f"{stack_name(data, env)}-config"


def alarm(data: dict, env: str | None, alarm_name: str) -> str:
    return f"{stack_name(data, env)}-{alarm_name}"


def kubernetes_object(data: dict) -> str:
    """Deployment, Service and PodDisruptionBudget are named ``<name>``."""
    return spec_name(data)


def service_account(data: dict) -> str | None:
    """The Kubernetes ServiceAccount the model server runs as: ``kubernetes.service_account``; on an
    EKS cluster (where mplat creates it) ``<name>`` when not given; None on a kubeconfig cluster
    without one (the pods then run as the namespace's ``default`` service account)."""
    given = get(data, "kubernetes", "service_account")
    if given:
        return given
    if get(data, "kubernetes", "cluster", "eks_cluster"):
        return kubernetes_object(data)
    return None


TMP_PATH, TMP_VOLUME = "/tmp", "tmp"     # the writable emptyDir every model-server pod has


def writable_volumes(data: dict) -> tuple[tuple[str, str], ...]:
    """(volume name, mount path) of the pod's writable emptyDirs: ``tmp`` on /tmp, then one per
    ``kubernetes.security.writable_paths`` entry (/tmp listed again is the same one), named after
    the path (``/home/app/.cache`` -> ``home-app-cache``: an RFC 1123 label of at most 63
    characters), or ``writable-<n>`` (n = its position) when that name is empty, too long or
    taken."""
    out = [(TMP_VOLUME, TMP_PATH)]
    for n, path in enumerate(data["kubernetes"]["security"]["writable_paths"]):
        if path == TMP_PATH:
            continue
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
        if not name or len(name) > 63 or name in {v for v, _ in out}:
            name = f"writable-{n}"
        out.append((name, path))
    return tuple(out)


def model_object_pattern(key: str) -> str:
    """What the model server may read: the key's directory (``dir/*``), or the key itself."""
    return key.rsplit("/", 1)[0] + "/*" if "/" in key else key


def model_reader_role(data: dict, env: str | None) -> str:
    """The IAM role of the model server's pods (EKS Pod Identity): ``<name>[-<env>]-model-reader``."""
    return f"{stack_name(data, env)}-model-reader"


# -- AWS partitions ---------------------------------------------------------------------------
# The one table of partitions, keyed by region prefix (longest prefix first), with the DNS suffix
# of their service endpoints. Same table as the AWS provider's names.PartitionForRegion and
# DNSSuffixForPartition (hashicorp/terraform-provider-aws, names/names.go).
_PARTITIONS = (
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
    ("us-iso-", "aws-iso", "c2s.ic.gov"),
    ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk"),
    ("us-isof-", "aws-iso-f", "csp.hci.ic.gov"),
    ("us-gov-", "aws-us-gov", "amazonaws.com"),
    ("cn-", "aws-cn", "amazonaws.com.cn"),
)
# Service principals that take the partition's DNS suffix instead of amazonaws.com (the provider's
# ServicePrincipalNameForPartition, after aws-cdk's region-info): every other service principal is
# <service>.amazonaws.com in every partition.
_PRINCIPAL_SUFFIX_SERVICES = {
    "aws-cn": ("codedeploy", "elasticmapreduce", "logs"),
    "aws-iso": ("cloudhsm", "config", "logs", "workspaces"),
    "aws-iso-b": ("dms", "logs"),
}


def _partition_row(region: str) -> tuple[str, str]:
    for prefix, part, suffix in _PARTITIONS:
        if str(region).startswith(prefix):
            return part, suffix
    return "aws", "amazonaws.com"


def partition(region: str) -> str:
    """``aws``, ``aws-cn``, ``aws-us-gov``, ... for a region: the second field of every ARN."""
    return _partition_row(region)[0]


def dns_suffix(region: str) -> str:
    """DNS suffix of the region's service endpoints (``amazonaws.com``, ``amazonaws.com.cn``)."""
    return _partition_row(region)[1]


def service_principal(service: str, region: str) -> str:
    """The service principal of ``service`` (e.g. ``codedeploy``) in the region's partition."""
    part, suffix = _partition_row(region)
    if service in _PRINCIPAL_SUFFIX_SERVICES.get(part, ()):
        return f"{service}.{suffix}"
    return f"{service}.amazonaws.com"


def partition_of_arn(arn: str) -> str | None:
    """The partition field of an ARN (``arn:aws-cn:sts::...`` -> ``aws-cn``), None if not an ARN."""
    parts = str(arn).split(":")
    return parts[1] if len(parts) > 5 and parts[0] == "arn" and parts[1] else None


# -- ARNs: every ARN mplat writes or sends is formed here -----------------------------------
# arn:partition:service:region:account-id:resource (IAM User Guide, "IAM identifiers": ARN format,
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)

def arn(part: str, service: str, resource: str, *, region: str = "", account: str = "") -> str:
    return f"arn:{part}:{service}:{region}:{account}:{resource}"


def managed_policy_arn(region: str, name: str) -> str:
    """ARN of an AWS managed policy (``name`` with its path, e.g. ``service-role/AWS_ConfigRole``)."""
    return arn(partition(region), "iam", f"policy/{name}", account="aws")


def s3_arn(part: str, bucket: str, key: str | None = None) -> str:
    """``arn:<partition>:s3:::<bucket>`` or, with ``key`` (a key or a pattern such as ``dir/*``),
    ``arn:<partition>:s3:::<bucket>/<key>`` (S3 ARNs have no region and no account)."""
    return arn(part, "s3", f"{bucket}/{key}" if key is not None else bucket)


def account_root_arn(part: str, account: str) -> str:
    """The account principal ``arn:<partition>:iam::<account>:root`` (a key policy's admin)."""
    return arn(part, "iam", "root", account=account)


def role_arn(part: str, account: str, role: str) -> str:
    return arn(part, "iam", f"role/{role}", account=account)


def via_service(service: str, region: str) -> str:
    """The ``kms:ViaService`` value of a service in a region, e.g. ``s3.us-east-1.amazonaws.com``."""
    return f"{service}.{region}.{dns_suffix(region)}"


def access_log_prefix(bucket: str) -> str:
    """Key prefix of a bucket's server access logs in its log bucket: ``<bucket>/`` (the log
    bucket's policy lets S3 log delivery write under this prefix only)."""
    return f"{bucket}/"


# -- SageMaker serving (the ``sagemaker`` section) ----------------------------------------------
# Endpoint configurations are replaced on every pin change (create before destroy), so they get
# generated names: ``name_prefix`` plus the provider's 26-character unique suffix
# (id.PrefixedUniqueId; the whole name is at most 63 characters, SageMaker's EndpointConfigName).
SAGEMAKER_NAME_MAX = 63
UNIQUE_SUFFIX_LEN = 26
SAGEMAKER_VARIANT = "live"      # the one production variant (alarm dimension VariantName)


def sagemaker_group(data: dict) -> str:
    """The model package group: ``sagemaker.model_package.group`` (resolved: default
    ``metadata.name``, compiler.defaults)."""
    return data["sagemaker"]["model_package"]["group"]


def sagemaker_endpoint(data: dict, env: str | None) -> str:
    """The endpoint: ``<name>[-<env>]`` (its name is kept across pin changes: updated in place)."""
    return stack_name(data, env)


def sagemaker_config_prefix(data: dict, env: str | None) -> str:
    """``name_prefix`` of the endpoint configuration: ``<name>[-<env>]-`` cut so that the
    generated name stays within 63 characters."""
    room = SAGEMAKER_NAME_MAX - UNIQUE_SUFFIX_LEN
    return f"{stack_name(data, env)}-"[:room]


def sagemaker_kms_alias(data: dict, env: str | None) -> str:
    """The alias of the key of the endpoint's ML storage: ``alias/<name>[-<env>]-sagemaker``."""
    return kms_alias(f"{sagemaker_endpoint(data, env)}-sagemaker")


def sagemaker_alarm(data: dict, env: str | None, alarm_name: str) -> str:
    """A ``sagemaker.alarms`` alarm: ``<name>[-<env>]-sagemaker-<alarm>`` (never the same name as a
    ``codedeploy.alarms`` alarm of the same stack)."""
    return f"{stack_name(data, env)}-sagemaker-{alarm_name}"


def sagemaker_role(data: dict, env: str | None) -> str:
    """The execution role SageMaker assumes for the model: ``<name>[-<env>]-sagemaker``."""
    return f"{stack_name(data, env)}-sagemaker"


def sagemaker_log_group(data: dict, env: str | None) -> str:
    """The endpoint's CloudWatch log group, as SageMaker names it:
    ``/aws/sagemaker/Endpoints/<endpoint>`` (SageMaker developer guide, "Log Amazon SageMaker AI
    events with Amazon CloudWatch")."""
    return f"/aws/sagemaker/Endpoints/{sagemaker_endpoint(data, env)}"


def sagemaker_model_prefix(data: dict) -> str:
    """Key prefix of the registered packages' model data in the model bucket: ``<group>/``. The
    execution role may read only under it; ``mplat verify`` checks ModelDataUrl is under it."""
    return f"{sagemaker_group(data)}/"


def sagemaker_capture_prefix(data: dict, env: str | None) -> str:
    """Where data capture writes in the model bucket: ``data-capture/<endpoint>/`` (outside
    ``<group>/``, so that the role can write captures but never model data)."""
    return f"data-capture/{sagemaker_endpoint(data, env)}/"


def model_package_arn(partition_name: str, region: str, account: str, group: str,
                      version: int | str) -> str:
    """The ARN of one model package version -- the one place it is built:
    ``arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>``. SageMaker
    writes resource names in ARNs in lower case."""
    return arn(partition_name, "sagemaker", f"model-package/{str(group).lower()}/{version}",
               region=region, account=account)


def sagemaker_source_arn(partition_name: str, region: str, account: str) -> str:
    """``arn:<partition>:sagemaker:<region>:<account>:*``: the aws:SourceArn of the execution
    role's trust, in the form the SageMaker developer guide shows for inference ("Do not replace
    the aws:SourceArn in this template with the full ARN of a specific model or endpoint")."""
    return arn(partition_name, "sagemaker", "*", region=region, account=account)


def log_group_arn(partition_name: str, region: str, account: str, group: str) -> str:
    return arn(partition_name, "logs", f"log-group:{group}", region=region, account=account)


def ecr_repositories_arn(partition_name: str, region: str) -> str:
    """Every ECR repository of the region, in any account (SageMaker's prebuilt images live in
    AWS-owned accounts): ``arn:<partition>:ecr:<region>:*:repository/*``."""
    return arn(partition_name, "ecr", "repository/*", region=region, account="*")
