"""kubernetes.resources: quantities valid (500m, 2, 0.5, 1Gi, 1G, 1e3), each request <= its limit, extended resources request == limit.

Quantities follow the Kubernetes grammar: a non-negative decimal number with an optional binary
suffix (Ki Mi Gi Ti Pi Ei), decimal suffix (n u m k M G T P E) or exponent (e3). Resources other
than cpu, memory and ephemeral-storage (extended resources such as nvidia.com/gpu, and
hugepages-*) cannot be overcommitted: they need a whole-number request equal to their limit.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE_QUANTITY = "kubernetes-quantity-invalid"
RULE_EXCEEDS = "kubernetes-request-exceeds-limit"
RULE_EXTENDED = "kubernetes-extended-resource"
RULES = {
    RULE_QUANTITY: "kubernetes.resources quantities follow the Kubernetes grammar (500m, 2, 0.5, "
                   "1Gi, 512Mi, 1G, 1e3).",
    RULE_EXCEEDS: "kubernetes.resources: each request is at most its limit.",
    RULE_EXTENDED: "Extended resources (e.g. nvidia.com/gpu, hugepages-*) need a whole-number "
                   "request equal to their limit.",
}

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


def is_extended(name: str) -> bool:
    return name not in STANDARD


def check(stack) -> Iterator[Finding]:
    res = section(stack, "kubernetes")
    res = res.get("resources") if res else None
    if not isinstance(res, dict):
        return
    parsed: dict = {}
    for kind in ("requests", "limits"):
        table = res.get(kind)
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            q = parse_quantity(value)
            if q is None:
                example = "500m or 2" if name == "cpu" else "512Mi or 1Gi" if name != "cpu" and \
                    not is_extended(name) else "1"
                yield Finding(("kubernetes", "resources", kind, name), RULE_QUANTITY,
                              f"{kind}.{name} is {value!r}, which is not a Kubernetes quantity "
                              f"(a non-negative number with an optional suffix such as m, Ki, "
                              f"Mi, Gi, k, M, G)", hint=f"for example {example}")
            else:
                parsed[(kind, name)] = q
    names = sorted({name for _, name in parsed}, key=str)
    for name in names:
        req, lim = parsed.get(("requests", name)), parsed.get(("limits", name))
        req_raw = (res.get("requests") or {}).get(name)
        lim_raw = (res.get("limits") or {}).get(name)
        if is_extended(name):
            if req is not None and ("limits" not in res or name not in (res.get("limits") or {})):
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
