"""Config edits from the control API: a batch validated as a whole, then saved with comments.

A batch is a list of edits (``set``, ``remove``, ``append``) applied to a draft of center.toml;
the draft is validated once at the end (so a batch may pass through states that would not be
valid on their own, e.g. setting ``max_wait`` and its ``overflow`` together). Only a valid
result replaces the document and is written to disk; the running center takes it on
``config.apply``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import NonExistentKey

from ccore.config import CenterConfig, ConfigError, parse_center
from ccore.config_document import append_table, delete_in, set_in
from ccore.config_errors import format_key_path, parse_key_path
from ccore.config_lines import KeyPath
from ccore.control.protocol import CONFLICT, INVALID_ARGS, INVALID_CONFIG, CommandFailed

EDIT_OPS = ("set", "remove", "append")


def key_path(value: Any, where: str) -> KeyPath:
    """Accept ``"queues[0].name"`` or ``["queues", 0, "name"]`` as a key path."""
    if isinstance(value, str):
        try:
            path = parse_key_path(value)
        except ValueError as error:
            raise CommandFailed(INVALID_ARGS, f"{where}: {error}") from None
    elif isinstance(value, list) and all(isinstance(p, str | int) for p in value):
        path = tuple(value)
    else:
        raise CommandFailed(INVALID_ARGS, f"{where}: expected a key path such as queues[0].name")
    if not path:
        raise CommandFailed(INVALID_ARGS, f"{where}: the key path is empty")
    return path


def problems_of(error: ConfigError) -> list[dict[str, Any]]:
    """The problems of a ConfigError as API details (key, line, message)."""
    return [
        {"key": problem.key_path, "line": problem.line, "message": problem.message}
        for problem in error.errors
    ]


def invalid_config(error: ConfigError) -> CommandFailed:
    """Turn a ConfigError into the API's ``invalid_config`` (or ``conflict``) failure."""
    details = problems_of(error)
    if any("changed on disk" in problem["message"] for problem in details):
        return CommandFailed(
            CONFLICT, "center.toml was changed by someone else; reload it and edit again"
        )
    return CommandFailed(INVALID_CONFIG, str(error), details)


def toml_value(path: KeyPath, value: Any) -> Any:
    """JSON has no dates: ISO date strings under a ``holidays`` key become TOML dates."""
    if "holidays" in path and isinstance(value, list):
        return [_date(item) for item in value]
    if len(path) > 1 and path[-2] == "holidays":
        return _date(value)
    return value


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # validation names the key and says what to write
    return value


def apply_edits(config: CenterConfig, edits: Sequence[Mapping[str, Any]]) -> None:
    """Apply a batch of edits to ``config``, validate the result, adopt it and save it."""
    draft = tomlkit.parse(config.document.as_string())
    for number, edit in enumerate(edits):
        where = f"edits[{number}]"
        if not isinstance(edit, Mapping):
            raise CommandFailed(INVALID_ARGS, f"{where}: expected an object with op and path")
        op = edit.get("op")
        if op not in EDIT_OPS:
            raise CommandFailed(
                INVALID_ARGS, f"{where}.op: expected one of {', '.join(EDIT_OPS)}; got {op!r}"
            )
        path = key_path(edit.get("path"), f"{where}.path")
        try:
            if op == "set":
                if "value" not in edit:
                    raise CommandFailed(INVALID_ARGS, f"{where}.value: missing")
                set_in(draft, path, toml_value(path, edit["value"]))
            elif op == "remove":
                delete_in(draft, path)
            else:
                value = edit.get("value")
                if len(path) != 1 or not isinstance(value, Mapping):
                    raise CommandFailed(
                        INVALID_ARGS,
                        f"{where}: append takes a top-level array of tables (operators, queues,"
                        " numbers, trunks) and a table value",
                    )
                append_table(draft, str(path[0]), value)
        except (KeyError, IndexError, NonExistentKey):
            raise CommandFailed(
                INVALID_ARGS, f"{where}.path: nothing at {format_key_path(path)}"
            ) from None
        except (TypeError, ValueError) as error:
            if isinstance(error, ConfigError):
                raise
            raise CommandFailed(
                INVALID_ARGS, f"{where}: cannot {op} {format_key_path(path)}: {error}"
            ) from None
    try:
        document, model = parse_center(draft.as_string(), config.path)
    except ConfigError as error:
        raise invalid_config(error) from None
    previous = config.document, config.model
    config.document, config.model = document, model
    try:
        config.save()
    except ConfigError as error:
        config.document, config.model = previous
        raise invalid_config(error) from None


def missing_prompts(config: CenterConfig) -> list[dict[str, Any]]:
    """Sound files named in center.toml that do not exist (tones and silence need no file)."""
    missing: list[dict[str, Any]] = []
    base = config.directory

    def visit(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                visit(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, (*path, index))
        elif (
            isinstance(value, str)
            and value.lower().endswith(".wav")
            and ":" not in value
            and not (base / Path(value)).is_file()
        ):
            missing.append(
                {
                    "key": format_key_path(path),
                    "line": None,
                    "message": f"the sound file {value} does not exist in {base}",
                }
            )

    visit(config.document.unwrap(), ())
    return missing
