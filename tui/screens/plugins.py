"""Plugins: each one's version and state and, for one that is not running, why."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ccore_tui.screens.base import TableScreen
from ccore_tui.state import CenterState

COLUMNS = ("Plugin", "Version", "State", "Depends on", "Why")
STATE_STYLES = {"running": "green", "failed": "bold red", "refused": "red", "retrying": "yellow"}


class PluginsScreen(TableScreen):
    """The plugins the core loaded."""

    CSS_PATH = "plugins.tcss"
    HEADING = "Plugins"
    TABLE_ID = "plugins"
    COLUMNS = COLUMNS
    HINT = (
        "A failed plugin's reason tells what to fix (often its [plugins.NAME] section in"
        " center.toml); the center runs on without it. Plugins are set up when the core"
        " starts: restart `ccore run` after installing or fixing one."
    )

    def rows(self, state: CenterState) -> dict[str, tuple[Any, ...]]:
        """Every plugin the core loaded, from the snapshot."""
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
        return rows
