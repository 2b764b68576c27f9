"""metadata.tags: AWS tag limits, counting the 3 tags the compiler adds (Owner, ManagedBy, Stack).

Keys are 1-128 characters, values 0-256, both only letters, digits, spaces and ``_ . : / = + @ -``;
keys must not start with ``aws:`` (any case: AWS reserves it); the keys the compiler sets itself
(Owner, ManagedBy, Stack) cannot be given; and a resource carries at most 50 tags, so at most 47
may be given here.
"""
from __future__ import annotations

import unicodedata
from typing import Iterator

from .. import names
from ..diagnostics import Finding
from ._common import section

RULE_KEY = "tag-key-invalid"
RULE_VALUE = "tag-value-invalid"
RULE_AWS = "tag-aws-prefix"
RULE_RESERVED = "tag-reserved-key"
RULE_LIMIT = "tag-limit"
RULES = {
    RULE_KEY: "A tag key is 1-128 characters of letters, digits, spaces and _ . : / = + @ -.",
    RULE_VALUE: "A tag value is 0-256 characters of letters, digits, spaces and _ . : / = + @ -.",
    RULE_AWS: "A tag key must not start with 'aws:' in any case (reserved by AWS).",
    RULE_RESERVED: "The tags the compiler sets (Owner, ManagedBy, Stack) cannot be given in "
                   "metadata.tags.",
    RULE_LIMIT: "At most 50 tags per resource, counting the 3 the compiler adds: at most 47 in metadata.tags.",
}
SOURCE = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"

MAX_TAGS = 50
_EXTRA = set("_.:/=+@-")


def bad_chars(text: str) -> list[str]:
    """Characters AWS does not allow in tags (allowed: letters, digits, spaces, ``_ . : / = + @ -``)."""
    out = []
    for c in text:
        cat = unicodedata.category(c)
        if c in _EXTRA or cat[0] in "LN" or cat[0] == "Z":
            continue
        if c not in out:
            out.append(c)
    return out


def _without(text: str, bad: list[str]) -> str:
    return "".join(c for c in text if c not in bad)


def check(stack) -> Iterator[Finding]:
    meta = section(stack, "metadata")
    tags = meta.get("tags") if meta else None
    if not isinstance(tags, dict):
        return
    allowed = "letters, digits, spaces and _ . : / = + @ -"
    for key, value in tags.items():
        path = ("metadata", "tags", key)
        key = str(key)
        if not 1 <= len(key) <= 128:
            yield Finding(path, RULE_KEY, f"tag key '{key[:40]}...' is {len(key)} characters long "
                          "(allowed: 1-128)", at="key", hint="shorten the key")
        bad = bad_chars(key)
        if bad:
            yield Finding(path, RULE_KEY, f"tag key '{key}' contains "
                          + ", ".join(repr(c) for c in bad) + f" (allowed: {allowed})", at="key",
                          hint=f"remove {', '.join(repr(c) for c in bad)} from the key: "
                               f"'{_without(key, bad)}'")
        if key.lower().startswith("aws:"):
            yield Finding(path, RULE_AWS, f"tag key '{key}' starts with 'aws:', which AWS reserves "
                          "for its own tags", at="key",
                          hint=f"drop the 'aws:' prefix: '{key[4:] or 'team'}'")
        if key in names.COMPILER_TAG_KEYS:
            yield Finding(path, RULE_RESERVED, f"tag '{key}' is set by the compiler on every resource "
                          f"(keys it sets: {', '.join(names.COMPILER_TAG_KEYS)})", at="key",
                          hint="remove it (Owner comes from metadata.owner)" if key == "Owner"
                          else "remove it or choose another key")
        if isinstance(value, str):
            if len(value) > 256:
                yield Finding(path, RULE_VALUE, f"the value of tag '{key}' is {len(value)} characters "
                              "long (allowed: 0-256)", hint="shorten the value")
            bad = bad_chars(value)
            if bad:
                yield Finding(path, RULE_VALUE, f"the value of tag '{key}' contains "
                              + ", ".join(repr(c) for c in bad) + f" (allowed: {allowed})",
                              hint=f"remove {', '.join(repr(c) for c in bad)} from the value: "
                                   f"'{_without(value, bad)}'")
    total = len(set(map(str, tags)) | set(names.COMPILER_TAG_KEYS))
    if total > MAX_TAGS:
        yield Finding(("metadata", "tags"), RULE_LIMIT,
                      f"metadata.tags has {len(tags)} tags; with the {len(names.COMPILER_TAG_KEYS)} "
                      f"the compiler adds ({', '.join(names.COMPILER_TAG_KEYS)}) that is {total}, "
                      f"more than the {MAX_TAGS} AWS allows on a resource",
                      at="key", hint=f"give at most {MAX_TAGS - len(names.COMPILER_TAG_KEYS)} tags")
