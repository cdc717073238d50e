"""Lines: the center's inbound numbers and the SIP trunks they arrive on."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from ccore_tui.editor import Rejected
from ccore_tui.forms import describe_destination, format_ring
from ccore_tui.screens.base import CenterScreen
from ccore_tui.screens.number_form import NumberForm, describe_route
from ccore_tui.screens.trunk_form import TrunkForm, describe_password
from ccore_tui.state import CenterState
from ccore_tui.widgets.table_sync import sync_table

NUMBER_COLUMNS = ("Number", "Name", "Goes to", "Trunk", "Hours", "When closed", "Fallback")
TRUNK_COLUMNS = (
    "Trunk",
    "Proxy",
    "Realm",
    "User",
    "Password",
    "Register",
    "Transport",
    "Caller ID",
    "Used by",
)
TABLES = {"numbers": ("number", NUMBER_COLUMNS), "trunks": ("name", TRUNK_COLUMNS)}


def number_rows(model: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """The saved numbers, one row each, keyed by number."""
    rows = {}
    for number in model.get("numbers") or []:
        fallback = number.get("fallback") or {}
        rings = format_ring(fallback.get("ring"))
        then = f", then voicemail {fallback['voicemail']}" if fallback.get("voicemail") else ""
        rows[number["number"]] = (
            number["number"],
            number.get("name") or "",
            describe_route(number),
            number.get("trunk") or "any",
            number.get("hours") or "always",
            describe_destination(number.get("closed")) if number.get("hours") else "-",
            f"ring {rings} {fallback.get('ring_timeout', 30)}s{then}",
        )
    return rows


def trunk_rows(model: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """The saved trunks, one row each, keyed by name; passwords never shown."""
    rows = {}
    numbers = model.get("numbers") or []
    for trunk in model.get("trunks") or []:
        used = [n["number"] for n in numbers if n.get("trunk") == trunk["name"]]
        rows[trunk["name"]] = (
            trunk["name"],
            trunk.get("proxy", ""),
            trunk.get("realm") or "(proxy)",
            trunk.get("username") or "-",
            describe_password(trunk),
            "yes" if trunk.get("register", True) else "no",
            trunk.get("transport", "udp"),
            trunk.get("caller_id_number") or "-",
            ", ".join(used) or "any number",
        )
    return rows


class LinesScreen(CenterScreen):
    """The numbers callers dial and the trunks (providers) that bring their calls."""

    CSS_PATH = "lines.tcss"
    BINDINGS = [
        Binding("n", "new_number", "New number"),
        Binding("t", "new_trunk", "New trunk"),
        Binding("e,enter", "edit", "Edit"),
        Binding("d,delete", "remove", "Remove", show=False),  # in the hint: the footer is full
    ]

    def body(self) -> ComposeResult:
        yield Static("Numbers callers dial", classes="section-title")
        yield DataTable(id="numbers", cursor_type="row", zebra_stripes=True)
        yield Static("Trunks: your phone provider's SIP accounts", classes="section-title")
        yield DataTable(id="trunks", cursor_type="row", zebra_stripes=True)
        yield Static(
            "n new number · t new trunk · e edit · d remove · tab: the other table"
            " · a apply saved changes",
            classes="hint",
        )

    def on_mount(self) -> None:
        """Set the columns."""
        for table_id, (_, columns) in TABLES.items():
            table = self.query_one(f"#{table_id}", DataTable)
            for column in columns:
                table.add_column(column, key=column)
        self.query_one("#numbers", DataTable).focus()
        self.query_one(Footer).compact = True  # this screen has more keys: all fit

    def show_state(self, state: CenterState) -> None:
        """Draw the banner, then both tables."""
        super().show_state(state)
        if self.is_mounted:
            model = state.model
            sync_table(self.query_one("#numbers", DataTable), number_rows(model))
            sync_table(self.query_one("#trunks", DataTable), trunk_rows(model))

    def _selected(self) -> tuple[str, int, dict[str, Any]] | None:
        """The focused table's kind, and the index and values of its highlighted row."""
        table = self.focused if isinstance(self.focused, DataTable) else None
        if table is None or table.id not in TABLES or table.row_count == 0:
            return None
        kind = str(table.id)
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        name_key = TABLES[kind][0]
        for index, entry in enumerate(self.state.model.get(kind) or []):
            if entry[name_key] == key:
                return kind, index, entry
        return None

    def action_new_number(self) -> None:
        """Add a number."""
        self.app.push_screen(NumberForm(self.editor, None, None, self.state.model))

    def action_new_trunk(self) -> None:
        """Add a trunk."""
        self.app.push_screen(TrunkForm(self.editor, None, None, self.state.model))

    def action_edit(self) -> None:
        """Edit the highlighted number or trunk."""
        selected = self._selected()
        if selected is None:
            return
        kind, index, entry = selected
        form = NumberForm if kind == "numbers" else TrunkForm
        self.app.push_screen(form(self.editor, index, entry, self.state.model))

    def action_remove(self) -> None:
        """Remove the highlighted number or trunk (press d twice)."""
        selected = self._selected()
        if selected is None:
            return
        kind, index, entry = selected
        what = f"number {entry['number']}" if kind == "numbers" else f"trunk {entry['name']}"
        if getattr(self, "_confirm", None) != what:
            self._confirm = what
            self.notify(f"Press d again to remove {what}", severity="warning")
            return
        self._confirm = None
        self.remove_line(kind, index)

    @work(group="lines")
    async def remove_line(self, kind: str, index: int) -> None:
        """Ask the core to remove a number or trunk (refused while a number uses the trunk)."""
        try:
            await self.editor.request(
                "config.edit", edits=[{"op": "remove", "path": [kind, index]}]
            )
        except Rejected as error:
            self.notify(str(error), title="Not removed", severity="error", timeout=10)
