"""The center's terminal UI: a client of the core's control API that can come and go.

``CenterApp`` holds the UI's ``CenterState`` and hands it down to the screen in view; the
control client's callbacks arrive as messages, and a ticker redraws the screen at most four
times a second, only when something changed (and once a second for the clocks).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen

from ccore.control.client import ControlClient
from ccore_tui.editor import CenterEditor, Rejected
from ccore_tui.messages import ConnectionChanged, EventArrived, SnapshotArrived
from ccore_tui.screens.base import CenterScreen
from ccore_tui.screens.hours import HoursScreen
from ccore_tui.screens.ivr import IvrScreen
from ccore_tui.screens.lines import LinesScreen
from ccore_tui.screens.operators import OperatorsScreen
from ccore_tui.screens.plugins import PluginsScreen
from ccore_tui.screens.queues import QueuesScreen
from ccore_tui.screens.setup import SetupFinished, SetupScreen
from ccore_tui.screens.wallboard import WallboardScreen
from ccore_tui.state import CenterState

SCREENS_IN_ORDER = (
    ("wallboard", "Wallboard", "live queues, operators and calls"),
    ("operators", "Operators", "add, edit, remove operators; softphone accounts"),
    ("queues", "Queues", "strategy, skills, timeouts, overflow, callback"),
    ("ivr", "IVR", "menus callers hear and what each key does"),
    ("hours", "Hours", "opening hours and holidays"),
    ("plugins", "Plugins", "each plugin's state and why one failed"),
    ("lines", "Lines", "numbers callers dial and the provider's SIP trunks"),
)
REFRESH_INTERVAL = 0.25  # coalesce snapshots: redraw at most this often
CLOCK_INTERVAL = 1.0  # redraw at least this often (time in state, waits)


class CenterApp(App[None]):
    """Set the center up and run it day to day."""

    TITLE = "ccore"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, Any]] = {
        "wallboard": WallboardScreen,
        "operators": OperatorsScreen,
        "queues": QueuesScreen,
        "ivr": IvrScreen,
        "hours": HoursScreen,
        "plugins": PluginsScreen,
        "lines": LinesScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(number), f"show('{mode}')", title, key_display=str(number))
            for number, (mode, title, _) in enumerate(SCREENS_IN_ORDER, start=1)
        ),
        Binding("a", "apply", "Apply"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # Ctrl-C stops a terminal program; the admin expects it to leave, not to ask.
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        client: ControlClient | None = None,
        *,
        center_directory: Path | None = None,
        start_screen: str = "wallboard",
    ) -> None:
        super().__init__()
        self.client = client
        self.center_directory = center_directory
        self.start_screen = start_screen
        self.state = CenterState(url=client.url if client else "")
        self.editor = CenterEditor(client)
        self.editor.on_config = self._config_saved
        self._dirty = True
        self._drawn_at = 0.0

    # --- life cycle --------------------------------------------------------------------------

    async def on_mount(self) -> None:
        """Connect to the core and show the first screen (or the setup when there is none)."""
        self.set_interval(REFRESH_INTERVAL, self._tick)
        if self.client is None:
            directory = self.center_directory or Path.cwd()
            if not (directory / "center.toml").exists():
                self.state.core_reason = "no center yet"
                await self.push_screen(SetupScreen(directory))
                return
            self.state.core_reason = (
                f"the core is not running: start it with `ccore run --center {directory}`"
            )
            await self.switch_mode(self.start_screen)
            self._wait_for_core(directory)
            return
        await self.attach(self.client, self.start_screen)

    async def on_unmount(self) -> None:
        """Disconnect (the core and its calls carry on)."""
        if self.client is not None:
            await self.client.close()

    def on_setup_finished(self, message: SetupFinished) -> None:
        """The wizard wrote the center: connect once its core runs."""
        self._wait_for_core(message.directory)

    @work(group="wait-for-core", exclusive=True)
    async def _wait_for_core(self, directory: Path) -> None:
        """Poll the data directory until a core runs there, then connect to it."""
        from ccore.config import ConfigError, load_center
        from ccore.control.token import read_connection_info

        while True:
            try:
                data_dir = load_center(directory).data_dir
            except ConfigError as error:  # the core cannot start either: say why
                data_dir = None
                self.state.core_reason = f"center.toml has problems, fix them first: {error}"
                self._dirty = True
            info = read_connection_info(data_dir) if data_dir is not None else None
            if info is not None:
                await self.attach(
                    ControlClient(
                        info.url,
                        info.token,
                        locate=lambda found=data_dir: read_connection_info(found),
                    )
                )
                return
            await asyncio.sleep(1.0)

    async def attach(self, client: ControlClient, screen: str = "wallboard") -> None:
        """Show ``screen`` and connect ``client`` (also once the setup's center runs)."""
        self.client = client
        self.editor.client = client
        self.state.url = client.url
        self.client.on_snapshot = lambda s: self.post_message(SnapshotArrived(s))
        self.client.on_event = lambda e: self.post_message(EventArrived(e))
        self.client.on_connection = lambda up, why: self.post_message(ConnectionChanged(up, why))
        while isinstance(self.screen, SetupScreen):
            self.pop_screen()
        await self.switch_mode(screen)
        await self.client.start()

    # --- state from the core -----------------------------------------------------------------

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        """Keep the snapshot; the ticker draws it."""
        self.state.snapshot = message.snapshot
        self.state.snapshot_at = time.time()
        self._dirty = True

    def on_event_arrived(self, message: EventArrived) -> None:
        """Events that change what the UI shows beyond the snapshot."""
        name = message.event.get("name", "")
        if name in ("switch.disconnected", "switch.connected"):
            self.state.snapshot.setdefault("switch", {})["connected"] = name == "switch.connected"
            self._dirty = True
        elif name == "config.saved":
            self.refresh_config()

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        """The core came or went."""
        was = self.state.core_connected
        self.state.core_connected = message.connected
        if message.reason:
            self.state.core_reason = message.reason
        if message.connected and not was:
            self.refresh_config()
        self._dirty = True

    def _config_saved(self, view: dict[str, Any], edited: bool) -> None:
        self.state.config = view
        if edited:
            self.state.unapplied = True
        self._dirty = True

    @work(group="config", exclusive=True)
    async def refresh_config(self) -> None:
        """Fetch center.toml's values as saved."""
        try:
            await self.editor.request("config.get")
        except Rejected as error:
            self.notify(str(error), title="Cannot read center.toml", severity="error")

    def _tick(self) -> None:
        now = time.monotonic()
        if not self._dirty and now - self._drawn_at < CLOCK_INTERVAL:
            return
        self._dirty = False
        self._drawn_at = now
        screen = self.screen
        if not isinstance(screen, CenterScreen):
            screen = next(
                (s for s in reversed(self.screen_stack) if isinstance(s, CenterScreen)), None
            )
        if screen is not None:
            screen.show_state(self.state)

    # --- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Screen keys and apply are off while a form or the setup is open."""
        if action in ("show", "apply"):
            return not isinstance(self.screen, ModalScreen | SetupScreen)
        return True

    async def action_show(self, mode: str) -> None:
        """Show one of the main screens."""
        if isinstance(self.screen, SetupScreen):
            self.notify("Finish the setup first", severity="warning")
            return
        await self.switch_mode(mode)
        self._dirty = True

    def action_apply(self) -> None:
        """Apply center.toml to the running center: render FreeSWITCH's files and reload."""
        self.apply_changes()

    @work(group="apply", exclusive=True)
    async def apply_changes(self) -> None:
        """Ask the core to render, reload the switch and reload itself."""
        self.notify("Applying center.toml…", timeout=2)
        try:
            result = await self.editor.request("config.apply")
        except Rejected as error:
            self.notify(str(error), title="Not applied", severity="error", timeout=10)
            return
        self.state.unapplied = False
        self._dirty = True
        switch = (
            "FreeSWITCH reloaded"
            if result.get("switch_reloaded")
            else f"FreeSWITCH not reloaded: {result.get('switch_error', '')}"
        )
        self.notify(f"Applied. Configuration rendered to {result.get('rendered')}; {switch}.")
        problems = self.state.problems()
        if problems:
            self.notify(
                "\n".join(f"{p['key']}: {p['message']}" for p in problems[:5]),
                title=f"Applied with {len(problems)} problem(s): callers may hear silence",
                severity="warning",
                timeout=15,
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette: every screen, apply, and the usual commands."""
        for number, (mode, title, help_text) in enumerate(SCREENS_IN_ORDER, start=1):
            yield SystemCommand(f"Go to {title} ({number})", help_text, lambda m=mode: self._go(m))
        yield SystemCommand(
            "Apply changes (a)",
            "Render FreeSWITCH's configuration from center.toml and reload the running center",
            self.action_apply,
        )
        yield SystemCommand(
            "Reload center.toml",
            "Re-read the file (after editing it by hand)",
            self.refresh_config,
        )
        yield from super().get_system_commands(screen)

    def _go(self, mode: str) -> None:
        self.run_worker(self.action_show(mode), group="show")
