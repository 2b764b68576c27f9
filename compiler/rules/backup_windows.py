"""backup.snapshots[]: start_window_minutes >= 60 and completion_window_minutes >= start_window_minutes + 60 (AWS Backup limits)."""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import default, is_int, snapshots

RULE = "backup-window"



def check(stack) -> Iterator[Finding]:
    for i, snap in snapshots(stack):
        start = snap.get("start_window_minutes",
                         default("backup", "snapshots", "items", "start_window_minutes", fallback=60))
        completion = snap.get("completion_window_minutes", default(
            "backup", "snapshots", "items", "completion_window_minutes", fallback=180))
        if is_int(start) and start < 60:
            yield Finding(("backup", "snapshots", i, "start_window_minutes"), RULE,
                          f"start_window_minutes is {start}; AWS Backup needs at least 60",
                          hint="set start_window_minutes: 60 or more")
            continue
        if is_int(start) and is_int(completion) and completion < start + 60:
            shown = "" if "start_window_minutes" in snap else " (the default)"
            yield Finding(("backup", "snapshots", i, "completion_window_minutes"), RULE,
                          f"completion_window_minutes is {completion} but start_window_minutes is "
                          f"{start}{shown}; the completion window must be at least 60 minutes longer "
                          f"than the start window",
                          hint=f"set completion_window_minutes: {start + 60} or more")
