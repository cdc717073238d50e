"""Start the UI: on a running center's control API, or the setup when there is no center."""

from __future__ import annotations

from pathlib import Path

from ccore_tui.app import CenterApp

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
            info = read_connection_info(load_center(center_directory).data_dir)
        except ConfigError:
            info = None
        if info is not None:
            client = ControlClient(info.url, info.token)
    return CenterApp(client, center_directory=center_directory)


def run_ui(
    center_directory: Path, *, control_url: str | None = None, token: str | None = None
) -> int:
    """Run the UI until the admin quits; the center and its calls carry on."""
    build_app(center_directory, control_url=control_url, token=token).run()
    return 0
