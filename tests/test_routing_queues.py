"""Queues with real calls on the stand-in: strategies, skills, escalation, priority."""

from __future__ import annotations

from center_fixtures import MakeHarness
from routing_helpers import agents, board, center_toml, log_in, named

SPEED = 10.0


async def test_caller_is_connected_to_the_longest_idle_operator(
    center_harness: MakeHarness,
) -> None:
    toml = center_toml('[[queues]]\nname = "support"\n', {"1001": {}, "1002": {}}, speed=SPEED)
    harness = await center_harness(toml, speed=SPEED)
    await log_in(harness, "1002", "1001", ring_seconds=1)
    call = await harness.switch.place_call("+4930555", "+4930100", talk_seconds=5)
    answered = await harness.next_event("queue.answered", lambda e: e.call_uuid == call.uuid)
    assert answered.agent == "1002"  # logged in first: idle longest
    assert agents(harness).agents["1002"].state == "on_call"
    bridged = await harness.next_event("call.bridged", lambda e: call.uuid in (e.call_uuid, e.other_uuid))
    assert answered.agent_uuid in (bridged.call_uuid, bridged.other_uuid)
    await harness.next_event("queue.completed", lambda e: e.call_uuid == call.uuid, timeout=5)
    assert board(harness).snapshot()["queues"]["support"]["answered"] == 1
