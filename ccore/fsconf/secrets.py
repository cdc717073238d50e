"""Generated secrets of a center: the event socket password and one SIP password per phone.

They live in the center's data directory, readable by the owner only (0600), are created once
and kept on every re-render. Secrets are never logged; errors name the file or the variable,
never the value.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ccore.config_errors import ConfigError
from ccore.fsconf.errors import FsConfError

if TYPE_CHECKING:
    from ccore.config import CenterConfig


SIP_PASSWORDS_FILE = "sip_passwords.json"
"""File in the data directory holding ``{"operators": {ext: pw}, "mailboxes": {box: pw}}``."""

PRIVATE_MODE = 0o600
PASSWORD_BYTES = 18  # token_urlsafe(18): 24 characters, 144 bits


def new_password() -> str:
    """Return a fresh strong password (URL-safe, no characters XML or SIP need escaped)."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600, creating the directory if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_MODE)
        os.write(descriptor, text.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
    os.chmod(path, PRIVATE_MODE)


def _data_dir(center: CenterConfig) -> Path:
    return Path(center.data_dir)


def event_socket_password_path(center: CenterConfig) -> Path:
    """Return where the generated event socket password is kept (``[switch] password_file``)."""
    return _data_dir(center) / center.model.switch.password_file


def _configured_event_socket_password(center: CenterConfig) -> str | None:
    switch = center.model.switch
    if switch.password is not None:
        return switch.password.get_secret_value()
    if switch.password_env:
        value = os.environ.get(switch.password_env)
        if not value:
            raise FsConfError(
                f"[switch] password_env names {switch.password_env}, which is not set"
            )
        return value
    return None


def read_event_socket_password(center: CenterConfig) -> str:
    """Return the event socket password ccore authenticates with.

    In order: ``[switch] password``, the variable named by ``password_env``, or the file that
    ``ccore conf render`` generated. Raises FsConfError when none is there yet.
    """
    lookup = getattr(center, "switch_password", None)
    if callable(lookup):
        try:
            value = lookup()
        except ConfigError as error:  # an unset variable, named with its line
            raise FsConfError(str(error)) from None
        if value:
            return value
        raise FsConfError(
            f"no event socket password yet: {event_socket_password_path(center)} is missing;"
            " run `ccore conf render`"
        )
    configured = _configured_event_socket_password(center)
    if configured is not None:
        return configured
    path = event_socket_password_path(center)
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise FsConfError(
            f"no event socket password yet: {path} is missing; run `ccore conf render`"
        ) from None
    if not value:
        raise FsConfError(f"the event socket password file {path} is empty")
    return value


def ensure_event_socket_password(center: CenterConfig) -> str:
    """Return the event socket password, generating and storing one (0600) on first use."""
    configured = _configured_event_socket_password(center)
    if configured is not None:
        return configured
    path = event_socket_password_path(center)
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            os.chmod(path, PRIVATE_MODE)
            return value
    value = new_password()
    write_private(path, value + "\n")
    return value


def sip_passwords_path(center: CenterConfig) -> Path:
    """Return the file holding the phones' generated SIP passwords."""
    return _data_dir(center) / SIP_PASSWORDS_FILE


def _load_sip_passwords(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {"operators": {}, "mailboxes": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FsConfError(f"cannot read {path}: {error.__class__.__name__}") from None
    result: dict[str, dict[str, str]] = {}
    for group in ("operators", "mailboxes"):
        entries = data.get(group, {}) if isinstance(data, dict) else {}
        result[group] = {
            str(key): value for key, value in entries.items() if isinstance(value, str) and value
        }
    return result


def sync_sip_passwords(
    center: CenterConfig, operators: Iterable[str], mailboxes: Iterable[str] = ()
) -> dict[str, dict[str, str]]:
    """Return ``{"operators": {ext: pw}, "mailboxes": {box: pw}}`` for exactly these ids.

    Existing passwords are kept, new ids get a fresh one, ids no longer configured are
    forgotten (so a re-added operator gets a new password). The file is rewritten (0600) only
    when something changed, so re-rendering an unchanged center touches nothing.
    """
    path = sip_passwords_path(center)
    stored = _load_sip_passwords(path)
    wanted = {"operators": sorted(set(operators)), "mailboxes": sorted(set(mailboxes))}
    result: dict[str, dict[str, str]] = {}
    for group, ids in wanted.items():
        known = stored.get(group, {})
        result[group] = {key: known.get(key) or new_password() for key in ids}
    if result != stored or not path.exists():
        write_private(path, json.dumps(result, indent=2, sort_keys=True) + "\n")
    else:
        os.chmod(path, PRIVATE_MODE)
    return result


def read_sip_passwords(center: CenterConfig) -> dict[str, dict[str, str]]:
    """Return the stored SIP passwords (for showing an operator their account)."""
    return _load_sip_passwords(sip_passwords_path(center))
