"""S3 bucket names, given or derived (incl. -logs, replica and Config buckets), follow the S3 naming rules.

Rules: 3-63 characters; lowercase letters, digits, ``-`` and ``.``; start and end with a letter or
digit; no ``..``, ``.-`` or ``-.``; not shaped like an IP address; none of the reserved prefixes
(``xn--``, ``sthree-``, ``amzn-s3-demo-``) or suffixes (``-s3alias``, ``--ol-s3``, ``--x-s3``,
``.mrap``). A warning for dots: virtual-hosted HTTPS URLs break on them.
"""
from __future__ import annotations

import re
from typing import Iterator

from .. import names
from ..diagnostics import WARNING, Finding

RULE = "bucket-name-invalid"
RULE_DOTS = "bucket-name-dots"
RULES = {
    RULE: "S3 bucket names, given or derived (incl. -logs, replica and Config buckets), follow the "
          "S3 naming rules.",
    RULE_DOTS: "A bucket name contains dots (TLS on virtual-hosted-style URLs breaks): a warning.",
}
SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"

RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", "--x-s3", ".mrap")
_IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def problems(bucket: str) -> list[str]:
    """Why ``bucket`` is not a valid S3 bucket name (empty when it is)."""
    out = []
    if not 3 <= len(bucket) <= 63:
        out.append(f"is {len(bucket)} characters long (allowed: 3-63)")
    bad = sorted(set(c for c in bucket if not re.match(r"[a-z0-9.-]", c)))
    if bad:
        out.append("contains " + ", ".join(repr(c) for c in bad)
                   + " (allowed: lowercase letters, digits, '-' and '.')")
    if bucket and not re.match(r"[a-z0-9]", bucket[0]):
        out.append("must start with a lowercase letter or digit")
    if bucket and not re.match(r"[a-z0-9]", bucket[-1]):
        out.append("must end with a lowercase letter or digit")
    for seq in ("..", ".-", "-."):
        if seq in bucket:
            out.append(f"contains '{seq}'")
    if _IP.match(bucket):
        out.append("is shaped like an IP address")
    for prefix in RESERVED_PREFIXES:
        if bucket.startswith(prefix):
            out.append(f"starts with the reserved prefix '{prefix}'")
    for suffix in RESERVED_SUFFIXES:
        if bucket.endswith(suffix):
            out.append(f"ends with the reserved suffix '{suffix}'")
    return out


def location(path: tuple) -> tuple:
    """The spec path to report for a bucket of ``names.buckets`` (without its "(logs)" marker)."""
    return tuple(p for p in path if not (isinstance(p, str) and p.startswith("(")))


def describe(path: tuple, bucket: str) -> str:
    """How a bucket of ``names.buckets`` came to be, for messages."""
    if path == ("artifacts", "bucket"):
        return f"artifacts.bucket '{bucket}'"
    if path == ("artifacts",):
        return f"the derived model bucket '{bucket}'"
    if path[-1] == "(logs)" and path[0] == "artifacts":
        return f"the access-log bucket '{bucket}' (<bucket>-logs)"
    if path == ("artifacts", "replica_region"):
        return f"the replica bucket '{bucket}' (<bucket>-replica)"
    if path == ("config_recorder", "recorder"):
        return f"the derived AWS Config bucket '{bucket}'"
    if path[0] == "config_recorder":
        return f"the AWS Config access-log bucket '{bucket}'"
    return f"bucket '{bucket}'"


def _fixed(bucket: str) -> str:
    """``bucket`` with the fixable characters fixed: lowercase, '_' and other marks as '-'."""
    out = re.sub(r"[^a-z0-9.-]", "-", bucket.lower())
    return re.sub(r"-{2,}", "-", re.sub(r"\.-|-\.|\.\.", "-", out)).strip("-.")


def _hint(path: tuple, bucket: str, data: dict) -> str:
    """A fix for the part that failed: the characters (with the name written without them), the
    length (by how much, and which field to shorten), a prefix or a suffix."""
    given = path[0] == "artifacts" and isinstance(data["artifacts"].get("bucket"), str)
    field = "artifacts.bucket" if given else "metadata.name"
    source = str(data["artifacts"]["bucket"] if given else data["metadata"]["name"])
    bad = sorted(set(c for c in bucket if not re.match(r"[a-z0-9.-]", c)))
    if bad:
        upper = [c for c in bad if c.isupper()]
        other = [c for c in bad if not c.isupper()]
        parts = ([f"lowercase {', '.join(repr(c) for c in upper)}"] if upper else []) + \
            ([f"replace {', '.join(repr(c) for c in other)} with '-'"] if other else [])
        return f"in {field}: {' and '.join(parts)}, e.g. '{_fixed(source)}'"
    if len(bucket) > 63:
        over = len(bucket) - 63
        why = "" if given else (" (derived: <name>[-<env>]-models[-<account_id>], plus -logs "
                                "and -replica; or set artifacts.bucket)"
                                if path[0] == "artifacts" else
                                " (derived: <name>[-<env>]-config[-<account_id>] and -logs; or "
                                "use recorder: existing)")
        return f"shorten {field} by at least {over} character(s){why}"
    if len(bucket) < 3:
        return f"lengthen {field} to at least 3 characters"
    for prefix in RESERVED_PREFIXES:
        if bucket.startswith(prefix):
            return f"{field} must not start with '{prefix}' (reserved by S3): rename it"
    for suffix in RESERVED_SUFFIXES:
        if bucket.endswith(suffix):
            return f"{field} must not end with '{suffix}' (reserved by S3): rename it"
    if _IP.match(bucket):
        return f"{field} must not look like an IP address: use letters, e.g. 'models-{bucket.replace('.', '-')}'"
    return f"in {field}: start and end with a lowercase letter or digit and do not put '.' next " \
           f"to '.' or '-', e.g. '{_fixed(source)}'"


def check(stack) -> Iterator[Finding]:
    if not isinstance(stack.data, dict):
        return
    for path, bucket in names.buckets(stack.data, stack.env).items():
        found = problems(bucket)
        if found:
            yield Finding(location(path), RULE, f"{describe(path, bucket)} " + "; ".join(found),
                          hint=_hint(path, bucket, stack.data))
        elif "." in bucket and path == ("artifacts", "bucket"):
            yield Finding(path, RULE_DOTS,
                          f"{describe(path, bucket)} contains dots: HTTPS on virtual-hosted-style "
                          "URLs (bucket.s3.amazonaws.com) fails the certificate check",
                          severity=WARNING,
                          hint=f"use '-' instead of '.': '{bucket.replace('.', '-')}'")
