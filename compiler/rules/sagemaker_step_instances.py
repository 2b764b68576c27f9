"""sagemaker: a canary, linear or rolling step leaves at least one instance on each side (a step of at most half of instance_count).

A step is ``instance_count * percentage / 100`` instances, rounded up (``compiler.model.sagemaker``,
emitted as CapacitySize INSTANCE_COUNT). SageMaker requires a canary, linear step or rolling batch
of at most 50% of the variant's instance count; with a step of at least one instance, that leaves
at least one instance serving the old model while the new one is watched. One instance can never
be split: use ``all_at_once`` there (with a warning for the single instance).
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ..model.sagemaker import deployment, step_setting
from ._common import section, shown

RULE = "sagemaker-step-instances"
DOC = ('sagemaker: a canary, linear or rolling step leaves at least one instance on each '
       'side (a step of at most half of instance_count).')
SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html"


def check(stack) -> Iterator[Finding]:
    sm = section(stack, "sagemaker")
    setting = None if sm is None else step_setting(sm)
    if setting is None or not setting[3]:
        return                  # no step, or sagemaker-step-percentage says so
    kind, path, percentage, _ = setting
    count = sm["instance_count"]
    step = deployment(sm).step_instances
    if step * 2 > count:
        said = shown(stack, ("sagemaker", "instance_count"), inner=False)
        yield Finding(path, RULE,
                      f"a {kind} step of {percentage}% is {step} "
                      f"instance(s) but instance_count is {said}: the step must be at most half "
                      "the fleet, so that the old and the new model each keep at least one "
                      "instance",
                      hint="raise instance_count to at least 2 x the step, or use all_at_once")
