"""compiler/names.py forms every derived name and ARN; operations take the partition from the region
and say so when the caller's credentials are in another partition."""
from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from compiler import names


def test_arns():
    assert names.s3_arn("aws", "b") == "arn:aws:s3:::b"
    assert names.s3_arn("aws-cn", "b", "models/*") == "arn:aws-cn:s3:::b/models/*"
    assert names.role_arn("aws", "123456789012", "r") == "arn:aws:iam::123456789012:role/r"
    assert names.account_root_arn("aws-us-gov", "1") == "arn:aws-us-gov:iam::1:root"
    assert names.managed_policy_arn("cn-north-1", "service-role/X") == \
        "arn:aws-cn:iam::aws:policy/service-role/X"
    assert names.arn("aws", "backup", "recovery-point:*", region="eu-west-1", account="1") == \
        "arn:aws:backup:eu-west-1:1:recovery-point:*"


@pytest.mark.parametrize("arn, part", [("arn:aws-cn:sts::1:assumed-role/x/y", "aws-cn"),
                                       ("arn:aws:iam::1:user/u", "aws"), ("not-an-arn", None),
                                       ("", None)])
def test_partition_of_arn(arn, part):
    assert names.partition_of_arn(arn) == part


def test_model_object_pattern():
    assert names.model_object_pattern("models/fraud/model.tar.gz") == "models/fraud/*"
    assert names.model_object_pattern("model.tar.gz") == "model.tar.gz"


def test_state_names():
    data = {"metadata": {"name": "shop"}, "state": {"key_prefix": "/platform/"}}
    assert names.state_key(data, "prod") == "platform/shop-prod.tfstate"
    # relative to cdktf.out/stacks/<stack>/: the project root, where cdktf's LocalBackend puts it
    assert names.local_state_path(data, None) == "../../../terraform.shop.tfstate"


def _aws_with_caller(monkeypatch, region: str, caller_arn: str):
    from operations import aws as aws_module

    sts = boto3.Session(aws_access_key_id="x", aws_secret_access_key="y").client(
        "sts", region_name="us-east-1")
    stub = Stubber(sts)
    stub.add_response("get_caller_identity", {"Account": "123456789012", "Arn": caller_arn,
                                              "UserId": "AIDA"})
    stub.activate()
    monkeypatch.setattr(aws_module, "CLIENT_FACTORY", lambda service, session, region: sts)
    return aws_module.Aws(region=region)


def test_the_partition_comes_from_the_region_and_a_different_caller_partition_is_an_error(monkeypatch):
    from operations.errors import OpsError

    aws = _aws_with_caller(monkeypatch, "cn-north-1", "arn:aws:iam::123456789012:user/u")
    assert aws.partition == "aws-cn"                        # the region's, before any call
    with pytest.raises(OpsError) as raised:
        aws.check_account("123456789012")
    assert raised.value.code == "WrongPartition"
    assert "aws partition, region cn-north-1 is in aws-cn" in raised.value.message


def test_the_same_partition_passes(monkeypatch):
    aws = _aws_with_caller(monkeypatch, "us-gov-west-1", "arn:aws-us-gov:iam::123456789012:user/u")
    assert aws.check_account("123456789012")["Account"] == "123456789012"
    assert aws.partition == "aws-us-gov"
