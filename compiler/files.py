"""Which spec files a run reads: files and directories given on the command line -> sorted files.

Light on purpose (no YAML, no JSON Schema): `mplat synth` asks it first to see whether the whole
run can be replayed from the synth cache.
"""
from __future__ import annotations

import os
from pathlib import Path as FsPath

from .diagnostics import Diagnostic, at_file

SPEC_SUFFIXES = (".yaml", ".yml")
RULE_NO_SPECS = "no-specs"
RULE_NOT_FOUND = "path-not-found"

RULES_DOC = {
    RULE_NOT_FOUND: "A path given on the command line does not exist.",
    RULE_NO_SPECS: "A directory given on the command line holds no *.yaml or *.yml spec.",
}


def display_path(path: FsPath) -> str:
    """A path as users should see it: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def discover(paths: list[str]) -> tuple[list[tuple[FsPath, str]], list[Diagnostic]]:
    """Spec files under the given files or directories, sorted, each once."""
    found: dict[FsPath, str] = {}
    diags: list[Diagnostic] = []
    for given in paths:
        p = FsPath(given)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix in SPEC_SUFFIXES and f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not files:
                diags.append(at_file(given, RULE_NO_SPECS, "no *.yaml or *.yml spec in this directory",
                                     severity="warning"))
            for f in files:
                found.setdefault(f.resolve(), display_path(f))
        elif p.is_file():
            found.setdefault(p.resolve(), display_path(p))
        else:
            diags.append(at_file(given, RULE_NOT_FOUND, "no such file or directory",
                                 hint="give spec files or directories (default: specs/)"))
    return sorted(found.items(), key=lambda kv: kv[1]), diags
