"""What center.toml accepts and refuses about routing, queues, hours and numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ccore.config import ConfigError, load_center, parse_center
from ccore.config_schema import CenterModel, Hours, QueueAction

BASE = """\
[center]
name = "Acme"
timezone = "Europe/Berlin"

[[operators]]
extension = "1001"
name = "Alice"

[[queues]]
name = "support"

[ivr.main]
greeting = "tone:beep"
"""


def center(extra: str = "", base: str = BASE) -> CenterModel:
    return parse_center(base + extra, Path("center.toml"))[1]


def problems(extra: str, base: str = BASE) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        center(extra, base)
    return [(problem.key_path, problem.message) for problem in caught.value.errors]


def test_a_number_goes_to_exactly_one_place() -> None:
    assert problems('\n[[numbers]]\nnumber = "+4930100"\nivr = "main"\nqueue = "support"\n') == [
        ("numbers[0].ivr", "set exactly one of ivr, queue or extension")
    ]
    model = center('\n[[numbers]]\nnumber = 4930100\nextension = "1001"\n')
    assert model.numbers[0].number == "4930100"
    assert model.numbers[0].fallback.ring == "all"


def test_a_queue_with_a_wait_limit_needs_an_overflow_action() -> None:
    text = BASE.replace('name = "support"\n', 'name = "support"\nmax_wait = 300\n')

    assert problems("", text) == [
        ("queues[0].overflow", "max_wait or max_length is set, so an overflow action is required")
    ]


def test_overflow_into_another_queue_and_escalation_steps_are_accepted() -> None:
    text = BASE + (
        '\n[[queues]]\nname = "sales"\nstrategy = "skills"\nskills = { german = 6 }\n'
        'tiers = [["1001"]]\nmax_length = 10\noverflow = { action = "queue", queue = "support" }\n'
        "escalation = [{ after = 30, relax_by = 2 }, { after = 60, tier = 1 }]\n"
    )

    sales = center("", text).queue("sales")

    assert sales is not None
    assert isinstance(sales.overflow, QueueAction) and sales.overflow.queue == "support"
    assert [step.after for step in sales.escalation] == [30, 60]


def test_escalation_steps_must_come_in_time_order() -> None:
    text = BASE.replace(
        'name = "support"\n',
        'name = "support"\n'
        "escalation = [{ after = 60, relax_by = 1 }, { after = 30, relax_by = 2 }]\n",
    )

    assert problems("", text)[0][0] == "queues[0].escalation"


def test_vip_callers_get_priority_by_number_or_prefix() -> None:
    text = BASE.replace(
        'name = "support"\n',
        'name = "support"\n'
        '[[queues.priority]]\ncaller_ids = ["+4930555", "+4989*"]\npriority = 10\n',
    )

    queue = center("", text).queues[0]

    assert queue.priority_for("+4930555") == 10
    assert queue.priority_for("+498912345") == 10
    assert queue.priority_for("+4930556") == 0


def test_a_callback_offer_needs_a_queue_that_does_callbacks() -> None:
    extra = '\n[ivr.main.options]\n5 = { action = "callback", queue = "support" }\n'

    assert problems(extra) == [
        ("ivr.main.options.5.queue", 'queue "support" does not have callback.enabled = true')
    ]
    text = BASE.replace('name = "support"\n', 'name = "support"\ncallback = { enabled = true }\n')
    assert center(extra, text).ivr["main"].options["5"].action == "callback"


def test_a_menu_cannot_be_its_own_submenu_and_voicemail_may_use_an_extension() -> None:
    extra = (
        '\n[ivr.main.options]\n1 = { action = "submenu", menu = "main" }\n'
        '2 = { action = "voicemail", box = "1001" }\n'
    )

    assert problems(extra) == [
        ("ivr.main.options.1.menu", 'use action = "repeat" to replay this menu')
    ]


def test_references_to_missing_hours_extensions_and_boxes_are_all_reported() -> None:
    extra = (
        '\n[[numbers]]\nnumber = "+4930100"\nivr = "main"\nhours = "office"\n'
        'fallback = { ring = ["1001", "1009"], voicemail = "sales" }\n'
    )

    assert problems(extra) == [
        ("numbers[0].hours", "no opening hours [hours.office] (none defined)"),
        ("numbers[0].fallback.ring[1]", "no operator with extension 1009"),
        ("numbers[0].fallback.voicemail", 'no voicemail box "sales"'),
    ]


def test_overlapping_opening_hours_are_refused() -> None:
    extra = '\n[hours.office]\nmonday = ["09:00-13:00", "12:00-17:00"]\n'

    assert problems(extra) == [
        ("hours.office.monday", "time ranges overlap: 09:00-13:00, 12:00-17:00")
    ]


def test_hours_are_open_in_their_own_time_zone_and_closed_on_holidays() -> None:
    hours = Hours(
        timezone="America/New_York",
        monday=["09:00-12:00", "13:00-24:00"],
        holidays=[dt.date(2026, 12, 28)],
    )
    new_york = ZoneInfo("America/New_York")

    assert hours.is_open(dt.datetime(2026, 12, 21, 9, 0, tzinfo=new_york), "Europe/Berlin")
    assert not hours.is_open(dt.datetime(2026, 12, 21, 12, 30, tzinfo=new_york), "UTC")
    assert hours.is_open(dt.datetime(2026, 12, 21, 23, 59, tzinfo=new_york), "UTC")
    assert not hours.is_open(dt.datetime(2026, 12, 28, 10, 0, tzinfo=new_york), "UTC")
    # 15:00 in Berlin is 09:00 in New York: open
    berlin = ZoneInfo("Europe/Berlin")
    assert hours.is_open(dt.datetime(2026, 12, 21, 15, 0, tzinfo=berlin), "UTC")


def test_outbound_dialing_is_closed_unless_a_pattern_allows_it() -> None:
    assert center().dialing.allowed == []
    assert problems('\n[dialing]\nallowed = ["^0[1-9"]\n')[0][0] == "dialing.allowed[0]"


def test_defaults_never_use_stun_and_keep_the_event_socket_on_loopback() -> None:
    model = center()

    assert model.sip.external_rtp_ip == "auto" and model.sip.external_sip_ip == "auto"
    assert model.switch.host == "127.0.0.1" and model.switch.outbound_port == 8084
    assert model.operators[0].outbound_allowed is False


def test_sound_files_that_do_not_exist_are_listed_with_their_lines(tmp_path: Path) -> None:
    text = BASE.replace('greeting = "tone:beep"', 'greeting = "sounds/welcome.wav"') + (
        '\n[ivr.main.options]\n1 = { action = "play", file = "sounds/address.wav" }\n'
        '2 = { action = "hangup", message = "tone:busy" }\n'
    )
    (tmp_path / "center.toml").write_text(text, encoding="utf-8")
    (tmp_path / "sounds").mkdir()
    (tmp_path / "sounds" / "welcome.wav").write_bytes(b"RIFF")

    missing = load_center(tmp_path).missing_sounds()

    line = next(n for n, row in enumerate(text.splitlines(), 1) if "address.wav" in row)
    assert [(p.line, p.key_path) for p in missing] == [(line, "ivr.main.options.1.file")]
    assert 'sound file "sounds/address.wav" not found' in missing[0].message
