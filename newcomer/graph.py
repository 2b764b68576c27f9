"""``mplat graph SPEC [--env E] [--format mermaid|dot]``: what a stack creates, as a picture.

Drawn from the typed model (``compiler.model``), the same one the generators read, so it needs
no engine and no Node: each capability is a group of its main resources, named as in AWS or
Kubernetes, and the edges are how they connect (bucket -> replica, bucket -> access-log bucket,
backup plan -> vault, backup -> the bucket it protects, deployment group -> alarms it rolls back
on, Deployment -> the model it reads; SageMaker: model package group -> model -> endpoint
configuration (-> KMS key, -> model bucket for data capture) -> endpoint -> alarms it rolls back
on, and the model's execution role -> the prefix of the model bucket it may read).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Graph:
    title: str
    groups: dict = field(default_factory=dict)     # capability -> [(node id, label)]
    edges: list = field(default_factory=list)      # (from id, to id, label)

    def node(self, group: str, key: str, label: str) -> str:
        node_id = re.sub(r"[^A-Za-z0-9_]", "_", key)
        self.groups.setdefault(group, [])
        if node_id not in {n for n, _ in self.groups[group]}:
            self.groups[group].append((node_id, label))
        return node_id

    def edge(self, a: str, b: str, label: str) -> None:
        self.edges.append((a, b, label))


def build(platform) -> Graph:
    """The graph of one stack (a ``compiler.model.Platform``)."""
    g = Graph(platform.stack)
    bucket = None
    a = platform.artifacts
    if a is not None:
        bucket = g.node("artifacts", "bucket", f"S3 bucket {a.bucket}")
        if a.kms_alias:
            g.edge(bucket, g.node("artifacts", "kms", f"KMS key {a.kms_alias}"), "encrypted by")
        if a.log_bucket:
            g.edge(bucket, g.node("artifacts", "logs", f"S3 bucket {a.log_bucket}"), "access logs")
        if a.replica_bucket:
            replica = g.node("artifacts", "replica", f"S3 bucket {a.replica_bucket} "
                                                     f"({a.replica_region})")
            g.edge(bucket, replica, "replicates to")
            g.edge(g.node("artifacts", "replication_role", f"IAM role {a.replication_role}"),
                   replica, "writes")
            if a.replica_log_bucket:
                g.edge(replica, g.node("artifacts", "replica_logs",
                                       f"S3 bucket {a.replica_log_bucket}"), "access logs")
        if a.object_lock:
            g.node("artifacts", "object_lock", f"object lock {a.object_lock.mode} "
                                               f"{a.object_lock.days} days")
            g.edge(bucket, "object_lock", "locked by")
    b = platform.backup
    if b is not None:
        vault = g.node("backup", "vault", f"Backup vault {b.vault}")
        plan = g.node("backup", "plan", f"Backup plan {b.plan}")
        g.edge(plan, vault, "stores in")
        g.edge(vault, g.node("backup", "backup_kms", f"KMS key {b.kms_alias}"), "encrypted by")
        if b.vault_lock:
            g.edge(vault, g.node("backup", "vault_lock", "vault lock"), "locked by")
        role = g.node("backup", "backup_role", f"IAM role {b.role}")
        if bucket is not None:
            g.edge(plan, bucket, "protects")
            g.edge(role, bucket, "backs up")
    c = platform.config
    if c is not None:
        if c.create:
            recorder = g.node("config_recorder", "recorder", f"Config recorder {c.recorder}")
            delivery = g.node("config_recorder", "config_bucket", f"S3 bucket {c.bucket}")
            g.edge(recorder, delivery, "delivers to")
            if c.log_bucket:
                g.edge(delivery, g.node("config_recorder", "config_logs",
                                        f"S3 bucket {c.log_bucket}"), "access logs")
        for rule in c.rules:
            rid = g.node("config_recorder", f"rule_{rule.identifier}", f"Config rule {rule.name}")
            if bucket is not None and rule.identifier.startswith("S3_"):
                g.edge(rid, bucket, "checks")
    d = platform.codedeploy
    if d is not None:
        app = g.node("codedeploy", "app", f"CodeDeploy app {d.app_name}")
        group = g.node("codedeploy", "group", f"deployment group {d.group_name} ({d.platform})")
        g.edge(app, group, "has")
        for alarm in d.alarms:
            g.edge(group, g.node("codedeploy", f"alarm_{alarm.name}",
                                 f"alarm {alarm.alarm_name}"), "rolls back on")
    k = platform.kubernetes
    if k is not None:
        deploy = g.node("kubernetes", "deployment", f"Deployment {k.namespace}/{k.name} "
                                                    f"x{k.replicas}")
        g.edge(g.node("kubernetes", "service", f"Service {k.name} ({k.service_type})"),
               deploy, "routes to")
        if k.pdb_min_available or k.pdb_max_unavailable:
            g.edge(g.node("kubernetes", "pdb", f"PodDisruptionBudget {k.name}"), deploy,
                   "guards")
        if k.service_account:
            g.edge(deploy, g.node("kubernetes", "service_account",
                                  f"ServiceAccount {k.service_account}"), "runs as")
        if k.model_reader is not None:
            reader = g.node("kubernetes", "model_reader", f"IAM role {k.model_reader.role}")
            g.edge(k.service_account and "service_account" or deploy, reader, "Pod Identity")
        if k.model is not None and bucket is not None:
            g.edge(deploy, bucket, f"reads {k.model.key}")
    sm = platform.sagemaker
    if sm is not None:
        _sagemaker(g, sm, bucket)
    return g


def _sagemaker(g: Graph, sm, bucket: str | None) -> None:
    """generators/sagemaker.py: the group, the model of the pinned version (its name is made by
    Terraform), the endpoint configuration (``name_prefix``: one per pin change) and its KMS key,
    the endpoint with its deployment guardrails, the alarms and the execution role."""
    group = g.node("sagemaker", "sm_group", f"model package group {sm.group}")
    model = g.node("sagemaker", "sm_model", f"SageMaker model of {sm.group}/{sm.version}")
    config = g.node("sagemaker", "sm_config", f"endpoint configuration {sm.config_name_prefix}* "
                                              f"({sm.instance_count} x {sm.instance_type})")
    endpoint = g.node("sagemaker", "sm_endpoint", f"SageMaker endpoint {sm.endpoint_name} "
                                                  f"({sm.deployment.strategy})")
    g.edge(group, model, f"version {sm.version}")
    g.edge(model, config, f"variant {sm.variant_name}")
    g.edge(config, g.node("sagemaker", "sm_kms", f"KMS key {sm.kms_alias}"), "encrypted by")
    g.edge(config, endpoint, "configures")
    for alarm in sm.alarms:
        g.edge(endpoint, g.node("sagemaker", f"sm_alarm_{alarm.name}",
                                f"alarm {alarm.alarm_name}"), "rolls back on")
    role = g.node("sagemaker", "sm_role", f"IAM role {sm.role_name}")
    g.edge(model, role, "runs as")
    if bucket is not None:
        g.edge(role, bucket, f"reads {sm.model_prefix}")
        if sm.capture_percentage is not None:
            g.edge(config, bucket, f"captures {sm.capture_percentage}% to {sm.capture_prefix}")


def _quote(label: str) -> str:
    return label.replace('"', "'")


def mermaid(graph: Graph) -> str:
    lines = ["flowchart LR"]
    for group, nodes in graph.groups.items():
        lines.append(f"  subgraph {group}[{group}]")
        for node_id, label in nodes:
            lines.append(f'    {node_id}["{_quote(label)}"]')
        lines.append("  end")
    for a, b, label in graph.edges:
        lines.append(f'  {a} -->|"{_quote(label)}"| {b}')
    return "\n".join(lines)


def dot(graph: Graph) -> str:
    lines = [f'digraph "{graph.title}" {{', "  rankdir=LR;", "  node [shape=box];"]
    for group, nodes in graph.groups.items():
        lines.append(f'  subgraph "cluster_{group}" {{')
        lines.append(f'    label="{group}";')
        for node_id, label in nodes:
            lines.append(f'    {node_id} [label="{_quote(label)}"];')
        lines.append("  }")
    for a, b, label in graph.edges:
        lines.append(f'  {a} -> {b} [label="{_quote(label)}"];')
    lines.append("}")
    return "\n".join(lines)


RENDERERS = {"mermaid": mermaid, "dot": dot}


def run(args) -> int:
    import sys

    from compiler.exits import EXIT_ERRORS, EXIT_OK, EXIT_USAGE

    from compiler import model, pipeline
    from compiler.diagnostics import render_text

    result = pipeline.run([args.spec], build_models=True)
    if not result.ok:
        print(render_text(result.diagnostics), file=sys.stderr)
        print(f"mplat: error: {args.spec} does not validate: nothing to draw", file=sys.stderr)
        return EXIT_ERRORS
    stacks = [s for s in result.stacks if s.env == args.env]
    envs = [s.env for s in result.stacks if s.env is not None]
    if not stacks:
        print("mplat: error: " + (f"{args.spec} has environments ({', '.join(envs)}): give --env"
                                  if args.env is None else f"{args.spec} has no environment "
                                  f"'{args.env}'"), file=sys.stderr)
        return EXIT_USAGE
    print(RENDERERS[args.format](build(model.build(stacks[0]))))
    return EXIT_OK
