"""center.toml survives load-edit-save with the admin's comments, order and layout intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccore.config import ConfigError, load_center
from ccore.starter import write_starter_center

CENTER = """\
# Acme help desk, maintained by Dana.

[center]
name = "Acme"   # shown in the UI
timezone = "Europe/Berlin"

# ---- Operators ----
[[operators]]
extension = "1001"
name = "Alice"
skills = { english = 8 }

[[operators]]
extension = "1002"  # Bob's desk phone
name = "Bob"
# Bob may call customers back.
outbound_allowed = true

# ---- Queues ----
# Support answers everything for now.
[[queues]]
name = "support"
strategy = "ring-all"   # small team
ring_timeout = 20

[ivr.main]
greeting = "tone:beep"

[ivr.main.options]
1 = { action = "queue", queue = "support" }
"""


@pytest.fixture
def center_dir(tmp_path: Path) -> Path:
    (tmp_path / "center.toml").write_text(CENTER, encoding="utf-8")
    return tmp_path


def saved(center_dir: Path) -> str:
    return (center_dir / "center.toml").read_text(encoding="utf-8")


def test_saving_an_unchanged_center_rewrites_it_byte_for_byte(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.save()
    assert (center_dir / "center.toml").read_bytes() == CENTER.encode("utf-8")


def test_windows_line_endings_survive_a_save(tmp_path: Path) -> None:
    crlf = CENTER.replace("\n", "\r\n").encode("utf-8")
    (tmp_path / "center.toml").write_bytes(crlf)
    load_center(tmp_path).save()
    assert (tmp_path / "center.toml").read_bytes() == crlf


def test_added_operator_goes_after_the_last_and_section_comments_stay_above_queues(
    center_dir: Path,
) -> None:
    config = load_center(center_dir)
    added = config.add_operator({"extension": "1003", "name": "Cy", "skills": {"billing": 4}})
    config.save()

    assert added.extension == "1003" and added.skills == {"billing": 4}
    assert [op.extension for op in load_center(center_dir).model.operators] == [
        "1001",
        "1002",
        "1003",
    ]
    expected = CENTER.replace(
        "outbound_allowed = true\n\n# ---- Queues ----",
        "outbound_allowed = true\n\n"
        '[[operators]]\nextension = "1003"\nname = "Cy"\nskills = { billing = 4 }\n\n'
        "# ---- Queues ----",
    )
    assert saved(center_dir) == expected


def test_editing_an_operator_changes_only_that_operators_lines(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.update_operator("1002", {"name": "Robert", "email": "bob@example.org"})
    config.save()

    assert config.model.operator("1002").name == "Robert"  # type: ignore[union-attr]
    expected = CENTER.replace('name = "Bob"\n', 'name = "Robert"\n').replace(
        "outbound_allowed = true\n",
        'outbound_allowed = true\nemail = "bob@example.org"\n',
    )
    assert saved(center_dir) == expected


def test_removing_a_key_takes_the_comment_written_above_it(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.update_operator("1002", {"outbound_allowed": None})
    config.save()

    assert config.model.operator("1002").outbound_allowed is False  # type: ignore[union-attr]
    expected = CENTER.replace("# Bob may call customers back.\noutbound_allowed = true\n", "")
    assert saved(center_dir) == expected


def test_removing_the_last_operator_keeps_the_comments_that_introduce_queues(
    center_dir: Path,
) -> None:
    config = load_center(center_dir)
    config.remove_operator("1002")
    config.save()

    expected = CENTER.replace(
        '[[operators]]\nextension = "1002"  # Bob\'s desk phone\nname = "Bob"\n'
        "# Bob may call customers back.\noutbound_allowed = true\n\n",
        "",
    )
    assert saved(center_dir) == expected
    assert [op.extension for op in load_center(center_dir).model.operators] == ["1001"]


def test_removing_the_first_operator_keeps_the_operators_heading(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.remove_operator("1001")
    config.save()

    expected = CENTER.replace(
        '[[operators]]\nextension = "1001"\nname = "Alice"\nskills = { english = 8 }\n\n', ""
    )
    assert saved(center_dir) == expected


def test_set_value_replaces_one_value_and_keeps_its_inline_comment(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.set_value("queues[0].strategy", "round-robin")
    config.set_value(("center", "name"), "Acme Support")
    config.save()

    assert config.model.queues[0].strategy == "round-robin"
    expected = CENTER.replace('"ring-all"   # small team', '"round-robin"   # small team')
    expected = expected.replace('"Acme"   # shown', '"Acme Support"   # shown')
    assert saved(center_dir) == expected


def test_set_value_can_create_a_plugin_section(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.set_value("plugins.wallboard.refresh_seconds", 2)
    config.save()

    assert saved(center_dir) == CENTER + "\n[plugins.wallboard]\nrefresh_seconds = 2\n"
    assert load_center(center_dir).model.plugins.section("wallboard") == {"refresh_seconds": 2}


def test_an_invalid_edit_is_refused_and_changes_nothing(center_dir: Path) -> None:
    config = load_center(center_dir)
    before_model, before_text = config.model, config.text()

    with pytest.raises(ConfigError, match=r"operators\[2\]\.extension: duplicate extension"):
        config.add_operator({"extension": "1001", "name": "Twin"})
    with pytest.raises(ConfigError, match=r"queues\[0\]\.strategy: expected one of"):
        config.set_value("queues[0].strategy", "fastest")

    assert config.model is before_model
    assert config.text() == before_text


def test_removing_an_operator_that_a_queue_tier_names_is_refused(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.set_value("queues[0].tiers", [["1001"], ["1002"]])

    with pytest.raises(ConfigError) as caught:
        config.remove_operator("1002")

    assert [problem.key_path for problem in caught.value.errors] == ["queues[0].tiers[1][0]"]
    assert config.model.operator("1002") is not None


def test_removing_every_operator_keeps_the_headings_of_both_sections(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.remove_operator("1001")
    config.remove_operator("1002")
    config.save()

    text = saved(center_dir)
    assert "[[operators]]" not in text
    assert "# ---- Operators ----\n\n# ---- Queues ----\n# Support answers" in text
    assert load_center(center_dir).model.operators == []


def test_unknown_operator_cannot_be_edited(center_dir: Path) -> None:
    config = load_center(center_dir)
    with pytest.raises(KeyError, match="9999"):
        config.update_operator("9999", {"name": "Nobody"})


def test_save_refuses_to_overwrite_changes_made_on_disk_meanwhile(center_dir: Path) -> None:
    config = load_center(center_dir)
    config.set_value("queues[0].ring_timeout", 30)
    (center_dir / "center.toml").write_text(CENTER + "# edited by hand\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="changed on disk"):
        config.save()
    assert saved(center_dir).endswith("# edited by hand\n")

    config.save(force=True)
    assert "ring_timeout = 30" in saved(center_dir)


def test_data_dir_is_resolved_against_the_center_directory(center_dir: Path) -> None:
    config = load_center(center_dir)

    assert config.directory == center_dir
    assert config.path == center_dir / "center.toml"
    assert config.data_dir == (center_dir / "data").resolve()
    assert config.document["center"]["name"] == "Acme"


def test_adding_then_removing_menus_hours_and_plugin_sections_restores_every_byte(
    tmp_path: Path,
) -> None:
    write_starter_center(tmp_path)
    config = load_center(tmp_path)
    original = config.text()

    config.set_value(
        "ivr.sales",
        {"greeting": "tone:beep", "options": {"1": {"action": "queue", "queue": "support"}}},
    )
    config.set_value("ivr.main.options.3", {"action": "submenu", "menu": "sales"})
    config.set_value("hours.late", {"monday": ["17:00-20:00"]})
    config.set_value("queues[0].escalation", [{"after": 30, "relax_by": 1}])
    config.set_value("plugins.wallboard.refresh_seconds", 1)
    config.save()

    edited = load_center(tmp_path)
    assert edited.model.ivr["main"].options["3"].action == "submenu"
    assert edited.model.queues[0].escalation[0].relax_by == 1
    text = edited.text()
    assert '3 = { action = "submenu", menu = "sales" }\n' in text
    assert "missed_calls_before_break = 3\nescalation = [{ after = 30, relax_by = 1 }]\n" in text
    assert "\n[ivr.sales.options]\n" in text and "\n[hours.late]\n" in text

    for key_path in (
        "ivr.main.options.3",
        "ivr.sales",
        "hours.late",
        "queues[0].escalation",
        "plugins.wallboard",
    ):
        edited.remove_value(key_path)
    assert edited.text() == original


def test_removing_a_sub_table_takes_the_comment_above_it_and_keeps_the_next_heading(
    tmp_path: Path,
) -> None:
    write_starter_center(tmp_path)
    config = load_center(tmp_path)

    config.remove_value("queues[0].callback")

    text = config.text()
    assert "[queues.callback]" not in text and "press 1 to be called back" not in text
    assert "missed_calls_before_break = 3\n\n# ---- IVR menus" in text


def test_a_queue_added_and_removed_by_key_path_leaves_the_file_as_it_was(
    center_dir: Path,
) -> None:
    config = load_center(center_dir)

    config.add_entry("queues", {"name": "sales", "strategy": "round-robin", "wrap_up": 5})
    config.set_value("ivr.main.options.2", {"action": "queue", "queue": "sales"})
    assert config.model.queue("sales") is not None
    assert config.text().endswith(
        '1 = { action = "queue", queue = "support" }\n2 = { action = "queue", queue = "sales" }\n'
    )
    assert '\n[[queues]]\nname = "sales"\nstrategy = "round-robin"\nwrap_up = 5\n' in config.text()

    config.remove_value("ivr.main.options.2")
    config.remove_value("queues[1]")
    assert config.text() == CENTER
