"""A real center on a real (stand-in) switch, for end-to-end tests.

``center_harness`` starts the FreeSWITCH stand-in on an ephemeral loopback port and a
``Center`` (with the built-in plugins, loaded from their entry points) on a center directory in
``tmp_path``, connected over real ESL sockets. Nothing above the socket is faked.
"""

from __future__ import annotations

import asyncio
import socket
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ccore.config import CenterConfig, load_center
from ccore.core import Center
from ccore.events import Event
from ccore.fsconf import load_expanded_dialplan, render_freeswitch_conf
from ccore.standin import StandinSwitch
from ccore.standin.dialplan import Dialplan
from ccore.starter import write_starter_center

PASSWORD = "test-esl-password"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class CenterHarness:
    """A running center and the stand-in switch it is connected to."""

    directory: Path
    switch: StandinSwitch
    center: Center
    heartbeat_interval: float
    events: list[Event] = field(default_factory=list)
    _unsubscribe: Callable[[], None] | None = None

    @property
    def config(self) -> CenterConfig:
        """The running center's configuration."""
        return self.center.config

    def watch(self) -> None:
        """Record every domain event the center fires into ``events``."""
        self._unsubscribe = self.center.bus.listen("*", self.events.append)

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition"
    ) -> Any:
        """Poll ``predicate`` until it returns something truthy; return that."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if loop.time() > deadline:
                raise TimeoutError(f"{what} not met within {timeout}s")
            await asyncio.sleep(0.01)

    async def next_event(
        self,
        name: str,
        predicate: Callable[[Any], bool] | None = None,
        timeout: float = 5.0,
        after: int = 0,
    ) -> Any:
        """The first recorded event named ``name`` (from index ``after``) matching ``predicate``."""

        def find() -> Event | None:
            for event in self.events[after:]:
                if event.name == name and (predicate is None or predicate(event)):
                    return event
            return None

        return await self.wait_for(find, timeout, what=f"event {name}")

    async def restart(self) -> None:
        """Stop the center and start a new one on the same directory and switch."""
        await self.center.stop()
        self.center = new_center(self.directory, self.switch, self.heartbeat_interval)
        self.events.clear()
        self.watch()
        await self.center.start()
        await self.center.wait_connected()

    async def close(self) -> None:
        """Stop the center, then the switch."""
        await self.center.stop()
        await self.switch.stop()


def new_center(directory: Path, switch: StandinSwitch, heartbeat_interval: float) -> Center:
    """A Center for ``directory`` pointed at the stand-in, its clock as fast as the switch's."""
    return Center(
        load_center(directory),
        switch_port=switch.port,
        switch_password_override=PASSWORD,
        heartbeat_interval=heartbeat_interval,
        clock_speed=switch.clock.speed,
    )


MakeHarness = Callable[..., Awaitable[CenterHarness]]


@pytest.fixture
async def center_harness(tmp_path: Path) -> AsyncIterator[MakeHarness]:
    """Factory: ``await center_harness(center_toml=None, speed=1.0, seed=0)``.

    ``route_calls=False`` leaves offered calls alone (no dispatcher), for tests that drive the
    Switch facade themselves. ``rendered_dialplan=True`` renders the center's FreeSWITCH
    configuration and has the stand-in route calls by its dialplan (``socket`` to ccore, then
    the fallback). ``start_center=False`` starts only the switch (ccore is "down"; call
    ``harness.center.start()`` to bring it up). Other keyword arguments go to ``StandinSwitch``.
    """
    made: list[CenterHarness] = []

    async def make(
        center_toml: str | None = None,
        *,
        speed: float = 1.0,
        seed: int = 0,
        heartbeat_interval: float = 20.0,
        route_calls: bool = True,
        rendered_dialplan: bool = False,
        start_center: bool = True,
        **switch_options: Any,
    ) -> CenterHarness:
        directory = tmp_path / f"center{len(made)}"
        if center_toml is None:
            write_starter_center(directory, name="Test Center")
        else:
            directory.mkdir(parents=True)
            (directory / "center.toml").write_text(center_toml, encoding="utf-8")
        config = load_center(directory)
        config.set_value("switch.outbound_port", free_port())
        config.save()
        if rendered_dialplan:  # the switch routes calls by the center's own configuration
            conf_dir = render_freeswitch_conf(config)
            expanded = ET.tostring(load_expanded_dialplan(conf_dir), encoding="unicode")
            switch_options["dialplan"] = Dialplan.from_xml(expanded)
        switch = StandinSwitch(
            PASSWORD, seed=seed, speed=speed, heartbeat_interval=heartbeat_interval,
            **switch_options,
        )
        await switch.start()
        center = new_center(directory, switch, heartbeat_interval)
        harness = CenterHarness(directory, switch, center, heartbeat_interval)
        made.append(harness)
        harness.watch()
        if not start_center:
            return harness
        await center.start()
        if not route_calls and center.dispatcher is not None:
            center.dispatcher.unsubscribe()  # the test controls calls itself
        await center.wait_connected()
        return harness

    yield make
    for harness in made:
        await harness.close()
