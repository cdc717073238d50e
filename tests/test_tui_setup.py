"""First run: the setup screen writes a commented, valid center from six answers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Static, TextArea

from ccore.config import load_center
from ccore_tui.app import CenterApp
from ccore_tui.widgets.form import Field


async def test_setup_writes_a_center_from_the_answers(tmp_path: Path) -> None:
    directory = tmp_path / "center"
    app = CenterApp(None, center_directory=directory)
    async with app.run_test(size=(130, 44)) as pilot:
        await pilot.pause()
        await pilot.press(*"Acme")
        app.screen.query_one("#timezone", Input).value = "Mars/Olympus"
        app.screen.query_one("#numbers", Input).value = "+4930123456, +4930123457"
        app.screen.query_one("#operators", TextArea).text = "2001 Ann Lee\n2002 Ben Ng"
        app.screen.query_one("#queue", Input).value = "sales"
        app.screen.query_one("#hours", Input).value = "08:00-12:00, 13:00-18:00"
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#field-timezone", Field).query_one(".error", Static)
        for _ in range(100):
            if str(error.render()):
                break
            await asyncio.sleep(0.05)
        assert "time zone name" in str(error.render())
        assert not (directory / "center.toml").exists()  # nothing half-written
        app.screen.query_one("#timezone", Input).value = "Europe/Berlin"
        await pilot.press("ctrl+s")
        for _ in range(100):
            if app.screen.query_one("#done").display:
                break
            await asyncio.sleep(0.05)
        assert "ccore run --center" in str(app.screen.query_one("#done-text", Static).render())
    config = load_center(directory)
    model = config.model
    assert model.center.name == "Acme" and model.center.timezone == "Europe/Berlin"
    assert [n.number for n in model.numbers] == ["+4930123456", "+4930123457"]
    assert [(o.extension, o.name) for o in model.operators] == [
        ("2001", "Ann Lee"),
        ("2002", "Ben Ng"),
    ]
    assert [q.name for q in model.queues] == ["sales"]
    assert model.ivr["main"].options["1"].queue == "sales"
    assert model.ivr["main"].options["0"].extension == "2001"
    assert model.hours["office"].monday == ["08:00-12:00", "13:00-18:00"]
    assert "# One block per person." in config.text()  # the starter's explanations stay
    assert (directory / "freeswitch" / "directory" / "default" / "2002.xml").exists()
