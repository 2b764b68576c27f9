"""`mplat changes`: the configuration history AWS Config recorded for the stack's resources.

The resources are the ones the stack creates, named by the typed model (``compiler.names``): the
model bucket and its log bucket, the backup vault and plan, the IAM roles, the CodeDeploy
application and deployment group, the CloudWatch alarms, and the SageMaker execution role and
alarms (the SageMaker endpoint and its configurations, which Config does not record, come from
SageMaker: ``operations.sagemaker.change_rows``). Each is looked up by type and name
(ListDiscoveredResources: Config keys some types by an id, e.g. IAM roles), then its configuration
items since ``--since`` are read (GetResourceConfigHistory, newest first). Items of all resources
are merged, newest first; each line names the top-level configuration fields that differ from the
resource's previous item.
"""
from __future__ import annotations

import json
import sys
from datetime import timedelta

from compiler.exits import EXIT_OK

from .errors import OpsError
from .timeutil import iso, now


def resources(platform) -> list[tuple[str, str]]:
    """(Config resource type, name) of every resource of the stack that Config can record."""
    out: list[tuple[str, str]] = []
    if platform.artifacts is not None:
        out.append(("AWS::S3::Bucket", platform.artifacts.bucket))
        if platform.artifacts.log_bucket:
            out.append(("AWS::S3::Bucket", platform.artifacts.log_bucket))
        if platform.artifacts.replication_role:
            out.append(("AWS::IAM::Role", platform.artifacts.replication_role))
    if platform.backup is not None:
        out += [("AWS::Backup::BackupVault", platform.backup.vault),
                ("AWS::Backup::BackupPlan", platform.backup.plan),
                ("AWS::IAM::Role", platform.backup.role)]
    if platform.config is not None and platform.config.create:
        out += [("AWS::S3::Bucket", platform.config.bucket),
                ("AWS::IAM::Role", platform.config.role)]
    if platform.codedeploy is not None:
        cd = platform.codedeploy
        out += [("AWS::CodeDeploy::Application", cd.app_name),
                ("AWS::CodeDeploy::DeploymentGroup", cd.group_name),
                ("AWS::IAM::Role", cd.role_name)]
        out += [("AWS::CloudWatch::Alarm", name) for name in cd.alarm_names]
    if platform.sagemaker is not None:
        # AWS Config records no SageMaker endpoint or endpoint configuration (no such resource
        # type): those come from SageMaker itself (operations.sagemaker.change_rows)
        sm = platform.sagemaker
        out.append(("AWS::IAM::Role", sm.role_name))
        out += [("AWS::CloudWatch::Alarm", name) for name in sm.alarm_names]
    return out


def _ids(aws, kind: str, name: str) -> list[str]:
    ids = []
    for page in aws.pages("config", "list_discovered_resources", f"{kind} {name}",
                          resourceType=kind, resourceName=name, includeDeletedResources=True):
        ids += [r["resourceId"] for r in page.get("resourceIdentifiers") or ()
                if r.get("resourceName", name) == name]
    return ids


def _history(aws, kind: str, resource_id: str, since) -> list[dict]:
    items, token = [], None
    while True:
        params = {"resourceType": kind, "resourceId": resource_id, "earlierTime": since,
                  "laterTime": now(), "chronologicalOrder": "Reverse"}
        if token:
            params["nextToken"] = token
        try:
            answer = aws.call("config", "get_resource_config_history", f"{kind} {resource_id}",
                              **params)
        except OpsError as exc:
            if exc.code == "ResourceNotDiscoveredException":
                return items
            raise
        items += answer.get("configurationItems") or ()
        token = answer.get("nextToken")
        if not token:
            return items


def _fields(item: dict) -> dict:
    config = item.get("configuration")
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            config = {"configuration": config}
    fields = dict(config) if isinstance(config, dict) else {}
    supplementary = item.get("supplementaryConfiguration")
    if isinstance(supplementary, dict):
        fields.update(supplementary)
    if item.get("tags") is not None:
        fields["tags"] = item["tags"]
    return fields


def _changed(newer: dict, older: dict | None) -> list[str]:
    if older is None:
        return []
    a, b = _fields(newer), _fields(older)
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def run(aws, target, *, since: timedelta, fmt: str, out=None) -> int:
    out = out or sys.stdout
    start = now() - since
    rows, missing = [], []
    for kind, name in resources(target.platform):
        ids = _ids(aws, kind, name)
        if not ids:
            missing.append(f"{kind} {name}")
            continue
        for resource_id in ids:
            items = _history(aws, kind, resource_id, start)
            for i, item in enumerate(items):          # newest first: items[i + 1] is older
                rows.append({
                    "time": item.get("configurationItemCaptureTime"),
                    "type": kind, "name": name, "id": resource_id,
                    "status": item.get("configurationItemStatus"),
                    "changed": _changed(item, items[i + 1] if i + 1 < len(items) else None),
                    "first_in_window": i + 1 == len(items),
                })
    if target.platform.sagemaker is not None:
        from .sagemaker import change_rows
        more, gone = change_rows(aws, target.platform, start)
        rows += more
        missing += gone
    rows.sort(key=lambda r: r["time"].timestamp() if r["time"] else 0, reverse=True)
    if fmt == "json":
        json.dump({"stack": target.platform.stack, "since": iso(start),
                   "changes": [{**r, "time": iso(r["time"])} for r in rows],
                   "not_recorded": missing}, out, indent=2)
        out.write("\n")
        return EXIT_OK
    print(f"{target.platform.stack}: configuration changes since {iso(start)}, newest first",
          file=out)
    if not rows:
        print("  (none recorded)", file=out)
    for r in rows:
        what = (f"changed: {', '.join(r['changed'])}" if r["changed"]
                else "oldest item in the window" if r["first_in_window"] else "no field changed")
        print(f"  {iso(r['time'])}  {r['type']:<32} {r['name']}  {r['status'] or '-'}  {what}",
              file=out)
    if missing:
        print(f"not recorded by AWS Config: {', '.join(missing)}", file=out)
    return EXIT_OK
