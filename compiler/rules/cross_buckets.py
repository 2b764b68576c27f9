from __future__ import annotations

from typing import Iterator

from .. import names
from ..diagnostics import Finding
from .names_buckets import describe, location

RULE = "bucket-name-duplicate"
DOC = ("Across stacks: S3 bucket names (given or derived, incl. -logs, replica and Config "
       "buckets) are unique (they are global).")
SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"


def _where(stack) -> str:
    return f"{stack.file} (stack {stack.name})"


def check_all(stacks) -> Iterator[tuple]:
    first: dict = {}   # bucket -> (stack, path)
    for stack in stacks:
        if not isinstance(stack.data, dict):
            continue
        for path, bucket in names.buckets(stack.data, stack.env).items():
            if bucket not in first:
                first[bucket] = (stack, path)
                continue
            other, _ = first[bucket]
            if (path[:2] != ("artifacts", "bucket") and other.file != stack.file
                    and other.name == stack.name):
                continue  # derived from a duplicate metadata.name: spec-name-duplicate says it
            same = "this stack" if other is stack else _where(other)
            hint = ("give each environment its own bucket in its overlay, or leave artifacts.bucket "
                    "out to derive <name>-<env>-models" if other.file == stack.file
                    and path[:2] == ("artifacts", "bucket") else "choose another name")
            yield stack, Finding(location(path), RULE,
                                 f"{describe(path, bucket)} is also created by {same}; S3 bucket "
                                 "names are global, each must be unique", hint=hint)
