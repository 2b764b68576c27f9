"""A newcomer's first hour (issue #19): every problem in one run, derived values reported at their
source, stack and environment in JSON, a summary that does not contradict itself."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from compiler import pipeline
from compiler.diagnostics import render_text

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "newcomer"
FIVE = DATA / "five-mistakes.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def mplat(*args, cwd=ROOT, check=None):
    proc = subprocess.run([sys.executable, "-m", "compiler.cli", *map(str, args)], cwd=cwd,
                          env=ENV, capture_output=True, text=True, timeout=300)
    if check is not None:
        assert proc.returncode == check, proc.stdout + proc.stderr
    return proc


def _marked_lines(path: Path) -> dict[int, str]:
    """line -> the planted mistake's comment (``# N. rule|schema: ...``) in the fixture."""
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if "# " in line and line.split("# ", 1)[1][:2].rstrip(".").isdigit():
            out[n] = line.split("# ", 1)[1]
    return out


FIVE_RULES = {  # the planted mistakes: line -> (rule, a word the hint must contain)
    10: ("tag-aws-prefix", "aws:"),
    15: ("bucket-name-invalid", "_"),
    20: ("backup-schedule-invalid", "day-of-week"),
    23: ("schema-enum", "Server"),
    38: ("kubernetes-quantity-invalid", "4GB"),
}


def test_five_mistakes_in_one_run():
    """A schema error (codedeploy) and rule errors of four families (tags, bucket names, backup
    schedule, kubernetes quantities) all come out of one validate, each at its line."""
    assert sorted(_marked_lines(FIVE)) == sorted(FIVE_RULES)
    result = pipeline.run([str(FIVE)])
    errors = [d for d in result.diagnostics if d.severity == "error"]
    found = {(d.line, d.rule) for d in errors}
    assert {(line, rule) for line, (rule, _) in FIVE_RULES.items()} <= found, render_text(errors)
    assert {d.line for d in errors} == set(FIVE_RULES), render_text(errors)


def test_rules_that_read_a_failing_section_are_skipped(tmp_path):
    """codedeploy fails its schema check: the codedeploy rules (which would read a document the
    schema rejected) do not run, and no rule reports about a section it could not see."""
    spec = tmp_path / "s.yaml"
    spec.write_text(FIVE.read_text().replace("  alarms: []\n", "  alarms: []\n  deployment_config: "
                                                                "CodeDeployDefault.ECSAllAtOnce\n"))
    result = pipeline.run([str(spec)])
    assert not [d for d in result.diagnostics if d.rule.startswith("codedeploy-")], \
        render_text(result.diagnostics)
    # backup-needs-artifacts reads artifacts: with artifacts failing it stays silent
    bad = tmp_path / "t.yaml"
    bad.write_text(FIVE.read_text().replace("  bucket: Fraud_Models", "  bucket: 12"))
    rules = {d.rule for d in pipeline.run([str(bad)]).diagnostics}
    assert "schema-type" in rules and "backup-needs-artifacts" not in rules
    assert "bucket-name-invalid" not in rules and "backup-schedule-invalid" in rules


def test_a_derived_value_is_reported_at_its_source_naming_the_environment():
    result = pipeline.run([str(FIVE)])
    derived = [d for d in result.diagnostics if "limits.memory" in d.message]
    assert len(derived) == 1, render_text(result.diagnostics)
    d = derived[0]
    assert (d.line, d.col) == (38, 28)        # prod's requests.memory, not the base resources key
    assert "(derived from kubernetes.resources.requests.memory, environment 'prod')" in d.message
    assert "the default" not in d.message
    assert d.stacks == (("fraud-scorer-prod", "prod"),)


def test_json_carries_stack_and_environment_and_the_summary_counts_stacks():
    proc = mplat("validate", "--format", "json", FIVE, check=1)
    items = json.loads(proc.stdout)
    by_line = {}
    for item in items:
        by_line.setdefault(item["line"], set()).add((item["stack"], item["environment"]))
    assert by_line[38] == {("fraud-scorer-prod", "prod")}
    assert by_line[10] == {("fraud-scorer-staging", "staging"), ("fraud-scorer-prod", "prod")}
    text = mplat("validate", FIVE, ROOT / "specs" / "ranker-minimal.yaml", check=1)
    assert text.stderr.strip().endswith(
        "2 file(s), 3 stack(s): 1 without errors, 2 with errors; 7 error(s), 0 warning(s)"), text.stderr
