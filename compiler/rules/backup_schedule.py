"""``cron(minutes hours day-of-month month day-of-week year)``: minutes 0-59, hours 0-23,
day-of-month 1-31 (also ``?``, ``L``, ``LW``, ``<n>W``), month 1-12 or JAN-DEC, day-of-week 1-7 or
SUN-SAT (also ``?``, ``L``, ``<d>L``, ``<d>#<n>``), year 1970-2199; ``*``, lists (``,``), ranges
(``-``) and increments (``/``); exactly one of day-of-month and day-of-week is ``?``.
``rate(<n> <unit>)``: n > 0, unit minute(s)/hour(s)/day(s), singular exactly when n is 1; AWS
Backup runs a plan at most once an hour, so a rate is at least 1 hour.
"""
from __future__ import annotations

import re
from typing import Iterator

from ..diagnostics import Finding
from ._common import get, snapshots

RULE = "backup-schedule-invalid"
DOC = ("backup.snapshots[].schedule is a valid AWS cron expression (6 fields, UTC) or rate "
       "expression.")
SOURCE = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html"

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

# field name, low, high, names (value = index + 1)
FIELDS = [
    ("minutes", 0, 59, None),
    ("hours", 0, 23, None),
    ("day-of-month", 1, 31, None),
    ("month", 1, 12, MONTHS),
    ("day-of-week", 1, 7, DAYS),
    ("year", 1970, 2199, None),
]
_RATE = re.compile(r"^rate\((?P<body>.*)\)$")
_CRON = re.compile(r"^cron\((?P<body>.*)\)$")


class _Bad(ValueError):
    pass


def _value(text: str, field: tuple) -> int:
    name, low, high, words = field
    if words and text.upper() in words:
        return words.index(text.upper()) + 1
    if not text.isdigit():
        allowed = f"{low}-{high}" + (f" or {words[0]}-{words[-1]}" if words else "")
        raise _Bad(f"{name} field: '{text}' is not a number ({allowed})")
    number = int(text)
    if not low <= number <= high:
        raise _Bad(f"{name} field: {number} is outside {low}-{high}")
    return number


def _part(part: str, field: tuple) -> None:
    name = field[0]
    if part == "*":
        return
    if "/" in part:
        base, step = part.split("/", 1)
        if not step.isdigit() or int(step) == 0:
            raise _Bad(f"{name} field: the increment in '{part}' must be a positive number")
        if base != "*":
            _range_or_value(base, field)
        return
    _range_or_value(part, field)


def _range_or_value(text: str, field: tuple) -> None:
    if "-" in text:
        first, last = text.split("-", 1)
        _value(first, field)
        _value(last, field)
    else:
        _value(text, field)


def _field(text: str, index: int) -> None:
    field = FIELDS[index]
    name = field[0]
    if text == "?":
        if index not in (2, 4):
            raise _Bad(f"{name} field: '?' is only allowed in day-of-month and day-of-week")
        return
    if index == 2 and (text in ("L", "LW") or re.fullmatch(r"\d{1,2}W", text)):
        if text.endswith("W") and text != "LW":
            _value(text[:-1], field)
        return
    if index == 4:
        if text == "L":
            return
        m = re.fullmatch(r"(\w+)L", text)
        if m:
            _value(m.group(1), field)
            return
        m = re.fullmatch(r"(\w+)#(\d)", text)
        if m:
            _value(m.group(1), field)
            if not 1 <= int(m.group(2)) <= 5:
                raise _Bad(f"{name} field: '#' takes the week of the month, 1-5, not {m.group(2)}")
            return
    for part in text.split(","):
        if not part:
            raise _Bad(f"{name} field: empty item in '{text}'")
        if part in ("?", "L") or "#" in part or part.endswith("W"):
            raise _Bad(f"{name} field: '{part}' cannot be combined with other values")
        _part(part, field)


def cron_problem(body: str) -> str | None:
    fields = body.split()
    if len(fields) != 6:
        return (f"has {len(fields)} fields; AWS cron has 6: minutes hours day-of-month month "
                "day-of-week year")
    try:
        for i, text in enumerate(fields):
            _field(text, i)
    except _Bad as exc:
        return str(exc)
    if (fields[2] == "?") == (fields[4] == "?"):
        return ("exactly one of day-of-month and day-of-week must be '?' (the other one "
                "chooses the days)")
    return None


def rate_problem(body: str) -> str | None:
    m = re.fullmatch(r"\s*(\d+)\s+([a-z]+)\s*", body)
    if not m:
        return "must be 'rate(<number> <unit>)', e.g. rate(12 hours)"
    number, unit = int(m.group(1)), m.group(2)
    if number == 0:
        return "the rate must be greater than 0"
    units = {"minute": 1, "hour": 60, "day": 1440}
    singular = unit.rstrip("s") if unit.endswith("s") else unit
    if singular not in units:
        return f"unknown unit '{unit}' (allowed: minute(s), hour(s), day(s))"
    want = singular if number == 1 else singular + "s"
    if unit != want:
        return f"write 'rate({number} {want})': the unit is singular exactly when the value is 1"
    if number * units[singular] < 60:
        return "AWS Backup runs a backup plan at most once an hour: use at least rate(1 hour)"
    return None


def schedule_problem(schedule: str) -> str | None:
    text = schedule.strip()
    m = _CRON.match(text)
    if m:
        return cron_problem(m.group("body"))
    m = _RATE.match(text)
    if m:
        return rate_problem(m.group("body"))
    return "is neither cron(...) nor rate(...)"


def check(stack) -> Iterator[Finding]:
    for i, snap in snapshots(stack):
        schedule = get(snap, "schedule")
        if not isinstance(schedule, str):
            continue
        problem = schedule_problem(schedule)
        if problem:
            yield Finding(("backup", "snapshots", i, "schedule"), RULE,
                          f"schedule '{schedule}': {problem}", hint=schedule_hint(schedule, problem))


def schedule_hint(schedule: str, problem: str) -> str:
    """A fix for the part that failed: the field named by the problem, with that field of the
    schedule repaired where the repair is sure (the day fields), else its allowed values."""
    text = schedule.strip()
    m = _CRON.match(text)
    if m is None:
        if _RATE.match(text):
            return f"fix the rate: {problem}; e.g. rate(12 hours)"
        return (f"'{schedule}' must be cron(minutes hours day-of-month month day-of-week year) "
                "or rate(<n> <unit>), e.g. cron(0 5 * * ? *) or rate(12 hours)")
    fields = m.group("body").split()
    if len(fields) != 6:
        shape = " ".join(name for name, *_ in FIELDS)
        return f"give 6 fields ({shape}); '{schedule}' has {len(fields)}, e.g. cron(0 5 * * ? *)"
    if problem.startswith("exactly one of day-of-month and day-of-week"):
        fixed = list(fields)
        if fields[2] == "?":          # both '?': every day of the month
            fixed[2] = "*"
        elif fields[4] in ("*", "?") or fields[2] not in ("*",):
            fixed[4] = "?"            # day-of-month chooses the days: day-of-week is '?'
        else:
            fixed[2] = "?"
        which = "day-of-week" if fixed[4] != fields[4] else "day-of-month"
        return (f"set the {which} field to '{fixed[4] if which == 'day-of-week' else fixed[2]}': "
                f"cron({' '.join(fixed)})")
    for index, (name, low, high, words) in enumerate(FIELDS):
        if problem.startswith(f"{name} field"):
            allowed = f"{low}-{high}" + (f" or {words[0]}-{words[-1]}" if words else "")
            return (f"fix the {name} field ('{fields[index]}', field {index + 1} of 6): "
                    f"{allowed}, '*', lists, ranges or '/' steps")
    return "e.g. cron(0 5 * * ? *) (daily at 05:00 UTC) or rate(12 hours)"
