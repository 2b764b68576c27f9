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


def _compose(text: str, where: str):
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise OpsError(f"{where}: cannot parse the file: {exc}") from None


def _child(node, key: str):
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key),
                None)


def set_in_overlay(text: str, env: str, path: tuple[str, ...], value: str, where: str) -> str:
    """``text`` with ``environments.<env>.<path>`` set to ``value``: the remaining keys are added
    under the deepest mapping the overlay already has (one new line in a block mapping, or inside a
    flow mapping's braces); every other byte is kept. The value at ``path`` must not exist yet
    (``replace_at`` edits one that does)."""
    root = _compose(text, where)
    node = _child(_child(root, "environments"), env)
    if not isinstance(node, yaml.MappingNode):
        raise OpsError(f"{where}: environment '{env}' is not a mapping (write it as "
                       f"'{env}: {{}}' to let mplat add its own pin)")
    depth = 0
    while depth < len(path) - 1:
        inner = _child(node, path[depth])
        if inner is None:
            break
        if not isinstance(inner, yaml.MappingNode):
            raise OpsError(f"{where}: environments.{env}.{'.'.join(path[:depth + 1])} is not a "
                           "mapping; add the pin by hand")
        node, depth = inner, depth + 1
    rest = path[depth:]
    expr = render(value, None)
    for key in reversed(rest[1:]):
        expr = f"{{{key}: {expr}}}"
    entry = f"{rest[0]}: {expr}"
    newline = "\r\n" if "\r\n" in text else "\n"
    if node.flow_style:
        close = node.end_mark.index - 1                      # the '}'
        if text[close] != "}":
            raise OpsError(f"{where}: cannot find the end of environments.{env}; add the pin by "
                           "hand")
        sep = ", " if node.value else ""
        return text[:close] + sep + entry + text[close:]
    if not node.value:
        raise OpsError(f"{where}: environments.{env} is empty; add the pin by hand")
    indent = node.value[0][0].start_mark.column
    last = node.value[-1][1].end_mark
    line_end = text.find("\n", last.index if last.column else last.index - 1)
    insert = len(text) if line_end < 0 else line_end + 1
    prefix = "" if insert == len(text) and text.endswith("\n") or insert < len(text) else newline
    return text[:insert] + prefix + " " * indent + entry + newline + text[insert:]
