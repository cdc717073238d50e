"""Passwords come from center.toml, an environment variable, or the generated file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccore.config import ConfigError, load_center

CENTER = """\
[center]
name = "Acme"

[switch]
password_env = "ACME_ESL_PASSWORD"

[[trunks]]
name = "provider"
proxy = "sip.example.net"
username = "acme"
password_env = "ACME_TRUNK_PASSWORD"

[[trunks]]
name = "backup"
proxy = "sip2.example.net"
register = false
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "center.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_passwords_are_read_from_their_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_ESL_PASSWORD", "s3cret-esl")
    monkeypatch.setenv("ACME_TRUNK_PASSWORD", "s3cret-trunk")
    config = load_center(write(tmp_path, CENTER))

    assert config.switch_password() == "s3cret-esl"
    assert config.trunk_password("provider") == "s3cret-trunk"
    assert config.trunk_password("backup") is None


def test_an_unset_variable_is_a_config_error_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACME_TRUNK_PASSWORD", raising=False)
    config = load_center(write(tmp_path, CENTER))

    with pytest.raises(ConfigError) as caught:
        config.trunk_password("provider")

    assert str(caught.value) == (
        "center.toml:11: trunks[0].password_env: the environment variable"
        " ACME_TRUNK_PASSWORD is not set"
    )


def test_without_password_the_generated_file_in_the_data_dir_is_used(tmp_path: Path) -> None:
    config = load_center(write(tmp_path, '[center]\nname = "Acme"\n'))
    assert config.switch_password() is None

    config.data_dir.mkdir()
    (config.data_dir / "event_socket.password").write_text("generated-1234abcd\n")

    assert config.switch_password() == "generated-1234abcd"


def test_a_password_is_never_shown_in_the_model_repr(tmp_path: Path) -> None:
    text = '[center]\nname = "Acme"\n\n[switch]\npassword = "hunter2-long"\n'
    config = load_center(write(tmp_path, text))

    assert "hunter2-long" not in repr(config.model)
    assert config.switch_password() == "hunter2-long"


def test_a_registering_trunk_without_credentials_is_refused(tmp_path: Path) -> None:
    text = CENTER.replace('username = "acme"\n', "")

    with pytest.raises(ConfigError) as caught:
        load_center(write(tmp_path, text))

    assert caught.value.errors[0].key_path == "trunks[0].username"
    assert "register = true needs username and password" in caught.value.errors[0].message
