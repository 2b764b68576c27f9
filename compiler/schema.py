"""Schema stage: the JSON Schema of spec v1 -> findings in plain words, at the offending key.

``schemas/model-platform.schema.json`` is the single source of the spec's shapes (editors use it
too). jsonschema finds the errors; this module turns each into a ``Finding`` that names the field
and says what was given, what is allowed and how to fix it:

- an unknown key is reported at the key itself, with "did you mean" (difflib) when one is close;
- a missing required key is reported at its parent, naming the key;
- a wrong type, enum value, pattern or range is reported at the value (with "did you mean" for enum
  values, and a hint to quote YAML 1.1 words such as ``no`` that became booleans);
- for ``oneOf``/``anyOf`` the form the user meant is chosen by its keys (or by the value's type)
  and that form's own problem is reported, never "is not valid under any of the given schemas".

Two schema extensions, also understood by editors, carry the wording: ``patternErrorMessage`` (what
a pattern means) and ``errorMessage`` (what a ``oneOf``/``anyOf`` accepts).
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import json
from typing import Any, Iterable

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import SCHEMA_PATH
from .diagnostics import Finding, Path, Pos, path_text
from .words import did_you_mean, quote

RULE_API_VERSION = "api-version"
RULE_KIND = "kind"
RULE_UNKNOWN = "schema-unknown-key"
RULE_REQUIRED = "schema-required"
RULE_NOT_ALLOWED = "schema-not-allowed"
RULE_TYPE = "schema-type"
RULE_ENUM = "schema-enum"
RULE_PATTERN = "schema-pattern"
RULE_RANGE = "schema-range"
RULE_LENGTH = "schema-length"
RULE_DUPLICATE_ITEM = "schema-duplicate-item"
RULE_ONE_OF = "schema-one-of"
RULE_INVALID = "schema-invalid"

RULES_DOC = {
    RULE_API_VERSION: "apiVersion is not mplat/v1, the only spec version this compiler reads.",
    RULE_KIND: "kind is not ModelPlatform.",
    RULE_UNKNOWN: "A key the spec language does not have (misspelt or misplaced); suggests the closest one.",
    RULE_REQUIRED: "A required key is missing (reported at its parent).",
    RULE_NOT_ALLOWED: "A key that is only allowed with another setting (e.g. state.bucket needs backend: s3).",
    RULE_TYPE: "A value has the wrong type (e.g. a number where a string is expected; quote YAML 1.1 words such as no).",
    RULE_ENUM: "A value is not one of the allowed values; suggests the closest one.",
    RULE_PATTERN: "A string does not have the required form (names, regions, account ids, paths, ...).",
    RULE_RANGE: "A number is outside its allowed range.",
    RULE_LENGTH: "A string, list or mapping is too short or too long.",
    RULE_DUPLICATE_ITEM: "A list that must hold distinct items has one twice.",
    RULE_ONE_OF: "A value matches none of its alternative forms, or mixes keys of several.",
    RULE_INVALID: "Any other schema violation (fallback; reported with the validator's message).",
}

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


@functools.lru_cache(maxsize=1)
def schema_text() -> str:
    """The schema file as published (``mplat schema`` prints it)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(schema_text())


def _inline_refs(node: Any, defs: dict) -> Any:
    """The schema with every local ``$ref`` replaced by a copy of its target (the spec's schema has
    no recursion): validation then never resolves a reference, ~20% less work per spec."""
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline_refs(value, defs) for key, value in node.items() if key != "$ref"}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and "/" not in ref[8:]:
        target = _inline_refs(defs[ref[8:]], defs)
        siblings = {k: v for k, v in out.items() if k not in ("description", "default", "title")}
        if siblings:                                     # both constrain: keep both
            return {**out, "allOf": [target] + out.get("allOf", [])}
        return {**target, **out}
    if ref is not None:
        out["$ref"] = ref
    return out


@functools.lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    """The validator, built once per process (on the schema with its references inlined)."""
    root = schema()
    inlined = _inline_refs({k: v for k, v in root.items() if k != "$defs"}, root.get("$defs", {}))
    return Draft202012Validator(inlined)


# --- small words ------------------------------------------------------------------------------

def _describe(value: Any) -> str:
    """What a value is, for "must be X, not Y"."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {quote(value)}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string '{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()}"
    return type(value).__name__


def _types_phrase(types: Iterable[str]) -> str:
    words = []
    for t in types:
        word = _TYPE_WORDS.get(t, t)
        if word not in words:
            words.append(word)
    if len(words) <= 1:
        return words[0] if words else "something else"
    return ", ".join(words[:-1]) + " or " + words[-1]


def _and_list(items: list[str]) -> str:
    items = [f"'{i}'" for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _where(path: Path) -> str:
    return "at the top level" if not path else f"in {path_text(path)}"


# --- the checker -------------------------------------------------------------------------------

class _Explainer:
    """Turns jsonschema errors about one stack into findings."""

    def __init__(self, bool_words: dict):
        self.bool_words = bool_words
        self.root = schema()

    # schema navigation ---------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                return node
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
        return node

    def walk(self, schema_path: Iterable) -> list:
        """The schema nodes along an absolute schema path (following $ref), root first."""
        node: Any = self.root
        nodes = [node]
        for part in schema_path:
            while True:
                if isinstance(node, dict) and part in node:
                    node = node[part]
                    break
                if isinstance(node, list) and isinstance(part, int) and part < len(node):
                    node = node[part]
                    break
                if isinstance(node, dict) and "$ref" in node:
                    node = self.resolve(node)
                    continue
                return nodes
            nodes.append(node)
        return nodes

    def condition(self, err: ValidationError) -> tuple[str, str] | None:
        """For an error under then/else: the if-condition as words and as YAML."""
        parts = list(err.absolute_schema_path)
        branch = max((i for i, p in enumerate(parts) if p in ("then", "else")), default=None)
        if branch is None:
            return None
        nodes = self.walk(parts[:branch])
        container = self.resolve(nodes[-1]) if nodes else None
        cond = container.get("if") if isinstance(container, dict) else None
        if not isinstance(cond, dict):
            return None
        words, yaml_ = [], []
        for key, sub in cond.get("properties", {}).items():
            if isinstance(sub, dict) and "const" in sub:
                words.append(f"{key} is {sub['const']}")
                yaml_.append(f"{key}: {sub['const']}")
        if not words:
            return None
        return " and ".join(words), ", ".join(yaml_)

    def property_schema(self, err: ValidationError, key: str) -> dict:
        """The schema of property ``key`` of the object ``err`` is about."""
        props = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        if key not in props:
            parts = list(err.absolute_schema_path)
            branch = max((i for i, p in enumerate(parts) if p in ("then", "else")), default=None)
            if branch is not None:
                container = self.resolve(self.walk(parts[:branch])[-1])
                props = container.get("properties", {}) if isinstance(container, dict) else {}
        sub = self.resolve(props.get(key, {}))
        own = props.get(key, {})
        return {**(sub if isinstance(sub, dict) else {}), **(own if isinstance(own, dict) else {})}

    # explanation ---------------------------------------------------------------------------

    def explain(self, err: ValidationError) -> list[Finding]:
        path = tuple(err.absolute_path)
        if "propertyNames" in err.absolute_schema_path:
            return self._property_name(err, path)
        handler = getattr(self, f"_v_{err.validator}", None)
        if handler is None:
            return [Finding(path, RULE_INVALID, f"{path_text(path)}: {err.message}")]
        return handler(err, path)

    def _property_name(self, err: ValidationError, path: Path) -> list[Finding]:
        key = err.instance
        what = {"environments": "environment name", "env": "environment variable name"}.get(
            path[-1] if path else "", "key")
        msg = err.schema.get("patternErrorMessage") if isinstance(err.schema, dict) else None
        msg = msg or f"must match {err.schema.get('pattern') if isinstance(err.schema, dict) else '?'}"
        return [Finding(path + (key,), RULE_PATTERN, f"{what} '{key}' {_where(path)} {msg}",
                        at="key")]

    def _quote_hint(self, path: Path, value: Any) -> str | None:
        word = self.bool_words.get(path)
        if word is not None:
            return (f"YAML 1.1 reads an unquoted {word} as {quote(value)}; "
                    f"write \"{word}\" in quotes")
        if isinstance(value, bool):
            return f"write \"{quote(value)}\" in quotes"
        if isinstance(value, (int, float)):
            return f"write the value in quotes: \"{value}\""
        if isinstance(value, (datetime.date, datetime.datetime)):
            return f"YAML reads it as a date; write \"{value.isoformat()}\" in quotes"
        return None

    def _v_additionalProperties(self, err: ValidationError, path: Path) -> list[Finding]:
        schema_ = err.schema if isinstance(err.schema, dict) else {}
        allowed = list(schema_.get("properties", {}))
        extras = [k for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []
        top_level = list(self.root.get("properties", {}))
        out = []
        for key in extras:
            hint = did_you_mean(key, allowed)
            if hint is None and path and path[0] == "environments" and len(path) == 2 and key in top_level:
                hint = (f"'{key}' cannot be set per environment; "
                        f"an overlay may hold: {', '.join(allowed)}")
            elif hint is None:
                hint = f"allowed keys here: {', '.join(allowed)}" if allowed else "remove it"
            out.append(Finding(path + (key,), RULE_UNKNOWN, f"unknown key '{key}' {_where(path)}",
                               hint=hint, at="key"))
        return out

    def _v_required(self, err: ValidationError, path: Path) -> list[Finding]:
        inst = err.instance if isinstance(err.instance, dict) else {}
        missing = [k for k in err.validator_value if k not in inst]
        if not missing:
            return []
        owner = "the spec" if not path else path_text(path)
        noun = "key" if len(missing) == 1 else "keys"
        message = f"{owner} is missing the required {noun} {_and_list(missing)}"
        cond = self.condition(err)
        if cond:
            message += f" (required when {cond[0]})"
        first = self.property_schema(err, missing[0])
        hint = f"add '{missing[0]}': {first['description']}" if first.get("description") else None
        return [Finding(path, RULE_REQUIRED, message, hint=hint, at="key")]

    def _v_not(self, err: ValidationError, path: Path) -> list[Finding]:
        """``{"not": {}}`` marks a key that is only allowed under a condition (an ``else`` branch)."""
        cond = self.condition(err)
        field = path_text(path)
        if cond:
            return [Finding(path, RULE_NOT_ALLOWED, f"{field} is only used when {cond[0]}",
                            hint=f"remove {path[-1] if path else 'it'}, or set {cond[1]}", at="key")]
        return [Finding(path, RULE_NOT_ALLOWED, f"{field} is not allowed here",
                        hint=f"remove {path[-1] if path else 'it'}", at="key")]

    def _v_type(self, err: ValidationError, path: Path) -> list[Finding]:
        expected = err.validator_value
        expected = [expected] if isinstance(expected, str) else list(expected)
        value = err.instance
        message = f"{path_text(path)} must be {_types_phrase(expected)}, not {_describe(value)}"
        hint = None
        if "string" in expected:
            hint = self._quote_hint(path, value)
        if value is None:
            hint = hint or "give it a value, or remove the key"
        return [Finding(path, RULE_TYPE, message, hint=hint,
                        at="key" if value is None else "value")]

    def _v_const(self, err: ValidationError, path: Path) -> list[Finding]:
        const = err.validator_value
        if path == ("apiVersion",):
            return [Finding(path, RULE_API_VERSION,
                            f"unsupported apiVersion {quote(err.instance)}; this compiler reads {const}",
                            hint=f"write apiVersion: {const}")]
        if path == ("kind",):
            return [Finding(path, RULE_KIND, f"unsupported kind {quote(err.instance)}; expected {const}",
                            hint=f"write kind: {const}")]
        return self._enum(err, path, [const])

    def _v_enum(self, err: ValidationError, path: Path) -> list[Finding]:
        return self._enum(err, path, list(err.validator_value))

    def _enum(self, err: ValidationError, path: Path, allowed: list) -> list[Finding]:
        value = err.instance
        message = (f"{path_text(path)} is {quote(value)}; allowed: "
                   f"{', '.join(quote(a).strip(chr(39)) for a in allowed)}")
        hint = did_you_mean(value, allowed) if isinstance(value, str) else None
        if hint is None and path in self.bool_words:
            hint = self._quote_hint(path, value)
        return [Finding(path, RULE_ENUM, message, hint=hint)]

    def _v_pattern(self, err: ValidationError, path: Path) -> list[Finding]:
        schema_ = err.schema if isinstance(err.schema, dict) else {}
        msg = schema_.get("patternErrorMessage") or f"must match {err.validator_value}"
        return [Finding(path, RULE_PATTERN, f"{path_text(path)} is {quote(err.instance)}; it {msg}")]

    def _bounds(self, schema_: dict) -> str:
        lo = schema_.get("minimum", schema_.get("exclusiveMinimum"))
        hi = schema_.get("maximum", schema_.get("exclusiveMaximum"))
        if "exclusiveMinimum" in schema_:
            lo_txt = f"more than {lo}"
        else:
            lo_txt = f"at least {lo}"
        if lo is not None and hi is not None and "exclusiveMinimum" not in schema_ \
                and "exclusiveMaximum" not in schema_:
            return f"{lo}-{hi}"
        if lo is not None and hi is not None:
            return f"{lo_txt} and at most {hi}"
        if lo is not None:
            return lo_txt
        return f"at most {hi}"

    def _range(self, err: ValidationError, path: Path) -> list[Finding]:
        schema_ = err.schema if isinstance(err.schema, dict) else {}
        return [Finding(path, RULE_RANGE,
                        f"{path_text(path)} is {quote(err.instance)}; allowed: {self._bounds(schema_)}")]

    _v_minimum = _v_maximum = _v_exclusiveMinimum = _v_exclusiveMaximum = _range

    def _v_multipleOf(self, err: ValidationError, path: Path) -> list[Finding]:
        return [Finding(path, RULE_RANGE, f"{path_text(path)} is {quote(err.instance)}; "
                                          f"it must be a multiple of {err.validator_value}")]

    def _length(self, err: ValidationError, path: Path, unit: str, size: int) -> list[Finding]:
        schema_ = err.schema if isinstance(err.schema, dict) else {}
        keys = {"characters": ("minLength", "maxLength"), "items": ("minItems", "maxItems"),
                "keys": ("minProperties", "maxProperties")}[unit]
        lo, hi = schema_.get(keys[0]), schema_.get(keys[1])
        if lo is not None and hi is not None:
            allowed = f"{lo}-{hi} {unit}"
        elif lo is not None:
            allowed = f"at least {lo}"
        else:
            allowed = f"at most {hi}"
        if size == 0:
            message = f"{path_text(path)} is empty; it needs {allowed}"
        else:
            one = unit[:-1] if size == 1 else unit
            message = f"{path_text(path)} has {size} {one}; allowed: {allowed}"
        return [Finding(path, RULE_LENGTH, message)]

    def _v_minLength(self, err, path):
        return self._length(err, path, "characters", len(err.instance))

    _v_maxLength = _v_minLength

    def _v_minItems(self, err, path):
        return self._length(err, path, "items", len(err.instance))

    _v_maxItems = _v_minItems

    def _v_minProperties(self, err, path):
        return self._length(err, path, "keys", len(err.instance))

    _v_maxProperties = _v_minProperties

    def _v_uniqueItems(self, err: ValidationError, path: Path) -> list[Finding]:
        seen: list = []
        for i, item in enumerate(err.instance):
            if item in seen:
                return [Finding(path + (i,), RULE_DUPLICATE_ITEM,
                                f"{path_text(path)} lists {quote(item)} more than once",
                                hint="remove the repeated item")]
            seen.append(item)
        return [Finding(path, RULE_DUPLICATE_ITEM, f"{path_text(path)} has repeated items")]

    # alternatives ----------------------------------------------------------------------------

    def _type_ok(self, branch: dict, value: Any) -> bool:
        types = branch.get("type")
        if types is None:
            return True
        types = [types] if isinstance(types, str) else types
        return any(validator().is_type(value, t) for t in types)

    def _v_oneOf(self, err: ValidationError, path: Path) -> list[Finding]:
        schema_ = err.schema if isinstance(err.schema, dict) else {}
        field = path_text(path)
        accepts = schema_.get("errorMessage")
        branches = [self.resolve(b) for b in err.validator_value]
        value = err.instance
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in err.context:
            by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
        if not err.context:  # valid under more than one form
            return [Finding(path, RULE_ONE_OF, f"{field} matches more than one form"
                            + (f"; it {accepts}" if accepts else ""))]

        candidates = [i for i, b in enumerate(branches) if self._type_ok(b, value)]
        if not candidates:
            types = []
            for b in branches:
                t = b.get("type")
                types += [t] if isinstance(t, str) else list(t or [])
            message = (f"{field} {accepts}, not {_describe(value)}" if accepts
                       else f"{field} must be {_types_phrase(types)}, not {_describe(value)}")
            hint = (self._quote_hint(path, value)
                    if "string" in types and path in self.bool_words else None)
            return [Finding(path, RULE_TYPE, message, hint=hint,
                            at="key" if value is None else "value")]

        if isinstance(value, dict):
            keys = {i: set(branches[i].get("properties", {})) for i in candidates}
            hits = [i for i in candidates if keys[i] & set(value)]
            full = [i for i in hits if set(value) <= keys[i]]
            if len(hits) == 1 or len(full) == 1:
                chosen = hits[0] if len(hits) == 1 else full[0]
                return self._explain_all(by_branch.get(chosen, []))
            forms = ["{" + ", ".join(branches[i].get("properties", {})) + "}"
                     for i in candidates if keys[i]]
            if hits:
                choice = (f"either {forms[0]} or {forms[1]}, not both" if len(forms) == 2
                          else f"exactly one of {', '.join(forms)}")
                return [Finding(path, RULE_ONE_OF, f"{field} takes {choice}",
                                hint="keep the keys of one form and remove the others")]
            if not value:
                choice = (f"either {forms[0]} or {forms[1]}" if len(forms) == 2
                          else f"one of {', '.join(forms)}")
                return [Finding(path, RULE_ONE_OF, f"{field} is empty; it takes {choice}",
                                at="key")]
            allowed = sorted(set().union(*keys.values()))
            out = []
            for key in value:
                hint = did_you_mean(key, allowed) or f"allowed keys here: {', '.join(allowed)}"
                out.append(Finding(path + (key,), RULE_UNKNOWN, f"unknown key '{key}' in {field}",
                                   hint=hint, at="key"))
            return out

        if len(candidates) == 1:
            return self._explain_all(by_branch.get(candidates[0], []))
        message = (f"{field} is {quote(value)}; it {accepts}" if accepts
                   else f"{field} is {quote(value)}, which matches none of its allowed forms")
        return [Finding(path, RULE_ONE_OF, message)]

    _v_anyOf = _v_oneOf

    def _explain_all(self, errors: list[ValidationError]) -> list[Finding]:
        out: list[Finding] = []
        for sub in errors:
            out.extend(self.explain(sub))
        return out


def _sort_key(finding: Finding, pos: Pos) -> tuple:
    from_overlay = 0 if finding.path[:1] == ("environments",) else 1
    return (pos.line, pos.col, finding.rule, from_overlay, finding.message)


def _mark_overlay(finding: Finding, stack) -> tuple[Finding, Pos]:
    """Locate a finding; name the environment when its overlay supplied the offending value."""
    pos = stack.positions.locate(finding.path, finding.at)
    env = getattr(stack, "env", None)
    if env and finding.path and finding.path[0] != "environments":
        in_overlay = ("environments", env) + tuple(finding.path)
        if stack.positions.has(in_overlay) and stack.positions.locate(in_overlay, finding.at) == pos:
            finding = dataclasses.replace(finding, message=f"{finding.message} (environment '{env}')")
    return finding, pos


def _explain_all(validator_: Draft202012Validator, data: Any, bool_words: dict) -> list[Finding]:
    """Every error of ``validator_`` on ``data``, explained (one or more findings each)."""
    explainer = _Explainer(bool_words)
    findings: list[Finding] = []
    for err in validator_.iter_errors(data):
        try:
            findings.extend(explainer.explain(err))
        except Exception as exc:  # an explanation bug must never hide the problem itself
            path = tuple(err.absolute_path)
            findings.append(Finding(path, RULE_INVALID, f"{path_text(path)}: {err.message}",
                                    hint=f"(internal: {type(exc).__name__})"))
    return findings


def check(stack) -> list[Finding]:
    """Every schema violation of one stack's merged document, one finding per place and rule."""
    findings = _explain_all(validator(), stack.data, getattr(stack, "bool_words", {}) or {})
    located = [_mark_overlay(f, stack) for f in findings]
    located.sort(key=lambda fp: _sort_key(*fp))
    out, seen_paths, seen_places = [], set(), set()
    for finding, pos in located:
        by_path = (finding.path, finding.rule)
        by_place = (pos, finding.rule)
        if by_path in seen_paths or by_place in seen_places:
            continue
        seen_paths.add(by_path)
        seen_places.add(by_place)
        out.append(finding)
    return out


# --- partial documents: the base and each overlay, type-checked as written ---------------------

def _partial(node: Any) -> Any:
    """The schema of a partial document: no required keys, no conditions between fields (if/then/
    else: they hold for the merged document only), and ``anyOf`` for ``oneOf`` (a form may be
    completed by the other part)."""
    if isinstance(node, list):
        return [_partial(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("required", "if", "then", "else"):
            continue
        out["anyOf" if key == "oneOf" else key] = _partial(value)
    return out


@functools.lru_cache(maxsize=1)
def partial_validator() -> Draft202012Validator:
    root = schema()
    inlined = _inline_refs({k: v for k, v in root.items() if k != "$defs"}, root.get("$defs", {}))
    return Draft202012Validator(_partial(inlined))


def _without_nulls(value: Any) -> Any:
    """An overlay as it changes the base: ``null`` deletes, so it is not a value to check."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def _check_part(data: Any, bool_words: dict, prefix: Path, positions, env: str | None
                ) -> list[Finding]:
    findings = _explain_all(partial_validator(), data, bool_words)
    out, seen = [], set()
    for finding in findings:
        if env is not None:
            finding = dataclasses.replace(finding, message=f"{finding.message} (environment '{env}')")
        finding = dataclasses.replace(finding, path=prefix + tuple(finding.path))
        place = (positions.locate(finding.path, finding.at), finding.rule)
        if place not in seen:
            seen.add(place)
            out.append(finding)
    return out


def check_parts(doc) -> list[Finding]:
    """Type-check the base document and each environment's overlay of a spec with environments as
    written, without required keys: a wrong value is reported at its line even where every
    environment overrides it (the merged stacks never see it). Paths are paths of ``doc``."""
    data = doc.data
    envs = data.get("environments") if isinstance(data, dict) else None
    if not isinstance(envs, dict):
        return []
    base = {k: v for k, v in data.items() if k != "environments"}
    findings = _check_part(base, doc.bool_words, (), doc.positions, None)
    sections = set(schema()["$defs"]["overlay"]["properties"])
    for env, overlay in envs.items():
        if not isinstance(overlay, dict):
            continue
        part = _without_nulls({k: v for k, v in overlay.items() if k in sections})
        prefix = ("environments", env)
        words = {path[2:]: word for path, word in doc.bool_words.items() if path[:2] == prefix}
        findings.extend(_check_part(part, words, prefix, doc.positions, str(env)))
    return findings
