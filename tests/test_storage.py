"""The center's SQLite file: WAL and foreign keys on, migrations once, events kept in order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from ccore.events import AgentRegistered, CallAnswered, CallOffered
from ccore.storage import CORE_MIGRATIONS, EventRow, Migration, MigrationError, Storage


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "center.db"


@pytest.fixture
def storage(db_path: Path) -> Iterator[Storage]:
    opened = Storage.open(db_path)
    yield opened
    opened.close()


def create_callbacks(db: Database) -> None:
    db.execute("CREATE TABLE callbacks (id INTEGER PRIMARY KEY, caller TEXT NOT NULL)")


def create_attempts(db: Database) -> None:
    db.execute(
        "CREATE TABLE attempts (id INTEGER PRIMARY KEY,"
        " callback_id INTEGER NOT NULL REFERENCES callbacks(id))"
    )


ROUTING = [
    Migration("0001_callbacks", create_callbacks),
    Migration("0002_attempts", create_attempts),
]


def test_the_database_is_a_real_file_in_wal_mode_with_foreign_keys_on(
    storage: Storage, db_path: Path
) -> None:
    assert db_path.is_file()
    assert storage.pragma("journal_mode") == "wal"
    assert storage.pragma("foreign_keys") == 1
    with sqlite3.connect(db_path) as other:  # WAL is a property of the file itself
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_row_pointing_at_nothing_is_refused(storage: Storage) -> None:
    storage.migrate("routing", ROUTING)

    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        storage.db.execute("INSERT INTO attempts (callback_id) VALUES (42)")


CORE_NAMES = [migration.name for migration in CORE_MIGRATIONS]


def test_core_migrations_are_applied_once_across_restarts(db_path: Path) -> None:
    assert CORE_NAMES[0] == "0001_events"
    first = Storage.open(db_path)
    assert first.applied_migrations("core") == CORE_NAMES
    first.close()

    second = Storage.open(db_path)
    assert second.migrate("core", CORE_MIGRATIONS) == []
    rows = second.db.execute("SELECT migration_set, name FROM _migrations").fetchall()
    assert rows == [("core", name) for name in CORE_NAMES]  # each exactly once
    second.close()


def test_a_plugin_set_added_later_applies_only_its_own_migrations(db_path: Path) -> None:
    Storage.open(db_path).close()

    storage = Storage.open(db_path)
    assert storage.migrate("routing", ROUTING[:1]) == ["0001_callbacks"]
    assert storage.migrate("routing", ROUTING) == ["0002_attempts"]
    assert storage.migrate("routing", ROUTING) == []

    assert storage.applied_migrations("core") == CORE_NAMES
    assert storage.applied_migrations("routing") == ["0001_callbacks", "0002_attempts"]
    assert {"events", "callbacks", "attempts"} <= set(storage.db.table_names())
    storage.close()


def test_a_failing_migration_leaves_nothing_behind_and_runs_again_next_time(
    storage: Storage,
) -> None:
    calls = []

    def half_done(db: Database) -> None:
        calls.append(1)
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
        if len(calls) == 1:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        storage.migrate("notes", [Migration("0001_notes", half_done)])
    assert "notes" not in storage.db.table_names()
    assert storage.applied_migrations("notes") == []

    assert storage.migrate("notes", [Migration("0001_notes", half_done)]) == ["0001_notes"]
    assert "notes" in storage.db.table_names()


def test_renaming_an_applied_migration_is_refused(storage: Storage) -> None:
    storage.migrate("routing", ROUTING[:1])

    renamed = [Migration("0001_callback_table", create_callbacks)]
    with pytest.raises(MigrationError, match="0001_callbacks"):
        storage.migrate("routing", renamed)


def test_events_of_a_call_come_back_in_order_with_their_data(storage: Storage) -> None:
    storage.append_event("call.offered", 100.0, call_uuid="c1", data={"caller": "+4930123"})
    storage.append_event("call.offered", 100.5, call_uuid="c2", data={"caller": "+4930999"})
    storage.append_event(
        "call.answered", 101.0, call_uuid="c1", agent="1001", queue="support", data={}
    )

    events = storage.events_for_call("c1")

    assert [(e.name, e.at, e.agent, e.queue, e.data) for e in events] == [
        ("call.offered", 100.0, None, None, {"caller": "+4930123"}),
        ("call.answered", 101.0, "1001", "support", {}),
    ]
    assert events[0].id is not None and events[0].id < events[1].id  # type: ignore[operator]


def test_domain_events_are_stored_with_their_call_agent_and_fields(storage: Storage) -> None:
    stored = storage.append_events(
        [
            CallOffered(at=10.0, call_uuid="c9", caller_number="+4930555", destination="100"),
            CallAnswered(at=12.0, call_uuid="c9"),
            AgentRegistered(at=11.0, user="1002", contact="sip:1002@10.0.0.5"),
        ]
    )

    assert stored == 3
    call = storage.events_for_call("c9")
    assert [event.name for event in call] == ["call.offered", "call.answered"]
    assert call[0].data["caller_number"] == "+4930555"
    (registration,) = storage.events_since(0, names=["agent.registered"])
    assert registration.agent == "1002"
    assert registration.data["contact"] == "sip:1002@10.0.0.5"


def test_events_since_filters_by_time_and_name(storage: Storage) -> None:
    storage.append_events(
        EventRow(name, at, call_uuid=f"c{at:.0f}")
        for name, at in [
            ("call.offered", 1.0),
            ("call.answered", 2.0),
            ("call.offered", 3.0),
            ("call.hungup", 4.0),
        ]
    )

    assert [(e.name, e.at) for e in storage.events_since(2.0)] == [
        ("call.answered", 2.0),
        ("call.offered", 3.0),
        ("call.hungup", 4.0),
    ]
    assert [e.at for e in storage.events_since(0, names=["call.offered"])] == [1.0, 3.0]
    assert storage.events_since(0, names=[]) == []
    assert len(storage.events_since(0, limit=2)) == 2


def test_a_batch_is_one_transaction_all_or_nothing(storage: Storage) -> None:
    good = EventRow("call.offered", 1.0, call_uuid="ok")
    broken = EventRow(None, 2.0, call_uuid="bad")  # type: ignore[arg-type]  # NOT NULL name

    with pytest.raises(sqlite3.IntegrityError):
        storage.append_events([good, broken])

    assert storage.events_since(0) == []


def test_a_large_batch_is_stored_completely(storage: Storage) -> None:
    rows = [EventRow("call.dtmf", float(i), call_uuid=f"c{i % 100}") for i in range(20_000)]

    assert storage.append_events(rows) == 20_000
    assert len(storage.events_for_call("c7")) == 200


def test_events_cannot_be_changed_or_deleted(storage: Storage) -> None:
    storage.append_event("call.offered", 1.0, call_uuid="c1", data={})

    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        storage.db.execute("UPDATE events SET name = 'call.answered'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        storage.db.execute("DELETE FROM events")
    assert [e.name for e in storage.events_for_call("c1")] == ["call.offered"]


def test_events_written_are_visible_to_a_reader_in_another_connection(
    storage: Storage, db_path: Path
) -> None:
    storage.append_event("call.offered", 1.0, call_uuid="c1", data={"n": 1})

    reader = Database(db_path)
    assert reader.execute("SELECT name, data FROM events").fetchall() == [
        ("call.offered", '{"n":1}')
    ]
    reader.close()
