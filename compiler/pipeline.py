"""The front end as one function: paths -> stacks, diagnostics and (when clean) typed models.

Each stage returns its output and findings; a stack stops at the first stage that reports errors.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath

from . import defaults, schema, suppress
from .background import in_background
from . import rules as rules_pkg
from .diagnostics import ERROR, Diagnostic, has_errors, sort_unique, to_diagnostic
from .files import RULES_DOC, discover, display_path  # noqa: F401  (part of this module's API)
from .load import load_file, load_text
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


def check_and_resolve(stack: StackInput) -> tuple[list[Diagnostic], StackInput]:
    """Schema, then (only when the schema is satisfied) the defaults and the semantic rules of one
    stack: its diagnostics, and the stack with its resolved document (when the schema passed)."""
    findings = schema.check(stack)
    if not any(f.severity == ERROR for f in findings):
        stack = defaults.resolve(stack)
        findings = findings + rules_pkg.run_stack_rules(stack)
    return [to_diagnostic(f, stack.positions) for f in findings], stack


PARALLEL_MIN = 200      # files: from here on, a forked process checks the second half of them


def check_document(doc) -> tuple[list[Diagnostic], list[StackInput]]:
    """Check each stack of one loaded spec: the diagnostics, and the stacks that passed."""
    diagnostics: list[Diagnostic] = []
    clean: list[StackInput] = []
    stacks = stacks_of(doc)
    # with environments, the base and each overlay are also type-checked as written, so a
    # wrong value is reported even where every environment overrides it; a stack's own
    # schema finding at the same place is the same problem, reported once
    partial = [to_diagnostic(f, doc.positions) for f in schema.check_parts(doc)] \
        if stacks and stacks[0].env is not None else []
    seen = {(d.file, d.line, d.col, d.rule) for d in partial}
    diagnostics.extend(partial)
    for stack in stacks:
        diags, stack = check_and_resolve(stack)
        diags = [d for d in diags if (d.file, d.line, d.col, d.rule) not in seen]
        diagnostics.extend(diags)
        if not has_errors(diags) and not has_errors(partial):
            clean.append(stack)
    return diagnostics, clean


def check_files(files: list[tuple[FsPath, str]]) -> tuple[list[Diagnostic], list[StackInput]]:
    """Load each file and check each of its stacks: the diagnostics, and the stacks that passed."""
    diagnostics: list[Diagnostic] = []
    clean: list[StackInput] = []
    for real, shown in files:
        doc, diags = load_file(str(real), shown)
        diagnostics.extend(diags)
        if doc is None or has_errors(diags):
            continue
        more, passed = check_document(doc)
        diagnostics.extend(more)
        clean.extend(passed)
    return diagnostics, clean


def _check_all(files: list[tuple[FsPath, str]]) -> tuple[list[Diagnostic], list[StackInput]]:
    """``check_files`` of every file; with many files (and a second core), a forked process checks
    the second half while this one checks the first. Files are independent until the cross-spec
    rules, and the halves are joined in file order: the same result either way."""
    if len(files) < PARALLEL_MIN:
        return check_files(files)
    half = len(files) // 2
    second = in_background(check_files, files[half:])
    diagnostics, clean = check_files(files[:half])
    more_diagnostics, more_clean = second()
    return diagnostics + more_diagnostics, clean + more_clean


def _suppressions(texts: dict[str, str]) -> dict[str, list]:
    found = {shown: suppress.parse(text) for shown, text in texts.items()}
    return {shown: s for shown, s in found.items() if s}


def _read(real: FsPath) -> str:
    try:
        return real.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):        # the load stage has reported it
        return ""


def _finish(result: Result, diags: list[Diagnostic], clean: list[StackInput],
            build_models: bool, texts: dict[str, str]) -> Result:
    result.diagnostics.extend(diags)
    for stack, finding in rules_pkg.run_cross_rules(clean):
        result.diagnostics.append(to_diagnostic(finding, stack.positions))
    suppressions = _suppressions(texts)          # '# mplat: disable=...' (compiler/suppress.py)
    if suppressions:
        from .registry import rules as registered
        result.diagnostics = suppress.apply(result.diagnostics, suppressions, set(registered()))
    result.diagnostics = sort_unique(result.diagnostics)
    result.stacks = clean
    if build_models and result.ok:
        from . import model
        result.models = [model.build(stack) for stack in clean]
    return result


def run_text(text: str, shown: str, *, build_models: bool = False) -> Result:
    """``run`` for the text of one spec that is not (yet) on disk, e.g. an edit the operational
    commands are about to write: the same stages (partial checks and cross-spec rules included)."""
    result = Result(files=[shown])
    doc, diags = load_text(text, shown)
    clean: list[StackInput] = []
    if doc is not None and not has_errors(diags):
        more, clean = check_document(doc)
        diags = diags + more
    return _finish(result, diags, clean, build_models, {shown: text})


def run(paths: list[str], *, build_models: bool = False) -> Result:
    result = Result()
    files, diags = discover(paths)
    result.diagnostics.extend(diags)
    for real, shown in files:
        result.files.append(shown)
        result.sources.append((real, shown))
    diags, clean = _check_all(files)
    return _finish(result, diags, clean, build_models,
                   {shown: _read(FsPath(real)) for real, shown in files})
