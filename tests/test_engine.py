"""The engine seam's import-time tricks: lazy provider exports (same classes, a fraction of the cost)."""
import io
import tarfile

import pytest

from generators import engine

INDEX = '''"use strict";
exports.s3Bucket = exports.provider = void 0;
exports.s3Bucket = require("./s3-bucket");
exports.provider = require("./provider");
'''


def test_lazy_index_turns_each_export_into_a_getter():
    lazy = engine._lazy_index(INDEX * 30)       # a real index has thousands of exports
    assert lazy.count('Object.defineProperty(exports, "s3Bucket"') == 30
    assert 'get: function () { return require("./provider"); }' in lazy
    assert 'exports.s3Bucket = require(' not in lazy
    assert lazy.startswith('"use strict";\nexports.s3Bucket = exports.provider = void 0;')


def test_an_unexpected_index_is_left_alone():
    assert engine._lazy_index("module.exports = require('./all');\n") is None


def test_lazy_tarball_rewrites_only_the_index(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "cache" / "jsii"))
    src = tmp_path / "pkg@1.0.0.jsii.tgz"
    files = {"package/lib/index.js": (INDEX * 30).encode(), "package/.jsii": b'{"name": "pkg"}'}
    with tarfile.open(src, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    lazy = engine._lazy_tarball(src)
    assert lazy is not None and lazy.parent == tmp_path / "cache" / "jsii"
    with tarfile.open(lazy) as tar:
        assert tar.extractfile("package/.jsii").read() == files["package/.jsii"]
        assert b"Object.defineProperty" in tar.extractfile("package/lib/index.js").read()
    assert engine._lazy_tarball(src) == lazy                 # made once


def test_providers_load_through_lazy_assemblies():
    engine.aws("s3_bucket")
    module = engine.sys.modules["cdktf_cdktf_provider_aws._jsii"]
    assert ".lazy-" in module.__jsii_assembly__.filename


def test_lazy_tarball_is_reproducible_and_made_once_under_concurrency(tmp_path, monkeypatch):
    import concurrent.futures
    src = tmp_path / "pkg@1.0.0.jsii.tgz"
    data = (INDEX * 30).encode()
    with tarfile.open(src, "w:gz") as tar:
        info = tarfile.TarInfo("package/lib/index.js")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    made = {}
    for run in ("a", "b"):
        monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / run))
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            paths = set(pool.map(lambda _: engine._lazy_tarball(src), range(8)))
        (made[run],) = paths
    assert made["a"].read_bytes() == made["b"].read_bytes()
    assert sorted(p.name for p in made["a"].parent.iterdir()) == [".lock", made["a"].name]


# --- the jsii kernel in one Node process ---------------------------------------------------------
def _fake_jsii_runtime(tmp_path, program: bytes):
    embedded = tmp_path / "embedded"
    embedded.mkdir()
    (embedded / "lib__program.js").write_bytes(program)
    (embedded / "lib__runtime-index-worker.js").write_bytes(b"// worker\n")
    return embedded


def test_the_kernel_runs_in_one_process_on_the_direct_launcher():
    import os
    launcher = engine.kernel_launcher()
    assert launcher.endswith("/bin/mplat-kernel.js"), launcher
    assert "JSII_RUNTIME" not in os.environ          # set only while the kernel started
    program = (engine.Path(launcher).parent.parent / "lib" / "program.js").read_bytes()
    assert program.count(engine._CHANNEL_DIRECT) == 1 and engine._CHANNEL_STOCK not in program


def test_direct_kernel_moves_only_the_api_channel(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "venv"))
    embedded = _fake_jsii_runtime(tmp_path, b"const io=new SyncStdio({errorFD:2,readFD:3,writeFD:3});\n")
    launcher = engine._direct_kernel(embedded)
    assert launcher is not None and launcher.name == "mplat-kernel.js"
    root = launcher.parent.parent
    assert (root / "lib" / "program.js").read_bytes() == \
        b"const io=new SyncStdio({errorFD:2,readFD:0,writeFD:1});\n"
    assert (root / "lib" / "runtime-index-worker.js").read_bytes() == b"// worker\n"
    assert launcher.read_text() == engine._KERNEL_LAUNCHER
    assert engine._direct_kernel(embedded) == launcher                  # made once


def test_direct_kernel_builds_the_serialization_type_message_only_on_failure(tmp_path, monkeypatch):
    """The kernel copy turns computeSerializationType's eager assert(e != null, `...${inspect(e)}`)
    into `e != null || assert(false, ...)` (same check, same error) and says so with a marker; a
    program.js without that line is copied as it is, without the marker."""
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "venv"))
    eager = (b"function computeSerializationType(e,p){if((0,B.default)(null!=e,`Kernel error: "
             b"expected type information, got ${(0,K.inspect)(e)}`),\"void\"===e)return 1}")
    program = b"const io=new SyncStdio({readFD:3,writeFD:3});\n" + eager + b"\n"
    launcher = engine._direct_kernel(_fake_jsii_runtime(tmp_path, program))
    made = (launcher.parent.parent / "lib" / "program.js").read_bytes()
    assert made == (b"const io=new SyncStdio({readFD:0,writeFD:1});\n"
                    b"function computeSerializationType(e,p){if(null!=e||(0,B.default)(!1,`Kernel "
                    b"error: expected type information, got ${(0,K.inspect)(e)}`),\"void\"===e)"
                    b"return 1}\n")
    assert (launcher.parent / engine._LAZY_MESSAGE_MARKER).exists()
    other = tmp_path / "other"
    other.mkdir()
    launcher = engine._direct_kernel(_fake_jsii_runtime(other, b"x({readFD:3,writeFD:3})\n"))
    assert (launcher.parent.parent / "lib" / "program.js").read_bytes() == b"x({readFD:0,writeFD:1})\n"
    assert not (launcher.parent / engine._LAZY_MESSAGE_MARKER).exists()


def test_the_launcher_requires_cdktfs_archiver_on_first_use(tmp_path, monkeypatch):
    """cdktf/lib/private/fs.js's `require("archiver")` gets a proxy: archiver loads at the first
    call (which reaches it with its arguments), and the launcher reports the deferral."""
    import json
    import os
    import subprocess
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "venv"))
    pkg = tmp_path / "cache" / "node_modules" / "cdktf"
    (pkg / "lib" / "private").mkdir(parents=True)
    (pkg / "node_modules" / "archiver").mkdir(parents=True)
    (pkg / "node_modules" / "archiver" / "index.js").write_text(
        "globalThis.archiverLoaded = true;\n"
        "module.exports = (kind, options) => ({kind, level: options.level});\n")
    (pkg / "lib" / "private" / "fs.js").write_text(
        "const archiver = require('archiver');\nexports.zip = () => archiver('zip', {level: 9});\n")
    program = (b"// SyncStdio({readFD:3,writeFD:3})\n"
               b"const fs = require('fs');\n"
               b"const m = require(" + repr(str(pkg / "lib" / "private" / "fs.js")).encode() + b");\n"
               b"const before = !!globalThis.archiverLoaded;\n"
               b"const made = m.zip();\n"
               b"fs.writeSync(1, JSON.stringify({before, after: !!globalThis.archiverLoaded, made}));\n")
    launcher = engine._direct_kernel(_fake_jsii_runtime(tmp_path, program))
    report = tmp_path / "report"
    node = os.environ.get("JSII_NODE", "node")
    proc = subprocess.run([node, str(launcher)], capture_output=True, timeout=60,
                          env={**os.environ, "MPLAT_KERNEL_REPORT": str(report)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"before": False, "after": True,
                                       "made": {"kind": "zip", "level": 9}}
    assert report.read_text() == "lazy-archiver\n"


def _run_launcher(launcher, env):
    import os
    import subprocess
    node = os.environ.get("JSII_NODE", "node")
    proc = subprocess.run([node, str(launcher)], capture_output=True, timeout=60,
                          env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode()


def test_the_kernel_asks_the_launcher_for_tarball_digests_and_it_remembers_them(
        tmp_path, monkeypatch):
    """The kernel copy's digestFile goes through the launcher, which hashes a tarball once and then
    answers from its memo (same digest as the kernel's own sha256), until the file changes; the
    memo is reported; a program.js without that function is copied as it is, without the marker."""
    import hashlib
    import json
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "venv"))
    tarball = tmp_path / "pkg.tgz"
    tarball.write_bytes(b"tarball bytes")
    program = (b"// SyncStdio({readFD:3,writeFD:3})\n"
               b"const crypto = require('crypto'), fs = require('fs');\nlet hashed = 0;\n"
               b"function readFileChunks(e,p,...m){hashed++;const g=crypto.createHash('sha256');"
               b"g.update(fs.readFileSync(e));for(const x of m)g.update('\\0'),g.update(x);"
               b"return g.digest()}\n"
               b"function digestFile(e,...p){return readFileChunks(e,()=>{},...p)}\n"
               b"const file = process.argv[2] || " + repr(str(tarball)).encode() + b";\n"
               b"const a = digestFile(file, 'x').toString('hex');\n"
               b"const b = digestFile(file, 'x').toString('hex');\n"
               b"fs.writeSync(1, JSON.stringify({a, b, hashed}));\n")
    launcher = engine._direct_kernel(_fake_jsii_runtime(tmp_path, program))
    made = (launcher.parent.parent / "lib" / "program.js").read_text()
    assert "function digestFile(e,...p){return globalThis.mplatDigestFile(e,p," in made
    assert (launcher.parent / engine._DIGEST_MARKER).exists()
    want = hashlib.sha256(b"tarball bytes\0x").hexdigest()
    memo, report = tmp_path / "digests", tmp_path / "report"
    memo.mkdir()
    env = {"MPLAT_DIGESTS": str(memo), "MPLAT_KERNEL_REPORT": str(report)}
    assert json.loads(_run_launcher(launcher, env)) == {"a": want, "b": want, "hashed": 1}
    assert report.read_text() == "tarball-digest\n"
    assert [p.read_text() for p in memo.iterdir()] == [want]
    # another process: from the memo, no hashing
    assert json.loads(_run_launcher(launcher, env)) == {"a": want, "b": want, "hashed": 0}
    # the tarball changes: hashed again
    tarball.write_bytes(b"other tarball bytes")
    other = hashlib.sha256(b"other tarball bytes\0x").hexdigest()
    assert json.loads(_run_launcher(launcher, env)) == {"a": other, "b": other, "hashed": 1}
    # no memo directory given: the kernel's own hashing, every time
    assert json.loads(_run_launcher(launcher, {}))["hashed"] == 2

    plain = tmp_path / "plain"
    plain.mkdir()
    launcher = engine._direct_kernel(_fake_jsii_runtime(plain, b"x({readFD:3,writeFD:3})\n"))
    assert not (launcher.parent / engine._DIGEST_MARKER).exists()


def test_the_launcher_compiles_package_modules_from_its_code_cache(tmp_path, monkeypatch):
    """A module under node_modules (and the kernel's program.js) runs as Node's loader runs it
    (exports, require and its resolve, module, __filename, __dirname, `this`), with an entry in
    the code cache written at
    the first process's exit and accepted by V8 in the next (so not rewritten); a module outside
    node_modules is Node's own business; without the cache directory nothing is written."""
    import json
    import os
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "venv"))
    pkg = tmp_path / "tmpdir" / "node_modules" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "dep.js").write_text("module.exports = 'dep';\n")
    (pkg / "index.js").write_text(
        "'use strict';\n"
        "exports.probe = () => ({ dep: require('./dep'), resolved: require.resolve('./dep'),\n"
        "  paths: Array.isArray(require.resolve.paths('x')), cached: require.cache === "
        "require('module')._cache,\n  file: __filename, dir: __dirname, self: this === exports,\n"
        "  id: module.id, strict: (function () { return this; })() === undefined });\n")
    outside = tmp_path / "outside.js"
    outside.write_text("module.exports = 2;\n")
    program = (b"// SyncStdio({readFD:3,writeFD:3})\n"
               b"const probe = require(" + repr(str(pkg / "index.js")).encode() + b").probe();\n"
               b"probe.outside = require(" + repr(str(outside)).encode() + b");\n"
               b"require('fs').writeSync(1, JSON.stringify(probe));\n")
    launcher = engine._direct_kernel(_fake_jsii_runtime(tmp_path, program))
    cache, report = tmp_path / "code-cache", tmp_path / "report"
    cache.mkdir()
    env = {"MPLAT_CODE_CACHE": str(cache), "MPLAT_KERNEL_REPORT": str(report)}
    want = {"dep": "dep", "resolved": str(pkg / "dep.js"), "paths": True, "cached": True,
            "file": str(pkg / "index.js"), "dir": str(pkg), "self": True,
            "id": str(pkg / "index.js"), "strict": True, "outside": 2}
    assert json.loads(_run_launcher(launcher, {})) == want
    assert not list(cache.iterdir())
    assert json.loads(_run_launcher(launcher, env)) == want
    assert report.read_text() == "code-cache\n"
    entries = sorted(cache.iterdir())
    assert len(entries) == 3            # index.js, dep.js and the kernel's program.js; not outside.js
    stamps = {p.name: p.stat().st_mtime_ns for p in entries}
    assert json.loads(_run_launcher(launcher, env)) == want
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps   # accepted by V8
    # an entry V8 rejects (not code-cache data) is compiled as usual and replaced at exit
    victim = entries[0]
    victim.write_bytes(b"not a code cache")
    os.utime(victim, ns=(1, 1))
    assert json.loads(_run_launcher(launcher, env)) == want
    assert victim.read_bytes() != b"not a code cache"


def test_a_lazy_module_is_imported_at_its_first_attribute_read_not_by_import(
        tmp_path, monkeypatch):
    """The stand-in (typeguard's, trick lazy-typeguard) survives `import x` and `import x as y`
    statements without running the module; the first attribute read imports the real module,
    which then replaces it in sys.modules, and reads through the stand-in are forwarded."""
    import importlib.util
    import sys
    pkg = tmp_path / "mplat_probe_lazy"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("import sys\nsys.mplat_probe_ran = True\nVALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "mplat_probe_lazy", raising=False)
    stand_in = engine._LazyModule("mplat_probe_lazy")
    stand_in.__spec__ = importlib.util.find_spec("mplat_probe_lazy")
    monkeypatch.setitem(sys.modules, "mplat_probe_lazy", stand_in)
    import mplat_probe_lazy
    import mplat_probe_lazy as again
    assert mplat_probe_lazy is stand_in and again is stand_in
    assert not getattr(sys, "mplat_probe_ran", False)
    assert mplat_probe_lazy.VALUE == 42
    assert sys.mplat_probe_ran
    real = sys.modules["mplat_probe_lazy"]
    assert real is not stand_in and real.VALUE == 42
    assert stand_in.VALUE == 42                 # forwarded
    del sys.mplat_probe_ran


def test_versions_are_looked_up_once_while_remembered(monkeypatch):
    import importlib.metadata
    calls = []
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: calls.append(name) or f"{name}-1.0")
    monkeypatch.setattr(engine, "_VERSIONS", {})
    real = importlib.metadata.version
    with engine._versions_remembered():
        from importlib.metadata import version
        assert [version("typeguard"), version("typeguard"), version("jsii")] == \
            ["typeguard-1.0", "typeguard-1.0", "jsii-1.0"]
    assert calls == ["typeguard", "jsii"]
    assert importlib.metadata.version is real     # restored


def test_no_thread_sees_a_module_another_is_still_importing(tmp_path, monkeypatch):
    """engine._import holds one lock: a module that the binding-prefetch thread is in the middle
    of running is handed to the main thread only once it has run to the end."""
    import sys
    import threading
    pkg = tmp_path / "mplat_probe_slow"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "import sys, time\nsys.mplat_probe_running.set()\ntime.sleep(0.3)\nDONE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "mplat_probe_slow", raising=False)
    monkeypatch.setattr(sys, "mplat_probe_running", threading.Event(), raising=False)
    other = threading.Thread(target=engine._import, args=("mplat_probe_slow",))
    other.start()
    assert sys.mplat_probe_running.wait(10)      # the other thread is inside the module now
    assert getattr(engine._import("mplat_probe_slow"), "DONE", False)
    other.join()
    monkeypatch.delitem(sys.modules, "mplat_probe_slow")


def test_the_prefetch_thread_imports_each_package_once_its_assembly_is_registered(monkeypatch):
    """In the order given; the AWS modules as soon as the AWS assembly is registered, the
    Kubernetes ones only once that one is; stop_prefetch() ends it before the next module."""
    import threading
    if not engine.LEAN:
        pytest.skip("MPLAT_LEAN_LOADING=0: every trick is off on purpose")
    chosen = engine.selected()
    imported, gate = [], threading.Event()

    def fake_import(name):
        imported.append(name)
        if name.endswith(".b"):
            gate.wait(10)

    monkeypatch.setattr(engine, "_import", fake_import)
    monkeypatch.setattr(engine, "_ASSEMBLY_READY", {})
    monkeypatch.setattr(engine, "_PREFETCHING", [])
    monkeypatch.setattr(engine, "_TRICKS", {})
    engine.prefetch(lambda: [("aws", "a"), ("k8s", "b"), ("k8s", "c")])
    thread = engine._PREFETCHING[0]
    thread.join(0.3)
    assert imported == [] and thread.is_alive()            # no assembly registered yet
    engine._assembly_ready(chosen.aws).set()
    thread.join(0.3)
    assert imported == [f"{chosen.aws}.a"]                # Kubernetes' is not registered yet
    engine._assembly_ready(chosen.k8s).set()
    for _ in range(100):
        if len(imported) == 2:
            break
        thread.join(0.05)
    assert imported == [f"{chosen.aws}.a", f"{chosen.k8s}.b"]
    engine.stop_prefetch()
    gate.set()
    thread.join(10)
    assert not thread.is_alive() and imported == [f"{chosen.aws}.a", f"{chosen.k8s}.b"]
    assert engine.tricks() == {"binding-prefetch": None}


def test_a_process_that_started_the_engine_exits_after_its_exit_hooks_without_teardown(tmp_path):
    """engine.exit_process(code): the exit hooks run (jsii stops its kernel: the Node process is
    gone; a hook of the program's own writes its file), buffered stdout is flushed, the status is
    the command's, and Python's teardown is skipped (an object's __del__ never runs). Without the
    engine started it returns, and the usual exit follows."""
    import os
    import subprocess
    import sys
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import atexit, os, sys\n"
        "from generators import engine\n"
        "class Noisy:\n"
        "    def __del__(self, _open=open, _path=os.environ['OUT'] + '/del'):\n"
        "        with _open(_path, 'w') as fh:\n"
        "            fh.write('teardown ran')\n"
        "keep = Noisy()\n"
        "atexit.register(lambda: open(os.environ['OUT'] + '/hook', 'w').write('hook ran'))\n"
        "if sys.argv[1] == 'started':\n"
        "    engine.start()\n"
        "    from jsii._runtime import kernel\n"
        "    open(os.environ['OUT'] + '/pid', 'w').write(str(kernel.provider._process._process.pid))\n"
        "sys.stdout.write('buffered, no newline')\n"
        "engine.exit_process(3)\n"
        "raise SystemExit(4)\n")
    env = {**os.environ, "OUT": str(tmp_path), "PYTHONPATH": str(engine.ROOT)}
    proc = subprocess.run([sys.executable, str(probe), "started"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert (proc.returncode, proc.stdout) == (3, "buffered, no newline"), proc.stderr
    assert (tmp_path / "hook").read_text() == "hook ran"
    assert not (tmp_path / "del").exists()
    pid = int((tmp_path / "pid").read_text())
    assert not os.path.exists(f"/proc/{pid}") or \
        open(f"/proc/{pid}/stat").read().split()[2] == "Z"        # the kernel is gone
    (tmp_path / "hook").unlink()
    proc = subprocess.run([sys.executable, str(probe), "not-started"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert (proc.returncode, proc.stdout) == (4, "buffered, no newline"), proc.stderr
    assert (tmp_path / "hook").exists() and (tmp_path / "del").read_text() == "teardown ran"


_EARLY_PROBE = (
    "import json, os, sys\n"
    "from mplat.cli import main\n"
    "specs, out, report = sys.argv[1:]\n"
    "rc = main(['synth', specs, '--out', out])\n"
    "from generators import engine\n"
    "early = engine._EARLY.get('process')\n"
    "json.dump({'rc': rc, 'tricks': engine.tricks(), 'started': engine.started(),\n"
    "           'early_pid': early.pid if early else None}, open(report, 'w'))\n")


def _early_probe(specs, out, report, cache, tmpdir=None):
    import json
    import os
    import subprocess
    import sys
    env = {**os.environ, "MPLAT_CACHE_DIR": str(cache), "PYTHONPATH": str(engine.ROOT),
           **({"TMPDIR": str(tmpdir)} if tmpdir else {})}
    proc = subprocess.run([sys.executable, "-c", _EARLY_PROBE, str(specs), str(out), str(report)],
                          cwd=engine.ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(report.read_text())


def test_the_kernel_started_early_is_adopted_or_killed(synth_specs, tmp_path):
    """`mplat synth` that is not a replay starts the kernel while it validates (early-kernel);
    the engine adopts it and the stacks are the same bytes as the fixture's synth. When no stack
    needs building after all (a comment changed: not a replay, every stack cached), the early
    kernel is never adopted and is gone when the process has ended."""
    import os
    import shutil
    if not engine.LEAN:
        pytest.skip("MPLAT_LEAN_LOADING=0: every trick is off on purpose")
    specs = tmp_path / "specs"
    shutil.copytree(engine.ROOT / "specs", specs)
    cache = tmp_path / "cache"
    first = _early_probe(specs, tmp_path / "out1", tmp_path / "r1.json", cache)
    assert first["rc"] == 0 and first["started"] and first["early_pid"] is None
    assert first["tricks"]["early-kernel"] is None
    for stack in synth_specs.stacks:
        name = f"stacks/{stack}/cdk.tf.json"
        assert (tmp_path / "out1" / name).read_bytes() == (synth_specs.out / name).read_bytes()
    spec = sorted(specs.glob("*.yaml"))[0]
    spec.write_text(spec.read_text() + "\n# a comment: not a replay, every stack unchanged\n")
    (tmp_path / "tmpdir").mkdir()
    second = _early_probe(specs, tmp_path / "out2", tmp_path / "r2.json", cache,
                          tmpdir=tmp_path / "tmpdir")
    assert second["rc"] == 0 and not second["started"] and second["early_pid"]
    assert not list((tmp_path / "tmpdir").glob("mplat-kernel-*"))     # its report file removed
    pid = second["early_pid"]
    assert not os.path.exists(f"/proc/{pid}") or \
        open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_a_jsii_node_that_is_not_node_is_one_line_not_a_traceback(tmp_path):
    """JSII_NODE pointing at an executable that is not Node.js: the kernel never says hello, and
    `mplat synth` says so in one line (exit 1) instead of jsii's JSON or broken-pipe traceback."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "JSII_NODE": "/bin/false", "MPLAT_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": str(engine.ROOT)}
    proc = subprocess.run([sys.executable, "-m", "mplat", "synth", "specs", "--out",
                           str(tmp_path / "out")], cwd=engine.ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "mplat: error: the jsii kernel did not start with /bin/false" in proc.stderr


def test_a_discarded_early_kernel_is_killed_and_reaped_in_a_long_lived_process(monkeypatch):
    """discard_early_kernel kills the process and a daemon thread waits for it: no zombie stays
    behind in a process that goes on (pytest, a library user)."""
    import os
    import subprocess
    import sys
    import time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    monkeypatch.setattr(engine, "_EARLY", {"process": child, "loads": 4, "env": {}})
    engine.discard_early_kernel()
    assert engine._EARLY == {}
    for _ in range(200):
        if child.returncode is not None and not os.path.exists(f"/proc/{child.pid}"):
            break
        time.sleep(0.05)
    assert child.returncode == -9 and not os.path.exists(f"/proc/{child.pid}")


def test_optimized_bindings_drop_checks_and_annotations_and_cache_their_own_bytecode(
        tmp_path, monkeypatch):
    """A module imported through engine._import runs without its `if __debug__:` block, keeps its
    annotations as strings, and is cached in a .pyc of its own (never the plain or -O one); where
    that cache cannot be written, the stock import is used and the trick says why."""
    import os
    import sys
    if not engine.LEAN:
        pytest.skip("MPLAT_LEAN_LOADING=0: every trick is off on purpose")
    pkg = tmp_path / "mplat_probe_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "import typing\nCHECKED = []\n"
        "def f(x: typing.Optional[int]) -> int:\n"
        "    if __debug__:\n        CHECKED.append(x)\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(engine, "_TRICKS", {})
    monkeypatch.delitem(sys.modules, "mplat_probe_pkg", raising=False)
    module = engine._import("mplat_probe_pkg")
    assert module.f(3) == 3 and module.CHECKED == []
    assert module.f.__annotations__ == {"x": "typing.Optional[int]", "return": "int"}
    assert sorted(p.name for p in (pkg / "__pycache__").iterdir()) == [
        f"__init__.{sys.implementation.cache_tag}.opt-{engine._BYTECODE_TAG}.pyc"]
    assert engine.tricks() == {"optimized-bindings": None}
    del sys.modules["mplat_probe_pkg"]
    assert engine._import("mplat_probe_pkg").f.__annotations__["x"] == "typing.Optional[int]"

    other = tmp_path / "ro" / "mplat_probe_ro"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "ro"))
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    monkeypatch.delitem(sys.modules, "mplat_probe_ro", raising=False)
    assert engine._import("mplat_probe_ro").X == 1
    assert engine.tricks()["optimized-bindings"].endswith("is not writable")
    del sys.modules["mplat_probe_ro"]


def test_an_unexpected_jsii_runtime_falls_back_to_the_stock_one(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "venv"))
    assert engine._direct_kernel(_fake_jsii_runtime(tmp_path, b"readFD:4,writeFD:4")) is None
    assert not list((tmp_path / "venv").glob("jsii-kernel-*"))


def test_direct_kernel_keeps_printed_output_off_the_api_channel(tmp_path, monkeypatch):
    """What JavaScript prints must never reach the API channel (stdout): the launcher frames it on
    stderr the way the stock relay does, which jsii's Python runtime decodes. Run here with a
    stand-in kernel that writes one API message and prints."""
    import base64
    import json
    import os
    import subprocess
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "venv"))
    program = (b"// SyncStdio({readFD:3,writeFD:3})\n"
               b"require('fs').writeSync(1, JSON.stringify({hello: 'stand-in'}) + '\\n');\n"
               b"console.log('printed by js'); console.error('warned'); process.stdout.write('raw');\n")
    launcher = engine._direct_kernel(_fake_jsii_runtime(tmp_path, program))
    node = os.environ.get("JSII_NODE", "node")
    proc = subprocess.run([node, str(launcher)], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b'{"hello":"stand-in"}\n'
    framed = [json.loads(line) for line in proc.stderr.decode().splitlines()]
    assert framed == [{"stdout": base64.b64encode(b"printed by js\n").decode()},
                      {"stderr": base64.b64encode(b"warned\n").decode()},
                      {"stdout": base64.b64encode(b"raw").decode()}]


def test_fast_struct_serializer_sends_what_jsii_would():
    from jsii._runtime import kernel
    fast = engine.sys.modules["jsii._kernel"]._make_reference_for_native
    stock = engine._STOCK_SERIALIZER
    assert getattr(fast, "__mplat__", False) and stock is not None
    lc = engine.aws("s3_bucket_lifecycle_configuration")
    k8s = engine.k8s("provider")
    values = [
        lc.S3BucketLifecycleConfigurationRule(
            id="r", status="Enabled", filter=[lc.S3BucketLifecycleConfigurationRuleFilter()],
            noncurrent_version_expiration=[
                lc.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=9)]),
        engine.cdktf.TerraformResourceLifecycle(prevent_destroy=True),
        k8s.KubernetesProviderExec(api_version="v1", command="aws", args=["eks", "get-token"]),
        {"nested": [{"a": 1, "b": None, "c": 1.5, "d": True}], "s": "x"},
        ["plain", 3, None],
    ]
    for value in values:
        assert fast(kernel, value) == stock(kernel, value), value


def test_create_requests_are_sent_as_jsii_would_send_them():
    """Every create request of a real stack gives the same JSON through both unstructure hooks."""
    import json

    from jsii._kernel.providers import process
    from jsii._kernel.types import CreateRequest

    fast = engine.sys.modules["jsii._runtime"].kernel.provider._process._serializer \
        ._unstructure_func.dispatch(CreateRequest)
    stock = engine._STOCK_CREATE_REQUEST
    assert stock is not None and fast is not stock
    sent = []
    real_send = process._NodeProcess.send

    def send(self, request, response_type):
        if type(request) is CreateRequest:
            sent.append(request)
        return real_send(self, request, response_type)

    process._NodeProcess.send = send
    try:
        from compiler import pipeline
        from generators.stack import PlatformStack
        app = engine.cdktf.App(stack_traces=False)
        for model in pipeline.run([str(engine.ROOT / "specs")], build_models=True).models:
            PlatformStack(app, model)
    finally:
        process._NodeProcess.send = real_send
    assert len(sent) > 300
    for request in sent:
        assert json.dumps(fast(request), default=process.jdefault) == \
            json.dumps(stock(request), default=process.jdefault), request.fqn


def test_importing_the_seam_is_free():
    """Importing generators.engine (and generators.app) starts nothing: no engine module, no Node,
    no JSII_NODE; engine.start() does it."""
    import engineprobe
    result = engineprobe.probe(
        "import os\nfrom generators import app, engine\n"
        "assert not engine.started() and not os.environ.get('JSII_NODE'), 'started on import'\n",
        env={"JSII_NODE": ""})
    assert result.returncode == 0, result
    engineprobe.assert_engine_not_loaded(result)


def test_a_kernel_started_before_the_engine_is_not_started_twice(tmp_path):
    """bench/profile.py starts the kernel, then the engine: the second `_start_kernel` must do
    nothing, or it opens a report file the running kernel never writes, leaves the first one
    behind, and warns that lazy-archiver fell back when it took effect."""
    import json
    import os
    import subprocess
    import sys
    if not engine.LEAN:
        pytest.skip("MPLAT_LEAN_LOADING=0: every trick is off on purpose")
    program = ("import json, sys\nfrom generators import engine\nfrom generators.runtime import "
               "node_for_jsii\nnode_for_jsii()\nengine._start_kernel()\nengine._start_kernel()\n"
               "engine.start()\nprint(json.dumps(engine.tricks()))\n")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "MPLAT_ENGINE": "cdktf"}
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120, cwd=engine.ROOT,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    assert "fell back" not in proc.stderr
    tricks = json.loads(proc.stdout.splitlines()[-1])
    assert tricks["lazy-archiver"] is None and tricks["direct-kernel"] is None, tricks
    assert not list(tmp.glob("mplat-kernel-*.report"))


def test_a_kernel_something_else_started_is_reported_as_the_stock_one():
    """constructs imported before the engine starts the stock kernel: the direct-kernel trick must
    say it fell back, not that it took effect."""
    import json
    import os
    import subprocess
    import sys
    if not engine.LEAN:
        pytest.skip("MPLAT_LEAN_LOADING=0: every trick is off on purpose")
    program = ("import json\nfrom generators import engine\nfrom generators.runtime import "
               "node_for_jsii\nnode_for_jsii()\nimport constructs\nengine.start()\n"
               "print(json.dumps(engine.tricks()))\n")
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120, cwd=engine.ROOT, env={**os.environ, "MPLAT_ENGINE": "cdktf"})
    assert proc.returncode == 0, proc.stderr
    tricks = json.loads(proc.stdout.splitlines()[-1])
    assert "started before the engine" in tricks["direct-kernel"], tricks
    assert proc.stderr.count("'direct-kernel' fell back") == 1
