"""`mplat verify PATH... --all-envs`: the recoverability report of every stack, as one table.

Every stack (each spec, each environment) gets the checks of ``operations.verify`` for what
serves its model: the six of a Kubernetes-served stack, the SageMaker checks (endpoint,
endpoint-config, auto-rollback, immutable-pin, model-data) in place of the key and pin checks for a
stack with a ``sagemaker`` section, and both sets for a spec with both sections. The table's
columns are the checks any stack has ('-' where a stack has no such check). At most ``jobs``
stacks are checked at a time (threads: the work is waiting for AWS; each stack has its
own boto3 session, as a session is not thread-safe). A stack whose account is not the one the
credentials belong to reads unknown in every check, with the reason. The table is stack x check,
with pass / fail / unknown / not configured, plus the restorable window of the continuous backup;
text for a terminal, json, or markdown for a scheduled workflow to post (docs/ci.md). The exit is
1 when any check fails or is unknown.
"""
from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

from compiler.exits import EXIT_ERRORS, EXIT_OK

from .errors import OpsError
from .sagemaker import served_checks
from .verify import (NOT_CONFIGURED, PASS, SERVED_CHECKS, UNKNOWN, Check, check_names, checks_of,
                     ready, served_by)

DEFAULT_JOBS = 4
SHORT = {PASS: "pass", "fail": "FAIL", UNKNOWN: "unknown", NOT_CONFIGURED: "-"}


def _one(target, *, key, require, session) -> dict:
    serving = served_by(target.platform)
    try:
        aws = session(target)
        aws.check_account(target.platform.account_id)
        checks = checks_of(aws, target, key=key, require=require, served=served_checks(serving))
    except OpsError as exc:              # no credentials, wrong account, no endpoint: every check
        checks = [Check(name, UNKNOWN, exc.message) for name in check_names(serving)]
    backup = next(c for c in checks if c.name == "backup")
    return {"stack": target.platform.stack, "file": target.shown, "ready": ready(checks),
            "window": backup.window, "checks": checks}


def run(targets: list, *, key, require, fmt: str, jobs: int, session, out=None) -> int:
    out = out or sys.stdout
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(lambda t: _one(t, key=key, require=require, session=session),
                             targets))
    rows.sort(key=lambda r: r["stack"])
    ok = all(r["ready"] for r in rows)
    if fmt == "json":
        json.dump({"ready": ok, "stacks": [{**r, "checks": [vars(c) for c in r["checks"]]}
                                           for r in rows]}, out, indent=2)
        out.write("\n")
    elif fmt == "markdown":
        out.write(markdown(rows, ok))
    else:
        out.write(text(rows, ok))
    return EXIT_OK if ok else EXIT_ERRORS


def columns(rows) -> list[str]:
    """The checks any row has, in report order (a Kubernetes-only fleet: CHECKS)."""
    present = {c.name for r in rows for c in r["checks"]}
    return [n for n in check_names(tuple(SERVED_CHECKS)) if n in present]


def _cells(row, names) -> list[str]:
    by_name = {c.name: c for c in row["checks"]}
    return [SHORT[by_name[n].status] if n in by_name else SHORT[NOT_CONFIGURED] for n in names]


def _summary(rows, ok: bool) -> str:
    failing = [r["stack"] for r in rows if not r["ready"]]
    return (f"{len(rows)} stack(s): all ready" if ok else
            f"{len(rows)} stack(s): {len(failing)} not ready ({', '.join(failing)})")


def text(rows, ok: bool) -> str:
    names = columns(rows)
    head = ["STACK", *names, "RESTORABLE"]
    table = [head] + [[r["stack"], *_cells(r, names), r["window"] or "-"] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in table]
    for r in rows:
        for c in r["checks"]:
            if c.status not in (PASS, NOT_CONFIGURED):
                lines.append(f"{r['stack']}: {c.name} {c.status}: {c.detail}"
                             + (f" -> fix: {c.fix}" if c.fix else ""))
    lines.append(_summary(rows, ok) + " ('-': not configured in the spec)")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(rows, ok: bool) -> str:
    icon = ":white_check_mark:" if ok else ":x:"
    names = columns(rows)
    lines = [f"### mplat verify: recoverability of {len(rows)} stack(s) {icon}", "",
             "| stack | " + " | ".join(names) + " | restorable |",
             "|---|" + "---|" * len(names) + "---|"]
    for r in rows:
        lines.append(f"| `{r['stack']}` | " + " | ".join(_cells(r, names))
                     + f" | {_md(r['window'] or '-')} |")
    problems = [(r["stack"], c) for r in rows for c in r["checks"]
                if c.status not in (PASS, NOT_CONFIGURED)]
    if problems:
        lines += ["", "<details><summary>what failed, and the fix</summary>", ""]
        lines += [f"- `{stack}` {c.name} **{c.status}**: {_md(c.detail)}"
                  + (f" (fix: {_md(c.fix)})" if c.fix else "") for stack, c in problems]
        lines += ["", "</details>"]
    lines += ["", _summary(rows, ok) + " (`-`: not configured in the spec)"]
    return "\n".join(lines) + "\n"
