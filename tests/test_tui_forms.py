"""What the admin types in the UI's forms, to center.toml values and back."""

from __future__ import annotations

import datetime as dt

import pytest

from ccore.control.setup import parse_operators
from ccore_tui.forms import (
    FieldError,
    describe_destination,
    field_of,
    format_destination,
    format_skills,
    parse_dates,
    parse_destination,
    parse_ranges,
    parse_seconds,
    parse_skills,
)
from ccore_tui.ivr_tree import build_ivr_tree, flat_problems
from ccore_tui.state import duration, state_label


def test_skills_round_trip_and_refuse_levels_out_of_range() -> None:
    assert parse_skills("English=8, billing 6; tech:3") == {"english": 8, "billing": 6, "tech": 3}
    assert format_skills({"english": 8, "billing": 6}) == "english=8, billing=6"
    assert parse_skills("  ") == {}
    with pytest.raises(FieldError, match="1 \\(a little\\) to 10"):
        parse_skills("english=11")
    with pytest.raises(FieldError, match="name=level"):
        parse_skills("english")


def test_destinations_are_written_as_action_and_target() -> None:
    assert parse_destination("queue:support") == {"action": "queue", "queue": "support"}
    assert parse_destination(" Voicemail : general ") == {"action": "voicemail", "box": "general"}
    assert parse_destination("hangup") == {"action": "hangup"}
    assert format_destination({"action": "transfer", "extension": "1001"}) == "transfer:1001"
    assert format_destination({"action": "hangup", "message": None}) == "hangup"
    with pytest.raises(FieldError, match="needs a queue"):
        parse_destination("queue")
    with pytest.raises(FieldError, match="unknown action 'dance'"):
        parse_destination("dance:now")
    assert (
        describe_destination(
            {"action": "queue", "queue": "support", "skills": {"billing": 3}, "priority": 2}
        )
        == "queue support (needs billing=3) priority 2"
    )


def test_hours_dates_and_seconds() -> None:
    assert parse_ranges("9:00-12:00, 13:00-17:30") == ["09:00-12:00", "13:00-17:30"]
    assert parse_ranges("") == []
    with pytest.raises(FieldError, match="09:00-17:00"):
        parse_ranges("nine to five")
    assert parse_dates("2026-12-25, 2027-01-01") == [dt.date(2026, 12, 25), dt.date(2027, 1, 1)]
    with pytest.raises(FieldError, match="YYYY-MM-DD"):
        parse_dates("2026-13-01")
    assert parse_seconds("20s") == 20
    assert parse_seconds("", optional=True) is None
    with pytest.raises(FieldError):
        parse_seconds("soon")


def test_problem_keys_map_to_form_fields() -> None:
    assert field_of("operators[3].extension", "operators") == "extension"
    assert field_of("queues[0].callback.key", "queues[0]") == "callback"
    assert field_of("ivr.main.options.1.queue", "ivr.main.options.1") == "queue"


def test_setup_operators_are_one_per_line() -> None:
    assert parse_operators("1001 Alice Smith\n\n1002, Bob") == [
        ("1001", "Alice Smith"),
        ("1002", "Bob"),
    ]
    with pytest.raises(ValueError, match="line 1"):
        parse_operators("Alice")


def test_ivr_tree_follows_submenus_and_shows_loops_and_problems() -> None:
    model = {
        "numbers": [{"number": "+4930100", "name": "Main", "ivr": "main"}],
        "ivr": {
            "main": {
                "greeting": "hello.wav",
                "timeout": 5,
                "max_tries": 3,
                "default": {"action": "hangup"},
                "options": {
                    "2": {"action": "submenu", "menu": "sales"},
                    "1": {"action": "queue", "queue": "support"},
                },
            },
            "sales": {
                "greeting": "tone:beep",
                "timeout": 5,
                "max_tries": 3,
                "default": {"action": "hangup"},
                "options": {"0": {"action": "submenu", "menu": "main"}},
            },
            "orphan": {"greeting": "tone:beep", "timeout": 5, "max_tries": 1, "options": {}},
        },
    }
    problems = [{"key": "ivr.main.greeting", "message": "the sound file hello.wav does not exist"}]
    numbers, others = build_ivr_tree(model, problems)
    main = numbers.children[0].children[0]
    assert [child.label for child in main.children][:2] == [
        "key 1 → queue support",
        "key 2 → menu sales",
    ]
    sales = main.children[1].children[0]
    assert sales.children[0].children[0].label == "menu main (back to it, see above)"
    assert [node.menu for node in others.children] == ["orphan"]
    assert flat_problems([numbers, others]) == [
        "menu main: greeting: the sound file hello.wav does not exist"
    ]


def test_states_and_durations_in_words() -> None:
    assert state_label("on_break", "Lunch") == "On break (Lunch)"
    assert state_label("wrap_up") == "Wrap-up"
    assert duration(75) == "1:15" and duration(3723) == "1:02:03" and duration(None) == "-"
