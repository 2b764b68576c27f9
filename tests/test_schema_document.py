"""compiler/schema/document.py: the schema loaded once, one registry and one resolver, and the
questions the checks, the explainer, the defaults and the docs generator ask of it."""
from __future__ import annotations

import json
import re
from pathlib import Path

from compiler import SCHEMA_PATH
from compiler.schema import document

ROOT = Path(__file__).resolve().parent.parent
FILE = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))      # the file, read here on its own


def test_loaded_once():
    assert document.root() is document.root() and document.root() == FILE
    assert document.registry() is document.registry()


def test_deref_follows_the_ref_and_keeps_the_referring_nodes_own_keys():
    surge = FILE["$defs"]["kubernetes"]["properties"]["rolling_update"]["properties"]["max_surge"]
    assert "$ref" in surge and "default" in surge
    node = document.deref(document.root()["$defs"]["kubernetes"]["properties"]["rolling_update"]
                          ["properties"]["max_surge"])
    target = FILE["$defs"][surge["$ref"].rsplit("/", 1)[1]]
    assert node["default"] == surge["default"] and node["description"] == surge["description"]
    assert {k: v for k, v in node.items() if k not in surge} == \
        {k: v for k, v in target.items() if k not in surge}


def test_inlined_has_no_ref_left():
    assert "$ref" not in json.dumps(document.inlined())


def test_branch_by_keys_and_by_type():
    alts = document.alternatives(document.root()["$defs"]["kubernetes"]["properties"]
                                 ["disruption_budget"])
    assert document.branch(alts, {"min_available": 1}) == 0
    assert document.branch(alts, {"max_unavailable": "25%"}) == 1
    assert document.branch(alts, {"min_available": 1, "max_unavailable": 1}) is None
    assert document.branch(alts, "x") is None                 # no form is a string


def test_default_at_a_path():
    assert document.default(("kubernetes", "progress_deadline_seconds")) == \
        FILE["$defs"]["kubernetes"]["properties"]["progress_deadline_seconds"]["default"]
    assert document.default(("state", "backend")) == "local"
    assert document.default(("metadata", "name"), missing=None) is None


def test_condition_and_holds():
    state = document.root()["$defs"]["state"]
    assert document.condition(state) == [("backend", "s3")]
    assert document.holds(state, {"backend": "s3"}) and not document.holds(state, {"backend": "local"})
    assert document.branch_of_if(state, {"backend": "s3"}) == state["then"]


def test_one_ref_resolver():
    """Only compiler/schema/document.py follows ``$ref`` (other files may mention it in words)."""
    readers = sorted(str(p.relative_to(ROOT)) for package in ("compiler", "generators",
                                                              "operations", "review", "mplat",
                                                              "tools")
                     for p in (ROOT / package).rglob("*.py")
                     if re.search(r"""["']\$ref["']""", p.read_text()))
    assert readers == ["compiler/schema/document.py"]
