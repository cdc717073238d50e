"""``ccore demo`` shows the terminal UI on the demo center, with calls visibly flowing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import DataTable

from ccore.control.client import ControlClient
from ccore.control.server import ControlServer
from ccore.demo import DemoCenter
from ccore_tui.app import CenterApp


async def test_the_demo_wallboard_shows_operators_and_calls_in_progress(tmp_path: Path) -> None:
    demo = DemoCenter(tmp_path / "demo", seed=2, speed=10.0)
    center = await demo.start()
    assert demo.traffic is not None
    traffic = asyncio.ensure_future(demo.traffic.run(3600.0, wait_for_calls=False))
    server = ControlServer(center, port=0)
    await server.start()
    try:
        app = CenterApp(ControlClient(server.url, server.token))
        async with app.run_test(size=(160, 48)) as pilot:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20

            def table(name: str) -> DataTable:
                return app.screen.query_one(f"#{name}", DataTable)

            busy = {"On a call", "Ringing", "Wrap-up"}

            def operator_states() -> set[str]:
                agents = table("agents")
                return {str(agents.get_row_at(i)[2]) for i in range(agents.row_count)}

            while loop.time() < deadline:
                await pilot.pause(0.2)
                try:
                    if table("calls").row_count > 0 and operator_states() & busy:
                        break
                except Exception:  # the wallboard is still being built
                    continue
            assert table("agents").row_count == 10  # every demo operator
            assert table("calls").row_count > 0  # simulated callers are being served
            assert operator_states() & busy, operator_states()  # and operators take them
    finally:
        traffic.cancel()
        await asyncio.gather(traffic, return_exceptions=True)
        await server.stop()
        await demo.stop()
