"""docs/spec-reference.md is generated from the schema and must be kept up to date (`make docs`).

The reference is checked against the schema file itself: the oracle below reads the JSON file and
follows ``$ref`` with python-jsonschema's ``referencing`` directly, not with the generator's (or
compiler.schema.document's) resolver, so a resolver bug cannot hide from both the docs and the test.
"""
from __future__ import annotations

import json

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from compiler import ROOT, SCHEMA_PATH, schema
from tools import gen_docs


def _oracle(doc: dict):
    resolver = Registry().with_resource(
        doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012)
    ).resolver(base_uri=doc["$id"])

    def resolve(node):
        while isinstance(node, dict) and "$ref" in node:
            own = {k: v for k, v in node.items() if k != "$ref"}
            node = {**resolver.lookup(node["$ref"]).contents, **own}
        return node
    return resolve


def test_reference_is_up_to_date():
    committed = gen_docs.OUTPUT.read_text(encoding="utf-8") if gen_docs.OUTPUT.exists() else ""
    assert committed == gen_docs.render(), "docs/spec-reference.md is out of date: run `make docs`"
    assert gen_docs.main(["--check"]) == 0


def test_check_fails_on_a_stale_reference(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "spec-reference.md"
    stale.write_text(gen_docs.render().replace("| `metadata.name` |", "| `metadata.nom` |"))
    monkeypatch.setattr(gen_docs, "OUTPUT", stale)
    assert gen_docs.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert gen_docs.main([]) == 0
    assert stale.read_text() == gen_docs.render()


def _leaves(resolve, node, path):
    """(documented path, resolved node) of every field, as the reference writes the paths."""
    node = resolve(node)
    for key, sub in node.get("properties", {}).items():
        child = f"{path}.{key}" if path else key
        yield child, resolve(sub)
        yield from _leaves(resolve, sub, child)
    for alt in node.get("oneOf", []):
        yield from _leaves(resolve, alt, path)
    items = node.get("items")
    if isinstance(items, dict):
        yield from _leaves(resolve, items, f"{path}[]")
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and not node.get("properties"):
        resolved = resolve(extra)
        if resolved.get("properties"):
            yield from _leaves(resolve, resolved, f"{path}.<env>")


def test_every_field_and_default_is_in_the_reference():
    doc = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    text = gen_docs.OUTPUT.read_text(encoding="utf-8")        # the committed reference
    leaves = list(_leaves(_oracle(doc), doc, ""))
    assert len({path for path, _ in leaves}) > 100
    defaults = 0
    for path, node in leaves:
        if "." not in path:   # sections are rows of the top-level table, fields rows of their section
            assert f"`{path}`" in text, path
            continue
        rows = [line for line in text.splitlines() if line.startswith(f"| `{path}` |")]
        assert rows, path
        if "default" in node:
            value = node["default"]
            shown = value if isinstance(value, str) else json.dumps(value)
            cells = [row.split(" | ")[3] for row in rows]
            assert f"`{shown}`".replace("|", "\\|") in cells, (path, cells)
            defaults += 1
    assert defaults > 30


def test_reference_shows_defaults_enums_and_descriptions():
    text = gen_docs.render()
    assert ("| `kubernetes.progress_deadline_seconds` | integer |  | `600` | >= 1 | "
            "Seconds before a stalled rollout is reported failed (> min_ready_seconds). |") in text
    assert "| `state.backend` | string |  | `local` | `s3` \\| `local` |" in text
    assert "| `metadata.name` | string | yes |" in text
    for rule, line in schema.RULES_DOC.items():
        assert f"| `{rule}` | {line} |" in text


def test_reference_location():
    assert gen_docs.OUTPUT == ROOT / "docs" / "spec-reference.md"
