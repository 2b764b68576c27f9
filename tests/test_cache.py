"""The incremental synth cache: never stale, and a run with nothing changed never starts the engine."""
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import engineprobe
from compiler import pipeline
from generators import incremental, runtime

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of every shared cache input, so each kind can be changed without touching the repo."""
    for name in incremental.CODE_INPUTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, tmp_path / name)
    monkeypatch.setattr(incremental, "ROOT", tmp_path)
    monkeypatch.setenv(incremental.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def fake_engine(monkeypatch):
    """Record which stacks the cache asks the engine to build (the real engine is tested below):
    a stand-in for ``generators.app.synthesize_each``, so the real caching path runs."""
    from generators import app
    built: list[str] = []

    def synthesize_each(models, outdir, finished):
        for m in models:
            built.append(m.stack)
            data = json.dumps({"resource": {"x": {m.stack: {}}}, "n": len(built)}).encode()
            (Path(outdir) / "stacks" / m.stack).mkdir(parents=True, exist_ok=True)
            (Path(outdir) / "stacks" / m.stack / "cdk.tf.json").write_bytes(data)
            finished(m.stack, data, incremental.stable_stringify(
                {"stacks": {m.stack: {"name": m.stack}}, "version": "0.21.0"}).encode())

    monkeypatch.setattr(app, "synthesize_each", synthesize_each)
    return built


def _run(paths, out):
    result = pipeline.run([str(p) for p in paths], build_models=True)
    assert result.ok, result.diagnostics
    return incremental.synth(result.stacks, result.models, out)


def _spec(tmp_path, name="cached", replicas=1):
    text = (ROOT / "specs" / "ranker-minimal.yaml").read_text()
    text = text.replace("name: ranker", f"name: {name}").replace("retention_days: 7",
                                                                  f"retention_days: {replicas}")
    path = tmp_path / "specs" / f"{name}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_unchanged_stacks_are_not_rebuilt(project, fake_engine, tmp_path):
    a, b = _spec(tmp_path, "alpha"), _spec(tmp_path, "beta")
    _run([a, b], tmp_path / "out")
    assert fake_engine == ["alpha", "beta"]
    _run([a, b], tmp_path / "out")
    assert fake_engine == ["alpha", "beta"]          # nothing rebuilt
    _spec(tmp_path, "beta", replicas=9)
    _run([a, b], tmp_path / "out")
    assert fake_engine == ["alpha", "beta", "beta"]  # only the changed spec


@pytest.mark.parametrize("changed", [
    "schemas/model-platform.schema.json",
    "compiler/names.py",
    "generators/common.py",
    "requirements.lock",
    "package-lock.json",
])
def test_every_shared_input_invalidates_every_stack(project, fake_engine, tmp_path, changed):
    a = _spec(tmp_path, "alpha")
    _run([a], tmp_path / "out")
    target = project / changed
    target.write_bytes(target.read_bytes() + b"\n")
    _run([a], tmp_path / "out")
    assert fake_engine == ["alpha", "alpha"]


def test_engine_version_invalidates(project, fake_engine, tmp_path, monkeypatch):
    a = _spec(tmp_path, "alpha")
    _run([a], tmp_path / "out")
    real = incremental.installed_versions
    aws = runtime.selected_engine().distributions[-2]           # the AWS bindings
    assert "provider-aws" in aws
    monkeypatch.setattr(incremental, "installed_versions",
                        lambda ps: {**real(ps), aws: "9.9.9"})
    _run([a], tmp_path / "out")
    assert fake_engine == ["alpha", "alpha"]


def test_the_engine_choice_invalidates(project, fake_engine, tmp_path, monkeypatch):
    """The cache key asks the seam which engine (and so which packages) synthesizes."""
    a = _spec(tmp_path, "alpha")
    monkeypatch.setenv(runtime.ENGINE_ENV, "cdktf")
    _run([a], tmp_path / "out")
    monkeypatch.setenv(runtime.ENGINE_ENV, "cdktn")
    _run([a], tmp_path / "out")
    _run([a], tmp_path / "out")
    assert fake_engine == ["alpha", "alpha"]


def test_installed_versions_are_those_importlib_metadata_reports():
    from importlib import metadata
    packages = tuple({d for e in runtime.ENGINES.values() for d in e.distributions})
    versions = incremental.installed_versions(packages + ("no-such-dist",))
    for package in packages:
        assert versions[package] == metadata.version(package), package
    assert versions["no-such-dist"] == "absent"


def test_environment_overlay_change_rebuilds_only_that_stack(project, fake_engine, tmp_path):
    spec = tmp_path / "envs.yaml"
    base = (ROOT / "specs" / "ranker-minimal.yaml").read_text()
    spec.write_text(base + "environments:\n  dev: {}\n  prod: {}\n")
    _run([spec], tmp_path / "out")
    spec.write_text(base + "environments:\n  dev: {}\n  prod: {metadata: {tags: {tier: gold}}}\n")
    _run([spec], tmp_path / "out")
    assert fake_engine == ["ranker-dev", "ranker-prod", "ranker-prod"]


def _manifest_stacks(out):
    return list(json.loads((out / "manifest.json").read_text())["stacks"])


def test_removed_stacks_leave_the_output_directory_and_manifest(project, fake_engine, tmp_path):
    a, b = _spec(tmp_path, "alpha"), _spec(tmp_path, "beta")
    _run([a, b], tmp_path / "out")
    assert _manifest_stacks(tmp_path / "out") == ["alpha", "beta"]
    _run([a], tmp_path / "out")          # a subset: beta's spec is not among the inputs (#16)
    assert sorted(p.name for p in (tmp_path / "out" / "stacks").iterdir()) == ["alpha", "beta"]
    assert _manifest_stacks(tmp_path / "out") == ["alpha", "beta"]
    b.unlink()                           # beta's spec deleted from the directory given
    result = pipeline.run([str(a.parent)], build_models=True)
    incremental.synth(result.stacks, result.models, tmp_path / "out",
                      run=([str(a.parent)], result.sources, []))
    assert sorted(p.name for p in (tmp_path / "out" / "stacks").iterdir()) == ["alpha"]
    assert _manifest_stacks(tmp_path / "out") == ["alpha"]


def test_a_cache_entry_without_its_manifest_is_rebuilt(project, fake_engine, tmp_path):
    a = _spec(tmp_path, "alpha")
    _run([a], tmp_path / "out")
    for entry in (tmp_path / "cache").glob("*/*/manifest.json"):
        entry.unlink()
    _run([a], tmp_path / "out")
    assert fake_engine == ["alpha", "alpha"]
    assert _manifest_stacks(tmp_path / "out") == ["alpha"]


def test_stable_stringify_writes_what_cdktf_writes(synth_specs, synth_features):
    """The engine's own manifest.json (cdktf's json-stable-stringify), parsed and written again."""
    for out in (synth_specs.out, synth_features.out):
        engine = (out / "manifest.json").read_bytes()
        assert incremental.stable_stringify(json.loads(engine)).encode() == engine
    assert incremental.stable_stringify({"b": [], "a": {}, "c": [1, "x", None, True]}) == \
        '{\n  "a": {\n  },\n  "b": [\n  ],\n  "c": [\n    1,\n    "x",\n    null,\n    true\n  ]\n}'


def test_partial_rebuilds_and_replays_write_the_engine_manifest(synth_specs, tmp_path, monkeypatch):
    """Real engine, in this process: stacks partly from the cache, partly built, then replayed and
    then fewer: manifest.json is byte for byte what one app of exactly those stacks writes."""
    monkeypatch.setenv(incremental.CACHE_ENV, str(tmp_path / "cache"))
    specs = ROOT / "specs"
    some = [str(specs / "ranker-minimal.yaml"), str(specs / "recommender-ecs.yaml")]
    every = [str(specs)]
    engine_manifest = (synth_specs.out / "manifest.json").read_bytes()
    out = tmp_path / "out"

    def run(paths, **kwargs):
        result = pipeline.run(paths, build_models=True)
        messages: list[str] = []
        incremental.synth(result.stacks, result.models, out, progress=messages.append,
                          run=(paths, result.sources, []), **kwargs)
        return messages

    run(some)
    messages = run(every)                           # two stacks from the cache, the others built
    assert f"cache {tmp_path / 'cache'}: 2 of {len(synth_specs.stacks)} stack(s) unchanged" \
        in messages, messages
    assert (out / "manifest.json").read_bytes() == engine_manifest
    (out / "manifest.json").unlink()
    assert incremental.replay(every, pipeline.run(every).sources, out) is not None
    assert (out / "manifest.json").read_bytes() == engine_manifest
    run(every, use_cache=False)
    assert (out / "manifest.json").read_bytes() == engine_manifest
    run(some)               # a subset: the other stacks stay, in the directory and the manifest (#16)
    assert (out / "manifest.json").read_bytes() == engine_manifest


def test_no_change_resynth_never_starts_the_engine_and_matches_no_cache(tmp_path):
    """End to end with the real engine: cold, warm (no engine imported), --no-cache: same bytes."""
    env = {incremental.CACHE_ENV: str(tmp_path / "cache")}
    spec = ROOT / "specs" / "ranker-minimal.yaml"

    def synth(out, *extra):
        r = engineprobe.cli("synth", spec, "--out", out, *extra, env=env, cwd=tmp_path, timeout=300)
        assert r.returncode == 0, r
        return r

    assert synth(tmp_path / "cold").engine
    # nothing changed: the whole run is replayed, neither the engine nor the front end is loaded
    warm = synth(tmp_path / "warm")
    engineprobe.assert_engine_not_loaded(warm)
    assert not warm.modules & {"jsonschema", "yaml"}, warm.modules
    synth(tmp_path / "nocache", "--no-cache")
    for name in ("stacks/ranker/cdk.tf.json", "manifest.json"):
        files = {d: (tmp_path / d / name).read_bytes() for d in ("cold", "warm", "nocache")}
        assert files["cold"] == files["warm"] == files["nocache"], name


def test_lean_loading_gives_the_same_bytes_as_stock_imports(tmp_path):
    """MPLAT_LEAN_LOADING=0 runs the provider package's __init__ (all submodules): same output."""
    spec = ROOT / "specs" / "recommender-ecs.yaml"     # AWS only: the stock import costs ~15 s
    outputs = {}
    for lean in ("1", "0"):
        out = tmp_path / f"lean{lean}"
        code = ("import sys\nfrom mplat import cli\nrc = cli.main(sys.argv[1:])\n"
                "print('FULL' if len([m for m in sys.modules if m.startswith("
                "'cdktf_cdktf_provider_aws.')]) > 1000 else 'LEAN')\nsys.exit(rc)\n")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLAT_LEAN_LOADING": lean}
        r = subprocess.run([sys.executable, "-c", code, "synth", "--no-cache", str(spec), "--out",
                            str(out)], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.splitlines()[-1] == ("LEAN" if lean == "1" else "FULL")
        outputs[lean] = (out / "stacks" / "recommender" / "cdk.tf.json").read_bytes()
    assert outputs["1"] == outputs["0"]


def test_sharded_workers_give_the_same_bytes(synth_specs, tmp_path, monkeypatch):
    """Stacks built by two worker processes (the path many stacks take) equal the in-process build."""
    monkeypatch.setattr(incremental, "IN_PROCESS_MAX", 0)
    monkeypatch.setattr(incremental, "CHUNK_MAX", 3)
    messages: list[str] = []
    result = pipeline.run([str(ROOT / "specs")], build_models=True)
    incremental.synth(result.stacks, result.models, tmp_path / "out", use_cache=False,
                      progress=messages.append)
    # several chunks on both workers (how many depends on the number of example stacks)
    chunks = [int(m.split(" chunk(s) on 2 worker")[0].rsplit(" ", 1)[1]) for m in messages
              if " chunk(s) on 2 worker process(es)" in m]
    assert chunks and chunks[0] >= 2, messages
    for stack in synth_specs.stacks:
        assert (tmp_path / "out" / "stacks" / stack / "cdk.tf.json").read_text() == \
            synth_specs.text(stack), stack
    assert (tmp_path / "out" / "manifest.json").read_bytes() == \
        (synth_specs.out / "manifest.json").read_bytes()


def test_a_failing_worker_is_reported_with_its_error(tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "IN_PROCESS_MAX", 0)
    result = pipeline.run([str(ROOT / "specs" / "ranker-minimal.yaml")], build_models=True)
    broken = [dataclasses.replace(m, state=None) for m in result.models]   # the engine cannot use it
    with pytest.raises(RuntimeError, match="synth worker 1 failed"):
        incremental._build(broken, lambda msg: None)


def test_a_run_is_replayed_only_while_its_specs_and_code_are_unchanged(project, fake_engine, tmp_path):
    a, b = _spec(tmp_path, "alpha"), _spec(tmp_path, "beta")
    paths = [str(a), str(b)]
    result = pipeline.run(paths, build_models=True)
    warnings = [{"file": "x.yaml", "line": 1, "col": 1, "severity": "warning", "rule": "r",
                 "message": "m", "hint": None}]
    incremental.synth(result.stacks, result.models, tmp_path / "out",
                      run=(paths, result.sources, warnings))
    summaries, diagnostics = incremental.replay(paths, result.sources, tmp_path / "again")
    assert [s["stack"] for s in summaries] == ["alpha", "beta"] and diagnostics == warnings
    for name in ("stacks/beta/cdk.tf.json", "manifest.json"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()
    assert incremental.replay([str(a)], result.sources, tmp_path / "x") is None   # other paths
    _spec(tmp_path, "beta", replicas=9)                                              # a spec
    assert incremental.replay(paths, result.sources, tmp_path / "x") is None
    _spec(tmp_path, "beta")
    assert incremental.replay(paths, result.sources, tmp_path / "x") is not None
    target = project / "compiler" / "names.py"                                        # the code
    target.write_bytes(target.read_bytes() + b"\n")
    assert incremental.replay(paths, result.sources, tmp_path / "x") is None


def test_a_killed_synth_loses_only_its_unfinished_stacks(tmp_path):
    """SIGKILL part-way: every stack finished before the kill is in the cache; the rerun rebuilds
    only the others, and writes the same bytes as a clean --no-cache run."""
    import re
    import signal
    import time

    from bench.specgen import write_specs          # full-size stacks: every capability
    specs = tmp_path / "specs"
    count = len(write_specs(specs, 10))
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), incremental.CACHE_ENV: str(cache)}

    def cached() -> int:
        return len(list(cache.glob(f"??/*/{incremental.STACK_FILE}")))

    def synth(out, *extra, **popen):
        return subprocess.Popen([sys.executable, "-m", "mplat", "synth", str(specs), "--out",
                                 str(tmp_path / out), *extra], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)

    killed = synth("killed", start_new_session=True)
    deadline = time.monotonic() + 300
    while cached() < 2:
        assert killed.poll() is None, "the synth ended before it could be killed"
        assert time.monotonic() < deadline, "no stack reached the cache"
        time.sleep(0.01)
    os.killpg(killed.pid, signal.SIGKILL)          # the process and anything it started
    killed.communicate()
    finished = cached()
    assert 2 <= finished < count, finished

    rerun = synth("rerun")
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    hits = re.search(r": (\d+) of (\d+) stack\(s\) unchanged", err)
    assert hits and int(hits[1]) >= finished and int(hits[2]) == count, err
    assert re.search(rf"building {count - int(hits[1])} stack\(s\)", err), err
    clean = synth("clean", "--no-cache")
    _, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err
    for name in ["manifest.json", *(f"stacks/{p.name}/cdk.tf.json"
                                    for p in (tmp_path / "clean" / "stacks").iterdir())]:
        assert (tmp_path / "rerun" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()
    assert len(list((tmp_path / "rerun" / "stacks").iterdir())) == count
