"""Closed hours with real calls: the closed message, then the closed action, never the menu."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import test_ivr_menus
from test_ivr_menus import IvrCenter, played_by_ivr

from ccore.config_schema import WEEKDAYS
from ccore.events import CallRouted
from ccore.standin.media import write_wav
from ccore_plugins.ivr import IvrCalls

ivr_center = test_ivr_menus.ivr_center  # the fixture, shared
ZONE = "Pacific/Auckland"  # far from UTC: "today" must be the center's today


VOICEMAIL = '{ action = "voicemail", box = "general" }'


def center_toml(
    closed_message: str, *, number_hours: str, menu_hours: str, number_closed: str = VOICEMAIL
) -> str:
    """A center whose ``holiday`` hours are closed now and whose ``always`` hours are open."""
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    days = ", ".join(str(today + dt.timedelta(days=n)) for n in (-1, 0, 1))
    every_day = "\n".join(f'{day} = ["00:00-24:00"]' for day in WEEKDAYS)
    return f"""\
[center]
name = "Closed test"
timezone = "{ZONE}"

[[operators]]
extension = "1001"
name = "Alice"

[[queues]]
name = "support"

[queues.callback]
enabled = true

[voicemail.general]
name = "General messages"

[[numbers]]
number = "+4930100"
ivr = "main"
hours = "{number_hours}"
closed = {number_closed}

[ivr.main]
greeting = "tone:beep"
timeout = 3
max_tries = 1

[ivr.main.options]
1 = {{ action = "submenu", menu = "sales" }}

[ivr.sales]
greeting = "tone:ringback"
hours = "{menu_hours}"

[ivr.sales.options]
1 = {{ action = "queue", queue = "support" }}

[hours.holiday]
{every_day}
holidays = [{days}]
closed = {{ action = "callback", queue = "support" }}

[hours.always]
{every_day}

[plugins.ivr]
closed_message = "{closed_message}"
"""


async def test_a_closed_number_plays_the_closed_message_then_takes_a_voicemail(
    ivr_center: IvrCenter,
) -> None:
    toml = center_toml("sounds/closed.wav", number_hours="holiday", menu_hours="always")
    harness = await ivr_center(toml)
    closed_wav = harness.directory / "sounds" / "closed.wav"
    write_wav(closed_wav, 2.0, tone_hz=440)

    call = await harness.switch.place_call("+4917012345", "+4930100")
    await harness.next_event("call.recording_started", lambda e: e.call_uuid == call.uuid)
    await call.hangup()
    closed = await harness.next_event("ivr.closed", lambda e: e.call_uuid == call.uuid)
    outcome = await call

    assert (closed.menu, closed.hours, closed.action, closed.target) == (
        "main",
        "holiday",
        "voicemail",
        "general",
    )
    played = played_by_ivr(harness, call.uuid)
    assert played[0] == str(closed_wav)
    assert "tone_stream://%(500,0,800)" not in played  # the menu's greeting never played
    boxes = [box for box, _, _ in harness.switch.voicemails]
    assert boxes == ["general"]
    assert Path(harness.switch.voicemails[0][1]).is_file()
    assert outcome.caller_hung_up
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)
    assert (exited.step, exited.action, exited.caller_hung_up) == ("closed", "voicemail", False)
    assert not [e for e in harness.events if e.name in ("ivr.digit", "ivr.timeout")]


async def test_a_closed_submenu_offers_its_hours_callback_with_a_built_in_message(
    ivr_center: IvrCenter,
) -> None:
    toml = center_toml("tone:busy", number_hours="always", menu_hours="holiday")
    harness = await ivr_center(toml)

    call = await harness.switch.place_call("+4917012345", "+4930100", digits=[(0.5, "1")])
    routed = await harness.next_event(
        "call.routed", lambda e: e.call_uuid == call.uuid and e.route.startswith("queue:")
    )

    assert (routed.route, routed.options) == ("queue:support", {"callback": True})
    closed = await harness.next_event("ivr.closed", lambda e: e.call_uuid == call.uuid)
    assert (closed.menu, closed.hours, closed.action) == ("sales", "holiday", "callback")
    played = played_by_ivr(harness, call.uuid)
    assert "tone_stream://%(500,500,480,620);loops=4" in played  # tone:busy
    assert "tone_stream://%(2000,4000,440,480)" not in played  # sales' greeting never played


async def test_open_hours_let_the_caller_into_the_menu(ivr_center: IvrCenter) -> None:
    toml = center_toml("tone:busy", number_hours="always", menu_hours="always")
    harness = await ivr_center(toml)

    call = await harness.switch.place_call("+4917012345", "+4930100", digits=["1", "1"])
    routed = await harness.next_event(
        "call.routed", lambda e: e.call_uuid == call.uuid and e.route.startswith("queue:")
    )

    assert routed.route == "queue:support"
    assert not [e for e in harness.events if e.name == "ivr.closed"]


async def test_a_caller_sent_back_to_the_menu_is_not_turned_away_by_the_numbers_hours_again(
    ivr_center: IvrCenter,
) -> None:
    toml = center_toml("tone:busy", number_hours="holiday", menu_hours="always",
                       number_closed='{ action = "queue", queue = "support" }')
    harness = await ivr_center(toml)
    call = await harness.switch.place_call("+4917012345", "+4930100")
    await harness.next_event(
        "call.routed", lambda e: e.call_uuid == call.uuid and e.route == "queue:support"
    )
    first_exit = len(harness.events)

    # what routing does for a queue whose closed or overflow action is a submenu
    harness.center.bus.fire(CallRouted(call_uuid=call.uuid, route="ivr:main"))
    await call.press("1")
    again = await harness.next_event("ivr.entered", lambda e: e.call_uuid == call.uuid,
                                     after=first_exit)
    chosen = await harness.next_event("ivr.option_chosen", lambda e: e.call_uuid == call.uuid)

    assert again.menu == "main"
    assert (chosen.digit, chosen.action, chosen.target) == ("1", "submenu", "sales")
    assert [e.name for e in harness.events if e.name == "ivr.closed"] == ["ivr.closed"]
    ivr = harness.center.service("ivr", IvrCalls)
    assert ivr.snapshot() in ([{"call_uuid": call.uuid, "menu": "sales", "step": "greeting"}],
                              [{"call_uuid": call.uuid, "menu": "sales", "step": "entering"}])


async def test_menus_closed_into_each_other_end_in_a_hangup_not_a_loop(
    ivr_center: IvrCenter,
) -> None:
    toml = center_toml("", number_hours="always", menu_hours="holiday").replace(
        '[ivr.main]\ngreeting = "tone:beep"',
        '[ivr.main]\ngreeting = "tone:beep"\nhours = "holiday"\n'
        'closed = { action = "submenu", menu = "sales" }',
    ).replace(
        '[ivr.sales]\ngreeting = "tone:ringback"',
        '[ivr.sales]\ngreeting = "tone:ringback"\nclosed = { action = "submenu", menu = "main" }',
    )
    harness = await ivr_center(toml)

    call = await harness.switch.place_call("+4917012345", "+4930100")
    outcome = await call

    assert not outcome.caller_hung_up
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)
    assert (exited.action, exited.caller_hung_up) == ("hangup", False)
    assert sum(1 for e in harness.events if e.name == "ivr.closed") == 100
    assert not [e for e in harness.events if e.name == "call.playback_started"]
