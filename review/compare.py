"""Compare two synthesized stacks (cdk.tf.json documents): what Terraform will create, update,
replace and delete, and which of it is DESTRUCTIVE.

Pure functions over parsed JSON: no git, no engine. ``//`` metadata (construct paths, stack
names) is ignored; a policy string that holds JSON is compared as JSON, so a one-statement change
is shown as that statement, not as two long strings.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from compiler.words import get

from .replacement import (CLUSTER_PROVIDER, FORCES_REPLACEMENT, REMOVAL, removal,
                          replacement_attribute, retention_decreases)

ABSENT = object()            # a value on one side only
JSON_MIN_LENGTH = 60          # strings at least this long that parse as JSON objects are diffed as JSON

CREATE, UPDATE, REPLACE, DELETE = "create", "update", "replace", "delete"
SYMBOL = {CREATE: "+", UPDATE: "~", REPLACE: "-/+", DELETE: "-"}


@dataclass
class AttrChange:
    path: str
    old: Any = ABSENT
    new: Any = ABSENT
    replaces: str | None = None          # the table entry (replacement.FORCES_REPLACEMENT)
    json_changes: list["AttrChange"] | None = None   # inside a JSON string (a policy)

    def as_dict(self) -> dict:
        out: dict[str, Any] = {"path": self.path}
        if self.old is not ABSENT:
            out["old"] = self.old
        if self.new is not ABSENT:
            out["new"] = self.new
        if self.replaces:
            out["forces_replacement"] = self.replaces
        if self.json_changes is not None:
            out.pop("old", None)
            out.pop("new", None)
            out["json_changes"] = [c.as_dict() for c in self.json_changes]
        return out


@dataclass
class ResourceChange:
    address: str
    kind: str                            # resource | data | terraform | provider | output
    action: str                          # create | update | replace | delete
    changes: list[AttrChange] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)    # why it is destructive
    notes: list[str] = field(default_factory=list)      # replaced because a resource it
                                                        # refers to is (not counted again)

    @property
    def destructive(self) -> bool:
        return bool(self.reasons)

    def as_dict(self) -> dict:
        return {"address": self.address, "kind": self.kind, "action": self.action,
                "destructive": self.destructive, "reasons": self.reasons, "notes": self.notes,
                "changes": [c.as_dict() for c in self.changes]}


@dataclass
class StackDiff:
    stack: str
    status: str                          # added | removed | changed | renamed | unchanged
    file: str | None = None
    env: str | None = None
    old_stack: str | None = None         # renamed: the name at the base
    resources: list[ResourceChange] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)    # stack-level destructive reasons

    @property
    def destructive(self) -> bool:
        return bool(self.reasons) or any(r.destructive for r in self.resources)

    def count(self, action: str) -> int:
        return sum(r.action == action for r in self.resources if r.kind == "resource")

    def all_reasons(self) -> list[str]:
        return self.reasons + [f"{r.address}: {why}" for r in self.resources for why in r.reasons]

    def as_dict(self) -> dict:
        return {"stack": self.stack, "status": self.status, "old_stack": self.old_stack,
                "file": self.file, "env": self.env, "destructive": self.destructive,
                "reasons": self.reasons,
                "counts": {a: self.count(a) for a in (CREATE, UPDATE, REPLACE, DELETE)},
                "resources": [r.as_dict() for r in self.resources]}


def strip_metadata(value: Any) -> Any:
    """The document without ``//`` keys (construct metadata: not part of what Terraform applies)."""
    if isinstance(value, dict):
        return {k: strip_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [strip_metadata(v) for v in value]
    return value


def _as_json(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= JSON_MIN_LENGTH and value[:1] in "{[":
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, (dict, list)) else None
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# list items that are mappings with one of these keys are named by it (``env[MODEL_URI]``)
ITEM_KEYS = ("name", "key", "id", "sid", "Sid")
_ITEM_NAME = re.compile(r"^[A-Za-z0-9_:/@+=-]+$")   # no '.', '[' or ']': paths stay parseable


def _keyed(items: list) -> tuple[str, dict] | None:
    """(the key field, name -> item) when every item is a mapping named by one ``ITEM_KEYS`` field
    (or every item a distinct string: named by itself), each name distinct; else None."""
    if items and all(isinstance(i, str) and _ITEM_NAME.match(i) for i in items) \
            and len(set(items)) == len(items):
        return "", {i: i for i in items}
    for field_ in ITEM_KEYS:
        names = [i.get(field_) if isinstance(i, dict) else None for i in items]
        if items and all(isinstance(n, str) and _ITEM_NAME.match(n) for n in names) \
                and len(set(names)) == len(names):
            return field_, dict(zip(names, items, strict=True))
    return None


def _diff_keyed(old: list, new: list, path: str) -> list[AttrChange] | None:
    """Lists whose items have names, compared by name: ``container[0].env[MODEL_URI].value``
    instead of ``env[0].value``; None when they have none (or not the same key field). A change of
    order only is reported on the whole list (Terraform sees it)."""
    a, b = _keyed(old), _keyed(new)
    if a is None or b is None or a[0] != b[0]:
        return None
    (_, before), (_, after) = a, b
    out: list[AttrChange] = []
    for name in list(before) + [n for n in after if n not in before]:
        item_path = f"{path}[{name}]"
        if name not in after:
            out.append(AttrChange(item_path, before[name], ABSENT))
        elif name not in before:
            out.append(AttrChange(item_path, ABSENT, after[name]))
        else:
            out.extend(diff_values(before[name], after[name], item_path))
    if not out:                      # same items, another order
        out.append(AttrChange(path, old, new))
    return out


def diff_values(old: Any, new: Any, path: str = "") -> list[AttrChange]:
    """Leaf-level changes between two JSON values: mappings key by key, lists of named items by
    name (``env[MODEL_URI]``, ``alarms[high-5xx]``), other lists of equal length item by item
    (else as a whole), JSON strings as JSON."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[AttrChange] = []
        for key in sorted(set(old) | set(new)):
            out.extend(diff_values(old.get(key, ABSENT), new.get(key, ABSENT), _join(path, key)))
        return out
    if isinstance(old, list) and isinstance(new, list):
        keyed = _diff_keyed(old, new, path)
        if keyed is not None:
            return keyed
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            out.extend(diff_values(a, b, f"{path}[{i}]"))
        return out
    old_json, new_json = _as_json(old), _as_json(new)
    if old_json is not None and new_json is not None:
        return [AttrChange(path, old, new, json_changes=diff_values(old_json, new_json))]
    return [AttrChange(path, old, new)]


def _items(doc: dict) -> dict[str, tuple[str, str, dict]]:
    """address -> (kind, type, config) for every resource, data source, output and setting."""
    items: dict[str, tuple[str, str, dict]] = {}
    for rtype, resources in (doc.get("resource") or {}).items():
        for name, config in resources.items():
            items[f"{rtype}.{name}"] = ("resource", rtype, config)
    for rtype, sources in (doc.get("data") or {}).items():
        for name, config in sources.items():
            items[f"data.{rtype}.{name}"] = ("data", rtype, config)
    for name, config in (doc.get("output") or {}).items():
        items[f"output.{name}"] = ("output", "output", config)
    for ptype, config in (doc.get("provider") or {}).items():
        items[f"provider.{ptype}"] = ("provider", ptype, config)
    if doc.get("terraform"):
        items["terraform"] = ("terraform", "terraform", doc["terraform"])
    return items


_REFERENCE = re.compile(r"\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.")


def _references(value: Any) -> set[str]:
    """Resource addresses an expression value refers to (``${type.name.attr}``)."""
    if isinstance(value, str):
        return set(_REFERENCE.findall(value))
    if isinstance(value, dict):
        return set().union(*(_references(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_references(v) for v in value)) if value else set()
    return set()


def _at(config: dict, dotted: str) -> Any:
    return get(config, *dotted.split("."), default=ABSENT)


def _fmt(value: Any) -> str:
    return "(absent)" if value is ABSENT else json.dumps(value, sort_keys=True)


def compare_docs(old_doc: dict | None, new_doc: dict | None) -> list[ResourceChange]:
    """Every change from ``old_doc`` to ``new_doc`` (either may be None: a stack that appears or
    disappears), with DESTRUCTIVE reasons, sorted by address."""
    old_items = _items(strip_metadata(old_doc or {}))
    new_items = _items(strip_metadata(new_doc or {}))
    changes: dict[str, ResourceChange] = {}
    added_types = {t for a, (k, t, _) in new_items.items() if k == "resource" and a not in old_items}

    if old_doc is None or new_doc is None:      # a whole stack: its resources tell the story
        old_items = {a: i for a, i in old_items.items() if i[0] in ("resource", "data")}
        new_items = {a: i for a, i in new_items.items() if i[0] in ("resource", "data")}
    for address in sorted(set(old_items) | set(new_items)):
        old, new = old_items.get(address), new_items.get(address)
        if old is None:
            changes[address] = ResourceChange(address, new[0], CREATE)
            continue
        kind, rtype, old_config = old
        if new is None:
            change = ResourceChange(address, kind, DELETE)
            if kind == "resource":
                row = removal(rtype, old_config)
                if row is not None:
                    change.reasons.append(f"removes a {row[0]} {rtype}: {row[1]}")
                if rtype in added_types:
                    change.reasons.append(
                        f"its address changes (a new {rtype} is added): Terraform destroys this "
                        "one and creates the other; a `moved` block keeps it")
            changes[address] = change
            continue
        attrs = diff_values(old_config, new[2])
        if not attrs:
            continue
        change = ResourceChange(address, kind, UPDATE, attrs)
        if kind == "resource":
            for attr in attrs:
                attr.replaces = replacement_attribute(rtype, attr.path)
                if attr.replaces:
                    change.action = REPLACE
                    why = f"{attr.path} forces replacement ({_fmt(attr.old)} -> {_fmt(attr.new)})"
                    if _replaced_first(new[2]) and removal(rtype, old_config) is None:
                        # a generated name, created before the old one goes (a SageMaker model
                        # or endpoint configuration on a version change): expected, not lost
                        change.notes.append(f"{why}; created before the old one is destroyed")
                    else:
                        change.reasons.append(why)
                    if attr.replaces == "metadata.namespace" and rtype in REMOVAL:
                        change.reasons.append(
                            f"the workload moves to namespace {_fmt(attr.new)}: the one in "
                            f"{_fmt(attr.old)} is destroyed while the new one starts")
            change.reasons.extend(retention_decreases(rtype, old_config, new[2]))
        elif kind == "terraform":
            for attr in attrs:
                if attr.path.startswith("backend."):
                    change.reasons.append(f"the state moves ({attr.path}: {_fmt(attr.old)} -> "
                                          f"{_fmt(attr.new)}): Terraform starts from an empty state "
                                          "and creates every resource again")
        elif kind == "provider":
            if rtype == CLUSTER_PROVIDER:
                paths = ", ".join(a.path for a in attrs)
                change.reasons.append(f"the Kubernetes cluster or context changes ({paths}): "
                                      "Terraform creates the workload on the new one and never "
                                      "deletes it from the old one, which keeps running orphaned")
            for attr in attrs:
                if re.fullmatch(r"(\[\d+\]\.)?region", attr.path):
                    change.reasons.append(f"the provider's region changes ({_fmt(attr.old)} -> "
                                          f"{_fmt(attr.new)}): every regional resource is created "
                                          "again in the new region")
        changes[address] = change

    # A replaced resource gets new identifiers, so a ForceNew attribute that refers to it is
    # replaced as well (e.g. every bucket companion of a replaced bucket): to a fixed point.
    replaced = {a for a, c in changes.items() if c.action == REPLACE}
    while True:
        more = set()
        for address, (kind, rtype, config) in new_items.items():
            if kind != "resource" or address in replaced or address not in old_items:
                continue
            for attribute in FORCES_REPLACEMENT.get(rtype, ()):
                hit = sorted(_references(_at(config, attribute)) & replaced)
                if hit:
                    change = changes.setdefault(address, ResourceChange(address, kind, UPDATE))
                    change.action = REPLACE
                    note = f"{attribute} refers to {hit[0]}, which is replaced"
                    change.notes.append(note)        # a consequence, not a cause of its own
                    more.add(address)
                    break
        if not more:
            break
        replaced |= more
    # A resource that refers (outside its ForceNew attributes) to a replaced resource with a
    # generated name is updated in place to the new one: a SageMaker endpoint switches to the new
    # endpoint configuration through its deployment guardrails (UpdateEndpoint).
    fresh = {a for a in replaced if _replaced_first(new_items[a][2]) if a in new_items}
    for address, (kind, _rtype, config) in new_items.items():
        if kind != "resource" or address in changes or address not in old_items:
            continue
        hit = sorted(_references(config) & fresh)
        if hit:
            changes[address] = ResourceChange(address, kind, UPDATE, notes=[
                f"refers to {hit[0]}, which is replaced: updated in place to the new one"])
    return [changes[a] for a in sorted(changes)]


def _replaced_first(config: dict) -> bool:
    lifecycle = config.get("lifecycle") if isinstance(config, dict) else None
    return isinstance(lifecycle, dict) and lifecycle.get("create_before_destroy") is True
