"""Domain events the control API fires on the center's bus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ccore.events import ConfigReloaded, Event

__all__ = ["ConfigReloaded", "ConfigSaved"]


@dataclass(frozen=True, kw_only=True)
class ConfigSaved(Event):
    """An edit through the control API was validated and written to center.toml."""

    name: ClassVar[str] = "config.saved"
    edits: int = 0
