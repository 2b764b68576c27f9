"""What was served: the history of one stack's pin, from git.

A pin is one scalar of the spec at a fixed path (``Pin``): ``kubernetes.model.version_id`` (an S3
version id of ``kubernetes.model.key``) or ``sagemaker.model_package.version`` (a Model Registry
version, issue #18). The walk below is the same for both; only the path, the sibling that names
the key (if any) and the hint of the refusals differ.

In pin mode the spec is the record of what was served: each change of the pin was a commit of the
spec file, and the next synth and apply rolled the pods to it. So "N versions back" means the Nth
earlier value of this environment's pin, and "at TIME" means the pin of the newest commit made at
or before TIME (the commit's committer date: when the change landed), not S3's upload order, which
also holds candidates that were uploaded and never pinned (or rejected).

The history is read with ``git log`` and ``git show`` of the spec file (every call with
``--no-optional-locks``: read-only, as ``mplat diff``); each revision is parsed by the same loader
and overlay as ``validate``, and the environment's merged pin is taken. Consecutive revisions with
the same pin are one period. Renames of the file are not followed.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from compiler.gitcmd import GIT       # read-only git (compiler/gitcmd.py says why)

from .errors import OpsError

WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Pin:
    """Where a stack's pin is written: ``path`` in the merged stack data; ``key`` the sibling
    field naming what the version is a version of (None: the path alone says it); ``instead``
    the alternatives a refusal names."""
    path: tuple[str, ...]
    key: str | None
    instead: str

    def of(self, data) -> tuple[str, str | None] | None:
        """(version, key) of this pin in one stack's merged data, or None when it is not set."""
        node = data
        for part in self.path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict) or node.get(self.path[-1]) is None:
            return None
        key = node.get(self.key) if self.key else None
        return str(node[self.path[-1]]), str(key) if key is not None else None


KUBERNETES = Pin(("kubernetes", "model", "version_id"), "key",
                 "use --to VERSION, or --from-uploads to count S3 uploads")
SAGEMAKER = Pin(("sagemaker", "model_package", "version"), None,
                "use --to VERSION (mplat models history --serving sagemaker lists them)")


@dataclass(frozen=True)
class Period:
    """One value of the pin, from the commit that set it (oldest first in ``periods``)."""
    version_id: str
    key: str | None
    commit: str                  # short hash, or WORKING_TREE for an uncommitted pin
    since: datetime | None       # committer date of that commit (None: uncommitted)

    def label(self) -> str:
        if self.since is None:
            return "uncommitted"
        return f"{self.commit} {self.since.strftime('%Y-%m-%d')}"


def _git(args: list[str], cwd: Path) -> str:
    try:
        proc = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True)
    except FileNotFoundError:
        raise OpsError("git is not installed: pin-mode --steps and --at read the pin's git "
                       "history (use --to VERSION)") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise OpsError(f"git {args[0]}: {lines[-1] if lines else 'failed'}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def _pin_of(text: str, shown: str, env: str | None, pin: Pin) -> tuple[str, str | None] | None:
    """(version, key) of ``env``'s merged pin in one revision of the spec, or None."""
    from compiler.load import load_text
    from compiler.overlay import stacks_of

    doc, _ = load_text(text, shown)
    if doc is None:
        return None
    for stack in stacks_of(doc):
        if stack.env != env or not isinstance(stack.data, dict):
            continue
        value = pin.of(stack.data)
        if value is not None:
            return value
    return None


def periods(target, pin: Pin = KUBERNETES) -> list[Period]:
    """Every value this stack's pin had, oldest first, the working tree's last."""
    folder = target.real.parent
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], folder).strip())
    except OpsError:
        raise OpsError(f"{target.shown} is not in a git repository: pin-mode --steps and --at "
                       f"follow the pin's git history; {pin.instead} instead") from None
    rel = target.real.resolve().relative_to(top.resolve()).as_posix()
    log = _git(["log", "--format=%H%x09%cI", "--", rel], top)
    out: list[Period] = []
    for line in reversed(log.splitlines()):           # oldest first
        commit, _, date = line.partition("\t")
        try:
            text = _git(["show", f"{commit}:{rel}"], top)
        except OpsError:
            continue                                    # deleted in that commit
        value = _pin_of(text, target.shown, target.platform.env, pin)
        if value is None:
            continue
        if out and (out[-1].version_id, out[-1].key) == value:
            continue
        out.append(Period(value[0], value[1], commit[:12], datetime.fromisoformat(date)))
    current = pin.of(target.stack.data)              # the working tree, as validated
    if current is not None and (not out or (out[-1].version_id, out[-1].key) != current):
        out.append(Period(current[0], current[1], WORKING_TREE, None))
    return out


def previous(target, steps: int, pin: Pin = KUBERNETES) -> Period:
    """The pin ``steps`` changes before the current one (same key)."""
    current = pin.of(target.stack.data)
    key = current[1] if current is not None else None
    same = [p for p in periods(target, pin) if p.key == key]
    values: list[Period] = []
    for p in same:                                       # collapse again after the key filter
        if not values or values[-1].version_id != p.version_id:
            values.append(p)
    if len(values) <= steps:
        raise OpsError(f"the pin of {target.platform.stack} has {len(values) - 1} earlier "
                       f"value(s) in the git history of {target.shown}, not {steps}; "
                       f"{pin.instead}", code="UnknownVersion")
    return values[-1 - steps]


def at(target, moment: datetime, pin: Pin = KUBERNETES) -> Period:
    """The pin in effect at ``moment``: that of the newest commit made at or before it."""
    from .timeutil import iso
    committed = [p for p in periods(target, pin) if p.since is not None and p.since <= moment]
    if not committed:
        raise OpsError(f"the pin of {target.platform.stack} has no commit at or before "
                       f"{iso(moment)} in the git history of {target.shown}",
                       code="UnknownVersion")
    return committed[-1]
