from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import is_int, section

RULE = "codedeploy-ecs-blue-green"
DOC = ("codedeploy.ecs: exactly one listener ARN, two distinct target groups (blue, green), "
       "termination_wait_minutes <= 2880.")
SOURCE = "https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-groups-create-ecs.html"
MAX_WAIT = 2880


def check(stack) -> Iterator[Finding]:
    cd = section(stack, "codedeploy")
    if cd is None or cd.get("platform") != "ECS" or not isinstance(cd.get("ecs"), dict):
        return
    ecs = cd["ecs"]
    listeners = ecs.get("listener_arns")
    if isinstance(listeners, list) and len(listeners) != 1:
        yield Finding(("codedeploy", "ecs", "listener_arns"), RULE,
                      f"listener_arns has {len(listeners)} ARNs; ECS blue/green takes exactly one "
                      "production listener", hint="give the ARN of the one production listener")
    groups = ecs.get("target_groups")
    if isinstance(groups, list):
        if len(groups) != 2:
            yield Finding(("codedeploy", "ecs", "target_groups"), RULE,
                          f"target_groups has {len(groups)} entries; ECS blue/green takes exactly "
                          "two (blue and green)", hint="for example target_groups: [svc-blue, svc-green]")
        elif groups[0] == groups[1]:
            yield Finding(("codedeploy", "ecs", "target_groups", 1), RULE,
                          f"both target groups are '{groups[0]}'; blue and green must be two "
                          "different target groups",
                          hint=f"name the second (green) target group: not '{groups[0]}' again")
    wait = ecs.get("termination_wait_minutes")
    if is_int(wait) and not 0 <= wait <= MAX_WAIT:
        yield Finding(("codedeploy", "ecs", "termination_wait_minutes"), RULE,
                      f"termination_wait_minutes is {wait}; allowed: 0-{MAX_WAIT} (2 days)")
