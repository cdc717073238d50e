"""Plugins: each one's version and state and, for one that is not running, why."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from ccore_tui.screens.base import CenterScreen
from ccore_tui.state import CenterState
from ccore_tui.widgets.table_sync import sync_table

COLUMNS = ("Plugin", "Version", "State", "Depends on", "Why")
STATE_STYLES = {"running": "green", "failed": "bold red", "refused": "red", "retrying": "yellow"}


class PluginsScreen(CenterScreen):
    """The plugins the core loaded."""

    CSS_PATH = "plugins.tcss"

    def body(self) -> ComposeResult:
        yield Static("Plugins", classes="section-title")
        yield DataTable(id="plugins", cursor_type="row", zebra_stripes=True)
        yield Static(
            "A failed plugin's reason tells what to fix (often its [plugins.NAME] section in"
            " center.toml); the center runs on without it. Plugins are set up when the core"
            " starts: restart `ccore run` after installing or fixing one.",
            classes="hint",
        )

    def on_mount(self) -> None:
        """Set the columns."""
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()

    def show_state(self, state: CenterState) -> None:
        """Draw every plugin from the snapshot."""
        super().show_state(state)
        if not self.is_mounted:
            return
        rows = {}
        for plugin in state.snapshot.get("plugins") or []:
            name = plugin["name"]
            style = STATE_STYLES.get(plugin["state"], "")
            rows[name] = (
                name,
                plugin.get("version") or "-",
                Text(plugin["state"], style=style),
                ", ".join(plugin.get("depends_on") or []) or "-",
                plugin.get("reason") or "",
            )
        sync_table(self.query_one(DataTable), rows)
