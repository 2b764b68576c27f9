"""`mplat changes`: the configuration history AWS Config recorded for the stack's resources.

The resources are the ones the stack creates, named by the typed model (``compiler.names``): the
model bucket and its log bucket, the KMS keys (model bucket and backup vault), the replica bucket,
its log bucket and its key (recorded by AWS Config in the replica's region, so read there), the
backup vault and plan, the IAM roles (the model-reader role included), the CodeDeploy application
and deployment group, the CloudWatch alarms, and the SageMaker execution role and alarms
(the SageMaker endpoint and its configurations, which Config does not record, come from SageMaker:
``operations.sagemaker.change_rows``). Each is looked up by type and name
(ListDiscoveredResources: Config keys some types by an id, e.g. IAM roles); a KMS key by its alias
(KMS DescribeKey gives the key id Config records it under). Then its configuration items since
``--since`` are read (GetResourceConfigHistory, newest first). Items of all resources
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


KMS_KEY = "AWS::KMS::Key"


def resources(platform) -> list[tuple[str, str, str | None]]:
    """(Config resource type, name, region or None for the stack's) of every resource of the
    stack that Config can record; a KMS key is named by its alias."""
    out: list[tuple[str, str, str | None]] = []
    art = platform.artifacts
    if art is not None:
        out.append(("AWS::S3::Bucket", art.bucket, None))
        if art.log_bucket:
            out.append(("AWS::S3::Bucket", art.log_bucket, None))
        if art.kms_alias:
            out.append((KMS_KEY, art.kms_alias, None))
        if art.replication_role:
            out.append(("AWS::IAM::Role", art.replication_role, None))
        if art.replica_bucket:
            out.append(("AWS::S3::Bucket", art.replica_bucket, art.replica_region))
            if art.replica_log_bucket:
                out.append(("AWS::S3::Bucket", art.replica_log_bucket, art.replica_region))
            if art.replica_kms_alias:
                out.append((KMS_KEY, art.replica_kms_alias, art.replica_region))
    if platform.backup is not None:
        out += [("AWS::Backup::BackupVault", platform.backup.vault, None),
                ("AWS::Backup::BackupPlan", platform.backup.plan, None),
                (KMS_KEY, platform.backup.kms_alias, None),
                ("AWS::IAM::Role", platform.backup.role, None)]
    if platform.config is not None and platform.config.create:
        out += [("AWS::S3::Bucket", platform.config.bucket, None),
                ("AWS::IAM::Role", platform.config.role, None)]
    if platform.codedeploy is not None:
        cd = platform.codedeploy
        out += [("AWS::CodeDeploy::Application", cd.app_name, None),
                ("AWS::CodeDeploy::DeploymentGroup", cd.group_name, None),
                ("AWS::IAM::Role", cd.role_name, None)]
        out += [("AWS::CloudWatch::Alarm", name, None) for name in cd.alarm_names]
    k8s = platform.kubernetes
    if k8s is not None and getattr(k8s, "model_reader", None) is not None:
        out.append(("AWS::IAM::Role", k8s.model_reader.role, None))
    if platform.sagemaker is not None:
        # AWS Config records no SageMaker endpoint or endpoint configuration (no such resource
        # type): those come from SageMaker itself (operations.sagemaker.change_rows)
        sm = platform.sagemaker
        out.append(("AWS::IAM::Role", sm.role_name, None))
        out += [("AWS::CloudWatch::Alarm", name, None) for name in sm.alarm_names]
    return out


def _key_id(aws, alias: str) -> list[str]:
    try:
        answer = aws.call("kms", "describe_key", f"KMS key {alias}", KeyId=alias)
    except OpsError as exc:
        if exc.code == "NotFoundException":
            return []
        raise
    return [answer["KeyMetadata"]["KeyId"]]


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
    regional = {None: aws}
    for kind, name, region in resources(target.platform):
        if region not in regional:                  # the replica's region has its own recorder
            from .aws import Aws
            regional[region] = Aws(region=region, profile=aws.profile)
            regional[region].identity = aws.identity
        here = regional[region]
        ids = _key_id(here, name) if kind == KMS_KEY else _ids(here, kind, name)
        if not ids:
            missing.append(f"{kind} {name}")
            continue
        for resource_id in ids:
            items = _history(here, kind, resource_id, start)
            for i, item in enumerate(items):          # newest first: items[i + 1] is older
                rows.append({
                    "time": item.get("configurationItemCaptureTime"),
                    "type": kind, "name": name, "id": resource_id,
                    "region": region or aws.region,
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
                   "resources": [{"type": kind, "name": name, "region": region or aws.region}
                                 for kind, name, region in resources(target.platform)],
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
