"""Shared fixtures. Synthesis is expensive (the engine starts Node): it happens once per session.

``tf_runs``: every stack of ``stack_docs`` (the examples, the feature specs and the Terraform
variants of ``tests/data/terraform/``) through real terraform against moto, concurrently, once
(tests/tfharness.py); ``tf_cdktn`` the same for cdktn's output of the examples; both come from
``tf_all``, one pool for both.

``synth_specs``: every example stack of ``specs/`` synthesized once into a temporary directory.
``synth_features``: the feature specs of ``tests/data/generators/`` (every option of part 1 of the
generators, including the ones the examples do not use) synthesized once.
``synth_partitions``: the GovCloud and China specs of ``tests/data/partitions/`` synthesized once.
``synth_review``: the base and head specs of ``tests/data/review/`` synthesized once each.
``synth_checkov_specs``: the specs of ``tests/data/checkov/`` (tests/test_checkov.py) synthesized once.
``synth_kubernetes_cases``: the cases of tests/test_kubernetes.py, one stack each, built once.
``kubernetes_stacks``: every stack above that has ``kubernetes_*`` resources, by a unique label.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
FEATURE_SPECS = Path(__file__).resolve().parent / "data" / "generators"
PARTITION_SPECS = Path(__file__).resolve().parent / "data" / "partitions"
TERRAFORM_VARIANTS = Path(__file__).resolve().parent / "data" / "terraform"
CHECKOV_SPECS = Path(__file__).resolve().parent / "data" / "checkov"
NEWCOMER_SPECS = Path(__file__).resolve().parent / "data" / "newcomer"
REVIEW_SPECS = {side: Path(__file__).resolve().parent / "data" / "review" / side / "specs"
                for side in ("base", "head")}
# terraform runs at once: all of them (20 today); each is ~0.4 GB (terraform and its provider), and
# a stack's apply spends much of its time in the provider's waiters, asleep
JOBS = int(os.environ.get("MPLAT_TF_JOBS", "24"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tfharness  # noqa: E402

# The suite's engine is cdktf, whatever the shell says (the goldens are cdktf's output); the other
# engine, cdktn, is run explicitly (``synth_cdktn``, tests/test_engines.py).
os.environ["MPLAT_ENGINE"] = "cdktf"


@dataclass
class Synthesized:
    out: Path                      # the output directory (out/stacks/<stack>/cdk.tf.json)
    models: list                   # compiler.model.Platform per stack
    summaries: list[dict]          # generators.app.synthesize summaries
    diagnostics: list = field(default_factory=list)   # the warnings validate reported

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
    return Synthesized(out=out, models=list(result.models), summaries=summaries,
                       diagnostics=list(result.diagnostics))


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


@dataclass
class EngineRun:
    """Every example and feature spec synthesized by one engine in one fresh process."""
    engine: str
    specs: Path                    # `mplat synth specs --no-cache` output directory
    features: Path                 # the same for tests/data/generators
    tricks: dict                   # generators.engine.tricks() at the end of that process
    stderr: str

    @staticmethod
    def stacks(out: Path) -> list[str]:
        return sorted(p.parent.name for p in out.glob("stacks/*/cdk.tf.json"))

    @staticmethod
    def doc(out: Path, stack: str) -> dict:
        return json.loads((out / "stacks" / stack / "cdk.tf.json").read_text())


@pytest.fixture(scope="session")
def synth_cdktn(tmp_path_factory) -> EngineRun:
    """The second engine, CDK Terrain: ``mplat synth --no-cache`` of specs/ and of the feature
    specs with ``MPLAT_ENGINE=cdktn``, both in ONE fresh process (one engine start, ~10 s), which
    then reports what each speed trick did."""
    root = tmp_path_factory.mktemp("synth-cdktn")
    code = ("import json, sys\n"
            "from mplat.cli import main\n"
            "a, b, c, d, report = sys.argv[1:]\n"
            "rc = main(['synth', a, '--no-cache', '--out', b]) or "
            "main(['synth', c, '--no-cache', '--out', d])\n"
            "from generators import engine\n"
            "open(report, 'w').write(json.dumps({'engine': engine.selected().name, "
            "'tricks': engine.tricks()}))\n"
            "sys.exit(rc)\n")
    env = {**os.environ, "MPLAT_ENGINE": "cdktn", "PYTHONPATH": str(ROOT),
           "MPLAT_CACHE_DIR": str(root / "cache")}
    import subprocess
    done = subprocess.run([sys.executable, "-c", code, str(SPECS), str(root / "specs"),
                           str(FEATURE_SPECS), str(root / "features"), str(root / "report.json")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((root / "report.json").read_text())
    assert report["engine"] == "cdktn", report
    return EngineRun("cdktn", root / "specs", root / "features", report["tricks"], done.stderr)


@pytest.fixture(scope="session")
def synth_review(tmp_path_factory) -> dict[str, Synthesized]:
    return {side: synthesize_dir(path, tmp_path_factory.mktemp(f"synth-review-{side}"))
            for side, path in REVIEW_SPECS.items()}


@pytest.fixture(scope="session")
def synth_checkov_specs(tmp_path_factory) -> Synthesized:
    """tests/data/checkov: secure defaults, opt-outs and weakened settings for the Checkov gate."""
    return synthesize_dir(CHECKOV_SPECS, tmp_path_factory.mktemp("synth-checkov"))


@pytest.fixture(scope="session")
def synth_newcomer(tmp_path_factory) -> Synthesized:
    """tests/data/newcomer/noop-base.yaml, the warning-free base of the no-op property (its
    neighbour five-mistakes.yaml is invalid on purpose and never synthesizes)."""
    return synthesize_dir(NEWCOMER_SPECS / "noop-base.yaml", tmp_path_factory.mktemp("synth-noop"))


@pytest.fixture(scope="session")
def synth_kubernetes_cases() -> dict[str, dict]:
    """case -> synthesized stack JSON of tests/test_kubernetes.CASES (one stack per case)."""
    from test_kubernetes import CASES, synthesize_cases
    return synthesize_cases(CASES)


@pytest.fixture(scope="session")
def kubernetes_stacks(synth_specs, synth_partitions, synth_review, synth_checkov_specs,
                      synth_newcomer, synth_kubernetes_cases) -> dict[str, dict]:
    """label -> stack JSON for every synthesized stack with kubernetes_* resources: the examples,
    the partition, review and Checkov test specs, and the kubernetes test cases."""
    found = {}
    sources = [("specs", synth_specs), ("partitions", synth_partitions),
               ("checkov", synth_checkov_specs), ("newcomer", synth_newcomer),
               *((f"review-{side}", synth) for side, synth in synth_review.items())]
    for source, synth in sources:
        for stack in synth.stacks:
            found[f"{source}/{stack}"] = synth.doc(stack)
    found.update({f"test_kubernetes/{case}": doc for case, doc in synth_kubernetes_cases.items()})
    return {label: doc for label, doc in found.items()
            if any(t.startswith("kubernetes_") for t in doc.get("resource", {}))}


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


CDKTN_APPLIED = "ranker"   # the cdktn example run whole; the others are planned (test_engines.py)


@pytest.fixture(scope="session")
def tf_all(request, tf_tools, stack_docs,
           tmp_path_factory) -> dict[tuple[str, str], tfharness.StackRun]:
    """Every stack of ``stack_docs`` (cdktf) through init, apply, second plan and destroy plan
    and, when a collected test asks for ``tf_cdktn``, every example of the cdktn output through
    init and plan (``CDKTN_APPLIED`` whole): all in ONE pool of ``JOBS``
    (tests/terraform/fleet.py), so one stack's waits are another's CPU time. Keys: (engine,
    stack)."""
    jobs = [tfharness.Job("cdktf", s, d) for s, d in stack_docs.items()]
    if any("tf_cdktn" in item.fixturenames for item in request.session.items):
        cdktn = request.getfixturevalue("synth_cdktn")
        jobs += [tfharness.Job("cdktn", s, EngineRun.doc(cdktn.specs, s),
                               whole=s == CDKTN_APPLIED) for s in EngineRun.stacks(cdktn.specs)]
    with tfharness.running(jobs, tmp_path_factory.mktemp("terraform"), tf_tools, JOBS) as runs:
        yield runs


@pytest.fixture(scope="session")
def tf_runs(tf_all) -> dict[str, tfharness.StackRun]:
    """The cdktf stacks of ``tf_all``, by stack. Their moto servers run until the session ends:
    ``tfharness.fork`` goes on from an applied stack (tests/test_replacement_terraform.py)."""
    return {stack: run for (engine, stack), run in tf_all.items() if engine == "cdktf"}


@pytest.fixture(scope="session")
def tf_cdktn(tf_all) -> dict[str, tfharness.StackRun]:
    """The cdktn examples of ``tf_all``, by stack."""
    return {stack: run for (engine, stack), run in tf_all.items() if engine == "cdktn"}
