"""Checkov gate: scan every synthesized stack offline; zero failed checks or exit 1.

    python -m tools.checkov_gate [--checkov PATH] [--out DIR] [--no-synth] [PATH...]

Synthesizes the given specs (default ``specs/``) with ``mplat synth`` into ``--out`` (default a
temporary directory; with ``--no-synth`` the stacks already in ``--out`` are scanned), then runs
Checkov (its own virtualenv: ``.venv-checkov``) once per stack directory, as measured to work on
CDKTF JSON: ``BC_SKIP_MAPPING=TRUE checkov -d DIR --framework terraform_json --skip-download`` with
the repository's ``.checkov.yaml``. Check ids may be skipped only there: at most four, each named
in a comment with its one-line reason (checked here). For each stack it prints passed and failed
checks and how many findings the skipped ids suppress (a second run of only those ids), then the
totals.
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
MAX_SKIPS = 4


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


def run_checkov(checkov: str, stack_dir: Path, *, only: list[str] | None = None) -> dict:
    """One Checkov run over one stack directory -> {passed, failed, parsing_errors, failures}."""
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false")
    cmd = [checkov, "-d", str(stack_dir), "--framework", "terraform_json", "--skip-download",
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
    if isinstance(doc, list):                     # several frameworks: take terraform_json
        doc = next((d for d in doc if d.get("check_type") == "terraform_json"), {})
    if "results" not in doc:                      # no resources / checks at all
        summary = doc.get("summary") or {}
        return {"passed": summary.get("passed", 0), "failed": summary.get("failed", 0),
                "parsing_errors": summary.get("parsing_errors", 0), "failures": []}
    results = doc["results"]
    failures = [f"{c['check_id']} {c['resource']}: {c['check_name']}"
                for c in results.get("failed_checks", [])]
    return {"passed": len(results.get("passed_checks", [])), "failed": len(failures),
            "parsing_errors": len(results.get("parsing_errors", [])), "failures": failures}


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
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            main_runs = {d: pool.submit(run_checkov, checkov, d) for d in stacks}
            skip_runs = {} if args.no_count_skipped or not skips else \
                {d: pool.submit(run_checkov, checkov, d, only=skips) for d in stacks}
            totals = {"passed": 0, "failed": 0, "parsing_errors": 0, "suppressed": 0}
            bad = False
            for d in stacks:
                r = main_runs[d].result()
                suppressed = skip_runs[d].result()["failed"] if d in skip_runs else None
                totals["passed"] += r["passed"]
                totals["failed"] += r["failed"]
                totals["parsing_errors"] += r["parsing_errors"]
                totals["suppressed"] += suppressed or 0
                extra = "" if suppressed is None else f", {suppressed} suppressed by skipped ids"
                print(f"{d.name}: {r['passed']} passed, {r['failed']} failed"
                      f"{', %d parsing errors' % r['parsing_errors'] if r['parsing_errors'] else ''}"
                      f"{extra}")
                for failure in r["failures"]:
                    print(f"  FAILED {failure}")
                bad = bad or r["failed"] > 0 or r["parsing_errors"] > 0 or r["passed"] == 0
    print(f"checkov gate: {len(stacks)} stack(s), {totals['passed']} passed, {totals['failed']} "
          f"failed, {totals['parsing_errors']} parsing errors; skipped ids ({len(skips)}): "
          f"{', '.join(skips) or 'none'} ({totals['suppressed']} findings suppressed)")
    if bad:
        print("checkov gate: FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
