"""A channel's session thread: queued messages, applications, waiting, the state machine."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid as uuidlib
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import sip
from .cdr import rtp_variables, timestamp_variables
from .hub import Origin

if TYPE_CHECKING:
    from .profile import CallerProfile
    from .switch import StandinSwitch

log = logging.getLogger(__name__)

EXEC: Origin = ("switch_core_session.c", "switch_core_session_exec", 2944)
EXEC_DONE: Origin = ("switch_core_session.c", "switch_core_session_exec", 2967)


class Session:
    """The part of a channel that runs in its session thread (mixed into ``Channel``).

    Applications run in ``run_loop`` one after the other; ``wait`` is how they spend
    simulated time, and it also runs queued ``sendmsg`` executes unless an event-locked
    application is running, as ``switch_ivr_parse_all_events`` does.
    """

    switch: StandinSwitch
    profile: CallerProfile
    uuid: str
    messages: deque[tuple[list[tuple[str, str]], str | None]]
    dtmf: deque[str]
    redirect: tuple[Any, ...] | None
    event_lock: int
    breaking: bool
    app_stack: list[str]
    holders: set[Any]
    recordings: dict[str, Any]
    destroyed: bool
    hangup_cause: str | None
    last_app: tuple[str, str] | None
    pending_bridge_cause: str | None
    hit_dialplan: bool
    task: asyncio.Task[None] | None
    done: asyncio.Future[str]
    _kick: asyncio.Event
    _hungup: asyncio.Event
    _released: asyncio.Event

    # ---- messages and time -------------------------------------------------------------
    def queue_message(self, headers: list[tuple[str, str]], body: str | None) -> None:
        """Queue a ``sendmsg`` on the channel's private queue."""
        self.messages.append((headers, body))
        self._kick.set()

    def interrupt(self, redirect: tuple[Any, ...]) -> None:
        """Make the running applications end (transfer, uuid_bridge)."""
        self.redirect = redirect
        self._kick.set()

    def add_dtmf(self, digit: str, source: str = "RTP", duration: int = 2240) -> None:
        """A digit reached the channel: the DTMF event, and it waits for a reader."""
        if not self.up:
            return
        self.fire("DTMF", ("switch_channel.c", "switch_channel_dequeue_dtmf", 677),
                  post=[("DTMF-Digit", digit), ("DTMF-Duration", str(duration)),
                        ("DTMF-Source", source)])  # fmt: skip
        self.dtmf.append(digit)
        self._kick.set()

    async def wait(
        self,
        seconds: float | None,
        *,
        digits: bool = False,
        until: Callable[[], bool] | None = None,
        breakable: bool = False,
    ) -> bool:
        """Spend ``seconds`` of simulated time (None: until woken).

        Returns False early when the channel hangs up or is redirected, when ``until()``
        becomes true, or (with ``digits``) when a DTMF digit is waiting; True when the time
        ran out. Queued messages run meanwhile unless an event-locked application runs.
        """
        clock = self.switch.clock
        remaining = seconds
        while True:
            if not self.up or self.redirect is not None:
                return False
            if (digits and self.dtmf) or (until is not None and until()):
                return False
            if breakable and self.breaking:
                self.breaking = False  # uuid_break: CF_BREAK is consumed by the media loop
                return False
            if self.messages and not self.event_lock:
                # a nested application pauses this one, as switch_ivr_parse_all_events does
                await self.run_message(*self.messages.popleft())
                continue
            if remaining is not None and remaining <= 0:
                return True
            self._kick.clear()
            start = clock.now()
            try:
                timeout = None if remaining is None else clock.real_seconds(remaining)
                await asyncio.wait_for(self._kick.wait(), timeout)
            except TimeoutError:
                return True
            if remaining is not None:
                remaining -= clock.now() - start

    def kick(self) -> None:
        """Wake whatever the channel is waiting in, so it looks at its state again."""
        self._kick.set()

    async def run_message(self, headers: list[tuple[str, str]], body: str | None) -> None:
        """Carry out one ``sendmsg`` (``switch_ivr_parse_event``)."""
        h = {k.lower(): v for k, v in headers}
        command = h.get("call-command", "execute").lower()
        if command == "hangup":
            self.hangup(h.get("hangup-cause", "NORMAL_CLEARING").upper())
            return
        if command != "execute":
            return
        app = h.get("execute-app-name", "")
        arg = h.get("execute-app-arg")
        if arg is None and body is not None:
            arg = body
        loops = int(h.get("loops", "1") or 1)
        lock = h.get("event-lock", "").lower() == "true"
        if lock:
            self.event_lock += 1
        try:
            n = 0
            while self.up and (loops < 0 or n < loops):
                n += 1
                self.set_var("current_loop", str(n))
                self.set_var("total_loops", str(loops))
                await self.execute(app, arg or "", h.get("event-uuid"), h.get("event-uuid-name"))
            self.set_var("current_loop", None)
            self.set_var("total_loops", None)
        finally:
            if lock:
                self.event_lock -= 1

    async def execute(
        self, app: str, data: str = "", app_uuid: str | None = None, uuid_name: str | None = None
    ) -> str:
        """Run a dialplan application with CHANNEL_EXECUTE / _COMPLETE around it."""
        from .apps import APPLICATIONS  # apps import this module

        data = self.expand(data)
        app_uuid = app_uuid or str(uuidlib.uuid4())
        func = APPLICATIONS.get(app)
        if func is None:
            log.warning("stand-in: invalid application %s", app)
            self.hangup("DESTINATION_OUT_OF_ORDER")
            return "-ERR invalid application"
        self.set_var("current_application", app)
        self.set_var("current_application_data", data or None)
        tail = [("Application", app)]
        if data:
            tail.append(("Application-Data", data))
        tail.append(("Application-UUID", app_uuid))
        if uuid_name:
            tail.append(("Application-UUID-Name", uuid_name))
        self.fire("CHANNEL_EXECUTE", EXEC, post=tail)
        self.set_var("current_application", app)
        self.app_stack.append(app)
        self.last_app = (app, data)
        try:
            response = await func(self, data)
        finally:
            self.app_stack.pop()
        done = [*tail[:-1], ("Application-Response", response or "_none_"), tail[-1]]
        self.fire("CHANNEL_EXECUTE_COMPLETE", EXEC_DONE, post=done)
        return response or "_none_"

    # ---- session loop ------------------------------------------------------------------
    def start(
        self, *, extension: list[tuple[str, str]] | None = None, route: bool = True,
        idle: bool = False,
    ) -> None:
        """Start the session loop: route, run ``extension``, or (``idle``) just wait."""
        mode = "idle" if idle else ("extension" if extension is not None else "route")
        if not route and extension is None:
            mode = "idle"
        self.task = self.switch.spawn(self.run_loop(mode, extension))

    async def run_loop(self, mode: str, extension: list[tuple[str, str]] | None = None) -> None:
        """Route and execute until hangup, then report and destroy (the state machine)."""
        try:
            while self.up:
                if mode == "route":
                    self.set_running("CS_ROUTING")
                    self.set_var("call_uuid", self.get_var("call_uuid") or self.uuid)
                    extension = self.switch.dialplan.hunt(self)
                    if extension is None:
                        self.hangup("NO_ROUTE_DESTINATION")
                        break
                    mode = "extension"
                if mode == "extension":
                    self.hit_dialplan = True
                    self.state = "CS_EXECUTE"
                    self.set_running("CS_EXECUTE")
                    for app, data in extension or []:
                        if not self.up or self.redirect is not None:
                            break
                        await self.execute(app, data)
                    if self.up and self.redirect is None:
                        self.hangup("NORMAL_CLEARING")
                else:
                    await self.wait(None)
                if self.up and self.redirect is not None:
                    mode, extension = await self._follow_redirect()
        except Exception:
            log.exception("stand-in channel %s failed", self.uuid)
            self.hangup("NORMAL_TEMPORARY_FAILURE")
        await self.finish()

    async def _follow_redirect(self) -> tuple[str, list[tuple[str, str]] | None]:
        redirect, self.redirect = self.redirect, None
        assert redirect is not None
        if redirect[0] == "transfer":
            _, dest, context = redirect
            self.profile.destination_number = dest
            if context:
                self.profile.context = context
            self.profile.times["Channel-Transfer-Time"] = self.switch.clock.uepoch()
            return "route", None
        if redirect[0] == "extension":
            return "extension", redirect[1]
        from .bridging import hold_bridge

        await hold_bridge(self, redirect[1], originator=redirect[2])
        return "idle", None

    async def finish(self) -> None:
        """CS_HANGUP, CS_REPORTING (HANGUP_COMPLETE), then DESTROY once sockets let go."""
        if self.destroyed:
            return
        self.destroyed = True
        self.hangup(self.hangup_cause or "NORMAL_CLEARING")
        self.set_running("CS_HANGUP", "CS_HANGUP")
        self.profile.times["Channel-Hangup-Time"] = self.switch.clock.uepoch()
        for recording in list(self.recordings.values()):
            recording.stop(self)
        for k, v in timestamp_variables(self):  # type: ignore[arg-type]
            self.set_var(k, v)
        if self.pending_bridge_cause is not None:  # the bridge's hangup hook on its b-leg
            self.set_var("bridge_hangup_cause", self.pending_bridge_cause)
            self.set_var("call_uuid", self.get_var("call_uuid"))
        sip.hangup_state(self)  # type: ignore[arg-type]
        self.set_callstate("HANGUP")
        self.set_running("CS_REPORTING", "CS_REPORTING")
        for k, v in rtp_variables(self):  # type: ignore[arg-type]
            self.set_var(k, v)
        self.fire("CHANNEL_HANGUP_COMPLETE", ("switch_core_state_machine.c",
                                              "switch_core_session_reporting_state", 943),
                  pre=[("Hangup-Cause", self.hangup_cause or "NORMAL_CLEARING")])
        self.state = "CS_DESTROY"
        while self.holders:
            self._released.clear()
            await self._released.wait()
        self.fire("CHANNEL_DESTROY",
                  ("switch_core_session.c", "switch_core_session_perform_destroy", 1584))
        self.set_running("CS_DESTROY", "CS_DESTROY")
        self.switch.channel_gone(self)
        if not self.done.done():
            self.done.set_result(self.hangup_cause or "NORMAL_CLEARING")

    def release(self, holder: Any) -> None:
        """A socket that held the session closed."""
        self.holders.discard(holder)
        if not self.holders:
            self._released.set()
        self._kick.set()  # a socket application waiting on it looks again

    def cancel(self) -> None:
        """Drop the channel without events (switch restart)."""
        self.hangup_cause = self.hangup_cause or "SYSTEM_SHUTDOWN"
        self._hungup.set()
        self._kick.set()
        with contextlib.suppress(asyncio.InvalidStateError):
            self.done.set_result(self.hangup_cause)
