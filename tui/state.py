"""What the UI knows about the center: connection, latest snapshot, saved configuration.

Plain data, no Textual: the app updates it from the control client's callbacks and hands it
down to the screen on view.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CenterState:
    """The UI's view of the center."""

    core_connected: bool = False
    core_reason: str = "connecting to the core…"
    url: str = ""
    snapshot: dict[str, Any] = field(default_factory=dict)
    snapshot_at: float = 0.0  # local time the last snapshot arrived
    config: dict[str, Any] = field(default_factory=dict)  # the ``config.get`` view
    unapplied: bool = False  # saved to center.toml, not yet applied to the running center

    @property
    def switch_connected(self) -> bool:
        """True while the core reports the switch connection up."""
        return bool(self.snapshot.get("switch", {}).get("connected"))

    @property
    def model(self) -> dict[str, Any]:
        """center.toml's values as saved."""
        return dict(self.config.get("model") or {})

    def agents(self) -> list[dict[str, Any]]:
        """Operators with their live state."""
        return list(self.snapshot.get("agents") or [])

    def agent(self, extension: str) -> dict[str, Any] | None:
        """One operator's live state."""
        return next((a for a in self.agents() if a.get("extension") == extension), None)

    def service(self, name: str) -> bool:
        """Whether the core runs the plugin service ``name`` (agents, routing)."""
        return bool(self.snapshot.get("services", {}).get(name))

    def problems(self) -> list[dict[str, Any]]:
        """Problems the core found in the saved center.toml (e.g. missing sound files)."""
        return list(self.config.get("problems") or [])


def duration(seconds: float | None) -> str:
    """``75`` -> ``"1:15"``; an hour or more -> ``"1:02:03"``; None -> ``"-"``."""
    if seconds is None:
        return "-"
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def since(timestamp: float | None, now: float | None = None) -> str:
    """Time elapsed since an epoch timestamp, as ``duration``."""
    if not timestamp:
        return "-"
    return duration((now or time.time()) - timestamp)


STATE_LABELS = {
    "available": "Available",
    "on_break": "On break",
    "logged_out": "Logged out",
    "ringing": "Ringing",
    "on_call": "On a call",
    "wrap_up": "Wrap-up",
    "unknown": "Unknown",
    "not_loaded": "Not applied yet: press a",
}


def state_label(state: str, reason: str = "") -> str:
    """An operator state in words (with the break reason)."""
    label = STATE_LABELS.get(state, state.replace("_", " ").capitalize())
    return f"{label} ({reason})" if reason and state == "on_break" else label
