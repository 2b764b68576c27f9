"""`python -m bench.floors validate DIR`: where `mplat validate` of DIR spends its time, in ONE
process, each stage timed alone (best of 5 passes, after a first pass that warms every cache), as
JSON on stdout. `make bench` prints these rows beside the (e) ratio: they are the figures that show
whether the ratio's goal can be met at all, because two of the stages are the required libraries'
own work (libyaml composing the YAML, jsonschema checking it), which mplat cannot make cheaper.

`python -m bench.floors replay`: the same for what a no-change `mplat synth` cannot skip (the (c)
row): importing the command line and the cache (`mplat.cli`, `generators.incremental`), and the
digest of mplat's own code that keys the cache (every source, the schema, the locks: a changed
generator must never replay an old output).

`python -m bench.floors stacks DIR` (engine: MPLAT_ENGINE): building the stacks of DIR once more in a
process that has built them already (engine started, every module imported and loaded, Node's code
warm), best of 5: a lower bound of what a cold synth of DIR spends on its stacks, whatever start-up
work is removed or overlapped. With the bare `import yaml, jsonschema` (which validation needs
before any stack) it is the floor of the (b) row.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

PASSES = 5

STAGES = (
    ("yaml", "libyaml: compose every spec (yaml.compose, CSafeLoader)"),
    ("load", "mplat load: compose + values + a position for every key and value"),
    ("jsonschema", "jsonschema: Draft202012Validator.iter_errors of every stack"),
    ("schema", "mplat schema stage: iter_errors + explain + locate"),
    ("defaults", "mplat defaults stage (resolved defaults)"),
    ("rules", "mplat rules stage (every stack rule)"),
)


def _best(fn) -> float:
    fn()                                    # warm: compiled patterns, lazily built tables
    times = []
    for _ in range(PASSES):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1000 * min(times)


def validate_stages(spec_dir: Path) -> dict[str, float]:
    """Milliseconds per stage for every spec of ``spec_dir`` (and, ``imports``, the import of
    mplat's validate path beyond ``yaml`` and ``jsonschema``)."""
    import jsonschema  # noqa: F401  (the bare import's part: not mplat's)
    import yaml
    started = time.perf_counter()
    from compiler import defaults, schema
    from compiler import rules as rules_pkg
    from compiler import pipeline  # noqa: F401  (all of the validate path)
    from compiler.load import load_file
    from compiler.overlay import stacks_of
    from compiler.schema import checks
    imports = 1000 * (time.perf_counter() - started)

    files = sorted(str(p) for p in spec_dir.glob("*.yaml"))
    texts = [Path(f).read_text() for f in files]
    stacks = [s for f in files for s in stacks_of(load_file(f)[0])]
    resolved = [defaults.resolve(s) for s in stacks]
    validator = checks.validator()
    figures = {
        "yaml": _best(lambda: [yaml.compose(t, Loader=yaml.CSafeLoader) for t in texts]),
        "load": _best(lambda: [load_file(f) for f in files]),
        "jsonschema": _best(lambda: [list(validator.iter_errors(s.data)) for s in stacks]),
        "schema": _best(lambda: [schema.check(s) for s in stacks]),
        "defaults": _best(lambda: [defaults.resolve(s) for s in stacks]),
        "rules": _best(lambda: [rules_pkg.run_stack_rules(s) for s in resolved]),
    }
    return {"files": len(files), "stacks": len(stacks), "imports": imports, **figures}


def replay_stages() -> dict[str, float]:
    """Milliseconds: importing the replay path, and the code digest (best of 5)."""
    started = time.perf_counter()
    import mplat.cli  # noqa: F401
    from generators import incremental
    imports = 1000 * (time.perf_counter() - started)
    return {"imports": imports, "digest": _best(incremental.code_digest)}


def warm_stacks(spec_dir: Path) -> dict[str, float]:
    """Milliseconds: the stacks of ``spec_dir`` built again in a warm process (best of 5)."""
    import tempfile

    from compiler import pipeline
    from generators.app import synthesize_each
    models = pipeline.run([str(spec_dir)], build_models=True).models

    def build() -> None:
        with tempfile.TemporaryDirectory(prefix="mplat-floor-") as out:
            synthesize_each(models, out, lambda *built: None)

    return {"stacks": len(models), "warm": _best(build)}


def main(argv: list[str]) -> int:
    if argv[:1] == ["validate"] and len(argv) == 2:
        print(json.dumps(validate_stages(Path(argv[1]))))
    elif argv[:1] == ["stacks"] and len(argv) == 2:
        print(json.dumps(warm_stacks(Path(argv[1]))))
    elif argv == ["replay"]:
        print(json.dumps(replay_stages()))
    else:
        print("usage: python -m bench.floors validate DIR | replay | stacks DIR", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
