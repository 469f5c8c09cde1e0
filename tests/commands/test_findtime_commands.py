"""Find-a-time through the dispatcher and its timers, on SQLite and PostgreSQL, with an injected
clock and a stand-in homeserver for /relations: the header and its slot polls in its thread, the
grid, closing, booking, the reminder, exports, bad input, and the find-a-time polls of the
earlier kind (one multi-select poll) stored before (the chat paths, with real clients, are in
tests/integration/test_findtime.py)."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.features import Runtime
from bot.msc3381 import POLL_END, POLL_RESPONSE, POLL_START, TEXT, response_content
from bot.scheduler import TimerService
from commands.findtime_closing import CLOSINGS, REMINDERS
from storage.db import Database
from storage.findtime_models import FindTime, FindTimeReminder, FindTimeSlot
from storage.findtimes import FindTimeRepository
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.models import Meeting, Poll, Reminder
from storage.polls import PollRepository
from storage.rooms import RoomRepository
from tests.commands.test_polls_commands import Homeserver
from tests.room import ROOM, TEST_DEFAULTS, Clock, Room

ALICE, BOB, CAROL, DAN = (f"@{n}:example.org" for n in ("alice", "bob", "carol", "dan"))
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg
THREE = '!findtime "Plenary" Tuesday 14:00 | Wednesday 10:00-12:00 | Thursday 9:00'
SLOTS = [
    "Tue, 24 Nov 2026, 14:00–15:00 (Europe/Luxembourg)",
    "Wed, 25 Nov 2026, 10:00–12:00 (Europe/Luxembourg)",
    "Thu, 26 Nov 2026, 09:00–10:00 (Europe/Luxembourg)",
]


@pytest.fixture
def clock() -> Clock:
    return Clock(SUNDAY)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    """Alice speaks unless a test says otherwise; Alice, Bob, Carol and Dan are its members."""
    with db.transaction() as s:
        names = [(ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol"), (DAN, None)]
        MemberRepository(s).replace(ROOM, names)
    return Room(db, clock, step=timedelta(0), sender=ALICE)


def starts(room: Room) -> list:
    """The slot polls the bot sent, in order."""
    return [sent for sent in room.sent if sent.type == POLL_START]


async def answer(room: Room, sender: str, slot: int, answer: str, seconds: float = 0) -> str:
    """A response (as Element sends it) to the poll of slot `slot` (1, 2, …), `seconds` after
    the clock's now."""
    start = starts(room)[slot - 1].event_id
    return await room.post(
        POLL_RESPONSE,
        response_content(start, [answer]),
        sender,
        ts=room.clock() + timedelta(seconds=seconds),
    )


def count(db: Database, model) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def stored(db: Database) -> dict[str, int]:
    models = (FindTime, FindTimeSlot, FindTimeReminder, Poll, Meeting, Reminder)
    return {model.__name__: count(db, model) for model in models}


NOTHING = dict.fromkeys(
    ("FindTime", "FindTimeSlot", "FindTimeReminder", "Poll", "Meeting", "Reminder"), 0
)


# --- The header, then a single-choice poll per slot in its thread --------------------------------


async def test_a_header_then_one_single_choice_poll_per_slot_in_its_thread(db, room):
    command, replies = await room.send(THREE + " --closes Monday 18:00")
    header, *polls = room.sent
    assert replies == [header] and header.in_reply_to == command
    assert header.body.splitlines() == [
        "Find a time #1: Plenary — answer each slot below",
        "3 slots, each a poll in the thread of this message: Yes, If need be or No.",
        "Closes: Mon, 23 Nov 2026, 18:00 (Europe/Luxembourg)",
        "!findtime results 1 shows the answers so far; !findtime book 1 schedules the best slot.",
    ]
    assert header.html.startswith("Find a time #1: <b>Plenary</b> — answer each slot below<br>")
    assert [p.type for p in polls] == [POLL_START] * 3
    for number, (poll, text) in enumerate(zip(polls, SLOTS, strict=True), 1):
        content = poll.content[POLL_START]
        assert content["question"][TEXT] == text
        assert content["max_selections"] == 1
        assert content["kind"] == "org.matrix.msc3381.poll.disclosed"
        assert [(a["id"], a[TEXT]) for a in content["answers"]] == [
            ("yes", "Yes"),
            ("maybe", "If need be"),
            ("no", "No"),
        ]
        assert poll.content["m.relates_to"] == {
            "rel_type": "m.thread",
            "event_id": header.event_id,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": header.event_id},
        }
        assert poll.content[TEXT].splitlines() == [
            f"Find a time #1 (Plenary), slot {number} of 3: {text}",
            "1. Yes",
            "2. If need be",
            "3. No",
            "Answer in the poll (Element and most Matrix apps show it); your latest answer counts.",
        ]
    with db.transaction() as s:
        findtime = FindTimeRepository(s).by_short_id(ROOM, 1)
        assert (findtime.title, findtime.header_event_id, findtime.status) == (
            "Plenary",
            header.event_id,
            "open",
        )
        assert findtime.closes_at == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
        slots = FindTimeRepository(s).slots(findtime.id)
        assert [(slot.slot, poll.kind, poll.start_event_id) for slot, poll in slots] == [
            (n, "findtime-slot", p.event_id) for n, p in enumerate(polls, 1)
        ]
        assert slots[1][0].start_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    # Slot polls are no polls of their own: the room's polls are numbered and listed without them.
    (listing,) = await room.say("!polls")
    assert listing.body == 'No polls yet.\nStart one with !poll "Lunch?" "Pizza" "Pasta".'
    (started,) = await room.say('!poll "Lunch?" "Pizza" "Pasta"')
    assert started.body.startswith("Poll #1 started: Lunch?")
    (missing,) = await room.say("!poll results 2")
    assert missing.body.splitlines()[0] == "There is no poll #2 in this room."


async def test_a_length_at_the_end_is_every_slot_s_without_its_own_end(db, room):
    await room.say(
        '!findtime "Retreat" Tuesday 14:00 | Wednesday 10:00-11:00 | Thursday 9:00 for 2h'
    )
    assert [p.content[POLL_START]["question"][TEXT] for p in starts(room)] == [
        "Tue, 24 Nov 2026, 14:00–16:00 (Europe/Luxembourg)",
        "Wed, 25 Nov 2026, 10:00–11:00 (Europe/Luxembourg)",
        "Thu, 26 Nov 2026, 09:00–11:00 (Europe/Luxembourg)",
    ]
    with db.transaction() as s:
        assert FindTimeRepository(s).by_short_id(ROOM, 1).duration_minutes == 120


async def test_in_french_the_answers_the_header_and_the_slots_are_french(db, room):
    with db.transaction() as s:
        RoomRepository(s).set_language(ROOM, "fr")
    (header,) = await room.say('!findtime "Plénière" mardi 14h | mercredi 10h')
    assert header.body.splitlines()[0] == (
        "Trouver une date #1 : Plénière — répondez à chaque créneau ci-dessous"
    )
    first = starts(room)[0].content
    assert [a[TEXT] for a in first[POLL_START]["answers"]] == ["Oui", "Si nécessaire", "Non"]
    assert (
        first[POLL_START]["question"][TEXT] == "mar. 24 nov. 2026, 14:00–15:00 (Europe/Luxembourg)"
    )


# --- The grid ----------------------------------------------------------------------------------


async def test_the_grid_counts_the_latest_answer_names_the_best_slot_and_who_has_not_answered(
    db, room
):
    await room.say(THREE)
    await answer(room, ALICE, 1, "yes")
    await answer(room, ALICE, 2, "yes", 1)
    await answer(room, ALICE, 2, "maybe", 2)  # a change of mind: the latest counts
    await answer(room, BOB, 1, "no")
    await answer(room, BOB, 2, "yes")
    await answer(room, CAROL, 3, "yes")
    (grid,) = await room.say("!findtime results 1", DAN)
    assert grid.body.splitlines() == [
        "Find a time #1 so far: Plenary",
        f"1. {SLOTS[0]}: 1 yes, 0 if need be, 1 no — Alice ✓, Bob ✗",
        f"2. {SLOTS[1]}: 1 yes, 1 if need be, 0 no — Alice (✓), Bob ✓",
        f"3. {SLOTS[2]}: 1 yes, 0 if need be, 0 no — Carol ✓",
        f"Best slot: 2. {SLOTS[1]} (1 yes, 1 if need be, 0 no)",
        f"Not voted yet: {DAN}",
        "!findtime book 1 schedules the best slot; !findtime close 1 closes it.",
    ]
    table = grid.html.split("<table>")[1].split("</table>")[0]
    alice = f'<a href="https://matrix.to/#/{ALICE}">Alice</a>'
    assert table.startswith(
        f"<thead><tr><th>Slot</th><th>{alice}</th><th>"
        f'<a href="https://matrix.to/#/{BOB}">Bob</a></th>'
    )
    assert "<th>✓</th><th>(✓)</th><th>✗</th></tr></thead>" in table
    rows = table.split("<tbody>")[1].split("</tr>")
    assert (
        rows[0]
        == f"<tr><td>1. {SLOTS[0]}</td><td>✓</td><td>✗</td><td>·</td><td>1</td><td>0</td><td>1</td>"
    )
    assert (
        rows[1]
        == f"<tr><td>2. {SLOTS[1]}</td><td>(✓)</td><td>✓</td><td>·</td><td>1</td><td>1</td><td>0</td>"
    )
    assert (
        rows[2]
        == f"<tr><td>3. {SLOTS[2]}</td><td>·</td><td>·</td><td>✓</td><td>1</td><td>0</td><td>0</td>"
    )
    assert grid.mentions == ()  # a grid names people, it does not call them


async def test_ties_are_named_and_the_earliest_is_taken(db, room):
    # Slots given out of order: the earliest of those as good is the best, whatever its number.
    await room.say('!findtime "Jour fixe" Friday 9:00 | Tuesday 9:00 | Wednesday 9:00')
    await answer(room, ALICE, 1, "yes")
    await answer(room, BOB, 1, "maybe")
    await answer(room, ALICE, 2, "maybe")
    await answer(room, BOB, 2, "yes")
    await answer(room, ALICE, 3, "yes")
    await answer(room, BOB, 3, "no")
    lines = (await room.say("!findtime results 1"))[0].body.splitlines()
    assert lines[4:6] == [
        "Best slot: 2. Tue, 24 Nov 2026, 09:00–10:00 (Europe/Luxembourg) (1 yes, 1 if need be, 0 no)",
        "As good: 1. Fri, 27 Nov 2026, 09:00–10:00 (Europe/Luxembourg); the earliest is taken.",
    ]


async def test_nobody_answered_and_nobody_can_come(db, room):
    await room.say('!findtime "Jour fixe" Tuesday 9:00 | Wednesday 9:00')
    lines = (await room.say("!findtime results 1"))[0].body.splitlines()
    assert lines[3:5] == [
        "Nobody has answered yet.",
        f"Not voted yet: {ALICE}, {BOB}, {CAROL}, {DAN}",
    ]
    await answer(room, BOB, 1, "no")
    await answer(room, BOB, 2, "no")
    lines = (await room.say("!findtime results 1"))[0].body.splitlines()
    assert lines[3] == "Nobody can come to any slot."


# --- Closing ----------------------------------------------------------------------------------


async def test_close_ends_each_slot_poll_then_posts_the_grid(db, room, clock):
    await room.say(THREE)
    await answer(room, BOB, 2, "yes")
    refused = await room.say("!findtime close 1", BOB)
    assert refused[0].body.splitlines()[0] == (
        f"Only {ALICE}, who started find-a-time #1, or a chair may close it."
    )
    clock.advance(minutes=5)
    command, (grid,) = await room.send("!findtime close 1")
    ends = [sent for sent in room.sent if sent.type == POLL_END]
    assert [end.content["m.relates_to"]["event_id"] for end in ends] == [
        p.event_id for p in starts(room)
    ]
    assert ends[1].content[TEXT] == "The poll has ended. Top answer: Yes"
    assert grid.in_reply_to == command
    assert grid.body.splitlines()[0] == "Find a time #1 (closed): Plenary"
    assert grid.body.splitlines()[-2:] == [
        f"Did not vote: {ALICE}, {CAROL}, {DAN}",
        "!findtime book 1 schedules the best slot.",
    ]
    # Answers after the close count no more, as in every app.
    await answer(room, CAROL, 2, "yes", 60)
    again = (await room.say("!findtime results 1"))[0].body.splitlines()
    assert again[2].endswith("1 yes, 0 if need be, 0 no — Bob ✓")
    (closed,) = await room.say("!findtime close 1")
    assert closed.body.splitlines()[0] == "Find-a-time #1 is closed already."
    with db.transaction() as s:
        for _slot, poll in FindTimeRepository(s).slots(1):
            assert (poll.status, poll.closed_by) == ("closed", ALICE)


# --- Booking ----------------------------------------------------------------------------------


async def test_book_schedules_the_best_slot_as_meeting_add_would(db, room, clock):
    await room.say(THREE)
    await answer(room, ALICE, 2, "yes")
    await answer(room, BOB, 2, "maybe")
    await answer(room, BOB, 3, "yes")
    refused = await room.say("!findtime book 1", BOB)
    assert refused[0].body.splitlines()[0] == (
        f"Only {ALICE}, who started find-a-time #1, or a chair may book it."
    )
    command, (grid, announcement) = await room.send("!findtime book 1", CAROL, level=50)
    assert grid.body.splitlines()[-1] == "Booked as meeting #1 (slot 2)."
    assert announcement.in_reply_to == command
    # The same echo as `!meeting add "Plenary" 25/11/2026 10:00-12:00` gives, and where it came from.
    (added,) = await room.say('!meeting add "Plenary" 25/11/2026 10:00-12:00')
    echo = announcement.body.splitlines()
    assert echo == [
        "Meeting #1 scheduled: Plenary",
        f"When: {SLOTS[1]}",
        "Booked from find-a-time #1.",
        "Reminders: 1 day and 15 minutes before.",
        "Answer with ✅ ❌ ❓ on this message, or !meeting rsvp 1 yes|no|maybe.",
    ]
    assert added.body.splitlines() == [
        "Meeting #2 scheduled: Plenary",
        *echo[1:2],
        *echo[3:4],
        "Answer with ✅ ❌ ❓ on this message, or !meeting rsvp 2 yes|no|maybe.",
    ]
    with db.transaction() as s:
        meeting = MeetingRepository(s).by_short_id(ROOM, 1)
        assert (meeting.start_at, meeting.end_at, meeting.creator) == (
            datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
            datetime(2026, 11, 25, 11, 0, tzinfo=UTC),
            CAROL,
        )
        assert meeting.announcement_event_id == announcement.event_id  # reactions are RSVPs
        reminders = s.scalars(select(Reminder).where(Reminder.meeting_id == meeting.id)).all()
        assert sorted(r.offset_minutes for r in reminders) == [15, 1440]
        findtime = FindTimeRepository(s).by_short_id(ROOM, 1)
        assert (findtime.status, findtime.meeting_id, findtime.booked_slot) == (
            "closed",
            meeting.id,
            2,
        )
    shown = (await room.say("!meeting show 1"))[0].body.splitlines()
    assert "Booked from find-a-time #1." in shown
    (again,) = await room.say("!findtime book 1")
    assert again.body.splitlines()[0] == "Find-a-time #1 is booked already: meeting #1."
    # Once that meeting is cancelled, another slot may be booked.
    await room.say("!meeting cancel 1", CAROL)
    (rebooked,) = await room.say("!findtime book 1 3")
    assert rebooked.body.splitlines()[:3] == [
        "Meeting #3 scheduled: Plenary",
        f"When: {SLOTS[2]}",
        "Booked from find-a-time #1.",
    ]
    (listing,) = await room.say("!findtime list")
    assert listing.body.splitlines() == [
        "Find-a-times",
        "#1 Plenary — 3 slots, booked as meeting #3",
    ]


async def test_book_a_named_slot_of_a_closed_find_a_time_across_the_change_to_summer_time(
    db, room, clock
):
    # Luxembourg moves to summer time on Sunday 28 March 2027: 10:00 is 09:00 UTC before it
    # and 08:00 UTC after it.
    await room.say(
        '!findtime "Plenary" 26/3/2027 10:00 | 29/3/2027 10:00 for 3h --closes 1/3/2027 12:00'
    )
    await answer(room, ALICE, 1, "yes")
    await answer(room, BOB, 2, "maybe")
    clock.now = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    await room.say("!findtime close 1")
    (announcement,) = await room.say("!findtime book 1 2")  # closed already: no grid again
    assert announcement.body.splitlines()[1] == (
        "When: Mon, 29 Mar 2027, 10:00–13:00 (Europe/Luxembourg)"
    )
    with db.transaction() as s:
        meeting = MeetingRepository(s).by_short_id(ROOM, 1)
        assert meeting.start_at == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
        assert meeting.end_at == datetime(2027, 3, 29, 11, 0, tzinfo=UTC)
        assert meeting.timezone == "Europe/Luxembourg"


# --- Bad input ----------------------------------------------------------------------------------


async def test_bad_input_is_refused_clearly_and_stores_nothing(db, room, clock):
    thirteen = " | ".join(f"{day}/12/2026 10:00" for day in range(1, 14))
    got = []
    for line in (
        '!findtime "Plenary" Tuesday 14:00',
        f'!findtime "Plenary" {thirteen}',
        '!findtime "Plenary" 21/11/2026 10:00 | tomorrow 10:00',
        '!findtime "Plenary" tomorrow 10:00 | tomorrow 10:00',
        '!findtime "Plenary" tomorrow 10:00 | Tuesday 10:00 --remind 1d',
        '!findtime "Plenary" tomorrow 10:00 | Tuesday 10:00 --closes tomorrow 9:00 --remind 1d',
        '!findtime "Plenary" tomorrow 10:00 | Tuesday 10:00 --secret',
        '!findtime "Plenary" tomorrow 10:00 | | Tuesday 10:00',
        '!findtime "Plenary" every Monday 10:00 | Tuesday 10:00',
        "!findtime Plenary tomorrow 10:00 | Tuesday 10:00",
        "!findtime results 1",
    ):
        (reply,) = await room.say(line)
        got.append(reply.body.splitlines()[0])
    assert got == [
        "A find-a-time needs at least 2 slots; you gave 1.",
        "A find-a-time has at most 12 slots; you gave 13.",
        "Sat, 21 Nov 2026, 10:00 (Europe/Luxembourg) is in the past.",
        "“tomorrow 10:00” is given twice.",
        "--remind needs a closing time: add --closes <when>, e.g. --closes Friday 18:00 --remind 1d.",
        "--remind 1 day is not shorter than the time left until the close (23 hours); "
        "give a shorter one.",
        "Unknown option --secret; the options are --closes <when> and --remind <duration>.",
        "A time between two | is missing.",
        "“every Monday 10:00” repeats; give single times.",
        "Give the meeting's title in quotes, then the times separated by |.",
        "There is no find-a-time #1 in this room.",
    ]
    assert stored(db) == NOTHING
    # Booking: an unknown slot, a slot begun, someone neither its creator nor a chair.
    await room.say('!findtime "Plenary" tomorrow 10:00 | Tuesday 10:00')
    before = stored(db)
    for line, sender, expected in (
        ("!findtime book 1 3", ALICE, "Find-a-time #1 has no slot 3; its slots are 1 to 2."),
        (
            "!findtime book 1",
            ALICE,
            "No slot of find-a-time #1 has a yes or an if need be; "
            "name one, e.g. !findtime book 1 1.",
        ),
        (
            "!findtime book 1 1",
            BOB,
            f"Only {ALICE}, who started find-a-time #1, or a chair may book it.",
        ),
        ("!findtime book 2", ALICE, "There is no find-a-time #2 in this room."),
        ("!findtime book 1 x", ALICE, "“x” is not a slot number."),
    ):
        (reply,) = await room.say(line, sender)
        assert reply.body.splitlines()[0] == expected
    clock.advance(days=1, hours=1)  # the first slot has begun
    (begun,) = await room.say("!findtime book 1 1")
    assert begun.body.splitlines()[0] == (
        "Slot 1. Mon, 23 Nov 2026, 10:00–11:00 (Europe/Luxembourg) has begun already; "
        "name a slot to come."
    )
    assert stored(db) == before
    with db.transaction() as s:
        assert FindTimeRepository(s).by_short_id(ROOM, 1).status == "open"


# --- At its time: closing and the reminder, with a stand-in homeserver ----------------------------


def timers(db, clock, server) -> TimerService:
    """The timer service with find-a-time's timers, asking `server` for responses."""
    return TimerService(Runtime(db, clock, TEST_DEFAULTS, client=server), [CLOSINGS, REMINDERS])


def fetched(server: Homeserver, start: str, sender: str, answers: list, ts: datetime) -> None:
    """A response the homeserver has but sync never brought (sent while the bot was down)."""
    server.add(start, POLL_RESPONSE, response_content(start, answers), sender, ts)
    # The stand-in numbers events per start; event ids are unique in a room.
    event = server.related[start][-1]
    unique = f"{event['event_id']}-{start}"
    server.plaintexts[unique] = server.plaintexts.pop(event["event_id"])
    event["event_id"] = unique


async def test_the_reminder_and_the_close_fire_once_after_a_restart_with_answers_sent_meanwhile(
    db, room, clock
):
    server = Homeserver()
    (header,) = await room.say(THREE + " --closes tomorrow 18:00 --remind 2h")
    assert header.body.splitlines()[3] == (
        "Those who have not answered every slot are reminded "
        "Mon, 23 Nov 2026, 16:00 (Europe/Luxembourg)."
    )
    first, second, third = (p.event_id for p in starts(room))
    for start in (first, second, third):
        await answer(room, ALICE, [first, second, third].index(start) + 1, "yes")
    await answer(room, BOB, 1, "no")
    service = timers(db, clock, server)
    service.start()
    service.caught_up()
    try:
        assert sorted(j.id for j in service._scheduler.get_jobs()) == [
            "findtime-close:1",
            "findtime-remind:1",
        ]
    finally:
        service.shutdown()

    # The bot was down; meanwhile Bob answered the other slots and Carol one of them.
    fetched(server, second, BOB, ["maybe"], SUNDAY + timedelta(hours=2))
    fetched(server, third, BOB, ["yes"], SUNDAY + timedelta(hours=2))
    fetched(server, first, CAROL, ["yes"], SUNDAY + timedelta(hours=3))
    clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the reminder's time
    restarted = timers(db, clock, server)
    assert await restarted.fire("findtime-remind", 1)
    assert not await restarted.fire("findtime-remind", 1)  # once
    (reminder,) = room.take()
    assert reminder.body.splitlines() == [
        "Reminder: find-a-time #1 closes in 2 hours: Plenary",
        f"Not answered every slot yet: {CAROL}, {DAN}",
    ]
    assert reminder.mentions == (CAROL, DAN)
    assert reminder.in_reply_to is None

    clock.now = datetime(2026, 11, 23, 17, 1, tzinfo=UTC)
    assert await restarted.fire("findtime-close", 1)
    assert not await restarted.fire("findtime-close", 1)
    *ends, grid = room.take()
    assert [e.type for e in ends] == [POLL_END] * 3
    assert grid.body.splitlines()[:5] == [
        "Find a time #1 (closed): Plenary",
        f"1. {SLOTS[0]}: 2 yes, 0 if need be, 1 no — Alice ✓, Bob ✗, Carol ✓",
        f"2. {SLOTS[1]}: 1 yes, 1 if need be, 0 no — Alice ✓, Bob (✓)",
        f"3. {SLOTS[2]}: 2 yes, 0 if need be, 0 no — Alice ✓, Bob ✓",
        f"Best slot: 1. {SLOTS[0]} (2 yes, 0 if need be, 1 no)",
    ]
    assert grid.body.splitlines()[5:7] == [
        "As good: 3. Thu, 26 Nov 2026, 09:00–10:00 (Europe/Luxembourg); the earliest is taken.",
        f"Did not vote: {DAN}",
    ]
    with db.transaction() as s:
        assert FindTimeRepository(s).by_short_id(ROOM, 1).closed_by is None


async def test_a_late_reminder_says_so_and_none_once_everyone_answered_or_it_closed(
    db, room, clock
):
    server = Homeserver()
    await room.say(
        '!findtime "Jour fixe" Tuesday 9:00 | Wednesday 9:00 --closes Monday 18:00 --remind 1d'
    )
    clock.now = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)  # late: the bot was down at 17:00
    assert await timers(db, clock, server).fire("findtime-remind", 1)
    (late,) = room.take()
    assert late.body.splitlines()[0] == (
        "Reminder (late: I was offline at its time): find-a-time #1 closes "
        "Mon, 23 Nov 2026, 18:00 (Europe/Luxembourg): Jour fixe"
    )
    # A second find-a-time everyone answers: no reminder at all.
    await room.say(
        '!findtime "Retreat" Tuesday 9:00 | Wednesday 9:00 --closes Monday 18:00 --remind 2h'
    )
    for member in (ALICE, BOB, CAROL, DAN):
        await answer(room, member, 3, "yes")
        await answer(room, member, 4, "no")
    clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert await timers(db, clock, server).fire("findtime-remind", 2)
    assert room.take() == []
    # A third one closed before its reminder's time: its reminder is not pending any more.
    await room.say(
        '!findtime "Lunch" Tuesday 12:00 | Wednesday 12:00 --closes Monday 18:00 --remind 2h'
    )
    await room.say("!findtime close 3")
    assert not await timers(db, clock, server).fire("findtime-remind", 3)


# --- Exports ------------------------------------------------------------------------------------


async def test_export_csv_and_json_member_by_slot(db, room, clock):
    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, [(ALICE, "=HYPERLINK(1)"), (BOB, "Bob"), (CAROL, None)])
    await room.say(THREE)
    await answer(room, ALICE, 1, "yes")
    await answer(room, ALICE, 2, "maybe")
    await answer(room, BOB, 2, "no")
    (file,) = await room.say("!findtime export 1 csv")
    assert (file.filename, file.mimetype) == ("findtime-1.csv", "text/csv")
    assert file.content["msgtype"] == "m.file"
    text = file.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["user_id", "display_name", *(f"{n}. {slot}" for n, slot in enumerate(SLOTS, 1))],
        [ALICE, "'=HYPERLINK(1)", "yes", "maybe", ""],
        [BOB, "Bob", "", "no", ""],
        [CAROL, "", "", "", ""],
    ]
    (file,) = await room.say("!findtime export #1 json")
    record = json.loads(file.data)
    assert record["findtime"] == 1 and record["title"] == "Plenary"
    assert record["status"] == "open" and record["timezone"] == "Europe/Luxembourg"
    assert record["slots"][1] == {
        "slot": 2,
        "text": SLOTS[1],
        "start": "2026-11-25T10:00:00+01:00",
        "end": "2026-11-25T12:00:00+01:00",
        "yes": 0,
        "maybe": 1,
        "no": 1,
    }
    assert record["best_slot"] == 1
    assert record["answers"][0] == {
        "user_id": ALICE,
        "display_name": "=HYPERLINK(1)",
        "slots": {"1": "yes", "2": "maybe", "3": None},
    }
    assert record["not_answered"] == [CAROL]
    (bad,) = await room.say("!findtime export 1 xlsx")
    assert bad.body.splitlines()[0] == "Give the find-a-time's number and csv or json, e.g. 3 csv."


# --- Find-a-time polls of the earlier kind, stored before -----------------------------------------


def earlier_findtime(db: Database, room: Room, closes_at: datetime | None = None) -> str:
    """A find-a-time as the bot stored it before: one multi-select poll of the slots; its start
    event id."""
    answers = [
        {
            "id": "a1",
            "text": SLOTS[0],
            "start": "2026-11-24T13:00:00+00:00",
            "end": "2026-11-24T14:00:00+00:00",
        },
        {
            "id": "a2",
            "text": SLOTS[1],
            "start": "2026-11-25T09:00:00+00:00",
            "end": "2026-11-25T11:00:00+00:00",
        },
        {
            "id": "a3",
            "text": SLOTS[2],
            "start": "2026-11-26T08:00:00+00:00",
            "end": "2026-11-26T09:00:00+00:00",
        },
    ]
    with db.transaction() as s:
        poll = PollRepository(s).add(
            room_id=ROOM,
            kind="findtime",
            question="Plenary",
            answers=answers,
            max_selections=3,
            secret=False,
            timezone="Europe/Luxembourg",
            creator=ALICE,
            closes_at=closes_at,
            now=SUNDAY,
        )
        PollRepository(s).set_start_event(poll.id, "$earlier")
    return "$earlier"


async def vote(room: Room, sender: str, answers: list, seconds: float = 0) -> None:
    content = response_content("$earlier", answers)
    await room.post(POLL_RESPONSE, content, sender, ts=room.clock() + timedelta(seconds=seconds))


async def test_an_earlier_find_a_time_poll_closes_and_reports_as_before(db, room, clock):
    earlier_findtime(db, room)
    await vote(room, ALICE, ["a1", "a2"], 1)
    await vote(room, BOB, ["a2"], 2)
    await vote(room, CAROL, ["a2", "a3"], 3)
    clock.advance(hours=1)
    (results,) = await room.say("!poll close 1")
    lines = results.body.splitlines()
    assert lines[1:4] == [
        f"{SLOTS[0]}: 1 (20%) — {ALICE}",
        f"{SLOTS[1]}: 3 (60%) — {ALICE}, {BOB}, {CAROL}",
        f"{SLOTS[2]}: 1 (20%) — {CAROL}",
    ]
    assert lines[-1] == f"Did not vote: {DAN}"
    assert lines[-4:-1] == [
        f"Best time: {SLOTS[1]}",
        "To schedule it as a meeting:",
        '!meeting add "Plenary" 25/11/2026 10:00 for 120 minutes',
    ]
    (scheduled,) = await room.say(lines[-2])
    assert scheduled.body.splitlines()[:2] == [
        "Meeting #1 scheduled: Plenary",
        f"When: {SLOTS[1]}",
    ]


async def test_an_earlier_find_a_time_poll_tie_after_a_change_of_zone(db, room, clock):
    earlier_findtime(db, room)
    await vote(room, ALICE, ["a1"], 1)
    await vote(room, BOB, ["a2"], 2)
    await room.say("!timezone America/New_York", level=100)
    clock.advance(hours=1)
    (results,) = await room.say("!poll close 1")
    assert results.body.splitlines()[-4:-1] == [
        "To schedule one of them as a meeting:",
        '!meeting add "Plenary" 24/11/2026 08:00',
        '!meeting add "Plenary" 25/11/2026 04:00 for 120 minutes',
    ]


async def test_an_earlier_find_a_time_poll_closes_at_its_time(db, room, clock):
    from commands.poll_closing import CLOSINGS as POLL_CLOSINGS

    earlier_findtime(db, room, closes_at=SUNDAY + timedelta(hours=1))
    await vote(room, ALICE, ["a3"], 1)
    clock.advance(hours=2)
    runtime = Runtime(db, clock, TEST_DEFAULTS, client=Homeserver())
    assert await TimerService(runtime, [POLL_CLOSINGS]).fire("poll-close", 1)
    end, results = room.take()
    assert end.type == POLL_END
    assert results.body.splitlines()[-4:-1] == [
        f"Best time: {SLOTS[2]}",
        "To schedule it as a meeting:",
        '!meeting add "Plenary" 26/11/2026 09:00',
    ]


# --- A slot poll ended in an app, or settled on its end's time ---------------------------------


async def test_a_chair_ending_one_slot_poll_in_their_app_ends_only_that_slot_quietly(
    db, room, clock
):
    await room.say(THREE)
    first = starts(room)[0].event_id
    await answer(room, BOB, 1, "yes", 1)
    end = {"m.relates_to": {"rel_type": "m.reference", "event_id": first}, POLL_END: {}}
    await room.post(POLL_END, end, DAN, level=50, ts=SUNDAY + timedelta(seconds=5))
    assert room.take() == []  # nothing said: the grid comes with the find-a-time's close
    await answer(room, CAROL, 1, "yes", 10)  # after that slot's end: as in every app, not counted
    await answer(room, CAROL, 2, "yes", 10)
    clock.advance(minutes=1)
    await room.say("!findtime close 1")
    ends = [sent for sent in room.sent if sent.type == POLL_END]
    assert [e.content["m.relates_to"]["event_id"] for e in ends] == [
        p.event_id for p in starts(room)[1:]
    ]
    grid = room.sent[-1].body.splitlines()
    assert grid[1] == f"1. {SLOTS[0]}: 1 yes, 0 if need be, 0 no — Bob ✓"
    assert grid[2] == f"2. {SLOTS[1]}: 1 yes, 0 if need be, 0 no — Carol ✓"


async def test_a_slot_poll_settled_on_its_end_s_time_says_nothing_of_its_own(db, room, clock):
    from commands.poll_closing import settle

    await room.say(THREE)
    await answer(room, BOB, 1, "yes", 1)
    await room.say("!findtime close 1")
    # A vote sent just before the end reached the bot after the close: the slot's count changes.
    await answer(room, CAROL, 1, "no", -30)
    with db.transaction() as s:
        _slot, poll = FindTimeRepository(s).slots(1)[0]
        said = settle(s, poll.id, clock.now + timedelta(seconds=1), TEST_DEFAULTS)
        assert said == []
        assert PollRepository(s).get(poll.id).result["voters"]["no"] == [CAROL]
    lines = (await room.say("!findtime results 1"))[0].body.splitlines()
    assert lines[1] == f"1. {SLOTS[0]}: 1 yes, 0 if need be, 1 no — Bob ✓, Carol ✗"
