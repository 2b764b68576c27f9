"""The CDKTF app that `cdktf synth` runs (cdktf.json: "app"): the same stacks as `mplat synth`.

Validates specs/ with the front end; on any error prints the diagnostics and exits 1 (nothing is
synthesized), else builds one stack per (spec, environment) into the output directory the cdktf CLI
passes through its environment (cdktf.out).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from compiler import pipeline
    from compiler.diagnostics import render_text

    result = pipeline.run(["specs"], build_models=True)
    if result.diagnostics:
        print(render_text(result.diagnostics), file=sys.stderr)
    if not result.ok:
        return 1
    from generators.app import build_app

    build_app(result.models).synth()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
