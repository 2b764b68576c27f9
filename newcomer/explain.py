"""``mplat explain RULE-ID`` and ``mplat explain SPEC [--env E] PATH``.

A rule: its one-line doc, its module's documentation (which names the AWS or Checkov source it
follows), and a minimal bad and good example (``rule_examples.yaml``; tested to produce and to
clear the rule). A path: the resolved value of one stack at ``PATH`` and where it came from: the
file and line that wrote it (the base or an environment's overlay), the schema default, or the
value it was derived from.
"""
from __future__ import annotations

import functools
import inspect
import os
import re
import tempfile
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).with_name("rule_examples.yaml")


@functools.lru_cache(maxsize=1)
def examples() -> dict:
    import yaml
    return yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))


def merge(base: Any, overlay: Any) -> Any:
    """``overlay`` merged onto ``base`` as an environment is (compiler.overlay)."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = merge(out.get(key), value)
        return out
    return overlay


def example_spec(rule: str, which: str) -> dict | None:
    table = examples()
    found = table["examples"].get(rule)
    return None if found is None else merge(table["base"], found[which])


def rule_module(rule: str):
    """The module whose docstring documents ``rule`` (None for the schema and load ids)."""
    from compiler import rules as rules_pkg
    for module in rules_pkg.STACK_RULES + rules_pkg.CROSS_RULES:
        ids = getattr(module, "RULES", None) or {module.RULE: None}
        if rule in ids:
            return module
    return None


def validate_example(data: dict) -> list:
    """The diagnostics of one example spec (validated from a temporary file, as a user's is)."""
    import yaml

    from compiler import pipeline
    with tempfile.TemporaryDirectory(prefix="mplat-explain-") as tmp:
        path = os.path.join(tmp, "example.yaml")
        Path(path).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return pipeline.run([path]).diagnostics


def _yaml(data: Any) -> str:
    import yaml
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100).rstrip()


def explain_rule(rule: str) -> str | None:
    """The text of ``mplat explain RULE-ID``, or None for an unknown id."""
    from compiler import registry
    docs = registry.docs()
    if rule not in docs:
        return None
    lines = [f"{rule}: {docs[rule]}"]
    module = rule_module(rule)
    if module is not None:
        doc = inspect.getdoc(module) or ""
        first, _, rest = doc.partition("\n\n")
        # the docstring's first paragraph may repeat the one-line doc: shown once
        same = " ".join(first.split()).rstrip(".") == " ".join(docs[rule].split()).rstrip(".")
        body = rest.strip() if same else doc.strip()
        if body:
            lines += ["", body]
        source = registry.rules()[rule].source
        lines += ["", f"source: {source}" if source else "source: mplat's own convention",
                  f"rule module: {module.__name__.replace('.', '/')}.py"]
    found = examples()["examples"].get(rule)
    if found is None:
        lines += ["", "no example: this rule is about the file itself or needs several files "
                      "(see above)"]
    else:
        lines += ["", "bad (merged onto a minimal spec, it produces the rule):",
                  _indent(_yaml(found["bad"])),
                  "", "good (it clears the rule):", _indent(_yaml(found["good"])),
                  "", "the minimal spec both are merged onto (as an environment overlay is):",
                  _indent(_yaml(examples()["base"]))]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# --- explain SPEC PATH -------------------------------------------------------------------------

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(text: str) -> tuple:
    """``backup.snapshots[0].name`` -> ("backup", "snapshots", 0, "name")."""
    parts = []
    for key, index in _PART.findall(text):
        parts.append(int(index) if index else key)
    return tuple(parts)


class ExplainError(Exception):
    pass


def explain_path(spec: str, env: str | None, path_text_: str) -> str:
    from compiler import defaults, pipeline
    from compiler.diagnostics import path_text
    from compiler.load import load_file
    from compiler.overlay import stacks_of
    from compiler.words import get

    doc, diags = load_file(spec, spec)
    if doc is None:
        raise ExplainError("; ".join(d.message for d in diags) or f"cannot read {spec}")
    stacks = stacks_of(doc)
    envs = [s.env for s in stacks if s.env is not None]
    if envs and env is None:
        raise ExplainError(f"{spec} has environments ({', '.join(envs)}): give --env")
    if env is not None and env not in envs:
        raise ExplainError(f"{spec} has no environment '{env}'"
                           + (f" (it has: {', '.join(envs)})" if envs else " (it has none)"))
    stack = next(s for s in stacks if s.env == env)
    diags, resolved = pipeline.check_and_resolve(stack)
    path = parse_path(path_text_)
    if not resolved.resolved:
        # some sections fail their schema check: the others are resolved as the rules see them
        # (compiler.pipeline); a path in a failing section shows the value as written
        import dataclasses

        from compiler import schema
        failing = pipeline.failing_sections(schema.check(stack))
        if failing is not None and path[:1] and path[0] not in failing:
            data = {k: v for k, v in stack.data.items() if k not in failing}
            resolved = defaults.resolve(dataclasses.replace(stack, data=data))
        else:
            resolved = stack
    missing = object()
    value = get(resolved.data, *path, default=missing)
    if value is missing:
        raise ExplainError(f"{path_text(path)} is not set in stack {stack.name} (and has no "
                           "default)")
    lines = [f"{stack.name}: {path_text(path)} = {_show(value)}"]
    source = defaults.derived_source(resolved, path)
    if source is not None:
        lines.append(f"  derived from {path_text(source)} = {_show(get(resolved.data, *source))}")
        lines.append("  " + _written(doc, stack, source))
    elif defaults.is_default(resolved, path):
        lines.append("  the default (the schema's `default`; docs/spec-reference.md)")
    else:
        lines.append("  " + _written(doc, stack, path))
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        lines.append(f"  (the stack has {len(errors)} error(s): run mplat validate {spec})")
    return "\n".join(lines)


def _show(value: Any) -> str:
    import json
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _written(doc, stack, path: tuple) -> str:
    """Where ``path`` of the merged stack was written: the base, or the overlay of its env."""
    pos = stack.positions.locate(path)
    where = f"{pos.file}:{pos.line}:{pos.col}"
    if stack.env is not None:
        overlay = ("environments", stack.env) + tuple(path)
        if doc.positions.has(overlay) and doc.positions.locate(overlay) == pos:
            return f"set at {where}, in the overlay of environment '{stack.env}'"
    return f"set at {where}" + (", in the base (no overlay of "
                                f"'{stack.env}' changes it)" if stack.env else "")
