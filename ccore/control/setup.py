"""A new center from the first-run answers (the UI's setup wizard; no Textual here).

Starts from the commented starter center (``ccore init``) and changes it to the answers in one
validated batch, so the file keeps its explanations. Then renders FreeSWITCH's configuration,
which also generates the passwords the core and the phones need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccore.config import ConfigError, load_center
from ccore.control.edits import apply_edits
from ccore.starter import write_starter_center

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


@dataclass
class SetupAnswers:
    """What the first-run wizard asks."""

    name: str
    timezone: str = "UTC"
    numbers: list[str] = field(default_factory=list)  # the public numbers callers dial
    operators: list[tuple[str, str]] = field(default_factory=list)  # (extension, name)
    queue: str = "support"
    queue_display_name: str = "Customer support"
    weekday_hours: list[str] = field(default_factory=lambda: ["09:00-17:00"])


def parse_operators(text: str) -> list[tuple[str, str]]:
    """``"1001 Alice\\n1002 Bob Smith"`` -> ``[("1001", "Alice"), ("1002", "Bob Smith")]``."""
    operators = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = re.fullmatch(r"([^\s,;:]+)[\s,;:]+(.+)", line)
        if match is None:
            raise ValueError(f"line {number}: write the extension, then the name: 1001 Alice")
        operators.append((match.group(1), match.group(2).strip()))
    return operators


def setup_edits(answers: SetupAnswers, model: Any) -> list[dict[str, Any]]:
    """The edits that turn the starter center into the answers."""
    edits: list[dict[str, Any]] = []
    queue = answers.queue
    edits.append({"op": "set", "path": ["queues", 0, "name"], "value": queue})
    edits.append(
        {"op": "set", "path": ["queues", 0, "display_name"], "value": answers.queue_display_name}
    )
    for key, option in model.ivr["main"].options.items():
        if getattr(option, "queue", None) is not None:  # new operators have no skills yet
            edits.append(
                {
                    "op": "set",
                    "path": ["ivr", "main", "options", key],
                    "value": {"action": option.action, "queue": queue},
                }
            )
    edits.append({"op": "set", "path": ["ivr", "main", "default", "queue"], "value": queue})
    for index, number in enumerate(answers.numbers or ["+15550100"]):
        if index == 0:
            edits.append({"op": "set", "path": ["numbers", 0, "number"], "value": number})
        else:
            edits.append(
                {"op": "append", "path": "numbers", "value": {"number": number, "ivr": "main"}}
            )
    for day in WEEKDAYS:
        edits.append(
            {"op": "set", "path": ["hours", "office", day], "value": answers.weekday_hours}
        )
    first_extension = None
    if answers.operators:
        first_extension = answers.operators[0][0]
        for _ in model.operators:
            edits.append({"op": "remove", "path": ["operators", 0]})
        for extension, name in answers.operators:
            edits.append(
                {
                    "op": "append",
                    "path": "operators",
                    "value": {"extension": extension, "name": name},
                }
            )
        edits.append(
            {
                "op": "set",
                "path": ["ivr", "main", "options", "0", "extension"],
                "value": first_extension,
            }
        )
    return edits


def create_center(directory: Path, answers: SetupAnswers, *, render: bool = True) -> Path:
    """Write ``directory/center.toml`` from ``answers``; raises ConfigError or CommandFailed.

    Nothing is left behind when the answers are refused.
    """
    path = write_starter_center(directory, name=answers.name, timezone=answers.timezone)
    try:
        config = load_center(directory)
        apply_edits(config, setup_edits(answers, config.model))
    except Exception:
        path.unlink(missing_ok=True)
        raise
    if render:
        from ccore.fsconf import render_freeswitch_conf

        render_freeswitch_conf(config)
    return path


__all__ = ["ConfigError", "SetupAnswers", "create_center", "parse_operators"]
