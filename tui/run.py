"""Start the UI: on a running center's control API, or the setup when there is no center."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ccore_tui.app import CenterApp

if TYPE_CHECKING:
    from ccore.core import Center

from ccore.control.client import ControlClient


def build_app(
    center_directory: Path, *, control_url: str | None = None, token: str | None = None
) -> CenterApp:
    """The app for ``center_directory``: connected to its core, or waiting for it, or setup."""
    client = None
    if control_url and token:
        client = ControlClient(control_url, token)
    elif (center_directory / "center.toml").exists():
        from ccore.config import ConfigError, load_center
        from ccore.control.token import read_connection_info

        try:
            data_dir = load_center(center_directory).data_dir
        except ConfigError:
            data_dir = None
        info = read_connection_info(data_dir) if data_dir is not None else None
        if info is not None:
            client = ControlClient(
                info.url, info.token, locate=lambda: read_connection_info(data_dir)
            )
    return CenterApp(client, center_directory=center_directory)


def run_ui(
    center_directory: Path, *, control_url: str | None = None, token: str | None = None
) -> int:
    """Run the UI until the admin quits; the center and its calls carry on."""
    build_app(center_directory, control_url=control_url, token=token).run()
    return 0


async def run_on_center(center: Center, *, port: int = 0) -> None:
    """Run the UI in this process next to a running ``Center`` (``ccore demo``).

    Starts the center's control API on loopback (``port`` 0: any free port) and the UI as its
    client, exactly as a separate ``ccore ui`` would connect; stops the API when the UI quits.
    """
    from ccore.control.server import ControlServer

    server = ControlServer(center, port=port)
    await server.start()
    try:
        app = CenterApp(
            ControlClient(server.url, server.token), center_directory=center.config.directory
        )
        await app.run_async()
    finally:
        await server.stop()
