"""The CI integration: the example workflow passes actionlint and zizmor (both pinned in
requirements-test.lock, binaries that run offline) and runs the steps docs/ci.md describes; the
pre-commit hook runs the way pre-commit runs it."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "docs" / "examples" / "github-workflow.yml"
REPORT = ROOT / "docs" / "examples" / "recoverability-workflow.yml"   # the scheduled fleet view
HOOKS = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
GOOD = (ROOT / "specs" / "ranker-minimal.yaml").read_text()


def tool(name: str) -> str:
    """A checker installed with the test dependencies (the venv's bin, else PATH)."""
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    assert path, f"{name} is missing: `make .venv/.test-stamp` installs requirements-test.lock"
    return str(path)


def run(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_actionlint_passes_the_workflow_and_catches_a_broken_one(tmp_path):
    ok = run([tool("actionlint"), "-no-color", str(WORKFLOW)])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("needs.check.outputs.matrix",
                                                   "needs.check.outputs.matrixx"))
    bad = run([tool("actionlint"), "-no-color", str(broken)])
    assert bad.returncode == 1 and "matrixx" in bad.stdout


def test_zizmor_finds_nothing_even_pedantic(tmp_path):
    ok = run([tool("zizmor"), "--offline", "--persona", "auditor", "--no-progress", str(WORKFLOW)])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "No findings" in ok.stdout
    unsafe = tmp_path / "unsafe.yml"          # a template expansion straight into a shell script
    unsafe.write_text(WORKFLOW.read_text().replace(
        '.venv/bin/mplat validate --format github specs',
        'echo "${{ github.event.pull_request.title }}"'))
    bad = run([tool("zizmor"), "--offline", "--no-progress", str(unsafe)])
    assert bad.returncode != 0 and "template-injection" in bad.stdout


def test_the_scheduled_recoverability_workflow_passes_actionlint_and_zizmor(tmp_path):
    """#16 item 7: the workflow that posts `mplat verify specs --all-envs --format markdown`."""
    ok = run([tool("actionlint"), "-no-color", str(REPORT)])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ok = run([tool("zizmor"), "--offline", "--persona", "auditor", "--no-progress", str(REPORT)])
    assert ok.returncode == 0 and "No findings" in ok.stdout, ok.stdout + ok.stderr
    doc = yaml.safe_load(REPORT.read_text())
    assert "schedule" in doc[True] and doc["permissions"] == {}      # `on:` reads as True
    verify, post = doc["jobs"]["verify"], doc["jobs"]["post"]
    assert ".venv/bin/mplat verify specs --all-envs --format markdown > report.md" in \
        _steps(verify)
    assert "gh issue edit" in _steps(post) and post["permissions"] == {"issues": "write"}
    for job in doc["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    unsafe = tmp_path / "unsafe.yml"
    unsafe.write_text(REPORT.read_text().replace('gh issue edit "$ISSUE" --body-file report.md',
                                                 'gh issue edit "${{ vars.MPLAT_REPORT_ISSUE }}"'))
    bad = run([tool("zizmor"), "--offline", "--no-progress", str(unsafe)])
    assert bad.returncode != 0 and "template-injection" in bad.stdout


def _steps(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job["steps"])


def test_workflow_runs_the_documented_steps():
    doc = yaml.safe_load(WORKFLOW.read_text())
    check, comment, plan = doc["jobs"]["check"], doc["jobs"]["comment"], doc["jobs"]["plan"]
    steps = _steps(check)
    order = ["mplat validate --format github specs", "mplat synth specs",
             "mplat diff --base", "--format markdown", "mplat affected --base"]
    positions = [steps.index(s) for s in order]
    assert positions == sorted(positions)
    assert "--format github-matrix" in steps
    assert "gh pr comment" in _steps(comment)
    assert plan["strategy"]["matrix"] == "${{ fromJSON(needs.check.outputs.matrix) }}"
    plan_steps = _steps(plan)
    assert "terraform init" in plan_steps and "terraform plan" in plan_steps
    assert all(step.get("working-directory") == "${{ matrix.dir }}"
               for step in plan["steps"] if "terraform" in str(step.get("run", "")))
    # every action pinned by commit, never by a movable tag
    for job in doc["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    assert doc["permissions"] == {}


def test_plans_use_the_s3_backend_with_locking(synth_specs):
    """The stacks the plan job runs in carry their S3 backend with S3 native locking."""
    backends = [synth_specs.doc(s)["terraform"]["backend"] for s in synth_specs.stacks]
    s3 = [b["s3"] for b in backends if "s3" in b]
    assert s3 and all(b["use_lockfile"] is True and b["encrypt"] is True for b in s3)


def _hook() -> dict:
    (hook,) = yaml.safe_load(HOOKS.read_text())
    return hook


def test_pre_commit_hook_follows_the_convention():
    hook = _hook()
    assert {"id", "name", "entry", "language", "files"} <= set(hook)
    assert hook["language"] == "python"      # pre-commit pip-installs this repository: `mplat`
    files = re.compile(hook["files"])
    assert files.search("specs/fraud-detector.yaml") and files.search("specs/team/x.yml")
    assert not files.search("docs/ci.md") and not files.search("schemas/x.json")


def test_pre_commit_hook_entry_runs_like_pre_commit(tmp_path):
    """pre-commit runs `entry` split like a shell word list, plus the matching staged files."""
    hook = _hook()
    (tmp_path / "specs").mkdir()
    good = tmp_path / "specs" / "ranker.yaml"
    good.write_text(GOOD)
    bad = tmp_path / "specs" / "broken.yaml"
    bad.write_text(GOOD.replace("owner:", "ownr:"))
    argv = shlex.split(hook["entry"])
    argv[0] = tool(argv[0])                    # the console script pre-commit's venv would hold
    files = [str(p.relative_to(tmp_path)) for p in (good, bad)
             if re.search(hook["files"], str(p.relative_to(tmp_path)))]
    assert len(files) == 2
    passed = run(argv + files[:1], cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    failed = run(argv + files, cwd=tmp_path)
    assert failed.returncode == 1
    assert re.search(r"^specs/broken\.yaml:\d+:\d+: error ", failed.stdout, re.M), failed.stdout
    assert "Traceback" not in failed.stderr
