"""The operational commands (`mplat models`, `restore`, `verify`, `changes`) against a live API.

A moto server on 127.0.0.1 (started once per session, reset before each test) serves S3 versions,
CopyObject, KMS, AWS Config, CodeDeploy, CloudWatch, STS and the Backup plan calls. The calls moto
5.2.5 does not implement (Backup recovery points and restore jobs) and the answers it cannot give
(a Config recorder whose last status is SUCCESS, an AccessDenied) come from botocore's Stubber on
that one operation, so request and response shapes are still checked against the service model;
every other call of the same client goes to moto. One answer moto cannot give on the wire: a
ListObjectVersions whose Version and DeleteMarker entries interleave (moto writes all Versions,
then all DeleteMarkers); a loopback HTTP server answers the documented XML for that one test
(test_same_second_versions_and_delete_markers_keep_s3s_order), since the Stubber skips the raw
response that mplat reads.

The commands run in-process through ``mplat.cli.main`` with AWS_ENDPOINT_URL pointing at moto.
"""
from __future__ import annotations

import importlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import boto3
from botocore.stub import ANY, Stubber

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engineprobe
import tfharness

from mplat.cli import main
from operations import aws as ops_aws
from operations import errors as ops_errors
from operations import pin as pin_edit

# without moto (requirements-test.lock) this module fails to collect, loudly; an importorskip
# would skip every operations test and leave the run green (#16 Low)
importlib.import_module("moto")

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"            # moto's default account
REGION = "us-east-1"
FAKE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}

# -- the specs ------------------------------------------------------------------------------------
SCORER = """\
# yaml-language-server: $schema=../schemas/model-platform.schema.json
# A single-stack spec with every section verify checks.
apiVersion: mplat/v1
kind: ModelPlatform
metadata:
  name: scorer
  owner: ml-team          # who gets paged

aws:
  region: us-east-1
  account_id: "{account}"

artifacts: {{}}
backup:
  point_in_time: {{retention_days: 7}}
config_recorder:
  recorder: create
codedeploy:
  platform: Server
  auto_rollback:
    events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]
  alarms:
    - name: high-5xx
      namespace: AWS/ApplicationELB
      metric: HTTPCode_Target_5XX_Count
      dimensions: {{LoadBalancer: app/scorer/0123456789abcdef}}
      threshold: 10
  ec2_tags: {{app: scorer}}
kubernetes:
  cluster: {{kubeconfig: ~/.kube/config}}
  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer:1.0.0
  model:
    key: scorer/model.tar.gz      # the served model
    version_id: {pin}   # pinned by hand, keep this comment
"""
SCORER_BUCKET = f"scorer-models-{ACCOUNT}"
SCORER_KEY = "scorer/model.tar.gz"

RANKER = """\
apiVersion: mplat/v1
kind: ModelPlatform
metadata: {{name: ranker, owner: search}}
aws: {{region: us-east-1, account_id: "123456789012"}}
artifacts: {{}}
kubernetes:
  cluster: {{kubeconfig: ~/.kube/config}}
  image: reg.example.com/ranker:2
  model:
    key: ranker/model.bin
    version_id: "{base}"     # base pin (dev inherits it)
environments:
  dev:
    kubernetes: {{cluster: {{context: dev}}}}
  prod:
    kubernetes:
      cluster: {{context: prod}}
      model: {{key: ranker/model.bin, version_id: '{prod}'}}   # prod pins its own
"""
RANKER_KEY = "ranker/model.bin"


# -- moto server ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    """moto's server on 127.0.0.1 (tests/tfharness.py serve: moto with the GAPS patches)."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("moto-ops") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, tfharness.__file__, "serve", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **FAKE_ENV}, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            if proc.poll() is not None:
                raise RuntimeError(f"moto server exited with {proc.returncode} (see {log.name})")
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=1).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        else:
            raise RuntimeError(f"moto server did not answer on {endpoint}")
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class PartialStubber(Stubber):
    """botocore's Stubber for the named operations only; the client's other calls go to moto."""

    def __init__(self, client, operations: set[str]) -> None:
        super().__init__(client)
        self.operations = operations

    def _assert_expected_params(self, model, params, context, **kwargs):
        if model.name in self.operations:
            return super()._assert_expected_params(model, params, context, **kwargs)
        return None

    def _get_response_handler(self, model, params, context, **kwargs):
        if model.name in self.operations:
            return super()._get_response_handler(model, params, context, **kwargs)
        return None


class Stubs:
    """Responses to queue on a service's client when the command creates it."""

    def __init__(self) -> None:
        self.queued: dict[str, list] = {}
        self.stubbers: dict[str, list[Stubber]] = {}
        self.services: set[str] = set()

    def add(self, service: str, method: str, response: dict, expected: dict | None = None):
        self.services.add(service)
        self.queued.setdefault(service, []).append(("response", method, response, expected))

    def error(self, service: str, method: str, code: str, status: int, message: str = ""):
        self.services.add(service)
        self.queued.setdefault(service, []).append(("error", method, (code, status, message), None))

    def factory(self, service, session, region):
        client = session.client(service, region_name=region)
        items = self.queued.pop(service, None)   # each command run makes its own clients
        if items:
            ops = {client.meta.method_to_api_mapping[method] for _, method, _, _ in items}
            stubber = PartialStubber(client, ops)
            for kind, method, payload, expected in items:
                if kind == "response":
                    stubber.add_response(method, payload, expected)
                else:
                    code, status, message = payload
                    stubber.add_client_error(method, service_error_code=code,
                                             service_message=message, http_status_code=status)
            stubber.activate()
            self.stubbers.setdefault(service, []).append(stubber)
        return client

    def assert_all_used(self) -> None:
        assert not self.queued, f"stubbed clients never created: {sorted(self.queued)}"
        assert set(self.stubbers) == self.services
        for stubbers in self.stubbers.values():
            for stubber in stubbers:
                stubber.assert_no_pending_responses()


@pytest.fixture
def moto(moto_server, monkeypatch):
    """A reset moto, the environment pointing every client at it, and a Stubs table."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    for key, value in FAKE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    stubs = Stubs()
    monkeypatch.setattr(ops_aws, "CLIENT_FACTORY", stubs.factory)
    yield stubs


def client(service: str):
    return boto3.client(service, region_name=REGION)


def mplat(capsys, *argv) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(err: str) -> str:
    """The command failed the way item 6 asks: one line on stderr, no traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("mplat: error: ")
    return lines[0]


def make_bucket(name: str, *, versioning: str | None = "Enabled", kms: bool = False):
    s3 = client("s3")
    s3.create_bucket(Bucket=name)
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    key_arn = None
    if kms:
        key_arn = client("kms").create_key()["KeyMetadata"]["Arn"]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": key_arn},
            "BucketKeyEnabled": True}]})
    return key_arn


def upload(bucket: str, key: str, n: int, *, pause: float = 0.0) -> list[str]:
    """n versions with bodies b'model-0'..; their version ids, oldest first."""
    ids = []
    for i in range(n):
        if i and pause:
            time.sleep(pause)
        ids.append(client("s3").put_object(Bucket=bucket, Key=key,
                                           Body=f"model-{i}".encode()).get("VersionId", "null"))
    return ids


def versions_of(bucket: str, key: str) -> list[dict]:
    answer = client("s3").list_object_versions(Bucket=bucket, Prefix=key)
    return answer.get("Versions", []) + answer.get("DeleteMarkers", [])


def scorer_spec(tmp_path: Path, pin: str, account: str = ACCOUNT) -> Path:
    path = tmp_path / "scorer.yaml"
    path.write_text(SCORER.format(pin=pin, account=account))
    return path


def ranker_spec(tmp_path: Path, base: str, prod: str, newline: str = "\n") -> Path:
    path = tmp_path / "ranker.yaml"
    path.write_bytes(RANKER.format(base=base, prod=prod).replace("\n", newline).encode())
    return path


def history_json(capsys, spec, *extra) -> dict:
    rc, out, err = mplat(capsys, "models", "history", spec, *extra, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


# -- history --------------------------------------------------------------------------------------
def test_history_lists_versions_newest_first_with_current_pinned_and_delete_markers(moto, capsys,
                                                                                     tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    client("s3").delete_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)
    marker = [v for v in versions_of(SCORER_BUCKET, SCORER_KEY) if "Size" not in v][0]["VersionId"]
    spec = scorer_spec(tmp_path, ids[1])
    data = history_json(capsys, spec)
    assert data["bucket"] == SCORER_BUCKET and data["key"] == SCORER_KEY
    assert data["versioning"] == "Enabled" and data["pinned"] == ids[1]
    assert [v["version_id"] for v in data["versions"]] == [marker, ids[2], ids[1], ids[0]]
    assert [v["delete_marker"] for v in data["versions"]] == [True, False, False, False]
    assert [v["pinned"] for v in data["versions"]] == [False, False, True, False]
    assert not any(v["current"] for v in data["versions"])      # the key is deleted
    assert [v["size"] for v in data["versions"][1:]] == [7, 7, 7]

    rc, out, err = mplat(capsys, "models", "history", spec)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == f"s3://{SCORER_BUCKET}/{SCORER_KEY} (versioning: Enabled; newest first)"
    assert "(delete marker)" in lines[2] and marker in lines[2]
    assert lines[4].startswith(f"  {ids[1]}") and lines[4].endswith("<- pinned")


# ListObjectVersions as S3 answers it (S3 API reference, ListObjectVersions, "Response Syntax"):
# one ListVersionsResult whose Version and DeleteMarker entries are interleaved, newest first. moto
# 5.2.5 writes all Versions, then all DeleteMarkers, so it cannot show what follows.
_SAME_SECOND = """<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>scorer-models-123456789012</Name><Prefix>scorer/model.tar.gz</Prefix>
  <KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys>
  <IsTruncated>false</IsTruncated>
  <Version><Key>scorer/model.tar.gz</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest>
    <LastModified>2026-11-29T10:00:07.000Z</LastModified><ETag>"e3"</ETag><Size>3</Size>
    <StorageClass>STANDARD</StorageClass></Version>
  <DeleteMarker><Key>scorer/model.tar.gz</Key><VersionId>dm2</VersionId><IsLatest>false</IsLatest>
    <LastModified>2026-11-29T10:00:07.000Z</LastModified></DeleteMarker>
  <Version><Key>scorer/model.tar.gz</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest>
    <LastModified>2026-11-29T10:00:07.000Z</LastModified><ETag>"e1"</ETag><Size>1</Size>
    <StorageClass>STANDARD</StorageClass></Version>
</ListVersionsResult>"""


def test_same_second_versions_and_delete_markers_keep_s3s_order(monkeypatch):
    """#16 Low: v1 uploaded, deleted (dm2), v3 uploaded, all in one second (LastModified has whole
    seconds): history listed v3, v1, dm2, and --at/--steps could pick v1 for a time it was
    deleted. The order is S3's own, read from the raw answer."""
    import http.server
    import threading

    from operations import models

    class S3(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = _SAME_SECOND.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), S3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for key, value in FAKE_ENV.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_port}")
        aws = ops_aws.Aws(region=REGION)
        versions = models.list_versions(aws, SCORER_BUCKET, SCORER_KEY)
    finally:
        server.shutdown()
    assert [(v.version_id, v.delete_marker) for v in versions] == [
        ("v3", False), ("dm2", True), ("v1", False)]


def test_history_marks_current_and_takes_another_key(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, "other/model.bin", 2)
    upload(SCORER_BUCKET, SCORER_KEY, 1)
    data = history_json(capsys, scorer_spec(tmp_path, "v0"), "--key", "other/model.bin")
    assert [v["version_id"] for v in data["versions"]] == [ids[1], ids[0]]
    assert [v["current"] for v in data["versions"]] == [True, False]
    assert data["pinned"] is None                # the pin is of another key


# -- rollback, pin mode ---------------------------------------------------------------------------
def _only_line_changed(old: bytes, new: bytes, old_value: str, new_value: str) -> int:
    """Every byte but the value is unchanged: same lines, and the one changed line is the old line
    with the old value replaced. Returns the index of that line."""
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(changed) == 1, changed
    i = changed[0]
    assert old_lines[i].count(old_value.encode()) == 1
    assert new_lines[i] == old_lines[i].replace(old_value.encode(), new_value.encode())
    return i


def test_pin_rollback_edits_only_the_value_in_a_base_file(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    spec = scorer_spec(tmp_path, ids[2])
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--steps", "1", "--from-uploads")
    assert rc == 0, err
    assert "warning: --from-uploads counted S3 uploads" in err        # never served, maybe
    after = spec.read_bytes()
    line = _only_line_changed(before, after, ids[2], ids[1])
    assert after.split(b"\n")[line] == \
        f"    version_id: {ids[1]}   # pinned by hand, keep this comment".encode()
    assert f"-    version_id: {ids[2]}" in out and f"+    version_id: {ids[1]}" in out
    assert f"pin {ids[2]} -> {ids[1]}" in out and "validated" in out
    assert rc == 0 and main(["validate", str(spec)]) == 0


def test_pin_rollback_edits_the_overlay_that_supplied_the_pin(moto, capsys, tmp_path):
    bucket = f"ranker-prod-models-{ACCOUNT}"
    make_bucket(bucket)
    ids = upload(bucket, RANKER_KEY, 3)
    spec = ranker_spec(tmp_path, base="base-version", prod=ids[2])
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--env", "prod", "--to", ids[0])
    assert rc == 0, err
    after = spec.read_bytes()
    line = _only_line_changed(before, after, ids[2], ids[0])
    edited = after.split(b"\n")[line]
    assert edited.startswith(b"      model: {key: ranker/model.bin, version_id: '")
    assert b'version_id: "base-version"' in after           # the base pin is untouched
    assert "also pins" not in out                          # no other stack changes
    pins = history_json(capsys, spec, "--env", "prod")["pinned"]
    assert pins == ids[0]


def test_pin_rollback_of_an_inherited_pin_with_all_envs_edits_the_base(moto, capsys, tmp_path):
    bucket = f"ranker-dev-models-{ACCOUNT}"
    make_bucket(bucket)
    ids = upload(bucket, RANKER_KEY, 2)
    spec = ranker_spec(tmp_path, base=ids[1], prod="prod-version", newline="\r\n")
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--env", "dev", "--to", ids[0],
                         "--all-envs")
    assert rc == 0, err
    after = spec.read_bytes()
    assert after.count(b"\r\n") == before.count(b"\r\n")        # CRLF line ends kept
    _only_line_changed(before, after, ids[1], ids[0])
    assert f'version_id: "{ids[0]}"     # base pin'.encode() in after     # still double-quoted
    assert "this line also pins" not in out                     # prod has its own pin


def test_pin_rollback_says_which_other_stacks_the_edited_line_pins(moto, capsys, tmp_path):
    bucket = f"ranker-dev-models-{ACCOUNT}"
    make_bucket(bucket)
    ids = upload(bucket, RANKER_KEY, 2)
    spec = ranker_spec(tmp_path, base=ids[1], prod="unused")
    text = spec.read_text()      # prod without its own pin: it inherits the base line too
    spec.write_text(text.replace("      model: {key: ranker/model.bin, version_id: 'unused'}"
                                 "   # prod pins its own\n", ""))
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--env", "dev", "--to", ids[0],
                         "--all-envs")
    assert rc == 0, err
    assert out.rstrip().splitlines()[-1].startswith(f"pin {ids[1]} -> {ids[0]}")
    assert "; this line also pins ranker-prod (--all-envs); validated." in out


def _git_commit(repo: Path, date: str, message: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True, env=env)
    return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo, check=True,
                          capture_output=True, text=True, env=env).stdout.strip()


def _served_repo(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    """Three uploads; the spec pinned ids[0] on Nov 1 and ids[2] on Nov 10. ids[1] was an
    uploaded candidate that was rejected: never pinned, never served."""
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    spec = scorer_spec(repo, ids[0])
    commits = [_git_commit(repo, "2026-11-01T09:00:00Z", "pin ids[0]")]
    spec.write_text(spec.read_text().replace(ids[0], ids[2]))
    commits.append(_git_commit(repo, "2026-11-10T09:00:00Z", "pin ids[2]"))
    return spec, ids, commits


def test_pin_rollback_steps_follow_what_was_served_not_uploads(moto, capsys, tmp_path):
    """#16 "Why" 4: --steps 1 landed on ids[1], the uploaded candidate never pinned."""
    spec, ids, commits = _served_repo(tmp_path)
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--steps", "1")
    assert rc == 0, err
    assert history_json(capsys, spec)["pinned"] == ids[0]
    assert f"pinned before at {commits[0]} 2026-11-01" in out


def test_pin_rollback_at_takes_the_pin_in_effect_then(moto, capsys, tmp_path):
    """#16 "Why" 4: --at picked the version that was S3-current, not the one pinned then."""
    spec, ids, _ = _served_repo(tmp_path)
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--at", "2026-11-05T00:00:00Z")
    assert rc == 0, err
    assert history_json(capsys, spec)["pinned"] == ids[0]
    message = _refused(capsys, spec, "models", "rollback", spec, "--at", "2026-10-01T00:00:00Z")
    assert "has no commit at or before 2026-10-01T00:00:00Z" in message


def test_history_marks_the_versions_pinned_before(moto, capsys, tmp_path):
    spec, ids, commits = _served_repo(tmp_path)
    data = history_json(capsys, spec)
    assert {v["version_id"]: v["pinned_before"] for v in data["versions"]} == {
        ids[2]: None, ids[1]: None, ids[0]: f"{commits[0]} 2026-11-01"}
    rc, out, _ = mplat(capsys, "models", "history", spec)
    line = next(line for line in out.splitlines() if line.startswith(f"  {ids[0]}"))
    assert line.endswith(f"<- pinned before ({commits[0]} 2026-11-01)")


def test_pin_rollback_of_an_inherited_pin_writes_the_environments_own_overlay(moto, capsys,
                                                                             tmp_path):
    """#16 "Why" 5: a rollback of dev rewrote the base line, re-pinning the other environments
    to a version id of dev's bucket."""
    bucket = f"ranker-dev-models-{ACCOUNT}"
    make_bucket(bucket)
    ids = upload(bucket, RANKER_KEY, 2)
    spec = ranker_spec(tmp_path, base=ids[1], prod="prod-version")
    spec.write_text(spec.read_text().replace("  prod:\n", "  stg:\n    kubernetes: {cluster: "
                                             "{context: stg}}\n  prod:\n"))   # stg inherits too
    before = spec.read_text()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--env", "dev", "--to", ids[0])
    assert rc == 0, err
    after = spec.read_text()
    assert f'version_id: "{ids[1]}"     # base pin' in after                # base untouched
    assert f"    kubernetes: {{cluster: {{context: dev}}, model: {{version_id: {ids[0]}}}}}" \
        in after.splitlines()
    assert len(after.splitlines()) == len(before.splitlines())
    assert history_json(capsys, spec, "--env", "dev")["pinned"] == ids[0]
    from compiler import pipeline
    pins = {m.stack: m.kubernetes.model.version_id
            for m in pipeline.run([str(spec)], build_models=True).models}
    assert pins == {"ranker-dev": ids[0], "ranker-stg": ids[1], "ranker-prod": "prod-version"}
    assert "also pins" not in out and main(["validate", str(spec)]) == 0


def test_pin_rollback_dry_run_prints_the_diff_and_writes_nothing(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    spec = scorer_spec(tmp_path, ids[1])
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--to", ids[0], "--dry-run")
    assert rc == 0, err
    assert spec.read_bytes() == before
    assert f"+    version_id: {ids[0]}" in out and "dry run: would pin" in out


def test_round_trip_three_versions_rollback_by_steps_then_history_shows_the_new_pin(moto, capsys,
                                                                                    tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    spec = scorer_spec(tmp_path, ids[2])
    assert history_json(capsys, spec)["pinned"] == ids[2]
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--steps", "2", "--from-uploads")
    assert rc == 0, err
    data = history_json(capsys, spec)
    assert data["pinned"] == ids[0]
    assert [v["pinned"] for v in data["versions"]] == [False, False, True]
    assert [v["current"] for v in data["versions"]] == [True, False, False]   # S3 untouched
    rc, out, _ = mplat(capsys, "models", "history", spec)
    assert out.splitlines()[-2].startswith(f"  {ids[0]}") and \
        out.splitlines()[-2].endswith("<- pinned")
    assert out.splitlines()[-1] == (f"pinned {ids[0]} is noncurrent: kept by the lifecycle rule "
                                    "while it is among the newest 10 noncurrent versions (9 more "
                                    "upload(s) and it may expire)")


def test_rollback_at_picks_the_version_current_at_that_time(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3, pause=1.1)
    stamps = {v["VersionId"]: v["LastModified"] for v in versions_of(SCORER_BUCKET, SCORER_KEY)}
    spec = scorer_spec(tmp_path, ids[2])
    between = stamps[ids[1]].astimezone(timezone.utc) + timedelta(milliseconds=500)
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--at",
                         between.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "--from-uploads")
    assert rc == 0, err
    assert history_json(capsys, spec)["pinned"] == ids[1]
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--at", "2000-01-01T00:00:00Z",
                       "--from-uploads")
    assert rc == 1 and "no version of" in one_line_error(err) and "existed at 2000-01-01" in err


# -- rollback, copy mode --------------------------------------------------------------------------
def test_copy_rollback_copies_the_version_onto_the_key_keeping_sse_kms(moto, capsys, tmp_path):
    key_arn = make_bucket(SCORER_BUCKET, kms=True)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    spec = scorer_spec(tmp_path, ids[2])
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--steps", "2",
                         "--yes")
    assert rc == 0, err
    s3 = client("s3")
    head = s3.head_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)
    assert s3.get_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)["Body"].read() == b"model-0"
    assert head["VersionId"] not in ids                              # a new current version
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key_arn
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 4
    assert f"the new current version is {head['VersionId']}" in out
    assert "pods keep serving that version" in out                   # the spec still pins ids[2]
    assert spec.read_bytes() == before


def test_copy_rollback_asks_and_changes_nothing_without_yes(moto, capsys, tmp_path, monkeypatch):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    spec = scorer_spec(tmp_path, ids[1])
    # not a terminal (as under pytest): refused, pointing at --yes
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--steps", "1")
    assert rc == 1 and "--yes" in one_line_error(err)
    # a terminal that answers no
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda question: "n")
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--steps", "1")
    assert rc == 1 and "not confirmed; nothing changed" in one_line_error(err)
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 2
    # and one that answers yes
    monkeypatch.setattr("builtins.input", lambda question: "y")
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--to", ids[0])
    assert rc == 0, err
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 3


def test_copy_rollback_rechecks_the_key_after_the_question(moto, capsys, tmp_path, monkeypatch):
    """#16 Low: copy mode did not re-check the version between listing, prompt and CopyObject."""
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    spec = scorer_spec(tmp_path, ids[1])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    def answer_while_someone_uploads(question):
        client("s3").put_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY, Body=b"hotfix")
        return "y"

    monkeypatch.setattr("builtins.input", answer_while_someone_uploads)
    rc, _, err = mplat(capsys, "models", "rollback", spec, "--mode", "copy", "--steps", "1")
    message = one_line_error(err)
    assert rc == 1 and "changed since it was listed" in message and "nothing copied" in message
    assert f"was {ids[1]}" in message
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 3      # the upload, and no copy


def test_copy_rollback_dry_run_changes_nothing(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    rc, out, err = mplat(capsys, "models", "rollback", scorer_spec(tmp_path, ids[1]), "--mode",
                         "copy", "--to", ids[0], "--dry-run")
    assert rc == 0, err
    assert f"dry run: would copy version {ids[0]}" in out
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 2


# -- refusals and bad situations (item 6): one line, exit 1, nothing changed ----------------------
def _refused(capsys, spec: Path, *argv) -> str:
    before = spec.read_bytes()
    rc, out, err = mplat(capsys, *argv)
    assert rc == 1
    assert spec.read_bytes() == before
    return one_line_error(err)


def test_rollback_refuses_when_versioning_is_not_enabled(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET, versioning=None)
    upload(SCORER_BUCKET, SCORER_KEY, 1)
    spec = scorer_spec(tmp_path, '"null"')
    message = _refused(capsys, spec, "models", "rollback", spec, "--to", "null")
    assert "versioning of scorer-models-123456789012 is Never enabled, not Enabled" in message
    client("s3").put_bucket_versioning(Bucket=SCORER_BUCKET,
                                       VersioningConfiguration={"Status": "Suspended"})
    message = _refused(capsys, spec, "models", "rollback", spec, "--mode", "copy", "--to", "x",
                       "--yes")
    assert "is Suspended, not Enabled" in message


def test_rollback_refuses_an_unknown_version_and_a_delete_marker(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    client("s3").delete_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)
    marker = [v for v in versions_of(SCORER_BUCKET, SCORER_KEY) if "Size" not in v][0]["VersionId"]
    spec = scorer_spec(tmp_path, ids[1])
    assert "unknown version nope" in _refused(capsys, spec, "models", "rollback", spec, "--to",
                                              "nope")
    for mode in ("pin", "copy"):
        message = _refused(capsys, spec, "models", "rollback", spec, "--mode", mode, "--to",
                           marker, "--yes")
        assert f"{marker} is a delete marker" in message
    message = _refused(capsys, spec, "models", "rollback", spec, "--mode", "copy", "--steps", "1",
                       "--yes")
    assert "is deleted (its newest entry is a delete marker)" in message
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 3


def test_rollback_refuses_a_time_when_the_key_was_deleted_and_steps_from_an_unknown_pin(
        moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    time.sleep(1.1)
    client("s3").delete_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)
    marker = [v for v in versions_of(SCORER_BUCKET, SCORER_KEY) if "Size" not in v][0]
    spec = scorer_spec(tmp_path, "not-a-version")
    at = (marker["LastModified"].astimezone(timezone.utc) + timedelta(seconds=1))
    message = _refused(capsys, spec, "models", "rollback", spec, "--mode", "copy", "--yes",
                       "--at", at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert f"{marker['VersionId']} is a delete marker" in message
    message = _refused(capsys, spec, "models", "rollback", spec, "--steps", "1", "--from-uploads")
    assert ("--steps counts back from the pinned version, and "
            f"s3://{SCORER_BUCKET}/{SCORER_KEY} has no such version (not-a-version)") in message
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 3 and ids


def test_rollback_refuses_what_is_already_pinned_or_current(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    spec = scorer_spec(tmp_path, ids[0])
    message = _refused(capsys, spec, "models", "rollback", spec, "--to", ids[0])
    assert f"version {ids[0]} is already pinned ({spec}:34)" in message
    message = _refused(capsys, spec, "models", "rollback", spec, "--mode", "copy", "--to", ids[1],
                       "--yes")
    assert f"version {ids[1]} is already the current version" in message
    message = _refused(capsys, spec, "models", "rollback", spec, "--steps", "5", "--from-uploads")
    assert "cannot go back 5 step(s)" in message and "has 0 version(s) older" in message
    assert len(versions_of(SCORER_BUCKET, SCORER_KEY)) == 2


def test_missing_bucket_and_missing_key_are_one_line_errors(moto, capsys, tmp_path):
    spec = scorer_spec(tmp_path, "v1")
    message = _refused(capsys, spec, "models", "history", spec)
    assert f"bucket {SCORER_BUCKET} does not exist in account {ACCOUNT} (us-east-1)" in message
    make_bucket(SCORER_BUCKET)
    message = _refused(capsys, spec, "models", "rollback", spec, "--steps", "1")
    assert f"no object s3://{SCORER_BUCKET}/{SCORER_KEY}" in message


def test_wrong_account_is_refused_before_any_other_call(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    spec = scorer_spec(tmp_path, "v1", account="210987654321")
    for argv in (("models", "history", spec), ("models", "rollback", spec, "--steps", "1"),
                 ("verify", spec), ("changes", spec),
                 ("restore", spec, "--at", "1h ago")):
        message = _refused(capsys, spec, *argv)
        assert (f"wrong account: the credentials (arn:aws:sts::{ACCOUNT}:user/moto) are for "
                f"account {ACCOUNT}, the spec's aws.account_id is 210987654321") in message


def test_no_credentials_is_a_one_line_error(moto, capsys, tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    spec = scorer_spec(tmp_path, "v1")
    message = _refused(capsys, spec, "models", "history", spec)
    assert message.startswith("mplat: error: no AWS credentials found")
    message = _refused(capsys, spec, "models", "history", spec, "--profile", "nobody")
    assert "AWS profile 'nobody' is not configured" in message


def test_access_denied_is_a_one_line_error_naming_the_permission(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    moto.error("s3", "get_bucket_versioning", "AccessDenied", 403, "Access Denied")
    spec = scorer_spec(tmp_path, "v1")
    message = _refused(capsys, spec, "models", "rollback", spec, "--steps", "1")
    assert message == (f"mplat: error: access denied: s3:GetBucketVersioning (s3://{SCORER_BUCKET})"
                       f" for arn:aws:sts::{ACCOUNT}:user/moto; grant that permission or use "
                       "another --profile")
    moto.assert_all_used()


def test_spec_problems_are_one_line_errors(moto, capsys, tmp_path):
    spec = ranker_spec(tmp_path, base="a", prod="b")
    assert "has environments: pass --env (dev, prod)" in \
        _refused(capsys, spec, "models", "history", spec)
    assert "has no environment 'prd' (it has dev, prod); did you mean 'prod'?" in \
        _refused(capsys, spec, "models", "history", spec, "--env", "prd")
    rc, _, err = mplat(capsys, "models", "history", tmp_path / "nope.yaml")
    assert rc == 1 and "no such spec file" in one_line_error(err)


# -- the YAML edit, unit by unit ------------------------------------------------------------------
@pytest.mark.parametrize("text, value, expected", [
    ("a:\n  version_id: abc  # c\n", "xyz", "a:\n  version_id: xyz  # c\n"),
    ("a:\n  version_id: 'abc'\n", "x'y", "a:\n  version_id: 'x''y'\n"),
    ('a:\n  version_id: "abc"\n', "x\"y", 'a:\n  version_id: "x\\"y"\n'),
    ("a:\n  version_id: abc\n", "null", "a:\n  version_id: 'null'\n"),
    ("a:\n  version_id: abc\n", "12345", "a:\n  version_id: '12345'\n"),
    ("a:\n  version_id: abc\n", "on", "a:\n  version_id: 'on'\n"),
    ("a:\n  version_id: abc\n", "x #y", "a:\n  version_id: 'x #y'\n"),
    ("a: {version_id: abc, k: 1}\n", "p,q", "a: {version_id: 'p,q', k: 1}\n"),
    ("a: {version_id: abc, k: 1}\n", "3sL4kq.rm_Xd", "a: {version_id: 3sL4kq.rm_Xd, k: 1}\n"),
])
def test_replace_at_writes_a_scalar_that_reads_back_exactly(text, value, expected):
    import yaml
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if "version_id" in text_line)
    col = text.splitlines()[line - 1].index("version_id: ") + len("version_id: ") + 1
    new = pin_edit.replace_at(text, line, col, value, "t.yaml")
    assert new == expected
    loaded = yaml.safe_load(new)["a"]["version_id"]
    assert loaded == value


@pytest.mark.parametrize("text, problem", [
    ("a:\n  version_id: |\n    abc\n", "block scalar"),
    ("x: &pin abc\na:\n  version_id: *pin\n", "anchor, alias or tag"),
])
def test_replace_at_refuses_edits_that_would_not_be_local(text, problem):
    from operations.errors import OpsError
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if "version_id" in text_line)
    col = text.splitlines()[line - 1].index("version_id: ") + len("version_id: ") + 1
    with pytest.raises(OpsError, match=problem):
        pin_edit.replace_at(text, line, col, "new", "t.yaml")


# -- restore --------------------------------------------------------------------------------------
RULE_NAME = "continuous"


def _backup_setup(kms: bool = True) -> tuple[str, str | None]:
    """The stack's vault and plan (in moto), the model bucket; the continuous rule's id."""
    key_arn = make_bucket(SCORER_BUCKET, kms=kms)
    backup = client("backup")
    backup.create_backup_vault(BackupVaultName="scorer-vault")
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "scorer-plan", "Rules": [{
        "RuleName": RULE_NAME, "TargetBackupVaultName": "scorer-vault",
        "EnableContinuousBackup": True, "Lifecycle": {"DeleteAfterDays": 7}}]})
    rules = backup.get_backup_plan(BackupPlanId=plan["BackupPlanId"])["BackupPlan"]["Rules"]
    return rules[0]["RuleId"], key_arn


def _recovery_points(rule_id: str, created: datetime, status: str = "COMPLETED") -> dict:
    return {"RecoveryPoints": [
        {"RecoveryPointArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:snap-1",
         "BackupVaultName": "scorer-vault", "Status": "COMPLETED",
         "CreationDate": created, "CreatedBy": {"BackupRuleId": "daily-rule"}},
        {"RecoveryPointArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:continuous:"
                             "scorer-models-1a2b",
         "BackupVaultName": "scorer-vault", "Status": status, "CreationDate": created,
         "CreatedBy": {"BackupRuleId": rule_id}}]}


def _list_points_params() -> dict:
    return {"BackupVaultName": "scorer-vault", "ByResourceArn": f"arn:aws:s3:::{SCORER_BUCKET}"}


def test_restore_starts_a_point_in_time_restore_into_a_new_bucket(moto, capsys, tmp_path):
    rule_id, key_arn = _backup_setup()
    started = datetime.now(timezone.utc) - timedelta(days=3)
    moment = (datetime.now(timezone.utc) - timedelta(days=1)).replace(second=0, microsecond=0)
    at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = moment.strftime("%Y%m%d%H%M")
    moto.add("backup", "list_recovery_points_by_backup_vault",
             _recovery_points(rule_id, started), _list_points_params())
    moto.add("backup", "start_restore_job", {"RestoreJobId": "job-1234"}, {
        "RecoveryPointArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:continuous:"
                            "scorer-models-1a2b",
        "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/scorer-backup",
        "ResourceType": "S3",
        "IdempotencyToken": ANY,
        # exactly the documented S3 keys (AWS Backup guide, "Restore S3 data using AWS Backup",
        # "Restore Amazon S3 recovery points through AWS CLI"): no NewBucket, Encrypted or
        # CreationToken (#16 "Why" 9)
        "Metadata": {"DestinationBucketName": f"scorer-models-123456789012-pitr-{stamp}",
                     "RestoreTime": at, "EncryptionType": "SSE-KMS", "KMSKey": key_arn}})
    spec = scorer_spec(tmp_path, "v1")
    rc, out, err = mplat(capsys, "restore", spec, "--at", moment.strftime("%Y-%m-%d %H:%M"))
    assert rc == 0, err
    # the interpreted time, in UTC, before the job starts (no zone given: read as UTC)
    assert out.splitlines()[0] == (f"restoring s3://{SCORER_BUCKET} as of {at} (UTC; --at "
                                   f"'{moment.strftime('%Y-%m-%d %H:%M')}') into "
                                   f"scorer-models-123456789012-pitr-{stamp}")
    assert out.splitlines()[1] == (f"restore job job-1234 started: s3://{SCORER_BUCKET} as of "
                                   f"{at} -> scorer-models-123456789012-pitr-{stamp} (new bucket)")
    assert "mplat restore status job-1234 --region us-east-1" in out
    moto.assert_all_used()


def test_restore_in_place_needs_yes_and_restores_into_the_model_bucket(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup(kms=False)
    spec = scorer_spec(tmp_path, "v1")
    message = _refused(capsys, spec, "restore", spec, "--at", "1h ago", "--in-place")
    assert "confirm with --yes; nothing changed" in message
    moto.add("backup", "list_recovery_points_by_backup_vault",
             _recovery_points(rule_id, datetime.now(timezone.utc) - timedelta(days=2)))
    moto.add("backup", "start_restore_job", {"RestoreJobId": "job-9"}, {
        "RecoveryPointArn": ANY, "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/scorer-backup",
        "ResourceType": "S3", "IdempotencyToken": ANY,
        "Metadata": {"DestinationBucketName": SCORER_BUCKET, "RestoreTime": ANY,
                     "EncryptionType": "SSE-S3"}})
    rc, out, err = mplat(capsys, "restore", spec, "--at", "1h ago", "--in-place", "--yes")
    assert rc == 0, err
    assert f"-> {SCORER_BUCKET} (in place)" in out
    moto.assert_all_used()


def test_restore_refuses_when_restore_is_not_possible(moto, capsys, tmp_path):
    spec = scorer_spec(tmp_path, "v1")
    # no plan in the account: the stack was never applied
    make_bucket(SCORER_BUCKET)
    assert "restore not possible: backup plan scorer-plan does not exist" in \
        _refused(capsys, spec, "restore", spec, "--at", "1h ago")
    # outside the 7 days of continuous backup, and in the future (no AWS call needed)
    assert "is older than the continuous backup keeps (7 days" in \
        _refused(capsys, spec, "restore", spec, "--at", "8d ago")
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "is in the future" in _refused(capsys, spec, "restore", spec, "--at", future)


def test_restore_refuses_without_a_usable_continuous_recovery_point(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup()
    spec = scorer_spec(tmp_path, "v1")
    moto.add("backup", "list_recovery_points_by_backup_vault", {"RecoveryPoints": []})
    assert "has no continuous recovery point of scorer-models-123456789012" in \
        _refused(capsys, spec, "restore", spec, "--at", "1h ago")
    moto.assert_all_used()


@pytest.mark.parametrize("case", ["stopped", "before-start", "bucket-exists", "outside-role"])
def test_restore_refuses_a_stopped_point_an_early_time_or_an_existing_bucket(case, moto, capsys,
                                                                            tmp_path):
    rule_id, _ = _backup_setup()
    created = datetime.now(timezone.utc) - timedelta(hours=(1 if case == "before-start" else 48))
    if case != "outside-role":          # refused before any AWS call (a usage problem, #16)
        moto.add("backup", "list_recovery_points_by_backup_vault",
                 _recovery_points(rule_id, created,
                                  "STOPPED" if case == "stopped" else "COMPLETED"))
    taken = "scorer-models-123456789012-pitr-taken"
    if case == "bucket-exists":
        client("s3").create_bucket(Bucket=taken)
    spec = scorer_spec(tmp_path, "v1")
    extra = {"bucket-exists": ("--to-bucket", taken),
             "outside-role": ("--to-bucket", "other-restore")}.get(case, ())
    message = _refused(capsys, spec, "restore", spec, "--at", "3h ago", *extra)
    assert {"stopped": "continuous recovery point of scorer-models-123456789012 is STOPPED",
            "before-start": "is before the continuous backup of",
            "bucket-exists": f"bucket {taken} already exists",
            # the backup role may create and write only <model bucket>-pitr-* (least privilege)
            "outside-role": "may restore only into the model bucket (--in-place) or a new bucket "
                            "named scorer-models-123456789012-pitr-*; 'other-restore' is neither",
            }[case] in message
    moto.assert_all_used()


class _Recorder:
    """A Stubber expectation that matches anything and keeps what it was compared with."""
    def __init__(self):
        self.seen: list = []

    def __eq__(self, other):
        self.seen.append(other)
        return True

    def __ne__(self, other):
        return not self.__eq__(other)


def test_a_retry_after_a_failed_restore_job_starts_a_new_job(moto, capsys, tmp_path):
    """#16 Low: a token derived from the request made AWS Backup return the failed job again
    within its idempotency window; each run now sends its own token."""
    rule_id, _ = _backup_setup(kms=False)
    spec = scorer_spec(tmp_path, "v1")
    tokens = _Recorder()
    for job in ("job-failed", "job-new"):
        moto.add("backup", "list_recovery_points_by_backup_vault",
                 _recovery_points(rule_id, datetime.now(timezone.utc) - timedelta(days=2)))
        moto.add("backup", "start_restore_job", {"RestoreJobId": job}, {
            "RecoveryPointArn": ANY, "IamRoleArn": ANY, "ResourceType": "S3",
            "IdempotencyToken": tokens, "Metadata": ANY})
        rc, out, err = mplat(capsys, "restore", spec, "--at", "1h ago", "--in-place", "--yes")
        assert rc == 0 and f"restore job {job} started" in out, err
    assert len(tokens.seen) == 2 and tokens.seen[0] != tokens.seen[1]
    moto.assert_all_used()


def test_restore_status_follows_the_job_until_it_ends(moto, capsys, monkeypatch):
    import operations.restore as restore_mod
    monkeypatch.setattr(restore_mod.time, "sleep", lambda seconds: None)
    for state, percent in (("RUNNING", "40.0%"), ("COMPLETED", "100.0%")):
        moto.add("backup", "describe_restore_job", {
            "RestoreJobId": "job-1", "Status": state, "PercentDone": percent,
            "CreationDate": datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc),
            **({"CreatedResourceArn": "arn:aws:s3:::scorer-restored"}
               if state == "COMPLETED" else {})}, {"RestoreJobId": "job-1"})
    rc, out, err = mplat(capsys, "restore", "status", "job-1", "--wait", "--interval", "0",
                         "--region", REGION)
    assert rc == 0, err
    assert out.splitlines() == [
        "restore job job-1: RUNNING; 40.0% done; started 2026-11-29T10:00:00Z",
        "restore job job-1: COMPLETED; 100.0% done; created arn:aws:s3:::scorer-restored; "
        "started 2026-11-29T10:00:00Z"]
    moto.assert_all_used()


def test_restore_status_of_a_failed_job_exits_1(moto, capsys):
    moto.add("backup", "describe_restore_job", {"RestoreJobId": "job-2", "Status": "FAILED",
                                                "StatusMessage": "Access denied to bucket"})
    rc, out, _ = mplat(capsys, "restore", "status", "job-2", "--region", REGION)
    assert rc == 1 and "FAILED; Access denied to bucket" in out
    moto.error("backup", "describe_restore_job", "ResourceNotFoundException", 404, "no such job")
    rc, _, err = mplat(capsys, "restore", "status", "job-3", "--region", REGION)
    assert rc == 1 and "ResourceNotFoundException: no such job" in one_line_error(err)


# -- verify ---------------------------------------------------------------------------------------
def _ready_account(moto, rule_id: str) -> None:
    """Everything verify looks at, in the state a ready stack has."""
    moto.add("backup", "list_recovery_points_by_backup_vault",
             _recovery_points(rule_id, datetime.now(timezone.utc) - timedelta(days=5)))
    config = client("config")
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "scorer-recorder", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/scorer-config"})
    config.put_delivery_channel(DeliveryChannel={"name": "scorer-delivery",
                                                 "s3BucketName": SCORER_BUCKET})
    cw = client("cloudwatch")
    cw.put_metric_alarm(AlarmName="scorer-high-5xx", MetricName="HTTPCode_Target_5XX_Count",
                        Namespace="AWS/ApplicationELB", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=10,
                        ComparisonOperator="GreaterThanThreshold")
    cd = client("codedeploy")
    cd.create_application(applicationName="scorer", computePlatform="Server")
    cd.create_deployment_group(
        applicationName="scorer", deploymentGroupName="scorer-group",
        serviceRoleArn=f"arn:aws:iam::{ACCOUNT}:role/scorer-codedeploy",
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
        alarmConfiguration={"enabled": True, "alarms": [{"name": "scorer-high-5xx"}]})


def test_verify_passes_all_six_checks_on_a_ready_stack(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    _ready_account(moto, rule_id)
    # moto's GetDeploymentGroup answers an empty alarmConfiguration; AWS returns what was set
    group = client("codedeploy").get_deployment_group(
        applicationName="scorer", deploymentGroupName="scorer-group")["deploymentGroupInfo"]
    group["alarmConfiguration"] = {"enabled": True, "alarms": [{"name": "scorer-high-5xx"}]}
    moto.add("codedeploy", "get_deployment_group", {"deploymentGroupInfo": group},
             {"applicationName": "scorer", "deploymentGroupName": "scorer-group"})
    client("config").start_configuration_recorder(ConfigurationRecorderName="scorer-recorder")
    # moto's recorder stays PENDING after a start; AWS reports SUCCESS once it has recorded
    moto.add("config", "describe_configuration_recorder_status", {"ConfigurationRecordersStatus": [
        {"name": "scorer-recorder", "recording": True, "lastStatus": "SUCCESS"}]},
        {"ConfigurationRecorderNames": ["scorer-recorder"]})
    rc, out, err = mplat(capsys, "verify", scorer_spec(tmp_path, ids[0]))
    assert rc == 0, out + err
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines[:6]] == [
        ["PASS", "versioning"], ["PASS", "versions"], ["PASS", "pinned"], ["PASS", "backup"],
        ["PASS", "config"], ["PASS", "codedeploy"]]
    assert lines[6] == "scorer: 6/6 checks pass"
    moto.assert_all_used()


def test_verify_reports_each_failure_with_its_fix_and_exits_1(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 1)
    _ready_account(moto, rule_id)
    client("config").start_configuration_recorder(ConfigurationRecorderName="scorer-recorder")
    client("cloudwatch").delete_alarms(AlarmNames=["scorer-high-5xx"])
    rc, out, err = mplat(capsys, "verify", scorer_spec(tmp_path, "gone-version"),
                         "--format", "json")
    assert rc == 1, err
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert [c["status"] for c in checks.values()] == [
        "pass", "fail", "fail", "pass", "fail", "fail"]
    assert checks["versions"]["detail"].endswith("has 1 version(s); a rollback needs an older one")
    assert "the pinned version gone-version" in checks["pinned"]["detail"]
    assert checks["config"]["detail"] == \
        "recorder scorer-recorder is recording, last status PENDING"
    assert checks["codedeploy"]["detail"] == \
        "alarm(s) scorer-high-5xx do not exist in CloudWatch"
    assert all(c["fix"] for c in checks.values() if c["status"] != "pass")
    assert ids


def test_verify_of_an_unapplied_stack_fails_every_check_without_a_traceback(moto, capsys,
                                                                           tmp_path):
    rc, out, err = mplat(capsys, "verify", scorer_spec(tmp_path, "v1"))
    assert rc == 1 and "Traceback" not in err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:6]] == ["FAIL"] * 6
    assert "bucket scorer-models-123456789012 does not exist -> fix: apply the stack" in lines[0]
    assert "Config recorder scorer-recorder does not exist" in lines[4]
    assert "deployment group scorer/scorer-group does not exist" in lines[5]
    assert lines[6] == "scorer: 0/6 checks pass; not ready for a rollback"


def test_verify_turns_a_denied_read_into_unknown(moto, capsys, tmp_path):
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    _ready_account(moto, rule_id)
    moto.error("config", "describe_configuration_recorder_status", "AccessDeniedException", 400)
    rc, out, _ = mplat(capsys, "verify", scorer_spec(tmp_path, ids[1]))
    assert rc == 1
    config_line = out.splitlines()[4]
    assert config_line.split()[:2] == ["UNKNOWN", "config"]
    assert "access denied: config:DescribeConfigurationRecorderStatus (recorder scorer-recorder)" \
        in config_line
    moto.assert_all_used()


def _verify_json(capsys, spec, *extra) -> tuple[int, dict]:
    rc, out, err = mplat(capsys, "verify", spec, "--format", "json", *extra)
    return rc, {c["name"]: c for c in json.loads(out)["checks"]}


def test_verify_backup_needs_what_restore_needs(moto, capsys, tmp_path):
    """#16 "Why" 3: a snapshot under 26 h passed while restore needs a COMPLETED continuous
    point; a pass now gives the restorable window."""
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    recent = datetime.now(timezone.utc) - timedelta(hours=2)
    moto.add("backup", "list_recovery_points_by_backup_vault",
             _recovery_points(rule_id, recent, status="STOPPED"))   # snapshot COMPLETED 2 h ago
    spec = scorer_spec(tmp_path, ids[1])
    _rc, checks = _verify_json(capsys, spec)
    assert checks["backup"]["status"] == "fail"
    assert "mplat restore needs a COMPLETED continuous recovery point" in \
        checks["backup"]["detail"] and "is STOPPED" in checks["backup"]["detail"]
    began = datetime.now(timezone.utc) - timedelta(days=3)
    moto.add("backup", "list_recovery_points_by_backup_vault", _recovery_points(rule_id, began))
    _rc, checks = _verify_json(capsys, spec)
    assert checks["backup"]["status"] == "pass"
    # 7 days of point_in_time, but the point began 3 days ago: restorable from then
    assert f"restorable from {began.strftime('%Y-%m-%dT%H:%M:%SZ')} to now" in \
        checks["backup"]["detail"]
    moto.assert_all_used()


def test_verify_is_fair_to_a_serving_only_spec_and_require_makes_it_a_gate(moto, capsys,
                                                                            tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    text = scorer_spec(tmp_path, ids[1]).read_text()
    start, end = text.index("backup:"), text.index("kubernetes:")
    spec = tmp_path / "serving.yaml"
    spec.write_text(text[:start] + text[end:])            # artifacts + kubernetes only
    rc, out, err = mplat(capsys, "verify", spec)
    assert rc == 0, out + err
    lines = out.splitlines()
    assert [line[:14] for line in lines[3:6]] == ["NOT CONFIGURED"] * 3
    assert lines[-1] == "scorer: 3/6 checks pass, 3 not configured"
    rc, checks = _verify_json(capsys, spec, "--require", "backup,config")
    assert rc == 1
    assert (checks["backup"]["status"], checks["config"]["status"],
            checks["codedeploy"]["status"]) == ("fail", "fail", "not configured")
    rc, _, err = mplat(capsys, "verify", spec, "--require", "backups")
    assert rc == 1 and "--require backups: no such check" in one_line_error(err)


@pytest.mark.parametrize("code, status, says", [
    ("ThrottlingException", 400, "AWS throttled the request (ThrottlingException)"),
    ("ServiceUnavailableException", 503, "AWS had an error on its side"),
    ("AccessDeniedException", 400, "grant the read permission"),
])
def test_verify_unknown_names_what_aws_said(code, status, says, moto, capsys, tmp_path):
    """#16 Low: unknown always blamed a permission, even for throttling or a 5xx."""
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    _ready_account(moto, rule_id)
    moto.error("config", "describe_configuration_recorder_status", code, status)
    _rc, checks = _verify_json(capsys, scorer_spec(tmp_path, ids[1]))
    assert checks["config"]["status"] == "unknown" and says in checks["config"]["fix"]


def test_a_pinned_version_beyond_keep_fails_verify_and_history_says_when_it_expires(
        moto, capsys, tmp_path):
    """#16 "Why" 6: pin mode leaves the pinned version noncurrent, and the lifecycle rule
    (keep 1, expire after 30 days) deletes it once it is beyond keep."""
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    spec = scorer_spec(tmp_path, ids[0])
    spec.write_text(spec.read_text().replace(
        "artifacts: {}", "artifacts: {noncurrent_versions: {keep: 1, expire_after_days: 30}}"))
    became = next(v for v in versions_of(SCORER_BUCKET, SCORER_KEY)
                  if v["VersionId"] == ids[1])["LastModified"]      # the upload after the pin
    due = became + timedelta(days=30)
    midnight = due.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    _rc, checks = _verify_json(capsys, spec)
    assert checks["pinned"]["status"] == "fail"
    assert f"expires it on {midnight.strftime('%Y-%m-%dT%H:%M:%SZ')}" in checks["pinned"]["detail"]
    assert "beyond keep (1 newer noncurrent versions, keep 1)" in checks["pinned"]["detail"]
    data = history_json(capsys, spec)
    assert data["pinned_expires"] == midnight.strftime("%Y-%m-%dT%H:%M:%SZ")
    spec.write_text(spec.read_text().replace(ids[0], ids[1]))      # within keep: passes
    _rc, checks = _verify_json(capsys, spec)
    assert checks["pinned"]["status"] == "pass" and "newest 1 noncurrent" in \
        checks["pinned"]["detail"]


def test_fleet_view_checks_every_stack_as_one_table(moto, capsys, tmp_path):
    """#16 item 7: mplat verify DIR --all-envs: stack x check, the restorable window, and exit 1
    when any check fails."""
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    _ready_account(moto, rule_id)
    group = client("codedeploy").get_deployment_group(
        applicationName="scorer", deploymentGroupName="scorer-group")["deploymentGroupInfo"]
    group["alarmConfiguration"] = {"enabled": True, "alarms": [{"name": "scorer-high-5xx"}]}
    moto.add("codedeploy", "get_deployment_group", {"deploymentGroupInfo": group})
    client("config").start_configuration_recorder(ConfigurationRecorderName="scorer-recorder")
    moto.add("config", "describe_configuration_recorder_status", {"ConfigurationRecordersStatus": [
        {"name": "scorer-recorder", "recording": True, "lastStatus": "SUCCESS"}]})
    specs = tmp_path / "specs"
    specs.mkdir()
    scorer = scorer_spec(specs, ids[1])
    text = scorer.read_text()
    server = text[:text.index("backup:")] + text[text.index("kubernetes:"):]
    (specs / "server.yaml").write_text(server.replace("name: scorer", "name: server"))
    make_bucket(f"server-models-{ACCOUNT}")
    server_ids = upload(f"server-models-{ACCOUNT}", SCORER_KEY, 1)     # one version: fails
    (specs / "server.yaml").write_text((specs / "server.yaml").read_text().replace(
        ids[1], server_ids[0]))
    rc, out, err = mplat(capsys, "verify", specs, "--all-envs", "--format", "markdown")
    assert rc == 1, err
    lines = out.splitlines()
    assert lines[2] == ("| stack | versioning | versions | pinned | backup | config | codedeploy "
                        "| restorable |")
    began = (datetime.now(timezone.utc) - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    assert lines[4].startswith("| `scorer` | pass | pass | pass | pass | pass | pass | " + began)
    assert lines[5] == "| `server` | pass | FAIL | pass | - | - | - | - |"
    assert "- `server` versions **fail**: s3://server-models-123456789012/scorer/model.tar.gz " \
        "has 1 version(s)" in out
    assert lines[-1] == "2 stack(s): 1 not ready (server) (`-`: not configured in the spec)"
    moto.assert_all_used()


def test_fleet_view_bounds_its_concurrency_and_reads_a_wrong_account_as_unknown(monkeypatch):
    import threading
    from types import SimpleNamespace

    from operations import fleet
    running, peak, lock = [0], [0], threading.Lock()

    def checks(aws, target, **kw):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return [fleet.Check(name, fleet.PASS, "ok") for name in fleet.CHECKS]

    class Session:
        def __init__(self, target):
            self.target = target

        def check_account(self, expected):
            if expected == "999999999999":
                raise ops_errors.OpsError("the credentials are for account 123456789012, not "
                                          "999999999999")

    monkeypatch.setattr(fleet, "checks_of", checks)
    targets = [SimpleNamespace(shown="x.yaml", platform=SimpleNamespace(
        stack=f"s{i}", account_id="999999999999" if i == 0 else ACCOUNT)) for i in range(7)]
    out = io.StringIO()
    rc = fleet.run(targets, key=None, require=frozenset(), fmt="json", jobs=2, session=Session,
                   out=out)
    assert rc == 1 and peak[0] == 2
    rows = {r["stack"]: r for r in json.loads(out.getvalue())["stacks"]}
    assert {c["status"] for c in rows["s0"]["checks"]} == {"unknown"}
    assert "credentials are for account" in rows["s0"]["checks"][0]["detail"]
    assert all(rows[f"s{i}"]["ready"] for i in range(1, 7))


# -- changes --------------------------------------------------------------------------------------
def test_changes_lists_what_config_recorded_for_the_stacks_resources(moto, capsys, tmp_path):
    # moto 5.2.5 records S3 buckets; its IAM role items do not parse (tags as a list, not a map)
    make_bucket(SCORER_BUCKET)
    time.sleep(1.1)
    make_bucket(f"{SCORER_BUCKET}-logs", versioning=None)
    rc, out, err = mplat(capsys, "changes", scorer_spec(tmp_path, "v1"), "--since", "1d",
                         "--format", "json")
    assert rc == 0, err
    data = json.loads(out)
    recorded = {(c["type"], c["name"]) for c in data["changes"]}
    assert recorded == {("AWS::S3::Bucket", SCORER_BUCKET),
                        ("AWS::S3::Bucket", f"{SCORER_BUCKET}-logs")}
    assert [c["name"] for c in data["changes"]] == [f"{SCORER_BUCKET}-logs", SCORER_BUCKET]
    assert "AWS::CodeDeploy::DeploymentGroup scorer-group" in data["not_recorded"]
    times = [c["time"] for c in data["changes"]]
    assert times == sorted(times, reverse=True)


def test_changes_covers_the_kms_keys_the_model_reader_role_and_the_replica(moto, capsys, tmp_path):
    """#16 Low: changes left out the KMS keys, the model-reader role and the replica bucket (the
    replica is recorded by AWS Config in its own region, so it is read there)."""
    make_bucket(SCORER_BUCKET)
    key = client("kms").create_key()["KeyMetadata"]["KeyId"]
    client("kms").create_alias(AliasName="alias/scorer-artifacts", TargetKeyId=key)
    west = boto3.client("s3", region_name="us-west-2")
    west.create_bucket(Bucket=f"{SCORER_BUCKET}-replica",
                       CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    spec = scorer_spec(tmp_path, "v1")
    spec.write_text(spec.read_text()
                    .replace("artifacts: {}", "artifacts: {replica_region: us-west-2}")
                    .replace("cluster: {kubeconfig: ~/.kube/config}",
                             "cluster: {eks_cluster: ml-prod}"))
    rc, out, err = mplat(capsys, "changes", spec, "--since", "1d", "--format", "json")
    assert rc == 0, err
    data = json.loads(out)
    recorded = {(c["type"], c["name"], c["region"]) for c in data["changes"]}
    assert ("AWS::S3::Bucket", f"{SCORER_BUCKET}-replica", "us-west-2") in recorded
    asked = {(r["type"], r["name"], r["region"]) for r in data["resources"]}
    for wanted in [("AWS::KMS::Key", "alias/scorer-artifacts", "us-east-1"),
                   ("AWS::KMS::Key", "alias/scorer-artifacts-replica", "us-west-2"),
                   ("AWS::KMS::Key", "alias/scorer-backup", "us-east-1"),
                   ("AWS::IAM::Role", "scorer-model-reader", "us-east-1"),
                   ("AWS::S3::Bucket", f"{SCORER_BUCKET}-replica-logs", "us-west-2")]:
        assert wanted in asked, wanted
    # the aliases that do not exist are named as not recorded (KMS DescribeKey: NotFound)
    assert "AWS::KMS::Key alias/scorer-backup" in data["not_recorded"]
    assert "AWS::KMS::Key alias/scorer-artifacts" not in data["not_recorded"]   # it exists


def test_changes_merges_histories_newest_first_naming_changed_fields(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    t = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)

    def item(minutes: int, versioning: str, tags: dict) -> dict:
        return {"configurationItemCaptureTime": t + timedelta(minutes=minutes),
                "configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket",
                "resourceId": SCORER_BUCKET, "tags": tags,
                "configuration": json.dumps({"name": SCORER_BUCKET}),
                "supplementaryConfiguration": {"BucketVersioningConfiguration":
                                               json.dumps({"status": versioning})}}
    moto.add("config", "get_resource_config_history", {"configurationItems": [
        item(30, "Suspended", {"a": "1"}), item(20, "Enabled", {"a": "1"}),
        item(10, "Enabled", {"a": "0"})]},
        {"resourceType": "AWS::S3::Bucket", "resourceId": SCORER_BUCKET, "earlierTime": ANY,
         "laterTime": ANY, "chronologicalOrder": "Reverse"})
    rc, out, err = mplat(capsys, "changes", scorer_spec(tmp_path, "v1"), "--since", "2w")
    assert rc == 0, err
    lines = [line for line in out.splitlines() if line.startswith("  2026")]
    assert [line.split()[0] for line in lines] == [
        "2026-11-29T12:30:00Z", "2026-11-29T12:20:00Z", "2026-11-29T12:10:00Z"]
    assert lines[0].endswith("OK  changed: BucketVersioningConfiguration")
    assert lines[1].endswith("OK  changed: tags")
    assert lines[2].endswith("OK  oldest item in the window")
    moto.assert_all_used()


def test_changes_rejects_a_bad_duration(moto, capsys, tmp_path):
    spec = scorer_spec(tmp_path, "v1")
    assert "'3 fortnights' is not a duration" in \
        _refused(capsys, spec, "changes", spec, "--since", "3 fortnights")


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
    env = {**FAKE_ENV, "AWS_ENDPOINT_URL": moto_server}
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
                           "no:cacheprovider", str(Path(__file__))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode not in (0, 5), proc.stdout[-2000:]     # 5: nothing collected
    assert "No module named 'moto' (hidden)" in proc.stdout + proc.stderr
    assert "skipped" not in proc.stdout.splitlines()[-1]


def test_restore_with_a_malformed_time_fails_before_any_aws_call(tmp_path, capsys, monkeypatch):
    # an endpoint nothing listens on: any AWS call would fail with "cannot reach AWS" instead
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    spec = scorer_spec(tmp_path, "v1")
    rc, _, err = mplat(capsys, "restore", spec, "--at", "yesterday")
    assert rc == 1
    assert "'yesterday' is not a time" in one_line_error(err)
