"""What the bot says: reply values, their Matrix content, and the one queue that sends them."""

from __future__ import annotations

import asyncio
import base64
import html
import io
import logging
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from nio import AsyncClient, RoomSendError, UploadError
from sqlalchemy.orm import Session

from bot.trust import Trust
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
class Attachment:
    """A file the bot sends (an encrypted attachment in encrypted rooms)."""

    filename: str
    mimetype: str
    data: bytes

    def to_json(self) -> dict[str, str]:
        """JSON-safe form kept in the outbox row, so a crash before the upload loses nothing."""
        encoded = base64.b64encode(self.data).decode("ascii")
        return {"filename": self.filename, "mimetype": self.mimetype, "data": encoded}

    @classmethod
    def from_json(cls, value: dict[str, str]) -> Attachment:
        return cls(value["filename"], value["mimetype"], base64.b64decode(value["data"]))


@dataclass(frozen=True)
class Reply:
    """A notice the bot sends in answer to a command, or a file when it has an attachment."""

    plain: str
    html: str
    mentions: tuple[str, ...] = field(default=())
    # What the sent event stands for ("meeting:42"): its event id is reported once it is sent.
    purpose: str | None = None
    attachment: Attachment | None = None

    @classmethod
    def file(cls, attachment: Attachment) -> Reply:
        """A file sent as an m.file event; its body is the file name."""
        name = attachment.filename
        return cls(name, html.escape(name, quote=False), attachment=attachment)

    def for_purpose(self, purpose: str) -> Reply:
        return replace(self, purpose=purpose)

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
        """The m.room.message content: an m.notice with HTML, a reply, explicit mentions.

        With an attachment: an m.file whose `file` (or `url`) the sender adds once uploaded.
        """
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": self.plain,
            "format": "org.matrix.custom.html",
            "formatted_body": self.html,
            "m.mentions": {"user_ids": list(self.mentions)} if self.mentions else {},
        }
        if self.attachment is not None:
            content = {
                "msgtype": "m.file",
                "body": self.attachment.filename,
                "filename": self.attachment.filename,
                "info": {"mimetype": self.attachment.mimetype, "size": len(self.attachment.data)},
                "m.mentions": content["m.mentions"],
            }
        if in_reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": in_reply_to}}
        return content


class RefusedToSend(Exception):
    """Sending would leak plaintext or cannot be done safely."""


class UnknownRoom(RefusedToSend):
    """The bot is not (or no longer) in the room: the message can never be sent."""


class NotSyncedYet(RefusedToSend):
    """Before the first sync nio knows no room: wait for it (the app wakes the sender then)."""


class Sender:
    """The one outgoing queue: sends outbox rows in order; nio waits out M_LIMIT_EXCEEDED."""

    # Set by the app: decides which member devices may receive room keys before each send.
    trust: Trust | None = None

    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        on_sent: Callable[[Session, str, str], None] = lambda session, purpose, event_id: None,
    ):
        self.client = client
        self.db = db
        # Told (purpose, event id) of a sent row that had a purpose, in the row's removal.
        self.on_sent = on_sent
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
                    content = message.content
                    if message.attachment:
                        content = await self.attach(
                            message.room_id, content, Attachment.from_json(message.attachment)
                        )
                    event_id = None
                    if content is not None:
                        event_id = await self.send(
                            message.room_id, message.event_type, content, message.txn_id
                        )
                except NotSyncedYet:
                    return  # e.g. reminders found overdue at start: sent once rooms are known
                except UnknownRoom:
                    # Left or never joined: keeping the row would block the queue for good.
                    log.warning("dropped a message for %s: the bot is not in it", message.room_id)
                    event_id = None
                except RefusedToSend as exc:
                    log.error("refused to send into %s: %s", message.room_id, exc)
                    return
                with self.db.transaction() as session:
                    OutboxRepository(session).remove(message.id)
                    if message.purpose and event_id:
                        self.on_sent(session, message.purpose, event_id)

    async def attach(self, room_id: str, content: dict, attachment: Attachment) -> dict | None:
        """Upload a file (encrypted in an encrypted room) and put its location into the content."""
        self.guard(room_id)
        encrypted = self.client.rooms[room_id].encrypted or room_id in self.client.encrypted_rooms
        response, keys = await self.client.upload(
            io.BytesIO(attachment.data),
            content_type=attachment.mimetype,
            filename=attachment.filename,
            encrypt=encrypted,
            filesize=len(attachment.data),
        )
        if isinstance(response, UploadError):
            # Like a refused send: a file the server will not take would block the queue forever.
            log.warning("could not upload a file for %s: %s", room_id, response.status_code)
            return None
        if encrypted:
            # nio gives key, iv, hashes and v; the spec's EncryptedFile also needs the url.
            return {**content, "file": {**keys, "url": response.content_uri}}
        return {**content, "url": response.content_uri}

    async def send(self, room_id: str, event_type: str, content: dict, txn_id: str) -> str | None:
        """Send one event; the transaction id makes a retry after a crash a no-op on the server."""
        self.guard(room_id)
        if self.trust:
            await self.trust.ready(room_id)
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
            if not getattr(self.client, "next_batch", True):
                raise NotSyncedYet("no sync yet")
            raise UnknownRoom("the room is not known")
        encrypted = room.encrypted or room_id in self.client.encrypted_rooms
        if encrypted and (self.client.olm is None or self.client.store is None):
            raise RefusedToSend("the crypto store is not loaded; nio would send plaintext")
