"""Storage on SQLite and PostgreSQL: migrations and repositories (exactly-once dispatch is in
tests/commands/test_foundation_commands.py)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.log import LogRepository
from storage.outbox import OutboxRepository
from storage.rooms import RoomRepository
from storage.sync import SyncRepository

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ROOM = "!room:example.org"


def test_migrations_create_the_schema_and_are_idempotent(db: Database):
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "rooms",
        "handled_events",
        "sync_state",
        "log_entries",
        "outbox",
        "alembic_version",
    } <= tables
    db.upgrade()  # a second start changes nothing


def test_datetimes_come_back_aware_in_utc(db: Database):
    luxembourg_winter = timezone(timedelta(hours=1))
    with db.transaction() as s:
        LogRepository(s).append(
            room_id=ROOM,
            sender="@a:x",
            ts=datetime(2026, 12, 3, 15, 0, tzinfo=luxembourg_winter),
            kind="note",
            payload={"text": "é ✓"},
            event_id="$1",
        )
    with db.transaction() as s:
        (entry,) = LogRepository(s).in_room(ROOM)
    assert entry.ts == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert entry.payload == {"text": "é ✓"}


def test_room_settings_and_the_single_unencrypted_notice(db: Database):
    with db.transaction() as s:
        rooms = RoomRepository(s)
        assert rooms.get(ROOM) is None
        rooms.set_language(ROOM, "fr")
        rooms.set_timezone(ROOM, "Europe/Berlin")
        assert rooms.claim_unencrypted_notice(ROOM, NOW) is True
    with db.transaction() as s:
        rooms = RoomRepository(s)
        assert (rooms.get(ROOM).language, rooms.get(ROOM).timezone) == ("fr", "Europe/Berlin")
        assert rooms.claim_unencrypted_notice(ROOM, NOW) is False


def test_sync_token_and_handled_events(db: Database):
    with db.transaction() as s:
        sync = SyncRepository(s)
        assert sync.token() is None
        sync.save_token("s1")
        sync.save_token("s2")
        sync.mark_handled("$e", ROOM, NOW)
    with db.transaction() as s:
        assert SyncRepository(s).token() == "s2"
        assert SyncRepository(s).is_handled("$e")
    with pytest.raises(IntegrityError), db.transaction() as s:
        SyncRepository(s).mark_handled("$e", ROOM, NOW)


def test_outbox_keeps_order_and_unique_transaction_ids(db: Database):
    with db.transaction() as s:
        for i in range(3):
            OutboxRepository(s).add(ROOM, "m.room.message", {"body": str(i)}, NOW)
    with db.transaction() as s:
        pending = OutboxRepository(s).pending()
        OutboxRepository(s).remove(pending[0].id)
    assert [m.content["body"] for m in pending] == ["0", "1", "2"]
    assert len({m.txn_id for m in pending}) == 3
    with db.transaction() as s:
        assert [m.content["body"] for m in OutboxRepository(s).pending()] == ["1", "2"]


def test_the_outbox_names_each_waiting_room_with_its_oldest_message(db: Database):
    with db.transaction() as session:
        outbox = OutboxRepository(session)
        for room in ("!flood:x", "!flood:x", "!quiet:x", "!flood:x"):
            outbox.add(room, "m.room.message", {"body": room}, NOW)
    with db.transaction() as session:
        outbox = OutboxRepository(session)
        ids = [m.id for m in outbox.pending()]
        assert outbox.heads() == {"!flood:x": ids[0], "!quiet:x": ids[2]}
        assert outbox.get(ids[2]).room_id == "!quiet:x"


def test_migration_0002_keeps_rows_of_0001(database_url):
    db = Database(database_url)
    db.upgrade("0001")
    with db.transaction() as s:
        RoomRepository(s).set_language(ROOM, "de")
        SyncRepository(s).save_token("s42")
        # Raw SQL: today's model has outbox columns (0003) that revision 0001 has not.
        s.execute(
            text(
                "INSERT INTO outbox (txn_id, room_id, event_type, content, created_at)"
                " VALUES ('wgbot.kept', :room, 'm.room.message', :content, :at)"
            ),
            {"room": ROOM, "content": '{"body": "kept"}', "at": NOW.replace(tzinfo=None)},
        )
    db.upgrade()
    with db.transaction() as s:
        assert RoomRepository(s).get(ROOM).language == "de"
        assert SyncRepository(s).token() == "s42"
        assert [m.content for m in OutboxRepository(s).pending()] == [{"body": "kept"}]
    assert "device_pins" in inspect(db.engine).get_table_names()
    db.close()


async def test_a_message_for_a_room_the_bot_left_does_not_block_the_queue(db: Database):
    from nio import AsyncClient

    from bot.sender import Sender

    with db.transaction() as s:
        OutboxRepository(s).add("!left:example.org", "m.room.message", {"body": "lost"}, NOW)
    # Port 9 (discard): no request may be made for a room the client does not know.
    client = AsyncClient("http://127.0.0.1:9", "@bot:example.org")
    sender = Sender(client, db)
    await sender.drain()  # before the first sync no room is known: nothing is dropped
    with db.transaction() as s:
        assert len(OutboxRepository(s).pending()) == 1
    client.next_batch = "s1"  # synced: a room still unknown is one the bot is not in
    await sender.drain()
    await client.close()
    with db.transaction() as s:
        assert OutboxRepository(s).pending() == []


def test_a_rooms_members_are_replaced_as_a_whole_and_forgotten_with_the_room(db: Database):
    from storage.members import MemberRepository

    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, [("@b:x", "Bea"), ("@a:x", None)])
        MemberRepository(s).replace("!other:x", [("@a:x", "Ana")])
    with db.transaction() as s:
        members = MemberRepository(s)
        assert [(m.user_id, m.display_name) for m in members.joined(ROOM)] == [
            ("@a:x", None),
            ("@b:x", "Bea"),
        ]
        members.replace(ROOM, [("@b:x", "Béa M.")])
    with db.transaction() as s:
        members = MemberRepository(s)
        assert members.display_names(ROOM) == {"@b:x": "Béa M."}
        assert members.display_name("!other:x", "@a:x") == "Ana"
        members.forget_room(ROOM)
    with db.transaction() as s:
        assert MemberRepository(s).joined(ROOM) == []
