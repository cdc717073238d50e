"""center.toml models for where callers go: actions, IVR menus, queues and opening hours.

Cross-references (a menu option naming a queue, a queue naming its hours, ...) are checked by
``ccore.config_references`` once the whole file is read.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, field_validator, model_validator

from ccore.config_types import (
    CallerPattern,
    DtmfKey,
    Extension,
    Priority,
    Seconds,
    Skills,
    Slug,
    Sound,
    StrictModel,
    TimeZoneName,
    invalid,
    quoted,
)

# --- actions: what happens to a caller ------------------------------------------------------


class SubmenuAction(StrictModel):
    """Send the caller to another IVR menu."""

    action: Literal["submenu"]
    menu: Slug


class QueueAction(StrictModel):
    """Put the caller in a queue, optionally requiring skills and raising their priority."""

    action: Literal["queue"]
    queue: Slug
    skills: Skills = Field(default_factory=dict)  # added to the queue's own required skills
    priority: Priority = 0


class TransferAction(StrictModel):
    """Ring one operator's extension directly."""

    action: Literal["transfer"]
    extension: Extension


class VoicemailAction(StrictModel):
    """Let the caller leave a message in a voicemail box (a [voicemail.<box>] or an extension)."""

    action: Literal["voicemail"]
    box: Slug


class CallbackAction(StrictModel):
    """Offer to call the caller back from a queue (the queue must have callbacks enabled)."""

    action: Literal["callback"]
    queue: Slug


class HangupAction(StrictModel):
    """End the call, optionally after playing a message."""

    action: Literal["hangup"]
    message: Sound | None = None


class PlayAction(StrictModel):
    """Play information (opening hours, an address, ...) and return to the menu."""

    action: Literal["play"]
    file: Sound


class RepeatAction(StrictModel):
    """Play the menu's greeting again."""

    action: Literal["repeat"]


Destination = Annotated[
    SubmenuAction | QueueAction | TransferAction | VoicemailAction | CallbackAction | HangupAction,
    Field(discriminator="action"),
]
"""Where a caller ends up: used for defaults, closed hours and overflow."""

MenuChoice = Annotated[
    SubmenuAction
    | QueueAction
    | TransferAction
    | VoicemailAction
    | CallbackAction
    | HangupAction
    | PlayAction
    | RepeatAction,
    Field(discriminator="action"),
]
"""What one key of an IVR menu does."""

ACTION_NAMES: tuple[str, ...] = (
    "submenu",
    "queue",
    "transfer",
    "voicemail",
    "callback",
    "hangup",
    "play",
    "repeat",
)

# --- opening hours --------------------------------------------------------------------------

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


def parse_time_range(text: str) -> tuple[dt.time, dt.time | None]:
    """Parse ``"09:00-17:00"`` into (start, end); an end of ``24:00`` is returned as None."""
    try:
        start_text, end_text = text.split("-")
        start = dt.time.fromisoformat(start_text.strip())
        end_text = end_text.strip()
        end = None if end_text == "24:00" else dt.time.fromisoformat(end_text)
    except ValueError:
        raise ValueError(
            f'expected a time range such as "09:00-17:00"; got {quoted(text)}'
        ) from None
    if end is not None and end <= start:
        raise ValueError(f"expected the range to end after it starts; got {quoted(text)}")
    return start, end


def _check_time_range(text: str) -> str:
    parse_time_range(text)
    return text


TimeRange = Annotated[str, AfterValidator(_check_time_range)]


class Hours(StrictModel):
    """Weekly opening hours with holidays, e.g. ``monday = ["09:00-12:00", "13:00-17:00"]``."""

    timezone: TimeZoneName | None = None  # defaults to [center] timezone
    monday: list[TimeRange] = Field(default_factory=list)
    tuesday: list[TimeRange] = Field(default_factory=list)
    wednesday: list[TimeRange] = Field(default_factory=list)
    thursday: list[TimeRange] = Field(default_factory=list)
    friday: list[TimeRange] = Field(default_factory=list)
    saturday: list[TimeRange] = Field(default_factory=list)
    sunday: list[TimeRange] = Field(default_factory=list)
    holidays: list[dt.date] = Field(default_factory=list)
    closed: Destination | None = None  # what callers get when closed, unless the user says

    @field_validator(*WEEKDAYS)
    @classmethod
    def _ranges_do_not_overlap(cls, texts: list[str]) -> list[str]:
        ranges = sorted(parse_time_range(text) for text in texts)
        for (_, end), (next_start, _) in itertools.pairwise(ranges):
            if end is None or end > next_start:
                raise ValueError(f"time ranges overlap: {', '.join(texts)}")
        return texts

    def is_open(self, moment: dt.datetime, default_timezone: str) -> bool:
        """Return whether these hours are open at ``moment`` (an aware datetime)."""
        local = moment.astimezone(ZoneInfo(self.timezone or default_timezone))
        if local.date() in self.holidays:
            return False
        now = local.time().replace(tzinfo=None)
        for text in getattr(self, WEEKDAYS[local.weekday()]):
            start, end = parse_time_range(text)
            if start <= now and (end is None or now < end):
                return True
        return False


# --- IVR menus ------------------------------------------------------------------------------


class Menu(StrictModel):
    """An IVR menu: ``[ivr.<name>]`` with ``[ivr.<name>.options]`` keyed by phone key."""

    greeting: Sound
    timeout: Seconds = 5  # seconds to wait for a key after the greeting
    max_tries: int = Field(default=3, ge=1, le=10)
    invalid_prompt: Sound = "tone:error"
    timeout_prompt: Sound | None = None  # None: play the greeting again
    default: Destination = Field(default_factory=lambda: HangupAction(action="hangup"))
    hours: Slug | None = None
    closed: Destination | None = None  # None: the hours' own closed action
    options: dict[DtmfKey, MenuChoice] = Field(default_factory=dict)


# --- queues ---------------------------------------------------------------------------------

Strategy = Literal["longest-idle", "round-robin", "fewest-calls", "ring-all", "skills"]
STRATEGIES: tuple[str, ...] = ("longest-idle", "round-robin", "fewest-calls", "ring-all", "skills")


class EscalationStep(StrictModel):
    """After a caller waited ``after`` seconds, widen who may be offered the call."""

    after: Seconds
    relax_by: int = Field(default=0, ge=0, le=9)  # lower every required skill level by this
    skills: Skills | None = None  # or replace the required skills outright
    tier: int | None = Field(default=None, ge=1)  # also offer to operators up to this tier

    @model_validator(mode="after")
    def _changes_something(self) -> EscalationStep:
        if self.relax_by == 0 and self.skills is None and self.tier is None:
            raise invalid("EscalationStep", "after", "a step also needs relax_by, skills or tier")
        return self


class Callback(StrictModel):
    """Virtual queue: a waiting caller presses ``key`` to be called back and keeps the place."""

    enabled: bool = False
    key: DtmfKey = "1"
    offer_after: Seconds = 60  # offer the callback once the caller has waited this long
    retries: int = Field(default=3, ge=0, le=20)
    retry_delay: Seconds = 120
    expiry: Seconds = 4 * 3600  # give up on a callback not reached within this time


class PriorityRule(StrictModel):
    """Callers whose number matches get this priority (VIPs). ``"+4930*"`` matches a prefix."""

    caller_ids: list[CallerPattern] = Field(min_length=1)
    priority: Priority = Field(ge=1)

    def matches(self, caller_id: str) -> bool:
        """Return whether a caller's number matches one of this rule's numbers or prefixes."""
        for pattern in self.caller_ids:
            if pattern.endswith("*"):
                if caller_id.startswith(pattern[:-1]):
                    return True
            elif caller_id == pattern:
                return True
        return False


class Queue(StrictModel):
    """A queue of waiting callers and the operators who answer them (``[[queues]]``)."""

    name: Slug
    display_name: str | None = None
    strategy: Strategy = "longest-idle"
    skills: Skills = Field(default_factory=dict)  # required skills with minimum levels
    tiers: list[list[Extension]] = Field(default_factory=list)  # empty: every operator
    escalation: list[EscalationStep] = Field(default_factory=list)
    ring_timeout: Seconds = 20
    wrap_up: Seconds = 10
    max_wait: Seconds | None = None
    max_length: int | None = Field(default=None, ge=1)
    overflow: Destination | None = None  # required when max_wait or max_length is set
    music: Sound = "tone:hold"
    announce_position_every: Seconds = 60  # 0: never announce position and expected wait
    callback: Callback = Field(default_factory=Callback)
    priority: list[PriorityRule] = Field(default_factory=list)
    missed_calls_before_break: int = Field(default=3, ge=0, le=20)  # 0: never auto-break
    hours: Slug | None = None
    closed: Destination | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Queue:
        if (self.max_wait is not None or self.max_length is not None) and self.overflow is None:
            message = "max_wait or max_length is set, so an overflow action is required"
            raise invalid("Queue", "overflow", message)
        afters = [step.after for step in self.escalation]
        if afters != sorted(set(afters)):
            message = "escalation steps need increasing 'after' times"
            raise invalid("Queue", "escalation", message, afters)
        if self.strategy == "skills" and not self.skills:
            message = 'strategy "skills" needs the queue\'s required skills'
            raise invalid("Queue", "skills", message, self.skills)
        return self

    def priority_for(self, caller_id: str) -> int:
        """Return the highest priority a caller's number earns in this queue (0 if none)."""
        return max((rule.priority for rule in self.priority if rule.matches(caller_id)), default=0)


__all__ = [
    "ACTION_NAMES",
    "STRATEGIES",
    "WEEKDAYS",
    "Callback",
    "CallbackAction",
    "Destination",
    "EscalationStep",
    "HangupAction",
    "Hours",
    "Menu",
    "MenuChoice",
    "PlayAction",
    "PriorityRule",
    "Queue",
    "QueueAction",
    "RepeatAction",
    "Strategy",
    "SubmenuAction",
    "TransferAction",
    "VoicemailAction",
    "parse_time_range",
]
