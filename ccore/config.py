"""Load, validate, edit and save a center's ``center.toml``.

``load_center`` reads the file with tomlkit (so comments, ordering and whitespace survive a
load-edit-save round trip), validates it against ``CenterModel`` and the cross-references,
and raises ``ConfigError`` listing every problem with file, line and key path. Edits go
through ``CenterConfig`` methods that change the document, re-validate the result and only
then replace the model; ``save`` writes the document back atomically.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import tomlkit
from pydantic import BaseModel, ValidationError
from tomlkit.exceptions import InvalidControlChar, KeyAlreadyPresent, ParseError, TOMLKitError
from tomlkit.toml_document import TOMLDocument

from ccore.config_document import append_table, delete_in, remove_table, set_in
from ccore.config_errors import (
    ConfigError,
    ConfigProblem,
    format_key_path,
    parse_key_path,
    problems_from_validation,
)
from ccore.config_lines import KeyPath, locate_keys
from ccore.config_references import find_reference_problems, sound_files
from ccore.config_schema import CenterModel, Operator

__all__ = [
    "CENTER_FILE",
    "CenterConfig",
    "ConfigError",
    "ConfigProblem",
    "load_center",
    "parse_center",
    "validate_section",
]

log = logging.getLogger(__name__)

CENTER_FILE = "center.toml"
SectionModel = TypeVar("SectionModel", bound=BaseModel)


@dataclass
class CenterConfig:
    """A loaded center: the validated ``model`` and the tomlkit ``document`` it came from."""

    path: Path
    document: TOMLDocument
    model: CenterModel
    loaded_text: str = field(repr=False)  # the file's text when loaded or last saved

    @property
    def directory(self) -> Path:
        """Return the center directory (the one holding center.toml)."""
        return self.path.parent

    @property
    def data_dir(self) -> Path:
        """Return the data directory, resolved against the center directory."""
        return (self.directory / self.model.center.data_dir).resolve()

    def missing_sounds(self) -> list[ConfigProblem]:
        """Return a problem for every sound file center.toml names that does not exist."""
        lines = locate_keys(self.text())
        problems = []
        for key_path, sound in sound_files(self.document.unwrap()):
            if not (self.directory / sound).is_file():
                message = f'sound file "{sound}" not found (relative to {self.directory})'
                line = lines.line_for(key_path)
                problems.append(ConfigProblem(self.path, line, format_key_path(key_path), message))
        return problems

    def switch_password(self) -> str | None:
        """Return the event socket password: set, from its variable, or the generated file.

        None means no password exists yet (``ccore conf render`` generates the file).
        """
        switch = self.model.switch
        if switch.password is not None:
            return switch.password.get_secret_value()
        if switch.password_env is not None:
            return self._from_environment(switch.password_env, ("switch", "password_env"))
        generated = self.data_dir / switch.password_file
        if generated.is_file():
            return generated.read_text(encoding="utf-8").strip()
        return None

    def trunk_password(self, name: str) -> str | None:
        """Return a trunk's password, from center.toml or its environment variable."""
        for index, trunk in enumerate(self.model.trunks):
            if trunk.name == name:
                if trunk.password is not None:
                    return trunk.password.get_secret_value()
                if trunk.password_env is not None:
                    key_path = ("trunks", index, "password_env")
                    return self._from_environment(trunk.password_env, key_path)
                return None
        raise KeyError(f"no trunk named {name}")

    def _from_environment(self, variable: str, key_path: KeyPath) -> str:
        value = os.environ.get(variable)
        if not value:
            line = locate_keys(self.text()).line_for(key_path)
            message = f"the environment variable {variable} is not set"
            raise ConfigError([ConfigProblem(self.path, line, format_key_path(key_path), message)])
        return value

    def text(self) -> str:
        """Return the document as it would be saved."""
        return self.document.as_string()

    def save(self, *, force: bool = False) -> None:
        """Write the document to center.toml atomically, refusing if someone else changed it."""
        on_disk = _read_text(self.path) if self.path.exists() else None
        if not force and on_disk is not None and on_disk != self.loaded_text:
            raise ConfigError(
                [ConfigProblem(self.path, None, "", "changed on disk since it was loaded; reload")]
            )
        text = self.text()
        _write_atomically(self.path, text)
        self.loaded_text = text
        log.info("saved %s", self.path)

    # --- edits (each re-validates the whole center before it takes effect) ------------------

    def set_value(self, key_path: str | KeyPath, value: Any) -> None:
        """Set the value at a key path such as ``queues[0].ring_timeout`` or ``center.name``."""
        path = _as_path(key_path)
        self._edit(lambda document: set_in(document, path, value))

    def remove_value(self, key_path: str | KeyPath) -> None:
        """Remove the key (or array entry) at a key path."""
        path = _as_path(key_path)
        self._edit(lambda document: delete_in(document, path))

    def add_entry(self, section: str, values: Mapping[str, Any]) -> None:
        """Append an entry to an array of tables: ``[[queues]]``, ``[[numbers]]``, ..."""
        if section not in ("operators", "queues", "numbers", "trunks"):
            raise ValueError(f"{section} is not an array of tables in center.toml")
        entry = dict(values)
        self._edit(lambda document: append_table(document, section, entry))

    def add_operator(self, operator: Mapping[str, Any] | Operator) -> Operator:
        """Add an operator at the end of ``[[operators]]`` and return it as validated."""
        self.add_entry("operators", _operator_values(operator))
        return self.model.operators[-1]

    def update_operator(self, extension: str, changes: Mapping[str, Any]) -> Operator:
        """Change an operator's keys (a value of None removes the key) and return it."""
        index = self._operator_index(extension)

        def change(document: TOMLDocument) -> None:
            entry = document["operators"][index]
            for key, value in changes.items():
                if value is None:
                    if key in entry:
                        delete_in(document, ("operators", index, key))
                else:
                    set_in(document, ("operators", index, key), value)

        self._edit(change)
        return self.model.operators[index]

    def remove_operator(self, extension: str) -> None:
        """Remove the operator on ``extension`` (refused if something still points at it)."""
        index = self._operator_index(extension)
        self._edit(lambda document: remove_table(document, ("operators",), index))

    def _operator_index(self, extension: str) -> int:
        for index, operator in enumerate(self.model.operators):
            if operator.extension == str(extension):
                return index
        raise KeyError(f"no operator with extension {extension}")

    def _edit(self, change: Callable[[TOMLDocument], None]) -> None:
        """Apply ``change`` to a copy, validate the text it produces, then adopt it."""
        draft = tomlkit.parse(self.document.as_string())
        change(draft)
        document, model = parse_center(draft.as_string(), self.path)
        self.document, self.model = document, model


def load_center(directory: Path) -> CenterConfig:
    """Read and validate ``<directory>/center.toml``; raise ConfigError with every problem."""
    path = directory if directory.suffix == ".toml" else directory / CENTER_FILE
    try:
        text = _read_text(path)
    except FileNotFoundError:
        raise ConfigError(
            [ConfigProblem(path, None, "", "not found; create a center with `ccore init DIR`")]
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError([ConfigProblem(path, None, "", f"not UTF-8 text ({error})")]) from None
    document, model = parse_center(text, path)
    return CenterConfig(path=path, document=document, model=model, loaded_text=text)


def parse_center(text: str, path: Path) -> tuple[TOMLDocument, CenterModel]:
    """Parse and validate center.toml text (``path`` names it in errors)."""
    document = _parse_document(text, path)
    data = document.unwrap()
    lines = locate_keys(text)
    try:
        model = CenterModel.model_validate(data)
    except ValidationError as error:
        problems = problems_from_validation(error, data, path, lines, model=CenterModel)
        raise ConfigError(_in_file_order(problems)) from None
    references = find_reference_problems(model)
    if references:
        raise ConfigError(
            _in_file_order(
                ConfigProblem(path, lines.line_for(key_path), format_key_path(key_path), message)
                for key_path, message in references
            )
        )
    return document, model


def _in_file_order(problems: Iterable[ConfigProblem]) -> list[ConfigProblem]:
    """Sort problems by line (those without a line last), keeping ties in their order."""
    return sorted(problems, key=lambda problem: (problem.line is None, problem.line or 0))


def validate_section(
    config: CenterConfig, plugin_name: str, model: type[SectionModel]
) -> SectionModel:
    """Validate ``[plugins.<plugin_name>]`` with a plugin's model (defaults when absent)."""
    data = config.model.plugins.section(plugin_name)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        text = config.text()
        problems = problems_from_validation(
            error,
            data,
            config.path,
            locate_keys(text),
            prefix=("plugins", plugin_name),
            model=model,
        )
        raise ConfigError(_in_file_order(problems)) from None


def _parse_document(text: str, path: Path) -> TOMLDocument:
    try:
        return tomlkit.parse(text)
    except KeyAlreadyPresent as error:
        raise ConfigError([_duplicate_problem(text, path, str(error))]) from None
    except ParseError as error:
        message = re.sub(r" at line \d+ col \d+$", "", str(error))
        if "already exists" in message:
            raise ConfigError([_duplicate_problem(text, path, message)]) from None
        if isinstance(error, InvalidControlChar):
            message += " (is a closing quote missing?)"
        raise ConfigError(
            [ConfigProblem(path, error.line, "", f"TOML syntax error: {message}")]
        ) from None
    except TOMLKitError as error:
        raise ConfigError([ConfigProblem(path, None, "", f"TOML error: {error}")]) from None


def _duplicate_problem(text: str, path: Path, message: str) -> ConfigProblem:
    duplicates = locate_keys(text).duplicates
    if not duplicates:
        return ConfigProblem(path, None, "", f"TOML syntax error: {message}")
    key_path, line = duplicates[0]
    return ConfigProblem(path, line, format_key_path(key_path), "defined twice")


def _as_path(key_path: str | KeyPath) -> KeyPath:
    return parse_key_path(key_path) if isinstance(key_path, str) else tuple(key_path)


def _operator_values(operator: Mapping[str, Any] | Operator) -> dict[str, Any]:
    if isinstance(operator, Operator):
        return operator.model_dump(by_alias=True, exclude_defaults=True)
    return dict(operator)


def _read_text(path: Path) -> str:
    """Read a file's text exactly (no newline translation), so CRLF files round-trip."""
    return path.read_bytes().decode("utf-8")


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and rename, keeping the file's mode."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
