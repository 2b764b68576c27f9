"""sagemaker.deployment_config: a step's percentage is within what SageMaker accepts (canary 1-50, linear 10-50, rolling 5-50).

SageMaker API reference: TrafficRoutingConfig -- CanarySize "must be less than or equal to 50% of
the variant's total instance count", LinearStepSize "must be 10-50%"; RollingUpdatePolicy --
MaximumBatchSize "between 5% to 50%"
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RollingUpdatePolicy.html).
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ..model.sagemaker import PERCENT_BOUNDS, step_setting
from ._common import section, shown

RULE = "sagemaker-step-percentage"
DOC = ("sagemaker.deployment_config: a step's percentage is within what SageMaker accepts "
       '(canary 1-50, linear 10-50, rolling 5-50).')
SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html"


def check(stack) -> Iterator[Finding]:
    sm = section(stack, "sagemaker")
    step = None if sm is None else step_setting(sm)
    if step is None:
        return
    kind, path, _, accepted = step
    key = path[-1]
    low, high = PERCENT_BOUNDS[kind]
    if not accepted:
        yield Finding(path, RULE,
                      f"{kind} {key} is {shown(stack, path)}; SageMaker accepts {low}-{high}% of "
                      "the instance count for a step",
                      hint=f"use a {key} from {low} to {high}")
