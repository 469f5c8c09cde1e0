"""Exactly-once dispatch, on SQLite and PostgreSQL: an event is handled once, a failing command
changes nothing but its siblings stand, and what may not run is refused."""

from datetime import UTC, datetime, timedelta

import pytest

from storage.db import Database
from storage.log import LogRepository
from storage.rooms import RoomRepository
from tests.room import ROOM, Clock, Room

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def room(db: Database) -> Room:
    """Alice speaks, as a chair, unless a test says otherwise, always at NOW."""
    return Room(db, Clock(NOW), step=timedelta(0), sender="@alice:example.org", level=100)


async def test_a_message_is_handled_exactly_once(db: Database, room: Room):
    event = room.message("!lang fr")
    assert await room.dispatcher.handle(event) is True
    assert await room.dispatcher.handle(event) is False
    assert [sent.body for sent in room.take()] == ["Je parlerai désormais Français dans ce salon."]
    with db.transaction() as s:
        (entry,) = LogRepository(s).in_room(ROOM)
    assert (entry.kind, entry.payload, entry.event_id) == (
        "command",
        {"commands": ["lang"]},
        event.event_id,
    )


async def test_a_failing_command_changes_nothing_but_its_siblings_stand(db, room):
    sent = [reply.body for reply in await room.say("!lang de\n!timezone Mars/Olympus\n!lang xx")]
    assert sent[0] == "Ich spreche in diesem Raum jetzt Deutsch."
    assert sent[1].startswith("Mars/Olympus ist keine mir bekannte Zeitzone.")
    assert sent[2].startswith("Wählen Sie eine von: en, fr, de.")
    with db.transaction() as s:
        settings = RoomRepository(s).get(ROOM)
        assert (settings.language, settings.timezone) == ("de", None)


async def test_non_chairs_and_unencrypted_commands_are_refused(db, room):
    (refused,) = await room.say("!lang fr", level=0)
    assert refused.body == "Only chairs (power level 50 or more) may use !lang."
    unencrypted = room.message("!help", event_encrypted=False)
    assert await room.dispatcher.handle(unencrypted) is False
    assert room.take() == []
    with db.transaction() as s:
        assert RoomRepository(s).get(ROOM) is None
