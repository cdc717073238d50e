"""Queues with real calls on the stand-in: strategies, skills, escalation, priority."""

from __future__ import annotations

from center_fixtures import MakeHarness
from routing_helpers import agents, board, center_toml, log_in, named

SPEED = 10.0


async def test_caller_is_connected_to_the_longest_idle_operator(
    center_harness: MakeHarness,
) -> None:
    toml = center_toml('[[queues]]\nname = "support"\n', {"1001": {}, "1002": {}})
    harness = await center_harness(toml, speed=SPEED)
    await log_in(harness, "1002", "1001", ring_seconds=1)
    call = await harness.switch.place_call("+4930555", "+4930100", talk_seconds=5)
    answered = await harness.next_event("queue.answered", lambda e: e.call_uuid == call.uuid)
    assert answered.agent == "1002"  # logged in first: idle longest
    assert agents(harness).agents["1002"].state == "on_call"
    in_progress = board(harness).snapshot()["calls"]
    assert [(c["call_uuid"], c["caller"], c["agent"]) for c in in_progress] == [
        (call.uuid, "+4930555", "1002")
    ]
    bridged = await harness.next_event(
        "call.bridged", lambda e: call.uuid in (e.call_uuid, e.other_uuid)
    )
    assert answered.agent_uuid in (bridged.call_uuid, bridged.other_uuid)
    await harness.next_event("queue.completed", lambda e: e.call_uuid == call.uuid, timeout=5)
    assert board(harness).snapshot()["queues"]["support"]["answered"] == 1


async def answered_agent(harness, call) -> str:
    event = await harness.next_event("queue.answered", lambda e: e.call_uuid == call.uuid)
    return event.agent


async def test_round_robin_takes_turns(center_harness: MakeHarness) -> None:
    queue = '[[queues]]\nname = "support"\nstrategy = "round-robin"\nwrap_up = 0\n'
    harness = await center_harness(
        center_toml(queue, {"1001": {}, "1002": {}, "1003": {}}), speed=SPEED
    )
    await log_in(harness, "1001", "1002", "1003", ring_seconds=0.5, talk_seconds=1)
    served = []
    for n in range(4):
        call = await harness.switch.place_call(f"+49301{n}", "+4930100")
        served.append(await answered_agent(harness, call))
        await harness.next_event("queue.completed", lambda e, c=call: e.call_uuid == c.uuid)
        await harness.wait_for(lambda: len(agents(harness).offerable()) == 3)
    assert len(set(served[:3])) == 3  # everyone had a turn before anyone had two
    assert served[3] == served[0]


async def test_fewest_calls_goes_to_operator_with_fewest_calls_today(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\nstrategy = "fewest-calls"\nwrap_up = 0\n'
    harness = await center_harness(center_toml(queue, {"1001": {}, "1002": {}}), speed=SPEED)
    await log_in(harness, "1001", "1002", ring_seconds=0.5, talk_seconds=1)
    agents(harness).agents["1001"].calls_today = 5
    agents(harness).agents["1001"].counted_day = agents(harness).today()
    call = await harness.switch.place_call("+4930777", "+4930100")
    assert await answered_agent(harness, call) == "1002"


async def test_ring_all_connects_first_to_answer_and_frees_the_others(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\nstrategy = "ring-all"\n'
    harness = await center_harness(
        center_toml(queue, {"1001": {}, "1002": {}, "1003": {}}), speed=SPEED
    )
    await log_in(harness, "1001", "1003", ring_seconds=6)
    await log_in(harness, "1002", ring_seconds=1)
    call = await harness.switch.place_call("+4930888", "+4930100")
    assert await answered_agent(harness, call) == "1002"
    offered = {e.agent for e in named(harness, "queue.offered", call_uuid=call.uuid)}
    assert offered == {"1001", "1002", "1003"}
    await harness.wait_for(
        lambda: {a.extension for a in agents(harness).offerable()} == {"1001", "1003"},
        what="losers available again",
    )
    assert agents(harness).agents["1001"].missed_in_row == 0  # losing the race is no miss


async def test_skills_queue_picks_best_matching_operator(center_harness: MakeHarness) -> None:
    queue = '[[queues]]\nname = "support"\nstrategy = "skills"\nskills = { german = 5 }\n'
    ops = {"1001": {"german": 6}, "1002": {"german": 9}, "1003": {"english": 9}}
    harness = await center_harness(center_toml(queue, ops), speed=SPEED)
    await log_in(harness, "1003", "1001", "1002", ring_seconds=0.5)
    call = await harness.switch.place_call("+4930999", "+4930100")
    assert await answered_agent(harness, call) == "1002"


async def test_escalation_offers_lower_skill_after_wait_keeping_the_place(
    center_harness: MakeHarness,
) -> None:
    queue = (
        '[[queues]]\nname = "support"\nskills = { german = 8 }\n'
        "escalation = [{ after = 20, relax_by = 4 }]\n"
    )
    harness = await center_harness(center_toml(queue, {"1001": {"german": 5}}), speed=40)
    await log_in(harness, "1001", ring_seconds=0.5)
    first = await harness.switch.place_call("+4930001", "+4930100")
    await harness.next_event("queue.entered", lambda e: e.call_uuid == first.uuid)
    second = await harness.switch.place_call("+4930002", "+4930100")
    await harness.next_event("queue.entered", lambda e: e.call_uuid == second.uuid)
    await harness.next_event("queue.escalated", lambda e: e.call_uuid == first.uuid, timeout=5)
    assert not named(harness, "queue.offered", call_uuid=second.uuid)
    answered = await harness.next_event("queue.answered", timeout=5)
    assert answered.call_uuid == first.uuid  # first come, first served after escalating too
    assert answered.waited >= 20


async def test_vip_caller_goes_ahead_of_earlier_callers(center_harness: MakeHarness) -> None:
    queue = (
        '[[queues]]\nname = "support"\nwrap_up = 0\n'
        'priority = [{ caller_ids = ["+49301234*"], priority = 5 }]\n'
    )
    harness = await center_harness(center_toml(queue, {"1001": {}}), speed=SPEED)
    calls = []
    for number in ("+4930111", "+4930222", "+49301234567"):
        calls.append(await harness.switch.place_call(number, "+4930100"))
        await harness.next_event("queue.entered", lambda e, c=calls[-1]: e.call_uuid == c.uuid)
    vip = named(harness, "queue.entered", call_uuid=calls[2].uuid)[0]
    assert (vip.priority, vip.position) == (5, 1)
    await log_in(harness, "1001", ring_seconds=0.2, talk_seconds=0.5)
    order = []
    for _ in range(3):
        event = await harness.next_event(
            "queue.answered", lambda e: e.call_uuid not in order, timeout=10
        )
        order.append(event.call_uuid)
    assert order == [calls[2].uuid, calls[0].uuid, calls[1].uuid]
