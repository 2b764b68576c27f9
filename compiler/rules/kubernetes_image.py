"""kubernetes.image is pinned: a tag other than latest, or a @sha256 digest (a registry port such as host:5000 is not a tag).

An image without a tag means ``latest``: a rollback by changing the spec would not change the
running image, so both are errors. A reference that is not a valid image reference is an error too.
"""
from __future__ import annotations

import re
from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE_UNPINNED = "kubernetes-image-unpinned"
RULE_INVALID = "kubernetes-image-invalid"
RULES = {
    RULE_UNPINNED: "kubernetes.image is pinned: a tag other than latest, or a @sha256 digest.",
    RULE_INVALID: "kubernetes.image is a valid image reference ([registry[:port]/]path[:tag][@digest]).",
}
SOURCE = "https://kubernetes.io/docs/concepts/containers/images/"

_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_DIGEST = re.compile(r"^(?P<alg>[a-z0-9]+(?:[+._-][a-z0-9]+)*):(?P<hex>[a-zA-Z0-9=_-]+)$")


def parse(image: str) -> tuple[str | None, str | None, str | None]:
    """(problem, tag, digest) of an image reference; problem is None when it is well formed."""
    name, digest = image, None
    if "@" in image:
        name, digest = image.split("@", 1)
        m = _DIGEST.match(digest)
        if not m:
            return f"the digest '{digest}' is not <algorithm>:<hex>", None, digest
        if m.group("alg") == "sha256" and not re.fullmatch(r"[0-9a-f]{64}", m.group("hex")):
            return "a sha256 digest is 64 lowercase hex characters", None, digest
    if not name or any(c.isspace() for c in image):
        return "it is empty or contains spaces", None, digest
    parts = name.split("/")
    # the first part is a registry host when it looks like one (a dot, a port, or localhost)
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    last = parts[-1]
    tag = None
    if ":" in last:
        last, tag = last.split(":", 1)
        if not _TAG.match(tag):
            return (f"the tag '{tag}' is not valid (letters, digits, _ . -; at most 128; not "
                    "starting with . or -)"), tag, digest
    for component in parts[:-1] + [last]:
        if not _PATH_COMPONENT.match(component):
            return (f"the repository path component '{component}' is not valid (lowercase "
                    "letters, digits and separators . _ -)"), tag, digest
    return None, tag, digest


def check(stack) -> Iterator[Finding]:
    k8s = section(stack, "kubernetes")
    image = k8s.get("image") if k8s else None
    if not isinstance(image, str):
        return
    path = ("kubernetes", "image")
    problem, tag, digest = parse(image)
    if problem:
        yield Finding(path, RULE_INVALID, f"image '{image}' is not a valid image reference: {problem}",
                      hint=f"fix '{image}' ({problem}); the form is "
                           "[registry[:port]/]path[:tag][@digest], lowercase path, e.g. "
                           "registry.example.com/team/model:1.4.2")
    elif digest is None and tag is None:
        yield Finding(path, RULE_UNPINNED,
                      f"image '{image}' has no tag, so it means ':latest' and changes under you; "
                      "pin a version tag or a digest",
                      hint=f"for example {image}:1.0.0 or {image}@sha256:<digest>")
    elif digest is None and tag == "latest":
        yield Finding(path, RULE_UNPINNED,
                      f"image '{image}' uses the tag 'latest', which changes under you and cannot "
                      "be rolled back; pin a version tag or a digest",
                      hint=f"replace the tag 'latest' with a version: "
                           f"{image.rsplit(':', 1)[0]}:1.0.0, or pin a digest (@sha256:...)")
