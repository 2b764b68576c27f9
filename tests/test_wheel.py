"""`pip install <repo>` (not editable) gives a working `mplat`: the wheel is built from a copy of the
project, installed into a fresh virtualenv, and `mplat validate` and `mplat synth` run from an
unrelated directory, with the output compared with the golden snapshots.

How the fresh virtualenv gets its dependencies, offline and fast (~15 s in all): it is created
without pip and the wheel is installed into it with ``pip --python <venv> install --no-deps
--no-index`` while nothing else is reachable from it; only then does one ``.pth`` line append this
test run's site-packages (the pinned packages of requirements.lock) to its ``sys.path``. A plain
path line is not a site directory, so the ``.pth`` files there (this checkout's editable install)
never run, and the wheel's own packages come first: the test checks that ``compiler`` and
``generators`` are imported from the fresh virtualenv, and ``pip check`` that the wheel's declared
dependencies are met by what is there. Installing the dependencies themselves again (~1 GB of
provider bindings) would take minutes and prove nothing about mplat's packaging.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SPEC = "fraud-detector.yaml"                 # three environments, every capability
SKIP = shutil.ignore_patterns(".git", ".venv*", "node_modules", ".mplat-cache", "cdktf.out",
                              "__pycache__", ".pytest_cache", "build", "*.egg-info", "dist")


def run(cmd, *, cwd, env=None, timeout=300) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{cmd}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the built wheel, the fresh virtualenv with it installed, a clean environment for it)."""
    tmp = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, tmp / "src", ignore=SKIP)     # what `pip install <repo>` reads
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", tmp / "dist", "./src"], cwd=tmp)
    wheel, = (tmp / "dist").glob("mplat-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         wheel], cwd=tmp)
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  cwd=tmp).stdout.strip()
    Path(purelib, "mplat-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
           "HOME": str(tmp / "home"), "LANG": "C.UTF-8"}     # no PYTHONPATH, JSII_*, MPLAT_*
    return wheel, venv, env


def test_the_wheel_holds_every_module_and_the_schema(installed):
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = ("compiler", "generators", "newcomer", "operations", "review", "mplat")
    sources = {p.relative_to(ROOT).as_posix() for package in packages
               for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts}
    assert sources - names == set(), "modules missing from the wheel: list their package in pyproject"
    schema = zipfile.ZipFile(wheel).read("compiler/schemas/model-platform.schema.json")
    assert schema == (ROOT / "schemas" / "model-platform.schema.json").read_bytes()
    assert "newcomer/rule_examples.yaml" in names        # mplat explain's examples


def test_installed_package_is_imported_from_the_fresh_venv(installed):
    _, venv, env = installed
    proc = run([venv / "bin" / "python", "-c",
                "import compiler, generators; print(compiler.__file__); print(generators.__file__);"
                "print(compiler.SCHEMA_PATH)"], cwd=venv, env=env)
    for line in proc.stdout.splitlines():
        assert line.startswith(str(venv)), proc.stdout
    run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "check"], cwd=venv)


def test_validate_and_synth_from_an_unrelated_directory(installed, tmp_path):
    _, venv, env = installed
    shutil.copy2(ROOT / "specs" / SPEC, tmp_path / SPEC)
    mplat = venv / "bin" / "mplat"
    proc = run([mplat, "validate", SPEC], cwd=tmp_path, env=env)
    assert "3 stack(s): 3 without errors, 0 with errors; 0 error(s)" in proc.stderr, proc.stderr
    assert run([mplat, "schema"], cwd=tmp_path, env=env).stdout == \
        (ROOT / "schemas" / "model-platform.schema.json").read_text(encoding="utf-8")

    proc = run([mplat, "synth", SPEC], cwd=tmp_path, env=env)       # default --out cdktf.out
    assert "Traceback" not in proc.stderr
    out = tmp_path / "cdktf.out"
    stacks = sorted(p.name for p in (out / "stacks").iterdir())
    assert stacks == ["fraud-detector-dev", "fraud-detector-prod", "fraud-detector-staging"]
    for stack in stacks:
        assert (out / "stacks" / stack / "cdk.tf.json").read_bytes() == \
            (GOLDEN / f"{stack}.json").read_bytes(), stack
    assert sorted(json.loads((out / "manifest.json").read_text())["stacks"]) == stacks
    # the one-time engine preparation happened on first use, in the fresh venv (generators.engine)
    assert sorted(p.name.split("@")[0] for p in (venv / "mplat-jsii").glob("*.lazy-*.tgz")) == \
        ["provider-aws", "provider-kubernetes"]
    # the cache of an installed mplat is the user's (~/.cache/mplat), never in site-packages
    assert Path(env["HOME"], ".cache", "mplat", "runs").is_dir()
    assert not list(venv.rglob(".mplat-cache"))


def test_synth_without_node_says_so_in_one_line(installed, tmp_path):
    _, venv, env = installed
    shutil.copy2(ROOT / "specs" / SPEC, tmp_path / SPEC)
    env = {**env, "PATH": str(venv / "bin")}                       # no node on the PATH
    proc = subprocess.run([venv / "bin" / "mplat", "synth", SPEC, "--no-cache"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        "mplat: error: synth needs Node.js (version 20 or later) for the CDK engine (jsii), and "
        "there is no `node` on the PATH: install Node.js, or set JSII_NODE to a node binary")
    assert not (tmp_path / "cdktf.out").exists()


def test_a_jsii_node_that_is_not_a_node_is_one_line(monkeypatch, tmp_path):
    from generators import runtime
    monkeypatch.setenv("JSII_NODE", str(tmp_path / "no-node"))
    with pytest.raises(runtime.EngineUnavailable, match=r"^JSII_NODE is '.*no-node', which is not "
                       r"an executable Node.js: point it at a node binary or unset it$"):
        runtime.node_for_jsii()
    monkeypatch.delenv("JSII_NODE")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(runtime, "LOCAL_NODE", tmp_path / "node_modules" / "node" / "bin" / "node")
    with pytest.raises(runtime.EngineUnavailable, match="no `node` on the PATH"):
        runtime.node_for_jsii()
    (tmp_path / "node").write_text("#!/bin/sh\n")
    (tmp_path / "node").chmod(0o755)
    assert runtime.node_for_jsii() == str(tmp_path / "node")
    assert os.environ["JSII_NODE"] == str(tmp_path / "node")


def test_a_checkout_reads_the_one_schema_source():
    import compiler
    assert compiler.SCHEMA_PATH == ROOT / "schemas" / "model-platform.schema.json"
    assert not (ROOT / "compiler" / "schemas").exists()    # only the wheel has compiler/schemas/
