"""Rendering a center's FreeSWITCH configuration: complete, safe, deterministic."""

from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_fsconf_centers import CENTERS, parse_file, write_center

from ccore.fsconf import (
    FsConfError,
    check_freeswitch_conf,
    read_event_socket_password,
    read_sip_passwords,
    render_freeswitch_conf,
)


@pytest.fixture(autouse=True)
def _trunk_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCORE_TEST_TRUNK_PASSWORD", "env-trunk-secret")


def render(tmp_path: Path, name: str) -> Path:
    center = write_center(tmp_path / name, CENTERS[name]())
    return render_freeswitch_conf(center)


def all_text(conf_dir: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(conf_dir.rglob("*.xml")))


def users(conf_dir: Path) -> dict[str, ET.Element]:
    found = {}
    for path in sorted((conf_dir / "directory" / "default").glob("*.xml")):
        user = parse_file(path).find("user")
        found[user.get("id")] = user
    return found


def user_param(user: ET.Element, name: str) -> str | None:
    node = user.find(f"params/param[@name='{name}']")
    return None if node is None else node.get("value")


def user_variable(user: ET.Element, name: str) -> str | None:
    node = user.find(f"variables/variable[@name='{name}']")
    return None if node is None else node.get("value")


@pytest.mark.parametrize("name", sorted(CENTERS))
def test_every_rendered_file_is_well_formed_and_checks_clean(tmp_path: Path, name: str) -> None:
    conf_dir = render(tmp_path, name)
    files = sorted(conf_dir.rglob("*.xml"))
    assert conf_dir / "freeswitch.xml" in files
    for path in files:
        ET.parse(path)  # raises on malformed XML
    assert check_freeswitch_conf(conf_dir) == []


@pytest.mark.parametrize("name", sorted(CENTERS))
def test_every_operator_gets_a_unique_strong_password(tmp_path: Path, name: str) -> None:
    conf_dir = render(tmp_path, name)
    expected = {op["extension"] for op in CENTERS[name]()["operators"]}
    rendered = users(conf_dir)
    operators = {ext: user for ext, user in rendered.items() if ext in expected}
    assert set(operators) == expected
    passwords = [user_param(user, "password") for user in operators.values()]
    assert len(set(passwords)) == len(passwords)
    assert all(len(p) >= 20 and not p.isdigit() for p in passwords)


@pytest.mark.parametrize("name", sorted(CENTERS))
def test_no_default_password_and_no_stun_anywhere(tmp_path: Path, name: str) -> None:
    conf_dir = render(tmp_path, name)
    text = all_text(conf_dir)
    for forbidden in ("1234", "ClueCon", "default_password", "stun:", "stun-set"):
        assert forbidden not in text


def test_forty_operators_all_in_directory_with_caller_id(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "forty_operators")
    rendered = users(conf_dir)
    assert len(rendered) == 40
    assert user_variable(rendered["1017"], "effective_caller_id_name") == "Operator 1017"
    assert user_variable(rendered["1017"], "effective_caller_id_number") == "1017"
    assert user_variable(rendered["1017"], "user_context") == "default"
    assert user_variable(rendered["1017"], "outbound_caller_id_number") == "+4930200200"


def test_only_permitted_operators_get_outbound_toll_rights(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "forty_operators")
    rendered = users(conf_dir)
    allowed = {ext for ext, user in rendered.items() if user_variable(user, "toll_allow")}
    assert allowed == {"1001", "1002"}


def test_event_socket_is_loopback_only_with_the_generated_password(tmp_path: Path) -> None:
    center = write_center(tmp_path / "c", CENTERS["one_operator"]())
    conf_dir = render_freeswitch_conf(center)
    config = parse_file(conf_dir / "autoload_configs" / "event_socket.conf.xml")
    params = {p.get("name"): p.get("value") for p in config.iter("param")}
    assert params["listen-ip"] == "127.0.0.1"
    assert params["password"] == read_event_socket_password(center)
    assert len(params["password"]) >= 20
    acl = parse_file(conf_dir / "autoload_configs" / "acl.conf.xml")
    lists = {node.get("name"): node for node in acl.iter("list")}
    the_list = lists[params["apply-inbound-acl"]]
    assert the_list.get("default") == "deny"
    assert {n.get("cidr") for n in the_list.iter("node")} == {"127.0.0.0/8", "::1/128"}


def test_configured_event_socket_password_wins_over_generated(tmp_path: Path) -> None:
    data = CENTERS["one_operator"]()
    data["switch"] = {"password": "configured-es-password"}
    center = write_center(tmp_path / "c", data)
    conf_dir = render_freeswitch_conf(center)
    assert "configured-es-password" in (
        conf_dir / "autoload_configs" / "event_socket.conf.xml").read_text()
    assert read_event_socket_password(center) == "configured-es-password"


def test_reading_the_password_before_rendering_says_to_render(tmp_path: Path) -> None:
    center = write_center(tmp_path / "c", CENTERS["one_operator"]())
    with pytest.raises(FsConfError, match="ccore conf render"):
        read_event_socket_password(center)


def test_sip_profiles_bind_the_configured_ports_and_auth_operators(tmp_path: Path) -> None:
    data = CENTERS["one_operator"]()
    data["sip"] = {"internal_ip": "192.0.2.5", "internal_port": 5070, "external_port": 5090,
                   "external_rtp_ip": "198.51.100.7", "external_sip_ip": "198.51.100.7"}
    conf_dir = render_freeswitch_conf(write_center(tmp_path / "c", data))
    variables = dict(
        n.get("data").split("=", 1) for n in parse_file(conf_dir / "vars.xml").iter("X-PRE-PROCESS")
    )
    assert variables["internal_bind_ip"] == "192.0.2.5"
    assert variables["internal_sip_port"] == "5070"
    assert variables["external_sip_port"] == "5090"
    assert variables["external_rtp_ip"] == "198.51.100.7"
    internal = parse_file(conf_dir / "sip_profiles" / "internal.xml")
    settings = {p.get("name"): p.get("value") for p in internal.iter("param")}
    assert settings["auth-calls"] == "true"
    assert settings["context"] == "default"
    assert settings["sip-port"] == "$${internal_sip_port}"
    assert "apply-inbound-acl" not in settings  # no address skips the challenge
    external = parse_file(conf_dir / "sip_profiles" / "external.xml")
    settings = {p.get("name"): p.get("value") for p in external.iter("param")}
    assert settings["context"] == "public"
    assert settings["auth-calls"] == "false"
    assert settings["disable-register"] == "true"


def test_two_trunks_become_two_gateways_calling_into_public(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "two_trunks")
    gateways = {path.stem: parse_file(path).find("gateway")
                for path in (conf_dir / "sip_profiles" / "external").glob("*.xml")}
    assert set(gateways) == {"main", "backup"}
    main = {p.get("name"): p.get("value") for p in gateways["main"].iter("param")}
    backup = {p.get("name"): p.get("value") for p in gateways["backup"].iter("param")}
    assert main["register"] == "true" and backup["register"] == "false"
    assert main["password"] == "env-trunk-secret"
    assert main["context"] == backup["context"] == "public"
    assert main["extension"] == "auto_to_user"


def test_no_trunk_renders_no_gateway(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "no_trunk")
    assert not (conf_dir / "sip_profiles" / "external").exists()
    assert "sofia/gateway" not in all_text(conf_dir)


def test_missing_trunk_password_variable_is_named_without_a_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCORE_TEST_TRUNK_PASSWORD")
    center = write_center(tmp_path / "c", CENTERS["two_trunks"]())
    with pytest.raises(FsConfError, match="CCORE_TEST_TRUNK_PASSWORD"):
        render_freeswitch_conf(center)


def test_trunk_password_never_reaches_the_logs(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    render(tmp_path, "two_trunks")
    render(tmp_path, "forty_operators")
    assert "env-trunk-secret" not in caplog.text
    assert "trunk-secret-1" not in caplog.text


def test_modules_are_exactly_what_the_center_uses(tmp_path: Path) -> None:
    solo = render(tmp_path, "one_operator")
    twin = render(tmp_path, "two_trunks")

    def modules(conf_dir: Path) -> list[str]:
        config = parse_file(conf_dir / "autoload_configs" / "modules.conf.xml")
        return [node.get("module") for node in config.iter("load")]

    for required in ("mod_sofia", "mod_event_socket", "mod_dptools", "mod_commands",
                     "mod_dialplan_xml", "mod_sndfile", "mod_native_file", "mod_tone_stream",
                     "mod_local_stream", "mod_loopback", "mod_logfile", "mod_console",
                     "mod_say_en"):
        assert required in modules(solo)
    assert "mod_voicemail" not in modules(solo)
    assert "mod_voicemail" in modules(twin)
    assert (twin / "autoload_configs" / "voicemail.conf.xml").exists()
    assert len(modules(solo)) == len(set(modules(solo)))
    assert "mod_conference" not in modules(solo) and "mod_lua" not in modules(solo)


def test_values_with_xml_special_characters_are_escaped(tmp_path: Path) -> None:
    data = CENTERS["one_operator"]()
    data["operators"][0]["name"] = 'Tom & "Jerry" <boss>'
    data["numbers"][0]["name"] = "R&D <line>"
    conf_dir = render_freeswitch_conf(write_center(tmp_path / "c", data))
    user = users(conf_dir)["1001"]
    assert user_variable(user, "effective_caller_id_name") == 'Tom & "Jerry" <boss>'
    public = parse_file(conf_dir / "dialplan" / "public.xml")
    sets = [a.get("data") for a in public.iter("action") if a.get("application") == "set"]
    assert "ccore_number_name=R&D <line>" in sets
    assert check_freeswitch_conf(conf_dir) == []


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    center = write_center(tmp_path / "c", CENTERS["forty_operators"]())
    first = render_freeswitch_conf(center, tmp_path / "first")
    second = render_freeswitch_conf(center, tmp_path / "second")
    again = render_freeswitch_conf(center, tmp_path / "first")
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes() == (
            again / name).read_bytes()


def test_rerender_keeps_passwords_drops_removed_and_adds_new_operators(tmp_path: Path) -> None:
    data = CENTERS["no_trunk"]()
    conf_dir = render_freeswitch_conf(write_center(tmp_path / "c", data))
    before = {ext: user_param(u, "password") for ext, u in users(conf_dir).items()}
    data["operators"] = [op for op in data["operators"] if op["extension"] != "1003"]
    data["operators"].append({"extension": "1050", "name": "New Hire"})
    center = write_center(tmp_path / "c", data)
    render_freeswitch_conf(center)
    after = {ext: user_param(u, "password") for ext, u in users(conf_dir).items()}
    assert set(after) == {"1001", "1002", "1050"}
    assert after["1001"] == before["1001"] and after["1002"] == before["1002"]
    assert after["1050"] not in before.values()
    assert not (conf_dir / "directory" / "default" / "1003.xml").exists()
    assert "1003" not in read_sip_passwords(center)["operators"]
    assert check_freeswitch_conf(conf_dir) == []


def test_generated_secrets_are_private_files(tmp_path: Path) -> None:
    center = write_center(tmp_path / "c", CENTERS["one_operator"]())
    render_freeswitch_conf(center)
    secrets = sorted(p for p in center.data_dir.iterdir() if p.is_file())
    assert [p.name for p in secrets] == ["event_socket.password", "sip_passwords.json"]
    for path in secrets:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.chmod(secrets[1], 0o644)
    render_freeswitch_conf(center)
    assert stat.S_IMODE(secrets[1].stat().st_mode) == 0o600


def test_refuses_to_overwrite_a_directory_ccore_did_not_render(tmp_path: Path) -> None:
    foreign = tmp_path / "etc-freeswitch"
    foreign.mkdir()
    (foreign / "freeswitch.xml").write_text("<document/>")
    center = write_center(tmp_path / "c", CENTERS["one_operator"]())
    with pytest.raises(FsConfError, match="not rendered by ccore"):
        render_freeswitch_conf(center, foreign)
    assert (foreign / "freeswitch.xml").read_text() == "<document/>"


def test_values_freeswitch_would_expand_never_reach_the_configuration(tmp_path: Path) -> None:
    data = CENTERS["one_operator"]()
    data["operators"][0]["name"] = "Eve ${hangup}"
    conf_dir = render_freeswitch_conf(write_center(tmp_path / "c", data))
    name = user_variable(users(conf_dir)["1001"], "effective_caller_id_name")
    assert "$" not in name and name.startswith("Eve")
    data["trunks"] = [{"name": "t", "proxy": "192.0.2.1", "register": False}]
    data["dialing"] = {"allowed": ["0${x}"]}
    with pytest.raises(FsConfError, match="allowed pattern"):
        render_freeswitch_conf(write_center(tmp_path / "c", data))


def test_rendered_files_are_not_world_readable_and_setgid_survives(tmp_path: Path) -> None:
    center = write_center(tmp_path / "c", CENTERS["one_operator"]())
    conf_dir = render_freeswitch_conf(center)
    for path in conf_dir.rglob("*.xml"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    users_dir = conf_dir / "directory" / "default"
    os.chmod(users_dir, 0o2750)
    render_freeswitch_conf(center)
    assert stat.S_IMODE(users_dir.stat().st_mode) == 0o2750
    assert stat.S_IMODE(conf_dir.stat().st_mode) == 0o750


def test_a_center_with_nobody_and_no_number_still_renders_a_clean_configuration(
        tmp_path: Path) -> None:
    conf_dir = render_freeswitch_conf(write_center(tmp_path / "c", {"center": {"name": "New"}}))
    assert check_freeswitch_conf(conf_dir) == []
    assert not (conf_dir / "directory" / "default").exists()
