"""Checkov gate: scan every synthesized stack offline; zero failed checks or exit 1.

    python -m tools.checkov_gate [--checkov PATH] [--out DIR] [--no-synth] [PATH...]

Synthesizes the given specs (default ``specs/``) with ``mplat synth`` into ``--out`` (default a
temporary directory; with ``--no-synth`` the stacks already in ``--out`` are scanned), then runs
Checkov (its own virtualenv: ``.venv-checkov``) once per stack directory, as measured to work on
CDKTF JSON: ``BC_SKIP_MAPPING=TRUE checkov -d DIR --framework terraform_json --skip-download`` with
the repository's ``.checkov.yaml``. Check ids may be skipped only there: at most five, each named
in a comment with its one-line reason (checked here). For each stack it prints passed and failed
checks and how many findings the skipped ids suppress (a second run of only those ids), then the
totals.

The ``kubernetes_*`` resources of all stacks are scanned once more by Checkov's ``kubernetes``
framework, as the objects the kubernetes provider would send (tools/k8s_manifests.py writes them
as JSON manifests, one directory per stack, scanned in one run): its graph checks (e.g.
CKV2_K8S_6, a pod without a NetworkPolicy) see the objects together, which the Terraform-JSON scan
never runs.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".checkov.yaml"
MAX_SKIPS = 5


def skipped_ids(config: Path = CONFIG) -> list[str]:
    """The skip-check ids of .checkov.yaml; each must have a reason comment (``#   ID  reason``)."""
    text = config.read_text()
    ids, in_list = [], False
    for line in text.splitlines():
        if re.match(r"^skip-check\s*:", line):
            in_list = True
            continue
        if in_list:
            m = re.match(r"^\s*-\s*([A-Z0-9_]+)\s*$", line)
            if m:
                ids.append(m.group(1))
            elif line.strip() and not line.startswith(" "):
                in_list = False
    reasons = {m.group(1): m.group(2).strip()
               for m in re.finditer(r"^#\s+([A-Z0-9_]+)\s+(\S.*)$", text, re.M)}
    missing = [i for i in ids if not reasons.get(i)]
    if missing:
        raise SystemExit(f"checkov gate: {config.name}: no reason comment for {', '.join(missing)}")
    if len(ids) > MAX_SKIPS:
        raise SystemExit(f"checkov gate: {config.name} skips {len(ids)} check ids; at most "
                         f"{MAX_SKIPS} are allowed")
    return ids


def _default_checkov() -> str:
    local = ROOT / ".venv-checkov" / "bin" / "checkov"
    return str(local) if local.exists() else "checkov"


def run_checkov(checkov: str, stack_dir: Path, *, only: list[str] | None = None,
                framework: str = "terraform_json") -> dict:
    """One Checkov run over one stack directory -> {passed, failed, parsing_errors, failures}."""
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false")
    cmd = [checkov, "-d", str(stack_dir), "--framework", framework, "--skip-download",
           "-o", "json"]
    if only:
        cmd += ["--check", ",".join(only)]
    else:
        cmd += ["--config-file", str(CONFIG)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=stack_dir)
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"checkov gate: checkov did not produce JSON for {stack_dir} "
                         f"(exit {proc.returncode}):\n{proc.stderr[-2000:]}") from None
    if isinstance(doc, list):                     # several frameworks: take the one asked for
        doc = next((d for d in doc if d.get("check_type") == framework), {})
    if "results" not in doc:                      # no resources / checks at all
        summary = doc.get("summary") or {}
        return {"passed": summary.get("passed", 0), "failed": summary.get("failed", 0),
                "parsing_errors": summary.get("parsing_errors", 0), "failures": []}
    results = doc["results"]
    failures = [f"{c['check_id']} {c['resource']}: {c['check_name']}"
                + (f" ({c['file_path'].lstrip('/')})" if framework == "kubernetes" else "")
                for c in results.get("failed_checks", [])]
    return {"passed": len(results.get("passed_checks", [])), "failed": len(failures),
            "parsing_errors": len(results.get("parsing_errors", [])), "failures": failures}


def kubernetes_manifests(stacks: list[Path], root: Path) -> list[str]:
    """Write the Kubernetes objects of every stack as ``<root>/<stack>/<address>.json``; the
    stacks that have some. One Checkov run scans them all: the graph checks connect objects by
    namespace and labels, and every stack's pods carry their own stack name
    (``app.kubernetes.io/instance``), so objects of different stacks never match each other."""
    from tools import k8s_manifests

    found = []
    for d in stacks:
        doc = json.loads((d / "cdk.tf.json").read_text())
        if k8s_manifests.write(doc, root / d.name):
            found.append(d.name)
    return found


def synth(paths: list[str], out: Path) -> None:
    cmd = [sys.executable, "-m", "mplat", "synth", *paths, "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"checkov gate: mplat synth failed (exit {proc.returncode})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.checkov_gate", description=__doc__.split("\n")[0])
    p.add_argument("paths", nargs="*", default=["specs"], help="specs to synthesize (default specs/)")
    p.add_argument("--checkov", default=_default_checkov(), help="checkov executable")
    p.add_argument("--out", help="synthesis output directory (default: a temporary directory)")
    p.add_argument("--no-synth", action="store_true", help="scan the stacks already in --out")
    p.add_argument("--no-count-skipped", action="store_true",
                   help="do not count the findings the skipped ids suppress (one run less per stack)")
    args = p.parse_args(argv)
    if args.no_synth and not args.out:
        p.error("--no-synth needs --out")

    checkov = args.checkov
    if os.sep in checkov and Path(checkov).exists():  # runs with each stack as its working directory
        checkov = str(Path(checkov).resolve())
    skips = skipped_ids()
    with tempfile.TemporaryDirectory(prefix="mplat-checkov-") as tmp:
        out = Path(args.out).resolve() if args.out else Path(tmp)
        if not args.no_synth:
            synth(args.paths, out)
        stacks = sorted(d for d in (out / "stacks").iterdir() if (d / "cdk.tf.json").is_file())
        if not stacks:
            raise SystemExit(f"checkov gate: no stacks under {out / 'stacks'}")
        k8s_root = Path(tmp) / "kubernetes-objects"
        manifests = kubernetes_manifests(stacks, k8s_root)
        # (label, directory, framework): each stack's Terraform JSON, then the Kubernetes objects
        scans = [(d.name, d, "terraform_json") for d in stacks] + \
            ([(f"Kubernetes objects of {', '.join(manifests)}", k8s_root, "kubernetes")]
             if manifests else [])
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            main_runs = {label: pool.submit(run_checkov, checkov, d, framework=fw)
                         for label, d, fw in scans}
            skip_runs = {} if args.no_count_skipped or not skips else \
                {label: pool.submit(run_checkov, checkov, d, only=skips, framework=fw)
                 for label, d, fw in scans}
            totals = {"passed": 0, "failed": 0, "parsing_errors": 0, "suppressed": 0}
            bad = False
            for label, _, _ in scans:
                r = main_runs[label].result()
                suppressed = skip_runs[label].result()["failed"] if label in skip_runs else None
                totals["passed"] += r["passed"]
                totals["failed"] += r["failed"]
                totals["parsing_errors"] += r["parsing_errors"]
                totals["suppressed"] += suppressed or 0
                extra = "" if suppressed is None else f", {suppressed} suppressed by skipped ids"
                print(f"{label}: {r['passed']} passed, {r['failed']} failed"
                      f"{', %d parsing errors' % r['parsing_errors'] if r['parsing_errors'] else ''}"
                      f"{extra}")
                for failure in r["failures"]:
                    print(f"  FAILED {failure}")
                bad = bad or r["failed"] > 0 or r["parsing_errors"] > 0 or r["passed"] == 0
    print(f"checkov gate: {len(stacks)} stack(s) ({len(manifests)} with Kubernetes objects), "
          f"{totals['passed']} passed, {totals['failed']} failed, {totals['parsing_errors']} parsing errors; skipped ids ({len(skips)}): "
          f"{', '.join(skips) or 'none'} ({totals['suppressed']} findings suppressed)")
    if bad:
        print("checkov gate: FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
