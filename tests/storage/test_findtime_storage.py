"""Find-a-time's storage on SQLite and PostgreSQL: its own numbers, slot polls that take no poll
number, the exactly-once close, the rows its timers read, and migration 0009 over a database in
use (polls of the earlier find-a-time kind and their responses kept)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, inspect

from storage.db import Database
from storage.findtimes import FindTimeClosings, FindTimeReminders, FindTimeRepository
from storage.meetings import MeetingRepository
from storage.models import Meeting
from storage.polls import PollRepository

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ROOM, OTHER = "!room:example.org", "!other:example.org"
ALICE = "@alice:example.org"
ANSWERS = [{"id": "yes", "text": "Yes"}, {"id": "maybe", "text": "If need be"}]


def add_poll(session, room_id=ROOM, kind="poll", answers=None):
    return PollRepository(session).add(
        room_id=room_id,
        kind=kind,
        question="Lunch?",
        answers=answers or [{"id": "a1", "text": "Pizza"}, {"id": "a2", "text": "Pasta"}],
        max_selections=1,
        secret=False,
        timezone="Europe/Luxembourg",
        creator=ALICE,
        closes_at=None,
        now=NOW,
    )


def add_findtime(session, room_id=ROOM, closes_at=None, slots=2):
    findtimes = FindTimeRepository(session)
    findtime = findtimes.add(
        room_id=room_id,
        title="Plenary",
        duration_minutes=None,
        timezone="Europe/Luxembourg",
        language="en",
        creator=ALICE,
        closes_at=closes_at,
        now=NOW,
    )
    for number in range(1, slots + 1):
        start = NOW + timedelta(days=number)
        findtimes.add_slot(
            findtime,
            number,
            start,
            start + timedelta(hours=1),
            question=f"slot {number}",
            answers=ANSWERS,
            now=NOW,
        )
    return findtime


def add_meeting(session):
    return MeetingRepository(session).add(
        room_id=ROOM,
        title="Plenary",
        start_at=NOW + timedelta(days=2),
        end_at=NOW + timedelta(days=2, hours=1),
        timezone="Europe/Luxembourg",
        rrule=None,
        place=None,
        creator=ALICE,
        now=NOW,
    )


def test_find_a_times_are_numbered_per_room_and_their_slot_polls_take_no_poll_number(db: Database):
    with db.transaction() as s:
        add_poll(s)
        first = add_findtime(s, slots=3)
        second = add_findtime(s)
        elsewhere = add_findtime(s, room_id=OTHER)
        later = add_poll(s)
    assert (first.short_id, second.short_id, elsewhere.short_id) == (1, 2, 1)
    assert later.short_id == 2  # the slot polls took no poll number
    with db.transaction() as s:
        findtimes, polls = FindTimeRepository(s), PollRepository(s)
        slots = findtimes.slots(first.id)
        assert [(slot.slot, poll.kind, poll.max_selections) for slot, poll in slots] == [
            (1, "findtime-slot", 1),
            (2, "findtime-slot", 1),
            (3, "findtime-slot", 1),
        ]
        assert all(poll.short_id < 0 for _slot, poll in slots)
        assert slots[0][0].start_at == NOW + timedelta(days=1)  # aware, in UTC
        assert [p.short_id for p in polls.of_room(ROOM, 10)] == [1, 2]
        assert polls.by_short_id(ROOM, 3) is None
        # Their responses are kept as every poll's.
        poll = slots[1][1]
        polls.set_start_event(poll.id, "$slot2")
        assert polls.by_start_event(ROOM, "$slot2").id == poll.id
        assert polls.add_response(
            poll.id, event_id="$r", sender=ALICE, answers=["yes"], ts=NOW, now=NOW
        )
        assert poll in polls.listening()
        assert findtimes.by_short_id(ROOM, 2).id == second.id
        assert [f.short_id for f in findtimes.of_room(ROOM, 10)] == [1, 2]


def test_closing_is_claimed_once_and_timer_rows_are_pending_only_while_open(db: Database):
    closes = NOW + timedelta(hours=5)
    with db.transaction() as s:
        timed = add_findtime(s, closes_at=closes)
        untimed = add_findtime(s)
        FindTimeRepository(s).add_reminder(timed.id, closes - timedelta(hours=1))
    with db.transaction() as s:
        assert FindTimeClosings(s).pending() == [(timed.id, closes)]
        reminder = FindTimeRepository(s).reminder(timed.id)
        assert FindTimeReminders(s).pending() == [(reminder.id, closes - timedelta(hours=1))]
        assert FindTimeClosings(s).due(closes, 10) == [timed.id]
    with db.transaction() as s:
        assert FindTimeRepository(s).claim_close(timed.id, ALICE, NOW)
        assert not FindTimeRepository(s).claim_close(timed.id, ALICE, NOW)
        assert not FindTimeClosings(s).claim(timed.id, NOW)
    with db.transaction() as s:
        closed = FindTimeRepository(s).get(timed.id)
        assert (closed.status, closed.closed_by, closed.closed_at) == ("closed", ALICE, NOW)
        # Closed before its reminder's time: nobody left to remind.
        assert FindTimeReminders(s).pending() == []
        assert FindTimeClosings(s).pending() == []
        assert FindTimeRepository(s).get(untimed.id).status == "open"


def test_the_booked_meeting_is_found_and_its_deletion_leaves_the_find_a_time(db: Database):
    with db.transaction() as s:
        findtime = add_findtime(s)
        meeting = add_meeting(s)
        findtime.meeting_id, findtime.booked_slot = meeting.id, 2
    with db.transaction() as s:
        assert FindTimeRepository(s).by_meeting(meeting.id).id == findtime.id
        s.execute(delete(Meeting).where(Meeting.id == meeting.id))
    with db.transaction() as s:
        kept = FindTimeRepository(s).get(findtime.id)
        assert (kept.meeting_id, kept.booked_slot) == (None, 2)


def test_migration_0009_keeps_rows_of_0008(database_url):
    db = Database(database_url)
    db.upgrade("0008")
    slots = [
        {
            "id": "a1",
            "text": "Tue, 24 Nov 2026, 14:00–15:00 (Europe/Luxembourg)",
            "start": "2026-11-24T13:00:00+00:00",
            "end": "2026-11-24T14:00:00+00:00",
        }
    ]
    with db.transaction() as s:
        earlier = add_poll(s, kind="findtime", answers=slots)
        PollRepository(s).set_start_event(earlier.id, "$earlier")
        PollRepository(s).add_response(
            earlier.id, event_id="$vote", sender=ALICE, answers=["a1"], ts=NOW, now=NOW
        )
        meeting_id = add_meeting(s).id
    db.upgrade("0009")
    assert {"findtimes", "findtime_slots", "findtime_reminders"} <= set(
        inspect(db.engine).get_table_names()
    )
    with db.transaction() as s:
        polls = PollRepository(s)
        kept = polls.by_short_id(ROOM, 1)
        assert (kept.kind, kept.answers, kept.start_event_id) == ("findtime", slots, "$earlier")
        assert [r.event_id for r in polls.responses(kept.id)] == ["$vote"]
        findtime = add_findtime(s)
        findtime.meeting_id = meeting_id
        assert add_poll(s).short_id == 2
    with db.transaction() as s:
        assert FindTimeRepository(s).by_meeting(meeting_id).short_id == 1
    db.upgrade()
    db.close()
