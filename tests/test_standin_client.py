"""ccore's own ESL client drives a call through the stand-in over real sockets."""

from __future__ import annotations

import asyncio

import pytest
from standin_fixtures import PASSWORD

from ccore.esl.client import InboundClient
from ccore.esl.errors import CommandError
from ccore.esl.event import EslEvent
from ccore.standin import StandinSwitch


async def test_core_client_answers_bridges_and_sees_the_call_end(standin: StandinSwitch) -> None:
    events: asyncio.Queue[EslEvent] = asyncio.Queue()
    client = InboundClient(
        "127.0.0.1", standin.port, PASSWORD,
        events=["CHANNEL_PARK", "CHANNEL_BRIDGE", "CHANNEL_HANGUP_COMPLETE", "BACKGROUND_JOB",
                "CUSTOM", "sofia::register"],
        on_event=events.put_nowait,
    )
    await client.start()
    try:
        standin.set_phone("1001", ring_seconds=0.5, talk_seconds=2.0)
        await standin.register("1001")

        async def next_named(name: str) -> EslEvent:
            while True:
                event = await asyncio.wait_for(events.get(), 5)
                if event.name == name:
                    return event

        call = await standin.place_call("5551234", "5000", caller_name="Test Caller")
        parked = await next_named("CHANNEL_PARK")
        assert parked.uuid == call.uuid
        assert (await client.api(f"uuid_answer {call.uuid}")).startswith("+OK")
        await client.sendmsg(call.uuid, app="set", arg="hangup_after_bridge=true")
        await client.sendmsg(call.uuid, app="bridge", arg="user/1001")
        bridged = await next_named("CHANNEL_BRIDGE")
        assert bridged.get("Bridge-A-Unique-ID") == call.uuid
        done = await next_named("CHANNEL_HANGUP_COMPLETE")
        while done.uuid != call.uuid:
            done = await next_named("CHANNEL_HANGUP_COMPLETE")
        assert done.variable("hangup_cause") == "NORMAL_CLEARING"
        assert int(done.variable("billsec") or 0) >= 2
        with pytest.raises(CommandError, match="USER_NOT_REGISTERED"):
            await client.bgapi("originate user/1002 &park()")
    finally:
        await client.stop()


async def test_core_outbound_server_runs_an_ivr_on_the_socket_app(tmp_path) -> None:
    from ccore.esl.outbound import OutboundServer, OutboundSession
    from ccore.standin import Dialplan

    choices: asyncio.Queue[str | None] = asyncio.Queue()

    async def handle(session: OutboundSession) -> None:
        await session.connect()
        await session.linger(5)
        await session.myevents()
        await session.execute("answer")
        done = await session.execute(
            "play_and_get_digits", "1 1 2 3000 # tone_stream://%(300,100,440) "
            "silence_stream://250 choice \\d")
        await choices.put(done.variable("choice") if done else None)
        await session.hangup()

    server = OutboundServer("127.0.0.1", 0, handle)
    await server.start()
    plan = Dialplan.from_xml(
        '<include><context name="public"><extension name="ivr"><condition '
        'field="destination_number" expression="^5001$"><action application="socket" '
        f'data="127.0.0.1:{server.port} async full"/></condition></extension></context>'
        "</include>")
    try:
        async with StandinSwitch(PASSWORD, speed=20, dialplan=plan,
                                 recordings_dir=tmp_path) as switch:
            call = await switch.place_call("5551234", "5001", digits=[(0.8, "3")])
            assert await asyncio.wait_for(choices.get(), 5) == "3"
            assert (await call).hangup_cause == "NORMAL_CLEARING"
    finally:
        await server.stop()
