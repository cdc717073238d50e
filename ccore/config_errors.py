"""Configuration problems as an admin reads them: file, line, key path, what was expected.

``ConfigError`` carries every problem found (not just the first). ``problems_from_validation``
turns a pydantic ``ValidationError`` into problems with lines found by ``ccore.config_lines``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from ccore.config_lines import KeyLines, KeyPath
from ccore.config_routing import ACTION_NAMES

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a configuration file."""

    file: Path
    line: int | None
    key_path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file.name}:{self.line}" if self.line is not None else self.file.name
        if not self.key_path:
            return f"{where}: {self.message}"
        return f"{where}: {self.key_path}: {self.message}"


class ConfigError(ValueError):
    """A configuration file could not be used; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[ConfigProblem]) -> None:
        self.errors: list[ConfigProblem] = list(errors)
        if len(self.errors) == 1:
            text = str(self.errors[0])
        else:
            file = self.errors[0].file.name if self.errors else "configuration"
            lines = "\n".join(f"  {problem}" for problem in self.errors)
            text = f"{len(self.errors)} problems in {file}:\n{lines}"
        super().__init__(text)


def format_key_path(path: KeyPath) -> str:
    """Format ``("queues", 1, "strategy")`` as ``queues[1].strategy`` (odd keys quoted)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        key = part if _BARE_KEY.match(part) else json.dumps(part, ensure_ascii=False)
        text += f".{key}" if text else key
    return text


def parse_key_path(text: str) -> KeyPath:
    """Parse ``queues[1].strategy`` or ``ivr.main.options."*"`` into a path tuple."""
    path: list[str | int] = []
    pattern = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_-]+)|\[(\d+)\])\s*(\.)?')
    pos = 0
    while pos < len(text):
        match = pattern.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"not a key path: {text!r}")
        quoted, bare, index = match.group(1), match.group(2), match.group(3)
        if index is not None:
            path.append(int(index))
        else:
            path.append(json.loads(f'"{quoted}"') if quoted is not None else bare)
        pos = match.end()
    return tuple(path)


def data_path(data: Any, loc: tuple[str | int, ...]) -> KeyPath:
    """Map a pydantic error location onto the keys of the input data.

    Pydantic adds union member tags (``"queue"`` for ``action = "queue"``, ``"list[...]"``)
    to locations; they are not keys in the file and are dropped here.
    """
    path: list[str | int] = []
    current = data
    for index, element in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(current, Mapping):
            if element in ACTION_NAMES and current.get("action") == element and not last:
                continue
            if element in current:
                path.append(element)
                current = current[element]
            elif last:
                path.append(element)  # a missing key
        elif isinstance(current, list) and isinstance(element, int) and 0 <= element < len(current):
            path.append(element)
            current = current[element]
    return tuple(path)


def _got(value: Any) -> str:
    """Show a value as it looks in TOML."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return repr(value)


_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def _choices(expected: str) -> str:
    """Turn pydantic's ``'a', 'b' or 'c'`` into ``a, b, c``."""
    parts = (part.strip().strip("'") for part in re.split(r",| or ", expected))
    return ", ".join(part for part in parts if part)


def explain(error: Mapping[str, Any], known_keys: Iterable[str] = ()) -> str:
    """Return a plain-words message for one pydantic error (what was expected, what was got)."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        known = list(known_keys)
        if key in known:
            return f'"{key}" does not belong in this table (is it under the wrong [header]?)'
        close = difflib.get_close_matches(key, known, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        return f'unknown key "{key}"{hint}'
    if kind == "literal_error":
        return f"expected one of {_choices(str(ctx.get('expected', '')))}; got {_got(value)}"
    if kind == "union_tag_invalid":
        expected = _choices(str(ctx.get("expected_tags", "")))
        return f"expected action one of {expected}; got {_got(ctx.get('tag'))}"
    if kind == "union_tag_not_found":
        return f'expected an "action" key (one of {", ".join(ACTION_NAMES)})'
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number; got {_got(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false; got {_got(value)}"
    if kind in ("string_type",):
        return f"expected a text in quotes; got {_got(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a table; got {_got(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected an array; got {_got(value)}"
    if kind in _BOUNDS:
        bound, words = _BOUNDS[kind]
        return f"expected {words} {ctx.get(bound)}; got {_got(value)}"
    if kind in ("too_short", "string_too_short"):
        unit = "characters" if kind.startswith("string") else "entries"
        return f"expected at least {ctx.get('min_length')} {unit}; got {_got(value)}"
    if kind in ("too_long", "string_too_long"):
        unit = "characters" if kind.startswith("string") else "entries"
        return f"expected at most {ctx.get('max_length')} {unit}; got {_got(value)}"
    message = str(error["msg"])
    return f"{message[:1].lower()}{message[1:]}; got {_got(value)}"


def problems_from_validation(
    error: ValidationError,
    data: Any,
    file: Path,
    key_lines: KeyLines,
    *,
    prefix: KeyPath = (),
    model: type[BaseModel] | None = None,
) -> list[ConfigProblem]:
    """Turn a pydantic ValidationError about ``data`` into problems with file, line and key."""
    known = sorted(model_keys(model)) if model is not None else []
    by_path: dict[KeyPath, list[str]] = {}
    kinds: dict[KeyPath, set[str]] = {}
    for item in error.errors(include_url=False):
        path = (*prefix, *data_path(data, tuple(item["loc"])))
        message = explain(item, known)
        messages = by_path.setdefault(path, [])
        kinds.setdefault(path, set()).add(item["type"])
        if message not in messages:
            messages.append(message)
    return [
        ConfigProblem(file, key_lines.line_for(path), format_key_path(path), " or ".join(messages))
        for path, messages in by_path.items()
        if not _other_union_branch(path, kinds)
    ]


# Errors that only say "this value is not of that shape"; when a union's other branch has a
# precise complaint deeper inside the same value, that complaint is the one worth showing.
_SHAPE_ERRORS = frozenset(
    {"literal_error", "string_type", "list_type", "dict_type", "model_type", "int_type"}
)


def _other_union_branch(path: KeyPath, kinds: Mapping[KeyPath, set[str]]) -> bool:
    if not kinds[path] <= _SHAPE_ERRORS:
        return False
    return any(len(other) > len(path) and other[: len(path)] == path for other in kinds)


def model_keys(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Return every key name (by alias) used anywhere in a model tree, for spelling hints."""
    seen = set() if seen is None else seen
    if model in seen:
        return set()
    seen.add(model)
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        keys.add(info.alias or name)
        for candidate in _models_in(info.annotation):
            keys |= model_keys(candidate, seen)
    return keys


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for argument in get_args(annotation):
        found.extend(_models_in(argument))
    return found
