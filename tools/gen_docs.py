"""Generate docs/spec-reference.md from schemas/model-platform.schema.json (`make docs`).

    python -m tools.gen_docs           write the reference
    python -m tools.gen_docs --check   exit 1 when the committed reference is out of date

The schema is the single source: every field's type, default, allowed values and description
come from it, so the reference cannot drift from what `mplat validate` and editors enforce.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from compiler import ROOT, SCHEMA_PATH
from compiler import schema as schema_stage
from compiler.schema import document

OUTPUT = ROOT / "docs" / "spec-reference.md"
SCHEMA_REL = SCHEMA_PATH.relative_to(ROOT).as_posix()

_TYPE_WORDS = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
               "object": "mapping", "array": "list", "null": "null"}


class _Doc:
    def __init__(self, schema: dict):
        self.root = schema

    def resolve(self, node: Any) -> dict:
        """A schema node with its $ref followed (compiler.schema.document.deref, the one resolver:
        the referring node's own keys win)."""
        return document.deref(node) if isinstance(node, dict) else {}

    # --- cells ------------------------------------------------------------------------------

    def type_of(self, node: dict) -> str:
        node = self.resolve(node)
        alts = node.get("oneOf") or node.get("anyOf")
        if alts and "type" not in node:
            words = []
            for alt in alts:
                word = self.type_of(alt)
                if word not in words:
                    words.append(word)
            return " or ".join(words)
        types = node.get("type")
        if types is None:
            return "any"
        types = [types] if isinstance(types, str) else list(types)
        words = []
        for t in types:
            if t == "array":
                items = node.get("items")
                words.append(f"list of {self.type_of(items)}" if items else "list")
            elif t == "object" and isinstance(node.get("additionalProperties"), dict) \
                    and not node.get("properties"):
                words.append(f"mapping of {self.type_of(node['additionalProperties'])}")
            else:
                words.append(_TYPE_WORDS.get(t, t))
        return " or ".join(words)

    def allowed_of(self, node: dict) -> str:
        node = self.resolve(node)
        parts: list[str] = []
        if "const" in node:
            parts.append(_code(node["const"]))
        if "enum" in node:
            parts.append(" \\| ".join(_code(v) for v in node["enum"]))
        lo, hi = node.get("minimum"), node.get("maximum")
        if lo is not None and hi is not None:
            parts.append(f"{lo}-{hi}")
        elif lo is not None:
            parts.append(f">= {lo}")
        elif hi is not None:
            parts.append(f"<= {hi}")
        if "multipleOf" in node:
            parts.append(f"multiple of {node['multipleOf']}")
        lo, hi = node.get("minLength"), node.get("maxLength")
        if lo is not None and hi is not None:
            parts.append(f"{lo}-{hi} chars")
        elif hi is not None:
            parts.append(f"at most {hi} chars")
        elif lo is not None and lo > 1:
            parts.append(f"at least {lo} chars")
        elif lo == 1:
            parts.append("not empty")
        if "pattern" in node:
            parts.append(f"`{node['pattern']}`")
        if node.get("type") == "array":
            items = self.resolve(node.get("items", {}))
            if node.get("minItems"):
                parts.append(f"at least {node['minItems']} item(s)")
            if node.get("uniqueItems"):
                parts.append("distinct items")
            inner = self.allowed_of(items) if "enum" in items or "pattern" in items else ""
            if inner:
                parts.append(f"items: {inner}")
        names = node.get("propertyNames")
        if isinstance(names, dict) and "pattern" in names:
            parts.append(f"keys `{names['pattern']}`")
        if isinstance(node.get("additionalProperties"), dict) and not node.get("properties"):
            inner = self.allowed_of(node["additionalProperties"])
            if inner:
                parts.append(f"values: {inner}")
        alts = node.get("oneOf") or node.get("anyOf")
        if alts:
            if node.get("errorMessage"):
                parts.append(node["errorMessage"].removeprefix("must be ").replace("|", "\\|"))
            else:
                parts.append(" or ".join(self.form_of(a) for a in alts))
        return "; ".join(p for p in parts if p)

    def form_of(self, node: dict) -> str:
        node = self.resolve(node)
        if node.get("type") == "object" and node.get("properties"):
            return "{" + ", ".join(node["properties"]) + "}"
        return self.allowed_of(node) or self.type_of(node)

    # --- rows -------------------------------------------------------------------------------

    def rows(self, node: dict, path: str, required: bool, out: list, form: str = "") -> None:
        """One row for ``path`` and rows for everything below it.

        ``form`` names the alternative (of a oneOf) the field belongs to: it is required there,
        not in general, so the Required column stays empty and the description says so.
        """
        node = self.resolve(node)
        default = _code(node["default"]) if "default" in node else ""
        description = node.get("description", "")
        if form:
            description = f"Form {form}: {description}"
        out.append((f"`{path}`", self.type_of(node), "yes" if required and not form else "",
                    default, self.allowed_of(node), _cell(description)))
        self.children(node, path, out)

    def children(self, node: dict, path: str, out: list, form: str = "") -> None:
        node = self.resolve(node)
        req = set(node.get("required", []))
        for key, sub in node.get("properties", {}).items():
            self.rows(sub, f"{path}.{key}" if path else key, key in req, out, form)
        alts = node.get("oneOf") or node.get("anyOf") or []
        for alt in alts:
            alt = self.resolve(alt)
            if alt.get("type") == "object" and alt.get("properties"):
                self.children(alt, path, out, self.form_of(alt))
        if node.get("type") == "array":
            items = self.resolve(node.get("items", {}))
            if items.get("properties"):
                self.children(items, f"{path}[]", out)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and not node.get("properties"):
            extra = self.resolve(extra)
            if extra.get("properties"):
                self.rows(extra, f"{path}.<{_placeholder(path)}>", False, out)


def _placeholder(path: str) -> str:
    return {"environments": "env"}.get(path.rsplit(".", 1)[-1], "name")


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return f"`{text}`".replace("|", "\\|")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: list) -> list[str]:
    lines = ["| Field | Type | Required | Default | Allowed values | Description |",
             "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render(schema: dict | None = None) -> str:
    """The whole reference as Markdown."""
    schema = schema if schema is not None else document.root()
    doc = _Doc(schema)
    rel_schema = SCHEMA_REL
    required = set(schema.get("required", []))
    props = schema["properties"]
    lines = [
        "# Spec reference: mplat/v1",
        "",
        f"<!-- Generated from {rel_schema} by `make docs` (python -m tools.gen_docs). "
        "Do not edit by hand. -->",
        "",
        schema.get("description", ""),
        "",
        "Start every spec with the schema header (editors then complete and check it) and the two "
        "identity lines:",
        "",
        "```yaml",
        f"# yaml-language-server: $schema=../{rel_schema}",
        "apiVersion: mplat/v1",
        "kind: ModelPlatform",
        "```",
        "",
        "Unknown keys are errors everywhere except in free-form maps (tags, dimensions, env, resources). "
        "Numbers and words that YAML would turn into numbers or booleans (`no`, `on`, `yes`, "
        "`123456789012`) must be quoted where a string is expected. Values marked *Allowed* are "
        "checked by the schema; the semantic rules (`mplat rules`) check the rest, such as bucket "
        "names, tags, cron expressions and cross-field limits.",
        "",
        "## Top level",
        "",
    ]
    top_rows = []
    for key, sub in props.items():
        node = doc.resolve(sub)
        has_table = bool(node.get("properties")) or key == "environments"
        name = f"[`{key}`](#{key})" if has_table else f"`{key}`"
        default = _code(node["default"]) if "default" in node else ""
        top_rows.append((name, doc.type_of(node), "yes" if key in required else "", default,
                         doc.allowed_of(node) if not has_table else "",
                         _cell(node.get("description", ""))))
    lines += _table(top_rows)
    for key, sub in props.items():
        node = doc.resolve(sub)
        if not (node.get("properties") or key == "environments"):
            continue
        rows: list = []
        doc.children(node, key, rows)
        status = "required" if key in required else "optional"
        lines += ["", f"## {key}", "", f"*{status}* — {node.get('description', '')}", ""]
        if key == "environments":
            lines += [
                "Without `environments` a spec is one stack named `<name>`; with it, one stack per "
                "environment named `<name>-<env>`. An overlay is deep-merged onto the base: mappings "
                "merge key by key, lists and scalars replace, `null` deletes. The merged result is "
                "validated in full, and a problem is reported at the line that supplied the value.",
                "",
            ]
        lines += _table(rows)
    lines += ["", "## Schema diagnostics", "",
              "Rule ids reported by the schema stage of `mplat validate` (all rules: `mplat rules`).",
              "", "| Rule | Meaning |", "|---|---|"]
    lines += [f"| `{rule}` | {_cell(text)} |" for rule, text in schema_stage.RULES_DOC.items()]
    from compiler import registry

    lines += ["", "## All rule ids", "",
              "Every diagnostic names one of these stable ids (`mplat rules` prints the same list, "
              "from one registry: compiler/registry.py). Input and file problems come first, then "
              "the semantic and cross-spec rules, each a module of `compiler/rules/` that declares "
              "its id, doc and source as data, then the suppression checks.",
              "", "A warning can be suppressed where it is reported, in yamllint's style: "
              "`# mplat: disable=RULE-ID` at the end of the line, or `# mplat: disable-file=RULE-ID` "
              "anywhere in the file (several ids separated by commas). Errors cannot be suppressed, "
              "and a suppression that matches nothing is reported (`suppression-unused`).",
              "", "| Rule | Stage | Meaning | Source |", "|---|---|---|---|"]
    stages = ("files", "load", "schema", "rules", "suppress")
    infos = sorted(registry.rules().values(), key=lambda i: (stages.index(i.stage), i.id))
    lines += [f"| `{i.id}` | {i.stage} | {_cell(i.doc)} | "
              f"{f'[docs]({i.source})' if i.source else ''} |" for i in infos]
    return "\n".join(lines) + "\n"


def _shown(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.gen_docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the reference is out of date")
    args = parser.parse_args(argv)
    text = render()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
    if args.check:
        if current != text:
            print(f"{_shown(OUTPUT)} is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {_shown(OUTPUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
