"""Find-a-time, as members see it: a real Synapse, real E2EE members answering the slot polls
as Element does (changing an answer, answering while the bot is down, not answering), the grid,
the meeting booked across the change to summer time, the reminder after a restart, the exports.
One bot for the module (stopped and started again where a test needs it)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from datetime import UTC, datetime

import nio
from botproc import BotProcess
from helpers import ask, ask_file, from_bot, room_with_bot
from members import Member

from bot.msc3381 import POLL_END, POLL_RESPONSE, POLL_START, TEXT, response_content

# Luxembourg moves to summer time on Sunday 28 March 2027: 10:00 is 09:00 UTC on the Friday
# before and 08:00 UTC on the Monday after.
SLOTS = (
    "Fri, 26 Mar 2027, 10:00–12:00 (Europe/Luxembourg)",
    "Mon, 29 Mar 2027, 10:00–12:00 (Europe/Luxembourg)",
    "Tue, 30 Mar 2027, 14:00–16:00 (Europe/Luxembourg)",
)
COMMAND = '!findtime "Plenary" 26/3/2027 10:00 | 29/3/2027 10:00 | 30/3/2027 14:00 for 2h'


def notice_starting(bot: BotProcess, text: str):
    def predicate(event) -> bool:
        return (
            isinstance(event, nio.RoomMessageNotice)
            and event.sender == bot.user_id
            and event.body.startswith(text)
        )

    return predicate


async def slot_polls(member: Member, room_id: str, bot: BotProcess, header_id: str, count: int):
    """The slot polls in the header's thread, in the order the bot sent them."""
    is_slot_poll = from_bot(bot, POLL_START, header_id)
    seen: list[str] = []

    def another(event) -> bool:
        if is_slot_poll(event) and event.event_id not in seen:
            seen.append(event.event_id)
        return len(seen) == count

    await member.wait_for(another, room_id=room_id)
    return [e for e in member.events(room_id) if is_slot_poll(e)]


async def answer(member: Member, room_id: str, start_id: str, answer_id: str) -> str:
    """A poll response exactly as Element sends it (encrypted: the rooms are)."""
    return await member.send_raw(room_id, POLL_RESPONSE, response_content(start_id, [answer_id]))


def query(bot: BotProcess, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        return db.execute(sql, args).fetchall()


NAMES = ("Alice", "Bob", "Carol", "Dan")


async def team(members, bot: BotProcess) -> tuple[str, list[Member]]:
    """Alice's new room with the bot, Bob, Carol and Dan, each shown by that name."""
    people = [await members(name.lower()) for name in NAMES]
    for member, name in zip(people, NAMES, strict=True):
        await member.client.set_displayname(name)
    room_id = await room_with_bot(people[0], bot, invite=[m.user_id for m in people[1:]])
    for member in people[1:]:
        await member.join(room_id)
    return room_id, people


async def test_three_members_answer_three_slots_and_the_best_is_booked_across_dst(members, bot):
    room_id, (alice, bob, carol, dan) = await team(members, bot)

    header = await ask(alice, room_id, bot, COMMAND)
    assert header.body.splitlines()[:2] == [
        "Find a time #1: Plenary — answer each slot below",
        "3 slots, each a poll in the thread of this message: Yes, If need be or No.",
    ]
    polls = await slot_polls(alice, room_id, bot, header.event_id, 3)
    assert [p.source["content"][POLL_START]["question"][TEXT] for p in polls] == list(SLOTS)
    for poll in polls:
        content = poll.source["content"]
        assert content[POLL_START]["max_selections"] == 1
        assert [a[TEXT] for a in content[POLL_START]["answers"]] == ["Yes", "If need be", "No"]
        assert content["m.relates_to"]["rel_type"] == "m.thread"
        assert content[TEXT].endswith("your latest answer counts.")
    wire = await alice.raw_event(room_id, polls[0].event_id)
    assert wire["type"] == "m.room.encrypted"  # the relation stays in clear, the poll does not
    assert wire["content"]["m.relates_to"]["event_id"] == header.event_id
    first, second, third = (p.event_id for p in polls)

    await answer(alice, room_id, first, "yes")
    await answer(alice, room_id, second, "yes")
    await answer(bob, room_id, first, "no")
    await answer(bob, room_id, second, "maybe")
    await answer(bob, room_id, second, "yes")  # a change of mind: the latest counts
    await ask(alice, room_id, bot, "!findtime list")  # the bot has seen these answers
    assert await bot.stop() == 0
    await answer(carol, room_id, second, "yes")  # while the bot is down
    await answer(carol, room_id, third, "maybe")
    await bot.start()
    # Dan does not answer.

    grid = await ask(dan, room_id, bot, "!findtime results 1")
    lines = grid.body.splitlines()
    assert lines[:6] == [
        "Find a time #1 so far: Plenary",
        f"1. {SLOTS[0]}: 1 yes, 0 if need be, 1 no — Alice ✓, Bob ✗",
        f"2. {SLOTS[1]}: 3 yes, 0 if need be, 0 no — Alice ✓, Bob ✓, Carol ✓",
        f"3. {SLOTS[2]}: 0 yes, 1 if need be, 0 no — Carol (✓)",
        f"Best slot: 2. {SLOTS[1]} (3 yes, 0 if need be, 0 no)",
        f"Not voted yet: {dan.user_id}",
    ]
    assert "<table>" in grid.source["content"]["formatted_body"]

    book_id = await alice.send(room_id, "!findtime book 1")
    closed = await alice.wait_for(notice_starting(bot, "Find a time #1 (closed)"), room_id=room_id)
    assert closed.body.splitlines()[-1] == "Booked as meeting #1 (slot 2)."
    scheduled = await alice.wait_for(notice_starting(bot, "Meeting #1 scheduled"), room_id=room_id)
    assert scheduled.source["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == book_id
    assert scheduled.body.splitlines()[:3] == [
        "Meeting #1 scheduled: Plenary",
        f"When: {SLOTS[1]}",
        "Booked from find-a-time #1.",
    ]
    for start in (first, second, third):
        await alice.wait_for(from_bot(bot, POLL_END, start), room_id=room_id)
    assert query(bot, "SELECT start_at, end_at, timezone FROM meetings") == [
        ("2027-03-29 08:00:00.000000", "2027-03-29 10:00:00.000000", "Europe/Luxembourg")
    ]

    event, data = await ask_file(bob, room_id, bot, "!findtime export 1 csv")
    assert event.body == "findtime-1.csv"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["user_id", "display_name", *(f"{n}. {s}" for n, s in enumerate(SLOTS, 1))]
    assert sorted(rows[1:]) == sorted(
        [
            [alice.user_id, "Alice", "yes", "yes", ""],
            [bob.user_id, "Bob", "no", "yes", ""],
            [carol.user_id, "Carol", "", "yes", "maybe"],
            [dan.user_id, "Dan", "", "", ""],
        ]
    )
    _event, data = await ask_file(carol, room_id, bot, "!findtime export 1 json")
    record = json.loads(data)
    assert (record["status"], record["best_slot"], record["booked_meeting"]) == ("closed", 2, 1)
    assert [(s["yes"], s["maybe"], s["no"]) for s in record["slots"]] == [
        (1, 0, 1),
        (3, 0, 0),
        (0, 1, 0),
    ]
    assert record["slots"][1]["start"] == "2027-03-29T10:00:00+02:00"
    assert record["not_answered"] == [dan.user_id]
    assert alice.undecryptable(room_id) == []


async def test_the_reminder_fires_after_a_restart_naming_who_has_not_answered_every_slot(
    members, bot
):
    room_id, (alice, bob, carol, dan) = await team(members, bot)
    command = (
        '!findtime "Retreat" 3/5/2027 10:00 | 4/5/2027 10:00 --closes in 3 minutes --remind 2m'
    )
    header = await ask(alice, room_id, bot, command)
    assert header.body.splitlines()[3].startswith(
        "Those who have not answered every slot are reminded "
    )
    first, second = (p.event_id for p in await slot_polls(alice, room_id, bot, header.event_id, 2))
    await answer(bob, room_id, first, "yes")
    await answer(bob, room_id, second, "no")
    await answer(carol, room_id, first, "maybe")  # one slot of two
    await ask(alice, room_id, bot, "!findtime list")
    assert await bot.stop() == 0

    await answer(dan, room_id, first, "yes")  # while the bot is down: it counts
    await answer(dan, room_id, second, "yes")
    ((due,),) = query(bot, "SELECT due_at FROM findtime_reminders")
    due_at = datetime.fromisoformat(due).replace(tzinfo=UTC)
    await asyncio.sleep(max(0.0, (due_at - datetime.now(UTC)).total_seconds()) + 1)
    await bot.start()
    reminder = await alice.wait_for(notice_starting(bot, "Reminder"), room_id=room_id)
    assert reminder.body.splitlines()[0].startswith(
        "Reminder (late: I was offline at its time): find-a-time #1 closes "
    )
    assert reminder.body.splitlines()[1] == (
        f"Not answered every slot yet: {', '.join(sorted([alice.user_id, carol.user_id]))}"
    )
    assert sorted(reminder.source["content"]["m.mentions"]["user_ids"]) == sorted(
        [alice.user_id, carol.user_id]
    )
    assert query(bot, "SELECT status FROM findtime_reminders") == [("sent",)]
    closed = await ask(alice, room_id, bot, "!findtime close 1")
    assert closed.body.splitlines()[1:3] == [
        "1. Mon, 3 May 2027, 10:00–11:00 (Europe/Luxembourg): 2 yes, 1 if need be, 0 no"
        " — Bob ✓, Carol (✓), Dan ✓",
        "2. Tue, 4 May 2027, 10:00–11:00 (Europe/Luxembourg): 1 yes, 0 if need be, 1 no"
        " — Bob ✗, Dan ✓",
    ]
    # A restart reminds nobody twice.
    assert await bot.stop() == 0
    await bot.start()
    await ask(alice, room_id, bot, "!findtime list")
    reminders = [e for e in alice.events(room_id) if notice_starting(bot, "Reminder")(e)]
    assert len(reminders) == 1
