"""A FreeSWITCH 1.10 stand-in that speaks real ESL, for tests and the demo.

    switch = StandinSwitch("ClueCon", speed=20, dialplan=Dialplan.from_xml(xml), seed=1)
    await switch.start()                      # event socket on 127.0.0.1:switch.port
    switch.set_phone("1001", ring_seconds=2, talk_seconds=60)
    await switch.register("1001")             # CUSTOM sofia::register
    call = await switch.place_call("5551234", "5000", digits=[(1.0, "1")], patience=30)
    outcome = await call                      # CallOutcome: hangup_cause, times
    await switch.stop()

Modules: ``switch`` (the facade), ``listener``/``commands``/``subscription``/``wire`` (the
Event Socket), ``hub`` (firing events), ``channel``/``session``/``sip``/``cdr``/``profile``
(call legs and their events), ``apps``/``bridging``/``outbound``/``recording``/``media``
(dialplan applications), ``api``/``queries`` (api commands), ``dialplan``, ``phones``,
``callers``, ``clock``.
"""

from .callers import CallOutcome, SimCall
from .clock import SimClock
from .dialplan import Dialplan
from .phones import PhoneBehaviour
from .switch import StandinSwitch

__all__ = ["CallOutcome", "Dialplan", "PhoneBehaviour", "SimCall", "SimClock", "StandinSwitch"]
