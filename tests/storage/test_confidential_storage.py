"""Confidentiality's storage on SQLite and PostgreSQL: migration 0014 over rows of 0012 (a
meeting recorded before it stays an ordinary one, with every line), and the pending `!forget
me` requests, replaced by a later one and dropped once stale."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select

from storage.confidential import ConfidentialRepository
from storage.confidential_models import ForgetRequest
from storage.db import Database
from storage.minutes import MinutesRepository
from storage.status import LogKind

ROOM, ALICE, BOB = "!room:example.org", "@alice:example.org", "@bob:example.org"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_migration_0014_keeps_a_meeting_recorded_before_it(database_url):
    db = Database(database_url)
    db.upgrade("0012")
    with db.transaction() as s:
        minutes = MinutesRepository(s)
        meeting = minutes.start(room_id=ROOM, title="Old", started_by=ALICE, now=NOW, event_id="$s")
        for number, sender in enumerate((ALICE, BOB)):
            minutes.record(
                meeting,
                event_id=f"$m{number}",
                sender=sender,
                ts=NOW,
                kind=LogKind.MESSAGE,
                payload={"msgtype": "m.text", "body": "hello"},
            )
        minutes.add_item(meeting, kind="info", text="kept", author=BOB, now=NOW, event_id="$m1")
        minutes.end(meeting, ALICE, NOW + timedelta(hours=1))
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"chatham_meetings", "erased_items", "attendance_counts", "forget_requests"} <= tables
    with db.transaction() as s:
        minutes = MinutesRepository(s)
        meeting = minutes.by_short_id(ROOM, 1)
        assert not minutes.is_chatham(meeting)
        assert [(e.sender, e.payload["body"]) for _seq, e in minutes.lines(meeting.id)] == [
            (ALICE, "hello"),
            (BOB, "hello"),
        ]
        assert [(i.author, i.text) for i in minutes.items(meeting.id)] == [(BOB, "kept")]
        assert ConfidentialRepository(s).erased(meeting.id) == set()
        assert ConfidentialRepository(s).counts(meeting.id) == []
    db.close()


def test_requests_are_replaced_and_dropped_once_stale(db: Database):
    with db.transaction() as s:
        repo = ConfidentialRepository(s)
        repo.ask(ROOM, BOB, NOW)
        repo.ask(ROOM, BOB, NOW + timedelta(minutes=5))
        repo.ask(ROOM, ALICE, NOW + timedelta(minutes=20))
    with db.transaction() as s:
        repo = ConfidentialRepository(s)
        assert repo.asked_at(ROOM, BOB) == NOW + timedelta(minutes=5)
        assert repo.drop_stale(NOW + timedelta(minutes=10)) == 1
        assert [r.user_id for r in s.scalars(select(ForgetRequest))] == [ALICE]
        assert repo.asked_at(ROOM, BOB) is None
