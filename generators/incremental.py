"""Incremental, parallel synthesis: a content-addressed cache in front of the engine.

``synth(stacks, models, out)`` writes ``out/stacks/<stack>/cdk.tf.json`` for every stack and
``out/manifest.json`` as ``cdktf synth`` writes it:

* **Cache.** Each stack's key is a SHA-256 over everything that decides its output: the stack's
  merged spec document and environment, the schema, the source of ``compiler/`` and
  ``generators/``, the lock files and the installed versions of the engine and provider packages.
  A stack whose key is in the cache (``cache_dir()``: ``$MPLAT_CACHE_DIR``, else ``.mplat-cache/``
  at the git top level of the working directory, else the user's cache directory) is copied from
  it. When every stack hits, the engine is never imported and
  Node never starts. Entries are written atomically and never updated in place, so the cache cannot
  serve a partial file; a changed input is a different key, so it cannot serve a stale one. Each
  stack is synthesized as an app of its own and cached the moment it is built (``build_stacks``,
  in this process or a worker), so a run killed part-way (even SIGKILL) loses only the stacks it
  had not finished: the next run rebuilds just those.
* **Shards.** Stacks to build are synthesized in-process when there are few; otherwise in chunks by
  two worker processes (one per core; ``python -O``, which skips the bindings' run-time argument
  checks), each a fresh interpreter that exits after its chunk, so memory stays bounded however
  many stacks there are (the jsii kernel keeps every object until its process ends). A stack's
  output depends only on its own model, so sharding never changes a byte of it.
* **Manifest.** The engine writes ``manifest.json`` for the stacks of one app: a ``stacks`` entry
  per stack plus the engine ``version``. Each built stack's entry is kept (and cached) as the
  manifest of an app holding that stack alone; the run's ``manifest.json`` is those merged, for
  exactly this run's stacks, serialized the way the engine does (``manifest_text``). A cold run, a
  replay and a partial rebuild write the same bytes, and a stack gone from the specs is gone from it.

This module never imports the engine itself; ``generators.app`` is imported only for stacks that
must be built.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from compiler.files import display_path
from compiler.names import old_local_state_file

from .runtime import TRICK_WARNING, EngineUnavailable, selected_engine

ROOT = Path(__file__).resolve().parent.parent
CACHE_ENV = "MPLAT_CACHE_DIR"
STACK_FILE = "cdk.tf.json"
MANIFEST_FILE = "manifest.json"     # cdktf's Manifest.fileName: in the output directory, and per
                                    # stack in the cache (the manifest of an app of that stack alone)
# inputs besides the stack's own spec; paths relative to ROOT (directories: every *.py below)
CODE_INPUTS = ("compiler", "generators", "schemas", "requirements.lock", "requirements-cdktn.lock",
               "package-lock.json")
IN_PROCESS_MAX = 40      # up to this many stacks: no worker processes (their start-up costs more)
CHUNK_MAX = 250          # stacks per worker process, which bounds its memory (~0.4 MB a stack on
                         # ~190 MB for Python and Node): 1000 stacks peaked at 804 MB with 500, over
                         # the 800 MB goal; fewer, larger chunks save the ~1.5 s a worker costs


def git_top(start: Path) -> Path | None:
    """The top level of the git work tree holding ``start`` (a ``.git`` directory, or the
    ``.git`` file of a worktree or submodule), or None; without running git."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def cache_dir() -> Path:
    """``$MPLAT_CACHE_DIR``; else ``.mplat-cache/`` at the git top level of the working directory
    (the spec repository mplat is run in); else the user's cache directory,
    ``$XDG_CACHE_HOME/mplat`` (default ``~/.cache/mplat``). Never where mplat itself is installed
    or checked out, unless that is the repository it is run in."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    top = git_top(Path.cwd().resolve())
    if top is not None:
        return top / ".mplat-cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mplat"


def _files(entry: Path) -> Iterable[Path]:
    if entry.is_dir():
        yield from sorted(p for p in entry.rglob("*")
                          if p.is_file() and p.suffix in (".py", ".json") and "__pycache__" not in p.parts)
    elif entry.is_file():
        yield entry


def code_digest() -> str:
    """Digest of every input shared by all stacks: sources, schema, locks, engine versions."""
    h = hashlib.sha256(b"mplat-synth-cache-v2\0")
    for name in CODE_INPUTS:
        for path in _files(ROOT / name):
            h.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    engine = selected_engine()          # the seam names the engine's packages (runtime.ENGINES)
    h.update(f"engine={engine.name}\0".encode())
    versions = installed_versions(engine.distributions)
    for package in engine.distributions:
        h.update(f"{package}=={versions[package]}\0".encode())
    return h.hexdigest()


def _project(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def installed_versions(packages: Iterable[str]) -> dict[str, str]:
    """Installed version of each distribution ("absent" if none), read from the first
    ``<name>-<version>.dist-info`` directory on ``sys.path``, as ``importlib.metadata`` finds it;
    without importing that (~25 ms, a third of a replayed run)."""
    wanted = {_project(p): p for p in packages}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name[:-len(".dist-info")].rpartition("-")
                key = _project(project)
                if key in wanted and key not in found:
                    found[key] = version
    return {package: found.get(key, "absent") for key, package in wanted.items()}


def stack_key(stack, shared: str) -> str:
    """The cache key of one stack: its merged document and environment plus the shared digest."""
    document = {k: v for k, v in stack.data.items() if k != "environments"}
    payload = json.dumps({"env": stack.env, "spec": document}, sort_keys=True, default=str,
                         separators=(",", ":"))
    return hashlib.sha256(f"{shared}\0{payload}".encode()).hexdigest()


def summarize(stack_json: bytes) -> dict[str, int]:
    """Resources by Terraform type, from a synthesized stack."""
    doc = json.loads(stack_json)
    return {kind: len(items) for kind, items in sorted((doc.get("resource") or {}).items())}


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def stable_stringify(value, level: int = 0) -> str:
    """JSON as cdktf writes ``manifest.json``: ``json-stable-stringify`` 1.3.0 with ``{space: 2}``
    (cdktf/lib/manifest.js ``writeToFile``): keys sorted, every object and array opened and closed
    on lines of their own, even empty ones, and no newline at the end."""
    if isinstance(value, dict):
        items = [f"{json.dumps(k, ensure_ascii=False)}: {stable_stringify(v, level + 1)}"
                 for k, v in sorted(value.items())]
        brackets = "{}"
    elif isinstance(value, list):
        items = [stable_stringify(v, level + 1) for v in value]
        brackets = "[]"
    else:
        return json.dumps(value, ensure_ascii=False)
    inner = "\n" + "  " * (level + 1)
    return brackets[0] + ",".join(inner + item for item in items) + "\n" + "  " * level + \
        brackets[1]


def manifest_text(value) -> str:
    """``manifest.json`` as the selected engine writes it: cdktf with ``stable_stringify`` above;
    cdktn with ``safe-stable-stringify`` 2.5.0 ``(manifest, null, 2)`` (cdktn/lib/manifest.js
    ``writeToFile``): keys sorted, ``JSON.stringify``'s layout (``[]`` and ``{}`` when empty)."""
    if selected_engine().manifest_writer == "safe-stable-stringify":
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return stable_stringify(value)


def stack_manifest(manifest: dict, stack: str) -> bytes:
    """The manifest an app holding only ``stack`` writes, cut out of an app's ``manifest``."""
    alone = {**manifest, "stacks": {stack: manifest["stacks"][stack]}}
    return manifest_text(alone).encode()


def merge_manifests(names: list[str], manifests: dict[str, bytes]) -> bytes:
    """The manifest of an app holding ``names``, from each stack's manifest alone."""
    merged: dict = {"stacks": {}}
    for name in names:
        alone = json.loads(manifests[name])
        for key, value in alone.items():
            if key != "stacks" and merged.setdefault(key, value) != value:
                raise RuntimeError(f"{MANIFEST_FILE}: stack {name} has {key} {value!r}, "
                                   f"others {merged[key]!r}")
        merged["stacks"][name] = alone["stacks"][name]
    if "version" not in merged:      # no stacks: the engine's version, as the engine would write it
        core = selected_engine().core
        merged["version"] = installed_versions((core,))[core]
    return manifest_text(merged).encode()


def _store(entry: Path, stack_json: bytes, manifest: bytes) -> None:
    """One cache entry, each file atomically: the manifest first, so that the entry is whole once
    its stack file exists (a kill in between leaves an entry that is simply rebuilt)."""
    _ignored_by_git()
    _write_atomic(entry / MANIFEST_FILE, manifest)
    _write_atomic(entry / STACK_FILE, stack_json)


def build_stacks(models: list, outdir: str | Path, entries: dict[str, str | None]) -> None:
    """Synthesize ``models`` into ``outdir`` (this imports the engine), one stack at a time: as
    each finishes, its manifest alone is written beside it (``stacks/<stack>/manifest.json``) and,
    when ``entries`` gives it a cache entry, the stack goes into the cache at once. So a run killed
    part-way loses only the stacks it had not finished. In this process or a worker's."""
    from .app import synthesize_each
    outdir = Path(outdir)

    def finished(name: str, stack_json: bytes, app_manifest: bytes) -> None:
        manifest = stack_manifest(json.loads(app_manifest), name)
        _write_atomic(outdir / "stacks" / name / MANIFEST_FILE, manifest)
        if entries.get(name):
            _store(Path(entries[name]), stack_json, manifest)

    synthesize_each(models, outdir, finished)


def _run_workers(chunks: list[list], tmpdir: Path, workers: int,
                 progress: Callable[[str], None]) -> list[Path]:
    """Synthesize chunks in worker processes, at most ``workers`` at a time."""
    import pickle
    import subprocess
    import time
    env = dict(os.environ)
    # workers run with -O: let Python cache the optimized bytecode of the bindings it compiles
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    outdirs = [tmpdir / f"out{i}" for i in range(len(chunks))]
    running: dict[subprocess.Popen, int] = {}
    pending = list(range(len(chunks)))
    done = 0
    warned: set[str] = set()
    try:
        while pending or running:
            while pending and len(running) < workers:
                i = pending.pop(0)
                chunk_file = tmpdir / f"chunk{i}.pickle"
                chunk_file.write_bytes(pickle.dumps(chunks[i]))     # {"models", "entries"}
                cmd = [sys.executable, "-O", "-m", "generators.worker", str(chunk_file),
                       str(outdirs[i])]
                with open(tmpdir / f"chunk{i}.err", "wb") as err:   # a file: a pipe could fill up
                    running[subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                             stderr=err)] = i
            finished = next((p for p in running if p.poll() is not None), None)
            if finished is None:
                time.sleep(0.05)
                continue
            i = running.pop(finished)
            err = (tmpdir / f"chunk{i}.err").read_text(errors="replace")
            if finished.returncode != 0:
                raise RuntimeError(f"synth worker {i + 1} failed ({finished.returncode}):\n"
                                   f"{err[-4000:]}")
            for line in err.splitlines():      # a worker's speed-trick fallback: once a run
                if line.startswith(TRICK_WARNING) and line not in warned:
                    warned.add(line)
                    sys.stderr.write(line + "\n")
            done += 1
            progress(f"chunk {done}/{len(chunks)} done ({len(chunks[i]['models'])} stack(s))")
    finally:
        for proc in running:
            proc.kill()
            proc.wait()
    return outdirs


def plan_chunks(count: int, cpus: int) -> tuple[int, int]:
    """(number of chunks, parallel workers) for ``count`` stacks; (0, 0) means in this process."""
    if count <= IN_PROCESS_MAX or cpus < 2:
        return 0, 0
    workers = 2
    chunks = max(workers, -(-count // CHUNK_MAX))
    chunks += (-chunks) % workers            # whole rounds of both workers
    return chunks, workers


def _build(models: list, progress: Callable[[str], None],
           entries: dict[str, str | None] | None = None) -> dict[str, tuple[bytes, bytes]]:
    """Synthesize stacks, each stored in its cache entry (``entries``) as soon as it is built;
    returns stack name -> (cdk.tf.json bytes, the stack's manifest alone)."""
    entries = entries or {}
    from .runtime import node_for_jsii
    node_for_jsii()          # no Node.js: one line now, not a traceback from each worker
    with tempfile.TemporaryDirectory(prefix="mplat-synth-") as tmp:
        tmpdir = Path(tmp)
        count, workers = plan_chunks(len(models), os.cpu_count() or 1)
        engine = selected_engine()
        with_engine = f"with {engine.name} {installed_versions((engine.core,))[engine.core]}"
        if not count:
            progress(f"building {len(models)} stack(s) {with_engine} in this process")
            build_stacks(models, tmpdir / "out", entries)
            outdirs = [tmpdir / "out"]
        else:
            from . import engine     # workers start their own kernels: not one more idling here
            engine.discard_early_kernel()
            chunks = [{"models": c, "entries": {m.stack: entries.get(m.stack) for m in c}}
                      for c in (models[i::count] for i in range(count)) if c]
            progress(f"building {len(models)} stack(s) {with_engine} in {len(chunks)} chunk(s) "
                     f"on {workers} worker process(es)")
            outdirs = _run_workers(chunks, tmpdir, workers, progress)
        built = {}
        for outdir in outdirs:
            for path in sorted((outdir / "stacks").glob(f"*/{STACK_FILE}")):
                built[path.parent.name] = (path.read_bytes(),
                                           (path.parent / MANIFEST_FILE).read_bytes())
        return built


def _write_if_changed(target: Path, data: bytes) -> None:
    if not target.is_file() or target.read_bytes() != data:
        _write_atomic(target, data)


SOURCES_FILE = "mplat-sources.json"   # mplat's own record in the output directory: the spec file
                                      # each stack directory came from (relative to the directory)


def _read_sources(out: Path) -> dict[str, Path]:
    """The previous run's record: stack -> its spec file (resolved); {} when there is none."""
    try:
        record = json.loads((out / SOURCES_FILE).read_text())
        return {str(k): (out / v).resolve() for k, v in record["stacks"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _old_manifests(out: Path) -> dict[str, bytes]:
    """Each stack's entry of the output directory's current manifest, as its manifest alone."""
    try:
        manifest = json.loads((out / MANIFEST_FILE).read_bytes())
        return {name: stack_manifest(manifest, name) for name in manifest["stacks"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_outputs(out: Path, names: list[str], outputs: dict[str, bytes],
                   manifests: dict[str, bytes], origins: dict[str, Path] | None = None,
                   progress: Callable[[str], None] = lambda msg: None,
                   paths: Iterable[str] = ()) -> list[dict]:
    """Write this run's stacks and the manifest; unchanged files are not rewritten.

    ``origins`` maps each stack of this run to its spec file (resolved). Stack directories of other
    specs are left alone (a subset synth keeps them, and the manifest and the record keep listing
    them). A stack directory is stale only when the record says its spec is one of this run's and
    that spec no longer yields it (a renamed ``metadata.name``, a removed environment), or that
    spec was deleted from a directory given in ``paths`` (the command line); it is
    removed only when it holds nothing but the cdk.tf.json synth wrote. Otherwise it is kept (a
    Terraform state, ``.terraform`` or a lock file: never deleted) and it says so, per directory.
    """
    origins = origins or {}
    stacks_dir = out / "stacks"
    previous = _read_sources(out)
    old_manifests = _old_manifests(out)
    inputs = set(origins.values())
    dirs = [Path(p).resolve() for p in paths if Path(p).is_dir()]

    def among_inputs(spec: Path) -> bool:
        return spec in inputs or (not spec.exists() and any(d in spec.parents for d in dirs))
    kept: list[str] = []                    # other specs' stacks, left as they are
    if stacks_dir.is_dir():
        for old in sorted(stacks_dir.iterdir()):
            if not old.is_dir() or old.name in outputs:
                continue
            spec = previous.get(old.name)
            if spec is None or not among_inputs(spec):
                if (old / STACK_FILE).is_file() and old.name in old_manifests:
                    kept.append(old.name)
                continue
            why = (f"{display_path(spec)} no longer yields stack {old.name}" if spec.exists()
                   else f"{display_path(spec)}, which made stack {old.name}, is gone")
            extra = sorted(p.name for p in old.iterdir() if p.name != STACK_FILE)
            if extra:
                shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3
                                                 else "")
                progress(f"mplat: kept {display_path(old)}: {why}, but it holds files synth did "
                         f"not write ({shown}); destroy the stack with terraform there, then "
                         "remove the directory")
            else:
                shutil.rmtree(old)
                progress(f"mplat: removed {display_path(old)}: {why}")
    stacks_dir.mkdir(parents=True, exist_ok=True)        # as cdktf's Manifest, even for no stacks
    for name in names:
        _write_if_changed(stacks_dir / name / STACK_FILE, outputs[name])
        old_state = stacks_dir / name / old_local_state_file(name)
        if old_state.is_file():
            where = display_path(stacks_dir / name)
            progress(f"mplat: {where}: Terraform state at the old place {old_local_state_file(name)}"
                     f" (inside the output tree); move it with `terraform -chdir={where} init "
                     "-migrate-state`, check `terraform state list`, then delete the old file")
    listed = names + kept
    _write_if_changed(out / MANIFEST_FILE, merge_manifests(
        listed, {**{n: old_manifests[n] for n in kept}, **manifests}))
    record = {name: previous[name] for name in kept if name in previous}
    record.update({name: origins[name] for name in names if name in origins})
    base = out.resolve()
    _write_if_changed(out / SOURCES_FILE, (json.dumps({"stacks": {
        name: os.path.relpath(spec, base) for name, spec in sorted(record.items())}},
        indent=1, sort_keys=True) + "\n").encode())
    return [{"stack": name, "resources": summarize(outputs[name])} for name in names]


def run_key(paths: list[str], sources: list[tuple[Path, str]], shared: str) -> str:
    """The key of a whole run: what was asked, every spec file (as shown and its bytes), the code."""
    h = hashlib.sha256(f"{shared}\0{json.dumps(list(paths))}\0".encode())
    for real, shown in sources:
        h.update(shown.encode() + b"\0" + hashlib.sha256(Path(real).read_bytes()).digest())
    return h.hexdigest()


def _ignored_by_git() -> None:
    """The cache directory ignores itself (a ``.gitignore`` of ``*``, as pytest's cache does): it
    now lives in the spec repository, and must never show up in its ``git status``."""
    marker = cache_dir() / ".gitignore"
    if not marker.exists():
        _write_atomic(marker, b"# mplat's synth cache (generators/incremental.py): never committed\n*\n")


def _entry(key: str) -> Path:
    """A stack's cache entry: its cdk.tf.json and its manifest alone."""
    return cache_dir() / key[:2] / key


def _run_entry(key: str) -> Path:
    return cache_dir() / "runs" / key[:2] / f"{key}.json"


def replay(paths: list[str], sources: list[tuple[Path, str]], out: str | Path,
           progress: Callable[[str], None] = lambda msg: None):
    """A run whose specs and code are all unchanged, replayed from the cache without validating
    again or starting the engine: (summaries, diagnostics as dicts), or None when it is not cached."""
    try:
        shared = code_digest()
    except EngineUnavailable:        # a bad MPLAT_ENGINE: synth reports it in one line
        return None
    key = run_key(paths, sources, shared)
    try:
        record = json.loads(_run_entry(key).read_text())
        entries = {name: _entry(k) for name, k in record["stacks"]}
        outputs = {name: (entry / STACK_FILE).read_bytes() for name, entry in entries.items()}
        manifests = {name: (entry / MANIFEST_FILE).read_bytes() for name, entry in entries.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    real_of = {shown: Path(real).resolve() for real, shown in sources}
    origins = {name: real_of[shown] for name, shown in (record.get("origins") or {}).items()
               if shown in real_of}
    progress(f"cache {cache_dir()}: specs and code unchanged, {len(outputs)} stack(s) from the cache")
    return _write_outputs(Path(out), [name for name, _ in record["stacks"]], outputs, manifests,
                          origins, progress, paths), record["diagnostics"]


def _outputs(stacks: list, models: list, shared: str, progress: Callable[[str], None]) \
        -> tuple[dict[str, bytes], dict[str, bytes], dict[str, str]]:
    """Each stack's cdk.tf.json bytes, manifest alone and cache key: from the cache where it has
    them (``shared`` empty: no cache), else built (and then cached)."""
    outputs: dict[str, bytes] = {}
    manifests: dict[str, bytes] = {}
    keys: dict[str, str] = {}
    if shared:
        for stack, model in zip(stacks, models, strict=True):
            keys[model.stack] = key = stack_key(stack, shared)
            entry = _entry(key)
            try:       # the manifest is written first: with the stack file, the entry is whole
                outputs[model.stack] = (entry / STACK_FILE).read_bytes()
                manifests[model.stack] = (entry / MANIFEST_FILE).read_bytes()
            except OSError:
                outputs.pop(model.stack, None)
        progress(f"cache {cache_dir()}: {len(outputs)} of {len(models)} stack(s) unchanged")
    missing = [m for m in models if m.stack not in outputs]
    if missing:
        # each built stack is cached by the builder as it finishes, not here at the end
        built = _build(missing, progress,
                       {m.stack: str(_entry(keys[m.stack])) for m in missing} if shared else {})
        lost = sorted({m.stack for m in missing} - set(built))
        if lost:
            raise RuntimeError(f"the engine produced no output for: {', '.join(lost)}")
        for model in missing:
            outputs[model.stack], manifests[model.stack] = built[model.stack]
    return outputs, manifests, keys


def stack_outputs(stacks: list, models: list,
                  progress: Callable[[str], None] = lambda msg: None) -> dict[str, bytes]:
    """Stack name -> cdk.tf.json bytes, through the cache (``mplat diff`` and ``affected``); writes
    no output directory. Stack names must be unique within one call."""
    return _outputs(stacks, models, code_digest(), progress)[0]


def synth(stacks: list, models: list, out: str | Path, *, use_cache: bool = True,
          progress: Callable[[str], None] = lambda msg: None,
          run: tuple[list[str], list[tuple[Path, str]], list[dict]] | None = None) -> list[dict]:
    """Write every stack to ``out/stacks/<stack>/cdk.tf.json`` and their ``out/manifest.json``;
    return per-stack summaries.

    ``run`` (the paths asked, the spec files read, the diagnostics as dicts) records the whole run
    in the cache, so that the same run again is a ``replay``.
    """
    out = Path(out)
    names = [m.stack for m in models]
    shared = code_digest() if use_cache else ""
    outputs, manifests, keys = _outputs(stacks, models, shared, progress)
    real_of = {shown: Path(real).resolve() for real, shown in (run[1] if run else ())}
    origins = {m.stack: real_of.get(m.source_file) or Path(m.source_file).resolve()
               for m in models}
    summaries = _write_outputs(out, names, outputs, manifests, origins, progress,
                               run[0] if run else ())
    if use_cache and run is not None:
        paths, sources, diagnostics = run
        record = {"stacks": [[name, keys[name]] for name in names], "diagnostics": diagnostics,
                  "origins": {m.stack: m.source_file for m in models}}
        _ignored_by_git()
        _write_atomic(_run_entry(run_key(paths, sources, shared)),
                      json.dumps(record, indent=1, sort_keys=True).encode())
    return summaries
