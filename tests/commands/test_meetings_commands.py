"""Meeting commands, reactions and reminders through the dispatcher and the scheduler, on
SQLite and PostgreSQL, with an injected clock (the chat paths are in tests/integration)."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.features import Runtime
from bot.scheduler import TimerService
from commands.meeting_reminders import REMINDERS
from storage.db import Database
from storage.meetings import MeetingRepository, ReminderRepository
from storage.outbox import OutboxRepository, Purpose
from tests.room import ROOM, TEST_DEFAULTS, Clock, Room

ALICE, BOB = "@alice:example.org", "@bob:example.org"
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg


@pytest.fixture
def clock() -> Clock:
    return Clock(SUNDAY)


@pytest.fixture
def scheduler(db: Database, clock: Clock):
    yield TimerService(Runtime(db, clock, TEST_DEFAULTS), [REMINDERS])


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    """Alice speaks, as a chair, unless a test says otherwise; the clock moves only when told."""
    return Room(db, clock, step=timedelta(0), sender=ALICE, level=100)


def pending(db: Database) -> list[tuple[datetime, int]]:
    with db.transaction() as s:
        return sorted(
            (r.due_at, r.offset_minutes)
            for m in MeetingRepository(s).scheduled(ROOM, SUNDAY)
            for r in ReminderRepository(s).of_meeting(m.id)
            if r.status == "pending"
        )


async def test_add_echoes_its_understanding_and_plans_reminders(db, room):
    (reply,) = await room.say(
        "!meeting add Plenary next Tuesday 14:00 for 2h every 2 weeks at the Ministry"
    )
    assert reply.body.splitlines() == [
        "Meeting #1 scheduled: Plenary",
        "When: Tue, 24 Nov 2026, 14:00–16:00 (Europe/Luxembourg)",
        "Repeats: every 2 weeks on Tuesday",
        "Where: the Ministry",
        "Reminders: 1 day and 15 minutes before.",
        "Answer with ✅ ❌ ❓ on this message, or !meeting rsvp 1 yes|no|maybe.",
    ]
    start = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert pending(db) == [(start - timedelta(days=1), 1440), (start - timedelta(minutes=15), 15)]
    (second,) = await room.say('!meeting add "Jour fixe" Thursday 10:00 --tz America/New_York')
    assert "When: Thu, 26 Nov 2026, 16:00–17:00 (Europe/Luxembourg)" in second.body
    assert "In its own zone: Thu, 26 Nov 2026, 10:00–11:00 (America/New_York)" in second.body


async def test_bad_input_is_refused_and_nothing_is_stored(db, room):
    answers = [
        await room.say("!meeting add Budget yesterday 10:00"),
        await room.say("!meeting add Budget whenever it suits"),
        await room.say("!meeting add Budget 3 December"),
        await room.say("!meeting add tomorrow 10:00"),
        await room.say('!meeting add "Budget" tomorrow 10:00 blah'),
        await room.say("!meeting add Budget tomorrow 10:00 --tz Mars/Olympus"),
        await room.say("!meeting show 4"),
        await room.say("!meeting cancel x"),
    ]
    firsts = [a[0].body.splitlines()[0] for a in answers]
    assert firsts == [
        "Sat, 21 Nov 2026, 10:00 (Europe/Luxembourg) is in the past.",
        "I could not read a date and time in “Budget whenever it suits”; "
        "try e.g. “next Tuesday 14:00”.",
        "“Budget 3 December” has no time of day; add one, e.g. 14:00.",
        "Give the meeting a title, e.g. “Plenary” next Tuesday 14:00.",
        "I understood the time but not “blah”.",
        "Mars/Olympus is not a time zone I know.",
        "There is no meeting #4 in this room.",
        "“x” is not a meeting number.",
    ]
    assert answers[0][0].body.splitlines()[1].startswith("Usage: !meeting add <title> <when>")
    with db.transaction() as s:
        assert MeetingRepository(s).scheduled(ROOM, SUNDAY) == []
        assert ReminderRepository(s).pending() == []


async def test_cancel_and_move_belong_to_the_creator_or_a_chair(db, room):
    await room.say("!meeting add Plenary tomorrow 14:00")
    (refused,) = await room.say("!meeting cancel 1", sender=BOB, level=0)
    assert refused.body.startswith(
        f"Only {ALICE}, who scheduled meeting #1, or a chair may change it."
    )
    (refused,) = await room.say("!meeting move 1 Tuesday 10:00", sender=BOB, level=0)
    assert refused.body.startswith("Only ")
    (moved,) = await room.say("!meeting move 1 Tuesday 10:00 for 30 min", sender=BOB, level=50)
    assert moved.body.splitlines()[:2] == [
        "Meeting #1 moved: Plenary",
        "When: Tue, 24 Nov 2026, 10:00–10:30 (Europe/Luxembourg)",
    ]
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert pending(db) == [(start - timedelta(days=1), 1440), (start - timedelta(minutes=15), 15)]
    (cancelled,) = await room.say("!meeting cancel 1")
    assert cancelled.body == "Meeting #1 (Plenary) is cancelled; no reminders will be sent."
    assert pending(db) == []
    (again,) = await room.say("!meeting cancel 1")
    assert again.body.startswith("Meeting #1 is cancelled.")
    (listing,) = await room.say("!meetings")
    assert listing.body.startswith("No meetings to come.")


async def test_agenda_rsvp_show_and_list(db, room):
    await room.say("!meeting add Plenary tomorrow 14:00")
    await room.say("!meeting add Budget Friday 9:00 every week")
    await room.say("!meeting agenda 1 Budget 2027")
    (agenda,) = await room.say('!meeting agenda #1 "AOB"')
    assert agenda.body.splitlines() == [
        "Added as item 2 of the agenda of meeting #1.",
        "Agenda of Plenary",
        "1. Budget 2027",
        "2. AOB",
    ]
    (noted,) = await room.say("!meeting rsvp 1 oui")
    assert noted.body == "Noted: you are coming to Plenary (#1)."
    await room.say("!meeting rsvp 1 vielleicht", sender=BOB, level=0)
    (show,) = await room.say("!meeting show 1")
    assert show.body.splitlines() == [
        "Meeting #1: Plenary",
        "When: Mon, 23 Nov 2026, 14:00–15:00 (Europe/Luxembourg)",
        f"Scheduled by: {ALICE}",
        "Agenda",
        "1. Budget 2027",
        "2. AOB",
        f"Yes (1): {ALICE}",
        f"Maybe (1): {BOB}",
    ]
    (listing,) = await room.say("!meetings")
    assert listing.body.splitlines() == [
        "Meetings to come",
        "#1 Plenary — Mon, 23 Nov 2026, 14:00–15:00 (Europe/Luxembourg)",
        "#2 Budget — Fri, 27 Nov 2026, 09:00–10:00 (Europe/Luxembourg) (every week on Friday)",
    ]


async def test_room_reminder_offsets_replan_the_meetings(db, room):
    await room.say("!meeting add Plenary Tuesday 14:00")
    (refused,) = await room.say("!meeting reminders 1h", sender=BOB, level=0)
    assert refused.body.startswith("Only chairs")
    (answer,) = await room.say("!meeting reminders 1d 1h 15m")
    assert answer.body == "Reminders: 1 day, 1 hour and 15 minutes before."
    start = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert [offset for _, offset in pending(db)] == [1440, 60, 15]
    assert pending(db)[1] == (start - timedelta(hours=1), 60)
    (off,) = await room.say("!meeting reminders off")
    assert off.body == "No reminders in this room."
    assert pending(db) == []


async def test_a_reminder_is_delivered_once_with_agenda_and_who_comes(db, room, clock, scheduler):
    await room.say("!meeting add Plenary tomorrow 14:00 at https://meet.example.org/p")
    await room.say("!meeting agenda 1 Budget")
    await room.say("!meeting rsvp 1 yes")
    await room.say("!meeting rsvp 1 no", sender=BOB, level=0)
    with db.transaction() as s:
        (day_before, quarter) = [r for r in ReminderRepository(s).of_meeting(1)]
    clock.now = day_before.due_at + timedelta(seconds=0.2)
    assert await scheduler.fire("reminder", day_before.id) is True
    assert await scheduler.fire("reminder", day_before.id) is False
    with db.transaction() as s:
        (notice,) = OutboxRepository(s).pending()
    assert notice.content["body"].splitlines() == [
        "Reminder: Plenary (#1) starts in 1 day.",
        "When: Mon, 23 Nov 2026, 14:00–15:00 (Europe/Luxembourg)",
        "Where: https://meet.example.org/p",
        "Agenda",
        "1. Budget",
        f"Coming: {ALICE}",
    ]
    assert notice.content["m.mentions"] == {"user_ids": [ALICE]}
    assert "m.relates_to" not in notice.content
    assert f'<a href="https://matrix.to/#/{ALICE}">' in notice.content["formatted_body"]
    room.take()
    # Five minutes after its time (the bot was down): delivered, marked late.
    clock.now = quarter.due_at + timedelta(minutes=5)
    assert await scheduler.fire("reminder", quarter.id) is True
    (late,) = room.take()
    assert late.body.splitlines()[0] == (
        "Reminder (late: was due at Mon, 23 Nov 2026, 13:45 (Europe/Luxembourg)): Plenary (#1)."
    )


async def test_reminders_due_together_go_out_in_one_transaction_once_each(
    db, room, clock, scheduler
):
    await room.say("!meeting add Plenary tomorrow 14:00")
    await room.say("!meeting add Budget tomorrow 14:00")
    with db.transaction() as s:
        ids = [i for i, _ in ReminderRepository(s).pending()]
    clock.now = SUNDAY + timedelta(days=1, hours=5)  # both meetings' reminders are due
    assert await scheduler.fire("reminder", ids[0]) is True
    assert len(room.take()) == 4
    assert [await scheduler.fire("reminder", i) for i in ids] == [False] * 4
    assert room.take() == []


async def test_a_series_plans_its_next_reminders_when_one_is_sent(db, room, clock, scheduler):
    await room.say("!meeting add Jour fixe Thursday 14:00 every week")
    await room.say("!meeting reminders 15m")
    thursday = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    (first,) = pending(db)
    assert first == (thursday - timedelta(minutes=15), 15)
    with db.transaction() as s:
        ((reminder_id, _due),) = ReminderRepository(s).pending()
    clock.now = first[0]
    assert await scheduler.fire("reminder", reminder_id)
    assert pending(db) == [(thursday + timedelta(days=7, minutes=-15), 15)]
    await room.say("!meeting cancel 1")
    assert pending(db) == []


async def test_timers_are_rebuilt_from_rows_and_overdue_ones_fire_at_start(db, room, clock):
    await room.say("!meeting add Plenary tomorrow 14:00")
    with db.transaction() as s:
        ids = [r.id for r in ReminderRepository(s).of_meeting(1)]
        # One is overdue (due an hour ago in real time); the other is far ahead.
        real_now = datetime.now(UTC)
        ReminderRepository(s).get(ids[0]).due_at = real_now - timedelta(hours=1)
        ReminderRepository(s).get(ids[1]).due_at = real_now + timedelta(days=1)
    room.take()
    woken = asyncio.Event()
    runtime = Runtime(db, lambda: datetime.now(UTC), TEST_DEFAULTS, on_outbox=woken.set)
    scheduler = TimerService(runtime, [REMINDERS])
    try:
        assert scheduler.start() == 2
        jobs = {job.id for job in scheduler._scheduler.get_jobs()}
        assert jobs == {f"reminder:{ids[0]}", f"reminder:{ids[1]}"}
        await asyncio.wait_for(woken.wait(), 5)
        (late,) = room.take()
        assert late.body.startswith("Reminder (late: was due at ")
        assert scheduler.pick_up() == 0  # nothing new; a second start changes nothing
    finally:
        scheduler.shutdown()


async def test_reactions_on_the_announcement_are_answers(db, room):
    await room.say("!meeting add Plenary tomorrow 14:00")
    with db.transaction() as s:
        # As the outbox row keeps it (also rows queued by older versions).
        purpose = Purpose.parse("meeting:1")
        room.dispatcher.registry.record_sent(s, purpose, "$announcement", room.clock())
    dispatcher = room.dispatcher

    def reaction(key, sender=BOB, to="$announcement"):
        return room.reaction(to, key, sender)

    first = reaction("✅")
    assert await dispatcher.handle(first) is True
    assert await dispatcher.handle(first) is False  # once only
    assert await dispatcher.handle(reaction("❓\ufe0f", sender=ALICE)) is True
    assert await dispatcher.handle(reaction("👍")) is True  # seen, but not an answer
    assert await dispatcher.handle(reaction("❌", to="$other")) is True
    with db.transaction() as s:
        assert MeetingRepository(s).rsvps(1) == {BOB: "yes", ALICE: "maybe"}
    await dispatcher.handle(reaction("❌"))
    assert room.take() == []  # answers by reaction get no reply
    (show,) = await room.say("!meeting show 1")
    assert f"No (1): {BOB}" in show.body and f"Maybe (1): {ALICE}" in show.body


async def test_ics_reply_carries_the_file(db, room):
    await room.say("!meeting add Plenary tomorrow 14:00")
    ics, (message,) = await room.send("!meeting ics 1", level=0)
    assert message.content["msgtype"] == "m.file"
    assert message.content["body"] == "meeting-1.ics"
    assert message.content["m.relates_to"] == {"m.in_reply_to": {"event_id": ics}}
    assert message.mimetype == "text/calendar"
    assert message.filename == "meeting-1.ics"
