"""kubernetes.resources: quantities valid (500m, 2, 0.5, 1Gi, 1G, 1e3), each request <= its limit, extended resources request == limit; a warning for a limit of none.

Quantities follow the Kubernetes grammar: a non-negative decimal number with an optional binary
suffix (Ki Mi Gi Ti Pi Ei), decimal suffix (n u m k M G T P E) or exponent (e3). Resources other
than cpu, memory and ephemeral-storage (extended resources such as nvidia.com/gpu, and
hugepages-*) cannot be overcommitted: they need a whole-number request equal to their limit.

The rules read the resolved document: a cpu or memory limit the spec leaves out is its request
(``compiler.defaults``), so every container has limits. ``limits: {cpu: none}`` (or memory) opts
out explicitly: a warning naming the Checkov check the Deployment then fails.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Iterator

from ..defaults import NO_LIMIT
from ..diagnostics import WARNING, Finding
from ._common import section, shown

RULE_QUANTITY = "kubernetes-quantity-invalid"
RULE_EXCEEDS = "kubernetes-request-exceeds-limit"
RULE_EXTENDED = "kubernetes-extended-resource"
RULE_NO_LIMIT = "kubernetes-limit-opt-out"
RULES = {
    RULE_QUANTITY: "kubernetes.resources quantities follow the Kubernetes grammar (500m, 2, 0.5, "
                   "1Gi, 512Mi, 1G, 1e3).",
    RULE_EXCEEDS: "kubernetes.resources: each request is at most its limit.",
    RULE_EXTENDED: "Extended resources (e.g. nvidia.com/gpu, hugepages-*) need a whole-number "
                   "request equal to their limit.",
    RULE_NO_LIMIT: "A warning for limits.cpu or limits.memory: none (no limit): the Deployment "
                   "fails Checkov CKV_K8S_11 (cpu) or CKV_K8S_12 (memory).",
}
SOURCE = "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"
# the Checkov check a Deployment without this limit fails: the ids of Checkov's terraform checks
# (checkov/terraform/checks/resource/kubernetes/CPULimits.py, MemoryLimits.py), which scan the
# kubernetes_deployment_v1 of cdk.tf.json (its Kubernetes-manifest checks number memory 13)
CHECKOV_LIMIT = {"cpu": ("CKV_K8S_11", "CPU Limits should be set"),
                 "memory": ("CKV_K8S_12", "Memory Limits should be set")}

STANDARD = ("cpu", "memory", "ephemeral-storage")
_QUANTITY = re.compile(
    r"^(?P<num>\+?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?P<suffix>[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(value) -> Decimal | None:
    """The value of a Kubernetes quantity, or None when it is not one (negative ones included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if value < 0 or value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    m = _QUANTITY.match(value.strip())
    if not m:
        return None
    try:
        number = Decimal(m.group("num"))
    except InvalidOperation:
        return None
    suffix = m.group("suffix")
    if not suffix:
        return number
    if suffix in _BINARY:
        return number * (Decimal(1024) ** _BINARY[suffix])
    if suffix in _DECIMAL:
        return number.scaleb(_DECIMAL[suffix])
    return number.scaleb(int(suffix[1:]))


_NEAR = re.compile(r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[A-Za-z]+)\s*$")


def quantity_hint(value, example: str) -> str:
    """A fix for a value that is not a quantity, from the part that failed: a unit written the
    way people do (GB, mb, Gib) becomes its decimal and binary forms."""
    m = _NEAR.match(value) if isinstance(value, str) else None
    if m:
        num, unit = m.group("num"), m.group("unit")
        letter = unit[0].upper() if unit[0].lower() in "kmgtpe" else None
        if letter == "K":
            letter = "k"
        if letter and unit.lower() in (letter.lower(), letter.lower() + "b", letter.lower() + "i",
                                        letter.lower() + "ib"):
            return (f"'{unit}' is not a Kubernetes suffix: write {num}{letter} (decimal, "
                    f"10^n) or {num}{letter.upper() if letter != 'k' else 'K'}i (binary, 2^n)")
    if isinstance(value, str) and value.strip().startswith("-"):
        return f"'{value}' is negative: quantities are non-negative, e.g. {example}"
    return f"'{value}' is not a quantity; for example {example}"


def is_extended(name: str) -> bool:
    return name not in STANDARD


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    if k8s is None:
        return
    res = k8s["resources"]
    parsed: dict = {}
    for name, value in res["limits"].items():
        if value == NO_LIMIT and name in CHECKOV_LIMIT:
            check_id, title = CHECKOV_LIMIT[name]
            yield Finding(("kubernetes", "resources", "limits", name), RULE_NO_LIMIT,
                          f"limits.{name} is none: the container gets no {name} limit (request "
                          f"{shown(stack, ('kubernetes', 'resources', 'requests', name), inner=True)})"
                          f", and the Deployment fails Checkov {check_id} ({title})",
                          severity=WARNING,
                          hint=f"remove limits.{name} to default it to the request, or give a "
                               "limit")
    for kind in ("requests", "limits"):
        for name, value in res[kind].items():
            if kind == "limits" and value == NO_LIMIT and name in CHECKOV_LIMIT:
                continue
            q = parse_quantity(value)
            if q is None:
                example = "500m or 2" if name == "cpu" else "512Mi or 1Gi" if name != "cpu" and \
                    not is_extended(name) else "1"
                yield Finding(("kubernetes", "resources", kind, name), RULE_QUANTITY,
                              f"{kind}.{name} is {value!r}, which is not a Kubernetes quantity "
                              f"(a non-negative number with an optional suffix such as m, Ki, "
                              f"Mi, Gi, k, M, G)", hint=quantity_hint(value, example))
            else:
                parsed[(kind, name)] = q
    names = sorted({name for _, name in parsed}, key=str)
    for name in names:
        req, lim = parsed.get(("requests", name)), parsed.get(("limits", name))
        req_raw = res["requests"].get(name)
        lim_raw = res["limits"].get(name)
        if is_extended(name):
            if req is not None and name not in res["limits"]:
                yield Finding(("kubernetes", "resources", "requests", name), RULE_EXTENDED,
                              f"{name} is an extended resource: it needs a limit equal to its "
                              f"request ({req_raw})", hint=f"add limits.{name}: {req_raw}")
                continue
            for kind, q, raw in (("limits", lim, lim_raw), ("requests", req, req_raw)):
                if q is not None and q != q.to_integral_value():
                    yield Finding(("kubernetes", "resources", kind, name), RULE_EXTENDED,
                                  f"{kind}.{name} is {raw}; extended resources are counted in "
                                  "whole units", hint="use a whole number")
            if req is not None and lim is not None and req != lim:
                yield Finding(("kubernetes", "resources", "requests", name), RULE_EXTENDED,
                              f"requests.{name} is {req_raw} but limits.{name} is {lim_raw}; "
                              "extended resources cannot be overcommitted, so the request must "
                              "equal the limit", hint=f"set requests.{name}: {lim_raw}, or leave "
                              "it out (it defaults to the limit)")
        elif req is not None and lim is not None and req > lim:
            yield Finding(("kubernetes", "resources", "requests", name), RULE_EXCEEDS,
                          f"requests.{name} ({req_raw}) is greater than limits.{name} ({lim_raw}); "
                          "Kubernetes rejects a request above its limit",
                          hint=f"lower requests.{name} or raise limits.{name}")
