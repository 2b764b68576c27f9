"""Output of ``mplat diff`` (text, markdown for a pull-request comment, json) and ``mplat affected``
(text, json, github-matrix). Deterministic: sorted, no timestamps, no absolute paths."""
from __future__ import annotations

import json
import re
from typing import Any

from .changeset import Changeset
from .compare import ABSENT, CREATE, DELETE, REPLACE, SYMBOL, UPDATE, AttrChange, StackDiff

MAX_VALUE = 120          # characters of one value shown in text and markdown
CAUTION_MAX = 10         # destructive reasons listed at the top of a pull-request comment
COMMENT_MAX = 60000      # characters: GitHub rejects a comment body over 65,536
FENCE = "`" * 3


def _value(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 3] + "..."


def _attr_lines(attr: AttrChange, indent: str) -> list[str]:
    mark = f"  (forces replacement: {attr.replaces})" if attr.replaces else ""
    if attr.json_changes is not None:
        lines = [f"{indent}{attr.path} (JSON):{mark}"]
        for inner in attr.json_changes:
            lines.append(f"{indent}    {inner.path or '(whole)'}: {_value(inner.old)} -> "
                         f"{_value(inner.new)}")
        return lines
    return [f"{indent}{attr.path}: {_value(attr.old)} -> {_value(attr.new)}{mark}"]


def _stack_title(diff: StackDiff) -> str:
    where = diff.file + (f", environment {diff.env}" if diff.env else "") if diff.file else ""
    status = f"renamed from {diff.old_stack}" if diff.status == "renamed" else diff.status
    return f"{diff.stack} ({where}): {status}" if where else f"{diff.stack}: {status}"


def _stack_body(diff: StackDiff, indent: str = "  ") -> list[str]:
    lines = [f"{indent}DESTRUCTIVE: {why}" for why in diff.reasons]
    for change in diff.resources:
        flag = "  DESTRUCTIVE" if change.destructive else ""
        lines.append(f"{indent}{SYMBOL[change.action]} {change.address} ({change.action}){flag}")
        if change.action in (UPDATE, REPLACE):
            for attr in change.changes:
                lines.extend(_attr_lines(attr, indent + "    "))
        for why in change.reasons:
            if " forces replacement (" not in why:      # those are marked on their attribute
                lines.append(f"{indent}    ! {why}")
        for note in change.notes:
            lines.append(f"{indent}    ({note})")
    return lines


def _counts(diff: StackDiff) -> str:
    parts = [f"{diff.count(a)} to {a}" for a in (CREATE, UPDATE, REPLACE, DELETE) if diff.count(a)]
    return ", ".join(parts) or "no resource changes"


def _header(cs: Changeset) -> list[str]:
    lines = [f"base: {cs.base.how}",
             f"compared: {cs.compared_files} of {cs.total_files} spec file(s) differ from the base"]
    if cs.uncommitted:
        lines.append(f"working tree: {len(cs.uncommitted)} uncommitted change(s) included "
                     f"({', '.join(line[3:] for line in cs.uncommitted)})")
    if cs.mplat_changed:
        lines.append("mplat: its own code differs at the base, so the base was synthesized with the "
                     "base's mplat and every stack was compared")
    lines += [f"warning: {p}" for p in cs.base_problems]
    lines += [f"error: {line}" for line in base_failure_lines(cs)]
    return lines


def base_failure_lines(cs: Changeset) -> list[str]:
    """One line per base spec file that could not be compiled, naming its first error."""
    return [f"{file} at {cs.base.short} does not compile with this mplat, so what the change "
            f"deletes from its stacks cannot be seen (first error: {first})"
            for file, first in cs.base_failures]


def _verdict(cs: Changeset, allow: str | None) -> str:
    count = sum(len(s.all_reasons()) for s in cs.stacks)
    if not cs.destructive and not cs.unproven:
        return "no destructive change"
    parts = [f"{count} destructive change(s)"] if cs.destructive else []
    if cs.unproven:
        parts.append(f"{len(cs.base_failures)} base spec file(s) not compiled (not proven safe)")
    head = "; ".join(parts)
    if allow:
        return f"{head}, allowed: {allow}"
    return f'{head}: exit 3 (review them; --allow-destroy "REASON" accepts them)'


def _summary(cs: Changeset) -> list[str]:
    """The summary a reviewer reads first: per stack its counts and every DESTRUCTIVE reason
    (each line names its stack, so ``grep DESTRUCTIVE`` or ``grep <stack>`` finds it)."""
    if not cs.changed:
        return ["no stack's synthesized output changes"]
    statuses = [s.status for s in cs.changed]
    lines = [f"{len(cs.changed)} stack(s) differ: " + ", ".join(
        f"{statuses.count(k)} {k}" for k in ("changed", "added", "removed", "renamed")
        if statuses.count(k))]
    for diff in cs.changed:
        lines.append(f"  {_stack_title(diff)} - {_counts(diff)}"
                     + ("  DESTRUCTIVE" if diff.destructive else ""))
        lines += [f"    {diff.stack}: DESTRUCTIVE: {why}" for why in diff.all_reasons()]
    return lines


def diff_text(cs: Changeset, allow: str | None) -> str:
    """Summary first (counts and DESTRUCTIVE reasons per stack, the verdict), then the details."""
    lines = _header(cs) + [""] + _summary(cs) + [_verdict(cs, allow)]
    for diff in cs.changed:
        lines += ["", _stack_title(diff) + f" - {_counts(diff)}"] + _stack_body(diff)
    return "\n".join(lines)


MERMAID_MAX = 80         # resources drawn in the pull-request picture (the rest are counted)
_WORD = {CREATE: "new", UPDATE: "updated", REPLACE: "replaced", DELETE: "destroyed"}
_STYLE = {CREATE: "fill:#dafbe1,stroke:#1a7f37", UPDATE: "fill:#ddf4ff,stroke:#0969da",
          REPLACE: "fill:#fff1c2,stroke:#9a6700,stroke-width:3px",
          DELETE: "fill:#ffebe9,stroke:#cf222e,stroke-width:3px,stroke-dasharray:4 2"}
_REFERS = re.compile(r"refers to (\S+), which is replaced")


def diff_mermaid(cs: Changeset) -> str:
    """A Mermaid flowchart of the changed resources: one group per stack, each resource marked
    new, updated, replaced or destroyed (words and colours), and an edge from a replaced resource
    to each one replaced because it refers to it. Empty when nothing changes."""
    lines = ["flowchart LR"]
    drawn, left = 0, 0
    for s, diff in enumerate(cs.changed):
        resources = [r for r in diff.resources if r.kind == "resource"]
        if not resources:
            continue
        title = diff.stack + (" (DESTRUCTIVE)" if diff.destructive else "")
        lines.append(f'  subgraph s{s}["{title}"]')
        ids = {}
        for r in resources:
            if drawn >= MERMAID_MAX:
                left += 1
                continue
            node = f"s{s}r{len(ids)}"
            ids[r.address] = node
            mark = " DESTRUCTIVE" if r.destructive else ""
            lines.append(f'    {node}["{SYMBOL[r.action]} {r.address}<br/>{_WORD[r.action]}{mark}"]'
                         f":::{r.action}")
            drawn += 1
        lines.append("  end")
        for r in resources:
            for note in r.notes:
                m = _REFERS.search(note)
                if m and m.group(1) in ids and r.address in ids:
                    lines.append(f"  {ids[m.group(1)]} -->|replaces| {ids[r.address]}")
    if drawn == 0:
        return ""
    if left:
        lines.append(f'  more["... and {left} more changed resource(s)"]')
    lines += [f"  classDef {action} {style};" for action, style in _STYLE.items()]
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def diff_markdown(cs: Changeset, allow: str | None) -> str:
    icon = (":warning: DESTRUCTIVE" if cs.destructive else ":warning: NOT PROVEN SAFE"
            if cs.unproven else ":white_check_mark: safe")
    lines = [f"### mplat diff: {icon}", "",
             *[f"- {line}" for line in _header(cs)], ""]
    if cs.destructive or cs.unproven:
        lines += ["> [!CAUTION]", f"> {_md_escape(_verdict(cs, allow))}"]
        reasons = [(file, f"does not compile at the base: {first}")
                   for file, first in cs.base_failures]
        reasons += [(diff.stack, why) for diff in cs.changed for why in diff.all_reasons()]
        for stack, why in reasons[:CAUTION_MAX]:
            lines.append(f"> - `{stack}`: {_md_escape(why)}")
        if len(reasons) > CAUTION_MAX:
            lines.append(f"> - ... and {len(reasons) - CAUTION_MAX} more (see the stacks below)")
        lines.append("")
    if not cs.changed:
        lines.append("No stack's synthesized output changes.")
        return "\n".join(lines).rstrip() + "\n"
    lines += ["| stack | status | create | update | replace | delete | destructive |",
              "|---|---|--:|--:|--:|--:|---|"]
    for diff in cs.changed:
        status = f"renamed from `{diff.old_stack}`" if diff.status == "renamed" else diff.status
        lines.append(f"| `{diff.stack}` | {status} | " + " | ".join(
            str(diff.count(a)) for a in (CREATE, UPDATE, REPLACE, DELETE))
            + f" | {'**yes**' if diff.destructive else 'no'} |")
    lines.append("")
    picture = diff_mermaid(cs)
    if picture:
        lines += [FENCE + "mermaid", picture, FENCE, ""]
    verdict = _md_escape(_verdict(cs, allow))
    used = sum(len(line) + 1 for line in lines) + len(verdict) + 200
    for number, diff in enumerate(cs.changed):
        summary = f"<code>{diff.stack}</code>: {_counts(diff)}"
        if diff.destructive:
            summary += " <b>DESTRUCTIVE</b>"
        section = [f"<details><summary>{summary}</summary>", "", FENCE + "diff"]
        for line in _stack_body(diff, indent=""):
            # diff-highlighting: '+' created, '-' deleted or replaced, '!' changed in place
            head = line[:3]
            section.append(("-" if head.startswith(("-", "DES")) else
                            "+" if head.startswith("+") else "!" if head.startswith("~") else " ")
                           + " " + line.replace(FENCE, "'" * 3))
        section += [FENCE, "", "</details>", ""]
        size = sum(len(line) + 1 for line in section)
        if used + size > COMMENT_MAX:
            left = len(cs.changed) - number
            lines += [f"... {left} more stack section(s) left out: a pull-request comment holds "
                      f"{COMMENT_MAX} characters (`mplat diff` shows them all)", ""]
            break
        lines += section
        used += size
    lines.append(verdict)
    return "\n".join(lines).rstrip() + "\n"


def diff_json(cs: Changeset, allow: str | None, exit_code: int) -> str:
    doc = {
        "base": {"ref": cs.base.ref, "commit": cs.base.commit, "how": cs.base.how},
        "uncommitted": cs.uncommitted,
        "warnings": cs.base_problems,
        "compared_files": cs.compared_files, "total_files": cs.total_files,
        "mplat_changed": cs.mplat_changed,
        "stacks": [s.as_dict() for s in cs.changed],
        "destructive": cs.destructive,
        "base_failures": [{"file": file, "first_error": first} for file, first in cs.base_failures],
        "allow_destroy": allow,
        "exit_code": exit_code,
    }
    return json.dumps(doc, indent=2, sort_keys=True)


def _stack_dir(out: str, stack: str) -> str:
    return f"{out.rstrip('/')}/stacks/{stack}"


def affected_text(cs: Changeset, out: str) -> str:
    lines = [f"{s.stack}\t{s.status}\t{_stack_dir(out, s.stack)}" for s in cs.affected()]
    lines += [f"{s.stack}\tdestroy" for s in cs.removed()]
    return "\n".join(lines)


def affected_json(cs: Changeset, out: str) -> str:
    return json.dumps({
        "base": {"ref": cs.base.ref, "commit": cs.base.commit, "how": cs.base.how},
        "affected": [{"stack": s.stack, "status": s.status, "file": s.file, "env": s.env,
                      "destructive": s.destructive, "dir": _stack_dir(out, s.stack)}
                     for s in cs.affected()],
        "removed": [{"stack": s.stack, "file": s.file, "env": s.env, "action": "destroy"}
                    for s in cs.removed()],
    }, indent=2, sort_keys=True)


def affected_matrix(cs: Changeset, out: str) -> str:
    """One line of JSON for ``strategy.matrix: ${{ fromJSON(...) }}``: ``{"include": [...]}``, one
    entry per stack to plan (removed stacks are not in it: their directory no longer exists)."""
    return json.dumps({"include": [{"stack": s.stack, "dir": _stack_dir(out, s.stack)}
                                   for s in cs.affected()]}, sort_keys=True, separators=(",", ":"))
