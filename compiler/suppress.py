"""Inline suppression of warnings, in yamllint's style:

    replicas: 1   # mplat: disable=kubernetes-single-replica
    # mplat: disable-file=backup-cold-storage-s3

``disable=`` on a line suppresses those warnings on that line; ``disable-file=`` (anywhere in the
file) suppresses them in the whole file. Several ids are separated by commas. An error is never
suppressed: it must be fixed. A suppression that matched nothing (a stale comment, or one aimed
at an error) and an id mplat does not have are reported as warnings with their own rule ids, so
the comments stay true.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .diagnostics import ERROR, WARNING, Diagnostic
from .words import did_you_mean

RULE_UNUSED = "suppression-unused"
RULE_UNKNOWN = "suppression-unknown-rule"

RULES_DOC = {
    RULE_UNUSED: "A '# mplat: disable=' comment suppresses nothing (the warning is gone, or the "
                 "rule reports an error there: errors cannot be suppressed).",
    RULE_UNKNOWN: "A '# mplat: disable=' comment names a rule id mplat does not have.",
}

_DIRECTIVE = re.compile(r"#\s*mplat:\s*(disable|disable-file)\s*=\s*([A-Za-z0-9_,\s-]+)")


@dataclass(frozen=True)
class Suppression:
    line: int
    col: int
    rule: str
    whole_file: bool


def parse(text: str) -> list[Suppression]:
    """Every rule id named by a directive in ``text`` (1-based line and column of the comment)."""
    if "mplat:" not in text:
        return []
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DIRECTIVE.search(line)
        if match is None:
            continue
        for rule in match.group(2).split(","):
            if rule.strip():
                out.append(Suppression(number, match.start() + 1, rule.strip(),
                                       match.group(1) == "disable-file"))
    return out


def apply(diagnostics: list[Diagnostic], suppressions: dict[str, list[Suppression]],
          known: set[str]) -> list[Diagnostic]:
    """``diagnostics`` without the suppressed warnings, plus a warning for each suppression that
    matched nothing or names an unknown rule. ``suppressions``: displayed file -> its directives."""
    used: set[Suppression] = set()
    kept = []
    for d in diagnostics:
        match = None
        if d.severity == WARNING:
            match = next((s for s in suppressions.get(d.file, ())
                          if s.rule == d.rule and (s.whole_file or s.line == d.line)), None)
        if match is None:
            kept.append(d)
        else:
            used.add(match)
    for file, found in suppressions.items():
        for s in found:
            if s in used:
                continue
            if s.rule not in known:
                guess = did_you_mean(s.rule, known)
                kept.append(Diagnostic(file, s.line, s.col, WARNING, RULE_UNKNOWN,
                                       f"'{s.rule}' is not a rule id of mplat",
                                       hint=guess or "mplat rules lists every rule id"))
                continue
            is_error = any(d.file == file and d.rule == s.rule and d.severity == ERROR
                           and (s.whole_file or d.line == s.line) for d in diagnostics)
            where = "in this file" if s.whole_file else "on this line"
            kept.append(Diagnostic(
                file, s.line, s.col, WARNING, RULE_UNUSED,
                f"'{s.rule}' reports an error {where}; errors cannot be suppressed" if is_error
                else f"nothing to suppress: '{s.rule}' reports no warning {where}",
                hint="fix the error" if is_error else "remove the stale comment"))
    return kept
