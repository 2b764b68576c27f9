"""Overlay: one stack per (spec, environment), each value remembering the file:line that supplied it.

An environment's overlay is deep-merged onto the base document: mappings merge key by key, lists and
scalars replace, ``null`` deletes. The merged document keeps the base's ``environments`` section so
that its shape (names, allowed sections) is validated with the rest; it is ignored afterwards.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Path, Positions
from .names import join_stack
from .load import Document

ENVIRONMENTS = "environments"


@dataclass
class StackInput:
    """The merged document of one stack, with the positions of every value it holds.

    After the schema stage, ``compiler.defaults.resolve`` replaces ``data`` with the resolved
    document (every default applied) and records in ``defaulted`` the paths a default filled in
    (they have no position: diagnostics about them point at the nearest parent the spec wrote);
    ``derived`` maps a derived value's path to the spec path it was derived from (diagnostics
    about it point at that source's line).
    """

    file: str
    env: str | None
    data: Any
    positions: Positions
    bool_words: dict = field(default_factory=dict)
    defaulted: frozenset = frozenset()
    derived: dict = field(default_factory=dict)   # derived path -> the spec path it came from
    resolved: bool = False

    @property
    def spec_name(self) -> str | None:
        meta = self.data.get("metadata") if isinstance(self.data, dict) else None
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) else None

    @property
    def name(self) -> str:
        """The stack name: ``<name>`` or ``<name>-<env>``."""
        return join_stack(self.spec_name or "?", self.env)

    @property
    def label(self) -> str:
        return f"{self.file} [{self.env}]" if self.env else self.file


def _copy_subtree(src: dict, prefix: Path, dst: dict, new_prefix: Path) -> None:
    """Copy entries of a path-keyed table under ``prefix`` to ``new_prefix``."""
    n = len(prefix)
    for path, pos in src.items():
        if path[:n] == prefix:
            dst[new_prefix + path[n:]] = pos


def _drop_subtree(table: dict, prefix: Path) -> None:
    n = len(prefix)
    for path in [p for p in table if p[:n] == prefix]:
        del table[path]


def _merge(base: Any, overlay: Any, path: Path, ov_prefix: Path, doc: Document,
           positions: Positions, bool_words: dict) -> Any:
    """Merge ``overlay`` (found at ``ov_prefix + path`` in the file) onto ``base`` (at ``path``)."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            child = path + (key,)
            ov_child = ov_prefix + child
            if value is None:
                out.pop(key, None)
                for table in (positions.keys, positions.values, bool_words):
                    _drop_subtree(table, child)
                continue
            if key in out and isinstance(out[key], dict) and isinstance(value, dict):
                # both supply the mapping: the key keeps its base line, new keys their overlay line
                out[key] = _merge(out[key], value, child, ov_prefix, doc, positions, bool_words)
                continue
            for table in (positions.keys, positions.values, bool_words):
                _drop_subtree(table, child)
            _copy_subtree(doc.positions.keys, ov_child, positions.keys, child)
            _copy_subtree(doc.positions.values, ov_child, positions.values, child)
            _copy_subtree(doc.bool_words, ov_child, bool_words, child)
            out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(overlay)


def stacks_of(doc: Document) -> list[StackInput]:
    """The stacks a document defines: one, or one per environment (in file order)."""
    data = doc.data
    envs = data.get(ENVIRONMENTS) if isinstance(data, dict) else None
    if not isinstance(envs, dict) or not envs:
        return [StackInput(doc.file, None, data, doc.positions, dict(doc.bool_words))]
    base = {k: v for k, v in data.items() if k != ENVIRONMENTS}
    stacks = []
    for env, overlay in envs.items():
        positions = Positions(doc.positions.root, dict(doc.positions.keys),
                              dict(doc.positions.values))
        bool_words = dict(doc.bool_words)
        if isinstance(overlay, dict):
            merged = _merge(base, {k: v for k, v in overlay.items() if k != ENVIRONMENTS}, (),
                            (ENVIRONMENTS, env), doc, positions, bool_words)
        else:  # `dev:` with nothing (or a wrong type: the schema reports it) means the base as is
            merged = copy.deepcopy(base)
        merged[ENVIRONMENTS] = envs
        stacks.append(StackInput(doc.file, str(env), merged, positions, bool_words))
    return stacks
