"""Opening hours and holidays: named weekly schedules that queues and menus refer to."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input

from ccore_tui.editor import CenterEditor, Rejected
from ccore_tui.forms import (
    DESTINATION_HELP,
    FieldError,
    format_destination,
    parse_dates,
    parse_destination,
    parse_ranges,
)
from ccore_tui.screens.base import TableScreen
from ccore_tui.state import CenterState
from ccore_tui.widgets.form import Field, FormScreen

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COLUMNS = (
    "Name",
    "Time zone",
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
    "Holidays",
    "Used by",
)


def users_of(model: dict[str, Any], name: str) -> list[str]:
    """Queues, menus and numbers that follow hours ``name``."""
    used = [f"queue {q['name']}" for q in model.get("queues") or [] if q.get("hours") == name]
    used += [
        f"menu {m}" for m, menu in (model.get("ivr") or {}).items() if menu.get("hours") == name
    ]
    used += [f"number {n['number']}" for n in model.get("numbers") or [] if n.get("hours") == name]
    return used


class HoursForm(FormScreen):
    """Create (``name`` None) or edit a set of opening hours."""

    def __init__(self, editor: CenterEditor, name: str | None, model: dict[str, Any]) -> None:
        super().__init__()
        self.editor = editor
        self.name_now = name
        self.model = model
        self.hours = dict((model.get("hours") or {}).get(name, {})) if name else {}
        self.TITLE_TEXT = f"Opening hours {name}" if name else "New opening hours"

    def fields(self) -> ComposeResult:
        hours = self.hours
        center_zone = (self.model.get("center") or {}).get("timezone", "UTC")
        yield Field(
            "name",
            "Name (lowercase)",
            Input(self.name_now or "", id="name", disabled=self.name_now is not None),
        )
        yield Field(
            "timezone",
            f"Time zone (blank: the center's, {center_zone})",
            Input(hours.get("timezone") or "", id="timezone"),
        )
        for day in WEEKDAYS:
            yield Field(
                day,
                day.capitalize(),
                Input(", ".join(hours.get(day) or []), id=day, placeholder="closed"),
            )
        yield Field(
            "holidays",
            "Holidays, closed all day (YYYY-MM-DD, comma separated)",
            Input(", ".join(str(d) for d in hours.get("holidays") or []), id="holidays"),
        )
        yield Field(
            "closed",
            "When closed, callers go (blank: each queue or menu says)",
            Input(format_destination(hours.get("closed")), id="closed"),
            hint=DESTINATION_HELP,
        )

    def submit(self) -> None:
        """Check the hours, then save through the core."""
        errors: dict[str, str] = {}
        name = self.name_now or self.value("name").strip()
        if not name:
            errors["name"] = "a name is needed, e.g. office"
        values: dict[str, Any] = {"timezone": self.value("timezone").strip() or None}
        for day in WEEKDAYS:
            try:
                values[day] = parse_ranges(self.value(day))
            except FieldError as error:
                errors[day] = str(error)
        try:
            values["holidays"] = [str(d) for d in parse_dates(self.value("holidays"))]
        except FieldError as error:
            errors["holidays"] = str(error)
        closed = self.value("closed").strip()
        try:
            values["closed"] = parse_destination(closed) if closed else None
        except FieldError as error:
            errors["closed"] = str(error)
        if errors:
            self.show_errors(errors)
            return
        edits = []
        for key, value in values.items():
            old = self.hours.get(key)
            path = ["hours", name, key]
            if key == "holidays":
                old = [str(d) for d in old or []]
            empty = value in (None, [])
            if empty and old not in (None, []):
                edits.append({"op": "remove", "path": path})
            elif not empty and value != old:
                edits.append({"op": "set", "path": path, "value": value})
        if self.name_now is None and not edits:
            edits.append({"op": "set", "path": ["hours", name, "monday"], "value": []})
        self.save(edits, f"hours.{name}")

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


class HoursScreen(TableScreen):
    """Every set of opening hours, with its holidays and who follows it."""

    CSS_PATH = "hours.tcss"
    HEADING = "Opening hours and holidays"
    TABLE_ID = "hours"
    COLUMNS = COLUMNS
    HINT = "n new · e edit · d remove · a apply saved changes"
    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("e,enter", "edit", "Edit"),
        Binding("d,delete", "remove", "Remove"),
    ]

    def rows(self, state: CenterState) -> dict[str, tuple[Any, ...]]:
        """The saved opening hours, one row each."""
        model = state.model
        zone = (model.get("center") or {}).get("timezone", "UTC")
        rows = {}
        for name, hours in (model.get("hours") or {}).items():
            rows[name] = (
                name,
                hours.get("timezone") or f"{zone} (center)",
                *(" ".join(hours.get(day) or []) or "closed" for day in WEEKDAYS),
                ", ".join(str(d) for d in hours.get("holidays") or []) or "-",
                ", ".join(users_of(model, name)) or "nobody",
            )
        return rows

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_new(self) -> None:
        """Add a set of hours."""
        self.app.push_screen(HoursForm(self.editor, None, self.state.model))

    def action_edit(self) -> None:
        """Edit the highlighted hours."""
        name = self._selected()
        if name is not None:
            self.app.push_screen(HoursForm(self.editor, name, self.state.model))

    def action_remove(self) -> None:
        """Remove the highlighted hours (press d twice; refused while in use)."""
        name = self._selected()
        if name is None:
            return
        if getattr(self, "_confirm", None) != name:
            self._confirm = name
            self.notify(f"Press d again to remove hours {name}", severity="warning")
            return
        self._confirm = None
        self.remove(name)

    @work(group="hours")
    async def remove(self, name: str) -> None:
        """Ask the core to remove a set of hours."""
        try:
            await self.editor.request(
                "config.edit", edits=[{"op": "remove", "path": ["hours", name]}]
            )
        except Rejected as error:
            self.notify(str(error), title="Not removed", severity="error", timeout=10)
