"""A real Center on the stand-in switch: connection, calls, the Switch facade, the journal."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import pytest
from center_fixtures import MakeHarness

from ccore.events import CallHungup
from ccore.model import ChannelState
from ccore.switch import CallGone, SwitchError


async def test_center_connects_and_sees_registrations(center_harness: MakeHarness) -> None:
    harness = await center_harness()
    connected = await harness.next_event("switch.connected")
    assert connected.core_uuid == harness.switch.core_uuid
    await harness.switch.register("1001")
    registered = await harness.next_event("agent.registered")
    assert registered.user == "1001"
    assert "1001" in harness.center.calls.registrations


async def test_an_unrouted_call_is_hung_up_not_left_in_silence(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness()
    harness.center.plugins.pm.unregister(name="routing")  # nobody routes this number
    call = await harness.switch.place_call(caller_number="5551234", destination="9999")
    offered = await harness.next_event("call.offered")
    assert (offered.caller_number, offered.destination) == ("5551234", "9999")
    await harness.next_event("call.unrouted", lambda e: e.call_uuid == call.uuid)
    outcome = await call
    assert outcome.hangup_cause == "NO_ROUTE_DESTINATION"


async def test_switch_facade_controls_a_call(center_harness: MakeHarness, tmp_path: Path) -> None:
    harness = await center_harness(route_calls=False)
    switch = harness.center.switch
    call = await harness.switch.place_call(
        caller_number="5550001", destination="9998", digits=[(0.3, "4"), (0.1, "2")]
    )
    await harness.wait_for(lambda: call.uuid in harness.center.calls.channels)
    await switch.answer(call.uuid)
    await harness.next_event("call.answered", lambda e: e.call_uuid == call.uuid)
    digits = await switch.play_and_get_digits(
        call.uuid, "tone_stream://%(200,0,440)", max_digits=2, timeout_ms=3000
    )
    assert digits == "42"
    recording = tmp_path / "call.wav"
    await switch.record_start(call.uuid, str(recording))
    await switch.play(call.uuid, "silence_stream://500")
    await switch.record_stop(call.uuid, str(recording))
    await harness.next_event("call.recording_stopped", lambda e: e.call_uuid == call.uuid)
    with wave.open(str(recording)) as audio:
        assert audio.getnframes() / audio.getframerate() >= 0.3
    await switch.set_variable(call.uuid, "crm_ticket", "T-17")
    assert await switch.get_variable(call.uuid, "crm_ticket") == "T-17"
    await switch.hangup(call.uuid)
    hungup: CallHungup = await harness.next_event("call.hungup", lambda e: e.call_uuid == call.uuid)
    assert hungup.cause == "NORMAL_CLEARING"
    assert hungup.duration >= 0
    await harness.next_event("call.ended", lambda e: e.call_uuid == call.uuid)
    assert call.uuid not in harness.center.calls.channels


async def test_switch_errors_carry_freeswitch_text(center_harness: MakeHarness) -> None:
    harness = await center_harness()
    switch = harness.center.switch
    with pytest.raises(SwitchError) as gone:
        await switch.hangup("00000000-0000-0000-0000-000000000000")
    assert gone.value.text.strip() == "-ERR No such channel!"
    with pytest.raises(SwitchError) as unregistered:
        await switch.originate("user/1077")
    assert "USER_NOT_REGISTERED" in unregistered.value.text
    assert not await switch.exists("00000000-0000-0000-0000-000000000000")


async def test_bad_arguments_are_refused_before_reaching_the_wire(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness()
    switch = harness.center.switch
    with pytest.raises(ValueError, match="one line"):
        await switch.play("abc-123", "file.wav\n\nexit")
    with pytest.raises(ValueError, match="not a call UUID"):
        await switch.answer("abc 123")
    with pytest.raises(ValueError, match="hangup cause"):
        await switch.hangup("abc-123", "normal clearing")
    assert switch.connected  # nothing broke the connection


async def test_an_operation_on_a_call_that_hangs_up_raises_call_gone(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(route_calls=False)
    call = await harness.switch.place_call(caller_number="5550002", destination="9997")
    await harness.wait_for(lambda: call.uuid in harness.center.calls.channels)
    await harness.center.switch.answer(call.uuid)
    task = asyncio.ensure_future(harness.center.switch.play(call.uuid, "silence_stream://5000"))
    await harness.next_event("call.playback_started", lambda e: e.call_uuid == call.uuid)
    await call.hangup()
    with pytest.raises(CallGone):
        await task


async def test_every_event_of_a_call_is_in_the_journal(center_harness: MakeHarness) -> None:
    harness = await center_harness(route_calls=False)
    call = await harness.switch.place_call(caller_number="5550003", destination="9996")
    await harness.wait_for(lambda: call.uuid in harness.center.calls.channels)
    await harness.center.switch.answer(call.uuid)
    await call.hangup()
    await harness.next_event("call.ended", lambda e: e.call_uuid == call.uuid)
    assert harness.center.journal is not None and harness.center.db is not None
    harness.center.journal.flush()
    names = [row.name for row in harness.center.db.events_for_call(call.uuid)]
    for name in ("call.offered", "call.answered", "call.hungup", "call.ended"):
        assert name in names
    assert names.index("call.offered") < names.index("call.hungup") < names.index("call.ended")


async def test_switch_restart_drops_every_call_the_core_knew(center_harness: MakeHarness) -> None:
    harness = await center_harness(heartbeat_interval=1.0, route_calls=False)
    call = await harness.switch.place_call(caller_number="5550004", destination="9995")
    await harness.wait_for(lambda: call.uuid in harness.center.calls.channels)
    old_core = harness.switch.core_uuid
    await harness.switch.restart()
    assert harness.switch.core_uuid != old_core
    await harness.next_event("switch.disconnected")
    reconnected = await harness.next_event(
        "switch.connected", lambda e: e.restarted, timeout=15
    )
    assert reconnected.core_uuid == harness.switch.core_uuid
    resynced = await harness.next_event("switch.resynced", timeout=5)
    assert call.uuid not in harness.center.calls.channels
    assert call.uuid in resynced.calls_dropped or any(
        e.name == "call.ended" and e.call_uuid == call.uuid for e in harness.events
    )


async def test_model_follows_a_bridge(center_harness: MakeHarness) -> None:
    harness = await center_harness(route_calls=False)
    await harness.switch.register("1001")
    harness.switch.set_phone("1001", ring_seconds=0.2, answers=True)
    call = await harness.switch.place_call(caller_number="5550005", destination="9994")
    await harness.wait_for(lambda: call.uuid in harness.center.calls.channels)
    await harness.center.switch.answer(call.uuid)
    agent_leg = await harness.center.switch.originate("user/1001")
    await harness.center.switch.bridge_calls(call.uuid, agent_leg)
    bridged = await harness.next_event("call.bridged")
    assert {bridged.call_uuid, bridged.other_uuid} == {call.uuid, agent_leg}
    caller = harness.center.calls.channels[call.uuid]
    assert caller.state is ChannelState.BRIDGED and caller.bridged_to == agent_leg


async def test_a_dropped_connection_fails_running_prompts_and_keeps_the_calls(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(route_calls=False, heartbeat_interval=1.0)
    call = await harness.switch.place_call(caller_number="5550006", destination="9993")
    await harness.wait_for(lambda: call.uuid in harness.center.calls.channels)
    await harness.center.switch.answer(call.uuid)
    task = asyncio.ensure_future(harness.center.switch.play(call.uuid, "silence_stream://8000"))
    await harness.next_event("call.playback_started", lambda e: e.call_uuid == call.uuid)
    before = len(harness.events)
    for listener in list(harness.switch.listeners):  # the network drops; the switch runs on
        listener.abort()
    with pytest.raises(SwitchError, match="connection to the switch lost"):
        await asyncio.wait_for(task, 5)
    reconnected = await harness.next_event("switch.connected", after=before, timeout=15)
    assert not reconnected.restarted  # same Core-UUID: the calls are still there
    await harness.next_event("switch.resynced", after=before, timeout=5)
    assert call.uuid in harness.center.calls.channels
    assert not call.ended
    await harness.center.switch.hangup(call.uuid)  # and the core controls it again
    await harness.next_event("call.ended", lambda e: e.call_uuid == call.uuid)


async def test_a_menu_that_times_out_never_returns_an_earlier_answer(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(route_calls=False)
    call = await harness.switch.place_call(
        caller_number="5550007", destination="9992", digits=[(0.2, "3")]
    )
    await harness.wait_for(lambda: call.uuid in harness.center.calls.channels)
    switch = harness.center.switch
    await switch.answer(call.uuid)
    first = await switch.play_and_get_digits(call.uuid, "silence_stream://100", timeout_ms=2000)
    assert first == "3"
    second = await switch.play_and_get_digits(call.uuid, "silence_stream://100", timeout_ms=300)
    assert second == ""  # the caller pressed nothing this time
    await call.hangup()


async def test_giving_up_on_a_prompt_leaves_nothing_waiting(center_harness: MakeHarness) -> None:
    harness = await center_harness(route_calls=False)
    call = await harness.switch.place_call(caller_number="5550008", destination="9991")
    await harness.wait_for(lambda: call.uuid in harness.center.calls.channels)
    await harness.center.switch.answer(call.uuid)
    with pytest.raises(TimeoutError):
        await harness.center.switch.execute(
            call.uuid, "playback", "silence_stream://5000", timeout=0.2
        )
    task = asyncio.ensure_future(harness.center.switch.play(call.uuid, "silence_stream://5000"))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert harness.center.calls._app_waiters == {}  # no orphaned waiter to fail later
    await call.hangup()


async def test_a_center_started_before_its_switch_connects_when_the_switch_comes_up(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(start_center=False)
    await harness.switch.stop()  # nothing listens on the switch's port now
    await harness.center.start()
    await asyncio.sleep(0.5)
    assert not harness.center.switch.connected
    await harness.switch.start()  # the same port: FreeSWITCH came up late
    await harness.center.wait_connected(timeout=15)
    await harness.next_event("switch.connected")


async def test_a_wrong_event_socket_password_is_a_clear_error_not_a_hang(
    center_harness: MakeHarness,
) -> None:
    from ccore.core import Center
    from ccore.esl.errors import AuthError

    harness = await center_harness(start_center=False)
    center = Center(
        harness.center.config,
        switch_port=harness.switch.port,
        switch_password_override="not-the-password",
    )
    await center.start()
    try:
        with pytest.raises(AuthError, match="invalid"):
            await center.wait_connected(timeout=5)
    finally:
        await center.stop()


async def test_a_ghost_leg_the_switch_never_ended_is_swept_from_the_model(
    center_harness: MakeHarness,
) -> None:
    from ccore.core import Center
    from ccore.events import Event
    from ccore.model import Channel

    harness = await center_harness(start_center=False)
    center = Center(
        harness.center.config,
        switch_port=harness.switch.port,
        switch_password_override="test-esl-password",
        resync_interval=0.3,
    )
    ended: list[Event] = []
    center.bus.listen("call.ended", ended.append)
    await center.start()
    try:
        await center.wait_connected()
        ghost = "0f0f0f0f-0000-4000-8000-00000000dead"
        center.calls.adopt_channel(Channel(uuid=ghost, direction="outbound"))
        await harness.wait_for(lambda: [e for e in ended if e.call_uuid == ghost], timeout=5)
        assert ghost not in center.calls.channels
    finally:
        await center.stop()
