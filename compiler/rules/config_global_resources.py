from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE = "config-global-resource-types"
DOC = "config_recorder.include_global_resource_types: true only with resource_types: all."
SOURCE = "https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html"


def check(stack) -> Iterator[Finding]:
    cfg = section(stack, "config_recorder")
    if cfg is None or cfg.get("include_global_resource_types") is not True:
        return
    if cfg["resource_types"] != "all":
        yield Finding(("config_recorder", "include_global_resource_types"), RULE,
                      "include_global_resource_types is true but resource_types is a list; AWS "
                      "Config only records global resource types together with all supported "
                      "types (resource_types: all)",
                      hint="set resource_types: all, or list the global types (e.g. AWS::IAM::Role) "
                           "and drop include_global_resource_types")
