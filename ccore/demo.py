"""``ccore demo``: a working center on the stand-in switch, with simulated callers and agents.

The demo writes a sample center (``demo_center.toml``), renders its FreeSWITCH configuration,
starts the stand-in on that very dialplan (so calls reach ccore through the ``socket`` app, as
on a real switch), starts the core with the built-in plugins, and lets simulated operators and
callers work. With ``--headless`` it runs for ``--seconds`` and prints a summary; otherwise it
shows the live center.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ccore.config import CenterConfig, load_center
from ccore.core import Center
from ccore.events import Event
from ccore.fsconf import load_expanded_dialplan, read_event_socket_password, render_freeswitch_conf
from ccore.standin import StandinSwitch
from ccore.standin.dialplan import Dialplan
from ccore.standin.traffic import FeatureCodes, Shift, TrafficGenerator, TrafficPlan

_LOGGER = logging.getLogger(__name__)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_demo_center(directory: Path) -> CenterConfig:
    """Write the demo center into ``directory`` (kept if it is already there) and load it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "center.toml"
    if not path.exists():
        text = resources.files("ccore").joinpath("demo_center.toml").read_text(encoding="utf-8")
        path.write_text(text, encoding="utf-8")
    config = load_center(directory)
    config.set_value("switch.outbound_port", _free_port())  # never clash with a real ccore
    config.save()
    return config


def demo_traffic(config: CenterConfig, switch: StandinSwitch, seed: int) -> TrafficGenerator:
    """Callers for every number of the center and a shift for every operator."""
    model = config.model
    digits: list[str] = []
    for menu in model.ivr.values():
        digits.extend(key for key, option in menu.options.items() if option.action == "queue")
    operators = [operator.extension for operator in model.operators]
    shifts = [
        Shift(
            extension=extension,
            login_at=2.0 * index,
            breaks=((900.0 + 300.0 * index, 300.0, "1"),) if index % 3 == 0 else (),
            answer_probability=0.95,
        )
        for index, extension in enumerate(operators)
    ]
    codes = model.feature_codes
    return TrafficGenerator(
        switch,
        TrafficPlan(
            numbers=[number.number for number in model.numbers],
            calls_per_hour=30.0 * max(len(operators), 1),
            patience_mean=150.0,
            talk_mean=120.0,
            digit_choices=digits,
        ),
        shifts,
        seed=seed,
        feature_codes=FeatureCodes(
            login=codes.login, break_=codes.break_, back=codes.back, logout=codes.logout
        ),
    )


@dataclass
class DemoSummary:
    """What happened to the callers of a demo run."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    called_back: int = 0
    in_progress: int = 0
    average_wait: float = 0.0

    def lines(self) -> list[str]:
        """The summary as text."""
        return [
            f"calls offered:   {self.offered}",
            f"answered:        {self.answered}",
            f"abandoned:       {self.abandoned}",
            f"called back:     {self.called_back}",
            f"still in calls:  {self.in_progress}",
            f"average wait:    {self.average_wait:.1f} s",
        ]


def summarise(generator: TrafficGenerator, events: list[Event]) -> DemoSummary:
    """Count what happened to the simulated callers (from the switch's own outcomes)."""
    summary = DemoSummary(offered=generator.report.placed)
    waits = []
    for call in generator.report.calls:
        times = call.channel.profile.times
        bridged = times.get("Channel-Bridged-Time", 0)
        created = times.get("Channel-Created-Time", 0)
        if bridged:
            summary.answered += 1
            waits.append((bridged - created) / 1e6)
        elif call.ended and call.caller_hung_up:
            summary.abandoned += 1
        elif not call.ended:
            summary.in_progress += 1
    summary.called_back = sum(
        1
        for event in events
        if event.name == "queue.callback_completed" and getattr(event, "outcome", "") == "answered"
    )
    summary.average_wait = sum(waits) / len(waits) if waits else 0.0
    return summary


class DemoCenter:
    """The stand-in switch, the core on it, and the simulated traffic, started together."""

    def __init__(self, directory: Path, *, seed: int, speed: float) -> None:
        self.config = write_demo_center(directory)
        conf_dir = render_freeswitch_conf(self.config)
        dialplan = Dialplan.from_xml(ET.tostring(load_expanded_dialplan(conf_dir), "unicode"))
        self.password = read_event_socket_password(self.config)
        self.switch = StandinSwitch(
            self.password,
            seed=seed,
            speed=speed,
            dialplan=dialplan,
            recordings_dir=self.config.data_dir / "recordings",
        )
        self.seed = seed
        self.center: Center | None = None
        self.traffic: TrafficGenerator | None = None
        self.events: list[Event] = []

    async def start(self) -> Center:
        """Start the switch, then the core, and wait until they are connected."""
        await self.switch.start()
        self.center = Center(
            self.config,
            switch_port=self.switch.port,
            switch_password_override=self.password,
            clock_speed=self.switch.clock.speed,  # plugins' timers keep pace with the calls
        )
        self.center.bus.listen("*", self.events.append)
        await self.center.start()
        await self.center.wait_connected()
        self.traffic = demo_traffic(self.config, self.switch, self.seed)
        return self.center

    async def stop(self) -> None:
        """Stop the traffic, the core and the switch."""
        if self.traffic is not None:
            await self.traffic.stop()
        if self.center is not None:
            await self.center.stop()
        await self.switch.stop()


async def demo_headless(directory: Path, *, seconds: float, seed: int, speed: float) -> DemoSummary:
    """Run the demo center for ``seconds`` (real time) and return the summary."""
    demo = DemoCenter(directory, seed=seed, speed=speed)
    await demo.start()
    assert demo.traffic is not None
    try:
        await demo.traffic.run(seconds * speed, wait_for_calls=False)
        await demo.traffic.settle(timeout=max(2.0, seconds / 4))
        return summarise(demo.traffic, demo.events)
    finally:
        await demo.stop()


async def demo_live(directory: Path, *, seconds: float | None, seed: int, speed: float) -> None:
    """Run the demo center with the terminal UI on it until the admin quits (or ``seconds``)."""
    from ccore.cli_ui import ui_on_center

    demo = DemoCenter(directory, seed=seed, speed=speed)
    center = await demo.start()
    assert demo.traffic is not None
    duration = (seconds or 86_400.0) * speed
    traffic = asyncio.ensure_future(demo.traffic.run(duration, wait_for_calls=False))
    try:
        await ui_on_center(center)  # control API on a free port, the UI as its client
    finally:
        traffic.cancel()
        await asyncio.gather(traffic, return_exceptions=True)
        await demo.stop()


def run_demo(
    *, headless: bool, seconds: float | None, seed: int, speed: float, directory: Path | None
) -> int:
    """Entry point of ``ccore demo``."""
    with tempfile.TemporaryDirectory(prefix="ccore-demo-") as scratch:
        where = directory or Path(scratch)
        if headless:
            summary = asyncio.run(
                demo_headless(where, seconds=seconds or 30.0, seed=seed, speed=speed)
            )
            print("\n".join(summary.lines()))
            return 0
        asyncio.run(demo_live(where, seconds=seconds, seed=seed, speed=speed))
    return 0
