"""Generators part 1: the intent of the synthesized Terraform, capability by capability.

Assertions are on the JSON of stacks synthesized once per session (tests/conftest.py): the feature
specs of tests/data/generators/ (``feat-full``: every option on, ``feat-lean``: off, ``plain``: a
recorder alone) and the examples of specs/.
"""
from __future__ import annotations

import json
import re

import pytest

STATEFUL = ("aws_s3_bucket", "aws_kms_key", "aws_backup_vault")


@pytest.fixture(scope="module")
def lean(synth_features):
    return synth_features.doc("feat-lean")


@pytest.fixture(scope="module")
def plain(synth_features):
    return synth_features.doc("plain")


def res(doc, kind, name):
    return doc["resource"][kind][name]


def names(doc, kind):
    return set(doc.get("resource", {}).get(kind, {}))


def statements(policy_text):
    doc = json.loads(policy_text)            # a plain JSON string, not a jsonencode() expression
    assert doc["Version"] == "2012-10-17"
    return {s.get("Sid"): s for s in doc["Statement"]}


def all_stacks(synth_specs, synth_features):
    return [(s, synth_specs.doc(s)) for s in synth_specs.stacks] + \
           [(s, synth_features.doc(s)) for s in synth_features.stacks]


# -- stack ----------------------------------------------------------------------------------------

def test_provider_region_default_tags_and_account(full, plain):
    (aws,) = full["provider"]["aws"]
    assert aws["region"] == "us-east-1"
    assert aws["default_tags"] == [{"tags": {"ManagedBy": "mplat", "Owner": "platform-team",
                                             "Stack": "feat-full", "cost-center": "cc-0001",
                                             "team": "ml platform"}}]
    assert "allowed_account_ids" not in aws                       # no account_id in the spec
    (aws,) = plain["provider"]["aws"]
    assert aws["allowed_account_ids"] == ["111122223333"]


def test_required_providers_have_full_sources_and_pins(synth_specs, full):
    assert full["terraform"]["required_providers"] == {
        "aws": {"source": "hashicorp/aws", "version": "6.25.0"}}
    with_k8s = synth_specs.doc("fraud-detector-prod")["terraform"]["required_providers"]
    assert with_k8s["aws"] == {"source": "hashicorp/aws", "version": "6.25.0"}
    assert with_k8s["kubernetes"] == {"source": "hashicorp/kubernetes", "version": "2.38.0"}


def test_backend_local_is_relative_and_s3_uses_a_lock_file(full, plain):
    assert full["terraform"]["backend"] == {"local": {"path": "../../../terraform.feat-full.tfstate"}}
    assert plain["terraform"]["backend"] == {"s3": {
        "bucket": "acme-tf-state", "key": "mplat/plain.tfstate", "region": "eu-west-1",
        "encrypt": True, "use_lockfile": True}}


def test_s3_backend_key_prefix_from_the_spec(synth_specs):
    backend = synth_specs.doc("fraud-detector-prod")["terraform"]["backend"]["s3"]
    assert backend["key"] == "model-platform/fraud-detector-prod.tfstate"
    assert backend["use_lockfile"] is True


def test_every_address_is_fixed_and_short(synth_specs, synth_features):
    """Addresses are a contract: no engine-generated hash suffixes, ids unique per stack."""
    for stack, doc in all_stacks(synth_specs, synth_features):
        for kind, items in doc.get("resource", {}).items():
            for name, body in items.items():
                assert re.fullmatch(r"[a-z][a-z0-9_-]*", name), (stack, kind, name)
                assert not re.search(r"_[0-9A-F]{8}$", name), (stack, kind, name)
                assert body["//"]["metadata"]["uniqueId"] == name


def test_every_element_is_created_on_its_stack_with_its_address_as_id(synth_specs, synth_features):
    """The address comes from the construct id (no overrideLogicalId round trip): every resource,
    data source and output is a direct child of its stack."""
    for stack, doc in all_stacks(synth_specs, synth_features):
        for section in ("resource", "data"):
            for kind, items in doc.get(section, {}).items():
                for name, body in items.items():
                    assert body["//"]["metadata"] == {"path": f"{stack}/{name}",
                                                      "uniqueId": name}, (stack, kind, name)
        outputs = doc["//"]["outputs"][stack]
        assert outputs == {name: name for name in doc.get("output", {})}, stack


def test_stateful_resources_are_protected(synth_specs, synth_features):
    for stack, doc in all_stacks(synth_specs, synth_features):
        for kind in STATEFUL:
            for name, body in doc.get("resource", {}).get(kind, {}).items():
                assert body.get("lifecycle") == {"prevent_destroy": True}, (stack, kind, name)
                assert "force_destroy" not in body


def test_outputs_an_operator_needs(full, lean, plain):
    assert set(full["output"]) == {
        "model_bucket_name", "model_bucket_arn", "artifacts_kms_key_arn", "log_bucket_name",
        "replica_bucket_arn", "backup_vault_arn", "backup_plan_id", "backup_role_arn",
        "config_recorder_name", "config_bucket_name", "sagemaker_endpoint_name"}
    assert full["output"]["model_bucket_arn"]["value"] == "${aws_s3_bucket.model_bucket.arn}"
    assert set(lean["output"]) == {"model_bucket_name", "model_bucket_arn",
                                   "sagemaker_endpoint_name"}
    assert set(plain["output"]) == {"config_recorder_name", "config_bucket_name"}


# -- artifacts ------------------------------------------------------------------------------------

def test_model_bucket_is_versioned_private_and_owner_enforced(full):
    assert res(full, "aws_s3_bucket", "model_bucket")["bucket"] == "acme-feat-models"
    v = res(full, "aws_s3_bucket_versioning", "model_bucket_versioning")
    assert v["bucket"] == "${aws_s3_bucket.model_bucket.id}"
    assert v["versioning_configuration"] == {"status": "Enabled"}
    own = res(full, "aws_s3_bucket_ownership_controls", "model_bucket_ownership")
    assert own["rule"] == {"object_ownership": "BucketOwnerEnforced"}
    pab = res(full, "aws_s3_bucket_public_access_block", "model_bucket_public_access_block")
    for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                 "restrict_public_buckets"):
        assert pab[flag] is True


def test_kms_encryption_with_rotation_policy_and_bucket_key(full):
    key = res(full, "aws_kms_key", "artifacts_kms_key")
    assert key["enable_key_rotation"] is True
    admin = statements(key["policy"])["EnableAccountAdministration"]
    assert admin["Principal"] == {
        "AWS": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"}
    assert "current" in full["data"]["aws_caller_identity"]
    (rule,) = res(full, "aws_s3_bucket_server_side_encryption_configuration",
                  "model_bucket_encryption")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms", "kms_master_key_id": "${aws_kms_key.artifacts_kms_key.arn}"}
    assert rule["bucket_key_enabled"] is True
    assert res(full, "aws_kms_alias", "artifacts_kms_alias")["name"] == "alias/feat-full-artifacts"


def test_sse_s3_when_asked(lean):
    (rule,) = res(lean, "aws_s3_bucket_server_side_encryption_configuration",
                  "model_bucket_encryption")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    assert set(lean["resource"]["aws_kms_key"]) == {"sagemaker_kms_key"}   # no artifacts key


def test_bucket_policies_deny_insecure_transport(synth_specs, synth_features):
    for stack, doc in all_stacks(synth_specs, synth_features):
        for name, body in doc["resource"].get("aws_s3_bucket_policy", {}).items():
            deny = statements(body["policy"])["DenyInsecureTransport"]
            bucket = name.removesuffix("_policy")
            assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
            assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            assert deny["Resource"] == [f"${{aws_s3_bucket.{bucket}.arn}}",
                                        f"${{aws_s3_bucket.{bucket}.arn}}/*"], stack


def test_lifecycle_keeps_rollback_history_and_aborts_multipart(full, lean):
    rules = {r["id"]: r for r in res(full, "aws_s3_bucket_lifecycle_configuration",
                                     "model_bucket_lifecycle")["rule"]}
    assert rules["expire-old-model-versions"]["noncurrent_version_expiration"] == [
        {"newer_noncurrent_versions": 7, "noncurrent_days": 45}]
    assert rules["abort-incomplete-multipart-uploads"]["abort_incomplete_multipart_upload"] == [
        {"days_after_initiation": 7}]
    assert all(r["status"] == "Enabled" and r["filter"] == [{}] for r in rules.values())
    # without expire_after_days old versions are kept forever: no expiration rule at all
    rules = res(lean, "aws_s3_bucket_lifecycle_configuration", "model_bucket_lifecycle")["rule"]
    assert [r["id"] for r in rules] == ["abort-incomplete-multipart-uploads"]


def test_object_lock_enabled_at_creation_and_configured_after_versioning(full, lean):
    assert res(full, "aws_s3_bucket", "model_bucket")["object_lock_enabled"] is True
    lock = res(full, "aws_s3_bucket_object_lock_configuration", "model_bucket_object_lock")
    assert lock["rule"] == {"default_retention": {"mode": "COMPLIANCE", "days": 14}}
    assert "aws_s3_bucket_versioning.model_bucket_versioning" in lock["depends_on"]
    assert "object_lock_enabled" not in res(lean, "aws_s3_bucket", "model_bucket")
    assert "aws_s3_bucket_object_lock_configuration" not in lean["resource"]


def test_access_logs_go_to_a_hardened_sse_s3_log_bucket(full, lean):
    logging = res(full, "aws_s3_bucket_logging", "model_bucket_logging")
    assert logging["bucket"] == "${aws_s3_bucket.model_bucket.id}"
    assert logging["target_bucket"] == "${aws_s3_bucket.log_bucket.id}"
    assert res(full, "aws_s3_bucket", "log_bucket")["bucket"] == "acme-feat-models-logs"
    (rule,) = res(full, "aws_s3_bucket_server_side_encryption_configuration",
                  "log_bucket_encryption")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    allow = statements(res(full, "aws_s3_bucket_policy", "log_bucket_policy")["policy"])[
        "AllowS3ServerAccessLogs"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:s3:::acme-feat-models"}
    # only under the model bucket's own prefix, the target_prefix of its logging configuration
    assert logging["target_prefix"] == "acme-feat-models/"
    assert allow["Resource"] == "arn:aws:s3:::acme-feat-models-logs/acme-feat-models/*"
    assert res(full, "aws_s3_bucket_ownership_controls", "log_bucket_ownership")["rule"] == {
        "object_ownership": "BucketOwnerEnforced"}             # ACL-less: no log-delivery ACL
    assert "log_bucket" not in names(lean, "aws_s3_bucket")
    assert "aws_s3_bucket_logging" not in lean["resource"]


def test_cross_region_replica_is_versioned_and_replication_waits_for_versioning(full, lean):
    replica = res(full, "aws_s3_bucket", "replica_bucket")
    assert replica["bucket"] == "acme-feat-models-replica" and replica["region"] == "us-west-2"
    assert replica["object_lock_enabled"] is True          # locked objects need a locked target
    assert res(full, "aws_s3_bucket_versioning", "replica_bucket_versioning")["region"] == "us-west-2"
    assert res(full, "aws_kms_key", "replica_kms_key")["region"] == "us-west-2"
    assert res(full, "aws_s3_bucket_logging", "replica_bucket_logging")["target_bucket"] == \
        "${aws_s3_bucket.replica_log_bucket.id}"
    assert res(full, "aws_s3_bucket", "replica_log_bucket")["region"] == "us-west-2"
    repl = res(full, "aws_s3_bucket_replication_configuration", "model_bucket_replication")
    assert {"aws_s3_bucket_versioning.model_bucket_versioning",
            "aws_s3_bucket_versioning.replica_bucket_versioning"} <= set(repl["depends_on"])
    assert repl["role"] == "${aws_iam_role.replication_role.arn}"
    (rule,) = repl["rule"]
    assert rule["destination"]["bucket"] == "${aws_s3_bucket.replica_bucket.arn}"
    assert rule["destination"]["encryption_configuration"] == {
        "replica_kms_key_id": "${aws_kms_key.replica_kms_key.arn}"}
    assert rule["source_selection_criteria"] == {"sse_kms_encrypted_objects": {"status": "Enabled"}}
    trust = statements(res(full, "aws_iam_role", "replication_role")["assume_role_policy"])
    assert trust["TrustService"]["Principal"] == {"Service": "s3.amazonaws.com"}
    perms = statements(res(full, "aws_iam_role_policy", "replication_role_policy")["policy"])
    assert perms["WriteReplica"]["Resource"] == "${aws_s3_bucket.replica_bucket.arn}/*"
    assert "aws_s3_bucket_replication_configuration" not in lean["resource"]


def test_every_bucket_has_all_its_companions(synth_specs, synth_features):
    companions = {
        "aws_s3_bucket_versioning": "_versioning",
        "aws_s3_bucket_ownership_controls": "_ownership",
        "aws_s3_bucket_public_access_block": "_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration": "_encryption",
        "aws_s3_bucket_policy": "_policy",
        "aws_s3_bucket_lifecycle_configuration": "_lifecycle",
        "aws_s3_bucket_notification": "_notification",
    }
    models = {m.stack: m for m in synth_specs.models + synth_features.models}
    for stack, doc in all_stacks(synth_specs, synth_features):
        for bucket in names(doc, "aws_s3_bucket"):
            for kind, suffix in companions.items():
                assert bucket + suffix in names(doc, kind), (stack, bucket, kind)
            logged = not bucket.endswith("log_bucket") and not (
                bucket == "model_bucket" and not models[stack].artifacts.access_logs)
            if logged:
                assert bucket + "_logging" in names(doc, "aws_s3_bucket_logging"), (stack, bucket)


# -- backup ---------------------------------------------------------------------------------------

def test_backup_vault_is_encrypted_with_its_own_key(full):
    vault = res(full, "aws_backup_vault", "backup_vault")
    assert vault["name"] == "feat-full-vault"
    assert vault["kms_key_arn"] == "${aws_kms_key.backup_kms_key.arn}"
    assert res(full, "aws_kms_key", "backup_kms_key")["enable_key_rotation"] is True


def test_backup_plan_has_a_continuous_rule_and_one_rule_per_snapshot(full):
    plan = res(full, "aws_backup_plan", "backup_plan")
    assert plan["name"] == "feat-full-plan"
    continuous, nightly, hourly = plan["rule"]
    # the schedule AWS Backup stores for a rule given none (else every plan shows a change)
    assert continuous == {"rule_name": "continuous", "enable_continuous_backup": True,
                          "schedule": "cron(0 5 ? * * *)", "lifecycle": {"delete_after": 21},
                          "target_vault_name": "${aws_backup_vault.backup_vault.name}"}
    assert nightly == {"rule_name": "nightly", "schedule": "cron(0 2 * * ? *)",
                       "start_window": 90, "completion_window": 240,
                       "lifecycle": {"cold_storage_after": 30, "delete_after": 150},
                       "target_vault_name": "${aws_backup_vault.backup_vault.name}"}
    assert hourly["schedule"] == "rate(1 hour)"
    assert (hourly["start_window"], hourly["completion_window"]) == (60, 180)   # defaults
    assert hourly["lifecycle"] == {"delete_after": 7}


def test_backup_selects_the_model_bucket_after_versioning(full):
    sel = res(full, "aws_backup_selection", "backup_selection")
    assert sel["resources"] == ["${aws_s3_bucket.model_bucket.arn}"]
    assert sel["plan_id"] == "${aws_backup_plan.backup_plan.id}"
    assert sel["iam_role_arn"] == "${aws_iam_role.backup_role.arn}"
    assert "aws_s3_bucket_versioning.model_bucket_versioning" in sel["depends_on"]


def test_backup_role_trusts_backup_and_has_no_managed_policies(full):
    """The role's inline least-privilege policy is checked statement by statement in
    tests/test_security.py; here: the trust, and no AWS managed policy is attached any more."""
    trust = statements(res(full, "aws_iam_role", "backup_role")["assume_role_policy"])
    assert trust["TrustService"]["Principal"] == {"Service": "backup.amazonaws.com"}
    attached = [name for name in full["resource"].get("aws_iam_role_policy_attachment", {})
                if name.startswith("backup_role")]
    assert attached == []
    assert res(full, "aws_iam_role_policy", "backup_role_policy")["role"] == \
        "${aws_iam_role.backup_role.id}"


def test_vault_lock(full):
    lock = res(full, "aws_backup_vault_lock_configuration", "backup_vault_lock")
    assert lock == {**lock, "min_retention_days": 7, "max_retention_days": 400,
                    "backup_vault_name": "${aws_backup_vault.backup_vault.name}"}
    assert "changeable_for_days" not in lock             # governance mode: the lock can be removed


def test_no_backup_section_no_backup_resources(lean):
    assert not [k for k in lean["resource"] if k.startswith("aws_backup_")]


# -- config recorder ------------------------------------------------------------------------------

def test_recorder_channel_status_in_order(full):
    rec = res(full, "aws_config_configuration_recorder", "config_recorder")
    assert rec["name"] == "feat-full-recorder"
    assert rec["recording_group"] == {
        "all_supported": False, "include_global_resource_types": False,
        "resource_types": ["AWS::S3::Bucket", "AWS::Backup::BackupPlan"],
        "recording_strategy": [{"use_only": "INCLUSION_BY_RESOURCE_TYPES"}]}
    assert rec["recording_mode"] == {"recording_frequency": "DAILY"}
    channel = res(full, "aws_config_delivery_channel", "config_delivery_channel")
    assert "aws_config_configuration_recorder.config_recorder" in channel["depends_on"]
    assert "aws_s3_bucket_policy.config_bucket_policy" in channel["depends_on"]
    assert channel["s3_bucket_name"] == "${aws_s3_bucket.config_bucket.bucket}"
    assert channel["snapshot_delivery_properties"] == {"delivery_frequency": "Three_Hours"}
    status = res(full, "aws_config_configuration_recorder_status", "config_recorder_status")
    assert status["is_enabled"] is True
    assert status["depends_on"] == ["aws_config_delivery_channel.config_delivery_channel"]


def test_all_resource_types_with_global_ones(plain):
    rec = res(plain, "aws_config_configuration_recorder", "config_recorder")
    assert rec["recording_group"] == {"all_supported": True, "include_global_resource_types": True}
    assert rec["recording_mode"] == {"recording_frequency": "CONTINUOUS"}
    channel = res(plain, "aws_config_delivery_channel", "config_delivery_channel")
    assert channel["snapshot_delivery_properties"] == {"delivery_frequency": "TwentyFour_Hours"}


def test_config_delivery_bucket_policy(plain):
    sts = statements(res(plain, "aws_s3_bucket_policy", "config_bucket_policy")["policy"])
    bucket = "arn:aws:s3:::plain-config-111122223333"
    source = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    assert sts["AWSConfigBucketPermissionsCheck"] == {
        "Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow",
        "Principal": {"Service": "config.amazonaws.com"}, "Action": "s3:GetBucketAcl",
        "Resource": bucket, "Condition": source}
    assert sts["AWSConfigBucketExistenceCheck"]["Action"] == "s3:ListBucket"
    delivery = sts["AWSConfigBucketDelivery"]
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"] == f"{bucket}/AWSLogs/111122223333/Config/*"
    assert delivery["Condition"] == {"StringEquals": {
        "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "111122223333"}}


def test_config_role(plain):
    trust = statements(res(plain, "aws_iam_role", "config_role")["assume_role_policy"])
    assert trust["TrustService"]["Principal"] == {"Service": "config.amazonaws.com"}
    assert res(plain, "aws_iam_role_policy_attachment", "config_role_managed")["policy_arn"] == \
        "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
    perms = statements(res(plain, "aws_iam_role_policy", "config_role_delivery")["policy"])
    assert perms["DeliverHistory"]["Resource"] == \
        "${aws_s3_bucket.config_bucket.arn}/AWSLogs/111122223333/Config/*"


def test_default_rules_assert_what_the_spec_asked_for(full):
    rules = {body["source"]["source_identifier"]: body
             for body in full["resource"]["aws_config_config_rule"].values()}
    assert set(rules) == {
        "S3_BUCKET_VERSIONING_ENABLED", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
        "S3_BUCKET_SSL_REQUESTS_ONLY", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        "S3_BUCKET_DEFAULT_LOCK_ENABLED", "S3_BUCKET_LOGGING_ENABLED",
        "S3_BUCKET_REPLICATION_ENABLED", "S3_RESOURCES_PROTECTED_BY_BACKUP_PLAN"}
    for body in rules.values():
        assert body["source"]["owner"] == "AWS"
        assert body["scope"] == {"compliance_resource_types": ["AWS::S3::Bucket"],
                                 "compliance_resource_id": "acme-feat-models"}
        assert body["depends_on"] == ["aws_config_configuration_recorder.config_recorder"]
    assert rules["S3_BUCKET_VERSIONING_ENABLED"]["name"] == "feat-full-s3-bucket-versioning-enabled"
    assert "config_rule_s3_bucket_versioning_enabled" in names(full, "aws_config_config_rule")


def test_existing_recorder_only_rules(lean):
    assert not [k for k in lean["resource"] if k.startswith("aws_config_")
                and k != "aws_config_config_rule"]
    rules = lean["resource"]["aws_config_config_rule"]
    assert set(rules) == {"config_rule_s3_bucket_versioning_enabled",
                          "config_rule_s3_bucket_ssl_requests_only"}
    for body in rules.values():
        assert "depends_on" not in body and "scope" not in body   # given rules are account-wide


def test_recorder_without_artifacts_has_no_default_rules(plain):
    assert "aws_config_config_rule" not in plain["resource"]
    assert not [k for k in plain["resource"] if k.startswith("aws_backup")]


# -- the examples ---------------------------------------------------------------------------------

def test_examples_summaries_count_resources_by_kind(synth_specs):
    for summary in synth_specs.summaries:
        doc = synth_specs.doc(summary["stack"])
        assert summary["resources"] == {k: len(v) for k, v in sorted(doc["resource"].items())}
        assert sum(summary["resources"].values()) > 0


def test_capabilities_appear_only_when_asked(synth_specs):
    for model in synth_specs.models:
        kinds = set(synth_specs.doc(model.stack)["resource"])
        assert ("aws_backup_plan" in kinds) == (model.backup is not None), model.stack
        assert ("aws_config_config_rule" in kinds or
                "aws_config_configuration_recorder" in kinds) == (model.config is not None)
        assert ("aws_config_configuration_recorder" in kinds) == bool(model.config and
                                                                      model.config.create)
        assert ("aws_codedeploy_app" in kinds) == (model.codedeploy is not None)
        assert ("kubernetes_deployment_v1" in kinds) == (model.kubernetes is not None)
