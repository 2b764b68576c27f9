"""codedeploy.alarms: DEPLOYMENT_STOP_ON_ALARM needs at least one alarm; at most 10 alarms, names unique."""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import get, section

RULE_REQUIRED = "codedeploy-alarm-required"
RULE_LIMIT = "codedeploy-alarm-limit"
RULE_DUPLICATE = "codedeploy-alarm-name-duplicate"
RULES = {
    RULE_REQUIRED: "auto_rollback event DEPLOYMENT_STOP_ON_ALARM needs at least one codedeploy alarm.",
    RULE_LIMIT: "A deployment group takes at most 10 alarms.",
    RULE_DUPLICATE: "codedeploy alarm names are unique.",
}
SOURCE = "https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_AlarmConfiguration.html"
MAX_ALARMS = 10


def check(stack) -> Iterator[Finding]:
    cd = section(stack, "codedeploy")
    if cd is None:
        return
    alarms = cd["alarms"]
    events = cd["auto_rollback"]["events"]
    if "DEPLOYMENT_STOP_ON_ALARM" in events and not alarms:
        i = events.index("DEPLOYMENT_STOP_ON_ALARM")
        yield Finding(("codedeploy", "auto_rollback", "events", i), RULE_REQUIRED,
                      "DEPLOYMENT_STOP_ON_ALARM rolls back when an alarm fires, but codedeploy.alarms "
                      "is empty", hint="add an alarm under codedeploy.alarms, or remove the event")
    if len(alarms) > MAX_ALARMS:
        yield Finding(("codedeploy", "alarms", MAX_ALARMS), RULE_LIMIT,
                      f"codedeploy.alarms has {len(alarms)} alarms; a deployment group takes at "
                      f"most {MAX_ALARMS}", hint="combine alarms (e.g. a composite alarm)")
    seen: dict = {}
    for i, alarm in enumerate(alarms):
        name = get(alarm, "name")
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Finding(("codedeploy", "alarms", i, "name"), RULE_DUPLICATE,
                          f"alarm name '{name}' is already used by codedeploy.alarms[{seen[name]}]",
                          hint="alarm names must be unique: rename one")
        else:
            seen[name] = i
