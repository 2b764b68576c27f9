"""The schema document: ``schemas/model-platform.schema.json`` loaded once, with one registry and one
resolver (python-jsonschema's ``referencing``), and the questions everyone asks of it.

Every reader of the schema goes through here: the checks (compiler/schema/checks.py), the explainer
(compiler/schema/explain.py), the defaults (compiler/defaults.py) and the docs generator
(tools/gen_docs.py). ``$ref`` has one meaning for all of them (``deref``): the target, with the
referring node's own keys on top (``description``/``default`` beside a ``$ref`` win); siblings that
constrain (none today) are kept as ``allOf`` in the validator's ``inlined`` schema.

- ``deref(node)``          the node with its ``$ref`` followed
- ``branch(alts, value)``  which ``oneOf``/``anyOf`` alternative a value means (by its keys)
- ``default(path)``        the default at a path of the spec (``items`` steps into a list)
- ``condition(node)``      the ``if`` of a node as ``(key, const)`` pairs; ``holds(node, value)``
"""
from __future__ import annotations

import functools
import json
from typing import Any, Iterable

from .. import SCHEMA_PATH

_NOT_CONSTRAINING = frozenset({"description", "default", "title", "examples", "$comment"})


@functools.lru_cache(maxsize=1)
def text() -> str:
    """The schema file as published (``mplat schema`` prints it)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def root() -> dict:
    return json.loads(text())


@functools.lru_cache(maxsize=1)
def registry():
    """The one registry: the spec's schema under its ``$id``."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    doc = root()
    return Registry().with_resource(doc["$id"], Resource.from_contents(
        doc, default_specification=DRAFT202012))


@functools.lru_cache(maxsize=1)
def resolver():
    return registry().resolver(base_uri=root()["$id"])


def lookup(ref: str) -> Any:
    """The schema node a ``$ref`` points at (through the one resolver)."""
    return resolver().lookup(ref).contents


_DEREFS: dict[int, tuple[Any, Any]] = {}


def deref(node: Any) -> Any:
    """``node`` with its ``$ref`` followed (repeatedly): the target with ``node``'s own keys on
    top. Memoized by identity (the document is loaded once and never changed)."""
    if not isinstance(node, dict) or "$ref" not in node:
        return node
    key = id(node)
    if key not in _DEREFS:
        target = deref(lookup(node["$ref"]))
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        _DEREFS[key] = (node, merged)          # keep the node alive: its id stays unique
    return _DEREFS[key][1]


def _inline(node: Any) -> Any:
    if isinstance(node, list):
        return [_inline(item) for item in node]
    if not isinstance(node, dict):
        return node
    own = {key: _inline(value) for key, value in node.items() if key != "$ref"}
    if "$ref" not in node:
        return own
    target = _inline(lookup(node["$ref"]))
    if set(own) - _NOT_CONSTRAINING:                       # both constrain: keep both
        return {**own, "allOf": [target, *own.get("allOf", [])]}
    return {**target, **own}


@functools.lru_cache(maxsize=1)
def inlined() -> dict:
    """The schema with every ``$ref`` replaced by its target (``$defs`` dropped): what the
    validators run on. Validation then never resolves a reference (~20% less work per spec), and
    an error's ``absolute_schema_path`` is a plain path into this document (``at``)."""
    return _inline({k: v for k, v in root().items() if k != "$defs"})


def at(schema_path: Iterable, doc: Any = None) -> list:
    """The nodes along an absolute schema path of ``doc`` (default: ``inlined()``), root first;
    it stops where the path leaves the document."""
    node: Any = inlined() if doc is None else doc
    nodes = [node]
    for part in schema_path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
        nodes.append(node)
    return nodes


def alternatives(node: Any) -> list:
    node = deref(node)
    return [deref(a) for a in (node.get("oneOf") or node.get("anyOf") or ())] \
        if isinstance(node, dict) else []


def type_ok(branch: Any, value: Any) -> bool:
    """Whether ``value`` has one of the JSON types ``branch`` allows (any when it names none)."""
    from jsonschema import Draft202012Validator

    types = branch.get("type") if isinstance(branch, dict) else None
    if types is None:
        return True
    checker = Draft202012Validator.TYPE_CHECKER
    return any(checker.is_type(value, t) for t in ([types] if isinstance(types, str) else types))


def branch(alts: list, value: Any) -> int | None:
    """Which alternative (index into ``alts``, each already ``deref``-ed) a value means, or None.

    By the value's type first; for a mapping, by its keys: the one form whose keys it uses; else
    the one form that holds all of them; else the one form it completes (all its keys are the
    form's and the form's required keys are there)."""
    candidates = [i for i, alt in enumerate(alts) if type_ok(alt, value)]
    if not isinstance(value, dict):
        return candidates[0] if len(candidates) == 1 else None
    keys = {i: set(alts[i].get("properties", {})) for i in candidates}
    hits = [i for i in candidates if keys[i] & set(value)]
    if len(hits) == 1:
        return hits[0]
    full = [i for i in hits if set(value) <= keys[i]]
    if len(full) == 1:
        return full[0]
    fits = [i for i in candidates if keys[i] and set(value) <= keys[i]
            and set(alts[i].get("required", ())) <= set(value)]
    return fits[0] if len(fits) == 1 else None


def property_node(node: Any, key: str) -> Any:
    node = deref(node)
    return deref(node.get("properties", {}).get(key, {})) if isinstance(node, dict) else {}


_MISSING = object()


def default(path: Iterable[str], missing: Any = _MISSING) -> Any:
    """The default at a path of the spec (``("backup", "snapshots", "items", "delete_after_days")``;
    ``items`` steps into a list's items). No default there is a KeyError unless ``missing`` is
    given: a caller asking for one relies on the schema having it."""
    node: Any = root()
    path = tuple(path)
    for key in path:
        node = deref(node)
        node = node.get("items", {}) if key == "items" else node.get("properties", {}).get(key, {})
    node = deref(node)
    if isinstance(node, dict) and "default" in node:
        return node["default"]
    if missing is not _MISSING:
        return missing
    raise KeyError(f"the schema has no default for {'.'.join(path)}")


def own_default(node: Any, missing: Any = None) -> Any:
    """The default a property node declares (beside its ``$ref`` or at the target), or ``missing``."""
    node = deref(node)
    return node["default"] if isinstance(node, dict) and "default" in node else missing


def condition(node: Any) -> list[tuple[str, Any]]:
    """The ``if`` of ``node`` as ``(key, const)`` pairs (the form every condition of the spec's
    schema takes: ``{"properties": {"backend": {"const": "s3"}}}``); [] without one."""
    node = deref(node)
    cond = node.get("if") if isinstance(node, dict) else None
    if not isinstance(cond, dict):
        return []
    return [(key, sub["const"]) for key, sub in cond.get("properties", {}).items()
            if isinstance(sub, dict) and "const" in sub]


@functools.lru_cache(maxsize=None)
def _validator(node_json: str):
    from jsonschema import Draft202012Validator
    return Draft202012Validator(json.loads(node_json), registry=registry())


def holds(node: Any, value: Any) -> bool:
    """Whether the ``if`` of ``node`` holds for ``value`` (validated with the one registry)."""
    node = deref(node)
    cond = node.get("if") if isinstance(node, dict) else None
    if not isinstance(cond, dict):
        return False
    return _validator(json.dumps(cond, sort_keys=True)).is_valid(value)


def branch_of_if(node: Any, value: Any) -> dict:
    """The ``then`` or ``else`` of ``node`` that applies to ``value`` ({} when there is none)."""
    node = deref(node)
    chosen = node.get("then") if holds(node, value) else node.get("else")
    return deref(chosen) if isinstance(chosen, dict) else {}
