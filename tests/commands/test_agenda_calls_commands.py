"""The call for agenda items through the dispatcher and the scheduler, on SQLite and PostgreSQL,
with an injected clock: `!meeting cycle agenda-call`, its rows planned, moved and cancelled with
the meetings, fired once per occurrence, late when the bot was down."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.features import Runtime
from bot.scheduler import TimerService
from commands.agenda_calls import AGENDA_CALLS
from storage.db import Database
from storage.meetings import AgendaCallRepository, MeetingRepository
from tests.room import ROOM, TEST_DEFAULTS, Clock, Room

ALICE, BOB = "@alice:example.org", "@bob:example.org"
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg
THURSDAY_WEEK = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 14:00 in Luxembourg


@pytest.fixture
def clock() -> Clock:
    return Clock(SUNDAY)


@pytest.fixture
def scheduler(db: Database, clock: Clock):
    yield TimerService(Runtime(db, clock, TEST_DEFAULTS), [AGENDA_CALLS])


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    """Alice speaks, as a room chair, unless a test says otherwise; the clock moves when told."""
    return Room(db, clock, step=timedelta(0), sender=ALICE, level=100)


def calls(db: Database) -> list[tuple[int, datetime, datetime, str]]:
    """(meeting number, occurrence, due, status) of every call row, by due time."""
    with db.transaction() as s:
        meetings = MeetingRepository(s)
        rows = []
        for short_id in range(1, 10):
            meeting = meetings.by_short_id(ROOM, short_id)
            if meeting is None:
                break
            for call in AgendaCallRepository(s).of_meeting(meeting.id):
                rows.append((short_id, call.occurrence_at, call.due_at, call.status))
        return sorted(rows, key=lambda row: (row[2], row[0]))


def pending(db: Database) -> list[tuple[int, datetime, datetime, str]]:
    return [row for row in calls(db) if row[3] == "pending"]


def pending_id(db: Database) -> int:
    with db.transaction() as s:
        ((call_id, _due),) = AgendaCallRepository(s).pending()
        return call_id


async def test_the_setting_is_off_by_default_chairs_set_it_and_bad_input_changes_nothing(db, room):
    await room.say("!meeting add Plenary 3 December 14:00")
    assert calls(db) == []
    (shown,) = await room.say("!meeting cycle")
    assert shown.body.splitlines() == [
        "No call for agenda items in this room.",
        "Change it with !meeting cycle agenda-call 2w|off.",
    ]
    (refused,) = await room.say("!meeting cycle agenda-call 1w", sender=BOB, level=0)
    assert "chairs" in refused.body.splitlines()[0]
    for command, answer in [
        ("!meeting cycle agenda-call", "Say how long before each meeting to call for agenda"),
        ("!meeting cycle reminders 1w", "There is no meeting cycle setting “reminders”"),
        ("!meeting cycle agenda-call 5w", "“5w” is out of range: between 1 minute and 4 weeks."),
        ("!meeting cycle agenda-call soon", "“soon” is not a time before the meeting"),
        ("!meeting cycle agenda-call 1w 2d", "Say how long before each meeting"),
    ]:
        (reply,) = await room.say(command)
        assert reply.body.startswith(answer), (command, reply.body)
    assert calls(db) == []
    with db.transaction() as s:
        assert MeetingRepository(s).agenda_call_minutes(ROOM) is None

    (set_,) = await room.say("!meeting cycle agenda-call 1w")
    assert set_.body.splitlines() == [
        "Call for agenda items: 1 week before each meeting.",
        "Next call: Plenary (#1), on Thu, 26 Nov 2026, 14:00 (Europe/Luxembourg).",
    ]
    assert calls(db) == [(1, THURSDAY_WEEK, THURSDAY_WEEK - timedelta(weeks=1), "pending")]
    (shown,) = await room.say("!meeting cycle")
    assert shown.body.splitlines()[0] == "Call for agenda items: 1 week before each meeting."
    # Changing it re-plans the pending call; off cancels it.
    (changed,) = await room.say("!meeting cycle agenda-call 3d")
    assert changed.body.splitlines()[0] == "Call for agenda items: 3 days before each meeting."
    assert pending(db) == [(1, THURSDAY_WEEK, THURSDAY_WEEK - timedelta(days=3), "pending")]
    assert len(calls(db)) == 2
    (off,) = await room.say("!meeting cycle agenda-call off")
    assert off.body == "No call for agenda items in this room."
    assert [status for *_, status in calls(db)] == ["cancelled", "cancelled"]


async def test_meetings_scheduled_moved_and_cancelled_carry_their_call(db, room):
    await room.say("!meeting cycle agenda-call 2d")
    await room.say("!meeting add Plenary 3 December 14:00")
    await room.say("!meeting add Quick sync tomorrow 10:00")  # too close for a call
    assert calls(db) == [(1, THURSDAY_WEEK, THURSDAY_WEEK - timedelta(days=2), "pending")]
    await room.say("!meeting move 1 4 December 9:00")
    friday = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert pending(db) == [(1, friday, friday - timedelta(days=2), "pending")]
    assert len(calls(db)) == 2
    await room.say("!meeting cancel 1")
    assert [status for *_, status in calls(db)] == ["cancelled", "cancelled"]


async def test_the_call_fires_once_with_the_agenda_so_far(db, room, clock, scheduler):
    await room.say("!meeting add Plenary 3 December 14:00 for 2h")
    await room.say("!meeting agenda 1 Budget 2027")
    await room.say("!meeting cycle agenda-call 1w")
    room.take()
    call_id = pending_id(db)
    clock.now = THURSDAY_WEEK - timedelta(weeks=1) + timedelta(seconds=0.2)
    assert await scheduler.fire("agenda-call", call_id) is True
    assert await scheduler.fire("agenda-call", call_id) is False
    (notice,) = room.take()
    assert notice.body.splitlines() == [
        "Call for agenda items for Plenary on Thu, 3 Dec 2026, 14:00–16:00 (Europe/Luxembourg)"
        " — add them with !meeting agenda 1 <item>.",
        "Agenda so far",
        "1. Budget 2027",
    ]
    assert "<code>!meeting agenda 1 &lt;item&gt;</code>" in notice.html
    assert notice.in_reply_to is None and notice.mentions == ()
    # Once per occurrence: changing the setting does not call for this occurrence again.
    assert calls(db) == [(1, THURSDAY_WEEK, THURSDAY_WEEK - timedelta(weeks=1), "sent")]
    (changed,) = await room.say("!meeting cycle agenda-call 2d")
    assert changed.body == "Call for agenda items: 2 days before each meeting."
    assert [status for *_, status in calls(db)] == ["sent"]


async def test_a_call_due_while_the_bot_was_down_comes_late_in_the_rooms_language(
    db, room, clock, scheduler
):
    await room.say("!lang fr")
    await room.say("!meeting add Plénière jeudi 3 décembre 14:00")
    await room.say("!meeting cycle agenda-call 1w")
    room.take()
    clock.now = THURSDAY_WEEK - timedelta(days=6)  # a day after its time
    assert await scheduler.fire("agenda-call", pending_id(db)) is True
    (late,) = room.take()
    assert late.body.splitlines() == [
        "Appel à points pour l'ordre du jour (en retard : prévu pour jeu. 26 nov. 2026, 14:00 "
        "(Europe/Luxembourg)) pour Plénière le jeu. 3 déc. 2026, 14:00–15:00 "
        "(Europe/Luxembourg) — ajoutez-les avec !meeting agenda 1 <item>."
    ]


async def test_a_series_plans_its_next_call_when_one_is_sent(db, room, clock, scheduler):
    await room.say("!meeting cycle agenda-call 3d")
    await room.say("!meeting add Jour fixe Thursday 14:00 every week")
    thursday = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    assert calls(db) == [(1, thursday, thursday - timedelta(days=3), "pending")]
    clock.now = thursday - timedelta(days=3)
    assert await scheduler.fire("agenda-call", pending_id(db)) is True
    assert room.take()[0].body.startswith("Call for agenda items for Jour fixe on Thu, 26 Nov")
    following = thursday + timedelta(weeks=1)
    assert calls(db) == [
        (1, thursday, thursday - timedelta(days=3), "sent"),
        (1, following, following - timedelta(days=3), "pending"),
    ]
    # Re-planning (a new setting) never calls for an occurrence already called for.
    await room.say("!meeting cycle agenda-call 4d")
    assert pending(db) == [(1, following, following - timedelta(days=4), "pending")]
    assert sorted(status for *_, status in calls(db)) == ["cancelled", "pending", "sent"]


async def test_calls_are_rebuilt_from_rows_and_an_overdue_one_fires_late_at_start(db, room):
    await room.say("!meeting cycle agenda-call 1d")
    await room.say("!meeting add Plenary 3 December 14:00")
    await room.say("!meeting add Budget 4 December 14:00")
    room.take()
    with db.transaction() as s:
        ids = [i for i, _ in AgendaCallRepository(s).pending()]
        real_now = datetime.now(UTC)
        AgendaCallRepository(s).get(ids[0]).due_at = real_now - timedelta(hours=1)
        AgendaCallRepository(s).get(ids[1]).due_at = real_now + timedelta(days=1)
    woken = asyncio.Event()
    runtime = Runtime(db, lambda: datetime.now(UTC), TEST_DEFAULTS, on_outbox=woken.set)
    scheduler = TimerService(runtime, [AGENDA_CALLS])
    try:
        assert scheduler.start() == 2
        jobs = {job.id for job in scheduler._scheduler.get_jobs()}
        assert jobs == {f"agenda-call:{ids[0]}", f"agenda-call:{ids[1]}"}
        await asyncio.wait_for(woken.wait(), 5)
        (late,) = room.take()
        assert late.body.startswith("Call for agenda items (late: was due at ")
        assert "for Plenary on Thu, 3 Dec 2026" in late.body
        assert scheduler.pick_up() == 0
    finally:
        scheduler.shutdown()
