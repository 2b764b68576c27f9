"""Two engines, one output: CDK for Terraform (cdktf, the default) and CDK Terrain (cdktn).

``synth_cdktn`` (conftest.py) synthesizes every example and feature spec with cdktn once; here it is
compared with the goldens (cdktf's output) and with the session's cdktf synthesis after THE
normalisation, ``normalise`` below, which is the only difference allowed between the engines:

* documents are compared as JSON values, not as text (cdktf writes an empty object as ``{`` and
  ``}`` on two lines, cdktn as ``{}``; the values are the same);
* the engine's version in the stack metadata (``//.metadata.version``) and in ``manifest.json``;
* the provider pins (``terraform.required_providers.*.version``): each engine's bindings are
  generated for their own provider release (``generators.runtime.ENGINES``).

Nothing else. The README's "Which engine" section says the same.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from conftest import CDKTN_APPLIED, EngineRun
from generators import engine, runtime

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
CDKTN_CLI = ROOT / "node_modules" / ".bin" / "cdktn"
NORMALISED = "(normalised)"


def normalise(doc: dict) -> dict:
    """A stack document (or manifest) with the engine version and the provider pins replaced."""
    doc = copy.deepcopy(doc)
    meta = doc.get("//", {}).get("metadata")
    if meta and "version" in meta:
        meta["version"] = NORMALISED
    if "version" in doc and "stacks" in doc:          # manifest.json
        doc["version"] = NORMALISED
    for pin in doc.get("terraform", {}).get("required_providers", {}).values():
        if "version" in pin:
            pin["version"] = NORMALISED
    return doc


def _differences(a, b, path="") -> list[str]:
    if type(a) is not type(b):
        return [path or "/"]
    if isinstance(a, dict):
        return [d for k in sorted(set(a) | set(b))
                for d in (_differences(a[k], b[k], f"{path}/{k}") if k in a and k in b
                          else [f"{path}/{k}"])]
    if isinstance(a, list):
        if len(a) != len(b):
            return [path]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _differences(x, y, f"{path}/{i}")]
    return [] if a == b else [path]


# -- the normalisation is exactly what the docstring says ------------------------------------------
def test_normalisation_replaces_only_versions_and_pins():
    golden = json.loads((GOLDEN / "fraud-detector-prod.json").read_text())
    changed = _differences(golden, normalise(golden))
    assert changed and all(p == "////metadata/version" or
                           (p.startswith("/terraform/required_providers/") and
                            p.endswith("/version")) for p in changed), changed
    other = copy.deepcopy(golden)                      # anything else still counts
    other["terraform"]["backend"] = {"local": {"path": "elsewhere.tfstate"}}
    assert normalise(other) != normalise(golden)


# -- one output ------------------------------------------------------------------------------------
def test_cdktn_synthesizes_every_example_as_the_goldens(synth_cdktn):
    stacks = EngineRun.stacks(synth_cdktn.specs)
    assert stacks == sorted(p.stem for p in GOLDEN.glob("*.json"))
    for stack in stacks:
        got, want = EngineRun.doc(synth_cdktn.specs, stack), \
            json.loads((GOLDEN / f"{stack}.json").read_text())
        assert normalise(got) == normalise(want), \
            (stack, _differences(normalise(want), normalise(got))[:20])


def test_cdktn_synthesizes_every_feature_spec_as_cdktf(synth_cdktn, synth_features):
    stacks = EngineRun.stacks(synth_cdktn.features)
    assert stacks == sorted(synth_features.stacks)
    for stack in stacks:
        got, want = EngineRun.doc(synth_cdktn.features, stack), synth_features.doc(stack)
        assert normalise(got) == normalise(want), \
            (stack, _differences(normalise(want), normalise(got))[:20])
    manifests = [json.loads((out / "manifest.json").read_text())
                 for out in (synth_cdktn.features, synth_features.out)]
    assert normalise(manifests[0]) == normalise(manifests[1])


def test_the_output_metadata_names_the_engine_release(synth_cdktn, synth_specs):
    """What differs is what the normalisation replaces, with each engine's own values."""
    for run, stack_doc, name in ((synth_cdktn.specs, EngineRun.doc(synth_cdktn.specs, "ranker"),
                                  "cdktn"), (synth_specs.out, synth_specs.doc("ranker"), "cdktf")):
        spec = runtime.ENGINES[name]
        version = metadata.version(spec.core)
        assert stack_doc["//"]["metadata"]["version"] == version
        assert json.loads((run / "manifest.json").read_text())["version"] == version
        pins = stack_doc["terraform"]["required_providers"]
        assert pins["aws"]["version"] == spec.providers["aws"]["version"]


@pytest.mark.skipif(not CDKTN_CLI.exists(), reason="node_modules not installed (make setup)")
def test_npx_cdktn_synth_gives_the_same_stacks_byte_for_byte(synth_cdktn, tmp_path):
    """`cdktn synth` (it reads cdktf.json: app = main.py) with MPLAT_ENGINE=cdktn writes what
    `MPLAT_ENGINE=cdktn mplat synth` writes: every stack and manifest.json, byte for byte. The CLI
    needs Node >= 22.19 (its package.json engines): node_modules' Node first on the PATH."""
    out = tmp_path / "cdktf.out"
    env = dict(os.environ, CHECKPOINT_DISABLE="1", CI="1", FORCE_COLOR="0", MPLAT_ENGINE="cdktn",
               PATH=f"{runtime.LOCAL_NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([str(CDKTN_CLI), "synth", "--output", str(out)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    want = synth_cdktn.specs
    names = ["manifest.json", *(f"stacks/{s}/cdk.tf.json" for s in EngineRun.stacks(want))]
    assert EngineRun.stacks(out) == EngineRun.stacks(want)
    for name in names:
        assert (out / name).read_bytes() == (want / name).read_bytes(), name


# -- tricks fail loudly ----------------------------------------------------------------------------
def _expected_tricks(spec: runtime.Engine) -> set[str]:
    return {"direct-kernel", "struct-serializer", "create-request", "creation-stack",
            "optimized-bindings", "kernel-lazy-message", "tarball-digest", "code-cache",
            "lazy-typeguard", "binding-prefetch", "prompt-exit", "fast-exit",
            *(["lazy-archiver"] if spec.name == "cdktf" else []),    # cdktn does not load it
            *(f"{kind}:{package}" for kind in ("lazy-exports", "runtime-index")
              for package in (spec.aws, spec.k8s))}


def test_the_prefetched_bindings_cover_every_module_a_synth_of_the_examples_loads(synth_specs):
    """The binding-prefetch thread imports what generators.app.bindings_named() reads from the
    generators' sources (`engine.aws("x")` / `engine.k8s("x")`); a generator that names a module
    any other way (an alias, a variable) would be missed, and this fails."""
    from generators.app import bindings_named
    chosen = engine.selected()
    packages = {"aws": chosen.aws, "k8s": chosen.k8s}
    named = {f"{packages[kind]}.{name}" for kind, name in bindings_named()}
    loaded = set(engine.loaded_provider_modules())
    assert len(loaded) >= 30 and loaded <= named, sorted(loaded - named)


def test_no_speed_trick_falls_back_with_either_engine(synth_specs, synth_cdktn):
    """With each engine's pinned versions every trick takes effect: cdktf in this process (which
    synthesized the examples), cdktn in the process that did (``synth_cdktn``)."""
    if not engine.LEAN:
        pytest.skip("MPLAT_LEAN_LOADING=0: every trick is off on purpose")
    for name, tricks in (("cdktf", engine.tricks()), ("cdktn", synth_cdktn.tricks)):
        spec = runtime.ENGINES[name]
        assert set(tricks) == _expected_tricks(spec), (name, tricks)
        fell_back = {t: why for t, why in tricks.items() if why is not None}
        assert not fell_back, (name, fell_back)
    assert runtime.TRICK_WARNING not in synth_cdktn.stderr


def test_a_fallback_warns_once_per_process_naming_the_trick(monkeypatch, capsys):
    monkeypatch.setattr(engine, "_TRICKS", {})
    engine._trick("lazy-exports:some_provider", "its lib/index.js has no exports to defer")
    engine._trick("lazy-exports:some_provider", "its lib/index.js has no exports to defer")
    engine._trick("direct-kernel")
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{runtime.TRICK_WARNING} 'lazy-exports:some_provider' fell back (its "
                   "lib/index.js has no exports to defer): synthesis is slower, its output the "
                   "same"]
    assert engine.tricks() == {"lazy-exports:some_provider": "its lib/index.js has no exports "
                               "to defer", "direct-kernel": None}


def test_the_cdktn_lazy_index_pattern():
    """cdktn's bindings export each submodule as `__importStar(require("./x/index"))`."""
    source = ('"use strict";\n' + "".join(
        f'exports.m{i} = __importStar(require("./m{i}/index"));\n' for i in range(60)))
    lazy = engine._lazy_index(source)
    assert lazy is not None and "exports.m1 = " not in lazy
    assert 'get: function () { return __importStar(require("./m7/index")); }' in lazy


def test_an_unknown_engine_is_one_line(tmp_path):
    import engineprobe
    said = "MPLAT_ENGINE='pulumi' is not an engine: use one of cdktf, cdktn"
    probe = subprocess.run(
        [os.sys.executable, "-c", "from generators import engine; engine.start()"], cwd=ROOT,
        env={**os.environ, "MPLAT_ENGINE": "pulumi"}, capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and said in probe.stderr
    synth = engineprobe.cli("synth", ROOT / "specs" / "ranker-minimal.yaml", "--out",
                            tmp_path / "out", env={"MPLAT_ENGINE": "pulumi",
                                                   "MPLAT_CACHE_DIR": str(tmp_path / "cache")})
    assert synth.returncode == 1 and f"mplat: error: {said}" in synth.stderr, synth
    assert "Traceback" not in synth.stderr, synth


# -- real Terraform on the cdktn output ------------------------------------------------------------
# ``tf_cdktn`` (conftest.py): every example stack of the cdktn output through init and plan
# against moto, ``APPLIED`` through the whole run (apply, second plan, destroy plan), in the same
# pool as the cdktf stacks (``tf_all``).
APPLIED = CDKTN_APPLIED


def test_terraform_validates_and_plans_every_cdktn_example(tf_cdktn):
    assert APPLIED in tf_cdktn and len(tf_cdktn) >= 2
    for stack, run in tf_cdktn.items():
        assert run.error is None, (stack, run.error[-3000:])
        assert {"validate", "plan"} <= set(run.steps), (stack, run.steps)
        if stack != APPLIED:       # a plan against an empty account creates every resource
            created = {c.address for c in run.changes if "create" in c.actions}
            assert created == set(run.resources), stack


def test_terraform_applies_a_cdktn_example_with_no_drift(tf_cdktn):
    run = tf_cdktn[APPLIED]
    assert run.steps == ["validate", "apply", "plan", "destroy"], run.error
    assert set(run.resources) <= set(run.applied)
    assert run.changes == [], [c.address for c in run.changes]
    assert run.refused, "the stateful resources refuse destroy (prevent_destroy)"
