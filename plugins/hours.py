"""Business hours and holidays: is a menu, number or queue open at a given moment?

A library module (no hooks), used by the ivr and routing plugins. Opening hours are weekly
ranges per day in the hours' own time zone (else the center's), such as
``monday = ["09:00-12:00", "13:00-17:00"]``; a range ending at ``24:00`` runs to midnight, so a
night shift is written as ``"22:00-24:00"`` on one day and ``"00:00-06:00"`` on the next.
Holidays are closed all day, as dates in that time zone. Wall-clock times are compared in the
local time of the moment, so daylight-saving changes move the opening with the clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ccore.config_routing import WEEKDAYS, Hours, parse_time_range
from ccore.config_schema import CenterModel

__all__ = ["hours_for", "is_open", "local_time", "ranges_on"]

TimeRange = tuple[dt.time, dt.time | None]


def local_time(hours: Hours, default_timezone: str, at: dt.datetime | None = None) -> dt.datetime:
    """The moment ``at`` (default: now) as wall-clock time in the hours' time zone.

    An aware ``at`` is converted; a naive one is taken as already local to the hours.
    """
    zone = ZoneInfo(hours.timezone or default_timezone)
    if at is None:
        return dt.datetime.now(zone)
    if at.tzinfo is None or at.utcoffset() is None:
        return at.replace(tzinfo=zone)
    return at.astimezone(zone)


def ranges_on(hours: Hours, day: dt.date) -> list[TimeRange]:
    """The opening ranges of ``day`` in start order (none on a holiday)."""
    if day in hours.holidays:
        return []
    texts: list[str] = getattr(hours, WEEKDAYS[day.weekday()])
    return sorted(parse_time_range(text) for text in texts)


def is_open(hours: Hours, default_timezone: str, at: dt.datetime | None = None) -> bool:
    """Whether ``hours`` are open at ``at`` (default: now); holidays are closed all day.

    The rule itself is the model's (``Hours.is_open``); this adds "now" and reads a naive
    ``at`` as local time.
    """
    return hours.is_open(local_time(hours, default_timezone, at), default_timezone)


def hours_for(model: CenterModel, name: str | None) -> Hours | None:
    """The ``[hours.<name>]`` table, or None when ``name`` is None (always open).

    A name that is not defined raises ``KeyError``: a loaded center has its references checked,
    so this is a programming error rather than something to guess about on a live call.
    """
    if name is None:
        return None
    try:
        return model.hours[name]
    except KeyError:
        known = ", ".join(sorted(model.hours)) or "none"
        raise KeyError(f"no opening hours [hours.{name}] (known: {known})") from None
