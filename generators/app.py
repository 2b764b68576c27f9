"""Synthesis: typed models -> ``<outdir>/stacks/<stack>/cdk.tf.json`` (one CDKTF app, one stack each).

The output is byte-identical from any directory, checkout path or machine: stack traces are off,
backends are explicit (a relative local path, never the engine's absolute default) and the
manifest holds only relative paths.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Callable

from . import engine

# `engine.aws("s3_bucket")`, `engine.k8s("deployment_v1")`: the binding modules the generators use
_BINDING_CALL = re.compile(r'\bengine\.(aws|k8s)\("(\w+)"\)')


def bindings_named() -> list[tuple[str, str]]:
    """Every binding module the generators name, as ("aws"|"k8s", submodule): the AWS ones first
    (their assembly loads first), each package's provider module first, then in source order. What
    the engine's binding-prefetch thread imports (read from the sources, so never out of date; a
    test checks that it covers every module a synth of the examples loads)."""
    named: dict[tuple[str, str], None] = {}
    for path in sorted(Path(__file__).parent.glob("*.py")):
        for match in _BINDING_CALL.finditer(path.read_text(encoding="utf-8")):
            named.setdefault((match.group(1), match.group(2)), None)
    return sorted(named, key=lambda km: (km[0] != "aws", km[1] != "provider"))


def build_app(platforms, outdir: str | None = None):
    """The CDKTF app with one PlatformStack per model (``outdir`` None: the engine's default,
    which is what ``cdktf synth`` passes through its environment)."""
    engine.prefetch(bindings_named)
    engine.start()
    from .stack import PlatformStack       # subclasses an engine class: imported once it runs
    args = {"stack_traces": False}
    if outdir is not None:
        args["outdir"] = str(outdir)
    app = engine.cdktf.App(**args)
    for platform in platforms:
        PlatformStack(app, platform)
    return app


def summarize(outdir: str | os.PathLike, stack: str) -> dict:
    """Resources by kind (Terraform type) of one synthesized stack."""
    path = Path(outdir) / "stacks" / stack / "cdk.tf.json"
    doc = json.loads(path.read_text())
    kinds = Counter({kind: len(items) for kind, items in doc.get("resource", {}).items()})
    return {"stack": stack, "path": str(path), "resources": dict(sorted(kinds.items())),
            "data": sorted(doc.get("data", {})), "outputs": sorted(doc.get("output", {}))}


def synthesize_each(platforms, outdir: str | os.PathLike,
                    finished: Callable[[str, bytes, bytes], None]) -> None:
    """Synthesize each platform as an app of its own into ``outdir``, and call
    ``finished(stack, cdk.tf.json bytes, that app's manifest.json bytes)`` as soon as it is built
    (``generators.incremental`` caches it then: a killed run loses only the stacks not finished).
    A stack's output depends only on its own model, so this writes the same stack files as one app
    holding them all; the manifest is that of an app holding the stack alone."""
    outdir = Path(outdir)
    for platform in platforms:
        build_app([platform], str(outdir)).synth()
        finished(platform.stack, (outdir / "stacks" / platform.stack / "cdk.tf.json").read_bytes(),
                 (outdir / "manifest.json").read_bytes())
    engine.stop_prefetch()


def synthesize(platforms, outdir: str | os.PathLike) -> list[dict]:
    """Synthesize every platform into ``outdir``; per-stack summaries in the given order."""
    platforms = list(platforms)
    app = build_app(platforms, str(outdir))
    app.synth()
    engine.stop_prefetch()
    return [summarize(outdir, p.stack) for p in platforms]
