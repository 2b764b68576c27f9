"""Load: YAML text -> plain data plus a 1-based position for every key and value.

Duplicate keys, syntax errors, an empty file and a top level that is not a mapping are reported as
diagnostics. Scalars are resolved as PyYAML's safe loader does (YAML 1.1), and every plain scalar
that YAML 1.1 turned into a boolean from a word such as ``no`` or ``on`` is remembered so that a
later stage can hint to quote it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .diagnostics import Diagnostic, Path, Pos, Positions, at_file

RULE_SYNTAX = "yaml-syntax"
RULE_EMPTY = "yaml-empty"
RULE_TOP_LEVEL = "yaml-top-level"
RULE_DUPLICATE = "yaml-duplicate-key"
RULE_UNREADABLE = "file-unreadable"
RULE_KEY_TYPE = "yaml-key-type"
RULE_ALIAS = "yaml-alias"
RULE_DEPTH = "yaml-depth"
MAX_NODES = 50_000   # a spec has a few hundred; aliases of aliases could expand without end
MAX_DEPTH = 64       # a spec nests ~6 deep; composing much deeper overflows the stack


class _AliasProblem(Exception):
    def __init__(self, node: yaml.Node, message: str):
        super().__init__(message)
        self.node, self.message = node, message

# plain scalars that YAML 1.1 reads as booleans although they look like words
_TRUE_FALSE = {"true", "false"}


@dataclass
class Document:
    """One loaded spec file."""

    file: str
    data: Any
    positions: Positions
    # path -> the unquoted word YAML 1.1 read as a boolean ("no", "on", "Yes", ...)
    bool_words: dict = field(default_factory=dict)


# libyaml's parser (C) when PyYAML was built with it: 5-10x faster than the pure-Python one, with
# the same nodes, marks and scalar resolution (YAML 1.1). The pure-Python one is the fallback.
_Base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


class _Loader(_Base):
    """Safe loader; only used for composing nodes and resolving scalars."""


def _pos(file: str, mark) -> Pos:
    return Pos(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, file: str, loader: _Loader):
        self.file = file
        self.loader = loader
        self.positions = Positions(root=Pos(file, 1, 1))
        self.bool_words: dict = {}
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.open: set[int] = set()      # collection nodes being built (a repeat is a cycle)

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _AliasProblem(node, f"the document expands to more than {MAX_NODES:,} values "
                                      "(aliases of aliases?)")
        self.positions.values[path] = _pos(self.file, node.start_mark)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if id(node) in self.open:
                raise _AliasProblem(node, "an alias refers to a node that contains it (a cycle)")
            self.open.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, path)
                return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
            finally:
                self.open.discard(id(node))
        value = self.loader.construct_object(node, deep=True)
        if (isinstance(value, bool) and not node.style  # plain: None (Python parser) or "" (libyaml)
                and str(node.value).lower() not in _TRUE_FALSE):
            self.bool_words[path] = node.value
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        out: dict = {}
        first_seen: dict = {}
        for key_node, value_node in node.value:
            key_pos = _pos(self.file, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(at_file(
                    self.file, RULE_KEY_TYPE, "a mapping key must be a plain string",
                    line=key_pos.line, col=key_pos.col, hint="write the key as a plain word"))
                continue
            key = self.loader.construct_object(key_node)
            if not isinstance(key, str):
                # `on: x`, `123: x`: keys are names in this language, keep them as written
                key = str(key_node.value)
            if key in first_seen:
                first = first_seen[key]
                self.diagnostics.append(at_file(
                    self.file, RULE_DUPLICATE,
                    f"duplicate key '{key}' (first defined at line {first.line})",
                    line=key_pos.line, col=key_pos.col,
                    hint="remove one of them; YAML would silently keep only the last"))
                continue
            first_seen[key] = key_pos
            child = path + (key,)
            self.positions.keys[child] = key_pos
            out[key] = self.build(value_node, child)
        return out


def _syntax_diagnostic(file: str, exc: yaml.YAMLError) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return at_file(file, RULE_SYNTAX, message, line=line, col=col,
                   hint="check indentation, colons and quotes around this line")


def _too_deep(text: str, file: str) -> Diagnostic | None:
    """Nesting deeper than MAX_DEPTH, found with the (non-recursive) event parser; it only runs
    when the text could nest that deep (many brackets or a deep indentation)."""
    brackets = text.count("[") + text.count("{")
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    if brackets <= MAX_DEPTH and indent <= MAX_DEPTH:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Base):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    pos = _pos(file, event.start_mark)
                    return at_file(file, RULE_DEPTH, f"values nest more than {MAX_DEPTH} levels deep",
                                   line=pos.line, col=pos.col,
                                   hint="a spec nests a few levels; check for unbalanced brackets")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None   # the composer reports the syntax error with its position
    return None


def load_text(text: str, file: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one spec. Returns the document (None when it cannot be used) and diagnostics."""
    deep = _too_deep(text, file)
    if deep is not None:
        return None, [deep]
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            return None, [_syntax_diagnostic(file, exc)]
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            return None, [at_file(file, RULE_EMPTY, "the file is empty",
                                  hint="start from one of the example specs in specs/")]
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            pos = _pos(file, node.start_mark)
            return None, [at_file(file, RULE_TOP_LEVEL,
                                  f"the top level must be a mapping of sections, not {kind}",
                                  line=pos.line, col=pos.col,
                                  hint="begin with 'apiVersion: mplat/v1' and 'kind: ModelPlatform'")]
        builder = _Builder(file, loader)
        try:
            data = builder.build(node, ())
        except yaml.YAMLError as exc:  # e.g. a bad !!tag or an invalid merge key
            return None, [_syntax_diagnostic(file, exc)]
        except _AliasProblem as exc:
            pos = _pos(file, exc.node.start_mark)
            return None, [at_file(file, RULE_ALIAS, exc.message, line=pos.line, col=pos.col,
                                  hint="write the values out, or use anchors only for small, "
                                       "non-nested reuse")]
        doc = Document(file, data, builder.positions, builder.bool_words)
        return doc, builder.diagnostics
    finally:
        loader.dispose()


def load_file(path: str, display: str | None = None) -> tuple[Document | None, list[Diagnostic]]:
    display = display or path
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return None, [at_file(display, RULE_UNREADABLE, f"cannot read the file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [at_file(display, RULE_UNREADABLE,
                              f"the file is not UTF-8 (byte {exc.start})",
                              hint="save the file as UTF-8")]
    return load_text(text, display)


# the rule ids this stage reports, with their one-line documentation (`mplat rules`)
RULES_DOC = {
    RULE_UNREADABLE: "The file cannot be read, or is not UTF-8 text.",
    RULE_SYNTAX: "The file is not valid YAML (the position of the first syntax error is given).",
    RULE_EMPTY: "The file is empty or holds only comments.",
    RULE_TOP_LEVEL: "The top level of a spec must be a mapping of sections.",
    RULE_DUPLICATE: "A key appears twice in one mapping (YAML would silently keep the last).",
    RULE_KEY_TYPE: "A mapping key is not a plain scalar.",
    RULE_ALIAS: "An alias makes the document cyclic, or expand beyond 50,000 values.",
    RULE_DEPTH: "Values nest more than 64 levels deep.",
}
