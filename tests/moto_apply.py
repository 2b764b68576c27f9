"""A mini ``terraform apply`` of a synthesized stack's AWS resources against moto's server.

``apply(doc, endpoint, account)`` takes a parsed ``cdk.tf.json``, orders its resources and data
sources by dependency (explicit ``depends_on`` plus every ``${type.name.attr}`` reference, a
topological sort), and makes, for each one, the AWS API calls the Terraform AWS provider would make
to create it (with boto3, against ``endpoint`` only), resolving references from what earlier calls
returned. Any ClientError fails the apply with the resource's address.

What it refuses, so that nothing passes silently:

* a resource type, data source or argument it has no translation for (a new generator or option
  must extend this module: :data:`HANDLERS`, each handler's argument list);
* a ``${...}`` left unresolved in an AWS resource;
* a caller account outside the provider's ``allowed_account_ids`` (as Terraform does).

Where moto 5.2.5 does not implement the API, the call is skipped explicitly and listed in
:data:`UNSUPPORTED` (its references are still resolved, so a dangling reference still fails).
Where moto implements the API but stores a document without validating it (S3 bucket policies,
KMS key policies), :func:`check_resource_policy` checks it with moto's own IAM policy grammar (the
validator moto applies to IAM policies) plus the resource-policy rule that every statement names a
principal. Enum values are checked against botocore's service model before each call (botocore
validates required members and types client-side, but not enums; moto rarely does). Documented AWS
constraints moto does not enforce are checked before the call and listed in :data:`AWS_RULES`.

The server: ``python tests/moto_apply.py serve -H 127.0.0.1 -p PORT`` is ``python -m moto.server``
with the moto bugs of :data:`MOTO_WORKAROUNDS` patched (none of them weakens a check).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

DEFAULT_ACCOUNT = "123456789012"     # moto's default account

# Types whose create API moto 5.2.5 does not implement: skipped explicitly (references resolved).
UNSUPPORTED: dict[str, str] = {
    "aws_backup_selection":
        "moto 5.2.5 implements no backup:CreateBackupSelection (backup/responses.py); the plan id, "
        "role ARN and resource ARNs it references are still resolved",
    "aws_codedeploy_deployment_config":
        "moto 5.2.5 implements no codedeploy:CreateDeploymentConfig (codedeploy/responses.py); "
        "its enums are still checked against botocore's service model and the deployment group "
        "still references its name",
    "aws_eks_pod_identity_association":
        "moto 5.2.5 implements no eks:CreatePodIdentityAssociation (eks/responses.py); the role ARN "
        "it references is still resolved and the role and its policy are applied",
    "data.aws_eks_cluster":
        "the EKS cluster is not part of the stack (it exists in the account); only the kubernetes "
        "provider block reads it, and kubernetes resources are not applied",
}

# Documented AWS constraints that moto 5.2.5 does not enforce, checked here before the call.
AWS_RULES: dict[str, str] = {
    "aws_iam_role":
        "trust policy: moto's CreateRole does not validate it; an idempotent UpdateAssumeRolePolicy "
        "(which moto validates) is sent after it",
    "aws_s3_bucket_policy / aws_kms_key policy":
        "moto stores bucket and key policies unvalidated: check_resource_policy (moto's IAM "
        "grammar + a Principal in every statement)",
    "aws_s3_bucket_lifecycle_configuration":
        "Days, NoncurrentDays and DaysAfterInitiation are positive integers; "
        "NewerNoncurrentVersions is 1-100; rule IDs are unique",
    "aws_s3_bucket_replication_configuration":
        "versioning must be Enabled on the source and the destination bucket; the role exists",
    "aws_backup_plan":
        "a continuous-backup rule keeps 1-35 days and has no schedule; DeleteAfterDays is at least "
        "MoveToColdStorageAfterDays + 90; StartWindowMinutes is at least 60; the target vault exists",
    "aws_kms_key": "deletion_window_in_days is 7-30 (used at destroy)",
}

# Resource types of other providers, not applied (this is an AWS mini-apply).
SKIPPED_PREFIXES = ("kubernetes_",)

META_ARGS = {"//", "depends_on", "lifecycle", "provider", "count", "for_each", "region"}

_REF = re.compile(r"\$\{(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}")
_ANY_REF = re.compile(r"\$\{")


class ApplyError(AssertionError):
    """The mini-apply failed: AWS (moto) rejected a call, or the stack is not applyable."""


@dataclass
class Applied:
    """What one apply did: attributes per address, the calls made, the skips (with reasons)."""
    account: str
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, str]] = field(default_factory=list)   # (address, service, op)
    skipped: dict[str, str] = field(default_factory=dict)


class _Ctx:
    def __init__(self, endpoint: str, account: str, region: str, tags: dict[str, str]) -> None:
        self.endpoint = endpoint
        self.account = account
        self.region = region
        self.tags = tags
        self._clients: dict[tuple[str, str], Any] = {}
        self.applied = Applied(account=account)
        self.address = ""

    def client(self, service: str, region: str | None = None):
        region = region or self.region
        key = (service, region)
        if key not in self._clients:
            client = boto3.client(
                service, region_name=region, endpoint_url=self.endpoint,
                aws_access_key_id="testing", aws_secret_access_key="testing",
                aws_session_token="testing",
                config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
            account = self.account

            def _account_header(request, **_):
                request.headers["x-moto-account-id"] = account
            client.meta.events.register("before-sign.*.*", _account_header)
            self._clients[key] = client
        return self._clients[key]

    def call(self, service: str, op: str, region: str | None = None, **params):
        client = self.client(service, region)
        op_model = client.meta.service_model.operation_model(
            client.meta.method_to_api_mapping[op])
        _check_enums(op_model.input_shape, params, f"{service}.{op}")
        self.applied.calls.append((self.address, service, op))
        try:
            return getattr(client, op)(**params)
        except ClientError as exc:
            raise ApplyError(f"{self.address}: {service}:{op_model.name} rejected: {exc}") from exc
        except ParamValidationError as exc:
            raise ApplyError(f"{self.address}: {service}:{op_model.name} invalid: {exc}") from exc


def _check_enums(shape, value, path: str) -> None:
    """Every enum-typed value in ``value`` is one of the service model's values."""
    if shape is None:
        return
    if shape.type_name == "structure" and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                _check_enums(shape.members[k], v, f"{path}.{k}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            _check_enums(shape.member, v, f"{path}[{i}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for v in value.values():
            _check_enums(shape.value, v, f"{path}.*")
    elif shape.type_name == "string" and getattr(shape, "enum", None):
        if value not in shape.enum:
            raise ApplyError(f"{path}: {value!r} is not one of {sorted(shape.enum)}")


def check_resource_policy(document: str, what: str) -> None:
    """A resource-based policy (bucket, key): moto's IAM grammar, and a principal everywhere."""
    from moto.iam.policy_validation import BaseIAMPolicyValidator

    try:
        BaseIAMPolicyValidator(document).validate()
    except Exception as exc:  # moto's MalformedPolicyDocument, or a parse error
        raise ApplyError(f"{what}: malformed policy: {getattr(exc, 'message', exc)}") from exc
    statements = json.loads(document)["Statement"]
    for st in statements if isinstance(statements, list) else [statements]:
        if "Principal" not in st and "NotPrincipal" not in st:
            raise ApplyError(f"{what}: statement {st.get('Sid', '?')!r} has no Principal "
                             "(required in a resource-based policy)")


# -- dependency order and references -----------------------------------------------------------
def _address(kind: str, type_: str, name: str) -> str:
    return f"data.{type_}.{name}" if kind == "data" else f"{type_}.{name}"


def _refs(value: Any) -> set[str]:
    text = json.dumps(value)
    return {f"{'data.' if m.group(1) else ''}{m.group(2)}.{m.group(3)}" for m in _REF.finditer(text)}


def order(doc: dict) -> list[tuple[str, str, str, dict]]:
    """(address, kind, type, body) for every resource and data source, dependencies first."""
    nodes: dict[str, tuple[str, str, str, dict]] = {}
    for kind in ("data", "resource"):
        for type_, items in sorted(doc.get(kind, {}).items()):
            for name, body in sorted(items.items()):
                nodes[_address(kind, type_, name)] = (_address(kind, type_, name), kind, type_, body)
    deps: dict[str, set[str]] = {}
    for addr, (_, _, _, body) in nodes.items():
        d = set(body.get("depends_on", [])) | _refs({k: v for k, v in body.items() if k != "//"})
        missing = d - set(nodes)
        if missing:
            raise ApplyError(f"{addr}: references {sorted(missing)}, not in the stack")
        deps[addr] = d - {addr}
    result, done, visiting = [], set(), set()

    def visit(a: str) -> None:
        if a in done:
            return
        if a in visiting:
            raise ApplyError(f"dependency cycle through {a}")
        visiting.add(a)
        for d in sorted(deps[a]):
            visit(d)
        visiting.discard(a)
        done.add(a)
        result.append(nodes[a])

    for a in sorted(nodes):
        visit(a)
    return result


def _resolve(value: Any, attrs: dict[str, dict[str, Any]], where: str) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(v, attrs, where) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [_resolve(v, attrs, where) for v in value]
    if not isinstance(value, str):
        return value

    def sub(m: re.Match) -> str:
        addr = f"{'data.' if m.group(1) else ''}{m.group(2)}.{m.group(3)}"
        got = attrs.get(addr)
        if got is None or m.group(4) not in got:
            raise ApplyError(f"{where}: cannot resolve {m.group(0)} (attributes known: "
                             f"{sorted(got) if got else 'none'})")
        return str(got[m.group(4)])

    out = _REF.sub(sub, value)
    if _ANY_REF.search(out):
        raise ApplyError(f"{where}: unsupported expression left in {value!r}")
    return out


def _one(block: Any) -> dict:
    """A Terraform nested block given as an object or a one-element list."""
    if isinstance(block, list):
        if len(block) != 1:
            raise ApplyError(f"expected one block, got {len(block)}")
        return block[0]
    return block


def _known(args: dict, allowed: set[str], where: str) -> None:
    unknown = set(args) - allowed - META_ARGS
    if unknown:
        raise ApplyError(f"{where}: arguments {sorted(unknown)} have no translation in "
                         "tests/moto_apply.py: extend the handler")


def _aws_rule(ok: bool, where: str, message: str) -> None:
    """A documented AWS constraint moto 5.2.5 does not enforce (see AWS_RULES)."""
    if not ok:
        raise ApplyError(f"{where}: AWS would reject this: {message}")


def _tags_kv(tags: dict[str, str], k="Key", v="Value") -> list[dict[str, str]]:
    return [{k: key, v: val} for key, val in sorted(tags.items())]


# -- handlers: (ctx, args, region) -> attributes --------------------------------------------------
def _kms_key(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"description", "enable_key_rotation", "deletion_window_in_days", "policy",
               "key_usage", "customer_master_key_spec", "multi_region", "is_enabled"}, ctx.address)
    params: dict[str, Any] = {"Tags": _tags_kv(ctx.tags, "TagKey", "TagValue")}
    if "description" in a:
        params["Description"] = a["description"]
    if "policy" in a:
        check_resource_policy(a["policy"], f"{ctx.address} key policy")
        params["Policy"] = a["policy"]
    if "key_usage" in a:
        params["KeyUsage"] = a["key_usage"]
    if "customer_master_key_spec" in a:
        params["KeySpec"] = a["customer_master_key_spec"]
    if "multi_region" in a:
        params["MultiRegion"] = a["multi_region"]
    window = a.get("deletion_window_in_days")
    if window is not None and not 7 <= int(window) <= 30:   # used at destroy (ScheduleKeyDeletion)
        raise ApplyError(f"{ctx.address}: deletion_window_in_days {window} outside 7-30")
    meta = ctx.call("kms", "create_key", region, **params)["KeyMetadata"]
    if a.get("enable_key_rotation"):
        ctx.call("kms", "enable_key_rotation", region, KeyId=meta["KeyId"])
    return {"id": meta["KeyId"], "key_id": meta["KeyId"], "arn": meta["Arn"]}


def _kms_alias(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "target_key_id"}, ctx.address)
    ctx.call("kms", "create_alias", region, AliasName=a["name"], TargetKeyId=a["target_key_id"])
    arn = f"arn:aws:kms:{region}:{ctx.account}:{a['name']}"
    return {"id": a["name"], "name": a["name"], "arn": arn, "target_key_id": a["target_key_id"]}


def _iam_role(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "assume_role_policy", "description", "path", "max_session_duration",
               "permissions_boundary"}, ctx.address)
    params = {"RoleName": a["name"], "AssumeRolePolicyDocument": a["assume_role_policy"],
              "Tags": _tags_kv(ctx.tags)}
    for tf, api in (("description", "Description"), ("path", "Path"),
                    ("max_session_duration", "MaxSessionDuration"),
                    ("permissions_boundary", "PermissionsBoundary")):
        if tf in a:
            params[api] = a[tf]
    role = ctx.call("iam", "create_role", region, **params)["Role"]
    # moto's CreateRole stores the trust policy unvalidated; its UpdateAssumeRolePolicy validates
    # it (grammar, trust actions, no Resource): an idempotent update makes moto check it.
    ctx.call("iam", "update_assume_role_policy", region, RoleName=a["name"],
             PolicyDocument=a["assume_role_policy"])
    return {"id": role["RoleName"], "name": role["RoleName"], "arn": role["Arn"],
            "unique_id": role["RoleId"]}


def _iam_role_policy(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "role", "policy"}, ctx.address)
    ctx.call("iam", "put_role_policy", region, RoleName=a["role"], PolicyName=a["name"],
             PolicyDocument=a["policy"])
    return {"id": f"{a['role']}:{a['name']}", "name": a["name"], "role": a["role"]}


def _iam_role_policy_attachment(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"role", "policy_arn"}, ctx.address)
    ctx.call("iam", "attach_role_policy", region, RoleName=a["role"], PolicyArn=a["policy_arn"])
    return {"id": f"{a['role']}-{a['policy_arn']}", "role": a["role"], "policy_arn": a["policy_arn"]}


def _s3_bucket(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "object_lock_enabled", "force_destroy"}, ctx.address)
    params: dict[str, Any] = {"Bucket": a["bucket"]}
    if region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": region}
    if a.get("object_lock_enabled"):
        params["ObjectLockEnabledForBucket"] = True
    ctx.call("s3", "create_bucket", region, **params)
    if ctx.tags:
        ctx.call("s3", "put_bucket_tagging", region, Bucket=a["bucket"],
                 Tagging={"TagSet": _tags_kv(ctx.tags)})
    return {"id": a["bucket"], "bucket": a["bucket"], "arn": f"arn:aws:s3:::{a['bucket']}",
            "region": region, "bucket_domain_name": f"{a['bucket']}.s3.amazonaws.com"}


def _s3_versioning(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "versioning_configuration", "expected_bucket_owner"}, ctx.address)
    vc = _one(a["versioning_configuration"])
    _known(vc, {"status", "mfa_delete"}, ctx.address)
    conf = {"Status": vc["status"]}
    if "mfa_delete" in vc:
        conf["MFADelete"] = vc["mfa_delete"]
    ctx.call("s3", "put_bucket_versioning", region, Bucket=a["bucket"], VersioningConfiguration=conf)
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _s3_ownership(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "rule"}, ctx.address)
    rule = _one(a["rule"])
    ctx.call("s3", "put_bucket_ownership_controls", region, Bucket=a["bucket"],
             OwnershipControls={"Rules": [{"ObjectOwnership": rule["object_ownership"]}]})
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _s3_pab(ctx: _Ctx, a: dict, region: str) -> dict:
    flags = {"block_public_acls": "BlockPublicAcls", "block_public_policy": "BlockPublicPolicy",
             "ignore_public_acls": "IgnorePublicAcls",
             "restrict_public_buckets": "RestrictPublicBuckets"}
    _known(a, {"bucket", *flags}, ctx.address)
    ctx.call("s3", "put_public_access_block", region, Bucket=a["bucket"],
             PublicAccessBlockConfiguration={api: bool(a.get(tf, False)) for tf, api in flags.items()})
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _s3_sse(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "rule", "expected_bucket_owner"}, ctx.address)
    rules = []
    for r in a["rule"]:
        _known(r, {"apply_server_side_encryption_by_default", "bucket_key_enabled"}, ctx.address)
        d = _one(r["apply_server_side_encryption_by_default"])
        _known(d, {"sse_algorithm", "kms_master_key_id"}, ctx.address)
        default = {"SSEAlgorithm": d["sse_algorithm"]}
        if d.get("kms_master_key_id"):
            default["KMSMasterKeyID"] = d["kms_master_key_id"]
        rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": default}
        if "bucket_key_enabled" in r:
            rule["BucketKeyEnabled"] = bool(r["bucket_key_enabled"])
        rules.append(rule)
    ctx.call("s3", "put_bucket_encryption", region, Bucket=a["bucket"],
             ServerSideEncryptionConfiguration={"Rules": rules})
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _s3_policy(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "policy"}, ctx.address)
    check_resource_policy(a["policy"], f"{ctx.address} bucket policy")
    ctx.call("s3", "put_bucket_policy", region, Bucket=a["bucket"], Policy=a["policy"])
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _lifecycle_filter(f: dict, where: str) -> dict:
    _known(f, {"prefix", "object_size_greater_than", "object_size_less_than", "tag", "and"}, where)
    out: dict[str, Any] = {}
    if "prefix" in f:
        out["Prefix"] = f["prefix"]
    if "object_size_greater_than" in f:
        out["ObjectSizeGreaterThan"] = int(f["object_size_greater_than"])
    if "object_size_less_than" in f:
        out["ObjectSizeLessThan"] = int(f["object_size_less_than"])
    if "tag" in f:
        t = _one(f["tag"])
        out["Tag"] = {"Key": t["key"], "Value": t["value"]}
    if "and" in f:
        raise ApplyError(f"{where}: lifecycle filter 'and' has no translation: extend the handler")
    return out


def _s3_lifecycle(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "rule", "expected_bucket_owner", "transition_default_minimum_object_size"},
           ctx.address)
    rules = []
    for r in a["rule"]:
        _known(r, {"id", "status", "filter", "prefix", "expiration", "noncurrent_version_expiration",
                   "abort_incomplete_multipart_upload", "transition",
                   "noncurrent_version_transition"}, ctx.address)
        rule: dict[str, Any] = {"ID": r["id"], "Status": r["status"]}
        if "filter" in r:
            rule["Filter"] = _lifecycle_filter(_one(r["filter"]), ctx.address)
        if "prefix" in r:
            rule["Prefix"] = r["prefix"]
        if r.get("expiration"):
            e = _one(r["expiration"])
            _known(e, {"days", "date", "expired_object_delete_marker"}, ctx.address)
            rule["Expiration"] = {{"days": "Days", "date": "Date",
                                   "expired_object_delete_marker": "ExpiredObjectDeleteMarker"}[k]: v
                                  for k, v in e.items()}
        if r.get("noncurrent_version_expiration"):
            n = _one(r["noncurrent_version_expiration"])
            _known(n, {"noncurrent_days", "newer_noncurrent_versions"}, ctx.address)
            nve: dict[str, Any] = {"NoncurrentDays": int(n["noncurrent_days"])}
            if n.get("newer_noncurrent_versions") is not None:
                nve["NewerNoncurrentVersions"] = int(n["newer_noncurrent_versions"])
            rule["NoncurrentVersionExpiration"] = nve
        if r.get("abort_incomplete_multipart_upload"):
            m = _one(r["abort_incomplete_multipart_upload"])
            _known(m, {"days_after_initiation"}, ctx.address)
            rule["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": int(m["days_after_initiation"])}
        for tf, api in (("transition", "Transitions"),
                        ("noncurrent_version_transition", "NoncurrentVersionTransitions")):
            if r.get(tf):
                items = []
                for t in r[tf]:
                    _known(t, {"days", "date", "storage_class", "noncurrent_days",
                               "newer_noncurrent_versions"}, ctx.address)
                    items.append({{"days": "Days", "date": "Date", "storage_class": "StorageClass",
                                   "noncurrent_days": "NoncurrentDays",
                                   "newer_noncurrent_versions": "NewerNoncurrentVersions"}[k]: v
                                  for k, v in t.items()})
                rule[api] = items
        for part in ("Expiration", "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"):
            for key in ("Days", "NoncurrentDays", "DaysAfterInitiation"):
                if key in rule.get(part, {}):
                    _aws_rule(int(rule[part][key]) > 0, ctx.address,
                              f"rule {r['id']!r}: {part}.{key} must be a positive integer")
        for t in rule.get("Transitions", []) + rule.get("NoncurrentVersionTransitions", []):
            for key in ("Days", "NoncurrentDays"):
                if key in t:
                    _aws_rule(int(t[key]) >= 0, ctx.address, f"rule {r['id']!r}: negative {key}")
        newer = rule.get("NoncurrentVersionExpiration", {}).get("NewerNoncurrentVersions")
        if newer is not None:
            _aws_rule(1 <= newer <= 100, ctx.address,
                      f"rule {r['id']!r}: NewerNoncurrentVersions must be 1-100")
        rules.append(rule)
    ids = [r["ID"] for r in rules]
    _aws_rule(len(ids) == len(set(ids)), ctx.address, "lifecycle rule IDs must be unique")
    ctx.call("s3", "put_bucket_lifecycle_configuration", region, Bucket=a["bucket"],
             LifecycleConfiguration={"Rules": rules})
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _s3_object_lock(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "rule", "object_lock_enabled", "expected_bucket_owner"}, ctx.address)
    conf: dict[str, Any] = {"ObjectLockEnabled": a.get("object_lock_enabled", "Enabled")}
    if a.get("rule"):
        d = _one(_one(a["rule"])["default_retention"])
        _known(d, {"mode", "days", "years"}, ctx.address)
        retention = {"Mode": d["mode"]}
        if "days" in d:
            retention["Days"] = int(d["days"])
        if "years" in d:
            retention["Years"] = int(d["years"])
        conf["Rule"] = {"DefaultRetention": retention}
    ctx.call("s3", "put_object_lock_configuration", region, Bucket=a["bucket"],
             ObjectLockConfiguration=conf)
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _s3_logging(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "target_bucket", "target_prefix", "expected_bucket_owner"}, ctx.address)
    ctx.call("s3", "put_bucket_logging", region, Bucket=a["bucket"], BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": a["target_bucket"],
                           "TargetPrefix": a.get("target_prefix", "")}})
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _s3_notification(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "eventbridge"}, ctx.address)
    conf: dict[str, Any] = {}
    if a.get("eventbridge"):
        conf["EventBridgeConfiguration"] = {}
    ctx.call("s3", "put_bucket_notification_configuration", region, Bucket=a["bucket"],
             NotificationConfiguration=conf)
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _s3_replication(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"bucket", "role", "rule", "token"}, ctx.address)
    rules = []
    for r in a["rule"]:
        _known(r, {"id", "status", "priority", "filter", "prefix", "delete_marker_replication",
                   "destination", "source_selection_criteria"}, ctx.address)
        rule: dict[str, Any] = {"ID": r["id"], "Status": r["status"]}
        if "priority" in r:
            rule["Priority"] = int(r["priority"])
        if "filter" in r:
            f = _one(r["filter"])
            _known(f, {"prefix"}, ctx.address)
            rule["Filter"] = {"Prefix": f.get("prefix", "")}
        if "delete_marker_replication" in r:
            rule["DeleteMarkerReplication"] = {"Status": _one(r["delete_marker_replication"])["status"]}
        d = _one(r["destination"])
        _known(d, {"bucket", "storage_class", "encryption_configuration", "account"}, ctx.address)
        dest: dict[str, Any] = {"Bucket": d["bucket"]}
        if "storage_class" in d:
            dest["StorageClass"] = d["storage_class"]
        if "account" in d:
            dest["Account"] = d["account"]
        if "encryption_configuration" in d:
            dest["EncryptionConfiguration"] = {
                "ReplicaKmsKeyID": _one(d["encryption_configuration"])["replica_kms_key_id"]}
        rule["Destination"] = dest
        if "source_selection_criteria" in r:
            s = _one(r["source_selection_criteria"])
            _known(s, {"sse_kms_encrypted_objects"}, ctx.address)
            rule["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {
                "Status": _one(s["sse_kms_encrypted_objects"])["status"]}}
        rules.append(rule)
        dest_name = dest["Bucket"].split(":::", 1)[-1]
        dest_region = ctx.call("s3", "get_bucket_location", region,
                               Bucket=dest_name).get("LocationConstraint") or "us-east-1"
        _aws_rule(ctx.call("s3", "get_bucket_versioning", dest_region,
                           Bucket=dest_name).get("Status") == "Enabled", ctx.address,
                  f"destination bucket {dest_name} must have versioning Enabled first")
    _aws_rule(ctx.call("s3", "get_bucket_versioning", region,
                       Bucket=a["bucket"]).get("Status") == "Enabled", ctx.address,
              f"source bucket {a['bucket']} must have versioning Enabled first")
    ctx.call("iam", "get_role", region, RoleName=a["role"].rsplit("/", 1)[-1])
    ctx.call("s3", "put_bucket_replication", region, Bucket=a["bucket"],
             ReplicationConfiguration={"Role": a["role"], "Rules": rules})
    return {"id": a["bucket"], "bucket": a["bucket"]}


def _backup_vault(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "kms_key_arn", "force_destroy"}, ctx.address)
    params: dict[str, Any] = {"BackupVaultName": a["name"], "BackupVaultTags": dict(ctx.tags)}
    if "kms_key_arn" in a:
        params["EncryptionKeyArn"] = a["kms_key_arn"]
    out = ctx.call("backup", "create_backup_vault", region, **params)
    return {"id": a["name"], "name": a["name"], "arn": out["BackupVaultArn"]}


def _backup_vault_lock(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"backup_vault_name", "min_retention_days", "max_retention_days",
               "changeable_for_days"}, ctx.address)
    params: dict[str, Any] = {"BackupVaultName": a["backup_vault_name"]}
    for tf, api in (("min_retention_days", "MinRetentionDays"),
                    ("max_retention_days", "MaxRetentionDays"),
                    ("changeable_for_days", "ChangeableForDays")):
        if tf in a:
            params[api] = int(a[tf])
    ctx.call("backup", "put_backup_vault_lock_configuration", region, **params)
    return {"id": a["backup_vault_name"], "backup_vault_name": a["backup_vault_name"]}


def _backup_plan(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "rule", "advanced_backup_setting"}, ctx.address)
    rules = []
    for r in a["rule"]:
        _known(r, {"rule_name", "target_vault_name", "schedule", "start_window",
                   "completion_window", "lifecycle", "enable_continuous_backup",
                   "recovery_point_tags", "copy_action", "schedule_expression_timezone"},
               ctx.address)
        rule: dict[str, Any] = {"RuleName": r["rule_name"],
                                "TargetBackupVaultName": r["target_vault_name"]}
        for tf, api in (("schedule", "ScheduleExpression"), ("start_window", "StartWindowMinutes"),
                        ("completion_window", "CompletionWindowMinutes"),
                        ("enable_continuous_backup", "EnableContinuousBackup"),
                        ("schedule_expression_timezone", "ScheduleExpressionTimezone")):
            if tf in r:
                rule[api] = r[tf]
        if "lifecycle" in r:
            lc = _one(r["lifecycle"])
            _known(lc, {"delete_after", "cold_storage_after",
                        "opt_in_to_archive_for_supported_resources"}, ctx.address)
            life: dict[str, Any] = {}
            if "delete_after" in lc:
                life["DeleteAfterDays"] = int(lc["delete_after"])
            if "cold_storage_after" in lc:
                life["MoveToColdStorageAfterDays"] = int(lc["cold_storage_after"])
            rule["Lifecycle"] = life
        if "copy_action" in r:
            raise ApplyError(f"{ctx.address}: copy_action has no translation: extend the handler")
        life = rule.get("Lifecycle", {})
        if rule.get("EnableContinuousBackup"):
            _aws_rule(1 <= life.get("DeleteAfterDays", 0) <= 35, ctx.address,
                      f"rule {r['rule_name']!r}: continuous backup keeps 1-35 days")
        if "MoveToColdStorageAfterDays" in life:
            _aws_rule(life.get("DeleteAfterDays", 10**9) >= life["MoveToColdStorageAfterDays"] + 90,
                      ctx.address, f"rule {r['rule_name']!r}: DeleteAfterDays must be at least "
                      "MoveToColdStorageAfterDays + 90")
        if "StartWindowMinutes" in rule:
            _aws_rule(int(rule["StartWindowMinutes"]) >= 60, ctx.address,
                      f"rule {r['rule_name']!r}: StartWindowMinutes must be at least 60")
        ctx.call("backup", "describe_backup_vault", region,
                 BackupVaultName=rule["TargetBackupVaultName"])
        rules.append(rule)
    out = ctx.call("backup", "create_backup_plan", region,
                   BackupPlan={"BackupPlanName": a["name"], "Rules": rules},
                   BackupPlanTags=dict(ctx.tags))
    return {"id": out["BackupPlanId"], "arn": out["BackupPlanArn"], "name": a["name"],
            "version": out["VersionId"]}


def _config_recorder(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "role_arn", "recording_group", "recording_mode"}, ctx.address)
    rec: dict[str, Any] = {"name": a["name"], "roleARN": a["role_arn"]}
    if "recording_group" in a:
        g = _one(a["recording_group"])
        _known(g, {"all_supported", "include_global_resource_types", "resource_types",
                   "recording_strategy", "exclusion_by_resource_types"}, ctx.address)
        group: dict[str, Any] = {}
        if "all_supported" in g:
            group["allSupported"] = bool(g["all_supported"])
        if "include_global_resource_types" in g:
            group["includeGlobalResourceTypes"] = bool(g["include_global_resource_types"])
        if "resource_types" in g:
            group["resourceTypes"] = list(g["resource_types"])
        if g.get("recording_strategy"):
            group["recordingStrategy"] = {"useOnly": _one(g["recording_strategy"])["use_only"]}
        if g.get("exclusion_by_resource_types"):
            group["exclusionByResourceTypes"] = {
                "resourceTypes": list(_one(g["exclusion_by_resource_types"])["resource_types"])}
        rec["recordingGroup"] = group
    if "recording_mode" in a:
        m = _one(a["recording_mode"])
        _known(m, {"recording_frequency", "recording_mode_override"}, ctx.address)
        mode: dict[str, Any] = {"recordingFrequency": m["recording_frequency"]}
        if m.get("recording_mode_override"):
            raise ApplyError(f"{ctx.address}: recording_mode_override has no translation")
        rec["recordingMode"] = mode
    ctx.call("config", "put_configuration_recorder", region, ConfigurationRecorder=rec)
    return {"id": a["name"], "name": a["name"]}


def _config_delivery_channel(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "s3_bucket_name", "s3_key_prefix", "s3_kms_key_arn", "sns_topic_arn",
               "snapshot_delivery_properties"}, ctx.address)
    ch: dict[str, Any] = {"name": a["name"], "s3BucketName": a["s3_bucket_name"]}
    for tf, api in (("s3_key_prefix", "s3KeyPrefix"), ("s3_kms_key_arn", "s3KmsKeyArn"),
                    ("sns_topic_arn", "snsTopicARN")):
        if tf in a:
            ch[api] = a[tf]
    if "snapshot_delivery_properties" in a:
        ch["configSnapshotDeliveryProperties"] = {
            "deliveryFrequency": _one(a["snapshot_delivery_properties"])["delivery_frequency"]}
    ctx.call("config", "put_delivery_channel", region, DeliveryChannel=ch)
    return {"id": a["name"], "name": a["name"]}


def _config_recorder_status(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "is_enabled"}, ctx.address)
    if a.get("is_enabled"):
        ctx.call("config", "start_configuration_recorder", region,
                 ConfigurationRecorderName=a["name"])
    else:
        ctx.call("config", "stop_configuration_recorder", region,
                 ConfigurationRecorderName=a["name"])
    return {"id": a["name"], "name": a["name"]}


def _config_rule(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "source", "scope", "input_parameters", "maximum_execution_frequency",
               "description"}, ctx.address)
    s = _one(a["source"])
    _known(s, {"owner", "source_identifier"}, ctx.address)
    rule: dict[str, Any] = {"ConfigRuleName": a["name"],
                            "Source": {"Owner": s["owner"], "SourceIdentifier": s["source_identifier"]}}
    if "scope" in a:
        sc = _one(a["scope"])
        _known(sc, {"compliance_resource_types", "compliance_resource_id", "tag_key", "tag_value"},
               ctx.address)
        scope = {}
        for tf, api in (("compliance_resource_types", "ComplianceResourceTypes"),
                        ("compliance_resource_id", "ComplianceResourceId"),
                        ("tag_key", "TagKey"), ("tag_value", "TagValue")):
            if tf in sc:
                scope[api] = sc[tf]
        rule["Scope"] = scope
    for tf, api in (("input_parameters", "InputParameters"), ("description", "Description"),
                    ("maximum_execution_frequency", "MaximumExecutionFrequency")):
        if tf in a:
            rule[api] = a[tf]
    ctx.call("config", "put_config_rule", region, ConfigRule=rule, Tags=_tags_kv(ctx.tags))
    got = ctx.call("config", "describe_config_rules", region,
                   ConfigRuleNames=[a["name"]])["ConfigRules"][0]
    return {"id": a["name"], "name": a["name"], "arn": got["ConfigRuleArn"],
            "rule_id": got["ConfigRuleId"]}


def _codedeploy_app(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "compute_platform"}, ctx.address)
    out = ctx.call("codedeploy", "create_application", region, applicationName=a["name"],
                   computePlatform=a.get("compute_platform", "Server"), tags=_tags_kv(ctx.tags))
    return {"id": out["applicationId"], "application_id": out["applicationId"], "name": a["name"],
            "arn": f"arn:aws:codedeploy:{region}:{ctx.account}:application:{a['name']}"}


def _codedeploy_config_unsupported(ctx: _Ctx, a: dict, region: str) -> dict:
    """Not created (UNSUPPORTED), but its arguments are translated and enum-checked."""
    _known(a, {"deployment_config_name", "compute_platform", "minimum_healthy_hosts",
               "traffic_routing_config", "zonal_config"}, ctx.address)
    params: dict[str, Any] = {"deploymentConfigName": a["deployment_config_name"]}
    if "compute_platform" in a:
        params["computePlatform"] = a["compute_platform"]
    if "minimum_healthy_hosts" in a:
        m = _one(a["minimum_healthy_hosts"])
        params["minimumHealthyHosts"] = {"type": m["type"], "value": int(m["value"])}
    if "traffic_routing_config" in a:
        t = _one(a["traffic_routing_config"])
        _known(t, {"type", "time_based_canary", "time_based_linear"}, ctx.address)
        routing: dict[str, Any] = {"type": t["type"]}
        if "time_based_canary" in t:
            c = _one(t["time_based_canary"])
            routing["timeBasedCanary"] = {"canaryInterval": int(c["interval"]),
                                          "canaryPercentage": int(c["percentage"])}
        if "time_based_linear" in t:
            c = _one(t["time_based_linear"])
            routing["timeBasedLinear"] = {"linearInterval": int(c["interval"]),
                                          "linearPercentage": int(c["percentage"])}
        params["trafficRoutingConfig"] = routing
    client = ctx.client("codedeploy", region)
    _check_enums(client.meta.service_model.operation_model("CreateDeploymentConfig").input_shape,
                 params, f"{ctx.address} codedeploy.create_deployment_config")
    from botocore.validate import validate_parameters
    try:
        validate_parameters(params, client.meta.service_model.operation_model(
            "CreateDeploymentConfig").input_shape)
    except ParamValidationError as exc:
        raise ApplyError(f"{ctx.address}: {exc}") from exc
    return {"id": a["deployment_config_name"], "deployment_config_name": a["deployment_config_name"],
            "arn": f"arn:aws:codedeploy:{region}:{ctx.account}:deploymentconfig:"
                   f"{a['deployment_config_name']}"}


def _codedeploy_group(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"app_name", "deployment_group_name", "service_role_arn", "deployment_config_name",
               "alarm_configuration", "auto_rollback_configuration", "deployment_style",
               "ec2_tag_set", "ec2_tag_filter", "blue_green_deployment_config", "ecs_service",
               "load_balancer_info", "autoscaling_groups", "outdated_instances_strategy"},
              ctx.address)
    p: dict[str, Any] = {"applicationName": a["app_name"],
                         "deploymentGroupName": a["deployment_group_name"],
                         "serviceRoleArn": a["service_role_arn"], "tags": _tags_kv(ctx.tags)}
    if "deployment_config_name" in a:
        p["deploymentConfigName"] = a["deployment_config_name"]
    if "autoscaling_groups" in a:
        p["autoScalingGroups"] = list(a["autoscaling_groups"])
    if "outdated_instances_strategy" in a:
        p["outdatedInstancesStrategy"] = a["outdated_instances_strategy"]
    if "alarm_configuration" in a:
        ac = _one(a["alarm_configuration"])
        _known(ac, {"alarms", "enabled", "ignore_poll_alarm_failure"}, ctx.address)
        p["alarmConfiguration"] = {"enabled": bool(ac.get("enabled", False)),
                                   "ignorePollAlarmFailure": bool(ac.get("ignore_poll_alarm_failure",
                                                                         False)),
                                   "alarms": [{"name": n} for n in ac.get("alarms", [])]}
    if "auto_rollback_configuration" in a:
        ar = _one(a["auto_rollback_configuration"])
        _known(ar, {"enabled", "events"}, ctx.address)
        p["autoRollbackConfiguration"] = {"enabled": bool(ar.get("enabled", False)),
                                          "events": list(ar.get("events", []))}
    if "deployment_style" in a:
        ds = _one(a["deployment_style"])
        _known(ds, {"deployment_option", "deployment_type"}, ctx.address)
        p["deploymentStyle"] = {"deploymentOption": ds["deployment_option"],
                                "deploymentType": ds["deployment_type"]}

    def tag_filters(filters: list) -> list:
        return [{"Key": f["key"], "Type": f["type"], "Value": f["value"]} for f in filters]
    if "ec2_tag_set" in a:
        p["ec2TagSet"] = {"ec2TagSetList": [tag_filters(s["ec2_tag_filter"])
                                            for s in a["ec2_tag_set"]]}
    if "ec2_tag_filter" in a:
        p["ec2TagFilters"] = tag_filters(a["ec2_tag_filter"])
    if "blue_green_deployment_config" in a:
        bg = _one(a["blue_green_deployment_config"])
        _known(bg, {"deployment_ready_option", "terminate_blue_instances_on_deployment_success",
                    "green_fleet_provisioning_option"}, ctx.address)
        conf: dict[str, Any] = {}
        if "deployment_ready_option" in bg:
            d = _one(bg["deployment_ready_option"])
            conf["deploymentReadyOption"] = {"actionOnTimeout": d["action_on_timeout"]}
            if "wait_time_in_minutes" in d:
                conf["deploymentReadyOption"]["waitTimeInMinutes"] = int(d["wait_time_in_minutes"])
        if "terminate_blue_instances_on_deployment_success" in bg:
            t = _one(bg["terminate_blue_instances_on_deployment_success"])
            conf["terminateBlueInstancesOnDeploymentSuccess"] = {
                "action": t["action"],
                "terminationWaitTimeInMinutes": int(t.get("termination_wait_time_in_minutes", 0))}
        if "green_fleet_provisioning_option" in bg:
            conf["greenFleetProvisioningOption"] = {
                "action": _one(bg["green_fleet_provisioning_option"])["action"]}
        p["blueGreenDeploymentConfiguration"] = conf
    if "ecs_service" in a:
        e = _one(a["ecs_service"])
        p["ecsServices"] = [{"serviceName": e["service_name"], "clusterName": e["cluster_name"]}]
    if "load_balancer_info" in a:
        lb = _one(a["load_balancer_info"])
        _known(lb, {"target_group_pair_info", "target_group_info", "elb_info"}, ctx.address)
        info: dict[str, Any] = {}
        if "target_group_pair_info" in lb:
            t = _one(lb["target_group_pair_info"])
            pair: dict[str, Any] = {"targetGroups": [{"name": g["name"]} for g in t["target_group"]]}
            for tf, api in (("prod_traffic_route", "prodTrafficRoute"),
                            ("test_traffic_route", "testTrafficRoute")):
                if tf in t:
                    pair[api] = {"listenerArns": list(_one(t[tf])["listener_arns"])}
            info["targetGroupPairInfoList"] = [pair]
        if "target_group_info" in lb:
            info["targetGroupInfoList"] = [{"name": g["name"]} for g in lb["target_group_info"]]
        if "elb_info" in lb:
            info["elbInfoList"] = [{"name": g["name"]} for g in lb["elb_info"]]
        p["loadBalancerInfo"] = info
    out = ctx.call("codedeploy", "create_deployment_group", region, **p)
    return {"id": out["deploymentGroupId"], "deployment_group_id": out["deploymentGroupId"],
            "deployment_group_name": a["deployment_group_name"], "app_name": a["app_name"],
            "arn": f"arn:aws:codedeploy:{region}:{ctx.account}:deploymentgroup:"
                   f"{a['app_name']}/{a['deployment_group_name']}"}


def _metric_alarm(ctx: _Ctx, a: dict, region: str) -> dict:
    simple = {"alarm_name": "AlarmName", "alarm_description": "AlarmDescription",
              "namespace": "Namespace", "metric_name": "MetricName", "statistic": "Statistic",
              "extended_statistic": "ExtendedStatistic", "comparison_operator": "ComparisonOperator",
              "threshold": "Threshold", "period": "Period", "evaluation_periods": "EvaluationPeriods",
              "datapoints_to_alarm": "DatapointsToAlarm", "treat_missing_data": "TreatMissingData",
              "alarm_actions": "AlarmActions", "ok_actions": "OKActions",
              "insufficient_data_actions": "InsufficientDataActions",
              "actions_enabled": "ActionsEnabled", "unit": "Unit"}
    _known(a, {*simple, "dimensions"}, ctx.address)
    p = {api: a[tf] for tf, api in simple.items() if tf in a}
    for k in ("Threshold",):
        if k in p:
            p[k] = float(p[k])
    if "dimensions" in a:
        p["Dimensions"] = [{"Name": k, "Value": v} for k, v in sorted(a["dimensions"].items())]
    p["Tags"] = _tags_kv(ctx.tags)
    ctx.call("cloudwatch", "put_metric_alarm", region, **p)
    arn = f"arn:aws:cloudwatch:{region}:{ctx.account}:alarm:{a['alarm_name']}"
    return {"id": a["alarm_name"], "alarm_name": a["alarm_name"], "arn": arn}


def _caller_identity(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, set(), ctx.address)
    out = ctx.call("sts", "get_caller_identity", region)
    return {"id": out["Account"], "account_id": out["Account"], "arn": out["Arn"],
            "user_id": out["UserId"]}


def _eks_cluster_unsupported(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name"}, ctx.address)
    return {"id": a["name"], "name": a["name"]}


HANDLERS: dict[str, Callable[[_Ctx, dict, str], dict]] = {
    "aws_kms_key": _kms_key,
    "aws_kms_alias": _kms_alias,
    "aws_iam_role": _iam_role,
    "aws_iam_role_policy": _iam_role_policy,
    "aws_iam_role_policy_attachment": _iam_role_policy_attachment,
    "aws_s3_bucket": _s3_bucket,
    "aws_s3_bucket_versioning": _s3_versioning,
    "aws_s3_bucket_ownership_controls": _s3_ownership,
    "aws_s3_bucket_public_access_block": _s3_pab,
    "aws_s3_bucket_server_side_encryption_configuration": _s3_sse,
    "aws_s3_bucket_policy": _s3_policy,
    "aws_s3_bucket_lifecycle_configuration": _s3_lifecycle,
    "aws_s3_bucket_object_lock_configuration": _s3_object_lock,
    "aws_s3_bucket_logging": _s3_logging,
    "aws_s3_bucket_notification": _s3_notification,
    "aws_s3_bucket_replication_configuration": _s3_replication,
    "aws_backup_vault": _backup_vault,
    "aws_backup_vault_lock_configuration": _backup_vault_lock,
    "aws_backup_plan": _backup_plan,
    "aws_config_configuration_recorder": _config_recorder,
    "aws_config_delivery_channel": _config_delivery_channel,
    "aws_config_configuration_recorder_status": _config_recorder_status,
    "aws_config_config_rule": _config_rule,
    "aws_codedeploy_app": _codedeploy_app,
    "aws_codedeploy_deployment_config": _codedeploy_config_unsupported,
    "aws_codedeploy_deployment_group": _codedeploy_group,
    "aws_cloudwatch_metric_alarm": _metric_alarm,
    "data.aws_caller_identity": _caller_identity,
    "data.aws_eks_cluster": _eks_cluster_unsupported,
}


def _backup_selection_unsupported(ctx: _Ctx, a: dict, region: str) -> dict:
    _known(a, {"name", "plan_id", "iam_role_arn", "resources", "not_resources", "selection_tag",
               "condition"}, ctx.address)
    for arn in [a["iam_role_arn"], *a.get("resources", [])]:
        if not arn.startswith("arn:aws:"):
            raise ApplyError(f"{ctx.address}: {arn!r} is not an ARN")
    return {"id": f"{a['plan_id']}-selection", "name": a["name"], "plan_id": a["plan_id"]}


HANDLERS["aws_backup_selection"] = _backup_selection_unsupported


def _eks_pod_identity_association_unsupported(ctx: _Ctx, a: dict, region: str) -> dict:
    """Not created (UNSUPPORTED): the arguments of CreatePodIdentityAssociation are checked."""
    _known(a, {"cluster_name", "namespace", "service_account", "role_arn", "disable_session_tags",
               "target_role_arn", "tags"}, ctx.address)
    for key in ("cluster_name", "namespace", "service_account"):
        if not a.get(key):
            raise ApplyError(f"{ctx.address}: {key} is required")
    if not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:role/", a["role_arn"]):
        raise ApplyError(f"{ctx.address}: role_arn {a['role_arn']!r} is not an IAM role ARN")
    return {"id": f"{a['cluster_name']}/{a['namespace']}/{a['service_account']}",
            "association_arn": f"arn:aws:eks:{region}:{ctx.account}:podidentityassociation/"
                               f"{a['cluster_name']}/a-mplat"}


HANDLERS["aws_eks_pod_identity_association"] = _eks_pod_identity_association_unsupported


def apply(doc: dict, endpoint: str, account: str = DEFAULT_ACCOUNT) -> Applied:
    """Apply the AWS resources of a synthesized stack to moto at ``endpoint`` as ``account``."""
    providers = doc.get("provider", {})
    aws = providers.get("aws")
    if not aws:
        raise ApplyError("the stack has no aws provider")
    if len(aws) != 1 or "alias" in aws[0]:
        raise ApplyError("provider aliases have no translation in tests/moto_apply.py")
    provider = aws[0]
    tags: dict[str, str] = {}
    for block in provider.get("default_tags", []):
        tags.update(block.get("tags", {}))
    ctx = _Ctx(endpoint, account, provider["region"], tags)

    ctx.address = "provider.aws"
    identity = ctx.call("sts", "get_caller_identity")
    allowed = provider.get("allowed_account_ids")
    if allowed and identity["Account"] not in allowed:
        raise ApplyError(f"provider.aws: account {identity['Account']} not in "
                         f"allowed_account_ids {allowed}")

    attrs = ctx.applied.attrs
    for address, kind, type_, body in order(doc):
        ctx.address = address
        if type_.startswith(SKIPPED_PREFIXES):
            ctx.applied.skipped[address] = "not an AWS resource (kubernetes provider)"
            continue
        key = f"data.{type_}" if kind == "data" else type_
        handler = HANDLERS.get(key)
        if handler is None:
            raise ApplyError(f"{address}: no translation for {key} in tests/moto_apply.py "
                             "(add a handler, or an UNSUPPORTED entry with the reason)")
        args = _resolve({k: v for k, v in body.items() if k not in ("depends_on", "lifecycle")},
                        attrs, address)
        region = args.get("region") or ctx.region
        attrs[address] = handler(ctx, args, region)
        if key in UNSUPPORTED:
            ctx.applied.skipped[address] = UNSUPPORTED[key]
    return ctx.applied


# -- the server, with moto's bugs worked around (each one named, none weakening a check) ----------
MOTO_WORKAROUNDS: dict[str, str] = {
    "s3 PutBucketLogging":
        "moto 5.2.5 FakeBucket._log_permissions_enabled_policy calls .get on every statement's "
        "Principal and crashes (HTTP 500) on a valid string principal (\"Principal\": \"*\", our "
        "TLS-only deny). Patched to skip non-object principals; the check itself (the target "
        "bucket's policy must let logging.s3.amazonaws.com s3:PutObject into it) is unchanged.",
}


def _patch_moto() -> None:
    from moto.s3 import models as s3_models

    original = s3_models.FakeBucket._log_permissions_enabled_policy

    def log_permissions_enabled_policy(target_bucket, target_prefix):
        policy = target_bucket.policy
        if policy:
            doc = json.loads(policy.decode())
            kept = [st for st in doc.get("Statement", [])
                    if isinstance(st.get("Principal", {}), dict)]
            saved = target_bucket.policy
            target_bucket.policy = json.dumps({**doc, "Statement": kept}).encode()
            try:
                return original(target_bucket, target_prefix)
            finally:
                target_bucket.policy = saved
        return original(target_bucket, target_prefix)

    s3_models.FakeBucket._log_permissions_enabled_policy = staticmethod(
        log_permissions_enabled_policy)


def serve(argv: list[str]) -> None:
    """``python tests/moto_apply.py serve -H 127.0.0.1 -p PORT``: moto's server, patched."""
    _patch_moto()
    from moto.server import main
    main(argv)


if __name__ == "__main__":
    import sys
    if sys.argv[1:2] != ["serve"]:
        raise SystemExit("usage: moto_apply.py serve -H 127.0.0.1 -p PORT")
    serve(sys.argv[2:])
