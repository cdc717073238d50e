"""Every hook a ccore plugin can implement, in one place.

A plugin is an ordinary Python module (or object) registered in the ``ccore.plugins``
entry-point group; it implements any of these hooks with ``@ccore.hookimpl``. Hooks are for
setup-time registration and for decisions; runtime call events reach plugins through the event
bus (``plugin.listen(...)`` in ``ccore_setup``), where each listener is isolated.

Besides hooks, a plugin module may declare two plain attributes:

- ``Config``: a pydantic model; the ``[plugins.<name>]`` section of center.toml is validated
  into it before setup, and the plugin gets the instance as ``plugin.config``.
- ``DEPENDS_ON``: a tuple of plugin names that must be running before this one is set up; if
  one of them failed, this plugin is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ccore.config import CenterConfig
    from ccore.config_errors import ConfigProblem
    from ccore.core import Center
    from ccore.model import Channel
    from ccore.plugin_context import PluginContext

PROJECT_NAME = "ccore"
ENTRY_POINT_GROUP = "ccore.plugins"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def ccore_setup(center: Center, plugin: PluginContext) -> bool | Awaitable[bool | None] | None:
    """Set the plugin up, once, when the center starts.

    Fires: for each plugin in dependency order, after its config section was validated and
    before the center connects to the switch.
    Arguments: ``center``, the running center (``.bus``, ``.switch``, ``.calls``, ``.db``,
    ``.config``); ``plugin``, this plugin's context (``.config``, ``.listen``, ``.create_task``,
    ``.on_unload``, ``.migrate``, ``.logger``).
    Returns: nothing or True when set up; False (or raising) marks the plugin failed, with the
    reason shown to the admin, and refuses the plugins that depend on it. May be a coroutine
    function; it is awaited with a timeout. Called for one plugin at a time (not first-result).
    """


@hookspec
def ccore_shutdown(center: Center, plugin: PluginContext) -> Awaitable[None] | None:
    """Tear the plugin down when the center stops.

    Fires: for each running plugin, in reverse setup order, before its ``on_unload`` callbacks
    run and its background tasks are cancelled.
    Arguments: as ``ccore_setup``.
    Returns: nothing. May be a coroutine function. Errors are logged and do not stop the others.
    """


@hookspec
def ccore_channel_variables() -> list[str]:
    """Name the channel variables this plugin wants kept on every call.

    Fires: once at start-up, when the call model is built.
    Arguments: none.
    Returns: a list of FreeSWITCH channel variable names (e.g. ``["ccore_number"]``); the call
    model keeps their latest values in ``Channel.variables``. Results of all plugins are merged.
    """


@hookspec(firstresult=True)
def ccore_route_call(center: Center, channel: Channel) -> str | None:
    """Decide where a new inbound call goes.

    Fires: when a call is offered to the center (``call.offered``), before anything is played.
    Arguments: ``center``; ``channel``, the new call (caller ID, destination, variables).
    Returns: a route such as ``"ivr:main"`` or ``"queue:support"``, or None to let the next
    plugin decide. The first non-None result wins.
    """


@hookspec(firstresult=True)
def ccore_lookup_caller(center: Center, number: str) -> dict[str, Any] | None:
    """Look a caller up (for screen-pop and priority rules).

    Fires: when an operator is offered a call and the caller's details are wanted.
    Arguments: ``center``; ``number``, the caller's number as received.
    Returns: a dict of what is known (``name``, ``company``, ``vip``, ``url``, ...), or None if
    this plugin does not know the caller. The first non-None result wins.
    """


@hookspec
def ccore_check_config(config: CenterConfig) -> list[ConfigProblem]:
    """Report problems in the center's configuration that only this plugin can see.

    Fires: when the admin runs ``ccore conf check`` (and when the UI validates before applying).
    Arguments: ``config``, the loaded center configuration.
    Returns: a list of ``ccore.config_errors.ConfigProblem`` (file, line, key path, message),
    e.g. an IVR prompt naming a sound file that does not exist; empty when all is well. The
    lists of all plugins are combined.
    """
