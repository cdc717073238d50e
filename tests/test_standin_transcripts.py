"""The stand-in answers the transcripts' scenarios with the frames a real FreeSWITCH sent."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from standin_fixtures import PASSWORD, RawEsl, RawFrame
from transcripts import TRANSCRIPTS  # ../shared/esl-transcripts beside the checkout

from ccore.standin import Dialplan, StandinSwitch

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

PUBLIC = """
<include><context name="public">
  <extension name="center">
    <condition field="destination_number" expression="^(5000)$">
      <action application="set" data="outside_call=true"/>
      <action application="export" data="RFC2822_DATE=Sun, 22 Nov 2026 09:44:02 +0000"/>
      <action application="set" data="cc_entry=park"/>
      <action application="park"/>
    </condition>
  </extension>
  <extension name="outbound">
    <condition field="destination_number" expression="^(5001)$">
      <action application="set" data="outside_call=true"/>
      <action application="export" data="RFC2822_DATE=Sun, 22 Nov 2026 09:44:02 +0000"/>
      <action application="socket" data="127.0.0.1:${controller_port} async full"/>
    </condition>
  </extension>
</context></include>
"""


def recorded(name: str) -> list[RawFrame | str]:
    """The transcript as frames (received) and command texts (sent)."""
    out: list[RawFrame | str] = []
    buf = b""
    for line in (TRANSCRIPTS / name).read_text().splitlines():
        entry = json.loads(line)
        if entry["dir"] == "send":
            out.append(entry["data"])
            continue
        buf += entry["data"].encode()
        while b"\n\n" in buf:
            head, rest = buf.split(b"\n\n", 1)
            headers = [
                (k, v) for k, _, v in (x.partition(": ") for x in head.decode().split("\n") if x)
            ]
            length = int(dict(headers).get("Content-Length", 0))
            if len(rest) < length:
                break
            out.append(RawFrame(headers, rest[:length].decode()))
            buf = rest[length:]
    return out


def replies(frames: list[RawFrame | str]) -> list[tuple[str, str]]:
    """Content type and reply text (UUIDs masked) of every frame that is not an event."""
    out = []
    for f in frames:
        if isinstance(f, RawFrame) and not f.is_event:
            text = f.get("Reply-Text") or f.body.split("\n")[0]
            out.append((f.content_type, UUID.sub("<uuid>", text)))
    return out


def by_channel(frames: list[RawFrame | str]) -> dict[str, list[RawFrame]]:
    """Channel events grouped by Unique-ID, in the order received."""
    out: dict[str, list[RawFrame]] = {}
    for f in frames:
        if isinstance(f, RawFrame) and f.is_event and f.event().get("Unique-ID"):
            out.setdefault(f.event()["Unique-ID"], []).append(f)
    return out


def fixed_headers(frame: RawFrame) -> list[str]:
    """Header names in order, without ``variable_*`` (their set depends on the call)."""
    return [k for k, _ in frame.event_headers() if not k.startswith("variable_")]


# Headers whose values FreeSWITCH computes from the call (not from time, ids or SDP).
COMPARED_VALUES = (
    "Channel-State", "Channel-Call-State", "Channel-State-Number", "Answer-State",
    "Call-Direction", "Channel-HIT-Dialplan", "Hangup-Cause", "Application", "Application-Data",
    "Application-Response", "Caller-Direction", "Caller-Logical-Direction",
    "Caller-Caller-ID-Name", "Caller-Caller-ID-Number", "Caller-Callee-ID-Name",
    "Caller-Callee-ID-Number", "Caller-Destination-Number", "Caller-Context", "Caller-Source",
    "Other-Type", "Other-Leg-Logical-Direction", "Other-Leg-Context",
    "Other-Leg-Caller-ID-Name", "Playback-File-Path", "Playback-File-Type", "Playback-Status",
    "DTMF-Digit", "variable_hangup_cause", "variable_originate_disposition",
    "variable_DIALSTATUS", "variable_read_result", "variable_ivr_choice", "variable_choice",
    "variable_endpoint_disposition", "variable_sip_hangup_disposition",
    "variable_bridge_hangup_cause", "variable_last_bridge_role", "variable_current_application",
    "variable_last_app", "variable_dialed_user", "variable_originate_endpoint",
    "variable_last_sent_callee_id_name", "variable_channel_cid_flipped",
)  # fmt: skip


def compared(frame: RawFrame) -> dict[str, str]:
    """The compared headers of an event, UUIDs masked."""
    headers = dict(frame.event_headers())

    def mask(value: str) -> str:
        value = re.sub(r"\d\d:\d\d:\d\d", "<time>", UUID.sub("<uuid>", value))
        return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", value)

    return {k: mask(headers[k]) for k in COMPARED_VALUES if k in headers}


def assert_same_channel_events(mine: list[RawFrame], real: list[RawFrame]) -> None:
    """Same event names in order; each with exactly the same header names in the same order
    (channel variables included: their order follows when each was last set) and the same
    values where FreeSWITCH computes them from the call."""
    assert [f.event()["Event-Name"] for f in mine] == [f.event()["Event-Name"] for f in real]
    for m, r in zip(mine, real, strict=True):
        assert fixed_headers(m) == fixed_headers(r), m.event()["Event-Name"]
        mine_vars = [k for k, _ in m.event_headers() if k.startswith("variable_")]
        real_vars = [k for k, _ in r.event_headers() if k.startswith("variable_")]
        assert mine_vars == real_vars, m.event()["Event-Name"]
        assert compared(m) == compared(r), m.event()["Event-Name"]


async def drive_call_flow(fmt: str, tmp_path: Path) -> tuple[list[RawFrame | str], str]:
    """The scenario of call_flow_*.jsonl against a fresh stand-in."""
    switch = StandinSwitch(
        PASSWORD,
        speed=20.0,
        dialplan=Dialplan.from_xml(PUBLIC),
        recordings_dir=tmp_path,
        users={"1001", "1002"},
    )
    await switch.start()
    try:
        esl = await RawEsl.connect(switch.port)
        await esl.read_frame()
        await esl.command(f"auth {PASSWORD}")
        names = (
            "CHANNEL_CREATE CHANNEL_PARK CHANNEL_ANSWER CHANNEL_EXECUTE "
            "CHANNEL_EXECUTE_COMPLETE CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP "
            "CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY CHANNEL_PROGRESS CHANNEL_ORIGINATE "
            "CHANNEL_OUTGOING DTMF PLAYBACK_START PLAYBACK_STOP RECORD_START RECORD_STOP "
            "BACKGROUND_JOB CUSTOM sofia::register sofia::unregister sofia::expire"
        )
        await esl.command(f"event {fmt} {names}")
        switch.set_phone("1001", ring_seconds=1.0)
        await switch.register("1001")
        call = await switch.place_call(
            "5551234", "5000", caller_name="Test Caller", digits=[(0.6, "1")], subject="e2e"
        )
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
        uuid = call.uuid
        await esl.command(f"api uuid_answer {uuid}")
        await esl.command(
            f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: play_and_get_digits\n"
            "execute-app-arg: 1 1 1 5000 # tone_stream://%(300,100,440) silence_stream://250 "
            "ivr_choice \\d\nevent-uuid: pagd-1"
        )
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_EXECUTE_COMPLETE")
        await esl.command(f"api uuid_record {uuid} start {tmp_path}/{uuid}.wav")
        await esl.command(
            f"sendmsg {uuid}\ncall-command: execute\nexecute-app-name: bridge\n"
            "execute-app-arg: {origination_caller_id_name=Acme}user/1001"
        )
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
        await switch.clock.sleep(2.0)
        await call.hangup()
        await call
        await asyncio.sleep(0.2)
        await esl.command("bgapi originate {origination_caller_id_number=100}user/1002 &park()")
        await esl.wait_event(lambda e: e["Event-Name"] == "BACKGROUND_JOB")
        await esl.command("exit")
        while await esl.read_frame() is not None:
            pass
        return list(esl.frames), uuid
    finally:
        await switch.stop()


@pytest.mark.parametrize("fmt", ["plain", "json"])
async def test_call_flow_matches_the_real_switch(fmt: str, tmp_path: Path) -> None:
    real = recorded(f"call_flow_{fmt}.jsonl")
    mine, caller = await drive_call_flow(fmt, tmp_path)
    assert replies(mine) == replies(real)
    real_channels = list(by_channel(real).values())
    mine_channels = by_channel(mine)
    agent = next(u for u in mine_channels if u != caller)
    assert_same_channel_events(mine_channels[caller], real_channels[0])
    assert_same_channel_events(mine_channels[agent], real_channels[1])
    register = [
        f
        for f in mine
        if isinstance(f, RawFrame)
        and f.is_event
        and f.event().get("Event-Subclass") == "sofia::register"
    ]
    real_register = [
        f
        for f in real
        if isinstance(f, RawFrame)
        and f.is_event
        and f.event().get("Event-Subclass") == "sofia::register"
    ]
    assert set(fixed_headers(register[0])) <= set(fixed_headers(real_register[0]))
    job = [f for f in mine if isinstance(f, RawFrame) and f.is_event][-1]
    assert fixed_headers(job) == fixed_headers(
        [f for f in real if isinstance(f, RawFrame) and f.is_event][-1]
    )
    assert job.event_body() == "-ERR USER_NOT_REGISTERED\n"
    assert outer_shapes(mine) == outer_shapes(real)


def outer_shapes(frames: list[RawFrame | str]) -> set[tuple[str, ...]]:
    """The outer header names of every frame, in order."""
    return {tuple(k for k, _ in f.headers) for f in frames if isinstance(f, RawFrame)}


async def drive_record_and_eavesdrop(tmp_path: Path) -> tuple[list[RawFrame | str], str]:
    """The scenario of record_pause_and_eavesdrop.jsonl, with the recorded commands."""
    sent = [f for f in recorded("record_pause_and_eavesdrop.jsonl") if isinstance(f, str)]
    real_uuid = UUID.search(sent[2]).group(0)  # type: ignore[union-attr]
    switch = StandinSwitch(
        PASSWORD,
        speed=20.0,
        dialplan=Dialplan.from_xml(PUBLIC),
        recordings_dir=tmp_path,
        users={"1001", "1002"},
    )
    await switch.start()
    try:
        esl = await RawEsl.connect(switch.port)
        await esl.read_frame()
        await esl.command(sent[0].strip())
        await esl.command(sent[1].strip())
        switch.set_phone("1002", ring_seconds=0.2)
        await switch.register("1002")
        call = await switch.place_call("5551234", "5000", caller_name="Test Caller", subject="e2e")
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
        for text in sent[2:-1]:
            text = (
                text.strip().replace(real_uuid, call.uuid).replace("/srv/recs/cc1", str(tmp_path))
            )
            await esl.command(text)
            if text.startswith("bgapi"):
                await esl.wait_event(lambda e: e.get("Application") == "eavesdrop")
        await switch.clock.sleep(1.0)
        await call.hangup()
        await call
        await asyncio.sleep(0.2)
        await esl.command("exit")
        while await esl.read_frame() is not None:
            pass
        return list(esl.frames), call.uuid
    finally:
        await switch.stop()


async def test_record_pause_and_eavesdrop_match_the_real_switch(tmp_path: Path) -> None:
    real = recorded("record_pause_and_eavesdrop.jsonl")
    mine, caller = await drive_record_and_eavesdrop(tmp_path)
    assert replies(mine) == replies(real)
    real_channels = list(by_channel(real).values())
    mine_channels = by_channel(mine)
    supervisor = next(u for u in mine_channels if u != caller)
    assert_same_channel_events(mine_channels[caller], real_channels[0])
    assert_same_channel_events(mine_channels[supervisor], real_channels[1])
    assert outer_shapes(mine) == outer_shapes(real)
