"""The reconciler: operator states checked against the switch, and repaired when contradicted.

It runs after every reconnect (``switch.resynced``), every ``reconcile_every`` seconds, and a
moment after a call an operator is still on has ended. For each operator ringing or on a call
it asks whether that call still exists (the core's model, then ``uuid_exists``); for each
operator it compares the phone's registration with the switch's (``show registrations``).
Every repair is logged, fires ``agent.repaired``, and the state change is made
``by="reconciler"``. (Stuck agents are the most reported defect of mod_callcenter.)
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ccore.model import Registration
from ccore.switch import SwitchError

from .board import ON_A_CALL, AgentBoard
from .events import AgentRepaired

if TYPE_CHECKING:
    from ccore.core import Center

_LOGGER = logging.getLogger(__name__)

GONE_FROM_SWITCH = "GONE_FROM_SWITCH"
CONFIRM_DELAY = 1.0  # seconds between the two looks at the switch's registrations


@dataclass(frozen=True)
class Repair:
    """One repair the reconciler made."""

    agent: str
    problem: str
    repair: str


class Reconciler:
    """Compares the board with the switch and repairs what the switch contradicts."""

    def __init__(self, center: Center, board: AgentBoard, *, grace: float = 2.0) -> None:
        self.center = center
        self.board = board
        self.grace = grace
        self.runs = 0
        self.repairs: list[Repair] = []
        self._lock = asyncio.Lock()
        self._registered_seen: dict[str, float] = {}
        self.restored: set[str] = set()  # states from before a restart: judged without grace

    def registration_seen(self, extension: str) -> None:
        """Note when a phone's registration was last reported (fresh ones are not dropped)."""
        self._registered_seen[extension] = self.board.clock.now()

    async def run(self, why: str) -> list[Repair]:
        """Check every operator now; return the repairs made."""
        if not self.center.switch.connected:
            _LOGGER.debug("Reconciler (%s) skipped: not connected to the switch", why)
            return []
        async with self._lock:
            self.runs += 1
            found: list[Repair] = []
            for extension in list(self.board.agents):
                repair = await self._check_call(extension)
                if repair is not None:
                    found.append(repair)
            found += await self._check_registrations()
            if found:
                _LOGGER.warning("Reconciler (%s) made %d repairs", why, len(found))
            return found

    async def check_agent(self, extension: str, why: str) -> Repair | None:
        """Check one operator's call now (after a call they were on ended)."""
        if not self.center.switch.connected:
            return None
        async with self._lock:
            _LOGGER.debug("Reconciler checks %s (%s)", extension, why)
            return await self._check_call(extension)

    async def every(self, seconds: float) -> None:
        """Run forever, every ``seconds`` of operator time (a plugin task)."""
        task = asyncio.current_task()
        while True:
            await self.board.clock.sleep(seconds)
            self.board.roll_over_day()
            try:
                await self.run("periodic")
            except Exception:
                _LOGGER.exception("Reconciler run failed; trying again next time")
            if task is not None and task.cancelling():
                # Code this run awaits may swallow a cancel (3.11's wait_for did, under the ESL
                # commands, before they moved to asyncio.timeout); honour a pending one here so
                # unloading never waits forever.
                raise asyncio.CancelledError

    # --- calls -------------------------------------------------------------------------------

    async def _check_call(self, extension: str) -> Repair | None:
        agent = self.board.agents.get(extension)
        if agent is None or agent.state not in ON_A_CALL:
            return None
        fresh = self.board.clock.now() - agent.state_since < self.grace
        if fresh and extension not in self.restored:
            return None  # just offered or answered: the switch may not have caught up
        self.restored.discard(extension)
        call_uuid = agent.call_uuid
        state = agent.state
        if call_uuid and await self._call_exists(call_uuid) is not False:
            return None
        if agent.state is not state or agent.call_uuid != call_uuid:
            return None  # changed while we asked the switch
        problem = f"{state} with a call the switch no longer has ({call_uuid})"
        if call_uuid and call_uuid in self.center.calls.channels:
            # The core missed the hangup too: tell everyone (routing drops a ghost caller).
            self.center.calls.drop_channel(call_uuid, GONE_FROM_SWITCH)
        now = self.board.release_stuck(extension, "repaired: call gone from the switch")
        return self._record(extension, problem, str(now))

    async def _call_exists(self, call_uuid: str) -> bool | None:
        """True/False as the switch says; None when it could not be asked."""
        try:
            return await self.center.switch.exists(call_uuid)
        except (SwitchError, ValueError) as err:
            if isinstance(err, ValueError):  # not even a valid uuid: no such call
                return False
            _LOGGER.info("Reconciler could not ask about call %s: %s", call_uuid, err)
            return None

    # --- registrations -----------------------------------------------------------------------

    async def _check_registrations(self) -> list[Repair]:
        switch_users = await self._switch_registrations()
        if switch_users is None:
            return []
        calls = self.center.calls
        now = self.board.clock.now()
        if any(
            ext in calls.registrations and ext not in switch_users for ext in self.board.agents
        ):
            # ``show registrations`` lags behind the switch (a refresh can hide a phone for a
            # moment): only what is missing from two answers in a row is really gone.
            await self.board.clock.sleep(CONFIRM_DELAY)
            again = await self._switch_registrations()
            if again is None:
                return []
            switch_users.update(again)
        found: list[Repair] = []
        for extension, agent in self.board.agents.items():
            core_has = extension in calls.registrations
            repair: Repair | None = None
            if core_has and extension not in switch_users:
                seen = self._registered_seen.get(extension, 0.0)
                if now - seen >= self.grace:
                    calls.drop_registration(extension, "gone from the switch")
                    core_has = False
                    repair = self._record(
                        extension, "registration the switch no longer has", "unregistered"
                    )
            elif not core_has and extension in switch_users:
                calls.adopt_registration(
                    Registration(user=extension, contact=switch_users[extension])
                )
                core_has = True
                repair = self._record(
                    extension, "registered on the switch, unknown to the core", "registered"
                )
            if agent.registered != core_has:
                self.board.set_registered(extension, core_has)
                if repair is None:
                    repair = self._record(
                        extension,
                        f"board said registered={not core_has}, the switch {core_has}",
                        "registered" if core_has else "unregistered",
                    )
            if repair is not None:
                found.append(repair)
        return found

    async def _switch_registrations(self) -> dict[str, str] | None:
        try:
            output = await self.center.switch.api("show registrations as json")
        except SwitchError as err:
            _LOGGER.info("Reconciler could not read the switch's registrations: %s", err)
            return None
        try:
            data = json.loads(output)
        except ValueError:
            _LOGGER.warning("Unexpected answer to show registrations: %.200s", output)
            return None
        rows = data.get("rows", []) if isinstance(data, dict) else []
        return {
            str(row.get("reg_user")): str(row.get("url", ""))
            for row in rows
            if isinstance(row, dict) and row.get("reg_user")
        }

    def _record(self, extension: str, problem: str, repair: str) -> Repair:
        _LOGGER.warning("Reconciler repaired operator %s: %s -> %s", extension, problem, repair)
        found = Repair(extension, problem, repair)
        self.repairs.append(found)
        self.center.bus.fire(AgentRepaired(agent=extension, problem=problem, repair=repair))
        return found
