"""The rendered dialplan on the stand-in: callers reach ccore, or the fallback without it."""

from __future__ import annotations

from center_fixtures import MakeHarness

MAIN_LINE = "+15550100"  # the starter center's number


async def test_a_caller_to_the_center_number_reaches_ccore(center_harness: MakeHarness) -> None:
    harness = await center_harness(rendered_dialplan=True, route_calls=False)
    call = await harness.switch.place_call(caller_number="5551234", destination=MAIN_LINE)
    offered = await harness.next_event("call.offered", lambda e: e.call_uuid == call.uuid)
    assert offered.caller_number == "5551234"
    channel = harness.center.calls.channels[call.uuid]
    assert channel.variables.get("ccore_number") == MAIN_LINE
    await harness.wait_for(lambda: call.uuid in harness.center.outbound_sessions)
    assert not call.ended  # held by ccore, no fallback ringing anyone
    await call.hangup()


async def test_with_ccore_down_the_caller_reaches_the_fallback_ring_group(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(rendered_dialplan=True, start_center=False)
    await harness.switch.register("1001")
    harness.switch.set_phone("1001", ring_seconds=0.3, answers=True)
    call = await harness.switch.place_call(
        caller_number="5551234", destination=MAIN_LINE, talk_seconds=1.0
    )
    bridged = await harness.wait_for(
        lambda: call.channel.profile.times.get("Channel-Bridged-Time"), timeout=10,
        what="the caller bridged to an operator by the fallback",
    )
    assert bridged
    outcome = await call
    assert outcome.bridged > 0 and outcome.hangup_cause == "NORMAL_CLEARING"


async def test_a_call_ccore_lets_go_of_continues_to_the_fallback(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(rendered_dialplan=True)
    for name in ("ivr", "routing"):  # nobody inside ccore takes the call
        if harness.center.plugins.pm.has_plugin(name):
            harness.center.plugins.pm.unregister(name=name)
    await harness.switch.register("1002")
    harness.switch.set_phone("1002", ring_seconds=0.3, answers=True)
    call = await harness.switch.place_call(
        caller_number="5551234", destination=MAIN_LINE, talk_seconds=1.0
    )
    await harness.next_event("call.unrouted", lambda e: e.call_uuid == call.uuid)
    outcome = await call
    assert outcome.bridged > 0  # the ring group answered: no dead air


async def test_a_call_held_by_ccore_ends_as_soon_as_the_caller_hangs_up(
    center_harness: MakeHarness,
) -> None:
    harness = await center_harness(rendered_dialplan=True, route_calls=False)
    call = await harness.switch.place_call(caller_number="5551234", destination=MAIN_LINE)
    await harness.wait_for(lambda: call.uuid in harness.center.outbound_sessions)
    await call.hangup()
    # The socket lets go at once, so the channel is destroyed and the core forgets it.
    await harness.next_event("call.ended", lambda e: e.call_uuid == call.uuid, timeout=1.5)
    await harness.wait_for(lambda: call.uuid not in harness.center.outbound_sessions, 1.0)
