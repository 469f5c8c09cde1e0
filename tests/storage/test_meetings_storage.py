"""Meetings storage on SQLite and PostgreSQL: round-trips, the exactly-once claim, migration 0003."""

import json
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from storage.db import Database
from storage.meetings import MeetingRepository, ReminderRepository
from storage.models import OutboxMessage
from storage.outbox import OutboxRepository, Purpose, PurposeKind, purpose_of
from storage.rooms import RoomRepository
from storage.sync import SyncRepository

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ROOM, OTHER = "!room:example.org", "!other:example.org"


def add_meeting(session, room_id=ROOM, title="Plenary", **overrides):
    fields = dict(
        room_id=room_id,
        title=title,
        start_at=NOW + timedelta(days=2),
        end_at=NOW + timedelta(days=2, hours=2),
        timezone="Europe/Luxembourg",
        rrule=None,
        place=None,
        creator="@alice:example.org",
        now=NOW,
    )
    fields.update(overrides)
    return MeetingRepository(session).add(**fields)


def test_meetings_get_short_ids_per_room_and_come_back_whole(db: Database):
    with db.transaction() as s:
        first = add_meeting(s, rrule="FREQ=WEEKLY;INTERVAL=2", place="https://meet.example.org/x")
        second = add_meeting(s, title="Budget")
        elsewhere = add_meeting(s, room_id=OTHER, title="Élections ✓")
        ids = first.id, second.id, elsewhere.id
    assert (first.short_id, second.short_id, elsewhere.short_id) == (1, 2, 1)
    with db.transaction() as s:
        meetings = MeetingRepository(s)
        got = meetings.by_short_id(ROOM, 1)
        assert got.id == ids[0]
        assert got.start_at == NOW + timedelta(days=2)
        assert got.start_at.tzinfo is UTC
        assert (got.rrule, got.place, got.status) == (
            "FREQ=WEEKLY;INTERVAL=2",
            "https://meet.example.org/x",
            "scheduled",
        )
        assert meetings.by_short_id(OTHER, 1).title == "Élections ✓"
        assert meetings.by_short_id(ROOM, 3) is None
        meetings.set_announcement(ids[1], "$announce")
    with db.transaction() as s:
        meetings = MeetingRepository(s)
        assert meetings.by_announcement(ROOM, "$announce").id == ids[1]
        assert meetings.by_announcement(OTHER, "$announce") is None
        assert [m.title for m in meetings.scheduled(ROOM, NOW)] == ["Plenary", "Budget"]
        # A single meeting that is over is no longer listed; a series always is.
        later = NOW + timedelta(days=30)
        assert [m.title for m in meetings.scheduled(ROOM, later)] == ["Plenary"]


def test_agenda_rsvps_and_reminder_offsets(db: Database):
    with db.transaction() as s:
        meeting_id = add_meeting(s).id
        meetings = MeetingRepository(s)
        assert meetings.add_agenda_item(meeting_id, "Budget 2027", "@a:x", NOW) == 1
        assert meetings.add_agenda_item(meeting_id, "AOB", "@b:x", NOW) == 2
        meetings.set_rsvp(meeting_id, "@a:x", "yes", NOW)
        meetings.set_rsvp(meeting_id, "@b:x", "maybe", NOW + timedelta(minutes=1))
        assert meetings.reminder_offsets(ROOM) is None
        meetings.set_reminder_offsets(ROOM, [15, 1440, 60, 15])
    with db.transaction() as s:
        meetings = MeetingRepository(s)
        meetings.set_rsvp(meeting_id, "@a:x", "no", NOW + timedelta(minutes=2))
        meetings.set_reminder_offsets(OTHER, [])
    with db.transaction() as s:
        meetings = MeetingRepository(s)
        assert [i.text for i in meetings.agenda(meeting_id)] == ["Budget 2027", "AOB"]
        assert meetings.rsvps(meeting_id) == {"@b:x": "maybe", "@a:x": "no"}
        assert meetings.reminder_offsets(ROOM) == [15, 60, 1440]
        assert meetings.reminder_offsets(OTHER) == []


def test_cancel_and_move_cancel_pending_reminders_only(db: Database):
    with db.transaction() as s:
        meeting = add_meeting(s)
        reminders = ReminderRepository(s)
        occurrence = meeting.start_at
        sent = reminders.add(meeting.id, occurrence, occurrence - timedelta(days=1), 1440)
        pending = reminders.add(meeting.id, occurrence, occurrence - timedelta(minutes=15), 15)
        assert reminders.claim(sent.id, NOW)
        meeting_id, sent_id, pending_id = meeting.id, sent.id, pending.id
    with db.transaction() as s:
        assert ReminderRepository(s).pending() == [(pending_id, occurrence - timedelta(minutes=15))]
        assert ReminderRepository(s).planned(meeting_id) == {(occurrence, 1440), (occurrence, 15)}
        meetings = MeetingRepository(s)
        new_start = occurrence + timedelta(days=1)
        assert meetings.move(
            meetings.get(meeting_id), new_start, new_start + timedelta(hours=1), None
        ) == [pending_id]
    with db.transaction() as s:
        statuses = {r.id: r.status for r in ReminderRepository(s).of_meeting(meeting_id)}
        assert statuses == {sent_id: "sent", pending_id: "cancelled"}
        assert ReminderRepository(s).planned(meeting_id) == {(occurrence, 1440)}
        fresh = ReminderRepository(s).add(meeting_id, occurrence, occurrence, 0)
        meetings = MeetingRepository(s)
        assert meetings.cancel(meetings.get(meeting_id)) == [fresh.id]
    with db.transaction() as s:
        assert MeetingRepository(s).get(meeting_id).status == "cancelled"
        assert ReminderRepository(s).pending() == []


def test_a_reminder_is_claimed_exactly_once(db: Database):
    with db.transaction() as s:
        meeting = add_meeting(s)
        reminder_id = ReminderRepository(s).add(meeting.id, meeting.start_at, NOW, 15).id
    with db.transaction() as s:
        assert ReminderRepository(s).claim(reminder_id, NOW) is True
        assert ReminderRepository(s).claim(reminder_id, NOW) is False
    with db.transaction() as s:
        assert ReminderRepository(s).claim(reminder_id, NOW) is False
        reminder = ReminderRepository(s).get(reminder_id)
        assert (reminder.status, reminder.sent_at) == ("sent", NOW)
    # A claim rolled back with its transaction leaves the reminder to the next try.
    with db.transaction() as s:
        second = ReminderRepository(s).add(meeting.id, meeting.start_at, NOW, 60).id
    try:
        with db.transaction() as s:
            assert ReminderRepository(s).claim(second, NOW)
            raise RuntimeError("crash before the outbox row is written")
    except RuntimeError:
        pass
    with db.transaction() as s:
        assert ReminderRepository(s).pending() == [(second, NOW)]


def test_concurrent_claims_let_exactly_one_win(db: Database):
    with db.transaction() as s:
        meeting = add_meeting(s)
        reminder_id = ReminderRepository(s).add(meeting.id, meeting.start_at, NOW, 15).id
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def claim() -> None:
        barrier.wait()
        with db.transaction() as s:
            won = ReminderRepository(s).claim(reminder_id, NOW)
            if won:
                OutboxRepository(s).add(ROOM, "m.room.message", {"body": "reminder"}, NOW)
        wins.append(won)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]
    with db.transaction() as s:
        assert [m.content["body"] for m in OutboxRepository(s).pending()] == ["reminder"]


def test_outbox_rows_carry_a_purpose_and_an_attachment(db: Database):
    attachment = {"filename": "m.ics", "mimetype": "text/calendar", "data": "QkVHSU4="}
    with db.transaction() as s:
        meeting = Purpose(PurposeKind.MEETING, 1)
        OutboxRepository(s).add(ROOM, "m.room.message", {"body": "a"}, NOW, purpose=meeting)
        OutboxRepository(s).add(ROOM, "m.room.message", {"body": "b"}, NOW, attachment=attachment)
    with db.transaction() as s:
        first, second = OutboxRepository(s).pending()
    assert (first.purpose, first.attachment) == ("meeting:1", None)
    assert (second.purpose, second.attachment) == (None, attachment)
    assert (purpose_of(first), purpose_of(second)) == (meeting, None)


def test_purposes_queued_by_older_versions_are_understood(db: Database):
    """Rows left in the outbox by an upgrade keep their purpose: read in one place."""
    with db.transaction() as s:
        for stored in ("poll-end:42", "poll:7", "meeting:3", "later-kind:1", "poll:x"):
            s.add(
                OutboxMessage(
                    txn_id=f"wgbot.{stored}",
                    room_id=ROOM,
                    event_type="m.room.message",
                    content={"body": stored},
                    created_at=NOW,
                    purpose=stored,
                )
            )
    with db.transaction() as s:
        read = [purpose_of(m) for m in OutboxRepository(s).pending()]
    assert read == [
        Purpose(PurposeKind.POLL_END, 42),
        Purpose(PurposeKind.POLL_START, 7),
        Purpose(PurposeKind.MEETING, 3),
        None,  # a kind this version does not know: sent, nothing recorded
        None,
    ]


def test_migration_0003_keeps_rows_of_0002(database_url):
    db = Database(database_url)
    db.upgrade("0002")
    with db.transaction() as s:
        RoomRepository(s).set_timezone(ROOM, "Europe/Berlin")
        SyncRepository(s).save_token("s7")
        SyncRepository(s).mark_handled("$old", ROOM, NOW)
        # The outbox as revision 0002 knew it: no purpose, no attachment columns.
        s.execute(
            text(
                "INSERT INTO outbox (txn_id, room_id, event_type, content, created_at)"
                " VALUES (:txn, :room, 'm.room.message', :content, :at)"
            ),
            {
                "txn": "wgbot.old",
                "room": ROOM,
                "content": json.dumps({"body": "queued before the upgrade"}),
                "at": NOW.replace(tzinfo=None),
            },
        )
    db.upgrade()
    with db.transaction() as s:
        assert RoomRepository(s).get(ROOM).timezone == "Europe/Berlin"
        assert SyncRepository(s).token() == "s7"
        assert SyncRepository(s).is_handled("$old")
        (queued,) = OutboxRepository(s).pending()
        assert (queued.content, queued.purpose, queued.attachment) == (
            {"body": "queued before the upgrade"},
            None,
            None,
        )
        meeting = add_meeting(s)
        ReminderRepository(s).add(meeting.id, meeting.start_at, meeting.start_at, 15)
    tables = set(inspect(db.engine).get_table_names())
    assert {"meetings", "agenda_items", "rsvps", "reminder_offsets", "reminders"} <= tables
    db.upgrade()
    db.close()
