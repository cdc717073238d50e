"""Messages the app receives from the control client (messages up)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class SnapshotArrived(Message):
    """The core pushed a fresh snapshot."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        super().__init__()
        self.snapshot = snapshot


class EventArrived(Message):
    """The core streamed a domain event."""

    def __init__(self, event: dict[str, Any]) -> None:
        super().__init__()
        self.event = event


class ConnectionChanged(Message):
    """The connection to the core went up or down."""

    def __init__(self, connected: bool, reason: str) -> None:
        super().__init__()
        self.connected = connected
        self.reason = reason
