"""Semantic rules: what the schema cannot say.

Each rule is a module of this package with, as module data (compiler/registry.py reads it),
  RULE    its stable id (documented; never renamed) and
  DOC     its one-line doc (`mplat rules`), or RULES: a table id -> one-line doc for several ids;
  SOURCE  the AWS (or Kubernetes) page the limit comes from, None for mplat's own conventions;
  a module docstring (optional) with the longer documentation;
  check(stack) -> Iterator[Finding]          for a rule about one stack, or
  check_all(stacks) -> Iterator[(stack, Finding)]   for a rule across all stacks of a run.
Rules are pure (no I/O, no positions): they yield paths into ``stack.data``, the resolved document
(``compiler.defaults``: every default applied, so a rule checks the value the model emits and
never assumes a default of its own), and trust the shapes the schema has already checked. They are
registered in the tables below. A finding about a value a default supplied is reported at the
nearest parent the spec wrote and says that the value is the default (``mark_default``).
"""
from __future__ import annotations

import dataclasses

from ..defaults import derived_source, is_default, provenance, resolve
from ..diagnostics import Finding, path_text
from ..overlay import StackInput
from . import (artifacts_access_logs, artifacts_noncurrent_keep, backup_cold_storage,
               backup_restore_bucket_name, backup_cold_storage_s3,
               backup_needs_artifacts, backup_schedule, backup_snapshot_names, backup_vault_lock,
               backup_vault_lock_mode, backup_windows, codedeploy_alarms, codedeploy_deployment_config,
               codedeploy_ec2_tags, codedeploy_ecs, codedeploy_names, codedeploy_target,
               config_global_resources, config_resource_types, cross_buckets,
               cross_config_recorder, cross_deployments, cross_sagemaker_groups, cross_spec_names,
               kubernetes_create_namespace, kubernetes_disruption,
               kubernetes_image, kubernetes_model, kubernetes_model_env, kubernetes_model_identity,
               kubernetes_model_shared_pin, kubernetes_resource_names, kubernetes_resources,
               kubernetes_rolling_update, kubernetes_security, kubernetes_service_account,
               kubernetes_timing, names_buckets, names_kubernetes, names_tags,
               placeholder_value, sagemaker_alarms, sagemaker_data_capture,
               sagemaker_instance_type, sagemaker_single_instance, sagemaker_step_instances,
               sagemaker_step_percentage, sagemaker_timing, state_local_production)
from ..words import get

# The rule modules, in documentation order.
STACK_RULES: tuple = (
    names_buckets,
    names_tags,
    names_kubernetes,
    artifacts_access_logs,
    artifacts_noncurrent_keep,
    backup_needs_artifacts,
    backup_snapshot_names,
    backup_schedule,
    backup_windows,
    backup_cold_storage,
    backup_cold_storage_s3,
    backup_vault_lock,
    backup_vault_lock_mode,
    backup_restore_bucket_name,
    config_global_resources,
    config_resource_types,
    codedeploy_deployment_config,
    codedeploy_alarms,
    codedeploy_target,
    codedeploy_ec2_tags,
    codedeploy_ecs,
    codedeploy_names,
    kubernetes_image,
    kubernetes_rolling_update,
    kubernetes_timing,
    kubernetes_resource_names,
    kubernetes_resources,
    kubernetes_service_account,
    kubernetes_security,
    kubernetes_create_namespace,
    kubernetes_disruption,
    kubernetes_model,
    kubernetes_model_env,
    kubernetes_model_identity,
    sagemaker_instance_type,
    sagemaker_step_percentage,
    sagemaker_step_instances,
    sagemaker_timing,
    sagemaker_single_instance,
    sagemaker_alarms,
    sagemaker_data_capture,
    state_local_production,
    placeholder_value,
)
CROSS_RULES: tuple = (
    cross_spec_names,
    cross_buckets,
    cross_config_recorder,
    cross_deployments,
    cross_sagemaker_groups,
    kubernetes_model_shared_pin,
)


def mark_default(stack: StackInput, finding: Finding) -> Finding:
    """A finding at a defaulted path says so, if its rule did not already (a safety net: the
    rules phrase it themselves, e.g. "replicas is 2 (the default)"). A finding about a derived
    value moves to the line of the value it was derived from and names it and the environment:
    "(derived from kubernetes.resources.requests.memory, environment 'prod')"."""
    source = derived_source(stack, finding.path)
    if source is not None:
        how = provenance(stack, finding.path)
        message = finding.message if "(derived from" in finding.message \
            else f"{finding.message} ({how})"
        return dataclasses.replace(finding, path=source, message=message, at="value")
    if not is_default(stack, finding.path) or "(the default" in finding.message:
        return finding
    node = get(stack.data, *finding.path)
    shown = node if isinstance(node, (str, int, float)) else "a default value"
    return dataclasses.replace(finding, message=f"{finding.message} ({path_text(finding.path)}: "
                                                f"{shown}, the default)")


class _Tracked(dict):
    """The top level of a stack's document that records which sections a rule reads (``touched``;
    ``"*"`` when it iterates or copies the whole document)."""

    touched: set

    def __getitem__(self, key):
        self.touched.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.touched.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.touched.add(key)
        return super().__contains__(key)

    def __iter__(self):
        self.touched.add("*")
        return super().__iter__()

    def keys(self):
        self.touched.add("*")
        return super().keys()

    def items(self):
        self.touched.add("*")
        return super().items()

    def values(self):
        self.touched.add("*")
        return super().values()


def run_stack_rules(stack: StackInput, skipped: frozenset = frozenset()) -> list[Finding]:
    """Every stack rule over the stack's resolved document (``compiler.defaults.resolve``: a no-op
    for a stack that is resolved already).

    ``skipped`` names top-level sections that failed their schema check and were left out of the
    document: a rule that reads one of them (found by watching what it reads, so no rule can forget
    to declare it) is skipped for this stack, and every other rule runs: every problem in one run.
    """
    stack = resolve(stack)
    if not skipped:
        return [mark_default(stack, f) for rule in STACK_RULES for f in rule.check(stack)]
    tracked = _Tracked(stack.data)
    view = dataclasses.replace(stack, data=tracked)
    out: list[Finding] = []
    for rule in STACK_RULES:
        tracked.touched = set()
        found = list(rule.check(view))
        if tracked.touched & (skipped | {"*"}):
            continue
        out.extend(mark_default(stack, f) for f in found)
    return out


def run_cross_rules(stacks: list[StackInput]) -> list[tuple[StackInput, Finding]]:
    """Every cross-spec rule over the resolved documents of ``stacks`` (schema-valid ones)."""
    stacks = [resolve(stack) for stack in stacks]
    return [(stack, mark_default(stack, f)) for rule in CROSS_RULES
            for stack, f in rule.check_all(stacks)]


def docs() -> dict[str, str]:
    """rule id -> one-line doc, for every semantic rule."""
    out = {}
    for rule in STACK_RULES + CROSS_RULES:
        out.update(getattr(rule, "RULES", None) or {rule.RULE: rule.DOC})
    return out
