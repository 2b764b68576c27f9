"""What synthesis needs outside Python (a Node.js for the jsii kernel) and which modules are the
engine's. Never imports the engine.

``ENGINE_MODULES`` is the one list of top-level modules that belong to the CDK engine (either
engine, its provider bindings and jsii): a fast path (``validate``, a replayed ``synth``, the
operational commands) loads none of them, and tests check exactly this list
(``tests/engineprobe.py``).

jsii runs its kernel with ``$JSII_NODE`` or else ``node`` from the PATH, and a missing one surfaces
as a Python traceback from deep inside jsii. ``node_for_jsii()`` picks the Node first and says in
one line what is missing, so ``mplat synth`` can report it before any stack is built:

1. ``$JSII_NODE`` when the caller set it (an executable file, or a command on the PATH);
2. in a source checkout, ``node_modules/node/bin/node``: the supported Node 22 that ``make setup``
   installs from npm (package.json), which also spares jsii's end-of-life banner for Node 20;
3. ``node`` on the PATH (an installed mplat, ``pip install``, has no node_modules of its own).
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_NODE = ROOT / "node_modules" / "node" / "bin" / "node"

ENGINE_ENV = "MPLAT_ENGINE"
# how generators.engine's speed-trick fallback warning starts (incremental relays workers' ones)
TRICK_WARNING = "mplat: warning: engine speed trick"
DEFAULT_ENGINE = "cdktf"     # the project's dependency list (pyproject.toml) installs it


@dataclass(frozen=True)
class Engine:
    """One CDK engine and its prebuilt provider bindings: every name that differs between them."""
    name: str                  # MPLAT_ENGINE value, and the npm CLI's command (`npx <name> synth`)
    title: str
    core: str                  # the Python module (and npm package) of the core library
    aws: str                   # the Python package of the AWS bindings
    k8s: str                   # the Python package of the Kubernetes bindings
    distributions: tuple[str, ...]     # pip distributions whose versions decide the output
    providers: dict            # Terraform providers the bindings were generated for (their docs:
                               # "... prebuilt bindings for hashicorp/aws provider version X")
    lock: str                  # the lock file that installs it (`make setup ENGINE=<name>`)
    cli: str                   # the npm package of its CLI
    manifest_writer: str       # how its lib/manifest.js writeToFile serializes manifest.json


ENGINES = {
    "cdktf": Engine(
        name="cdktf", title="CDK for Terraform (HashiCorp, archived 2025-12-10)", core="cdktf",
        aws="cdktf_cdktf_provider_aws", k8s="cdktf_cdktf_provider_kubernetes",
        distributions=("cdktf", "jsii", "constructs", "cdktf-cdktf-provider-aws",
                       "cdktf-cdktf-provider-kubernetes"),
        providers={"aws": {"source": "hashicorp/aws", "version": "6.25.0"},
                   "kubernetes": {"source": "hashicorp/kubernetes", "version": "2.38.0"}},
        lock="requirements.lock", cli="cdktf-cli",
        manifest_writer="json-stable-stringify"),   # 1.3.0, {space: 2}
    "cdktn": Engine(
        name="cdktn", title="CDK Terrain (the Open Construct Foundation's continuation)",
        core="cdktn", aws="cdktn_provider_aws", k8s="cdktn_provider_kubernetes",
        distributions=("cdktn", "jsii", "constructs", "cdktn-provider-aws",
                       "cdktn-provider-kubernetes"),
        providers={"aws": {"source": "hashicorp/aws", "version": "6.69.1"},
                   "kubernetes": {"source": "hashicorp/kubernetes", "version": "3.4.0"}},
        lock="requirements-cdktn.lock", cli="cdktn-cli",
        manifest_writer="safe-stable-stringify"),   # 2.5.0, (value, null, 2)
}


def selected_engine() -> Engine:
    """The engine ``$MPLAT_ENGINE`` names (``cdktf`` when unset); raises ``EngineUnavailable``."""
    name = os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE
    engine = ENGINES.get(name.strip().lower())
    if engine is None:
        raise EngineUnavailable(f"{ENGINE_ENV}={name!r} is not an engine: use one of "
                                f"{', '.join(ENGINES)} (unset: {DEFAULT_ENGINE})")
    return engine


def engine_installed(engine: Engine) -> bool:
    """Whether the engine's Python packages are installed (never imports them)."""
    import importlib.util
    return all(importlib.util.find_spec(m) is not None for m in (engine.core, engine.aws,
                                                                 engine.k8s))


# Top-level modules of the CDK engines (CDKTF and CDK Terrain), their prebuilt provider bindings
# and the jsii runtime under them. Importing ``generators.engine`` loads none of them; starting it
# loads the selected engine's.
ENGINE_MODULES = ("jsii", "constructs",
                  *(m for e in ENGINES.values() for m in (e.core, e.aws, e.k8s)))


def engine_modules_loaded(modules=None) -> list[str]:
    """The loaded modules (``sys.modules`` by default) that belong to an engine, sorted."""
    import sys
    return sorted(m for m in (sys.modules if modules is None else modules)
                  if m.split(".")[0] in ENGINE_MODULES)


class EngineUnavailable(RuntimeError):
    """Synthesis cannot start the engine; the message is one line saying what to do."""


def _executable(path: str | os.PathLike) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def node_for_jsii() -> str:
    """The Node.js binary jsii will run, set in ``$JSII_NODE``; raises ``EngineUnavailable``."""
    given = os.environ.get("JSII_NODE")
    if given:
        found = given if _executable(given) else shutil.which(given)
        if not found:
            raise EngineUnavailable(f"JSII_NODE is {given!r}, which is not an executable Node.js: "
                                    "point it at a node binary or unset it")
        return found
    if _executable(LOCAL_NODE):
        node = str(LOCAL_NODE)
    else:
        node = shutil.which("node")
        if node is None:
            raise EngineUnavailable("synth needs Node.js (version 20 or later) for the CDK engine "
                                    "(jsii), and there is no `node` on the PATH: install Node.js, "
                                    "or set JSII_NODE to a node binary")
    os.environ["JSII_NODE"] = node
    return node
