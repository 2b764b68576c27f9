"""Access logs (to ``<bucket>-logs``) are on by default. Turning them off fails Checkov CKV_AWS_18
("Ensure the S3 bucket has access logging enabled") on the model bucket and AWS Security Hub
control S3.9 ("S3 general purpose buckets should have server access logging enabled"; Security Hub
user guide, s3-controls). Not an error: it is a choice the spec makes explicitly.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Finding
from ._common import section

RULE = "artifacts-access-logs-off"
DOC = ("artifacts.access_logs: false is a warning: the model bucket then has no server access "
       "logs, which the security scanners flag.")
SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html"


def check(stack) -> Iterator[Finding]:
    artifacts = section(stack, "artifacts")
    if artifacts is None or artifacts["access_logs"]:
        return
    yield Finding(("artifacts", "access_logs"), RULE,
                  "access_logs is false: nobody can audit who read or changed a model version, "
                  "and the model bucket fails Checkov CKV_AWS_18 and AWS Security Hub control "
                  "S3.9 (server access logging)", severity=WARNING,
                  hint="remove access_logs (the default is true: logs go to <bucket>-logs)")
