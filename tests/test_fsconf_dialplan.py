"""The rendered dialplan: inbound numbers to ccore with a fallback, feature codes, dialing out."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fsconf_centers import CENTERS, route, write_center

from ccore.fsconf import load_expanded_dialplan, render_freeswitch_conf, rendered_dialplan_path

SOCKET = "127.0.0.1:8084 async full"
OPERATOR = {"toll_allow": ""}
OUTBOUND_OPERATOR = {"toll_allow": "ccore_outbound"}


@pytest.fixture(autouse=True)
def _trunk_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCORE_TEST_TRUNK_PASSWORD", "env-trunk-secret")


def render(tmp_path: Path, name: str) -> Path:
    return render_freeswitch_conf(write_center(tmp_path / name, CENTERS[name]()))


def applications(actions: list[tuple[str, str]]) -> list[str]:
    return [app for app, _ in actions]


@pytest.mark.parametrize("name", sorted(CENTERS))
def test_each_inbound_number_goes_to_ccore_then_to_a_fallback(tmp_path: Path, name: str) -> None:
    conf_dir = render(tmp_path, name)
    for number in CENTERS[name]()["numbers"]:
        for dialed in (number["number"], number["number"].lstrip("+")):
            _, actions = route(conf_dir, "public", dialed)
            assert ("set", f"ccore_number={number['number']}") in actions
            socket_at = actions.index(("socket", SOCKET))
            after = applications(actions[socket_at + 1:])
            assert after[:3] == ["set", "answer", "playback"]
            assert "bridge" in after or "voicemail" in after
            assert after[-1] == "hangup"


def test_fallback_rings_the_configured_operators_all_at_once(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "forty_operators")
    _, actions = route(conf_dir, "public", "+4930200200")
    bridge = dict(actions)["bridge"]
    assert bridge == ("{originate_timeout=25,ignore_early_media=true}"
                      "user/1001@${domain_name},user/1002@${domain_name},"
                      "user/1003@${domain_name}")
    _, actions = route(conf_dir, "public", "+4930200201")
    assert dict(actions)["bridge"].count("user/") == 40


def test_fallback_can_end_in_voicemail(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "two_trunks")
    _, actions = route(conf_dir, "public", "4930400400")
    assert actions[-2] == ("voicemail", "default ${domain_name} general")
    assert ("playback", "tone_stream://%(500,0,800)") in actions


def test_voicemail_fallback_plays_the_box_greeting_first(tmp_path: Path) -> None:
    data = CENTERS["two_trunks"]()
    data["voicemail"]["general"]["greeting"] = "tone:confirm"
    conf_dir = render_freeswitch_conf(write_center(tmp_path / "c", data))
    _, actions = route(conf_dir, "public", "4930400400")
    at = actions.index(("voicemail", "default ${domain_name} general"))
    assert ("playback", "tone_stream://%(150,100,880);%(150,0,1320)") in actions[at - 3:at]


def test_failed_operator_bridge_does_not_hang_up_a_ccore_caller(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "one_operator")
    _, actions = route(conf_dir, "public", "+4930100100")
    before_socket = actions[:actions.index(("socket", SOCKET))]
    assert ("set", "continue_on_fail=true") in before_socket
    assert ("set", "hangup_after_bridge=true") in before_socket


def test_unknown_numbers_from_the_trunk_are_unallocated(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "one_operator")
    name, actions = route(conf_dir, "public", "+4930999999")
    assert actions == [("hangup", "UNALLOCATED_NUMBER")]
    assert name == "ccore-unknown-number"


@pytest.mark.parametrize(("dialed", "feature", "reason"), [
    ("*21", "login", None), ("*24", "logout", None), ("*23", "back", None),
    ("*25", "wrap_up_done", None), ("*222", "break", "2"), ("*22", "break", None),
])
def test_feature_codes_go_to_ccore(tmp_path: Path, dialed: str, feature: str,
                                   reason: str | None) -> None:
    conf_dir = render(tmp_path, "one_operator")
    _, actions = route(conf_dir, "default", dialed, OPERATOR)
    assert ("set", f"ccore_feature={feature}") in actions
    if reason:
        assert ("set", f"ccore_break_reason={reason}") in actions
    assert ("socket", SOCKET) in actions


def test_feature_codes_follow_center_toml(tmp_path: Path) -> None:
    data = CENTERS["one_operator"]()
    data["feature_codes"] = {"login": "*71", "break": "*72", "back": "*73", "logout": "*74",
                             "wrap_up_done": "*75"}
    data["break_reasons"] = {"7": "Coffee"}
    conf_dir = render_freeswitch_conf(write_center(tmp_path / "c", data))
    _, actions = route(conf_dir, "default", "*727", OPERATOR)
    assert ("set", "ccore_break_reason_name=Coffee") in actions
    name, _ = route(conf_dir, "default", "*21", OPERATOR)
    assert name == "ccore-refuse"


def test_operators_call_each_other(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "no_trunk")
    _, actions = route(conf_dir, "default", "1002", OPERATOR)
    assert ("bridge", "user/1002@${domain_name}") in actions


def test_outbound_calls_only_to_allowed_patterns_for_permitted_operators(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "forty_operators")
    national = "030123456"
    _, actions = route(conf_dir, "default", national, OUTBOUND_OPERATOR)
    assert ("bridge", "sofia/gateway/carrier/${destination_number}") in actions
    assert ("set", "effective_caller_id_number=+4930200200") in actions
    name, _ = route(conf_dir, "default", national, OPERATOR)
    assert name == "ccore-refuse"
    for international in ("0049301234567", "+4930123456", "001555123456", "900"):
        name, actions = route(conf_dir, "default", international, OUTBOUND_OPERATOR)
        assert name == "ccore-refuse", international
        assert actions[-1] == ("hangup", "CALL_REJECTED")


def test_emergency_numbers_are_open_to_every_operator(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "forty_operators")
    _, actions = route(conf_dir, "default", "112", OPERATOR)
    assert ("bridge", "sofia/gateway/carrier/${destination_number}") in actions


def test_dialing_uses_the_configured_trunk(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "two_trunks")
    _, actions = route(conf_dir, "default", "0033123456789", OUTBOUND_OPERATOR)
    assert ("bridge", "sofia/gateway/backup/${destination_number}") in actions


def test_without_a_trunk_nothing_is_dialed_out(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "no_trunk")
    for dialed in ("030123456", "112"):
        name, _ = route(conf_dir, "default", dialed, OUTBOUND_OPERATOR)
        assert name == "ccore-refuse"


def test_dialplan_files_are_plain_and_found_by_path(tmp_path: Path) -> None:
    conf_dir = render(tmp_path, "forty_operators")
    dialplan = rendered_dialplan_path(conf_dir)
    assert sorted(p.name for p in dialplan.glob("*.xml")) == ["default.xml", "public.xml"]
    for path in dialplan.glob("*.xml"):
        assert "$${" not in path.read_text()
    contexts = {c.get("name") for c in load_expanded_dialplan(conf_dir).iter("context")}
    assert contexts == {"default", "public"}
