"""Property test: every spec `validate` accepts builds a model that AWS and Kubernetes would accept.

Specs are generated (seeded, a few hundred, about two seconds) in valid shapes with values at and
around the limits the rules claim to enforce: 89/90 days between cold storage and deletion, 59/60
minute windows, min_available == replicas, surge and unavailable both zero, 100/101 percent, names
one character over a limit, schedules AWS refuses. They are validated in one run (so the
cross-spec rules take part), and for every stack that validates without errors the typed model is
built and checked against the AWS and Kubernetes constraints, written here directly from the AWS
documentation and the spec contract, never by calling rule code. The test also asserts that the
generator is not trivial: some specs must be rejected and some accepted.
"""
from __future__ import annotations

import ipaddress
import random
import re
import time
from collections import Counter

import yaml

from compiler import model, pipeline
from compiler.diagnostics import ERROR, WARNING

SEED = 20261129
SPECS = 800
TIME_BUDGET = 20.0          # seconds; a guard for slow machines, ~2 s here

# --- what AWS accepts, from the AWS docs (not from the rules) --------------------------------------

# AWS Backup schedules (AWS Backup developer guide, "Creating a backup plan"; cron: 6 fields,
# exactly one of day-of-month and day-of-week is '?'; a plan runs at most once an hour)
SCHEDULES = {
    "cron(0 5 * * ? *)": True,
    "cron(0 5 ? * MON-FRI *)": True,
    "cron(30 */6 * * ? *)": True,
    "cron(0 5 L * ? *)": True,
    "cron(0 5 ? * 6#3 *)": True,
    "rate(1 hour)": True,
    "rate(60 minutes)": True,
    "rate(12 hours)": True,
    "rate(1 day)": True,
    "cron(0 5 * * * *)": False,      # neither day field is '?'
    "cron(0 5 ? * ? *)": False,      # both are
    "cron(0 5 * * ?)": False,        # 5 fields
    "cron(0 24 * * ? *)": False,     # hour 24
    "cron(60 5 * * ? *)": False,     # minute 60
    "rate(59 minutes)": False,       # more often than hourly
    "rate(1 hours)": False,          # plural with 1
    "rate(0 hours)": False,
    "daily": False,
}
# Kubernetes quantities used by the generator, with their values (cpu in cores, memory in bytes)
CPU = {"100m": 0.1, "250m": 0.25, "500m": 0.5, "1": 1.0, "2": 2.0, "2500m": 2.5}
MEMORY = {"256Mi": 256 * 2**20, "512Mi": 512 * 2**20, "1Gi": 2**30, "2Gi": 2 * 2**30}
SERVER_CONFIGS = {"CodeDeployDefault.OneAtATime", "CodeDeployDefault.HalfAtATime",
                  "CodeDeployDefault.AllAtOnce"}
BUILT_IN = sorted(SERVER_CONFIGS | {"CodeDeployDefault.ECSAllAtOnce",
                                    "CodeDeployDefault.ECSCanary10Percent5Minutes",
                                    "CodeDeployDefault.LambdaAllAtOnce",
                                    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
                                    "CodeDeployDefault.OneAtTime"})
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/svc/1/{}"


# --- the generator ------------------------------------------------------------------------------

class Gen(random.Random):
    """A seeded generator that puts at most one value per spec on the wrong side of a limit: the
    site is drawn per spec (``start``), so every limit is tried in otherwise valid specs, where a
    rule that let it through would show up in the model checks. About half the specs get one."""

    SITES = 28          # about the number of limit sites a full spec passes

    def start(self) -> None:
        self.site, self.target = 0, self.randrange(2 * self.SITES)

    def bad(self) -> bool:
        """Whether this site takes the wrong side of its limit."""
        self.site += 1
        return self.site - 1 == self.target

    def pick(self, good: list, bad: list = ()):
        """A value at or inside a limit, or (at this spec's one site) just outside it."""
        return self.choice(list(bad)) if bad and self.bad() else self.choice(list(good))


def _name(rng: random.Random, index: int) -> str:
    """metadata.name: 3-32 chars; long ones push the derived names to and over their limits."""
    length = rng.choice([3, 8, 14, 20, 26, 30, 32])
    suffix = f"-{index}"
    body = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-") for _ in range(length))
    body = "m" + body[1:max(1, length - len(suffix))].strip("-")
    return (body + suffix)[:32]


def _artifacts(rng, index):
    spec: dict = {}
    if rng.random() < 0.4:
        prefix = f"acme-{index}-"
        spec["bucket"] = rng.pick([
            f"acme-models-{index}", f"acme.models.{index}",
            prefix + "m" * (58 - len(prefix)),                     # 58: its -logs has 63
        ], [
            f"xn--models-{index}", f"models-{index}-s3alias", f"192.168.{index % 250}.1",
            prefix + "m" * (59 - len(prefix)),                     # 59: its -logs has 64
        ])
    if rng.random() < 0.5:
        spec["noncurrent_versions"] = {"keep": rng.choice([1, 10, 100])}
        if rng.random() < 0.5:
            spec["noncurrent_versions"]["expire_after_days"] = rng.choice([1, 90])
    if rng.random() < 0.3:
        spec["encryption"] = rng.choice(["kms", "s3"])
    if rng.random() < 0.2:
        spec["access_logs"] = rng.choice([True, False])
    if rng.random() < 0.2:
        spec["object_lock"] = {"mode": rng.choice(["GOVERNANCE", "COMPLIANCE"]), "days": 30}
    if rng.random() < 0.2:
        spec["replica_region"] = "us-west-2"
    return spec


def _backup(rng):
    spec: dict = {}
    if rng.random() < 0.6:
        spec["point_in_time"] = ({} if rng.random() < 0.2 else
                                 {"retention_days": rng.choice([1, 7, 34, 35])})
    snaps = []
    for i in range(rng.choice([0, 1, 1, 2])):
        snap = {"name": rng.pick([f"s{i}"], ["daily"]),
                "schedule": rng.pick([s for s, ok in SCHEDULES.items() if ok],
                                 [s for s, ok in SCHEDULES.items() if not ok])}
        start = rng.pick([None, None, 60, 61, 120], [59])
        if start is not None:
            snap["start_window_minutes"] = start
        base = start or 60
        completion = rng.pick([None, base + 60, base + 61], [base + 59])
        if completion is not None and (start is not None or completion >= 120):
            snap["completion_window_minutes"] = completion
        cold = rng.choice([None, None, None, 1, 30, 90])
        if cold is not None:
            snap["cold_storage_after_days"] = cold
            snap["delete_after_days"] = rng.pick([cold + 90, cold + 91, 365], [cold + 89, None])
        else:
            snap["delete_after_days"] = rng.choice([None, 1, 35, 365])
        if snap["delete_after_days"] is None:
            del snap["delete_after_days"]
        snaps.append(snap)
    if snaps:
        spec["snapshots"] = snaps
    if rng.random() < 0.3:
        # continuous backups (default 35 days) and snapshots (default 35) must fit the lock
        spec["vault_lock"] = {"min_retention_days": rng.pick([1, 7, 35], [0, 36, 60]),
                              "max_retention_days": rng.pick([365, 3650, 5000], [30, 34])}
    return spec


def _config(rng, unique_account: bool):
    spec: dict = {}
    if rng.random() < 0.5 or not unique_account:
        spec["recorder"] = "existing" if not unique_account else rng.choice(["create", "existing"])
    if rng.random() < 0.4:
        spec["resource_types"] = rng.choice(["all", ["AWS::S3::Bucket"],
                                             ["AWS::S3::Bucket", "AWS::Backup::BackupPlan"]])
    if rng.random() < 0.2:
        spec["include_global_resource_types"] = rng.pick([False],
                                                     [True] if spec.get("resource_types", "all")
                                                     != "all" else [True])
    if rng.random() < 0.3:
        spec["recording_frequency"] = rng.choice(["CONTINUOUS", "DAILY"])
    return spec


def _alarm(name):
    return {"name": name, "namespace": "AWS/ApplicationELB", "metric": "HTTPCode_Target_5XX_Count",
            "threshold": 10}


BUILT_IN_OF = {"Server": sorted(SERVER_CONFIGS),
               "ECS": ["CodeDeployDefault.ECSAllAtOnce", "CodeDeployDefault.ECSCanary10Percent5Minutes"],
               "Lambda": ["CodeDeployDefault.LambdaAllAtOnce",
                          "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"]}


def _codedeploy(rng):
    platform = rng.choice(["Server", "ECS", "Lambda"])
    spec: dict = {"platform": platform}
    pick_ = rng.random()
    if pick_ < 0.35:
        spec["deployment_config"] = rng.pick(BUILT_IN_OF[platform],
                                         [c for c in BUILT_IN if c not in BUILT_IN_OF[platform]])
    elif pick_ < 0.55:
        if platform == "Server":
            kind = rng.pick(["minimum_healthy_hosts"], ["canary"])
        else:
            kind = rng.pick(["canary", "linear"], ["minimum_healthy_hosts"])
        if kind == "minimum_healthy_hosts":
            spec["deployment_config"] = {kind: {"type": rng.choice(["HOST_COUNT", "FLEET_PERCENT"]),
                                                "value": rng.pick([0, 1, 99], [100])}}
        else:
            spec["deployment_config"] = {kind: {"percentage": rng.pick([1, 10, 99], [0, 100]),
                                                "interval_minutes": rng.choice([1, 5])}}
    elif pick_ < 0.65:
        spec["deployment_config"] = "custom-" + "c" * rng.choice([10, 93, 94])   # 100 / 101 chars
    alarms = rng.pick([0, 1, 2, 10], [11])
    if alarms:
        names = [f"alarm-{i}" for i in range(alarms)]
        if rng.bad():
            names[-1] = names[0]
        spec["alarms"] = [_alarm(n) for n in names]
    if rng.random() < 0.3:
        spec["auto_rollback"] = {"events": rng.pick([["DEPLOYMENT_FAILURE"],
                                                      ["DEPLOYMENT_STOP_ON_REQUEST"]] + (
            [["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]] if alarms else []),
            [["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]])}
    if platform == "Server" and not rng.bad():
        spec["ec2_tags"] = {f"k{i}": "v" for i in range(rng.pick([1, 3], [4]))}
    if platform == "ECS" and not rng.bad():
        spec["ecs"] = {"cluster": "ml", "service": "svc",
                       "listener_arns": [LISTENER.format(i) for i in range(rng.pick([1], [2]))],
                       "target_groups": rng.pick([["blue", "green"]],
                                             [["blue", "blue"], ["blue", "green", "red"]])}
        if rng.random() < 0.5:
            spec["ecs"]["termination_wait_minutes"] = rng.choice([0, 5, 2880])
    if platform == "Lambda" and not rng.bad():
        spec["lambda"] = {"function": "scorer", "alias": "live"}
    return spec


def _kubernetes(rng, index):
    spec: dict = {"cluster": rng.choice([{"eks_cluster": "ml"},
                                         {"kubeconfig": "~/.kube/config", "context": "prod"}]),
                  "image": rng.pick(["r.example.com/team/model:1.2.3", "model@sha256:" + "a" * 64],
                                ["model:latest", "r.example.com/model", "model@sha256:abc"])}
    if rng.random() < 0.5:
        spec["namespace"] = rng.pick([f"ns-{index}", "n" * 58 + f"{index:05d}"],
                                 [f"ns.{index}", "n" * 59 + f"{index:05d}"])
    replicas = rng.choice([None, 1, 2, 3])
    if replicas is not None:
        spec["replicas"] = replicas
    effective = replicas or 2
    if rng.random() < 0.5:
        spec["rolling_update"] = {}
        for key in ("max_surge", "max_unavailable"):
            if rng.random() < 0.6:
                spec["rolling_update"][key] = rng.pick([0, "0%", 1, "25%", "100%"], ["101%"])
        if all(spec["rolling_update"].get(k, d) in (0, "0%")
               for k, d in (("max_surge", 1), ("max_unavailable", 0))):
            spec["rolling_update"]["max_surge"] = 1           # both zero only at a bad site
    if rng.bad():
        spec["rolling_update"] = {"max_surge": rng.choice([0, "0%"]),
                                  "max_unavailable": rng.choice([0, "0%", None])}
        if spec["rolling_update"]["max_unavailable"] is None:
            del spec["rolling_update"]["max_unavailable"]     # zero by default
    if rng.random() < 0.4:
        spec["min_ready_seconds"] = rng.choice([0, 10, 599])
    if rng.random() < 0.4:
        spec["progress_deadline_seconds"] = rng.pick(
            [max(600, spec.get("min_ready_seconds", 10) + 1)],
            [spec.get("min_ready_seconds", 10)])
    if rng.random() < 0.2:
        spec["revision_history_limit"] = rng.pick([1, 10], [0])
    if rng.random() < 0.6:
        res: dict = {}
        for kind in ("requests", "limits"):
            if rng.random() < 0.7:
                table = {}
                if rng.random() < 0.7:
                    table["cpu"] = rng.pick(list(CPU), ["none"] if kind == "limits" else [])
                if rng.random() < 0.7:
                    table["memory"] = rng.pick(list(MEMORY), ["none"] if kind == "limits" else [])
                res[kind] = table
        if not rng.bad():      # keep each given request at or below its given limit
            for name, table in (("cpu", CPU), ("memory", MEMORY)):
                req, lim = res.get("requests", {}).get(name), res.get("limits", {}).get(name)
                if req and lim and lim != "none" and table[req] > table[lim]:
                    res["requests"][name] = lim
        spec["resources"] = res
    if rng.random() < 0.6:
        spec["disruption_budget"] = rng.pick(
            [{"min_available": effective - 1}, {"min_available": "50%"},
                  {"max_unavailable": 1}, {"max_unavailable": "25%"}],
            [{"min_available": effective}, {"min_available": "100%"}, {"max_unavailable": 0},
             {"max_unavailable": "0%"}])
    if rng.random() < 0.2:
        spec["model"] = {"key": "m/model.tar.gz", "version_id": "v1"}
    return spec


def _sagemaker(rng):
    count = rng.choice([None, 1, 2, 3, 4, 10, 15, 40])
    spec: dict = {"model_package": {"version": rng.choice([1, 7, 120])},
                  "instance_type": rng.pick(["ml.m5.large", "ml.g5.2xlarge"], ["m5.large"])}
    if count is not None:
        spec["instance_count"] = count
    kind = rng.choice([None, "canary", "linear", "all_at_once", "rolling"])
    if kind == "all_at_once":
        spec["deployment_config"] = {kind: {}}
    elif kind is not None:
        key = "batch_percentage" if kind == "rolling" else "percentage"
        spec["deployment_config"] = {kind: {
            key: rng.pick([10, 25, 50], [0 if kind == "canary" else 4, 51, 99]),
            "interval_minutes": rng.pick([0, 5, 30, 60], [61])}}
    if rng.random() < 0.5:
        spec["termination_wait_minutes"] = rng.pick([0, 10, 60], [61])
    alarms = rng.pick([0, 1, 3, 10], [11])
    if alarms:
        names = [f"alarm-{i}" for i in range(alarms)]
        if rng.bad():
            names[-1] = names[0]
        spec["alarms"] = [{"name": n, "namespace": "AWS/SageMaker", "metric": "ModelLatency",
                           "threshold": 1} for n in names]
    if rng.random() < 0.3:
        spec["data_capture"] = {"percentage": rng.choice([1, 20, 100])}
    return spec


def generate(rng: Gen, index: int) -> dict:
    rng.start()
    account = rng.choice([None, f"{100000000000 + index:012d}"])
    spec: dict = {"apiVersion": "mplat/v1", "kind": "ModelPlatform",
                  "metadata": {"name": _name(rng, index), "owner": "team"},
                  "aws": {"region": rng.choice(["us-east-1", "eu-west-1", "ap-southeast-2"])}}
    if account:
        spec["aws"]["account_id"] = account
    if rng.random() < 0.8:
        spec["artifacts"] = _artifacts(rng, index)
    if rng.random() < (0.6 if "artifacts" in spec else 0.05):
        spec["backup"] = _backup(rng)
    if rng.random() < 0.4:
        spec["config_recorder"] = _config(rng, unique_account=account is not None)
    if rng.random() < 0.4:
        spec["codedeploy"] = _codedeploy(rng)
    if rng.random() < 0.6:
        spec["kubernetes"] = _kubernetes(rng, index)
    if rng.random() < 0.35:
        spec["sagemaker"] = _sagemaker(rng)
    if rng.random() < 0.3:
        envs = rng.sample(["dev", "staging", "prod"], rng.choice([1, 2]))
        spec["environments"] = {}
        for env in envs:
            overlay: dict = {}
            if "kubernetes" in spec and not rng.bad():
                overlay["kubernetes"] = {"namespace": f"{env}-{index}"}
                if rng.random() < 0.3:
                    overlay["kubernetes"]["replicas"] = rng.choice([1, 4])
            spec["environments"][env] = overlay
        if "kubernetes" in spec and len(envs) == 2 and rng.random() < 0.3:
            # one environment in the default namespace (metadata.name), the other naming it
            first, second = (spec["environments"][env].setdefault("kubernetes", {}) for env in envs)
            first.pop("namespace", None)
            spec["kubernetes"].pop("namespace", None)
            second["namespace"] = rng.choice([spec["metadata"]["name"], "default"])
    return spec


# --- the checks: AWS and Kubernetes constraints, written from the docs -------------------------

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_CODEDEPLOY_NAME = re.compile(r"^[A-Za-z0-9._+=,@-]{1,100}$")


def _bucket_ok(name: str) -> bool:
    """S3 general purpose bucket naming rules (Amazon S3 user guide, bucketnamingrules)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name):
        return False
    if ".." in name or ".-" in name or "-." in name:
        return False
    try:
        ipaddress.IPv4Address(name)
        return False
    except ValueError:
        pass
    return not name.startswith(("xn--", "sthree-", "amzn-s3-demo-")) and \
        not name.endswith(("-s3alias", "--ol-s3", "--x-s3", ".mrap"))


def _zero(value: str) -> bool:
    return value in ("0", "0%")


def _percent(value: str) -> int | None:
    return int(value[:-1]) if value.endswith("%") else None


def _buckets(p) -> list[str]:
    out = []
    if p.artifacts:
        out += [p.artifacts.bucket, p.artifacts.log_bucket, p.artifacts.replica_bucket,
                p.artifacts.replica_log_bucket]
    if p.config and p.config.create:
        out += [p.config.bucket, p.config.log_bucket]
    return [b for b in out if b]


def check_platform(p, warned: set) -> list[str]:
    """Every constraint the model breaks (empty when AWS and Kubernetes would accept it)."""
    bad = []
    if p.artifacts:
        a = p.artifacts
        for bucket in (a.bucket, a.log_bucket, a.replica_bucket, a.replica_log_bucket):
            if bucket is not None and not _bucket_ok(bucket):
                bad.append(f"bucket name {bucket!r}")
    if p.config and p.config.create:
        for bucket in (p.config.bucket, p.config.log_bucket):
            if not _bucket_ok(bucket):
                bad.append(f"bucket name {bucket!r}")
        if p.config.include_global_resource_types and not p.config.all_resources:
            bad.append("global resource types without all resource types")
    if p.backup:
        b = p.backup
        retentions = [s.delete_after_days for s in b.snapshots]
        if b.point_in_time_days is not None:
            if not 1 <= b.point_in_time_days <= 35:
                bad.append(f"continuous backup retention {b.point_in_time_days}")
            retentions.append(b.point_in_time_days)
        for s in b.snapshots:
            if not SCHEDULES[s.schedule]:
                bad.append(f"schedule {s.schedule!r}")
            if s.start_window_minutes < 60:
                bad.append(f"start window {s.start_window_minutes}")
            if s.completion_window_minutes < s.start_window_minutes + 60:
                bad.append(f"completion window {s.completion_window_minutes}")
            if s.cold_storage_after_days is not None and \
                    s.delete_after_days < s.cold_storage_after_days + 90:
                bad.append(f"lifecycle cold {s.cold_storage_after_days} delete "
                           f"{s.delete_after_days}")
        names = [s.name for s in b.snapshots]
        if len(names) != len(set(names)):
            bad.append("snapshot names repeat")
        if b.vault_lock:
            low, high = b.vault_lock.min_retention_days, b.vault_lock.max_retention_days
            if not 1 <= low <= high:
                bad.append(f"vault lock [{low}, {high}]")
            for days in retentions:
                if not low <= days <= high:
                    bad.append(f"retention {days} outside the vault lock [{low}, {high}]")
    if p.codedeploy:
        c = p.codedeploy
        for name in (c.app_name, c.group_name, c.deployment_config_name):
            if not _CODEDEPLOY_NAME.match(name):
                bad.append(f"codedeploy name {name!r}")
        config = c.deployment_config_name
        if config.startswith("CodeDeployDefault."):
            owner = ("ECS" if config.startswith("CodeDeployDefault.ECS") else
                     "Lambda" if config.startswith("CodeDeployDefault.Lambda") else "Server")
            if owner != c.platform or (owner == "Server" and config not in SERVER_CONFIGS):
                bad.append(f"deployment config {config} for {c.platform}")
        if c.custom_config:
            mhh, tr = c.custom_config.minimum_healthy_hosts, c.custom_config.traffic_routing
            if mhh and (c.platform != "Server" or
                        (mhh.type == "FLEET_PERCENT" and not 0 <= mhh.value <= 99)):
                bad.append(f"minimum healthy hosts {mhh}")
            if tr and (c.platform == "Server" or not 1 <= tr.percentage <= 99):
                bad.append(f"traffic routing {tr}")
        if len(c.alarms) > 10 or len({a.name for a in c.alarms}) != len(c.alarms):
            bad.append(f"{len(c.alarms)} alarms")
        if "DEPLOYMENT_STOP_ON_ALARM" in c.auto_rollback_events and not c.alarms:
            bad.append("stop on alarm without alarms")
        if c.platform == "Server" and not 1 <= len(c.ec2_tags) <= 3:
            bad.append(f"{len(c.ec2_tags)} ec2 tag sets")
        if c.platform == "ECS":
            e = c.ecs
            if e is None or len(e.listener_arns) != 1 or len(e.target_groups) != 2 or \
                    e.target_groups[0] == e.target_groups[1] or \
                    not 0 <= e.termination_wait_minutes <= 2880:
                bad.append(f"ecs target {e}")
        if c.platform == "Lambda" and c.lambda_target is None:
            bad.append("lambda target missing")
    if p.kubernetes:
        k = p.kubernetes
        for what, name in (("namespace", k.namespace), ("name", k.name)):
            if len(name) > 63 or not _LABEL.match(name):
                bad.append(f"kubernetes {what} {name!r}")
        last = k.image.split("@")[0].rsplit("/", 1)[-1]
        if "@sha256:" in k.image:
            if not re.fullmatch(r"[0-9a-f]{64}", k.image.rsplit(":", 1)[1]):
                bad.append(f"image digest {k.image}")
        elif ":" not in last or last.endswith(":latest"):
            bad.append(f"unpinned image {k.image}")
        if _zero(k.max_surge) and _zero(k.max_unavailable):
            bad.append("max_surge and max_unavailable both zero")
        for value in (k.max_surge, k.max_unavailable, k.pdb_min_available, k.pdb_max_unavailable):
            if value is not None and _percent(value) is not None and _percent(value) > 100:
                bad.append(f"percentage {value}")
        if k.pdb_min_available is not None:
            pct = _percent(k.pdb_min_available)
            if (pct is None and int(k.pdb_min_available) >= k.replicas) or \
                    (pct is not None and pct >= 100):
                bad.append(f"min_available {k.pdb_min_available} with {k.replicas} replicas")
        if k.pdb_max_unavailable is not None and _zero(k.pdb_max_unavailable):
            bad.append("max_unavailable 0 blocks drains")
        if k.progress_deadline_seconds <= k.min_ready_seconds or k.revision_history_limit < 1:
            bad.append("rollout timing")
        requests, limits = dict(k.requests), dict(k.limits)
        for name, table in (("cpu", CPU), ("memory", MEMORY)):
            if name not in requests:
                bad.append(f"no {name} request")        # Checkov CKV_K8S_10 / CKV_K8S_13
            if name not in limits and ("kubernetes-limit-opt-out", name) not in warned:
                bad.append(f"no {name} limit and no warning")   # CKV_K8S_11 / CKV_K8S_12
            if name in requests and name in limits and \
                    table[requests[name]] > table[limits[name]]:
                bad.append(f"{name} request {requests[name]} above its limit {limits[name]}")
        if k.model and not p.artifacts:
            bad.append("model without artifacts")
    if p.sagemaker:
        bad += _sagemaker_problems(p.sagemaker, p)
    return bad


_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def _sagemaker_problems(sm, p) -> list[str]:
    """SageMaker API reference: TrafficRoutingConfig (CanarySize <= 50% of the variant's instance
    count, LinearStepSize 10-50%, WaitIntervalInSeconds 0-3600), RollingUpdatePolicy
    (MaximumBatchSize 5-50%, WaitIntervalInSeconds 0-3600), BlueGreenUpdatePolicy
    (TerminationWaitInSeconds 0-3600; MaximumExecutionTimeoutInSeconds 600-28800, larger than the
    waits; the AWS provider accepts up to 14400), AutoRollbackConfig (at most 10 alarms);
    EndpointName / EndpointConfigName / ModelPackageGroupName: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}."""
    bad = []
    d = sm.deployment
    n = sm.instance_count
    if not sm.instance_type.startswith("ml."):
        bad.append(f"instance type {sm.instance_type}")
    if d.step_instances is not None:
        share = d.step_instances / n
        low = {"canary": 0.0, "linear": 0.10, "rolling": 0.05}[d.strategy]
        if not (d.step_instances >= 1 and low <= share <= 0.5):
            bad.append(f"{d.strategy} step {d.step_instances} of {n} instances")
        if n - d.step_instances < 1:
            bad.append(f"{d.strategy} step leaves no old instance")
    if not 0 <= d.wait_seconds <= 3600 or not 0 <= d.termination_wait_seconds <= 3600:
        bad.append(f"waits {d.wait_seconds} / {d.termination_wait_seconds}")
    steps = -(-n // d.step_instances) if d.step_instances else 1
    waits = {"canary": d.wait_seconds, "linear": (steps - 1) * d.wait_seconds,
             "rolling": steps * d.wait_seconds, "all_at_once": 0}[d.strategy]
    waits += d.termination_wait_seconds
    if not (600 <= d.execution_timeout_seconds <= 14400 and d.execution_timeout_seconds > waits):
        bad.append(f"execution timeout {d.execution_timeout_seconds} for waits {waits}")
    if len(sm.alarms) > 10 or len({a.alarm_name for a in sm.alarms}) != len(sm.alarms):
        bad.append(f"{len(sm.alarms)} sagemaker alarms")
    if sm.capture_percentage is not None and not p.artifacts:
        bad.append("data capture without artifacts")
    for what, name in (("endpoint", sm.endpoint_name), ("group", sm.group),
                       ("endpoint config", sm.config_name_prefix + "0" * 26)):
        if not _SAGEMAKER_NAME.match(name):
            bad.append(f"sagemaker {what} name {name!r}")
    return bad


def test_generated_specs_that_validate_are_accepted_by_aws(tmp_path, monkeypatch, capsys):
    rng = Gen(SEED)
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    files = []
    for index in range(SPECS):
        name = f"spec{index:03d}.yaml"
        (tmp_path / name).write_text(yaml.safe_dump(generate(rng, index), sort_keys=False))
        files.append(name)
        if time.monotonic() - started > TIME_BUDGET / 2:
            break
    result = pipeline.run(files)

    errors = Counter(d.file for d in result.diagnostics if d.severity == ERROR)
    rules = Counter(d.rule for d in result.diagnostics if d.severity == ERROR)
    warned_files = {d.file for d in result.diagnostics if d.severity == WARNING}
    opt_outs = {(d.file, d.message.split(" ", 1)[0].split(".")[1])
                for d in result.diagnostics if d.rule == "kubernetes-limit-opt-out"}
    clean = [s for s in result.stacks if errors[s.file] == 0]
    problems = []
    deployments: dict = {}          # one Deployment per (cluster, namespace, name) across stacks
    buckets: dict = {}              # S3 bucket names are global
    groups: dict = {}               # SageMaker model package groups, per account and region
    for stack in clean:
        warned = {("kubernetes-limit-opt-out", name) for f, name in opt_outs if f == stack.file}
        platform = model.build(stack)
        for problem in check_platform(platform, warned):
            problems.append(f"{stack.label}: {problem}")
        k = platform.kubernetes
        if k is not None:
            key = (k.cluster.key, k.namespace, k.name)
            if deployments.setdefault(key, stack.label) != stack.label:
                problems.append(f"{stack.label}: Deployment {key} also in {deployments[key]}")
        sm = platform.sagemaker
        if sm is not None:      # CreateModelPackageGroup: a name is unique per account and region
            key = (platform.account_id, platform.region, sm.group.lower())
            if groups.setdefault(key, stack.label) != stack.label:
                problems.append(f"{stack.label}: model package group {key} also in {groups[key]}")
        for bucket in _buckets(platform):
            if buckets.setdefault(bucket, stack.label) != stack.label:
                problems.append(f"{stack.label}: bucket {bucket} also in {buckets[bucket]}")
    elapsed = time.monotonic() - started

    accepted = len(files) - len(errors)
    with capsys.disabled():
        print(f"\nproperty test: {len(files)} specs generated (seed {SEED}), {accepted} validated "
              f"without errors ({len(clean)} stacks, "
              f"{sum(1 for f in files if f not in errors and f not in warned_files)} without "
              f"warnings), {len(errors)} rejected, in {elapsed:.1f} s; most frequent errors: "
              + ", ".join(f"{r} {n}" for r, n in rules.most_common(6)))
    assert problems == [], "\n".join(problems[:20])
    assert elapsed < TIME_BUDGET
    # not a trivial generator: both outcomes are common, and the limits are really exercised
    assert len(errors) >= len(files) // 5 and accepted >= len(files) // 5, (len(errors), accepted)
    for rule in ("backup-cold-storage-90d", "backup-window", "backup-retention-outside-vault-lock",
                 "backup-schedule-invalid", "kubernetes-disruption-budget",
                 "kubernetes-rolling-update-zero", "codedeploy-name-invalid",
                 "bucket-name-invalid", "kubernetes-name-invalid", "sagemaker-step-instances",
                 "sagemaker-step-percentage", "sagemaker-wait-bounds",
                 "sagemaker-group-duplicate"):
        assert rules[rule] > 0, f"the generator never trips {rule}"
