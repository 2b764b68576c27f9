"""One readiness check of `mplat verify` (shared by operations.verify and operations.sagemaker)."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import OpsError

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


def unknown(name: str, exc: OpsError) -> Check:
    """AWS did not answer the check (e.g. a missing read permission)."""
    return Check(name, UNKNOWN, exc.message,
                 "grant the read permission named above, or run with credentials that have it")
