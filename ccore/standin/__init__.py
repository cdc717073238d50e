"""A FreeSWITCH 1.10 stand-in that speaks real ESL, for tests and the demo."""

from .callers import CallOutcome, SimCall
from .clock import SimClock
from .dialplan import Dialplan
from .phones import PhoneBehaviour
from .switch import StandinSwitch

__all__ = ["CallOutcome", "Dialplan", "PhoneBehaviour", "SimCall", "SimClock", "StandinSwitch"]
