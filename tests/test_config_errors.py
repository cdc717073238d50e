"""A broken center.toml is reported with file, line, key path and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from ccore.config import CenterConfig, ConfigError, load_center, validate_section

BASE = """\
[center]
name = "Acme"

[[operators]]
extension = "1001"
name = "Alice"
skills = { english = 8 }

[[operators]]
extension = "1002"
name = "Bob"

[[queues]]
name = "sales"

[[queues]]
name = "support"
strategy = "skills"
skills = { english = 3 }

[ivr.main]
greeting = "tone:beep"

[ivr.main.options]
1 = { action = "queue", queue = "sales" }
2 = { action = "queue", queue = "support" }

[plugins.wallboard]
refresh_seconds = 2
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """Return the 1-based line number of the n-th line containing ``needle``."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def load_text(tmp_path: Path, text: str) -> CenterConfig:
    (tmp_path / "center.toml").write_text(text, encoding="utf-8")
    return load_center(tmp_path)


def problems_of(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    return caught.value


def test_the_base_center_is_valid(tmp_path: Path) -> None:
    config = load_text(tmp_path, BASE)
    assert [queue.name for queue in config.model.queues] == ["sales", "support"]


def test_wrong_strategy_names_file_line_key_and_the_choices(tmp_path: Path) -> None:
    text = BASE.replace('strategy = "skills"', 'strategy = "fastest"')

    error = problems_of(tmp_path, text)

    line = line_of(text, "fastest")
    assert str(error) == (
        f"center.toml:{line}: queues[1].strategy: expected one of longest-idle, round-robin,"
        ' fewest-calls, ring-all, skills; got "fastest"'
    )
    assert isinstance(error, ValueError)
    problem = error.errors[0]
    assert (problem.file, problem.line, problem.key_path) == (
        tmp_path / "center.toml",
        line,
        "queues[1].strategy",
    )


def test_missing_required_key_points_at_its_table(tmp_path: Path) -> None:
    text = BASE.replace('name = "support"\n', "")

    error = problems_of(tmp_path, text)

    assert str(error) == (
        f"center.toml:{line_of(text, '[[queues]]', 2)}: queues[1].name: required key is missing"
    )


def test_misspelt_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    text = BASE.replace('name = "sales"', 'name = "sales"\nring_timout = 15')

    error = problems_of(tmp_path, text)

    assert str(error) == (
        f"center.toml:{line_of(text, 'ring_timout')}: queues[0].ring_timout:"
        ' unknown key "ring_timout"; did you mean "ring_timeout"?'
    )


def test_duplicate_extension_points_at_the_second_one(tmp_path: Path) -> None:
    text = BASE.replace('extension = "1002"', 'extension = "1001"')

    error = problems_of(tmp_path, text)

    assert str(error) == (
        f"center.toml:{line_of(text, 'extension', 2)}: operators[1].extension:"
        ' duplicate extension "1001" (also operators[0])'
    )


def test_ivr_option_pointing_at_a_missing_queue(tmp_path: Path) -> None:
    text = BASE.replace('queue = "support" }', 'queue = "suport" }')

    error = problems_of(tmp_path, text)

    assert str(error) == (
        f"center.toml:{line_of(text, 'suport')}: ivr.main.options.2.queue:"
        ' no queue named "suport" (known: sales, support)'
    )


def test_unknown_action_names_the_possible_actions(tmp_path: Path) -> None:
    text = BASE.replace('2 = { action = "queue", queue = "support" }', '2 = { action = "dial" }')

    error = problems_of(tmp_path, text)

    assert error.errors[0].key_path == "ivr.main.options.2"
    assert error.errors[0].line == line_of(text, '"dial"')
    assert "expected action one of submenu, queue, transfer" in error.errors[0].message
    assert error.errors[0].message.endswith('got "dial"')


def test_toml_syntax_error_reports_the_right_line(tmp_path: Path) -> None:
    text = BASE.replace('name = "Bob"', 'name = = "Bob"')

    error = problems_of(tmp_path, text)

    assert len(error.errors) == 1
    assert error.errors[0].line == line_of(text, "= = ")
    assert str(error).startswith(f"center.toml:{line_of(text, '= = ')}: TOML syntax error")


def test_unterminated_string_hints_at_the_missing_quote(tmp_path: Path) -> None:
    text = BASE.replace('name = "Bob"', 'name = "Bob')

    error = problems_of(tmp_path, text)

    assert error.errors[0].line == line_of(text, '"Bob')
    assert "closing quote missing" in error.errors[0].message


def test_a_key_written_twice_is_reported_at_its_second_line(tmp_path: Path) -> None:
    text = BASE.replace('name = "Bob"', 'name = "Bob"\nname = "Robert"')

    error = problems_of(tmp_path, text)

    assert str(error) == f"center.toml:{line_of(text, 'Robert')}: operators[1].name: defined twice"


def test_a_digit_used_twice_in_a_menu_is_reported(tmp_path: Path) -> None:
    text = BASE.replace("2 = {", "1 = {")

    error = problems_of(tmp_path, text)

    assert error.errors[0].key_path == "ivr.main.options.1"
    assert error.errors[0].line == line_of(text, "1 = {", 2)


def test_several_problems_are_reported_together_in_file_order(tmp_path: Path) -> None:
    text = (
        BASE.replace('name = "Acme"', 'name = "Acme"\ntimezone = "Mars/Olympus"')
        .replace('strategy = "skills"', 'strategy = "fastest"')
        .replace("skills = { english = 8 }", "skills = { english = 11 }")
    )

    error = problems_of(tmp_path, text)

    found = [(problem.line, problem.key_path) for problem in error.errors]
    assert found == [
        (line_of(text, "Mars"), "center.timezone"),
        (line_of(text, "english = 11"), "operators[0].skills.english"),
        (line_of(text, "fastest"), "queues[1].strategy"),
    ]
    assert str(error).startswith("3 problems in center.toml:\n")


def test_stun_is_refused_for_the_external_address(tmp_path: Path) -> None:
    text = BASE + '\n[sip]\nexternal_rtp_ip = "stun:stun.example.org"\n'

    error = problems_of(tmp_path, text)

    assert error.errors[0].key_path == "sip.external_rtp_ip"
    assert "STUN is not supported" in error.errors[0].message


def test_a_feature_code_that_shadows_an_extension_is_refused(tmp_path: Path) -> None:
    text = BASE + '\n[feature_codes]\nlogin = "1002"\n'

    error = problems_of(tmp_path, text)

    assert str(error) == (
        f"center.toml:{line_of(text, 'extension', 2)}: operators[1].extension:"
        " extension 1002 collides with feature code login (1002)"
    )


def test_a_missing_center_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"center\.toml: not found"):
        load_center(tmp_path)


class WallboardSettings(BaseModel):
    """A plugin's own section model, as a plugin would declare it."""

    model_config = ConfigDict(extra="forbid")

    refresh_seconds: int = 1
    show_abandoned: bool = True


def test_plugin_section_validates_into_the_plugins_model(tmp_path: Path) -> None:
    config = load_text(tmp_path, BASE)

    settings = validate_section(config, "wallboard", WallboardSettings)

    assert settings == WallboardSettings(refresh_seconds=2)


def test_missing_plugin_section_gives_the_models_defaults(tmp_path: Path) -> None:
    config = load_text(tmp_path, BASE)

    assert validate_section(config, "reports", WallboardSettings) == WallboardSettings()


def test_plugin_section_error_names_plugins_name_key_and_line(tmp_path: Path) -> None:
    text = BASE.replace("refresh_seconds = 2", 'refresh_seconds = "often"\nshow_abandonned = true')
    config = load_text(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        validate_section(config, "wallboard", WallboardSettings)

    assert [str(problem) for problem in caught.value.errors] == [
        f"center.toml:{line_of(text, 'often')}: plugins.wallboard.refresh_seconds:"
        ' expected a whole number; got "often"',
        f"center.toml:{line_of(text, 'abandonned')}: plugins.wallboard.show_abandonned:"
        ' unknown key "show_abandonned"; did you mean "show_abandoned"?',
    ]


def test_disabled_plugins_are_listed_apart_from_plugin_sections(tmp_path: Path) -> None:
    text = BASE.replace(
        "[plugins.wallboard]", '[plugins]\ndisabled = ["recorder"]\n\n[plugins.wallboard]'
    )
    config = load_text(tmp_path, text)

    assert config.model.plugins.disabled == ["recorder"]
    assert config.model.plugins.section("wallboard") == {"refresh_seconds": 2}
    assert config.model.plugins.section("recorder") == {}


def test_a_known_key_under_the_wrong_header_says_so(tmp_path: Path) -> None:
    text = BASE.replace('name = "Acme"\n', 'name = "Acme"\nstrategy = "skills"\n')

    error = problems_of(tmp_path, text)

    assert str(error) == (
        f"center.toml:{line_of(text, 'strategy')}: center.strategy:"
        ' "strategy" does not belong in this table (is it under the wrong [header]?)'
    )
