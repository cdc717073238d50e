"""The event journal: every domain event appended to the ``events`` table.

Reporting and state recovery read this table. Events are buffered and written in batches (one
transaction each) so a busy center does not pay one SQLite commit per event; ``flush`` writes
what is buffered, and the center flushes on stop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccore.bus import EventBus
    from ccore.events import Event
    from ccore.storage import Storage

_LOGGER = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.2
FLUSH_SIZE = 500


class EventJournal:
    """Appends every domain event fired on the bus to storage, in batches."""

    def __init__(self, bus: EventBus, storage: Storage) -> None:
        self.storage = storage
        self._buffer: list[Event] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self.written = 0
        self._unsubscribe = bus.listen("*", self._on_event)

    def _on_event(self, event: Event) -> None:
        self._buffer.append(event)
        if len(self._buffer) >= FLUSH_SIZE:
            self.flush()
        elif self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(
                FLUSH_INTERVAL, self.flush
            )

    def flush(self) -> None:
        """Write the buffered events now."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._buffer:
            return
        rows, self._buffer = self._buffer, []
        try:
            self.storage.append_events(rows)
            self.written += len(rows)
        except Exception:
            # Never lose accepted events silently: keep them for the next flush and say so.
            _LOGGER.exception("Could not write %d events to the journal; will retry", len(rows))
            self._buffer[:0] = rows

    def close(self) -> None:
        """Stop listening and write what is left."""
        self._unsubscribe()
        self.flush()
