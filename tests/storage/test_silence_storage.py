"""Silence procedures' repository and migration 0015 over a database in use (the register's
entries and meetings of the previous revision stay), on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.decisions import DecisionRepository
from storage.minutes import MinutesRepository
from storage.silence import SilenceRepository

ROOM, OTHER = "!room:example.org", "!other:example.org"
ALICE, BOB = "@alice:example.org", "@bob:example.org"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def test_migration_0015_keeps_rows_of_0014(database_url):
    db = Database(database_url)
    db.upgrade("0014")
    with db.transaction() as s:
        meeting = MinutesRepository(s).start(
            room_id=ROOM, title="Plénière", started_by=ALICE, now=NOW, event_id="$s"
        )
        DecisionRepository(s).add(
            room_id=ROOM,
            outcome="agreed",
            text="Old decision",
            decided_at=NOW,
            author=ALICE,
            meeting_id=meeting.id,
        )
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"silence_procedures", "silence_objections"} <= tables
    with db.transaction() as s:
        (old,) = DecisionRepository(s).of_room(ROOM)
        assert (old.number, old.text, old.author) == (1, "Old decision", ALICE)
        assert MinutesRepository(s).by_short_id(ROOM, 1).title == "Plénière"
        procedure = SilenceRepository(s).open(
            room_id=ROOM, text="New text", by=ALICE, now=NOW, due_at=NOW + WEEK, event_id="$p"
        )
        assert procedure.number == 1
        # The register goes on after its existing entries.
        entry = DecisionRepository(s).add(
            room_id=ROOM, outcome="adopted", text="New text", decided_at=NOW + WEEK
        )
        assert (entry.number, entry.author, entry.meeting_id) == (2, None, None)
    db.close()


def test_numbers_per_room_objections_once_and_claimed_once(db):
    with db.transaction() as s:
        procedures = SilenceRepository(s)
        first = procedures.open(
            room_id=ROOM, text="A", by=ALICE, now=NOW, due_at=NOW + WEEK, event_id="$a"
        )
        other = procedures.open(
            room_id=OTHER, text="B", by=ALICE, now=NOW, due_at=NOW + WEEK, event_id="$b"
        )
        second = procedures.open(
            room_id=ROOM, text="C", by=ALICE, now=NOW, due_at=NOW + WEEK, event_id="$c"
        )
        assert (first.number, other.number, second.number) == (1, 1, 2)
        assert procedures.hold(first)
        procedures.object(first, by=BOB, reason="No", now=NOW, event_id="$o")
        first_id = first.id
    with pytest.raises(IntegrityError), db.transaction() as s:
        first = SilenceRepository(s).get(first_id)
        SilenceRepository(s).object(first, by=BOB, reason="Again", now=NOW, event_id="$o2")
    with db.transaction() as s:
        procedures = SilenceRepository(s)
        assert [o.reason for o in procedures.objections(first_id)] == ["No"]
        # A redaction in another room removes nothing.
        assert procedures.remove_objection_of_event(OTHER, "$o") == 0
        assert procedures.due(NOW + WEEK, 10) == [first_id, first_id + 1, first_id + 2]
        assert procedures.claim(first_id, NOW + WEEK) is True
        assert procedures.claim(first_id, NOW + WEEK) is False
        first = procedures.get(first_id)
        assert first.status == "closing"
        assert procedures.hold(first) is False  # an objection now comes too late
        assert procedures.withdraw(first, NOW, ALICE) is False
        assert procedures.remove_objection_of_event(ROOM, "$o") == 1
        assert procedures.objections(first_id) == []
