"""mplat verify DIR: the fleet view, every stack as one table."""
from __future__ import annotations

import io
import json
import time

from operations import errors as ops_errors

from .helpers import (ACCOUNT, SCORER_BUCKET, SCORER_KEY, _backup_setup, client, make_bucket, mplat,
                      _ready_account, scorer_spec, upload)


def test_fleet_view_checks_every_stack_as_one_table(moto, capsys, tmp_path):
    """#16 item 7: mplat verify DIR --all-envs: stack x check, the restorable window, and exit 1
    when any check fails."""
    rule_id, _ = _backup_setup()
    ids = upload(SCORER_BUCKET, SCORER_KEY, 2)
    began = _ready_account(moto, rule_id).strftime("%Y-%m-%dT%H:%M")
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
        return [fleet.Check(name, fleet.PASS, "ok") for name in fleet.check_names()]

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
