"""Regenerate the golden snapshots: ``python -m tools.update_golden`` (or ``make golden``).

Synthesizes every example stack of ``specs/`` and writes ``tests/golden/<stack>.json`` (the stack's
``cdk.tf.json`` byte for byte), removing snapshots of stacks that no longer exist; then the outputs of ``mplat diff`` and
``mplat affected`` (tools/review_golden.py). Review the diff
like code: a changed address (logical id) replaces a real resource.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
GOLDEN = ROOT / "tests" / "golden"


def main() -> int:
    from compiler import pipeline
    from compiler.diagnostics import render_text

    result = pipeline.run([str(SPECS)], build_models=True)
    if not result.ok:
        print(render_text(result.diagnostics), file=sys.stderr)
        return 1
    from generators.app import synthesize

    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mplat-golden-") as tmp:
        summaries = synthesize(result.models, tmp)
        wanted = set()
        for summary in summaries:
            target = GOLDEN / f"{summary['stack']}.json"
            new = (Path(tmp) / "stacks" / summary["stack"] / "cdk.tf.json").read_bytes()
            old = target.read_bytes() if target.exists() else None
            wanted.add(target.name)
            if new != old:
                target.write_bytes(new)
                print(f"{'updated' if old is not None else 'created'} {target.relative_to(ROOT)}")
    for stale in sorted(GOLDEN.glob("*.json")):
        if stale.name not in wanted:
            stale.unlink()
            print(f"removed {stale.relative_to(ROOT)}")
    print(f"{len(wanted)} golden snapshot(s) in {GOLDEN.relative_to(ROOT)}")
    from . import review_golden    # mplat diff / affected outputs of one scenario
    return review_golden.main()


if __name__ == "__main__":
    raise SystemExit(main())
