"""terraform and the provider mirror: find_tools, write_cli_config, ``check`` (package docstring)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MIRROR_ENV = "MPLAT_TF_MIRROR"
TERRAFORM_ENV = "MPLAT_TERRAFORM"


class Unavailable(RuntimeError):
    """terraform or the provider mirror is missing: the message is one line saying how to fix it."""


# -- tools ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tools:
    terraform: str
    mirror: Path                 # the directory holding registry.terraform.io/
    aws_version: str             # the hashicorp/aws version in the mirror


def _default_mirror() -> Path | None:
    """The machine's mirror: ``find / -maxdepth 4 -name registry.terraform.io`` (first, sorted)."""
    try:
        out = subprocess.run(
            ["find", "/", "-maxdepth", "4", "(", "-path", "/proc", "-o", "-path", "/sys", "-o",
             "-path", "/dev", ")", "-prune", "-o", "-type", "d", "-name", "registry.terraform.io",
             "-print"], capture_output=True, text=True, timeout=60).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(sorted(out)[0]).parent if out else None


def mirror_versions(mirror: Path, provider: str = "hashicorp/aws") -> list[str]:
    """Versions of ``provider`` in a filesystem mirror (unpacked or packed layout)."""
    base = mirror / "registry.terraform.io" / provider
    if not base.is_dir():
        return []
    semver = r"\d+\.\d+\.\d+"
    versions = {p.name for p in base.iterdir() if p.is_dir() and re.fullmatch(semver, p.name)}
    name = provider.split("/")[1]
    versions |= {m.group(1) for p in base.glob("*.zip")
                 if (m := re.fullmatch(rf"terraform-provider-{name}_({semver})_.*\.zip", p.name))}
    return sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


def find_tools() -> Tools:
    """terraform and the aws provider mirror, or :class:`Unavailable` with a one-line fix."""
    terraform = os.environ.get(TERRAFORM_ENV) or shutil.which("terraform")
    if not terraform or not os.access(terraform, os.X_OK):
        raise Unavailable(f"terraform not found ({TERRAFORM_ENV}="
                          f"{os.environ.get(TERRAFORM_ENV)!r}, "
                          f"PATH has none): install terraform or set {TERRAFORM_ENV}=/path/to/"
                          "terraform")
    given = os.environ.get(MIRROR_ENV)
    mirror = Path(given) if given else _default_mirror()
    hint = (f"set {MIRROR_ENV}=DIR, a provider filesystem mirror holding "
            "DIR/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/")
    if mirror is None:
        raise Unavailable("no terraform provider mirror (no registry.terraform.io directory "
                          f"within depth 4 of /): {hint}")
    versions = mirror_versions(mirror)
    if not versions:
        raise Unavailable(f"no hashicorp/aws provider in the mirror {mirror}: {hint}")
    return Tools(terraform=terraform, mirror=mirror, aws_version=versions[-1])


def write_cli_config(path: Path, mirror: Path) -> Path:
    """A CLI config installing providers only from ``mirror``, with no shared plugin cache.

    Each ``init`` links the stack's provider to the mirror's unpacked directory (Terraform's
    installer symlinks a local directory package), so no file is shared that any terraform
    command writes: the harness is race-free by construction, with no lock (issue #22)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# written by tests/tfharness.py: providers come only from the filesystem mirror;\n"
        "# no plugin_cache_dir: Terraform's plugin cache is not safe for concurrent inits\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        '    include = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "}\n")
    return path


def check() -> int:
    """``tfharness.py check``: one line, exit 1 when terraform or the mirror is missing."""
    try:
        tools = find_tools()
    except Unavailable as exc:
        print(f"tests/tfharness.py: {exc}", file=sys.stderr)
        return 1
    print(f"terraform {tools.terraform}, hashicorp/aws {tools.aws_version} from {tools.mirror}")
    return 0
