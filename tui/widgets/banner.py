"""The line at the top of every screen saying plainly whether the core and the switch are up."""

from __future__ import annotations

from textual.widgets import Static

from ccore_tui.state import CenterState


class ConnectionBanner(Static):
    """Green when all is well; red, in words, when the core or the switch is disconnected."""

    DEFAULT_CSS = """
    ConnectionBanner {
        height: auto; max-height: 4; padding: 0 1; background: $success-darken-2; color: $text;
    }
    ConnectionBanner.-down { background: $error; color: $text; text-style: bold; }
    ConnectionBanner.-warn { background: $warning-darken-2; color: $text; }
    """

    def show_state(self, state: CenterState) -> None:
        """Render the connection part of ``state``."""
        name = state.snapshot.get("center", {}).get("name") or "the center"
        self.set_class(False, "-down", "-warn")
        if not state.core_connected:
            self.add_class("-down")
            self.update(
                f"CORE DISCONNECTED: {state.core_reason}  (retrying; calls are not affected)"
            )
        elif not state.snapshot:
            self.update(f"Connected to {name}; waiting for the first snapshot…")
        elif not state.switch_connected:
            self.add_class("-down")
            self.update(
                f"SWITCH DISCONNECTED: {name} cannot take calls until FreeSWITCH is back"
                " (the core reconnects by itself)"
            )
        elif state.unapplied:
            self.add_class("-warn")
            self.update(f"{name}: changes saved to center.toml, not applied yet. Press a to apply")
        else:
            self.update(f"{name}: core and switch connected")
