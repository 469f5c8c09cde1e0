"""A room driven through the dispatcher, for tests of minutes and action items: members say
things (messages, edits, redactions, messages the bot could not decrypt) at an injected clock's
time, and the test reads what the bot queued, attachments included."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.dispatch import UNDECRYPTABLE, Dispatcher, RoomEvent
from storage.db import Database
from storage.outbox import OutboxRepository
from tests.events import Clock  # noqa: F401  (tests import it from here too)

ROOM = "!room:example.org"


@dataclass(frozen=True)
class Sent:
    """A message the bot queued: its body, mentions, and the file it carries if any."""

    body: str
    html: str | None
    mentions: tuple[str, ...]
    filename: str | None = None
    data: bytes | None = None
    in_reply_to: str | None = None


@dataclass
class ChatRoom:
    db: Database
    dispatcher: Dispatcher
    clock: Clock
    room_id: str = ROOM
    count: int = 0
    step: timedelta = timedelta(minutes=1)
    sent_ids: list[str] = field(default_factory=list)

    def _event(self, sender: str, type_: str, content: dict, level: int, **extra) -> RoomEvent:
        self.count += 1
        self.clock.now += self.step
        event_id = f"$ev{self.count}-{self.room_id}"
        self.sent_ids.append(event_id)
        fields = dict(
            room_id=self.room_id,
            event_id=event_id,
            sender=sender,
            type=type_,
            content=content,
            ts=self.clock.now,
            room_encrypted=True,
            event_encrypted=type_ != "m.room.redaction",
            sender_level=level,
        )
        fields.update(extra)
        return RoomEvent(**fields)

    async def send(
        self, body: str, sender: str, level: int = 0, msgtype: str = "m.text"
    ) -> tuple[str, list[Sent]]:
        """A member's message; its event id and what the bot queued in answer."""
        event = self._event(sender, "m.room.message", {"msgtype": msgtype, "body": body}, level)
        await self.dispatcher.handle(event)
        return event.event_id, self.take()

    async def say(self, body: str, sender: str, level: int = 0) -> list[Sent]:
        return (await self.send(body, sender, level))[1]

    async def say_content(self, content: dict, sender: str, level: int = 0, **extra) -> list[Sent]:
        """A member's m.room.message with this exact content (HTML, mentions…); `extra` sets
        more of the event (`names`: what the room's state says the mentioned are called)."""
        event = self._event(sender, "m.room.message", content, level, **extra)
        await self.dispatcher.handle(event)
        return self.take()

    async def edit(self, original: str, body: str, sender: str) -> list[Sent]:
        content = {
            "msgtype": "m.text",
            "body": f"* {body}",
            "m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original},
        }
        await self.dispatcher.handle(self._event(sender, "m.room.message", content, 0))
        return self.take()

    async def redact(self, target: str, sender: str) -> list[Sent]:
        event = self._event(sender, "m.room.redaction", {"redacts": target}, 0)
        await self.dispatcher.handle(event)
        return self.take()

    async def undecryptable(self, sender: str) -> str:
        """A message the bot cannot read yet; offered as m.room.encrypted (maybe twice)."""
        event = self._event(sender, UNDECRYPTABLE, {}, 0, event_encrypted=True)
        await self.dispatcher.note_undecryptable(event)
        await self.dispatcher.note_undecryptable(event)
        return event.event_id

    async def decrypted_later(self, event_id: str, body: str, sender: str, ts: datetime) -> None:
        """The key arrived: the same event, now readable."""
        event = RoomEvent(
            room_id=self.room_id,
            event_id=event_id,
            sender=sender,
            type="m.room.message",
            content={"msgtype": "m.text", "body": body},
            ts=ts,
            room_encrypted=True,
            event_encrypted=True,
            sender_level=0,
        )
        await self.dispatcher.handle(event)

    def take(self) -> list[Sent]:
        """What the bot queued since the last call (it counts as sent)."""
        with self.db.transaction() as s:
            outbox = OutboxRepository(s)
            messages = outbox.pending(limit=1000)
            for message in messages:
                outbox.remove(message.id)
        sent = []
        for message in messages:
            content = message.content
            mentions = tuple((content.get("m.mentions") or {}).get("user_ids", []))
            relates = (content.get("m.relates_to") or {}).get("m.in_reply_to") or {}
            attachment = message.attachment
            sent.append(
                Sent(
                    body=content["body"],
                    html=content.get("formatted_body"),
                    mentions=mentions,
                    filename=attachment["filename"] if attachment else None,
                    data=base64.b64decode(attachment["data"]) if attachment else None,
                    in_reply_to=relates.get("event_id"),
                )
            )
        return sent
