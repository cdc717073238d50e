"""What the admin types, to center.toml values and back (no Textual here, easy to test).

The editors show compact text for structured values: skills as ``english=8, billing=6``,
a destination as ``queue:support`` / ``voicemail:general`` / ``hangup``, opening hours as
``09:00-12:00, 13:00-17:00``, holidays as ``2026-12-25, 2027-01-01``. Each parser raises
``FieldError`` with a message saying what to write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

DESTINATION_TARGETS: dict[str, str | None] = {
    "submenu": "menu",
    "queue": "queue",
    "transfer": "extension",
    "voicemail": "box",
    "callback": "queue",
    "hangup": None,
    "play": "file",
    "repeat": None,
}
"""Each action and the key its target goes in (None: no target)."""

DESTINATION_HELP = (
    "queue:NAME, submenu:MENU, transfer:EXT, voicemail:BOX, callback:QUEUE, hangup,"
    " play:FILE or repeat"
)


class FieldError(ValueError):
    """What the admin typed in one field cannot be used; the message says what to write."""


def parse_skills(text: str) -> dict[str, int]:
    """``"english=8, billing=6"`` -> ``{"english": 8, "billing": 6}``."""
    skills: dict[str, int] = {}
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_-]+)\s*[=: ]\s*(\d+)", part)
        if match is None:
            raise FieldError(f"write name=level pairs, e.g. english=8, billing=6 (not {part!r})")
        name, level = match.group(1).lower(), int(match.group(2))
        if not 1 <= level <= 10:
            raise FieldError(f"{name}: a level is 1 (a little) to 10 (expert), not {level}")
        skills[name] = level
    return skills


def format_skills(skills: Mapping[str, int] | None) -> str:
    """``{"english": 8}`` -> ``"english=8"``."""
    return ", ".join(f"{name}={level}" for name, level in (skills or {}).items())


def parse_destination(text: str, *, allow_menu_only: bool = False) -> dict[str, Any]:
    """``"queue:support"`` -> ``{"action": "queue", "queue": "support"}``."""
    text = text.strip()
    if not text:
        raise FieldError(f"where should the caller go? {DESTINATION_HELP}")
    action, _, target = text.partition(":")
    action = action.strip().lower()
    target = target.strip()
    if action not in DESTINATION_TARGETS:
        raise FieldError(f"unknown action {action!r}; write {DESTINATION_HELP}")
    key = DESTINATION_TARGETS[action]
    result: dict[str, Any] = {"action": action}
    if key is None:
        if target and action == "hangup":
            result["message"] = target
        elif target:
            raise FieldError(f"{action} takes no target")
        return result
    if not target:
        raise FieldError(f"{action} needs a {key}: {action}:{key.upper()}")
    result[key] = target
    return result


def format_destination(destination: Mapping[str, Any] | None) -> str:
    """``{"action": "queue", "queue": "support"}`` -> ``"queue:support"``."""
    if not destination:
        return ""
    action = str(destination.get("action", ""))
    key = DESTINATION_TARGETS.get(action)
    if key is None:
        message = destination.get("message")
        return f"{action}:{message}" if message else action
    return f"{action}:{destination.get(key, '')}"


def describe_destination(destination: Mapping[str, Any] | None) -> str:
    """A destination in words, for trees and tables."""
    if not destination:
        return "-"
    action = destination.get("action")
    words = {
        "submenu": "menu {menu}",
        "queue": "queue {queue}",
        "transfer": "ring {extension}",
        "voicemail": "voicemail {box}",
        "callback": "callback from {queue}",
        "hangup": "hang up",
        "play": "play {file}, then back",
        "repeat": "repeat the greeting",
    }
    text = words.get(str(action), str(action)).format_map(_Default(destination))
    if destination.get("skills"):
        text += f" (needs {format_skills(destination['skills'])})"
    if destination.get("priority"):
        text += f" priority {destination['priority']}"
    return text


class _Default(dict):  # type: ignore[type-arg]
    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "?"


def parse_ranges(text: str) -> list[str]:
    """``"09:00-12:00, 13:00-17:00"`` -> ``["09:00-12:00", "13:00-17:00"]``; empty = closed."""
    ranges = []
    for part in re.split(r"[,;]", text):
        part = part.strip().replace(" ", "")
        if not part:
            continue
        if not re.fullmatch(r"\d{1,2}:\d{2}-\d{1,2}:\d{2}", part):
            raise FieldError(f"write ranges like 09:00-17:00, separated by commas (not {part!r})")
        start, end = part.split("-")
        ranges.append(f"{int(start[:-3]):02d}:{start[-2:]}-{int(end[:-3]):02d}:{end[-2:]}")
    return ranges


def parse_dates(text: str) -> list[dt.date]:
    """``"2026-12-25, 2027-01-01"`` -> dates."""
    dates = []
    for part in re.split(r"[,;\s]+", text):
        if not part:
            continue
        try:
            dates.append(dt.date.fromisoformat(part))
        except ValueError:
            raise FieldError(f"write dates as YYYY-MM-DD, e.g. 2026-12-25 (not {part!r})") from None
    return dates


def parse_seconds(text: str, *, optional: bool = False) -> int | None:
    """A whole number of seconds (blank: None when ``optional``)."""
    text = text.strip().removesuffix("s").strip()
    if not text:
        if optional:
            return None
        raise FieldError("a number of seconds is needed")
    if not text.isdigit():
        raise FieldError(f"a whole number of seconds, e.g. 20 (not {text!r})")
    return int(text)


def field_of(key: str, prefix: str) -> str:
    """The form field a problem's key path is about: ``operators[2].skills.x`` -> ``skills``."""
    rest = key[len(prefix) :] if key.startswith(prefix) else key
    rest = re.sub(r"^(\[\d+\])?\.?", "", rest)
    match = re.match(r'"?([^".\[]+)', rest)
    return match.group(1) if match else ""


def parse_ring(text: str) -> str | list[str]:
    """``"all"`` (or blank) -> ``"all"``; ``"1001, 1002"`` -> ``["1001", "1002"]``."""
    text = text.strip()
    if not text or text.lower() == "all":
        return "all"
    extensions = [part for part in re.split(r"[,;\s]+", text) if part]
    wrong = [part for part in extensions if not part.isdigit()]
    if wrong:
        raise FieldError(f"write all, or extensions like 1001, 1002 (not {wrong[0]!r})")
    return extensions


def format_ring(ring: str | list[str] | None) -> str:
    """``["1001", "1002"]`` -> ``"1001, 1002"``; ``"all"`` stays ``"all"``."""
    if ring is None or isinstance(ring, str):
        return ring or "all"
    return ", ".join(ring)
