from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE = "codedeploy-ec2-tags-limit"
DOC = ("codedeploy: Server ec2_tags has at most 3 keys (each key is one tag set; CodeDeploy "
       "takes 3).")
SOURCE = "https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_EC2TagFilter.html"
MAX_TAG_SETS = 3


def check(stack) -> Iterator[Finding]:
    cd = section(stack, "codedeploy")
    tags = cd.get("ec2_tags") if cd else None
    if isinstance(tags, dict) and len(tags) > MAX_TAG_SETS:
        yield Finding(("codedeploy", "ec2_tags"), RULE,
                      f"codedeploy.ec2_tags has {len(tags)} tags; an instance must carry all of them, "
                      f"and a deployment group takes at most {MAX_TAG_SETS} such tag sets",
                      hint="select the instances with at most 3 tags, e.g. one app tag")
