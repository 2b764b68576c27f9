"""The front end as one function: paths -> stacks, diagnostics and (when clean) typed models.

Each stage returns its output and findings; a stack stops at the first stage that reports errors.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath

from . import rules as rules_pkg
from . import schema
from .diagnostics import ERROR, Diagnostic, has_errors, sort_unique, to_diagnostic
from .files import RULES_DOC, discover, display_path  # noqa: F401  (part of this module's API)
from .load import load_file
from .overlay import StackInput, stacks_of


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sources: list[tuple[FsPath, str]] = field(default_factory=list)   # (file, as shown) per file
    stacks: list[StackInput] = field(default_factory=list)   # stacks that passed every stage
    models: list = field(default_factory=list)               # compiler.model objects, if asked

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


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
        result.sources.append((real, shown))
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
