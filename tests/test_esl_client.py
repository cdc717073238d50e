"""InboundClient: two connections, Core-UUID, reconnects and the watchdog, over loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from esl_replay import (
    GREETING,
    HOLD,
    ReplayServer,
    Step,
    api_response,
    expect,
    load,
    reply,
)

from ccore.esl.client import InboundClient
from ccore.esl.errors import AuthError, CommandError, ConnectionLost
from ccore.esl.event import EslEvent

CORE = "56e257b8-e932-48d3-8251-b509a128588d"  # the recorded switch's Core-UUID
NEW_CORE = "0b3c6d1e-2f40-4a5b-8c6d-7e8f90a1b2c3"
LOGIN = [GREETING, expect("auth ClueCon"), reply("+OK accepted")]
SUBSCRIBE = "event json CHANNEL_PARK CHANNEL_BRIDGE HEARTBEAT CUSTOM sofia::register"
FILTER = "filter Event-Name CHANNEL_PARK"
KEEP_HEARTBEAT = "filter Event-Name HEARTBEAT"


def recorded_after(name: str, command: str) -> list[Step]:
    """The recv steps a transcript played right after the client sent ``command``."""
    steps = load(name)
    start = next(i for i, s in enumerate(steps) if s.data == command + "\n\n") + 1
    end = next((i for i in range(start, len(steps)) if steps[i].direction == "send"), None)
    return steps[start:end]


def control_script(core_answer: str = CORE, *extra: Step) -> list[Step]:
    """What the control connection does: login, BACKGROUND_JOB, Core-UUID, then ``extra``."""
    return [*LOGIN, expect("event json BACKGROUND_JOB"),
            reply("+OK event listener enabled json"),
            expect("api global_getvar core_uuid"), api_response(core_answer), *extra, HOLD]


def event_script(*events: Step) -> list[Step]:
    """What the event connection does: login, subscribe, filter, then play ``events``."""
    return [*LOGIN, expect(SUBSCRIBE), reply("+OK event listener enabled json"),
            expect(FILTER), reply("+OK filter added. [Event-Name]=[CHANNEL_PARK]"),
            expect(KEEP_HEARTBEAT), reply("+OK filter added. [Event-Name]=[HEARTBEAT]"),
            *events, HOLD]


PARK = recorded_after("resync_queries", "api status")[1:]  # the recorded JSON CHANNEL_PARK


class Recorder:
    """Collects what the client reports, with a way to wait for it."""

    def __init__(self) -> None:
        self.connected: list[tuple[str, bool]] = []
        self.disconnected: list[str] = []
        self.events: list[EslEvent] = []

    def on_connected(self, core_uuid: str, restarted: bool) -> None:
        self.connected.append((core_uuid, restarted))

    def on_disconnected(self, reason: str) -> None:
        self.disconnected.append(reason)

    def on_event(self, event: EslEvent) -> None:
        self.events.append(event)

    async def until(self, condition: Callable[[], bool], timeout: float = 3.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "timed out waiting"
            await asyncio.sleep(0.01)


def make_client(server: ReplayServer, recorder: Recorder, **kwargs: object) -> InboundClient:
    """A client for the replay server, reporting to ``recorder``."""
    options: dict = {"heartbeat_interval": 20.0, "backoff_base": 0.02,
                     "filters": [("Event-Name", "CHANNEL_PARK")],
                     "on_event": recorder.on_event, "on_connected": recorder.on_connected,
                     "on_disconnected": recorder.on_disconnected, **kwargs}
    return InboundClient(
        "127.0.0.1", server.port, "ClueCon",
        events=["CHANNEL_PARK", "CUSTOM sofia::register", "CHANNEL_BRIDGE"], **options)


async def test_client_splits_events_and_commands_over_two_connections() -> None:
    recorder = Recorder()
    control = control_script(CORE, expect("api status"), api_response("UP 0 years"))
    async with ReplayServer(control, event_script(*PARK)) as server:
        client = make_client(server, recorder)
        await client.start()
        assert client.connected and recorder.connected == [(CORE, False)]
        assert await client.api("status") == "UP 0 years"
        await recorder.until(lambda: len(recorder.events) == 1)
        assert recorder.events[0].name == "CHANNEL_PARK"
        await client.stop()
    assert server.mismatches == []
    assert [c.split("\n")[0] for c in server.logs[0].commands][-2:] == ["api status", "exit"]
    assert "api status\n\n" not in server.logs[1].commands


async def test_bgapi_result_arrives_through_the_control_connection() -> None:
    bgapi = [expect("bgapi status"), *recorded_after("api_and_bgapi", "bgapi status")]
    async with ReplayServer(control_script(CORE, *bgapi), event_script()) as server:
        client = make_client(server, Recorder())
        await client.start()
        assert (await client.bgapi("status", timeout=2)).startswith("UP 0 years")
        await client.stop()
    assert server.mismatches == []


async def test_api_error_text_comes_back_verbatim() -> None:
    kill = [expect("api uuid_kill 00000000-0000-0000-0000-000000000000"),
            *recorded_after("api_and_bgapi", "api uuid_kill 00000000-0000-0000-0000-000000000000")]
    async with ReplayServer(control_script(CORE, *kill), event_script()) as server:
        client = make_client(server, Recorder())
        await client.start()
        with pytest.raises(CommandError) as failure:
            await client.api("uuid_kill 00000000-0000-0000-0000-000000000000")
        assert failure.value.text == "-ERR No such channel!\n"
        await client.stop()


async def test_wrong_password_fails_start_at_once_and_is_not_retried() -> None:
    recorder = Recorder()
    async with ReplayServer(load("auth_rejected")) as server:
        client = InboundClient("127.0.0.1", server.port, "wrongpass", events=["CHANNEL_PARK"],
                               on_connected=recorder.on_connected, backoff_base=0.01)
        started = time.monotonic()
        with pytest.raises(AuthError, match=f"127.0.0.1:{server.port}"):
            await client.start()
        assert time.monotonic() - started < 1
        await asyncio.sleep(0.1)
    assert len(server.logs) == 1 and recorder.connected == []
    assert not client.connected


async def test_reconnect_after_a_drop_replays_subscriptions_and_filters() -> None:
    recorder = Recorder()
    async with ReplayServer(control_script(), event_script(),
                            control_script(), event_script(*PARK)) as server:
        client = make_client(server, recorder)
        await client.start()
        server.drop_all()
        await recorder.until(lambda: len(recorder.connected) == 2)
        await recorder.until(lambda: len(recorder.events) == 1)
        await client.stop()
    assert len(recorder.disconnected) == 1 and "connection lost" in recorder.disconnected[0]
    assert recorder.connected == [(CORE, False), (CORE, False)]
    first, again = server.logs[1].commands, server.logs[3].commands
    assert again[:4] == first[:4] == ["auth ClueCon\n\n", SUBSCRIBE + "\n\n", FILTER + "\n\n",
                                      KEEP_HEARTBEAT + "\n\n"]  # filters must not hide it
    assert server.mismatches == []


async def test_changed_core_uuid_after_reconnect_reports_a_restart() -> None:
    recorder = Recorder()
    async with ReplayServer(control_script(), event_script(),
                            control_script(NEW_CORE), event_script()) as server:
        client = make_client(server, recorder)
        await client.start()
        server.drop_all()
        await recorder.until(lambda: len(recorder.connected) == 2)
        await client.stop()
    assert recorder.connected == [(CORE, False), (NEW_CORE, True)]
    assert client.core_uuid == NEW_CORE


async def test_core_uuid_falls_back_to_the_first_events_header() -> None:
    recorder = Recorder()
    async with ReplayServer(control_script("-ERR no reply\n"), event_script(*PARK)) as server:
        client = make_client(server, recorder)
        await client.start()
        await recorder.until(lambda: recorder.connected == [(CORE, False)])
        await client.stop()


async def test_silent_event_connection_counts_as_lost_and_is_reconnected() -> None:
    recorder = Recorder()
    async with ReplayServer(control_script(), event_script()) as server:
        client = make_client(server, recorder, heartbeat_interval=0.05)
        await client.start()
        await recorder.until(lambda: len(recorder.connected) >= 2)
        await client.stop()
    assert recorder.disconnected[0].startswith("no events for")
    assert len(server.logs) >= 4  # both connections were opened again


async def test_commands_fail_fast_while_disconnected() -> None:
    recorder = Recorder()
    async with ReplayServer(control_script(), event_script()) as server:
        client = make_client(server, recorder)
        await client.start()
        await server.stop()
        await recorder.until(lambda: len(recorder.disconnected) == 1)
        started = time.monotonic()
        with pytest.raises(ConnectionLost) as lost:
            await client.api("status")
        assert lost.value.stage == "not_sent" and time.monotonic() - started < 0.1
        assert not client.connected
        await client.stop()


async def test_async_callbacks_are_scheduled_not_ignored() -> None:
    seen: list[str] = []

    async def on_connected(core_uuid: str, restarted: bool) -> None:
        await asyncio.sleep(0)
        seen.append(core_uuid)

    async with ReplayServer(control_script(), event_script()) as server:
        client = make_client(server, Recorder(), on_connected=on_connected)
        await client.start()
        await Recorder().until(lambda: seen == [CORE])
        await client.stop()
