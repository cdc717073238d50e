"""The control API's messages and error codes (see ``docs/api.md``).

Client to server::

    {"type": "auth", "token": "..."}                       first message, within 5 s
    {"type": "request", "id": 7, "command": "agent.set_state", "args": {...}}

Server to client::

    {"type": "hello", "version": 1, "center": "...", "commands": [...]}   after auth
    {"type": "response", "id": 7, "ok": true, "result": {...}}
    {"type": "response", "id": 7, "ok": false, "error": {"code": "...", "message": "...",
                                                         "details": [...]}}
    {"type": "event", "event": {"name": "agent.state_changed", "at": ..., ...}}
    {"type": "snapshot", "snapshot": {...}}                after ``subscribe``
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from pathlib import Path
from typing import Any

PROTOCOL_VERSION = 1

# Error codes a client can act on.
AUTH_FAILED = "auth_failed"  # wrong or missing token; the connection is closed
BAD_MESSAGE = "bad_message"  # not JSON, or not a request as documented
UNKNOWN_COMMAND = "unknown_command"
INVALID_ARGS = "invalid_args"  # details: [{"field": ..., "message": ...}]
NOT_FOUND = "not_found"  # no such operator, call, plugin...
NOT_ALLOWED = "not_allowed"  # the change is not possible now (e.g. an operator on a call)
INVALID_CONFIG = "invalid_config"  # details: [{"key": ..., "line": ..., "message": ...}]
CONFLICT = "conflict"  # center.toml changed on disk; reload and edit again
UNAVAILABLE = "unavailable"  # a service or the switch is not there
SWITCH_ERROR = "switch_error"  # FreeSWITCH refused; message is its answer
INTERNAL = "internal"


class CommandFailed(Exception):
    """A command could not be done; becomes an error response with ``code`` and ``message``."""

    def __init__(self, code: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []

    def as_error(self) -> dict[str, Any]:
        """Return the ``error`` object of a response."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return error


def jsonable(value: Any) -> Any:
    """Turn dataclasses, enums, paths, dates, sets and tuples into plain JSON values."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return jsonable(dump(mode="json", by_alias=True))
    return str(value)


def encode(message: dict[str, Any]) -> str:
    """Serialise a message."""
    return json.dumps(jsonable(message), separators=(",", ":"))


def response(request_id: Any, result: Any) -> dict[str, Any]:
    """A successful response to request ``request_id``."""
    return {"type": "response", "id": request_id, "ok": True, "result": result}


def error_response(request_id: Any, failure: CommandFailed) -> dict[str, Any]:
    """A failed response to request ``request_id``."""
    return {"type": "response", "id": request_id, "ok": False, "error": failure.as_error()}
