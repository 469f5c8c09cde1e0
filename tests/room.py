"""A room driven through the dispatcher, for command-level tests: members say things (messages,
edits, reactions, redactions, messages the bot could not decrypt) at an injected clock's time, and
the test reads what the bot queued, attachments included, as the sender would take it."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import commands
from bot.dispatch import UNDECRYPTABLE, Defaults, Dispatcher, RoomEvent
from bot.features import Registry
from storage.db import Database
from storage.outbox import OutboxRepository, purpose_of

ROOM = "!room:example.org"
MESSAGE = "m.room.message"
# The room defaults of command-level tests: English, Luxembourg, chairs from power level 50.
TEST_DEFAULTS = Defaults("!", "en", "Europe/Luxembourg", 50, False)
# Sent in clear even in an encrypted room, as nio sends them.
CLEAR = ("m.reaction", "m.room.redaction")


class Clock:
    """The injected clock: a fixed instant a test moves forward."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class Sent:
    """An event the bot queued, with the id the sender reported for it: its body, mentions, the
    event it replies to and the file it carries if any; `content` is all of it, as queued."""

    event_id: str
    type: str
    content: dict[str, Any]
    body: str | None
    html: str | None
    mentions: tuple[str, ...]
    in_reply_to: str | None = None
    filename: str | None = None
    mimetype: str | None = None
    data: bytes | None = None


@dataclass
class Room:
    """One room of a bot that knows every feature (or `modules`) and the TEST_DEFAULTS.

    Each event moves the clock on by `step`; a test that does not say who speaks speaks as
    `sender`, at power level `level`."""

    db: Database
    clock: Clock
    room_id: str = ROOM
    step: timedelta = timedelta(minutes=1)
    sender: str | None = None
    level: int = 0
    modules: InitVar[Sequence[Any]] = commands.MODULES
    dispatcher: Dispatcher = field(init=False)
    count: int = 0
    sent: list[Sent] = field(default_factory=list)  # every event taken, of any type

    def __post_init__(self, modules: Sequence[Any]) -> None:
        self.dispatcher = Dispatcher(Registry(modules), self.db, TEST_DEFAULTS, clock=self.clock)

    def _id(self, kind: str) -> str:
        self.count += 1
        return f"${kind}{self.count}-{self.room_id}"

    def event(
        self,
        type_: str,
        content: dict,
        sender: str | None = None,
        level: int | None = None,
        **fields,
    ) -> RoomEvent:
        """A member's next event, decrypted, at the clock's time; `fields` override any part."""
        self.clock.now += self.step
        return self._event(type_, content, sender, level, **fields)

    def _event(self, type_, content, sender, level, **fields) -> RoomEvent:
        values = dict(
            room_id=self.room_id,
            event_id=self._id("ev"),
            sender=sender or self.sender,
            type=type_,
            content=content,
            ts=self.clock.now,
            room_encrypted=True,
            event_encrypted=type_ not in CLEAR,
            sender_level=self.level if level is None else level,
        )
        values.update(fields)
        return RoomEvent(**values)

    def message(
        self, body: str, sender: str | None = None, level: int | None = None, **fields
    ) -> RoomEvent:
        """A member's m.text message, not yet handed to the dispatcher."""
        return self.event(MESSAGE, {"msgtype": "m.text", "body": body}, sender, level, **fields)

    def reaction(self, to: str, key: str, sender: str | None = None, **fields) -> RoomEvent:
        """A reaction (m.annotation) to the event `to`, not yet handed to the dispatcher."""
        relation = {"rel_type": "m.annotation", "event_id": to, "key": key}
        return self.event("m.reaction", {"m.relates_to": relation}, sender, **fields)

    async def post(self, type_: str, content: dict, sender: str | None = None, **fields) -> str:
        """A member's event of any type, handed to the dispatcher; its id."""
        event = self.event(type_, content, sender, **fields)
        await self.dispatcher.handle(event)
        return event.event_id

    async def send_content(
        self, content: dict, sender: str | None = None, level: int | None = None, **fields
    ) -> tuple[str, list[Sent]]:
        """A member's m.room.message with this exact content (HTML, mentions…); its event id and
        the messages the bot queued in answer (any other event the bot queued, a poll's start or
        end, is in `sent`). `fields` set more of the event (`names`: what the room's state says
        the mentioned are called)."""
        event_id = await self.post(MESSAGE, content, sender, level=level, **fields)
        return event_id, [sent for sent in self.take() if sent.type == MESSAGE]

    async def send(
        self, body: str, sender: str | None = None, level: int | None = None
    ) -> tuple[str, list[Sent]]:
        """A member's message; its event id and the messages the bot queued in answer."""
        return await self.send_content({"msgtype": "m.text", "body": body}, sender, level)

    async def say(
        self, body: str, sender: str | None = None, level: int | None = None
    ) -> list[Sent]:
        """A member's message; the messages the bot queued in answer."""
        return (await self.send(body, sender, level))[1]

    async def say_content(
        self, content: dict, sender: str | None = None, level: int | None = None, **fields
    ) -> list[Sent]:
        """A member's message with this exact content; the messages the bot queued in answer."""
        return (await self.send_content(content, sender, level, **fields))[1]

    async def edit(self, original: str, body: str, sender: str) -> list[Sent]:
        content = {
            "msgtype": "m.text",
            "body": f"* {body}",
            "m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original},
        }
        await self.post(MESSAGE, content, sender, level=0)
        return self.take()

    async def redact(self, target: str, sender: str) -> list[Sent]:
        await self.post("m.room.redaction", {"redacts": target}, sender, level=0)
        return self.take()

    async def undecryptable(self, sender: str) -> str:
        """A message the bot cannot read yet; offered as m.room.encrypted (maybe twice)."""
        event = self.event(UNDECRYPTABLE, {}, sender, 0)
        await self.dispatcher.note_undecryptable(event)
        await self.dispatcher.note_undecryptable(event)
        return event.event_id

    async def decrypted_later(self, event_id: str, body: str, sender: str, ts: datetime) -> None:
        """The key arrived: the same event, now readable."""
        content = {"msgtype": "m.text", "body": body}
        await self.dispatcher.handle(
            self._event(MESSAGE, content, sender, 0, event_id=event_id, ts=ts)
        )

    def take(self) -> list[Sent]:
        """Every event the bot queued since the last call, of any type: each counts as sent and
        gets an event id, which its feature records if it has a purpose, as when the sender sends
        it."""
        taken = []
        with self.db.transaction() as s:
            outbox = OutboxRepository(s)
            # What a sent hook queues (e.g. polls in the thread of the message just sent) is
            # taken too, as the sender's drain sends it.
            while pending := outbox.pending(limit=1000):
                for message in pending:
                    event_id = self._id("bot")
                    purpose = purpose_of(message)
                    if purpose is not None:
                        registry = self.dispatcher.registry
                        registry.record_sent(s, purpose, event_id, self.clock())
                    taken.append(
                        _sent(event_id, message.event_type, message.content, message.attachment)
                    )
                    outbox.remove(message.id)
                s.flush()
        self.sent.extend(taken)
        return taken


def _sent(event_id: str, type_: str, content: dict, attachment: dict | None) -> Sent:
    relates = content.get("m.relates_to") or {}
    return Sent(
        event_id=event_id,
        type=type_,
        content=content,
        body=content.get("body"),
        html=content.get("formatted_body"),
        mentions=tuple((content.get("m.mentions") or {}).get("user_ids", [])),
        in_reply_to=(relates.get("m.in_reply_to") or {}).get("event_id"),
        filename=attachment["filename"] if attachment else None,
        mimetype=attachment["mimetype"] if attachment else None,
        data=base64.b64decode(attachment["data"]) if attachment else None,
    )


def pilled(before: str, user: str, name: str, after: str = "") -> dict:
    """The content Element Web sends when a member picks a person from the @-completion
    (Markdown on): the body holds their display name, the HTML a link to them, m.mentions them."""
    link = f'<a href="https://matrix.to/#/{user}">{html.escape(name)}</a>'
    return {
        "msgtype": "m.text",
        "body": f"{before}{name}{after}",
        "format": "org.matrix.custom.html",
        "formatted_body": f"{html.escape(before)}{link}{html.escape(after)}",
        "m.mentions": {"user_ids": [user]},
    }
