"""``check_freeswitch_conf``: problems found with the file and line they are on."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fsconf_centers import CENTERS, write_center

from ccore.fsconf import ConfProblem, check_freeswitch_conf, render_freeswitch_conf


@pytest.fixture
def conf_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CCORE_TEST_TRUNK_PASSWORD", "env-trunk-secret")
    return render_freeswitch_conf(write_center(tmp_path / "c", CENTERS["forty_operators"]()))


def plant(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path`` with ``new``; return the 1-based line changed."""
    text = path.read_text()
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):])
    return text.count("\n", 0, at) + 1


def only(problems: list[ConfProblem]) -> ConfProblem:
    assert len(problems) == 1, problems
    return problems[0]


def test_a_bridge_to_a_missing_gateway_is_reported_where_it_is(conf_dir: Path) -> None:
    default = conf_dir / "dialplan" / "default.xml"
    line = plant(default, "sofia/gateway/carrier/", "sofia/gateway/nowhere/")
    problem = only(check_freeswitch_conf(conf_dir))
    assert (problem.file, problem.line) == (default, line)
    assert "nowhere" in problem.message


def test_a_missing_sound_file_is_reported_where_it_is(conf_dir: Path) -> None:
    public = conf_dir / "dialplan" / "public.xml"
    missing = conf_dir.parent / "sounds" / "welcome.wav"
    line = plant(public, 'data="ivr/ivr-hold_connect_call.wav"', f'data="{missing}"')
    problem = only(check_freeswitch_conf(conf_dir))
    assert (problem.file, problem.line) == (public, line)
    assert str(missing) in problem.message
    missing.parent.mkdir()
    missing.write_bytes(b"RIFF")
    assert check_freeswitch_conf(conf_dir) == []


def test_a_center_sound_that_exists_passes_and_one_deleted_later_is_found(
        tmp_path: Path) -> None:
    data = CENTERS["one_operator"]()
    data["numbers"][0]["fallback"] = {"message": "sounds/sorry.wav"}
    center_dir = tmp_path / "c"
    (center_dir / "sounds").mkdir(parents=True)
    (center_dir / "sounds" / "sorry.wav").write_bytes(b"RIFF")
    conf_dir = render_freeswitch_conf(write_center(center_dir, data))
    assert check_freeswitch_conf(conf_dir) == []
    (center_dir / "sounds" / "sorry.wav").unlink()
    problem = only(check_freeswitch_conf(conf_dir))
    assert problem.file == conf_dir / "dialplan" / "public.xml"
    assert "sorry.wav" in problem.message


def test_a_bridge_to_a_user_not_in_the_directory_is_reported(conf_dir: Path) -> None:
    (conf_dir / "directory" / "default" / "1003.xml").unlink()
    problems = check_freeswitch_conf(conf_dir)
    assert problems
    assert all("'1003'" in p.message for p in problems)
    assert {p.file.name for p in problems} == {"default.xml", "public.xml"}


def test_a_profile_sending_calls_to_a_missing_context_is_reported(conf_dir: Path) -> None:
    external = conf_dir / "sip_profiles" / "external.xml"
    line = plant(external, 'name="context" value="public"', 'name="context" value="inbound"')
    problem = only(check_freeswitch_conf(conf_dir))
    assert (problem.file, problem.line) == (external, line)
    assert "inbound" in problem.message


def test_a_stun_address_is_reported_as_the_trap_it_is(conf_dir: Path) -> None:
    internal = conf_dir / "sip_profiles" / "internal.xml"
    line = plant(internal, 'value="$${external_rtp_ip}"', 'value="stun:stun.example.org"')
    problem = only(check_freeswitch_conf(conf_dir))
    assert (problem.file, problem.line) == (internal, line)
    assert "STUN" in problem.message


def test_a_default_event_socket_password_is_reported(conf_dir: Path) -> None:
    config = conf_dir / "autoload_configs" / "event_socket.conf.xml"
    text = config.read_text()
    start = text.index('name="password" value="') + len('name="password" value="')
    end = text.index('"', start)
    line = plant(config, text[start - 7:end], 'value="ClueCon')
    problem = only(check_freeswitch_conf(conf_dir))
    assert (problem.file, problem.line) == (config, line)


def test_malformed_xml_is_reported_with_its_line(conf_dir: Path) -> None:
    user = conf_dir / "directory" / "default" / "1005.xml"
    line = plant(user, "</params>", "</param>")
    problems = check_freeswitch_conf(conf_dir)
    assert (user, line) in {(p.file, p.line) for p in problems}


def test_an_unset_preprocessor_variable_is_reported(conf_dir: Path) -> None:
    internal = conf_dir / "sip_profiles" / "internal.xml"
    line = plant(internal, "$${internal_sip_port}", "$${internal_sip_prot}")
    problem = only(check_freeswitch_conf(conf_dir))
    assert (problem.file, problem.line) == (internal, line)
    assert "internal_sip_prot" in problem.message


def test_a_missing_root_file_is_one_problem(tmp_path: Path) -> None:
    problem = only(check_freeswitch_conf(tmp_path))
    assert problem.file == tmp_path / "freeswitch.xml"


def test_a_socket_without_fallback_is_reported(conf_dir: Path) -> None:
    public = conf_dir / "dialplan" / "public.xml"
    text = public.read_text()
    start = text.index("<!-- Fallback")
    end = text.index("</condition>", start)
    public.write_text(text[:start] + text[end:])
    line = text.count("\n", 0, text.index('application="socket"')) + 1
    problems = check_freeswitch_conf(conf_dir)
    assert (public, line) in {(p.file, p.line) for p in problems}
    assert any("dead air" in p.message for p in problems)


def test_a_missing_user_is_found_when_the_domain_is_the_machine_address(tmp_path: Path) -> None:
    conf_dir = render_freeswitch_conf(write_center(tmp_path / "c", CENTERS["one_operator"]()))
    (conf_dir / "directory" / "default" / "1001.xml").unlink()
    messages = [p.message for p in check_freeswitch_conf(conf_dir)]
    assert "include 'default/*.xml' matches no file" in messages
    assert [m for m in messages if "'1001'" in m]


def test_a_root_file_that_includes_nothing_usable_is_reported_not_crashed(tmp_path: Path) -> None:
    (tmp_path / "freeswitch.xml").write_text('<X-PRE-PROCESS cmd="include" data="none/*.xml"/>\n')
    problems = check_freeswitch_conf(tmp_path)
    assert problems and all(p.file == tmp_path / "freeswitch.xml" for p in problems)
