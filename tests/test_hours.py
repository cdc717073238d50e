"""Business hours: weekly ranges, several ranges a day, nights, holidays and time zones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ccore.config import parse_center
from ccore.config_schema import WEEKDAYS, Hours
from ccore_plugins.hours import hours_for, is_open, local_time, ranges_on

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC

# 2026-11-23 is a Monday.
MONDAY = dt.date(2026, 11, 23)


def at(day: dt.date, clock: str, zone: dt.tzinfo = BERLIN) -> dt.datetime:
    """An aware moment on ``day`` at ``clock`` (HH:MM[:SS]) in ``zone``."""
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=zone)


def test_open_inside_a_range_closed_before_and_at_its_end() -> None:
    hours = Hours(monday=["09:00-17:00"])

    assert not is_open(hours, "Europe/Berlin", at(MONDAY, "08:59:59"))
    assert is_open(hours, "Europe/Berlin", at(MONDAY, "09:00"))
    assert is_open(hours, "Europe/Berlin", at(MONDAY, "16:59:59"))
    assert not is_open(hours, "Europe/Berlin", at(MONDAY, "17:00"))


def test_days_without_ranges_are_closed() -> None:
    hours = Hours(monday=["09:00-17:00"])

    assert not is_open(hours, "Europe/Berlin", at(MONDAY + dt.timedelta(days=1), "12:00"))
    assert not is_open(Hours(), "Europe/Berlin", at(MONDAY, "12:00"))


def test_lunch_break_between_two_ranges_is_closed() -> None:
    hours = Hours(monday=["13:00-17:00", "09:00-12:00"])

    assert is_open(hours, "UTC", at(MONDAY, "11:59", UTC))
    assert not is_open(hours, "UTC", at(MONDAY, "12:30", UTC))
    assert is_open(hours, "UTC", at(MONDAY, "13:00", UTC))
    assert [str(start) for start, _ in ranges_on(hours, MONDAY)] == ["09:00:00", "13:00:00"]


def test_night_shift_across_midnight_is_written_as_two_ranges() -> None:
    hours = Hours(monday=["22:00-24:00"], tuesday=["00:00-06:00"])
    tuesday = MONDAY + dt.timedelta(days=1)

    assert not is_open(hours, "UTC", at(MONDAY, "21:59", UTC))
    assert is_open(hours, "UTC", at(MONDAY, "23:59:59.999", UTC))
    assert is_open(hours, "UTC", at(tuesday, "00:00", UTC))
    assert is_open(hours, "UTC", at(tuesday, "05:59", UTC))
    assert not is_open(hours, "UTC", at(tuesday, "06:00", UTC))


def test_a_holiday_is_closed_all_day_in_the_hours_time_zone() -> None:
    hours = Hours(
        timezone="Europe/Berlin",
        monday=["00:00-24:00"],
        tuesday=["00:00-24:00"],
        holidays=[MONDAY],
    )

    assert not is_open(hours, "UTC", at(MONDAY, "12:00"))
    # 23:30 UTC on Sunday is already Monday in Berlin: the holiday has begun there.
    assert not is_open(hours, "UTC", at(MONDAY - dt.timedelta(days=1), "23:30", UTC))
    # 23:30 UTC on Monday is Tuesday in Berlin: open again.
    assert is_open(hours, "UTC", at(MONDAY, "23:30", UTC))
    assert ranges_on(hours, MONDAY) == []


def test_the_centers_time_zone_applies_when_the_hours_name_none() -> None:
    hours = Hours(monday=["09:00-17:00"])
    moment = at(MONDAY, "16:30", UTC)  # 17:30 in Berlin, 11:30 in New York

    assert not is_open(hours, "Europe/Berlin", moment)
    assert is_open(hours, "America/New_York", moment)
    assert is_open(hours.model_copy(update={"timezone": "America/New_York"}), "Europe/Berlin",
                   moment)


def test_opening_follows_the_wall_clock_across_daylight_saving_time() -> None:
    hours = Hours(timezone="Europe/Berlin", monday=["09:00-17:00"], sunday=["01:00-03:00"])
    winter_monday = dt.date(2026, 3, 23)  # CET, UTC+1
    summer_monday = dt.date(2026, 3, 30)  # CEST, UTC+2

    assert is_open(hours, "UTC", at(winter_monday, "15:30", UTC))  # 16:30 local
    assert not is_open(hours, "UTC", at(summer_monday, "15:30", UTC))  # 17:30 local
    assert is_open(hours, "UTC", at(summer_monday, "07:00", UTC))  # 09:00 local
    assert not is_open(hours, "UTC", at(winter_monday, "07:00", UTC))  # 08:00 local

    # The night the clocks go forward (29 March 2026, 02:00 CET -> 03:00 CEST).
    change_day = dt.date(2026, 3, 29)
    assert is_open(hours, "UTC", at(change_day, "00:59", UTC))  # 01:59 CET
    assert not is_open(hours, "UTC", at(change_day, "01:00", UTC))  # 03:00 CEST


def test_a_range_repeated_when_the_clocks_go_back_is_open_both_times() -> None:
    hours = Hours(timezone="America/New_York", sunday=["01:00-02:00"])
    change_day = dt.date(2026, 11, 1)  # 02:00 EDT -> 01:00 EST

    assert is_open(hours, "UTC", at(change_day, "05:30", UTC))  # 01:30 EDT
    assert is_open(hours, "UTC", at(change_day, "06:30", UTC))  # 01:30 EST
    assert not is_open(hours, "UTC", at(change_day, "07:00", UTC))  # 02:00 EST


def test_a_naive_moment_is_read_as_local_to_the_hours() -> None:
    hours = Hours(timezone="America/New_York", monday=["09:00-17:00"])

    assert is_open(hours, "UTC", dt.datetime(2026, 11, 23, 9, 0))
    assert local_time(hours, "UTC", dt.datetime(2026, 11, 23, 9, 0)).tzinfo == NEW_YORK


def test_now_is_used_when_no_moment_is_given() -> None:
    always = Hours(**{day: ["00:00-24:00"] for day in WEEKDAYS})
    never = Hours(holidays=[dt.date.today()])

    assert is_open(always, "Europe/Berlin")
    assert not is_open(never, "UTC")


def test_hours_for_finds_the_named_table_and_none_means_always_open() -> None:
    _, model = parse_center(
        '[center]\nname = "Acme"\n\n[hours.office]\nmonday = ["09:00-17:00"]\n',
        Path("center.toml"),
    )

    office = hours_for(model, "office")
    assert office is not None and office.monday == ["09:00-17:00"]
    assert hours_for(model, None) is None
    with pytest.raises(KeyError, match=r"no opening hours \[hours.night\] \(known: office\)"):
        hours_for(model, "night")
