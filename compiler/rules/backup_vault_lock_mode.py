"""Without ``changeable_for_days`` an AWS Backup Vault Lock is in governance mode: anyone with the IAM
permission can change or delete it, and with it the recovery points it protects. A platform team
that asks for a lock in prod usually means compliance mode, which ``changeable_for_days`` (at least
3) turns on: after that many days the lock can never be changed or removed. Set it to make the
prod lock immutable, or keep governance mode knowingly (the warning stays).
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ._common import get

RULE = "backup-vault-lock-governance-prod"
DOC = ("backup.vault_lock in an environment named prod without changeable_for_days: the lock "
       "stays in governance mode (removable).")
SOURCE = "https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html"
PROD = "prod"


def check(stack) -> Iterator[Finding]:
    if stack.env != PROD:
        return
    lock = get(stack.data, "backup", "vault_lock")
    if not isinstance(lock, dict) or lock.get("changeable_for_days") is not None:
        return
    yield Finding(("backup", "vault_lock"), RULE,
                  "the vault lock of environment 'prod' has no changeable_for_days, so it is in "
                  "governance mode: it can be removed, and the recovery points with it",
                  severity=WARNING, at="key",
                  hint="set backup.vault_lock.changeable_for_days (at least 3) for compliance mode; "
                       "after that many days the lock is irreversible")
