"""Shared fixtures. Synthesis is expensive (the engine starts Node): it happens once per session.

``synth_specs``: every example stack of ``specs/`` synthesized once into a temporary directory.
``synth_features``: the feature specs of ``tests/data/generators/`` (every option of part 1 of the
generators, including the ones the examples do not use) synthesized once.
``synth_partitions``: the GovCloud and China specs of ``tests/data/partitions/`` synthesized once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
FEATURE_SPECS = Path(__file__).resolve().parent / "data" / "generators"
PARTITION_SPECS = Path(__file__).resolve().parent / "data" / "partitions"


@dataclass
class Synthesized:
    out: Path                      # the output directory (out/stacks/<stack>/cdk.tf.json)
    models: list                   # compiler.model.Platform per stack
    summaries: list[dict]          # generators.app.synthesize summaries

    @property
    def stacks(self) -> list[str]:
        return [m.stack for m in self.models]

    def text(self, stack: str) -> str:
        return (self.out / "stacks" / stack / "cdk.tf.json").read_text()

    def doc(self, stack: str) -> dict:
        return json.loads(self.text(stack))

    def model(self, stack: str):
        return next(m for m in self.models if m.stack == stack)


def synthesize_dir(spec_dir: Path, out: Path) -> Synthesized:
    from compiler import pipeline
    from compiler.diagnostics import render_text

    result = pipeline.run([str(spec_dir)], build_models=True)
    assert result.ok, render_text(result.diagnostics)
    from generators.app import synthesize

    summaries = synthesize(result.models, out)
    return Synthesized(out=out, models=list(result.models), summaries=summaries)


@pytest.fixture(scope="session")
def synth_specs(tmp_path_factory) -> Synthesized:
    return synthesize_dir(SPECS, tmp_path_factory.mktemp("synth-specs"))


@pytest.fixture(scope="session")
def synth_features(tmp_path_factory) -> Synthesized:
    return synthesize_dir(FEATURE_SPECS, tmp_path_factory.mktemp("synth-features"))


@pytest.fixture(scope="session")
def synth_partitions(tmp_path_factory) -> Synthesized:
    return synthesize_dir(PARTITION_SPECS, tmp_path_factory.mktemp("synth-partitions"))
