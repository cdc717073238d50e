"""The center's SQLite database: versioned migrations and the append-only event table.

One ``Storage`` per center, opened at startup over a real file with sqlite-utils. SQLite runs
in WAL mode (readers such as reports or the UI never block the writer) with foreign keys on.

One writer: every write goes through this object, which is used from the core's asyncio
thread only (the connection is not shared between threads). Writes are short: a batch of
events is one transaction. Other processes may read the file at the same time.

Migrations come in named sets: ``"core"`` here and one per plugin. Each migration has a name
and a function taking the ``Database``; it runs once, in its own transaction, and is recorded
in ``_migrations`` (set, name, applied_at). Never rename or remove an applied migration: a
recorded name missing from the code is an error at startup.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ccore.events import Event

log = logging.getLogger(__name__)

MIGRATIONS_TABLE = "_migrations"
EVENT_COLUMNS = ("at", "name", "call_uuid", "agent", "queue", "data")


class MigrationError(RuntimeError):
    """The database and the code disagree about a migration set."""


@dataclass(frozen=True)
class Migration:
    """One step of a migration set: a stable ``name`` and the function that applies it."""

    name: str
    apply: Callable[[Database], None]


@dataclass(frozen=True)
class EventRow:
    """One row of the event table: what happened (``name``), when, to which call/agent/queue."""

    name: str
    at: float
    call_uuid: str | None = None
    agent: str | None = None
    queue: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None  # set once stored


def _create_events(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            name TEXT NOT NULL,
            call_uuid TEXT,
            agent TEXT,
            queue TEXT,
            data TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db.execute("CREATE INDEX events_call_uuid ON events (call_uuid)")
    db.execute("CREATE INDEX events_name_at ON events (name, at)")
    db.execute("CREATE INDEX events_agent_at ON events (agent, at)")
    db.execute("CREATE INDEX events_at ON events (at)")
    for verb in ("UPDATE", "DELETE"):
        db.execute(
            f"""
            CREATE TRIGGER events_append_only_{verb.lower()} BEFORE {verb} ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END
            """
        )


def _index_latest_per_agent(db: Database) -> None:
    # "The latest state_changed of each operator" (recovery at every start) reads this index
    # instead of scanning years of events.
    db.execute("CREATE INDEX events_name_agent_id ON events (name, agent, id)")


CORE_MIGRATIONS: list[Migration] = [
    Migration("0001_events", _create_events),
    Migration("0002_events_name_agent_id", _index_latest_per_agent),
]


class Storage:
    """The center's database. Open it with ``Storage.open``; use it from one thread."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Storage:
        """Open (or create) the database file, switch on WAL and foreign keys, migrate core."""
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(path)
        db.execute("PRAGMA busy_timeout = 5000")  # a reader's checkpoint never fails a write
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable at every checkpoint
        db.execute("PRAGMA foreign_keys = ON")
        storage = cls(db, path)
        storage.migrate("core", CORE_MIGRATIONS)
        return storage

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # --- migrations -------------------------------------------------------------------------

    def applied_migrations(self, set_name: str) -> list[str]:
        """Return the names of a set's applied migrations, in the order they were applied."""
        if not self.db[MIGRATIONS_TABLE].exists():
            return []
        rows = self.db.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
            [set_name],
        ).fetchall()
        return [name for (name,) in rows]

    def migrate(self, set_name: str, migrations: Sequence[Migration]) -> list[str]:
        """Apply a set's migrations not applied yet, in order; return the names applied now."""
        names = [migration.name for migration in migrations]
        if len(set(names)) != len(names):
            raise MigrationError(f"migration set {set_name!r} repeats a name: {names}")
        self._ensure_migrations_table()
        applied = self.applied_migrations(set_name)
        unknown = [name for name in applied if name not in names]
        if unknown:
            raise MigrationError(
                f"migration set {set_name!r}: applied migrations {unknown} are not in the code"
                " (renamed or removed?); applied migrations must keep their names"
            )
        done: list[str] = []
        for migration in migrations:
            if migration.name in applied:
                continue
            with self.db.atomic():
                migration.apply(self.db)
                self.db.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at)"
                    " VALUES (?, ?, ?)",
                    [set_name, migration.name, time.time()],
                )
            log.info("applied migration %s/%s", set_name, migration.name)
            done.append(migration.name)
        return done

    def _ensure_migrations_table(self) -> None:
        with self.db.atomic():
            self.db.execute(
                f"""
                CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (
                    migration_set TEXT NOT NULL,
                    name TEXT NOT NULL,
                    applied_at REAL NOT NULL,
                    PRIMARY KEY (migration_set, name)
                )
                """
            )

    # --- events -----------------------------------------------------------------------------

    def append_event(
        self,
        name: str,
        at: float,
        call_uuid: str | None = None,
        agent: str | None = None,
        queue: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> int:
        """Append one event and return its id."""
        row = EventRow(name, at, call_uuid, agent, queue, data or {})
        with self.db.atomic():
            cursor = self.db.execute(_INSERT_EVENT, _values(row))
        return int(cursor.lastrowid or 0)

    def append_events(self, rows: Iterable[EventRow | Event]) -> int:
        """Append many events (rows or domain events) in one transaction; return how many."""
        values = [_values(row if isinstance(row, EventRow) else event_row(row)) for row in rows]
        if values:
            with self.db.atomic():
                self.db.conn.executemany(_INSERT_EVENT, values)
        return len(values)

    def events_for_call(self, call_uuid: str) -> list[EventRow]:
        """Return every event of one call, in the order they were appended."""
        return self._select("WHERE call_uuid = ? ORDER BY id", [call_uuid])

    def events_since(
        self, at: float, names: Iterable[str] | None = None, *, limit: int | None = None
    ) -> list[EventRow]:
        """Return events at or after ``at`` (optionally only these names), oldest first."""
        where, params = "WHERE at >= ?", [at]
        if names is not None:
            wanted = list(names)
            where += f" AND name IN ({', '.join('?' * len(wanted))})"
            params.extend(wanted)
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        return self._select(f"{where} ORDER BY at, id{tail}", params)

    def _select(self, clause: str, params: Sequence[Any]) -> list[EventRow]:
        cursor = self.db.execute(
            f"SELECT id, at, name, call_uuid, agent, queue, data FROM events {clause}", params
        )
        return [
            EventRow(name, at, call_uuid, agent, queue, json.loads(data), id=row_id)
            for row_id, at, name, call_uuid, agent, queue, data in cursor.fetchall()
        ]

    def pragma(self, name: str) -> Any:
        """Return the value of a PRAGMA on the writer's connection (``journal_mode``, ...)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        return self.db.execute(f"PRAGMA {name}").fetchone()[0]


_INSERT_EVENT = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * 6)})"


def event_row(event: Event) -> EventRow:
    """Turn a domain event into a row: the operator and queue it concerns become columns."""
    fields = event.to_dict()
    name = fields.pop("name")
    at = fields.pop("at")
    call_uuid = fields.pop("call_uuid", None)
    agent = fields.get("agent") or fields.get("extension") or fields.get("user") or None
    queue = fields.get("queue") or None
    return EventRow(name, at, call_uuid, agent, queue, fields)


def _values(row: EventRow) -> tuple[Any, ...]:
    data = json.dumps(dict(row.data), default=_json_default, separators=(",", ":"))
    return (row.at, row.name, row.call_uuid, row.agent, row.queue, data)


def _json_default(value: Any) -> Any:
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


__all__ = [
    "CORE_MIGRATIONS",
    "EventRow",
    "Migration",
    "MigrationError",
    "Storage",
    "event_row",
]
