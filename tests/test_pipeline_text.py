"""One pipeline: an edited spec that is not on disk yet (``mplat models rollback`` checks its edit
with it) goes through the same stages as ``mplat validate``, partial checks included; and the one
fork-or-fall-back helper (compiler/background.py)."""
from __future__ import annotations

import os
from pathlib import Path

from compiler import pipeline
from compiler.background import in_background

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "fraud-detector.yaml"


def test_run_text_is_run_for_text_not_on_disk():
    text = SPEC.read_text(encoding="utf-8")
    from_text = pipeline.run_text(text, "specs/fraud-detector.yaml", build_models=True)
    from_disk = pipeline.run([str(SPEC)], build_models=True)
    assert from_text.ok and from_text.diagnostics == from_disk.diagnostics
    assert [s.name for s in from_text.stacks] == [s.name for s in from_disk.stacks]
    assert from_text.models == from_disk.models


def test_run_text_includes_the_partial_checks():
    """A wrong base value that every environment overrides is reported at its line (the merged
    stacks never see it): the check the operations' second pipeline used to miss."""
    text = SPEC.read_text(encoding="utf-8").replace("  replicas: 3\n", "  replicas: many\n", 1)
    line = text.splitlines().index("  replicas: many") + 1
    result = pipeline.run_text(text, "fraud-detector.yaml")
    assert not result.ok
    assert [(d.line, d.rule) for d in result.diagnostics if d.severity == "error"] == \
        [(line, "schema-type")]


def _pid_and(value):
    return os.getpid(), value


def test_in_background_runs_in_a_helper_process():
    pid, value = in_background(_pid_and, 7)()
    assert value == 7
    if (os.cpu_count() or 1) >= 2:
        assert pid != os.getpid()


def _dies_in_a_helper(parent):
    if os.getpid() != parent:
        os._exit(9)                       # as if killed: the pool breaks
    return "computed here"


def test_in_background_falls_back_when_the_helper_dies():
    assert in_background(_dies_in_a_helper, os.getpid())() == "computed here"
