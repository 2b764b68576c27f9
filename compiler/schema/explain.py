"""Explaining the schema's findings: each jsonschema error becomes a ``Finding`` in plain words, at
the offending key (the wording job of the schema stage; compiler/schema/checks.py runs it).

- an unknown key is reported at the key itself, with "did you mean" (compiler.words) when one is
  close;
- a missing required key is reported at its parent, naming the key;
- a wrong type, enum value, pattern or range is reported at the value (with "did you mean" for enum
  values, and a hint to quote YAML 1.1 words such as ``no`` that became booleans);
- for ``oneOf``/``anyOf`` the form the user meant is chosen by its keys (or by the value's type:
  ``document.branch``) and that form's own problem is reported, never "is not valid under any of
  the given schemas".

Two schema extensions, also understood by editors, carry the wording: ``patternErrorMessage`` (what
a pattern means) and ``errorMessage`` (what a ``oneOf``/``anyOf`` accepts). The errors come from
validators of ``document.inlined()``, so their schema paths are plain paths into it (no ``$ref``
to follow here).
"""
from __future__ import annotations

import datetime
from typing import Any, Iterable

from jsonschema.exceptions import ValidationError

from ..diagnostics import Finding, Path, path_text
from ..words import did_you_mean, quote
from . import document

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

class Explainer:
    """Turns jsonschema errors about one stack into findings."""

    def __init__(self, bool_words: dict):
        self.bool_words = bool_words

    # schema navigation: the errors' schema paths are paths into document.inlined() ------------

    def _container(self, err: ValidationError) -> tuple[dict | None, Any]:
        """For an error under then/else: (the node holding the if, the branch the error is in)."""
        parts = list(err.absolute_schema_path)
        at = max((i for i, p in enumerate(parts) if p in ("then", "else")), default=None)
        if at is None:
            return None, None
        nodes = document.at(parts[:at + 1])
        if len(nodes) < at + 2 or not isinstance(nodes[-2], dict):
            return None, None
        return nodes[-2], nodes[-1]

    def condition(self, err: ValidationError) -> tuple[str, str] | None:
        """For an error under then/else: the if-condition as words and as YAML."""
        container, _ = self._container(err)
        pairs = document.condition(container) if container is not None else []
        if not pairs:
            return None
        return (" and ".join(f"{key} is {const}" for key, const in pairs),
                ", ".join(f"{key}: {const}" for key, const in pairs))

    def property_schema(self, err: ValidationError, key: str) -> dict:
        """The schema of property ``key`` of the object ``err`` is about."""
        props = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        if key not in props:
            container, _ = self._container(err)
            props = container.get("properties", {}) if isinstance(container, dict) else {}
        sub = props.get(key, {})
        return sub if isinstance(sub, dict) else {}

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
        top_level = list(document.root().get("properties", {}))
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

    def _v_oneOf(self, err: ValidationError, path: Path) -> list[Finding]:
        schema_ = err.schema if isinstance(err.schema, dict) else {}
        field = path_text(path)
        accepts = schema_.get("errorMessage")
        branches = list(err.validator_value)
        value = err.instance
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in err.context:
            by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
        if not err.context:  # valid under more than one form
            return [Finding(path, RULE_ONE_OF, f"{field} matches more than one form"
                            + (f"; it {accepts}" if accepts else ""))]

        candidates = [i for i, b in enumerate(branches) if document.type_ok(b, value)]
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

        chosen = document.branch(branches, value)          # the form the user meant
        if chosen is not None:
            return self._explain_all(by_branch.get(chosen, []))
        if isinstance(value, dict):
            keys = {i: set(branches[i].get("properties", {})) for i in candidates}
            hits = [i for i in candidates if keys[i] & set(value)]
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

        message = (f"{field} is {quote(value)}; it {accepts}" if accepts
                   else f"{field} is {quote(value)}, which matches none of its allowed forms")
        return [Finding(path, RULE_ONE_OF, message)]

    _v_anyOf = _v_oneOf

    def _explain_all(self, errors: list[ValidationError]) -> list[Finding]:
        out: list[Finding] = []
        for sub in errors:
            out.extend(self.explain(sub))
        return out
