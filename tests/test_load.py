"""Many simultaneous calls through the stand-in and the core: every event arrives, in order."""

from __future__ import annotations

import asyncio

from center_fixtures import MakeHarness

CALLS = 500
LIFE = ["call.offered", "call.parked", "call.answered", "call.hungup", "call.ended"]


async def test_500_simultaneous_calls_each_get_their_complete_event_sequence(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(route_calls=False)
    switch, center = harness.switch, harness.center
    calls = [
        await switch.place_call(caller_number=f"555{n:04d}", destination="7000")
        for n in range(CALLS)
    ]
    uuids = {call.uuid for call in calls}
    await harness.wait_for(
        lambda: uuids <= set(center.calls.channels), timeout=60, what="every call offered"
    )
    assert sum(1 for c in center.calls.channels.values() if c.is_live) >= CALLS  # all at once
    await asyncio.gather(*(center.switch.answer(uuid) for uuid in uuids))
    await asyncio.gather(*(call.hangup() for call in calls))
    await harness.wait_for(
        lambda: not uuids & set(center.calls.channels), timeout=60, what="every call ended"
    )
    await center.bus.drain()
    per_call: dict[str, list[str]] = {uuid: [] for uuid in uuids}
    for event in harness.events:
        if event.call_uuid in per_call and event.name in LIFE:
            per_call[event.call_uuid].append(event.name)
    incomplete = {uuid: seen for uuid, seen in per_call.items() if seen != LIFE}
    assert incomplete == {}, f"{len(incomplete)} calls lost or reordered events"
    assert center.switch.client is not None and center.switch.client.dropped_events == 0
    hungup = [e for e in harness.events if e.name == "call.hungup" and e.call_uuid in uuids]
    assert {e.cause for e in hungup} == {"NORMAL_CLEARING"}
