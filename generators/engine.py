"""The one seam between mplat and the CDK engine (CDKTF over jsii) and its provider bindings.

Nothing else in the project imports ``cdktf``, ``constructs``, ``jsii`` or a provider package:
generators use ``engine.cdktf``, ``engine.Construct``, ``engine.aws("s3_bucket")`` and
``engine.k8s("deployment_v1")``. Keeping every import here makes a later switch of engine (CDK
Terrain, ``cdktn``) a change to one file, and is where the import-time tricks live:

* **Node for jsii.** jsii runs a Node process. When the repository has the npm package ``node``
  installed (``node_modules/node/bin/node``, a supported Node 22), it is used via ``JSII_NODE``
  unless the caller already set one; the end-of-life banner of the system Node 20 is silenced as a
  fallback so that output stays clean.
* **Lean provider loading.** The prebuilt provider packages import all ~2,200 submodules in their
  ``__init__`` (10-15 s, ~1 GB). Here the package is registered as a bare module object whose
  ``__path__`` points at the installed package, without running its ``__init__``; then only the
  submodules in use are imported. Each submodule loads the package's jsii assembly through
  ``<package>._jsii`` itself, so the result is the same classes and the same output.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_LOCAL_NODE = ROOT / "node_modules" / "node" / "bin" / "node"
if "JSII_NODE" not in os.environ and _LOCAL_NODE.is_file() and os.access(_LOCAL_NODE, os.X_OK):
    os.environ["JSII_NODE"] = str(_LOCAL_NODE)
if os.environ.get("MPLAT_NODE_HEAP_MB"):
    # synth workers (generators.incremental): Node with a bounded heap, through a small wrapper
    os.environ["MPLAT_REAL_NODE"] = os.environ.get("JSII_NODE", "node")
    os.environ["JSII_NODE"] = str(Path(__file__).resolve().parent / "jsii-node")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import cdktf  # noqa: E402  (after the Node environment is set)
from constructs import Construct  # noqa: E402

AWS_PACKAGE = "cdktf_cdktf_provider_aws"
K8S_PACKAGE = "cdktf_cdktf_provider_kubernetes"

# Terraform provider versions the installed bindings were generated for (their package docstrings:
# "CDKTF prebuilt bindings for hashicorp/aws provider version 6.25.0", ".../kubernetes ... 2.38.0").
PROVIDERS = {
    "aws": {"source": "hashicorp/aws", "version": "6.25.0"},
    "kubernetes": {"source": "hashicorp/kubernetes", "version": "2.38.0"},
}

_cache: dict[tuple[str, str], types.ModuleType] = {}


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


# MPLAT_LEAN_LOADING=0 imports provider packages the usual way (their __init__ and all ~2,200
# submodules): slow, but the reference that lean loading must match byte for byte (a test does).
LEAN = os.environ.get("MPLAT_LEAN_LOADING", "1") != "0"


def _load(package: str, name: str) -> types.ModuleType:
    key = (package, name)
    module = _cache.get(key)
    if module is None:
        if LEAN:
            _bare_package(package)
        module = importlib.import_module(f"{package}.{name}")
        _cache[key] = module
    return module


def aws(name: str) -> types.ModuleType:
    """The submodule ``cdktf_cdktf_provider_aws.<name>`` (e.g. ``aws("s3_bucket").S3Bucket``)."""
    return _load(AWS_PACKAGE, name)


def k8s(name: str) -> types.ModuleType:
    """The submodule ``cdktf_cdktf_provider_kubernetes.<name>``."""
    return _load(K8S_PACKAGE, name)


def loaded_provider_modules() -> list[str]:
    """Names of the provider submodules loaded so far (for tests and the benchmark)."""
    return sorted(f"{p}.{n}" for p, n in _cache)


__all__ = ["cdktf", "Construct", "aws", "k8s", "PROVIDERS", "ROOT", "loaded_provider_modules"]
