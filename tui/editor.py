"""The UI's link to the core for configuration: send edits, keep the saved view current.

No Textual here: forms call ``request`` (from a worker) and get either the core's answer or a
``Rejected`` whose ``errors`` map each form field to what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ccore.control.client import ControlClient, ControlError
from ccore_tui.forms import field_of

EDIT_COMMANDS = ("config.edit", "operator.add", "operator.update", "operator.remove")


class Rejected(Exception):
    """The core refused a change: ``errors`` by field, ``general`` for the rest.

    ``details`` keeps the core's own problems (key path, line, message) for forms whose
    fields go deeper than one key.
    """

    def __init__(
        self, errors: dict[str, str], general: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(general or "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.general = general
        self.details = details or []


def rejection(error: ControlError, prefix: str) -> Rejected:
    """Map a ControlError's details onto form fields under the key path ``prefix``."""
    errors: dict[str, str] = {}
    general: list[str] = []
    for detail in error.details:
        key = str(detail.get("key") or detail.get("field") or "")
        message = str(detail.get("message", ""))
        if key.startswith("edits") or key.startswith("operator."):
            key = key.split(".", 1)[1] if key.startswith("operator.") else ""
        elif prefix and key.startswith(prefix):
            key = field_of(key, prefix)
        elif key:
            general.append(f"{key}: {message}")
            continue
        if key:
            errors.setdefault(key, message)
        else:
            general.append(message)
    if not error.details:
        general.append(error.message)
    return Rejected(errors, "\n".join(general), list(error.details))


class CenterEditor:
    """Sends commands to the core; after a saved edit, calls ``on_config`` with the new view."""

    def __init__(self, client: ControlClient | None) -> None:
        self.client = client
        self.on_config: Callable[[dict[str, Any], bool], None] | None = None

    async def request(self, command: str, *, prefix: str = "", **args: Any) -> Any:
        """Run ``command``; raise ``Rejected`` (errors by field under ``prefix``) on failure."""
        if self.client is None:
            raise Rejected({}, "not connected to the core")
        try:
            result = await self.client.request(command, **args)
        except ControlError as error:
            raise rejection(error, prefix) from None
        if isinstance(result, dict) and "model" in result and self.on_config is not None:
            self.on_config(result, command in EDIT_COMMANDS)
        return result
