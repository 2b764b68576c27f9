"""sagemaker: interval_minutes and termination_wait_minutes are at most 60 (3600 s), and the whole update fits the 14400 s execution timeout.

SageMaker API reference: TrafficRoutingConfig and RollingUpdatePolicy WaitIntervalInSeconds 0-3600,
BlueGreenUpdatePolicy TerminationWaitInSeconds 0-3600 and MaximumExecutionTimeoutInSeconds
600-28800 (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_BlueGreenUpdatePolicy.html);
the AWS provider accepts maximum_execution_timeout_in_seconds up to 14400 only. mplat sets the
timeout to every wait of the update plus time to provision (``compiler.model.sagemaker``): when
that exceeds the limit, the update could never finish.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ..model.sagemaker import (MAX_EXECUTION_TIMEOUT, MAX_TERMINATION_WAIT_SECONDS,
                               MAX_WAIT_SECONDS, deployment, strategy)
from ._common import section, shown

RULE = "sagemaker-wait-bounds"
DOC = ('sagemaker: interval_minutes and termination_wait_minutes are at most 60 (3600 s), '
       'and the whole update fits the 14400 s execution timeout.')
SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_BlueGreenUpdatePolicy.html"


def check(stack) -> Iterator[Finding]:
    sm = section(stack, "sagemaker")
    if sm is None:
        return
    kind = strategy(sm["deployment_config"])
    body = sm["deployment_config"][kind] or {}
    bad = False
    if "interval_minutes" in body and body["interval_minutes"] * 60 > MAX_WAIT_SECONDS:
        bad = True
        path = ("sagemaker", "deployment_config", kind, "interval_minutes")
        yield Finding(path, RULE,
                      f"interval_minutes is {shown(stack, path)}; SageMaker waits at most "
                      f"{MAX_WAIT_SECONDS // 60} minutes ({MAX_WAIT_SECONDS} s) between steps",
                      hint=f"lower interval_minutes from {body['interval_minutes']} to at most "
                           f"{MAX_WAIT_SECONDS // 60}")
    path = ("sagemaker", "termination_wait_minutes")
    if kind != "rolling" and sm["termination_wait_minutes"] * 60 > MAX_TERMINATION_WAIT_SECONDS:
        bad = True
        yield Finding(path, RULE,
                      f"termination_wait_minutes is {shown(stack, path)}; SageMaker keeps the old "
                      f"fleet at most {MAX_TERMINATION_WAIT_SECONDS // 60} minutes "
                      f"({MAX_TERMINATION_WAIT_SECONDS} s)",
                      hint=f"lower termination_wait_minutes from {sm['termination_wait_minutes']} "
                           f"to at most {MAX_TERMINATION_WAIT_SECONDS // 60}")
    if bad:
        return
    timeout = deployment(sm).execution_timeout_seconds
    if timeout > MAX_EXECUTION_TIMEOUT:
        yield Finding(("sagemaker", "deployment_config"), RULE,
                      f"a {kind} update of {sm['instance_count']} instances with these waits "
                      f"needs an execution timeout of {timeout} s, more than the "
                      f"{MAX_EXECUTION_TIMEOUT} s an endpoint update may take",
                      hint="shorten interval_minutes or termination_wait_minutes, or use larger "
                           "steps")
