"""codedeploy.deployment_config belongs to the platform: built-in names per platform, minimum_healthy_hosts for Server, canary/linear for ECS and Lambda.

Built-in names: Server ``CodeDeployDefault.OneAtATime|HalfAtATime|AllAtOnce``; ECS
``CodeDeployDefault.ECS*``; Lambda ``CodeDeployDefault.Lambda*`` (the full list is in
``BUILT_IN``). A name that does not start with ``CodeDeployDefault.`` names a custom config that
already exists. Percentages: canary/linear 1-99, FLEET_PERCENT 0-99.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ..words import did_you_mean
from ._common import is_int, section

RULE_PLATFORM = "codedeploy-config-platform"
RULE_UNKNOWN = "codedeploy-config-unknown"
RULE_PERCENT = "codedeploy-config-percentage"
RULES = {
    RULE_PLATFORM: "codedeploy.deployment_config belongs to the platform: built-in names per "
                   "platform, minimum_healthy_hosts for Server, canary/linear for ECS and Lambda.",
    RULE_UNKNOWN: "A deployment_config starting with 'CodeDeployDefault.' is one of the built-in "
                  "configs.",
    RULE_PERCENT: "codedeploy deployment percentages: canary/linear 1-99, FLEET_PERCENT 0-99.",
}
SOURCE = "https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html"

PREFIX = "CodeDeployDefault."
BUILT_IN = {
    "Server": ["OneAtATime", "HalfAtATime", "AllAtOnce"],
    "ECS": ["ECSAllAtOnce", "ECSLinear10PercentEvery1Minutes", "ECSLinear10PercentEvery3Minutes",
            "ECSCanary10Percent5Minutes", "ECSCanary10Percent15Minutes"],
    "Lambda": ["LambdaAllAtOnce", "LambdaCanary10Percent5Minutes", "LambdaCanary10Percent10Minutes",
               "LambdaCanary10Percent15Minutes", "LambdaCanary10Percent30Minutes",
               "LambdaLinear10PercentEvery1Minute", "LambdaLinear10PercentEvery2Minutes",
               "LambdaLinear10PercentEvery3Minutes", "LambdaLinear10PercentEvery10Minutes"],
}
BUILT_IN = {platform: [PREFIX + n for n in names] for platform, names in BUILT_IN.items()}
PLATFORM_OF = {name: platform for platform, names in BUILT_IN.items() for name in names}


def _choices(platform: str) -> str:
    return ", ".join(BUILT_IN.get(platform, []))


def check(stack) -> Iterator[Finding]:
    cd = section(stack, "codedeploy")
    if cd is None:
        return
    platform = cd["platform"]
    config = cd.get("deployment_config")
    path = ("codedeploy", "deployment_config")
    if isinstance(config, str) and config.startswith(PREFIX):
        owner = PLATFORM_OF.get(config)
        if owner is None:
            hint = did_you_mean(config, BUILT_IN.get(platform, [])) or did_you_mean(config, PLATFORM_OF)
            yield Finding(path, RULE_UNKNOWN,
                          f"'{config}' is not a built-in deployment config; for {platform} they are: "
                          f"{_choices(platform)}", hint=hint or "or give a custom config mapping")
        elif owner != platform:
            yield Finding(path, RULE_PLATFORM,
                          f"'{config}' is a built-in config for {owner}, but codedeploy.platform is "
                          f"{platform}; for {platform} use one of: {_choices(platform)}",
                          hint=did_you_mean(config, BUILT_IN.get(platform, [])))
        return
    if not isinstance(config, dict):
        return
    mhh = config.get("minimum_healthy_hosts")
    if isinstance(mhh, dict):
        if platform != "Server":
            yield Finding(path + ("minimum_healthy_hosts",), RULE_PLATFORM,
                          f"minimum_healthy_hosts is for platform Server, but codedeploy.platform is "
                          f"{platform}", at="key",
                          hint=f"use canary or linear traffic shifting for {platform}")
        else:
            value = mhh.get("value")
            if mhh.get("type") == "FLEET_PERCENT" and is_int(value) and not 0 <= value <= 99:
                yield Finding(path + ("minimum_healthy_hosts", "value"), RULE_PERCENT,
                              f"minimum_healthy_hosts is {value} FLEET_PERCENT; allowed: 0-99 "
                              "(100% healthy would leave no instance to deploy to)",
                              hint="use at most 99, or type HOST_COUNT")
    for kind in ("canary", "linear"):
        shift = config.get(kind)
        if not isinstance(shift, dict):
            continue
        if platform not in ("ECS", "Lambda"):
            yield Finding(path + (kind,), RULE_PLATFORM,
                          f"{kind} traffic shifting is for platforms ECS and Lambda, but "
                          f"codedeploy.platform is {platform}", at="key",
                          hint="for Server use minimum_healthy_hosts")
            continue
        pct = shift.get("percentage")
        if is_int(pct) and not 1 <= pct <= 99:
            yield Finding(path + (kind, "percentage"), RULE_PERCENT,
                          f"{kind}.percentage is {pct}; allowed: 1-99 (the share of traffic "
                          "shifted per step)", hint="for all traffic at once use "
                          f"{PREFIX}{'ECS' if platform == 'ECS' else 'Lambda'}AllAtOnce")
