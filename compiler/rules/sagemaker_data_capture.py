"""sagemaker.data_capture needs artifacts: captured requests are written into the model bucket."""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Finding
from ._common import section

RULE = "sagemaker-data-capture-needs-artifacts"
DOC = ('sagemaker.data_capture needs artifacts: captured requests are written into the model '
       'bucket.')
SOURCE = None            # mplat's own rule: no AWS limit behind it


def check(stack) -> Iterator[Finding]:
    sm = section(stack, "sagemaker")
    if sm is None or not isinstance(sm.get("data_capture"), dict):
        return
    if section(stack, "artifacts") is None:
        yield Finding(("sagemaker", "data_capture"), RULE,
                      "sagemaker.data_capture writes into artifacts.bucket, but there is no "
                      "artifacts section", at="key",
                      hint="add an artifacts section, or remove sagemaker.data_capture")
