"""Finding, validating, setting up and stopping plugins.

Built-in plugins and third-party ones load the same way: from the ``ccore.plugins``
entry-point group. A plugin that fails to import, fails config validation or fails in setup is
marked failed with the reason, the plugins that depend on it are refused, and the center still
starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from ccore import hookspecs
from ccore.events import PluginStateChanged
from ccore.plugin_context import PluginContext

if TYPE_CHECKING:
    from ccore.bus import EventBus
    from ccore.config import CenterConfig
    from ccore.core import Center
    from ccore.storage import Storage

_LOGGER = logging.getLogger(__name__)

SLOW_SETUP_WARNING = 10.0


class PluginNotReady(Exception):
    """Raised by a plugin's setup when something it needs is not there yet; retried later."""


class PluginState(StrEnum):
    """Where a plugin is in its life."""

    LOADED = "loaded"  # imported, not yet set up
    RUNNING = "running"
    RETRYING = "retrying"  # setup said "not ready yet"; retried with backoff
    FAILED = "failed"
    REFUSED = "refused"  # a plugin it depends on is missing or failed
    DISABLED = "disabled"  # turned off in center.toml
    STOPPED = "stopped"


@dataclass
class PluginRecord:
    """What the center knows about one plugin."""

    name: str
    version: str = ""
    module: Any = None
    state: PluginState = PluginState.LOADED
    reason: str = ""
    depends_on: tuple[str, ...] = ()
    context: PluginContext | None = None
    config: Any = None
    retry_task: asyncio.Task[None] | None = field(default=None, repr=False)


class PluginLoader:
    """Loads plugins from entry points into a pluggy manager and runs their life cycle."""

    def __init__(
        self,
        bus: EventBus,
        *,
        group: str = hookspecs.ENTRY_POINT_GROUP,
        disabled: Iterable[str] = (),
        setup_timeout: float = 60.0,
    ) -> None:
        self.bus = bus
        self.group = group
        self.disabled = set(disabled)
        self.setup_timeout = setup_timeout
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self._setup_order: list[str] = []

    # --- discovery and validation ------------------------------------------------------------

    def discover(self) -> None:
        """Import every plugin of the entry-point group; an import error marks it failed."""
        for entry_point in sorted(
            importlib.metadata.entry_points(group=self.group), key=lambda ep: ep.name
        ):
            version = entry_point.dist.version if entry_point.dist else ""
            if entry_point.name in self.records:
                _LOGGER.warning("Plugin %s is installed twice; keeping the first", entry_point.name)
                continue
            record = PluginRecord(entry_point.name, version)
            self.records[entry_point.name] = record
            if entry_point.name in self.disabled:
                self._set_state(record, PluginState.DISABLED, "disabled in center.toml")
                continue
            try:
                module = entry_point.load()
            except Exception as err:
                _LOGGER.exception("Plugin %s failed to import", entry_point.name)
                self._set_state(record, PluginState.FAILED, f"import failed: {err!r}")
                continue
            self._adopt(record, module)

    def add(self, name: str, module: ModuleType | object, version: str = "") -> PluginRecord:
        """Register an already imported plugin object (used by embedders and tests)."""
        record = PluginRecord(name, version)
        self.records[name] = record
        if name in self.disabled:
            self._set_state(record, PluginState.DISABLED, "disabled in center.toml")
        else:
            self._adopt(record, module)
        return record

    def validate(self, config: CenterConfig | None) -> None:
        """Validate each loaded plugin's ``[plugins.<name>]`` section into its ``Config``."""
        for record in self._with_state(PluginState.LOADED):
            model = getattr(record.module, "Config", None)
            if model is None:
                continue
            from ccore.config import ConfigError, validate_section
            try:
                if config is None:
                    record.config = model()
                else:
                    record.config = validate_section(config, record.name, model)
            except (ConfigError, ValueError) as err:
                self._set_state(record, PluginState.FAILED, f"invalid configuration: {err}")

    # --- life cycle --------------------------------------------------------------------------

    async def setup_all(self, center: Center, storage: Storage | None) -> None:
        """Set up every loaded plugin in dependency order; failures never stop the others."""
        for name in self._dependency_order():
            record = self.records[name]
            if record.state is not PluginState.LOADED:
                continue
            problem = self._dependency_problem(record)
            if problem:
                self._set_state(record, PluginState.REFUSED, problem)
                continue
            await self._setup_one(center, storage, record)

    async def shutdown_all(self, center: Center) -> None:
        """Stop running plugins in reverse setup order; each one's tasks and listeners go."""
        for name in reversed(self._setup_order):
            record = self.records[name]
            if record.retry_task is not None:
                record.retry_task.cancel()
            if record.state is not PluginState.RUNNING or record.context is None:
                continue
            impl = self._impl(record, "ccore_shutdown")
            if impl is not None:
                try:
                    result = impl(center=center, plugin=record.context)
                    if inspect.isawaitable(result):
                        await asyncio.wait_for(result, self.setup_timeout)
                except Exception:
                    _LOGGER.exception("Plugin %s failed to shut down", name)
            await record.context.unload()
            self._set_state(record, PluginState.STOPPED, "")
        self._setup_order.clear()

    def channel_variables(self) -> list[str]:
        """The channel variables every running plugin asked the call model to keep."""
        names: set[str] = set()
        for result in self.pm.hook.ccore_channel_variables():
            names.update(result or ())
        return sorted(names)

    # --- internals ---------------------------------------------------------------------------

    def _adopt(self, record: PluginRecord, module: Any) -> None:
        record.module = module
        record.depends_on = tuple(getattr(module, "DEPENDS_ON", ()))
        if not record.version:
            record.version = str(getattr(module, "__version__", ""))
        try:
            self.pm.register(module, name=record.name)
        except Exception as err:  # e.g. a hook with a misspelt argument
            self._set_state(record, PluginState.FAILED, f"not a valid plugin: {err}")
            return
        self._set_state(record, PluginState.LOADED, "")

    async def _setup_one(
        self, center: Center, storage: Storage | None, record: PluginRecord
    ) -> None:
        record.context = PluginContext(record.name, record.config, self.bus, storage)
        impl = self._impl(record, "ccore_setup")
        try:
            ok = True
            if impl is not None:
                result = impl(center=center, plugin=record.context)
                if inspect.isawaitable(result):
                    result = await self._await_setup(record.name, result)
                ok = result is not False
        except PluginNotReady as err:
            await record.context.unload()
            self._schedule_retry(center, storage, record, str(err))
            return
        except Exception as err:
            _LOGGER.exception("Plugin %s failed to set up", record.name)
            await record.context.unload()
            self._set_state(record, PluginState.FAILED, f"setup failed: {err!r}")
            return
        if not ok:
            await record.context.unload()
            self._set_state(record, PluginState.FAILED, "setup returned False")
            return
        self._setup_order.append(record.name)
        self._set_state(record, PluginState.RUNNING, "")

    async def _await_setup(self, name: str, awaitable: Any) -> Any:
        task = asyncio.ensure_future(awaitable)
        done, _ = await asyncio.wait({task}, timeout=SLOW_SETUP_WARNING)
        if not done:
            _LOGGER.warning("Plugin %s is taking over %ss to set up", name, SLOW_SETUP_WARNING)
            remaining = max(self.setup_timeout - SLOW_SETUP_WARNING, 0.0)
            done, _ = await asyncio.wait({task}, timeout=remaining)
            if not done:
                task.cancel()
                raise TimeoutError(f"setup took longer than {self.setup_timeout}s")
        return task.result()

    def _schedule_retry(
        self, center: Center, storage: Storage | None, record: PluginRecord, why: str
    ) -> None:
        self._set_state(record, PluginState.RETRYING, f"not ready: {why}")

        async def retry() -> None:
            delay = 2.0
            while record.state is PluginState.RETRYING:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                record.state = PluginState.LOADED
                await self._setup_one(center, storage, record)

        record.retry_task = asyncio.get_running_loop().create_task(retry())

    def _impl(self, record: PluginRecord, hook_name: str) -> Any:
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name == record.name:
                return impl.function
        return None

    def _dependency_problem(self, record: PluginRecord) -> str:
        for dependency in record.depends_on:
            other = self.records.get(dependency)
            if other is None:
                return f"requires plugin {dependency}, which is not installed"
            if other.state is not PluginState.RUNNING:
                return f"requires plugin {dependency}, which is {other.state.value}"
        return ""

    def _dependency_order(self) -> list[str]:
        order: list[str] = []
        visiting: set[str] = set()

        def visit(name: str, chain: tuple[str, ...]) -> None:
            if name in order or name not in self.records:
                return
            if name in visiting:
                record = self.records[name]
                cycle = " -> ".join((*chain, name))
                if record.state is PluginState.LOADED:
                    self._set_state(record, PluginState.REFUSED, f"dependency cycle: {cycle}")
                return
            visiting.add(name)
            for dependency in self.records[name].depends_on:
                visit(dependency, (*chain, name))
            visiting.discard(name)
            order.append(name)

        for name in sorted(self.records):
            visit(name, ())
        return order

    def _with_state(self, state: PluginState) -> list[PluginRecord]:
        return [record for record in self.records.values() if record.state is state]

    def _set_state(self, record: PluginRecord, state: PluginState, reason: str) -> None:
        record.state = state
        record.reason = reason
        not_running = state in (PluginState.FAILED, PluginState.REFUSED, PluginState.STOPPED)
        if not_running and self.pm.has_plugin(record.name):
            # A plugin that is not running takes no part in decisions (route, lookup, ...).
            self.pm.unregister(name=record.name)
        if state in (PluginState.FAILED, PluginState.REFUSED):
            _LOGGER.error("Plugin %s %s: %s", record.name, state.value, reason)
        # Without a running loop (e.g. `ccore plugins` listing synchronously) nobody listens.
        with contextlib.suppress(RuntimeError):
            self.bus.fire(PluginStateChanged(plugin=record.name, state=state.value, reason=reason))
