"""Real FreeSWITCH events (recorded) become the right domain events and model."""

from __future__ import annotations

import asyncio

import pytest
from transcripts import transcript_events

from ccore.bus import EventBus
from ccore.events import Event
from ccore.model import ChannelState
from ccore.translation import CallGone, CallTracker

CALLER = "875c2a91-a6d4-4cb6-97c6-31917e9459a4"


async def replay(name: str, tracker: CallTracker) -> list[Event]:
    fired: list[Event] = []
    tracker.bus.listen("*", fired.append)
    for esl_event in transcript_events(name):
        tracker.handle(esl_event)
    await tracker.bus.drain()
    return fired


@pytest.mark.parametrize("transcript", ["call_flow_plain.jsonl", "call_flow_json.jsonl"])
async def test_recorded_call_becomes_domain_events_in_order(transcript: str) -> None:
    tracker = CallTracker(EventBus(), keep_variables=["ivr_choice"])
    fired = await replay(transcript, tracker)
    offered = next(e for e in fired if e.name == "call.offered")
    caller = offered.call_uuid
    caller_events = [e.name for e in fired if e.call_uuid == caller]
    # The call as a plugin sees it: offered, answered, a key, the menu done, recorded,
    # bridged to the agent, hung up, gone.
    expected_order = [
        "call.offered",
        "call.answered",
        "call.playback_started",
        "call.dtmf",
        "call.app_completed",
        "call.recording_started",
        "call.bridged",
        "call.hungup",
        "call.ended",
    ]
    remaining = iter(caller_events)
    assert all(name in remaining for name in expected_order), caller_events  # in this order
    assert (offered.caller_number, offered.destination) == ("5551234", "5000")
    dtmf = next(e for e in fired if e.name == "call.dtmf")
    assert dtmf.digit == "1"
    completed = [e for e in fired if e.name == "call.app_completed"]
    menu = next(e for e in completed if e.application == "play_and_get_digits")
    assert menu.variables["ivr_choice"] == "1"
    hungup = next(e for e in fired if e.name == "call.hungup" and e.call_uuid == caller)
    assert hungup.cause == "NORMAL_CLEARING"
    assert hungup.duration >= hungup.billsec >= 0
    registered = [e for e in fired if e.name == "agent.registered"]
    assert [e.user for e in registered] == ["1001"]
    assert tracker.channels == {}  # every leg was destroyed


async def test_execute_waiter_gets_the_app_variables() -> None:
    tracker = CallTracker(EventBus())
    events = transcript_events("call_flow_plain.jsonl")
    completion = None
    for esl_event in events:
        tracker.handle(esl_event)
        if completion is None and esl_event.name == "CHANNEL_PARK":
            completion = tracker.expect_app(CALLER, "pagd-1")
    assert completion is not None and completion.done()
    result = completion.result()
    assert result.application == "play_and_get_digits"
    assert result.variables["ivr_choice"] == "1"


async def test_waiter_fails_when_the_call_hangs_up_first() -> None:
    tracker = CallTracker(EventBus())
    events = transcript_events("call_flow_plain.jsonl")
    waiter: asyncio.Future | None = None
    for esl_event in events:
        tracker.handle(esl_event)
        if esl_event.name == "CHANNEL_BRIDGE":
            waiter = tracker.expect_app(CALLER, "never-completes")
    assert waiter is not None and waiter.done()
    with pytest.raises(CallGone) as failure:
        waiter.result()
    assert failure.value.cause == "NORMAL_CLEARING"


async def test_model_tracks_bridge_between_caller_and_agent() -> None:
    tracker = CallTracker(EventBus())
    for esl_event in transcript_events("call_flow_plain.jsonl"):
        tracker.handle(esl_event)
        if esl_event.name == "CHANNEL_BRIDGE":
            break
    caller = tracker.channels[CALLER]
    assert caller.state is ChannelState.BRIDGED
    agent = tracker.channels[caller.bridged_to or ""]
    assert agent.bridged_to == CALLER and agent.direction == "outbound"
    assert caller.answered_at is not None
    assert "1001" in tracker.registrations


async def test_drop_channel_fires_what_a_hangup_would() -> None:
    tracker = CallTracker(EventBus())
    for esl_event in transcript_events("call_flow_plain.jsonl"):
        tracker.handle(esl_event)
        if esl_event.name == "CHANNEL_ANSWER":
            break
    fired: list[Event] = []
    tracker.bus.listen("*", fired.append)
    tracker.drop_channel(CALLER, "SWITCH_RESTARTED")
    await tracker.bus.drain()
    assert [(e.name, getattr(e, "cause", None)) for e in fired] == [
        ("call.hungup", "SWITCH_RESTARTED"),
        ("call.ended", None),
    ]
    assert CALLER not in tracker.channels
