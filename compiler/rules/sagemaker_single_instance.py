"""A warning when sagemaker.instance_count is 1: no redundancy, and no gradual traffic shift."""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ._common import section

RULE = "sagemaker-single-instance"
DOC = ('A warning when sagemaker.instance_count is 1: no redundancy, and no gradual traffic shift.')
SOURCE = None            # mplat's own rule: no AWS limit behind it


def check(stack) -> Iterator[Finding]:
    sm = section(stack, "sagemaker")
    if sm is None or sm["instance_count"] != 1:
        return
    yield Finding(("sagemaker", "instance_count"), RULE,
                  "instance_count is 1: the endpoint has no redundancy (an instance failure or an "
                  "Availability Zone outage stops serving), and an update cannot shift traffic "
                  "gradually", severity=WARNING,
                  hint="set instance_count to 2 or more for a production endpoint")
