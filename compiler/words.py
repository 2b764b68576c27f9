"""The small helpers every message uses, defined once: "did you mean" (one difflib call, one case
rule), getting a value by path, and quoting a value the way the user wrote it.

One case rule for every suggestion (enum values, environment names, rule ids, keys): a word that
differs from a choice only in case suggests that choice; otherwise difflib compares the lower-cased
words (cutoff 0.6, difflib's default) and the closest one is suggested.
"""
from __future__ import annotations

import difflib
from typing import Any, Iterable

CUTOFF = 0.6


def suggest(word: Any, choices: Iterable[Any]) -> str | None:
    """The choice closest to ``word``, or None (``word`` itself is never suggested)."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        if isinstance(choice, str):
            by_lower.setdefault(choice.lower(), choice)
    text = str(word)
    exact = by_lower.get(text.lower())
    if exact is not None:
        return exact if exact != text else None
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=1, cutoff=CUTOFF)
    return by_lower[close[0]] if close else None


def did_you_mean(word: Any, choices: Iterable[Any]) -> str | None:
    """``did you mean 'x'?`` for the closest choice, or None."""
    guess = suggest(word, choices)
    return f"did you mean '{guess}'?" if guess is not None else None


def get(data: Any, *path, default=None):
    """``data[p0][p1]...``, or ``default`` when a step is missing (a str step needs a mapping, an
    int step a list)."""
    for part in path:
        if isinstance(data, dict) and isinstance(part, str) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return default
    return data


def quote(value: Any) -> str:
    """A value as a user would write it in YAML, quoted when it is a string: ``'prod'``, ``7``,
    ``true``, ``null``, ``a mapping``."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)
