"""AWS Config allows one configuration recorder per account and region; the others must use
``recorder: existing``.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import get

RULE = "config-recorder-duplicate"
DOC = ("Across stacks: at most one stack with config_recorder.recorder: create (the default) per "
       "account and region; a missing account_id counts as one account.")
SOURCE = "https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html"


def check_all(stacks) -> Iterator[tuple]:
    first: dict = {}
    for stack in stacks:
        if get(stack.data, "config_recorder", "recorder") != "create":
            continue
        account = get(stack.data, "aws", "account_id")
        region = get(stack.data, "aws", "region")
        key = (account, region)
        if key not in first:
            first[key] = stack
            continue
        other = first[key]
        where = f"account {account}" if account else "the same account (no aws.account_id)"
        yield stack, Finding(("config_recorder", "recorder"), RULE,
                             f"{other.file} (stack {other.name}) already creates the AWS Config "
                             f"recorder for {where} in {region}; there can be only one per "
                             "account and region",
                             hint="set config_recorder.recorder: existing here")
