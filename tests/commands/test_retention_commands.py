"""Retention through the dispatcher and the timer service, on SQLite and PostgreSQL, with an
injected clock: `!retention`, what `!settings` says, the daily round deleting old log rows
while the minutes keep their items, and bad input that changes nothing."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.export import log_rows
from bot.features import Runtime
from bot.scheduler import TimerService
from commands.retention import ROUNDS, round_at_start
from storage.db import Database
from storage.models import LogEntry, MinutesItem, MinutesLine
from storage.models_after import RetentionRound, RoomRetention
from storage.retention import RetentionRepository
from tests.room import ROOM, TEST_DEFAULTS, Clock
from tests.room import Room as ChatRoom

ALICE, BOB = "@alice:example.org", "@bob:example.org"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg
CHAIR = 50


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def room(db: Database, clock: Clock) -> ChatRoom:
    return ChatRoom(db, clock)


async def held(room: ChatRoom) -> None:
    """Meeting #1: messages, a topic, a decision and an action; ended."""
    await room.say("!startmeeting Plenary", ALICE)
    await room.say("My phone number is 555 0100", BOB)
    await room.say("!topic Budget", ALICE)
    await room.say("!agreed Meet every 3-4 months", ALICE)
    await room.say(f"!action {BOB} draft the note", ALICE)
    await room.say("!endmeeting", ALICE)


def rows(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        return {
            name: s.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("log", LogEntry),
                ("lines", MinutesLine),
                ("items", MinutesItem),
            )
        }


async def settings_line(room: ChatRoom) -> str:
    (shown,) = await room.say("!settings", BOB)
    return next(line for line in shown.body.splitlines() if line.startswith("Retention"))


async def test_retention_deletes_old_log_rows_and_the_minutes_keep_their_items(db, room, clock):
    await held(room)
    assert rows(db) == {"log": 6, "lines": 6, "items": 3}
    assert await settings_line(room) == (
        "Retention: none; the log is kept until its messages are redacted."
    )
    clock.advance(days=31)
    await room.say("Still here a month later", BOB)  # not in a meeting: a plain message
    (refused,) = await room.say("!retention 30d", BOB)
    assert refused.body == "Only chairs (power level 50 or more) may use !retention."
    (set_,) = await room.say("!retention 30 days", ALICE, level=CHAIR)
    assert set_.body.splitlines() == [
        "This room keeps its log for 30 days.",
        "Retention: 30 days (this room's !retention).",
        "7 messages older than that were deleted now; "
        "the minutes keep their topics, items, decisions and actions.",
        "Older messages are deleted every day.",
    ]
    # The meeting's messages are gone from the database; its items stay.
    assert rows(db)["lines"] == 0 and rows(db)["items"] == 3
    with db.transaction() as s:
        kept = [(e.sender, e.payload) for e in s.scalars(select(LogEntry))]
        exported = list(log_rows(s, ROOM))
    assert kept == [(ALICE, {"commands": ["retention"]})]  # only the command of just now
    assert all("555" not in json.dumps(row) for row in exported)
    assert await settings_line(room) == "Retention: 30 days (this room's !retention)."

    (sent,) = await room.say("!minutes 1 md", BOB)
    markdown = sent.data.decode()
    assert "555" not in markdown
    assert "Meet every 3-4 months" in markdown and "draft the note" in markdown
    assert "### 1. Budget" in markdown
    assert "## Log\n\n- *(6 messages removed under the room's retention policy)*" in markdown
    (sent,) = await room.say("!minutes 1 json", BOB)
    doc = json.loads(sent.data)
    assert [(e["type"], e["lines"]) for e in doc["log"]] == [("removed", 6)]
    assert doc["decisions"] == ["Meet every 3-4 months"]
    (listing,) = await room.say("!minutes list", BOB)
    assert ", 0 messages, draft" in listing.body.splitlines()[1]


async def test_the_daily_round_with_the_shortest_retention_in_force(db, room, clock):
    await held(room)
    await room.say("!retention 1y", ALICE, level=CHAIR)
    # The room's state says 10 days, the operator's ceiling 60 days: the state is shorter.
    with db.transaction() as s:
        RetentionRepository(s).set_state_retention(ROOM, 10 * 86_400_000)
    assert await settings_line(room) == (
        "Retention: 10 days (the room's m.room.retention setting)."
    )
    settings = replace(TEST_DEFAULTS, max_retention=timedelta(days=60))
    scheduler = TimerService(Runtime(db, clock, settings), [ROUNDS])
    with db.transaction() as s:
        round_at_start.handler(s, settings, clock.now)  # a round at every start, then daily
        (first,) = s.scalars(select(RetentionRound)).all()
    clock.advance(days=5)
    assert await scheduler.fire("retention", first.id) is True
    assert rows(db)["lines"] == 6  # five days old: kept
    with db.transaction() as s:
        pending = s.scalars(select(RetentionRound).where(RetentionRound.status == "pending"))
        (second,) = pending.all()
    assert second.due_at == clock.now + timedelta(days=1)
    clock.advance(days=6)
    assert await scheduler.fire("retention", second.id) is True
    assert await scheduler.fire("retention", second.id) is False
    assert rows(db) == {"log": 0, "lines": 0, "items": 3}
    assert room.take() == []  # the round says nothing in the room

    # The state goes: the room's own year is shorter than no limit, the ceiling shorter still.
    with db.transaction() as s:
        RetentionRepository(s).set_state_retention(ROOM, None)
    dispatcher_settings = room.dispatcher.defaults
    room.dispatcher.defaults = settings
    try:
        assert await settings_line(room) == (
            "Retention: 60 days (the bot's ceiling for every room)."
        )
    finally:
        room.dispatcher.defaults = dispatcher_settings


async def test_a_ceiling_alone_covers_every_room_with_a_log(db, clock):
    other = ChatRoom(db, clock, room_id="!other:example.org")
    await held(other)
    clock.advance(days=3)
    settings = replace(TEST_DEFAULTS, max_retention=timedelta(days=2))
    scheduler = TimerService(Runtime(db, clock, settings), [ROUNDS])
    with db.transaction() as s:
        round_at_start.handler(s, settings, clock.now)
        (first,) = s.scalars(select(RetentionRound)).all()
    assert await scheduler.fire("retention", first.id) is True
    assert rows(db) == {"log": 0, "lines": 0, "items": 3}
    with db.transaction() as s:
        assert s.get(RoomRetention, "!other:example.org") is None  # no settings row was needed


async def test_approved_minutes_say_what_retention_removed(db, room, clock):
    await held(room)
    await room.say("!minutes 1 approve", ALICE)
    clock.advance(days=2)
    await room.say("!retention 1 day", ALICE, level=CHAIR)
    (sent,) = await room.say("!minutes 1 md", BOB)
    assert (
        "- **Amended after approval:** 6 messages removed under the room's retention policy"
        in sent.data.decode()
    )


async def test_off_and_bad_input(db, room):
    await room.say("!retention 90d", ALICE, level=CHAIR)
    (shown,) = await room.say("!retention", ALICE, level=CHAIR)
    assert shown.body.splitlines() == [
        "Retention: 90 days (this room's !retention).",
        "0 messages older than that were deleted now; "
        "the minutes keep their topics, items, decisions and actions.",
        "Older messages are deleted every day.",
        "Chairs change it with !retention 30d.",
    ]
    cases = {
        "!retention soon": "Give how long to keep the log, e.g. 30d, 6 months or 1y, or off.",
        "!retention 0d": "Give how long to keep the log, e.g. 30d, 6 months or 1y, or off.",
        "!retention -3d": "Give how long to keep the log, e.g. 30d, 6 months or 1y, or off.",
        "!retention 12h": "Choose a retention between 1 day and 100 years.",
        "!retention 101y": "Choose a retention between 1 day and 100 years.",
        '!retention "30d': 'A quote is not closed: "30d',
    }
    for command, error in cases.items():
        (reply,) = await room.say(command, ALICE, level=CHAIR)
        assert reply.body.splitlines()[0] == error, command
    with db.transaction() as s:
        assert s.get(RoomRetention, ROOM).retention_seconds == 90 * 86_400
    (off,) = await room.say("!retention off", ALICE, level=CHAIR)
    assert off.body.splitlines() == [
        "This room's own retention is off.",
        "Retention: none; the log is kept until its messages are redacted.",
    ]
    with db.transaction() as s:
        assert s.get(RoomRetention, ROOM).retention_seconds is None
