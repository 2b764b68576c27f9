"""Semantic rules: what the schema cannot say.

Each rule is a module of this package with
  RULE   its stable id (documented; never renamed),
  a module docstring whose first line is the rule's one-line doc (`mplat rules`),
  check(stack) -> Iterator[Finding]          for a rule about one stack, or
  check_all(stacks) -> Iterator[(stack, Finding)]   for a rule across all stacks of a run.
Rules are pure (no I/O, no positions): they yield paths into ``stack.data``, the merged document,
and trust the shapes the schema has already checked. They are registered in the tables below.
"""
from __future__ import annotations

from ..diagnostics import Finding
from ..overlay import StackInput

from . import (backup_cold_storage, backup_cold_storage_s3, backup_needs_artifacts, backup_schedule, backup_snapshot_names,
               backup_vault_lock, backup_vault_lock_mode, backup_windows, codedeploy_alarms, codedeploy_deployment_config,
               codedeploy_ec2_tags, codedeploy_ecs, codedeploy_names, codedeploy_target, config_global_resources,
               cross_buckets, cross_config_recorder, cross_deployments, cross_spec_names,
               kubernetes_disruption, kubernetes_image, kubernetes_model, kubernetes_model_env,
               kubernetes_model_identity,
               kubernetes_resources,
               kubernetes_rolling_update, kubernetes_timing, names_buckets, names_kubernetes,
               names_tags)

# The rule modules, in documentation order.
STACK_RULES: tuple = (
    names_buckets,
    names_tags,
    names_kubernetes,
    backup_needs_artifacts,
    backup_snapshot_names,
    backup_schedule,
    backup_windows,
    backup_cold_storage,
    backup_cold_storage_s3,
    backup_vault_lock,
    backup_vault_lock_mode,
    config_global_resources,
    codedeploy_deployment_config,
    codedeploy_alarms,
    codedeploy_target,
    codedeploy_ec2_tags,
    codedeploy_ecs,
    codedeploy_names,
    kubernetes_image,
    kubernetes_rolling_update,
    kubernetes_timing,
    kubernetes_resources,
    kubernetes_disruption,
    kubernetes_model,
    kubernetes_model_env,
    kubernetes_model_identity,
)
CROSS_RULES: tuple = (
    cross_spec_names,
    cross_buckets,
    cross_config_recorder,
    cross_deployments,
)


def run_stack_rules(stack: StackInput) -> list[Finding]:
    return [f for rule in STACK_RULES for f in rule.check(stack)]


def run_cross_rules(stacks: list[StackInput]) -> list[tuple[StackInput, Finding]]:
    return [pair for rule in CROSS_RULES for pair in rule.check_all(stacks)]


def docs() -> dict[str, str]:
    """rule id -> one-line doc, for every semantic rule."""
    out = {}
    for rule in STACK_RULES + CROSS_RULES:
        ids = getattr(rule, "RULES", None) or {rule.RULE: (rule.__doc__ or "").strip().splitlines()[0]}
        out.update(ids)
    return out
