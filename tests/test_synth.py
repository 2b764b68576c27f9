"""Synthesis end to end: golden snapshots, determinism, `cdktf synth` == `mplat synth`, and
`mplat synth` refusing specs with errors.

Golden snapshots (tests/golden/<stack>.json) are regenerated with ``python -m tools.update_golden``
(``make golden``); review their diff like code: a renamed address replaces a real resource.
"""
from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"
STACK_FILE = "cdk.tf.json"


def stack_files(out: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted((out / "stacks").glob(f"*/{STACK_FILE}"))}


def explain(name: str, want: bytes, got: bytes) -> str:
    diff = difflib.unified_diff(want.decode().splitlines(), got.decode().splitlines(),
                                f"golden/{name}.json", f"synthesized {name}", lineterm="", n=2)
    return "\n".join(list(diff)[:80]) + "\n(regenerate with: python -m tools.update_golden)"


def cli(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "mplat", *args], cwd=cwd,
                          capture_output=True, text=True, env=env)


def test_every_example_stack_has_a_golden_snapshot(synth_specs):
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(synth_specs.stacks), \
        "stacks and golden snapshots differ: run python -m tools.update_golden"


def test_golden_snapshots(synth_specs):
    for stack in synth_specs.stacks:
        path = GOLDEN / f"{stack}.json"
        if not path.exists():
            pytest.fail(f"no golden snapshot for {stack}: run python -m tools.update_golden")
        want, got = path.read_bytes(), synth_specs.text(stack).encode()
        assert got == want, explain(stack, want, got)


def test_output_has_no_absolute_paths_or_volatile_data(synth_specs):
    for path in [synth_specs.out / "manifest.json",
                 *(synth_specs.out / "stacks").glob(f"*/{STACK_FILE}")]:
        text = path.read_text()
        for needle in (str(ROOT), str(synth_specs.out), os.path.expanduser("~") + "/", "/tmp/"):
            assert needle not in text, (path.name, needle)
    manifest = json.loads((synth_specs.out / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == sorted(synth_specs.stacks)
    for stack in synth_specs.stacks:
        doc = synth_specs.doc(stack)
        assert "stackTrace" not in json.dumps(doc)                 # stack traces disabled
        backend = doc["terraform"]["backend"]
        if "local" in backend:
            assert not os.path.isabs(backend["local"]["path"])


def output_files(out: Path) -> dict[str, bytes]:
    """Every stack file and the manifest of an output directory."""
    return {**stack_files(out), "manifest.json": (out / "manifest.json").read_bytes()}


@pytest.fixture(scope="session")
def cli_synth_elsewhere(tmp_path_factory) -> Path:
    """`mplat synth` (the command line, cache off) run in a copy of the project at another path:
    its output directory."""
    tmp_path = tmp_path_factory.mktemp("cli-synth")
    checkout = tmp_path / "elsewhere" / "checkout"
    for name in ("compiler", "generators", "schemas", "specs", "main.py", "cdktf.json"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, checkout / name)
    env = dict(os.environ, MPLAT_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=str(checkout))
    proc = cli("synth", "specs", "--out", "../out", "--no-cache", cwd=checkout, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return checkout.parent / "out"


def test_byte_identical_from_another_checkout_and_directory(synth_specs, cli_synth_elsewhere):
    """A copy of the project at another path, run from there with the cache off, writes the same
    bytes (stacks and manifest) as the session's in-process synthesis."""
    got = output_files(cli_synth_elsewhere)
    want = output_files(synth_specs.out)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], explain(name, want[name], got[name])


@pytest.mark.skipif(not CDKTF.exists(), reason="node_modules not installed (make setup)")
def test_cdktf_synth_produces_the_same_stacks(cli_synth_elsewhere, tmp_path):
    """`cdktf synth` (cdktf.json: app = main.py) writes the same stacks and manifest.json, byte for
    byte, as `mplat synth`."""
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip(".venv not installed (make setup)")
    out = tmp_path / "cdktf.out"
    env = dict(os.environ, CHECKPOINT_DISABLE="1", CI="1", FORCE_COLOR="0")
    proc = subprocess.run([str(CDKTF), "synth", "--output", str(out)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    got, want = output_files(out), output_files(cli_synth_elsewhere)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], explain(name, want[name], got[name])


BAD = """\
apiVersion: mplat/v1
kind: ModelPlatform
metadata: {name: broken, owner: team}
aws: {region: us-east-1}
artifacts: {encryptoin: kms}
"""
GOOD = """\
apiVersion: mplat/v1
kind: ModelPlatform
metadata: {name: fine, owner: team}
aws: {region: us-east-1}
artifacts: {}
"""


def test_synth_with_errors_exits_1_and_writes_nothing(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bad.yaml").write_text(BAD)
    (tmp_path / "specs" / "good.yaml").write_text(GOOD)
    out = tmp_path / "out"
    env = dict(os.environ, MPLAT_CACHE_DIR=str(tmp_path / "cache"))
    proc = cli("synth", str(tmp_path / "specs"), "--out", str(out), env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "bad.yaml:5:" in proc.stdout and "encryptoin" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not out.exists()


def test_main_py_refuses_specs_with_errors(tmp_path):
    """The cdktf app validates like `mplat synth`: diagnostics on stderr, exit 1, no output."""
    project = tmp_path / "project"
    for name in ("compiler", "generators", "schemas"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "main.py", project / "main.py")
    (project / "specs").mkdir()
    (project / "specs" / "bad.yaml").write_text(BAD)
    env = dict(os.environ, CDKTF_OUTDIR=str(tmp_path / "out"), PYTHONPATH=str(project))
    proc = subprocess.run([sys.executable, "main.py"], cwd=project, capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 1
    assert "specs/bad.yaml:5:" in proc.stderr
    assert not (tmp_path / "out").exists()
