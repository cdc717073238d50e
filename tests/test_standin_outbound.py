"""Outbound mode (``socket ... async full``), fallback, and the server-level transcripts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from standin_fixtures import PASSWORD, RawEsl, RawFrame
from test_standin_transcripts import assert_same_channel_events, recorded, replies

from ccore.standin import Dialplan, StandinSwitch

SOCKET_PLAN = """
<include><context name="public"><extension name="ivr">
  <condition field="destination_number" expression="^(5001)$">
    <action application="set" data="outside_call=true"/>
    <action application="socket" data="127.0.0.1:{port} async full"/>
    <action application="set" data="fallback=yes"/>
    <action application="hangup" data="USER_BUSY"/>
  </condition>
</extension></context></include>
"""


class Controller:
    """A one-connection outbound ESL server that hands the socket to the test."""

    def __init__(self) -> None:
        self.sessions: asyncio.Queue[RawEsl] = asyncio.Queue()
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> int:
        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self.sessions.put(RawEsl(reader, writer))

        self.server = await asyncio.start_server(accept, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()


async def switch_with_socket(tmp_path: Path, port: int, **kw: object) -> StandinSwitch:
    plan = Dialplan.from_xml(SOCKET_PLAN.format(port=port))
    switch = StandinSwitch(PASSWORD, speed=20, dialplan=plan, recordings_dir=tmp_path,
                           **kw)  # type: ignore[arg-type]
    await switch.start()
    return switch


OUTBOUND_PLAN = """
<include><context name="public"><extension name="ivr">
  <condition field="destination_number" expression="^(5001)$">
    <action application="set" data="outside_call=true"/>
    <action application="export" data="RFC2822_DATE=Sun, 22 Nov 2026 09:44:38 +0000"/>
    <action application="socket" data="127.0.0.1:{port} async full"/>
  </condition>
</extension></context></include>
"""


async def test_outbound_session_matches_the_real_transcript(tmp_path: Path) -> None:
    controller = Controller()
    plan = Dialplan.from_xml(OUTBOUND_PLAN.format(port=await controller.start()))
    switch = StandinSwitch(PASSWORD, speed=20, dialplan=plan, recordings_dir=tmp_path)
    await switch.start()
    real = recorded("outbound_socket.jsonl")
    try:
        call = await switch.place_call("5551234", "5001", caller_name="Test Caller",
                                       digits=[(0.6, "1")], subject="e2e")
        esl = await asyncio.wait_for(controller.sessions.get(), 5)
        for text in [f for f in real if isinstance(f, str)]:
            await esl.command(text.strip())
            if "play_and_get_digits" in text:
                await esl.wait_event(lambda e: e.get("Application") == "play_and_get_digits"
                                     and e["Event-Name"] == "CHANNEL_EXECUTE_COMPLETE")
        while (frame := await esl.read_frame()) is not None and frame.is_event:
            pass
        mine = esl.frames
        assert replies(mine) == replies(real)
        connect, real_connect = mine[0], next(f for f in real if isinstance(f, RawFrame))
        assert [k for k, _ in connect.headers] == [k for k, _ in real_connect.headers]
        assert connect.get("Unique-ID") == call.uuid
        assert_same_channel_events([f for f in mine if f.is_event],
                                   [f for f in real if isinstance(f, RawFrame) and f.is_event])
        assert mine[-1].get("Content-Disposition") == "linger"
        await esl.close()
        assert (await call).hangup_cause == "NORMAL_CLEARING"
    finally:
        await switch.stop()
        await controller.stop()


async def test_dialplan_goes_on_when_the_controller_is_down(tmp_path: Path) -> None:
    controller = Controller()
    port = await controller.start()
    await controller.stop()
    switch = await switch_with_socket(tmp_path, port)
    try:
        call = await switch.place_call("5551234", "5001")
        assert (await call).hangup_cause == "USER_BUSY"
        assert call.channel.get_var("fallback") == "yes"
    finally:
        await switch.stop()


async def test_dialplan_goes_on_when_the_controller_drops_before_a_bridge(tmp_path) -> None:
    controller = Controller()
    switch = await switch_with_socket(tmp_path, await controller.start())
    try:
        call = await switch.place_call("5551234", "5001")
        esl = await asyncio.wait_for(controller.sessions.get(), 5)
        await esl.command("connect")
        await esl.close()
        assert (await call).hangup_cause == "USER_BUSY"
    finally:
        await switch.stop()
        await controller.stop()


async def test_bridged_call_survives_the_controllers_disconnect(tmp_path: Path) -> None:
    controller = Controller()
    switch = await switch_with_socket(tmp_path, await controller.start())
    switch.set_phone("1001", ring_seconds=0.5)
    await switch.register("1001")
    try:
        call = await switch.place_call("5551234", "5001")
        esl = await asyncio.wait_for(controller.sessions.get(), 5)
        await esl.command("connect")
        await esl.command("myevents")
        await esl.command("sendmsg\ncall-command: execute\nexecute-app-name: bridge\n"
                          "execute-app-arg: user/1001")
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_BRIDGE")
        await esl.close()
        await switch.clock.sleep(5.0)
        assert call.channel.up and call.channel.bridged_to is not None
        await switch.phone_hangup("1001")
        assert (await call).hangup_cause == "USER_BUSY"  # the dialplan went on afterwards
    finally:
        await switch.stop()
        await controller.stop()


async def test_wrong_password_is_refused_like_the_real_switch(standin) -> None:
    esl = await RawEsl.connect(standin.port)
    greeting = await esl.read_frame()
    reply = await esl.command("auth wrongpass")
    notice = await esl.read_frame()
    assert await esl.read_frame() is None
    assert replies([greeting, reply, notice]) == replies(recorded("auth_rejected.jsonl"))


async def test_shutdown_sends_shutdown_event_then_the_notice(standin, esl) -> None:
    await esl.command("event plain SHUTDOWN HEARTBEAT MODULE_UNLOAD")
    stop = asyncio.create_task(standin.stop())
    first = await esl.next_event()
    assert first.event()["Event-Name"] == "SHUTDOWN"
    frame = await esl.read_frame()
    while frame is not None and frame.is_event:
        frame = await esl.read_frame()
    assert frame is not None and frame.body == "The system is being shut down.\n"
    await stop


async def test_restart_changes_core_uuid_and_drops_calls(standin, esl) -> None:
    before = standin.core_uuid
    await standin.place_call("5551234", "5000")
    await standin.restart()
    assert standin.core_uuid != before and not standin.channels
    again = await RawEsl.connect(standin.port)
    assert (await again.read_frame()).content_type == "auth/request"
    await again.close()


async def test_heartbeat_fires_at_the_configured_interval(tmp_path: Path) -> None:
    async with StandinSwitch("pw", speed=50, heartbeat_interval=5,
                             recordings_dir=tmp_path) as switch:
        esl = await RawEsl.connect(switch.port)
        await esl.read_frame()
        await esl.command("auth pw")
        await esl.command("event json HEARTBEAT")
        beat = await esl.next_event(timeout=2)
        assert beat.event()["Event-Name"] == "HEARTBEAT"
        await esl.close()


async def test_dialplan_goes_on_when_the_controller_lets_go_later(tmp_path: Path) -> None:
    controller = Controller()
    switch = await switch_with_socket(tmp_path, await controller.start())
    try:
        call = await switch.place_call("5551234", "5001")
        esl = await asyncio.wait_for(controller.sessions.get(), 5)
        await esl.command("connect")
        await esl.command("myevents")
        await esl.wait_event(lambda e: e["Event-Name"] == "CHANNEL_PARK")
        await switch.clock.sleep(2.0)
        assert call.channel.up
        await esl.close()
        assert (await call).hangup_cause == "USER_BUSY"
    finally:
        await switch.stop()
        await controller.stop()


async def test_crash_restart_drops_sockets_without_a_notice(standin, esl) -> None:
    before = standin.core_uuid
    call = await standin.place_call("5551234", "5000")
    await standin.restart(graceful=False)
    assert await esl.read_frame() is None  # no disconnect notice
    assert standin.core_uuid != before and not call.channel.up
    again = await RawEsl.connect(standin.port)
    assert (await again.read_frame()).content_type == "auth/request"
    await again.close()


async def test_linger_with_a_time_ends_with_the_final_disconnect(tmp_path: Path) -> None:
    controller = Controller()
    switch = await switch_with_socket(tmp_path, await controller.start())
    try:
        call = await switch.place_call("5551234", "5001")
        esl = await asyncio.wait_for(controller.sessions.get(), 5)
        await esl.command("connect")
        assert (await esl.command("linger 2")).get("Reply-Text") == "+OK will linger 2 seconds"
        await esl.command("sendmsg\ncall-command: hangup")
        frames = []
        while (frame := await esl.read_frame()) is not None:
            frames.append(frame)
        notices = [f.get("Content-Disposition") for f in frames if not f.is_event]
        assert notices == ["linger", "disconnect"]
        assert frames[-1].body.startswith("Disconnected, goodbye.")
        assert (await call).hangup_cause == "NORMAL_CLEARING"
    finally:
        await switch.stop()
        await controller.stop()


async def test_static_socket_runs_executes_inline_and_refuses_full_only_commands(
    tmp_path: Path,
) -> None:
    controller = Controller()
    port = await controller.start()
    plan = Dialplan.from_xml(SOCKET_PLAN.format(port=port).replace(" async full", ""))
    switch = StandinSwitch(PASSWORD, speed=20, dialplan=plan, recordings_dir=tmp_path)
    await switch.start()
    try:
        call = await switch.place_call("5551234", "5001")
        esl = await asyncio.wait_for(controller.sessions.get(), 5)
        connect = await esl.command("connect")
        assert (connect.get("Socket-Mode"), connect.get("Control")) == ("static",
                                                                       "single-channel")
        assert (await esl.command("api status")).get("Reply-Text") == "-ERR command not found"
        assert (await esl.command("linger")).get("Reply-Text") == "-ERR command not found"
        started = switch.clock.now()
        await esl.command("sendmsg\ncall-command: execute\nexecute-app-name: playback\n"
                          "execute-app-arg: silence_stream://2000")
        assert switch.clock.now() - started >= 1.9  # the reply waited for the playback
        await esl.close()
        assert (await call).hangup_cause == "USER_BUSY"  # then the dialplan went on
    finally:
        await switch.stop()
        await controller.stop()
