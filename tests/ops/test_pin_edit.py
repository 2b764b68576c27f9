"""The YAML edit of a pin (operations/pin.py), unit by unit."""
from __future__ import annotations

import pytest

from operations import pin as pin_edit


# -- the YAML edit, unit by unit ------------------------------------------------------------------
@pytest.mark.parametrize("text, value, expected", [
    ("a:\n  version_id: abc  # c\n", "xyz", "a:\n  version_id: xyz  # c\n"),
    ("a:\n  version_id: 'abc'\n", "x'y", "a:\n  version_id: 'x''y'\n"),
    ('a:\n  version_id: "abc"\n', "x\"y", 'a:\n  version_id: "x\\"y"\n'),
    ("a:\n  version_id: abc\n", "null", "a:\n  version_id: 'null'\n"),
    ("a:\n  version_id: abc\n", "12345", "a:\n  version_id: '12345'\n"),
    ("a:\n  version_id: abc\n", "on", "a:\n  version_id: 'on'\n"),
    ("a:\n  version_id: abc\n", "x #y", "a:\n  version_id: 'x #y'\n"),
    ("a: {version_id: abc, k: 1}\n", "p,q", "a: {version_id: 'p,q', k: 1}\n"),
    ("a: {version_id: abc, k: 1}\n", "3sL4kq.rm_Xd", "a: {version_id: 3sL4kq.rm_Xd, k: 1}\n"),
])
def test_replace_at_writes_a_scalar_that_reads_back_exactly(text, value, expected):
    import yaml
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if "version_id" in text_line)
    col = text.splitlines()[line - 1].index("version_id: ") + len("version_id: ") + 1
    new = pin_edit.replace_at(text, line, col, value, "t.yaml")
    assert new == expected
    loaded = yaml.safe_load(new)["a"]["version_id"]
    assert loaded == value


@pytest.mark.parametrize("text, problem", [
    ("a:\n  version_id: |\n    abc\n", "block scalar"),
    ("x: &pin abc\na:\n  version_id: *pin\n", "anchor, alias or tag"),
])
def test_replace_at_refuses_edits_that_would_not_be_local(text, problem):
    from operations.errors import OpsError
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if "version_id" in text_line)
    col = text.splitlines()[line - 1].index("version_id: ") + len("version_id: ") + 1
    with pytest.raises(OpsError, match=problem):
        pin_edit.replace_at(text, line, col, "new", "t.yaml")
