"""The one seam between mplat and the CDK engine (over jsii) and its provider bindings.

Two engines: CDK for Terraform (``cdktf``, the default) and CDK Terrain (``cdktn``, its
continuation, a rename), chosen by ``MPLAT_ENGINE``; ``runtime.ENGINES`` names their packages.
Nothing else in the project imports either engine, ``constructs``, ``jsii`` or a provider package:
generators use ``engine.cdktf`` (the selected engine's core library, whatever its name),
``engine.Construct``, ``engine.aws("s3_bucket")`` and ``engine.k8s("deployment_v1")``. This is
also where the start-up tricks live, each reporting whether it took effect (``tricks()``). Importing this
module is free (it only defines names): ``start()`` (or the first use of ``engine.cdktf``,
``engine.Construct``, ``engine.aws`` or ``engine.k8s``) does the work below, once per process:

* **Node for jsii.** jsii runs a Node process: ``runtime.node_for_jsii`` picks it (``JSII_NODE``,
  else the repository's npm package ``node``, a supported Node 22, else ``node`` on the PATH) or
  says in one line that there is none; the end-of-life banner of a system Node 20 is silenced as a
  fallback so that output stays clean.
* **Lean provider loading.** The prebuilt provider packages import all ~2,200 submodules in their
  ``__init__`` (10-15 s, ~1 GB). Here the package is registered as a bare module object whose
  ``__path__`` points at the installed package, without running its ``__init__``; then only the
  submodules in use are imported. Each submodule loads the package's jsii assembly through
  ``<package>._jsii`` itself, so the result is the same classes and the same output.
* **Cheaper round trips** (each engine call is one): the jsii kernel runs in the one Node process
  jsii starts rather than behind a relay process, cdktf's per-token stack traces are not recorded,
  structs are serialized from their values, and create requests skip a second serialization
  pass. The sections below say how, and what falls back.
* **Deferred archiver.** cdktf loads ``archiver`` (~40 modules) for assets mplat never makes; the
  launcher requires it on first use.
* **The kernel started while the specs are validated.** ``mplat synth``, once it knows the run is
  not a replay, starts the kernel process and sends it the first assembly loads; the engine adopts
  it (``start_kernel_early``), or it is killed when no stack needs building.
* **Binding modules imported beside the kernel.** A thread imports the binding modules the
  generators name while the main thread waits on the kernel (the GIL is free then).
* **A prompt end.** jsii's exit hook polls for the kernel's exit every millisecond instead of
  with sleeps doubling to 50 ms, and an entry point that started the engine ends its process
  after the exit hooks without Python's teardown of the bindings (``exit_process``).
* **Remembered tarball digests and compiled JavaScript.** The kernel hashes each package's tarball
  (~75 MB) at every start to find its extracted copy; the launcher remembers each digest by the
  file's identity (path, size, mtime, inode). And each package module is compiled from a V8 code
  cache keyed by its content's hash, instead of parsed again by every process.
* **No Python argument checks.** The core and binding modules are compiled as under ``python -O``
  (their ``if __debug__:`` typeguard checks dropped) and with postponed annotations (not built at
  import), in any interpreter, cached in a ``.pyc`` of their own. typeguard, which only those
  checks use, is imported at its first use (never, in a synth), and the version lookup each module
  makes for it is answered once.

``MPLAT_LEAN_LOADING=0`` turns every trick off: the reference that the output must match.
"""
from __future__ import annotations

import __future__
import contextlib
import fcntl
import gzip
import hashlib
import importlib
import importlib.machinery
import importlib.util
import io
import os
import re
import shutil
import sys
import tarfile
import tempfile
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path

from .runtime import ENGINES, TRICK_WARNING, Engine, EngineUnavailable, engine_installed, \
    node_for_jsii, selected_engine

ROOT = Path(__file__).resolve().parent.parent

# MPLAT_LEAN_LOADING=0 imports provider packages the usual way (their __init__ and all ~2,200
# submodules) and runs the stock jsii kernel: slow, but the reference that every trick here must
# match byte for byte (a test does).
LEAN = os.environ.get("MPLAT_LEAN_LOADING", "1") != "0"


def _lazy_dir() -> Path:
    """Where derived runtime files live: beside the installed packages they derive from (the venv)."""
    return Path(os.environ.get("MPLAT_JSII_DIR") or Path(sys.prefix) / "mplat-jsii")


def _make_once(target: Path, build, *, directory: bool = False) -> Path | None:
    """Make ``target`` (a derived runtime file or directory) once; None when it cannot be made.

    Under a lock beside it (synth workers start together): ``build(tmp)`` fills a temporary file or
    directory and returns whether it succeeded; that then replaces ``target`` atomically. Never
    replaced once there: the jsii kernel refuses a tarball that changes while it reads it.
    """
    if target.exists():
        return target
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.parent / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if target.exists():
                return target
            if directory:
                tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".make-"))
            else:
                fd, name = tempfile.mkstemp(dir=target.parent, prefix=".make-")
                os.close(fd)
                tmp = Path(name)
            if not build(tmp):
                return None
            os.replace(tmp, target)
            tmp = None
            return target
    except (OSError, tarfile.TarError, UnicodeDecodeError):
        return None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True) if directory else tmp.unlink(missing_ok=True)


# --- the jsii kernel in one Node process ---------------------------------------------------------
# jsii's stock runtime (bin/jsii-runtime.js) starts a second Node process for the kernel and relays
# every request and response between the two over pipes: ~80 round trips a stack, each crossing two
# processes. jsii lets the host choose the runtime script (JSII_RUNTIME). Here that script runs the
# same kernel (jsii's own lib/program.js, copied once per venv with its API channel moved from fd 3
# to stdin/stdout) in the process Python started, and frames what JavaScript prints on stderr the
# way the stock relay does ({"stdout"|"stderr": base64}), which the Python runtime decodes. It also
# stops cdktf from recording a full JavaScript stack trace in every token it creates: cdktf quotes
# that trace only in token resolution errors, and it was ~15 % of the kernel's time. If jsii's
# program.js does not have the expected shape, the stock runtime is used.
_KERNEL_FORMAT = "mplat-direct-kernel-v3"
# The kernel's computeSerializationType builds the message of an assertion eagerly:
# assert(e != null, `... got ${inspect(e)}`) runs util.inspect on a type reference every time it is
# called (the kernel's type-reference cache misses for the literal {type: ...} it is given per
# value), ~1.5 % of the kernel process's time. The launcher's copy builds that message only when the
# assertion fails: `e != null || assert(false, `...`)`, the same check and the same error. Where
# program.js has no such line (another jsii release), the copy keeps it (trick "kernel-lazy-message").
_EAGER_ASSERT = re.compile(
    rb"\(0,(\w+)\.default\)\(null!=e,(`Kernel error: expected type information, got "
    rb"\$\{\(0,\w+\.inspect\)\(e\)\}`)\)")
_LAZY_MESSAGE_MARKER = "mplat-lazy-message"
# The kernel finds a package's extracted copy in its cache by the sha256 of the package's tarball,
# which it computes at every load (75 MB for cdktf and the two providers: ~60 ms of each process's
# start, on the critical path). The kernel copy asks the launcher's mplatDigestFile instead, which
# remembers each digest under the tarball's identity, as Python's bytecode cache trusts a source's
# size and mtime (trick "tarball-digest"); a program.js without that function keeps hashing.
_DIGEST_FILE = re.compile(
    rb"function digestFile\((\w+),\.\.\.(\w+)\)\{return readFileChunks\(\1,\(\)=>\{\},\.\.\.\2\)\}")
_DIGEST_MARKER = "mplat-digest-memo"
_CHANNEL_STOCK = b"readFD:3,writeFD:3"
_CHANNEL_DIRECT = b"readFD:0,writeFD:1"
_KERNEL_LAUNCHER = r"""'use strict';
// mplat's jsii kernel launcher, written by mplat's generators/engine.py (see there): the jsii
// kernel in this process, on stdin/stdout.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const { Writable } = require('stream');

// stdin/stdout carry the jsii API: what JavaScript prints goes to stderr, framed as the stock
// runtime's relay does. The real stdio streams are never created (that would make fd 0 non-blocking).
for (const name of ['stdout', 'stderr']) {
  const stream = new Writable({
    write(chunk, encoding, callback) {
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), encoding);
      fs.writeSync(2, JSON.stringify({ [name]: data.toString('base64') }) + '\n');
      callback();
    },
  });
  Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
}

// The stock runtime starts its kernel with --preserve-symlinks, and the kernel then symlinks each
// package from its cache instead of copying its tree; Python sets the flag in NODE_OPTIONS (where
// the module loader sees it), and the kernel looks for it in execArgv.
if (/(^|\s)--preserve-symlinks(\s|$)/.test(process.env.NODE_OPTIONS || '')
    && !process.execArgv.includes('--preserve-symlinks')) {
  process.execArgv.push('--preserve-symlinks');
}

// What took effect is reported once per trick, a line in $MPLAT_KERNEL_REPORT (Python reads it).
const reported = new Set();
function report(trick) {
  if (reported.has(trick) || !process.env.MPLAT_KERNEL_REPORT) return;
  reported.add(trick);
  try { fs.appendFileSync(process.env.MPLAT_KERNEL_REPORT, `${trick}\n`); } catch (e) { }
}

// Tarball digests (trick "tarball-digest"): the kernel copy's digestFile asks here. A digest is
// remembered under the tarball's identity (absolute path, size, mtime, inode, device) and the
// kernel's extra inputs, in $MPLAT_DIGESTS; anything unexpected computes it as the kernel would.
const DIGESTS = process.env.MPLAT_DIGESTS;
globalThis.mplatDigestFile = function (file, extra, compute) {
  if (!DIGESTS) return compute();
  let memo;
  try {
    const st = fs.statSync(file, { bigint: true });
    const identity = JSON.stringify([path.resolve(file), String(st.size), String(st.mtimeNs),
                                     String(st.ino), String(st.dev), extra.map(String)]);
    memo = path.join(DIGESTS, crypto.createHash('sha256').update(identity).digest('hex'));
    const known = fs.readFileSync(memo, 'latin1');
    if (/^[0-9a-f]{64}$/.test(known)) {
      report('tarball-digest');
      return Buffer.from(known, 'hex');
    }
  } catch (e) { }
  const digest = compute();
  if (memo !== undefined && Buffer.isBuffer(digest) && digest.length === 32) {
    try {
      const tmp = `${memo}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, digest.toString('hex'));
      fs.renameSync(tmp, memo);
      report('tarball-digest');
    } catch (e) { }
  }
  return digest;
};

// Compiled JavaScript (trick "code-cache"): a package module (under node_modules, CommonJS) and the
// kernel's own lib/program.js are compiled with V8's code cache for their content, kept in
// $MPLAT_CODE_CACHE under the hash of the Node version and the content (never the file name: the
// kernel loads each package from a new temporary directory, which is also why Node's own compile
// cache never hits). A module without an
// entry, or whose entry V8 rejects, is compiled as usual, and its entry is written at exit, when it
// also holds the functions compiled while running. It runs as Node's own loader runs it: the same
// wrapper arguments, and require() built as Node builds it. Anything that does not compile this way
// (an ES module, a hashbang) is left to Node.
const CODE_CACHE = process.env.MPLAT_CODE_CACHE;
const KERNEL_PROGRAM = path.resolve(__dirname, '..', 'lib', 'program.js');   // the kernel itself
const compileModule = Module.prototype._compile;
if (CODE_CACHE) {
  const vm = require('vm');
  const dynamicImport = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const pending = [];
  Module.prototype._compile = function (content, filename, format) {
    if ((format !== undefined && format !== 'commonjs')
        || !(filename.includes(`${path.sep}node_modules${path.sep}`) || filename === KERNEL_PROGRAM)) {
      return compileModule.apply(this, arguments);
    }
    const entry = path.join(CODE_CACHE, crypto.createHash('sha1')
      .update(process.version).update('\0').update(content).digest('hex'));
    let cachedData;
    try { cachedData = fs.readFileSync(entry); } catch (e) { }
    let script;
    try {
      script = new vm.Script(Module.wrap(content), {
        filename, cachedData, importModuleDynamically: dynamicImport });
    } catch (e) {
      return compileModule.apply(this, arguments);
    }
    if (cachedData === undefined || script.cachedDataRejected) pending.push([entry, script]);
    report('code-cache');
    const mod = this;
    const require = function require(id) { return mod.require(id); };
    require.resolve = function resolve(request, options) {
      return Module._resolveFilename(request, mod, false, options);
    };
    require.resolve.paths = function paths(request) {
      return Module._resolveLookupPaths(request, mod);
    };
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    const wrapper = script.runInThisContext({ displayErrors: true });
    return Reflect.apply(wrapper, this.exports,
                         [this.exports, require, this, filename, path.dirname(filename)]);
  };
  process.on('exit', () => {
    for (const [entry, script] of pending) {
      const tmp = `${entry}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, entry);
      } catch (e) {
        try { fs.unlinkSync(tmp); } catch (e2) { }
      }
    }
  });
}

// The engine's creation stack (cdktf: captureStackTrace(), cdktn: captureCreationStack(), which
// the token classes call through the module's exports) is recorded for every token and only
// quoted in resolution errors.
const STACK_TRACE = /[\/](cdktf|cdktn)[\/]lib[\/]tokens[\/]private[\/]stack-trace\.js$/;
const NOT_RECORDED = () => ['(creation stack not recorded: set MPLAT_LEAN_LOADING=0)'];
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  const result = compile.apply(this, arguments);
  if (STACK_TRACE.test(filename)) {
    for (const name of ['captureStackTrace', 'captureCreationStack']) {
      if (typeof this.exports[name] === 'function') this.exports[name] = NOT_RECORDED;
    }
  }
  return result;
};

// cdktf's lib/private/fs.js requires archiver (and its ~40 modules: ~40 ms) when the engine loads,
// for zipping assets, which mplat never makes: it is required on first use instead, behind a proxy
// that forwards calls and property reads. Each deferral is reported in $MPLAT_KERNEL_REPORT.
const ARCHIVER_USER = /[\/](cdktf|cdktn)[\/]lib[\/]private[\/]fs\.js$/;
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request !== 'archiver' || !parent || !ARCHIVER_USER.test(parent.filename || '')) {
    return load.apply(this, arguments);
  }
  let real;
  const get = () => real || (real = load.call(Module, request, parent, isMain));
  report('lazy-archiver');
  return new Proxy(function archiver() {}, {
    apply: (target, self, args) => Reflect.apply(get(), self, args),
    construct: (target, args) => Reflect.construct(get(), args),
    get: (target, name) => get()[name],
    has: (target, name) => name in get(),
  });
};

require('../lib/program.js');
"""


def _direct_kernel(embedded: Path | None = None) -> Path | None:
    """The launcher of a one-process jsii kernel, made once per venv (None: use the stock one).
    ``embedded``: jsii's runtime files (default: those of the installed jsii package)."""
    if embedded is None:
        spec = importlib.util.find_spec("jsii")           # does not import jsii
        if spec is None or spec.origin is None:
            return None
        embedded = Path(spec.origin).parent / "_embedded" / "jsii"
    sources = {"lib/program.js": embedded / "lib__program.js",
               "lib/runtime-index-worker.js": embedded / "lib__runtime-index-worker.js"}
    try:
        stats = [(name, path.stat()) for name, path in sources.items()]
    except OSError:
        return None
    stats = [f"{name}:{st.st_size}:{st.st_mtime_ns}" for name, st in stats]
    key = hashlib.sha256("\0".join([_KERNEL_FORMAT, _KERNEL_LAUNCHER, *stats]).encode()) \
        .hexdigest()[:16]
    root = _lazy_dir() / f"jsii-kernel-{key}"

    def build(tmp: Path) -> bool:
        files = {name: path.read_bytes() for name, path in sources.items()}
        program = files["lib/program.js"]
        if program.count(_CHANNEL_STOCK) != 1:
            return False
        program = program.replace(_CHANNEL_STOCK, _CHANNEL_DIRECT)
        lazy, count = _EAGER_ASSERT.subn(rb"null!=e||(0,\1.default)(!1,\2)", program)
        files["bin/mplat-kernel.js"] = _KERNEL_LAUNCHER.encode()
        if count == 1:
            program = lazy
            files[f"bin/{_LAZY_MESSAGE_MARKER}"] = b"computeSerializationType\n"
        memo, count = _DIGEST_FILE.subn(
            rb"function digestFile(\1,...\2){return globalThis.mplatDigestFile(\1,\2,"
            rb"()=>readFileChunks(\1,()=>{},...\2))}", program)
        if count == 1:
            program = memo
            files[f"bin/{_DIGEST_MARKER}"] = b"digestFile\n"
        files["lib/program.js"] = program
        for name, data in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data)
        return True

    made = _make_once(root, build, directory=True)
    return None if made is None else made / "bin" / "mplat-kernel.js"


# --- each trick reports whether it took effect -----------------------------------------------------
# A trick that falls back (an engine or jsii release whose files no longer have the shape it
# expects) keeps the output the same but makes synthesis several times slower. So each one records
# here whether it took effect, a test fails when any falls back with either engine's pinned
# versions, and at run time a fallback prints one warning line per trick and process.
_TRICKS: dict[str, str | None] = {}      # trick -> None (took effect) or why it fell back


def _trick(name: str, fell_back: str | None = None) -> None:
    if fell_back is None:
        _TRICKS.setdefault(name, None)
        return
    if _TRICKS.get(name) is None:
        sys.stderr.write(f"{TRICK_WARNING} {name!r} fell back ({fell_back}): synthesis is slower, "
                         "its output the same\n")
        sys.stderr.flush()
    _TRICKS[name] = fell_back


def tricks() -> dict[str, str | None]:
    """What each speed trick did in this process so far: None when it took effect, else why it
    fell back; empty with MPLAT_LEAN_LOADING=0 (every trick off, on purpose) or before the start."""
    return dict(_TRICKS)


def _check_creation_stack(core) -> None:
    """The launcher replaces the engine's creation-stack capture; a token made now tells whether it
    did (one round trip: Token.asAny(1) is an Intrinsic, which records its creation stack)."""
    try:
        stack = list(core.Token.as_any(1).creation_stack)
    except Exception as error:    # a check: a failure is a fallback, never fatal
        _trick("creation-stack", f"no creation stack to check: {type(error).__name__}")
        return
    if len(stack) == 1 and stack[0].startswith("(creation stack not recorded"):
        _trick("creation-stack")
    else:
        _trick("creation-stack", "the engine's stack-trace module was not patched")


_KERNEL_REPORT: str | None = None    # where the launcher reports what took effect (see there)
_KERNEL_STARTED = False               # _start_kernel has run in this process
# the launcher's caches: environment variable, directory under _lazy_dir(), trick
_KERNEL_CACHES = (("MPLAT_DIGESTS", "digests", "tarball-digest"),
                  ("MPLAT_CODE_CACHE", "code-cache", "code-cache"))
_KERNEL_CACHE_MISSING: dict[str, str] = {}    # trick -> why its cache is not used


def _kernel_cache(sub: str) -> Path | None:
    """The launcher's cache directory ``sub`` (private to its owner, like jsii's package cache),
    made if need be; None when it cannot be written."""
    where = _lazy_dir() / sub
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return where if os.access(where, os.W_OK | os.X_OK) else None


def _check_kernel_report(engine: Engine) -> None:
    """What the launcher reported by the time the core library is loaded: the deferral of
    cdktf's archiver (trick "lazy-archiver"; cdktn's lib/private/fs.js does not require it: nothing
    to defer there), a remembered or newly remembered tarball digest ("tarball-digest": constructs'
    and the core's tarballs were digested by then) and a module compiled through the code cache
    ("code-cache")."""
    global _KERNEL_REPORT
    if _KERNEL_REPORT is None:
        return
    try:
        with open(_KERNEL_REPORT) as fh:
            took_effect = set(fh.read().split())
        os.unlink(_KERNEL_REPORT)
    except OSError:
        took_effect = set()
    _KERNEL_REPORT = None
    if "lazy-archiver" in took_effect:
        _trick("lazy-archiver")
    elif engine.name == "cdktf":
        _trick("lazy-archiver", "cdktf's lib/private/fs.js did not require archiver when it loaded")
    for _, _, trick in _KERNEL_CACHES:
        if trick in _KERNEL_CACHE_MISSING:
            _trick(trick, _KERNEL_CACHE_MISSING[trick])
        elif trick in took_effect:
            _trick(trick)
        else:
            _trick(trick, "the kernel loaded the engine without it")


# jsii stops its kernel at exit (an atexit hook): it writes {"exit":0}, closes the kernel's stdin
# and waits with Popen.wait(timeout=5), which polls with sleeps doubling up to 50 ms. Node exits
# ~10 ms after the request, and the operating system takes ~25 ms more to tear down its heap, so
# the poll noticed it ~30 ms late (strace of a cold synth: exit at +35 ms, noticed at +65 ms).
# Lean, the hook first does the same request and close and then polls every millisecond (same
# 5 s limit), and then runs jsii's own stop, which finds the process gone (trick "prompt-exit").
_KERNEL_EXIT_WAIT = 5.0


def _prompt_exit() -> None:
    from jsii._kernel.providers import process as jsii_process
    node = getattr(jsii_process, "_NodeProcess", None)
    stock = getattr(node, "stop", None)
    if stock is None:
        return _trick("prompt-exit", "jsii's process provider has no _NodeProcess.stop")
    _trick("prompt-exit")
    if getattr(stock, "__mplat__", False):
        return

    def stop(self) -> None:
        process = getattr(self, "_process", None)
        if process is not None and process.stdin is not None and not process.stdin.closed:
            try:
                process.stdin.write(b'{"exit":0}\n')
                process.stdin.close()
            except OSError:       # the kernel is gone already: jsii's stop deals with that
                pass
            deadline = time.monotonic() + _KERNEL_EXIT_WAIT
            while process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
        return stock(self)

    stop.__mplat__ = True
    node.stop = stop        # before the kernel starts: jsii registers `self.stop` with atexit


def _kernel_environment(launcher: Path) -> dict[str, str | None]:
    """What the environment of a direct kernel's start changes (None: unset): a new report file
    (_KERNEL_REPORT), the launcher's caches, JSII_RUNTIME, and --preserve-symlinks."""
    global _KERNEL_REPORT
    fd, _KERNEL_REPORT = tempfile.mkstemp(prefix="mplat-kernel-", suffix=".report")
    os.close(fd)
    changes: dict[str, str | None] = {"MPLAT_KERNEL_REPORT": _KERNEL_REPORT}
    _KERNEL_CACHE_MISSING.clear()
    for var, sub, trick in _KERNEL_CACHES:
        changes[var] = None
        where = _kernel_cache(sub)
        if trick == "tarball-digest" and not (launcher.parent / _DIGEST_MARKER).exists():
            _KERNEL_CACHE_MISSING[trick] = "jsii's lib/program.js has no digestFile to ask"
        elif where is None:
            _KERNEL_CACHE_MISSING[trick] = f"{_lazy_dir() / sub} cannot be written"
        else:
            changes[var] = str(where)
    changes["JSII_RUNTIME"] = str(launcher)
    changes["NODE_OPTIONS"] = " ".join(filter(None, [os.environ.get("NODE_OPTIONS"),
                                                     "--preserve-symlinks"]))
    return changes


# --- the kernel started while the specs are validated ----------------------------------------------
# A cold synth validates its specs (~0.2 s of Python: mostly importing jsonschema and the rules)
# and only then starts the engine, whose first ~0.25 s is mostly Node: starting, then loading the
# constructs, core, AWS and Kubernetes assemblies, one request at a time while Python waits.
# Once the cache says the run is not a replay (its specs or code changed: stacks will most likely
# be built), `mplat synth` calls start_kernel_early(): the kernel process jsii would start is
# started now, with the same command and environment, and sent those four load requests at once;
# Node works through them on the other core while Python validates. When the engine starts, jsii's
# _NodeProcess.start adopts that process (its hello, then the four answers, read and dropped), and
# jsii's own load requests find each assembly loaded (the kernel answers at once). A kernel that
# is not needed after all (every stack cached, an invalid spec, worker processes) is killed.
_EARLY: dict = {}      # {"process": Popen, "loads": n, "env": changes} while not adopted


def _early_loads(chosen: Engine) -> list[dict]:
    """The load requests jsii will send first, in its order (constructs, the core, the AWS and
    Kubernetes bindings' lazy tarballs), as far as they can be known without importing anything
    (a package's `find_spec` alone does not run it); only lazy tarballs already made."""
    loads = []
    for package in ("constructs", chosen.core, chosen.aws, chosen.k8s):
        assembly = _assembly(package)
        if assembly is None:
            break
        npm_name, version, tarball = assembly
        if package in (chosen.aws, chosen.k8s):
            tarball = _lazy_target(tarball)
            if not tarball.exists():
                break
        loads.append({"api": "load", "name": npm_name, "version": version,
                      "tarball": str(tarball)})
    return loads


def start_kernel_early() -> None:
    """Start the kernel process now and send it the first assembly loads (see above); lean, once,
    before the engine starts. Anything unexpected: nothing is started (the engine starts as usual)."""
    if not LEAN or _KERNEL_STARTED or _EARLY or "JSII_RUNTIME" in os.environ \
            or "constructs" in sys.modules:
        return
    try:
        chosen = selected()
        if not engine_installed(chosen):
            return
        node = node_for_jsii()
    except EngineUnavailable:
        return
    launcher = _direct_kernel()
    loads = _early_loads(chosen) if launcher is not None else []
    if not loads:
        return
    import json
    import platform
    import subprocess
    changes = _kernel_environment(launcher)
    env = {**os.environ, "JSII_AGENT": f"Python/{platform.python_version()}"}
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    try:     # the command jsii's _NodeProcess.start runs
        process = subprocess.Popen([node, "--max-old-space-size=4069", str(launcher)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=env)
        process.stdin.write(b"".join(json.dumps(load).encode() + b"\n" for load in loads))
        process.stdin.flush()
    except OSError as error:
        _trick("early-kernel", f"the kernel could not be started early: {error}")
        return
    _EARLY.update(process=process, loads=len(loads), env=changes)
    import atexit
    atexit.register(discard_early_kernel)


def discard_early_kernel() -> None:
    """Kill the early kernel if the engine has not adopted it. Nothing of it is needed, so nobody
    waits for it: a daemon thread reaps it (a long-lived process keeps no zombie)."""
    global _KERNEL_REPORT
    process = _EARLY.pop("process", None)
    _EARLY.clear()
    if process is None:
        return
    if _KERNEL_REPORT is not None and not _KERNEL_STARTED:   # the report file made for it
        try:
            os.unlink(_KERNEL_REPORT)
        except OSError:
            pass
        _KERNEL_REPORT = None
    try:
        process.kill()
    except OSError:
        pass
    for pipe in (process.stdin, process.stdout, process.stderr):
        try:
            pipe.close()
        except OSError:
            pass
    threading.Thread(target=process.wait, name="mplat-early-kernel-reaper", daemon=True).start()


def _adopt_early_kernel() -> None:
    """jsii's next _NodeProcess.start adopts the early kernel (once)."""
    from jsii._kernel.providers import process as jsii_process
    node = jsii_process._NodeProcess
    stock = node.start
    early = dict(_EARLY)
    _EARLY.clear()

    def start(self) -> None:
        node.start = stock
        process = early["process"]
        if process.poll() is not None:     # it died: jsii starts its own
            _trick("early-kernel", f"the early kernel exited ({process.returncode})")
            return stock(self)
        self._process = process
        self.sink_thread = threading.Thread(name="process.stderr_sink",
                                            target=jsii_process.stderr_sink,
                                            args=(process.stderr,), daemon=True)
        self.sink_thread.start()
        import atexit
        atexit.register(self.stop)
        self.handshake()
        for _ in range(early["loads"]):
            self._next_message()          # the early loads' answers (jsii loads each again)
        _trick("early-kernel")

    node.start = start


def _start_kernel() -> None:
    """Import the engine; its first assembly load starts the kernel (with the direct launcher when
    lean). The environment is changed only for that start, so that it never leaks into other
    processes: JSII_RUNTIME, and --preserve-symlinks in NODE_OPTIONS, which the stock runtime passes
    to its kernel process (with it, the kernel symlinks each cached package into place instead of
    hard-linking its ~10,000 files and deleting them all again at exit: ~1 s a process).
    A second call does nothing: it would otherwise open a second report file that the running
    kernel never writes, and the lazy-archiver check would read that one and warn of a fallback
    that did not happen (bench/profile.py starts the kernel first and then the engine). A kernel
    that something else started (``constructs`` imported before the engine) is the stock one: the
    direct-kernel trick says so instead of claiming it took effect."""
    global _KERNEL_STARTED
    if _KERNEL_STARTED:
        return
    _KERNEL_STARTED = True
    if "constructs" in sys.modules:
        discard_early_kernel()
        if LEAN:
            _trick("direct-kernel", "the kernel was started before the engine (constructs was "
                                    "imported first)")
        return
    launcher = _direct_kernel() if LEAN and "JSII_RUNTIME" not in os.environ else None
    if LEAN:
        _trick("direct-kernel", None if launcher is not None else
               "JSII_RUNTIME is set" if "JSII_RUNTIME" in os.environ else
               "jsii's lib/program.js does not have the expected shape")
        if launcher is not None:
            _trick("kernel-lazy-message", None if (launcher.parent / _LAZY_MESSAGE_MARKER).exists()
                   else "jsii's lib/program.js has no eager computeSerializationType assertion")
    saved = {name: os.environ.get(name) for name in ("JSII_RUNTIME", "NODE_OPTIONS",
                                                     "MPLAT_KERNEL_REPORT",
                                                     *(var for var, _, _ in _KERNEL_CACHES))}
    if launcher is not None:
        changes = _EARLY["env"] if _EARLY else _kernel_environment(launcher)
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    elif _EARLY:
        discard_early_kernel()
    if LEAN:
        _lazy_typeguard()
        _prompt_exit()
        if _EARLY:
            _adopt_early_kernel()
    try:
        with _versions_remembered() if LEAN else contextlib.nullcontext():
            import constructs  # noqa: F401  (loads the first assembly: the kernel starts here)
    except (ValueError, OSError) as error:
        # the process jsii started did not answer as a jsii kernel (JSII_NODE is not Node.js, or
        # one too old to run it): one line, not jsii's JSON or pipe traceback
        node = os.environ.get("JSII_NODE") or "node"
        raise EngineUnavailable(f"the jsii kernel did not start with {node} "
                                f"({type(error).__name__}: {error}): JSII_NODE must be Node.js 20 "
                                "or later") from error
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value



# --- struct serialization ------------------------------------------------------------------------
# jsii's Python runtime serializes a struct argument (every resource's config, every nested block)
# by calling each of the struct's property getters, and each getter builds `typing` generics to cast
# its value: ~1,600 calls a stack, a fifth of mplat's Python time. A generated struct keeps its
# values in `_values` (python name -> value), which is what those getters return; this serializer
# reads them there and hands everything else (and every non-generated class) to jsii's own. Same
# requests to the kernel, byte for byte (the golden snapshots and MPLAT_LEAN_LOADING=0 prove it).
_STOCK_SERIALIZER = None      # jsii's own, once replaced (tests compare the two)


def _fast_struct_serializer() -> None:
    import enum

    from jsii import _kernel

    global _STOCK_SERIALIZER
    stock = getattr(_kernel, "_make_reference_for_native", None)
    if stock is None:
        _trick("struct-serializer", "jsii._kernel has no _make_reference_for_native")
        return
    _trick("struct-serializer")
    if getattr(stock, "__mplat__", False):
        return
    _STOCK_SERIALIZER = stock
    plain = (str, int, float, bool, type(None))

    def serialize(kernel, value):
        kind = type(value)
        if kind in plain:
            return value
        if kind is dict:
            return {"$jsii.map": {k: serialize(kernel, v) for k, v in value.items()}}
        if kind is list:
            return [serialize(kernel, item) for item in value]
        mapping = getattr(kind, "__jsii_name_mapping__", None)
        fqn = getattr(kind, "__jsii_type__", None)
        values = getattr(value, "__dict__", {}).get("_values")
        if mapping is not None and fqn is not None and type(values) is dict \
                and not isinstance(value, enum.Enum):
            return {"$jsii.struct": {"fqn": fqn, "data": {
                jsii_name: serialize(kernel, values.get(python_name))
                for python_name, jsii_name in mapping.items()}}}
        return stock(kernel, value)

    serialize.__mplat__ = True
    _kernel._make_reference_for_native = serialize     # looked up by name at every call


# The process provider then walks each request once more with cattrs before `json.dumps`, to turn
# values it knows into JSON-ready ones; a create request's arguments (every resource's whole config)
# already are, as the serializer above made them: plain values, maps and lists, and jsii objects
# that `json.dumps` turns into references. So a create request is passed on as it is; every other
# request keeps jsii's own path. (On every create of the example specs, the JSON is the same.)
_STOCK_CREATE_REQUEST = None   # cattrs' hook, once replaced (tests compare the two)


def _fast_create_request() -> None:
    global _STOCK_CREATE_REQUEST
    from jsii._kernel.types import CreateRequest
    from jsii._runtime import kernel

    converter = getattr(getattr(kernel.provider, "_process", None), "_serializer", None)
    if converter is None:
        _trick("create-request", "jsii's process provider has no cattrs converter")
        return
    _trick("create-request")
    if _STOCK_CREATE_REQUEST is not None:
        return
    _STOCK_CREATE_REQUEST = converter._unstructure_func.dispatch(CreateRequest)

    def create_request(value):
        return {"fqn": value.fqn, "args": value.args,
                "overrides": [converter.unstructure(o) for o in value.overrides],
                "interfaces": value.interfaces, "api": "create"}

    converter.register_unstructure_hook(CreateRequest, create_request)


# --- the explicit start ---------------------------------------------------------------------------
# Importing this module does nothing but define names. `start()` does the work: pick Node
# (JSII_NODE), start the jsii kernel, import the engine and install the tricks above. Using the
# engine (`engine.cdktf`, `engine.Construct`, `engine.aws(...)`, `engine.k8s(...)`) starts it first,
# so a caller never sees a half-started engine; `generators.app` calls `start()` itself.
_STARTED = False


_ENGINE: Engine | None = None


def selected() -> Engine:
    """The engine this process uses (``$MPLAT_ENGINE``, read once; ``runtime.ENGINES``)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = selected_engine()
    return _ENGINE


def start() -> None:
    """Start the engine once per process (later calls return at once). Raises
    ``runtime.EngineUnavailable`` (one line) when there is no Node.js or the selected engine is
    not installed."""
    global _STARTED, cdktf, Construct
    if _STARTED:
        return
    chosen = selected()
    if not engine_installed(chosen):
        raise EngineUnavailable(f"the {chosen.name} engine ({chosen.title}) is not installed: run "
                                f"`make setup ENGINE={chosen.name}` (or pip install "
                                f"'mplat[{chosen.name}]'), or choose another with "
                                f"MPLAT_ENGINE={'|'.join(ENGINES)}")
    node_for_jsii()     # JSII_NODE; a missing Node.js is one line (runtime.EngineUnavailable)
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    _start_kernel()
    core = _import(chosen.core)
    from constructs import Construct as construct

    if LEAN:
        import atexit
        _trick("fast-exit", None if hasattr(atexit, "_run_exitfuncs")
               else "this Python has no atexit._run_exitfuncs")
        _fast_struct_serializer()
        _fast_create_request()
        _check_creation_stack(core)
        _check_kernel_report(chosen)
    # the generators say `engine.cdktf` for the core library of either engine (same classes, same
    # names: CDK Terrain is a rename)
    cdktf, Construct = core, construct
    _STARTED = True


def exit_process(code: int) -> None:
    """End a command-line process that started the engine, without Python's teardown of its heap.

    Called by the entry points (``python -m mplat``, the ``mplat`` script, a synth worker) with
    the command's exit status, never by library code or tests. When this process started the
    engine, its interpreter holds the core library and every binding module used (thousands of
    classes) and the teardown of all of it took ~110-150 ms after the last output (strace of a
    cold `mplat synth specs`: from the kernel's exit to Python's exit_group), on the critical path
    of every synth and of every worker the parent waits for. So, as Instagram's "Dismissing Python
    Garbage Collection" does with atexit + os._exit: every exit hook runs first (jsii stops its
    kernel, temporary directories are removed, ...), stdout and stderr are flushed, and the process
    ends with ``code``. With a non-daemon thread still running, or the engine not started, it
    returns and the usual exit follows (trick "fast-exit", reported when the engine starts)."""
    import atexit
    if not (LEAN and _STARTED) or not hasattr(atexit, "_run_exitfuncs"):
        return
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()
           if t is not threading.main_thread()):
        return
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def started() -> bool:
    """Whether this process has started the engine (tests; never starts it)."""
    return _STARTED


def __getattr__(name: str):
    """``engine.cdktf`` and ``engine.Construct`` start the engine on first use; ``PROVIDERS`` (the
    Terraform provider versions the selected engine's bindings were generated for, from their
    package docs: ``runtime.ENGINES``) never does."""
    if name in ("cdktf", "Construct"):
        start()
        return globals()[name]
    if name == "PROVIDERS":
        return selected().providers
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_cache: dict[tuple[str, str], types.ModuleType] = {}


# --- the bindings without their run-time argument checks ----------------------------------------
# Every method of the engine's core library and of each provider binding starts with
# `if __debug__:` and checks its arguments against their annotations with typeguard
# (`typing.get_type_hints` + `check_type`: a sixth of an in-process synth's Python time). Synth
# workers run `python -O`, which compiles those blocks away; an in-process synth (up to
# incremental.IN_PROCESS_MAX stacks: `mplat synth specs/`) does not. And importing a binding module
# builds every annotation of its ~800 classes' methods (`typing.Optional[typing.Union[...]]`, and
# those of the `_typecheckingstub__*` functions the checks use): most of the Python time of a
# stack whose resource kinds the process has not used yet (~77 ms of a worker's first stack).
# Here those modules are compiled as `-O` compiles them (the checks dropped) and with postponed
# evaluation of annotations (PEP 563, `from __future__ import annotations`: they stay strings), in
# any interpreter, cached in a .pyc of their own (tag below, validated against the source's mtime
# and size as Python validates its own). Nothing reads those annotations once the checks are gone
# (jsii's runtime only calls `inspect.signature` for callbacks, which does not evaluate them), the
# models were validated and the kernel checks every value it receives itself: only Python-side
# checks go, never a byte of the output.
_BYTECODE_TAG = "mplat1"    # <name>.cpython-3XX.opt-mplat1.pyc: never the file python -O or a
                            # plain import reads, which keep their own semantics


class _OptimizedLoader(importlib.machinery.SourceFileLoader):
    """A source loader that compiles with ``optimize=1`` and postponed annotations, and caches in
    the ``opt-mplat1`` pyc."""

    def get_code(self, fullname):
        import marshal
        source = self.get_filename(fullname)
        stat = os.stat(source)
        header = importlib.util.MAGIC_NUMBER + (0).to_bytes(4, "little") + \
            (int(stat.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little") + \
            (stat.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        cached = importlib.util.cache_from_source(source, optimization=_BYTECODE_TAG)
        try:
            with open(cached, "rb") as fh:
                data = fh.read()
            if data[:16] == header:
                return marshal.loads(memoryview(data)[16:])
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = compile(self.get_data(source), source, "exec", dont_inherit=True, optimize=1,
                       flags=__future__.annotations.compiler_flag)
        # written even under PYTHONDONTWRITEBYTECODE: a derived file of the venv, as the lazy
        # tarballs are (and the synth workers write their bindings' bytecode too)
        try:
            os.makedirs(os.path.dirname(cached), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cached), prefix=".mplat-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(header + marshal.dumps(code))
            os.replace(tmp, cached)
        except OSError:
            pass
        return code


# --- what the bindings import for their argument checks only ------------------------------------
# Every binding module, the core library and constructs start with `import typeguard` and
# `TYPEGUARD_MAJOR_VERSION = int(importlib.metadata.version("typeguard")...)`, for the check_type
# that only their `if __debug__:` checks call. typeguard's import (it imports unittest.mock, which
# imports asyncio) is ~28 ms, and each of the ~45 version lookups scans the path and parses a
# METADATA file again (~17 ms in all), all in the cold synth's critical path. Lean: typeguard is
# registered as a stand-in module that imports the real one at its first attribute read and
# forwards to it (a check that does run, e.g. one of constructs' own, which is not compiled as -O,
# loads it then; trick "lazy-typeguard"). importlib's LazyLoader cannot do this: the import
# statement reads the module's __spec__, which loads it. And while a binding module runs its top
# level, importlib.metadata.version answers a distribution it has answered before from memory: the
# same value, once a process.
class _LazyModule(types.ModuleType):
    """Stands in for a module (in sys.modules, with its spec) until an attribute is read; then the
    real module replaces it there and every read is forwarded."""

    def __getattr__(self, attr: str):
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)


def _lazy_typeguard() -> None:
    if "typeguard" in sys.modules:
        return _trick("lazy-typeguard", "typeguard was imported before the engine started")
    spec = importlib.util.find_spec("typeguard")
    if spec is None or spec.loader is None:
        return _trick("lazy-typeguard", "typeguard is not installed")
    module = _LazyModule("typeguard")
    module.__spec__ = spec
    sys.modules["typeguard"] = module
    _trick("lazy-typeguard")


_VERSIONS: dict[str, str] = {}     # distribution -> version, as importlib.metadata answered


@contextlib.contextmanager
def _versions_remembered():
    """importlib.metadata.version answers from _VERSIONS where it can, for the duration."""
    import importlib.metadata as metadata
    real = metadata.version

    def version(distribution_name: str) -> str:
        known = _VERSIONS.get(distribution_name)
        if known is None:
            known = _VERSIONS[distribution_name] = real(distribution_name)
        return known

    metadata.version = version
    try:
        yield
    finally:
        metadata.version = real


# --- binding modules imported while the kernel works ----------------------------------------------
# Python and the kernel take turns: while Node loads an assembly or requires a provider module for
# the first time (the first stacks of a cold synth: ~45 ms of Node a stack), Python waits on the
# pipe, and while Python imports a binding module (~3 ms each, 30 for the largest; ~120 ms for the
# modules the examples use), Node waits. So a thread imports the binding modules the generators
# will ask for while the main thread waits on Node (the GIL is free while it blocks on the pipe):
# the cold `mplat synth specs` -10 % (medians of 8-10, interleaved). The thread only imports
# Python modules, never sends the kernel a request (a binding module's top level needs its
# package's `_jsii`, registered by _lazy_assembly before the assembly's load request, and the core
# library, imported before). Every import, the main thread's too, holds _IMPORT_LOCK, so no thread
# ever sees another's half-run module; the thread stops at the next module once the synth is done.
_IMPORT_LOCK = threading.RLock()
_ASSEMBLY_READY: dict[str, threading.Event] = {}     # package -> its _jsii is registered
_PREFETCH_STOP = threading.Event()
_PREFETCHING: list[threading.Thread] = []


def _assembly_ready(package: str) -> threading.Event:
    return _ASSEMBLY_READY.setdefault(package, threading.Event())


def prefetch(modules: Callable[[], list[tuple[str, str]]]) -> None:
    """Import, in a thread, the binding modules ``modules()`` names (("aws"|"k8s", submodule),
    in the order the generators will want them), each once its package's assembly is registered;
    once per process, lean only. ``stop_prefetch()`` ends it."""
    if not LEAN or _PREFETCHING:
        return
    chosen = selected()
    packages = {"aws": chosen.aws, "k8s": chosen.k8s}
    _PREFETCH_STOP.clear()

    def run() -> None:
        wanted = [(packages[kind], name) for kind, name in modules()]
        if not wanted:
            _trick("binding-prefetch", "the generators name no binding module to import")
            return
        _trick("binding-prefetch")
        for package, name in wanted:
            while not _assembly_ready(package).wait(timeout=0.05):
                if _PREFETCH_STOP.is_set():
                    return
            if _PREFETCH_STOP.is_set():
                return
            try:
                _import(f"{package}.{name}")
            except Exception:       # the main thread's own import of it will say what is wrong
                pass

    thread = threading.Thread(target=run, name="mplat-binding-prefetch", daemon=True)
    _PREFETCHING.append(thread)
    thread.start()


def stop_prefetch() -> None:
    """The binding-prefetch thread imports no further module (the one it is in finishes)."""
    _PREFETCH_STOP.set()


def _import(name: str) -> types.ModuleType:
    """``importlib.import_module(name)``; lean, a module not yet imported is compiled as under
    ``python -O`` with postponed annotations (``_OptimizedLoader``). Under _IMPORT_LOCK."""
    with _IMPORT_LOCK:
        return _import_locked(name)


def _import_locked(name: str) -> types.ModuleType:
    module = sys.modules.get(name)
    if module is not None:
        return module
    if not LEAN:
        return importlib.import_module(name)
    spec = importlib.util.find_spec(name)
    if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader:
        _trick("optimized-bindings", f"{name} is not loaded from a source file")
        return importlib.import_module(name)
    cached = Path(importlib.util.cache_from_source(spec.origin, optimization=_BYTECODE_TAG))
    if not cached.exists() and not os.access(cached.parent if cached.parent.is_dir()
                                             else cached.parent.parent, os.W_OK):
        # a read-only install: compiling the bindings at every import would cost more than the
        # checks; the stock import reads the bytecode pip wrote
        _trick("optimized-bindings", f"{cached.parent} is not writable")
        return importlib.import_module(name)
    _trick("optimized-bindings")
    spec.loader = _OptimizedLoader(spec.name, spec.origin)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with _versions_remembered():
            spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return sys.modules[name]


def _bare_package(package: str) -> types.ModuleType:
    """Register ``package`` in sys.modules without executing its ``__init__``."""
    module = sys.modules.get(package)
    if module is not None:
        return module
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"provider bindings {package!r} are not installed")
    module = types.ModuleType(package)
    module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = package
    module.__spec__ = spec
    module.__file__ = spec.origin
    sys.modules[package] = module
    return module


# --- lazy jsii assemblies ------------------------------------------------------------------------
# The jsii kernel loads a provider by `require`-ing its package, whose lib/index.js requires every
# one of its ~2,200 submodules (267 MB of JavaScript for AWS): ~2.4 s and ~500 MB of Node heap before
# the first resource. The kernel finds a class by walking the package's exports, so exports that
# `require` their submodule on first access give the same classes for a fraction of the cost. Here a
# copy of the package's jsii tarball is made once per virtualenv (`make setup` does it) with only
# lib/index.js rewritten that way, and the package's `_jsii` module loads that copy. Anything
# unexpected falls back to the stock tarball; MPLAT_LEAN_LOADING=0 turns this off with the rest.
_LAZY_FORMAT = "mplat-lazy-index-v3"
# cdktf's bindings: `exports.x = require("./x");`; cdktn's (a newer TypeScript, `export * as x`):
# `exports.x = __importStar(require("./x/index"));` (the getter keeps the wrapper)
_EXPORT_LINE = re.compile(
    r'^exports\.(\w+) = (?:(__importStar)\()?require\("(\./[^"]+)"\)(?(2)\));$', re.M)
_ASSEMBLY_LOAD = re.compile(r'JSIIAssembly\.load\(\s*"([^"]+)",\s*"([^"]+)"')
_ASSEMBLIES: dict[str, tuple[str, str, Path] | None] = {}


def _assembly(package: str) -> tuple[str, str, Path] | None:
    """(npm name, version, jsii tarball) of a bindings package, read once from its
    ``_jsii/__init__.py`` without importing it (``find_spec`` of a top-level package does not run
    it); None when that file does not load one tarball the expected way."""
    if package not in _ASSEMBLIES:
        spec = importlib.util.find_spec(package)
        locations = list(spec.submodule_search_locations or []) if spec else []
        found = None
        if locations:
            jsii_dir = Path(locations[0]) / "_jsii"
            try:
                match = _ASSEMBLY_LOAD.search((jsii_dir / "__init__.py").read_text())
            except OSError:
                match = None
            tarballs = sorted(jsii_dir.glob("*.jsii.tgz"))
            if match is not None and len(tarballs) == 1:
                found = (match.group(1), match.group(2), tarballs[0])
        _ASSEMBLIES[package] = found
    return _ASSEMBLIES[package]


def _lazy_index(source: str) -> str | None:
    """lib/index.js with each `exports.x = require("./x");` (or `__importStar(require(...))`)
    turned into a getter (None: no match)."""
    def getter(m: re.Match) -> str:
        value = f'require("{m.group(3)}")'
        if m.group(2):
            value = f"{m.group(2)}({value})"
        return (f'Object.defineProperty(exports, "{m.group(1)}", {{ enumerable: true, '
                f'configurable: true, get: function () {{ return {value}; }} }});')

    lazy, count = _EXPORT_LINE.subn(getter, source)
    return lazy if count >= 50 else None


def _lazy_target(tarball: Path) -> Path:
    """Where the lazy copy of ``tarball`` is (or will be) made."""
    stat = tarball.stat()
    key = hashlib.sha256(f"{_LAZY_FORMAT}:{tarball.name}:{stat.st_size}:{stat.st_mtime_ns}"
                         .encode()).hexdigest()[:16]
    return _lazy_dir() / f"{tarball.name[:-4]}.lazy-{key}.tgz"


def _lazy_tarball(tarball: Path) -> Path | None:
    """A copy of a jsii tarball with a lazy lib/index.js, made once (``_make_once``) and
    byte-for-byte reproducible (gzip mtime 0); None when it cannot be made."""
    target = _lazy_target(tarball)

    def build(tmp: Path) -> bool:
        patched = False
        with open(tmp, "wb") as raw, \
                gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz, \
                tarfile.open(fileobj=gz, mode="w") as out, \
                tarfile.open(tarball, "r:gz") as src:
            for member in src:
                data = src.extractfile(member).read() if member.isfile() else None
                if member.name == "package/lib/index.js" and data is not None:
                    lazy = _lazy_index(data.decode("utf-8"))
                    if lazy is not None:
                        data, patched = lazy.encode("utf-8"), True
                        member.size = len(data)
                out.addfile(member, io.BytesIO(data) if data is not None else None)
        return patched

    return _make_once(target, build)


def _lazy_assembly(package: str) -> None:
    """Register ``<package>._jsii`` so that it loads the lazy copy of the package's tarball."""
    name = f"{package}._jsii"
    if name in sys.modules:
        return
    trick = f"lazy-exports:{package}"
    spec = importlib.util.find_spec(name)
    assembly = _assembly(package)
    if spec is None or spec.origin is None or assembly is None:
        return _trick(trick, f"{name} is missing or does not load one jsii tarball the expected way")
    npm_name, version, tarball = assembly
    lazy = _lazy_tarball(tarball)
    if lazy is None:
        return _trick(trick, f"its lib/index.js has no `exports.x = require(...)` lines to defer "
                             f"(or {_lazy_dir()} cannot be written)")
    import jsii
    # the stock module imports both dependencies' assemblies first
    importlib.import_module(f"{selected().core}._jsii")
    import constructs._jsii  # noqa: F401

    module = types.ModuleType(name)
    module.__spec__, module.__file__, module.__path__ = spec, spec.origin, list(
        spec.submodule_search_locations or [str(tarball.parent)])
    module.__all__ = ["__jsii_assembly__"]
    # the record first (what load() returns, before its request), so that the binding-prefetch
    # thread can import the package's modules while the kernel loads the assembly
    module.__jsii_assembly__ = jsii.JSIIAssembly(npm_name, version, package, str(lazy))
    sys.modules[name] = module
    sys.modules[package]._jsii = module
    _assembly_ready(package).set()
    try:
        # an absolute file name: importlib.resources joins it onto the package path as itself
        module.__jsii_assembly__ = jsii.JSIIAssembly.load(npm_name, version, package, str(lazy))
    except BaseException:
        _assembly_ready(package).clear()
        stop_prefetch()
        del sys.modules[name]
        raise
    _trick(trick)


def _load(package: str, name: str) -> types.ModuleType:
    key = (package, name)
    module = _cache.get(key)
    if module is None:
        start()
        first = LEAN and package not in sys.modules
        if LEAN:
            _bare_package(package)
            _lazy_assembly(package)
        module = _import(f"{package}.{name}")
        _cache[key] = module
        if first:
            _check_runtime_index(package)
    return module


def _check_runtime_index(package: str) -> None:
    """Whether the kernel found jsii's runtime index of ``package`` (see above)."""
    assembly = _assembly(package)
    where = _runtime_index_dirs().get(assembly[0]) if assembly else None
    if where is not None and (where / _RUNTIME_INDEX_MANIFEST).exists():
        _trick(f"runtime-index:{package}")
    else:
        _trick(f"runtime-index:{package}",
               "jsii's runtime index of the assembly is not built: `make setup` "
               "(python -m generators.engine --runtime-index) builds it")


def aws(name: str) -> types.ModuleType:
    """The submodule ``<AWS bindings>.<name>`` of the selected engine (e.g.
    ``aws("s3_bucket").S3Bucket``: ``cdktf_cdktf_provider_aws.s3_bucket`` with cdktf)."""
    return _load(selected().aws, name)


def k8s(name: str) -> types.ModuleType:
    """The submodule ``<Kubernetes bindings>.<name>`` of the selected engine."""
    return _load(selected().k8s, name)


def loaded_provider_modules() -> list[str]:
    """Names of the provider submodules loaded so far (for tests and the benchmark)."""
    return sorted(f"{p}.{n}" for p, n in _cache)


def kernel_launcher() -> str:
    """The runtime script this process's jsii kernel was started with (for tests)."""
    start()
    from jsii._runtime import kernel
    return kernel.provider._process._process.args[-1]


# --- jsii's runtime index ---------------------------------------------------------------------------
# jsii's kernel keeps each extracted package in its package cache and, the first time, builds a
# runtime index of the package's .jsii assembly there in a worker thread; later processes read
# that index instead of parsing the whole assembly (155 MB of JSON for cdktn's AWS bindings, ~4 s a
# process). A synth that exits sooner kills the worker, so without help the index of the big
# assemblies is never finished. `prepare()` (make setup) loads each engine's providers in a process
# that waits for the index (the manifest below is written last).
_RUNTIME_INDEX_MANIFEST = ".jsii.runtime.v1.json"


def _package_cache_root() -> Path:
    """jsii's package cache (``JSII_RUNTIME_PACKAGE_CACHE_ROOT``, else ~/.cache/aws/jsii/...)."""
    given = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
    return Path(given) if given else Path.home() / ".cache" / "aws" / "jsii" / "package-cache"


def _runtime_index_dirs() -> dict[str, Path]:
    """npm package -> the package-cache directory this process's kernel uses for it (the entry
    it touched last), for the provider packages loaded so far."""
    found = {}
    for package, _ in _cache:
        assembly = _assembly(package)
        if assembly is None:
            continue
        npm_name, version, _ = assembly
        entries = list((_package_cache_root() / npm_name / version).glob("*/.jsii"))
        if entries:
            found[npm_name] = max((e.parent for e in entries),
                                        key=lambda d: (d / ".jsii-runtime-package-cache")
                                        .stat().st_mtime if (d / ".jsii-runtime-package-cache")
                                        .exists() else 0)
    return found


RUNTIME_INDEX_WAIT = 120.0    # seconds: jsii indexes the 155 MB AWS assembly in well under a minute


def await_runtime_index(timeout: float = RUNTIME_INDEX_WAIT) -> dict[str, bool]:
    """Wait (up to ``timeout`` s) until jsii's runtime index of every loaded provider exists."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        state = {name: (d / _RUNTIME_INDEX_MANIFEST).exists()
                 for name, d in _runtime_index_dirs().items()}
        if all(state.values()) or time.monotonic() > deadline:
            return state
        time.sleep(0.5)


def _prepare_runtime_index(engine: Engine) -> None:
    """Load ``engine``'s providers in a process that waits for jsii's runtime index."""
    import subprocess
    code = ("from generators import engine\nengine.aws('provider'); engine.k8s('provider')\n"
            "print(engine.await_runtime_index())\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "MPLAT_ENGINE": engine.name}, timeout=900)
    print(f"jsii runtime index ({engine.name}): {done.stdout.strip() or done.stderr[-500:]}")


def prepare() -> list[Path]:
    """Make the lazy tarballs of both providers of every installed engine and the kernel launcher
    now (`make setup`), not at the first synth. Does not start the engine."""
    made = [launcher] if LEAN and (launcher := _direct_kernel()) is not None else []
    for package in (p for e in ENGINES.values() for p in (e.aws, e.k8s)):
        spec = importlib.util.find_spec(package)          # does not run the package's __init__
        for location in (spec.submodule_search_locations if spec else None) or []:
            for tarball in sorted(Path(location, "_jsii").glob("*.jsii.tgz")):
                lazy = _lazy_tarball(tarball)
                if lazy is not None:
                    made.append(lazy)
    return made


__all__ = ["aws", "k8s", "ROOT", "loaded_provider_modules",
           "prepare", "kernel_launcher", "start", "started", "selected", "tricks"]


if __name__ == "__main__":
    # `python -m generators.engine`: the lazy tarballs and the kernel launcher (no Node needed);
    # `python -m generators.engine --runtime-index`: jsii's runtime index of every installed
    # engine's providers (starts each engine: after node_modules is installed)
    if "--runtime-index" in sys.argv[1:]:
        if LEAN:
            for each in ENGINES.values():
                if engine_installed(each):
                    _prepare_runtime_index(each)
    else:
        for path in prepare():
            print(f"prepared: {path}")
