"""Diagnostics: the one thing users see, and the one place that turns a path into a position.

Stages report ``Finding``s: a path into the (merged) spec document, never a position. ``locate``
maps a path to ``file:line:col`` through a ``Positions`` table, falling back to the nearest parent
that exists. ``render_*`` format diagnostics for the three output formats of ``mplat validate``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Mapping

Path = tuple  # a tuple of str (mapping keys) and int (list indexes)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Pos:
    """A 1-based position in a source file."""

    file: str
    line: int
    col: int


@dataclass(frozen=True)
class Finding:
    """A problem found at a path of the document, before it has a position.

    ``at`` chooses which position of the path is reported: ``"value"`` (the offending value, the
    default) or ``"key"`` (the mapping key itself, e.g. for an unknown key or a duplicate).
    """

    path: Path
    rule: str
    message: str
    severity: str = ERROR
    hint: str | None = None
    at: str = "value"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding with a position: what users see."""

    file: str
    line: int
    col: int
    severity: str
    rule: str
    message: str
    hint: str | None = None
    # the stacks the problem was found in: ((stack, environment or None), ...); empty for a
    # problem of the file itself (syntax) or of the base/overlay as written
    stacks: tuple = ()

    def __post_init__(self):    # from JSON (the synth cache): lists back to hashable tuples
        if not isinstance(self.stacks, tuple) or any(not isinstance(s, tuple) for s in self.stacks):
            object.__setattr__(self, "stacks", tuple(
                (s["stack"], s["environment"]) if isinstance(s, dict) else tuple(s)
                for s in self.stacks))

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
            "stacks": [{"stack": name, "environment": env} for name, env in self.stacks],
        }

    def shown(self) -> tuple:
        """What text shows of it (the stacks are not shown)."""
        return (self.file, self.line, self.col, self.severity, self.rule, self.message, self.hint)


@dataclass
class Positions:
    """Where each node of a document came from.

    ``keys[path]`` is the position of the mapping key whose value lives at ``path``;
    ``values[path]`` is the position of the value node itself (list items only have values).
    ``root`` is the position used when nothing along a path is known (the start of the file).
    """

    root: Pos
    keys: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)

    def locate(self, path: Path, at: str = "value") -> Pos:
        """The position of ``path``, or of its nearest parent that has one."""
        path = tuple(path)
        first, second = (self.keys, self.values) if at == "key" else (self.values, self.keys)
        while True:
            pos = first.get(path) or second.get(path)
            if pos is not None:
                return pos
            if not path:
                return self.root
            path = path[:-1]
            # a parent is reported at its key: that is the line users look for
            first, second = self.keys, self.values

    def has(self, path: Path) -> bool:
        path = tuple(path)
        return path in self.values or path in self.keys


def to_diagnostic(finding: Finding, positions: Positions, stack=None) -> Diagnostic:
    """The finding at its position; ``stack`` (a ``compiler.overlay.StackInput``) names the stack
    it was found in."""
    pos = positions.locate(finding.path, finding.at)
    stacks = ((stack.name, stack.env),) if stack is not None else ()
    return Diagnostic(pos.file, pos.line, pos.col, finding.severity, finding.rule,
                      finding.message, finding.hint, stacks)


def at_file(file: str, rule: str, message: str, *, line: int = 1, col: int = 1,
            severity: str = ERROR, hint: str | None = None) -> Diagnostic:
    """A diagnostic for a problem that is not at a path (syntax errors, unreadable files)."""
    return Diagnostic(file, line, col, severity, rule, message, hint)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diagnostics)


def sort_unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in file/line/column order, each reported once: stacks of one file share lines,
    and a problem found in several stacks is one diagnostic naming them all."""
    merged: dict = {}
    for d in diagnostics:
        merged.setdefault(d.shown(), set()).update(d.stacks)
    return sorted(Diagnostic(*shown, tuple(sorted(stacks, key=lambda s: (s[0], s[1] or ""))))
                  for shown, stacks in merged.items())


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings), each diagnostic counted once."""
    errors = sum(d.severity == ERROR for d in diagnostics)
    return errors, len(diagnostics) - errors


def path_text(path: Path) -> str:
    """A path as users write it: ``backup.snapshots[0].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


# --- rendering --------------------------------------------------------------------------------

def render_text(diagnostics: Iterable[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        lines.append(f"{d.file}:{d.line}:{d.col}: {d.severity} {d.rule}: {d.message}")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return "\n".join(lines)


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    """One object per diagnostic and stack, with ``stack`` and ``environment`` (null for a problem
    of the file itself, or of an environment's overlay as written, which has ``environment``)."""
    out = []
    for d in diagnostics:
        base = {k: v for k, v in d.as_dict().items() if k != "stacks"}
        for name, env in d.stacks or ((None, None),):
            out.append({**base, "stack": name, "environment": env})
    return json.dumps(out, indent=2)


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...,col=...,title=...::msg``)."""
    lines = []
    for d in diagnostics:
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        props = ",".join([
            f"file={_gh_escape(d.file, prop=True)}",
            f"line={d.line}",
            f"col={d.col}",
            f"title={_gh_escape(d.rule, prop=True)}",
        ])
        lines.append(f"::{d.severity} {props}::{_gh_escape(message)}")
    return "\n".join(lines)


RENDERERS: Mapping[str, object] = {"text": render_text, "json": render_json, "github": render_github}
