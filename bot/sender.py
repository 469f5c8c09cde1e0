"""The one outgoing queue: the outbox sent room by room in turn, each message split if too large
for the homeserver, a refusal told to the room; never plaintext into an encrypted room."""

from __future__ import annotations

import asyncio
import html
import io
import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, RoomSendError, UploadError
from sqlalchemy.orm import Session

from bot.i18n import translator
from bot.ids import RoomId
from bot.replies import Attachment, Reply
from bot.rooms import room_language
from bot.trust import Trust
from storage.db import Database
from storage.outbox import OutboxRepository, Purpose, purpose_of

log = logging.getLogger(__name__)

# Synapse refuses an event whose JSON exceeds 65,536 bytes. An encrypted message's plaintext grows
# by about 4/3 (base64 of the ciphertext) plus the event's own fields: 32,000 bytes of content,
# counted as nio writes it (non-ASCII escaped), stays well inside in encrypted and clear rooms.
MAX_CONTENT_BYTES = 32_000
# A longer reply is cut after this many messages: nobody reads more, and it would hold the queue.
MAX_PARTS = 10
HTML = "org.matrix.custom.html"


def content_size(content: Mapping[str, Any]) -> int:
    """Bytes of an event content as nio sends (and encrypts) it: the most Synapse can count."""
    return len(json.dumps(content, separators=(",", ":")))


def _json_len(value: str) -> int:
    return len(json.dumps(value)) - 2


def split_message(
    content: Mapping[str, Any],
    cut: str,
    limit: int = MAX_CONTENT_BYTES,
    max_parts: int = MAX_PARTS,
) -> list[dict[str, Any]]:
    """A message content as one or more that each fit in `limit` bytes, split between lines.

    A line too long for one message is shortened and ends with `cut`; after `max_parts`
    messages the rest is left out, the last one ending with a `cut` line. Only the first part
    mentions anyone; every part replies to what the whole did.
    """
    if content_size(content) <= limit or not isinstance(content.get("body"), str):
        return [dict(content)]
    plain = content["body"].split("\n")
    formatted = content.get("formatted_body")
    has_html = content.get("format") == HTML and isinstance(formatted, str)
    rich = formatted.split("<br>") if has_html else []
    if len(rich) != len(plain):
        # Not one HTML line per text line: rebuild the HTML from the text, escaped.
        rich = [html.escape(line, quote=False) for line in plain]

    def cost(line: str, rich_line: str) -> int:
        return _json_len(line) + (_json_len(rich_line) if has_html else 0)

    def build(lines: list[tuple[str, str]], first: bool) -> dict[str, Any]:
        part = {k: v for k, v in content.items() if k not in ("body", "format", "formatted_body")}
        part["body"] = "\n".join(line for line, _ in lines)
        if has_html:
            part["format"] = HTML
            part["formatted_body"] = "<br>".join(rich_line for _, rich_line in lines)
        if not first:
            part["m.mentions"] = {}
        return part

    separator = len("\\n") + (len("<br>") if has_html else 0)
    marker = (cut, html.escape(cut, quote=False))
    # Room kept in every part for one more line: the marker, should the reply be cut there.
    fixed = max(content_size(build([], True)), content_size(build([], False)))
    budget = limit - fixed - cost(*marker) - separator

    def shorten(line: str) -> tuple[str, str]:
        """The longest start of the line that fits with the marker after it."""
        low, high = 0, len(line)
        while low < high:
            middle = (low + high + 1) // 2
            start = line[:middle] + " " + cut
            if cost(start, html.escape(start, quote=False)) <= budget:
                low = middle
            else:
                high = middle - 1
        start = line[:low] + " " + cut
        return start, html.escape(start, quote=False)

    parts: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    used = 0
    for line in zip(plain, rich, strict=True):
        if cost(*line) > budget:
            line = shorten(line[0])
        size = cost(*line)
        if current and used + separator + size > budget:
            parts.append(current)
            current, used = [], 0
            if len(parts) == max_parts:
                parts[-1].append(marker)
                break
        used += size + (separator if current else 0)
        current.append(line)
    if current:
        parts.append(current)
    return [build(lines, index == 0) for index, lines in enumerate(parts)]


def next_room(heads: Mapping[str, int], turns: Mapping[str, int]) -> str:
    """The room to serve next: the one served longest ago (or never), then the oldest message."""
    return min(heads, key=lambda room: (turns.get(room, 0), heads[room]))


class RefusedToSend(Exception):
    """Sending would leak plaintext or cannot be done safely."""


class UnknownRoom(RefusedToSend):
    """The bot is not (or no longer) in the room: the message can never be sent."""


class NotSyncedYet(RefusedToSend):
    """Before the first sync nio knows no room: wait for it (the app wakes the sender then)."""


class HomeserverRefused(Exception):
    """The homeserver will not take this event (too large, forbidden…): retrying cannot help."""

    def __init__(self, code: str | None):
        super().__init__(code or "unknown error")
        self.code = code


# After a request failed for want of the homeserver (an upload is not retried by the client).
RETRY_AFTER_S = 30


class Sender:
    """The one outgoing queue: rooms in turn, each room's messages in order; nio waits out
    M_LIMIT_EXCEEDED."""

    # Set by the app: decides which member devices may receive room keys before each send.
    trust: Trust | None = None

    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        on_sent: Callable[[Session, Purpose, str], None] = lambda session, purpose, event_id: None,
        language: str = "en",
    ):
        self.client = client
        self.db = db
        # Told (purpose, event id) of a sent row that had a purpose, in the row's removal.
        self.on_sent = on_sent
        # Of rooms that set none: the language of a notice the sender writes itself.
        self.language = language
        self._wake = asyncio.Event()
        self._draining = asyncio.Lock()
        # When each room with messages waiting was last served (a count of sends), for turns.
        self._turns: dict[str, int] = {}
        self._sends = 0

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Drain the outbox whenever woken, until cancelled."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.drain()
            except (ClientError, TimeoutError) as exc:
                log.warning(
                    "could not reach the homeserver (%s); sending again in %d s",
                    type(exc).__name__,
                    RETRY_AFTER_S,
                )
                asyncio.get_running_loop().call_later(RETRY_AFTER_S, self.wake)
            except Exception:
                log.exception("sending failed; will retry on the next wake-up")

    async def drain(self) -> None:
        """Send everything in the outbox: one message per room in turn, so that one room's
        flood (and the rate limit it meets) does not hold the replies to another."""
        async with self._draining:
            while True:
                with self.db.transaction() as session:
                    outbox = OutboxRepository(session)
                    heads = outbox.heads()
                    if not heads:
                        return
                    room_id = next_room(heads, self._turns)
                    message = outbox.get(heads[room_id])
                self._sends += 1
                self._turns = {r: n for r, n in self._turns.items() if r in heads}
                self._turns[room_id] = self._sends
                try:
                    event_id = await self.deliver(message)
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
                    purpose = purpose_of(message)
                    if purpose is not None and event_id:
                        self.on_sent(session, purpose, event_id)

    async def deliver(self, message) -> str | None:
        """Send one outbox row, split if too large; a refusal becomes a notice saying so.

        Returns the event id of the (first) event sent for it, if any.
        """
        room_id, content = message.room_id, message.content
        try:
            if message.attachment:
                attachment = Attachment.from_json(message.attachment)
                content = await self.attach(room_id, content, attachment)
            parts = [content]
            if message.event_type == "m.room.message" and content_size(content) > MAX_CONTENT_BYTES:
                _ = self.translate(room_id)
                parts = split_message(content, _("… (cut)"))
                log.info("split a long message for %s into %d", room_id, len(parts))
            first = None
            for index, part in enumerate(parts):
                # Derived transaction ids: after a crash, the parts already sent are not repeated.
                txn_id = message.txn_id if index == 0 else f"{message.txn_id}.{index}"
                event_id = await self.send(room_id, message.event_type, part, txn_id)
                first = first or event_id
            return first
        except HomeserverRefused as exc:
            await self.explain_refusal(message, exc.code)
            return None
        except (RefusedToSend, ClientError, TimeoutError):
            raise  # the message waits: for the first sync, the crypto store, the homeserver
        except Exception:
            # Whatever else fails would fail again: kept, the row would hold its room for good.
            log.exception("could not send a message for %s", room_id)
            await self.explain_refusal(message, None)
            return None

    async def explain_refusal(self, message, code: str | None) -> None:
        """Tell the room, in reply to the same command, that its answer could not be sent."""
        ref = secrets.token_hex(2)
        log.warning(
            "the homeserver refused a message for %s: %s (ref %s)", message.room_id, code, ref
        )
        _ = self.translate(message.room_id)
        if code == "M_TOO_LARGE":
            sentence = _("My reply was too large to send (ref {ref}).")
        else:
            sentence = _("My reply could not be sent (ref {ref}).")
        relation = message.content.get("m.relates_to")
        in_reply_to = relation.get("m.in_reply_to") if isinstance(relation, dict) else None
        event_id = in_reply_to.get("event_id") if isinstance(in_reply_to, dict) else None
        notice = Reply.of(sentence.format(ref=ref)).content(event_id)
        try:
            await self.send(message.room_id, "m.room.message", notice, f"{message.txn_id}.refused")
        except HomeserverRefused as exc:
            log.warning("the notice about it was refused too: %s (ref %s)", exc.code, ref)

    def translate(self, room_id: RoomId) -> Callable[[str], str]:
        with self.db.transaction() as session:
            return translator(room_language(session, room_id, self.language))

    async def attach(self, room_id: RoomId, content: dict, attachment: Attachment) -> dict:
        """Upload a file (encrypted in an encrypted room) and put its location into the content."""
        self.guard(room_id)
        encrypted = self.client.rooms[room_id].encrypted or room_id in self.client.encrypted_rooms
        response, keys = await self.client.upload(
            # A new reader for every try: a retried upload starts again from the first byte.
            lambda _got_429, _got_timeouts: io.BytesIO(attachment.data),
            content_type=attachment.mimetype,
            filename=attachment.filename,
            encrypt=encrypted,
            filesize=len(attachment.data),
        )
        if isinstance(response, UploadError):
            # Like a refused send: a file the server will not take would block the queue forever.
            raise HomeserverRefused(response.status_code)
        if encrypted:
            # nio gives key, iv, hashes and v; the spec's EncryptedFile also needs the url.
            return {**content, "file": {**keys, "url": response.content_uri}}
        return {**content, "url": response.content_uri}

    async def send(self, room_id: str, event_type: str, content: dict, txn_id: str) -> str:
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
            # Not retryable (too large, forbidden…): keeping it would block the queue forever.
            raise HomeserverRefused(response.status_code)
        return response.event_id

    def guard(self, room_id: RoomId) -> None:
        """Refuse to send into an encrypted room unless the crypto store is loaded."""
        room = self.client.rooms.get(room_id)
        if room is None:
            if not getattr(self.client, "next_batch", True):
                raise NotSyncedYet("no sync yet")
            raise UnknownRoom("the room is not known")
        encrypted = room.encrypted or room_id in self.client.encrypted_rooms
        if encrypted and (self.client.olm is None or self.client.store is None):
            raise RefusedToSend("the crypto store is not loaded; nio would send plaintext")
