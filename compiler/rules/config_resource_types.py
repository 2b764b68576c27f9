"""A recorder limited to a list of types leaves the account's other resources without configuration
history, and the scanners flag it: AWS Security Hub control Config.1 ("AWS Config should be
enabled and use the service-linked role for resource recording", which needs every resource type
its enabled controls evaluate recorded; Security Hub user guide, config-controls) and Checkov
CKV2_AWS_45 ("Ensure AWS Config recorder is enabled to record all supported resources": it fails
when recording_group.all_supported is false). ``resource_types: all`` (the default)
avoids both. With ``recorder: existing`` the spec creates no recorder, so there is nothing to warn
about.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ._common import section

RULE = "config-resource-types-list"
DOC = ("config_recorder.resource_types: a warning for a list instead of all (the security "
       "scanners expect every supported type recorded).")
SOURCE = "https://docs.aws.amazon.com/config/latest/developerguide/resource-config-reference.html"


def check(stack) -> Iterator[Finding]:
    cfg = section(stack, "config_recorder")
    if cfg is None or cfg["recorder"] != "create" or cfg["resource_types"] == "all":
        return
    yield Finding(("config_recorder", "resource_types"), RULE,
                  f"resource_types lists {len(cfg['resource_types'])} resource type(s) instead of "
                  "all: the recorder misses every other resource, which fails AWS Security Hub "
                  "control Config.1 and Checkov CKV2_AWS_45", severity=WARNING,
                  hint="use resource_types: all (the default) unless the account records the "
                       "rest elsewhere")
