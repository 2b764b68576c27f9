from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding

RULE = "spec-name-duplicate"
DOC = ("Across specs: metadata.name is unique (it names every resource); the environments of one "
       "file share it.")
SOURCE = None            # mplat's own rule: no AWS or Kubernetes limit behind it


def check_all(stacks) -> Iterator[tuple]:
    first: dict = {}          # name -> file that used it first
    reported: set = set()
    for stack in stacks:
        name = stack.spec_name
        if name is None:
            continue
        owner = first.setdefault(name, stack.file)
        if owner != stack.file and stack.file not in reported:
            reported.add(stack.file)
            yield stack, Finding(("metadata", "name"), RULE,
                                 f"metadata.name '{name}' is already used by {owner}; every spec "
                                 "needs its own name (it names every resource and stack)",
                                 hint="rename one of the specs")
