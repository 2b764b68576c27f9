"""Many stacks through real terraform at once: :func:`running`, the suite's one way to do it.

The session's Terraform work (every example, feature and variant stack of the default engine,
run whole, and the second engine's output of the examples, planned, one of them run whole) goes
through ONE pool, so the idle time of one stack (the AWS provider's waiters sleep: an
``aws_s3_bucket_lifecycle_configuration`` polls every 5 s until it has read the rules back 3
times in a row) is another stack's CPU time. Servers are per (group, account): a group is one
set of stacks that may share an account's moto (two engines' copies of a stack would collide on
its bucket names, so each engine is its own group). The servers live until the ``with`` block
ends, so :func:`~terraform.workdir.fork` can go on from any applied stack.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .server import MotoServer
from .tools import Tools, write_cli_config
from .workdir import StackRun, account_of, plan_stack, run_stack


@dataclass(frozen=True)
class Job:
    group: str          # e.g. the engine: stacks of one group share their account's moto server
    stack: str
    doc: dict
    whole: bool = True  # run_stack (init, apply, plan, destroy plan) or plan_stack (init, plan)

    @property
    def key(self) -> tuple[str, str]:
        return self.group, self.stack


def _summary(runs: dict[tuple[str, str], StackRun], wall: float, jobs: int) -> str:
    return "".join(
        f"{g}/{r.stack}: {r.seconds:.0f} s, steps {r.steps}, applied {len(r.applied)}, "
        f"excluded {len(r.excluded)}, changes {len(r.changes)}, refused {len(r.refused)}, "
        f"error {bool(r.error)}\n" for (g, _), r in runs.items()) + \
        f"wall {wall:.0f} s with {jobs} jobs\n"


@contextmanager
def running(jobs: list[Job], root: Path, tools: Tools,
            max_jobs: int) -> Iterator[dict[tuple[str, str], StackRun]]:
    """Run ``jobs`` (at most ``max_jobs`` at a time) against moto servers started for them; yield
    (group, stack) -> :class:`StackRun`; stop the servers when the block ends. Writes
    ``root/summary.txt`` and ``root/summary.json`` (per stack: steps, seconds, what was applied,
    excluded, changed, refused) for whoever investigates a slow or failed run."""
    keys = [j.key for j in jobs]
    assert len(set(keys)) == len(keys), "a (group, stack) twice"
    root.mkdir(parents=True, exist_ok=True)
    cli = write_cli_config(root / "cli.tfrc", tools.mirror)
    servers = {(g, a): MotoServer(a, root / f"moto-{g}-{a}.log")
               for g, a in sorted({(j.group, account_of(j.doc)) for j in jobs})}
    try:
        with ThreadPoolExecutor(max(1, len(servers))) as pool:
            list(pool.map(MotoServer.start, servers.values()))
        started = time.monotonic()
        with ThreadPoolExecutor(max(1, min(max_jobs, len(jobs)))) as pool:
            futures = {j.key: pool.submit(run_stack if j.whole else plan_stack, j.stack, j.doc,
                                          root / j.group / j.stack, tools, cli,
                                          servers[j.group, account_of(j.doc)].endpoint)
                       for j in jobs}
            runs = {k: f.result() for k, f in futures.items()}
        (root / "summary.txt").write_text(_summary(runs, time.monotonic() - started, max_jobs))
        (root / "summary.json").write_text(json.dumps({f"{g}/{r.stack}": {
            "steps": r.steps, "applied": [a for a in r.applied if not a.startswith("data.")],
            "excluded": {a: gap.type for a, gap in r.excluded.items()},
            "changes": [c.address for c in r.changes], "refused": sorted(r.refused),
            "seconds": round(r.seconds), "error": r.error} for (g, _), r in runs.items()},
            indent=1))
        yield runs
    finally:
        for server in servers.values():
            server.stop()
