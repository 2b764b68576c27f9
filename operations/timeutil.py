"""TIME and DURATION arguments.

TIME: ISO 8601 (``2026-11-29T18:05:00Z``, ``2026-11-29 18:05``, ``2026-11-29``; no zone means UTC)
or a time relative to now: ``2h ago``, ``90m ago``, ``1d12h ago``.
DURATION: ``30m``, ``12h``, ``7d``, ``2w``, ``1d12h`` (units s, m, h, d, w).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .errors import OpsError

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^(?:\d+[smhdw])+$")
_PART = re.compile(r"(\d+)([smhdw])")


def now() -> datetime:
    return datetime.now(timezone.utc)


def parse_duration(text: str) -> timedelta:
    value = text.strip().lower().replace(" ", "")
    if not _DURATION.match(value):
        raise OpsError(f"'{text}' is not a duration: write e.g. 30m, 12h, 7d, 2w or 1d12h")
    delta = timedelta()
    for amount, unit in _PART.findall(value):
        delta += timedelta(**{_UNITS[unit]: int(amount)})
    return delta


def parse_time(text: str, *, reference: datetime | None = None) -> datetime:
    value = text.strip()
    if value.lower().endswith(" ago"):
        return (reference or now()) - parse_duration(value[:-4])
    iso = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise OpsError(f"'{text}' is not a time: write ISO 8601 (2026-11-29T18:05:00Z; no zone "
                       "means UTC) or a relative time such as '2h ago'") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def iso(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
