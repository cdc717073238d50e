"""Apply a saved center.toml to the running center: render, reload the switch, reload the core."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ccore.config import ConfigError
from ccore.control.edits import invalid_config
from ccore.control.protocol import INVALID_CONFIG, CommandFailed

if TYPE_CHECKING:
    from ccore.config import CenterConfig
    from ccore.core import Center

_LOGGER = logging.getLogger(__name__)


def reload_running_config(center: Center, by: str = "api") -> None:
    """Make the running center use center.toml as it is on disk (``config.reloaded``)."""
    try:
        center.reload_config(by=by)
    except ConfigError as error:
        raise invalid_config(error) from None


async def apply_config(center: Center, config: CenterConfig) -> dict[str, Any]:
    """Render FreeSWITCH's files from ``config``, ``reloadxml`` the switch, reload the center."""
    result: dict[str, Any] = {"rendered": None, "switch_reloaded": False, "reloaded": False}
    try:
        from ccore.fsconf import render_freeswitch_conf
    except ImportError:  # a core without the renderer: reload the center only
        render_freeswitch_conf = None
    if render_freeswitch_conf is not None:
        try:
            path = await asyncio.to_thread(render_freeswitch_conf, config)
        except Exception as error:  # FsConfError and file system errors, shown to the admin
            raise CommandFailed(
                INVALID_CONFIG, f"rendering FreeSWITCH's configuration failed: {error}"
            ) from None
        result["rendered"] = str(path)
    if center.switch.connected:
        try:
            await center.switch.api("reloadxml")
            result["switch_reloaded"] = True
        except Exception as error:  # the center still reloads; the admin sees why not
            result["switch_error"] = str(error)
    else:
        result["switch_error"] = "the switch is disconnected; it reads the files when it is back"
    reload_running_config(center, by="apply")
    result["reloaded"] = True
    return result
