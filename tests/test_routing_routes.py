"""How calls reach queues: numbers, IVR options with skills and priority, extensions, hours."""

from __future__ import annotations

from center_fixtures import MakeHarness
from routing_helpers import board, center_toml, log_in, named

from ccore.hookspecs import hookimpl

SPEED = 20.0


async def test_ivr_queue_option_brings_its_skills_and_priority(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\n'
    extra = (
        '[[numbers]]\nnumber = "+4930200"\nivr = "main"\n\n'
        '[ivr.main]\ngreeting = "tone:beep"\ntimeout = 3\n\n'
        "[ivr.main.options]\n"
        '2 = { action = "queue", queue = "support", skills = { german = 4 }, priority = 3 }\n'
    )
    ops = {"1001": {"english": 9}, "1002": {"german": 5}}
    harness = await center_harness(center_toml(queue, ops, extra=extra), speed=SPEED)
    await log_in(harness, "1001", "1002", ring_seconds=0.5)
    call = await harness.switch.place_call("+4930777", "+4930200", digits=[(0.5, "2")])
    entered = await harness.next_event("queue.entered", lambda e: e.call_uuid == call.uuid)
    assert (entered.skills, entered.priority) == ({"german": 4}, 3)
    answered = await harness.next_event("queue.answered", lambda e: e.call_uuid == call.uuid)
    assert answered.agent == "1002"  # 1001 idled longer but has no German


async def test_hold_music_plays_while_nobody_is_free(center_harness: MakeHarness) -> None:
    queue = '[[queues]]\nname = "support"\nannounce_position_every = 0\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}), speed=SPEED)
    call = await harness.switch.place_call("+4930778", "+4930100")
    await harness.next_event("call.answered", lambda e: e.call_uuid == call.uuid)
    music = await harness.next_event("call.playback_started", lambda e: e.call_uuid == call.uuid)
    assert music.path.startswith("tone_stream://%(300,2700,440)")
    await log_in(harness, "1001", ring_seconds=0.5)
    await harness.next_event("queue.answered", lambda e: e.call_uuid == call.uuid)
    await harness.next_event(
        "call.playback_stopped", lambda e: e.call_uuid == call.uuid and e.path == music.path
    )


async def test_number_with_extension_rings_that_phone(center_harness: MakeHarness) -> None:
    queue = '[[queues]]\nname = "support"\n'
    extra = '[[numbers]]\nnumber = "+4930300"\nextension = "1001"\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}, extra=extra), speed=SPEED)
    harness.switch.set_phone("1001", ring_seconds=0.5)
    await harness.switch.register("1001")
    call = await harness.switch.place_call("+4930779", "+4930300")
    routed = await harness.next_event("call.routed", lambda e: e.call_uuid == call.uuid)
    assert routed.route == "extension:1001"
    await harness.next_event("call.bridged", lambda e: call.uuid in (e.call_uuid, e.other_uuid))
    assert not named(harness, "queue.entered")


async def test_queue_outside_its_hours_sends_callers_to_the_closed_action(
    center_harness: MakeHarness,
) -> None:
    queue = (
        '[[queues]]\nname = "support"\nhours = "never"\n'
        'closed = { action = "voicemail", box = "general" }\n'
    )
    extra = '[hours.never]\nholidays = []\n\n[voicemail.general]\nname = "General"\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}, extra=extra), speed=SPEED)
    call = await harness.switch.place_call("+4930780", "+4930100")
    await harness.next_event("call.recording_started", lambda e: e.call_uuid == call.uuid)
    assert not named(harness, "queue.entered")
    assert not board(harness).lines["support"].callers


class VipDirectory:
    """A caller-lookup plugin (as a CRM would be) that knows one VIP."""

    @hookimpl
    def ccore_lookup_caller(self, center: object, number: str) -> dict[str, object] | None:
        return {"name": "Big Customer", "vip": True} if number == "+4930999" else None


async def test_caller_lookup_plugin_marks_vips(center_harness: MakeHarness) -> None:
    queue = '[[queues]]\nname = "support"\n'
    harness = await center_harness(center_toml(queue, {"1001": {}}), speed=SPEED)
    harness.center.plugins.pm.register(VipDirectory(), name="vip-directory")
    plain = await harness.switch.place_call("+4930111", "+4930100")
    await harness.next_event("queue.entered", lambda e: e.call_uuid == plain.uuid)
    vip = await harness.switch.place_call("+4930999", "+4930100")
    entered = await harness.next_event("queue.entered", lambda e: e.call_uuid == vip.uuid)
    assert (entered.priority, entered.position) == (5, 1)


async def test_ivr_callback_option_takes_a_place_and_calls_back(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\ncallback = { enabled = true }\n'
    extra = (
        '[[trunks]]\nname = "carrier"\nproxy = "sip.carrier.example"\nregister = false\n\n'
        '[[numbers]]\nnumber = "+4930200"\nivr = "main"\n\n'
        '[ivr.main]\ngreeting = "tone:beep"\ntimeout = 3\n\n'
        '[ivr.main.options]\n3 = { action = "callback", queue = "support" }\n'
    )
    harness = await center_harness(center_toml(queue, {"1001": {}}, extra=extra), speed=SPEED)
    call = await harness.switch.place_call("+4930781", "+4930200", digits=[(0.5, "3")])
    requested = await harness.next_event(
        "queue.callback_requested", lambda e: e.call_uuid == call.uuid
    )
    assert (requested.queue, requested.number) == ("support", "+4930781")
    await call
    harness.switch.set_phone("+4930781", ring_seconds=1, talk_seconds=1)
    await log_in(harness, "1001", ring_seconds=0.5)
    completed = await harness.next_event("queue.callback_completed", timeout=5)
    assert (completed.call_uuid, completed.outcome) == (call.uuid, "answered")


async def test_number_outside_its_hours_applies_the_number_closed_action(
    center_harness: MakeHarness,
) -> None:
    queue = '[[queues]]\nname = "support"\n'
    extra = (
        '[[numbers]]\nnumber = "+4930400"\nqueue = "support"\nhours = "never"\n'
        'closed = { action = "hangup", message = "tone:busy" }\n\n'
        "[hours.never]\nholidays = []\n"
    )
    harness = await center_harness(center_toml(queue, {"1001": {}}, extra=extra), speed=SPEED)
    call = await harness.switch.place_call("+4930782", "+4930400")
    played = await harness.next_event("call.playback_started", lambda e: e.call_uuid == call.uuid)
    assert played.path.startswith("tone_stream://%(500,500,480,620)")
    outcome = await call
    assert outcome.hangup_cause == "NORMAL_CLEARING"
    assert not named(harness, "queue.entered")
