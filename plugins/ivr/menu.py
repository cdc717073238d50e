"""One caller's way through the IVR menus, from the greeting to where they leave.

``MenuCall.run`` answers the call, checks opening hours, plays each menu's greeting and collects
a key with ``play_and_get_digits`` (one try at a time, so every timeout and wrong key is an
event), and follows the option: a submenu, information played before returning, a repeat, or a
final action that sends the caller on (queue, extension, voicemail, callback, hangup). After
``max_tries`` prompts without a valid key the menu's default action runs. A caller who hangs up
stops the run at once (the Switch facade raises ``CallGone``) with ``ivr.exited``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ccore.config_routing import (
    HangupAction,
    Menu,
    PlayAction,
    RepeatAction,
    SubmenuAction,
)
from ccore.config_schema import CenterModel, Number
from ccore.events import Event
from ccore.switch import CallGone, SwitchError

from ..hours import hours_for, is_open
from .actions import describe, send_on
from .events import (
    IvrClosed,
    IvrDigit,
    IvrEntered,
    IvrExited,
    IvrInvalid,
    IvrOptionChosen,
    IvrTimeout,
)
from .prompts import resolve

if TYPE_CHECKING:
    from ccore.core import Center

_LOGGER = logging.getLogger(__name__)

MAX_PROMPTS_PER_MENU = 20
"""A caller who keeps choosing repeat or information gets the default action after this many."""

MAX_MENUS_PER_CALL = 100
"""Menus one call may enter; beyond it (menus closed into each other, say) the call is hung up."""

FALLBACK_VARIABLE = "ccore_fallback"  # set by the rendered dialplan's fallback actions
NUMBER_VARIABLE = "ccore_number"  # set by the rendered dialplan before its socket to ccore
DIGIT_REGEXP = "[0-9*#]"  # accept every key; the menu decides what is valid
NO_INVALID_SOUND = "silence_stream://10"  # the menu plays its own invalid prompt

Clock = Callable[[], dt.datetime]
"""What time it is for opening hours (default: the center's clock, sped up with the stand-in)."""


@dataclass(frozen=True)
class ClosedMessages:
    """What a caller hears before the closed action: per menu, else the default."""

    default: str | None
    per_menu: dict[str, str]

    def for_menu(self, menu: str) -> str | None:
        """The closed message of ``menu`` (None: play nothing)."""
        return self.per_menu.get(menu, self.default) or None


class MenuCall:
    """Runs one caller through the menus; ``step`` and ``menu`` say where they are."""

    def __init__(
        self,
        center: Center,
        call_uuid: str,
        menu: str,
        *,
        number: Number | None = None,
        number_hours: bool = True,
        resumed: bool = False,
        closed_messages: ClosedMessages | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.center = center
        self.call_uuid = call_uuid
        self.start_menu = menu
        self.number = number
        self.number_hours = number_hours  # False when the call was in the IVR before
        self.resumed = resumed  # taken over after a restart of ccore
        self.closed_messages = closed_messages or ClosedMessages(None, {})
        self.clock = clock or (lambda: dt.datetime.fromtimestamp(center.clock.now(), dt.UTC))
        self.menu = menu
        self.step = "entering"
        self.exited = False
        self.stopped = False  # the plugin is unloading: end at the next step

    @property
    def model(self) -> CenterModel:
        """The center's configuration as it is now (edits apply to the next caller step)."""
        return self.center.config.model

    @property
    def center_dir(self) -> Path:
        """Where relative prompt paths start."""
        return self.center.config.directory

    def fire(self, event: Event) -> None:
        """Fire an IVR event on the center's bus."""
        self.center.bus.fire(event)

    async def run(self) -> None:
        """Take the caller through the menus until they leave; never raises for a hangup.

        If anything else goes wrong (the switch connection drops, a bug), the caller is handed
        back to the dialplan's fallback rather than left in silence.
        """
        try:
            if self.resumed:
                if await self._in_fallback():
                    return
                await self._stop_what_plays()
            await self._answer()
            await self._walk()
        except CallGone:
            self._left()
        except Exception as err:
            if not self._call_is_live():
                _LOGGER.debug("Call %s gone during %s: %s", self.call_uuid, self.step, err)
                self._left()
                return
            _LOGGER.exception(
                "Call %s failed in menu %s at %s; handing it to the fallback",
                self.call_uuid, self.menu, self.step,
            )
            await self._to_fallback()

    async def _in_fallback(self) -> bool:
        """Whether the call is the dialplan's now: its ``socket`` to ccore closed with the restart.

        A call the rendered dialplan handed to ccore (it set ``ccore_number``, then ``socket``)
        goes on to the number's fallback once that socket closes, as soon as what it runs ends
        (the fallback then sets ``ccore_fallback``). Such a call is left to FreeSWITCH; only a
        call that was parked without a socket is taken through the menu again.
        """
        switch = self.center.switch
        if self.call_uuid not in self.center.outbound_sessions and (
            await switch.get_variable(self.call_uuid, FALLBACK_VARIABLE) == "true"
            or await switch.get_variable(self.call_uuid, NUMBER_VARIABLE) is not None
        ):
            _LOGGER.info("Call %s is the dialplan's since ccore restarted", self.call_uuid)
            self.exited = True
            self.fire(IvrExited(call_uuid=self.call_uuid, menu=self.menu, step="restart",
                                action="fallback"))
            return True
        return False

    async def _stop_what_plays(self) -> None:
        """Break the prompt the previous ccore left playing, so this run's prompt follows now."""
        with contextlib.suppress(SwitchError):
            await self.center.switch.api(f"uuid_break {self.call_uuid} all")

    async def _to_fallback(self) -> None:
        if not self.exited:
            self.exited = True
            self.fire(IvrExited(call_uuid=self.call_uuid, menu=self.menu, step=self.step,
                                action="fallback"))
        try:
            await self.center.release_call(self.call_uuid)
        except Exception:
            _LOGGER.exception("Could not hand call %s to the fallback", self.call_uuid)

    # --- the walk through the menus ----------------------------------------------------------

    async def _walk(self) -> None:
        menu_name, came_from = self.start_menu, ""
        for _ in range(MAX_MENUS_PER_CALL):
            self._check_stopped()
            self.menu, self.step = menu_name, "entering"
            menu = self.model.ivr.get(menu_name)
            if menu is None:
                _LOGGER.error("Call %s: no IVR menu %r; hanging up", self.call_uuid, menu_name)
                break
            number = self.number.number if self.number is not None and not came_from else ""
            resumed = self.resumed and not came_from
            self.fire(IvrEntered(call_uuid=self.call_uuid, menu=menu_name, came_from=came_from,
                                 number=number, resumed=resumed))
            closed = self._closed(menu_name, menu, first=not came_from)
            if closed is not None:
                hours_name, action = closed
                kind, target = describe(action)
                self.fire(IvrClosed(call_uuid=self.call_uuid, menu=menu_name, hours=hours_name,
                                    action=kind, target=target))
                self.step = "closed"
                message = self.closed_messages.for_menu(menu_name)
                if message is not None:
                    await self.center.switch.play(self.call_uuid, resolve(message, self.center_dir))
            else:
                action = await self._choose(menu_name, menu)
            if isinstance(action, SubmenuAction):
                menu_name, came_from = action.menu, menu_name
                continue
            await self._leave(action, step=self.step)
            return
        else:
            _LOGGER.error("Call %s went through %d menus; hanging up", self.call_uuid,
                          MAX_MENUS_PER_CALL)
        await self._leave(HangupAction(action="hangup"), step="entering")

    async def _choose(self, menu_name: str, menu: Menu) -> object:
        """Prompt until the caller picks an option that leaves this menu, or use the default."""
        switch = self.center.switch
        failures = prompts = 0
        prompt = menu.greeting
        while failures < menu.max_tries and prompts < MAX_PROMPTS_PER_MENU:
            self._check_stopped()
            prompts += 1
            attempt = failures + 1
            self.step = "greeting"
            digit = await switch.play_and_get_digits(
                self.call_uuid,
                resolve(prompt, self.center_dir),
                tries=1,
                timeout_ms=max(1, int(menu.timeout * 1000)),
                terminators="",
                invalid_prompt=NO_INVALID_SOUND,
                regexp=DIGIT_REGEXP,
            )
            if not digit:
                self.fire(IvrTimeout(call_uuid=self.call_uuid, menu=menu_name, attempt=attempt))
                failures += 1
                prompt = menu.timeout_prompt or menu.greeting
                continue
            self.fire(IvrDigit(call_uuid=self.call_uuid, menu=menu_name, digit=digit,
                               attempt=attempt))
            option = menu.options.get(digit)
            prompt = menu.greeting
            if option is None:
                self.fire(IvrInvalid(call_uuid=self.call_uuid, menu=menu_name, digit=digit,
                                     attempt=attempt))
                failures += 1
                self.step = "invalid"
                await switch.play(self.call_uuid, resolve(menu.invalid_prompt, self.center_dir))
                continue
            kind, target = describe(option)
            self.fire(IvrOptionChosen(call_uuid=self.call_uuid, menu=menu_name, digit=digit,
                                      action=kind, target=target))
            if isinstance(option, RepeatAction):
                continue
            if isinstance(option, PlayAction):
                self.step = "play"
                await switch.play(self.call_uuid, resolve(option.file, self.center_dir))
                continue
            self.step = "option"
            return option
        kind, target = describe(menu.default)
        self.fire(IvrOptionChosen(call_uuid=self.call_uuid, menu=menu_name, action=kind,
                                  target=target, by_default=True))
        self.step = "default"
        return menu.default

    def _closed(self, menu_name: str, menu: Menu, *, first: bool) -> tuple[str, object] | None:
        """(hours name, closed action) when the number (at the start) or the menu is closed."""
        model = self.model
        moment = self.clock()
        number = self.number if first and self.number_hours else None
        if number is not None and number.hours is not None:
            hours = hours_for(model, number.hours)
            if hours is not None and not is_open(hours, model.center.timezone, moment):
                action = number.closed or hours.closed or menu.closed
                return number.hours, action or HangupAction(action="hangup")
        if menu.hours is not None:
            hours = hours_for(model, menu.hours)
            if hours is not None and not is_open(hours, model.center.timezone, moment):
                return menu.hours, menu.closed or hours.closed or HangupAction(action="hangup")
        return None

    # --- leaving -----------------------------------------------------------------------------

    async def _answer(self) -> None:
        channel = self.center.calls.channels.get(self.call_uuid)
        if channel is None or not channel.is_live:
            raise CallGone(self.call_uuid, channel.hangup_cause if channel else "unknown")
        if channel.answered_at is None:
            try:
                await self.center.switch.answer(self.call_uuid)
            except SwitchError:
                if channel.answered_at is None:  # answered meanwhile is fine
                    raise

    async def _leave(self, action: object, *, step: str) -> None:
        """Announce where the caller goes (``ivr.exited``), then send them there."""
        kind, target = describe(action)
        self.exited = True
        self.fire(IvrExited(call_uuid=self.call_uuid, menu=self.menu, step=step, action=kind,
                            target=target))
        self.step = "action"
        # voicemail ends when the caller hangs up: they have left the IVR already
        with contextlib.suppress(CallGone):
            await send_on(self.center, self.call_uuid, action, self.center_dir)

    def _left(self) -> None:
        if self.exited:
            return
        self.exited = True
        self.fire(IvrExited(call_uuid=self.call_uuid, menu=self.menu, step=self.step,
                            caller_hung_up=True))

    def _check_stopped(self) -> None:
        """End the run when the plugin unloads, even if a cancellation was lost on the way."""
        if self.stopped:
            raise asyncio.CancelledError(f"ivr unloading; call {self.call_uuid} left alone")

    def _call_is_live(self) -> bool:
        channel = self.center.calls.channels.get(self.call_uuid)
        return channel is not None and channel.is_live
