"""codedeploy: Server needs ec2_tags, ECS needs ecs, Lambda needs lambda, and no platform takes another's target."""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE_MISSING = "codedeploy-target-missing"
RULE_MISMATCH = "codedeploy-target-mismatch"
RULES = {
    RULE_MISSING: "codedeploy: Server needs ec2_tags, ECS needs ecs, Lambda needs lambda.",
    RULE_MISMATCH: "codedeploy: ec2_tags, ecs and lambda are only for their own platform.",
}
SOURCE = "https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-groups.html"
TARGET = {"Server": "ec2_tags", "ECS": "ecs", "Lambda": "lambda"}
EXAMPLE = {
    "ec2_tags": "ec2_tags: {app: my-service}",
    "ecs": "ecs: {cluster: ..., service: ..., listener_arns: [...], target_groups: [blue, green]}",
    "lambda": "lambda: {function: my-function, alias: live}",
}


def check(stack) -> Iterator[Finding]:
    cd = section(stack, "codedeploy")
    if cd is None:
        return
    platform = cd["platform"]
    want = TARGET.get(platform)
    if want is None:
        return
    if not cd.get(want):
        yield Finding(("codedeploy",), RULE_MISSING,
                      f"codedeploy.platform is {platform}, which deploys to the targets in "
                      f"codedeploy.{want}, but {want} is not given", at="key",
                      hint=f"add {EXAMPLE[want]}")
    for platform_of, key in TARGET.items():
        if key != want and key in cd:
            yield Finding(("codedeploy", key), RULE_MISMATCH,
                          f"codedeploy.{key} is for platform {platform_of}, but codedeploy.platform "
                          f"is {platform}", at="key",
                          hint=f"remove {key}" + (f", or set platform: {platform_of}"))
