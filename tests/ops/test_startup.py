"""Imports and start-up: validate/synth never load boto3, usage errors before any AWS call."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import engineprobe
from tfharness import FAKE_AWS_ENV

from .helpers import (ROOT, mplat, one_line_error, scorer_spec)


# -- imports and start-up -------------------------------------------------------------------------
def _probe(*argv, env=None) -> tuple[int, set[str]]:
    result = engineprobe.cli(*argv, env=env)
    return result.returncode, result.modules


def test_validate_and_synth_never_import_boto3(tmp_path):
    rc, modules = _probe("validate", "specs")
    assert rc == 0 and not modules & {"boto3", "botocore"}, modules
    rc, modules = _probe("synth", "specs/ranker-minimal.yaml", "--out", tmp_path / "out",
                         "--no-cache")
    assert rc == 0 and "generators" in modules, modules      # the engine ran ...
    assert not modules & {"boto3", "botocore"}, modules     # ... and boto3 never loaded


def test_operational_commands_never_import_the_cdk_engine(moto_server, tmp_path):
    spec = scorer_spec(tmp_path, "v1")
    env = {**FAKE_AWS_ENV, "AWS_ENDPOINT_URL": moto_server}
    for argv in (("models", "history", spec), ("verify", spec), ("changes", spec),
                 ("restore", spec, "--at", "1h ago")):
        rc, modules = _probe(*argv, env=env)
        assert "boto3" in modules, (argv, modules)
        assert "generators" not in modules and not modules & set(engineprobe.ENGINE_MODULES), \
            (argv, modules)


def test_operations_import_names_only_through_the_model():
    """No second source of names: operations/ never spells a derived-name suffix itself."""
    for path in (ROOT / "operations").glob("*.py"):
        text = path.read_text()
        for suffix in ("-models", "-vault", "-plan", "-recorder", "-group", "-backup", "-pitr"):
            # an f-string gluing a suffix to a value is a second source of names
            assert not re.search(rf'f["\'][^"\'\n]*\}}{suffix}', text), (path.name, suffix)


@pytest.mark.parametrize("argv, expected", [
    (("models", "rollback", "{spec}", "--steps", "0"), "--steps 0: give a number of versions back"),
    (("models", "rollback", "{spec}", "--at", "last week"), "'last week' is not a time"),
    (("restore", "status", "job-1", "--wait", "--interval", "-1", "--region", "us-east-1"),
     "--interval -1: give the seconds between polls, 0 or more"),
    (("restore", "{spec}", "--at", "1h ago", "--to-bucket", "Bad_Name"),
     "--to-bucket 'Bad_Name' is not a valid bucket name"),
    (("restore", "{spec}", "--at", "1h ago", "--to-bucket", "elsewhere"),
     "or a new bucket named scorer-models-123456789012-pitr-*; 'elsewhere' is neither"),
])
def test_usage_errors_come_before_any_aws_call(argv, expected, tmp_path, capsys, monkeypatch):
    """#16 Low: with no AWS they read "cannot reach AWS", and --interval -1 ended as
    "unexpected ValueError"."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")   # any AWS call would fail
    spec = scorer_spec(tmp_path, "v1")
    rc, _, err = mplat(capsys, *[a.format(spec=spec) for a in argv])
    assert rc == 1
    assert expected in one_line_error(err)


def test_without_moto_the_operations_tests_fail_instead_of_skipping(tmp_path):
    hidden = tmp_path / "hide" / "moto"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError(\"No module named 'moto' (hidden)\")\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hidden.parent), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p",
                           "no:cacheprovider", str(Path(__file__).resolve().parent)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode not in (0, 5), proc.stdout[-2000:]     # 5: nothing collected
    assert "No module named 'moto' (hidden)" in proc.stdout + proc.stderr
    # the package's conftest.py fails to load (exit 4, the error on stderr, nothing on stdout)
    assert "skipped" not in (proc.stdout + proc.stderr).strip().splitlines()[-1]


def test_restore_with_a_malformed_time_fails_before_any_aws_call(tmp_path, capsys, monkeypatch):
    # an endpoint nothing listens on: any AWS call would fail with "cannot reach AWS" instead
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    spec = scorer_spec(tmp_path, "v1")
    rc, _, err = mplat(capsys, "restore", spec, "--at", "yesterday")
    assert rc == 1
    assert "'yesterday' is not a time" in one_line_error(err)
