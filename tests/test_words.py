"""compiler/words.py: the one "did you mean" (one case rule for enums, environment names, rule ids
and keys), the one path getter, and quoting as YAML shows a value."""
from __future__ import annotations

from pathlib import Path

import pytest

from compiler.words import did_you_mean, get, quote, suggest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("word, choices, expected", [
    ("PROD", ["dev", "prod"], "prod"),                       # case alone: the choice, as written
    ("Prod", ["dev", "prod"], "prod"),
    ("prdo", ["dev", "prod"], "prod"),                       # a typo: difflib
    ("PRDO", ["dev", "prod"], "prod"),                       # a typo in another case
    ("staging", ["dev", "prod"], None),                      # nothing close
    ("prod", ["dev", "prod"], None),                         # the word itself is never suggested
    ("replicsa", ["replicas", "image", None, 3], "replicas"),   # non-strings are skipped
])
def test_suggest(word, choices, expected):
    assert suggest(word, choices) == expected


def test_did_you_mean_wording():
    assert did_you_mean("PROD", ["prod"]) == "did you mean 'prod'?"
    assert did_you_mean("xyz", ["prod"]) is None


def test_get_follows_mappings_and_list_indexes():
    data = {"a": {"b": [{"c": 1}]}}
    assert get(data, "a", "b", 0, "c") == 1
    assert get(data, "a", "b", 1, "c", default="none") == "none"
    assert get(data, "a", "b", "0") is None                   # a str step needs a mapping
    assert get(data, "a", "x") is None and get(data) is data


@pytest.mark.parametrize("value, shown", [("prod", "'prod'"), (True, "true"), (None, "null"),
                                          (7, "7"), ({}, "a mapping"), ([], "a list")])
def test_quote(value, shown):
    assert quote(value) == shown


def test_an_environment_in_the_wrong_case_gets_a_hint():
    """`--env PROD` and an enum value `PROD` get the same suggestion (one case rule)."""
    from operations.errors import OpsError
    from operations.target import resolve

    with pytest.raises(OpsError) as raised:
        resolve(str(ROOT / "specs" / "fraud-detector.yaml"), "PROD")
    assert raised.value.message.endswith("did you mean 'prod'?"), raised.value.message


def test_one_suggestion_helper():
    """difflib's matcher is called in compiler/words.py only (operations/pin.py uses its diff)."""
    users = sorted(str(p.relative_to(ROOT)) for package in ("compiler", "generators", "operations",
                                                            "review", "mplat")
                   for p in (ROOT / package).rglob("*.py") if "get_close_matches" in p.read_text())
    assert users == ["compiler/words.py"]
