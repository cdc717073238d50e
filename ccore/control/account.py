"""The softphone account of an operator: what to type into the phone."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ccore.config import CenterConfig


def _this_machine() -> str:
    """This machine's address on the local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def softphone_account(config: CenterConfig, extension: str) -> dict[str, Any]:
    """Server, port, user and password of ``extension`` (password None until rendered)."""
    sip = config.model.sip
    address = sip.internal_ip if sip.internal_ip != "auto" else _this_machine()
    password: str | None = None
    try:
        from ccore.fsconf import read_sip_passwords

        password = read_sip_passwords(config).get("operators", {}).get(extension)
    except Exception:  # no renderer, or an unreadable file: shown as "not generated yet"
        password = None
    return {
        "extension": extension,
        "server": sip.domain or address,
        "port": sip.internal_port,
        "user": extension,
        "password": password,
        "password_note": None if password else "not generated yet: apply the configuration",
    }
