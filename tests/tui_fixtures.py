"""The terminal UI's test fixture: a center on the stand-in, its control API, and the app.

Registered in conftest.py so every UI test module gets the same ``ui`` fixture.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from center_fixtures import CenterHarness, MakeHarness

from ccore.control import ControlClient, ControlServer
from ccore_tui.app import CenterApp

SPEED = 20.0  # simulated seconds per real second on the stand-in
SIZE = (140, 44)

CENTER = """\
[center]
name = "UI test"

# The two people answering calls.
[[operators]]
extension = "1001"
name = "Alice"

[[operators]]
extension = "1002"
name = "Bob"

# Everybody waits here.
[[queues]]
name = "support"
ring_timeout = 20
wrap_up = 0

[[numbers]]
number = "+4930100"
ivr = "main"

[ivr.main]
greeting = "tone:beep"
timeout = 3
max_tries = 1
default = { action = "hangup" }

[ivr.main.options]
1 = { action = "queue", queue = "support" }
"""

Running = tuple[CenterHarness, ControlServer, CenterApp]


@pytest.fixture
async def ui(center_harness: MakeHarness) -> AsyncIterator[Callable[..., Awaitable[Running]]]:
    """``await ui()``: a center on the stand-in, its control API, and the app (not yet run)."""
    made: list[tuple[CenterHarness, ControlServer]] = []

    async def start(center_toml: str = CENTER) -> Running:
        harness = await center_harness(center_toml, speed=SPEED)
        server = ControlServer(harness.center, port=0)
        await server.start()
        made.append((harness, server))
        return harness, server, CenterApp(ControlClient(server.url, server.token))

    yield start
    for harness, server in made:
        await server.stop()
        await hang_up_everything(harness)


async def hang_up_everything(harness: CenterHarness) -> None:
    """End every call (legs being placed too), so plugins finish their work the ordinary way."""
    for _ in range(20):
        for channel in list(harness.switch.channels.values()):
            channel.hangup("NORMAL_CLEARING")
        if not harness.center.calls.channels and not harness.switch.channels:
            return
        await asyncio.sleep(0.1)
