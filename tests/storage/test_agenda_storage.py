"""The plan of recorded meetings and the calls for agenda items: repositories on SQLite and
PostgreSQL, and migration 0007 over a database in use."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from storage.db import Database
from storage.meetings import AgendaCallRepository, MeetingRepository
from storage.minutes import MinutesRepository
from storage.minutes_agenda import MinutesAgendaRepository
from storage.status import TimerStatus

ROOM = "!room:example.org"
ALICE = "@alice:example.org"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def add_meeting(session, days: int = 3):
    return MeetingRepository(session).add(
        room_id=ROOM,
        title="Plénière",
        start_at=NOW + timedelta(days=days),
        end_at=NOW + timedelta(days=days, hours=1),
        timezone="Europe/Luxembourg",
        rrule=None,
        place=None,
        creator=ALICE,
        now=NOW,
    )


def test_migration_0007_keeps_the_recorded_meetings_of_0006_unlinked(database_url):
    db = Database(database_url)
    db.upgrade("0006")
    with db.transaction() as s:
        meeting_id = add_meeting(s).id
        # A meeting recorded as revision 0006 knew it.
        s.execute(
            text(
                "INSERT INTO minutes_meetings (room_id, short_id, title, started_by, started_at,"
                " status, chairs, seq) VALUES (:room, 1, 'Old', :alice, :at, 'ended', :chairs, 3)"
            ),
            {
                "room": ROOM,
                "alice": ALICE,
                "at": NOW.replace(tzinfo=None),
                "chairs": f'["{ALICE}"]',
            },
        )
    db.upgrade()
    assert {"minutes_agenda", "meeting_cycles", "agenda_calls"} <= set(
        inspect(db.engine).get_table_names()
    )
    with db.transaction() as s:
        old = MinutesRepository(s).by_short_id(ROOM, 1)
        assert (old.title, old.seq, old.scheduled_meeting_id, old.scheduled_at) == (
            "Old",
            3,
            None,
            None,
        )
        assert MinutesAgendaRepository(s).items(old.id) == []
        assert MeetingRepository(s).agenda_call_minutes(ROOM) is None
        MinutesAgendaRepository(s).link(old, meeting_id, NOW)
    with db.transaction() as s:
        assert MinutesRepository(s).by_short_id(ROOM, 1).scheduled_meeting_id == meeting_id
    db.close()


def test_the_agenda_of_a_recorded_meeting_is_reached_while_its_topic_exists(db: Database):
    with db.transaction() as s:
        recorded = MinutesRepository(s).start(
            room_id=ROOM, title="Plenary", started_by=ALICE, now=NOW, event_id="$start"
        )
        plans = MinutesAgendaRepository(s)
        assert plans.extend(recorded.id, [(1, "Budget"), (2, "Elections")]) == 2
        # Taken again (an item added meanwhile): only the new ones are added.
        assert plans.extend(recorded.id, [(1, "Budget"), (2, "Elections"), (3, "AOB")]) == 1
        first = plans.items(recorded.id)[0]
        topic = MinutesRepository(s).add_item(
            recorded, kind="topic", text="Budget", author=ALICE, now=NOW, event_id="$next"
        )
        plans.reach(first.id, topic.id)
        recorded_id = recorded.id
    with db.transaction() as s:
        items = MinutesAgendaRepository(s).items(recorded_id)
        assert [(i.position, i.text, i.reached) for i in items] == [
            (1, "Budget", True),
            (2, "Elections", False),
            (3, "AOB", False),
        ]
        assert items[0].topic_seq == 1
    # The `!next` message is redacted: its topic goes, the item is not reached any more.
    with db.transaction() as s:
        assert MinutesRepository(s).redact(ROOM, "$next").items == 1
    with db.transaction() as s:
        assert [i.reached for i in MinutesAgendaRepository(s).items(recorded_id)] == [False] * 3


def test_agenda_calls_pending_sent_and_cancelled(db: Database):
    with db.transaction() as s:
        meeting = add_meeting(s, days=10)
        calls = AgendaCallRepository(s)
        occurrence = meeting.start_at
        first = calls.add(meeting.id, occurrence, occurrence - timedelta(days=7), 7 * 1440)
        assert calls.planned(meeting.id) == (True, set())
        assert calls.due(NOW + timedelta(days=3), 10) == [first.id]
        assert calls.claim(first.id, NOW + timedelta(days=3)) is True
        assert calls.claim(first.id, NOW + timedelta(days=3)) is False
        assert calls.planned(meeting.id) == (False, {occurrence})
        later = occurrence + timedelta(days=7)
        calls.add(meeting.id, later, later - timedelta(days=7), 7 * 1440)
        assert calls.cancel_pending(meeting.id) == 1
        assert [c.status for c in calls.of_meeting(meeting.id)] == [
            TimerStatus.SENT,
            TimerStatus.CANCELLED,
        ]
        # Cancelling the meeting cancels its pending call.
        calls.add(meeting.id, later, later - timedelta(days=7), 7 * 1440)
        MeetingRepository(s).cancel(meeting)
        assert calls.pending() == []
