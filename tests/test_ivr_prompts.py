"""Prompts: built-in tones and silence, files relative to the center, and the missing-file check."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccore.config import ConfigError, load_center, validate_section
from ccore.standin.media import write_wav
from ccore.starter import write_starter_center
from ccore_plugins.ivr import Config
from ccore_plugins.ivr.prompts import MISSING_FILE_FALLBACK, builtin_sound, check_prompts, resolve

BEEP = "tone_stream://%(500,0,800)"

CENTER = """\
[center]
name = "Prompts"

[[queues]]
name = "support"
music = "sounds/hold.wav"

[[numbers]]
number = "+4930100"
ivr = "main"
closed = { action = "hangup", message = "sounds/closed-number.wav" }

[ivr.main]
greeting = "sounds/welcome.wav"
timeout_prompt = "tone:confirm"
default = { action = "hangup", message = "silence:500" }

[ivr.main.options]
1 = { action = "queue", queue = "support" }
2 = { action = "play", file = "sounds/address.wav" }

[plugins.ivr]
closed_message = "sounds/closed.wav"
closed_messages = { main = "tone:busy" }
"""


def make_center(directory: Path, text: str = CENTER) -> Path:
    directory.mkdir()
    (directory / "center.toml").write_text(text, encoding="utf-8")
    return directory


def test_built_in_tones_and_silence_need_no_file() -> None:
    assert builtin_sound("tone:beep") == BEEP
    assert builtin_sound("silence:1500") == "silence_stream://1500"
    assert builtin_sound("sounds/welcome.wav") is None
    assert resolve("tone:busy", Path("/nowhere")) == "tone_stream://%(500,500,480,620);loops=4"


def test_a_file_is_played_from_the_center_directory_or_its_absolute_path(tmp_path: Path) -> None:
    write_wav(tmp_path / "sounds" / "welcome.wav", 1.0)

    assert resolve("sounds/welcome.wav", tmp_path) == str(tmp_path / "sounds" / "welcome.wav")
    absolute = str(tmp_path / "sounds" / "welcome.wav")
    assert resolve(absolute, Path("/elsewhere")) == absolute


def test_a_missing_file_on_a_live_call_is_played_as_a_beep(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert MISSING_FILE_FALLBACK == "tone:beep"
    assert resolve("sounds/gone.wav", tmp_path) == BEEP
    assert "sounds/gone.wav is missing" in caplog.text


def test_check_reports_each_missing_file_with_its_line_and_key(tmp_path: Path) -> None:
    directory = make_center(tmp_path / "center")
    write_wav(directory / "sounds" / "address.wav", 1.0)

    problems = check_prompts(load_center(directory))

    center_toml = directory / "center.toml"
    assert [(p.file, p.line, p.key_path) for p in problems] == [
        (center_toml, 6, "queues[0].music"),
        (center_toml, 11, "numbers[0].closed.message"),
        (center_toml, 14, "ivr.main.greeting"),
        (center_toml, 23, "plugins.ivr.closed_message"),
    ]
    assert problems[2].message == f"sound file {directory / 'sounds/welcome.wav'} does not exist"
    assert str(problems[2]) == (
        f"{center_toml}:14: ivr.main.greeting: sound file "
        f"{directory / 'sounds/welcome.wav'} does not exist"
    )


def test_check_is_quiet_when_every_file_is_there(tmp_path: Path) -> None:
    directory = make_center(tmp_path / "center")
    for name in ("hold", "closed-number", "welcome", "address", "closed"):
        write_wav(directory / "sounds" / f"{name}.wav", 0.5)

    assert check_prompts(load_center(directory)) == []


def test_a_path_with_a_space_is_reported_because_a_menu_cannot_play_it(tmp_path: Path) -> None:
    text = CENTER.replace("sounds/welcome.wav", "my sounds/welcome.wav")
    directory = make_center(tmp_path / "center", text)
    write_wav(directory / "my sounds" / "welcome.wav", 0.5)

    problems = {p.key_path: p.message for p in check_prompts(load_center(directory))}

    assert "has a space" in problems["ivr.main.greeting"]
    assert resolve("my sounds/welcome.wav", directory) == BEEP


def test_a_fresh_starter_center_has_no_missing_prompts(tmp_path: Path) -> None:
    write_starter_center(tmp_path / "starter", name="Fresh")

    assert check_prompts(load_center(tmp_path / "starter")) == []


def test_a_closed_message_that_is_no_sound_is_refused_with_its_line(tmp_path: Path) -> None:
    text = CENTER.replace('closed_message = "sounds/closed.wav"', 'closed_message = "closed.mp3"')
    config = load_center(make_center(tmp_path / "center", text))

    with pytest.raises(ConfigError) as refused:
        validate_section(config, "ivr", Config)

    [problem] = refused.value.errors
    assert (problem.line, problem.key_path) == (23, "plugins.ivr.closed_message")
    assert validate_section(load_center(make_center(tmp_path / "ok")), "ivr", Config) == Config(
        closed_message="sounds/closed.wav", closed_messages={"main": "tone:busy"}
    )
