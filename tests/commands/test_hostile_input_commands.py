"""What a hostile or careless member types, through the dispatcher: huge offsets, ids in odd
digits, past days. Each gets a usage reply in the room's language, and nothing is stored."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import ActionItem, Meeting, Poll, Reminder
from storage.rooms import RoomRepository
from tests.room import ROOM, Clock, Room

ALICE, BOB = "@alice:example.org", "@bob:example.org"
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg


@pytest.fixture
def room(db: Database) -> Room:
    return Room(db, Clock(SUNDAY))


def stored(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        return {
            model.__name__: s.scalar(select(func.count()).select_from(model))
            for model in (Meeting, Reminder, Poll, ActionItem)
        }


NOTHING = {"Meeting": 0, "Reminder": 0, "Poll": 0, "ActionItem": 0}


async def answers(room: Room, *lines: str) -> list[list[str]]:
    """Each line said by a chair; the lines of the one reply each gets."""
    replies = []
    for line in lines:
        (reply,) = await room.say(line, ALICE, level=100)
        replies.append(reply.body.splitlines())
    return replies


async def test_huge_offsets_and_odd_digits_are_usage_errors_and_store_nothing(db, room):
    got = await answers(
        room,
        "!meeting add Test in 9000 years at 10:00",
        "!meeting add Test in 99999999 days at 10:00",
        "!meeting add Test tomorrow 10:00 for 9999999999 hours",
        "!meeting add Test in 101 years at 10:00",
        "!done ¹",
        "!poll close ²",
        "!meeting show ³",
        "!minutes ²",
        "!action show ①",
        '!poll "Lunch?" "Pizza" "Pasta" --closes in 9000 years at 12:00',
    )
    far = "is too far away: give a time within the next 100 years."
    assert [reply[0] for reply in got] == [
        f"“Test in 9000 years at 10:00” {far}",
        f"“Test in 99999999 days at 10:00” {far}",
        f"“Test tomorrow 10:00 for 9999999999 hours” {far}",
        f"“Test in 101 years at 10:00” {far}",
        "“¹” is not an action number.",
        "“²” is not a poll number.",
        "“³” is not a meeting number.",
        "“²” is not a meeting number.",
        "“①” is not an action number.",
        f"“in 9000 years at 12:00” {far}",
    ]
    assert all(reply[1].startswith("Usage: !") for reply in got)
    assert stored(db) == NOTHING


async def test_a_4000_character_meeting_line_is_answered_at_once(db, room):
    line = ("!meeting add Test " + "de 14h à " * 500)[:4000]
    began = datetime.now()
    (reply,) = await answers(room, line)
    assert datetime.now() - began < timedelta(seconds=1)
    # the first time is used; the other 443 are said as ignored, never kept as the title
    assert reply[0] == "Meeting #1 scheduled: Test"
    assert "Ignored: 14h, 14h, 14h, 14h, 14h…" in reply


async def test_past_days_are_refused_and_nothing_changes(db, room):
    made = await answers(
        room,
        "!meeting add Plenary tomorrow 14:00",
        f"!action {BOB} draft the note by Friday",
    )
    assert made[0][0] == "Meeting #1 scheduled: Plenary" and made[1][0] == "Action #1 recorded."
    before = stored(db)
    got = await answers(
        room,
        "!meeting add Budget yesterday 10:00",
        "!meeting add Budget last Monday 10:00",
        "!meeting move 1 yesterday 14:00",
        '!poll "Lunch?" "Pizza" "Pasta" --closes yesterday 18:00',
        '!findtime "Plenary" yesterday 10:00 | tomorrow 10:00',
        f"!action {BOB} send the minutes by yesterday",
        "!action due 1 last Monday",
        "!action due 1 the day before yesterday 9:00",
    )
    assert [reply[0] for reply in got] == [
        "Sat, 21 Nov 2026, 10:00 (Europe/Luxembourg) is in the past.",
        "Mon, 16 Nov 2026, 10:00 (Europe/Luxembourg) is in the past.",
        "Sat, 21 Nov 2026, 14:00 (Europe/Luxembourg) is in the past.",
        "Sat, 21 Nov 2026, 18:00 (Europe/Luxembourg) is in the past.",
        "Sat, 21 Nov 2026, 10:00 (Europe/Luxembourg) is in the past.",
        "The due date Sat, 21 Nov 2026 is in the past.",
        "The due date Mon, 16 Nov 2026 is in the past.",
        "The due date Fri, 20 Nov 2026 is in the past.",
    ]
    assert stored(db) == before
    with db.transaction() as s:
        meeting = s.scalars(select(Meeting)).one()
        action = s.scalars(select(ActionItem)).one()
        assert meeting.start_at == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
        assert action.due_at.date().isoformat() == "2026-11-27"


@pytest.mark.parametrize(
    ("language", "lines", "expected"),
    [
        (
            "fr",
            [
                "!meeting add Budget hier à 10h",
                f"!action {BOB} envoyer la note avant lundi dernier",
            ],
            [
                "sam. 21 nov. 2026, 10:00 (Europe/Luxembourg) est dans le passé.",
                "L'échéance lun. 16 nov. 2026 est déjà passée.",
            ],
        ),
        (
            "de",
            ["!meeting add Budget gestern um 10 Uhr", f"!action {BOB} Entwurf bis letzten Montag"],
            [
                "Sa., 21. Nov. 2026, 10:00 (Europe/Luxembourg) liegt in der Vergangenheit.",
                "Die Frist Mo., 16. Nov. 2026 liegt in der Vergangenheit.",
            ],
        ),
    ],
)
async def test_past_days_are_refused_in_the_room_language(db, room, language, lines, expected):
    with db.transaction() as s:
        RoomRepository(s).set_language(ROOM, language)
    got = await answers(room, *lines)
    assert [reply[0] for reply in got] == expected
    assert stored(db) == NOTHING


async def test_an_action_due_today_without_a_time_is_allowed_all_day(db, room):
    room.clock.now = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)  # 23:30 in Luxembourg
    (made,) = await answers(room, f"!action {BOB} call the embassy by today")
    assert made[:2] == [
        "Action #1 recorded.",
        f"#1 call the embassy → {BOB} — due Sun, 22 Nov 2026",
    ]
    (moved,) = await answers(room, "!action due 1 today")
    assert moved == ["Action #1 is due Sun, 22 Nov 2026."]
    (late,) = await answers(room, "!action due 1 today 23:00")
    assert late[0] == "The due date Sun, 22 Nov 2026 is in the past."
    room.clock.now = datetime(2026, 11, 22, 22, 58, 30, tzinfo=UTC)  # +1 min a message: 23:59:30
    (last_minute,) = await answers(room, "!action due 1 today")
    assert last_minute == ["Action #1 is due Sun, 22 Nov 2026."]
