from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import get, snapshots

RULE = "backup-snapshot-name-duplicate"
DOC = "backup.snapshots: every snapshot rule has its own name (it names the AWS Backup plan rule)."
SOURCE = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html"


def check(stack) -> Iterator[Finding]:
    seen: dict = {}
    for i, snap in snapshots(stack):
        name = get(snap, "name")
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Finding(("backup", "snapshots", i, "name"), RULE,
                          f"snapshot name '{name}' is already used by backup.snapshots[{seen[name]}]; "
                          "snapshot names must be unique", hint="rename one of them")
        else:
            seen[name] = i
