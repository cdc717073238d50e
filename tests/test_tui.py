"""The terminal UI driven with Textual's Pilot against a real center on the stand-in switch.

Each test runs the real app as a client of the center's control API (a real WebSocket), presses
keys as an admin would, and checks what the center did: center.toml, the rendered FreeSWITCH
directory, the IVR a caller follows, whom routing offers a call to, what the banner says.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, Tree
from tui_fixtures import SIZE

from ccore_tui.app import CenterApp
from ccore_tui.screens.ivr import IvrScreen
from ccore_tui.widgets.banner import ConnectionBanner
from ccore_tui.widgets.form import Field, FormScreen


async def until(pilot: Pilot[Any], predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Let the app run until ``predicate`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := predicate()):
        if loop.time() > deadline:
            raise TimeoutError("condition not met in the UI")
        await pilot.pause(0.05)
    return result


async def connected(pilot: Pilot[Any]) -> CenterApp:
    """Wait for the app to be connected with the config and a snapshot."""
    app = pilot.app
    assert isinstance(app, CenterApp)
    await until(pilot, lambda: app.state.core_connected and app.state.config and app.state.snapshot)
    return app


async def fill(pilot: Pilot[Any], values: dict[str, str]) -> None:
    """Type into the open form's inputs by field name (clearing them first)."""
    for name, text in values.items():
        control = pilot.app.screen.query_one(f"#field-{name}", Field).control
        assert isinstance(control, Input)
        control.focus()
        control.value = ""
        await pilot.press(*text) if text else None


def banner(app: CenterApp) -> str:
    """The banner's text."""
    return str(app.screen.query_one(ConnectionBanner).render())


def field_error(app: CenterApp, name: str) -> str:
    """The error shown under a form field."""
    return str(app.screen.query_one(f"#field-{name}", Field).query_one(".error", Static).render())


async def test_operator_created_in_the_ui_is_saved_with_comments_and_rendered(ui: Any) -> None:
    harness, _, app = await ui()
    path = harness.directory / "center.toml"
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("2", "n")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await fill(pilot, {"extension": "1003", "name": "Carol", "skills": "french=7"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen))
        text = path.read_text()
        assert "# The two people answering calls." in text and "# Everybody waits here." in text
        assert 'name = "Carol"' in text and "french = 7" in text
        assert app.state.unapplied
        await pilot.press("a")
        await until(pilot, lambda: not app.state.unapplied)
        await until(pilot, lambda: app.state.agent("1003"))  # on the wallboard, never hidden
    rendered = harness.directory / "freeswitch" / "directory" / "default" / "1003.xml"
    assert rendered.exists()
    assert harness.center.config.model.operator("1003") is not None  # the running center has her


async def test_bad_input_shows_errors_under_the_fields_and_saves_nothing(ui: Any) -> None:
    harness, _, app = await ui()
    path = harness.directory / "center.toml"
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("2", "n")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await fill(pilot, {"extension": "12x", "name": "Dan", "skills": "english=11"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(app, "skills"))
        assert "1 (a little) to 10 (expert)" in field_error(app, "skills")
        await fill(pilot, {"skills": "english=8"})
        await pilot.press("ctrl+s")  # the core checks the extension
        await until(pilot, lambda: field_error(app, "extension"))
        assert "2 to 8 digits" in field_error(app, "extension")
        assert field_error(app, "skills") == ""
        assert isinstance(app.screen, FormScreen)  # still open, nothing lost
        await fill(pilot, {"extension": "1001"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "already used by Alice" in field_error(app, "extension"))
    assert path.read_text() == before


def tree_line(screen: IvrScreen, kind: str, menu: str, key: str | None = None) -> bool:
    """Put the IVR tree's cursor on the node for (kind, menu, key); False if not there yet."""
    tree = screen.query_one(Tree)
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        if node is not None and node.data is not None and node.data.ref == (kind, menu, key):
            tree.move_cursor(node)
            return True
    return False


async def test_two_level_ivr_built_in_the_ui_is_followed_by_a_caller(ui: Any) -> None:
    harness, _, app = await ui()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("4")
        await until(pilot, lambda: isinstance(app.screen, IvrScreen))
        await pilot.press("m")  # a new menu, "sales"
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await fill(pilot, {"name": "sales"})  # the greeting defaults to a beep
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "sales" in app.state.model.get("ivr", {}))
        screen = app.screen
        assert isinstance(screen, IvrScreen)
        await until(pilot, lambda: tree_line(screen, "menu", "main"))
        await pilot.press("o")  # key 2 of main -> menu sales
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#key", Input).value == "2"  # the first free key
        app.screen.query_one("#action", Select).value = "submenu"  # "go to another menu"
        await pilot.pause()
        await fill(pilot, {"target": "sales"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "2" in app.state.model["ivr"]["main"]["options"])
        await until(pilot, lambda: tree_line(screen, "menu", "sales"))
        await pilot.press("o")  # key 1 of sales -> queue support
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#key", Input).value == "1"
        await fill(pilot, {"target": "support"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.state.model["ivr"]["sales"].get("options"))
        await pilot.press("a")
        await until(pilot, lambda: not app.state.unapplied)
    assert harness.center.config.model.ivr["main"].options["2"].menu == "sales"
    call = await harness.switch.place_call(
        "+4917000001", "+4930100", digits=[(1.0, "2"), (1.0, "1")]
    )
    entered = await harness.next_event("queue.entered", lambda e: e.call_uuid == call.uuid)
    assert entered.queue == "support"
    steps = [
        (e.name, e.menu, getattr(e, "digit", ""))
        for e in harness.events
        if e.name in ("ivr.entered", "ivr.option_chosen") and e.call_uuid == call.uuid
    ]
    assert steps == [
        ("ivr.entered", "main", ""),
        ("ivr.option_chosen", "main", "2"),
        ("ivr.entered", "sales", ""),
        ("ivr.option_chosen", "sales", "1"),
    ]


async def test_operator_put_on_break_from_the_wallboard_is_not_offered_calls(ui: Any) -> None:
    harness, _, app = await ui()
    for user in ("1001", "1002"):
        await harness.switch.register(user)
    board = harness.center.services["agents"]
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await until(pilot, lambda: app.screen.query_one("#agents", DataTable).row_count == 2)
        await pilot.press("v", "down", "v")  # both available
        await until(pilot, lambda: all(a.state == "available" for a in board.agents.values()))
        await pilot.press("up", "b")  # Alice on a break: pick the reason
        await until(pilot, lambda: app.screen.query("OptionList"))
        await pilot.press("down", "enter")  # the second reason, Lunch
        await until(pilot, lambda: board.agents["1001"].state == "on_break")
        assert board.agents["1001"].reason == "Lunch"
        await until(
            pilot,
            lambda: (
                "On break (Lunch)" in str(app.state.agent("1001"))
                or app.state.agent("1001")["state"] == "on_break"
            ),
        )
    mark = len(harness.events)
    call = await harness.switch.place_call("+4917000002", "+4930100", digits=[(1.0, "1")])
    offered = await harness.next_event(
        "queue.offered", lambda e: e.call_uuid == call.uuid, after=mark
    )
    assert offered.agent == "1002"
    assert board.agents["1001"].state == "on_break"


async def test_wallboard_says_plainly_when_the_switch_or_the_core_is_gone(ui: Any) -> None:
    harness, server, app = await ui()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await until(pilot, lambda: "core and switch connected" in banner(app))
        await harness.switch.stop()
        await until(pilot, lambda: "SWITCH DISCONNECTED" in banner(app))
        assert app.screen.query_one(ConnectionBanner).has_class("-down")
        await server.stop()
        await until(pilot, lambda: "CORE DISCONNECTED" in banner(app))
        assert "calls are not affected" in banner(app)


def test_the_core_and_plugins_never_import_textual() -> None:
    """Importing every module of ccore and the plugins (the control API too) loads no textual."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import ccore, ccore_plugins\n"
        "for package in (ccore, ccore_plugins):\n"
        "    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(module.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(len(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "0", result.stderr


async def test_queue_edit_needs_an_overflow_when_the_wait_is_limited(ui: Any) -> None:
    harness, _, app = await ui()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("3", "e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await fill(pilot, {"max_wait": "300"})
        await pilot.press("ctrl+s")  # the core refuses: a limit needs somewhere to go
        await until(pilot, lambda: field_error(app, "overflow"))
        assert "overflow action is required" in field_error(app, "overflow")
        await fill(pilot, {"overflow": "hangup"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FormScreen))
    text = (harness.directory / "center.toml").read_text()
    assert "max_wait = 300" in text and 'overflow = { action = "hangup" }' in text
    assert "# Everybody waits here." in text


async def test_ctrl_c_quits_the_app(ui: Any) -> None:
    _, _, app = await ui()
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause(0.2)
        assert not app.is_running
