"""Polls storage on SQLite and PostgreSQL: round-trips, responses kept once, the exactly-once
close, reminders pending while their poll is open, migrations 0004 over rows of 0003 and the
poll reminders' over rows of the revision before."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from storage.db import Database
from storage.meetings import MeetingRepository, ReminderRepository
from storage.polls import PollClosings, PollReminders, PollRepository
from storage.rooms import RoomRepository
from storage.sync import SyncRepository

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ROOM, OTHER = "!room:example.org", "!other:example.org"
ANSWERS = [{"id": "a1", "text": "Pizza"}, {"id": "a2", "text": "Pasta"}]


def add_poll(session, room_id=ROOM, **overrides):
    fields = dict(
        room_id=room_id,
        kind="poll",
        question="Lunch?",
        answers=ANSWERS,
        max_selections=1,
        secret=False,
        timezone="Europe/Luxembourg",
        creator="@alice:example.org",
        closes_at=None,
        now=NOW,
    )
    fields.update(overrides)
    return PollRepository(session).add(**fields)


def test_polls_get_short_ids_per_room_and_come_back_whole(db: Database):
    closes = NOW + timedelta(hours=1, microseconds=123000)
    with db.transaction() as s:
        first = add_poll(s, closes_at=closes, secret=True)
        second = add_poll(s)
        other = add_poll(s, room_id=OTHER)
        PollRepository(s).set_start_event(first.id, "$start1")
    assert (first.short_id, second.short_id, other.short_id) == (1, 2, 1)
    with db.transaction() as s:
        polls = PollRepository(s)
        poll = polls.by_short_id(ROOM, 1)
        assert poll.answers == ANSWERS and poll.secret is True and poll.closes_at == closes
        assert poll.status == "open" and poll.start_event_id == "$start1"
        assert polls.by_start_event(ROOM, "$start1").id == first.id
        assert polls.by_start_event(OTHER, "$start1") is None
        assert PollClosings(s).pending() == [(first.id, closes)]
        assert [p.id for p in polls.listening()] == [first.id]


def test_responses_are_kept_once_in_the_order_received(db: Database):
    with db.transaction() as s:
        poll = add_poll(s)
    ts = NOW + timedelta(milliseconds=1)
    with db.transaction() as s:
        polls = PollRepository(s)
        assert polls.add_response(
            poll.id, event_id="$r1", sender="@bob", answers=["a2"], ts=ts, now=NOW
        )
        assert polls.add_response(
            poll.id,
            event_id="$r2",
            sender="@bob",
            answers=None,
            ts=ts - timedelta(seconds=1),
            now=NOW,
        )
        assert not polls.add_response(
            poll.id, event_id="$r1", sender="@bob", answers=["a1"], ts=ts, now=NOW
        )
    with db.transaction() as s:
        rows = PollRepository(s).responses(poll.id)
        assert [(r.event_id, r.answers, r.ts) for r in rows] == [
            ("$r1", ["a2"], ts),
            ("$r2", None, ts - timedelta(seconds=1)),
        ]
        # A redaction in another room does not touch it; one in the poll's room does.
        assert not PollRepository(s).remove_response(OTHER, "$r1")
        assert PollRepository(s).remove_response(ROOM, "$r1")
    with db.transaction() as s:
        assert [r.event_id for r in PollRepository(s).responses(poll.id)] == ["$r2"]


def test_a_poll_is_closed_exactly_once(db: Database):
    with db.transaction() as s:
        poll = add_poll(s, closes_at=NOW)
    wins: list[bool] = []
    barrier = threading.Barrier(6)

    def close() -> None:
        barrier.wait()
        try:
            with db.transaction() as s:
                wins.append(PollRepository(s).claim_close(poll.id, "@alice", NOW))
        except Exception:  # a concurrent writer refused by the database counts as a loss
            wins.append(False)

    threads = [threading.Thread(target=close) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 5 + [True]
    with db.transaction() as s:
        polls = PollRepository(s)
        closed = polls.get(poll.id)
        assert (closed.status, closed.closed_by, closed.closed_at) == ("closed", "@alice", NOW)
        assert PollClosings(s).pending() == []
        assert polls.unsettled() == []
        polls.set_start_event(poll.id, "$start")
        assert [p.id for p in polls.listening()] == [poll.id]  # its end's time is not known
        polls.set_end_event(poll.id, "$end")
    with db.transaction() as s:
        assert [p.id for p in PollRepository(s).unsettled()] == [poll.id]


def test_migration_0004_keeps_rows_of_0003(database_url):
    db = Database(database_url)
    db.upgrade("0003")
    start = NOW + timedelta(days=2)
    with db.transaction() as s:
        RoomRepository(s).set_timezone(ROOM, "Europe/Berlin")
        SyncRepository(s).mark_handled("$old", ROOM, NOW)
        meeting = MeetingRepository(s).add(
            room_id=ROOM,
            title="Plenary",
            start_at=start,
            end_at=start + timedelta(hours=1),
            timezone="Europe/Luxembourg",
            rrule="FREQ=WEEKLY",
            place=None,
            creator="@alice:example.org",
            now=NOW,
        )
        MeetingRepository(s).set_rsvp(meeting.id, "@bob", "yes", NOW)
        ReminderRepository(s).add(meeting.id, start, start - timedelta(minutes=15), 15)
    db.upgrade("0004")
    with db.transaction() as s:
        assert RoomRepository(s).get(ROOM).timezone == "Europe/Berlin"
        assert SyncRepository(s).is_handled("$old")
        kept = MeetingRepository(s).by_short_id(ROOM, 1)
        assert (kept.title, kept.rrule) == ("Plenary", "FREQ=WEEKLY")
        assert MeetingRepository(s).rsvps(kept.id) == {"@bob": "yes"}
        assert ReminderRepository(s).pending() == [(1, start - timedelta(minutes=15))]
        poll = add_poll(s)
        PollRepository(s).add_response(
            poll.id, event_id="$r", sender="@bob", answers=["a1"], ts=NOW, now=NOW
        )
    assert {"polls", "poll_responses"} <= set(inspect(db.engine).get_table_names())
    db.upgrade("0004")
    db.close()


# The revision the poll reminders' migration (0010_poll_reminders.py) follows.
BEFORE_REMINDERS = "0009"


def test_a_reminder_is_claimed_once_and_only_while_its_poll_is_open(db: Database):
    with db.transaction() as s:
        open_poll = add_poll(s, closes_at=NOW + timedelta(hours=2))
        closed_poll = add_poll(s, closes_at=NOW + timedelta(hours=2))
        reminders = PollReminders(s)
        first = reminders.add(open_poll.id, NOW + timedelta(hours=1))
        second = reminders.add(closed_poll.id, NOW + timedelta(hours=1))
        PollRepository(s).claim_close(closed_poll.id, "@alice", NOW)
    with db.transaction() as s:
        reminders = PollReminders(s)
        assert reminders.pending() == [(first.id, NOW + timedelta(hours=1))]
        assert reminders.due(NOW, 10) == []
        assert reminders.due(NOW + timedelta(hours=1), 10) == [first.id]
        assert not reminders.claim(second.id, NOW)  # its poll is closed: nobody to remind
        assert reminders.claim(first.id, NOW)
        assert not reminders.claim(first.id, NOW)
        assert reminders.of_poll(open_poll.id).status == "sent"
        assert reminders.of_poll(open_poll.id).sent_at == NOW
        assert reminders.pending() == []


def test_the_reminders_migration_keeps_polls_of_the_revision_before(database_url):
    db = Database(database_url)
    db.upgrade(BEFORE_REMINDERS)
    with db.transaction() as s:
        poll = add_poll(s, closes_at=NOW + timedelta(days=1))
        PollRepository(s).add_response(
            poll.id, event_id="$r", sender="@bob", answers=["a1"], ts=NOW, now=NOW
        )
    db.upgrade()
    with db.transaction() as s:
        kept = PollRepository(s).by_short_id(ROOM, 1)
        assert (kept.question, kept.closes_at) == ("Lunch?", NOW + timedelta(days=1))
        assert [r.sender for r in PollRepository(s).responses(kept.id)] == ["@bob"]
        assert PollReminders(s).pending() == []
        PollReminders(s).add(kept.id, NOW + timedelta(hours=12))
    with db.transaction() as s:
        s.delete(PollRepository(s).get(poll.id))
    with db.transaction() as s:
        assert PollReminders(s).pending() == []
        assert PollReminders(s).of_poll(poll.id) is None  # deleted with its poll
    db.upgrade()
    db.close()
