"""IVR events: every step a caller takes through the menus, so reports see where they drop out.

Each carries the call's UUID and the menu the caller was in. The journal appends them to the
``events`` table like every other domain event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ccore.events import Event

__all__ = [
    "IvrClosed",
    "IvrDigit",
    "IvrEntered",
    "IvrExited",
    "IvrInvalid",
    "IvrOptionChosen",
    "IvrTimeout",
]


@dataclass(frozen=True, kw_only=True)
class IvrEntered(Event):
    """The caller entered a menu (``came_from`` is the menu they left, empty at the start).

    ``resumed``: the caller was in this menu when ccore restarted and is taken through it again.
    """

    name: ClassVar[str] = "ivr.entered"
    menu: str = ""
    came_from: str = ""
    number: str = ""  # the number the caller dialed, when known
    resumed: bool = False


@dataclass(frozen=True, kw_only=True)
class IvrDigit(Event):
    """The caller pressed a key while a menu waited for one (``attempt`` counts from 1)."""

    name: ClassVar[str] = "ivr.digit"
    menu: str = ""
    digit: str = ""
    attempt: int = 1


@dataclass(frozen=True, kw_only=True)
class IvrOptionChosen(Event):
    """A menu option runs: the caller's key, or the menu's default after too many tries.

    ``action`` is the option's kind (``queue``, ``submenu``, ...), ``target`` what it names
    (queue, menu, extension, box or file); ``by_default`` when the caller chose nothing valid.
    """

    name: ClassVar[str] = "ivr.option_chosen"
    menu: str = ""
    digit: str = ""
    action: str = ""
    target: str = ""
    by_default: bool = False


@dataclass(frozen=True, kw_only=True)
class IvrTimeout(Event):
    """The caller pressed nothing within the menu's timeout."""

    name: ClassVar[str] = "ivr.timeout"
    menu: str = ""
    attempt: int = 1


@dataclass(frozen=True, kw_only=True)
class IvrInvalid(Event):
    """The caller pressed a key the menu has no option for."""

    name: ClassVar[str] = "ivr.invalid"
    menu: str = ""
    digit: str = ""
    attempt: int = 1


@dataclass(frozen=True, kw_only=True)
class IvrClosed(Event):
    """The caller reached a menu outside its opening hours (or the number's)."""

    name: ClassVar[str] = "ivr.closed"
    menu: str = ""
    hours: str = ""
    action: str = ""
    target: str = ""


@dataclass(frozen=True, kw_only=True)
class IvrExited(Event):
    """The caller left the IVR: hung up, or an action took them elsewhere.

    ``step`` says where they were (``entering``, ``greeting``, ``option``, ``closed``, ``play``,
    ``action``); ``action`` is the final action when the IVR sent them on (empty when they hung
    up); ``caller_hung_up`` tells the two apart.
    """

    name: ClassVar[str] = "ivr.exited"
    menu: str = ""
    step: str = ""
    action: str = ""
    target: str = ""
    caller_hung_up: bool = False
