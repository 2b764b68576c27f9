"""Output of ``mplat diff`` (text, markdown for a pull-request comment, json) and ``mplat affected``
(text, json, github-matrix). Deterministic: sorted, no timestamps, no absolute paths."""
from __future__ import annotations

import json
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


def diff_text(cs: Changeset, allow: str | None) -> str:
    lines = _header(cs)
    for diff in cs.changed:
        lines += ["", _stack_title(diff) + f" - {_counts(diff)}"] + _stack_body(diff)
    lines.append("")
    if cs.changed:
        statuses = [s.status for s in cs.changed]
        lines.append(f"{len(cs.changed)} stack(s) differ: " + ", ".join(
            f"{statuses.count(k)} {k}" for k in ("changed", "added", "removed", "renamed")
            if statuses.count(k)))
    else:
        lines.append("no stack's synthesized output changes")
    lines.append(_verdict(cs, allow))
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
