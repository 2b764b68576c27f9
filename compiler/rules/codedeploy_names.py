from __future__ import annotations

import re
from typing import Iterator

from .. import names
from ..diagnostics import Finding
from ._common import section

RULE = "codedeploy-name-invalid"
DOC = ("CodeDeploy application, deployment group and deployment config names (given or derived): "
       "at most 100 characters of [A-Za-z0-9._+=,@-].")
SOURCE = "https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_CreateDeploymentGroup.html"
_NAME = re.compile(r"^[A-Za-z0-9._+=,@-]+$")
MAX = 100


def name_problems(name: str) -> list[str]:
    out = []
    if not 1 <= len(name) <= MAX:
        out.append(f"is {len(name)} characters long (allowed: 1-{MAX})")
    bad = sorted(set(c for c in name if not _NAME.match(c)))
    if bad:
        out.append("contains " + ", ".join(repr(c) for c in bad)
                   + " (allowed: letters, digits and . _ + = , @ -)")
    return out


def check(stack) -> Iterator[Finding]:
    cd = section(stack, "codedeploy")
    if cd is None:
        return
    data, env = stack.data, stack.env
    config = cd.get("deployment_config")
    candidates = [
        (("metadata", "name"), "application", names.codedeploy_app(data, env)),
        (("metadata", "name"), "deployment group", names.codedeploy_group(data, env)),
    ]
    if isinstance(config, dict):
        candidates.append((("codedeploy", "deployment_config"), "deployment config",
                           names.codedeploy_config(data, env)))
    elif isinstance(config, str) and not config.startswith("CodeDeployDefault."):
        candidates.append((("codedeploy", "deployment_config"), "deployment config", config))
    for path, what, name in candidates:
        found = name_problems(name)
        if found:
            yield Finding(path, RULE, f"the CodeDeploy {what} name '{name}' " + "; ".join(found),
                          hint="derived names start with <name>[-<env>]: shorten or simplify "
                               "metadata.name" if path[0] == "metadata" else None)
