"""`make bench`: the performance figures of mplat, side by side, in one run.

Measures wall time and peak RSS (of the whole process tree: Python plus its Node process) of:
  (a) the stock floor, for each installed engine (cdktf, cdktn): a plain app of that engine
      importing the same provider modules the usual way (package __init__ and all) and
      synthesizing one bucket, with MPLAT_LEAN_LOADING=0 and no mplat import (only Node is
      mplat's: JSII_NODE);
  (b) `mplat synth specs/` with an empty cache, with each engine; (c) again with nothing changed;
  (d) one spec changed among 100 (cache warm);
  (e) `mplat validate` of 100 specs against bare `python -c 'import yaml, jsonschema'`, with the
      floors of its stages timed in one process (bench/floors.py) and bare `python -c pass`;
  (f) synth (no cache) of 10, 100 and 1000 generated stacks;
  (g) `mplat diff` and `mplat affected` in a git repository of 100 specs with one changed (the cache
      warm from a synth of the base), against the cold synth of one stack.
(a), (b), (c) and (e) are medians of --repeats runs (3). Prints a table with the ratios the
targets are stated in (issue #20's raised goals) and writes it to docs/performance.md
(`--only review`: only (g), replacing just its rows there).
Figures live here, not in tests.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

from generators.runtime import ENGINE_ENV, ENGINES, Engine, engine_installed, node_for_jsii

from .floors import STAGES
from .specgen import spec_text, write_specs

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MPLAT = [PY, "-m", "mplat"]


def _tree_rss_kb(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{entry}/statm") as fh:
                pages = int(fh.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        pid = int(entry)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(cmd: list[str], *, env: dict | None = None, cwd: Path = ROOT) -> dict:
    """Run a command; wall seconds and peak RSS of its process tree (sampled every 20 ms)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"bench: command failed ({proc.returncode}): {' '.join(cmd)}\n{out}\n{err}")
    return {"wall": wall, "rss_mb": peak / 1024}


STOCK_APP = textwrap.dedent("""
    import importlib
    mods = {mods!r}
    for full in mods:
        importlib.import_module(full)   # the usual way: the package __init__ runs first
    from {core} import App, TerraformStack, LocalBackend
    from {aws}.provider import AwsProvider
    from {aws}.s3_bucket import S3Bucket
    app = App(outdir={out!r})
    stack = TerraformStack(app, "floor")
    LocalBackend(stack, path="terraform.tfstate")
    AwsProvider(stack, "aws", region="us-east-1")
    S3Bucket(stack, "bucket", bucket="stock-floor-bucket")
    app.synth()
""")


# The floor imports nothing of mplat: the same Node as mplat (JSII_NODE, chosen by the seam's
# runtime, which never imports the engine) and every mplat trick off. Its module names come from
# the seam (generators.runtime.ENGINES).
STOCK_ENV = {"JSII_NODE": node_for_jsii(), "MPLAT_LEAN_LOADING": "0"}


def stock_app(engine: Engine, out: Path) -> str:
    """The stock floor's app for ``engine``: a plain app of that engine importing the provider
    modules mplat uses for specs/ the usual way, synthesizing one bucket."""
    return STOCK_APP.format(mods=provider_modules_in_use(engine), out=str(out), core=engine.core,
                            aws=engine.aws)


def provider_modules_in_use(engine: Engine) -> list[str]:
    """The provider submodules mplat loads for specs/ (asked of the engine seam after a synth)."""
    code = textwrap.dedent("""
        import sys, tempfile
        from compiler import pipeline
        from generators.app import synthesize
        from generators import engine
        result = pipeline.run(["specs"], build_models=True)
        synthesize(result.models, tempfile.mkdtemp())
        print("\\n".join(engine.loaded_provider_modules()))
    """)
    out = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, ENGINE_ENV: engine.name})
    return [line for line in out.stdout.splitlines()
            if line.startswith((f"{engine.aws}.", f"{engine.k8s}."))]


GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


REVIEW_REPEATS = 3      # (g) compares three short runs: the fastest of each is the least disturbed


def review(tmp: Path) -> tuple[list[tuple[str, dict]], list[tuple[str, float, str]]]:
    """(g): `mplat diff` and `mplat affected` with 100 specs in git and one changed. The base was
    synthesized before (the cache is warm for it), the changed stack is not: each command builds
    that one stack. Each run has its own copy of the same cache, so each pays that build."""
    repo = tmp / "review"
    write_specs(repo / "specs", 100)
    env = {**GIT_ENV, "MPLAT_CACHE_DIR": str(tmp / "review-cache")}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=repo, env={**os.environ, **env}, check=True,
                       capture_output=True)
    measure(MPLAT + ["synth", "specs", "--out", str(tmp / "review-out")], env=env, cwd=repo)
    (repo / "specs" / "bench-0042.yaml").write_text(spec_text(42, revision=1))
    one = tmp / "review-one"
    write_specs(one, 1)

    def best(cmd: list[str], cwd: Path, fresh_cache: bool) -> dict:
        """The fastest of REVIEW_REPEATS runs (each on a fresh copy of the base's cache)."""
        runs = []
        for _ in range(REVIEW_REPEATS):
            run_env = dict(env)
            if fresh_cache:
                copy = tmp / f"review-cache-{len(runs)}-{cmd[-1]}"
                shutil.copytree(tmp / "review-cache", copy)
                run_env["MPLAT_CACHE_DIR"] = str(copy)
            runs.append(measure(cmd, env=run_env, cwd=cwd))
        return min(runs, key=lambda m: m["wall"])

    cold = best(MPLAT + ["synth", str(one), "--no-cache", "--out", str(tmp / "review-one-out")],
                ROOT, False)
    diff = best(MPLAT + ["diff"], repo, True)
    affected = best(MPLAT + ["affected"], repo, True)
    best_of = f"best of {REVIEW_REPEATS}"
    rows = [(f"(g) mplat synth --no-cache, 1 stack (the cold synth of one stack), {best_of}", cold),
            (f"(g) mplat diff, 100 specs in git, one changed, {best_of}", diff),
            (f"(g) mplat affected, 100 specs in git, one changed, {best_of}", affected)]
    budget = cold["wall"] + 1.0
    targets = [("mplat diff, one changed of 100 / (cold synth of 1 stack + 1 s)",
                diff["wall"] / budget, "<= 1"),
               ("mplat affected, one changed of 100 / (cold synth of 1 stack + 1 s)",
                affected["wall"] / budget, "<= 1")]
    return rows, targets


def run_review() -> tuple[list[str], list[str]]:
    """Only (g): its measurement rows and target rows, as table lines."""
    tmp = Path(tempfile.mkdtemp(prefix="mplat-bench-"))
    try:
        rows, targets = review(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ([f"| {name} | {m['wall']:.2f} | {m['rss_mb']:.0f} |" for name, m in rows],
            [f"| {name} | {value:.3f} | {goal} |" for name, value, goal in targets])


def merge_review(text: str, rows: list[str], targets: list[str]) -> str:
    """docs/performance.md with the (g) rows and the review targets replaced by new ones."""
    lines = [line for line in text.splitlines()
             if not line.startswith(("| (g) ", "| mplat diff, ", "| mplat affected, ",
                                     "The (g) rows were measured separately"))]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if line.startswith("Machine:"):
            out += ["", f"The (g) rows were measured separately (`python -m bench --only review`), "
                        f"with a load average of {load:.1f} on {os.cpu_count()} cores."]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.startswith("| (") and not following.startswith("| ("):
            out.extend(rows)
        if line.startswith("| ") and not line.startswith(("| (", "| measurement", "| target",
                                                           "|---")) \
                and not following.startswith("| "):
            out.extend(targets)
    return "\n".join(out) + "\n"


def median(runs: list[dict]) -> dict:
    """The run with the median wall time (its own peak memory with it)."""
    return sorted(runs, key=lambda m: m["wall"])[len(runs) // 2]


def run(sizes: list[int], validate_count: int, repeats: int = 3) -> tuple[str, str]:
    tmp = Path(tempfile.mkdtemp(prefix="mplat-bench-"))
    load_start = os.getloadavg()[0]
    rows: list[tuple[str, dict]] = []
    review_targets: list[tuple[str, float, str]] = []
    engines = [e for e in ENGINES.values() if engine_installed(e)]
    floors, colds, warm_stacks = {}, {}, {}
    try:
        # (a) and (b) for each installed engine, the default (cdktf) first; medians of `repeats`
        for engine in engines:
            floor_py = tmp / f"floor-{engine.name}.py"
            floor_py.write_text(stock_app(engine, tmp / f"floor-{engine.name}.out"))
            floors[engine.name] = median([measure([PY, str(floor_py)], env=STOCK_ENV)
                                          for _ in range(repeats)])
            rows.append((f"(a) stock floor, {engine.name}: a plain app, "
                         f"{len(provider_modules_in_use(engine))} provider modules, 1 bucket "
                         f"(MPLAT_LEAN_LOADING=0, no mplat import), median of {repeats}",
                         floors[engine.name]))
            colds[engine.name] = median([measure(
                MPLAT + ["synth", "specs", "--out", str(tmp / f"out-b-{engine.name}-{i}")],
                env={"MPLAT_CACHE_DIR": str(tmp / f"cache-{engine.name}-{i}"),
                     ENGINE_ENV: engine.name}) for i in range(repeats)])
            rows.append((f"(b) mplat synth specs/ with {engine.name}, empty cache, "
                         f"median of {repeats}", colds[engine.name]))
            warm_stacks[engine.name] = json.loads(subprocess.run(
                [PY, "-m", "bench.floors", "stacks", "specs"], cwd=ROOT, capture_output=True,
                text=True, check=True, env={**os.environ, ENGINE_ENV: engine.name}).stdout)
        default = engines[0].name
        cold = colds[default]

        cache = tmp / f"cache-{default}-0"
        env = {"MPLAT_CACHE_DIR": str(cache)}
        warm = median([measure(MPLAT + ["synth", "specs", "--out", str(tmp / f"out-c{i}")], env=env)
                       for i in range(repeats)])
        rows.append((f"(c) mplat synth specs/, nothing changed, median of {repeats}", warm))

        hundred = tmp / "specs100"
        write_specs(hundred, 100)
        env100 = {"MPLAT_CACHE_DIR": str(tmp / "cache100")}
        measure(MPLAT + ["synth", str(hundred), "--out", str(tmp / "out-d")], env=env100)
        (hundred / "bench-0042.yaml").write_text(spec_text(42, revision=1))
        one = measure(MPLAT + ["synth", str(hundred), "--out", str(tmp / "out-d")], env=env100)
        rows.append(("(d) mplat synth of 100 specs, one changed", one))

        vdir = tmp / f"specs{validate_count}v"
        write_specs(vdir, validate_count)
        bare = median([measure([PY, "-c", "import yaml, jsonschema"]) for _ in range(repeats)])
        rows.append((f"(e) bare python -c 'import yaml, jsonschema', median of {repeats}", bare))
        validate = median([measure(MPLAT + ["validate", str(vdir)]) for _ in range(repeats)])
        rows.append((f"(e) mplat validate, {validate_count} specs, median of {repeats}", validate))
        stages = json.loads(subprocess.run([PY, "-m", "bench.floors", "validate", str(vdir)],
                                           cwd=ROOT, capture_output=True, text=True,
                                           check=True).stdout)
        python_only = median([measure([PY, "-c", "pass"]) for _ in range(repeats)])
        replay = json.loads(subprocess.run([PY, "-m", "bench.floors", "replay"], cwd=ROOT,
                                           capture_output=True, text=True, check=True).stdout)
        rows.append((f"(c) bare python -c pass (the floor of any command), median of {repeats}",
                     python_only))

        scale = {}
        for n in sizes:
            d = tmp / f"scale{n}"
            write_specs(d, n)
            scale[n] = measure(MPLAT + ["synth", str(d), "--no-cache", "--out", str(tmp / f"out{n}")])
            rows.append((f"(f) mplat synth --no-cache, {n} stacks", scale[n]))

        review_rows, review_targets = review(tmp)
        rows += review_rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def ratio(a, b):
        return a["wall"] / b["wall"] if b["wall"] else float("inf")

    targets = [(f"cold synth of specs/ with {name} / its stock floor",
                ratio(colds[name], floors[name]), "<= 0.06") for name in colds]
    targets += [
        ("no-change re-synth / cold synth", ratio(warm, cold), "<= 0.03"),
        (f"validate {validate_count} specs / bare import", ratio(validate, bare), "<= 2"),
    ]
    if len(sizes) >= 2:
        lo, hi = min(sizes), max(sizes)
        targets.append((f"{hi} stacks / {lo} stacks", ratio(scale[hi], scale[lo]), "<= 6"))
        targets.append((f"peak RSS of {hi} stacks (MB)", scale[hi]["rss_mb"], "<= 800"))
        targets.append((f"marginal wall ms per stack, {lo} -> {hi} stacks",
                        1000 * (scale[hi]["wall"] - scale[lo]["wall"]) / (hi - lo), "(figure)"))

    targets += review_targets
    # why (b), (e) and (c) are where they are: (figure) rows, see bench/floors.py
    for name, built in warm_stacks.items():
        allowed = 60 * floors[name]["wall"]        # ms: 0.06 x the stock floor
        floor = 1000 * bare["wall"] + built["warm"]
        targets += [
            (f"(b) floor, ms: the {built['stacks']} stacks of specs/ built again in a warm "
             f"{name} process, best of 5", built["warm"], "(figure)"),
            (f"(b) that + the bare import (validation's libraries) / what the goal allows "
             f"{name} (0.06 x its stock floor)", floor / allowed if allowed else float("inf"),
             "(figure: > 1 means the goal cannot be met)"),
        ]
    budget = 1000 * bare["wall"]    # the goal is 2 x bare: one bare import's time beyond it
    targets += [(f"(e) floor, ms for {stages['files']} specs in one process: {what}",
                 stages[key], "(figure)") for key, what in STAGES]
    targets += [
        ("(e) floor, ms: importing mplat's validate path beyond yaml and jsonschema",
         stages["imports"], "(figure)"),
        ("(e) ms the goal leaves beyond the bare import (2 x bare - bare)", budget, "(figure)"),
        ("(e) ms the required libraries alone take (libyaml compose + jsonschema) / that budget",
         (stages["yaml"] + stages["jsonschema"]) / budget if budget else float("inf"),
         "(figure: > 1 means the goal cannot be met on one core)"),
        ("(e) every stage of validate at its best (load with positions, schema stage, defaults, "
         "rules) + mplat's imports / that budget",
         (stages["load"] + stages["schema"] + stages["defaults"] + stages["rules"]
          + stages["imports"]) / budget if budget else float("inf"),
         "(figure: > 1 means the goal needs validate's own work cut, not only its overheads)"),
        ("(c) ms the goal allows a no-change re-synth (0.03 x cold synth)",
         30 * cold["wall"], "(figure)"),
        ("(c) ms of bare python -c pass", 1000 * python_only["wall"], "(figure)"),
        ("(c) floor, ms: importing the replay path (mplat.cli, generators.incremental)",
         replay["imports"], "(figure)"),
        ("(c) floor, ms: the digest of mplat's code that keys the cache, best of 5",
         replay["digest"], "(figure)"),
        ("(c) those three floors / what the goal allows",
         (1000 * python_only["wall"] + replay["imports"] + replay["digest"]) / (30 * cold["wall"]),
         "(figure: > 1 means the goal cannot be met with this cold synth)"),
    ]

    lines = ["| measurement | wall (s) | peak RSS (MB) |", "|---|---:|---:|"]
    lines += [f"| {name} | {m['wall']:.2f} | {m['rss_mb']:.0f} |" for name, m in rows]
    lines += ["", "| target | measured | goal |", "|---|---:|---|"]
    lines += [f"| {name} | {value:.3f} | {goal} |" for name, value, goal in targets]
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"{_meminfo()}; Node for jsii: {os.environ.get('JSII_NODE') or _jsii_node()}; "
               f"load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
               "(other work on the machine inflates the figures)")
    return "\n".join(lines), machine


def _meminfo() -> str:
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        return f"{kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        return "RAM unknown"


def _jsii_node() -> str:
    local = ROOT / "node_modules" / "node" / "bin" / "node"
    node = str(local) if local.exists() else shutil.which("node") or "node"
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        version = "?"
    return f"{Path(node).relative_to(ROOT) if local.exists() else node} {version}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10,100,1000", help="stack counts for (f) (default 10,100,1000)")
    p.add_argument("--validate-count", type=int, default=100)
    p.add_argument("--repeats", type=int, default=3, help="runs of (a)-(c) and (e); the median")
    p.add_argument("--only", choices=["review"],
                   help="review: only (g), replacing just its rows in the --write file")
    p.add_argument("--write", default=str(ROOT / "docs" / "performance.md"),
                   help="where to write the table (empty: do not write)")
    args = p.parse_args(argv)
    if args.only == "review":
        rows, targets = run_review()
        print("\n".join(rows + targets))
        if args.write:
            path = Path(args.write)
            path.write_text(merge_review(path.read_text(), rows, targets))
            print(f"updated the (g) rows of {args.write}")
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    table, machine = run(sizes, args.validate_count, args.repeats)
    print(table)
    print(f"\nmachine: {machine}")
    if args.write:
        Path(args.write).write_text(
            "# Performance\n\nWritten by `make bench` (bench/__main__.py); do not edit by hand.\n"
            "Wall time and peak resident memory of the whole process tree (Python and its Node "
            "process); one run each unless a row says median or best of several.\n\n"
            f"Machine: {machine}.\n\n{table}\n")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
