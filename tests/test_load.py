"""Loader: positions for every key and value, and diagnostics for unusable YAML."""
import textwrap

import pytest

from compiler.diagnostics import render_text
from compiler.load import load_file, load_text


def _load(text):
    return load_text(textwrap.dedent(text).lstrip("\n"), "spec.yaml")


def test_positions_of_keys_and_values_are_one_based():
    doc, diags = _load("""
        a: 1
        b:
          c: [x, y]
          d:
            - e: 2
        """)
    assert diags == []
    pos = doc.positions
    assert (pos.keys[("a",)].line, pos.keys[("a",)].col) == (1, 1)
    assert (pos.values[("a",)].line, pos.values[("a",)].col) == (1, 4)
    assert (pos.keys[("b", "c")].line, pos.keys[("b", "c")].col) == (3, 3)
    assert (pos.values[("b", "c", 1)].line, pos.values[("b", "c", 1)].col) == (3, 10)
    assert (pos.keys[("b", "d", 0, "e")].line, pos.keys[("b", "d", 0, "e")].col) == (5, 7)


def test_locate_falls_back_to_the_nearest_parent_key():
    doc, _ = _load("""
        top:
          inner: {x: 1}
        """)
    pos = doc.positions.locate(("top", "inner", "missing", 3))
    assert (pos.line, pos.col) == (2, 3)
    assert doc.positions.locate(("nothing",)).line == 1


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nb:\n  c: 1\n  c: 2\n",
     "spec.yaml:4:3: error yaml-duplicate-key: duplicate key 'c' (first defined at line 3)"),
    ("a: [1, 2\nb: 3\n",
     "spec.yaml:2:2: error yaml-syntax: YAML syntax error: did not find expected ',' or ']' "
     "(while parsing a flow sequence)"),
    ("", "spec.yaml:1:1: error yaml-empty: the file is empty"),
    ("# only a comment\n", "spec.yaml:1:1: error yaml-empty: the file is empty"),
    ("- a\n- b\n", "spec.yaml:1:1: error yaml-top-level: the top level must be a mapping "
                   "of sections, not a list"),
    ("just text\n", "spec.yaml:1:1: error yaml-top-level: the top level must be a mapping "
                    "of sections, not a single value"),
    ("a: 1\n--- \nb: 2\n", "spec.yaml:2:1: error yaml-syntax: YAML syntax error: but found another "
                           "document (expected a single document in the stream)"),
    ("? [a, b]\n: 1\n", "spec.yaml:1:3: error yaml-key-type: a mapping key must be a plain string"),
    ("a: &x {b: *x}\n", "spec.yaml:1:4: error yaml-alias: an alias refers to a node that contains "
                        "it (a cycle)"),
    ("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 7)),
     "spec.yaml:1:34: error yaml-alias: the document expands to more than 50,000 values (aliases "
     "of aliases?)"),
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n",
     "spec.yaml:1:67: error yaml-depth: values nest more than 64 levels deep"),
    ("".join(" " * i + "k:\n" for i in range(100)),
     "spec.yaml:65:65: error yaml-depth: values nest more than 64 levels deep"),
])
def test_unusable_yaml_is_a_diagnostic(text, expected):
    _, diags = load_text(text, "spec.yaml")
    assert render_text(diags).splitlines()[0] == expected


def test_yaml11_boolean_words_are_remembered():
    doc, _ = _load("""
        a: no
        b: "no"
        c: true
        d: On
        """)
    assert doc.data == {"a": False, "b": "no", "c": True, "d": True}
    assert doc.bool_words == {("a",): "no", ("d",): "On"}


def test_unreadable_and_non_utf8_files(tmp_path):
    _, diags = load_file(str(tmp_path / "missing.yaml"), "missing.yaml")
    assert diags[0].rule == "file-unreadable"
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"a: caf\xe9\n")
    _, diags = load_file(str(bad), "latin1.yaml")
    assert render_text(diags).startswith("latin1.yaml:1:1: error file-unreadable: the file is not UTF-8")


def test_aliases_that_stay_small_are_ordinary_values():
    doc, diags = _load("""
        base: &base {cpu: 500m}
        a: *base
        b: [*base]
        """)
    assert diags == [] and doc.data["a"] == {"cpu": "500m"} and doc.data["b"] == [{"cpu": "500m"}]
    doc.data["a"]["cpu"] = "1"
    assert doc.data["base"]["cpu"] == "500m"        # each use is its own value
