"""Environments: deep merge onto the base, every value keeping the file:line that supplied it."""
import textwrap

from compiler.load import load_text
from compiler.overlay import stacks_of

SPEC = textwrap.dedent("""
    metadata:
      name: demo
      tags: {a: "1", b: "2"}
    kubernetes:
      replicas: 3
      env: {X: x}
      cluster: {kubeconfig: k, context: c}
    backup:
      point_in_time: {retention_days: 7}
    list: [1, 2, 3]
    environments:
      dev:
        kubernetes:
          replicas: 1
          cluster: {context: null, eks_cluster: e}
        backup: null
        list: [9]
      prod: {}
      bare:
    """).lstrip("\n")


def _stacks():
    doc, diags = load_text(SPEC, "demo.yaml")
    assert diags == []
    return {s.env: s for s in stacks_of(doc)}


def test_one_stack_per_environment_named_name_dash_env():
    stacks = _stacks()
    assert list(stacks) == ["dev", "prod", "bare"]
    assert stacks["dev"].name == "demo-dev"


def test_mappings_merge_lists_replace_null_deletes():
    dev = _stacks()["dev"].data
    assert dev["kubernetes"]["replicas"] == 1
    assert dev["kubernetes"]["env"] == {"X": "x"}
    assert dev["kubernetes"]["cluster"] == {"kubeconfig": "k", "eks_cluster": "e"}
    assert "backup" not in dev
    assert dev["list"] == [9]
    assert dev["metadata"]["tags"] == {"a": "1", "b": "2"}


def test_empty_overlay_is_the_base():
    stacks = _stacks()
    for env in ("prod", "bare"):
        data = {k: v for k, v in stacks[env].data.items() if k != "environments"}
        assert data["kubernetes"]["replicas"] == 3 and data["backup"]


def test_merged_values_point_at_the_line_that_supplied_them():
    dev = _stacks()["dev"]
    assert dev.positions.locate(("kubernetes", "replicas")).line == 14
    assert dev.positions.locate(("kubernetes", "env", "X")).line == 6
    assert dev.positions.locate(("kubernetes", "cluster", "eks_cluster")).line == 15
    assert dev.positions.locate(("list", 0)).line == 17
    # a deleted section has no position of its own any more: its path falls back to the top
    assert not dev.positions.has(("backup",))


def test_without_environments_one_stack_named_after_the_spec():
    doc, _ = load_text("metadata: {name: solo}\n", "solo.yaml")
    (stack,) = stacks_of(doc)
    assert stack.name == "solo" and stack.env is None
