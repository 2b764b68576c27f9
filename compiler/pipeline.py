"""The front end as one function: paths -> stacks, diagnostics and (when clean) typed models.

Each stage returns its output and findings; a stack stops at the first stage that reports errors.
"""
from __future__ import annotations

import dataclasses
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
    stack_count: int = 0                                     # every stack of every loaded file

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


# Sections without which no rule can run: the spec's identity (every name derives from
# metadata.name, every ARN from aws). A schema error in one of them (or at the top level) stops
# the rules for that stack.
CORE_SECTIONS = frozenset({"apiVersion", "kind", "metadata", "aws"})


def failing_sections(findings) -> frozenset | None:
    """The top-level sections with a schema error (and the sections whose derived defaults read
    one of them: ``defaults.DERIVED_FROM``), or None when a core section or the top level fails."""
    failing = set()
    for f in findings:
        if f.severity != ERROR:
            continue
        if not f.path or f.path[0] in CORE_SECTIONS:
            return None
        failing.add(f.path[0])
    for section, sources in defaults.DERIVED_FROM.items():
        if failing & sources:
            failing.add(section)
    return frozenset(failing)


def check_and_resolve(stack: StackInput) -> tuple[list[Diagnostic], StackInput]:
    """Schema, then the defaults and the semantic rules of one stack: its diagnostics, and the
    stack with its resolved document (when the schema passed).

    Every problem in one run: when some sections fail their schema check, the rules still run on
    a document without them (a rule that reads a failing section is skipped for this stack, see
    ``rules.run_stack_rules``); the stack itself stays unresolved (it is not clean)."""
    findings = schema.check(stack)
    if not any(f.severity == ERROR for f in findings):
        stack = defaults.resolve(stack)
        findings = findings + rules_pkg.run_stack_rules(stack)
        return [to_diagnostic(f, stack.positions, stack) for f in findings], stack
    failing = failing_sections(findings)
    if failing is not None:
        failing = failing & frozenset(stack.data)   # an absent section reads the same either way
        data = {k: v for k, v in stack.data.items() if k not in failing}
        partial = dataclasses.replace(stack, data=data)
        try:
            findings = findings + rules_pkg.run_stack_rules(partial, failing)
        except Exception:   # a rule surprised by a partial document must never hide the
            pass            # schema errors themselves; the run fails on them anyway, and once
            #                 they are fixed every rule runs on the whole document
    return [to_diagnostic(f, stack.positions, stack) for f in findings], stack


PARALLEL_MIN = 200      # files: from here on, a forked process checks the second half of them


def check_document(doc) -> tuple[list[Diagnostic], list[StackInput]]:
    """Check each stack of one loaded spec: the diagnostics, and the stacks that passed."""
    diagnostics, clean, _checked = check_document_all(doc)
    return diagnostics, clean


def check_document_all(doc) -> tuple[list[Diagnostic], list[StackInput], list[StackInput]]:
    """Check each stack of one loaded spec: the diagnostics, the stacks that passed every stage,
    and the stacks whose schema check passed (the cross-spec rules compare those, so that an
    error of one rule family never hides another's)."""
    diagnostics: list[Diagnostic] = []
    clean: list[StackInput] = []
    checked: list[StackInput] = []
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
        if stack.resolved:
            checked.append(stack)
        if not has_errors(diags) and not has_errors(partial):
            clean.append(stack)
    return diagnostics, clean, checked


def check_files(files: list[tuple[FsPath, str]]) -> tuple[list[Diagnostic], list[StackInput]]:
    """Load each file and check each of its stacks: the diagnostics, and the stacks that passed."""
    diagnostics, clean, _checked, _count = check_files_all(files)
    return diagnostics, clean


def check_files_all(files: list[tuple[FsPath, str]]
                    ) -> tuple[list[Diagnostic], list[StackInput], list[StackInput], int]:
    """``check_files``, plus the stacks whose schema check passed (``check_document_all``) and
    how many stacks the files define."""
    diagnostics: list[Diagnostic] = []
    clean: list[StackInput] = []
    checked: list[StackInput] = []
    total = 0
    for real, shown in files:
        doc, diags = load_file(str(real), shown)
        diagnostics.extend(diags)
        if doc is None or has_errors(diags):   # a duplicate key: which value is meant is unknown
            continue
        more, passed, schema_ok = check_document_all(doc)
        diagnostics.extend(more)
        clean.extend(passed)
        checked.extend(schema_ok)
        total += len(stacks_of(doc))
    return diagnostics, clean, checked, total


def _check_all(files: list[tuple[FsPath, str]]
               ) -> tuple[list[Diagnostic], list[StackInput], list[StackInput], int]:
    """``check_files_all`` of every file; with many files (and a second core), a forked process
    checks the second half while this one checks the first. Files are independent until the
    cross-spec rules, and the halves are joined in file order: the same result either way."""
    if len(files) < PARALLEL_MIN:
        return check_files_all(files)
    half = len(files) // 2
    second = in_background(check_files_all, files[half:])
    diagnostics, clean, checked, total = check_files_all(files[:half])
    more = second()
    return diagnostics + more[0], clean + more[1], checked + more[2], total + more[3]


def _suppressions(texts: dict[str, str]) -> dict[str, list]:
    found = {shown: suppress.parse(text) for shown, text in texts.items()}
    return {shown: s for shown, s in found.items() if s}


def _read(real: FsPath) -> str:
    try:
        return real.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):        # the load stage has reported it
        return ""


def _finish(result: Result, diags: list[Diagnostic], clean: list[StackInput],
            build_models: bool, texts: dict[str, str],
            checked: list[StackInput] | None = None) -> Result:
    """``checked``: the stacks the cross-spec rules compare (every stack whose schema passed;
    default: the clean ones)."""
    result.diagnostics.extend(diags)
    for stack, finding in rules_pkg.run_cross_rules(clean if checked is None else checked):
        result.diagnostics.append(to_diagnostic(finding, stack.positions, stack))
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
    checked: list[StackInput] = []
    if doc is not None and not has_errors(diags):
        more, clean, checked = check_document_all(doc)
        diags = diags + more
        result.stack_count = len(stacks_of(doc))
    return _finish(result, diags, clean, build_models, {shown: text}, checked)


def run(paths: list[str], *, build_models: bool = False) -> Result:
    result = Result()
    files, diags = discover(paths)
    result.diagnostics.extend(diags)
    for real, shown in files:
        result.files.append(shown)
        result.sources.append((real, shown))
    diags, clean, checked, result.stack_count = _check_all(files)
    return _finish(result, diags, clean, build_models,
                   {shown: _read(FsPath(real)) for real, shown in files}, checked)
