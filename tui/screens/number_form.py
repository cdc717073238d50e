"""The form to add or edit an inbound number: where its callers go, and its fallback."""

from __future__ import annotations

import re
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, Select

from ccore_tui.editor import Rejected
from ccore_tui.forms import (
    DESTINATION_HELP,
    FieldError,
    format_destination,
    format_ring,
    parse_destination,
    parse_ring,
    parse_seconds,
)
from ccore_tui.widgets.form import ArrayEntryForm, Field

ROUTE_KEYS = ("ivr", "queue", "extension")
TOP_KEYS = ("number", "name", "trunk", *ROUTE_KEYS, "hours", "closed")
FALLBACK_DEFAULTS: dict[str, Any] = {"ring": "all", "ring_timeout": 30, "voicemail": None}


def describe_route(number: dict[str, Any]) -> str:
    """Where a number's callers go, in words."""
    if number.get("ivr"):
        return f"menu {number['ivr']}"
    if number.get("queue"):
        return f"queue {number['queue']}"
    if number.get("extension"):
        return f"ring {number['extension']}"
    return "-"


def route_choices(model: dict[str, Any]) -> list[tuple[str, str]]:
    """The menus, queues and operators a number can go to, as (label, ``kind:name``)."""
    choices = [(f"IVR menu {name}", f"ivr:{name}") for name in model.get("ivr") or {}]
    choices += [(f"queue {q['name']}", f"queue:{q['name']}") for q in model.get("queues") or []]
    choices += [
        (f"operator {o['extension']} ({o.get('name', '')})", f"extension:{o['extension']}")
        for o in model.get("operators") or []
    ]
    return choices


def field_for(key: str, prefix: str) -> str:
    """The form field a problem at key path ``key`` (under ``prefix``) is about."""
    rest = key[len(prefix) :].lstrip(".")
    parts = [part for part in re.split(r"[.\[\]\"]", rest) if part]
    if not parts:
        return ""
    if parts[0] in ROUTE_KEYS:
        return "route"
    if parts[0] == "fallback" and len(parts) > 1:
        return f"fallback_{parts[1]}"
    return parts[0]


class NumberForm(ArrayEntryForm):
    """Add (``index`` None) or edit number ``index``."""

    KIND = "number"
    NAME_KEY = "number"

    def fields(self) -> ComposeResult:
        n = self.entry
        fallback = n.get("fallback") or {}
        route = next((f"{key}:{n[key]}" for key in ROUTE_KEYS if n.get(key)), None)
        choices = route_choices(self.model)
        if route is not None and route not in {value for _, value in choices}:
            choices.append((route.replace(":", " ") + " (not defined)", route))
        trunks = [(t["name"], t["name"]) for t in self.model.get("trunks") or []]
        if n.get("trunk") and n["trunk"] not in {name for name, _ in trunks}:
            trunks.append((f"{n['trunk']} (not defined)", n["trunk"]))
        hours = ", ".join(self.model.get("hours") or {}) or "none defined yet"
        boxes = ", ".join(self.model.get("voicemail") or {}) or "none defined yet"
        yield Field(
            "number",
            "Number callers dial",
            Input(n.get("number", ""), placeholder="e.g. +4930123456", id="number"),
        )
        yield Field("name", "Name (for you)", Input(n.get("name") or "", id="name"))
        yield Field(
            "route",
            "Callers go to",
            Select(choices, value=route or Select.NULL, prompt="choose…", id="route"),
        )
        yield Field(
            "trunk",
            "Arrives on trunk",
            Select(trunks, value=n.get("trunk") or Select.NULL, prompt="any trunk", id="trunk"),
        )
        yield Field(
            "hours",
            "Opening hours (blank: always open)",
            Input(n.get("hours") or "", id="hours"),
            hint=f"defined: {hours}",
        )
        yield Field(
            "closed",
            "When closed",
            Input(
                format_destination(n.get("closed")),
                placeholder="none (e.g. voicemail:general)",
                id="closed",
            ),
            hint=DESTINATION_HELP,
        )
        yield Field(
            "fallback_ring",
            "If ccore is down, ring",
            Input(format_ring(fallback.get("ring")), id="fallback_ring"),
            hint="all operators, or extensions: 1001, 1002",
        )
        yield Field(
            "fallback_ring_timeout",
            "…for this many seconds",
            Input(str(fallback.get("ring_timeout", 30)), id="fallback_ring_timeout"),
        )
        yield Field(
            "fallback_voicemail",
            "Then voicemail box (blank: hang up)",
            Input(fallback.get("voicemail") or "", id="fallback_voicemail"),
            hint=f"defined: {boxes}",
        )

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The form as center.toml values, and errors by field."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {key: None for key in TOP_KEYS}
        values["number"] = self.value("number").strip().replace(" ", "")
        values["name"] = self.value("name").strip() or None
        values["trunk"] = self.value("trunk")
        values["hours"] = self.value("hours").strip() or None
        route = self.value("route")
        if route is None:
            errors["route"] = "choose an IVR menu, a queue or an operator"
        else:
            kind, _, target = str(route).partition(":")
            values[kind] = target
        closed = self.value("closed").strip()
        try:
            values["closed"] = parse_destination(closed) if closed else None
        except FieldError as error:
            errors["closed"] = str(error)
        fallback: dict[str, Any] = {"voicemail": self.value("fallback_voicemail").strip() or None}
        try:
            fallback["ring"] = parse_ring(self.value("fallback_ring"))
        except FieldError as error:
            errors["fallback_ring"] = str(error)
        try:
            fallback["ring_timeout"] = parse_seconds(self.value("fallback_ring_timeout"))
        except FieldError as error:
            errors["fallback_ring_timeout"] = str(error)
        values["fallback"] = fallback
        if not values["number"]:
            errors["number"] = "the number callers dial is needed, e.g. +4930123456"
        return values, errors

    def edits(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The edits that turn the saved number into ``values``."""
        if self.index is None:
            table = {k: v for k, v in values.items() if k != "fallback" and v is not None}
            fallback = {
                k: v for k, v in values["fallback"].items() if v != FALLBACK_DEFAULTS.get(k)
            }
            if fallback:
                table["fallback"] = fallback
            return [{"op": "append", "path": "numbers", "value": table}]
        edits: list[dict[str, Any]] = []
        path: list[Any] = ["numbers", self.index]
        for key in TOP_KEYS:
            edits += _change([*path, key], self.entry.get(key), values[key])
        old_fallback = self.entry.get("fallback") or FALLBACK_DEFAULTS
        for key, value in values["fallback"].items():
            edits += _change([*path, "fallback", key], old_fallback.get(key), value)
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
            index = self.index if self.index is not None else len(self.model.get("numbers") or [])
            prefix = f"numbers[{index}]"
            try:
                await self.editor.request("config.edit", prefix=prefix, edits=edits)
            except Rejected as rejected:
                self.show_errors(_fields(rejected, prefix), rejected.general)
                return
        self.dismiss(values)


def _change(path: list[Any], old: Any, new: Any) -> list[dict[str, Any]]:
    """The edit (if any) that turns ``old`` at ``path`` into ``new`` (None: remove)."""
    if new is None:
        return [{"op": "remove", "path": path}] if old is not None else []
    return [{"op": "set", "path": path, "value": new}] if new != old else []


def _fields(rejected: Rejected, prefix: str) -> dict[str, str]:
    """The core's problems by form field: a fallback problem under its own field."""
    errors: dict[str, str] = {}
    for detail in rejected.details:
        key = str(detail.get("key") or "")
        if key.startswith(prefix) and field_for(key, prefix):
            errors.setdefault(field_for(key, prefix), str(detail.get("message", "")))
    for key, message in rejected.errors.items():
        if key == "fallback" and any(name.startswith("fallback_") for name in errors):
            continue
        errors.setdefault(field_for(key, ""), message)
    return errors
