"""Events as they enter, from the sync loop's side: whatever a hostile member sends, the event is
handled once, writes nothing it should not, logs no content, and the next event works. On
SQLite and PostgreSQL (which refuses NUL and lone surrogates)."""

from __future__ import annotations

import logging
import types
from datetime import UTC, datetime
from typing import Any

import pytest
from nio import AsyncClient, Event, MatrixRoom
from sqlalchemy import func, select

import commands
from bot.dispatch import MAX_COMMANDS
from bot.features import command
from bot.i18n import N_
from bot.msc3381 import POLL_RESPONSE
from bot.sync import Syncer
from storage.db import Database
from storage.models import Base
from storage.sync import SyncRepository
from tests.room import ROOM, Clock, Room

BOT, ALICE, MALLORY = "@bot:example.org", "@alice:example.org", "@mallory:example.org"
MARK = "MARK7f3a"  # in every poison: it must never reach the log
LEVELS = {"users": {ALICE: 100}, "users_default": 0}

POISON: list[tuple[str, dict[str, Any]]] = [
    ("m.room.message", {"msgtype": "m.text", "body": [MARK], "m.relates_to": [MARK]}),
    ("m.room.message", {"msgtype": "m.text", "body": {"t": MARK}, "m.relates_to": MARK}),
    ("m.room.message", {"msgtype": ["m.text"], "body": f"!settings {MARK}"}),
    ("m.room.message", {"msgtype": 5, "body": MARK}),
    ("m.room.message", {"msgtype": "m.text", "note": MARK}),
    ("m.room.message", {"msgtype": "m.text", "body": MARK, "formatted_body": [MARK]}),
    (
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": [f"* {MARK}"],
            "m.new_content": MARK,
            "m.relates_to": {"rel_type": ["m.replace"], "event_id": {"id": MARK}},
        },
    ),
    (
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": 0,
            "m.relates_to": {"m.in_reply_to": [MARK], "rel_type": 5, "event_id": None},
        },
    ),
    ("m.reaction", {"m.relates_to": MARK}),
    ("m.reaction", {"m.relates_to": [MARK]}),
    (
        "m.reaction",
        {"msgtype": [MARK], "m.relates_to": {"rel_type": "m.annotation", "event_id": 5, "key": 1}},
    ),
    (
        POLL_RESPONSE,
        {"m.relates_to": {"rel_type": "m.reference", "event_id": 5}, POLL_RESPONSE: MARK},
    ),
    (POLL_RESPONSE, {"m.relates_to": MARK, POLL_RESPONSE: {"answers": [1, [MARK]]}}),
    ("m.room.redaction", {"redacts": [MARK]}),
    (["m.room.message"], {"msgtype": "m.text", "body": MARK}),
]


def ours(caplog) -> str:
    """What the bot itself logged (nio's records are filtered by bot/cli.py's setup_logging)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("nio."))


class Intake:
    """The sync loop's guard and typing in front of a dispatcher, with a room to talk in."""

    def __init__(self, db: Database, clock: Clock, modules=commands.MODULES):
        self.db = db
        self.clock = clock
        self.client = AsyncClient("http://127.0.0.1:9", BOT)  # port 9: nothing may go out
        self.client.rooms[ROOM] = MatrixRoom(ROOM, BOT, encrypted=True)
        self.room = Room(db, clock, modules=modules)
        self.syncer = Syncer(self.client, db, self.room.dispatcher, None, (), "example.org")
        self.count = 0

    async def receive(self, event_type: Any, content: Any, *, decrypted=True, **extra) -> str:
        """An event as nio hands it over (decrypted, as in an encrypted room); its id."""
        self.count += 1
        self.clock.advance(minutes=1)
        source = {
            "type": event_type,
            "content": content,
            "event_id": f"$poison{self.count}",
            "sender": MALLORY,
            "origin_server_ts": int(self.clock.now.timestamp() * 1000),
            **extra,
        }
        event = Event.parse_event(source)
        if decrypted and isinstance(event, Event):
            event.decrypted = True
        await self.syncer._event(ROOM, event, LEVELS)
        return source["event_id"]

    def handled(self, event_id: str) -> bool:
        with self.db.transaction() as s:
            return SyncRepository(s).is_handled(event_id)

    def rows(self) -> dict[str, int]:
        """Rows per table, but for the record of handled events."""
        with self.db.transaction() as s:
            return {
                table.name: s.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
                if table.name != "handled_events"
            }

    async def close(self) -> None:
        await self.client.close()


@pytest.fixture
async def intake(db: Database):
    made = Intake(db, Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)))
    yield made
    await made.close()


@pytest.mark.parametrize(("event_type", "content"), POISON)
async def test_a_poison_event_is_handled_once_writes_nothing_and_the_next_works(
    intake: Intake, caplog, event_type, content
):
    caplog.set_level(logging.INFO)
    # A running meeting puts every message through the minutes' log too.
    (started,) = await intake.room.say("!startmeeting Plenary", ALICE, level=100)
    assert started.body.startswith("Meeting #1 started")
    before = intake.rows()

    event_id = await intake.receive(event_type, content)

    assert intake.handled(event_id)
    assert intake.rows() == before
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    (settings,) = await intake.room.say("!settings", ALICE)
    assert settings.body.startswith("Settings of this room")
    assert MARK not in ours(caplog)


async def test_an_event_the_bot_cannot_take_is_logged_without_content_and_skipped(
    intake: Intake, caplog
):
    caplog.set_level(logging.INFO)
    before = intake.rows()
    # A federated server sets origin_server_ts: this one is beyond any date.
    event_id = await intake.receive(
        "m.room.message", {"msgtype": "m.text", "body": f"!lang de {MARK}"}, origin_server_ts=2**62
    )
    assert intake.handled(event_id)
    assert intake.rows() == before
    (line,) = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert line.levelno == logging.ERROR
    assert f"skipped the m.room.message event {event_id} in {ROOM}" in line.getMessage()
    assert "internal error (ref " in line.getMessage()
    assert "ValueError at" in line.getMessage() or "OverflowError at" in line.getMessage()
    assert MARK not in ours(caplog)
    (settings,) = await intake.room.say("!settings", ALICE)
    assert "Language: en" in settings.body


async def test_a_malformed_event_is_skipped_by_type_room_and_id(intake: Intake, caplog):
    caplog.set_level(logging.INFO)
    event_id = await intake.receive("m.room.message", {"msgtype": "m.text", "x": MARK})
    assert intake.handled(event_id)
    assert f"skipped a malformed m.room.message event {event_id} in {ROOM}" in ours(caplog)
    assert MARK not in ours(caplog)


async def test_a_list_as_relation_is_as_if_there_were_none(intake: Intake):
    """The event that killed the bot: its text is read, its relation is not."""
    await intake.room.say("!startmeeting Plenary", ALICE, level=100)
    event_id = await intake.receive(
        "m.room.message", {"msgtype": "m.text", "body": "!settings", "m.relates_to": ["x"]}
    )
    assert intake.handled(event_id)
    (settings,) = intake.room.take()
    assert settings.body.startswith("Settings of this room")


async def test_text_with_nul_and_lone_surrogates_is_kept_clean(intake: Intake):
    await intake.room.say("!startmeeting Plenary", ALICE, level=100)
    await intake.receive("m.room.message", {"msgtype": "m.text", "body": "a\x00b\ud800c"})
    await intake.room.say("!endmeeting", ALICE, level=100)
    (minutes,) = await intake.room.say("!minutes 1", ALICE)
    assert "ab\ufffdc" in minutes.data.decode()


async def test_twenty_commands_per_message_and_one_notice_for_the_rest(intake: Intake, caplog):
    caplog.set_level(logging.INFO)
    replies = await intake.room.say("\n".join(["!settings"] * 25), ALICE)
    assert len(replies) == MAX_COMMANDS + 1 == 21
    assert all(r.body.startswith("Settings of this room") for r in replies[:20])
    assert replies[-1].body == (
        "This message holds 25 commands: I ran only the first 20. "
        "Send the others in another message."
    )
    assert len([r for r in caplog.records if r.getMessage().startswith("command settings")]) == 20

    await intake.room.say("!lang de", ALICE, level=100)
    replies = await intake.room.say("\n".join(["!settings"] * 21), ALICE)
    assert replies[-1].body == (
        "Diese Nachricht enthält 21 Befehle: Ich habe nur die ersten 20 ausgeführt. "
        "Schicken Sie die anderen in einer weiteren Nachricht."
    )


async def test_an_unknown_command_is_echoed_short(intake: Intake, caplog):
    caplog.set_level(logging.INFO)
    (reply,) = await intake.room.say("!" + MARK * 5000, ALICE)
    assert reply.body.splitlines()[0] == f"Unknown command !{(MARK.lower() * 10)[:40]}…."
    assert MARK.lower() not in ours(caplog).lower()


@command("boom", help=N_("x"))
async def boom(ctx, args):
    raise ValueError(f"a message quoting the member: {args}")


async def test_one_info_line_per_command_without_arguments(db: Database, caplog):
    caplog.set_level(logging.INFO)
    intake = Intake(
        db,
        Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        modules=[*commands.MODULES, types.SimpleNamespace(boom=boom)],
    )
    try:
        body = f"!settings\n!done {MARK}\n!lang de\n!nope {MARK}\n!boom {MARK}"
        replies = await intake.room.say(body, "@bob:example.org")
    finally:
        await intake.close()
    assert replies[-1].body.startswith("Internal error (ref ")
    ref = replies[-1].body.removeprefix("Internal error (ref ").removesuffix(").")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("command ")]
    outcomes = [line.split(": ", 1)[1].rsplit(" (", 1)[0] for line in lines]
    assert outcomes == ["ok", "usage error", "refused", "unknown", f"internal error (ref {ref})"]
    assert all(f" in {ROOM}: " in line and line.endswith(" ms)") for line in lines)
    assert MARK not in ours(caplog)
    assert f"internal error (ref {ref}) in boom in {ROOM}: ValueError at" in ours(caplog)
