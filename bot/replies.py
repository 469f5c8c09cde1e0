"""What the bot says: reply values, their Matrix content, and the one queue that sends them."""

from __future__ import annotations

import asyncio
import html
import logging
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, RoomSendError

from storage.db import Database
from storage.outbox import OutboxRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fragment:
    """A piece of a message with its plain-text and (escaped) HTML forms."""

    plain: str
    html: str


def text(value: str) -> Fragment:
    return Fragment(value, html.escape(value, quote=False))


def bold(value: str) -> Fragment:
    return Fragment(value, f"<b>{html.escape(value, quote=False)}</b>")


def code(value: str) -> Fragment:
    return Fragment(value, f"<code>{html.escape(value, quote=False)}</code>")


def mention(user_id: str, name: str | None = None) -> Fragment:
    label = name or user_id
    href = html.escape(f"https://matrix.to/#/{user_id}")
    return Fragment(label, f'<a href="{href}">{html.escape(label, quote=False)}</a>')


def fmt(template: str, **values: str | Fragment) -> Fragment:
    """Fill a (translated) template's {placeholders} with text or fragments, escaping the rest."""
    plain, rich = [], []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        plain.append(literal)
        rich.append(html.escape(literal, quote=False))
        if name is not None:
            value = _fragment(values[name])
            plain.append(value.plain)
            rich.append(value.html)
    return Fragment("".join(plain), "".join(rich))


Line = str | Fragment | Iterable[str | Fragment]


def _fragment(part: str | Fragment) -> Fragment:
    return part if isinstance(part, Fragment) else text(part)


@dataclass(frozen=True)
class Reply:
    """A notice the bot sends in answer to a command."""

    plain: str
    html: str
    mentions: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, *lines: Line, mentions: Iterable[str] = ()) -> Reply:
        """Build a reply from lines, each a string or fragments; user text is always escaped."""
        plain, rich = [], []
        for line in lines:
            parts = [line] if isinstance(line, str | Fragment) else list(line)
            fragments = [_fragment(p) for p in parts]
            plain.append("".join(f.plain for f in fragments))
            rich.append("".join(f.html for f in fragments))
        return cls("\n".join(plain), "<br>".join(rich), tuple(dict.fromkeys(mentions)))

    def content(self, in_reply_to: str | None = None) -> dict[str, Any]:
        """The m.room.message content: an m.notice with HTML, a reply, explicit mentions."""
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": self.plain,
            "format": "org.matrix.custom.html",
            "formatted_body": self.html,
            "m.mentions": {"user_ids": list(self.mentions)} if self.mentions else {},
        }
        if in_reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": in_reply_to}}
        return content


class RefusedToSend(Exception):
    """Sending would leak plaintext or cannot be done safely."""


class Sender:
    """The one outgoing queue: sends outbox rows in order; nio waits out M_LIMIT_EXCEEDED."""

    def __init__(self, client: AsyncClient, db: Database):
        self.client = client
        self.db = db
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Drain the outbox whenever woken, until cancelled."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.drain()
            except Exception:
                log.exception("sending failed; will retry on the next wake-up")

    async def drain(self) -> None:
        """Send everything in the outbox, oldest first."""
        while True:
            with self.db.transaction() as session:
                batch = OutboxRepository(session).pending()
            if not batch:
                return
            for message in batch:
                try:
                    await self.send(
                        message.room_id, message.event_type, message.content, message.txn_id
                    )
                except RefusedToSend as exc:
                    log.error("refused to send into %s: %s", message.room_id, exc)
                    return
                with self.db.transaction() as session:
                    OutboxRepository(session).remove(message.id)

    async def send(self, room_id: str, event_type: str, content: dict, txn_id: str) -> str | None:
        """Send one event; the transaction id makes a retry after a crash a no-op on the server."""
        self.guard(room_id)
        started = time.perf_counter()
        response = await self.client.room_send(
            room_id, event_type, content, tx_id=txn_id, ignore_unverified_devices=True
        )
        log.debug("sent into %s in %.1f ms", room_id, (time.perf_counter() - started) * 1000)
        if isinstance(response, RoomSendError):
            # Not retryable (forbidden, unknown room…): keeping it would block the queue forever.
            log.warning("could not send into %s: %s", room_id, response.status_code)
            return None
        return response.event_id

    def guard(self, room_id: str) -> None:
        """Refuse to send into an encrypted room unless the crypto store is loaded."""
        room = self.client.rooms.get(room_id)
        if room is None:
            raise RefusedToSend("the room is not known yet")
        encrypted = room.encrypted or room_id in self.client.encrypted_rooms
        if encrypted and (self.client.olm is None or self.client.store is None):
            raise RefusedToSend("the crypto store is not loaded; nio would send plaintext")
