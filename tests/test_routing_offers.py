"""Offers that do not end in a conversation: no answer, busy, unregistered, caller gone."""

from __future__ import annotations

from center_fixtures import MakeHarness
from routing_helpers import agents, center_toml, log_in, named

SPEED = 10.0


async def test_caller_keeps_place_when_operator_misses_and_operator_breaks_after_misses(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\nring_timeout = 5\nmissed_calls_before_break = 2\n'
    harness = await center_harness(center_toml(queue, {"1001": {}, "1002": {}}), speed=SPEED)
    await log_in(harness, "1001", answers=False)  # idle longest: offered first, never answers
    await log_in(harness, "1002", ring_seconds=1)
    agents(harness).set_state("1002", "on_break", "Lunch", by="test")
    first = await harness.switch.place_call("+4930001", "+4930100")
    missed = await harness.next_event(
        "queue.missed", lambda e: e.call_uuid == first.uuid, timeout=5
    )
    assert (missed.agent, missed.cause) == ("1001", "NO_ANSWER")
    second = await harness.switch.place_call("+4930002", "+4930100")
    await harness.next_event("queue.entered", lambda e: e.call_uuid == second.uuid)
    # 1001 is offered the first caller again (nobody else), misses again: on break
    await harness.next_event(
        "agent.state_changed", lambda e: e.agent == "1001" and e.new == "on_break", timeout=5
    )
    assert agents(harness).agents["1001"].reason == "missed calls"
    agents(harness).set_state("1002", "available", by="test")
    answered = await harness.next_event("queue.answered", timeout=5)
    assert (answered.call_uuid, answered.agent) == (first.uuid, "1002")  # kept the front place


async def test_no_answer_goes_to_the_next_operator(center_harness: MakeHarness) -> None:
    queue = '[[queues]]\nname = "support"\nring_timeout = 4\n'
    harness = await center_harness(center_toml(queue, {"1001": {}, "1002": {}}), speed=SPEED)
    await log_in(harness, "1001", answers=False)
    await log_in(harness, "1002", ring_seconds=1)
    call = await harness.switch.place_call("+4930003", "+4930100")
    answered = await harness.next_event(
        "queue.answered", lambda e: e.call_uuid == call.uuid, timeout=5
    )
    assert answered.agent == "1002"
    offers = named(harness, "queue.offered", call_uuid=call.uuid)
    assert [e.agent for e in offers] == ["1001", "1002"]
    rang = (offers[1].at - offers[0].at) * SPEED  # simulated seconds 1001's phone rang
    assert 3.5 <= rang <= 6  # the queue's ring_timeout (4 s), enforced by the switch
    assert agents(harness).agents["1001"].state == "available"
    assert agents(harness).agents["1001"].missed_in_row == 1


async def test_busy_phone_is_skipped_and_not_counted_as_missed_forever(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\n'
    harness = await center_harness(center_toml(queue, {"1001": {}, "1002": {}}), speed=SPEED)
    await log_in(harness, "1001", busy=True)
    await log_in(harness, "1002", ring_seconds=1)
    call = await harness.switch.place_call("+4930004", "+4930100")
    answered = await harness.next_event(
        "queue.answered", lambda e: e.call_uuid == call.uuid, timeout=5
    )
    assert answered.agent == "1002"
    missed = named(harness, "queue.missed", call_uuid=call.uuid)
    assert [(m.agent, m.cause) for m in missed] == [("1001", "USER_BUSY")]


async def test_unregistered_phone_is_skipped_and_not_offered_again(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\n'
    harness = await center_harness(center_toml(queue, {"1001": {}, "1002": {}}), speed=SPEED)
    board = agents(harness)
    board.set_registered("1001", True)  # the board believes in a phone the switch has not got
    board.set_state("1001", "available", by="test")
    await log_in(harness, "1002", ring_seconds=1)
    call = await harness.switch.place_call("+4930005", "+4930100")
    answered = await harness.next_event(
        "queue.answered", lambda e: e.call_uuid == call.uuid, timeout=5
    )
    assert answered.agent == "1002"
    missed = named(harness, "queue.missed", call_uuid=call.uuid)
    assert [(m.agent, m.cause) for m in missed] == [("1001", "USER_NOT_REGISTERED")]
    assert not board.agents["1001"].registered
    second = await harness.switch.place_call("+4930006", "+4930100")
    await harness.next_event("queue.entered", lambda e: e.call_uuid == second.uuid)
    assert not named(harness, "queue.offered", call_uuid=second.uuid)  # 1002 busy, 1001 gone
    harness.switch.set_phone("1001", ring_seconds=0.5)
    await harness.switch.register("1001")
    answered = await harness.next_event(
        "queue.answered", lambda e: e.call_uuid == second.uuid, timeout=5
    )
    assert answered.agent == "1001"  # offered at once when the phone registers
    assert [e.agent for e in named(harness, "queue.offered", call_uuid=second.uuid)] == ["1001"]


async def test_caller_hanging_up_while_operator_phone_rings_is_never_connected(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\nring_timeout = 30\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}), speed=SPEED)
    await log_in(harness, "1001", ring_seconds=8)
    call = await harness.switch.place_call("+4930007", "+4930100", patience=3)
    offered = await harness.next_event("queue.offered", lambda e: e.call_uuid == call.uuid)
    abandoned = await harness.next_event(
        "queue.abandoned", lambda e: e.call_uuid == call.uuid, timeout=5
    )
    assert abandoned.while_ringing == "1001"
    hungup = await harness.next_event(
        "call.hungup", lambda e: e.call_uuid == offered.agent_uuid, timeout=5
    )
    assert hungup.cause == "ORIGINATOR_CANCEL"
    await harness.wait_for(lambda: agents(harness).agents["1001"].state == "available")
    assert agents(harness).agents["1001"].missed_in_row == 0
    assert not named(harness, "queue.answered")
    assert not any(
        e.name == "call.bridged" and offered.agent_uuid in (e.call_uuid, e.other_uuid)
        for e in harness.events
    )


async def test_caller_hanging_up_while_waiting_leaves_the_line(center_harness: MakeHarness) -> None:
    queue = '[[queues]]\nname = "support"\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}), speed=SPEED)
    first = await harness.switch.place_call("+4930008", "+4930100", patience=2)
    second = await harness.switch.place_call("+4930009", "+4930100")
    await harness.next_event("queue.abandoned", lambda e: e.call_uuid == first.uuid, timeout=5)
    await log_in(harness, "1001", ring_seconds=0.5)
    answered = await harness.next_event("queue.answered", timeout=5)
    assert answered.call_uuid == second.uuid
    assert not named(harness, "queue.offered", call_uuid=first.uuid)
