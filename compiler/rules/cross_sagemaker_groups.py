"""Across stacks: at most one stack creates a SageMaker model package group of a name per account and region; a missing account_id counts as one account.

Each stack with a ``sagemaker`` section creates its model package group (default name:
``metadata.name``), and a group name is unique in an account and region: two environments of one
spec in the same account would both create it, and the second apply fails.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import get

RULE = "sagemaker-group-duplicate"
DOC = ('Across stacks: at most one stack creates a SageMaker model package group of a name '
       'per account and region; a missing account_id counts as one account.')
SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModelPackageGroup.html"


def check_all(stacks) -> Iterator[tuple]:
    first: dict = {}
    for stack in stacks:
        group = get(stack.data, "sagemaker", "model_package", "group")
        if group is None:
            continue
        account = get(stack.data, "aws", "account_id")
        region = get(stack.data, "aws", "region")
        key = (account, region, str(group).lower())
        if key not in first:
            first[key] = stack
            continue
        other = first[key]
        where = f"account {account}" if account else "the same account (no aws.account_id)"
        yield stack, Finding(("sagemaker", "model_package", "group"), RULE,
                             f"model package group '{group}' is already created by {other.file} "
                             f"(stack {other.name}) in {where}, {region}; each stack creates its "
                             "group, and the second apply would fail",
                             hint="give this stack its own sagemaker.model_package.group, or "
                                  "deploy the environments to different accounts")
