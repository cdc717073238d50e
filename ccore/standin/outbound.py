"""The ``socket`` application: FreeSWITCH dials out to an ESL controller (outbound mode)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import TYPE_CHECKING

from .apps import PARK, UNPARK
from .listener import Listener

if TYPE_CHECKING:
    from .channel import Channel

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
DEFAULT_PORT = 8084


def _split_host(token: str) -> tuple[str, int]:
    host, _, port = token.partition(":")
    return host, int(port.split("/")[0]) if port else DEFAULT_PORT


async def run_socket(channel: Channel, data: str) -> None:
    """``socket host[:port][|host2...] [async] [full]``.

    Connects to the first controller that answers and serves it as a session listener.
    In async mode the channel parks and runs the controller's queued messages; the
    application returns when the controller's socket closes (unless a bridge is running:
    then when the bridge ends) or when the channel hangs up. A failed connection returns
    at once, so the dialplan goes on with its next action, as in FreeSWITCH.
    """
    tokens = data.split()
    if not tokens:
        return
    async_mode = "async" in tokens[1:]
    full = "full" in tokens[1:]
    channel.set_var("current_application", "socket")
    for target in tokens[0].split("|"):
        host, port = _split_host(target)
        channel.set_var("socket_host", host)
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), CONNECT_TIMEOUT
            )
        except (OSError, TimeoutError):
            log.info("stand-in: socket to %s:%s failed", host, port)
            continue
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        listener = Listener(
            channel.switch, reader, writer, session=channel, outbound=True, full=full,
            async_mode=async_mode, queue_size=channel.switch.event_queue_size,
        )
        channel.switch.listeners.add(listener)
        task = channel.switch.spawn(listener.run())
        task.add_done_callback(lambda _t, lst=listener: channel.switch.listeners.discard(lst))
        await _serve(channel, listener, async_mode)
        return


async def _serve(channel: Channel, listener: Listener, async_mode: bool) -> None:
    # wait for the controller's connect (and give it a moment to subscribe), as
    # socket_function waits for LFLAG_CONNECTED before parking
    while channel.up and not listener.closed and not listener.connected:
        await asyncio.sleep(0.001)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(listener.settled.wait(), 0.05)
    if not async_mode:
        await channel.wait(None, until=lambda: listener.closed)
        return
    channel.fire("CHANNEL_PARK", PARK)
    await channel.wait(None, until=lambda: listener.closed and channel.bridged_to is None)
    channel.fire("CHANNEL_UNPARK", UNPARK)
