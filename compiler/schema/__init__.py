"""The schema stage, split along its jobs:

- ``document``  the schema loaded once, one ``referencing`` registry and resolver, and the questions
                asked of it (deref, which oneOf branch, the default at a path, a branch's condition);
- ``explain``   jsonschema errors -> findings in plain words (the rule ids of the stage);
- ``checks``    the validators, run on merged stacks and on the parts of a spec as written.

``from compiler import schema`` keeps the stage's interface: ``check``, ``check_parts``,
``validator``, ``partial_validator``, ``RULES_DOC``, ``RULE_INVALID``, ``schema()`` and
``schema_text()``. They load on first use, so ``compiler.schema.document`` (read by
compiler.defaults) never imports jsonschema itself.
"""
from __future__ import annotations

import importlib

_EXPORTS = {"check": ("checks", "check"), "check_parts": ("checks", "check_parts"),
            "validator": ("checks", "validator"), "partial_validator": ("checks", "partial_validator"),
            "RULES_DOC": ("explain", "RULES_DOC"), "RULE_INVALID": ("explain", "RULE_INVALID"),
            "schema": ("document", "root"), "schema_text": ("document", "text")}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = _EXPORTS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), attr)


def __dir__():
    return sorted([*globals(), *_EXPORTS])
