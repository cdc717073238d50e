"""While callers wait: announcements, overflow, callbacks (across a restart), re-queueing."""

from __future__ import annotations

from center_fixtures import MakeHarness
from routing_helpers import agents, board, center_toml, log_in

from ccore_plugins.routing.callback_store import CallbackStore

SPEED = 20.0
TRUNK = '[[trunks]]\nname = "carrier"\nproxy = "sip.carrier.example"\nregister = false\n'


async def test_waiting_callers_hear_position_and_trusted_expected_wait(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\nannounce_position_every = 10\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}), speed=SPEED)
    await log_in(harness, "1001", ring_seconds=0.5)
    first = await harness.switch.place_call("+4930001", "+4930100")
    await harness.next_event("queue.answered", lambda e: e.call_uuid == first.uuid)
    second = await harness.switch.place_call("+4930002", "+4930100")
    announced = await harness.next_event(
        "queue.announced", lambda e: e.call_uuid == second.uuid, timeout=3
    )
    assert (announced.position, announced.expected_wait) == (1, None)  # nothing to trust yet
    played = await harness.next_event(
        "call.playback_started",
        lambda e: e.call_uuid == second.uuid and "ivr-you_are_number" in e.path,
    )
    assert "digits/1.wav" in played.path and "minutes" not in played.path
    for seconds in (100, 120, 120, 140, 120):  # five recent calls of about two minutes
        board(harness).lines["support"].handle_times.add(seconds)
    third = await harness.switch.place_call("+4930003", "+4930100")
    announced = await harness.next_event(
        "queue.announced", lambda e: e.call_uuid == third.uuid, timeout=3
    )
    assert announced.position == 2
    assert announced.expected_wait == 240.0  # 2 callers x 120 s / 1 operator on the queue
    played = await harness.next_event(
        "call.playback_started",
        lambda e: e.call_uuid == third.uuid and "ivr-you_are_number" in e.path,
    )
    assert "digits/2.wav" in played.path and "digits/4.wav!time/minutes.wav" in played.path


async def test_caller_overflows_to_another_queue_after_max_wait(
    center_harness: MakeHarness,
) -> None:
    queues = (
        '[[queues]]\nname = "support"\ntiers = [["1001"]]\nmax_wait = 10\n'
        'overflow = { action = "queue", queue = "backup" }\n\n'
        '[[queues]]\nname = "backup"\ntiers = [["1002"]]\n'
    )
    harness = await center_harness(center_toml(queues, {"1001": {}, "1002": {}}), speed=SPEED)
    await log_in(harness, "1002", ring_seconds=0.5)
    call = await harness.switch.place_call("+4930004", "+4930100")
    overflowed = await harness.next_event(
        "queue.overflowed", lambda e: e.call_uuid == call.uuid, timeout=3
    )
    assert (overflowed.queue, overflowed.reason, overflowed.target) == (
        "support",
        "max_wait",
        "backup",
    )
    answered = await harness.next_event("queue.answered", lambda e: e.call_uuid == call.uuid)
    assert (answered.queue, answered.agent) == ("backup", "1002")
    figures = board(harness).snapshot()["queues"]
    assert figures["support"]["overflowed"] == 1 and figures["backup"]["answered"] == 1


async def test_caller_beyond_max_length_goes_to_voicemail(center_harness: MakeHarness) -> None:
    queue = (
        '[[queues]]\nname = "support"\nmax_length = 1\n'
        'overflow = { action = "voicemail", box = "general" }\n'
    )
    extra = '[voicemail.general]\nname = "General"\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}, extra=extra), speed=SPEED)
    first = await harness.switch.place_call("+4930005", "+4930100")
    await harness.next_event("queue.entered", lambda e: e.call_uuid == first.uuid)
    second = await harness.switch.place_call("+4930006", "+4930100")
    overflowed = await harness.next_event("queue.overflowed", lambda e: e.call_uuid == second.uuid)
    assert (overflowed.reason, overflowed.action, overflowed.target) == (
        "max_length",
        "voicemail",
        "general",
    )
    await harness.next_event("call.recording_started", lambda e: e.call_uuid == second.uuid)
    await second.hangup()
    await harness.wait_for(lambda: [v for v in harness.switch.voicemails if v[0] == "general"])
    assert [c.call_uuid for c in board(harness).lines["support"].callers] == [first.uuid]


CALLBACK_QUEUE = (
    '[[queues]]\nname = "support"\nwrap_up = 0\n'
    'callback = { enabled = true, key = "1", offer_after = 5, retries = 1, retry_delay = 30 }\n'
)


async def test_callback_keeps_place_connects_operator_then_dials_customer(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(
        center_toml(CALLBACK_QUEUE, {"1001": {}}, extra=TRUNK), speed=SPEED
    )
    early = await harness.switch.place_call("+4930007", "+4930100", digits=[(7, "1")])
    await harness.next_event("queue.entered", lambda e: e.call_uuid == early.uuid)
    late = await harness.switch.place_call("+4930008", "+4930100")
    requested = await harness.next_event(
        "queue.callback_requested", lambda e: e.call_uuid == early.uuid, timeout=3
    )
    assert requested.number == "+4930007"
    outcome = await early
    assert not outcome.bridged  # the caller hung up and waits for our call
    assert [c.call_uuid for c in board(harness).lines["support"].callers] == [
        early.uuid,
        late.uuid,
    ]  # the callback kept the front place
    harness.switch.set_phone("+4930007", ring_seconds=1, talk_seconds=2)
    await log_in(harness, "1001", ring_seconds=0.5)
    offered = await harness.next_event("queue.offered")
    assert offered.call_uuid == early.uuid
    attempted = await harness.next_event(
        "queue.callback_attempted", lambda e: e.call_uuid == early.uuid, timeout=3
    )
    assert (attempted.agent, attempted.cause, attempted.attempt) == ("1001", "SUCCESS", 1)
    completed = await harness.next_event(
        "queue.callback_completed", lambda e: e.call_uuid == early.uuid
    )
    assert completed.outcome == "answered"
    answered_leg = next(
        e for e in harness.events if e.name == "call.answered" and e.call_uuid == offered.agent_uuid
    )
    customer_answer = next(
        e
        for e in harness.events
        if e.name == "call.answered"
        and (ch := harness.center.calls.channels.get(e.call_uuid)) is not None
        and ch.destination == "+4930007"
    )
    assert answered_leg.at <= customer_answer.at  # operator first, then the customer
    await harness.next_event("queue.answered", lambda e: e.call_uuid == late.uuid, timeout=5)
    row = CallbackStore(harness.center.db.db).get(requested.callback_id)
    assert (row.state, row.outcome, row.agent, row.attempts) == ("answered", "answered", "1001", 1)


async def test_callback_not_reached_is_retried_then_recorded_failed(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(center_toml(CALLBACK_QUEUE, {"1001": {}}, extra=TRUNK), speed=60)
    call = await harness.switch.place_call("+4930009", "+4930100", digits=[(6, "1")])
    requested = await harness.next_event("queue.callback_requested", timeout=3)
    harness.switch.set_phone("+4930009", busy=True)
    await log_in(harness, "1001", ring_seconds=0.5)
    first = await harness.next_event("queue.callback_attempted", timeout=8)
    assert (first.attempt, first.cause) == (1, "USER_BUSY")
    second = await harness.next_event(
        "queue.callback_attempted", lambda e: e.attempt == 2, timeout=5
    )
    assert second.cause == "USER_BUSY"
    completed = await harness.next_event(
        "queue.callback_completed", lambda e: e.call_uuid == call.uuid
    )
    assert completed.outcome == "failed"
    row = CallbackStore(harness.center.db.db).get(requested.callback_id)
    assert (row.state, row.attempts) == ("failed", 2)
    assert agents(harness).agents["1001"].state == "available"
    assert not board(harness).lines["support"].callers


async def test_callback_survives_a_restart_of_ccore(center_harness: MakeHarness) -> None:
    harness = await center_harness(
        center_toml(CALLBACK_QUEUE, {"1001": {}}, extra=TRUNK), speed=SPEED
    )
    call = await harness.switch.place_call("+4930010", "+4930100", digits=[(6, "1")])
    requested = await harness.next_event("queue.callback_requested", timeout=3)
    await call
    await harness.restart()
    restored = board(harness).callers
    assert [c.callback_id for c in restored.values()] == [requested.callback_id]
    today = board(harness).snapshot()["queues"]["support"]
    assert (today["entered"], today["callbacks_requested"]) == (1, 1)  # the day is kept
    await log_in(harness, "1001", ring_seconds=0.5)
    completed = await harness.next_event("queue.callback_completed", timeout=5)
    assert (completed.call_uuid, completed.outcome) == (call.uuid, "answered")


async def test_waiting_callers_are_requeued_in_order_after_a_restart(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\nwrap_up = 0\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}), speed=SPEED)
    calls = []
    for number in ("+4930011", "+4930012", "+4930013"):
        calls.append(await harness.switch.place_call(number, "+4930100"))
        await harness.next_event("queue.entered", lambda e, c=calls[-1]: e.call_uuid == c.uuid)
    await harness.restart()
    await harness.wait_for(lambda: len(board(harness).lines["support"].callers) == 3)
    assert [c.call_uuid for c in board(harness).lines["support"].callers] == [c.uuid for c in calls]
    await log_in(harness, "1001", ring_seconds=0.2, talk_seconds=0.5)
    order = []
    for _ in calls:
        event = await harness.next_event(
            "queue.answered", lambda e: e.call_uuid not in order, timeout=5
        )
        order.append(event.call_uuid)
    assert order == [c.uuid for c in calls]


async def test_callback_not_reached_before_expiry_is_given_up(
    center_harness: MakeHarness,
) -> None:
    queue = (
        '[[queues]]\nname = "support"\n'
        'callback = { enabled = true, key = "1", offer_after = 5, expiry = 20 }\n'
    )
    harness = await center_harness(center_toml(queue, {"1001": {}}, extra=TRUNK), speed=60)
    call = await harness.switch.place_call("+4930014", "+4930100", digits=[(6, "1")])
    requested = await harness.next_event("queue.callback_requested", timeout=3)
    completed = await harness.next_event(
        "queue.callback_completed", lambda e: e.call_uuid == call.uuid, timeout=3
    )
    assert completed.outcome == "expired"
    row = CallbackStore(harness.center.db.db).get(requested.callback_id)
    assert (row.state, row.attempts) == ("expired", 0)
    assert not board(harness).lines["support"].callers


async def test_overflow_can_turn_a_long_wait_into_a_callback(center_harness: MakeHarness) -> None:
    queue = (
        '[[queues]]\nname = "support"\nmax_wait = 10\n'
        'overflow = { action = "callback", queue = "support" }\n'
        "callback = { enabled = true }\n"
    )
    harness = await center_harness(center_toml(queue, {"1001": {}}, extra=TRUNK), speed=SPEED)
    call = await harness.switch.place_call("+4930015", "+4930100")
    overflowed = await harness.next_event("queue.overflowed", timeout=3)
    assert (overflowed.call_uuid, overflowed.action) == (call.uuid, "callback")
    await harness.next_event("queue.callback_requested", lambda e: e.call_uuid == call.uuid)
    await call  # the caller was let go
    harness.switch.set_phone("+4930015", ring_seconds=1, talk_seconds=1)
    await log_in(harness, "1001", ring_seconds=0.5)
    completed = await harness.next_event("queue.callback_completed", timeout=5)
    assert (completed.call_uuid, completed.outcome, completed.agent) == (
        call.uuid,
        "answered",
        "1001",
    )
