"""The defaults of the spec language, applied once: one resolved document per stack.

The schema's ``default`` keywords are the one source of every plain default; this module also
computes the few *derived* defaults the schema describes in words (a value taken from another
field of the same spec). ``resolve(stack)`` runs after the schema stage has passed and returns the
stack with a defaults-applied copy of its document and the set of paths a default filled in. The
rules, ``compiler.names`` and ``compiler.model`` all read that resolved document, never the raw
one, so a rule checks exactly the value the model will emit (tests/test_defaults.py scans their
code for a second copy of a default: a ``.get(key, fallback)`` of a defaulted key).

Plain defaults are applied wherever their parent mapping is present: a top-level section the spec
leaves out stays out (sections are optional capabilities), but a sub-mapping with a ``default``
(``{}`` for e.g. ``kubernetes.rolling_update``) is filled in, and then its own fields are. A
default that the applicable ``if``/``then``/``else`` branch forbids (``{"not": {}}``, e.g.
``state.key_prefix`` with the local backend) is not applied.

Derived defaults (documented in the schema's descriptions):

* ``state.region`` (s3 backend) = ``aws.region``;
* ``kubernetes.namespace`` = ``metadata.name``; ``kubernetes.liveness_path`` = ``readiness_path``;
* ``kubernetes.resources``: for cpu and memory, a missing limit = the request (else the schema's
  default limit), a missing request = the limit the spec gives (what Kubernetes itself does, else
  the schema's default request); a limit of ``none`` is an explicit opt-out (no limit, a warning);
* ``codedeploy.deployment_config`` by platform (``DEPLOYMENT_CONFIG``);
  ``codedeploy.auto_rollback.events`` = ``[DEPLOYMENT_FAILURE]`` plus ``DEPLOYMENT_STOP_ON_ALARM``
  when there are alarms;
* ``sagemaker.model_package.group`` = ``metadata.name``;
* ``config_recorder.rules`` = the AWS Config managed rules of the rollback invariants the spec
  turns on (``default_config_rules``).
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any

from .schema import document

_MISSING = object()
Path = tuple

# codedeploy.deployment_config when the spec leaves it out (the schema's description says so):
# one host at a time for Server; a canary for ECS and Lambda, so that the alarms can stop a bad
# release while 90% of the traffic is still on the old version.
DEPLOYMENT_CONFIG = {
    "Server": "CodeDeployDefault.OneAtATime",
    "ECS": "CodeDeployDefault.ECSCanary10Percent5Minutes",
    "Lambda": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
}
# A fixed default the spec language does not expose: every bucket mplat creates aborts incomplete
# multipart uploads after a week (the model hands it to every bucket the generators build).
ABORT_MULTIPART_DAYS = 7
NO_LIMIT = "none"          # kubernetes.resources.limits.<cpu|memory>: none = explicit opt-out
DERIVED_RESOURCES = ("cpu", "memory")


def default(section: str, *keys: str) -> Any:
    """The schema's default of ``<section>.<keys...>`` ("items" steps into a list's items).

    A field with no default in the schema is a programming error (KeyError): there is no fallback.
    """
    return document.default((section, *keys))


# --- plain defaults: the schema's `default` keywords -------------------------------------------

def _copy(value: Any) -> Any:
    """A copy of a YAML/JSON document (mappings and lists copied, scalars shared): deepcopy's
    generality costs a third of resolving a stack."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _apply(node: Any, value: Any, path: Path, filled: set) -> None:
    if not isinstance(value, (dict, list)):
        return
    node = document.deref(node)
    if not isinstance(node, dict):
        return
    if isinstance(value, dict):
        props = node.get("properties", {})
        forbidden: set = set()
        if isinstance(node.get("if"), dict):
            chosen = document.branch_of_if(node, value)
            for key, sub in (chosen.get("properties") or {}).items():
                if sub == {"not": {}}:
                    forbidden.add(key)
        for key, sub in props.items():
            if key in value or key in forbidden:
                continue
            fill = document.own_default(sub, _MISSING)
            if fill is not _MISSING:
                value[key] = _copy(fill)
                filled.add(path + (key,))
        for key, sub in props.items():
            if key in value and key != "environments":
                _apply(sub, value[key], path + (key,), filled)
        alts = document.alternatives(node)
        chosen_alt = document.branch(alts, value) if alts else None
        if chosen_alt is not None:
            _apply(alts[chosen_alt], value, path, filled)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            _apply(node["items"], item, path + (i,), filled)


# --- derived defaults -------------------------------------------------------------------------

def default_config_rules(data: dict) -> list[str]:
    """The rollback invariants of what the spec asked for: versioning always, then one AWS Config
    managed rule per protection the artifacts, backup and codedeploy sections turn on."""
    ids: list[str] = []
    artifacts = data.get("artifacts")
    if isinstance(artifacts, dict):
        ids += ["S3_BUCKET_VERSIONING_ENABLED", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
                "S3_BUCKET_SSL_REQUESTS_ONLY", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"]
        if artifacts.get("object_lock"):
            ids.append("S3_BUCKET_DEFAULT_LOCK_ENABLED")
        if artifacts["access_logs"]:
            ids.append("S3_BUCKET_LOGGING_ENABLED")
        if artifacts.get("replica_region"):
            ids.append("S3_BUCKET_REPLICATION_ENABLED")
        if isinstance(data.get("backup"), dict):
            ids.append("S3_RESOURCES_PROTECTED_BY_BACKUP_PLAN")
    if isinstance(data.get("codedeploy"), dict):
        ids.append("CODEDEPLOY_AUTO_ROLLBACK_MONITOR_ENABLED")
    return ids


def _set(data: dict, path: Path, key: str, value: Any, filled: set,
         source: Path | None = None) -> None:
    """Fill ``path + (key,)``; ``source``: the path of the spec value it is derived from (none for
    a schema default), recorded in ``filled.sources`` for diagnostics."""
    data[key] = value
    filled.add(path + (key,))
    if source is not None:
        _sources(filled)[path + (key,)] = source


class _Filled(set):
    """The paths defaults filled in, with ``sources``: derived path -> the path it came from."""

    def __init__(self):
        super().__init__()
        self.sources: dict = {}


def _sources(filled: set) -> dict:
    return filled.sources if isinstance(filled, _Filled) else {}


def _resources(k8s: dict, filled: set) -> None:
    res = k8s["resources"]
    base = default("kubernetes", "resources")
    path = ("kubernetes", "resources")
    for kind in ("requests", "limits"):
        if kind not in res:
            _set(res, path, kind, {}, filled)
    requests, limits = res["requests"], res["limits"]
    for name in DERIVED_RESOURCES:
        request_given, limit_given = name in requests, name in limits
        if not limit_given:
            _set(limits, path + ("limits",), name,
                 requests[name] if request_given else base["limits"][name], filled,
                 path + ("requests", name) if request_given else None)
        if not request_given:
            from_limit = limit_given and limits[name] != NO_LIMIT
            _set(requests, path + ("requests",), name,
                 limits[name] if from_limit else base["requests"][name], filled,
                 path + ("limits", name) if from_limit else None)


# The sections each derived default reads, besides its own (see ``_derive``): when one of them
# fails its schema check, the derived section cannot be resolved either (compiler.pipeline).
DERIVED_FROM = {
    "state": frozenset({"aws"}),
    "kubernetes": frozenset({"metadata"}),
    "config_recorder": frozenset({"artifacts", "backup", "codedeploy"}),
}


def _derive(data: dict, filled: set) -> None:
    state = data.get("state")
    if isinstance(state, dict) and state["backend"] == "s3" and "region" not in state:
        _set(state, ("state",), "region", data["aws"]["region"], filled, ("aws", "region"))
    k8s = data.get("kubernetes")
    if isinstance(k8s, dict):
        if "namespace" not in k8s:
            _set(k8s, ("kubernetes",), "namespace", data["metadata"]["name"], filled,
                 ("metadata", "name"))
        if "liveness_path" not in k8s:
            _set(k8s, ("kubernetes",), "liveness_path", k8s["readiness_path"], filled,
                 ("kubernetes", "readiness_path"))
        _resources(k8s, filled)
    cd = data.get("codedeploy")
    if isinstance(cd, dict):
        if "deployment_config" not in cd:
            _set(cd, ("codedeploy",), "deployment_config", DEPLOYMENT_CONFIG[cd["platform"]],
                 filled, ("codedeploy", "platform"))
        rollback = cd["auto_rollback"]
        if "events" not in rollback:
            _set(rollback, ("codedeploy", "auto_rollback"), "events",
                 ["DEPLOYMENT_FAILURE"] + (["DEPLOYMENT_STOP_ON_ALARM"] if cd["alarms"] else []),
                 filled)
    sm = data.get("sagemaker")
    if isinstance(sm, dict) and isinstance(sm.get("model_package"), dict) \
            and "group" not in sm["model_package"]:
        _set(sm["model_package"], ("sagemaker", "model_package"), "group",
             data["metadata"]["name"], filled)
    cfg = data.get("config_recorder")
    if isinstance(cfg, dict) and "rules" not in cfg:
        _set(cfg, ("config_recorder",), "rules", default_config_rules(data), filled)


def resolve_data(data: dict, sources: dict | None = None) -> tuple[dict, frozenset]:
    """A defaults-applied copy of one stack's (schema-valid) document, and the paths filled in;
    ``sources`` (when given) receives derived path -> the spec path it was derived from."""
    resolved = _copy(data)
    filled = _Filled()
    _apply(document.root(), resolved, (), filled)
    _derive(resolved, filled)
    if sources is not None:
        sources.update(filled.sources)
    return resolved, frozenset(filled)


def resolve(stack):
    """The stack (``compiler.overlay.StackInput``) with its resolved document; idempotent."""
    if getattr(stack, "resolved", False):
        return stack
    sources: dict = {}
    data, filled = resolve_data(stack.data, sources)
    return dataclasses.replace(stack, data=data, defaulted=filled, derived=sources, resolved=True)


def derived_source(stack, path: Path) -> Path | None:
    """The spec path the value at ``path`` (or a mapping above it) was derived from, if any."""
    path = tuple(path)
    sources = getattr(stack, "derived", None) or {}
    for n in range(len(path), 0, -1):
        if path[:n] in sources:
            return sources[path[:n]]
    return None


def provenance(stack, path: Path) -> str | None:
    """How a value the spec did not write at ``path`` came to be: ``derived from
    kubernetes.resources.requests.memory, environment 'prod'``, ``the default``; None when the
    spec wrote it."""
    from .diagnostics import path_text
    source = derived_source(stack, path)
    if source is not None:
        env = getattr(stack, "env", None)
        return f"derived from {path_text(source)}" + (f", environment '{env}'" if env else "")
    return "the default" if is_default(stack, path) else None


def is_default(stack, path: Path) -> bool:
    """Whether the value at ``path`` (or a mapping above it) was filled in by a default."""
    path = tuple(path)
    defaulted = getattr(stack, "defaulted", ())
    return any(path[:n] in defaulted for n in range(1, len(path) + 1))


@functools.lru_cache(maxsize=1)
def defaulted_keys() -> frozenset:
    """Every key name that has a default (plain or derived): no rule, name or model code may
    carry a fallback of its own for them (tests/test_defaults.py)."""
    keys: set = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                if document.own_default(sub, _MISSING) is not _MISSING:
                    keys.add(key)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document.root())
    keys |= {"region", "namespace", "liveness_path", "requests", "limits", "deployment_config",
             "events", "rules", "group", *DERIVED_RESOURCES}
    return frozenset(keys)
