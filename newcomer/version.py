"""``mplat --version``: mplat's version, the engine's and the Terraform provider pins.

Read without importing the engine (which starts Node): package versions from the installed
distributions' metadata (``generators.incremental.installed_versions``), the provider pins from
the one place they are written, ``generators/engine.py``'s ``PROVIDERS``, parsed as a literal.
"""
from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "generators" / "engine.py"
PACKAGES = ("mplat", "cdktf", "cdktf-cdktf-provider-aws", "cdktf-cdktf-provider-kubernetes",
            "jsii")


def provider_pins() -> dict:
    """``PROVIDERS`` of generators/engine.py: {"aws": {"source": ..., "version": ...}, ...}."""
    tree = ast.parse(ENGINE.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else \
            getattr(node, "target", None)
        if isinstance(target, ast.Name) and target.id == "PROVIDERS" and node.value is not None:
            return ast.literal_eval(node.value)
    raise LookupError(f"no PROVIDERS in {ENGINE}")


def mplat_version() -> str:
    """The installed distribution's version, else (a checkout) pyproject.toml's."""
    from generators.incremental import installed_versions   # never imports the engine
    found = installed_versions(["mplat"])["mplat"]
    if found != "absent":
        return found
    import tomllib
    pyproject = ENGINE.parent.parent / "pyproject.toml"
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


def version_text() -> str:
    from generators.incremental import installed_versions
    versions = installed_versions(PACKAGES[1:])
    lines = [f"mplat {mplat_version()}",
             f"engine: cdktf {versions['cdktf']} (jsii {versions['jsii']})",
             f"bindings: cdktf-cdktf-provider-aws {versions['cdktf-cdktf-provider-aws']}, "
             f"cdktf-cdktf-provider-kubernetes {versions['cdktf-cdktf-provider-kubernetes']}"]
    for name, pin in sorted(provider_pins().items()):
        lines.append(f"provider {name}: {pin['source']} {pin['version']}")
    return "\n".join(lines)
