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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_NODE = ROOT / "node_modules" / "node" / "bin" / "node"

# Top-level modules of the CDK engines (CDKTF and CDK Terrain), their prebuilt provider bindings
# and the jsii runtime under them. Importing ``generators.engine`` loads none of them; starting it
# loads the selected engine's.
ENGINE_MODULES = ("jsii", "constructs",
                  "cdktf", "cdktf_cdktf_provider_aws", "cdktf_cdktf_provider_kubernetes",
                  "cdktn", "cdktn_provider_aws", "cdktn_provider_kubernetes")


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
