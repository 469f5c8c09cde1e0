"""Repositories of minutes after the meeting and of retention, on SQLite and PostgreSQL: the
purge deletes rows (asserted on the tables) and marks where meeting lines were; redactions
count against approved minutes; an objection and the deadline claim a circulation once; and
migration 0008 over a database in use."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from storage.approval import AmendmentRepository, ApprovalRepository, CirculationRepository
from storage.db import Database
from storage.log import LogRepository
from storage.minutes import MinutesRepository
from storage.models import LogEntry, MinutesLine, Room, UndecryptableEvent
from storage.models_after import MinutesRemoval, RoomRetention
from storage.retention import RetentionRepository
from storage.rooms import RoomRepository
from storage.status import CirculationStatus, LogKind
from storage.undecryptable import UndecryptableRepository

ROOM, OTHER = "!room:example.org", "!other:example.org"
ALICE, BOB = "@alice:example.org", "@bob:example.org"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def meeting_with_lines(s, room_id: str = ROOM):
    """A meeting: lines 1-3 a month old, an item, lines 5-6 old, line 7 recent."""
    minutes = MinutesRepository(s)
    meeting = minutes.start(
        room_id=room_id, title="Plenary", started_by=ALICE, now=NOW, event_id=None
    )
    old, recent = NOW - timedelta(days=40), NOW

    def line(n: int, at: datetime) -> None:
        minutes.record(
            meeting,
            event_id=f"${room_id}{n}",
            sender=BOB,
            ts=at,
            kind=LogKind.MESSAGE,
            payload={"msgtype": "m.text", "body": f"line {n}"},
        )

    for n in (1, 2, 3):
        line(n, old)
    minutes.add_item(meeting, kind="agreed", text="Decided", author=ALICE, now=old, event_id="$i")
    line(5, old)
    line(6, old + timedelta(days=30))  # ten days old: kept with 30 days
    line(7, recent)
    return meeting


def count(s, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return s.scalar(query)


def test_the_purge_deletes_old_rows_and_marks_each_run_of_lines(db: Database):
    with db.transaction() as s:
        meeting = meeting_with_lines(s)
        other = meeting_with_lines(s, OTHER)
        LogRepository(s).append(
            room_id=ROOM,
            sender=ALICE,
            ts=NOW - timedelta(days=40),
            kind="command",
            payload={"commands": ["help"]},
            event_id="$cmd",
        )
        UndecryptableRepository(s).keep(
            event_id="$secret",
            room_id=ROOM,
            sender=BOB,
            session_id="s",
            source={},
            now=NOW - timedelta(days=40),
        )
        meeting_id, other_id = meeting.id, other.id
    with db.transaction() as s:
        purged = RetentionRepository(s).purge(ROOM, NOW - timedelta(days=30), NOW)
    assert (purged.entries, purged.lines, purged.meetings) == (5, 4, 1)
    with db.transaction() as s:
        assert count(s, LogEntry, room_id=ROOM) == 2  # lines 6 and 7
        assert count(s, LogEntry, room_id=OTHER) == 6  # another room: untouched
        assert count(s, MinutesLine, meeting_id=meeting_id) == 2
        assert count(s, UndecryptableEvent) == 0
        assert len(MinutesRepository(s).items(meeting_id)) == 1  # the decision stays
        marks = [
            (m.first_seq, m.last_seq, m.lines) for m in RetentionRepository(s).removals(meeting_id)
        ]
        # Lines 1-3 and 5 had no kept line between them (the item is not a line): one run.
        assert marks == [(1, 5, 4)]
        assert RetentionRepository(s).removals(other_id) == []
        assert RetentionRepository(s).removed_counts([meeting_id, other_id]) == {meeting_id: 4}
    # A second purge later makes a second mark; nothing else goes twice.
    with db.transaction() as s:
        again = RetentionRepository(s).purge(
            ROOM, NOW + timedelta(days=1), NOW + timedelta(days=31)
        )
        assert (again.entries, again.lines) == (2, 2)
        assert count(s, MinutesRemoval) == 2
        assert count(s, LogEntry, room_id=ROOM) == 0


def test_room_and_state_retention_are_kept_on_the_settings_row(db: Database):
    with db.transaction() as s:
        retention = RetentionRepository(s)
        retention.set_state_retention(ROOM, None)  # nothing to say: no row made
        assert s.get(RoomRetention, ROOM) is None
        retention.set_room_retention(ROOM, 86_400)
        retention.set_state_retention(OTHER, 3_600_000)
        RoomRepository(s).set_language(ROOM, "fr")
    with db.transaction() as s:
        found = RetentionRepository(s).rooms_with_retention()
        assert sorted(r.room_id for r in found) == sorted([ROOM, OTHER])
        room = s.get(RoomRetention, ROOM)
        assert (room.retention_seconds, room.state_max_lifetime_ms) == (86_400, None)
        assert s.get(Room, ROOM).language == "fr"  # the other settings row, untouched


def test_redactions_count_against_approved_minutes_only(db: Database):
    with db.transaction() as s:
        meeting = meeting_with_lines(s)
        second = meeting_with_lines(s, OTHER)
        ApprovalRepository(s).approve(
            meeting.id, by=ALICE, now=NOW, sha256="0" * 64, timezone="UTC", actions=[]
        )
        ids = meeting.id, second.id
    with db.transaction() as s:
        MinutesRepository(s).redact(ROOM, f"${ROOM}7")
        MinutesRepository(s).redact(ROOM, "$i")  # the decision's command
        MinutesRepository(s).redact(OTHER, f"${OTHER}7")  # a draft: nothing to count
        MinutesRepository(s).redact(ROOM, "$nothing")
    with db.transaction() as s:
        assert ApprovalRepository(s).get(ids[0]).redactions == 2
        assert ApprovalRepository(s).get(ids[1]) is None


def test_who_was_present_and_amendments_numbered_per_meeting(db: Database):
    with db.transaction() as s:
        meeting = meeting_with_lines(s)
        amendments = AmendmentRepository(s)
        assert amendments.was_present(meeting.id, BOB)  # a line
        assert amendments.was_present(meeting.id, ALICE)  # an item
        assert not amendments.was_present(meeting.id, "@carol:example.org")
        first = amendments.add(meeting.id, text="x", author=BOB, now=NOW, event_id="$a1")
        second = amendments.add(meeting.id, text="y", author=BOB, now=NOW, event_id="$a2")
        assert (first.number, second.number) == (1, 2)
        assert [a.number for a in amendments.remove_of_event(ROOM, "$a1")] == [1]
        assert amendments.remove_of_event(OTHER, "$a2") == []  # another room's event id
        assert amendments.add(meeting.id, text="z", author=BOB, now=NOW, event_id=None).number == 3


def test_an_objection_and_the_deadline_claim_a_circulation_once(db: Database):
    with db.transaction() as s:
        meeting = meeting_with_lines(s)
        circulation = CirculationRepository(s).add(
            meeting, by=ALICE, now=NOW, due_at=NOW + timedelta(days=7)
        )
        circulation_id = circulation.id
    with db.transaction() as s:
        rows = CirculationRepository(s)
        assert rows.pending() == [(circulation_id, NOW + timedelta(days=7))]
        row = rows.get(circulation_id)
        assert rows.stop(row, CirculationStatus.OBJECTED, NOW, by=BOB, reason="no", event_id="$o")
        assert not rows.claim(circulation_id, NOW + timedelta(days=8))  # the deadline lost
        assert not rows.stop(row, CirculationStatus.OBJECTED, NOW, by=ALICE, reason="me too")
    with db.transaction() as s:
        row = CirculationRepository(s).get(circulation_id)
        assert (row.status, row.objected_by, row.reason) == ("objected", BOB, "no")
        assert CirculationRepository(s).forget_reason(ROOM, "$o") == 1
        assert CirculationRepository(s).pending() == []


def test_migration_0008_keeps_rows_of_0007(database_url):
    db = Database(database_url)
    db.upgrade("0007")
    with db.transaction() as s:
        # The rooms table as revision 0007 knew it (the model has the new columns).
        s.execute(text("INSERT INTO rooms (room_id, language) VALUES (:r, 'de')"), {"r": ROOM})
        meeting_with_lines(s)
    db.upgrade()
    with db.transaction() as s:
        assert s.get(Room, ROOM).language == "de"
        assert s.get(RoomRetention, ROOM) is None
        assert count(s, MinutesLine) == 6
        assert s.execute(text("SELECT count(*) FROM minutes_approvals")).scalar() == 0
    db.close()
