"""The surgical edit of a pinned ``version_id``: one scalar replaced, every other byte kept.

The loader (compiler/load.py) records a position for every value, and the overlay
(compiler/overlay.py) keeps, per stack, the position of the value that supplied each path: the base
file's line, or the environment overlay's. At that position YAML's scanner finds the scalar token
(plain, single- or double-quoted) and its exact extent; only those characters are replaced. The new
value keeps the old quoting style when it can, and is quoted when a plain scalar would read as
something else (``null``, ``123``, ``on``, a ``#``...). Block scalars, anchors, aliases and tags at
that position are refused: the edit would not be local.
"""
from __future__ import annotations

import difflib
import json

import yaml

from .errors import OpsError


def _plain_ok(value: str) -> bool:
    """``value`` written plain reads back as the same string, in block and in flow context."""
    if not value or value != value.strip():
        return False
    try:
        return (yaml.safe_load(f"k: {value}\n") == {"k": value}
                and yaml.safe_load(f"{{k: {value}}}\n") == {"k": value})
    except yaml.YAMLError:
        return False


def render(value: str, style: str | None) -> str:
    """``value`` as a YAML scalar, in ``style`` (None plain, ``'`` or ``"``) when that is exact."""
    if style is None and _plain_ok(value):
        return value
    if style == "'" or (style is None and value.isprintable()):
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)   # a JSON string is a YAML double-quoted scalar


def scalar_span(text: str, line: int, col: int, where: str) -> tuple[int, int, str | None]:
    """(start, end, style) of the scalar token that begins at 1-based ``line``:``col``."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            mark = token.start_mark
            if (mark.line, mark.column) < (line - 1, col - 1):
                continue
            if (mark.line, mark.column) > (line - 1, col - 1):
                break
            if isinstance(token, yaml.ScalarToken):
                if token.style in ("|", ">"):
                    raise OpsError(f"{where}: the version_id is a block scalar; write it on one "
                                   "line to let mplat edit it")
                return token.start_mark.index, token.end_mark.index, token.style
            raise OpsError(f"{where}: the version_id is written with an anchor, alias or tag; "
                           "edit it by hand")
    except yaml.YAMLError as exc:
        raise OpsError(f"{where}: cannot scan the file: {exc}") from None
    raise OpsError(f"{where}: no value found at this position (has the file changed?)")


def replace_at(text: str, line: int, col: int, value: str, where: str) -> str:
    start, end, style = scalar_span(text, line, col, where)
    return text[:start] + render(value, style) + text[end:]


def replace_int_at(text: str, line: int, col: int, value: int, where: str) -> str:
    """The integer scalar at ``line``:``col`` (e.g. ``sagemaker.model_package.version``) replaced
    by ``value``, written plain; a quoted scalar there is refused (the schema wants an integer)."""
    start, end, style = scalar_span(text, line, col, where)
    if style is not None:
        raise OpsError(f"{where}: the version is a quoted string; write it as a number")
    return text[:start] + str(int(value)) + text[end:]


def unified_diff(old: str, new: str, name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=name, tofile=name))


def read_text(path) -> str:
    """The file as text with its line endings as they are (positions count these characters)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise OpsError(f"{path}: not UTF-8") from None


def write_text(path, text: str) -> None:
    """Replace the file's content in place (same inode, mode and owner)."""
    with open(path, "r+b") as fh:
        fh.write(text.encode("utf-8"))
        fh.truncate()
