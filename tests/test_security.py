"""Least privilege and no silent failures after apply (issue #13), partition-correct ARNs (#9).

Each policy test states the statements and conditions as the cited AWS page lists them, written out
here by hand (not computed by the code under test):

* replication: S3 user guide, "Replicating encrypted objects" (replication-config-for-kms-objects)
* backup role: AWSBackupServiceRolePolicyForS3Backup / ...ForS3Restore and "Managed policies for
  AWS Backup" (customer managed policies), "Encryption for backups in AWS Backup"
* model reader: EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity"
* CodeDeploy trust: CodeDeploy user guide, "Cross-service confused deputy prevention"
* log delivery: S3 user guide, "Enabling Amazon S3 server access logging"
"""
from __future__ import annotations

import json

import pytest

from compiler import names

CALLER = "${data.aws_caller_identity.current.account_id}"


def res(doc, kind, name):
    return doc["resource"][kind][name]


def statements(policy_text) -> dict:
    doc = json.loads(policy_text)
    assert doc["Version"] == "2012-10-17"
    sids = [s.get("Sid") for s in doc["Statement"]]
    assert len(sids) == len(set(sids)), sids
    return {s.get("Sid"): s for s in doc["Statement"]}


@pytest.fixture(scope="module")
def prod(synth_specs):
    return synth_specs.doc("fraud-detector-prod")


def every_stack(synth_specs, synth_features, synth_partitions):
    for synth in (synth_specs, synth_features, synth_partitions):
        for stack in synth.stacks:
            yield stack, synth.doc(stack)


# -- 1. replication with S3 Bucket Keys -----------------------------------------------------------

def test_replication_role_has_exactly_the_documented_kms_permissions(full):
    policy = statements(res(full, "aws_iam_role_policy", "replication_role_policy")["policy"])
    assert policy["DecryptSource"] == {
        "Sid": "DecryptSource", "Effect": "Allow", "Action": "kms:Decrypt",
        "Resource": "${aws_kms_key.artifacts_kms_key.arn}",
        "Condition": {"StringLike": {
            "kms:ViaService": "s3.us-east-1.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": "${aws_s3_bucket.model_bucket.arn}"}}}
    # Bucket Keys: the replica key needs kms:Decrypt besides kms:Encrypt, and the encryption
    # context is the bucket ARN, not the object ARN
    assert policy["EncryptReplica"] == {
        "Sid": "EncryptReplica", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"],
        "Resource": "${aws_kms_key.replica_kms_key.arn}",
        "Condition": {"StringLike": {
            "kms:ViaService": "s3.us-west-2.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": "${aws_s3_bucket.replica_bucket.arn}"}}}
    # both buckets do use Bucket Keys (what makes the kms:Decrypt on the replica key necessary)
    for bucket in ("model_bucket", "replica_bucket"):
        (rule,) = res(full, "aws_s3_bucket_server_side_encryption_configuration",
                      f"{bucket}_encryption")["rule"]
        assert rule["bucket_key_enabled"] is True
    assert set(policy) == {"ReadReplicationConfiguration", "ReadSourceVersions", "WriteReplica",
                           "DecryptSource", "EncryptReplica"}


def test_replication_role_does_not_override_the_owner(synth_specs, synth_features):
    for synth in (synth_specs, synth_features):
        for stack in synth.stacks:
            text = synth.text(stack)
            assert "s3:ObjectOwnerOverrideToBucketOwner" not in text, stack


# -- 2. least-privilege backup role ---------------------------------------------------------------

BUCKETS = ["${aws_s3_bucket.model_bucket.arn}", "${aws_s3_bucket.replica_bucket.arn}"]
OBJECTS = [f"{b}/*" for b in BUCKETS]
RESTORE_BUCKETS = "arn:aws:s3:::acme-feat-models-pitr-*"        # mplat restore's new buckets


def test_backup_role_has_no_managed_policy_and_the_documented_s3_statements(full):
    assert not [n for n in full["resource"].get("aws_iam_role_policy_attachment", {})
                if n.startswith("backup_role")]
    policy = statements(res(full, "aws_iam_role_policy", "backup_role_policy")["policy"])
    expected = {
        # AWSBackupServiceRolePolicyForS3Backup, scoped to our buckets
        "S3BucketBackupPermissions": (
            ["s3:GetInventoryConfiguration", "s3:PutInventoryConfiguration",
             "s3:ListBucketVersions", "s3:ListBucket", "s3:GetBucketVersioning",
             "s3:GetBucketNotification", "s3:PutBucketNotification", "s3:GetBucketLocation",
             "s3:GetBucketTagging", "s3:GetBucketAcl"], BUCKETS),
        "S3ObjectBackupPermissions": (
            ["s3:GetObjectAcl", "s3:GetObject", "s3:GetObjectVersionTagging",
             "s3:GetObjectVersionAcl", "s3:GetObjectTagging", "s3:GetObjectVersion"], OBJECTS),
        "S3GlobalPermissions": ("s3:ListAllMyBuckets", "*"),
        "S3BucketTagReadPermissions": ("s3:ListTagsForResource", BUCKETS),
        "RecoveryPointTaggingPermissions": (
            "backup:TagResource", f"arn:aws:backup:us-east-1:{CALLER}:recovery-point:*"),
        "EventsPermissions": (
            ["events:DeleteRule", "events:PutTargets", "events:DescribeRule", "events:EnableRule",
             "events:PutRule", "events:RemoveTargets", "events:ListTargetsByRule",
             "events:DisableRule"],
            f"arn:aws:events:us-east-1:{CALLER}:rule/AwsBackupManagedRule*"),
        "EventsMetricsGlobalPermissions": (["cloudwatch:GetMetricData", "events:ListRules"], "*"),
        # AWSBackupServiceRolePolicyForS3Restore, scoped to our buckets and the new buckets of
        # `mplat restore` (<model bucket>-pitr-*), the only ones it may create
        "S3CreateRestoreBucket": ("s3:CreateBucket", RESTORE_BUCKETS),
        "S3BucketRestorePermissions": (
            ["s3:ListBucketVersions", "s3:ListBucket", "s3:GetBucketVersioning",
             "s3:GetBucketLocation", "s3:PutBucketVersioning", "s3:PutBucketOwnershipControls",
             "s3:GetBucketOwnershipControls"], [*BUCKETS, RESTORE_BUCKETS]),
        "S3ObjectRestorePermissions": (
            ["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject", "s3:PutObjectVersionAcl",
             "s3:GetObjectVersionAcl", "s3:GetObjectTagging", "s3:PutObjectTagging",
             "s3:GetObjectAcl", "s3:PutObjectAcl", "s3:ListMultipartUploadParts",
             "s3:PutObject"], [*OBJECTS, f"{RESTORE_BUCKETS}/*"]),
        "S3KMSPermissions": (
            ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
            ["${aws_kms_key.artifacts_kms_key.arn}", "${aws_kms_key.replica_kms_key.arn}"]),
        "VaultKeyPermissions": (["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
                                "${aws_kms_key.backup_kms_key.arn}"),
        "VaultKeyGrantPermissions": ("kms:CreateGrant", "${aws_kms_key.backup_kms_key.arn}"),
    }
    assert set(policy) == set(expected)
    for sid, (actions, resource) in expected.items():
        assert (policy[sid]["Effect"], policy[sid]["Action"], policy[sid]["Resource"]) == \
            ("Allow", actions, resource), sid
    assert policy["S3KMSPermissions"]["Condition"] == {"StringLike": {
        "kms:ViaService": ["s3.us-east-1.amazonaws.com", "s3.us-west-2.amazonaws.com"]}}
    assert policy["VaultKeyGrantPermissions"]["Condition"] == {
        "Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_restore_buckets_of_mplat_restore_are_the_ones_the_backup_role_may_create(synth_features):
    """The generator and `mplat restore` agree on the new buckets' names (compiler.names)."""
    model = synth_features.model("feat-full")
    assert model.backup.restore_bucket_prefix == "acme-feat-models-pitr-"
    data = {"metadata": {"name": "feat"}, "artifacts": {"bucket": "acme-feat-models"}}
    assert names.restore_bucket(data, "full", "202611291000").startswith(
        model.backup.restore_bucket_prefix)


def test_backup_selection_waits_for_the_role_policy(full):
    sel = res(full, "aws_backup_selection", "backup_selection")
    assert "aws_iam_role_policy.backup_role_policy" in sel["depends_on"]


def test_backup_role_trust_has_no_undocumented_condition(full):
    """#9 item 8: AWS Backup documents no aws:SourceArn/aws:SourceAccount for the role trust."""
    (trust,) = json.loads(res(full, "aws_iam_role", "backup_role")["assume_role_policy"])[
        "Statement"]
    assert trust == {"Sid": "TrustService", "Effect": "Allow",
                     "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}


# -- 3. model-read identity -----------------------------------------------------------------------

def test_eks_model_server_runs_as_its_own_service_account(prod):
    sa = res(prod, "kubernetes_service_account_v1", "k8s_service_account")
    assert sa["metadata"]["name"] == "fraud-detector"
    assert sa["metadata"]["namespace"] == "ml-serving"
    assert sa["automount_service_account_token"] is False
    pod = res(prod, "kubernetes_deployment_v1", "k8s_deployment")["spec"]["template"]["spec"]
    assert pod["service_account_name"] == "fraud-detector"


def test_model_reader_role_trusts_pod_identity_for_this_service_account_only(prod):
    role = res(prod, "aws_iam_role", "model_reader_role")
    assert role["name"] == "fraud-detector-prod-model-reader"
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust == {
        "Sid": "AllowEksAuthToAssumeRoleForPodIdentity", "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {
            "aws:RequestTag/kubernetes-namespace": ["ml-serving"],
            "aws:RequestTag/kubernetes-service-account": ["fraud-detector"]}}}


def test_model_reader_may_only_read_the_model_prefix_and_decrypt_through_s3(prod):
    policy = statements(res(prod, "aws_iam_role_policy", "model_reader_policy")["policy"])
    bucket = "fraud-detector-prod-models-210987654321"
    assert policy == {
        "ReadPinnedModel": {
            "Sid": "ReadPinnedModel", "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": f"arn:aws:s3:::{bucket}/fraud/*"},          # key fraud/model.tar.gz
        "DecryptModelThroughS3": {
            "Sid": "DecryptModelThroughS3", "Effect": "Allow", "Action": "kms:Decrypt",
            "Resource": "${aws_kms_key.artifacts_kms_key.arn}",
            "Condition": {"StringEquals": {
                "kms:ViaService": "s3.us-east-1.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}"}}},
    }


def test_pod_identity_association_binds_the_role_to_the_service_account(prod):
    assoc = res(prod, "aws_eks_pod_identity_association", "model_reader")
    assert {k: assoc[k] for k in ("cluster_name", "namespace", "service_account", "role_arn")} == {
        "cluster_name": "ml-prod", "namespace": "ml-serving", "service_account": "fraud-detector",
        "role_arn": "${aws_iam_role.model_reader_role.arn}"}
    assert "aws_iam_role_policy.model_reader_policy" in assoc["depends_on"]


def test_kubeconfig_clusters_use_the_named_service_account_and_create_nothing(synth_specs):
    for stack in ("fraud-detector-dev", "fraud-detector-staging"):
        doc = synth_specs.doc(stack)
        pod = res(doc, "kubernetes_deployment_v1", "k8s_deployment")["spec"]["template"]["spec"]
        assert pod["service_account_name"] == "fraud-detector"
        assert "kubernetes_service_account_v1" not in doc["resource"]
        assert "aws_eks_pod_identity_association" not in doc["resource"]


def test_model_key_without_a_directory_is_read_exactly(synth_partitions):
    policy = statements(res(synth_partitions.doc("cn-ranker"), "aws_iam_role_policy",
                            "model_reader_policy")["policy"])
    assert policy["ReadPinnedModel"]["Resource"] == \
        "arn:aws-cn:s3:::cn-ranker-models/model.tar.gz"


# -- 4. vault lock mode ---------------------------------------------------------------------------

def test_changeable_for_days_makes_the_lock_compliance_mode(prod, full):
    assert res(prod, "aws_backup_vault_lock_configuration", "backup_vault_lock")[
        "changeable_for_days"] == 3
    assert "changeable_for_days" not in res(full, "aws_backup_vault_lock_configuration",
                                            "backup_vault_lock")


# -- 5. conditions --------------------------------------------------------------------------------

def test_codedeploy_trust_names_its_deployment_group(prod, synth_partitions):
    (trust,) = json.loads(res(prod, "aws_iam_role", "codedeploy_role")["assume_role_policy"])[
        "Statement"]
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "210987654321"},
        "ArnLike": {"aws:SourceArn": "arn:aws:codedeploy:us-east-1:210987654321:deploymentgroup:"
                                     "fraud-detector-prod/fraud-detector-prod-group"}}
    group = res(prod, "aws_codedeploy_deployment_group", "codedeploy_group")
    assert group["deployment_group_name"] == "fraud-detector-prod-group"
    # without aws.account_id: the caller identity, in China with its own principal and partition
    (trust,) = json.loads(res(synth_partitions.doc("cn-ranker"), "aws_iam_role",
                              "codedeploy_role")["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "codedeploy.amazonaws.com.cn"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": CALLER},
        "ArnLike": {"aws:SourceArn": f"arn:aws-cn:codedeploy:cn-north-1:{CALLER}:deploymentgroup:"
                                     "cn-ranker/cn-ranker-group"}}


def test_log_delivery_is_scoped_to_each_source_buckets_prefix(synth_specs, synth_features,
                                                             synth_partitions):
    """For every bucket logging configuration: the target bucket's policy lets S3 log delivery
    write under exactly that configuration's target_prefix, for that source bucket only."""
    checked = 0
    for stack, doc in every_stack(synth_specs, synth_features, synth_partitions):
        buckets = doc["resource"].get("aws_s3_bucket", {})
        for name, logging in doc["resource"].get("aws_s3_bucket_logging", {}).items():
            source = name.removesuffix("_logging")
            target = logging["target_bucket"].split(".")[1]          # ${aws_s3_bucket.<x>.id}
            part = "aws-cn" if stack.startswith("cn-") else (
                "aws-us-gov" if stack.startswith("gov-") else "aws")
            source_arn = f"arn:{part}:s3:::{buckets[source]['bucket']}"
            target_arn = f"arn:{part}:s3:::{buckets[target]['bucket']}"
            allow = [s for s in json.loads(res(doc, "aws_s3_bucket_policy", f"{target}_policy")[
                "policy"])["Statement"] if s.get("Principal") == {
                    "Service": "logging.s3.amazonaws.com"}]
            assert len(allow) == 1, (stack, name)
            assert logging["target_prefix"] == f"{buckets[source]['bucket']}/"
            assert allow[0]["Resource"] == f"{target_arn}/{logging['target_prefix']}*"
            assert allow[0]["Condition"]["ArnLike"] == {"aws:SourceArn": source_arn}
            checked += 1
    assert checked >= 15


# -- 6. no write action on every resource ---------------------------------------------------------

READ_VERBS = ("Get", "List", "Describe")


def is_write(action: str) -> bool:
    service, _, verb = action.partition(":")
    return "*" in action or not verb.startswith(READ_VERBS)


def test_is_write_classifies_actions():
    assert [is_write(a) for a in ("s3:GetObject", "events:ListRules", "kms:DescribeKey",
                                  "s3:PutObject", "kms:Decrypt", "s3:*", "s3:Get*", "*")] == \
        [False, False, False, True, True, True, True, True]


def test_no_inline_policy_allows_a_write_action_on_every_resource(synth_specs, synth_features,
                                                                 synth_partitions):
    seen = 0
    for stack, doc in every_stack(synth_specs, synth_features, synth_partitions):
        for name, body in doc["resource"].get("aws_iam_role_policy", {}).items():
            for statement in json.loads(body["policy"])["Statement"]:
                seen += 1
                resources = statement["Resource"]
                resources = [resources] if isinstance(resources, str) else resources
                actions = statement["Action"]
                actions = [actions] if isinstance(actions, str) else actions
                if statement["Effect"] == "Allow" and "*" in resources:
                    assert not [a for a in actions if is_write(a)], (stack, name, statement)
    assert seen > 50


# -- #9 item 6: partitions ------------------------------------------------------------------------

@pytest.mark.parametrize("region, partition, suffix", [
    ("us-east-1", "aws", "amazonaws.com"), ("eu-central-2", "aws", "amazonaws.com"),
    ("us-gov-west-1", "aws-us-gov", "amazonaws.com"), ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
    ("cn-northwest-1", "aws-cn", "amazonaws.com.cn"), ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
    ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
])
def test_partition_table(region, partition, suffix):
    assert (names.partition(region), names.dns_suffix(region)) == (partition, suffix)
    assert names.via_service("s3", region) == f"s3.{region}.{suffix}"


def test_service_principals_per_partition():
    assert names.service_principal("codedeploy", "us-east-1") == "codedeploy.amazonaws.com"
    assert names.service_principal("codedeploy", "cn-north-1") == "codedeploy.amazonaws.com.cn"
    assert names.service_principal("backup", "cn-north-1") == "backup.amazonaws.com"
    assert names.service_principal("config", "us-gov-west-1") == "config.amazonaws.com"
    assert names.managed_policy_arn("cn-north-1", "service-role/AWS_ConfigRole") == \
        "arn:aws-cn:iam::aws:policy/service-role/AWS_ConfigRole"


@pytest.mark.parametrize("stack, partition", [("gov-ranker", "aws-us-gov"), ("cn-ranker", "aws-cn")])
def test_govcloud_and_china_stacks_write_no_commercial_arn(synth_partitions, stack, partition):
    text = synth_partitions.text(stack)
    assert "arn:aws:" not in text
    doc = synth_partitions.doc(stack)
    # every capability is there, so every generator's ARNs were looked at
    for kind in ("aws_s3_bucket_replication_configuration", "aws_backup_plan",
                 "aws_config_configuration_recorder", "aws_codedeploy_deployment_group",
                 "aws_eks_pod_identity_association"):
        assert kind in doc["resource"], kind
    assert f"arn:{partition}:s3:::" in text
    assert f"arn:{partition}:iam::aws:policy/" in text                # managed policy ARNs
    key_policy = json.loads(res(doc, "aws_kms_key", "artifacts_kms_key")["policy"])
    assert key_policy["Statement"][0]["Principal"]["AWS"].startswith(f"arn:{partition}:iam::")


def test_china_kms_via_service_uses_the_china_dns_suffix(synth_partitions):
    policy = statements(res(synth_partitions.doc("cn-ranker"), "aws_iam_role_policy",
                            "replication_role_policy")["policy"])
    assert policy["DecryptSource"]["Condition"]["StringLike"]["kms:ViaService"] == \
        "s3.cn-north-1.amazonaws.com.cn"
    assert policy["EncryptReplica"]["Condition"]["StringLike"]["kms:ViaService"] == \
        "s3.cn-northwest-1.amazonaws.com.cn"
