"""Bad input never raises: every example spec, mutated at random (fixed seed), gives diagnostics.

Each mutation replaces one node of the document (a value, a list item or a whole section) with a
value of another kind, or deletes it; the front end must answer with diagnostics, never a traceback,
and a mutation that leaves the spec valid must still build a model.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from compiler import model, pipeline

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
REPLACEMENTS = [None, 0, -1, 10**9, 1.5, True, "", "x" * 300, "no", [], [1, "a"], {}, {"k": "v"},
                "cron(99 * * * ? *)", "arn:aws:x", "100%", "0%", "-1"]


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, path + (i,))


def _mutate(doc, rng: random.Random):
    path = rng.choice([p for p in _paths(doc) if p])
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if isinstance(parent, dict) and rng.random() < 0.2:
        del parent[path[-1]]
    else:
        parent[path[-1]] = rng.choice(REPLACEMENTS)
    return doc


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_random_mutations_give_diagnostics_not_tracebacks(spec, tmp_path):
    rng = random.Random(f"mplat-{spec.stem}")
    original = yaml.safe_load(spec.read_text())
    for i in range(60):
        doc = _mutate(yaml.safe_load(yaml.safe_dump(original)), rng)
        target = tmp_path / f"m{i}.yaml"
        target.write_text(yaml.safe_dump(doc, sort_keys=False))
        result = pipeline.run([str(target)])          # must not raise
        for d in result.diagnostics:
            assert d.file == str(target) or d.file.endswith(target.name)
            assert d.line >= 1 and d.col >= 1 and d.rule and d.message
        if result.ok:
            for stack in result.stacks:
                model.build(stack)                    # a valid spec always has a model


def test_a_forked_half_checks_files_with_the_same_result(tmp_path, monkeypatch):
    """Many files are checked in two processes; diagnostics (cross-spec ones included), stacks
    and models are those of one process, in the same order."""
    rng = random.Random("mplat-parallel")
    for spec in SPECS:
        original = yaml.safe_load(spec.read_text())
        (tmp_path / f"{spec.stem}.yaml").write_text(spec.read_text())
        for i in range(6):
            doc = _mutate(yaml.safe_load(yaml.safe_dump(original)), rng)
            (tmp_path / f"{spec.stem}-m{i}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    results = {}
    for label, minimum in (("one process", 10**9), ("two processes", 2)):
        monkeypatch.setattr(pipeline, "PARALLEL_MIN", minimum)
        result = pipeline.run([str(tmp_path)], build_models=False)
        results[label] = ([d.as_dict() for d in result.diagnostics], result.files,
                          [(s.file, s.env, s.data) for s in result.stacks])
    assert results["one process"] == results["two processes"]
    diagnostics, files, stacks = results["one process"]
    assert len(files) == 7 * len(SPECS) and diagnostics and stacks


def test_a_forked_half_builds_the_same_models(monkeypatch):
    results = {}
    for label, minimum in (("one process", 10**9), ("two processes", 2)):
        monkeypatch.setattr(pipeline, "PARALLEL_MIN", minimum)
        result = pipeline.run([str(p) for p in SPECS], build_models=True)
        assert result.ok
        results[label] = result.models
    assert results["one process"] == results["two processes"] and len(results["one process"]) >= 6


def test_a_lost_helper_process_means_this_one_checks_its_half(monkeypatch):
    import os
    parent, real = os.getpid(), pipeline.load_file

    def dies_in_the_helper(*args):
        if os.getpid() != parent:
            os._exit(9)                    # as if killed: the pool breaks
        return real(*args)

    monkeypatch.setattr(pipeline, "load_file", dies_in_the_helper)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 2)
    result = pipeline.run([str(p) for p in SPECS], build_models=True)
    assert result.ok and len(result.files) == len(SPECS) and len(result.models) >= 6
