"""What a command echoes reaches the room without characters that hide or reorder text."""

from datetime import UTC, datetime

from storage.db import Database
from tests.room import Clock, Room

ALICE = "@alice:example.org"
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def test_an_echoed_title_comes_back_without_its_bidi_override(db: Database):
    room = Room(db, Clock(SUNDAY))
    title = "Budget \u202eweiver\u202c \x07plan"
    body = f'!meeting add "{title}" next Tuesday 14:00'
    (message,) = await room.say(body, ALICE, level=100)
    assert message.body.splitlines()[0] == "Meeting #1 scheduled: Budget weiver plan"
    assert "<b>Budget weiver plan</b>" in message.html
