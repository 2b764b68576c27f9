from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE = "backup-needs-artifacts"
DOC = ("backup needs artifacts: AWS Backup protects the artifacts bucket, so a spec with backup "
       "must have artifacts.")
SOURCE = None            # mplat's own rule: no AWS or Kubernetes limit behind it


def check(stack) -> Iterator[Finding]:
    if section(stack, "backup") is not None and section(stack, "artifacts") is None:
        yield Finding(("backup",), RULE,
                      "backup is given but artifacts is not: backup protects the artifacts bucket",
                      at="key", hint="add an artifacts section, or remove backup"
                      + (f" in environment '{stack.env}' (backup: null)" if stack.env else ""))
