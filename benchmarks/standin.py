"""How many calls per second the stand-in plus the core sustain on this machine.

Each call: a caller dials in and is parked; the controller answers it, plays a short prompt
and hangs it up; the call counts when its CHANNEL_DESTROY has been seen. Calls are kept
``--in-flight`` at a time until ``--calls`` have completed.

Two controllers run on the same switch in the same run:
- ``core``: a real ccore ``Center`` (ESL client, translation, bus, journal to SQLite, the
  Switch facade) answering through a bus listener;
- ``bare``: the peer, a minimal controller on one raw ``EslConnection`` that answers, plays and
  kills straight from the ESL events (no model, no bus, no storage): the floor the core's
  layers add to.
For scale: FreeSWITCH's default limit is 30 new sessions per second (``max-sessions-per-second``
in switch.conf; ``status`` prints "per Sec out of max 30").

Usage: python benchmarks/standin.py [--calls 1000] [--in-flight 50]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from ccore.config import load_center
from ccore.core import Center
from ccore.esl.connection import EslConnection
from ccore.esl.event import EslEvent
from ccore.events import CallOffered
from ccore.standin import StandinSwitch
from ccore.starter import write_starter_center

PASSWORD = "bench"
FREESWITCH_DEFAULT_MAX_SPS = 30
PROMPT = "silence_stream://20"


async def drive_calls(switch: StandinSwitch, total: int, in_flight: int) -> float:
    """Place ``total`` calls, ``in_flight`` at a time; seconds until all have ended."""
    slots = asyncio.Semaphore(in_flight)

    async def one(n: int) -> None:
        async with slots:
            call = await switch.place_call(caller_number=f"55{n:06d}", destination="7000")
            await call.wait()

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(total)))
    return time.perf_counter() - started


async def with_core(total: int, in_flight: int, directory: Path) -> float:
    """Calls per second with a real Center as the controller."""
    switch = StandinSwitch(PASSWORD, speed=1.0)
    await switch.start()
    write_starter_center(directory)
    center = Center(
        load_center(directory),
        switch_port=switch.port,
        switch_password_override=PASSWORD,
        outbound_port=0,
    )
    await center.start()
    await center.wait_connected()
    if center.dispatcher is not None:
        center.dispatcher.unsubscribe()  # this benchmark's listener is the controller

    async def handle(event: CallOffered) -> None:
        uuid = event.call_uuid or ""
        await center.switch.answer(uuid)
        await center.switch.play(uuid, PROMPT)
        await center.switch.hangup(uuid)

    center.bus.listen(CallOffered.name, handle)
    try:
        seconds = await drive_calls(switch, total, in_flight)
    finally:
        await center.stop()
        await switch.stop()
    return total / seconds


async def bare_esl(total: int, in_flight: int) -> float:
    """Calls per second with a minimal raw-ESL controller (the peer)."""
    switch = StandinSwitch(PASSWORD, speed=1.0)
    await switch.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", switch.port)
    tasks: set[asyncio.Task[None]] = set()
    played: dict[str, asyncio.Future[None]] = {}

    def on_event(event: EslEvent) -> None:
        if event.name == "CHANNEL_PARK" and event.uuid:
            task = asyncio.ensure_future(control(event.uuid))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elif event.name == "CHANNEL_EXECUTE_COMPLETE":
            done = played.pop(str(event.get("Application-UUID") or ""), None)
            if done is not None and not done.done():
                done.set_result(None)

    connection = EslConnection(reader, writer, on_event=on_event)
    connection.start()
    await connection.authenticate(PASSWORD)
    await connection.subscribe(["CHANNEL_PARK", "CHANNEL_EXECUTE_COMPLETE"])

    async def control(uuid: str) -> None:
        await connection.api(f"uuid_answer {uuid}")
        done = played[uuid] = asyncio.get_running_loop().create_future()
        await connection.sendmsg(
            uuid, "execute", app="playback", arg=PROMPT, event_lock=True, event_uuid=uuid
        )
        await done  # like the core: the prompt is heard to the end
        await connection.api(f"uuid_kill {uuid}")

    try:
        seconds = await drive_calls(switch, total, in_flight)
    finally:
        connection.close()
        await switch.stop()
    return total / seconds


async def main(total: int, in_flight: int) -> dict[str, float]:
    """Run both controllers and return the figures."""
    with tempfile.TemporaryDirectory() as scratch:
        core = await with_core(total, in_flight, Path(scratch) / "center")
    bare = await bare_esl(total, in_flight)
    return {
        "calls": total,
        "in_flight": in_flight,
        "core_calls_per_second": round(core, 1),
        "bare_esl_calls_per_second": round(bare, 1),
        "core_over_bare": round(core / bare, 3),
        "core_over_freeswitch_default_max_sps": round(core / FREESWITCH_DEFAULT_MAX_SPS, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    args = parser.parse_args()
    figures = asyncio.run(main(args.calls, args.in_flight))
    print(f"stand-in + ccore core:     {figures['core_calls_per_second']:8.1f} calls/s")
    print(f"stand-in + bare ESL peer:  {figures['bare_esl_calls_per_second']:8.1f} calls/s")
    print(f"core / bare:               {figures['core_over_bare']:8.3f}")
    print(f"FreeSWITCH default limit:  {FREESWITCH_DEFAULT_MAX_SPS:8d} new sessions/s")
    print(json.dumps(figures))
