"""Feature codes: which destinations are feature codes, and what each does to the board."""

from __future__ import annotations

import pytest

from ccore.config_schema import FeatureCodes, Operator
from ccore.model import Channel
from ccore_plugins.agents.board import AgentBoard, AgentState
from ccore_plugins.agents.feature_codes import (
    FeatureRequest,
    apply_feature,
    feature_for,
    operator_of,
    parse_route,
)

CODES = FeatureCodes()  # *21 login, *22 break, *23 back, *24 logout, *25 wrap-up done
REASONS = {"1": "Break", "2": "Lunch"}


@pytest.mark.parametrize(
    ("destination", "route"),
    [
        ("*21", "feature:login"),
        ("*24", "feature:logout"),
        ("*23", "feature:back"),
        ("*25", "feature:wrap_up_done"),
        ("*22", "feature:break"),
        ("*222", "feature:break:2"),
        ("*229", "feature:break:9"),
        ("*2212", "feature:break:12"),
    ],
)
def test_feature_codes_become_feature_routes(destination: str, route: str) -> None:
    request = feature_for(destination, CODES)
    assert request is not None and request.route == route
    assert parse_route(route) == request


@pytest.mark.parametrize("destination", ["*2", "*26", "1001", "+15550100", "*21#", "*22x", ""])
def test_other_destinations_are_not_feature_codes(destination: str) -> None:
    assert feature_for(destination, CODES) is None


def test_configured_codes_are_used() -> None:
    codes = FeatureCodes(login="*71", **{"break": "*72"})
    assert feature_for("*71", codes) == FeatureRequest("login")
    assert feature_for("*721", codes) == FeatureRequest("break", "1")
    assert feature_for("*21", codes) is None


def test_routes_of_other_kinds_are_not_features() -> None:
    assert parse_route("queue:support") is None
    assert parse_route("ivr:main") is None


async def test_each_feature_changes_the_operators_state() -> None:
    board = AgentBoard([Operator(extension="1001", name="Alice")], lambda event: None)
    steps = [
        (FeatureRequest("login"), AgentState.AVAILABLE, ""),
        (FeatureRequest("break", "2"), AgentState.ON_BREAK, "Lunch"),
        (FeatureRequest("back"), AgentState.AVAILABLE, ""),
        (FeatureRequest("break"), AgentState.ON_BREAK, "Break"),
        (FeatureRequest("login"), AgentState.AVAILABLE, "login"),  # logging in ends a break
        (FeatureRequest("login"), AgentState.AVAILABLE, "login"),  # and again changes nothing
        (FeatureRequest("logout"), AgentState.LOGGED_OUT, ""),
    ]
    for request, state, reason in steps:
        outcome = apply_feature(board, "1001", request, REASONS)
        assert outcome.ok, outcome.message
        assert board.agents["1001"].state is state
        if reason:
            assert board.agents["1001"].reason == reason


async def test_unknown_reason_unknown_operator_and_impossible_changes_are_refused() -> None:
    board = AgentBoard([Operator(extension="1001", name="Alice")], lambda event: None)
    refused = apply_feature(board, "1001", FeatureRequest("break", "9"), REASONS)
    assert not refused.ok and "unknown break reason '9'" in refused.message
    assert "1 (Break), 2 (Lunch)" in refused.message
    stranger = apply_feature(board, "5555", FeatureRequest("login"), REASONS)
    assert not stranger.ok and "5555 is not an operator" in stranger.message
    back = apply_feature(board, "1001", FeatureRequest("back"), REASONS)
    assert not back.ok and "login" in back.message
    done = apply_feature(board, "1001", FeatureRequest("wrap_up_done"), REASONS)
    assert not done.ok and "not in wrap-up" in done.message
    assert board.agents["1001"].state is AgentState.LOGGED_OUT


def test_the_phones_sip_login_names_the_operator_rather_than_its_caller_id() -> None:
    spoofed = Channel("c-1", "inbound", caller_number="1002", destination="*21",
                      variables={"sip_auth_username": "1001"})
    assert operator_of(spoofed) == "1001"
    plain = Channel("c-2", "inbound", caller_number="1002", destination="*21")
    assert operator_of(plain) == "1002"
    assert operator_of(None) == ""
