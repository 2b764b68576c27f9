"""Every rule id the tool can print, from one registry (``mplat rules``, docs/spec-reference.md).

Rules are data, as cfn-lint keeps them: each rule module of compiler/rules/ declares ``RULE``, a
one-line ``DOC`` and the ``SOURCE`` (the AWS or Kubernetes page the limit comes from, None for
mplat's own conventions), or a ``RULES`` table (id -> doc) and one ``SOURCE``; the stages that
report without a rule module (files, load, schema, suppression) register their table of ids
(``RULES_DOC``) here too.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    id: str
    stage: str          # files | load | schema | rules | suppress
    doc: str
    source: str | None


@functools.lru_cache(maxsize=1)
def rules() -> dict[str, RuleInfo]:
    """rule id -> RuleInfo, for every id any stage can report, in documentation order."""
    from . import files, load, suppress
    from . import rules as semantic
    from .schema import explain

    out: dict[str, RuleInfo] = {}

    def add(rule: str, stage: str, doc: str, source: str | None) -> None:
        if rule in out:
            raise ValueError(f"rule id {rule} is registered twice ({out[rule].stage}, {stage})")
        out[rule] = RuleInfo(rule, stage, doc, source)

    for stage, table in (("files", files.RULES_DOC), ("load", load.RULES_DOC),
                         ("schema", explain.RULES_DOC)):
        for rule, doc in table.items():
            add(rule, stage, doc, None)
    for module in semantic.STACK_RULES + semantic.CROSS_RULES:
        table = getattr(module, "RULES", None) or {module.RULE: module.DOC}
        for rule, doc in table.items():
            add(rule, "rules", doc, module.SOURCE)
    for rule, doc in suppress.RULES_DOC.items():
        add(rule, "suppress", doc, None)
    return out


def docs() -> dict[str, str]:
    """rule id -> one-line doc."""
    return {rule: info.doc for rule, info in rules().items()}
