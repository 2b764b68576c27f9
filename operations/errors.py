"""The one exception of the operational commands: a one-line diagnostic, exit 1, nothing changed."""
from __future__ import annotations


class OpsError(Exception):
    """Stops a command with ``mplat: error: <message>`` and exit 1 (never a traceback)."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code          # the AWS error code, when AWS refused a call
