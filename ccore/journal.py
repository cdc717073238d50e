"""The event journal: every domain event appended to the ``events`` table.

Reporting and state recovery read this table. Events are buffered and written in batches (one
transaction each) so a busy center does not pay one SQLite commit per event. A batch is at most
``CHUNK`` rows and the rest follows on the next turn of the event loop, so a burst of events
never holds call handling up for long. ``flush`` writes everything now (the center does on
stop).
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
CHUNK = 100  # rows per write: how long one write may hold the event loop (~5 ms)


class EventJournal:
    """Appends every domain event fired on the bus to storage, in batches."""

    def __init__(self, bus: EventBus, storage: Storage) -> None:
        self.storage = storage
        self._buffer: list[Event] = []
        self._flush_handle: asyncio.Handle | None = None
        self.written = 0
        self._unsubscribe = bus.listen("*", self._on_event)

    def _on_event(self, event: Event) -> None:
        self._buffer.append(event)
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(
                FLUSH_INTERVAL, self._write_chunk
            )

    def _write_chunk(self) -> None:
        """Write one chunk; schedule the next right away if more are waiting."""
        self._flush_handle = None
        self._write(CHUNK)
        if self._buffer:
            self._flush_handle = asyncio.get_running_loop().call_soon(self._write_chunk)

    def flush(self) -> None:
        """Write every buffered event now."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        while self._buffer and self._write(CHUNK):
            pass

    def _write(self, most: int) -> bool:
        """Write up to ``most`` buffered events; False (kept for later) if storage failed."""
        rows, self._buffer = self._buffer[:most], self._buffer[most:]
        if not rows:
            return True
        try:
            self.storage.append_events(rows)
        except Exception:
            # Never lose accepted events silently: keep them for the next write and say so.
            _LOGGER.exception("Could not write %d events to the journal; will retry", len(rows))
            self._buffer[:0] = rows
            return False
        self.written += len(rows)
        return True

    def close(self) -> None:
        """Stop listening and write what is left."""
        self._unsubscribe()
        self.flush()
