"""Queues: strategy, skills, timeouts, overflow, announcements, callback."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.binding import Binding
from textual.widgets import DataTable

from ccore_tui.editor import Rejected
from ccore_tui.forms import describe_destination, format_skills
from ccore_tui.screens.base import TableScreen
from ccore_tui.screens.queue_form import QueueForm
from ccore_tui.state import CenterState

COLUMNS = (
    "Queue",
    "Name shown",
    "Strategy",
    "Skills",
    "Ring",
    "Wrap-up",
    "Max wait",
    "Overflow",
    "Callback",
    "Hours",
)


class QueuesScreen(TableScreen):
    """The queues of center.toml."""

    CSS_PATH = "queues.tcss"
    HEADING = "Queues"
    TABLE_ID = "queues"
    COLUMNS = COLUMNS
    HINT = "n new · e edit · d remove · a apply saved changes"
    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("e,enter", "edit", "Edit"),
        Binding("d,delete", "remove", "Remove"),
    ]

    def rows(self, state: CenterState) -> dict[str, tuple[Any, ...]]:
        """The saved queues, one row each."""
        rows = {}
        for queue in state.model.get("queues") or []:
            callback = queue.get("callback") or {}
            rows[queue["name"]] = (
                queue["name"],
                queue.get("display_name") or "",
                queue.get("strategy", ""),
                format_skills(queue.get("skills")) or "-",
                f"{queue.get('ring_timeout')}s",
                f"{queue.get('wrap_up')}s",
                "-" if queue.get("max_wait") is None else f"{queue['max_wait']}s",
                describe_destination(queue.get("overflow")),
                f"key {callback.get('key')}" if callback.get("enabled") else "off",
                queue.get("hours") or "always",
            )
        return rows

    def _selected(self) -> tuple[int, dict[str, Any]] | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        for index, queue in enumerate(self.state.model.get("queues") or []):
            if queue["name"] == key:
                return index, queue
        return None

    def action_new(self) -> None:
        """Add a queue."""
        self.app.push_screen(QueueForm(self.editor, None, None, self.state.model))

    def action_edit(self) -> None:
        """Edit the highlighted queue."""
        selected = self._selected()
        if selected is not None:
            index, queue = selected
            self.app.push_screen(QueueForm(self.editor, index, queue, self.state.model))

    def action_remove(self) -> None:
        """Remove the highlighted queue (press d twice)."""
        selected = self._selected()
        if selected is None:
            return
        index, queue = selected
        if getattr(self, "_confirm", None) != queue["name"]:
            self._confirm = queue["name"]
            self.notify(f"Press d again to remove queue {queue['name']}", severity="warning")
            return
        self._confirm = None
        self.remove_queue(index)

    @work(group="queues")
    async def remove_queue(self, index: int) -> None:
        """Ask the core to remove a queue (refused while a menu or number uses it)."""
        try:
            await self.editor.request(
                "config.edit", edits=[{"op": "remove", "path": ["queues", index]}]
            )
        except Rejected as error:
            self.notify(str(error), title="Not removed", severity="error", timeout=10)
