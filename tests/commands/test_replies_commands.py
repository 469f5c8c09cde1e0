"""What a command echoes reaches the room without characters that hide or reorder text; the
outbox tells the sender which rooms wait."""

from datetime import UTC, datetime

import commands
from bot.dispatch import Dispatcher, Registry
from storage.db import Database
from storage.outbox import OutboxRepository
from tests.events import TEST_DEFAULTS, Clock, text_event

ROOM = "!room:example.org"
ALICE = "@alice:example.org"
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def test_an_echoed_title_comes_back_without_its_bidi_override(db: Database):
    dispatcher = Dispatcher(Registry(commands.MODULES), db, TEST_DEFAULTS, clock=Clock(SUNDAY))
    title = "Budget \u202eweiver\u202c \x07plan"
    body = f'!meeting add "{title}" next Tuesday 14:00'
    await dispatcher.handle(text_event(ROOM, "$cmd", ALICE, body, SUNDAY, sender_level=100))
    with db.transaction() as session:
        (message,) = OutboxRepository(session).pending()
    assert message.content["body"].splitlines()[0] == "Meeting #1 scheduled: Budget weiver plan"
    assert "<b>Budget weiver plan</b>" in message.content["formatted_body"]


def test_the_outbox_names_each_waiting_room_with_its_oldest_message(db: Database):
    with db.transaction() as session:
        outbox = OutboxRepository(session)
        for room in ("!flood:x", "!flood:x", "!quiet:x", "!flood:x"):
            outbox.add(room, "m.room.message", {"body": room}, SUNDAY)
    with db.transaction() as session:
        outbox = OutboxRepository(session)
        ids = [m.id for m in outbox.pending()]
        assert outbox.heads() == {"!flood:x": ids[0], "!quiet:x": ids[2]}
        assert outbox.get(ids[2]).room_id == "!quiet:x"
