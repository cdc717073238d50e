"""State queries and call-control apis of the stand-in, against the real answers."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from standin_fixtures import PASSWORD, RawEsl
from test_standin_transcripts import (
    PUBLIC,
    UUID,
    fixed_headers,
    recorded,
    replies,
)

from ccore.standin import Dialplan, StandinSwitch

TRANSFER_PLAN = """
<include><context name="public">
  <extension name="queue"><condition field="destination_number" expression="^5000$">
    <action application="park"/></condition></extension>
  <extension name="voicemail"><condition field="destination_number" expression="^(8\\d\\d\\d)$">
    <action application="answer"/>
    <action application="voicemail" data="default ${domain_name} $1"/></condition></extension>
  <extension name="broken"><condition field="destination_number" expression="^7000$">
    <action application="no_such_app" data="x"/></condition></extension>
  <extension name="vip" continue="true"><condition field="${caller_id_number}" expression="^999">
    <action application="set" data="vip=true"/></condition></extension>
  <extension name="menu"><condition field="destination_number" expression="^6000$">
    <action application="hangup" data="NORMAL_CLEARING"/>
    <anti-action application="hangup" data="CALL_REJECTED"/></condition></extension>
</context></include>
"""


async def test_resync_queries_answer_like_the_real_switch(tmp_path: Path) -> None:
    real = recorded("resync_queries.jsonl")
    sent = [f for f in real if isinstance(f, str)]
    switch = StandinSwitch(PASSWORD, speed=20, dialplan=Dialplan.from_xml(PUBLIC),
                           recordings_dir=tmp_path, hostname="vm", db_lag=3600)
    await switch.start()
    try:
        esl = await RawEsl.connect(switch.port)
        await esl.read_frame()
        await switch.register("1001")
        await switch.register("1002")
        call = None
        bridged = False
        for text in sent:
            text = text.strip()
            if text.startswith("api uuid_answer"):
                call = await switch.place_call("5551234", "5000", caller_name="Test Caller")
                await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
            if call is not None:
                text = UUID.sub(call.uuid, text)
                if bridged and text.startswith("api uuid_exists"):
                    await call.hangup()
                    await call
            text = text.replace("@127.0.0.1", "@ccore.local")
            await esl.command(text)
            if "user/1001" in text:
                await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
                bridged = True
        await esl.read_frame()
        mine = replies(esl.frames)
        expected = replies(real)
        assert [ct for ct, _ in mine] == [ct for ct, _ in expected]
        simple = {"{\"row_count\": 0}", "+OK", "true", "false", "park", "vm",
                  "error/user_not_registered", "+OK accepted", "+OK bye",
                  "-USAGE: <uuid> [format]"}
        for (_, m), (_, e) in zip(mine, expected, strict=True):
            if e in simple:
                assert m == e
    finally:
        await switch.stop()


STOCK_USERS = {str(n) for n in range(1000, 1020)}  # the stock directory: 1000-1019


async def test_api_and_bgapi_answer_exactly_like_the_real_switch(tmp_path: Path) -> None:
    real = recorded("api_and_bgapi.jsonl")
    async with StandinSwitch(PASSWORD, users=STOCK_USERS, recordings_dir=tmp_path) as switch:
        esl = await RawEsl.connect(switch.port)
        await esl.read_frame()
        for text in [f for f in real if isinstance(f, str)]:
            await esl.command(text.strip())
            if text.startswith("bgapi"):
                await esl.next_event()  # the job's result (read_frame keeps every frame)
        while await esl.read_frame() is not None:
            pass
    uptime = re.compile(r"^UP .*")
    def masked(frames: list) -> list[tuple[str, str]]:
        return [(ct, uptime.sub("UP", text)) for ct, text in replies(frames)]
    assert masked(esl.frames) == masked(real)
    mine_jobs = [f for f in esl.frames if f.is_event]
    real_jobs = [f for f in real if not isinstance(f, str) and f.is_event]
    assert [fixed_headers(f) for f in mine_jobs] == [fixed_headers(f) for f in real_jobs]
    assert mine_jobs[1].event_body() == real_jobs[1].event_body() == "-ERR SUBSCRIBER_ABSENT\n"
    assert mine_jobs[0].event_body().splitlines()[1:] == (
        real_jobs[0].event_body().splitlines()[1:])


async def test_shutdown_event_has_the_real_headers(standin, esl) -> None:
    real = next(f for f in recorded("switch_shutdown.jsonl")
                if not isinstance(f, str) and f.is_event)
    await esl.command("event plain SHUTDOWN")
    stop = asyncio.create_task(standin.stop())
    mine = await esl.next_event()
    assert fixed_headers(mine) == fixed_headers(real)
    await stop


async def test_show_channels_lags_like_the_core_database(tmp_path: Path) -> None:
    async with StandinSwitch("pw", speed=20, db_lag=2.0, recordings_dir=tmp_path) as switch:
        esl = await RawEsl.connect(switch.port)
        await esl.read_frame()
        await esl.command("auth pw")
        call = await switch.place_call("5551234", "5000")
        assert (await esl.command("api show channels as json")).body == '{"row_count": 0}\n'
        assert (await esl.command("api uuid_exists " + call.uuid)).body == "true"
        await switch.clock.sleep(2.5)
        rows = json.loads((await esl.command("api show channels as json")).body)
        assert rows["row_count"] == 1 and rows["rows"][0]["uuid"] == call.uuid
        assert (await esl.command("api show channels count")).body == "\n1 total.\n"
        await switch.register("1001")
        await switch.clock.sleep(2.5)
        regs = json.loads((await esl.command("api show registrations as json")).body)
        assert regs["rows"][0]["reg_user"] == "1001"
        status = (await esl.command("api sofia status profile internal reg")).body
        assert "User:       \t1001@ccore.local" in status
        assert "Total items returned: 1" in status
        await esl.close()


async def test_uuid_bridge_joins_two_parked_calls(standin, esl) -> None:
    await esl.command("event plain CHANNEL_PARK CHANNEL_BRIDGE CHANNEL_HANGUP")
    a = await standin.place_call("5551234", "5000")
    b = await standin.place_call("5559876", "5000")
    for _ in range(2):
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
    reply = await esl.command(f"api uuid_bridge {a.uuid} {b.uuid}")
    assert reply.body == f"+OK {b.uuid}\n"
    bridge = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
    assert (bridge["Bridge-A-Unique-ID"], bridge["Bridge-B-Unique-ID"]) == (a.uuid, b.uuid)
    await b.hangup()
    assert (await a).hangup_cause == "NORMAL_CLEARING"
    missing = await esl.command(f"api uuid_bridge {a.uuid} {b.uuid}")
    assert missing.body == "-ERR Invalid uuid\n"


async def test_uuid_transfer_routes_the_call_again(tmp_path: Path) -> None:
    plan = Dialplan.from_xml(TRANSFER_PLAN)
    async with StandinSwitch("pw", speed=50, dialplan=plan, recordings_dir=tmp_path) as switch:
        esl = await RawEsl.connect(switch.port)
        await esl.read_frame()
        await esl.command("auth pw")
        await esl.command("event plain CHANNEL_PARK RECORD_START RECORD_STOP")
        call = await switch.place_call("5551234", "5000")
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
        assert (await esl.command(f"api uuid_transfer {call.uuid} 8001 XML public")).body == (
            "+OK\n")
        await esl.wait_event(lambda e: e["Event-Name"] == "RECORD_START")
        await switch.clock.sleep(5.0)
        await call.hangup()
        stop = await esl.wait_event(lambda e: e["Event-Name"] == "RECORD_STOP")
        path = Path(stop["Record-File-Path"])
        assert path.parent == tmp_path / "voicemail" / "ccore.local" / "8001"
        assert path.exists() and switch.voicemails[0][0] == "8001"
        gone = await esl.command("api uuid_transfer 00000000-0000-0000-0000-000000000000 x")
        assert gone.body == "-ERR No such channel!\n"
        await esl.close()


async def test_dialplan_conditions_anti_actions_and_unknown_apps(tmp_path: Path) -> None:
    plan = Dialplan.from_xml(TRANSFER_PLAN)
    assert plan.unknown_applications() == {"no_such_app"}
    async with StandinSwitch("pw", speed=50, dialplan=plan, recordings_dir=tmp_path) as switch:
        vip = await switch.place_call("9995555", "6000")
        assert (await vip).hangup_cause == "NORMAL_CLEARING"
        assert vip.channel.get_var("vip") == "true"
        other = await switch.place_call("5551234", "6001")
        assert (await other).hangup_cause == "CALL_REJECTED"  # the anti-action
        lost = await switch.place_call("5551234", "6000", context="default")
        assert (await lost).hangup_cause == "NO_ROUTE_DESTINATION"
        broken = await switch.place_call("5551234", "7000")
        assert (await broken).hangup_cause == "DESTINATION_OUT_OF_ORDER"


async def test_unknown_api_command_and_usage_errors(esl) -> None:
    assert (await esl.command("api no_such_command")).body == (
        "-ERR no_such_command Command not found!\n")
    assert (await esl.command("api originate")).body.startswith("-USAGE: <call url>")
    assert (await esl.command("api uuid_kill 00000000-0000-0000-0000-000000000000")).body == (
        "-ERR No such channel!\n")
    core = (await esl.command("api global_getvar core_uuid")).body
    assert len(core) == 36


async def test_show_calls_pairs_each_call_with_its_bridged_leg(tmp_path: Path) -> None:
    async with StandinSwitch("pw", speed=50, db_lag=0, recordings_dir=tmp_path) as switch:
        switch.set_phone("1001", ring_seconds=0.5)
        await switch.register("1001")
        esl = await RawEsl.connect(switch.port)
        await esl.read_frame()
        await esl.command("auth pw")
        await esl.command("event plain CHANNEL_PARK CHANNEL_BRIDGE")
        call = await switch.place_call("5551234", "5000")
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
        await esl.command(f"sendmsg {call.uuid}\ncall-command: execute\n"
                          "execute-app-name: bridge\nexecute-app-arg: user/1001")
        bridge = await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
        calls = json.loads((await esl.command("api show calls as json")).body)
        assert calls["row_count"] == 1
        row = calls["rows"][0]
        assert (row["uuid"], row["b_uuid"]) == (call.uuid, bridge["Bridge-B-Unique-ID"])
        assert list(row)[-1] == "call_created_epoch"
        bridged = json.loads((await esl.command("api show bridged_calls as json")).body)
        assert bridged["row_count"] == 1
        channels = json.loads((await esl.command("api show channels as json")).body)
        assert channels["row_count"] == 2
        await esl.close()
