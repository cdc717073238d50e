"""The control API's token and address, kept in the center's data directory (0600).

The server writes ``control.token`` once (and keeps it across restarts) and, while it runs,
``control.json`` with the address it listens on, so a client on the same machine that can read
the data directory finds and authenticates to the running core.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

TOKEN_FILE = "control.token"
ADDRESS_FILE = "control.json"
PRIVATE_MODE = 0o600
DEFAULT_PORT = 8089


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_MODE)
        os.write(descriptor, text.encode("utf-8"))
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


def ensure_token(data_dir: Path) -> str:
    """Return the control token, creating ``control.token`` (0600) on first use."""
    path = data_dir / TOKEN_FILE
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            os.chmod(path, PRIVATE_MODE)
            return token
    token = secrets.token_urlsafe(32)
    _write_private(path, token + "\n")
    return token


@dataclass(frozen=True)
class ConnectionInfo:
    """Where a running core's control API listens, and the token it accepts."""

    url: str
    token: str


def write_address(data_dir: Path, url: str) -> None:
    """Record the running server's address (``control.json``) for local clients."""
    _write_private(data_dir / ADDRESS_FILE, json.dumps({"url": url, "pid": os.getpid()}) + "\n")


def remove_address(data_dir: Path) -> None:
    """Forget the address when the server stops."""
    (data_dir / ADDRESS_FILE).unlink(missing_ok=True)


def read_connection_info(data_dir: Path) -> ConnectionInfo | None:
    """Return the URL and token of the core running on ``data_dir``, or None if none runs."""
    try:
        address = json.loads((data_dir / ADDRESS_FILE).read_text(encoding="utf-8"))
        token = (data_dir / TOKEN_FILE).read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return None
    url = address.get("url") if isinstance(address, dict) else None
    if not url or not token:
        return None
    return ConnectionInfo(url=url, token=token)
