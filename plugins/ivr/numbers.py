"""Which ``[[numbers]]`` entry a call came in on, and the IVR route it gets."""

from __future__ import annotations

from ccore.config_schema import CenterModel, Number
from ccore.model import Channel

ROUTE_KIND = "ivr"


def _digits(number: str) -> str:
    return number.removeprefix("+")


def number_for_call(model: CenterModel, channel: Channel) -> Number | None:
    """The number a call was made to: ``ccore_number`` set by the dialplan, else the destination.

    An exact match wins; otherwise a leading ``+`` is ignored on either side (a trunk may send
    ``4930100`` for ``+4930100``).
    """
    for dialed in (channel.variables.get("ccore_number"), channel.destination):
        if not dialed:
            continue
        for number in model.numbers:
            if number.number == dialed:
                return number
        for number in model.numbers:
            if _digits(number.number) == _digits(dialed):
                return number
    return None


def ivr_route(model: CenterModel, channel: Channel) -> str | None:
    """``ivr:<menu>`` for a call to a number that goes to an IVR menu, else None."""
    number = number_for_call(model, channel)
    if number is None or number.ivr is None:
        return None
    return f"{ROUTE_KIND}:{number.ivr}"


def menu_of_route(route: str) -> str | None:
    """The menu an ``ivr:<menu>`` route names; None for any other route."""
    kind, _, target = route.partition(":")
    return target if kind == ROUTE_KIND and target else None
