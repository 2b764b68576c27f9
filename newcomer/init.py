"""``mplat init NAME --account ID --region R [--env staging,prod] [--serving kubernetes]``: a
commented spec that validates at once.

Every value is one the user gave, a secure default written out so that it can be seen and
changed, or the placeholder ``change-me`` where only the user knows the value (the owning team,
the image tag, the EKS cluster): each placeholder is a warning (``placeholder-value``) until it is
replaced. ``init`` never overwrites a file; it validates what it wrote with the same pipeline as
``mplat validate`` and points the editor header (``$schema``) at the JSON Schema it writes with
``mplat schema --out`` (when that file is missing).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from compiler.exits import EXIT_ERRORS, EXIT_OK
from compiler.rules.placeholder_value import PLACEHOLDER

DEFAULT_SCHEMA = Path("schemas") / "model-platform.schema.json"
SERVING = ("kubernetes", "sagemaker")

HEADER = """\
# yaml-language-server: $schema={schema}
#
# The model platform of {name}, written by `mplat init`. Each value came from the command line,
# is a secure default written out for you to see, or is the placeholder '{ph}' where only you
# know the value: `mplat validate` warns about each placeholder until you replace it.
# Every field: docs/spec-reference.md (or hover in an editor); what a rule means: mplat explain ID.
apiVersion: mplat/v1
kind: ModelPlatform
metadata:
  name: {name}
  owner: {ph}                      # the owning team: tagged Owner on every AWS resource
aws:
  region: {region}
  account_id: "{account}"

# The versioned model store: rolling a model back means serving an older object version.
artifacts:
  noncurrent_versions:
    keep: 10                            # the 10 newest old versions never expire
    expire_after_days: 90               # older ones expire 90 days after being replaced

# Point-in-time restore of the model bucket (AWS Backup): any second of the last 35 days.
backup:
  point_in_time: {{retention_days: 35}}
"""

KUBERNETES = """
# Rolling updates of model serving: a Deployment with probes and resource limits.
kubernetes:
  cluster: {{eks_cluster: {ph}}}        # the name of your EKS cluster
  image: {registry}/{name}:{ph}   # pin a version tag or an @sha256 digest
  port: 8080
  readiness_path: /healthz              # the liveness probe uses it too unless liveness_path is set
  resources:
    requests: {{cpu: 500m, memory: 1Gi}}  # each limit defaults to its request
"""


SAGEMAKER = """
# Managed serving with guardrails: a SageMaker endpoint serving one pinned version of the Model
# Registry group {name} (the stack creates the group; register the version before the endpoint's
# first apply, see the README). An update shifts traffic gradually (a 10% canary by default) and
# rolls itself back when an alarm fires.
sagemaker:
  model_package:
    version: 1                          # the pin: roll back by changing it (mplat models rollback)
  instance_type: ml.m5.large
  instance_count: 2                     # two or more: the canary leaves one instance on each side
  alarms:                               # any of them in ALARM rolls an update back
    - {{name: errors-5xx, namespace: AWS/SageMaker, metric: Invocation5XXErrors, statistic: Sum, threshold: 5, evaluation_periods: 2}}
"""


class InitError(Exception):
    """A request init refuses, with the reason (exit 1) or a usage problem (exit 2)."""

    def __init__(self, message: str, code: int = EXIT_ERRORS):
        super().__init__(message)
        self.code = code


def ecr_registry(account: str, region: str) -> str:
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{account}.dkr.ecr.{region}.{suffix}"


def render(name: str, account: str, region: str, envs: list[str], serving: str | None,
           schema_ref: str) -> str:
    """The spec text (pure: no I/O)."""
    text = HEADER.format(name=name, account=account, region=region, ph=PLACEHOLDER,
                         schema=schema_ref)
    if serving == "kubernetes":
        text += KUBERNETES.format(name=name, ph=PLACEHOLDER, registry=ecr_registry(account, region))
    if serving == "sagemaker":
        text += SAGEMAKER.format(name=name)
    if envs:
        text += "\n# One stack per environment (<name>-<env>); each overlay is merged onto the above.\n"
        text += "environments:\n"
        for env in envs:
            lines = []
            if env.startswith("prod"):     # production state belongs in a locked, versioned bucket
                lines.append(f"    state: {{backend: s3, bucket: {PLACEHOLDER}}}"
                             "   # your Terraform state bucket")
            if serving == "kubernetes":    # two Deployments of one name on one cluster collide
                lines.append(f"    kubernetes: {{namespace: {name}-{env}}}")
            if serving == "sagemaker":     # each stack creates its group (sagemaker-group-duplicate)
                lines.append(f"    sagemaker: {{model_package: {{group: {name}-{env}}}}}")
            text += (f"  {env}:\n" + "\n".join(lines) + "\n") if lines else f"  {env}: {{}}\n"
    return text


def run(args) -> int:
    from compiler import pipeline, schema
    from compiler.diagnostics import RENDERERS, has_errors

    serving = args.serving
    envs = [e.strip() for e in (args.env or "").split(",") if e.strip()]
    out = Path(args.out) if args.out else Path("specs") / f"{args.name}.yaml"
    if out.exists():
        raise InitError(f"{out} exists; init never overwrites a file (choose another --out, or "
                        "remove it)")
    schema_file = Path(args.schema) if args.schema else DEFAULT_SCHEMA
    schema_ref = os.path.relpath(schema_file.resolve(), out.resolve().parent)
    text = render(args.name, args.account, args.region, envs, serving, schema_ref)

    # validate before writing: a bad name, account or region is reported, and nothing is written
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.init-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        result = pipeline.run([str(tmp)])
    finally:
        tmp.unlink(missing_ok=True)
    shown = [d.__class__(str(out), *d.shown()[1:], d.stacks) for d in result.diagnostics]
    if has_errors(shown):
        print(RENDERERS["text"](shown), file=sys.stderr)
        raise InitError("nothing written: the values given make an invalid spec (see above)")
    with open(out, "x", encoding="utf-8") as fh:       # "x": never overwrite, even in a race
        fh.write(text)
    print(f"wrote {out}")
    if not schema_file.exists():
        schema_file.parent.mkdir(parents=True, exist_ok=True)
        schema_file.write_text(schema.schema_text(), encoding="utf-8")
        print(f"wrote {schema_file} (the JSON Schema editors use; `mplat schema --out` refreshes it)")
    if shown:
        print(RENDERERS["text"](shown))
    placeholders = sum(d.rule == "placeholder-value" for d in shown)
    print(f"{out} validates: {placeholders} placeholder(s) to replace"
          + ("" if not placeholders else f" (search for '{PLACEHOLDER}')")
          + f"; next: mplat validate {out}")
    return EXIT_OK
