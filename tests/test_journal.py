"""The journal writes every domain event to SQLite, in order, without holding the loop long."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ccore.bus import EventBus
from ccore.events import CallDtmf
from ccore.journal import CHUNK, EventJournal
from ccore.storage import Storage


async def test_every_event_is_written_in_order_in_chunks_the_loop_can_breathe_between(
    tmp_path: Path,
) -> None:
    storage = Storage.open(tmp_path / "journal.sqlite")
    bus = EventBus()
    journal = EventJournal(bus, storage)
    total = 2 * CHUNK + CHUNK // 2
    for n in range(total):
        bus.fire(CallDtmf(call_uuid="call-1", digit=str(n % 10)))
    await bus.drain()
    seen_counts: set[int] = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 3
    while loop.time() < deadline:
        count = storage.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        seen_counts.add(count)
        if count == total:
            break
        await asyncio.sleep(0)  # one turn of the loop
    assert count == total
    assert {CHUNK, 2 * CHUNK} <= seen_counts  # other work ran between the chunks
    digits = [row.data["digit"] for row in storage.events_for_call("call-1")]
    assert digits == [str(n % 10) for n in range(total)]
    journal.close()
    storage.close()


async def test_close_writes_what_is_still_buffered(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "journal.sqlite")
    bus = EventBus()
    journal = EventJournal(bus, storage)
    for _ in range(CHUNK + 7):
        bus.fire(CallDtmf(call_uuid="call-2", digit="5"))
    await bus.drain()
    journal.close()  # before the flush interval has passed
    assert len(storage.events_for_call("call-2")) == CHUNK + 7
    storage.close()
