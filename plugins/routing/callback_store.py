"""The ``routing_callbacks`` table: callbacks survive a restart of ccore.

One row per callback: the queue, the number to call, the place in line (``entered_at``),
its state (waiting, answered, failed, expired), attempts and outcome. Created by the routing
plugin's own migration set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ccore.storage import Migration

if TYPE_CHECKING:
    from sqlite_utils import Database

    from .board import Caller

TABLE = "routing_callbacks"


def _create_callbacks(db: Database) -> None:
    db.execute(
        f"""
        CREATE TABLE {TABLE} (
            id INTEGER PRIMARY KEY,
            queue TEXT NOT NULL,
            number TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            call_uuid TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 0,
            skills TEXT NOT NULL DEFAULT '{{}}',
            entered_at REAL NOT NULL,
            requested_at REAL NOT NULL,
            state TEXT NOT NULL DEFAULT 'waiting',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL DEFAULT 0,
            outcome TEXT NOT NULL DEFAULT '',
            agent TEXT NOT NULL DEFAULT '',
            updated_at REAL NOT NULL
        )
        """
    )
    db.execute(f"CREATE INDEX {TABLE}_state ON {TABLE} (state)")


MIGRATIONS: list[Migration] = [Migration("0001_callbacks", _create_callbacks)]


@dataclass
class CallbackRow:
    """One callback as stored."""

    id: int
    queue: str
    number: str
    name: str
    call_uuid: str
    priority: int
    skills: dict[str, int]
    entered_at: float
    requested_at: float
    state: str = "waiting"  # waiting, answered, failed, expired
    attempts: int = 0
    next_attempt_at: float = 0.0
    outcome: str = ""
    agent: str = ""


class CallbackStore:
    """The ``routing_callbacks`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, caller: Caller, requested_at: float) -> CallbackRow:
        """Store a new callback for a waiting caller; returns it with its id."""
        with self.db.conn:
            cursor = self.db.execute(
                f"INSERT INTO {TABLE} (queue, number, name, call_uuid, priority, skills,"
                " entered_at, requested_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    caller.queue,
                    caller.number,
                    caller.name,
                    caller.call_uuid,
                    caller.priority,
                    json.dumps(caller.skills),
                    caller.entered_at,
                    requested_at,
                    requested_at,
                ],
            )
        return CallbackRow(
            int(cursor.lastrowid or 0),
            caller.queue,
            caller.number,
            caller.name,
            caller.call_uuid,
            caller.priority,
            dict(caller.skills),
            caller.entered_at,
            requested_at,
        )

    def save(self, row: CallbackRow, now: float) -> None:
        """Write a callback's state, attempts and outcome."""
        with self.db.conn:
            self.db.execute(
                f"UPDATE {TABLE} SET state = ?, attempts = ?, next_attempt_at = ?, outcome = ?,"
                " agent = ?, updated_at = ? WHERE id = ?",
                [row.state, row.attempts, row.next_attempt_at, row.outcome, row.agent, now, row.id],
            )

    def pending(self) -> list[CallbackRow]:
        """Callbacks still to be made, oldest place first."""
        return self._select("WHERE state = 'waiting' ORDER BY entered_at, id")

    def get(self, callback_id: int) -> CallbackRow | None:
        """One callback by id."""
        rows = self._select("WHERE id = ?", [callback_id])
        return rows[0] if rows else None

    def _select(self, clause: str, params: list[Any] | None = None) -> list[CallbackRow]:
        cursor = self.db.execute(
            f"SELECT id, queue, number, name, call_uuid, priority, skills, entered_at,"
            f" requested_at, state, attempts, next_attempt_at, outcome, agent FROM {TABLE}"
            f" {clause}",
            params or [],
        )
        return [
            CallbackRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                json.loads(r[6]),
                r[7],
                r[8],
                r[9],
                r[10],
                r[11],
                r[12],
                r[13],
            )
            for r in cursor.fetchall()
        ]
