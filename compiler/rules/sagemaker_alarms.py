"""sagemaker.alarms: at least one alarm to roll an update back (a warning), at most 10, names unique.

Without an alarm SageMaker's auto-rollback has nothing to watch: an update still shifts traffic,
but a bad model is kept once the steps and the bake time pass. The endpoint's
AutoRollbackConfiguration takes at most 10 alarms (SageMaker API reference, AutoRollbackConfig).
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ..model.sagemaker import MAX_ALARMS, strategy
from ._common import get, section

RULE_MISSING = "sagemaker-alarm-missing"
RULE_LIMIT = "sagemaker-alarm-limit"
RULE_DUPLICATE = "sagemaker-alarm-name-duplicate"
RULES = {
    RULE_MISSING: "A warning when sagemaker.alarms is empty: nothing rolls a bad update back.",
    RULE_LIMIT: "An endpoint's auto-rollback takes at most 10 alarms.",
    RULE_DUPLICATE: "sagemaker alarm names are unique.",
}
SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AutoRollbackConfig.html"


def check(stack) -> Iterator[Finding]:
    sm = section(stack, "sagemaker")
    if sm is None:
        return
    alarms = sm["alarms"]
    if not alarms:
        kind = strategy(sm["deployment_config"])
        lost = {"canary": "the canary step and the bake time only delay a bad model",
                "linear": "the linear steps and the bake time only delay a bad model",
                "rolling": "the rolling batches only delay a bad model",
                "all_at_once": "the bake time only delays a bad model"}[kind]
        yield Finding(("sagemaker",), RULE_MISSING,
                      f"sagemaker.alarms is empty: no alarm can roll an update back, so {lost}; "
                      "automatic rollback is lost", severity=WARNING, at="key",
                      hint="add an item to sagemaker.alarms, e.g. {name: errors-5xx, namespace: "
                           "AWS/SageMaker, metric: Invocation5XXErrors, statistic: Sum, "
                           "threshold: 5}")
    if len(alarms) > MAX_ALARMS:
        yield Finding(("sagemaker", "alarms", MAX_ALARMS), RULE_LIMIT,
                      f"sagemaker.alarms has {len(alarms)} alarms; an endpoint's auto-rollback "
                      f"takes at most {MAX_ALARMS}", hint="combine alarms (e.g. a composite alarm)")
    seen: dict = {}
    for i, alarm in enumerate(alarms):
        name = get(alarm, "name")
        if name in seen:
            yield Finding(("sagemaker", "alarms", i, "name"), RULE_DUPLICATE,
                          f"alarm name '{name}' is already used by sagemaker.alarms[{seen[name]}]",
                          hint=f"rename one of the two alarms named '{name}'")
        else:
            seen[name] = i
