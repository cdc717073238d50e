"""Prompts: center.toml sounds as what FreeSWITCH plays, and a check that every file exists.

A sound in center.toml is a ``.wav`` path (relative to the center directory, or absolute), a
built-in tone (``tone:beep``, ``tone:busy``, ...) or silence (``silence:MS``). The built-in ones
need no file, so a fresh center works before anyone records a prompt. A file that is missing
on a live call is played as a beep (and logged) rather than as dead air; ``check_prompts``
reports it before that happens, for ``ccore conf check``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ccore.config import CenterConfig
from ccore.config_errors import ConfigProblem, format_key_path
from ccore.config_lines import KeyPath, locate_keys
from ccore.config_types import _check_sound
from ccore.fsconf.inputs import TONES

_LOGGER = logging.getLogger(__name__)

MISSING_FILE_FALLBACK = "tone:beep"
"""Played instead of a prompt whose file is missing on a live call."""

__all__ = ["MISSING_FILE_FALLBACK", "PromptProblem", "builtin_sound", "check_prompts", "resolve"]


@dataclass(frozen=True, order=True)
class PromptProblem(ConfigProblem):
    """A sound center.toml names that cannot be played: where it is written, and why.

    A configuration problem (file, line, key path, message) that prints the file's full path,
    since prompts are looked up relative to the center's directory.
    """

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        return f"{where}: {self.key_path}: {self.message}"


def builtin_sound(sound: str) -> str | None:
    """The stream FreeSWITCH plays for a built-in ``tone:NAME`` or ``silence:MS``; else None."""
    if sound.startswith("tone:"):
        return TONES.get(sound[5:])
    if sound.startswith("silence:") and sound[8:].isdigit():
        return f"silence_stream://{int(sound[8:])}"
    return None


def sound_path(sound: str, center_dir: Path) -> Path:
    """The file a (non built-in) sound names, resolved against the center directory."""
    path = Path(sound)
    return path if path.is_absolute() else center_dir / path


def resolve(sound: str, center_dir: Path) -> str:
    """What to hand FreeSWITCH for ``sound``: a stream for built-ins, else the file's full path.

    A file that does not exist (or whose path has a space, which ``play_and_get_digits`` cannot
    take) is replaced by ``MISSING_FILE_FALLBACK`` and logged: a caller hears a beep, not
    silence.
    """
    stream = builtin_sound(sound)
    if stream is not None:
        return stream
    path = sound_path(sound, center_dir)
    if " " in str(path) or not path.is_file():
        _LOGGER.warning("Prompt %s is missing or unusable; playing %s", path, MISSING_FILE_FALLBACK)
        return TONES[MISSING_FILE_FALLBACK[5:]]
    return str(path)


def check_prompts(config: CenterConfig) -> list[PromptProblem]:
    """Every sound in center.toml that names a file that is missing (or cannot be played)."""
    lines = locate_keys(config.text())
    problems = []
    sounds = [*_sounds(config.model, ()), *_plugin_sounds(config)]
    for key_path, sound in sounds:
        message = _problem(sound, config.directory)
        if message is not None:
            problems.append(
                PromptProblem(
                    config.path, lines.line_for(key_path), format_key_path(key_path), message
                )
            )
    return sorted(problems, key=lambda p: (p.line or 0, p.key_path))


def _plugin_sounds(config: CenterConfig) -> Iterator[tuple[KeyPath, str]]:
    """The closed messages of ``[plugins.ivr]`` (what its ``Config`` accepts as sounds)."""
    section = config.model.plugins.section("ivr")
    message = section.get("closed_message")
    if isinstance(message, str) and message:
        yield ("plugins", "ivr", "closed_message"), message
    per_menu = section.get("closed_messages")
    if isinstance(per_menu, dict):
        for menu, sound in per_menu.items():
            if isinstance(sound, str) and sound:
                yield ("plugins", "ivr", "closed_messages", str(menu)), sound


def _problem(sound: str, center_dir: Path) -> str | None:
    if builtin_sound(sound) is not None:
        return None
    path = sound_path(sound, center_dir)
    if " " in str(path):
        return f"the path {path} has a space, which FreeSWITCH cannot play in a menu"
    if not path.is_file():
        return f"sound file {path} does not exist"
    return None


def _sounds(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Walk a model and yield (key path, value) of every field typed as a Sound."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        for name, info in fields.items():
            key = info.alias or name
            item = getattr(value, name)
            if isinstance(item, str) and _is_sound_field(info):
                yield (*path, key), item
            else:
                yield from _sounds(item, (*path, key))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _sounds(item, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _sounds(item, (*path, index))


def _is_sound_field(info: FieldInfo) -> bool:
    """Whether a field is a Sound (or an optional one): its type carries the sound check."""
    return _carries_sound_check(info.metadata) or _annotation_is_sound(info.annotation)


def _annotation_is_sound(annotation: Any) -> bool:
    if _carries_sound_check(getattr(annotation, "__metadata__", ())):
        return True
    if get_origin(annotation) in (Union, UnionType):
        return any(_annotation_is_sound(arg) for arg in get_args(annotation))
    return False


def _carries_sound_check(metadata: Any) -> bool:
    return any(getattr(meta, "func", None) is _check_sound for meta in metadata)
