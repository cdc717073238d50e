"""``ccore ui``: open the terminal UI on a center (the setup when it has no center.toml).

Wire it in ``ccore/cli.py``::

    ui = commands.add_parser("ui", help="the terminal UI: set the center up and run it")
    ui.add_argument("--center", type=Path, default=Path.cwd(), help="the center's directory")
    ui.add_argument("--url", default=None, help="control API address (default: found in the"
                    " data directory)")
    ...
    if args.command == "ui":
        from ccore.cli_ui import command_ui
        return command_ui(args.center, args.url)

Only this function imports the UI package, lazily: the core itself never imports textual.
"""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccore.core import Center


def command_ui(center_directory: Path, url: str | None = None) -> int:
    """Run the UI on ``center_directory``; the token comes from its data directory."""
    token = os.environ.get("CCORE_CONTROL_TOKEN")
    if url is not None and token is None:
        from ccore.config import load_center
        from ccore.control.token import TOKEN_FILE

        path = load_center(center_directory).data_dir / TOKEN_FILE
        token = path.read_text(encoding="utf-8").strip() if path.exists() else None
    _log_to_file(center_directory)
    run = importlib.import_module("ccore_tui.run")  # not a static import: see import-linter
    return int(run.run_ui(center_directory.resolve(), control_url=url, token=token))


def _log_to_file(center_directory: Path) -> None:
    """Logging would draw over the UI: send it to ui.log in the center directory."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            root.removeHandler(handler)
    if center_directory.is_dir():
        root.addHandler(logging.FileHandler(center_directory / "ui.log"))


async def ui_on_center(center: Center, *, port: int = 0) -> None:
    """Run the UI in this process on a running center (``ccore demo``) until the admin quits.

    Starts the center's control API on loopback (``port`` 0: any free port) with the UI as its
    client, exactly as a separate ``ccore ui`` would connect. Logging goes to ``ui.log`` in the
    center directory meanwhile, so it does not draw over the screen.
    """
    _log_to_file(center.config.directory)
    run = importlib.import_module("ccore_tui.run")
    await run.run_on_center(center, port=port)
