"""How fast the routing plugin offers a caller to an idle operator.

50 operators are logged in with registered phones that answer after 50 ms; callers dial a
queue number at 50 calls per second and talk for half a second. The switch (the stand-in) runs
in its own process, so the CPU figure is the core's alone: a real ccore ``Center`` with the
built-in plugins, over real ESL sockets, journaling every event to SQLite.

Measured, for every caller who found an idle operator when entering the queue: the time from
entering the queue (the ``call.routed`` handler putting the caller in line) to the
``originate`` command for the operator's phone being handed to the ESL client. For reference,
FreeSWITCH's own mod_callcenter takes about 20 ms (median; 0-60 ms over 6 calls on a real
switch) because it looks for waiting members every 100 ms; routing here is event-driven.

Usage: ``.venv/bin/python benchmarks/routing.py [--seconds 10] [--rate 50] [--operators 50]``.
The last line printed is one JSON object with ``median_ms``, ``p99_ms`` and ``cpu_percent``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from ccore.config import load_center
from ccore.core import Center
from ccore_plugins.agents.board import AgentBoard, AgentState
from ccore_plugins.routing.board import Caller, QueueBoard

PASSWORD = "bench"
MOD_CALLCENTER_MEDIAN_MS = 20.0
MOD_CALLCENTER_POLL_MS = 100.0
NUMBER = "+4930100"

SWITCH_SCRIPT = """
import asyncio, sys
from ccore.standin import StandinSwitch

async def main(operators, rate, seconds):
    operators = int(operators)
    switch = StandinSwitch({password!r}, speed=1.0, event_queue_size=1_000_000)
    await switch.start()
    print(switch.port, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for n in range(operators):
        ext = str(2000 + n)
        switch.set_phone(ext, ring_seconds=0.05)
        await switch.register(ext)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    calls = []
    start = asyncio.get_running_loop().time()
    for n in range(int(rate * seconds)):
        delay = start + n / rate - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
        calls.append(await switch.place_call(f"+4930{{n:07d}}", {number!r}, talk_seconds=0.5,
                                             patience=30))
    await asyncio.wait_for(asyncio.gather(*(c.wait() for c in calls)), 60)
    print("done", len(calls), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await switch.stop()

asyncio.run(main(*map(float, sys.argv[1:])))
"""


def free_port() -> int:
    """A loopback TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def center_toml(operators: int, port: int) -> str:
    """A center with one queue on one number and ``operators`` operators."""
    lines = [
        '[center]\nname = "Routing benchmark"\n',
        f"[switch]\noutbound_port = {free_port()}\nport = {port}\n",
        '[[queues]]\nname = "support"\nwrap_up = 0\nring_timeout = 10\n'
        "announce_position_every = 0\n",
        f'[[numbers]]\nnumber = "{NUMBER}"\nqueue = "support"\n',
    ]
    for n in range(operators):
        lines.append(f'[[operators]]\nextension = "{2000 + n}"\nname = "Operator {n}"\n')
    return "\n".join(lines)


async def run(seconds: float, rate: float, operators: int) -> dict[str, float]:
    """Run the load and return the figures."""
    switch = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SWITCH_SCRIPT.format(password=PASSWORD, number=NUMBER),
            str(operators),
            str(rate),
            str(seconds),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert switch.stdin is not None and switch.stdout is not None
    port = int(switch.stdout.readline())
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "center.toml").write_text(center_toml(operators, port), encoding="utf-8")
        center = Center(load_center(directory), switch_password_override=PASSWORD)
        await center.start()
        await center.wait_connected()
        agents = center.service("agents", AgentBoard)
        switch.stdin.write("register\n")
        switch.stdin.flush()
        deadline = time.monotonic() + 10
        while not all(a.registered for a in agents.agents.values()):
            if time.monotonic() > deadline:
                raise TimeoutError("operators' phones did not register")
            await asyncio.sleep(0.05)
        for extension in agents.agents:
            agents.set_state(extension, AgentState.AVAILABLE, by="benchmark")

        board = center.service("routing", QueueBoard)
        routing = center.services["routing.runtime"]
        entered: dict[str, tuple[float, bool]] = {}
        latencies: list[float] = []
        enter = board.on_enter
        assert enter is not None

        def on_enter(caller: Caller) -> None:
            entered[caller.call_uuid] = (time.perf_counter(), bool(agents.offerable()))
            enter(caller)

        def on_originate(caller: Caller, extension: str) -> None:
            started, idle = entered.pop(caller.call_uuid, (0.0, False))
            if idle:
                latencies.append((time.perf_counter() - started) * 1000)

        board.on_enter = on_enter
        routing.distributor.on_originate = on_originate
        process = psutil.Process()
        process.cpu_percent(None)
        wall = time.perf_counter()
        switch.stdin.write("go\n")
        switch.stdin.flush()
        line = await asyncio.get_running_loop().run_in_executor(None, switch.stdout.readline)
        elapsed = time.perf_counter() - wall
        cpu = process.cpu_percent(None)
        answered = board.snapshot()["queues"]["support"]["answered"]
        await center.stop()
        switch.stdin.write("stop\n")
        switch.stdin.flush()
        switch.wait(10)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return {
        "calls": float(line.split()[1]) if line.startswith("done") else 0.0,
        "answered": float(answered),
        "measured": float(len(latencies)),
        "seconds": round(elapsed, 2),
        "median_ms": round(statistics.median(latencies), 3) if latencies else 0.0,
        "p99_ms": round(p99, 3),
        "max_ms": round(latencies[-1], 3) if latencies else 0.0,
        "cpu_percent": round(cpu, 1),
    }


def main() -> None:
    """Parse arguments, run, print the figures and the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--operators", type=int, default=50)
    args = parser.parse_args()
    figures = asyncio.run(run(args.seconds, args.rate, args.operators))
    print(
        f"calls placed {figures['calls']:.0f}, answered {figures['answered']:.0f},"
        f" measured (idle operator at entry) {figures['measured']:.0f}"
    )
    print(
        f"queue entry -> originate: median {figures['median_ms']} ms,"
        f" p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
    )
    print(f"core CPU: {figures['cpu_percent']}% of one core over {figures['seconds']} s")
    print(
        f"FreeSWITCH mod_callcenter: ~{MOD_CALLCENTER_MEDIAN_MS:.0f} ms median, polls every"
        f" {MOD_CALLCENTER_POLL_MS:.0f} ms; ratio ours/theirs (median):"
        f" {figures['median_ms'] / MOD_CALLCENTER_MEDIAN_MS:.3f}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
