"""The control API over a real WebSocket, against a real center on the stand-in switch."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from center_fixtures import CenterHarness
from websockets.asyncio.client import connect

from ccore.control import ControlClient, ControlError, ControlServer, read_connection_info
from ccore.control.token import ADDRESS_FILE, TOKEN_FILE

Started = tuple[CenterHarness, ControlServer, ControlClient]


@pytest.fixture
async def control(center_harness: Any) -> AsyncIterator[Callable[..., Awaitable[Started]]]:
    """Factory: a center on the stand-in, its control server, and a connected client."""
    made: list[tuple[ControlServer, ControlClient]] = []

    async def start(center_toml: str | None = None, **client_options: Any) -> Started:
        harness = await center_harness(center_toml)
        server = ControlServer(harness.center, port=0)
        await server.start()
        client = ControlClient(server.url, server.token, **client_options)
        made.append((server, client))
        await client.start()
        await client.wait_connected()
        return harness, server, client

    yield start
    for server, client in made:
        await client.close()
        await server.stop()


async def test_token_is_private_kept_across_restarts_and_found_by_clients(control: Any) -> None:
    harness, server, _ = await control()
    data_dir = harness.center.data_dir
    token_file = data_dir / TOKEN_FILE
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / ADDRESS_FILE).stat().st_mode) == 0o600
    info = read_connection_info(data_dir)
    assert info is not None and info.url == server.url and info.token == server.token
    token = server.token
    await server.stop()
    assert read_connection_info(data_dir) is None  # no core listening: nothing to find
    again = ControlServer(harness.center, port=0)
    await again.start()
    try:
        assert again.token == token
        assert again.host == "127.0.0.1"
    finally:
        await again.stop()


async def test_wrong_token_is_refused_with_a_clear_error(control: Any) -> None:
    _, server, _ = await control()
    async with connect(server.url) as raw:
        await raw.send(json.dumps({"type": "auth", "token": "guessed"}))
        reply = json.loads(await raw.recv())
        assert reply["type"] == "error"
        assert reply["error"]["code"] == "auth_failed"
        assert "control.token" in reply["error"]["message"]
        await raw.wait_closed()
        assert raw.close_code == 4401
    async with connect(server.url) as raw:  # a request before auth is refused the same way
        await raw.send(json.dumps({"type": "request", "id": 1, "command": "snapshot"}))
        reply = json.loads(await raw.recv())
        assert reply["error"]["code"] == "auth_failed"
    changes: list[tuple[bool, str]] = []
    bad = ControlClient(server.url, "guessed")
    bad.on_connection = lambda up, why: changes.append((up, why))
    await bad.start()
    await asyncio.wait_for(bad._task, 5)  # type: ignore[arg-type]  # gives up: no retry loop
    assert changes and changes[-1][0] is False and "authentication failed" in changes[-1][1]


async def test_bad_requests_get_clear_errors(control: Any) -> None:
    _, server, client = await control()

    async def failure(command: str, **args: Any) -> ControlError:
        with pytest.raises(ControlError) as caught:
            await client.request(command, **args)
        return caught.value

    error = await failure("operator.sing")
    assert error.code == "unknown_command" and "agent.set_state" in error.message
    error = await failure("agent.set_state", extension="1001", state="dancing")
    assert error.code == "invalid_args"
    assert error.details[0]["field"] == "state" and "on_break" in error.details[0]["message"]
    error = await failure("agent.set_state", extension="1001", state="available", colour="red")
    assert error.code == "invalid_args" and error.details[0]["field"] == "colour"
    error = await failure("operator.remove", extension="4242")
    assert error.code == "not_found" and "4242" in error.message
    error = await failure("recording.start", call_uuid="no-such-call")
    assert error.code == "not_found"
    error = await failure("config.edit", edits=[{"op": "explode", "path": "center.name"}])
    assert error.code == "invalid_args" and "edits[0].op" in error.message
    async with connect(server.url) as raw:
        await raw.send(json.dumps({"type": "auth", "token": server.token}))
        assert json.loads(await raw.recv())["type"] == "hello"
        await raw.send("{not json")
        assert json.loads(await raw.recv())["error"]["code"] == "bad_message"
        await raw.send(json.dumps({"type": "request", "id": 9}))
        reply = json.loads(await raw.recv())
        assert reply["id"] == 9 and reply["error"]["code"] == "bad_message"


async def test_operator_added_is_saved_with_comments_and_rendered(control: Any) -> None:
    harness, _, client = await control()
    path = harness.directory / "center.toml"
    before = path.read_text()
    result = await client.request(
        "operator.add", operator={"extension": "1003", "name": "Carol", "skills": {"french": 7}}
    )
    assert result["model"]["operators"][-1]["name"] == "Carol"
    after = path.read_text()
    assert "# One block per person." in after  # comments kept
    assert after.startswith(before.split("[[operators]]")[0])  # everything above untouched
    assert 'name = "Carol"' in after
    assert harness.center.config.model.operator("1003") is None  # not live until applied
    applied = await client.request("config.apply")
    assert applied["reloaded"] and applied["switch_reloaded"]
    assert harness.center.config.model.operator("1003") is not None
    rendered = harness.directory / "freeswitch" / "directory" / "default" / "1003.xml"
    assert rendered.exists()
    account = await client.request("operator.account", extension="1003")
    assert account["user"] == "1003" and account["password"]
    assert account["password"] in rendered.read_text()


async def test_invalid_edit_names_the_key_and_leaves_the_file_alone(control: Any) -> None:
    harness, _, client = await control()
    path = harness.directory / "center.toml"
    before = path.read_text()
    with pytest.raises(ControlError) as caught:
        await client.request(
            "config.edit", edits=[{"op": "set", "path": "queues[0].strategy", "value": "random"}]
        )
    assert caught.value.code == "invalid_config"
    assert caught.value.details[0]["key"] == "queues[0].strategy"
    assert "longest-idle" in caught.value.details[0]["message"]
    with pytest.raises(ControlError) as caught:
        await client.request("operator.add", operator={"extension": "1001", "name": "Twin"})
    assert caught.value.code == "invalid_args" and "Alice" in caught.value.message
    assert path.read_text() == before


async def test_edit_conflicts_with_a_change_made_on_disk(control: Any) -> None:
    harness, _, client = await control()
    path = harness.directory / "center.toml"
    path.write_text(path.read_text().replace("Test Center", "Renamed"), encoding="utf-8")
    edit = {"op": "set", "path": "center.language", "value": "de"}
    with pytest.raises(ControlError) as caught:
        await client.request("config.edit", edits=[edit])
    assert caught.value.code == "conflict"
    assert 'name = "Renamed"' in path.read_text()  # the other change is not overwritten
    view = await client.request("config.get")  # re-reads the file
    assert view["model"]["center"]["name"] == "Renamed"
    await client.request("config.edit", edits=[edit])
    assert 'language = "de"' in path.read_text() and "Renamed" in path.read_text()


async def test_events_and_snapshots_stream_to_a_subscriber(control: Any) -> None:
    harness, _, client = await control(snapshot_interval=0.2)
    events: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    client.on_event = events.append
    client.on_snapshot = snapshots.append
    await harness.switch.register("1001")
    await harness.wait_for(lambda: any(e["name"] == "agent.registered" for e in events))
    registered = next(e for e in events if e["name"] == "agent.registered")
    assert registered["user"] == "1001"
    await harness.wait_for(lambda: snapshots and "1001" in snapshots[-1]["registrations"])
    snapshot = snapshots[-1]
    assert snapshot["switch"]["connected"] is True
    assert {p["name"] for p in snapshot["plugins"]} >= set()
    assert any(agent["extension"] == "1001" and agent["registered"] for agent in snapshot["agents"])


async def test_snapshot_shows_the_switch_gone(control: Any) -> None:
    harness, _, client = await control(snapshot_interval=0.2)
    snapshots: list[dict[str, Any]] = []
    client.on_snapshot = snapshots.append
    await harness.switch.stop()
    await harness.wait_for(lambda: snapshots and not snapshots[-1]["switch"]["connected"])


WAITING_CENTER = """\
[center]
name = "Recording test"

[[operators]]
extension = "1001"
name = "Alice"

[[queues]]
name = "support"

[[numbers]]
number = "+4930100"
queue = "support"
"""


async def test_a_live_call_is_recorded_on_request(control: Any) -> None:
    harness, _, client = await control(WAITING_CENTER)
    call = await harness.switch.place_call("+4917000009", "+4930100")
    await harness.next_event("queue.entered", lambda e: e.call_uuid == call.uuid)
    started = await client.request("recording.start", call_uuid=call.uuid)
    assert started["path"].endswith(f"{call.uuid}.wav") and "/recordings/" in started["path"]
    with pytest.raises(ControlError) as caught:
        await client.request("recording.start", call_uuid=call.uuid)
    assert caught.value.code == "not_allowed" and "already being recorded" in caught.value.message
    snapshot = await client.request("snapshot")
    assert snapshot["recordings"] == {call.uuid: started["path"]}
    assert any(c["uuid"] == call.uuid for c in snapshot["calls"])
    stopped = await client.request("recording.stop", call_uuid=call.uuid)
    assert stopped["path"] == started["path"]
    with pytest.raises(ControlError) as caught:
        await client.request("recording.start", call_uuid=call.uuid, path="../../etc/x.wav")
    assert caught.value.code == "invalid_args" and caught.value.details[0]["field"] == "path"
    for channel in list(harness.switch.channels.values()):
        channel.hangup("NORMAL_CLEARING")
    await harness.wait_for(lambda: not harness.center.calls.channels)


async def test_clients_coming_and_going_leave_calls_alone(control: Any) -> None:
    harness, server, client = await control(WAITING_CENTER)
    call = await harness.switch.place_call("+4917000010", "+4930100")
    await harness.next_event("queue.entered", lambda e: e.call_uuid == call.uuid)
    await client.close()  # the UI quits mid-call
    again = ControlClient(server.url, server.token)
    await again.start()
    await again.wait_connected()
    snapshot = await again.request("snapshot")
    assert [c["uuid"] for c in snapshot["calls"]] == [call.uuid]
    assert snapshot["queues"][0]["name"] == "support" and snapshot["calls"][0]["queue"] == (
        "support (waiting)"
    )
    assert harness.center.calls.channels[call.uuid].is_live
    await again.close()
    for channel in list(harness.switch.channels.values()):
        channel.hangup("NORMAL_CLEARING")
    await harness.wait_for(lambda: not harness.center.calls.channels)


async def test_holidays_sent_as_text_are_saved_as_toml_dates(control: Any) -> None:
    harness, _, client = await control()
    await client.request(
        "config.edit",
        edits=[
            {"op": "set", "path": "hours.office.holidays", "value": ["2026-12-24", "2026-12-31"]},
            {"op": "set", "path": "hours.office.saturday", "value": ["10:00-14:00"]},
        ],
    )
    text = (harness.directory / "center.toml").read_text()
    assert "holidays = [2026-12-24, 2026-12-31]" in text
    with pytest.raises(ControlError) as caught:
        await client.request(
            "config.edit",
            edits=[{"op": "set", "path": "hours.office.sunday", "value": ["14:00-10:00"]}],
        )
    assert caught.value.details[0]["key"].startswith("hours.office.sunday")
    assert "end after it starts" in caught.value.details[0]["message"]
