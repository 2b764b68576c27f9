"""A synth worker process: `python -O -m generators.worker CHUNK.pickle OUTDIR`.

Reads a pickled chunk (``compiler.model.Platform`` list and their cache entries) and synthesizes
them into OUTDIR stack by stack, each stored in the cache as it finishes. Started by
``generators.incremental`` for shards of many stacks; each worker exits after its chunk, which is
what bounds its memory (the jsii kernel keeps every object until the process ends). ``-O`` drops the
provider bindings' run-time argument type checks (``if __debug__:``): the models were validated.
"""
from __future__ import annotations

import pickle
import sys


def main(argv: list[str]) -> int:
    chunk_file, outdir = argv
    with open(chunk_file, "rb") as fh:
        chunk = pickle.load(fh)
    from .incremental import build_stacks
    build_stacks(chunk["models"], outdir, chunk["entries"])
    return 0


if __name__ == "__main__":
    from . import engine
    code = main(sys.argv[1:])
    engine.exit_process(code)       # without Python's teardown of the bindings (see there)
    raise SystemExit(code)
