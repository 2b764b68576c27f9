"""Schema stage: the JSON Schema of spec v1 -> findings, one per place and rule.

``schemas/model-platform.schema.json`` is the single source of the spec's shapes (editors use it
too; compiler/schema/document.py loads it once). jsonschema finds the errors, the explainer
(compiler/schema/explain.py) words them; this module runs the validators on a merged stack
(``check``) and on the parts of a spec with environments as written (``check_parts``), locates
the findings and drops duplicates.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any

from jsonschema import Draft202012Validator

from ..diagnostics import Finding, Path, Pos, path_text
from . import document
from .explain import RULE_INVALID, Explainer


@functools.lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    """The validator, built once per process (on the schema with its references inlined)."""
    return Draft202012Validator(document.inlined())


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
    explainer = Explainer(bool_words)
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
    return Draft202012Validator(_partial(document.inlined()))


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
    sections = set(document.root()["$defs"]["overlay"]["properties"])
    for env, overlay in envs.items():
        if not isinstance(overlay, dict):
            continue
        part = _without_nulls({k: v for k, v in overlay.items() if k in sections})
        prefix = ("environments", env)
        words = {path[2:]: word for path, word in doc.bool_words.items() if path[:2] == prefix}
        findings.extend(_check_part(part, words, prefix, doc.positions, str(env)))
    return findings
