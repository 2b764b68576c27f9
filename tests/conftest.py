"""Shared fixtures. Synthesis is expensive (the engine starts Node): it happens once per session.

``tf_runs``: every stack of ``stack_docs`` (the examples, the feature specs and the Terraform
variants of ``tests/data/terraform/``) through real terraform against moto, concurrently, once
(tests/tfharness.py).

``synth_specs``: every example stack of ``specs/`` synthesized once into a temporary directory.
``synth_features``: the feature specs of ``tests/data/generators/`` (every option of part 1 of the
generators, including the ones the examples do not use) synthesized once.
``synth_partitions``: the GovCloud and China specs of ``tests/data/partitions/`` synthesized once.
"""
from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
FEATURE_SPECS = Path(__file__).resolve().parent / "data" / "generators"
PARTITION_SPECS = Path(__file__).resolve().parent / "data" / "partitions"
TERRAFORM_VARIANTS = Path(__file__).resolve().parent / "data" / "terraform"
JOBS = int(os.environ.get("MPLAT_TF_JOBS", "6"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tfharness  # noqa: E402


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
def full(synth_features) -> dict:
    """The synthesized stack of tests/data/generators that uses every feature."""
    return synth_features.doc("feat-full")


@pytest.fixture(scope="session")
def synth_partitions(tmp_path_factory) -> Synthesized:
    return synthesize_dir(PARTITION_SPECS, tmp_path_factory.mktemp("synth-partitions"))


@pytest.fixture(scope="session")
def synth_tf_variants(tmp_path_factory) -> Synthesized:
    return synthesize_dir(TERRAFORM_VARIANTS, tmp_path_factory.mktemp("synth-tf-variants"))


@pytest.fixture(scope="session")
def tf_tools():
    try:
        return tfharness.find_tools()
    except tfharness.Unavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def stack_docs(synth_specs, synth_features, synth_tf_variants) -> dict[str, dict]:
    docs: dict[str, dict] = {}
    for synth in (synth_specs, synth_features, synth_tf_variants):
        for s in synth.stacks:
            assert s not in docs, f"stack {s} twice"
            docs[s] = synth.doc(s)
    return docs


@pytest.fixture(scope="session")
def tf_runs(tf_tools, stack_docs, tmp_path_factory) -> dict[str, tfharness.StackRun]:
    """Every stack through init, validate, apply, second plan and destroy plan, concurrently."""
    root = tmp_path_factory.mktemp("terraform")
    cli = tfharness.write_cli_config(root / "cli.tfrc", tf_tools.mirror)
    accounts = sorted({tfharness.account_of(d) for d in stack_docs.values()})
    servers = {a: tfharness.MotoServer(a, root / f"moto-{a}.log") for a in accounts}
    try:
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(tfharness.MotoServer.start, servers.values()))
        started = time.monotonic()
        with ThreadPoolExecutor(JOBS) as pool:
            futures = {s: pool.submit(tfharness.run_stack, s, d, root / s, tf_tools, cli,
                                      servers[tfharness.account_of(d)].endpoint)
                       for s, d in stack_docs.items()}
            runs = {s: f.result() for s, f in futures.items()}
        summary = root / "summary.txt"
        summary.write_text("".join(
            f"{r.stack}: {r.seconds:.0f} s, applied {len(r.applied)}, excluded "
            f"{len(r.excluded)}, changes {len(r.changes)}, refused {len(r.refused)}, "
            f"error {bool(r.error)}\n" for r in runs.values())
            + f"wall {time.monotonic() - started:.0f} s with {JOBS} jobs\n")
        (root / "summary.json").write_text(json.dumps({r.stack: {
            "applied": [a for a in r.applied if not a.startswith("data.")],
            "excluded": {a: g.type for a, g in r.excluded.items()},
            "changes": [c.address for c in r.changes], "refused": sorted(r.refused),
            "seconds": round(r.seconds), "error": r.error} for r in runs.values()}, indent=1))
        yield runs
    finally:
        for server in servers.values():
            server.stop()
