"""What a plugin gets in ``ccore_setup``: its config, and handles that clean up after it.

Everything a plugin starts through its context (listeners, background tasks, unload callbacks)
belongs to the plugin, so unloading it leaves nothing running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ccore.bus import EventBus, Listener
    from ccore.storage import Migration, Storage


class PluginContext:
    """One plugin's handle on the center: config, bus listeners, tasks, cleanup."""

    def __init__(self, name: str, config: Any, bus: EventBus, storage: Storage | None) -> None:
        self.name = name
        self.config = config
        self.logger = logging.getLogger(f"ccore.plugin.{name}")
        self._bus = bus
        self._storage = storage
        self._unload_callbacks: list[Callable[[], Any]] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    def listen(self, event_name: str, callback: Listener) -> Callable[[], None]:
        """Listen on the bus; the listener is removed when the plugin unloads."""
        unsubscribe = self._bus.listen(event_name, callback)
        self._unload_callbacks.append(unsubscribe)
        return unsubscribe

    def on_unload(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` when the plugin unloads (last registered runs first)."""
        self._unload_callbacks.append(callback)

    def create_task(self, coroutine: Coroutine[Any, Any, Any], name: str = "") -> asyncio.Task[Any]:
        """Start a background task owned by the plugin; it is cancelled when the plugin unloads.

        An exception in the task is logged, never lost.
        """
        task = asyncio.get_running_loop().create_task(coroutine, name=f"{self.name}:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def migrate(self, migrations: list[Migration]) -> list[str]:
        """Apply this plugin's storage migrations (a set named after it); return the new ones."""
        if self._storage is None:
            raise RuntimeError(f"plugin {self.name}: the center has no storage")
        return self._storage.migrate(self.name, migrations)

    async def unload(self) -> None:
        """Run unload callbacks (newest first) and cancel the plugin's tasks."""
        while self._unload_callbacks:
            callback = self._unload_callbacks.pop()
            try:
                result = callback()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                self.logger.exception("Unload callback %r failed", callback)
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def running_tasks(self) -> int:
        """How many background tasks of this plugin are still running."""
        return sum(1 for task in self._tasks if not task.done())

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.logger.error(
                "Background task %s failed", task.get_name(), exc_info=task.exception()
            )
