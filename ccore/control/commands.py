"""The control API's commands: each validates its arguments, acts, and answers plain JSON.

A command is an async function taking the ``CommandContext`` and its arguments, validated first
into a pydantic model (unknown or ill-typed arguments are an ``invalid_args`` error naming the
field). Failures are ``CommandFailed`` with a code from ``ccore.control.protocol``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ccore.config import ConfigError, load_center
from ccore.control import edits as config_edits
from ccore.control.events import ConfigSaved
from ccore.control.protocol import (
    INVALID_ARGS,
    NOT_ALLOWED,
    NOT_FOUND,
    UNAVAILABLE,
    CommandFailed,
    jsonable,
)
from ccore.control.recording import start_recording, stop_recording
from ccore.control.reload import apply_config, reload_running_config
from ccore.control.snapshot import build_snapshot, plugins_of

if TYPE_CHECKING:
    from ccore.config import CenterConfig
    from ccore.core import Center


class Args(BaseModel):
    """Base of every command's arguments: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class NoArgs(Args):
    """A command that takes no arguments."""


class SubscribeArgs(Args):
    """``subscribe``: which events to stream, and how often to push snapshots."""

    events: list[str] = Field(default_factory=lambda: ["*"])  # names or patterns: "agent.*"
    snapshot_interval: float | None = Field(default=None, ge=0.2, le=60)


AdminState = Literal["available", "on_break", "logged_out"]


class SetStateArgs(Args):
    """``agent.set_state``: put an operator on break, available or logged out."""

    extension: str = Field(pattern=r"^[0-9]{2,8}$")
    state: AdminState
    reason: str = Field(default="", max_length=80)


class EditArgs(Args):
    """``config.edit``: a batch of edits validated together."""

    edits: list[dict[str, Any]] = Field(min_length=1)


class OperatorAddArgs(Args):
    """``operator.add``: the new operator's keys, as in ``[[operators]]``."""

    operator: dict[str, Any]


class OperatorUpdateArgs(Args):
    """``operator.update``: keys to change (null removes a key)."""

    extension: str
    changes: dict[str, Any] = Field(min_length=1)


class ExtensionArgs(Args):
    """A command about one operator."""

    extension: str


class RecordingArgs(Args):
    """``recording.start`` / ``recording.stop``: a live call, and optionally the file."""

    call_uuid: str = Field(min_length=1, max_length=64)
    path: str | None = None  # relative to the recordings directory; default <call_uuid>.wav


@dataclass
class CommandContext:
    """What a command works on: the center, the editable config, and the asking session."""

    center: Center
    editing: CenterConfig
    session: Any = None  # the connection (for subscribe); None when called in-process
    apply_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    recordings: dict[str, str] = field(default_factory=dict)


Handler = Callable[[CommandContext, Any], Awaitable[Any]]
COMMANDS: dict[str, tuple[type[Args], Handler]] = {}


def command(name: str, args: type[Args] = NoArgs) -> Callable[[Handler], Handler]:
    """Register a command under ``name`` with its argument model."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = (args, handler)
        return handler

    return register


def validate_args(name: str, raw: Any) -> Args:
    """Validate a command's raw arguments into its model, or fail with ``invalid_args``."""
    model = COMMANDS[name][0]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise CommandFailed(INVALID_ARGS, f"{name}: args must be an object")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        details = [
            {
                "field": ".".join(str(part) for part in problem["loc"]) or "args",
                "message": problem["msg"],
            }
            for problem in error.errors()
        ]
        text = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        raise CommandFailed(INVALID_ARGS, f"{name}: {text}", details) from None


async def run_command(context: CommandContext, name: str, raw_args: Any) -> Any:
    """Validate and run one command; returns its JSON result or raises CommandFailed."""
    if name not in COMMANDS:
        known = ", ".join(sorted(COMMANDS))
        raise CommandFailed("unknown_command", f"no command {name!r}; known: {known}")
    args = validate_args(name, raw_args)
    return jsonable(await COMMANDS[name][1](context, args))


# --- state -----------------------------------------------------------------------------------


@command("ping")
async def ping(context: CommandContext, args: NoArgs) -> dict[str, Any]:
    """Answer, to check the connection."""
    return {"pong": True}


@command("snapshot")
async def snapshot(context: CommandContext, args: NoArgs) -> dict[str, Any]:
    """The whole live state: switch, operators, queues, calls, plugins."""
    return build_snapshot(context.center, context.recordings)


@command("subscribe", SubscribeArgs)
async def subscribe(context: CommandContext, args: SubscribeArgs) -> dict[str, Any]:
    """Stream events matching ``events`` and push a snapshot every ``snapshot_interval``."""
    if context.session is None:
        raise CommandFailed(NOT_ALLOWED, "subscribe needs a connection")
    context.session.subscribe(args.events, args.snapshot_interval)
    return {"events": args.events, "snapshot_interval": args.snapshot_interval}


@command("unsubscribe")
async def unsubscribe(context: CommandContext, args: NoArgs) -> dict[str, Any]:
    """Stop streaming events and snapshots."""
    if context.session is not None:
        context.session.unsubscribe()
    return {}


@command("plugins.list")
async def plugins_list(context: CommandContext, args: NoArgs) -> dict[str, Any]:
    """Every plugin with its version, state and reason."""
    return {"plugins": plugins_of(context.center)}


@command("agent.set_state", SetStateArgs)
async def agent_set_state(context: CommandContext, args: SetStateArgs) -> dict[str, Any]:
    """Change an operator's state through the agents plugin's board."""
    board = context.center.services.get("agents")
    if board is None or not hasattr(board, "set_state"):
        message = "operator states need the agents plugin, which is not running"
        raise CommandFailed(UNAVAILABLE, message)
    agents = getattr(board, "agents", {})
    agent = agents.get(args.extension)
    if agent is None:
        raise CommandFailed(NOT_FOUND, f"no operator with extension {args.extension}")
    state: Any = args.state
    state_type = type(getattr(agent, "state", None))
    if isinstance(getattr(agent, "state", None), str) and state_type is not str:
        state = state_type(args.state)  # the board's own enum
    try:
        board.set_state(args.extension, state, reason=args.reason, by="admin")
    except ValueError as error:
        raise CommandFailed(NOT_ALLOWED, str(error)) from None
    return {"extension": args.extension, "state": str(jsonable(agent.state))}


# --- configuration ---------------------------------------------------------------------------


def _config_view(config: CenterConfig) -> dict[str, Any]:
    return {
        "path": str(config.path),
        "directory": str(config.directory),
        "text": config.text(),
        "model": config.model.model_dump(mode="json", by_alias=True),
        "problems": config_edits.missing_prompts(config),
    }


def _reload_editing(context: CommandContext) -> None:
    """Re-read the editable copy from disk (after someone else changed the file)."""
    try:
        fresh = load_center(context.editing.directory)
    except ConfigError as error:
        raise config_edits.invalid_config(error) from None
    context.editing.document, context.editing.model = fresh.document, fresh.model
    context.editing.loaded_text = fresh.loaded_text


@command("config.get")
async def config_get(context: CommandContext, args: NoArgs) -> dict[str, Any]:
    """center.toml as saved: its text, its values, and problems such as missing sound files."""
    if context.editing.path.exists():
        on_disk = context.editing.path.read_bytes().decode("utf-8")
        if on_disk != context.editing.loaded_text:
            _reload_editing(context)
    return _config_view(context.editing)


@command("config.edit", EditArgs)
async def config_edit(context: CommandContext, args: EditArgs) -> dict[str, Any]:
    """Apply a batch of edits; validated as a whole, saved with comments kept."""
    config_edits.apply_edits(context.editing, args.edits)
    context.center.bus.fire(ConfigSaved(edits=len(args.edits)))
    return _config_view(context.editing)


@command("config.check")
async def config_check(context: CommandContext, args: NoArgs) -> dict[str, Any]:
    """Problems in center.toml on disk: validation errors and missing sound files."""
    try:
        config = load_center(context.editing.directory)
    except ConfigError as error:
        return {"ok": False, "problems": config_edits.problems_of(error)}
    problems = config_edits.missing_prompts(config)
    return {"ok": not problems, "problems": problems}


@command("config.reload")
async def config_reload(context: CommandContext, args: NoArgs) -> dict[str, Any]:
    """Make the running center take center.toml from disk."""
    reload_running_config(context.center, by="api")
    _reload_editing(context)
    return {"reloaded": True}


@command("config.apply")
async def config_apply(context: CommandContext, args: NoArgs) -> dict[str, Any]:
    """Re-render FreeSWITCH's configuration, make the switch reload it, reload the center."""
    async with context.apply_lock:
        _reload_editing(context)
        return await apply_config(context.center, context.editing)


def _operator_index(config: CenterConfig, extension: str) -> int:
    for index, operator in enumerate(config.model.operators):
        if operator.extension == extension:
            return index
    raise CommandFailed(NOT_FOUND, f"no operator with extension {extension}")


@command("operator.add", OperatorAddArgs)
async def operator_add(context: CommandContext, args: OperatorAddArgs) -> dict[str, Any]:
    """Add an operator (``[[operators]]``)."""
    extension = str(args.operator.get("extension", ""))
    if extension and context.editing.model.operator(extension) is not None:
        raise CommandFailed(
            INVALID_ARGS,
            f"extension {extension} is already used by"
            f" {context.editing.model.operator(extension).name}",  # type: ignore[union-attr]
            [{"field": "operator.extension", "message": "already used"}],
        )
    edit = {"op": "append", "path": "operators", "value": args.operator}
    return await config_edit(context, EditArgs(edits=[edit]))


@command("operator.update", OperatorUpdateArgs)
async def operator_update(context: CommandContext, args: OperatorUpdateArgs) -> dict[str, Any]:
    """Change an operator's keys (a null value removes the key)."""
    index = _operator_index(context.editing, args.extension)
    entry = context.editing.document["operators"][index]
    edits = []
    for key, value in args.changes.items():
        if value is None:
            if key in entry:
                edits.append({"op": "remove", "path": ["operators", index, key]})
        else:
            edits.append({"op": "set", "path": ["operators", index, key], "value": value})
    if not edits:
        return _config_view(context.editing)
    return await config_edit(context, EditArgs(edits=edits))


@command("operator.remove", ExtensionArgs)
async def operator_remove(context: CommandContext, args: ExtensionArgs) -> dict[str, Any]:
    """Remove an operator (refused while something still points at the extension)."""
    index = _operator_index(context.editing, args.extension)
    return await config_edit(
        context, EditArgs(edits=[{"op": "remove", "path": ["operators", index]}])
    )


@command("operator.account", ExtensionArgs)
async def operator_account(context: CommandContext, args: ExtensionArgs) -> dict[str, Any]:
    """The softphone account to type into the operator's phone (with its password)."""
    from ccore.control.account import softphone_account

    _operator_index(context.editing, args.extension)
    return softphone_account(context.editing, args.extension)


# --- recordings ------------------------------------------------------------------------------


@command("recording.start", RecordingArgs)
async def recording_start(context: CommandContext, args: RecordingArgs) -> dict[str, Any]:
    """Start recording a live call into the recordings directory."""
    return await start_recording(context.center, context.recordings, args.call_uuid, args.path)


@command("recording.stop", RecordingArgs)
async def recording_stop(context: CommandContext, args: RecordingArgs) -> dict[str, Any]:
    """Stop a recording started with ``recording.start``."""
    return await stop_recording(context.center, context.recordings, args.call_uuid, args.path)
