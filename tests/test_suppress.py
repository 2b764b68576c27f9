"""Rules as data and inline suppression: one registry of every rule id (compiler/registry.py), and
``# mplat: disable=`` / ``# mplat: disable-file=`` comments (compiler/suppress.py)."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compiler import pipeline, registry
from compiler import rules as rules_pkg

ROOT = Path(__file__).resolve().parent.parent

BASE = """apiVersion: mplat/v1
kind: ModelPlatform
metadata:
  name: ranker
  owner: search-ml
aws:
  region: us-west-2
artifacts:
  access_logs: false{logs}
backup:
  point_in_time: {{retention_days: {days}}}
{extra}"""


def validate(logs: str = "", days: int = 7, extra: str = "") -> list[tuple[int, str, str]]:
    text = BASE.format(logs=logs, days=days, extra=extra)
    result = pipeline.run_text(text, "spec.yaml")
    return [(d.line, d.severity, d.rule) for d in result.diagnostics]


def test_the_warning_without_a_suppression():
    assert validate() == [(9, "warning", "artifacts-access-logs-off")]


def test_disable_on_the_line():
    assert validate(logs="   # mplat: disable=artifacts-access-logs-off") == []


def test_disable_file_anywhere():
    assert validate(extra="# mplat: disable-file=artifacts-access-logs-off\n") == []


def test_a_suppression_on_another_line_does_not_apply_and_is_reported():
    found = validate(extra="# mplat: disable=artifacts-access-logs-off\n")
    assert found == [(9, "warning", "artifacts-access-logs-off"),
                     (12, "warning", "suppression-unused")]


def test_an_error_is_never_suppressed():
    text = BASE.format(logs="", days=0, extra="")
    error = [d for d in pipeline.run_text(text, "spec.yaml").diagnostics if d.severity == "error"]
    assert len(error) == 1
    line, rule = error[0].line, error[0].rule
    lines = text.splitlines()
    lines[line - 1] += f"  # mplat: disable={rule}"
    result = pipeline.run_text("\n".join(lines) + "\n", "spec.yaml")
    got = {(d.line, d.severity, d.rule) for d in result.diagnostics}
    assert (line, "error", rule) in got
    unused = [d for d in result.diagnostics if d.rule == "suppression-unused"]
    assert len(unused) == 1 and "errors cannot be suppressed" in unused[0].message


def test_an_unknown_rule_id_is_reported_with_a_suggestion():
    found = pipeline.run_text(BASE.format(logs="  # mplat: disable=artifacts-access-log-off",
                                          days=7, extra=""), "spec.yaml").diagnostics
    assert [d.rule for d in found] == ["artifacts-access-logs-off", "suppression-unknown-rule"]
    assert found[1].hint == "did you mean 'artifacts-access-logs-off'?"


def test_several_ids_in_one_comment():
    assert validate(logs="  # mplat: disable=artifacts-access-logs-off, backup-schedule-invalid") \
        == [(9, "warning", "suppression-unused")]


# --- the registry -----------------------------------------------------------------------------

def _declared_rule_ids() -> set[str]:
    """Every RULE / RULE_* string constant in compiler/ (the ids code can put in a Finding)."""
    ids = set()
    for path in (ROOT / "compiler").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) \
                    and re.fullmatch(r"RULE(_[A-Z_]+)?", node.targets[0].id) \
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                ids.add(node.value.value)
    return ids


def test_every_rule_id_in_the_code_is_registered():
    declared = _declared_rule_ids()
    assert len(declared) > 60
    assert declared - set(registry.rules()) == set()


def test_rule_modules_declare_id_doc_and_source_as_data():
    for module in rules_pkg.STACK_RULES + rules_pkg.CROSS_RULES:
        table = getattr(module, "RULES", None) or {module.RULE: module.DOC}
        assert all(isinstance(doc, str) and doc.strip() for doc in table.values()), module
        source = module.SOURCE
        assert source is None or re.fullmatch(r"https://(docs\.aws\.amazon\.com|kubernetes\.io|www\.checkov\.io|developer\.hashicorp\.com)/\S+",
                                              source), (module.__name__, source)
    infos = registry.rules().values()
    assert {i.stage for i in infos} == {"files", "load", "schema", "rules", "suppress"}
    assert sum(i.source is not None for i in infos) > 30


def test_mplat_rules_lists_the_registry():
    out = subprocess.run([sys.executable, "-m", "mplat", "rules"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert [line.split()[0] for line in out.splitlines()] == sorted(registry.rules())


@pytest.mark.parametrize("rule", ["suppression-unused", "suppression-unknown-rule"])
def test_the_suppression_checks_are_rules_too(rule):
    assert registry.rules()[rule].stage == "suppress"
