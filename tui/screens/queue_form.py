"""The form to add or edit a queue."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from ccore_tui.editor import Rejected
from ccore_tui.forms import (
    DESTINATION_HELP,
    FieldError,
    format_destination,
    format_skills,
    parse_destination,
    parse_seconds,
    parse_skills,
)
from ccore_tui.widgets.form import ArrayEntryForm, Field

STRATEGIES = (
    ("longest-idle: the operator free the longest", "longest-idle"),
    ("round-robin: each operator in turn", "round-robin"),
    ("fewest-calls: who answered fewest today", "fewest-calls"),
    ("ring-all: every free phone at once", "ring-all"),
    ("skills: the best-matching operator", "skills"),
)
TEXT_KEYS = ("display_name", "music", "hours")
SECONDS_KEYS = ("ring_timeout", "wrap_up", "announce_position_every")


class QueueForm(ArrayEntryForm):
    """Add (``index`` None) or edit queue ``index``."""

    KIND = "queue"
    NAME_KEY = "name"

    def fields(self) -> ComposeResult:
        q = self.entry
        callback = q.get("callback") or {}
        hours = ", ".join(self.model.get("hours") or {}) or "none defined yet"
        yield Field("name", "Name (lowercase, used in menus)", Input(q.get("name", ""), id="name"))
        yield Field(
            "display_name",
            "Name shown on the wallboard",
            Input(q.get("display_name") or "", id="display_name"),
        )
        yield Field(
            "strategy",
            "Who gets the next caller",
            Select(
                STRATEGIES,
                value=q.get("strategy", "longest-idle"),
                allow_blank=False,
                id="strategy",
            ),
        )
        yield Field(
            "skills",
            "Required skills (minimum levels)",
            Input(format_skills(q.get("skills")), placeholder="none (e.g. billing=3)", id="skills"),
        )
        yield Field(
            "ring_timeout",
            "Seconds a phone rings before the next operator",
            Input(str(q.get("ring_timeout", 20)), id="ring_timeout"),
        )
        yield Field(
            "wrap_up",
            "Wrap-up seconds after each call",
            Input(str(q.get("wrap_up", 10)), id="wrap_up"),
        )
        yield Field(
            "max_wait",
            "Longest wait in seconds (blank: no limit)",
            Input("" if q.get("max_wait") is None else str(q["max_wait"]), id="max_wait"),
        )
        yield Field(
            "max_length",
            "Most callers waiting (blank: no limit)",
            Input("" if q.get("max_length") is None else str(q["max_length"]), id="max_length"),
        )
        yield Field(
            "overflow",
            "Then (overflow)",
            Input(
                format_destination(q.get("overflow")),
                placeholder="none (e.g. voicemail:general)",
                id="overflow",
            ),
            hint=DESTINATION_HELP,
        )
        yield Field(
            "music",
            "While waiting",
            Input(q.get("music", "tone:hold"), id="music"),
            hint="a .wav file, or tone:hold",
        )
        yield Field(
            "announce_position_every",
            "Announce position and expected wait every N seconds (0: never)",
            Input(str(q.get("announce_position_every", 60)), id="announce_position_every"),
        )
        yield Field(
            "hours",
            "Opening hours (blank: always open)",
            Input(q.get("hours") or "", id="hours"),
            hint=f"defined: {hours}",
        )
        yield Field(
            "callback_enabled",
            "Callback",
            Checkbox(
                "Offer to call back instead of waiting",
                bool(callback.get("enabled")),
                id="callback_enabled",
            ),
        )
        yield Field(
            "callback_key",
            "Key to press for a callback",
            Input(str(callback.get("key", "1")), id="callback_key"),
        )
        yield Field(
            "callback_offer_after",
            "Offer the callback after N seconds of waiting",
            Input(str(callback.get("offer_after", 60)), id="callback_offer_after"),
        )

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The form as center.toml values, and errors by field."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {
            "name": self.value("name").strip(),
            "strategy": self.value("strategy"),
        }
        for key in TEXT_KEYS:
            values[key] = self.value(key).strip() or None
        for key in SECONDS_KEYS:
            try:
                values[key] = parse_seconds(self.value(key))
            except FieldError as error:
                errors[key] = str(error)
        for key in ("max_wait", "max_length"):
            try:
                values[key] = parse_seconds(self.value(key), optional=True)
            except FieldError as error:
                errors[key] = str(error)
        try:
            values["skills"] = parse_skills(self.value("skills"))
        except FieldError as error:
            errors["skills"] = str(error)
        overflow = self.value("overflow").strip()
        try:
            values["overflow"] = parse_destination(overflow) if overflow else None
        except FieldError as error:
            errors["overflow"] = str(error)
        callback = dict(self.entry.get("callback") or {})
        callback["enabled"] = bool(self.value("callback_enabled"))
        callback["key"] = self.value("callback_key").strip() or "1"
        try:
            callback["offer_after"] = parse_seconds(self.value("callback_offer_after"))
        except FieldError as error:
            errors["callback_offer_after"] = str(error)
        values["callback"] = callback
        if not values["name"]:
            errors["name"] = "a name is needed, e.g. support"
        return values, errors

    def edits(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The edits that turn the saved queue into ``values``."""
        if self.index is None:
            table = {k: v for k, v in values.items() if v not in (None, {}, "")}
            if not values["callback"]["enabled"]:
                table.pop("callback")
            return [{"op": "append", "path": "queues", "value": table}]
        edits = []
        for key, value in values.items():
            path = ["queues", self.index, key]
            old = self.entry.get(key)
            if key == "callback":
                for sub, sub_value in value.items():
                    if (old or {}).get(sub) != sub_value:
                        edits.append({"op": "set", "path": [*path, sub], "value": sub_value})
            elif value in (None, {}) and old not in (None, {}):
                edits.append({"op": "remove", "path": path})
            elif value not in (None, {}) and value != old:
                edits.append({"op": "set", "path": path, "value": value})
        return edits

    def submit(self) -> None:
        """Check the form, then save through the core."""
        values, errors = self.values()
        if errors:
            self.show_errors(errors)
            return
        self.save(self.edits(values), values)

    @work(exclusive=True)
    async def save(self, edits: list[dict[str, Any]], values: dict[str, Any]) -> None:
        """Send the edits; show what the core refused under its field."""
        if edits:
            index = self.index if self.index is not None else len(self.model.get("queues") or [])
            try:
                await self.editor.request("config.edit", prefix=f"queues[{index}]", edits=edits)
            except Rejected as rejected:
                errors = {_field(k): v for k, v in rejected.errors.items()}
                self.show_errors(errors, rejected.general)
                return
        self.dismiss(values)


def _field(key: str) -> str:
    return {"key": "callback_key", "offer_after": "callback_offer_after"}.get(key, key)
