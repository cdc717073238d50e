"""Start and stop recording a live call on the admin's or a CTI client's request."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ccore.control.protocol import INVALID_ARGS, NOT_FOUND, SWITCH_ERROR, UNAVAILABLE, CommandFailed
from ccore.switch import CallGone, SwitchError

if TYPE_CHECKING:
    from ccore.core import Center


def recording_path(center: Center, call_uuid: str, name: str | None) -> Path:
    """Where a recording goes: ``name`` (or ``<call_uuid>.wav``) in the recordings directory."""
    name = name or f"{call_uuid}.wav"
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not name.endswith(".wav"):
        raise CommandFailed(
            INVALID_ARGS,
            f"path: expected a .wav file name inside the recordings directory; got {name!r}",
            [{"field": "path", "message": "a relative .wav path without .."}],
        )
    base = center.data_dir / center.config.model.recording.path
    return base / relative


def _live_call(center: Center, call_uuid: str) -> None:
    channel = center.calls.channels.get(call_uuid)
    if channel is None or not channel.is_live:
        raise CommandFailed(NOT_FOUND, f"no call {call_uuid} is in progress")
    if not center.switch.connected:
        raise CommandFailed(UNAVAILABLE, "the switch is disconnected")


async def start_recording(
    center: Center, active: dict[str, str], call_uuid: str, name: str | None
) -> dict[str, Any]:
    """Start recording ``call_uuid``; remembers the file so ``stop`` needs only the call."""
    _live_call(center, call_uuid)
    if call_uuid in active:
        raise CommandFailed(
            "not_allowed", f"call {call_uuid} is already being recorded to {active[call_uuid]}"
        )
    path = recording_path(center, call_uuid, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        await center.switch.record_start(call_uuid, str(path))
    except (SwitchError, CallGone) as error:
        raise CommandFailed(SWITCH_ERROR, str(error)) from None
    except ValueError as error:
        raise CommandFailed(INVALID_ARGS, str(error)) from None
    active[call_uuid] = str(path)
    return {"call_uuid": call_uuid, "path": str(path), "recording": True}


async def stop_recording(
    center: Center, active: dict[str, str], call_uuid: str, name: str | None
) -> dict[str, Any]:
    """Stop recording ``call_uuid``."""
    _live_call(center, call_uuid)
    path = str(recording_path(center, call_uuid, name)) if name else active.get(call_uuid)
    if path is None:
        raise CommandFailed("not_allowed", f"call {call_uuid} is not being recorded")
    try:
        await center.switch.record_stop(call_uuid, path)
    except (SwitchError, CallGone) as error:
        raise CommandFailed(SWITCH_ERROR, str(error)) from None
    active.pop(call_uuid, None)
    return {"call_uuid": call_uuid, "path": path, "recording": False}
