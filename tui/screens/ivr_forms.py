"""Forms for the IVR: a menu (greeting, timeouts, fallbacks) and one key's action."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, Select

from ccore_tui.editor import CenterEditor, Rejected
from ccore_tui.forms import (
    DESTINATION_HELP,
    DESTINATION_TARGETS,
    FieldError,
    describe_destination,
    format_destination,
    format_skills,
    parse_destination,
    parse_seconds,
    parse_skills,
)
from ccore_tui.widgets.form import Field, FormScreen

ACTIONS = (
    ("go to another menu", "submenu"),
    ("put in a queue", "queue"),
    ("ring one extension", "transfer"),
    ("leave a voicemail", "voicemail"),
    ("offer a callback", "callback"),
    ("play information, then back", "play"),
    ("repeat the greeting", "repeat"),
    ("hang up", "hangup"),
)
TARGET_LABELS = {
    "menu": "Menu",
    "queue": "Queue",
    "extension": "Extension",
    "box": "Voicemail box",
    "file": "Sound file (.wav) or tone:NAME",
}
DTMF_KEYS = "0123456789*#"


class OptionForm(FormScreen):
    """Add (``key`` None) or edit one key of menu ``menu``."""

    def __init__(
        self, editor: CenterEditor, menu: str, key: str | None, model: dict[str, Any]
    ) -> None:
        super().__init__()
        self.editor = editor
        self.menu = menu
        self.key = key
        self.model = model
        self.options = dict((model.get("ivr") or {}).get(menu, {}).get("options") or {})
        self.option = dict(self.options.get(key, {})) if key else {}
        self.TITLE_TEXT = f"Menu {menu}: " + (f"key {key}" if key else "add a key")
        self._confirmed_new_menu: str | None = None
        self.new_menu: str | None = None

    def fields(self) -> ComposeResult:
        option = self.option
        action = option.get("action", "queue")
        target_key = DESTINATION_TARGETS.get(action)
        yield Field(
            "key",
            "Key the caller presses (0-9, * or #)",
            Input(self.key or self._free_key(), id="key", max_length=1),
        )
        yield Field(
            "action", "What happens", Select(ACTIONS, value=action, allow_blank=False, id="action")
        )
        yield Field(
            "target",
            TARGET_LABELS.get(target_key or "", "Target"),
            Input(str(option.get(target_key, "")) if target_key else "", id="target"),
            hint=self._target_hint(action),
        )
        yield Field(
            "skills",
            "Skills the operator needs",
            Input(
                format_skills(option.get("skills")),
                placeholder="none (e.g. billing=3)",
                id="skills",
            ),
        )
        yield Field(
            "priority",
            "Priority (0 normal, up to 100)",
            Input(str(option.get("priority", 0)), id="priority"),
        )

    def _free_key(self) -> str:
        """The first key no option uses yet."""
        return next((key for key in "1234567890*#" if key not in self.options), "")

    def on_mount(self) -> None:
        """Queue-only fields only for the queue action."""
        super().on_mount()
        self._show_queue_fields(str(self.value("action")))

    def _show_queue_fields(self, action: str) -> None:
        for name in ("skills", "priority"):
            self.query_one(f"#field-{name}", Field).display = action == "queue"

    def _target_hint(self, action: str) -> str:
        target = DESTINATION_TARGETS.get(action)
        if target in ("menu",):
            return "menus: " + (", ".join(self.model.get("ivr") or {}) or "none")
        if target == "queue":
            return "queues: " + (
                ", ".join(q["name"] for q in self.model.get("queues") or []) or "none"
            )
        if target == "extension":
            return "operators: " + ", ".join(
                f"{op['extension']} {op['name']}" for op in self.model.get("operators") or []
            )
        if target == "box":
            return "boxes: " + (", ".join(self.model.get("voicemail") or {}) or "none")
        if target is None:
            return "no target needed"
        return ""

    def on_select_changed(self, event: Select.Changed) -> None:
        """Show what the chosen action needs."""
        action = str(event.value)
        field = self.query_one("#field-target", Field)
        target_key = DESTINATION_TARGETS.get(action)
        field.query_one("Label").update(TARGET_LABELS.get(target_key or "", "Target"))  # type: ignore[attr-defined]
        field.query_one(".hint").update(self._target_hint(action))  # type: ignore[attr-defined]
        self.query_one("#target", Input).disabled = target_key is None
        self._show_queue_fields(action)

    def option_value(self) -> tuple[str, dict[str, Any], dict[str, str]]:
        """The key, the option's table, and errors by field (checked here, before the core)."""
        errors: dict[str, str] = {}
        key = self.value("key").strip()
        action = str(self.value("action"))
        if len(key) != 1 or key not in DTMF_KEYS:
            errors["key"] = "one key: 0-9, * or #"
        elif key != self.key and key in self.options:
            errors["key"] = (
                f"key {key} is used twice: it already does"
                f" {describe_destination(self.options[key])}"
            )
        target_key = DESTINATION_TARGETS.get(action)
        target = self.value("target").strip()
        option: dict[str, Any] = {}
        try:
            option = parse_destination(f"{action}:{target}" if target_key else action)
        except FieldError as error:
            errors["target"] = str(error)
        self.new_menu = None
        if target_key == "menu" and target and target not in (self.model.get("ivr") or {}):
            if self._confirmed_new_menu == target:
                self.new_menu = target
            else:
                self._confirmed_new_menu = target
                errors["target"] = (
                    f"there is no menu {target} yet: press ctrl+s again to create it"
                    " (with a beep as greeting, to edit later), or pick one listed above"
                )
        if target_key == "menu" and target == self.menu:
            errors["target"] = "a menu cannot send callers to itself; use repeat"
        queues = [q["name"] for q in self.model.get("queues") or []]
        if target_key == "queue" and target and target not in queues:
            errors["target"] = f"no queue {target}; queues: {', '.join(queues) or 'none'}"
        if action == "queue":
            try:
                skills = parse_skills(self.value("skills"))
                if skills:
                    option["skills"] = skills
            except FieldError as error:
                errors["skills"] = str(error)
            try:
                priority = parse_seconds(self.value("priority"), optional=True) or 0
                if priority:
                    option["priority"] = priority
            except FieldError:
                errors["priority"] = "a whole number 0-100"
        return key, option, errors

    def submit(self) -> None:
        """Check the key, then save through the core."""
        key, option, errors = self.option_value()
        if errors:
            self.show_errors(errors)
            return
        base = ["ivr", self.menu, "options"]
        edits: list[dict[str, Any]] = []
        if self.key is not None and key != self.key:
            edits.append({"op": "remove", "path": [*base, self.key]})
        if self.new_menu is not None:
            edits.append(
                {"op": "set", "path": ["ivr", self.new_menu], "value": {"greeting": "tone:beep"}}
            )
        edits.append({"op": "set", "path": [*base, key], "value": option})
        self.save(edits, f"ivr.{self.menu}.options.{key}")

    @work(exclusive=True)
    async def save(self, edits: list[dict[str, Any]], prefix: str) -> None:
        """Send the edits; the core's refusals go under the fields."""
        try:
            await self.editor.request("config.edit", prefix=prefix, edits=edits)
        except Rejected as rejected:
            errors = {
                ("target" if k in TARGET_LABELS or k == "message" else k): v
                for k, v in rejected.errors.items()
            }
            self.show_errors(errors, rejected.general)
            return
        self.dismiss(True)


class MenuForm(FormScreen):
    """Create (``menu`` None) or edit a menu's greeting, waits and fallbacks."""

    def __init__(self, editor: CenterEditor, menu: str | None, model: dict[str, Any]) -> None:
        super().__init__()
        self.editor = editor
        self.menu = menu
        self.model = model
        self.values_now = dict((model.get("ivr") or {}).get(menu, {})) if menu else {}
        self.TITLE_TEXT = f"Menu {menu}" if menu else "New menu"

    def fields(self) -> ComposeResult:
        menu = self.values_now
        hours = ", ".join(self.model.get("hours") or {}) or "none defined yet"
        yield Field(
            "name",
            "Name (lowercase)",
            Input(self.menu or "", id="name", disabled=self.menu is not None),
        )
        yield Field(
            "greeting",
            "Greeting",
            Input(menu.get("greeting", "tone:beep"), id="greeting"),
            hint="a .wav file relative to the center directory, or tone:beep",
        )
        yield Field(
            "timeout", "Seconds to wait for a key", Input(str(menu.get("timeout", 5)), id="timeout")
        )
        yield Field(
            "max_tries",
            "Tries before the default (1-10)",
            Input(str(menu.get("max_tries", 3)), id="max_tries"),
        )
        yield Field(
            "default",
            "After too many wrong or missing keys",
            Input(format_destination(menu.get("default")) or "hangup", id="default"),
            hint=DESTINATION_HELP,
        )
        yield Field(
            "hours",
            "Opening hours (blank: always open)",
            Input(menu.get("hours") or "", id="hours"),
            hint=f"defined: {hours}",
        )
        yield Field(
            "closed",
            "When closed (blank: the hours' own closed action)",
            Input(format_destination(menu.get("closed")), id="closed"),
        )

    def submit(self) -> None:
        """Check the menu, then save through the core."""
        errors: dict[str, str] = {}
        name = self.menu or self.value("name").strip()
        if not name:
            errors["name"] = "a name is needed, e.g. sales"
        elif self.menu is None and name in (self.model.get("ivr") or {}):
            errors["name"] = f"menu {name} already exists"
        values: dict[str, Any] = {"greeting": self.value("greeting").strip()}
        for key in ("timeout", "max_tries"):
            try:
                values[key] = parse_seconds(self.value(key))
            except FieldError as error:
                errors[key] = str(error)
        for key in ("default", "closed"):
            text = self.value(key).strip()
            try:
                values[key] = parse_destination(text) if text else None
            except FieldError as error:
                errors[key] = str(error)
        values["hours"] = self.value("hours").strip() or None
        if errors:
            self.show_errors(errors)
            return
        if self.menu is None:
            table = {k: v for k, v in values.items() if v is not None}
            edits = [{"op": "set", "path": ["ivr", name], "value": table}]
        else:
            edits = []
            for key, value in values.items():
                old = self.values_now.get(key)
                if value is None and old is not None:
                    edits.append({"op": "remove", "path": ["ivr", name, key]})
                elif value is not None and value != old:
                    edits.append({"op": "set", "path": ["ivr", name, key], "value": value})
        self.save(edits, f"ivr.{name}")

    @work(exclusive=True)
    async def save(self, edits: list[dict[str, Any]], prefix: str) -> None:
        """Send the edits; the core's refusals go under the fields."""
        if edits:
            try:
                await self.editor.request("config.edit", prefix=prefix, edits=edits)
            except Rejected as rejected:
                self.show_errors(rejected.errors, rejected.general)
                return
        self.dismiss(True)
