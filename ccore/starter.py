"""Write a commented starter center (``ccore init DIR``) that loads and validates as is."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import tomlkit

from ccore.config import CENTER_FILE, parse_center

log = logging.getLogger(__name__)

TEMPLATE = "starter_center.toml"
NAME_PLACEHOLDER = '"__CENTER_NAME__"'
TIMEZONE_LINE = 'timezone = "UTC"'


class CenterExistsError(FileExistsError):
    """The directory already holds a center.toml, which the starter never overwrites."""


def starter_text(name: str = "My Call Center", timezone: str = "UTC") -> str:
    """Return the starter center.toml text for a center called ``name``."""
    template = resources.files("ccore").joinpath(TEMPLATE).read_text(encoding="utf-8")
    text = template.replace(NAME_PLACEHOLDER, tomlkit.string(name).as_string(), 1)
    return text.replace(TIMEZONE_LINE, f"timezone = {tomlkit.string(timezone).as_string()}", 1)


def write_starter_center(
    directory: Path, *, name: str = "My Call Center", timezone: str = "UTC"
) -> Path:
    """Write a commented starter center.toml and its data directory; return the file's path.

    Refuses (CenterExistsError) when ``directory`` already has a center.toml, and raises
    ConfigError if ``name`` or ``timezone`` is not acceptable, before writing anything.
    """
    path = directory / CENTER_FILE
    if path.exists():
        raise CenterExistsError(
            f"{path} already exists; the starter never overwrites a center (edit it, or pick "
            "another directory)"
        )
    text = starter_text(name, timezone)
    _, model = parse_center(text, path)
    directory.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="") as file:  # "x": never overwrite
        file.write(text)
    (directory / model.center.data_dir).mkdir(parents=True, exist_ok=True)
    log.info("wrote a starter center to %s", path)
    return path
