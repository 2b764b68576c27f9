from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import shown, snapshots

RULE = "backup-window"
DOC = ("backup.snapshots[]: start_window_minutes >= 60 and completion_window_minutes >= "
       "start_window_minutes + 60 (AWS Backup limits).")
SOURCE = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html"


def check(stack) -> Iterator[Finding]:
    for i, snap in snapshots(stack):
        path = ("backup", "snapshots", i)
        start, completion = snap["start_window_minutes"], snap["completion_window_minutes"]
        if start < 60:
            yield Finding(path + ("start_window_minutes",), RULE,
                          f"start_window_minutes is {start}; AWS Backup needs at least 60",
                          hint="set start_window_minutes: 60 or more")
            continue
        if completion < start + 60:
            yield Finding(path + ("completion_window_minutes",), RULE,
                          f"completion_window_minutes is "
                          f"{shown(stack, path + ('completion_window_minutes',))} but "
                          f"start_window_minutes is {shown(stack, path + ('start_window_minutes',))}"
                          f"; the completion window must be at least 60 minutes longer "
                          f"than the start window",
                          hint=f"set completion_window_minutes: {start + 60} or more")
