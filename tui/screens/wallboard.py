"""The wallboard: queues, operators and calls, live; operators' state changed from here."""

from __future__ import annotations

import time
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from ccore_tui.editor import Rejected
from ccore_tui.screens.base import CenterScreen
from ccore_tui.state import CenterState
from ccore_tui.wallboard_rows import agent_rows, call_rows, queue_rows
from ccore_tui.widgets.table_sync import sync_table

QUEUE_COLUMNS = ("Queue", "Waiting", "Longest wait", "Answered", "Abandoned", "Service level")
AGENT_COLUMNS = ("Ext", "Operator", "State", "In state", "Caller", "Calls today", "Phone")
CALL_COLUMNS = ("Caller", "Dialed", "Queue", "State", "Duration", "Operator")


class BreakReasonPicker(ModalScreen[str | None]):
    """Pick the reason for a break (from ``[break_reasons]``)."""

    DEFAULT_CSS = """
    BreakReasonPicker { align: center middle; }
    BreakReasonPicker > Vertical { width: 40; height: auto; border: thick $primary;
        background: $surface; padding: 0 1; }
    BreakReasonPicker OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, operator: str, reasons: list[str]) -> None:
        super().__init__()
        self.operator = operator
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Break for {self.operator}: why?")
            yield OptionList(*(Option(reason, id=reason) for reason in self.reasons))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """The admin picked a reason."""
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        """No break after all."""
        self.dismiss(None)


class WallboardScreen(CenterScreen):
    """The live view of the center."""

    CSS_PATH = "wallboard.tcss"
    BINDINGS = [
        Binding("v", "set_state('available')", "Available"),
        Binding("b", "set_state('on_break')", "Break"),
        Binding("l", "set_state('logged_out')", "Log out"),
        Binding("r", "record", "Record call"),
    ]

    def body(self) -> ComposeResult:
        with Vertical(id="queues-box"):
            yield Static("Queues", classes="section-title")
            yield Static("", id="queues-missing", classes="missing")
            yield DataTable(id="queues", cursor_type="row", zebra_stripes=True)
        with Vertical(id="agents-box"):
            yield Static("Operators (v available, b break, l log out)", classes="section-title")
            yield Static("", id="agents-missing", classes="missing")
            yield DataTable(id="agents", cursor_type="row", zebra_stripes=True)
        with Vertical(id="calls-box"):
            yield Static("Calls in progress (r record)", id="calls-title", classes="section-title")
            yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Set the tables' columns."""
        for table_id, columns in (
            ("#queues", QUEUE_COLUMNS),
            ("#agents", AGENT_COLUMNS),
            ("#calls", CALL_COLUMNS),
        ):
            table = self.query_one(table_id, DataTable)
            for column in columns:
                table.add_column(column, key=column)
        self.query_one("#agents", DataTable).focus()

    def show_state(self, state: CenterState) -> None:
        """Draw queues, operators and calls from the latest snapshot."""
        super().show_state(state)
        if not self.is_mounted:
            return
        snapshot = state.snapshot
        now = time.time()
        routing = state.service("routing") or not snapshot
        self._note(
            "#queues-missing",
            ""
            if routing
            else "Queue figures need the routing plugin, which is not running"
            " (see Plugins, key 6).",
        )
        self.query_one("#queues", DataTable).display = routing
        agents = state.service("agents") or not snapshot
        self._note(
            "#agents-missing",
            ""
            if agents
            else "Operator states need the agents plugin, which is not running"
            " (see Plugins, key 6); showing operators from center.toml.",
        )
        sync_table(
            self.query_one("#queues", DataTable), queue_rows(snapshot, now, state.snapshot_at)
        )
        sync_table(self.query_one("#agents", DataTable), agent_rows(snapshot, now))
        calls = call_rows(snapshot, now)
        self.query_one("#calls-title", Static).update(
            f"Calls in progress: {len(calls)}  (r starts or stops recording the selected call)"
        )
        sync_table(self.query_one("#calls", DataTable), calls)

    def _note(self, selector: str, text: str) -> None:
        note = self.query_one(selector, Static)
        note.update(text)
        note.display = bool(text)

    def _selected_operator(self) -> str | None:
        table = self.query_one("#agents", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def action_set_state(self, state: str) -> None:
        """Change the highlighted operator's state (break asks for the reason)."""
        extension = self._selected_operator()
        if extension is None:
            self.notify("No operator selected", severity="warning")
            return
        if state != "on_break":
            self.change_state(extension, state, "")
            return
        reasons = list((self.state.model.get("break_reasons") or {"1": "Break"}).values())
        agent = self.state.agent(extension) or {}
        label = f"{agent.get('name', '')} ({extension})"

        def chosen(reason: str | None) -> None:
            if reason is not None:
                self.change_state(extension, "on_break", reason)

        self.app.push_screen(BreakReasonPicker(label, reasons), chosen)

    def action_record(self) -> None:
        """Start or stop recording the call highlighted in the calls table."""
        table = self.query_one("#calls", DataTable)
        if table.row_count == 0:
            self.notify("No call in progress", severity="warning")
            return
        call_uuid = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        recording = call_uuid in (self.state.snapshot.get("recordings") or {})
        self.toggle_recording(call_uuid, not recording)

    @work(group="recording")
    async def toggle_recording(self, call_uuid: str, start: bool) -> None:
        """Ask the core to start or stop recording a call."""
        command = "recording.start" if start else "recording.stop"
        try:
            result = await self.editor.request(command, call_uuid=call_uuid)
        except Rejected as error:
            self.notify(str(error), title="Recording", severity="error")
            return
        recordings = self.state.snapshot.setdefault("recordings", {})
        if start:
            recordings[call_uuid] = result["path"]
            self.notify(f"Recording to {result['path']}")
        else:
            recordings.pop(call_uuid, None)
            self.notify(f"Recording stopped: {result['path']}")
        self.show_state(self.state)

    @work(group="agent-state")
    async def change_state(self, extension: str, state: str, reason: str) -> Any:
        """Ask the core to change an operator's state."""
        try:
            await self.editor.request(
                "agent.set_state", extension=extension, state=state, reason=reason
            )
        except Rejected as error:
            self.notify(str(error), title=f"Operator {extension}", severity="error")
            return
        self.notify(f"{extension}: {state.replace('_', ' ')}", timeout=2)
