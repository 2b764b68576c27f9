"""``mplat --version``: mplat's version, the selected engine's and the Terraform provider pins.

Read without importing the engine (which starts Node): the engine and its provider pins from the
engine seam's one table (``generators.runtime.ENGINES``, selected by ``$MPLAT_ENGINE``), package
versions from the installed distributions' metadata (``generators.incremental.installed_versions``).
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mplat_version() -> str:
    """The installed distribution's version, else (a checkout) pyproject.toml's."""
    from generators.incremental import installed_versions   # never imports the engine
    found = installed_versions(["mplat"])["mplat"]
    if found != "absent":
        return found
    import tomllib
    pyproject = ROOT / "pyproject.toml"
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


def version_text() -> str:
    from generators.incremental import installed_versions
    from generators.runtime import selected_engine
    engine = selected_engine()
    versions = installed_versions((engine.core, "jsii", *engine.distributions[3:]))
    bindings = ", ".join(f"{d} {versions[d]}" for d in engine.distributions[3:])
    lines = [f"mplat {mplat_version()}",
             f"engine: {engine.core} {versions[engine.core]} (jsii {versions['jsii']})",
             f"bindings: {bindings}"]
    for name, pin in sorted(engine.providers.items()):
        lines.append(f"provider {name}: {pin['source']} {pin['version']}")
    return "\n".join(lines)
