"""sagemaker.instance_type is a SageMaker ML instance type: ml.<family>.<size>, e.g. ml.m5.large."""
from __future__ import annotations

import re
from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE = "sagemaker-instance-type"
DOC = ('sagemaker.instance_type is a SageMaker ML instance type: ml.<family>.<size>, e.g. '
       'ml.m5.large.')
SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html"
_SHAPE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")


def check(stack) -> Iterator[Finding]:
    sm = section(stack, "sagemaker")
    if sm is None:
        return
    value = sm["instance_type"]
    if not _SHAPE.match(value):
        hint = "SageMaker instance types start with 'ml.', e.g. ml.m5.large"
        if _SHAPE.match(f"ml.{value}"):
            hint = f"did you mean 'ml.{value}'?"
        yield Finding(("sagemaker", "instance_type"), RULE,
                      f"instance_type '{value}' is not a SageMaker instance type "
                      "(ml.<family>.<size>)", hint=hint)
