"""Safe YAML reading that keeps the line of every key.

The YAML is composed into a node tree with PyYAML's safe loader and turned into plain values here
(never by PyYAML's constructors), so tags cannot build objects, aliases cannot blow up memory,
duplicate keys are caught, and every key keeps the line it stands on for messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic_core import ErrorDetails

from taskgate.config.messages import show
from taskgate.errors import ConfigError, Problem, unreadable_path

MAX_CONFIG_BYTES = 1_000_000
MAX_EXPANDED_VALUES = 10_000
MAX_DEPTH = 32
"""Deepest nesting a config may have; its own keys go at most five levels down."""
Loc = tuple[str | int, ...]

# --- -------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
# `value` is what PyYAML calls a plain `=`; timestamps are kept as the text written.
_SCALAR_TAGS = {
    f"{_TAG}{name}" for name in ("null", "bool", "int", "float", "str", "timestamp", "value")
}
_ALLOWED_TAGS = _SCALAR_TAGS | {f"{_TAG}seq", f"{_TAG}map"}
# YAML 1.2 reads 1e-3 as a number; PyYAML (YAML 1.1) reads it as text.
_EXPONENT_NUMBER = re.compile(r"[-+]?(\d[\d_]*\.?\d*|\.\d+)[eE][-+]?\d+")
_NUMBERS = yaml.constructor.SafeConstructor()


def _unreadable(source: str, message: str, line: int | None = None) -> ConfigError:
    problem = Problem(source=source, line=line, field=None, message=message)
    return ConfigError([problem], headline=f"{source}: the config cannot be read")


_NO_CONFIG = "no such file; check the path, or run 'taskgate init' to write a starter config"


def _read_text(path: Path) -> str:
    source = str(path)
    try:
        with path.open("rb") as handle:  # never all of /dev/zero
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        message = unreadable_path(error, "give the path of a YAML file", _NO_CONFIG)
        raise _unreadable(source, message) from None
    if len(data) > MAX_CONFIG_BYTES:
        message = (
            f"the file is larger than {MAX_CONFIG_BYTES:,} bytes, the most a config may take "
            "(a full config is about 5 KB); check that this is the config"
        )
        raise _unreadable(source, message)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _unreadable(source, "the file is not UTF-8 text; save it as UTF-8", line) from None


def _compose(text: str, source: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise _invalid(source, line, f"not valid YAML: {_yaml_problem(error)}") from None
    except yaml.YAMLError as error:
        line = text[: getattr(error, "position", 0)].count("\n") + 1
        raise _invalid(source, line, f"not valid YAML: {str(error).splitlines()[0]}") from None
    except RecursionError:
        message = f"the YAML is nested too deeply to read; a config nests at most {MAX_DEPTH}"
        raise _invalid(source, None, f"{message}, so flatten it") from None


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "syntax error"
    if error.context and problem.startswith("but "):  # "expected a single document..., but..."
        return f"{error.context}, {problem}"
    return problem


def _invalid(source: str, line: int | None, message: str) -> ConfigError:
    problem = Problem(source=source, line=line, field=None, message=message)
    return ConfigError([problem], headline=f"{source}: the config is not valid")


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value


@dataclass(frozen=True)
class _Shape:
    depth: int
    """Levels of nesting once aliases are expanded."""
    values: int
    """Values once aliases are expanded (capped just above MAX_EXPANDED_VALUES)."""
    aliased: bool
    """Whether some node is used more than once (an alias)."""


def _shape(root: yaml.Node) -> _Shape:
    """The document's size and depth with aliases expanded, without expanding them.

    Iterative and memoised over the node graph: a recursive walk is what a deep or aliased
    document would exhaust the stack or the memory with. An alias inside its own anchor
    never ends, so it counts as too many values."""
    depth: dict[int, int] = {}
    values: dict[int, int] = {}
    seen_twice = False
    open_nodes: set[int] = set()
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        key = id(node)
        if children_done:
            children = list(_children(node))
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            total = 1 + sum(values[id(c)] for c in children)
            values[key] = min(total, MAX_EXPANDED_VALUES + 1)
            open_nodes.discard(key)
            continue
        if key in depth:
            seen_twice = True
            continue
        if key in open_nodes:  # reached again inside itself
            return _Shape(0, MAX_EXPANDED_VALUES + 1, True)
        open_nodes.add(key)
        pending.append((node, True))
        pending += [(child, False) for child in _children(node) if id(child) not in depth]
        seen_twice = seen_twice or any(id(child) in depth for child in _children(node))
    return _Shape(depth[id(root)], values[id(root)], seen_twice)


def _tag_refused(tag: str) -> str:
    shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    return f"YAML tags such as '{shown}' are not allowed; remove the tag"


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _field_name(loc: Loc) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else part
    return name


def _scalar(node: yaml.ScalarNode) -> object:
    text: str = node.value
    tag = node.tag[len(_TAG) :]
    if tag == "null":
        return None
    if tag == "bool":  # only true/false: YAML 1.1's yes/no/on/off stay words (level: off)
        return text.lower() == "true" if text.lower() in ("true", "false") else text
    try:
        if tag == "int":
            return _NUMBERS.construct_yaml_int(node)
        if tag == "float":
            return _NUMBERS.construct_yaml_float(node)
    except ValueError:
        return text
    if node.style is None and _EXPONENT_NUMBER.fullmatch(text):
        return float(text.replace("_", ""))
    return text


class _Document:
    """Builds plain values from the node tree, noting each key's line and each YAML problem."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[Loc, int] = {}
        self.problems: list[Problem] = []
        self.skipped: set[Loc] = set()

    def read(self, root: yaml.Node | None) -> dict[str, object]:
        if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == f"{_TAG}null"):
            return {}
        self._check_shape(root)
        data = self._value(root, ())
        if isinstance(data, dict) or () in self.skipped:
            return data if isinstance(data, dict) else {}
        raise _invalid(
            self.source,
            _line(root),
            f"the config must be a mapping of keys such as 'version' and 'gate', got {show(data)}",
        )

    def _check_shape(self, root: yaml.Node) -> None:
        shape = _shape(root)
        if shape.values > MAX_EXPANDED_VALUES:
            message = (
                f"YAML aliases (*name) expand this config to more than {MAX_EXPANDED_VALUES:,} "
                "values; write the values out instead of using aliases"
                if shape.aliased
                else f"the config holds more than {MAX_EXPANDED_VALUES:,} values, the most "
                "taskgate reads (a full config has about 100); check that this is the config"
            )
            raise _invalid(self.source, _line(root), message)
        if shape.depth > MAX_DEPTH:
            raise _invalid(
                self.source,
                _line(root),
                f"the YAML is nested {shape.depth} levels deep; a config nests at most "
                f"{MAX_DEPTH}, so flatten it",
            )

    def _report(self, node: yaml.Node, loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.source, _line(node), _field_name(loc) or None, message))

    def _value(self, node: yaml.Node, loc: Loc) -> object:
        if node.tag not in _ALLOWED_TAGS:
            self._report(node, loc, _tag_refused(node.tag))
            self.skipped.add(loc)
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self._item(item, (*loc, index)) for index, item in enumerate(node.value)]
        return _scalar(node) if isinstance(node, yaml.ScalarNode) else None

    def _item(self, node: yaml.Node, loc: Loc) -> object:
        self.lines[loc] = _line(node)
        return self._value(node, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, loc)
            if key is None:
                continue
            here = (*loc, key)
            if key in result:  # PyYAML would silently keep the last one
                first = self.lines[here]
                self._report(
                    key_node, here, f"duplicate key '{key}' (also on line {first}); keep only one"
                )
            self.lines[here] = _line(key_node)
            result[key] = self._value(value_node, here)
        return result

    def _key(self, node: yaml.Node, loc: Loc) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self._report(node, loc, "a key must be a plain word, not a list or a mapping")
        elif node.tag == f"{_TAG}merge":
            self._report(node, loc, "merge keys ('<<') are not supported; write the keys out")
        elif node.tag not in _SCALAR_TAGS:
            self._report(node, loc, _tag_refused(node.tag))
        else:
            return str(node.value)
        return None

    def add_validation_errors(
        self, errors: list[ErrorDetails], describe: Callable[[ErrorDetails], str]
    ) -> None:
        """Turn pydantic's errors into problems, except under values refused while reading."""
        for error in errors:
            loc: Loc = tuple(part for part in error["loc"] if part != "[key]")
            if not any(loc[: len(skipped)] == skipped for skipped in self.skipped):
                self.problems.append(
                    Problem(
                        self.source, self._line_of(loc), _field_name(loc) or None, describe(error)
                    )
                )

    def _line_of(self, loc: Loc) -> int | None:
        """The line of the key, or of its nearest parent when the key is missing."""
        return next(
            (self.lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in self.lines), None
        )


def read_yaml_mapping(path: Path) -> tuple[_Document, dict[str, object]]:
    """Read a YAML file into plain values; the document keeps lines and problems found."""
    source = str(path)
    document = _Document(source)
    return document, document.read(_compose(_read_text(path), source))
