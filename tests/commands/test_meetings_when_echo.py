"""The meeting echo says how a time phrase was understood: a zone said in the phrase is shown
in the room's zone and kept as the meeting's own, and the date or time words that were not used
are named ("Ignored: …"), in the room's language. Through the dispatcher, on SQLite and
PostgreSQL, with an injected clock."""

from datetime import UTC, datetime, timedelta

import pytest

from storage.db import Database
from storage.meetings import MeetingRepository
from tests.room import ROOM, Clock, Room

ALICE = "@alice:example.org"
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg


@pytest.fixture
def room(db: Database) -> Room:
    """Alice speaks, as a chair, at SUNDAY."""
    return Room(db, Clock(SUNDAY), step=timedelta(0), sender=ALICE, level=100)


async def test_a_named_zone_is_shown_in_the_rooms_zone_and_the_rest_is_ignored(db, room):
    (reply,) = await room.say("!meeting add Call tomorrow 10:00 London time or 11:00")
    assert reply.body.splitlines()[:4] == [
        "Meeting #1 scheduled: Call",
        "When: Mon, 23 Nov 2026, 11:00–12:00 (Europe/Luxembourg)",
        "In its own zone: Mon, 23 Nov 2026, 10:00–11:00 (Europe/London)",
        "Ignored: 11:00",
    ]
    with db.transaction() as s:
        (meeting,) = MeetingRepository(s).scheduled(ROOM, SUNDAY)
        assert (meeting.title, meeting.timezone) == ("Call", "Europe/London")
        assert meeting.start_at.replace(tzinfo=UTC) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def test_nothing_ignored_no_line_and_an_iso_time(db, room):
    (reply,) = await room.say("!meeting add Review 2026-12-03T14:00Z for 30 min")
    lines = reply.body.splitlines()
    assert lines[:3] == [
        "Meeting #1 scheduled: Review",
        "When: Thu, 3 Dec 2026, 15:00–15:30 (Europe/Luxembourg)",
        "In its own zone: Thu, 3 Dec 2026, 14:00–14:30 (UTC)",
    ]
    assert not any(line.startswith("Ignored") for line in lines)


async def test_ignored_words_are_said_in_french_and_german(db, room):
    await room.say("!lang fr")
    (french,) = await room.say("!meeting add Réunion demain à 10h et vendredi")
    assert french.body.splitlines()[0] == "Réunion #1 planifiée : Réunion"
    assert "Ignoré : vendredi" in french.body.splitlines()
    await room.say("!lang de")
    (german,) = await room.say("!meeting add Treffen morgen um 10 Uhr oder 11 Uhr")
    assert german.body.splitlines()[0] == "Sitzung #2 angesetzt: Treffen"
    assert "Ignoriert: 11 Uhr" in german.body.splitlines()


async def test_a_move_says_what_it_ignored(db, room):
    await room.say("!meeting add Plenary tomorrow 14:00")
    (moved,) = await room.say("!meeting move 1 Tuesday 10:00 and Friday")
    assert moved.body.splitlines() == [
        "Meeting #1 moved: Plenary",
        "When: Tue, 24 Nov 2026, 10:00–11:00 (Europe/Luxembourg)",
        "Ignored: Friday",
    ]
