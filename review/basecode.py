"""When the repository holds mplat itself (as this one does: specs/ beside compiler/), a change may
be a change to mplat: a schema default, a generator, a pinned engine version. Then the base is
synthesized with the base's own mplat, so that the comparison shows what the change does to the
output. mplat's code at the base is read from git (``git archive``) into a temporary directory and
run there with this interpreter and the shared synth cache; nothing in the working tree changes.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

from compiler import ROOT
# what decides a stack's output besides its spec: the synth cache's CODE_INPUTS (the module never
# imports the engine)
from generators.incremental import CODE_INPUTS, STACK_FILE, _files

from . import gitrefs

FACE = "mplat"          # the package of the `mplat` command (it decides no output: not a CODE_INPUT)


def _mplat_root(top: Path) -> str | None:
    """mplat's directory relative to the repository root, when mplat lives in this repository."""
    rel = os.path.relpath(os.path.realpath(ROOT), os.path.realpath(top))
    if rel == ".." or rel.startswith(".." + os.sep):
        return None
    return "" if rel == "." else Path(rel).as_posix() + "/"


def code_changed(commit: str, top: Path) -> str | None:
    """mplat's root in the repository (``""`` for the top) when the base holds mplat's code and it
    differs from the code that runs; None otherwise (mplat installed from elsewhere, or the same)."""
    prefix = _mplat_root(top)
    if prefix is None:
        return None
    wanted = [f"{prefix}{name}" for name in CODE_INPUTS]
    out = gitrefs.git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *wanted], top)
    at_base: dict[str, str] = {}
    for entry in filter(None, out.split(b"\0")):
        meta, name = entry.decode("utf-8", "surrogateescape").split("\t", 1)
        inside = name[len(prefix):]
        if inside in CODE_INPUTS or (name.endswith((".py", ".json")) and "__pycache__" not in name):
            at_base[inside] = meta.split()[2]
    if not any(name.startswith("compiler/") for name in at_base):
        return None                      # the base predates mplat in this repository
    here = {p.relative_to(ROOT).as_posix(): gitrefs.blob_hash(p.read_bytes())
            for name in CODE_INPUTS for p in _files(ROOT / name)}
    return prefix if here != at_base else None


def synth_at_base(commit: str, top: Path, prefix: str, spec_files: dict[str, bytes],
                  given: list[str], tmp: Path) -> tuple[dict[str, bytes], str | None]:
    """Synthesize ``spec_files`` (repository path -> bytes, as at the base) with the base's mplat:
    (stack name -> cdk.tf.json bytes, None) or ({}, why it failed)."""
    tree = tmp / "base-tree"
    # the base's own entry point: the face mplat/ (FACE) when the base has it, else the older
    # compiler/cli.py (compiler.cli stays a shim that runs the face, so either works there)
    has_face = bool(gitrefs.git(["ls-tree", "--full-tree", "--name-only", commit, "--",
                                 f"{prefix}{FACE}/cli.py"], top).strip())
    # only the inputs the base has (a lock file added later, e.g. requirements-cdktn.lock, is not
    # there and would make `git archive` fail)
    listed = gitrefs.git(["ls-tree", "-z", "--name-only", "--full-tree", commit, "--",
                          *[f"{prefix}{name}" for name in CODE_INPUTS]], top)
    present = [n.decode("utf-8", "surrogateescape") for n in listed.split(b"\0") if n]
    archive = gitrefs.git(["archive", "--format=tar", commit, "--",
                           *present, *([f"{prefix}{FACE}"] if has_face else [])], top)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    for rel, data in spec_files.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_bytes(data)
    root = tree / prefix if prefix else tree
    out = tmp / "base-out"
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    from generators.runtime import ENGINE_ENV, EngineUnavailable, node_for_jsii, selected_engine
    try:
        env["JSII_NODE"] = node_for_jsii()          # the same Node as this mplat
        env[ENGINE_ENV] = selected_engine().name    # and the same engine (the seam decides)
    except EngineUnavailable as exc:
        return {}, str(exc)
    from generators.incremental import cache_dir
    env["MPLAT_CACHE_DIR"] = str(cache_dir())       # content-addressed: the base's code, its keys
    paths = [str(tree / g) if g else str(tree) for g in given if (tree / g).exists()]
    if not spec_files or not paths:
        return {}, None                                 # no spec at the base
    entry = FACE if has_face else "compiler.cli"
    proc = subprocess.run([sys.executable, "-m", entry, "synth", *paths, "--out", str(out)],
                          cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stdout.strip() or proc.stderr.strip()).splitlines()
        return {}, f"exit {proc.returncode}: {last[-1] if last else 'no output'}"
    outputs = {path.parent.name: path.read_bytes()
               for path in sorted((out / "stacks").glob(f"*/{STACK_FILE}"))}
    return outputs, None
