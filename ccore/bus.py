"""The event bus: domain events from the switch and from plugins, to every listener.

``fire`` never waits. A plain-function listener is called soon after, inside its own
try/except; a coroutine listener runs in a task of its own. A listener that raises is logged and
counted, and every other listener still gets the event.

Order: a listener receives the events of one call in the order they were fired. Coroutine
listeners get one lane per call (events without a call share one lane), so a listener that
awaits a long operation for one call does not hold up its events for other calls.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ccore.events import Event

_LOGGER = logging.getLogger(__name__)

MATCH_ALL = "*"

Listener = Callable[[Event], Any]
Unsubscribe = Callable[[], None]


@dataclass(eq=False)
class _Subscription:
    """One listener, and the per-call lanes of events it still has to receive."""

    event_name: str
    callback: Listener
    is_coroutine: bool
    lanes: dict[str | None, deque[Event]] = field(default_factory=dict)
    active: bool = True


class EventBus:
    """Delivers domain events to listeners without ever making the sender wait."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, list[_Subscription]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.listener_errors = 0
        self.fired = 0

    def listen(self, event_name: str, callback: Listener) -> Unsubscribe:
        """Call ``callback`` with every event named ``event_name`` (``"*"`` for all).

        Returns a callable that removes the listener again.
        """
        is_coroutine = inspect.iscoroutinefunction(callback)
        subscription = _Subscription(event_name, callback, is_coroutine)
        self._subscriptions.setdefault(event_name, []).append(subscription)

        def unsubscribe() -> None:
            subscription.active = False
            listeners = self._subscriptions.get(event_name, [])
            if subscription in listeners:
                listeners.remove(subscription)

        return unsubscribe

    def fire(self, event: Event) -> None:
        """Hand ``event`` to every listener of its name and of ``"*"``; never waits."""
        self.fired += 1
        loop = asyncio.get_running_loop()
        for key in (event.name, MATCH_ALL):
            for subscription in tuple(self._subscriptions.get(key, ())):
                if subscription.is_coroutine:
                    self._enqueue(subscription, event)
                else:
                    loop.call_soon(self._call_plain, subscription, event)

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait until every event fired so far has been delivered (for shutdown and tests)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await asyncio.sleep(0)  # let call_soon deliveries run
            pending = {task for task in self._tasks if not task.done()}
            if not pending:
                await asyncio.sleep(0)
                if not {task for task in self._tasks if not task.done()}:
                    return
                continue
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"{len(pending)} event deliveries still running")
            await asyncio.wait(pending, timeout=remaining)

    def _call_plain(self, subscription: _Subscription, event: Event) -> None:
        if not subscription.active:
            return
        try:
            result = subscription.callback(event)
        except Exception:
            self.listener_errors += 1
            _LOGGER.exception("Listener %r failed on %s", subscription.callback, event.name)
            return
        if isinstance(result, Awaitable):  # e.g. a partial of a coroutine function
            subscription.is_coroutine = True
            self._enqueue_result(subscription, event, result)

    def _enqueue(self, subscription: _Subscription, event: Event) -> None:
        lane = subscription.lanes.get(event.call_uuid)
        if lane is not None:
            lane.append(event)  # the lane's worker is running and will get to it
            return
        subscription.lanes[event.call_uuid] = deque([event])
        task = asyncio.get_running_loop().create_task(
            self._run_lane(subscription, event.call_uuid),
            name=f"bus-{event.name}-{event.call_uuid}",
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _enqueue_result(
        self, subscription: _Subscription, event: Event, result: Awaitable[Any]
    ) -> None:
        async def finish() -> None:
            try:
                await result
            except Exception:
                self.listener_errors += 1
                _LOGGER.exception("Listener %r failed on %s", subscription.callback, event.name)

        task = asyncio.get_running_loop().create_task(finish())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_lane(self, subscription: _Subscription, lane_key: str | None) -> None:
        lane = subscription.lanes[lane_key]
        try:
            while lane:
                event = lane.popleft()
                if not subscription.active:
                    continue
                try:
                    result = subscription.callback(event)
                    if isinstance(result, Awaitable):
                        await result
                except Exception:
                    self.listener_errors += 1
                    _LOGGER.exception(
                        "Listener %r failed on %s", subscription.callback, event.name
                    )
        finally:
            subscription.lanes.pop(lane_key, None)
