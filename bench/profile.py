"""`python [-O] -m bench.profile [--stacks N | --specs DIR] [--cprofile FILE]`: where synthesis spends
its time, in one process (see docs/performance-profile.md).

Runs what a synth worker runs (``incremental.build_stacks``) on N generated specs (bench/specgen.py)
or on a spec directory, and reports:

* start-up phases: Python imports, Node start (first assembly), each engine/provider load;
* per stack: jsii requests by kind, the time spent in jsii's ``_NodeProcess.send`` (Python
  serializing + waiting on the pipe for Node + Python deserializing), of which waiting on the pipe
  (``readline`` of the response: Node's work plus the pipe), and Python time outside jsii;
* per-app phases: App create, the stack's constructor (resources), ``app.synth()``, the rest.

Counters are patched into jsii's process provider here only (never in mplat's own code paths).
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()


class Counters:
    def __init__(self) -> None:
        self.kinds: collections.Counter = collections.Counter()
        self.send = 0.0          # seconds in _NodeProcess.send
        self.wait = 0.0          # of which in _next_message (readline + json.loads)
        self.read = 0.0          # of which readline alone (the pipe: Node's time)
        self.bytes_in = 0
        self.kind_time: collections.Counter = collections.Counter()   # kind -> readline seconds
        self.current = ""

    def snapshot(self):
        return (collections.Counter(self.kinds), self.send, self.wait, self.read, 0,
                self.bytes_in)


C = Counters()


def patch_jsii() -> None:
    from jsii._kernel.providers import process

    node = process._NodeProcess
    send, next_message = node.send, node._next_message

    def counted_send(self, request, response_type):
        name = type(request).__name__.replace("Request", "").lstrip("_").lower()
        if name == "invoke":
            name = f"invoke {request.method}"
        elif name == "staticinvoke":
            name = f"sinvoke {request.fqn.rsplit('.', 1)[-1]}.{request.method}"
        elif name == "get":
            name = f"get {request.property}"
        elif name == "staticget":
            name = f"sget {request.fqn.rsplit('.', 1)[-1]}.{request.property}"
        elif name == "set":
            name = f"set {request.property}"
        C.kinds[name] += 1
        C.current = name
        t = time.perf_counter()
        try:
            return send(self, request, response_type)
        finally:
            C.send += time.perf_counter() - t

    def counted_next(self):
        t = time.perf_counter()
        line = self._process.stdout.readline()
        C.read += time.perf_counter() - t
        C.kind_time[C.current] += time.perf_counter() - t
        C.bytes_in += len(line)
        import json
        try:
            return json.loads(line, object_hook=process.ohook)
        finally:
            C.wait += time.perf_counter() - t

    node.send = counted_send
    node._next_message = counted_next
    del next_message


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stacks", type=int, default=250)
    parser.add_argument("--specs")
    parser.add_argument("--cprofile", help="write a cProfile of stacks 2..N here")
    args = parser.parse_args()
    phases: list[tuple[str, float]] = []
    mark = [time.perf_counter()]

    def phase(name: str) -> None:
        now = time.perf_counter()
        phases.append((name, now - mark[0]))
        mark[0] = now

    phase("interpreter to main (site, argparse)")
    from compiler import pipeline
    phase("import compiler.pipeline")
    with tempfile.TemporaryDirectory(prefix="mplat-prof-") as tmp:
        if args.specs:
            paths = [args.specs]
        else:
            from bench.specgen import write_specs
            paths = [str(p) for p in write_specs(Path(tmp) / "specs", args.stacks)]
        result = pipeline.run(paths, build_models=True)
        assert result.ok, result.diagnostics
        models = result.models
        phase(f"validate + models ({len(models)} stacks; not in a worker)")

        import jsii  # noqa: F401
        phase("import jsii (Python runtime, cattrs, typeguard)")
        patch_jsii()
        from generators import engine
        os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
        from generators.runtime import node_for_jsii
        node_for_jsii()
        engine._start_kernel()    # import constructs: the kernel starts, constructs loads
        phase("Node start + kernel + constructs assembly")
        import importlib
        importlib.import_module(engine.selected().core)
        phase(f"import {engine.selected().core} (assembly load)")
        engine.start()
        phase("engine tricks + creation-stack check")
        from generators import app as app_mod
        from generators import stack as stack_mod
        phase("import generators.app/stack")
        engine.aws("provider")
        phase("aws bindings: lazy assembly + provider module")
        for name in ("s3_bucket", "iam_role", "cloudwatch_metric_alarm", "codedeploy_app"):
            engine.aws(name)
        phase("4 more aws modules")
        engine.k8s("provider")
        phase("kubernetes bindings: assembly + provider module")
        startup = C.snapshot()

        # the per-stack path of build_stacks, with each phase timed
        from generators.incremental import MANIFEST_FILE, stack_manifest, _write_atomic
        import json
        outdir = Path(tmp) / "out"
        per = collections.defaultdict(float)
        prof = None
        if args.cprofile:
            import cProfile
            prof = cProfile.Profile()
        from jsii._runtime import kernel as _k
        node_pid = _k.provider._process._process.pid

        def node_cpu() -> float:
            with open(f"/proc/{node_pid}/stat") as fh:
                f = fh.read().rsplit(")", 1)[1].split()
            return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        started = time.perf_counter()
        first_done = None
        for i, platform in enumerate(models):
            if prof and i == 1:
                prof.enable()      # stacks 2..N: the steady state, not the first stack's imports
            t0 = time.perf_counter()
            a = engine.cdktf.App(stack_traces=False, outdir=str(outdir))
            t1 = time.perf_counter()
            stack_mod.PlatformStack(a, platform)
            t2 = time.perf_counter()
            a.synth()
            t3 = time.perf_counter()
            stack_json = (outdir / "stacks" / platform.stack / "cdk.tf.json").read_bytes()
            manifest = stack_manifest(json.loads((outdir / "manifest.json").read_bytes()),
                                      platform.stack)
            _write_atomic(outdir / "stacks" / platform.stack / MANIFEST_FILE, manifest)
            del stack_json
            t4 = time.perf_counter()
            per["App()"] += t1 - t0
            per["PlatformStack()"] += t2 - t1
            per["app.synth()"] += t3 - t2
            per["read + manifest"] += t4 - t3
            if i == 0:
                first_done = C.snapshot()
                first_t = t4 - t0
                cpu0 = (time.process_time(), node_cpu())
        if prof:
            prof.disable()
            prof.dump_stats(args.cprofile)
        total = time.perf_counter() - started
        cpu1 = (time.process_time(), node_cpu())
        end = C.snapshot()
        n = len(models)
        del app_mod

    print(f"python {sys.version.split()[0]} -O={int(not __debug__)} engine={engine.selected().name}"
          f" lean={engine.LEAN} stacks={n}")
    print("\n## start-up")
    for name, seconds in phases:
        print(f"  {seconds * 1000:8.1f} ms  {name}")
    print(f"  jsii requests during start-up: {sum(startup[0].values())} "
          f"({dict(startup[0].most_common(8))}); in send {startup[1] * 1000:.0f} ms, "
          f"of which readline {startup[3] * 1000:.0f} ms")
    print(f"\n## first stack: {first_t * 1000:.0f} ms, "
          f"{sum((first_done[0] - startup[0]).values())} requests")
    kinds = end[0] - first_done[0]
    m = n - 1
    if m:
        req = sum(kinds.values())
        send, wait, read = (end[i] - first_done[i] for i in (1, 2, 3))
        print(f"\n## per stack (stacks 2..{n}: mean of {m})")
        print(f"  wall {(total - first_t) / m * 1000:.1f} ms; total for all {n}: {total:.2f} s")
        print(f"  CPU a stack: Python {(cpu1[0] - cpu0[0]) / m * 1000:.1f} ms, Node "
              f"{(cpu1[1] - cpu0[1]) / m * 1000:.1f} ms (user+sys)")
        for name, seconds in per.items():
            print(f"    {seconds / n * 1000:6.1f} ms  {name} (mean over all {n})")
        print(f"  jsii requests: {req / m:.1f} a stack; in send {send / m * 1000:.1f} ms, of which "
              f"readline (Node + pipe) {read / m * 1000:.1f} ms, json.loads {(wait - read) / m * 1000:.1f}"
              f" ms, serializing/cattrs {(send - wait) / m * 1000:.1f} ms")
        print(f"  Python outside jsii send: {((total - first_t) - send) / m * 1000:.1f} ms a stack")
        print(f"  bytes from Node {(end[5] - first_done[5]) / m / 1024:.1f} KiB a stack")
        grouped = collections.Counter()
        for name, count in kinds.items():
            grouped[name.split(" ")[0]] += count
        print("  by kind: " + ", ".join(f"{k} {v / m:.1f}" for k, v in grouped.most_common()))
        spent = C.kind_time
        for name, count in kinds.most_common(40):
            print(f"    {count / m:6.2f}  {name}   (Node+pipe, whole run: {spent[name] / n * 1000:.2f} ms a stack)")
    def hwm(pid) -> str:
        with open(f"/proc/{pid}/status") as fh:
            f = dict(line.split(":", 1) for line in fh)
        return f"RSS {int(f['VmRSS'].split()[0]) // 1024} MB, peak {int(f['VmHWM'].split()[0]) // 1024} MB"
    print(f"\nPython: {hwm(os.getpid())}; Node: {hwm(node_pid)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
