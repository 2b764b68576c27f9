"""What a change to the specs does, stack by stack: the working tree against a git revision.

Both sides are compiled and synthesized with the mplat that runs, through the synth cache
(``generators.incremental``): a stack synthesized before, on either side, is not built again. A
spec file whose bytes are the same on both sides yields the same output on both, so only the
stacks of changed, added and removed files are compiled from the base and compared. Where the
repository holds mplat itself and its code differs at the base, the base is synthesized by the
base's own mplat instead and every stack is compared (``basecode``).
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from compiler import pipeline
from compiler.background import in_background
from compiler.diagnostics import has_errors
from compiler.files import discover, display_path

from . import basecode, gitrefs
from .compare import StackDiff, compare_docs


@dataclass
class Changeset:
    base: gitrefs.Base
    stacks: list[StackDiff]                       # every stack of a changed file, sorted by name
    uncommitted: list[str] = field(default_factory=list)   # `git status` lines under the paths
    base_problems: list[str] = field(default_factory=list)  # notes about how the base was built
    # base spec files whose stacks could not be compiled: (file, its first error as a line). Their
    # stacks are missing from the base, so a deletion there cannot be seen: the diff fails closed.
    base_failures: list[tuple[str, str]] = field(default_factory=list)
    compared_files: int = 0                       # spec files that differ from the base
    mplat_changed: bool = False                   # the base was synthesized by the base's mplat
    total_files: int = 0

    @property
    def changed(self) -> list[StackDiff]:
        return [s for s in self.stacks if s.status != "unchanged"]

    @property
    def destructive(self) -> bool:
        return any(s.destructive for s in self.stacks)

    @property
    def unproven(self) -> bool:
        """Some base stacks could not be compiled: what the change deletes there is unknown."""
        return bool(self.base_failures)

    def affected(self) -> list[StackDiff]:
        """Stacks whose synthesized output differs (to plan and apply), by name."""
        return [s for s in self.stacks if s.status in ("added", "changed", "renamed")]

    def removed(self) -> list[StackDiff]:
        """Stacks that exist only at the base (to destroy): removed ones and old names of renamed."""
        gone = [s for s in self.stacks if s.status == "removed"]
        gone += [StackDiff(s.old_stack, "removed", s.file, s.env) for s in self.stacks
                 if s.status == "renamed"]
        return sorted(gone, key=lambda s: s.stack)


class ValidationFailed(Exception):
    def __init__(self, diagnostics: list):
        super().__init__("the working tree's specs do not validate")
        self.diagnostics = diagnostics


BACKGROUND_MIN = 20     # spec files: from here on, a forked process validates them all while this
                        # one compiles and synthesizes the changed ones (which starts the engine)


def _diagnostics(paths: list[str]) -> list:
    return pipeline.run(paths).diagnostics


def _validate(paths: list[str], count: int) -> Callable[[], list]:
    """Validate every spec under ``paths`` (cross-spec rules included): a function that returns the
    diagnostics. With many files and a second core, in a forked process, started now (before the
    engine is imported) and joined when the function is called."""
    if count < BACKGROUND_MIN:
        diagnostics = _diagnostics(paths)
        return lambda: diagnostics
    return in_background(_diagnostics, paths)      # compiler.background: fork, or here


def compute(paths: list[str], base_ref: str | None,
            progress: Callable[[str], None] = lambda msg: None) -> Changeset:
    """Compare the specs under ``paths`` in the working tree with the same paths at ``base_ref``.
    Raises gitrefs.GitError (a usage problem) or ValidationFailed (the working tree has errors)."""
    top = gitrefs.toplevel()
    base = gitrefs.resolve_base(base_ref, top)
    given = [gitrefs.repo_path(p, top) for p in paths]
    sources, found = discover(paths)
    if has_errors(found):
        raise ValidationFailed(found)

    work: dict[str, str] = {}                    # repository path -> file as shown
    work_hash: dict[str, str] = {}
    real_of: dict[str, Path] = {}
    for real, shown in sources:
        rel = gitrefs.repo_path(real, top)
        work[rel], real_of[rel] = shown, Path(real)
        work_hash[rel] = gitrefs.blob_hash(Path(real).read_bytes())
    base_blobs = gitrefs.spec_blobs(base.commit, given, top)
    changed = sorted(rel for rel in set(work) | set(base_blobs)
                     if work_hash.get(rel) != base_blobs.get(rel))
    validated = _validate(paths, len(sources))
    problems: list[str] = []
    # mplat's own code differs at the base (this repository holds mplat): every stack may change
    code_prefix = basecode.code_changed(base.commit, top)
    compare_files = sorted(set(work) | set(base_blobs)) if code_prefix is not None else changed
    shown_of = {rel: work.get(rel) or display_path(top / rel) for rel in compare_files}
    progress(f"base {base.how}: {len(changed)} of {len(set(work) | set(base_blobs))} spec file(s) "
             "differ" + ("; mplat's own code differs too" if code_prefix is not None else ""))

    # the working tree's side (every file is validated above, in the background when many)
    head_diags, head_stacks = pipeline.check_files([(real_of[rel], work[rel])
                                                    for rel in compare_files if rel in work])
    if has_errors(head_diags):              # nothing to compare: report every problem now
        raise ValidationFailed(validated())

    # the base side, from the object database, compiled by this mplat (names, files, environments)
    at_base = [rel for rel in compare_files if rel in base_blobs]
    contents = gitrefs.read_blobs(sorted({base_blobs[rel] for rel in at_base}), top)
    base_specs = {rel: contents[base_blobs[rel]] for rel in at_base}
    with tempfile.TemporaryDirectory(prefix="mplat-base-") as tmp:
        files = []
        for rel in at_base:
            target = Path(tmp, "specs", rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base_specs[rel])
            files.append((target, shown_of[rel]))
        base_diags, base_stacks = pipeline.check_files(files)
        base_by_code: dict[str, bytes] | None = None
        if code_prefix is not None:
            progress("synthesizing the base with the base's own mplat (its code differs)")
            base_by_code, failed = basecode.synth_at_base(base.commit, top, code_prefix,
                                                          base_specs, given, Path(tmp))
            if failed:
                problems.append(f"the base's own mplat could not synthesize the base ({failed}); "
                                "the base was synthesized with this mplat instead")
                base_by_code = None
    failures: list[tuple[str, str]] = []
    if base_by_code is None:         # compiled by this mplat: a base file it rejects has no stacks
        for rel in at_base:
            errors = [d for d in base_diags if d.file == shown_of[rel] and d.severity == "error"]
            if errors:
                first = errors[0]
                failures.append((shown_of[rel], f"{first.file}:{first.line}:{first.col}: "
                                                f"{first.rule}: {first.message}"))
    from compiler import model
    head_models = [model.build(stack) for stack in head_stacks]
    from generators.incremental import stack_outputs   # imports the engine only to build
    new_out = stack_outputs(head_stacks, head_models, progress) if head_models else {}
    if base_by_code is not None:
        old_out = base_by_code
    else:
        base_models = [model.build(stack) for stack in base_stacks]
        old_out = stack_outputs(base_stacks, base_models, progress) if base_models else {}
    diagnostics = validated()
    if has_errors(diagnostics):
        raise ValidationFailed(diagnostics)

    new_where = {m.stack: (s.file, s.env) for s, m in zip(head_stacks, head_models, strict=True)}
    from compiler import names
    old_where = {names.stack_name(s.data, s.env): (s.file, s.env) for s in base_stacks}
    old_where.update({n: (None, None) for n in old_out if n not in old_where})
    diffs: list[StackDiff] = []
    # a stack that disappears and one that appears from the same file and environment: renamed
    gone_from = {old_where[n]: n for n in old_out if n not in new_out and old_where[n][0]}
    renamed = {n: gone_from.pop(new_where[n]) for n in new_out
               if n not in old_out and new_where[n] in gone_from}
    gone = [n for n in old_out if n not in new_out and n not in renamed.values()]
    for name in sorted(new_out):
        file, env = new_where[name]
        old_name = renamed.get(name, name if name in old_out else None)
        new_doc = json.loads(new_out[name])
        old_doc = json.loads(old_out[old_name]) if old_name else None
        resources = compare_docs(old_doc, new_doc)
        if old_name is None:
            diffs.append(StackDiff(name, "added", file, env, resources=resources))
        elif old_name != name:
            diff = StackDiff(name, "renamed", file, env, old_stack=old_name, resources=resources)
            diff.reasons.append(f"the stack is renamed from {old_name}: its state and every "
                                f"resource name derived from it change; {old_name} is left to "
                                "destroy")
            diffs.append(diff)
        else:
            diffs.append(StackDiff(name, "changed" if resources else "unchanged", file, env,
                                   resources=resources))
    for name in sorted(gone):
        file, env = old_where[name]
        resources = compare_docs(json.loads(old_out[name]), None)
        diff = StackDiff(name, "removed", file, env, resources=resources)
        count = sum(r.kind == "resource" for r in resources)
        diff.reasons.append(f"the stack is removed: destroying it deletes its {count} resource(s)"
                            if any(r.destructive for r in resources) else "")
        diff.reasons = [r for r in diff.reasons if r]
        diffs.append(diff)
    diffs.sort(key=lambda d: d.stack)
    return Changeset(base, diffs, gitrefs.uncommitted(given, top), problems, failures,
                     compared_files=len(changed), total_files=len(set(work) | set(base_blobs)),
                     mplat_changed=code_prefix is not None and base_by_code is not None)
