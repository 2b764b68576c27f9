"""The front end as one function: paths -> stacks, diagnostics and (when clean) typed models.

Each stage returns its output and findings; a stack stops at the first stage that reports errors.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from . import rules as rules_pkg
from . import schema
from .diagnostics import (ERROR, Diagnostic, at_file, has_errors, sort_unique, to_diagnostic)
from .load import load_file
from .overlay import StackInput, stacks_of

SPEC_SUFFIXES = (".yaml", ".yml")
RULE_NO_SPECS = "no-specs"
RULE_NOT_FOUND = "path-not-found"

RULES_DOC = {
    RULE_NOT_FOUND: "A path given on the command line does not exist.",
    RULE_NO_SPECS: "A directory given on the command line holds no *.yaml or *.yml spec.",
}


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    stacks: list[StackInput] = field(default_factory=list)   # stacks that passed every stage
    models: list = field(default_factory=list)               # compiler.model objects, if asked

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


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


def check_stack(stack: StackInput) -> list[Diagnostic]:
    """Schema, then (only when the schema is satisfied) the semantic rules of one stack."""
    findings = schema.check(stack)
    if not any(f.severity == ERROR for f in findings):
        findings = findings + rules_pkg.run_stack_rules(stack)
    return [to_diagnostic(f, stack.positions) for f in findings]


def run(paths: list[str], *, build_models: bool = False) -> Result:
    result = Result()
    files, diags = discover(paths)
    result.diagnostics.extend(diags)
    clean: list[StackInput] = []
    for real, shown in files:
        result.files.append(shown)
        doc, diags = load_file(str(real), shown)
        result.diagnostics.extend(diags)
        if doc is None or has_errors(diags):
            continue
        for stack in stacks_of(doc):
            diags = check_stack(stack)
            result.diagnostics.extend(diags)
            if not has_errors(diags):
                clean.append(stack)
    for stack, finding in rules_pkg.run_cross_rules(clean):
        result.diagnostics.append(to_diagnostic(finding, stack.positions))
    result.diagnostics = sort_unique(result.diagnostics)
    result.stacks = clean
    if build_models and result.ok:
        from . import model
        result.models = [model.build(stack) for stack in clean]
    return result
