"""Which calls the ivr plugin routes: numbers with ``ivr = ...``, by ccore_number or destination."""

from __future__ import annotations

from pathlib import Path

import test_ivr_menus
from test_ivr_menus import CENTER, IvrCenter

from ccore.config import parse_center
from ccore.model import Channel
from ccore_plugins.ivr.numbers import ivr_route, menu_of_route, number_for_call

ivr_center = test_ivr_menus.ivr_center  # the fixture, shared

MODEL = parse_center(
    CENTER + '\n[[numbers]]\nnumber = "+4930200"\nqueue = "support"\n', Path("center.toml")
)[1]

# What the rendered dialplan does for a number: set ccore_number, then hand the call to ccore
# (here: park it, where the stand-in's ESL controller takes it).
DIALPLAN = """\
<include><context name="public">
  <extension name="main-line">
    <condition field="destination_number" expression="^0301234$">
      <action application="set" data="ccore_number=+4930100"/>
      <action application="park" data=""/>
    </condition>
  </extension>
</context></include>
"""


async def test_a_call_to_an_ivr_number_is_routed_to_its_menu(ivr_center: IvrCenter) -> None:
    harness = await ivr_center(CENTER)

    call = await harness.switch.place_call("+4917012345", "4930100")  # the trunk drops the +
    routed = await harness.next_event("call.routed", lambda e: e.call_uuid == call.uuid)

    assert routed.route == "ivr:main"
    await harness.next_event("ivr.entered", lambda e: e.call_uuid == call.uuid)


async def test_the_number_the_dialplan_set_wins_over_the_dialed_digits(
    ivr_center: IvrCenter,
) -> None:
    harness = await ivr_center(CENTER, dialplan=DIALPLAN)

    call = await harness.switch.place_call("+4917012345", "0301234")
    routed = await harness.next_event("call.routed", lambda e: e.call_uuid == call.uuid)

    assert routed.route == "ivr:main"
    assert harness.center.calls.channels[call.uuid].variables["ccore_number"] == "+4930100"
    entered = await harness.next_event("ivr.entered", lambda e: e.call_uuid == call.uuid)
    assert entered.number == "+4930100"


def test_numbers_for_queues_and_unknown_numbers_are_left_to_other_plugins() -> None:
    to_queue = Channel(uuid="a", direction="inbound", destination="+4930200")
    unknown = Channel(uuid="b", direction="inbound", destination="5555")
    by_variable = Channel(
        uuid="c", direction="inbound", destination="0301234",
        variables={"ccore_number": "+4930100"},
    )

    assert ivr_route(MODEL, to_queue) is None
    assert number_for_call(MODEL, to_queue) is not None  # known, but routing's
    assert ivr_route(MODEL, unknown) is None
    assert ivr_route(MODEL, by_variable) == "ivr:main"


def test_only_ivr_routes_name_a_menu() -> None:
    assert menu_of_route("ivr:main") == "main"
    assert menu_of_route("queue:support") is None
    assert menu_of_route("ivr:") is None
