"""Snapshots of each screen (pytest-textual-snapshot), on a fixed center state.

The screens are drawn from a canned snapshot and the starter center's saved configuration,
served by a stand-in client, so the pictures do not depend on clocks or timing. Behaviour is
tested against a real core in ``test_tui.py``; these catch layout regressions.
Update after a deliberate change with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ccore.config import load_center
from ccore.control.commands import _config_view
from ccore.starter import write_starter_center
from ccore_tui.app import CenterApp

SIZE = (130, 40)


def agent(extension: str, name: str, state: str, **more: Any) -> dict[str, Any]:
    """An operator as the snapshot has it (no timestamps: the pictures must not move)."""
    return {
        "extension": extension,
        "name": name,
        "state": state,
        "state_since": None,
        "reason": "",
        "registered": True,
        "call_uuid": None,
        "calls_today": 3,
        "skills": {},
        **more,
    }


SNAPSHOT: dict[str, Any] = {
    "center": {"name": "Snapshot Center", "timezone": "UTC"},
    "switch": {"connected": True},
    "services": {"agents": True, "routing": True},
    "agents": [
        agent("1001", "Alice Example", "on_call", call_uuid="c1"),
        agent("1002", "Bob Example", "on_break", reason="Lunch"),
        agent("1003", "Carol Example", "available"),
        agent("1004", "Dan Example", "logged_out", registered=False, calls_today=0),
    ],
    "queues": [
        {
            "name": "support",
            "display_name": "Customer support",
            "waiting": [{}, {}],
            "longest_wait": 95,
            "answered": 41,
            "abandoned": 2,
            "service_level": 0.93,
        },
    ],
    "calls": [
        {
            "uuid": "c1",
            "caller_number": "+4930555",
            "caller_name": "",
            "destination": "+15550100",
            "state": "bridged",
            "since": None,
            "agent": "1001",
        },
    ],
    "registrations": ["1001", "1002", "1003"],
    "plugins": [
        {"name": "agents", "version": "0.1.0", "state": "running", "reason": "", "depends_on": []},
        {
            "name": "ivr",
            "version": "0.1.0",
            "state": "running",
            "reason": "",
            "depends_on": ["routing"],
        },
        {
            "name": "recorder",
            "version": "2.0",
            "state": "failed",
            "reason": "invalid configuration: plugins.recorder.bucket: field required",
            "depends_on": [],
        },
        {
            "name": "routing",
            "version": "0.1.0",
            "state": "running",
            "reason": "",
            "depends_on": ["agents"],
        },
    ],
}


class CannedClient:
    """Answers like a core would, from a fixed state."""

    url = "ws://127.0.0.1:8089"

    def __init__(self, config_view: dict[str, Any], snapshot: dict[str, Any]) -> None:
        self.config_view = config_view
        self.snapshot = snapshot
        self.on_event: Callable[..., None] | None = None
        self.on_snapshot: Callable[..., None] | None = None
        self.on_connection: Callable[..., None] | None = None

    async def start(self) -> None:
        assert self.on_connection and self.on_snapshot
        self.on_connection(True, "")
        self.on_snapshot(self.snapshot)

    async def close(self) -> None:
        return None

    async def request(self, command: str, **args: Any) -> Any:
        if command == "config.get":
            return self.config_view
        return {}


async def settled(pilot: Any) -> None:
    """Wait for the canned state to arrive and draw it (no race with the redraw ticker)."""
    app = pilot.app
    if app.client is None:  # the setup: nothing to wait for
        await pilot.pause()
        return
    for _ in range(100):
        if app.state.snapshot and app.state.config:
            break
        await pilot.pause(0.02)
    app._dirty = True
    app._tick()
    await pilot.pause()


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., CenterApp]:
    """An app on the starter center (its saved configuration) and the canned snapshot."""
    write_starter_center(tmp_path / "center", name="Snapshot Center")
    view = _config_view(load_center(tmp_path / "center"))
    view["path"] = view["directory"] = "/srv/center"

    def make(snapshot: dict[str, Any] | None = None) -> CenterApp:
        return CenterApp(CannedClient(view, snapshot or SNAPSHOT))  # type: ignore[arg-type]

    return make


def test_wallboard(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["_"], terminal_size=SIZE, run_before=settled)


def test_wallboard_with_the_switch_down_and_no_routing(snap_compare: Any, make_app: Any) -> None:
    snapshot = {
        **SNAPSHOT,
        "switch": {"connected": False},
        "services": {"agents": True, "routing": False},
        "queues": [],
    }
    assert snap_compare(make_app(snapshot), press=["_"], terminal_size=SIZE, run_before=settled)


def test_operators(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["2", "_"], terminal_size=SIZE, run_before=settled)


def test_operator_form(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["2", "e", "_"], terminal_size=SIZE, run_before=settled)


def test_queues(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["3", "_"], terminal_size=SIZE, run_before=settled)


def test_queue_form(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["3", "e", "_"], terminal_size=SIZE, run_before=settled)


def test_ivr_tree(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["4", "_"], terminal_size=SIZE, run_before=settled)


def test_ivr_option_form(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(
        make_app(), press=["4", "down", "down", "o", "_"], terminal_size=SIZE, run_before=settled
    )


def test_hours(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["5", "_"], terminal_size=SIZE, run_before=settled)


def test_plugins(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["6", "_"], terminal_size=SIZE, run_before=settled)


TRUNK = {
    "name": "provider",
    "proxy": "sip.example.net",
    "username": "customer123",
    "password": "**********",  # how the core's view gives a set password
    "register": True,
    "transport": "udp",
    "caller_id_number": "+15550100",
}


def with_trunk(app: CenterApp) -> CenterApp:
    """The app with a trunk (its password set) in the saved configuration."""
    view = app.client.config_view  # type: ignore[union-attr]
    view["model"] = {**view["model"], "trunks": [TRUNK]}
    view["model"]["numbers"] = [{**view["model"]["numbers"][0], "trunk": "provider"}]
    return app


def test_lines(snap_compare: Any, make_app: Any) -> None:
    app = with_trunk(make_app())
    assert snap_compare(app, press=["7", "_"], terminal_size=SIZE, run_before=settled)


def test_number_form(snap_compare: Any, make_app: Any) -> None:
    app = with_trunk(make_app())
    assert snap_compare(app, press=["7", "e", "_"], terminal_size=SIZE, run_before=settled)


def test_trunk_form(snap_compare: Any, make_app: Any) -> None:
    app = with_trunk(make_app())
    assert snap_compare(app, press=["7", "tab", "e", "_"], terminal_size=SIZE, run_before=settled)


def test_setup(snap_compare: Any, tmp_path: Path) -> None:
    app = CenterApp(None, center_directory=Path("/srv/new-center"))
    assert snap_compare(app, press=["_"], terminal_size=SIZE, run_before=settled)
