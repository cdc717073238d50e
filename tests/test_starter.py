"""`ccore init` writes a commented starter center that loads cleanly and never overwrites."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ccore.config import ConfigError, load_center
from ccore.starter import CenterExistsError, write_starter_center


def test_starter_center_loads_and_validates_cleanly(tmp_path: Path) -> None:
    path = write_starter_center(tmp_path / "acme", name="Acme Help Desk")

    config = load_center(tmp_path / "acme")

    model = config.model
    assert path == tmp_path / "acme" / "center.toml"
    assert model.center.name == "Acme Help Desk"
    assert len(model.operators) >= 2 and all(op.skills for op in model.operators)
    assert [queue.name for queue in model.queues] == ["support"]
    assert len(model.ivr["main"].options) >= 3
    assert model.hours["office"].holidays and model.hours["office"].monday == ["09:00-17:00"]
    assert model.feature_codes.codes()["break"] == "*22"
    assert len(model.numbers) == 1 and model.numbers[0].ivr == "main"


def test_starter_creates_the_data_directory(tmp_path: Path) -> None:
    write_starter_center(tmp_path)

    assert load_center(tmp_path).data_dir.is_dir()


def test_starter_refuses_to_overwrite_an_existing_center(tmp_path: Path) -> None:
    (tmp_path / "center.toml").write_text("# my real center\n", encoding="utf-8")

    with pytest.raises(CenterExistsError, match="already exists"):
        write_starter_center(tmp_path, name="Other")

    assert (tmp_path / "center.toml").read_text(encoding="utf-8") == "# my real center\n"


def test_every_section_of_the_starter_is_explained_by_a_comment(tmp_path: Path) -> None:
    text = write_starter_center(tmp_path).read_text(encoding="utf-8")
    lines = text.splitlines()

    first_of_each: dict[str, int] = {}
    for number, line in enumerate(lines):
        if re.match(r"^\[\[?[a-z_]+(\.[a-z_]+)?\]\]?$", line):
            first_of_each.setdefault(line, number)
    assert len(first_of_each) >= 15
    for index in first_of_each.values():
        above = lines[max(0, index - 3) : index]
        assert any(line.startswith("#") for line in above), f"no comment above {lines[index]}"


def test_a_name_with_quotes_is_written_as_valid_toml(tmp_path: Path) -> None:
    write_starter_center(tmp_path, name='Bob\'s "Best" Desk')

    assert load_center(tmp_path).model.center.name == 'Bob\'s "Best" Desk'


def test_an_unknown_time_zone_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"center\.timezone"):
        write_starter_center(tmp_path / "new", timezone="Mars/Olympus")

    assert not (tmp_path / "new").exists()


def test_the_starter_office_hours_honour_the_holiday(tmp_path: Path) -> None:
    write_starter_center(tmp_path, timezone="Europe/Berlin")
    model = load_center(tmp_path).model
    office = model.hours["office"]
    berlin = dt.timezone(dt.timedelta(hours=1))

    monday_morning = dt.datetime(2026, 12, 21, 10, 0, tzinfo=berlin)
    christmas_friday = dt.datetime(2026, 12, 25, 10, 0, tzinfo=berlin)
    monday_night = dt.datetime(2026, 12, 21, 18, 0, tzinfo=berlin)

    assert office.is_open(monday_morning, model.center.timezone)
    assert not office.is_open(christmas_friday, model.center.timezone)
    assert not office.is_open(monday_night, model.center.timezone)
