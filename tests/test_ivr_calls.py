"""Callers leaving the IVR with real calls: hanging up mid-menu, transfer, voicemail, hangup."""

from __future__ import annotations

from pathlib import Path

import test_ivr_menus
from test_ivr_menus import CENTER, IvrCenter, call_in, ivr_steps, played_by_ivr

from ccore.standin import Dialplan
from ccore.standin.media import write_wav
from ccore_plugins.ivr import IvrCalls

ivr_center = test_ivr_menus.ivr_center  # the fixture, shared

WELCOME = "prompts/welcome.wav"
WITH_RECORDED_GREETING = CENTER.replace(
    '[ivr.main]\ngreeting = "tone:beep"', f'[ivr.main]\ngreeting = "{WELCOME}"'
)


async def test_a_caller_hanging_up_during_the_greeting_leaves_the_ivr_at_once(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(WITH_RECORDED_GREETING)
    welcome = harness.directory / WELCOME
    write_wav(welcome, 10.0, tone_hz=440)

    call = await harness.switch.place_call("+4917012345", "+4930100")
    await harness.next_event("call.playback_started", lambda e: e.call_uuid == call.uuid)
    await call.hangup()
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)
    outcome = await call

    assert outcome.caller_hung_up
    assert (exited.menu, exited.step, exited.caller_hung_up, exited.action) == (
        "main", "greeting", True, "",
    )
    hungup = await harness.next_event("call.hungup", lambda e: e.call_uuid == call.uuid)
    assert exited.at - hungup.at < 0.5  # stopped on the hangup, not after the 10 s greeting
    played = played_by_ivr(harness, call.uuid)
    assert played == [str(welcome)]  # the recorded greeting, found relative to the center
    ivr = harness.center.service("ivr", IvrCalls)
    await harness.wait_for(lambda: call.uuid not in ivr.running, what="menu run ended")
    assert not [e for e in harness.events
                if e.name == "call.routed" and e.route.startswith("queue:")]


async def test_the_event_table_shows_the_submenu_where_a_caller_hung_up(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER.replace("timeout = 3\nmax_tries = 1", "timeout = 60"))

    call = await call_in(harness, [(0.5, "1")])
    await harness.next_event("ivr.entered", lambda e: e.menu == "accounts")
    await call.hangup()
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)

    assert (exited.menu, exited.caller_hung_up) == ("accounts", True)
    assert [step[0] for step in ivr_steps(harness, call.uuid)][-1] == "ivr.exited"
    assert sum(1 for e in harness.events if e.name == "ivr.exited") == 1
    await harness.center.bus.drain()
    assert harness.center.journal is not None and harness.center.db is not None
    harness.center.journal.flush()
    rows = [row for row in harness.center.db.events_for_call(call.uuid)
            if row.name.startswith("ivr.")]
    assert [(row.name, row.data["menu"]) for row in rows] == [
        ("ivr.entered", "main"),
        ("ivr.digit", "main"),
        ("ivr.option_chosen", "main"),
        ("ivr.entered", "accounts"),
        ("ivr.exited", "accounts"),
    ]
    assert (rows[-1].data["step"], rows[-1].data["caller_hung_up"]) == ("greeting", True)


async def test_the_transfer_option_sends_the_caller_to_the_extension(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)

    call = await call_in(harness, [(0.5, "5")])
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)
    await harness.wait_for(lambda: call.channel.profile.destination_number == "1001",
                           what="transferred")

    assert (exited.action, exited.target, exited.caller_hung_up) == ("transfer", "1001", False)
    assert call.channel.profile.context == "default"
    assert not call.ended


async def test_the_voicemail_option_records_a_message_in_the_box(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)

    call = await call_in(harness, [(0.5, "4")])
    await harness.next_event("call.recording_started", lambda e: e.call_uuid == call.uuid)
    await call.hangup()
    outcome = await call

    assert outcome.caller_hung_up
    assert [box for box, _, _ in harness.switch.voicemails] == ["general"]
    assert Path(harness.switch.voicemails[0][1]).is_file()
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)
    assert (exited.action, exited.target, exited.caller_hung_up) == ("voicemail", "general", False)


async def test_the_hangup_option_plays_its_message_and_ends_the_call(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER)

    call = await call_in(harness, [(0.5, "0")])
    outcome = await call

    assert not outcome.caller_hung_up
    assert outcome.hangup_cause == "NORMAL_CLEARING"
    played = played_by_ivr(harness, call.uuid)
    assert played[-1] == "tone_stream://%(500,500,480,620);loops=4"  # tone:busy
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)
    assert (exited.action, exited.caller_hung_up) == ("hangup", False)


async def test_a_caller_in_a_menu_when_ccore_restarts_is_taken_through_it_again(
    ivr_center: IvrCenter,
) -> None:
    toml = CENTER.replace("timeout = 3\nmax_tries = 1", "timeout = 60\nmax_tries = 1")
    harness = await ivr_center(toml)
    call = await call_in(harness, [(0.5, "1")])
    await harness.next_event("ivr.entered", lambda e: e.menu == "accounts")

    await harness.restart()
    resumed = await harness.next_event("ivr.entered", lambda e: e.call_uuid == call.uuid)
    await call.press("1")  # heard by the prompt the switch still ran for the old ccore
    await harness.next_event("call.playback_started", lambda e: e.call_uuid == call.uuid)
    await call.press("1")  # heard by the menu again
    routed = await harness.next_event(
        "call.routed", lambda e: e.call_uuid == call.uuid and e.route.startswith("queue:")
    )

    assert (resumed.menu, resumed.resumed, resumed.came_from) == ("accounts", True, "")
    assert (routed.route, routed.options) == ("queue:billing", {"skills": {"billing": 3},
                                                                "priority": 0})
    assert not [e for e in harness.events if e.name == "call.offered"]  # not offered twice


FALLBACK_TONE = "tone_stream://%(500,500,480,620);loops=50"
SOCKET_DIALPLAN = """\
<include><context name="public">
  <extension name="main-line">
    <condition field="destination_number" expression="^\\+4930100$">
      <action application="set" data="ccore_number=+4930100"/>
      <action application="socket" data="127.0.0.1:{port} async full"/>
      <action application="set" data="ccore_fallback=true"/>
      <action application="playback" data="{tone}"/>
      <action application="hangup" data="NO_ANSWER"/>
    </condition>
  </extension>
</context></include>
"""


async def test_a_caller_the_switch_gave_to_the_fallback_during_a_restart_is_left_alone(
    ivr_center: IvrCenter,
) -> None:
    toml = CENTER.replace("timeout = 3\nmax_tries = 1", "timeout = 60\nmax_tries = 1")
    harness = await ivr_center(toml)
    port = harness.config.model.switch.outbound_port
    harness.switch.dialplan = Dialplan.from_xml(SOCKET_DIALPLAN.format(port=port,
                                                                       tone=FALLBACK_TONE))
    call = await call_in(harness, [(0.5, "1")])
    await harness.next_event("ivr.entered", lambda e: e.menu == "accounts")

    await harness.restart()  # ccore's socket closes: the dialplan goes on to its fallback
    exited = await harness.next_event("ivr.exited", lambda e: e.call_uuid == call.uuid)
    await call.press("1")  # ends the menu's last prompt, which the switch still ran
    await harness.wait_for(lambda: call.channel.get_var("current_application") == "playback",
                           what="fallback message playing")

    assert (exited.step, exited.action, exited.caller_hung_up) == ("restart", "fallback", False)
    assert not [e for e in harness.events if e.name == "ivr.entered"]
    assert call.channel.get_var("current_application_data") == FALLBACK_TONE
    assert not call.ended
