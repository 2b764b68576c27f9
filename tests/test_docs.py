"""docs/spec-reference.md is generated from the schema and must be kept up to date (`make docs`)."""
from __future__ import annotations

import json

from compiler import ROOT, SCHEMA_PATH, schema
from tools import gen_docs


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


def _leaf_paths(doc, node, path):
    """Documented paths of every field (as the reference writes them)."""
    node = gen_docs._Doc(doc).resolve(node)
    for key, sub in node.get("properties", {}).items():
        child = f"{path}.{key}" if path else key
        yield child
        yield from _leaf_paths(doc, sub, child)
    for alt in node.get("oneOf", []):
        yield from _leaf_paths(doc, alt, path)
    items = node.get("items")
    if isinstance(items, dict):
        yield from _leaf_paths(doc, items, f"{path}[]")
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and not node.get("properties"):
        resolved = gen_docs._Doc(doc).resolve(extra)
        if resolved.get("properties"):
            yield from _leaf_paths(doc, resolved, f"{path}.<env>")


def test_every_field_is_in_the_reference():
    doc = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    text = gen_docs.render(doc)
    paths = set(_leaf_paths(doc, doc, ""))
    assert len(paths) > 100
    for path in sorted(paths):
        if "." in path:  # sections are rows of the top-level table, fields rows of their section
            assert f"| `{path}` |" in text, path
        else:
            assert f"`{path}`" in text, path


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
