"""The Lines screen (numbers and trunks) driven with Pilot against a real center on the stand-in.

Each test presses keys as an admin would and checks what the center did: center.toml (comments
kept), the rendered FreeSWITCH gateway, where a simulated caller to a new number ends up, and
that a trunk's password never appears on screen.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_tui import connected, field_error, fill, until
from textual.widgets import DataTable, Input, Select
from tui_fixtures import CENTER, SIZE

from ccore_tui.app import CenterApp
from ccore_tui.forms import FieldError, format_ring, parse_ring
from ccore_tui.screens.lines import LinesScreen
from ccore_tui.screens.number_form import NumberForm
from ccore_tui.screens.trunk_form import TrunkForm

SECRET = "Wh1sper-9xq"

def on_screen(app: CenterApp) -> str:
    """Everything the terminal shows right now (the screen and any form over it)."""
    return app.export_screenshot()


async def open_lines(pilot: Any) -> CenterApp:
    """Connect, then show the Lines screen (key 7)."""
    app = await connected(pilot)
    await pilot.press("7")
    await until(pilot, lambda: isinstance(app.screen, LinesScreen))
    return app


async def test_trunk_added_in_the_ui_is_saved_rendered_and_its_password_never_shown(
    ui: Any,
) -> None:
    harness, _, app = await ui()
    path = harness.directory / "center.toml"
    async with app.run_test(size=SIZE) as pilot:
        await open_lines(pilot)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TrunkForm))
        await fill(
            pilot,
            {
                "name": "provider",
                "proxy": "sip.example.net",
                "username": "customer123",
                "password": SECRET,
                "caller_id_number": "+4930100",
            },
        )
        assert "customer123" in on_screen(app)  # what is typed shows (the check can see it)
        assert SECRET not in on_screen(app)  # but the password is dots
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, TrunkForm))
        text = path.read_text()
        assert "# The two people answering calls." in text and "# Everybody waits here." in text
        assert "[[trunks]]" in text and 'proxy = "sip.example.net"' in text
        assert f'password = "{SECRET}"' in text
        trunks = app.screen.query_one("#trunks", DataTable)
        await until(pilot, lambda: trunks.row_count == 1)
        assert trunks.get_row("provider")[4] == "••••"
        assert "customer123" in on_screen(app) and SECRET not in on_screen(app)
        await pilot.press("a")
        await until(pilot, lambda: not app.state.unapplied)
        trunks.focus()
        await pilot.press("e")  # editing shows no password either, and keeps it
        await until(pilot, lambda: isinstance(app.screen, TrunkForm))
        assert app.screen.query_one("#password", Input).value == ""
        assert SECRET not in on_screen(app)
        await fill(pilot, {"realm": "voip.example.net"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, TrunkForm))
    gateway = harness.directory / "freeswitch" / "sip_profiles" / "external" / "provider.xml"
    rendered = gateway.read_text()
    assert '<gateway name="provider">' in rendered
    assert 'name="proxy" value="sip.example.net"' in rendered
    assert 'name="username" value="customer123"' in rendered
    assert f'name="password" value="{SECRET}"' in rendered
    text = path.read_text()
    assert f'password = "{SECRET}"' in text and 'realm = "voip.example.net"' in text


async def test_number_routed_to_a_queue_in_the_ui_brings_its_callers_to_the_queue(
    ui: Any,
) -> None:
    harness, _, app = await ui()
    path = harness.directory / "center.toml"
    async with app.run_test(size=SIZE) as pilot:
        await open_lines(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NumberForm))
        await fill(pilot, {"number": "+4930200", "name": "Support line"})
        app.screen.query_one("#route", Select).value = "queue:support"
        await fill(pilot, {"fallback_ring": "1001, 1002", "fallback_ring_timeout": "25"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, NumberForm))
        text = path.read_text()
        assert "# Everybody waits here." in text
        assert 'number = "+4930200"' in text and 'queue = "support"' in text
        assert 'ring = ["1001", "1002"]' in text and "ring_timeout = 25" in text
        numbers = app.screen.query_one("#numbers", DataTable)
        await until(pilot, lambda: numbers.row_count == 2)
        assert numbers.get_row("+4930200")[2] == "queue support"
        await pilot.press("a")
        await until(pilot, lambda: not app.state.unapplied)
    call = await harness.switch.place_call(caller_number="+4917000009", destination="+4930200")
    entered = await harness.next_event("queue.entered", lambda e: e.call_uuid == call.uuid)
    assert entered.queue == "support"


async def test_bad_number_shows_the_error_under_its_field_and_saves_nothing(ui: Any) -> None:
    harness, _, app = await ui()
    path = harness.directory / "center.toml"
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await open_lines(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NumberForm))
        await fill(pilot, {"number": "+49call", "fallback_ring": "all, bob"})
        await pilot.press("ctrl+s")  # checked in the UI first: where to, whom to ring
        await until(pilot, lambda: field_error(app, "route"))
        assert "extensions like 1001" in field_error(app, "fallback_ring")
        app.screen.query_one("#route", Select).value = "queue:support"
        await fill(pilot, {"fallback_ring": "all"})
        await pilot.press("ctrl+s")  # then by the core: the number itself
        await until(pilot, lambda: field_error(app, "number"))
        assert "digits" in field_error(app, "number")
        assert field_error(app, "route") == "" and field_error(app, "fallback_ring") == ""
        assert isinstance(app.screen, NumberForm)  # still open, nothing lost
        assert app.screen.query_one("#number", Input).value == "+49call"
    assert path.read_text() == before


async def test_registering_trunk_without_a_user_is_refused_under_the_field(ui: Any) -> None:
    harness, _, app = await ui()
    path = harness.directory / "center.toml"
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await open_lines(pilot)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TrunkForm))
        await fill(pilot, {"name": "provider", "proxy": "sip.example.net"})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(app, "username"))
        assert "register = true needs username" in field_error(app, "username")
    assert path.read_text() == before


async def test_number_removed_in_the_ui_is_gone_from_center_toml(ui: Any) -> None:
    harness, _, app = await ui()
    path = harness.directory / "center.toml"
    async with app.run_test(size=SIZE) as pilot:
        await open_lines(pilot)
        numbers = app.screen.query_one("#numbers", DataTable)
        await until(pilot, lambda: numbers.row_count == 1)
        await pilot.press("d", "d")
        await until(pilot, lambda: numbers.row_count == 0)
    text = path.read_text()
    assert "[[numbers]]" not in text and "# Everybody waits here." in text


async def test_trunk_a_number_arrives_on_is_not_removed(ui: Any) -> None:
    harness, _, app = await ui(
        CENTER.replace('ivr = "main"', 'ivr = "main"\ntrunk = "provider"')
        + '\n[[trunks]]\nname = "provider"\nproxy = "sip.example.net"\nregister = false\n'
    )
    path = harness.directory / "center.toml"
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await open_lines(pilot)
        trunks = app.screen.query_one("#trunks", DataTable)
        await until(pilot, lambda: trunks.row_count == 1)
        assert trunks.get_row("provider")[4] == "-"  # no password at all
        trunks.focus()
        await pilot.press("d", "d")
        refusal = await until(
            pilot, lambda: [n for n in app._notifications if n.title == "Not removed"]
        )
        assert 'no trunk named "provider"' in refusal[0].message
        assert trunks.row_count == 1
    assert path.read_text() == before


def test_ring_is_all_or_a_list_of_extensions() -> None:
    assert parse_ring("") == "all" and parse_ring(" ALL ") == "all"
    assert parse_ring("1001, 1002;1003") == ["1001", "1002", "1003"]
    assert format_ring(["1001", "1002"]) == "1001, 1002" and format_ring("all") == "all"
    with pytest.raises(FieldError, match="not 'bob'"):
        parse_ring("1001, bob")


async def test_number_edited_from_menu_to_queue_changes_only_its_route(ui: Any) -> None:
    harness, _, app = await ui()
    path = harness.directory / "center.toml"
    async with app.run_test(size=SIZE) as pilot:
        await open_lines(pilot)
        numbers = app.screen.query_one("#numbers", DataTable)
        await until(pilot, lambda: numbers.row_count == 1)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, NumberForm))
        route = app.screen.query_one("#route", Select)
        assert route.value == "ivr:main"
        route.value = "queue:support"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, NumberForm))
    number = path.read_text().split("[[numbers]]")[1].split("[ivr.main]")[0]
    assert 'queue = "support"' in number and "ivr =" not in number
    assert "fallback" not in number  # the defaults stay implicit
