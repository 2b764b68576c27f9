"""`mplat validate|rules|schema`: output formats, exit codes, any working directory, no engine."""
import json
import os
import subprocess
import sys
from pathlib import Path

import engineprobe
import pytest

ROOT = Path(__file__).resolve().parent.parent
MPLAT = [sys.executable, "-m", "mplat"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

DUPLICATE = "apiVersion: mplat/v1\nkind: ModelPlatform\nkind: ModelPlatform\n"
SYNTAX = "apiVersion: mplat/v1\nmetadata: {name: x\n"


def mplat(*args, cwd=ROOT):
    return subprocess.run(MPLAT + list(args), cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def bad_dir(tmp_path):
    (tmp_path / "a.yaml").write_text(DUPLICATE)
    (tmp_path / "b.yml").write_text(SYNTAX)
    (tmp_path / "notes.txt").write_text("not a spec")
    return tmp_path


def test_examples_validate_clean_from_the_project_root():
    r = mplat("validate")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""
    assert "0 error(s)" in r.stderr


def test_the_old_entry_point_compiler_cli_still_runs_the_command(bad_dir):
    """``python -m compiler.cli`` (an older commit's entry point, review/basecode.py) is a shim."""
    old = subprocess.run([sys.executable, "-m", "compiler.cli", "validate", str(bad_dir)], cwd=ROOT,
                         env=ENV, capture_output=True, text=True, timeout=120)
    new = mplat("validate", str(bad_dir))
    assert (old.returncode, old.stdout) == (new.returncode, new.stdout) == (1, new.stdout)
    assert "duplicate" in old.stdout


def test_same_result_from_any_working_directory(tmp_path):
    r = mplat("validate", str(ROOT / "specs"), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert mplat("schema", cwd=tmp_path).stdout == (ROOT / "schemas/model-platform.schema.json").read_text()


def test_all_problems_in_all_files_in_one_run_text(bad_dir):
    r = mplat("validate", "a.yaml", "b.yml", cwd=bad_dir)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "a.yaml:3:1: error yaml-duplicate-key: duplicate key 'kind' (first defined at line 2)",
        "  hint: remove one of them; YAML would silently keep only the last",
        "b.yml:3:1: error yaml-syntax: YAML syntax error: did not find expected ',' or '}' "
        "(while parsing a flow mapping)",
        "  hint: check indentation, colons and quotes around this line",
    ]
    assert "Traceback" not in r.stderr


def test_json_format_has_exactly_the_documented_keys(bad_dir):
    r = mplat("validate", "--format", "json", ".", cwd=bad_dir)
    assert r.returncode == 1
    items = json.loads(r.stdout)
    assert [(i["file"], i["line"], i["rule"]) for i in items] == [
        ("a.yaml", 3, "yaml-duplicate-key"), ("b.yml", 3, "yaml-syntax")]
    for item in items:
        assert set(item) == {"file", "line", "col", "severity", "rule", "message", "hint", "stack",
                             "environment"}
        assert item["severity"] == "error"


def test_json_format_is_an_empty_array_when_clean():
    r = mplat("validate", "--format", "json")
    assert (r.returncode, json.loads(r.stdout)) == (0, [])


def test_github_format_is_workflow_annotations(bad_dir):
    r = mplat("validate", "--format", "github", "a.yaml", cwd=bad_dir)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "::error file=a.yaml,line=3,col=1,title=yaml-duplicate-key::duplicate key 'kind' (first "
        "defined at line 2) (hint: remove one of them; YAML would silently keep only the last)"]


def test_warnings_alone_exit_zero(tmp_path):
    (tmp_path / "empty").mkdir()
    r = mplat("validate", "empty", cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout.startswith("empty:1:1: warning no-specs:")


def test_missing_path_is_an_error_not_a_traceback(tmp_path):
    r = mplat("validate", "nope.yaml", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.startswith("nope.yaml:1:1: error path-not-found: no such file or directory")
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["validate", "--format", "xml"]])
def test_usage_errors_exit_two(args):
    r = mplat(*args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "usage: mplat" in r.stderr


def test_rules_lists_every_rule_with_a_doc():
    r = mplat("rules")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    ids = [line.split()[0] for line in lines]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert {"yaml-duplicate-key", "yaml-syntax", "path-not-found"} <= set(ids)
    assert all(len(line.split(None, 1)) == 2 for line in lines)


def test_validate_never_loads_the_engine():
    r = engineprobe.cli("validate", "specs", env=ENV, timeout=120)
    assert r.returncode == 0, r
    engineprobe.assert_engine_not_loaded(r)
    assert "generators" not in r.modules, r.modules


def test_an_output_directory_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    r = mplat("synth", str(ROOT / "specs" / "ranker-minimal.yaml"), "--out", str(tmp_path / "file"),
              cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "mplat: error: " in r.stderr
